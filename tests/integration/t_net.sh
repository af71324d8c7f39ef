# Reachability: names resolve, packets cross switches and routers.

test_linear4_ping_by_name() {
	vl up --topo linear,4 --name vt-lin -q
	can_ping vt-lin h1 h4 || fail "h1 cannot ping h4 by name"
	can_ping vt-lin h4 h1 || fail "h4 cannot ping h1 by name"
	vl down vt-lin
}

test_tree22_all_pairs() {
	vl up --topo tree,2,2 --name vt-tree -q
	for a in h1 h2 h3 h4; do
		for b in h1 h2 h3 h4; do
			[ $a = $b ] && continue
			can_ping vt-tree $a $b || fail "$a cannot reach $b"
		done
	done
	vl down vt-tree
}

test_ring_routes_multi_hop() {
	# Five routers in a ring: h1 reaches h3 through h2 (two hops), by name.
	vl up --topo ring,5 --name vt-ring -q
	for b in h2 h3 h4 h5; do
		can_ping vt-ring h1 $b || fail "h1 cannot reach $b"
	done
	hops=$("$VNETLAB" exec vt-ring h1 -- ping -c1 -W2 h3 | sed -n 's/.*ttl=\([0-9]*\).*/\1/p')
	expect_eq "$hops" 63 "ttl of a reply from two hops away"
	fwd=$("$VNETLAB" exec vt-ring h2 -- cat /proc/sys/net/ipv4/ip_forward)
	expect_eq "$fwd" 1 "routers forward"
	vl down vt-ring
}

test_clab_file_with_router() {
	out=$("$VNETLAB" up -f tests/integration/routed.clab.yml 2>&1) || fail "up: $out"
	echo "$out" | grep -q 'warning: .*routed.clab.yml:[0-9]*:[0-9]*: .*image' ||
		fail "no warning about the ignored image: $out"
	can_ping vt-clab a b || fail "a cannot reach b through the router"
	# a's only route off its subnet is through r1
	"$VNETLAB" exec vt-clab a -- ip route | grep -q 'via' || fail "a has no route via r1"
	hf=$("$VNETLAB" exec vt-clab b -- getent hosts a)
	[ -n "$hf" ] || fail "b cannot resolve a"
	vl down vt-clab
}

test_large_switch_is_cascaded() {
	# A Linux bridge takes at most 1023 ports: 1100 hosts on one switch
	# need a root bridge with leaves, invisible to the user.
	# Each leaf is in an infra namespace of its own: no namespace has more
	# than a bridge's worth of peers (the kernel looks a port's peer up
	# in a linear list of them on every notification).
	vl up --topo single,1100 --name vt-big -q
	id=$(cat /run/vnetlab/vt-big/id)
	all=$("$VNETLAB" status vt-big --json | jq -r '.infra_netns_all[]')
	[ "$(echo "$all" | head -n 1)" = "vl$id.sw" ] || fail "first infra namespace: $all"
	k=$(echo "$all" | wc -l)
	[ "$k" -ge 2 ] || fail "expected 2 or more infra namespaces, found: $all"
	n=0
	for ns in $all; do
		ip netns list | grep -qx "$ns\( (id: [0-9]*)\)\?" || fail "$ns is not registered"
		b=$(ip -n "$ns" -o link show type bridge | wc -l)
		[ "$b" -ge 1 ] || fail "no bridge in $ns"
		ports=$(bridge -n "$ns" link 2>/dev/null | wc -l)
		[ "$ports" -le 1023 ] || fail "$ns holds $ports ports"
		n=$((n + b))
		# up returns once every link works: no port still waiting for
		# the kernel's link watch, no node end without its queue
		idle=$(bridge -n "$ns" link 2>/dev/null | grep -v 'state forwarding')
		[ -z "$idle" ] || fail "ports not forwarding after up: $(echo "$idle" | head -n 3)"
	done
	[ "$n" -ge 3 ] || fail "expected cascaded bridges, found $n"
	"$VNETLAB" status vt-big | grep -q "switches in netns vl$id.sw .. $(echo "$all" | tail -n 1) ($k namespaces)" ||
		fail "status does not name the infra namespaces: $("$VNETLAB" status vt-big | head -n 1)"
	for h in h1 h1100 h1050; do
		"$VNETLAB" exec vt-big $h -- ip -o link show dev eth0 | grep -q ' state UP ' ||
			fail "$h:eth0 not operational after up"
	done
	can_ping vt-big h1 h1100 || fail "h1 cannot reach h1100 across leaf bridges"
	can_ping vt-big h1050 h3 || fail "h1050 cannot reach h3"
	# links on every leaf can be shaped by name, whatever namespace holds them
	"$VNETLAB" link vt-big h1100:eth0 set --in bw 5Mbit >/dev/null || fail "link set on a leaf"
	port=$("$VNETLAB" status vt-big --json |
		jq -r '.links[] | select(.endpoints[0] == "h1100:eth0") | .ends[1] | "\(.netns) \(.ifname)"')
	set -- $port
	echo "$all" | grep -qx "$1" || fail "h1100's switch end is in $1, not an infra namespace"
	ip -n "$1" link show dev "$2" >/dev/null || fail "no $2 in $1"
	tc -n "$1" qdisc show dev "$2" | grep -qE 'tbf|htb' ||
		fail "no rate limit on $2 in $1: $(tc -n "$1" qdisc show dev "$2")"
	vl down vt-big
	left=$(ip netns list | grep -c "^vl$id\." || true)
	[ "$left" -eq 0 ] || fail "$left infra namespaces left after down"
}
