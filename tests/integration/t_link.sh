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

test_link_delay_needs_an_engine() {
	f=$(mktemp --suffix=.yml)
	printf 'name: vt-delay\ntopology:\n  nodes: { a: {}, b: {} }\n  links:\n    - endpoints: ["a:e", "b:e"]\n      delay: 20ms\n' >"$f"
	out=$("$VNETLAB" up -f "$f" 2>&1)
	rc=$?
	rm -f "$f"
	if [ $rc -eq 0 ]; then
		vl down vt-delay
		fail "a delay was accepted, but nothing here applies it"
	fi
	echo "$out" | grep -q 'link a:e-b:e: delay, jitter or loss needs' || fail "unclear error: $out"
	[ -e /run/vnetlab/vt-delay ] && fail "state left"
	true
}
