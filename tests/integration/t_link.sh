# Link emulation: the kernel path (rate and queues).

test_link_rate_is_shaped() {
	f=$(mktemp --suffix=.yml)
	cat >"$f" <<'YML'
name: vt-rate
topology:
  nodes:
    a: {}
    b: {}
    s1: { kind: bridge }
  links:
    - endpoints: ["a:eth0", "s1:p1"]
    - endpoints: ["b:eth0", "s1:p2"]
      reverse: { bw: 20Mbit }
YML
	vl up -f "$f" -q
	rm -f "$f"
	"$VNETLAB" exec -d vt-rate b -- iperf -s >/dev/null
	sleep 0.3
	# a -> b crosses the switch port towards b: 20 Mbit/s of frames; TCP
	# goodput is at most 1448/1514 of that
	mbit=$("$VNETLAB" exec vt-rate a -- iperf -c b -t 3 -y C | tail -n1 | awk -F, '{printf "%.2f", $NF/1e6}')
	echo "20 Mbit/s link: $mbit Mbit/s of TCP goodput"
	awk -v x="$mbit" 'BEGIN{exit !(x >= 20 * 0.80 && x <= 20 * 1.01)}' || fail "20Mbit link carried $mbit Mbit/s"
	"$VNETLAB" status vt-rate --json | jq -e '.links[1].reverse == "rate 20Mbit" and .links[1].engine == "kernel"' >/dev/null ||
		fail "status does not show the shaping"
	# a runtime change takes effect, seen from either end
	vl link vt-rate b:eth0 set --in bw 5Mbit >/dev/null
	"$VNETLAB" link --json vt-rate s1:p2 | jq -e '.out == "rate 5Mbit"' >/dev/null ||
		fail "link show from the switch side"
	mbit=$("$VNETLAB" exec vt-rate a -- iperf -c b -t 3 -y C | tail -n1 | awk -F, '{printf "%.2f", $NF/1e6}')
	echo "after set --in bw 5Mbit: $mbit Mbit/s"
	awk -v x="$mbit" 'BEGIN{exit !(x >= 5 * 0.80 && x <= 5 * 1.01)}' || fail "5Mbit link carried $mbit Mbit/s"
	# down and up again
	vl link vt-rate a:eth0 down
	can_ping vt-rate a b && fail "a reaches b over a link that is down"
	vl link vt-rate a:eth0 up
	can_ping vt-rate a b || fail "a cannot reach b once the link is up again"
	vl down vt-rate
}

# median of ping's per-packet times, in ms
ping_median() {
	"$VNETLAB" exec "$1" "$2" -- ping -c "$4" -i 0.05 "$3" | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' |
		sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

test_user_engine_delay_loss_restart() {
	f=$(mktemp --suffix=.yml)
	cat >"$f" <<'YML'
name: vt-eng
topology:
  nodes:
    a: {}
    b: {}
    c: {}
  links:
    - endpoints: ["a:eth0", "b:eth0"]
      delay: 20ms
    - endpoints: ["c:eth0", "b:eth1"]
      forward: { loss: 10% }
YML
	vl up -f "$f" -q
	rm -f "$f"
	"$VNETLAB" status vt-eng --json | jq -e '.links[0].engine == "user"' >/dev/null ||
		fail "the delayed link is not served by linkd"
	# 20 ms each way: RTT 40 ms
	"$VNETLAB" exec vt-eng a -- ping -c1 -W2 b >/dev/null 2>&1 # ARP
	rtt=$(ping_median vt-eng a b 20)
	echo "delay 20ms one way: median RTT $rtt ms"
	awk -v x="$rtt" 'BEGIN{exit !(x >= 39.5 && x <= 45)}' || fail "median RTT $rtt ms, not 40"
	# 10% loss one way, 400 pings: binomial 99% interval, wide
	got=$("$VNETLAB" exec vt-eng c -- ping -c 400 -i 0.005 -W 1 -q b-eth1 | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	echo "loss 10% one way: $got of 400 replies"
	[ "${got:-0}" -ge 330 ] && [ "${got:-0}" -le 385 ] || fail "$got of 400 with 10% loss"
	# runtime change
	vl link vt-eng a:eth0 set delay 5ms >/dev/null
	rtt=$(ping_median vt-eng a b 10)
	echo "after set delay 5ms: median RTT $rtt ms"
	awk -v x="$rtt" 'BEGIN{exit !(x >= 9.5 && x <= 14)}' || fail "median RTT $rtt ms, not 10"
	# the engine dies mid-transfer: it is started again, the link survives
	sup=$(cat /run/vnetlab/vt-eng/linkd.pid)
	"$VNETLAB" exec vt-eng a -- ping -c 40 -i 0.05 -q b >"$TESTS_DIR/../.ping.out" 2>&1 &
	pinger=$!
	sleep 0.5
	pkill -9 -P "$sup" || fail "no engine under the supervisor $sup"
	wait $pinger
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TESTS_DIR/../.ping.out")
	rm -f "$TESTS_DIR/../.ping.out"
	echo "engine killed mid-ping: $got of 40 replies"
	[ "${got:-0}" -ge 30 ] || fail "only $got of 40 replies across an engine restart"
	can_ping vt-eng a b || fail "no link after the engine restart"
	vl down vt-eng
	pgrep -x vnetlab-linkd >/dev/null && sleep 0.5
	pgrep -x vnetlab-linkd | while read -r p; do alive "$p" && fail "down left the engine ($p)"; done
	true
}

test_lab_with_a_killed_engine_is_cleaned() {
	f=$(mktemp --suffix=.yml)
	printf 'name: vt-kill\ntopology:\n  nodes: { a: {}, b: {} }\n  links:\n    - endpoints: ["a:e", "b:e"]\n      engine: user\n' >"$f"
	vl up -f "$f" -q
	rm -f "$f"
	kill -9 "$(cat /run/vnetlab/vt-kill/linkd.pid)"
	vl down vt-kill
	pgrep -x vnetlab-linkd | while read -r p; do alive "$p" && fail "an engine survived ($p)"; done
	true
}
