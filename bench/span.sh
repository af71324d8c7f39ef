#!/usr/bin/env bash
# span.sh VNETLAB [SPEC...]  —  how long `vnetlab up --topo SPEC` takes over
# 3 simulated hosts (`--hosts ssh:sim1,sim2,sim3`: each host builds its part,
# links across hosts are VXLAN) against the same lab on this machine alone,
# until a ping crosses it, and how long `down` takes (issue 29's target:
# up and pinging over 3 hosts in at most 2x the time on one). See
# bench/README.md.
#
# Needs root. Makes a set of simulated hosts of its own (scripts/simhosts.sh,
# under SIM_DIR, its links SIM_LINKS*) and takes it down at the end, also on
# Ctrl-C or failure; the labs are named bs<pid>. The simulated hosts share
# this machine's CPUs and kernel: the 3-host figure includes building three
# parts on the same CPUs, plus ssh.
#
# Default spec: tree,4,4 (256 hosts and 85 switches: 341 nodes; over 3 hosts
# 6 links cross, h1 and h256 land on different hosts).
#
# Environment:
#   REPS=5            runs per spec and placement (the two alternate)
#   HOSTS=3           simulated hosts
#   VIA=ssh           how vnetlab reaches them: ssh (--hosts ssh:sim1,...) or
#                     slurm (--hosts slurm, in an allocation of the simulated
#                     cluster made here with salloc --no-shell, cancelled at exit)
#   PING_TRIES=20     pings (1 s timeout each) from the first host to the last
#                     before a run counts as failed
#   SETTLE_TIMEOUT=60 max seconds to wait for the kernel after a down
#   CMD_TIMEOUT=300   max seconds for one up or down command
#   DROP_CACHES=1     drop dentries/inodes after each settle (0: don't)
#   SIM_DIR=/run/vt-benchspan SIM_LINKS=vtbs SIM_PORT=16961
#   SIM_SUBNET=198.18.15.0/24   the simulated hosts' set (simhosts.sh's
#                     VNETLAB_SIM_DIR, _LINKS, _PORT and --subnet)
#   OUT=FILE          JSON lines (default bench/results/span-<date>.jsonl)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

[ $# -ge 1 ] || { echo "usage: ${0##*/} VNETLAB [SPEC...]" >&2; exit 2; }
VNETLAB=$1
shift
SPECS=${*:-tree,4,4}
REPS=${REPS:-5}
HOSTS=${HOSTS:-3}
VIA=${VIA:-ssh}
case $VIA in ssh | slurm) ;; *) echo "bad VIA: $VIA (ssh or slurm)" >&2; exit 2 ;; esac
PING_TRIES=${PING_TRIES:-20}
SETTLE_TIMEOUT=${SETTLE_TIMEOUT:-60}
CMD_TIMEOUT=${CMD_TIMEOUT:-300}
DROP_CACHES=${DROP_CACHES:-1}
SIM_DIR=${SIM_DIR:-/run/vt-benchspan}
SIM_LINKS=${SIM_LINKS:-vtbs}
SIM_PORT=${SIM_PORT:-16961}
SIM_SUBNET=${SIM_SUBNET:-198.18.15.0/24}
SIMHOSTS=$HERE/../scripts/simhosts.sh
[ "$(id -u)" -eq 0 ] || die "must run as root"
case $REPS in '' | *[!0-9]* | 0) die "bad REPS: $REPS" ;; esac
case $HOSTS in '' | *[!0-9]* | 0 | 1) die "bad HOSTS: $HOSTS (2 or more)" ;; esac
case $PING_TRIES in '' | *[!0-9]* | 0) die "bad PING_TRIES: $PING_TRIES" ;; esac
case $VNETLAB in */*) ;; *) VNETLAB=./$VNETLAB ;; esac
[ -x "$VNETLAB" ] || die "$VNETLAB: not an executable"
# absolute: the simulated hosts run the same binary through their sshd
VNETLAB=$(cd "$(dirname "$VNETLAB")" && pwd)/$(basename "$VNETLAB")
[ -x "$SIMHOSTS" ] || die "$SIMHOSTS: not found"

sim() { VNETLAB_SIM_DIR=$SIM_DIR VNETLAB_SIM_LINKS=$SIM_LINKS VNETLAB_SIM_PORT=$SIM_PORT "$SIMHOSTS" "$@"; }
SIM_LIST=$(seq -f 'sim%g' -s, "$HOSTS")
HOSTS_SPEC=ssh:$SIM_LIST
[ "$VIA" = slurm ] && HOSTS_SPEC=slurm
JOB=

bench_files span
LAB=bs$$
RUNS=$WORK/runs.tsv # spec hosts rep up up_ping down ok self_up ping
: >"$RUNS"
CUR= # set while a lab of ours may be up
SIM_UP=

cleanup() {
	trap - EXIT INT TERM
	if [ -n "$CUR" ]; then
		timeout 300 "$VNETLAB" down "$LAB" >/dev/null 2>&1 ||
			warn "down $LAB at exit failed: the simulated hosts' down removes their parts"
	fi
	[ -n "$JOB" ] && scancel "$JOB" >/dev/null 2>&1
	# Taking the hosts down ends every process in them; their /run goes with them.
	if [ -n "$SIM_UP" ]; then
		sim down >"$WORK/sim.log" 2>&1 || warn "simhosts down failed: $(tail -n 3 "$WORK/sim.log")"
	fi
	[ -e "/run/vnetlab/$LAB" ] && warn "/run/vnetlab/$LAB is left (vnetlab clean removes it)"
	[ -e "/run/vnetlab/.span/$LAB.json" ] && warn "/run/vnetlab/.span/$LAB.json is left"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
jnum() { if [ -z "$1" ] || [ "$1" = - ]; then echo null; else echo "$1"; fi; }
# a number field of up's --json output (flat enough for sed)
json_num() { sed -n "s/.*\"$1\":\([0-9.eE+-]*\).*/\1/p" "$2" | head -n 1; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# What is left of lab $LAB (netns prefix vl$1 if the id is known), one
# line each: on this machine, and anything at all on the simulated hosts.
leftovers() {
	local id=$1 n
	[ -e "/run/vnetlab/$LAB" ] && echo "machine: /run/vnetlab/$LAB"
	[ -e "/run/vnetlab/.span/$LAB.json" ] && echo "machine: /run/vnetlab/.span/$LAB.json"
	[ -n "$id" ] && netns_list | grep "^vl${id}[.-]" | head -n 3 | sed 's/^/machine: netns /'
	ls -d /sys/fs/cgroup/*/vnetlab/"$LAB" 2>/dev/null | sed 's/^/machine: cgroup /'
	for n in $(seq "$HOSTS"); do
		sim exec "sim$n" sh -c 'ls -A /run/netns 2>/dev/null | sed "s/^/netns /"
			ls -A /run/vnetlab 2>/dev/null | sed "s/^/run\/vnetlab\//"
			ip -o link | grep -v -e " lo:" -e " eth0@" | cut -d" " -f2 | sed "s/^/link /"
			ls -d /sys/fs/cgroup/*/vnetlab/* 2>/dev/null | sed "s/^/cgroup /"' 2>&1 |
			head -n 3 | sed "s/^/sim$n: /"
	done
}

# run SPEC K REP: one up (on this machine alone if K = 1, else over the K
# simulated hosts), a ping from FIRST to LAST, one down, a check that nothing
# is left, settle; appends to $RUNS and $OUT.
run() {
	local spec=$1 k=$2 rep=$3
	local t0 t1 t2 t3 t4 up_s up_ping_s="" ping_s="" down_s="" self="" id="" cut="" mtu=""
	local tries=0 ok=1 err="" left pre post settle settled resid parts=""
	local args=(up --topo "$spec" --name "$LAB" --json)
	[ "$k" -gt 1 ] && args+=(--hosts "$HOSTS_SPEC")

	say "$spec over $k host(s) ($rep/$REPS): up"
	pre=$(mem_snap)
	CUR=$LAB
	t0=$(now_ns)
	timeout "$CMD_TIMEOUT" "$VNETLAB" "${args[@]}" >"$WORK/up.json" 2>"$WORK/up.err" || ok=0
	t1=$(now_ns)
	post=$(mem_snap)
	up_s=$(ns_to_s "$t0" "$t1")
	self=$(json_num seconds "$WORK/up.json")
	[ -n "$self" ] && self=$(printf '%.3f' "$self")
	id=$(sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p' "$WORK/up.json" | head -n 1)
	cut=$(json_num cut "$WORK/up.json")
	mtu=$(json_num mtu "$WORK/up.json")
	parts=$(grep -o '"name":"[^"]*","addr":"[^"]*","nodes":[0-9]*' "$WORK/up.json" |
		sed 's/"name":"\([^"]*\)".*"nodes":\([0-9]*\)/"\1":\2/' | paste -sd, -)
	if [ "$ok" = 0 ]; then
		err="up failed: $(tail -n 2 "$WORK/up.err" | tr '\n\t"\\' '    ')"
	else
		say "$spec over $k host(s) ($rep/$REPS): ping $FIRST -> $LAST"
		while [ "$tries" -lt "$PING_TRIES" ]; do
			tries=$((tries + 1))
			if timeout 30 "$VNETLAB" exec "$LAB" "$FIRST" -- ping -c1 -W1 -q "$LAST" >"$WORK/ping" 2>&1; then
				t2=$(now_ns)
				up_ping_s=$(ns_to_s "$t0" "$t2")
				ping_s=$(ns_to_s "$t1" "$t2")
				break
			fi
		done
		if [ -z "$ping_s" ]; then
			ok=0
			err="no ping from $FIRST to $LAST in $PING_TRIES tries: $(tail -n 1 "$WORK/ping" | tr '\n\t"\\' '    ')"
		fi
	fi

	say "$spec over $k host(s) ($rep/$REPS): down"
	t3=$(now_ns)
	timeout "$CMD_TIMEOUT" "$VNETLAB" down "$LAB" >"$WORK/down.log" 2>&1 ||
		{ ok=0; err="${err:+$err; }down failed: $(tail -n 1 "$WORK/down.log" | tr '\n\t"\\' '    ')"; }
	t4=$(now_ns)
	down_s=$(ns_to_s "$t3" "$t4")
	left=$(leftovers "$id")
	if [ -n "$left" ]; then
		ok=0
		err="${err:+$err; }left after down: $(echo "$left" | head -n 5 | paste -sd, -)"
		echo "$left" >>"$WORK/left"
	else
		CUR=
	fi

	say "$spec over $k host(s) ($rep/$REPS): settle"
	# The simulated hosts share this kernel: /proc/meminfo sees their parts too.
	: >"$WORK/nonames"
	read -r settle settled resid < <(wait_settle "$WORK/nonames" "$(mem_unrecl "$pre")" \
		$(($(mem_unrecl "$post") - $(mem_unrecl "$pre"))) "$SETTLE_TIMEOUT")
	[ "$settled" = 1 ] || warn "$spec over $k: kernel memory not back within ${SETTLE_TIMEOUT}s (residual $resid kB)"

	{
		printf '{"type":"run","date":"%s","kernel":"%s","cpus":%s,"load1":%s,"spec":"%s","nodes":%s,"hosts":%s,"rep":%s,' \
			"$(date -Iseconds)" "$(uname -r)" "$(nproc)" "$(loadavg)" "$spec" "$NODES" "$k" "$rep"
		printf '"ok":%s,"up_s":%s,"up_self_s":%s,"ping_s":%s,"ping_tries":%s,"up_ping_s":%s,"down_s":%s,' \
			"$([ $ok = 1 ] && echo true || echo false)" "$up_s" "$(jnum "$self")" "$(jnum "$ping_s")" "$tries" \
			"$(jnum "$up_ping_s")" "$(jnum "$down_s")"
		printf '"settle_s":%s,"settled":%s,"settle_residual_kb":%s,"first":"%s","last":"%s"' \
			"$settle" "$([ "$settled" = 1 ] && echo true || echo false)" "$resid" "$FIRST" "$LAST"
		[ -n "$cut" ] && printf ',"cut":%s' "$cut"
		[ -n "$mtu" ] && printf ',"mtu":%s' "$mtu"
		[ -n "$parts" ] && printf ',"nodes_per_host":{%s}' "$parts"
		[ -n "$err" ] && printf ',"error":%s' "$(json_str "$err")"
		printf '}\n'
	} >>"$OUT"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$spec" "$k" "$rep" "$up_s" "${up_ping_s:--}" \
		"$down_s" "$ok" "${self:--}" "${ping_s:--}" >>"$RUNS"
	[ "$ok" = 1 ] || warn "$spec over $k host(s), run $rep: failed: $err"
	# Something left behind would slow every later run: stop here.
	[ -z "$left" ] || die "stopping: $LAB is not gone after down"
	[ "$DROP_CACHES" = 1 ] && echo 2 >/proc/sys/vm/drop_caches
	return 0
}

LOAD0=$(loadavg)
say "simulated hosts: $HOSTS under $SIM_DIR"
sim up "$HOSTS" --subnet "$SIM_SUBNET" >"$WORK/sim.log" 2>&1 ||
	die "simhosts up $HOSTS failed: $(tail -n 3 "$WORK/sim.log")"
SIM_UP=1
export VNETLAB_SSH_CONFIG=$SIM_DIR/ssh/config
if [ "$VIA" = slurm ]; then
	# one allocation of every simulated host for all the runs, as a batch
	# script's would be
	export SLURM_CONF=$SIM_DIR/slurm/slurm.conf
	JOB=$(salloc -N "$HOSTS" --no-shell 2>&1 | sed -n 's/.*Granted job allocation \([0-9]*\).*/\1/p')
	[ -n "$JOB" ] || die "salloc -N $HOSTS --no-shell: no allocation"
	export SLURM_JOB_ID=$JOB
	SLURM_JOB_NODELIST=$(squeue -h -j "$JOB" -o %N)
	export SLURM_JOB_NODELIST
fi

# One ssh round trip to a simulated host (a fresh connection: what each
# command to a host pays unless vnetlab shares one), median of 3.
for _ in 1 2 3; do
	t0=$(now_ns)
	ssh -F "$VNETLAB_SSH_CONFIG" sim1 true || die "ssh sim1 failed"
	ns_to_s "$t0" "$(now_ns)"
	echo
done >"$WORK/ssh"
SSH_S=$(median <"$WORK/ssh")
printf '{"type":"ssh","date":"%s","cpus":%s,"load1":%s,"ssh_true_s":%s}\n' \
	"$(date -Iseconds)" "$(nproc)" "$LOAD0" "$SSH_S" >>"$OUT"

[ "$DROP_CACHES" = 1 ] && echo 2 >/proc/sys/vm/drop_caches
for spec in $SPECS; do
	"$VNETLAB" plan --topo "$spec" --id 0001 >"$WORK/plan" 2>"$WORK/err" ||
		die "plan --topo $spec: $(head -n 1 "$WORK/err")"
	"$VNETLAB" plan --topo "$spec" --id 0001 --hosts "$HOSTS" >"$WORK/place" 2>"$WORK/err" ||
		die "plan --topo $spec --hosts $HOSTS: $(head -n 1 "$WORK/err")"
	# the first and the last host (end node) of the lab, and where they go
	FIRST=$(awk '/^node / { print $2; exit }' "$WORK/plan")
	LAST=$(awk '/^node / { n = $2 } END { print n }' "$WORK/plan")
	NODES=$(grep -c '^node ' "$WORK/place")
	where=$(awk -v f="$FIRST" -v l="$LAST" '$1 == "node" && ($2 == f || $2 == l) { printf "%s on host %s; ", $2, $4 }' "$WORK/place")
	echo "$spec $NODES $(awk '/^cut / { print $2 }' "$WORK/place") ${where%; }" >>"$WORK/shape"
	for rep in $(seq "$REPS"); do
		run "$spec" 1 "$rep"
		run "$spec" "$HOSTS" "$rep"
	done
done
LOAD1=$(loadavg)

# medians over the ok runs of one (spec, hosts); column: 4 up, 5 up+ping, 6 down, 8 self, 9 ping
med() { awk -F'\t' -v s="$1" -v k="$2" -v c="$3" '$1 == s && $2 == k && $7 == 1 { print $c }' "$RUNS" | median; }
cnt() { awk -F'\t' -v s="$1" -v k="$2" '$1 == s && $2 == k && $7 == 1' "$RUNS" | wc -l; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

echo "vnetlab up over $HOSTS simulated hosts (--hosts $HOSTS_SPEC) beside up on this machine alone;"
echo "$(nproc) CPUs, kernel $(uname -r); medians of $REPS runs each (alternating), wall seconds"
echo "up: the command; up+ping: from its start until $FIRST pings $LAST (vnetlab exec); down: the command."
echo "The $HOSTS simulated hosts share this machine's $(nproc) CPUs and kernel: the $HOSTS-host figures"
echo "include building $HOSTS parts on the same CPUs, plus ssh (a fresh connection here: ${SSH_S} s)."
echo "Load average (1 min) at start $LOAD0, at end $LOAD1 (other work on the machine counts)."
echo
printf '%-12s %5s | %7s %7s %6s | %10s %10s %6s | %7s %7s %6s\n' SPEC nodes \
	up_1h "up_${HOSTS}h" x "up+ping_1h" "up+ping_${HOSTS}h" x down_1h "down_${HOSTS}h" x
verdict=
while read -r spec nodes cut where; do
	u1=$(med "$spec" 1 4) u3=$(med "$spec" "$HOSTS" 4)
	p1=$(med "$spec" 1 5) p3=$(med "$spec" "$HOSTS" 5)
	d1=$(med "$spec" 1 6) d3=$(med "$spec" "$HOSTS" 6)
	ru=$(ratio "$u3" "$u1") rp=$(ratio "$p3" "$p1") rd=$(ratio "$d3" "$d1")
	printf '%-12s %5s | %7s %7s %6s | %10s %10s %6s | %7s %7s %6s\n' "$spec" "$nodes" \
		"$u1" "$u3" "$ru" "$p1" "$p3" "$rp" "$d1" "$d3" "$rd"
	s1=$(med "$spec" 1 8) s3=$(med "$spec" "$HOSTS" 8)
	g1=$(med "$spec" 1 9) g3=$(med "$spec" "$HOSTS" 9)
	printf '%-12s %5s   runs ok %s/%s; up as vnetlab times itself %s / %s s; ping %s / %s s; cut %s; %s\n' \
		"" "" "$(cnt "$spec" 1)" "$(cnt "$spec" "$HOSTS")" "$s1" "$s3" "$g1" "$g3" "$cut" "$where"
	printf '{"type":"summary","spec":"%s","nodes":%s,"hosts":%s,"runs":%s,"runs_ok_1":%s,"runs_ok_n":%s,' \
		"$spec" "$nodes" "$HOSTS" "$REPS" "$(cnt "$spec" 1)" "$(cnt "$spec" "$HOSTS")" >>"$OUT"
	printf '"up_s_1":%s,"up_s_n":%s,"up_x":%s,"up_ping_s_1":%s,"up_ping_s_n":%s,"up_ping_x":%s,' \
		"$(jnum "$u1")" "$(jnum "$u3")" "$(jnum "$ru")" "$(jnum "$p1")" "$(jnum "$p3")" "$(jnum "$rp")" >>"$OUT"
	printf '"down_s_1":%s,"down_s_n":%s,"down_x":%s,"up_self_s_1":%s,"up_self_s_n":%s,"ping_s_1":%s,"ping_s_n":%s,"cut":%s,"ssh_true_s":%s}\n' \
		"$(jnum "$d1")" "$(jnum "$d3")" "$(jnum "$rd")" "$(jnum "$s1")" "$(jnum "$s3")" \
		"$(jnum "$g1")" "$(jnum "$g3")" "$(jnum "$cut")" "$SSH_S" >>"$OUT"
	verdict="$verdict $spec: $(awk -v r="$rp" 'BEGIN { if (r == "-") print "no figure"; else if (r <= 2) print "met"; else print "not met" }') (x$rp);"
done <"$WORK/shape"
echo
echo "issue 29's target, up and pinging over $HOSTS hosts in <= 2x one host:${verdict%;}"
if awk -F'\t' '$7 != 1' "$RUNS" | grep -q .; then
	echo "failed runs (not in the medians): $(awk -F'\t' '$7 != 1 { printf "%s over %s host(s) run %s; ", $1, $2, $3 }' "$RUNS")"
fi
echo
echo "raw: $OUT"
[ -s "$WORK/left" ] && exit 1
exit 0
