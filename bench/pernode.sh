#!/usr/bin/env bash
# pernode.sh [N] [VNETLAB]  —  what each part of a node costs the kernel.
#
# Builds N of each part a namespace node of `vnetlab up --topo single,N`
# is made of, with plain tools, one part after the other, and prints the
# kernel memory each part added (Slab + KernelStack + PageTables + Percpu,
# bench/lib.sh mem_kernel) per item:
#   netns      ip netns add (its loopback, its /run/netns name)
#   veth+port  a veth pair, one end in the namespace, the other a port of a
#              bridge in one infra namespace, both up
#   mnt ns     a mount namespace (a copy of the host's mount table: its size
#              is the host's), bound to a file
#   uts ns     a UTS namespace, bound to a file
#   cgroup H   a directory in cgroup v1 hierarchy H (cpuacct, memory,
#              pids), or in v2: one with no controllers, with +memory, with
#              +pids
# and, given VNETLAB, the same N nodes by `vnetlab up --topo single,N`
# with the default accounting (CPU time) and with --accounting all, beside
# the parts' sum. N defaults to 1000. Each figure is the median of REPS
# (default 3) builds of that part alone; dentries and inodes are dropped
# before each snapshot (DROP_CACHES=0: not). Everything made goes before
# the next part and on exit; only names starting with vpn<pid> are touched.
#
# Environment: REPS=3, DROP_CACHES=1, OUT=FILE (JSON lines, default
# bench/results/pernode-<date>.jsonl).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

N=${1:-1000}
VNETLAB=${2:-}
REPS=${REPS:-3}
DROP_CACHES=${DROP_CACHES:-1}
case $N in '' | *[!0-9]*) die "bad N: $N" ;; esac
[ "$N" -ge 10 ] && [ "$N" -le 1022 ] || die "N must be 10..1022 (one bridge)"
case $REPS in '' | *[!0-9]* | 0) die "bad REPS: $REPS" ;; esac
[ "$(id -u)" -eq 0 ] || die "must run as root"
if [ -n "$VNETLAB" ]; then
	case $VNETLAB in */*) ;; *) VNETLAB=./$VNETLAB ;; esac
	[ -x "$VNETLAB" ] || die "$VNETLAB: not an executable"
fi

bench_files pernode
P=vpn$$
SCRATCH=$WORK/binds # a private tmpfs for the namespace files
mkdir -p "$SCRATCH"
mount -t tmpfs -o mode=700 "$P" "$SCRATCH" || die "cannot mount a tmpfs on $SCRATCH"
mount --make-private "$SCRATCH"

teardown() {
	local f
	for f in "$SCRATCH"/*; do
		[ -e "$f" ] && { umount -l "$f" 2>/dev/null; rm -f "$f"; }
	done
	netns_list | grep -E "^$P(\.sw|-[0-9]+)\$" | sed 's/^/netns del /' | ip -force -batch - 2>/dev/null
	for d in /sys/fs/cgroup/*/"$P" /sys/fs/cgroup/"$P"; do
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
	[ -n "$VNETLAB" ] && "$VNETLAB" down "$P" >/dev/null 2>&1
	return 0
}
cleanup() {
	trap - EXIT INT TERM
	teardown
	umount -l "$SCRATCH" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

snap() {
	sync
	[ "$DROP_CACHES" = 1 ] && echo 2 >/proc/sys/vm/drop_caches
	mem_kernel "$(mem_snap)"
}

# A namespace and a veth per node, so that the later parts stand alone.
make_netns() {
	seq 1 "$N" | sed "s/^/netns add $P-/" | ip -batch - || return 1
}
make_veths() {
	ip netns add "$P.sw" || return 1
	ip -n "$P.sw" link add br0 type bridge && ip -n "$P.sw" link set br0 up || return 1
	seq 1 "$N" | awk -v p="$P" '{ printf "link add p%d up master br0 type veth peer name eth0 netns %s-%d\n", $1, p, $1 }' |
		ip -n "$P.sw" -batch - || return 1
	local i
	for i in $(seq 1 "$N"); do echo "-n $P-$i link set eth0 up"; done | ip -batch - 2>/dev/null ||
		for i in $(seq 1 "$N"); do ip -n "$P-$i" link set eth0 up || return 1; done
}
make_ns() { # KIND: mount or uts
	local i
	for i in $(seq 1 "$N"); do
		: >"$SCRATCH/$1$i"
		unshare "--$1=$SCRATCH/$1$i" true || return 1
	done
}
V1_OK= # the v1 hierarchies present
for h in cpuacct memory pids; do [ -d "/sys/fs/cgroup/$h" ] && V1_OK="$V1_OK $h"; done
V2=
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then V2=/sys/fs/cgroup
elif [ -f /sys/fs/cgroup/unified/cgroup.controllers ]; then V2=/sys/fs/cgroup/unified; fi
make_cg_v1() { # HIERARCHY
	mkdir "/sys/fs/cgroup/$1/$P" || return 1
	seq 1 "$N" | sed "s|^|/sys/fs/cgroup/$1/$P/|" | xargs mkdir
}
make_cg_v2() { # "" or +memory or +pids
	mkdir "$V2/$P" || return 1
	if [ -n "$1" ]; then
		grep -qw "${1#+}" "$V2/cgroup.subtree_control" || return 2
		echo "$1" >"$V2/$P/cgroup.subtree_control" || return 2
	fi
	seq 1 "$N" | sed "s|^|$V2/$P/|" | xargs mkdir
}
make_vnetlab() { # ARGS...
	"$VNETLAB" up -q --topo "single,$N" --name "$P" "$@" >/dev/null 2>&1
}

# measure NAME SETUP... -- PART...: REPS times, on what SETUP makes, the
# kernel memory PART adds, per item; prints and records the median.
declare -A FIG
measure() {
	local name=$1 setup=() part=() r b a v vals=""
	shift
	while [ "$1" != -- ]; do setup+=("$1"); shift; done
	shift
	part=("$@")
	for r in $(seq 1 "$REPS"); do
		teardown
		sleep 1
		if [ ${#setup[@]} -gt 0 ]; then "${setup[@]}" || { warn "$name: setup failed"; return 1; }; fi
		b=$(snap)
		"${part[@]}"
		case $? in 0) ;; 2) echo "$name: not here"; FIG[$name]=-; return 0 ;; *) warn "$name: failed"; return 1 ;; esac
		a=$(snap)
		vals="$vals $(awk -v a="$a" -v b="$b" -v n="$N" 'BEGIN { printf "%.1f", (a - b) / n }')"
	done
	teardown
	v=$(echo "$vals" | tr ' ' '\n' | grep . | median)
	FIG[$name]=$v
	printf '%-24s %7s kB a node  (runs:%s)\n' "$name" "$v" "$vals"
	printf '{"bench":"pernode","n":%d,"part":"%s","kb_per_node":%s,"runs":[%s]}\n' "$N" "$name" \
		"$v" "$(echo "$vals" | sed 's/^ //; s/ /,/g')" >>"$OUT"
}

echo "pernode: N=$N, median of $REPS, kernel kB (slab+stack+pagetables+percpu) a node"
echo "         the host has $(wc -l </proc/self/mountinfo) mounts (a mount namespace copies them)"
measure "netns" -- make_netns
measure "veth+port" make_netns -- make_veths
measure "mnt ns" -- make_ns mount
measure "uts ns" -- make_ns uts
for h in $V1_OK; do measure "cgroup v1 $h" -- make_cg_v1 "$h"; done
if [ -n "$V2" ]; then
	measure "cgroup v2" -- make_cg_v2 ""
	measure "cgroup v2 +memory" -- make_cg_v2 +memory
	measure "cgroup v2 +pids" -- make_cg_v2 +pids
fi
if [ -n "$VNETLAB" ]; then
	sum=$(awk -v a="${FIG[netns]}" -v b="${FIG[veth+port]}" -v c="${FIG[mnt ns]}" -v d="${FIG[uts ns]}" \
		-v e="${FIG[cgroup v1 cpuacct]:-0}" 'BEGIN { printf "%.1f", a + b + c + d + (e == "-" ? 0 : e) }')
	echo "sum of netns, veth+port, mnt ns, uts ns and a cpuacct cgroup: $sum kB a node"
	measure "vnetlab up (default)" -- make_vnetlab
	measure "vnetlab up --accounting all" -- make_vnetlab --accounting all
fi
