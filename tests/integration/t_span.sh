# One lab over several hosts (up --hosts): each simulated host
# (scripts/simhosts.sh, a set of the test's own) builds its part, links
# across hosts are VXLAN at the MTU the underlay carries, exec, status and
# down reach every part, over ssh and over Slurm; bad input changes nothing.

span_sim() {
	VNETLAB_SIM_DIR=/run/vt-simspan VNETLAB_SIM_LINKS=vtsp VNETLAB_SIM_PORT=16951 \
		scripts/simhosts.sh "$@"
}
span_ssh() { ssh -F /run/vt-simspan/ssh/config "$@"; }
SPAN_DATA=tests/integration/span

span_start() {
	unshare --net --mount --uts --ipc --pid --cgroup --fork true 2>/dev/null ||
		skip "the kernel cannot make network, mount, UTS, IPC, pid and cgroup namespaces here"
	span_sim down >/dev/null 2>&1
	span_sim up 3 --subnet 198.18.13.0/24 >/dev/null || fail "simhosts up 3"
	trap 'for l in vt-pair vt-slurm vt-dup vt-few vt-kill vt-spanvm; do "$VNETLAB" down $l >/dev/null 2>&1; done; span_sim down >/dev/null 2>&1' EXIT
	export VNETLAB_SSH_CONFIG=/run/vt-simspan/ssh/config
}

# Nothing of any lab on any host, nor on the machine.
span_nothing_left() {
	for n in 1 2 3; do
		left=$(span_ssh "sim$n" "ls /run/netns; ls /run/vnetlab | grep -v '^\.'; ip -o link | grep -v -e ' lo:' -e ' eth0@'; ls /sys/fs/cgroup/vnetlab 2>/dev/null")
		expect_eq "$left" "" "sim$n: left after $1"
	done
	# (another vnetlab's ssh connections may be there: not this test's)
	expect_eq "$(ls /run/vnetlab /run/vnetlab/.span 2>/dev/null | grep vt- || true)" "" \
		"the machine's /run/vnetlab after $1"
}

span_end() {
	span_sim down >/dev/null || fail "simhosts down"
	trap - EXIT
}

test_span_ssh_pair_mtu_rate_down() {
	span_start
	# the file and what it names are carried: from a directory only the
	# machine has (a simulated host's /run is its own)
	rm -rf /run/vt-spancarry
	mkdir -p /run/vt-spancarry
	cp $SPAN_DATA/pair.clab.yml $SPAN_DATA/greeting.txt /run/vt-spancarry/
	json=$("$VNETLAB" up -f /run/vt-spancarry/pair.clab.yml --hosts ssh:sim1,sim2,sim3 --json) ||
		fail "up over 3 hosts: $json"
	rm -rf /run/vt-spancarry
	expect_eq "$("$VNETLAB" exec vt-pair c -- cat /tmp/vt-greeting)" \
		"hello from the planning host" "c's bind, carried to sim3"
	expect_eq "$(span_ssh sim1 ls /run/vt-spancarry | tr '\n' ' ')" "greeting.txt pair.clab.yml " \
		"sim1 got the file and what it names"
	expect_eq "$(echo "$json" | jq -r '[.cut, .mtu, (.hosts | length), .hosts[0].name] | join(" ")')" \
		"3 1450 3 sim1" "up's JSON: cut, MTU, hosts"
	st=$("$VNETLAB" status vt-pair --json) || fail "status over hosts"
	expect_eq "$(echo "$st" | jq -r '[.nodes.a, .nodes.b, .nodes.c, .nodes.sw] | join(" ")')" \
		"0 1 2 2" "each node's host"
	expect_eq "$(echo "$st" | jq -r '.hosts[1].part.part.host')" 1 "sim2 holds part 1"
	expect_eq "$("$VNETLAB" status --json | jq -r '.[] | select(.lab == "vt-pair") | "\(.state) \(.nodes) \(.n_hosts)"')" \
		"over hosts 3 3" "the labs here list it"
	# each node is on its own host, its link across hosts a VXLAN device
	expect_eq "$("$VNETLAB" exec vt-pair b -- hostname)" b "b's hostname"
	expect_eq "$(span_ssh sim2 ls /run/netns | grep -c -- '-b$')" 1 "b's namespace on sim2"
	info=$("$VNETLAB" exec vt-pair b -- ip -d -o link show eth2 2>/dev/null)
	case $info in *"mtu 1450 "*vxlan*"remote 198.18.13.1 local 198.18.13.2"*"dstport 14789 nolearning"*) ;;
	*) fail "b's eth2 is not the VXLAN to sim1 at MTU 1450: $info" ;; esac
	# names of every node resolve anywhere; across a switch on a third host
	"$VNETLAB" exec vt-pair a -- ping -c1 -W3 -q b >/dev/null || fail "a cannot reach b"
	"$VNETLAB" exec vt-pair a -- ping -c1 -W3 -q c >/dev/null || fail "a cannot reach c"
	# the largest unfragmented packet passes, one byte more does not
	"$VNETLAB" exec vt-pair a -- ping -c1 -W3 -M do -s 1422 -q b-eth2 >/dev/null ||
		fail "a DF ping of 1422 bytes (1450 on the wire) did not pass"
	"$VNETLAB" exec vt-pair a -- ping -c1 -W3 -M do -s 1423 -q b-eth2 >/dev/null 2>&1 &&
		fail "a DF ping of 1423 bytes passed a 1450 MTU"
	"$VNETLAB" exec vt-pair b -- ping -c1 -W3 -M do -s 1422 -q c >/dev/null ||
		fail "a DF ping of 1422 bytes through sim3's switch did not pass"
	# the 20 Mbit/s link across hosts
	"$VNETLAB" exec -d vt-pair b -- iperf -s >/dev/null || fail "iperf server on b"
	sleep 0.5
	bps=$("$VNETLAB" exec vt-pair a -- iperf -c b-eth2 -t 4 -y C | tail -1 | awk -F, '{print $NF}')
	mbit=$(awk -v b="$bps" 'BEGIN {printf "%.1f", b / 1e6}')
	awk -v m="$mbit" 'BEGIN {exit !(m >= 18 && m <= 21)}' ||
		fail "the 20 Mbit/s link across hosts measured $mbit Mbit/s"
	echo "20Mbit link across hosts: $mbit Mbit/s"
	# a link across hosts changed from here: each host shapes its own end
	"$VNETLAB" link vt-pair a:eth2 set --in bw 10Mbit >/dev/null || fail "link set across hosts"
	expect_eq "$("$VNETLAB" link --json vt-pair b:eth2 | jq -r '.out, .in')" "rate 10Mbit
rate 20Mbit" "b's view of the link after a's --in"
	case $("$VNETLAB" exec vt-pair b -- tc qdisc show dev eth2) in
	*"rate 10Mbit"*) ;; *) fail "b's end (on sim2) is not shaped to 10 Mbit/s" ;; esac
	# shell: Mininet's pingall across hosts; stats and graph of every part
	out=$("$VNETLAB" shell vt-pair -c pingall) || fail "shell pingall over hosts: $out"
	case $out in *"0% dropped (6/6 received)"*) ;; *) fail "pingall over hosts: $out" ;; esac
	expect_eq "$("$VNETLAB" stats vt-pair --json | jq -r '[.nodes[] | "\(.name)@\(.host)"] | sort | join(" ")')" \
		"a@sim1 b@sim2 c@sim3" "stats over hosts"
	case $("$VNETLAB" graph vt-pair) in *'label="b\n'*'\non sim2"'*) ;;
	*) fail "graph over hosts does not say b is on sim2" ;; esac
	vl down vt-pair
	span_nothing_left "down over ssh"
	[ -e /run/vnetlab/.span ] && fail "the lab's record is left"
	span_end
}

test_span_slurm_tree() {
	span_start
	export SLURM_CONF=/run/vt-simspan/slurm/slurm.conf
	# sim2 has a lab of its own, which the job's epilog leaves alone
	span_ssh sim2 "$VNETLAB up --topo single,2 --name vt-own -q" || fail "sim2's own lab"
	# a lab of 341 nodes (tree,4,4: 256 hosts), h1 and h256 on different hosts
	out=$(timeout 300 salloc -N3 --quiet sh -ec '
		"$VNETLAB" up --topo tree,4,4 --name vt-slurm --hosts slurm -q
		"$VNETLAB" status vt-slurm --json | jq -r ".hosts | map(.name) | join(\" \")"
		"$VNETLAB" status vt-slurm --json | jq -r "[.nodes.h1, .nodes.h256] | join(\" \")"
		"$VNETLAB" exec vt-slurm h1 -- ping -c1 -W3 -q h256 >/dev/null && echo reached
		ssh -F "$VNETLAB_SSH_CONFIG" sim2 "$VNETLAB down --slurm-job $SLURM_JOB_ID"
		ssh -F "$VNETLAB_SSH_CONFIG" sim2 "ls /run/vnetlab"
		"$VNETLAB" down vt-slurm 2>/dev/null' 2>&1) || fail "a lab over Slurm: $out"
	expect_eq "$out" "sim1 sim2 sim3
0 2
reached
vt-own" "over Slurm: hosts, a ping across, the epilog's down on sim2"
	# a lab left up when its allocation ends: each node's epilog takes its
	# part down (vnetlab down --slurm-job), down here forgets the record
	timeout 300 salloc -N3 --quiet "$VNETLAB" up --topo tree,2,2 --name vt-slurm --hosts slurm -q ||
		fail "up in an allocation that then ends"
	for i in $(seq 1 50); do
		left=$(for n in 1 2 3; do span_ssh "sim$n" "ls /run/vnetlab | grep -v vt-own"; done)
		[ -z "$left" ] && break
		sleep 0.2
	done
	expect_eq "$left" "" "the parts after the job's epilog"
	out=$("$VNETLAB" down vt-slurm 2>&1) || fail "down after the job ended: $out"
	case $out in *"Slurm job"*"has ended"*) ;; *) fail "down after the job ended said: $out" ;; esac
	span_ssh sim2 "$VNETLAB down vt-own" >/dev/null || fail "down sim2's own lab"
	span_nothing_left "down over Slurm"
	span_end
}

# $1: what the error must say; the rest: up's arguments.
span_refused() {
	want=$1
	shift
	out=$("$VNETLAB" up "$@" 2>&1) && fail "up $* was not refused"
	case $out in *"$want"*) ;; *) fail "up $*: said [$out], not [$want]" ;; esac
}

test_span_bad_input_changes_nothing() {
	span_start
	span_refused "host nosuch" --topo linear,3 --name vt-bad --hosts ssh:sim1,nosuch
	span_refused "node a: host 7" -f $SPAN_DATA/pin7.clab.yml --hosts ssh:sim1,sim2,sim3
	span_refused "MTU 9000" -f $SPAN_DATA/mtu9000.clab.yml --hosts ssh:sim1,sim2,sim3
	out=$(env -u SLURM_JOB_ID -u SLURM_JOB_NODELIST "$VNETLAB" up --topo linear,3 --hosts slurm 2>&1) &&
		fail "--hosts slurm outside an allocation was not refused"
	case $out in *"needs an allocation"*) ;; *) fail "outside an allocation: $out" ;; esac
	span_nothing_left "refused ups"
	# a lab of the name up on one host: refused, naming it; that lab stays
	span_ssh sim2 "$VNETLAB up --topo single,2 --name vt-dup -q" || fail "a lab on sim2"
	span_refused "host sim2: lab vt-dup is already up" --topo linear,3 --name vt-dup \
		--hosts ssh:sim1,sim2,sim3
	expect_eq "$(span_ssh sim2 "$VNETLAB exec vt-dup h1 -- ping -c1 -W2 -q h2 >/dev/null && echo ok")" \
		ok "sim2's own lab after the refused up"
	span_ssh sim2 "$VNETLAB down vt-dup" >/dev/null || fail "down sim2's lab"
	span_nothing_left "a refused up beside another lab"
	# up told to stop while the hosts build: they finish, then every part goes
	"$VNETLAB" up --topo linear,3 --name vt-kill --hosts ssh:sim1,sim2,sim3 -q >/tmp/vt-span-term.$$ 2>&1 &
	sleep 0.5
	kill -TERM $! 2>/dev/null
	wait $!
	rc=$?
	out=$(cat /tmp/vt-span-term.$$)
	rm -f /tmp/vt-span-term.$$
	[ $rc -ne 0 ] && case $out in *interrupted*) ;; *) false ;; esac ||
		[ $rc -eq 0 ] || fail "up told to stop: exit $rc, said: $out"
	[ $rc -eq 0 ] && vl down vt-kill >/dev/null # it had finished
	span_nothing_left "an up told to stop"
	# the planning host's up killed: the parts are found by down --hosts
	"$VNETLAB" up --topo linear,3 --name vt-kill --hosts ssh:sim1,sim2,sim3 -q >/dev/null 2>&1 &
	sleep 0.7
	kill -9 $! 2>/dev/null
	wait 2>/dev/null
	sleep 2
	"$VNETLAB" down --hosts ssh:sim1,sim2,sim3 vt-kill >/dev/null || fail "down --hosts"
	span_nothing_left "a killed up's down --hosts"
	# more hosts than nodes: fewer used, said
	out=$("$VNETLAB" up --topo linear,1 --name vt-few --hosts ssh:sim1,sim2,sim3 2>&1) ||
		fail "up of 2 nodes over 3 hosts: $out"
	case $out in *"3 hosts for 2 nodes"*"over 2 hosts"*) ;; *) fail "more hosts than nodes: $out" ;; esac
	vl down vt-few >/dev/null
	span_nothing_left "a lab on fewer hosts"
	span_end
}

# Guests over hosts: each host boots its own (clones of its template); a
# guest's MAC comes from the file's node index, the same on every host, so
# two hosts' first guests are not one MAC on the wire.
test_span_vm_guests_across_hosts() {
	need_vm
	span_start
	vl up --topo linear,2 --backend vm --name vt-spanvm --hosts ssh:sim1,sim2 -q
	expect_eq "$("$VNETLAB" status vt-spanvm --json | jq -r '[.nodes.h1, .nodes.h2] | join(" ")')" \
		"0 1" "a guest on each host"
	expect_eq "$("$VNETLAB" exec vt-spanvm h2 -- cat /proc/1/cmdline | tr '\0' ' ')" "/init " \
		"h2 is a guest (our agent its PID 1)"
	"$VNETLAB" exec vt-spanvm h1 -- ping -c1 -W3 -M do -s 1422 h2 >/dev/null ||
		fail "guest h1 cannot reach guest h2 across hosts at the largest size"
	m1=$("$VNETLAB" exec vt-spanvm h1 -- cat /sys/class/net/eth0/address)
	m2=$("$VNETLAB" exec vt-spanvm h2 -- cat /sys/class/net/eth0/address)
	[ "$m1" != "$m2" ] || fail "both guests have MAC $m1"
	vl down vt-spanvm
	span_nothing_left "a lab of guests over hosts"
	span_end
}
