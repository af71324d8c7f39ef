# containerlab's node settings on namespace nodes: groups, exec, env, labels.

test_clab_exec_lines_run_in_order_with_env() {
	f=tests/integration/exec.clab.yml
	host_rp=$(sysctl -n net.ipv4.conf.all.rp_filter)
	vl up -f "$f" >/dev/null
	# the exec lines ran, in order, with env merged node > group > defaults
	expect_eq "$(vl exec vt-exec pc1 -- cat /tmp/who)" "group lab" "pc1's exec env"
	expect_eq "$(vl exec vt-exec pc2 -- cat /tmp/who)" "node lab" "pc2's exec env"
	"$VNETLAB" exec vt-exec pc1 -- ping -c1 -W2 192.168.77.2 >/dev/null ||
		fail "pc1 cannot reach the address pc2's exec line gave it"
	# sysctls are the node's: set in it, not on the host
	expect_eq "$(vl exec vt-exec pc2 -- sysctl -n net.ipv4.conf.all.rp_filter)" 2 "pc2's rp_filter"
	[ "$(sysctl -n net.ipv4.conf.all.rp_filter)" != 2 ] || [ "$host_rp" = 2 ] ||
		fail "the host's rp_filter changed"
	# binds: the host's files in the node, read-only where asked
	expect_eq "$(vl exec vt-exec pc1 -- cat /tmp/greeting)" "bound from the host" "a bound file"
	expect_eq "$(vl exec vt-exec pc1 -- ls /tmp/files)" greeting "a bound directory"
	"$VNETLAB" exec vt-exec pc1 -- sh -c 'echo x > /tmp/greeting' 2>/dev/null &&
		fail "a read-only bind was written"
	expect_eq "$(cat tests/integration/clab-files/greeting)" "bound from the host" "the host's file"
	# vnetlab exec has the node's env too
	expect_eq "$(vl exec vt-exec pc2 -- sh -c 'echo $WHO')" node "env for vnetlab exec"
	# labels are kept and shown
	expect_eq "$(vl status vt-exec --json | jq -c '[.nodes[] | .labels]')" \
		'[{"role":"pc"},{"rack":"2","role":"pc"}]' "labels in status --json"
	vl down vt-exec >/dev/null
}

test_clab_failing_exec_line_fails_up_and_undoes_it() {
	d=$(mktemp -d)
	cat >"$d/lab.yml" <<-'YML'
	name: vt-exec-fail
	topology:
	  nodes:
	    a:
	      exec:
	        - "true"
	        - sh -c 'echo broken on purpose >&2; exit 3'
	        - touch /tmp/never
	    b: {}
	  links:
	    - endpoints: ["a:eth1", "b:eth1"]
	YML
	out=$("$VNETLAB" up -f "$d/lab.yml" 2>&1) && fail "up succeeded"
	echo "$out" | grep -q 'node a: exec line 2 "sh -c .echo broken on purpose >&2; exit 3." exited with status 3: broken on purpose' ||
		fail "the error does not name the node, the line and its output: $out"
	"$VNETLAB" status vt-exec-fail >/dev/null 2>&1 && fail "the lab is still there"
	# (and nothing of it is left: the harness compares the host before and after)
	# a program that is not there
	sed -i 's/touch \/tmp\/never/no-such-program-here/; s/- sh -c .*/- "true"/' "$d/lab.yml"
	out=$("$VNETLAB" up -f "$d/lab.yml" 2>&1) && fail "up with a missing program succeeded"
	echo "$out" | grep -q 'node a: exec line 3 "no-such-program-here"' || fail "missing program: $out"
	# a bind target a namespace node does not have is not made on the host
	printf 'name: vt-exec-fail\ntopology:\n  nodes:\n    a: { binds: ["lab.yml:/etc/vnetlab-no-such-dir/x"] }\n' >"$d/lab.yml"
	out=$("$VNETLAB" up -f "$d/lab.yml" 2>&1) && fail "a bind onto a missing host path was taken"
	echo "$out" | grep -q "node a: bind target /etc/vnetlab-no-such-dir/x does not exist" ||
		fail "missing bind target: $out"
	[ -e /etc/vnetlab-no-such-dir ] && fail "a bind target was made on the host"
	# a sysctl that is the host's is refused, the host left as it was
	swap=$(sysctl -n vm.swappiness)
	printf 'name: vt-exec-fail\ntopology:\n  nodes:\n    a: { sysctls: { vm.swappiness: "1" } }\n' >"$d/lab.yml"
	for be in ns proc; do
		out=$("$VNETLAB" up -f "$d/lab.yml" --backend $be 2>&1) && fail "a host sysctl was taken on $be"
		echo "$out" | grep -q "node a: sysctl vm.swappiness is the host's, not the node's" ||
			fail "the host sysctl on $be: $out"
	done
	expect_eq "$(sysctl -n vm.swappiness)" "$swap" "the host's vm.swappiness"
	rm -rf "$d"
}

test_clab_cmd_runs_until_down_after_what_it_waits_for() {
	d=$(mktemp -d)
	cat >"$d/lab.yml" <<-'YML'
	name: vt-cmd
	topology:
	  nodes:
	    srv:
	      cmd: python3 -m http.server 8080 --bind 0.0.0.0
	      exec:
	        - sh -c 'for i in $(seq 50); do ss -ltn | grep -q :8080 && exit 0; sleep 0.1; done; exit 1'
	    cli:
	      wait-for: [srv]
	      startup-delay: 1
	      exec: ["sh -c 'date +%s.%N > /tmp/when'"]
	  links:
	    - endpoints: ["srv:eth1", "cli:eth1"]
	YML
	t0=$(date +%s.%N)
	vl up -f "$d/lab.yml" >/dev/null
	# cli's exec ran a second after the lab was up, after srv's
	when=$(vl exec vt-cmd cli -- cat /tmp/when)
	awk -v a="$t0" -v b="$when" 'BEGIN { exit !(b - a >= 1) }' || fail "startup-delay: cli ran at $when, up began at $t0"
	# srv's cmd serves, from the node, and its output is logged
	vl exec vt-cmd cli -- python3 -c 'import urllib.request as u; u.urlopen("http://srv:8080/").read()' ||
		fail "srv's cmd does not serve"
	ls /run/vnetlab/vt-cmd/logs/srv-*.log >/dev/null || fail "no log of srv's cmd"
	pid=$(pgrep -f 'http.server 8080 --bind 0.0.0.0' | head -1)
	[ -n "$pid" ] || fail "srv's cmd is not running"
	vl down vt-cmd >/dev/null
	# gone, or a zombie its new parent has yet to reap
	for _ in $(seq 20); do
		st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || break
		[ "$st" = Z ] && break
		sleep 0.1
	done
	[ -z "$st" ] || [ "$st" = Z ] || [ ! -e "/proc/$pid" ] || fail "down left srv's cmd running (state $st)"
	rm -rf "$d"
}

test_clab_settings_in_guests() {
	[ -x /usr/bin/qemu-system-x86_64 ] || skip "qemu-system-x86_64 is not installed"
	[ -e /var/cache/vnetlab/vm-kernel/small/vmlinux ] || [ -e /var/cache/vnetlab/vm-kernel/debian/vmlinuz ] ||
		skip "no guest kernel"
	d=$(mktemp -d)
	cat >"$d/lab.yml" <<-'YML'
	name: vt-clab-vm
	topology:
	  defaults: { env: { WHO: guest } }
	  nodes:
	    a:
	      sysctls: { net.ipv4.conf.all.rp_filter: "2", vm.swappiness: "7" }
	      cmd: sleep 1000
	      exec: ["sh -c 'echo $WHO > /tmp/who'"]
	    b: {}
	  links:
	    - endpoints: ["a:eth1", "b:eth1"]
	YML
	swap=$(sysctl -n vm.swappiness)
	vl up -f "$d/lab.yml" --backend vm >/dev/null
	# exec, env, cmd and sysctls, all the guest's own (vm.* too: its own kernel)
	expect_eq "$(vl exec vt-clab-vm a -- cat /tmp/who)" guest "the guest's exec line with env"
	expect_eq "$(vl exec vt-clab-vm a -- sysctl -n vm.swappiness)" 7 "the guest's vm.swappiness"
	expect_eq "$(sysctl -n vm.swappiness)" "$swap" "the host's vm.swappiness"
	vl exec vt-clab-vm a -- pgrep -x sleep >/dev/null || fail "the guest's cmd is not running"
	vl down vt-clab-vm >/dev/null
	# binds are refused: a guest sees the host's files over 9p
	printf 'name: vt-clab-vm\ntopology:\n  nodes:\n    a: { binds: ["lab.yml:/tmp/x"] }\n' >"$d/lab.yml"
	out=$("$VNETLAB" up -f "$d/lab.yml" --backend vm 2>&1) && fail "binds taken in a guest"
	echo "$out" | grep -q "binds are for namespace and proc nodes" || fail "binds in a guest: $out"
	rm -rf "$d"
}

mac_of() { "$VNETLAB" exec vt-mac "$1" -- ip -br link show dev "$2" | awk '{print $3}'; }

test_clab_endpoint_macs_on_every_kind_of_link() {
	for be in ns vm; do
		if [ $be = vm ]; then
			[ -x /usr/bin/qemu-system-x86_64 ] || continue
			[ -e /var/cache/vnetlab/vm-kernel/small/vmlinux ] || [ -e /var/cache/vnetlab/vm-kernel/debian/vmlinuz ] || continue
		fi
		vl up -f tests/integration/mac.clab.yml --backend $be >/dev/null
		expect_eq "$(mac_of a eth1)" 02:00:00:00:0a:01 "$be: a's node-to-node end"
		expect_eq "$(mac_of b eth1)" 02:00:00:00:0b:01 "$be: b's node-to-node end"
		expect_eq "$(mac_of c eth1)" 02:00:00:00:0c:01 "$be: c's switch port"
		expect_eq "$(mac_of a eth2)" 02:00:00:00:0a:02 "$be: a's user-engine link"
		# and they carry traffic (a guest with a node-to-node link and another)
		"$VNETLAB" exec vt-mac a -- ping -c1 -W3 b >/dev/null || fail "$be: a cannot reach b"
		"$VNETLAB" exec vt-mac a -- ping -c1 -W3 c >/dev/null || fail "$be: a cannot reach c"
		vl down vt-mac >/dev/null
	done
}
