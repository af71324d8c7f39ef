# Node resources and accounting (cgroups v1 and v2), the proc backend,
# pid namespaces and rootfs overlays.

# cpu_usec of a node, from `vnetlab stats --json`.
node_cpu_usec() { "$VNETLAB" stats "$1" --json | jq -r --arg n "$2" '.nodes[] | select(.name == $n) | .cgroup.cpu_usec // empty'; }
now() { date +%s.%N; }

# Bring a lab up with cgroup version $1, or skip saying why it cannot be.
up_with_cgroup() {
	local v=$1
	shift
	local out
	if ! out=$(VNETLAB_CGROUP=$v "$VNETLAB" up -q "$@" 2>&1); then
		case $out in
		*cgroup* | *controller*) skip "cgroup $v: ${out#vnetlab: }" ;;
		*) fail "up: $out" ;;
		esac
	fi
}

cpu_limit_holds() {
	up_with_cgroup "$1" --topo single,1 --name vt-cpu --cpus 0.5
	"$VNETLAB" exec -d vt-cpu h1 -- sh -c 'while :; do :; done' >/dev/null
	sleep 0.5
	c0=$(node_cpu_usec vt-cpu h1); t0=$(now)
	sleep 3
	c1=$(node_cpu_usec vt-cpu h1); t1=$(now)
	share=$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" 'BEGIN{printf "%.3f", (b-a)/1e6/(e-s)}')
	echo "cgroup $1: cpus 0.5 -> $share CPU"
	awk -v x="$share" 'BEGIN{exit !(x >= 0.45 && x <= 0.55)}' || fail "cpus 0.5 gave $share CPU"
	throttled=$("$VNETLAB" stats vt-cpu --json | jq '.nodes[0].cgroup.nr_throttled // 0')
	[ "$throttled" -gt 0 ] || fail "no throttling counted"
	vl down vt-cpu
}
test_cpu_limit_v1() { cpu_limit_holds v1; }
test_cpu_limit_v2() { cpu_limit_holds v2; }

weights_split() {
	local cg=$1 f
	f=$(mktemp --suffix=.yml)
	cat >"$f" <<YML
name: vt-weight
topology:
  defaults: { cpuset: "0" }
  nodes:
    light: { cpu-weight: 100 }
    heavy: { cpu-weight: 300 }
YML
	up_with_cgroup "$cg" -f "$f"
	rm -f "$f"
	for n in light heavy; do
		"$VNETLAB" exec -d vt-weight $n -- sh -c 'while :; do :; done' >/dev/null
	done
	sleep 0.5
	l0=$(node_cpu_usec vt-weight light); h0=$(node_cpu_usec vt-weight heavy)
	sleep 3
	l1=$(node_cpu_usec vt-weight light); h1=$(node_cpu_usec vt-weight heavy)
	share=$(awk -v a="$l0" -v b="$l1" -v c="$h0" -v d="$h1" 'BEGIN{printf "%.3f", (d-c)/((b-a)+(d-c))}')
	echo "cgroup $cg: weights 1:3 on one CPU -> heavy share $share"
	awk -v x="$share" 'BEGIN{exit !(x >= 0.68 && x <= 0.82)}' || fail "weights 1:3 gave share $share"
	vl down vt-weight
}
test_cpu_weights_v1() { weights_split v1; }
test_cpu_weights_v2() { weights_split v2; }

memory_limit_kills_inside() {
	local cg=$1 f
	f=$(mktemp --suffix=.yml)
	cat >"$f" <<YML
name: vt-mem
topology:
  nodes:
    hog: { memory: 64MiB }
    calm: {}
YML
	# calm has no limit: its memory is measured only when asked
	up_with_cgroup "$cg" -f "$f" --accounting memory
	rm -f "$f"
	out=$("$VNETLAB" exec -d vt-mem calm -- sleep 60)
	calm=$(echo "$out" | sed -n 's/.*pid \([0-9]*\),.*/\1/p')
	# tail keeps a 200 MiB "line" of zeros in memory
	"$VNETLAB" exec vt-mem hog -- sh -c 'head -c 209715200 /dev/zero | tail >/dev/null'
	rc=$?
	[ $rc -eq 137 ] || [ $rc -eq 1 ] || fail "the allocation was not killed (exit $rc)"
	kills=$("$VNETLAB" stats vt-mem --json | jq '.nodes[] | select(.name == "hog") | .cgroup.oom_kills')
	echo "cgroup $cg: exit $rc, oom_kills $kills"
	[ "${kills:-0}" -ge 1 ] || fail "no OOM kill recorded: $kills"
	calm_kills=$("$VNETLAB" stats vt-mem --json | jq '.nodes[] | select(.name == "calm") | .cgroup.oom_kills')
	expect_eq "$calm_kills" 0 "OOM kills in the other node"
	alive "$calm" || fail "the other node's process died"
	vl down vt-mem
}
test_memory_limit_v1() { memory_limit_kills_inside v1; }
test_memory_limit_v2() { memory_limit_kills_inside v2; }

# CPU time is always measured; memory and tasks only with a limit or
# --accounting (a memory cgroup per node is the dearest part of a node).
accounting_as_asked() {
	local cg=$1 st
	up_with_cgroup "$cg" --topo single,2 --name vt-accnt --pids 50
	"$VNETLAB" exec vt-accnt h1 -- sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'
	st=$("$VNETLAB" stats vt-accnt --json)
	echo "$st" | jq -e '.nodes[0].cgroup.cpu_usec > 0' >/dev/null || fail "no CPU time: $st"
	echo "$st" | jq -e 'all(.nodes[]; .cgroup.memory_bytes == null and .cgroup.pids != null)' \
		>/dev/null || fail "memory measured without being asked, or tasks not with a pids limit: $st"
	"$VNETLAB" stats vt-accnt | grep -q 'MEM not measured: up --accounting all' ||
		fail "stats does not say what is not measured: $("$VNETLAB" stats vt-accnt | tail -n 2)"
	vl down vt-accnt
	up_with_cgroup "$cg" --topo single,2 --name vt-accnt --accounting all
	"$VNETLAB" exec -d vt-accnt h2 -- sleep 30 >/dev/null
	st=$("$VNETLAB" stats vt-accnt --json)
	echo "$st" | jq -e 'all(.nodes[]; .cgroup.memory_bytes != null and .cgroup.pids != null)' \
		>/dev/null || fail "--accounting all: memory or tasks not measured: $st"
	echo "$st" | jq -e '.nodes[] | select(.name == "h2") | .cgroup.pids >= 1' >/dev/null ||
		fail "h2's sleep not counted: $st"
	"$VNETLAB" stats vt-accnt | grep -q 'not measured' && fail "stats says something is not measured"
	vl down vt-accnt
	out=$("$VNETLAB" up --topo single,1 --name vt-accnt --accounting cpu,disk 2>&1) &&
		fail "--accounting cpu,disk accepted"
	case $out in *"--accounting takes a list of cpu, memory and tasks"*) ;; *) fail "refusal: $out" ;; esac
	[ -e /run/vnetlab/vt-accnt ] && fail "a refused up left a lab"
	return 0
}
test_accounting_as_asked_v1() { accounting_as_asked v1; }
test_accounting_as_asked_v2() { accounting_as_asked v2; }

accounting_matches_rusage() {
	up_with_cgroup "$1" --topo single,1 --name vt-acct
	# bash's `times`: user and system time of the shell itself
	out=$("$VNETLAB" exec vt-acct h1 -- bash -c 'i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done; times' | head -n1)
	self=$(echo "$out" | awk '{ split($1, u, "m"); split($2, s, "m"); printf "%.3f", u[1]*60 + u[2] + s[1]*60 + s[2] }')
	cg=$(node_cpu_usec vt-acct h1)
	cgs=$(awk -v c="$cg" 'BEGIN{printf "%.3f", c/1e6}')
	echo "cgroup $1: getrusage $self s, cgroup $cgs s"
	awk -v a="$self" -v b="$cgs" 'BEGIN{d = a - b; if (d < 0) d = -d; exit !(a > 0.5 && d <= 0.05 * a + 0.02)}' ||
		fail "cgroup says $cgs s, the command itself $self s"
	vl down vt-acct
}
test_accounting_v1() { accounting_matches_rusage v1; }
test_accounting_v2() { accounting_matches_rusage v2; }

test_study_profile() {
	vl up --topo single,2 --name vt-prof --profile study -q
	"$VNETLAB" status vt-prof --json | jq -e '.nodes[0].limits | .cpus == 1 and .memory == 67108864' >/dev/null ||
		fail "the study profile is not 1 CPU, 64 MiB"
	vl down vt-prof
}

test_proc_backend_runs_the_same_lab() {
	vl up --topo tree,2,2 --name vt-proc --backend proc -q
	addr=$("$VNETLAB" exec vt-proc h1 -- getent hosts h4 | awk '{print $1}')
	case $addr in 127.*) ;; *) fail "h4 resolves to [$addr], not a loopback address" ;; esac
	# same network namespace as the host
	[ "$("$VNETLAB" exec vt-proc h2 -- readlink /proc/self/ns/net)" = "$(readlink /proc/self/ns/net)" ] ||
		fail "a proc node is not in the host's network namespace"
	"$VNETLAB" exec -d vt-proc h4 -- iperf -s -B h4 -p 5299 >/dev/null
	sleep 0.5
	"$VNETLAB" exec vt-proc h1 -- iperf -c h4 -p 5299 -t 1 >/dev/null || fail "h1 cannot reach h4's server"
	"$VNETLAB" status vt-proc | grep -q 'iperf\[' || fail "status does not show the server"
	cpu=$(node_cpu_usec vt-proc h1)
	[ "${cpu:-0}" -gt 0 ] || fail "no CPU accounted to h1"
	vl down vt-proc
	pgrep -f 'iperf -s -B 127' >/dev/null && fail "down left the server running"
	true
}

test_pid_namespace_init_reaps() {
	f=$(mktemp --suffix=.yml)
	printf 'name: vt-pid\ntopology:\n  nodes:\n    a: { pid-namespace: true }\n' >"$f"
	vl up -f "$f" -q
	rm -f "$f"
	expect_eq "$("$VNETLAB" exec vt-pid a -- cat /proc/1/comm)" vnetlab-init "pid 1 of the node"
	expect_eq "$("$VNETLAB" exec vt-pid a -- ps -eo comm= | tr '\n' ' ')" "vnetlab-init ps " "processes the node sees"
	# an orphan is reaped by the node's init
	"$VNETLAB" exec vt-pid a -- sh -c 'sleep 0.2 & exit 0'
	sleep 0.6
	z=$("$VNETLAB" exec vt-pid a -- ps -eo stat= | grep -c '^Z' || true)
	expect_eq "$z" 0 "zombies in the node"
	"$VNETLAB" exec vt-pid a -- sh -c 'exit 5'
	expect_eq $? 5 "exit status through the pid namespace"
	vl down vt-pid
}

test_rootfs_overlay_is_private() {
	command -v busybox >/dev/null || skip "busybox is not installed (busybox-static)"
	R=$(mktemp -d)
	mkdir -p "$R/bin" "$R/etc"
	cp "$(command -v busybox)" "$R/bin/"
	for c in sh cat ls echo; do ln -s busybox "$R/bin/$c"; done
	echo base >"$R/base-marker"
	f=$(mktemp --suffix=.yml)
	printf 'name: vt-root\ntopology:\n  defaults: { rootfs: %s }\n  nodes:\n    a: {}\n    b: { pid-namespace: true }\n' "$R" >"$f"
	vl up -f "$f" -q
	rm -f "$f"
	expect_eq "$("$VNETLAB" exec vt-root a -- /bin/cat /base-marker)" base "the base image"
	"$VNETLAB" exec vt-root a -- /bin/sh -c 'echo mine > /a-marker' || fail "a cannot write its /"
	"$VNETLAB" exec vt-root b -- /bin/cat /a-marker 2>/dev/null && fail "b sees a's file"
	[ -e "$R/a-marker" ] && fail "a's write reached the base image"
	"$VNETLAB" exec vt-root b -- /bin/cat /etc/hosts | grep -q "# vnetlab lab vt-root" || fail "b's /etc/hosts"
	expect_eq "$("$VNETLAB" exec vt-root b -- /bin/cat /proc/1/comm)" vnetlab-init "b's init"
	vl down vt-root
	rm -rf "$R"
}
