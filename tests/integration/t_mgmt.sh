# containerlab's management network: each node's eth0 on a bridge of the
# lab's in the host's namespace, the host reaching the nodes by address and
# by the names it writes into /etc/hosts, NAT out only when asked (tested
# against an "outside" namespace of the test's own, which only the host
# routes to), and nothing of it left after down or a failed up.

# The host's /etc/hosts, nftables tables and forwarding, to compare after.
host_state() {
	md5sum </etc/hosts
	nft list tables 2>/dev/null
	cat /proc/sys/net/ipv4/ip_forward
}

test_mgmt_network_reaches_every_node_by_name() {
	before=$(host_state)
	vl up -f tests/integration/mgmt.clab.yml -q
	id=$(vl status vt-mgmt --json | jq -r .id)
	br=vl${id}mgmt
	ip -br addr show "$br" | grep -q '10.213.7.1/24' || fail "the bridge: $(ip -br addr show "$br")"
	expect_eq "$(vl status vt-mgmt --json | jq -r '.mgmt.ipv4_subnet')" 10.213.7.0/24 "subnet"
	expect_eq "$(vl status vt-mgmt --json | jq -r '.nodes[] | select(.name=="a") | .mgmt_ipv4')" \
		10.213.7.50 "a's mgmt-ipv4"
	expect_eq "$(vl exec vt-mgmt b -- ip -4 -br addr show eth0 | awk '{print $3}')" 10.213.7.2/24 \
		"b's address, the first free one"
	"$VNETLAB" exec vt-mgmt c -- ip link show eth0 >/dev/null 2>&1 && fail "c (network-mode: none) has an eth0"
	# the host's names, in a block of the lab's
	grep -q '^###### VNETLAB-vt-mgmt-START ######$' /etc/hosts || fail "no block in /etc/hosts"
	expect_eq "$(getent hosts clab-vt-mgmt-a | awk '{print $1}')" 10.213.7.50 "clab-vt-mgmt-a"
	ping -c1 -W2 -q clab-vt-mgmt-b >/dev/null || fail "the host cannot ping clab-vt-mgmt-b"
	ping -c1 -W2 -q 10.213.7.50 >/dev/null || fail "the host cannot ping a"
	# the nodes reach each other by name over it (no data addresses here)
	can_ping vt-mgmt a b || fail "a cannot ping b by name"
	can_ping vt-mgmt b clab-vt-mgmt-a || fail "b cannot ping clab-vt-mgmt-a"
	expect_eq "$(vl exec vt-mgmt a -- ip route show default)" \
		"default via 10.213.7.1 dev eth0 proto static " "a's default route"
	vl down vt-mgmt >/dev/null
	ip link show "$br" >/dev/null 2>&1 && fail "bridge $br left"
	[ -z "$(ip -o link | grep "vl${id}m")" ] || fail "ports left: $(ip -o link | grep "vl${id}m")"
	expect_eq "$(host_state)" "$before" "/etc/hosts, nftables and forwarding after down"
}

test_mgmt_default_subnet_moves_aside_for_a_second_lab() {
	f=$(mktemp -d)
	printf 'topology:\n  nodes:\n    n1: { kind: linux }\n' >"$f/one.clab.yml"
	vl up -f "$f/one.clab.yml" --name vt-mg1 -q
	vl up -f "$f/one.clab.yml" --name vt-mg2 -q 2>/dev/null
	s1=$(vl status vt-mg1 --json | jq -r .mgmt.ipv4_subnet)
	s2=$(vl status vt-mg2 --json | jq -r .mgmt.ipv4_subnet)
	ok=1
	[ "$s1" != "$s2" ] || ok=0
	ping -c1 -W2 -q clab-vt-mg1-n1 >/dev/null || ok=2
	ping -c1 -W2 -q clab-vt-mg2-n1 >/dev/null || ok=3
	vl down vt-mg1 vt-mg2 >/dev/null
	rm -rf "$f"
	[ $ok = 1 ] || fail "two labs' management networks ($s1, $s2): case $ok"
	case $s1 in 172.20.2*.0/24) ;; *) fail "default subnet $s1" ;; esac
}

test_mgmt_for_generated_labs_beside_eth0() {
	vl up --topo linear,2 --name vt-mgt --mgmt 10.213.9.0/24 -q
	a=$(vl exec vt-mgt h1 -- ip -4 -br addr show mgmt0 | awk '{print $3}')
	d=$(vl exec vt-mgt h1 -- ip -4 -br addr show eth0 | awk '{print $3}')
	ok=1
	ping -c1 -W2 -q 10.213.9.2 >/dev/null || ok=0
	can_ping vt-mgt h1 h2 || ok=2
	vl down vt-mgt >/dev/null
	expect_eq "$a" 10.213.9.2/24 "h1's mgmt0"
	case $d in 10.*) ;; *) fail "h1's own eth0: $d" ;; esac
	[ $ok = 1 ] || fail "reachability (case $ok)"
}

# An outside network only the host routes to: 198.51.100.0/24 (TEST-NET-2)
# on a veth into a namespace of the test's own.
outside_up() {
	ip netns add vltest-out
	ip link add vltest-o0 type veth peer name o1 netns vltest-out
	ip addr add 198.51.100.1/24 dev vltest-o0
	ip link set vltest-o0 up
	ip -n vltest-out addr add 198.51.100.2/24 dev o1
	ip -n vltest-out link set o1 up
	ip -n vltest-out link set lo up
}
outside_down() {
	ip link del vltest-o0 2>/dev/null
	ip netns del vltest-out 2>/dev/null
}

test_nat_reaches_outside_only_when_asked() {
	command -v nft >/dev/null || skip "no nft program to look at the tables with"
	before=$(host_state)
	# a table of someone else's, which the lab must leave alone
	nft add table inet vltest_keep
	outside_up
	trap 'outside_down; nft delete table inet vltest_keep 2>/dev/null' EXIT
	vl up -f tests/integration/mgmt.clab.yml -q
	id=$(vl status vt-mgmt --json | jq -r .id)
	plain=0
	"$VNETLAB" exec vt-mgmt a -- ping -c1 -W1 -q 198.51.100.2 >/dev/null 2>&1 && plain=1
	vl down vt-mgmt >/dev/null
	expect_eq "$plain" 0 "outside reached without --nat"

	vl up -f tests/integration/mgmt.clab.yml --nat -q
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	table=$(nft list table ip "vl${id}nat" 2>&1)
	natted=0
	can_ping vt-mgmt a 198.51.100.2 && natted=1
	# the outside saw the host's address, not the node's
	seen=$(ip netns exec vltest-out ip neigh show dev o1 | awk '{print $1}' | sort -u | tr '\n' ' ')
	vl down vt-mgmt >/dev/null
	expect_eq "$fwd" 1 "forwarding while the lab is up"
	echo "$table" | grep -q 'ip saddr 10.213.7.0/24 ip daddr != 10.213.7.0/24 masquerade' ||
		fail "the lab's table: $table"
	expect_eq "$natted" 1 "outside reached with --nat"
	expect_eq "$seen" "198.51.100.1 " "neighbours of the outside"
	nft list table inet vltest_keep >/dev/null 2>&1 || fail "another table was touched"
	nft list table ip "vl${id}nat" >/dev/null 2>&1 && fail "the lab's table left"
	nft delete table inet vltest_keep
	outside_down
	trap - EXIT
	expect_eq "$(host_state)" "$before" "/etc/hosts, nftables and forwarding after down"
}

test_failed_up_leaves_no_bridge_hosts_entry_or_table() {
	before=$(host_state)
	# every step up to the lab's state: each failure undoes what was made
	for k in $(seq 1 30); do
		out=$(VNETLAB_FAIL_AT=$k "$VNETLAB" up -f tests/integration/mgmt.clab.yml --nat -q 2>&1)
		if [ $? -eq 0 ]; then
			vl down vt-mgmt >/dev/null
			break
		fi
		echo "$out" | grep -q "injected failure at step $k" || fail "k=$k: $out"
		[ -z "$(ip -o link | grep -E 'vl[0-9a-f]{4}m')" ] ||
			fail "k=$k: $(ip -o link | grep -E 'vl[0-9a-f]{4}m')"
		expect_eq "$(host_state)" "$before" "k=$k: the host's files, tables and forwarding"
	done
	[ "$k" -gt 3 ] || fail "up succeeded at step $k already"
}

test_host_and_mgmt_net_links() {
	before=$(host_state)
	vl up -f tests/integration/hostlinks.clab.yml -q
	id=$(vl status vt-hl --json | jq -r .id)
	ok=1
	# a's eth1 ends in the host as hltest-a1, up, with the file's MAC at a's end
	ip -br link show hltest-a1 | grep -q UP || ok=2
	expect_eq "$(vl exec vt-hl a -- ip -br link show eth1 | awk '{print $3}')" 02:00:00:00:aa:01 "a's eth1 MAC"
	ip addr add 198.51.100.65/24 dev hltest-a1 || ok=3
	ping -c1 -W2 -q 198.51.100.66 >/dev/null || ok=4
	# b's eth1 is a port of the management bridge: the host reaches it there
	ip -o link show master "vl${id}mgmt" | grep -q 'vt-hl-b1@' || ok=5
	ping -c1 -W2 -q 10.213.8.200 >/dev/null || ok=6
	vl down vt-hl >/dev/null
	ip link show hltest-a1 >/dev/null 2>&1 && fail "the host link's end is left"
	ip link show vt-hl-b1 >/dev/null 2>&1 && fail "the mgmt-net link's end is left"
	[ $ok = 1 ] || fail "host and mgmt-net links (case $ok)"
	expect_eq "$(host_state)" "$before" "/etc/hosts, nftables and forwarding after down"
}

test_dummy_link_where_the_kernel_has_dummy_devices() {
	f=$(mktemp -d)
	printf 'name: vt-dm\ntopology:\n  nodes:\n    a: { kind: linux }\n  links:\n    - type: dummy\n      endpoint: { node: a, interface: dum0 }\n' >"$f/dm.clab.yml"
	if ip link add vltest-dm type dummy 2>/dev/null; then
		ip link del vltest-dm
		vl up -f "$f/dm.clab.yml" -q
		kind=$(vl exec vt-dm a -- ip -d -o link show dum0)
		vl down vt-dm >/dev/null
		rm -rf "$f"
		echo "$kind" | grep -q 'dummy' || fail "dum0 is not a dummy: $kind"
	else
		# no dummy devices here: up says so and leaves nothing
		out=$("$VNETLAB" up -f "$f/dm.clab.yml" -q 2>&1)
		rc=$?
		rm -rf "$f"
		expect_eq "$rc" 1 "up of a dummy link on a kernel without dummy devices"
		echo "$out" | grep -q 'dummy link dum0: this kernel has no dummy devices' || fail "$out"
	fi
}
