# vnetlab hosts: the hosts a lab would go on, through each backend (local,
# ssh, @FILE, slurm), on simulated hosts of the test's own
# (scripts/simhosts.sh, beside any set a user or another test has up).

hosts_sim() {
	VNETLAB_SIM_DIR=/run/vt-hosts VNETLAB_SIM_LINKS=vthsim VNETLAB_SIM_PORT=16957 \
		scripts/simhosts.sh "$@"
}

# What the hosts backends could leave on the machine: ssh masters, their
# sockets, files.
hosts_snapshot() {
	ps -eo args | grep -E '^ssh .*ControlPath=/run/vnetlab/\.ssh' || true
	ls /run/vnetlab/.ssh 2>/dev/null || true
}

test_hosts_local_and_bad_specs() {
	out=$("$VNETLAB" hosts) || fail "hosts (local): $out"
	expect_eq "$(echo "$out" | awk 'NR == 2 {print $1}')" "$(hostname)" "the local host"
	json=$("$VNETLAB" hosts --hosts local --json) || fail "hosts --json"
	expect_eq "$(echo "$json" | jq -r '.backend, (.hosts | length), .hosts[0].version')" \
		"local
1
$("$VNETLAB" --version | awk '{print $2}')" "local as JSON"
	# a command's words arrive as they are (no shell between)
	expect_eq "$("$VNETLAB" hosts -- printf '%s|' 'a b' "it's" '$HOME')" \
		"$(hostname): a b|it's|\$HOME|" "a command on the local host"
	for spec in bogus ssh: ssh:a,,b 'ssh:-oProxyCommand=x' 'ssh:a;b' slurm:x local:x @/nonexistent; do
		"$VNETLAB" hosts --hosts "$spec" >/dev/null 2>&1
		expect_eq $? 2 "--hosts $spec: a usage error"
	done
	out=$(env -u SLURM_JOB_ID -u SLURM_JOB_NODELIST "$VNETLAB" hosts --hosts slurm 2>&1)
	expect_eq $? 1 "--hosts slurm outside an allocation"
	case $out in
	*"--hosts slurm needs an allocation: run it under salloc or sbatch"*) ;;
	*) fail "--hosts slurm outside an allocation said: $out" ;;
	esac
	"$VNETLAB" hosts --underlay no-such-if0 >/dev/null 2>&1
	expect_eq $? 1 "an underlay that is not here"
}

test_hosts_over_ssh_and_slurm_on_simulated_hosts() {
	unshare --net --mount --uts --ipc --pid --cgroup --fork true 2>/dev/null ||
		skip "the kernel cannot make network, mount, UTS, IPC, pid and cgroup namespaces here"
	before=$(hosts_snapshot)
	hosts_sim down >/dev/null 2>&1 # left by an earlier run
	hosts_sim up 3 --subnet 198.18.29.0/24 >/dev/null || fail "simhosts up 3"
	trap 'hosts_sim down >/dev/null 2>&1' EXIT
	export VNETLAB_SSH_CONFIG=/run/vt-hosts/ssh/config
	want="sim1 198.18.29.1 eth0 1500 1450
sim2 198.18.29.2 eth0 1500 1450
sim3 198.18.29.3 eth0 1500 1450"
	out=$("$VNETLAB" hosts --hosts ssh:sim1,sim2,sim3 2>&1) || fail "hosts over ssh: $out"
	expect_eq "$(echo "$out" | awk 'NR > 1 {print $1, $2, $3, $4, $5}')" "$want" "hosts over ssh"
	json=$("$VNETLAB" hosts --hosts ssh:sim1,sim2,sim3 --json) || fail "hosts over ssh, --json"
	expect_eq "$(echo "$json" | jq -r '.hosts[] | "\(.name) \(.addr) \(.dev) \(.mtu) \(.inner_mtu)"')" \
		"$want" "hosts over ssh as JSON"
	expect_eq "$(echo "$json" | jq -r .backend)" ssh "the backend"
	# @FILE, comments and blanks; the underlay named by its subnet
	f=$(mktemp)
	printf '# the lab hosts\nsim3\n\n  sim1   # first\n' >"$f"
	out=$("$VNETLAB" hosts --hosts "@$f" --underlay 198.18.29.0/24 2>&1) || fail "hosts @FILE: $out"
	expect_eq "$(echo "$out" | awk 'NR > 1 {print $1, $2}')" "sim3 198.18.29.3
sim1 198.18.29.1" "hosts @FILE"
	# a file carried to every host: over itself (the simulated hosts
	# share this machine's files) and to another path
	printf 'line one\n$x "y"\n' >"$f"
	out=$("$VNETLAB" hosts --hosts ssh:sim1,sim2,sim3 --carry "$f" -- md5sum "$f" 2>&1) ||
		fail "carry over itself: $out"
	sum=$(md5sum "$f")
	expect_eq "$out" "sim1: $sum
sim2: $sum
sim3: $sum" "a file carried over itself"
	"$VNETLAB" hosts --hosts ssh:sim2 --carry "$f:$f.carried" >/dev/null || fail "carry to a path"
	expect_eq "$(cat "$f.carried")" "$(cat "$f")" "the file carried"
	expect_eq "$(ls "$f"* | wc -l)" 2 "no temporary file left"
	rm -f "$f" "$f.carried"
	# every word arrives verbatim through ssh's one shell line
	out=$("$VNETLAB" hosts --hosts ssh:sim2 -- printf '%s|\n' 'a b' "it's" '$HOME' '"q"' \
		'`id`' ';ls' '*' '' 2>&1) || fail "a command over ssh: $out"
	expect_eq "$out" "sim2: a b|
sim2: it's|
sim2: \$HOME|
sim2: \"q\"|
sim2: \`id\`|
sim2: ;ls|
sim2: *|
sim2: |" "words through ssh"
	expect_eq "$("$VNETLAB" hosts --hosts ssh:sim1,sim3 -- hostname)" "sim1: sim1
sim3: sim3" "a command on each host"
	# Slurm: the allocation's nodes
	export SLURM_CONF=/run/vt-hosts/slurm/slurm.conf
	out=$(timeout 120 salloc -N3 "$VNETLAB" hosts --hosts slurm 2>/dev/null) ||
		fail "hosts --hosts slurm under salloc -N3: $out"
	expect_eq "$(echo "$out" | awk 'NR > 1 {print $1, $2, $3, $4, $5}')" "$want" "hosts over Slurm"
	out=$(timeout 120 salloc -N2 -w sim1,sim3 "$VNETLAB" hosts --hosts slurm -- hostname \
		2>/dev/null) || fail "a command over Slurm: $out"
	expect_eq "$out" "sim1: sim1
sim3: sim3" "a command on each node of the allocation"
	# a host whose sshd is stopped, a name that does not resolve, one
	# that does not answer: each fails naming the host and the cause
	hosts_sim exec sim2 sh -c 'kill $(cat /run/sshd.pid)'
	out=$("$VNETLAB" hosts --hosts ssh:sim1,sim2,sim3 2>&1)
	expect_eq $? 1 "a host without sshd"
	case $out in
	*"host sim2: ssh: connect to host 198.18.29.2 port 22: Connection refused"*) ;;
	*) fail "a host without sshd said: $out" ;;
	esac
	out=$("$VNETLAB" hosts --hosts ssh:sim1,nosuch.invalid 2>&1)
	expect_eq $? 1 "a host name that does not resolve"
	case $out in
	*"host nosuch.invalid: ssh: Could not resolve hostname"*) ;;
	*) fail "a host name that does not resolve said: $out" ;;
	esac
	out=$("$VNETLAB" hosts --hosts ssh:sim1,198.18.29.9 --timeout 2 2>&1)
	expect_eq $? 1 "a host that does not answer"
	case $out in
	*"host 198.18.29.9: "*) ;;
	*) fail "a host that does not answer said: $out" ;;
	esac
	hosts_sim down >/dev/null || fail "simhosts down"
	trap - EXIT
	expect_eq "$(hosts_snapshot)" "$before" "left by the hosts backends"
}
