# Hosts other than the machine itself: vnetlab started in a mount namespace
# that is not the machine's first (a container, a simulated host), and the
# simulated hosts of scripts/simhosts.sh (each its own namespaces, an sshd,
# a slurmd of one Slurm cluster).

# up, exec and down of a small lab, `runs` times, each in a fresh mount
# namespace made by `unshare -m` ($1: a command run there first).
mntns_lab_runs() {
	local first=$1 runs=$2 out
	for i in $(seq 1 "$runs"); do
		out=$(unshare -m --propagation slave sh -ec "$first
			\"\$VNETLAB\" up --topo single,2 --name vt-mntns -q
			\"\$VNETLAB\" exec vt-mntns h2 -- hostname
			\"\$VNETLAB\" exec vt-mntns h1 -- ping -c1 -W2 -q h2 >/dev/null
			\"\$VNETLAB\" down vt-mntns >/dev/null" 2>&1)
		rc=$?
		"$VNETLAB" down vt-mntns >/dev/null 2>&1
		[ $rc -eq 0 ] || fail "run $i of $runs: $out"
		expect_eq "$out" "h2" "run $i: hostname of h2"
	done
	[ -e /run/vnetlab/vt-mntns ] && fail "lab directory left"
	left=$(ip -o link | grep -c 'vt-mntns' || true)
	expect_eq "$left" 0 "links left"
}

# Since Linux 6.18 namespace ids come from per-CPU batches: in any mount
# namespace but the first, a node's namespace made on a CPU that lags could
# not be bound ("bind namespace on .../ns/h2.mnt: Invalid argument"), in
# about half the runs on two CPUs.
test_mntns_nested_up_exec_down() {
	mntns_lab_runs ":" 20
}

# The same with a /run of its own, as a simulated host or a container has.
test_mntns_own_run_up_exec_down() {
	mntns_lab_runs "mount -t tmpfs -o mode=0755 simrun /run" 20
}

# scripts/simhosts.sh, beside any set a user has up: a directory, links,
# subnet and port of the tests' own.
sim() {
	VNETLAB_SIM_DIR=/run/vt-simhosts VNETLAB_SIM_LINKS=vtsim VNETLAB_SIM_PORT=16917 \
		scripts/simhosts.sh "$@"
}
sim_ssh() { ssh -F /run/vt-simhosts/ssh/config "$@"; }

# What the machine shows of the simulated hosts: links, mounts, cgroups,
# processes, /etc/hosts.
sim_snapshot() {
	ip -o link | awk -F': ' '{print $2}' | grep vtsim || true
	grep -F vt-simhosts /proc/self/mountinfo || true
	find /sys/fs/cgroup -maxdepth 6 -type d -name 'vt-simhosts*' 2>/dev/null || true
	ps -eo args | grep -E '^(slurmctld|slurmd|munged|/usr/sbin/sshd|unshare).*vt-simhosts' || true
	md5sum /etc/hosts
}

test_simhosts_ssh_slurm_and_a_lab_on_each() {
	unshare --net --mount --uts --ipc --pid --cgroup --fork true 2>/dev/null ||
		skip "the kernel cannot make network, mount, UTS, IPC, pid and cgroup namespaces here"
	before=$(sim_snapshot)
	sim down >/dev/null 2>&1 # left by an earlier run
	sim up 3 --subnet 198.18.7.0/24 || fail "simhosts up 3"
	trap 'sim down >/dev/null 2>&1' EXIT
	for n in 1 2 3; do
		expect_eq "$(sim_ssh "sim$n" hostname)" "sim$n" "hostname over ssh"
		expect_eq "$(sim exec "sim$n" hostname)" "sim$n" "hostname through exec"
		# its own /run: the machine's is not there, the shared state is
		sim_ssh "sim$n" "test ! -e /run/vt-simhosts/sim$n/run/lock && test -d /run/sshd &&
			test -r /run/vt-simhosts/slurm/slurm.conf" || fail "sim$n: not a /run of its own"
		expect_eq "$(sim_ssh "sim$n" "ip -4 -o addr show eth0 | awk '{print \$4}'")" \
			"198.18.7.$n/24" "sim$n: its underlay address"
	done
	sim_ssh sim1 "ping -c1 -W2 -q 198.18.7.3 >/dev/null" || fail "sim1 cannot reach sim3"
	# Slurm: a step on every host, and one by name
	export SLURM_CONF=/run/vt-simhosts/slurm/slurm.conf
	got=$(timeout 120 srun -N3 hostname | sort | tr '\n' ' ')
	expect_eq "$got" "sim1 sim2 sim3 " "srun -N3 hostname"
	expect_eq "$(timeout 60 srun -w sim2 hostname)" "sim2" "srun -w sim2 hostname"
	# vnetlab on each simulated host, through its sshd; nothing left there
	for n in 1 2 3; do
		out=$(sim_ssh "sim$n" "cd $PWD && $VNETLAB up --topo single,2 --name vt-simlab -q &&
			$VNETLAB exec vt-simlab h1 -- ping -c1 -W2 -q h2 >/dev/null &&
			$VNETLAB exec vt-simlab h2 -- hostname && $VNETLAB down vt-simlab >/dev/null" 2>&1)
		rc=$?
		sim_ssh "sim$n" "$VNETLAB down vt-simlab" >/dev/null 2>&1
		[ $rc -eq 0 ] || fail "sim$n: lab up/exec/down over ssh: $out"
		expect_eq "$out" "h2" "sim$n: h2's hostname"
		left=$(sim_ssh "sim$n" "ls /run/netns; ls /run/vnetlab | grep -v '^\.'; ip -o link | grep -v -e ' lo:' -e ' eth0@'")
		expect_eq "$left" "" "sim$n: left after the lab's down"
	done
	[ -e /run/vnetlab/vt-simlab ] && fail "the lab is on the machine, not in the simulated host"
	sim down || fail "simhosts down"
	trap - EXIT
	expect_eq "$(sim_snapshot)" "$before" "the machine after simhosts down"
	expect_eq "$(sim status)" "no simulated hosts" "status after down"
	sim down >/dev/null || fail "a second down"
}
