# vnetlab mn: Mininet's mn command line (its options, parameters and tests)
# on a lab named mn, down when mn returns.

test_mn_tests_topologies_and_links() {
	out=$("$VNETLAB" mn --topo tree,depth=2,fanout=2 --switch ovsk --controller default --test pingall 2>&1) ||
		fail "mn --test pingall: $out"
	case $out in *"*** Adding hosts:"*"h1 h2 h3 h4"*"*** Results: 0% dropped (12/12 received)"*) ;;
	*) fail "mn --topo tree,depth=2,fanout=2 --test pingall said: $out" ;; esac
	# 64 hosts on one segment: 4,032 neighbours in the kernel's one table
	# (up raises its limit while the lab needs it), every pair answered
	out=$("$VNETLAB" mn --topo tree,depth=2,fanout=8 --test pingall 2>&1) || fail "tree,2,8: $out"
	case $out in *"*** Results: 0% dropped (4032/4032 received)"*) ;;
	*) fail "tree,depth=2,fanout=8 pingall: $(echo "$out" | tail -n 2)" ;; esac
	# Mininet's defaults where a parameter is left out: tree,fanout=3 is depth 1
	out=$("$VNETLAB" mn --topo tree,fanout=3 --test pingall 2>&1) || fail "tree,fanout=3: $out"
	case $out in *"(6/6 received)"*) ;; *) fail "tree,fanout=3 is not 3 hosts: $out" ;; esac
	out=$("$VNETLAB" mn --topo linear,k=2 --switch lxbr --controller none --link tc,bw=10 --test iperf 2>&1) ||
		fail "mn --link tc,bw=10 --test iperf: $out"
	rate=$(echo "$out" | sed -n "s/.*Results: \['\([0-9.]*\) Mbits.*/\1/p")
	awk -v r="$rate" 'BEGIN {exit !(r >= 8 && r <= 12)}' || fail "tc,bw=10 measured [$rate] Mbit/s: $out"
	# the CLI from stdin: --mac gives host k 00:00:00:00:00:0k
	out=$(printf 'h2 ip -o link show eth0\n' | "$VNETLAB" mn --topo single,3 --mac 2>&1) ||
		fail "mn's CLI from stdin: $out"
	case $out in *"00:00:00:00:00:02"*) ;; *) fail "--mac: h2 said $out" ;; esac
	[ -e /run/vnetlab/mn ] && fail "the mn lab is left"
	return 0
}

test_mn_says_what_it_cannot_do() {
	for args in "-x" "--controller remote,ip=192.0.2.1" "--cluster a,b" \
		"--topo bogus" "--topo tree,depth=2,color=red" "--switch quantum" "--host rt"; do
		# shellcheck disable=SC2086
		out=$("$VNETLAB" mn $args --test none 2>&1)
		expect_eq $? 2 "mn $args: a usage error"
		case $out in "vnetlab mn: "*) ;; *) fail "mn $args said: $out" ;; esac
	done
	case $("$VNETLAB" mn -x 2>&1) in *"vnetlab exec -t"*) ;; *) fail "-x does not say what to use" ;; esac
	# --custom runs mn in Python (the mininet package): a missing file is a usage error
	out=$("$VNETLAB" mn --custom no-such-topo.py --test none 2>&1)
	expect_eq $? 2 "mn --custom of a missing file"
	case $out in "vnetlab mn: --custom no-such-topo.py: could not find custom file"*) ;; *) fail "--custom missing: $out" ;; esac
	expect_eq "$("$VNETLAB" mn --version)" "2.3.0 (vnetlab $("$VNETLAB" version | awk '{print $2}'))" "--version"
	# -c: the mn lab down (one left by a killed mn), then clean
	vl up --topo single,2 --name mn -q
	"$VNETLAB" mn -c >/dev/null 2>&1 || fail "mn -c"
	[ -e /run/vnetlab/mn ] && fail "mn -c left the mn lab"
	return 0
}
