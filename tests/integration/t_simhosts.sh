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
