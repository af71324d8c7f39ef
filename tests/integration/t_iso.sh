# Labs kept apart: two labs with management networks, one with NAT (so
# the host forwards), whose nodes cannot reach each other's unless both
# files say mgmt: lab-isolation: false, while each reaches its own nodes,
# its gateway and (with NAT) the outside; and host-services off, which
# keeps a lab's nodes off a listener of the test's own on the host's
# wildcard address (over IPv4 and the bridge's IPv6 link-local address)
# while ping of the gateway and the host's own traffic to the nodes pass.
# Nothing of either is left after down.

# Lab NAME on 10.213.NET.0/24, two nodes, and extra mgmt: lines.
iso_lab() {
	printf 'name: %s\nmgmt:\n  ipv4-subnet: 10.213.%s.0/24\n%stopology:\n  nodes:\n    n1: { kind: linux }\n    n2: { kind: linux }\n' \
		"$1" "$2" "${3:-}"
}

# What a lab with id leaves in the host: its bridge and ports, its table,
# its block of /etc/hosts (empty when nothing).
iso_left() {
	for id in "$@"; do
		ip -o link | grep -E "vl${id}m" | awk -F': ' '{print $2}'
		if command -v nft >/dev/null; then
			nft list table ip "vl${id}nat" >/dev/null 2>&1 && echo "table vl${id}nat"
		fi
	done
	grep -E 'VNETLAB-vt-iso' /etc/hosts
}

# An outside network only the host routes to, on a host link named like a
# VLAN interface ("vl..." but no lab's): 203.0.113.0/24 (TEST-NET-3).
iso_outside_up() {
	ip netns add vltest-isoout
	ip link add vlan4093 type veth peer name o1 netns vltest-isoout
	ip addr add 203.0.113.1/24 dev vlan4093
	ip link set vlan4093 up
	ip -n vltest-isoout addr add 203.0.113.2/24 dev o1
	ip -n vltest-isoout link set o1 up
}
iso_outside_down() {
	ip link del vlan4093 2>/dev/null
	ip netns del vltest-isoout 2>/dev/null
}

# One ping (the negative checks: a dropped packet never comes back).
iso_ping1() { "$VNETLAB" exec "$1" "$2" -- ping -c1 -W2 -q "$3" >/dev/null 2>&1; }

test_iso_labs_apart_while_the_host_forwards() {
	f=$(mktemp -d)
	iso_lab vt-isoa 40 >"$f/a.clab.yml"
	iso_lab vt-isob 41 >"$f/b.clab.yml"
	iso_outside_up
	trap 'iso_outside_down; rm -rf "$f"' EXIT
	vl up -f "$f/a.clab.yml" --nat -q
	vl up -f "$f/b.clab.yml" -q
	ida=$(vl status vt-isoa --json | jq -r .id)
	idb=$(vl status vt-isob --json | jq -r .id)
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	iso=$(vl status vt-isoa --json | jq -r .mgmt.lab_isolation)
	ok=1
	# each lab's own nodes, its gateway, the host, and (A's NAT) the outside
	can_ping vt-isoa n1 10.213.40.3 || ok=2
	can_ping vt-isob n1 10.213.41.3 || ok=3
	can_ping vt-isoa n1 10.213.40.1 || ok=4
	can_ping vt-isob n2 10.213.41.1 || ok=5
	ping -c1 -W2 -q 10.213.41.2 >/dev/null || ok=6
	can_ping vt-isoa n2 203.0.113.2 || ok=7
	# not each other's, either way
	a2b=0 b2a=0
	iso_ping1 vt-isoa n1 10.213.41.2 && a2b=1
	iso_ping1 vt-isob n1 10.213.40.2 && b2a=1
	"$VNETLAB" exec vt-isoa n1 -- timeout 3 bash -c 'exec 3<>/dev/tcp/10.213.41.2/22' 2>/dev/null &&
		a2b=2
	vl down vt-isoa vt-isob >/dev/null
	iso_outside_down
	rm -rf "$f"
	trap - EXIT
	expect_eq "$fwd" 1 "forwarding while a NAT lab is up"
	[ $ok = 1 ] || fail "a lab's own reachability (case $ok)"
	expect_eq "$a2b" 0 "lab A's node reached lab B's"
	expect_eq "$b2a" 0 "lab B's node reached lab A's"
	expect_eq "$iso" true "state.json's mgmt.lab_isolation"
	expect_eq "$(iso_left "$ida" "$idb")" "" "left after down"
}

test_iso_labs_meet_only_when_both_files_say_so() {
	f=$(mktemp -d)
	trap 'rm -rf "$f"' EXIT
	open='  lab-isolation: false\n'
	iso_lab vt-isoa 40 "$(printf "$open")
" >"$f/a.clab.yml"
	iso_lab vt-isob 41 "$(printf "$open")
" >"$f/b.clab.yml"
	iso_lab vt-isob 41 >"$f/b-closed.clab.yml"
	vl up -f "$f/a.clab.yml" --nat -q
	vl up -f "$f/b.clab.yml" -q
	ida=$(vl status vt-isoa --json | jq -r .id)
	idb=$(vl status vt-isob --json | jq -r .id)
	iso=$(vl status vt-isob --json | jq -r .mgmt.lab_isolation)
	both=0
	can_ping vt-isoa n1 10.213.41.2 && both=$((both + 1))
	can_ping vt-isob n1 10.213.40.2 && both=$((both + 1))
	vl down vt-isob >/dev/null
	# A open, B not: B's table keeps them apart, both ways
	vl up -f "$f/b-closed.clab.yml" -q
	idb2=$(vl status vt-isob --json | jq -r .id)
	one=0
	iso_ping1 vt-isoa n1 10.213.41.2 && one=1
	iso_ping1 vt-isob n1 10.213.40.2 && one=2
	vl down vt-isoa vt-isob >/dev/null
	expect_eq "$iso" false "state.json's mgmt.lab_isolation"
	expect_eq "$both" 2 "labs whose files both say lab-isolation: false, both ways"
	expect_eq "$one" 0 "a lab open beside a closed one reached it"
	expect_eq "$(iso_left "$ida" "$idb" "$idb2")" "" "left after down"
}

# A listener on the host's wildcard address (IPv4 and IPv6), on a port of
# its choosing, written to $1.
iso_listen() {
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 0))
s.listen(16)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    c.sendall(b"host\n")
    c.close()
' "$1" &
	for _ in $(seq 1 100); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# Can node n1 of lab $1 open a connection to $2 (an address) port $3?
iso_connects() {
	"$VNETLAB" exec "$1" n1 -- timeout 5 bash -c "exec 3<>/dev/tcp/$2/$3 && head -1 <&3" 2>/dev/null |
		grep -q '^host$'
}

# What n1 of lab $1 reaches on the host: "v4 v6 ping" as 1/0 each, and
# whether the host pings n1 and its bridge $2 has IPv6 (a node that sets
# itself an address reaches the bridge's link-local one).
iso_host_reach() {
	local v4=0 v6=0 gw=0 back=0 ll
	iso_connects "$1" 10.213.40.1 "$port" && v4=1
	ll=$(ip -6 -o addr show dev "$2" scope link | awk '{print $4}' | cut -d/ -f1)
	if [ -n "$ll" ]; then
		"$VNETLAB" exec "$1" n1 -- ip -6 addr add fe80::77/64 dev eth0 nodad
		# (until the bridge's address is through duplicate detection)
		for _ in 1 2 3 4 5; do
			iso_connects "$1" "$ll%eth0" "$port" && v6=1 && break
			sleep 1
		done
	fi
	can_ping "$1" n1 10.213.40.1 && gw=1
	ping -c1 -W2 -q 10.213.40.2 >/dev/null && back=1
	echo "v4=$v4 v6=$v6 ping-gw=$gw host-pings=$back ipv6-on-bridge=$([ -n "$ll" ] && echo 1 || echo 0)"
}

test_iso_host_services_off_keeps_nodes_off_the_host() {
	f=$(mktemp -d)
	iso_lab vt-isoa 40 >"$f/a.clab.yml"
	iso_lab vt-isoa 40 '  host-services: false
' >"$f/a-off.clab.yml"
	iso_listen "$f/port" || fail "no listener"
	lp=$!
	trap 'kill $lp 2>/dev/null; rm -rf "$f"' EXIT
	port=$(cat "$f/port")
	ids=""
	vl up -f "$f/a.clab.yml" -q
	id=$(vl status vt-isoa --json | jq -r .id)
	ids="$ids $id"
	on=$(iso_host_reach vt-isoa "vl${id}mgmt")
	vl down vt-isoa >/dev/null
	vl up -f "$f/a.clab.yml" --host-services off -q
	id=$(vl status vt-isoa --json | jq -r .id)
	ids="$ids $id"
	hs=$(vl status vt-isoa --json | jq -r .mgmt.host_services)
	off=$(iso_host_reach vt-isoa "vl${id}mgmt")
	vl down vt-isoa >/dev/null
	vl up -f "$f/a-off.clab.yml" -q
	id=$(vl status vt-isoa --json | jq -r .id)
	ids="$ids $id"
	file=$(iso_host_reach vt-isoa "vl${id}mgmt")
	vl down vt-isoa >/dev/null
	# the switch is about the management network: none, no switch
	out=$("$VNETLAB" up --topo single,1 --name vt-isox --host-services off 2>&1) &&
		"$VNETLAB" down vt-isox >/dev/null
	kill $lp
	rm -rf "$f"
	trap - EXIT
	expect_eq "$on" "v4=1 v6=1 ping-gw=1 host-pings=1 ipv6-on-bridge=1" "host services on (the default)"
	expect_eq "$hs" false "state.json's mgmt.host_services"
	expect_eq "$off" "v4=0 v6=0 ping-gw=1 host-pings=1 ipv6-on-bridge=0" "--host-services off"
	expect_eq "$file" "v4=0 v6=0 ping-gw=1 host-pings=1 ipv6-on-bridge=0" "mgmt: host-services: false"
	echo "$out" | grep -q -- '--host-services concerns the management network' ||
		fail "--host-services without a management network: $out"
	# shellcheck disable=SC2086
	expect_eq "$(iso_left $ids)" "" "left after down"
}
