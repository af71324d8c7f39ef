# What a node is from the inside, and exec.

test_node_identity() {
	vl up --topo single,3 --name vt-id -q
	expect_eq "$("$VNETLAB" exec vt-id h2 -- hostname)" h2 "hostname"
	expect_eq "$("$VNETLAB" exec vt-id h2 -- cat /etc/hostname)" h2 "/etc/hostname"
	"$VNETLAB" exec vt-id h1 -- grep -qw h3 /etc/hosts || fail "/etc/hosts lacks h3"
	grep -qw h3 /etc/hosts && fail "the host's /etc/hosts was changed"
	[ "$(hostname)" != h2 ] || fail "the host's hostname changed"
	# /tmp is private to each node
	"$VNETLAB" exec vt-id h1 -- sh -c 'echo secret > /tmp/vt-id-file'
	"$VNETLAB" exec vt-id h2 -- test -e /tmp/vt-id-file && fail "h2 sees h1's /tmp"
	[ -e /tmp/vt-id-file ] && fail "the host sees h1's /tmp"
	expect_eq "$("$VNETLAB" exec vt-id h1 -- cat /tmp/vt-id-file)" secret "h1's /tmp"
	# the namespace is a real `ip netns` one
	id=$(cat /run/vnetlab/vt-id/id)
	ip netns exec "vl$id-h3" ip -o -4 addr show dev eth0 | grep -q 'inet 10\.' ||
		fail "ip netns exec does not see h3's address"
	vl down vt-id
}

test_exec_passes_status_and_stdio() {
	TMPDIR_T=$(mktemp -d)
	trap 'rm -rf "$TMPDIR_T"' EXIT
	vl up --topo single,2 --name vt-exec -q
	"$VNETLAB" exec vt-exec h1 -- sh -c 'exit 7'
	expect_eq $? 7 "exit status"
	got=$(echo "hello stdin" | "$VNETLAB" exec vt-exec h1 -- cat)
	expect_eq "$got" "hello stdin" "stdin"
	got=$("$VNETLAB" exec vt-exec h1 -- sh -c 'echo to-stderr >&2' 2>&1 >/dev/null)
	expect_eq "$got" "to-stderr" "stderr"
	"$VNETLAB" exec vt-exec h1 -- no-such-command-xyz 2>/dev/null
	expect_eq $? 127 "status of a missing command"
	"$VNETLAB" exec vt-exec h9 -- true 2>/dev/null
	expect_eq $? 125 "status when the node does not exist"
	# a signal reaches the command
	"$VNETLAB" exec vt-exec h1 -- sleep 30 &
	pid=$!
	sleep 0.3
	kill -TERM $pid
	wait $pid
	expect_eq $? 143 "status of a command killed by SIGTERM"
	# -t gives a terminal
	"$VNETLAB" exec -t vt-exec h2 -- sh -c 'tty; exit 3' </dev/null >"$TMPDIR_T/tty.out"
	rc=$?
	got=$(tr -d '\r' <"$TMPDIR_T/tty.out")
	case $got in /dev/pts/*) ;; *) fail "-t: tty said [$got]" ;; esac
	expect_eq "$rc" 3 "exit status through -t"
	vl down vt-exec
}

test_exec_detach_and_down_stops_processes() {
	vl up --topo single,2 --name vt-daemon -q
	out=$("$VNETLAB" exec -d vt-daemon h2 -- sh -c 'echo daemon-says-hi; exec sleep 300')
	pid=$(echo "$out" | sed -n 's/.*pid \([0-9]*\),.*/\1/p')
	[ -n "$pid" ] || fail "no pid in [$out]"
	sleep 0.3
	alive "$pid" || fail "the daemon is not running"
	log=$(echo "$out" | sed -n 's/.*log \(.*\)$/\1/p')
	grep -q daemon-says-hi "$log" || fail "the log lacks the daemon's output"
	"$VNETLAB" status vt-daemon | grep -q "sleep\[$pid\]" || fail "status does not list the daemon"
	"$VNETLAB" status vt-daemon --json | grep -q "\"pid\": $pid" || fail "status --json lacks it"
	# a process of the host with the same name is not touched by down
	sleep 300 &
	bystander=$!
	vl down vt-daemon
	alive "$pid" && fail "down left the daemon running"
	alive "$bystander" || fail "down killed a process that was not the lab's"
	kill "$bystander"
	wait "$bystander" 2>/dev/null
	true
}
