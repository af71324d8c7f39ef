# vnetlab shell (Mininet's CLI), up --link/--test/--shell, and the torus
# and minimal generators.

# A lab of three hosts on a switch, with names that complete alone.
shell_lab() {
	f=$(mktemp --suffix=.yml)
	cat >"$f" <<'YML'
name: vt-sh
topology:
  nodes:
    alpha: {}
    bravo: {}
    charlie: {}
    s1: { kind: bridge }
  links:
    - endpoints: ["alpha:eth0", "s1:p1"]
    - endpoints: ["bravo:eth0", "s1:p2"]
    - endpoints: ["charlie:eth0", "s1:p3"]
YML
	vl up -f "$f" -q
	rm -f "$f"
}

test_shell_on_a_terminal() {
	command -v python3 >/dev/null || skip "no python3 to drive a pseudo-terminal"
	python3 -c 'import pty' 2>/dev/null || skip "python3 has no pty module"
	shell_lab
	hist=$(mktemp)
	rm -f "$hist"
	timeout 120 python3 tests/integration/shell_pty.py "$VNETLAB" vt-sh "$hist"
	rc=$?
	[ -s "$hist" ] && [ "$(stat -c %a "$hist")" = 600 ] || { rm -f "$hist"; fail "history file missing or not 0600"; }
	rm -f "$hist"
	[ $rc -eq 0 ] || fail "the pseudo-terminal session"
	vl down vt-sh
}

test_shell_from_stdin_pingall_and_link_down() {
	vl up --topo tree,2,2 --name vt-tree -q
	export VNETLAB_HISTORY=/nonexistent/none
	out=$(echo pingall | "$VNETLAB" shell vt-tree) || fail "pingall on tree,2,2 lost something: $out"
	echo "$out"
	expect_eq "$(echo "$out" | head -n1)" "*** Ping: testing ping reachability" "pingall's first line"
	expect_eq "$(echo "$out" | sed -n 2p)" "h1 -> h2 h3 h4 " "pingall's row for h1"
	expect_eq "$(echo "$out" | tail -n1)" "*** Results: 0% dropped (12/12 received)" "pingall's result"
	# Mininet's views
	out=$(printf 'nodes\nnet\nlinks\nintfs\nports\ndump\n' | "$VNETLAB" shell vt-tree)
	echo "$out" | grep -qx 'h1 h2 h3 h4 s1 s2 s3' || fail "nodes: $out"
	echo "$out" | grep -qx 'h1 h1-eth0:s2-p1' || fail "net: $out"
	echo "$out" | grep -qx 's2-p1<->h1-eth0 (OK OK)' || fail "links: $out"
	echo "$out" | grep -qx 's2: p1,p2,p3' || fail "intfs: $out"
	echo "$out" | grep -qx 's1 s1-p1:1 s1-p2:2 ' || fail "ports: $out"
	echo "$out" | grep -q '^<Host h1: h1-eth0:10\.0\.0\.[0-9]* netns=vl[0-9a-f]*-h1 backend=ns> $' || fail "dump: $out"
	# the link between h1 and s2, by the nodes' names as Mininet takes them
	"$VNETLAB" shell vt-tree -c 'link h1 s2 down; links' | grep -qx 's2-p1<->h1-eth0 (DOWN DOWN)' ||
		fail "links after link h1 s2 down"
	"$VNETLAB" shell vt-tree -c 'h2 ping -c1 -W1 h1' >/dev/null && fail "h1 is reachable over a link that is down"
	out=$("$VNETLAB" shell vt-tree -c 'pingpair')
	echo "$out" | grep -qx '\*\*\* Results: 100% dropped (0/2 received)' || fail "pingpair with h1 cut off: $out"
	"$VNETLAB" shell vt-tree -c 'link h1 s2 up; h2 ping -c1 -W2 h1' >/dev/null || fail "h1 unreachable once the link is up again"
	# -c: the commands in turn, the status the last one's; node names become addresses
	"$VNETLAB" shell vt-tree -c 'nodes; h1 false' >/dev/null && fail "-c: not the last command's status"
	out=$("$VNETLAB" shell vt-tree -c 'h1 echo h4; h1 echo "h4 x" | tr x y')
	expect_eq "$out" "$(printf '10.0.0.4\nh4 y')" "node names in a command's words"
	"$VNETLAB" shell vt-tree -c 'link h1 s9 down' 2>&1 | grep -qx 'dst not in network: s9' || fail "Mininet's error for an unknown node"
	"$VNETLAB" shell vt-tree -c 'nosuch' 2>&1 | grep -qx '\*\*\* Unknown command: nosuch' || fail "unknown command"
	expect_eq "$("$VNETLAB" shell vt-tree -c 'sh echo on the host' )" "on the host" "sh CMD"
	out=$("$VNETLAB" shell vt-tree -c 'time nodes')
	echo "$out" | grep -q '^\*\*\* Elapsed time: [0-9.]* secs$' || fail "time: $out"
	# Ctrl-C (SIGINT to the shell) stops the running command, the next one runs
	"$VNETLAB" shell vt-tree -c 'h1 sleep 30; h1 echo still here' >"$TESTS_DIR/../.sh.out" 2>&1 &
	pid=$!
	sleep 1
	kill -INT $pid
	for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	kill -0 $pid 2>/dev/null && { kill $pid; fail "SIGINT did not stop the running command"; }
	wait $pid
	got=$(cat "$TESTS_DIR/../.sh.out")
	rm -f "$TESTS_DIR/../.sh.out"
	expect_eq "$got" "still here" "the command after an interrupted one"
	vl down vt-tree
}

test_shell_iperf_on_10mbit_links() {
	command -v iperf >/dev/null || skip "no iperf (Debian's iperf)"
	vl up --topo tree,2,2 --link bw=10Mbit --name vt-ip -q
	out=$(echo 'iperf h1 h4' | "$VNETLAB" shell vt-ip) || fail "iperf failed: $out"
	echo "$out"
	expect_eq "$(echo "$out" | head -n1)" "*** Iperf: testing TCP bandwidth between h1 and h4 " "iperf's first line"
	# *** Results: ['9.56 Mbits/sec', '9.97 Mbits/sec']: the server's figure
	srv=$(echo "$out" | sed -n "s/^\*\*\* Results: \['\([0-9.]*\) Mbits\/sec', '[0-9.]* Mbits\/sec'\]$/\1/p")
	[ -n "$srv" ] || fail "no Mininet-style result: $out"
	awk -v x="$srv" 'BEGIN{exit !(x >= 5 && x <= 12)}' || fail "10Mbit links carried $srv Mbit/s"
	out=$(echo 'iperfudp 5M h1 h4' | "$VNETLAB" shell vt-ip) || fail "iperfudp failed: $out"
	echo "$out" | grep -q "^\*\*\* Results: \['5M', '[0-9.]* [KM]bits/sec', '[0-9.]* [KM]bits/sec'\]$" || fail "iperfudp: $out"
	vl down vt-ip
}

test_shell_link_settings_and_runtime_change() {
	# Mininet's spelling: bw in Mbit/s; delay on every link, both ways
	vl up --topo minimal --link tc,bw=10,delay=5ms --name vt-tc -q
	"$VNETLAB" status vt-tc --json | jq -e '.links | length == 2 and all(.forward == "rate 10Mbit delay 5ms" and .reverse == .forward)' >/dev/null ||
		fail "--link tc,bw=10,delay=5ms not on every link: $("$VNETLAB" status vt-tc --json | jq -c '[.links[] | .forward, .reverse]')"
	# h1 -> s1 -> h2 and back: four times 5 ms (once both know the
	# other's MAC: the first ping waits for ARP too)
	out=$("$VNETLAB" shell vt-tc -c 'pingall; pingallfull')
	echo "$out"
	avg=$(echo "$out" | sed -n 's|^ h1->h2: 1/1, rtt min/avg/max/mdev [0-9.]*/\([0-9.]*\)/.*|\1|p')
	awk -v x="$avg" 'BEGIN{exit !(x >= 19.5 && x <= 30)}' || fail "RTT $avg ms over 4 x 5 ms"
	# beyond Mininet: a link changed from the shell, as vnetlab link
	"$VNETLAB" shell vt-tc -c 'link h1:eth0 set delay 20ms' | grep -q 'out (h1:eth0 -> s1:p1): rate 10Mbit delay 20ms' ||
		fail "link set from the shell"
	out=$("$VNETLAB" shell vt-tc -c 'pingallfull')
	avg=$(echo "$out" | sed -n 's|^ h1->h2: 1/1, rtt min/avg/max/mdev [0-9.]*/\([0-9.]*\)/.*|\1|p')
	awk -v x="$avg" 'BEGIN{exit !(x >= 49.5 && x <= 60)}' || fail "RTT $avg ms after delay 20ms on h1's link"
	"$VNETLAB" shell vt-tc -c 'links' | grep -qx 'h1-eth0<->s1-p1 (OK OK) rate 10Mbit delay 20ms' || fail "links shows the change"
	vl down vt-tc
	# bad settings are usage errors, before anything is made
	"$VNETLAB" up --topo minimal --link bw=fast --name vt-bad 2>&1 | grep -q 'bw=fast: expected a rate' || fail "--link bw=fast"
	"$VNETLAB" up --topo minimal --link colour=red --name vt-bad >/dev/null 2>&1; expect_eq $? 2 "--link colour=red"
}

test_up_test_and_shell() {
	out=$("$VNETLAB" up --topo tree,2,2 --name vt-t --test pingall) || fail "up --test pingall: $out"
	echo "$out" | grep -qx '\*\*\* Results: 0% dropped (12/12 received)' || fail "up --test pingall: $out"
	echo "$out" | grep -q '^completed in [0-9.]* seconds$' || fail "no mn-style closing line: $out"
	[ -e /run/vnetlab/vt-t ] && fail "up --test left the lab up"
	# a test that fails: its status, and the lab still taken down
	out=$("$VNETLAB" up --topo minimal --link loss=100 --name vt-t --test pingall)
	rc=$?
	[ $rc -ne 0 ] || fail "up --test pingall passed over links that lose everything"
	echo "$out" | grep -qx '\*\*\* Results: 100% dropped (0/2 received)' || fail "up --test pingall: $out"
	[ -e /run/vnetlab/vt-t ] && fail "a failed up --test left the lab up"
	"$VNETLAB" up --topo minimal --test nosuch >/dev/null 2>&1; expect_eq $? 2 "--test nosuch"
	# --shell: the shell on stdin, then down; no topology is mn's minimal
	out=$(printf 'nodes\nh1 ping -c1 h2\n' | "$VNETLAB" up --shell --name vt-t) || fail "up --shell: $out"
	echo "$out" | grep -qx 'h1 h2 s1' || fail "up --shell ran no nodes: $out"
	echo "$out" | grep -q '1 packets transmitted, 1 received' || fail "up --shell: $out"
	[ -e /run/vnetlab/vt-t ] && fail "up --shell left the lab up"
	true
}

test_up_torus_pingall() {
	# Mininet's torus has loops: its switches run STP, up waits for them
	out=$("$VNETLAB" up --topo torus,3,3 --name vt-torus --test pingall) || fail "torus,3,3 pingall: $out"
	echo "$out" | grep -qx '\*\*\* Results: 0% dropped (72/72 received)' || fail "torus,3,3: $out"
	echo "$out" | grep -qx 'h1x1 -> h1x2 h1x3 h2x1 h2x2 h2x3 h3x1 h3x2 h3x3 ' || fail "torus names: $out"
}

# Run a command with its memory bounded (and 30 s at most): a sanitized
# build reserves terabytes of address space, so ulimit -v cannot hold it:
# ASan's own limit on its resident memory does.
mem_bounded() {
	if ldd "$VNETLAB" 2>/dev/null | grep -q libasan; then
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:hard_rss_limit_mb=512" timeout 30 "$@"
	else
		(ulimit -v 1572864 && exec timeout 30 "$@")
	fi
}

# A running shell ends within 2 s (a liveness bound, not a measure): its status.
ends_soon() {
	for _ in $(seq 20); do alive "$1" || break; sleep 0.1; done
	if alive "$1"; then
		kill -KILL "$1"
		wait "$1"
		fail "$2: the shell still ran 2 s later"
	fi
	wait "$1"
}

test_shell_input_bounded() {
	vl up --topo minimal --name vt-shin -q
	d=$(mktemp -d)
	trap 'rm -rf "$d"; "$VNETLAB" down vt-shin >/dev/null 2>&1' EXIT
	# /dev/zero is no file of commands: refused at once, never read
	out=$(mem_bounded "$VNETLAB" shell vt-shin -c 'source /dev/zero' 2>&1)
	expect_eq "$?" 1 "source /dev/zero's status"
	expect_eq "$out" "vnetlab: source /dev/zero: a character device, not a regular file (source reads regular files only)" "source /dev/zero"
	mkfifo "$d/fifo"
	out=$(timeout 30 "$VNETLAB" shell vt-shin -c "source $d/fifo" 2>&1)
	expect_eq "$out" "vnetlab: source $d/fifo: a FIFO, not a regular file (source reads regular files only)" "source FIFO"
	# stdin: one line at most 64 KiB, and nothing after a longer one runs
	out=$(mem_bounded "$VNETLAB" shell vt-shin </dev/zero 2>&1)
	expect_eq "$?" 1 "stdin from /dev/zero: the status"
	expect_eq "$out" "vnetlab: stdin:1: a line longer than 65536 bytes, the most the shell takes (the line and the rest of stdin not run)" "stdin from /dev/zero"
	{ echo "sh echo first"; head -c 70000 /dev/zero | tr '\0' x; printf '\nsh touch %s/ran\n' "$d"; } >"$d/long.vsh"
	out=$("$VNETLAB" shell vt-shin <"$d/long.vsh" 2>&1)
	expect_eq "$?" 1 "an over-long line on stdin: the status"
	expect_eq "$out" "first
vnetlab: stdin:2: a line longer than 65536 bytes, the most the shell takes (the line and the rest of stdin not run)" "an over-long line on stdin"
	out=$("$VNETLAB" shell vt-shin -c "source $d/long.vsh" 2>&1)
	expect_eq "$?" 1 "an over-long line in a sourced file: the status"
	expect_eq "$out" "first
vnetlab: $d/long.vsh:2: a line longer than 65536 bytes, the most the shell takes (the line and the rest of $d/long.vsh not run)" "an over-long line in a sourced file"
	[ -e "$d/ran" ] && fail "the line after an over-long one ran"
	out=$("$VNETLAB" shell vt-shin -c "$(head -c 70000 /dev/zero | tr '\0' x)" 2>&1)
	expect_eq "$?" 2 "an over-long -c: the status"
	expect_eq "$out" "vnetlab: a line longer than 65536 bytes, the most the shell takes: not run" "an over-long -c"
	# a line of exactly 64 KiB is one
	{ printf 'sh true'; head -c $((65536 - 7)) /dev/zero | tr '\0' ' '; echo; } >"$d/max.vsh"
	"$VNETLAB" shell vt-shin -c "source $d/max.vsh" || fail "a line of 65536 bytes refused"
	# a file that sources itself: 16 deep, said where
	echo "source $d/loop.vsh" >"$d/loop.vsh"
	out=$(mem_bounded "$VNETLAB" shell vt-shin -c "source $d/loop.vsh" 2>&1)
	expect_eq "$?" 1 "a file that sources itself: the status"
	expect_eq "$out" "vnetlab: $d/loop.vsh:1: source $d/loop.vsh: sources nested 16 deep already, the most they may (does a file source itself?)" "a file that sources itself"
	# a file's size and lines
	truncate -s 17M "$d/big.vsh"
	out=$("$VNETLAB" shell vt-shin -c "source $d/big.vsh" 2>&1)
	expect_eq "$out" "vnetlab: source $d/big.vsh: 17825792 bytes, more than the 16 MiB a sourced file may have" "a 17 MiB file"
	{ seq 100000 | sed 's/^/# /'; echo "sh touch $d/ran"; } >"$d/many.vsh"
	out=$("$VNETLAB" shell vt-shin -c "source $d/many.vsh" 2>&1)
	expect_eq "$?" 1 "100001 lines: the status"
	expect_eq "$out" "vnetlab: $d/many.vsh:100001: more than 100000 lines, the most a sourced file may have (the rest not run)" "100001 lines"
	[ -e "$d/ran" ] && fail "line 100001 ran"
	printf 'sh echo one\n\0\nsh touch %s/ran\n' "$d" >"$d/nul.vsh"
	out=$("$VNETLAB" shell vt-shin -c "source $d/nul.vsh" 2>&1)
	expect_eq "$out" "one
vnetlab: $d/nul.vsh:2: a NUL byte: not text (the line and the rest of $d/nul.vsh not run)" "a NUL byte"
	# the numbers the shell's commands take
	out=$("$VNETLAB" shell vt-shin -c 'iperfudp -5M h1 h2' 2>&1)
	expect_eq "$?" 2 "iperfudp -5M: the status"
	expect_eq "$out" '*** iperfudp: bw "-5M": expected a rate in bits/s from 1 to 100G, such as 10M or 500K' "iperfudp -5M"
	for bw in 0 5X 1e30G 0.5 ''; do
		"$VNETLAB" shell vt-shin -c "iperfudp '$bw' h1 h2" >/dev/null 2>&1
		expect_eq "$?" 2 "iperfudp '$bw'"
	done
	out=$("$VNETLAB" shell vt-shin -c 'pingall -1' 2>&1)
	expect_eq "$out" "usage: pingall [TIMEOUT] (seconds each ping waits)" "pingall -1"
	vl down vt-shin
}

# The long command of test_shell_signals_end_it_at_once still running?
# (then killed, by its pids)
lingering() {
	local pids
	pids=$(pgrep -f 'sleep 31[.]7') || return 1
	for p in $pids; do kill -KILL "$p"; done
}

test_shell_signals_end_it_at_once() {
	vl up --topo minimal --name vt-shsig -q
	d=$(mktemp -d -p /var/tmp) # a node's /tmp is its own
	trap 'exec 3>&-; rm -rf "$d"; "$VNETLAB" down vt-shsig >/dev/null 2>&1' EXIT
	# SIGTERM: a command that ignores it is killed after a short grace,
	# with what it started; the shell's status is the signal's
	cmd="h1 sh -c 'trap \"\" TERM INT; touch $d/started; sleep 31.7; touch $d/after'"
	printf '%s\nsh touch %s/next\n' "$cmd" "$d" >"$d/long.vsh"
	for how in "-c" "source"; do
		rm -f "$d/started"
		if [ "$how" = -c ]; then
			"$VNETLAB" shell vt-shsig -c "$cmd; sh touch $d/next" &
		else
			"$VNETLAB" shell vt-shsig -c "source $d/long.vsh" &
		fi
		pid=$!
		for _ in $(seq 100); do [ -e "$d/started" ] && break; sleep 0.1; done
		[ -e "$d/started" ] || { kill -KILL $pid; fail "$how: the command never started"; }
		kill -TERM $pid
		ends_soon $pid "SIGTERM during a long command ($how)"
		expect_eq "$?" 143 "$how: the status after SIGTERM"
		lingering && fail "$how: the command outlived the shell"
		[ -e "$d/next" ] && fail "$how: the command after it ran"
	done
	# not on a terminal, SIGINT stops the running command (the same way)
	# and the next one runs; between commands it ends the shell
	rm -f "$d/started"
	"$VNETLAB" shell vt-shsig -c "$cmd; sh touch $d/next" &
	pid=$!
	for _ in $(seq 100); do [ -e "$d/started" ] && break; sleep 0.1; done
	kill -INT $pid
	ends_soon $pid "SIGINT during a long command"
	[ -e "$d/next" ] || fail "the command after an interrupted one did not run"
	lingering && fail "the interrupted command lives on"
	# reading stdin with nothing to run: SIGINT and SIGTERM end it (nodes
	# runs nothing: once it has printed, no command is left to interrupt)
	mkfifo "$d/in"
	for sig in INT TERM; do
		exec 3<>"$d/in"
		"$VNETLAB" shell vt-shsig <"$d/in" >"$d/out" &
		pid=$!
		echo nodes >&3
		for _ in $(seq 100); do grep -q '^h1 h2 s1$' "$d/out" && break; sleep 0.1; done
		kill -$sig $pid
		ends_soon $pid "SIG$sig while the shell waits for a line"
		expect_eq "$?" $((128 + $(kill -l $sig))) "the status after SIG$sig on stdin"
		exec 3>&-
	done
	# stats --watch takes the signals while it runs: SIGTERM ends it and
	# then the shell, the command after it never run
	rm -f "$d/next"
	"$VNETLAB" shell vt-shsig -c "stats --watch=0.2; sh touch $d/next" >"$d/out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do grep -q 'h1' "$d/out" && break; sleep 0.1; done
	kill -TERM $pid
	ends_soon $pid "SIGTERM during stats --watch"
	expect_eq "$?" 143 "the status after SIGTERM during stats --watch"
	[ -e "$d/next" ] && fail "the command after stats --watch ran after SIGTERM"
	vl down vt-shsig
}
