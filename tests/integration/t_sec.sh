# Never touch what is not the lab's: forged state files, mounts under the
# lab's directory, host settings shared by labs, interrupted downs, and who
# may read a lab's state. Victims (namespaces, processes, files) are made
# by the tests themselves and removed by them.

# A namespace of someone else's with a process in it: prints the pid.
victim_ns() {
	ip netns add "$1" || fail "ip netns add $1"
	ip netns exec "$1" sleep 600 >/dev/null 2>&1 &
	echo $!
}

test_forged_journal_records_are_never_acted_on() {
	vpid=$(victim_ns vtvictim)
	sleep 600 >/dev/null 2>&1 &
	hpid=$!
	vl up --topo single,2 --name vt-forge -q
	vl up --topo single,2 --name vt-other -q
	id=$(cat /run/vnetlab/vt-forge/id)
	oid=$(cat /run/vnetlab/vt-other/id)
	# tagged like ours, but bound to the host's own namespace
	touch "/run/netns/vl$id-evil"
	mount --bind /proc/self/ns/net "/run/netns/vl$id-evil" || fail "bind the host's netns"
	{
		echo "netns vtvictim"
		echo "netns vl$id-../../proc/1/ns/net"
		echo "netns vl$id-evil"
		echo "netns vl$oid-h1" # the other lab's
		echo "cgroup v1 vnetlab/vt-other"
		echo "mount /run/vnetlab/vt-other/files"
		echo "sysctl net/ipv4/ip_forward 0 1"
		echo "not a record at all"
	} >>/run/vnetlab/vt-forge/journal
	out=$("$VNETLAB" down vt-forge 2>&1) || fail "down failed: $out"
	echo "$out" | grep -q "netns vtvictim) names what is not the lab's" ||
		fail "the forged record was not reported: $out"
	alive "$vpid" || fail "down killed a process of a namespace that is not the lab's"
	alive "$hpid" || fail "down killed a process of the host's namespace"
	ip netns | grep -q '^vtvictim' || fail "down removed a namespace that is not the lab's"
	can_ping vt-other h1 h2 || fail "down of one lab broke another"
	umount "/run/netns/vl$id-evil" 2>/dev/null
	rm -f "/run/netns/vl$id-evil"
	kill "$vpid" "$hpid"
	ip netns del vtvictim
	vl down vt-other
}

test_a_lab_claiming_another_labs_id_touches_nothing() {
	vl up --topo single,2 --name vt-thief -q
	vl up --topo single,2 --name vt-owner -q
	own=$(cat /run/vnetlab/vt-thief/id)
	cp /run/vnetlab/vt-owner/id /run/vnetlab/vt-thief/id
	out=$("$VNETLAB" down vt-thief 2>&1)
	echo "$out" | grep -q "both claim the id" || fail "the shared id was not reported: $out"
	oid=$(cat /run/vnetlab/vt-owner/id)
	ip netns exec "vl$oid-h1" ping -c1 -W2 -q 10.0.0.2 >/dev/null 2>&1 ||
		ip netns exec "vl$oid-h1" ping -c1 -W2 -q 10.0.0.2 >/dev/null 2>&1 ||
		fail "a lab with a forged id took another lab's nodes"
	# while two labs claim one id, neither is acted on through it
	out=$("$VNETLAB" exec vt-owner h1 -- true 2>&1) && fail "exec acted on a lab whose id is claimed twice"
	echo "$out" | grep -q "both claim the id" || fail "unclear refusal of exec: $out"
	# given its own id back, its namespaces go
	printf '%s' "$own" >/run/vnetlab/vt-thief/id
	vl down vt-thief
	ip netns | grep -q "^vl$own-" && fail "the lab's namespaces are left"
	vl down vt-owner
}

test_link_refuses_a_forged_link_end() {
	vpid=$(victim_ns vtvictim)
	ip -n vtvictim link set lo up
	vl up --topo single,2 --name vt-lk -q
	id=$(cat /run/vnetlab/vt-lk/id)
	st=/run/vnetlab/vt-lk/state.json
	for end in '{"netns":"vtvictim","ifname":"lo"}' \
		"{\"netns\":\"vl$id-h2\",\"ifname\":\"eth0\"}" \
		"{\"netns\":\"vl$id-h1\",\"ifname\":\"lo\"}"; do
		jq --argjson e "$end" '.links[0].ends[0] = $e' "$st" >"$st.new" && mv "$st.new" "$st"
		out=$("$VNETLAB" link vt-lk h1:eth0 down 2>&1) && fail "link down acted on $end"
		echo "$out" | grep -q "not the lab's own" || fail "unclear refusal for $end: $out"
		"$VNETLAB" link vt-lk h1:eth0 set bw 10Mbit >/dev/null 2>&1 && fail "link set acted on $end"
	done
	ip -n vtvictim -o link show lo | grep -q 'LOOPBACK,UP' || fail "the victim's lo was changed"
	tc -n vtvictim qdisc show dev lo | grep -q tbf && fail "a qdisc was put on the victim's lo"
	vl exec vt-lk h1 -- ip -o link show lo | grep -q 'LOOPBACK,UP' || fail "h1's lo was changed"
	kill "$vpid"
	ip netns del vtvictim
	vl down vt-lk
}

test_down_never_deletes_through_a_mount() {
	# the source on the same file system as the lab's directory
	src=/run/vt-precious
	mkdir -p "$src/sub" && echo keep >"$src/sub/file"
	vl up --topo single,1 --name vt-bind -q
	mkdir /run/vnetlab/vt-bind/bound
	mount --bind "$src" /run/vnetlab/vt-bind/bound || fail "bind mount"
	out=$("$VNETLAB" down vt-bind 2>&1) && fail "down removed a tree with a mount in it"
	echo "$out" | grep -q "a mount point, not removed" || fail "unclear: $out"
	[ "$(cat "$src/sub/file" 2>/dev/null)" = keep ] || fail "down deleted through the bind mount"
	"$VNETLAB" status | grep -q 'vt-bind.*incomplete' || fail "status does not say the down did not finish"
	umount /run/vnetlab/vt-bind/bound
	vl down vt-bind
	[ -e /run/vnetlab/vt-bind ] && fail "lab directory left"
	[ "$(cat "$src/sub/file")" = keep ] || fail "the source changed"
	rm -r "$src"
}

backlog() { cat /proc/sys/net/core/netdev_max_backlog; }

test_host_setting_put_back_by_the_last_lab_that_needs_it() {
	[ -w /proc/sys/net/core/netdev_max_backlog ] || skip "no net.core.netdev_max_backlog to tune"
	host=$(backlog)
	[ "$host" -lt 1500 ] || skip "the host's netdev_max_backlog ($host) is already large"
	# a big lab raises it, a small one needs nothing: the big one's down puts it back
	vl up --topo single,300 --name vt-big -q 2>/dev/null
	raised=$(backlog)
	[ "$raised" -gt "$host" ] || fail "not raised for a 300-port segment: $raised"
	vl up --topo single,3 --name vt-small -q
	vl down vt-big
	expect_eq "$(backlog)" "$host" "after the lab that needed it went"
	vl down vt-small
	expect_eq "$(backlog)" "$host" "after both"
	# two labs that need it: the first down keeps it, the last puts it back
	vl up --topo single,300 --name vt-big -q 2>/dev/null
	vl up --topo single,260 --name vt-big2 -q 2>/dev/null
	vl down vt-big
	[ "$(backlog)" -ge 1520 ] || fail "lowered under a lab that still needs it: $(backlog)"
	vl down vt-big2
	expect_eq "$(backlog)" "$host" "after the last lab that needed it"
	# a lab that died without down: clean puts it back
	vl up --topo single,300 --name vt-big -q 2>/dev/null
	rm /run/vnetlab/vt-big/state.json
	vl clean >/dev/null
	expect_eq "$(backlog)" "$host" "after clean of a lab that died"
	# someone else set it meanwhile: theirs stays
	vl up --topo single,300 --name vt-big -q 2>/dev/null
	echo 4321 >/proc/sys/net/core/netdev_max_backlog
	vl down vt-big
	expect_eq "$(backlog)" 4321 "a value set by someone else"
	echo "$host" >/proc/sys/net/core/netdev_max_backlog
}

test_interrupted_down_is_incomplete_and_clean_finishes_it() {
	vl up --topo single,400 --name vt-half -q 2>/dev/null
	"$VNETLAB" down vt-half &
	pid=$!
	for _ in $(seq 1 500); do
		n=$(ls /run/netns | grep -c -- '-h' || true)
		[ "$n" -lt 390 ] && break
		sleep 0.01
	done
	kill -9 $pid
	wait $pid 2>/dev/null
	[ -e /run/vnetlab/vt-half ] || skip "down finished before it could be killed"
	"$VNETLAB" status | grep -q 'vt-half.*incomplete' || fail "status: $("$VNETLAB" status)"
	"$VNETLAB" status vt-half | grep -q 'its down did not finish' || fail "status of the lab does not say so"
	out=$("$VNETLAB" clean) || fail "clean failed: $out"
	echo "$out" | grep -q 'lab vt-half (its down did not finish)' || fail "clean: $out"
	[ -e /run/vnetlab/vt-half ] && fail "lab directory left"
	left=$(ip netns | grep -c '^vl' || true)
	expect_eq "$left" 0 "namespaces left after clean"
}

test_second_up_of_a_name_being_made_says_so() {
	"$VNETLAB" up --topo single,400 --name vt-race -q 2>/dev/null &
	pid=$!
	for _ in $(seq 1 500); do
		[ -e /run/vnetlab/vt-race/journal ] && break
		sleep 0.01
	done
	out=$("$VNETLAB" up --topo single,2 --name vt-race -q 2>&1) && fail "second up succeeded"
	wait $pid || fail "the first up failed"
	case $out in
	*"already up"*) skip "the first up finished before the second began" ;;
	*"being created by another vnetlab"*) ;;
	*) fail "the loser is told: $out" ;;
	esac
	echo "$out" | grep -q 'vnetlab down' && fail "the loser is told to take the winner's lab down: $out"
	vl down vt-race
}

test_a_labs_state_and_logs_are_roots_only() {
	vl up --topo single,2 --name vt-perm -q
	vl exec -d vt-perm h1 -- sh -c 'echo secret'
	sleep 0.3
	d=/run/vnetlab/vt-perm
	for f in "$d" "$d/logs" "$d/ns"; do
		m=$(stat -c %a "$f")
		case $m in 700 | 711) ;; *) fail "$f is $m" ;; esac
	done
	for f in "$d/state.json" "$d/id" "$d/journal" "$d/backend" $(ls "$d"/logs/* 2>/dev/null); do
		expect_eq "$(stat -c %a "$f")" 600 "mode of $f"
	done
	ls "$d"/logs/* >/dev/null 2>&1 || fail "no log of exec -d"
	# what nodes read stays readable in them, by every user
	vl exec vt-perm h1 -- su nobody -s /bin/sh -c 'cat /etc/hosts' | grep -q h2 ||
		fail "a node's users cannot read its /etc/hosts"
	if getent passwd nobody >/dev/null; then
		out=$(su nobody -s /bin/sh -c "'$VNETLAB' status" 2>&1) && fail "status as nobody read the labs"
		echo "$out" | grep -q "root's only" || fail "status as nobody says: $out"
		out=$(su nobody -s /bin/sh -c "'$VNETLAB' clean" 2>&1) && fail "clean as nobody succeeded"
		echo "$out" | grep -q "needs root" || fail "clean as nobody says: $out"
	fi
	vl down vt-perm
}

test_clean_leaves_a_foreign_namespace_with_processes_alone() {
	vpid=$(victim_ns vlfffc-h1)
	out=$("$VNETLAB" clean)
	echo "$out" | grep -q 'vlfffc-h1.*left alone' || fail "clean: $out"
	alive "$vpid" || fail "clean killed a process it cannot know is ours"
	ip netns | grep -q '^vlfffc-h1' || fail "clean removed it"
	out=$("$VNETLAB" clean --orphans)
	echo "$out" | grep -q 'removing network namespace vlfffc-h1' || fail "clean --orphans: $out"
	ip netns | grep -q '^vlfffc-h1' && fail "clean --orphans left it"
	for _ in $(seq 1 30); do alive "$vpid" || break; sleep 0.1; done
	alive "$vpid" && fail "clean --orphans left its process"
	return 0
}

test_inputs_that_cannot_work_are_refused_before_anything_is_made() {
	long=$(printf 'a%.0s' $(seq 300))
	out=$("$VNETLAB" up --topo single,1 --name "$long" 2>&1) && fail "up took a 300-character name"
	expect_eq "$out" "vnetlab: --name: a lab name of 300 characters: at most 63" "long name"
	ncpu=$(getconf _NPROCESSORS_ONLN)
	out=$("$VNETLAB" up --topo single,1 --name vt-cpus --cpuset "0-$ncpu" 2>&1) &&
		fail "up took a cpuset beyond the host's CPUs"
	echo "$out" | grep -q "names CPU $ncpu, which this host does not have online" ||
		fail "unclear cpuset refusal: $out"
	out=$("$VNETLAB" up --topo single,2 --name vt-pool --pool 224.0.0.0/4 2>&1) &&
		fail "up took a multicast pool"
	echo "$out" | grep -q "overlaps 224.0.0.0/4, multicast" || fail "unclear pool refusal: $out"
	[ -e /run/vnetlab/vt-cpus ] || [ -e /run/vnetlab/vt-pool ] && fail "a refused lab left state"
	# a FIFO with no writer and an endless device: refused at once
	d=$(mktemp -d)
	mkfifo "$d/t.yml"
	out=$(timeout 10 "$VNETLAB" plan -f "$d/t.yml" 2>&1)
	expect_eq $? 1 "plan -f FIFO exit status"
	expect_eq "$out" "vnetlab: $d/t.yml: a FIFO, not a regular file" "FIFO"
	out=$(timeout 10 "$VNETLAB" plan -f /dev/zero 2>&1)
	expect_eq "$out" "vnetlab: /dev/zero: a character device, not a regular file" "/dev/zero"
	rm -rf "$d"
}
