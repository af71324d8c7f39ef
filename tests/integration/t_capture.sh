# vnetlab capture: tcpdump on a lab's interfaces (a node's, a switch's
# port), one as pcap, several merged into one pcapng, text with NODE:IF
# prefixes, to stdout for a pipe; -c, Ctrl-C, a filter tcpdump rejects, a
# lab that goes down meanwhile.

# cap_ready LOG: wait until tcpdump says it listens (in LOG, its stderr)
cap_ready() {
	for _ in $(seq 50); do
		[ "$(grep -o "listening on" "$1" 2>/dev/null | wc -l)" -ge "${2:-1}" ] && return 0
		sleep 0.1
	done
	fail "tcpdump never listened: $(cat "$1")"
}

capture_lab() {
	command -v tcpdump >/dev/null || fail "no tcpdump: scripts/deps.sh installs it"
	vl up --topo single,2 --name vt-cap -q
	D=$(mktemp -d)
	trap '"$VNETLAB" down vt-cap >/dev/null 2>&1; rm -rf "$D"' EXIT
}

test_capture_one_interface_pcap_with_filter_and_count() {
	capture_lab
	"$VNETLAB" capture vt-cap h1:eth0 -w "$D/one.pcap" -c 4 icmp 2>"$D/err" &
	cap_ready "$D/err"
	vl exec vt-cap h1 -- ping -c 3 -i 0.2 -q h2 >/dev/null
	wait $! || fail "capture -c 4: $(cat "$D/err")"
	n=$(tcpdump -r "$D/one.pcap" -n 2>/dev/null | grep -c 'ICMP echo')
	expect_eq "$n" 4 "ICMP echoes in the pcap (-c 4, filter icmp)"
	grep -q '4 packets captured' "$D/err" || fail "tcpdump's counts not passed on: $(cat "$D/err")"
}

test_capture_two_interfaces_merge_into_pcapng() {
	capture_lab
	"$VNETLAB" capture vt-cap h1:eth0 h2:eth0 -w "$D/two.pcapng" -c 6 icmp 2>"$D/err" &
	cap_ready "$D/err" 2
	vl exec vt-cap h1 -- ping -c 3 -i 0.3 -q h2 >/dev/null
	wait $! || fail "capture of two interfaces: $(cat "$D/err")"
	expect_eq "$(head -c 4 "$D/two.pcapng" | od -An -tx1 | tr -d ' ')" 0a0d0d0a "a pcapng section header"
	n=$(tcpdump -r "$D/two.pcapng" -n 2>/dev/null | grep -c 'ICMP echo')
	[ "$n" -ge 6 ] || fail "$n ICMP packets read back from the pcapng (want at least 6)"
	for i in h1:eth0 h2:eth0; do
		grep -qa "$i" "$D/two.pcapng" || fail "no interface block named $i"
	done
}

test_capture_text_prefixed_and_stdout_pcap() {
	capture_lab
	"$VNETLAB" capture vt-cap h1:eth0 s1:p2 -c 4 icmp >"$D/text" 2>"$D/err" &
	cap_ready "$D/err" 2
	vl exec vt-cap h1 -- ping -c 2 -i 0.3 -q h2 >/dev/null
	wait $! || fail "text capture: $(cat "$D/err")"
	grep -q '^h1:eth0 .*ICMP echo request' "$D/text" || fail "no h1:eth0 line: $(cat "$D/text")"
	grep -q '^s1:p2 .*ICMP echo' "$D/text" || fail "no s1:p2 (switch port) line: $(cat "$D/text")"
	# -w -: pcap on stdout, read by a pipe
	("$VNETLAB" capture vt-cap h2:eth0 -w - -c 2 icmp 2>"$D/err2" | tcpdump -r - -n 2>/dev/null >"$D/piped") &
	cap_ready "$D/err2"
	vl exec vt-cap h1 -- ping -c 2 -i 0.3 -q h2 >/dev/null
	wait $!
	expect_eq "$(grep -c 'ICMP echo' "$D/piped")" 2 "packets read from capture -w - through a pipe"
}

test_capture_stops_cleanly_on_sigint() {
	capture_lab
	"$VNETLAB" capture vt-cap h1:eth0 h2:eth0 -w "$D/int.pcapng" 2>"$D/err" &
	pid=$!
	cap_ready "$D/err" 2
	vl exec vt-cap h1 -- ping -c 2 -i 0.2 -q h2 >/dev/null
	kill -INT "$pid"
	wait "$pid" || fail "capture ended badly on SIGINT: $(cat "$D/err")"
	expect_eq "$(grep -c "^h[12]:eth0: .*packets captured" "$D/err")" 2 "each tcpdump's counts after SIGINT, after its NODE:IF"
	[ "$(tcpdump -r "$D/int.pcapng" -n 2>/dev/null | grep -c 'ICMP echo')" -ge 4 ] ||
		fail "the pcapng after SIGINT lacks the pings"
	# one interface, SIGINT to vnetlab alone (a background job: not its
	# process group): passed on to tcpdump, which flushes and ends
	"$VNETLAB" capture vt-cap h2:eth0 -w "$D/one.pcap" 2>"$D/err1" &
	pid=$!
	cap_ready "$D/err1"
	vl exec vt-cap h1 -- ping -c 2 -i 0.2 -q h2 >/dev/null
	kill -INT "$pid"
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && { pkill -INT -x tcpdump; fail "capture of one interface ignores SIGINT"; }
	wait "$pid" || fail "capture of one interface ended badly on SIGINT: $(cat "$D/err1")"
	[ "$(tcpdump -r "$D/one.pcap" -n 2>/dev/null | grep -c 'ICMP echo')" -ge 4 ] ||
		fail "the pcap after SIGINT lacks the pings"
	pgrep -x tcpdump >/dev/null && fail "a tcpdump is left"
	return 0
}

test_capture_bad_input() {
	capture_lab
	out=$("$VNETLAB" capture vt-cap h1:eth0 -c 1 'port nonsense' 2>&1) && fail "a bad filter was accepted"
	case $out in *"tcpdump ended with status"*) ;; *) fail "bad filter said: $out" ;; esac
	case $out in *"syntax error"* | *"unknown port"* | *"illegal"*) ;; *) fail "tcpdump's own message missing: $out" ;; esac
	out=$("$VNETLAB" capture vt-cap h9:eth0 -c 1 2>&1) && fail "an unknown node was accepted"
	case $out in *"no node h9"*) ;; *) fail "unknown node said: $out" ;; esac
	out=$("$VNETLAB" capture vt-cap h1 2>&1)
	expect_eq $? 2 "capture without NODE:IF: a usage error"
	out=$("$VNETLAB" capture vt-nolab h1:eth0 2>&1) && fail "a missing lab was accepted"
	# the lab goes down under a running capture: it ends, saying so
	"$VNETLAB" capture vt-cap h1:eth0 -w "$D/gone.pcap" 2>"$D/err" &
	pid=$!
	cap_ready "$D/err"
	vl down vt-cap
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && { kill -INT "$pid"; fail "capture still runs after the lab went down"; }
	wait "$pid" && fail "capture of a lab that went down ended with 0"
	grep -q 'the lab is gone' "$D/err" || fail "no word that the lab is gone: $(cat "$D/err")"
}
