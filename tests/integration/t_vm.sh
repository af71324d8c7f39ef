# vm nodes: real guests (QEMU, their own kernel, our agent as /init) on the
# lab's links. Skip, with the reason, where QEMU or a guest kernel is
# missing (`make check` unpacks Debian's kernel; `make vm-kernel` builds
# the small default one).

need_vm() {
	[ -x /usr/bin/qemu-system-x86_64 ] ||
		skip "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)"
	[ -e /var/cache/vnetlab/vm-kernel/small/vmlinux ] || [ -e /var/cache/vnetlab/vm-kernel/debian/vmlinuz ] ||
		skip "no guest kernel: run make vm-kernel (small) or scripts/vm-kernel.sh --debian"
}

# QEMU processes booted from lab LAB's image.
lab_qemus() { pgrep -f "^qemu-system-x86_64 .*/run/vnetlab/$1/vm/initramfs" || true; }

test_vm_guests_reach_each_other_by_name_and_exec() {
	need_vm
	vl up --topo single,2 --backend vm -n vt-vm -q --vm-program /bin/bash
	# each node is a guest with its own kernel: our agent is its PID 1
	expect_eq "$("$VNETLAB" exec vt-vm h1 -- cat /proc/1/cmdline | tr '\0' ' ')" "/init " "h1's init"
	expect_eq "$("$VNETLAB" exec vt-vm h2 -- hostname)" "h2" "h2's hostname"
	[ "$("$VNETLAB" exec vt-vm h1 -- uname -v)" != "$(uname -v)" ] || fail "h1 runs the host's kernel"
	can_ping vt-vm h1 h2 || fail "h1 cannot ping h2 by name"
	can_ping vt-vm h2 h1.vt-vm || fail "h2 cannot ping h1.vt-vm"
	# vnetlab capture of a guest's interface: its host-side TAP
	"$VNETLAB" capture vt-vm h1:eth0 -c 2 icmp >"${TMPDIR:-/tmp}/vmcap.$$" 2>&1 &
	cap=$!
	sleep 1
	"$VNETLAB" exec vt-vm h1 -- ping -c 2 -i 0.3 h2 >/dev/null
	wait "$cap" || fail "capture of h1:eth0 (a guest): $(cat "${TMPDIR:-/tmp}/vmcap.$$")"
	grep -q 'ICMP echo request' "${TMPDIR:-/tmp}/vmcap.$$" || fail "no echo captured: $(cat "${TMPDIR:-/tmp}/vmcap.$$")"
	rm -f "${TMPDIR:-/tmp}/vmcap.$$"
	# output, error output, stdin and exit status come back apart
	out=$("$VNETLAB" exec vt-vm h1 -- sh -c 'echo out; echo err >&2; exit 7' 2>/dev/null)
	rc=$?
	expect_eq "$rc" 7 "exit status"
	expect_eq "$out" out "stdout"
	err=$("$VNETLAB" exec vt-vm h1 -- sh -c 'echo out; echo err >&2' 2>&1 >/dev/null)
	expect_eq "$err" err "stderr"
	expect_eq "$(printf 'a\nb\n' | "$VNETLAB" exec vt-vm h2 -- wc -l)" 2 "stdin"
	# a program carried in with its shared libraries (--vm-program)
	expect_eq "$("$VNETLAB" exec vt-vm h2 -- /bin/bash -c 'echo $BASH_VERSINFO')" \
		"$(bash -c 'echo $BASH_VERSINFO')" "bash in the guest"
	"$VNETLAB" exec vt-vm h1 -- /no/such/program 2>/dev/null
	expect_eq "$?" 127 "a missing program's status"
	# killed by a signal: 128 + its number, as a shell says
	"$VNETLAB" exec vt-vm h2 -- sh -c 'kill -9 $$'
	expect_eq "$?" 137 "a killed command's status"
	# several commands at once, from several processes
	"$VNETLAB" exec vt-vm h1 -- sleep 1 & a=$!
	"$VNETLAB" exec vt-vm h1 -- sleep 1 & b=$!
	expect_eq "$("$VNETLAB" exec vt-vm h1 -- echo third)" third "a third command meanwhile"
	wait $a || fail "first concurrent exec"
	wait $b || fail "second concurrent exec"
	# the lab says what its guests are
	"$VNETLAB" status vt-vm --json | jq -e '.vm.accel == "kvm" or .vm.accel == "tcg"' >/dev/null ||
		fail "status has no accelerator: $("$VNETLAB" status vt-vm --json | head -c 600)"
	# stats: QEMU's cgroup (the hypervisor's view) and the guest's own
	"$VNETLAB" stats vt-vm --json | jq -e 'all(.nodes[]; .guest.memory_total_kb > 0 and
		.guest.cpus == 1 and .guest.uptime_ms > 0 and (.cgroup == null or .cgroup.cpu_usec > 0)) and
		all(.nodes[]; [.interfaces[].name] == ["eth0"])' >/dev/null ||
		fail "stats of guests: $("$VNETLAB" stats vt-vm --json | head -c 800)"
	qemus=$(lab_qemus vt-vm)
	[ "$(echo "$qemus" | wc -w)" = 2 ] || fail "expected 2 QEMU processes, found [$qemus]"
	vl down vt-vm
	for p in $qemus; do ! alive "$p" || fail "QEMU $p is still running after down"; done
	[ ! -e /run/vnetlab/vt-vm ] || fail "the lab's directory (sockets, image) is still there"
}

test_vm_mixed_with_ns_nodes() {
	need_vm
	f=$(mktemp --suffix=.yml)
	cat >"$f" <<'EOF'
name: vt-mix
topology:
  nodes:
    r1: {kind: router, backend: vm}
    a: {kind: linux}
    b: {kind: linux, backend: vm}
  links:
    - endpoints: ["a:eth0", "r1:eth0"]
    - endpoints: ["b:eth0", "r1:eth1"]
EOF
	# (on the other machine type than the default, so both are tested)
	if grep -q '^kvm' /run/vnetlab-vm-accel 2>/dev/null; then m=q35; else m=microvm; fi
	vl up -f "$f" -q --vm-machine $m
	rm -f "$f"
	# a is a namespace on the host's kernel, r1 and b are guests; a
	# reaches b through the guest router r1
	expect_eq "$("$VNETLAB" exec vt-mix a -- uname -v)" "$(uname -v)" "a's kernel"
	expect_eq "$("$VNETLAB" exec vt-mix b -- cat /proc/1/cmdline | tr '\0' ' ')" "/init " "b's init"
	can_ping vt-mix a b || fail "ns node a cannot ping vm node b through vm router r1"
	can_ping vt-mix b a || fail "vm node b cannot ping ns node a"
	"$VNETLAB" exec vt-mix r1 -- cat /proc/sys/net/ipv4/ip_forward | grep -qx 1 ||
		fail "the guest router does not forward"
	jq -e '[.nodes[] | {(.name): .backend}] | add == {"r1": "vm", "a": "ns", "b": "vm"}' \
		/run/vnetlab/vt-mix/state.json >/dev/null || fail "state.json's backends"
	vl down vt-mix
}

test_vm_guest_crash_during_boot_fails_up_with_its_console() {
	need_vm
	# no init: the guest's kernel panics while booting
	out=$(VNETLAB_VM_APPEND="rdinit=/no-init init=/no-init" "$VNETLAB" up --topo single,1 --backend vm -n vt-vmcrash -q 2>&1)
	rc=$?
	[ $rc -ne 0 ] || fail "up succeeded with a guest that cannot boot"
	echo "$out" | grep -q "node h1" || fail "the error does not name the node: $out"
	echo "$out" | grep -qi "panic\|no working init\|init" || fail "the error lacks the guest's console: $out"
	[ ! -e /run/vnetlab/vt-vmcrash ] || fail "the failed lab was not undone"
	[ -z "$(lab_qemus vt-vmcrash)" ] || fail "a QEMU of the failed lab is still running"
	# a kernel that is not there is said so before anything starts
	out=$("$VNETLAB" up --topo single,1 --backend vm --vm-kernel /no/such/kernel -n vt-vmcrash 2>&1) &&
		fail "up with a missing kernel succeeded"
	echo "$out" | grep -q "/no/such/kernel: not a regular file" || fail "missing kernel: $out"
}

test_vm_bench_runs_the_builtin_workloads_in_guests() {
	need_vm
	out=$(mktemp)
	# CPU and network workloads, their figures measured inside the guests
	vl bench cpu -n 2 --size 48 --backend vm --json "$out" >/dev/null
	jq -e '.runs[0].backend == "vm" and all(.runs[0].instances[]; .finished and .wall_s > 0 and
		.report.client.workload == "cpu")' "$out" >/dev/null ||
		fail "bench cpu on vm: $(jq -c '[.runs[0].instances[] | {finished, error, wall_s}]' "$out")"
	# wait4's figures are the command's own in the guest (from the agent), not the
	# host relay's: they agree with what the workload measured of itself
	jq -e 'all(.runs[0].instances[]; (.wait4_user_s + .wait4_sys_s) > 0 and
		(((.wait4_user_s + .wait4_sys_s) - (.user_s + .sys_s)) | fabs) < 0.1 + 0.2 * (.user_s + .sys_s))' \
		"$out" >/dev/null ||
		fail "wait4 on vm: $(jq -c '[.runs[0].instances[] | {wait4_user_s, wait4_sys_s, user_s, sys_s}]' "$out")"
	vl bench stream -n 2 --seconds 1 --backend vm --json "$out" >/dev/null
	jq -e 'all(.runs[0].instances[]; .finished and .bytes > 100000) and
		.runs[0].fidelity.sent_bytes >= ([.runs[0].instances[].bytes] | add)' "$out" >/dev/null ||
		fail "bench stream on vm: $(jq -c '[.runs[0].instances[] | {finished, error, bytes}], .runs[0].fidelity' "$out")"
	# a real program, from the host's root (iperf3 is installed by deps.sh;
	# the server is seen listening inside its guest first)
	if [ -x /usr/bin/iperf3 ]; then
		vl bench iperf3 -n 1 --seconds 1 --backend vm --json "$out" >/dev/null
		jq -e '.runs[0].instances[0] | .finished and .bytes > 100000 and
			.report.client.iperf3.cpu_remote_total > 0' "$out" >/dev/null ||
			fail "bench iperf3 on vm: $(jq -c '.runs[0].instances[0] | {finished, error, bytes}' "$out")"
	fi
	rm -f "$out"
}

test_vm_guests_run_the_hosts_programs_with_a_private_layer() {
	need_vm
	[ -x /usr/bin/python3 ] || skip "no python3 on the host"
	vl up --topo single,2 --backend vm --name vt-vmroot -q
	lab=/run/vnetlab/vt-vmroot
	# a host program by name through PATH, as root, with the guest's own name
	# and the lab's names (getent: the host's libc reading the guest's /etc/hosts)
	out=$(vl exec vt-vmroot h1 -- python3 -c 'import os, socket; print(socket.gethostname(), os.getuid())')
	expect_eq "$out" "h1 0" "python3 in the guest"
	expect_eq "$(vl exec vt-vmroot h1 -- getent hosts h2 | awk '{print $1}')" 10.0.0.2 "h2 by name"
	# its writes stay in its own layer: not on the host, not in the other guest
	vl exec vt-vmroot h1 -- sh -c 'echo private >/etc/vt-vmroot && echo x >>/etc/hostname' ||
		fail "the guest cannot write its /etc"
	expect_eq "$(vl exec vt-vmroot h1 -- cat /etc/vt-vmroot)" private "the guest's own write"
	[ -e /etc/vt-vmroot ] && { rm -f /etc/vt-vmroot; fail "a guest's write reached the host"; }
	"$VNETLAB" exec vt-vmroot h2 -- test -e /etc/vt-vmroot && fail "a guest's write reached another guest"
	tail -n 1 /etc/hostname | grep -qx x && fail "a guest appended to the host's /etc/hostname"
	# the lab's data directory is the guests', read-write, at its host path
	vl exec vt-vmroot h2 -- sh -c "echo from-h2 >$lab/share/vt-from-guest" ||
		fail "the guest cannot write the lab's data directory"
	expect_eq "$(cat "$lab/share/vt-from-guest" 2>/dev/null)" from-h2 "a guest's file in the lab's data directory"
	echo from-host >"$lab/share/vt-from-host"
	expect_eq "$(vl exec vt-vmroot h1 -- cat "$lab/share/vt-from-host")" from-host "the host's file in a guest"
	rm -f "$lab/share/vt-from-guest" "$lab/share/vt-from-host"
	# the programs the initramfs has stay on PATH (the built-in workloads)
	vl exec vt-vmroot h1 -- vnetlab-work.static --help >/dev/null 2>&1 ||
		fail "the initramfs's programs are not on the guest's PATH"
	vl down vt-vmroot
}

test_vm_bench_runs_the_real_programs_in_guests() {
	need_vm
	out=$(mktemp)
	if [ -x /usr/bin/povray ]; then
		vl bench povray -n 2 --size 32x24 --backend vm --json "$out" >/dev/null
		jq -e '.runs[0].backend == "vm" and all(.runs[0].instances[]; .finished and .wall_s > 0)' \
			"$out" >/dev/null ||
			fail "bench povray on vm: $(jq -c '[.runs[0].instances[] | {finished, error, wall_s}]' "$out")"
	fi
	if [ -x /usr/bin/scp ] && [ -x /usr/sbin/sshd ]; then
		# the bytes crossed the lab's links: counted on them, not only by scp
		vl bench scp -n 1 --bytes 2MiB --backend vm --json "$out" >/dev/null
		jq -e '.runs[0].instances[0].finished and .runs[0].fidelity.sent_bytes > 2097152' \
			"$out" >/dev/null ||
			fail "bench scp on vm: $(jq -c '.runs[0].instances[0] | {finished, error}, .runs[0].fidelity' "$out")"
	fi
	rm -f "$out"
}

test_vm_bench_mpi_runs_a_rank_per_guest() {
	need_vm
	b=$(dirname "$VNETLAB")
	out=$(mktemp)
	for impl in mpich lam; do
		[ -x "$b/mpi/$impl/vnetlab-mpi" ] || continue
		[ "$impl" = lam ] && ! id vnetlab >/dev/null 2>&1 && continue
		vl bench mpi --mpi "$impl" --benchmark ep --class S --ranks 2 --backend vm --timeout 150 \
			--json "$out" >/dev/null
		# verified, on two guests, its traffic on the lab's links
		jq -e '.mpi_runs[0] | .env == "vm" and .finished and .verified and .hosts == 2 and
			.link_bytes > 0' "$out" >/dev/null ||
			fail "$impl on vm: $(jq -c '[.mpi_runs[] | del(.report)]' "$out")"
	done
	rm -f "$out"
}

test_vm_resources_become_vcpus_ram_and_cgroup_limits() {
	need_vm
	vl up --topo single,1 --backend vm --cpus 2 --memory 160MiB -n vt-vmres -q
	expect_eq "$("$VNETLAB" exec vt-vmres h1 -- nproc)" 2 "the guest's vCPUs"
	# the guest has 160 MiB (what its kernel keeps for itself is not in MemTotal:
	# most of it with the small kernel, 112 MiB with Debian's and its modules)
	pgrep -af "^qemu-system-x86_64 .*/run/vnetlab/vt-vmres/" | grep -q -- " -m 160M " ||
		fail "QEMU was not given 160 MiB: $(pgrep -af "^qemu-system-x86_64 .*/run/vnetlab/vt-vmres/")"
	total=$("$VNETLAB" exec vt-vmres h1 -- awk '/^MemTotal/ {print $2}' /proc/meminfo)
	[ "$total" -gt 40000 ] && [ "$total" -le 163840 ] || fail "the guest's MemTotal is $total kB, want at most 160 MiB"
	# QEMU's cgroup: the guest's RAM and QEMU's own on top (v1 here; v2 where the
	# memory controller is enabled)
	lim=
	for f in /sys/fs/cgroup/memory/vnetlab/vt-vmres/h1/memory.limit_in_bytes \
		/sys/fs/cgroup/vnetlab/vt-vmres/h1/memory.max; do
		[ -r "$f" ] && lim=$(cat "$f") && break
	done
	if [ -n "$lim" ]; then
		expect_eq "$lim" $(((160 + 128) * 1024 * 1024)) "the node's cgroup memory limit"
	fi
	# the guest's own poweroff (busybox signals its init, our agent) ends it
	"$VNETLAB" exec vt-vmres h1 -- poweroff >/dev/null 2>&1
	for _ in $(seq 1 50); do [ -z "$(lab_qemus vt-vmres)" ] && break; sleep 0.1; done
	[ -z "$(lab_qemus vt-vmres)" ] || fail "QEMU still runs after poweroff in the guest"
	out=$("$VNETLAB" exec vt-vmres h1 -- true 2>&1) && fail "exec into a powered-off guest worked"
	echo "$out" | grep -q "its guest is not running (see /run/vnetlab/vt-vmres/logs/h1.console)" ||
		fail "exec into a powered-off guest: $out"
	vl down vt-vmres
}

test_vm_impaired_link_goes_through_the_link_engine() {
	need_vm
	f=$(mktemp --suffix=.yml)
	cat >"$f" <<'EOF2'
name: vt-vmdelay
topology:
  nodes:
    a: {kind: linux, backend: vm}
    b: {kind: linux}
  links:
    - endpoints: ["a:eth0", "b:eth0"]
      delay: 100ms
EOF2
	vl up -f "$f" -q
	rm -f "$f"
	# 100 ms each way, through linkd's TAP behind the guest's
	rtt=$("$VNETLAB" exec vt-vmdelay b -- ping -c 3 -q a | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
	[ -n "$rtt" ] || fail "b cannot ping the guest a over the delayed link"
	awk -v r="$rtt" 'BEGIN {exit !(r >= 195)}' || fail "round trip $rtt ms over a link of 100 ms each way"
	"$VNETLAB" link --json vt-vmdelay a:eth0 | jq -e '.engine == "user"' >/dev/null ||
		fail "the link is not served by linkd: $("$VNETLAB" link --json vt-vmdelay a:eth0)"
	vl down vt-vmdelay
}

test_vm_clones_of_one_template_are_distinct_guests() {
	need_vm
	T=$(mktemp -d /dev/shm/vt-templates.XXXXXX)
	trap 'rm -rf "$T"' EXIT
	export VNETLAB_VM_TEMPLATES=$T
	vl up --topo single,3 --backend vm -n vt-clone -q
	st=$("$VNETLAB" status vt-clone --json)
	echo "$st" | jq -e '(.vm.templates | length) == 1 and .vm.templates[0].made and
		all(.nodes[]; .vm.clone)' >/dev/null ||
		fail "not three clones of a template made now: $(echo "$st" | jq -c .vm)"
	key=$(echo "$st" | jq -r '.vm.templates[0].key')
	[ -s "$T/$key/ram" ] && [ -s "$T/$key/state" ] || fail "no template $key in $T: $(ls -la "$T")"
	ids="" rnd="" macs=""
	for h in h1 h2 h3; do
		out=$("$VNETLAB" exec vt-clone $h -- sh -c 'hostname; cat /proc/sys/kernel/random/boot_id;
			head -c 16 /dev/urandom | od -An -tx1 | tr -d " \n"; echo; cat /sys/class/net/eth0/address;
			date +%s.%N') || fail "exec in $h"
		host_now=$(date +%s.%N)
		expect_eq "$(echo "$out" | sed -n 1p)" $h "$h's hostname"
		ids="$ids $(echo "$out" | sed -n 2p)"
		rnd="$rnd $(echo "$out" | sed -n 3p)"
		mac=$(echo "$out" | sed -n 4p)
		macs="$macs $mac"
		expect_eq "$mac" "$(echo "$st" | jq -r ".nodes[] | select(.name == \"$h\") |
			.interfaces[0].mac")" "$h's MAC (state.json's, not its template's)"
		awk -v g="$(echo "$out" | sed -n 5p)" -v h="$host_now" \
			'BEGIN { d = h - g; exit !(d > -2 && d < 2) }' ||
			fail "$h's clock is $(echo "$out" | sed -n 5p), the host's $host_now"
	done
	for set in "$ids" "$rnd" "$macs"; do
		[ "$(echo $set | tr ' ' '\n' | sort -u | wc -l)" = 3 ] || fail "clones share state: $set"
	done
	can_ping vt-clone h1 h2 || fail "h1 cannot ping h2"
	can_ping vt-clone h3 h1 || fail "h3 cannot ping h1"
	vl down vt-clone
	# the template is kept: the next lab of this shape makes none
	vl up --topo single,2 --backend vm -n vt-clone -q
	"$VNETLAB" status vt-clone --json | jq -e --arg k "$key" '.vm.templates[0].key == $k and
		(.vm.templates[0].made | not) and all(.nodes[]; .vm.clone)' >/dev/null ||
		fail "the cached template was not used: $("$VNETLAB" status vt-clone --json | jq -c .vm)"
	can_ping vt-clone h2 h1 || fail "h2 cannot ping h1 in the second lab"
	vl down vt-clone
	# a template with its RAM file cut short is made again, not cloned
	truncate -s 4096 "$T/$key/ram"
	vl up --topo single,1 --backend vm -n vt-clone -q
	"$VNETLAB" status vt-clone --json | jq -e --arg k "$key" '.vm.templates[0].key == $k and
		.vm.templates[0].made' >/dev/null || fail "a broken template was used"
	expect_eq "$(stat -c %s "$T/$key/ram")" 134217728 "the remade template's RAM file"
	expect_eq "$("$VNETLAB" exec vt-clone h1 -- hostname)" h1 "a clone of the remade template"
	vl down vt-clone
	# another shape (its RAM) is another template
	vl up --topo single,1 --backend vm --memory 160M -n vt-clone -q
	"$VNETLAB" status vt-clone --json | jq -e --arg k "$key" '.vm.templates[0].key != $k and
		.vm.templates[0].made and .vm.templates[0].ram == 167772160' >/dev/null ||
		fail "160 MiB guests got no template of their own"
	vl down vt-clone
	# --vm-clone off: each guest boots
	vl up --topo single,1 --backend vm --vm-clone off -n vt-clone -q
	"$VNETLAB" status vt-clone --json | jq -e '.vm.templates == null and
		(.nodes[0].vm.clone | not)' >/dev/null || fail "--vm-clone off cloned"
	expect_eq "$("$VNETLAB" exec vt-clone h1 -- hostname)" h1 "a booted guest's hostname"
	vl down vt-clone
	# a cache someone else could write is not used (its RAM would be theirs):
	# the guests boot, saying why
	F=$(mktemp -d /dev/shm/vt-foreign.XXXXXX)
	chown nobody "$F"
	err=$(VNETLAB_VM_TEMPLATES=$F "$VNETLAB" up --topo single,1 --backend vm -n vt-clone -q 2>&1) ||
		fail "up beside a foreign template directory: $err"
	rm -rf "$F"
	case $err in *"not a directory of ours alone"*"boot one by one"*) ;;
	*) fail "no word of the refused cache and the fallback: [$err]" ;; esac
	"$VNETLAB" status vt-clone --json | jq -e '(.nodes[0].vm.clone | not)' >/dev/null ||
		fail "a clone without a template"
	vl down vt-clone
	# clean: an unfinished one (its maker gone) always, the cache with --templates
	mkdir "$T/$key.new.4194303"
	out=$("$VNETLAB" clean)
	case $out in *"unfinished guest template"*) ;; *) fail "clean left [$T/$key.new.4194303]: $out" ;; esac
	[ ! -e "$T/$key.new.4194303" ] || fail "the unfinished template is still there"
	[ -d "$T/$key" ] || fail "clean without --templates removed a template"
	expect_eq "$("$VNETLAB" clean --templates | grep -c 'the guest template')" 2 "templates removed"
	[ -z "$(ls "$T")" ] || fail "templates left: $(ls "$T")"
}
