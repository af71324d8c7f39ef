# FRR routers in namespace nodes: containerlab's frr01 (three routers in a
# ring running OSPF, a PC on each) in its current and its older form.

frr_ready() { # LAB: every PC reaches the others' PCs, through OSPF (up to 60 s)
	for _ in $(seq 60); do
		"$VNETLAB" exec "$1" PC1 -- ping -c1 -W1 192.168.12.2 >/dev/null 2>&1 &&
			"$VNETLAB" exec "$1" PC1 -- ping -c1 -W1 192.168.13.2 >/dev/null 2>&1 &&
			"$VNETLAB" exec "$1" PC2 -- ping -c1 -W1 192.168.13.2 >/dev/null 2>&1 && return 0
		sleep 1
	done
	return 1
}

frr_lab() { # FILE LAB
	[ -x /usr/lib/frr/frrinit.sh ] || skip "FRR is not installed (Debian's frr)"
	d=$(mktemp -d)
	cp tests/integration/frr01/* "$d/"
	etc_before=$(cd /etc/frr && sha256sum -- * | sha256sum)
	vl up -f "$d/$1" >/dev/null 2>&1
	frr_ready "$2" || fail "the PCs do not reach each other: $("$VNETLAB" exec "$2" router1 -- vtysh -c 'show ip ospf neighbor' 2>&1)"
	for r in router1 router2 router3; do
		n=$(vl exec "$2" "$r" -- vtysh -c 'show ip ospf neighbor' | grep -c 'Full')
		expect_eq "$n" 2 "$r's OSPF neighbours in Full"
	done
	# the routes are OSPF's (the file gives the lab no addresses of vnetlab's)
	vl exec "$2" router1 -- ip route show 192.168.12.0/24 | grep -q 'proto ospf' ||
		fail "router1's route to PC2's subnet is not OSPF's: $(vl exec "$2" router1 -- ip route)"
	"$VNETLAB" exec "$2" PC1 -- ip -4 -br addr show eth1 | grep -q '^eth1.*192.168.11.2/24 *$' ||
		fail "PC1 has addresses the file did not ask for: $(vl exec "$2" PC1 -- ip -br addr)"
	# save: the running configuration, in containerlab's lab directory
	vl exec "$2" router2 -- vtysh -c 'conf t' -c 'router ospf' -c 'ospf router-id 10.10.10.22' >/dev/null
	out=$(vl save -f "$d/$1")
	echo "$out" | grep -q "^router2: saved to $d/clab-$2/router2/frr.conf$" || fail "save did not say where: $out"
	grep -q 'ospf router-id 10.10.10.22' "$d/clab-$2/router2/frr.conf" || fail "save: not the running config"
	# by the lab's name, into a directory of the caller's
	vl save "$2" --dir "$d/elsewhere" >/dev/null
	[ -s "$d/elsewhere/router3/frr.conf" ] || fail "save --dir wrote nothing"
	vl down "$2" >/dev/null
	# no FRR daemon of the lab is left (zombies the host's init has yet to reap aside)
	for _ in $(seq 30); do
		live=$(ps -eo stat=,comm= | awk '$1 !~ /Z/ && ($2 == "zebra" || $2 == "ospfd" || $2 == "watchfrr")')
		[ -z "$live" ] && break
		sleep 0.2
	done
	[ -z "$live" ] || fail "FRR daemons outlived the lab: $live"
	expect_eq "$(cd /etc/frr && sha256sum -- * | sha256sum)" "$etc_before" "the host's /etc/frr"
	rm -rf "$d"
}

test_frr01_current_form_groups_kind_frr_startup_config() {
	frr_lab frr01.clab.yml vt-frr01
	grep -q 'ospf router-id 10.10.10.2$' tests/integration/frr01/router2.conf ||
		fail "the startup-config was written to"
}

test_frr01_older_form_kind_linux_binds() {
	frr_lab frr01-old.clab.yml vt-frr01-old
}
