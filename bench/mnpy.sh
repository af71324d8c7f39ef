#!/usr/bin/env bash
# mnpy.sh VNETLAB  —  the same Mininet Python scripts run by `vnetlab py`
# (vnetlab's mininet package, python/mininet) and by Debian's python3 with
# its real Mininet 2.3 (PYTHONPATH unset), in the same run, alternating.
# See bench/README.md.
#
#   tree:  TreeNet(depth=2, fanout=32, switch=LinuxBridge, controller=None)
#          (1,024 hosts, 33 bridges); start; h1 pings h1024 once; stop.
#          Timed whole (the python3 process), and inside it: build+start,
#          ping, stop.
#   start: Mininet(topo=SingleSwitchTopo(100), switch=LinuxBridge,
#          controller=None); start — timed from before Mininet(...) to after
#          net.start() (Mininet builds in the constructor, vnetlab's package
#          makes the lab at start); then h1 pings h100, pingAll and stop (not in the
#          figure, but a run counts only if both pass).
#
# Needs root. Installs Debian's mininet and bridge-utils if missing; runs
# `mn -c` after each Mininet run; puts back the host settings Mininet's
# fixLimits raises. Checks after every run that nothing is left: no
# namespace, /run/vnetlab entry or bridge that was not there before.
#
# Environment:
#   REPS=3          runs per script and tool
#   TESTS="tree start"  which scripts
#   OUT=FILE        JSON lines (default bench/results/mnpy-<date>.jsonl)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

[ $# -eq 1 ] || { echo "usage: ${0##*/} VNETLAB" >&2; exit 2; }
VNETLAB=$1
case $VNETLAB in /*) ;; *) VNETLAB=$PWD/$VNETLAB ;; esac
REPS=${REPS:-3}
TESTS=${TESTS:-tree start}
case $REPS in '' | *[!0-9]* | 0) die "bad REPS: $REPS" ;; esac
[ -x "$VNETLAB" ] || die "$VNETLAB: not an executable"
[ "$(id -u)" -eq 0 ] || die "must run as root"
[ -x /usr/bin/python3 ] || die "no /usr/bin/python3"
if ! command -v mn >/dev/null || ! command -v brctl >/dev/null; then
	say "installing Debian's mininet and bridge-utils for the baseline"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		mininet bridge-utils >/dev/null 2>&1 || die "apt-get install mininet bridge-utils failed"
fi
# the baseline must really be Debian's Mininet, not ours
env -u PYTHONPATH /usr/bin/python3 -c 'import mininet, sys
sys.exit(hasattr(mininet, "Unsupported"))' 2>/dev/null ||
	die "/usr/bin/python3 does not import Debian's Mininet (PYTHONPATH unset)"

# the host settings Mininet raises (bench/lib.sh): kept, put back at the end
bench_files mnpy
mn_limits_keep "$WORK/sysctls"
put_back() { mn_limits_put_back "$WORK/sysctls"; }

# What must be as before at the end (and is checked after every run).
state() {
	{
		ip netns list 2>/dev/null | awk '{ print "netns " $1 }'
		ls -1A /run/vnetlab 2>/dev/null | sed 's|^|/run/vnetlab/|'
		ip -o link show type bridge 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print "bridge " $2 }'
	} | sort
}
state >"$WORK/state.before"
if [ -s "$WORK/state.before" ] || pgrep -f 'mininet:|vnetlab (up|down|py|mn|exec|shell)' >/dev/null; then
	warn "the machine is not quiet (labs, namespaces, bridges or vnetlab/Mininet processes of" \
		"others): figures will be noisy, and mn -c kills every Mininet shell and ping"
	sed 's/^/  | /' "$WORK/state.before" >&2
fi

# Our labs from these scripts are mn-PID-K, PID the python3 process's (vnetlab
# py execs it): only those of our own runs are ever taken down here.
: >"$WORK/pids"
down_leftovers() {
	local lab pid
	while read -r pid; do
		for lab in $(ls -1 /run/vnetlab 2>/dev/null | grep -E "^mn-$pid-[0-9]+\$"); do
			warn "taking down $lab, left by run pid $pid"
			"$VNETLAB" down "$lab" >/dev/null 2>&1 || warn "could not take down $lab"
		done
	done <"$WORK/pids"
}
cleanup() {
	[ -n "${CHILD:-}" ] && kill -TERM "$CHILD" 2>/dev/null && wait "$CHILD" 2>/dev/null
	down_leftovers
	[ -n "${RAN_MININET:-}" ] && mn -c >/dev/null 2>&1
	put_back
	state >"$WORK/state.after"
	if ! cmp -s "$WORK/state.before" "$WORK/state.after"; then
		warn "not as before at the end (< before, > after; others' labs count too):"
		diff "$WORK/state.before" "$WORK/state.after" | grep '^[<>]' >&2
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The scripts: the same file for both tools. Under vnetlab's package they
# also add up the time spent in the vnetlab program by subcommand (up,
# down: `vnetlab_up_s`...), which Debian's Mininet does not have.
cat >"$WORK/prof.py" <<'EOF'
import json, sys, time
T0 = time.monotonic()
PROF = {}
try:  # vnetlab's package only: time the vnetlab program's calls
    import mininet._lab  # noqa: F401
    from vnetlab import cli as _vcli
    _run = _vcli.run
    def _timed(args, *a, **kw):
        t = time.monotonic()
        try:
            return _run(args, *a, **kw)
        finally:
            k = "vnetlab_%s_s" % args[0]
            PROF[k] = round(PROF.get(k, 0) + time.monotonic() - t, 4)
    _vcli.run = _timed
    TOOL = "vnetlab"
except ImportError:
    TOOL = "mininet"
def done(**kw):
    kw.update(PROF)
    kw["tool"] = TOOL
    kw["script_s"] = round(time.monotonic() - T0, 4)
    print(json.dumps(kw), flush=True)
EOF
cat >"$WORK/tree.py" <<'EOF'
import time
t0 = time.monotonic()
import prof
from mininet.topolib import TreeNet
from mininet.nodelib import LinuxBridge
t1 = time.monotonic()
net = TreeNet(depth=2, fanout=32, switch=LinuxBridge, controller=None)
net.start()
t2 = time.monotonic()
h1, hN = net.hosts[0], net.hosts[-1]
assert len(net.hosts) == 1024 and hN.name == "h1024", "not 1,024 hosts"
out = h1.cmd("ping -c1 -W5", hN.IP())
t3 = time.monotonic()
ok = "1 received" in out
net.stop()
t4 = time.monotonic()
prof.done(ok=ok, import_s=round(t1 - t0, 4), build_start_s=round(t2 - t1, 4),
          ping_s=round(t3 - t2, 4), stop_s=round(t4 - t3, 4))
EOF
cat >"$WORK/start.py" <<'EOF'
import time
t0 = time.monotonic()
import prof
from mininet.net import Mininet
from mininet.topo import SingleSwitchTopo
from mininet.nodelib import LinuxBridge
t1 = time.monotonic()
net = Mininet(topo=SingleSwitchTopo(100), switch=LinuxBridge, controller=None)
net.start()
t2 = time.monotonic()
h1, hN = net.hosts[0], net.hosts[-1]
assert len(net.hosts) == 100 and hN.name == "h100", "not 100 hosts"
out = h1.cmd("ping -c1 -W5", hN.IP())
t3 = time.monotonic()
ok = "1 received" in out
loss = net.pingAll()
t3b = time.monotonic()
ok = ok and loss == 0
net.stop()
t4 = time.monotonic()
prof.done(ok=ok, import_s=round(t1 - t0, 4), start_s=round(t2 - t1, 4),
          ping_s=round(t3 - t2, 4), pingall_s=round(t3b - t3, 4), stop_s=round(t4 - t3b, 4))
EOF

RUNS=$WORK/runs.tsv # test tool rep wall_s ok
: >"$RUNS"

# new_since FILE: what `state` shows now and FILE did not.
new_since() { state | comm -13 "$1" -; }

# run TOOL TEST REP: one script; a JSON line to $OUT and a row to $RUNS.
run() {
	local tool=$1 test=$2 rep=$3 t0 t1 ok=1 rc=0 js err= left= mnleft= phases
	state >"$WORK/state.run"
	t0=$(now_ns)
	if [ "$tool" = vnetlab ]; then
		(cd "$WORK" && exec env -u PYTHONPATH VNETLAB_TIMING=1 "$VNETLAB" py "$WORK/$test.py") \
			>"$WORK/out" 2>"$WORK/err" &
	else
		(cd "$WORK" && exec env -u PYTHONPATH /usr/bin/python3 "$WORK/$test.py") \
			>"$WORK/out" 2>"$WORK/err" &
	fi
	CHILD=$!
	echo "$CHILD" >>"$WORK/pids"
	wait "$CHILD" || rc=$?
	t1=$(now_ns)
	CHILD=
	js=$(tail -n 1 "$WORK/out")
	case $js in '{'*'"ok": true'*'}') ;; *) ok=0 ;; esac
	case $js in '{'*'}') ;; *) js='{}' ;; esac
	[ "$rc" -eq 0 ] || { ok=0; err="exit status $rc"; }
	[ "$ok" = 1 ] || [ -n "$err" ] || err="no success line (ping or net.stop() failed)"
	if [ "$tool" = mininet ]; then
		# what Mininet's own stop() left, then mn -c as Mininet asks
		mnleft=$(new_since "$WORK/state.run" | paste -sd' ' -)
		RAN_MININET=1
		mn -c >/dev/null 2>&1
	fi
	left=$(new_since "$WORK/state.run" | paste -sd' ' -)
	if [ -n "$left" ]; then
		ok=0; err="${err:+$err; }left behind: $left"
		down_leftovers
	fi
	if [ "$ok" != 1 ]; then
		warn "$test $tool run $rep failed: $err"
		tail -n 5 "$WORK/err" | sed 's/^/  | /' >&2
	fi
	# vnetlab's phases (VNETLAB_TIMING=1: up's, summed by name)
	phases=$(sed -n 's/^vnetlab: timing: //p' "$WORK/err" | awk '
		{ v = $(NF - 1); $NF = ""; $(NF - 1) = ""; sub(/ +$/, ""); gsub(/[ -]/, "_"); t[$0] += v; if (!($0 in o)) o[$0] = ++n; k[n] = $0 }
		END { for (i = 1; i <= n; i++) printf "%s\"%s\":%.3f", (i > 1 ? "," : ""), k[i], t[k[i]] }')
	printf '%s\t%s\t%s\t%s\t%s\n' "$test" "$tool" "$rep" "$(ns_to_s "$t0" "$t1")" "$ok" >>"$RUNS"
	printf '{"type":"run","date":"%s","test":"%s","tool":"%s","rep":%s,"wall_s":%s,"ok":%s,"load1":%s,"script":%s,"up_phases":{%s}%s%s}\n' \
		"$(date -Iseconds)" "$test" "$tool" "$rep" "$(ns_to_s "$t0" "$t1")" \
		"$([ "$ok" = 1 ] && echo true || echo false)" "$(cut -d' ' -f1 /proc/loadavg)" \
		"$js" "$phases" "${mnleft:+,\"left_before_mn_c\":\"$mnleft\"}" \
		"${err:+,\"error\":\"$(printf '%s' "$err" | tr -d '"\\')\"}" >>"$OUT"
}

for test in $TESTS; do
	case $test in tree | start) ;; *) die "unknown test: $test" ;; esac
	for rep in $(seq 1 "$REPS"); do
		# alternate which tool goes first
		if [ $((rep % 2)) = 1 ]; then order="vnetlab mininet"; else order="mininet vnetlab"; fi
		for tool in $order; do
			say "$test $tool ($rep/$REPS)"
			run "$tool" "$test" "$rep"
		done
	done
done

# median of the wall time (field wall) or of a field of the script's JSON, ok runs
med() {
	if [ "$3" = wall ]; then
		awk -F'\t' -v t="$1" -v k="$2" '$1 == t && $2 == k && $5 == 1 { print $4 }' "$RUNS"
	else
		grep -F "\"type\":\"run\"" "$OUT" | grep -F "\"test\":\"$1\"" | grep -F "\"tool\":\"$2\"" |
			grep -F '"ok":true' | sed -n "s/.*\"$3\": *\([0-9.e-]*\).*/\1/p"
	fi | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf (a / b >= 10 ? "%.1f" : "%.2f"), a / b }'; }
nok() { awk -F'\t' -v t="$1" -v k="$2" '$1 == t && $2 == k && $5 == 1' "$RUNS" | wc -l; }
echo "Mininet Python scripts: vnetlab py (python/mininet) against Mininet $(mn --version 2>&1 | tail -n 1) (Debian's, /usr/bin/python3; LinuxBridge, no controller)"
echo "$(nproc) CPUs, kernel $(uname -r); medians of $REPS runs each (alternating), seconds"
printf '%-46s %9s %9s %7s\n' "" vnetlab mininet "mn/vl"
for test in $TESTS; do
	if [ "$test" = tree ]; then
		echo "tree: TreeNet(depth=2, fanout=32), 1,024 hosts ($(nok tree vnetlab) + $(nok tree mininet) runs ok)"
		rows="wall|whole script (python3 process)
import_s|  imports
build_start_s|  TreeNet(...) + net.start()
ping_s|  h1 pings h1024 (cmd)
stop_s|  net.stop()"
	else
		echo "start: SingleSwitchTopo(100), 100 hosts ($(nok start vnetlab) + $(nok start mininet) runs ok)"
		rows="start_s|Mininet(...) + net.start()
wall|whole script (python3 process)
ping_s|  h1 pings h100 (cmd)
pingall_s|  net.pingAll() (9,900 pings, 0 % lost)
stop_s|  net.stop()"
	fi
	sumj=
	while IFS='|' read -r f label; do
		v=$(med "$test" vnetlab "$f") m=$(med "$test" mininet "$f")
		printf '  %-44s %9s %9s %7s\n' "$label" "$v" "$m" "$(ratio "$m" "$v")"
		[ "$v" = - ] && v=null
		[ "$m" = - ] && m=null
		sumj="$sumj,\"${f%_s}_vnetlab_s\":$v,\"${f%_s}_mininet_s\":$m"
	done <<<"$rows"
	up=$(med "$test" vnetlab vnetlab_up_s) down=$(med "$test" vnetlab vnetlab_down_s)
	printf '  %-44s %9s\n' "vnetlab's: in the vnetlab up process" "$up"
	printf '  %-44s %9s\n' "vnetlab's: in the vnetlab down process" "$down"
	[ "$up" = - ] && up=null
	[ "$down" = - ] && down=null
	printf '{"type":"summary","test":"%s","reps":%s,"ok_vnetlab":%s,"ok_mininet":%s%s,"vnetlab_up_s":%s,"vnetlab_down_s":%s}\n' \
		"$test" "$REPS" "$(nok "$test" vnetlab)" "$(nok "$test" mininet)" "$sumj" "$up" "$down" >>"$OUT"
done
if awk -F'\t' '$5 != 1' "$RUNS" | grep -q .; then
	echo "failed runs (not in the medians): $(awk -F'\t' '$5 != 1 { printf "%s %s run %s; ", $1, $2, $3 }' "$RUNS")"
fi
echo "raw: $OUT"
