#!/usr/bin/env bash
# baseline-ipbatch.sh N [on|off] [up|down|updown|check|names]
#
# The kernel work of `vnetlab up --topo single,N` done with plain iproute2,
# as the floor vnetlab is compared against (see bench/README.md):
#   - netns add for one infra namespace and N host namespaces
#     (one `ip -batch` file);
#   - IPv6 off (the default): net.ipv6.conf.{all,default}.disable_ipv6=1 in
#     every namespace before any veth exists, written by one helper process
#     that setns()es into each namespace in turn (python3 with ctypes; falls
#     back to one nsenter+sysctl per namespace without python3);
#   - in the infra namespace, one `ip -n INFRA -batch` file: the bridge(s)
#     (a root bridge plus leaf bridges with uplink veths for N > 1023 ports,
#     like vnetlab) and per host `link add PORT up master BRIDGE type veth
#     peer name eth0 netns HOST`;
#   - per host one `ip -batch FILE` (addr add, eth0 up, lo up) running inside
#     the host namespace, VBASE_JOBS at a time (default: number of CPUs),
#     since an ip batch cannot address another namespace; by default the
#     same helper setns()es and posix_spawn()s ip (VBASE_HOSTS=spawn; or
#     nsenter, or ipn = `ip -n HOST -batch FILE`, both slower).
# Teardown: one `ip -batch` file of `netns del` for all of them.
#
# It does not create UTS or mount namespaces, hostnames or /etc/hosts, starts
# no processes and keeps no state: it is only the network part of vnetlab up.
#
# Timing covers only the ip/helper invocations (batch files are generated
# beforehand into a temp dir). Output, one line per phase, key=value:
#   up n=N ipv6=off jobs=2 up_s=... netns_s=... sysctl_s=... infra_s=... hosts_s=...
#   down n=N down_s=... deleted=...
# Names: vbase<TAG>.sw, vbase<TAG>-h<I>, bridges vbase<TAG>b<K>, ports
# vbase<TAG>p<I>, uplinks vbase<TAG>u<K>/vbase<TAG>q<K>; TAG = $VBASE_TAG (0).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

usage() { echo "usage: ${0##*/} N [on|off] [up|down|updown|check|names]" >&2; exit 2; }
[ $# -ge 1 ] || usage
N=$1
IPV6=${2:-off}
ACTION=${3:-updown}
case $N in '' | *[!0-9]*) usage ;; esac
[ "$N" -ge 1 ] && [ "$N" -le 65000 ] || die "N must be 1..65000"
case $IPV6 in on | off) ;; *) usage ;; esac
[ "$(id -u)" -eq 0 ] || die "must run as root"

TAG=${VBASE_TAG:-0}
case $TAG in '' | *[!0-9a-z]*) die "VBASE_TAG must be short [0-9a-z]" ;; esac
[ ${#TAG} -le 3 ] || die "VBASE_TAG: at most 3 characters"
P=vbase$TAG
INFRA=$P.sw
JOBS=${VBASE_JOBS:-$(nproc 2>/dev/null || echo 1)}
TMPD=
trap '[ -n "$TMPD" ] && rm -rf "$TMPD"' EXIT
# /usr/bin/python3 first: a pyenv shim in PATH costs ~0.1 s to start.
PY=$(command -v /usr/bin/python3 || command -v python3 || true)
HOSTS=${VBASE_HOSTS:-spawn}
case $HOSTS in spawn | nsenter | ipn) ;; *) die "VBASE_HOSTS: spawn, nsenter or ipn" ;; esac
[ "$HOSTS" = spawn ] && [ -z "$PY" ] && HOSTS=nsenter
PER_LEAF=1022 # a leaf bridge: 1022 host ports + 1 uplink = 1023 (BR_MAX_PORTS - 1)

names() {
	echo "$INFRA"
	seq -f "$P-h%g" 1 "$N"
}

# Our namespaces that exist now (whatever N they were created with).
existing() {
	netns_list | grep -E "^$P(\.sw|-h[0-9]+)\$" || true
}

down() {
	local f t0 t1 cnt
	f=$(mktemp "${TMPDIR:-/tmp}/vbase-down.XXXXXX") || die "mktemp"
	existing | sed 's/^/netns del /' >"$f"
	cnt=$(wc -l <"$f")
	t0=$(now_ns)
	[ "$cnt" -gt 0 ] && ip -force -batch "$f" >/dev/null
	t1=$(now_ns)
	rm -f "$f"
	echo "down n=$N down_s=$(ns_to_s "$t0" "$t1") deleted=$cnt"
	[ -z "$(existing)" ] || die "namespaces left behind: $(existing | head -3 | tr '\n' ' ')"
}

# One small helper process that setns()es into each namespace in turn, so
# that nothing pays for a new process or a mount namespace copy per host.
#   nshelper sysctl          stdin: NS per line; writes 1 to
#                            net.ipv6.conf.{all,default}.disable_ipv6 in each
#   nshelper spawn JOBS IP   stdin: "NS FILE" per line; runs `IP -batch FILE`
#                            inside NS, at most JOBS at a time
nshelper() {
	"$PY" -S -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
NEWNET = 0x40000000
home = os.open("/proc/self/ns/net", os.O_RDONLY)
def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, NEWNET) != 0:
        sys.exit("setns %s: %s" % (ns, os.strerror(ctypes.get_errno())))
    os.close(fd)
bad = 0
if sys.argv[1] == "sysctl":
    for ns in sys.stdin.read().split():
        enter(ns)
        for k in ("all", "default"):
            with open("/proc/sys/net/ipv6/conf/%s/disable_ipv6" % k, "w") as f:
                f.write("1")
else:
    jobs, ip, running = int(sys.argv[2]), sys.argv[3], 0
    for line in sys.stdin:
        ns, f = line.split()
        if running >= jobs:
            bad |= os.wait()[1] != 0
            running -= 1
        enter(ns)
        os.posix_spawn(ip, [ip, "-batch", f], os.environ)
        running += 1
    while running:
        bad |= os.wait()[1] != 0
        running -= 1
if libc.setns(home, NEWNET) != 0:
    sys.exit("setns back failed")
sys.exit(1 if bad else 0)
' "$@"
}

# IPv6 off: net.ipv6.conf.{all,default}.disable_ipv6=1 in each namespace named
# on stdin, before any veth exists, so every device inherits it.
sysctl_ipv6_off() {
	if [ -n "$PY" ]; then
		nshelper sysctl
	else
		sed 's|^|--net=/run/netns/|; s|$| sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1|' |
			xargs -L 1 nsenter
	fi
}

# Per-host `ip -batch FILE` inside each host namespace; stdin: "NS FILE".
# VBASE_HOSTS picks how ip gets there (see README for measured costs):
#   spawn   (default) the helper setns()es and posix_spawn()s ip: 1 exec/host
#   nsenter nsenter --net=/run/netns/NS ip -batch FILE: 2 execs/host
#   ipn     ip -n NS -batch FILE: 1 exec/host, but ip -n unshares a mount
#           namespace (copying every /run/netns mount) and remounts /sys
run_hosts() {
	local ipbin
	ipbin=$(command -v ip)
	case $HOSTS in
	spawn) nshelper spawn "$JOBS" "$ipbin" ;;
	nsenter) awk '{ print "--net=/run/netns/" $1, "ip -batch", $2 }' | xargs -P "$JOBS" -L 1 nsenter ;;
	ipn) awk '{ print "-n", $1, "-batch", $2 }' | xargs -P "$JOBS" -L 1 ip ;;
	esac
}

up() {
	local dir bits prefix leaves t0 t1 t2 t3 t4 rc=0
	[ -z "$(existing)" ] || die "$P namespaces already exist; run: $0 $N $IPV6 down"
	dir=$(mktemp -d "${TMPDIR:-/tmp}/vbase.XXXXXX") || die "mktemp"
	TMPD=$dir

	# Addresses like vnetlab's plan: one segment, the smallest prefix that
	# holds N hosts + network + broadcast, hosts from .1 upwards.
	bits=2
	while [ $((1 << bits)) -lt $((N + 2)) ]; do bits=$((bits + 1)); done
	prefix=$((32 - bits))
	leaves=0
	[ "$N" -gt 1023 ] && leaves=$(((N + PER_LEAF - 1) / PER_LEAF))

	names >"$dir/names"
	sed 's/^/netns add /' "$dir/names" >"$dir/netns.b"
	awk -v n="$N" -v p="$P" -v leaves="$leaves" -v per="$PER_LEAF" -v pfx="$prefix" \
	    -v dir="$dir" '
	BEGIN {
		inf = dir "/infra.b"; jobs = dir "/jobs"
		print "link add " p "b0 type bridge" > inf
		print "link set " p "b0 up" > inf
		for (k = 1; k <= leaves; k++) {
			print "link add " p "b" k " type bridge" > inf
			print "link set " p "b" k " up" > inf
			print "link add " p "u" k " up master " p "b" k " type veth peer name " p "q" k > inf
			print "link set " p "q" k " master " p "b0 up" > inf
		}
		for (i = 1; i <= n; i++) {
			br = leaves ? int((i - 1) / per) + 1 : 0
			print "link add " p "p" i " up master " p "b" br \
			      " type veth peer name eth0 netns " p "-h" i > inf
			f = dir "/h" i ".b"
			printf "addr add 10.0.%d.%d/%d dev eth0\n", int(i / 256), i % 256, pfx > f
			print "link set eth0 up" > f
			print "link set lo up" > f
			close(f)
			print p "-h" i, f > jobs
		}
	}' || die "generating batch files failed"

	t0=$(now_ns)
	ip -batch "$dir/netns.b" >/dev/null || rc=1
	t1=$(now_ns)
	if [ $rc -eq 0 ] && [ "$IPV6" = off ]; then
		sysctl_ipv6_off <"$dir/names" || rc=1
	fi
	t2=$(now_ns)
	[ $rc -eq 0 ] && { ip -n "$INFRA" -batch "$dir/infra.b" >/dev/null || rc=1; }
	t3=$(now_ns)
	[ $rc -eq 0 ] && { run_hosts <"$dir/jobs" >/dev/null || rc=1; }
	t4=$(now_ns)
	if [ $rc -ne 0 ]; then
		warn "up failed; tearing down"
		down >/dev/null
		return 1
	fi
	echo "up n=$N ipv6=$IPV6 jobs=$JOBS hosts=$HOSTS up_s=$(ns_to_s "$t0" "$t4") netns_s=$(ns_to_s "$t0" "$t1")" \
	     "sysctl_s=$(ns_to_s "$t1" "$t2") infra_s=$(ns_to_s "$t2" "$t3") hosts_s=$(ns_to_s "$t3" "$t4")"
}

# Spot check of what up built; prints problems, exits 1 on any.
check() {
	local bad=0 ports i want up6
	ports=$(ip -n "$INFRA" -o link show type veth 2>/dev/null | grep -c "master ${P}b" || true)
	want=$N
	[ "$N" -gt 1023 ] && want=$((N + 2 * ((N + PER_LEAF - 1) / PER_LEAF)))
	[ "$ports" -eq "$want" ] || { echo "infra: $ports enslaved veths, want $want"; bad=1; }
	ip -n "$INFRA" -o link show type veth | grep -v 'state UP' | grep -q . &&
		{ echo "infra: veths not up"; bad=1; }
	for i in 1 $(((N + 1) / 2)) "$N"; do
		ip -n "$P-h$i" -o link show lo | grep -q 'UP' || { echo "h$i: lo down"; bad=1; }
		ip -n "$P-h$i" -o -4 addr show dev eth0 | grep -q "10.0.$((i / 256)).$((i % 256))/" ||
			{ echo "h$i: no address"; bad=1; }
		up6=$(ip netns exec "$P-h$i" cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6)
		if [ "$IPV6" = off ] && [ "$up6" != 1 ]; then echo "h$i: ipv6 not disabled"; bad=1; fi
		if [ "$IPV6" = on ] && [ "$up6" != 0 ]; then echo "h$i: ipv6 disabled"; bad=1; fi
	done
	if [ "$N" -ge 2 ]; then
		ip netns exec "$P-h1" ping -c1 -W2 "10.0.$((N / 256)).$((N % 256))" >/dev/null 2>&1 ||
			{ echo "h1 cannot ping h$N"; bad=1; }
	fi
	[ $bad -eq 0 ] && echo "check ok n=$N ipv6=$IPV6"
	return $bad
}

case $ACTION in
up) up ;;
down) down ;;
updown) up && down ;;
check) check ;;
names) names ;;
*) usage ;;
esac
