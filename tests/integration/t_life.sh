# Life cycle: failures undo everything, crashes are cleaned, labs coexist.

test_failure_at_every_step_leaves_nothing() {
	# VNETLAB_FAIL_AT=k makes up fail at its k-th journalled step; every k
	# must leave the host as it was. Stop at the first k beyond the last step.
	for k in $(seq 1 40); do
		out=$(VNETLAB_FAIL_AT=$k "$VNETLAB" up -f tests/integration/routed.clab.yml --name vt-fail -q 2>&1)
		rc=$?
		if [ $rc -eq 0 ]; then
			[ $k -gt 5 ] || fail "up succeeded at step $k already"
			vl down vt-fail
			return 0
		fi
		echo "$out" | grep -q "injected failure at step $k" || fail "k=$k: $out"
		[ -e /run/vnetlab/vt-fail ] && fail "k=$k: state directory left"
		left=$(ip netns | grep -c '^vl' || true)
		[ "$left" = 0 ] || fail "k=$k: $left namespaces left"
	done
	fail "up never succeeded within 40 steps"
}

test_kill9_during_up_then_clean() {
	"$VNETLAB" up --topo single,400 --name vt-crash -q &
	pid=$!
	# wait until it is half-way: some node namespaces exist
	for _ in $(seq 1 200); do
		n=$(ls /run/netns 2>/dev/null | grep -c -- '-h' || true)
		[ "$n" -ge 20 ] && break
		sleep 0.02
	done
	kill -9 $pid
	wait $pid 2>/dev/null
	sleep 0.2
	[ -e /run/vnetlab/vt-crash/state.json ] && skip "up finished before it could be killed"
	"$VNETLAB" status | grep -q 'vt-crash.*incomplete' || fail "status does not show the crashed lab"
	out=$("$VNETLAB" clean) || fail "clean failed: $out"
	echo "$out" | grep -q 'vt-crash' || fail "clean did not mention the lab: $out"
	[ -e /run/vnetlab/vt-crash ] && fail "lab directory left"
	left=$(ip netns | grep -c '^vl' || true)
	expect_eq "$left" 0 "namespaces left after clean"
	expect_eq "$("$VNETLAB" clean)" "nothing to clean" "second clean"
}

test_clean_removes_orphan_namespaces_only() {
	vl up --topo single,2 --name vt-keep -q
	# a namespace tagged as ours with no lab (its lab directory was lost)
	ip netns add vlfffe-h1
	ip netns add not-ours-vt
	out=$("$VNETLAB" clean)
	echo "$out" | grep -q 'vlfffe-h1' || fail "orphan not removed: $out"
	ip netns | grep -q '^vlfffe-h1' && fail "orphan still there"
	ip netns | grep -q '^not-ours-vt' || fail "clean removed a namespace that is not ours"
	ip netns del not-ours-vt
	can_ping vt-keep h1 h2 || fail "clean broke a lab that is up"
	vl down vt-keep
}

test_two_labs_at_once() {
	vl up --topo single,3 --name vt-one -q
	vl up --topo single,3 --name vt-two -q
	id1=$(cat /run/vnetlab/vt-one/id); id2=$(cat /run/vnetlab/vt-two/id)
	[ "$id1" != "$id2" ] || fail "two labs share id $id1"
	can_ping vt-one h1 h3 || fail "lab one"
	can_ping vt-two h1 h3 || fail "lab two"
	vl down vt-one
	can_ping vt-two h3 h1 || fail "lab two broke when lab one went down"
	vl down vt-two
}

test_down_is_idempotent_and_up_refuses_twice() {
	vl up --topo single,2 --name vt-twice -q
	"$VNETLAB" up --topo single,2 --name vt-twice -q 2>/dev/null && fail "second up succeeded"
	can_ping vt-twice h1 h2 || fail "the failed second up broke the lab"
	vl down vt-twice
	vl down vt-twice
	"$VNETLAB" down vt-twice 2>&1 | grep -q 'no lab' || fail "second down says nothing"
}

test_bad_topology_is_reported_precisely() {
	out=$("$VNETLAB" up -f tests/integration/bad-endpoint.clab.yml 2>&1)
	expect_eq $? 1 "exit status"
	expect_eq "$out" 'vnetlab: tests/integration/bad-endpoint.clab.yml:8:30: link endpoint "h3:eth1": no node named h3' "message"
	"$VNETLAB" up --topo tree,2 2>/dev/null
	expect_eq $? 1 "bad generator"
	[ -e /run/vnetlab/vt-bad ] && fail "state left"
	true
}

test_interrupted_up_undoes_everything() {
	# Ctrl-C (SIGINT) or SIGTERM half-way through up: up stops at the next
	# step, undoes what it made and fails.
	TMPDIR_T=$(mktemp -d)
	trap 'rm -rf "$TMPDIR_T"' EXIT
	for sig in INT TERM; do
		"$VNETLAB" up --topo single,600 --name vt-intr -q 2>"$TMPDIR_T/err" &
		pid=$!
		for _ in $(seq 1 300); do
			n=$(ls /run/netns 2>/dev/null | grep -c -- '-h' || true)
			[ "$n" -ge 10 ] && break
			sleep 0.01
		done
		kill -$sig $pid
		wait $pid
		rc=$?
		if [ $rc -eq 0 ]; then
			vl down vt-intr
			skip "up finished before SIG$sig arrived"
		fi
		grep -q "interrupted by signal" "$TMPDIR_T/err" ||
			fail "SIG$sig: $(cat "$TMPDIR_T/err")"
		[ -e /run/vnetlab/vt-intr ] && fail "SIG$sig: state directory left"
		left=$(ip netns | grep -c '^vl' || true)
		expect_eq "$left" 0 "SIG$sig: namespaces left"
	done
}
