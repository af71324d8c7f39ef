# The study's third environment, real machines (bench --backend rm): one
# instance per host of --hosts, on simulated hosts of the test's own
# (scripts/simhosts.sh: their own directory, links, Slurm port and subnet),
# over ssh and over Slurm; and the findings table computed against stored
# rm runs.

rm_sim() {
	VNETLAB_SIM_DIR=/run/vt-simrm VNETLAB_SIM_LINKS=vtrm VNETLAB_SIM_PORT=16931 \
		scripts/simhosts.sh "$@"
}

# What an rm run could leave on the machine or on the (simulated) hosts,
# which share its process table: the hosts' programs, hydra, ssh masters.
rm_snapshot() {
	ps -eo args | grep -E '^([^ ]*/)?(vnetlab-work (host|clock|stream|bandwidth|cpu)|hydra_pmi_proxy|mpiexec|vnetlab-mpi)( |$)' || true
	ps -eo args | grep -E '^ssh .*ControlPath=/run/vnetlab/\.ssh' || true
	ls /run/vnetlab/.ssh 2>/dev/null || true
}

# The findings from stored runs (cpu at N = 2 and 3 on ns, proc, solo and
# rm; three simulated hosts, so one machine): the rm column, and "VM time ≈
# N × real time" against the rm run at each N, not against solo.
test_rm_findings_against_real_machines() {
	d=$(mktemp -d)
	cp tests/data/study-rm/*.json "$d/"
	vl report "$d" >/dev/null 2>&1
	grep -q '^| finding | Xen, 2007 | proc | ns | vm | rm | from |$' "$d/report.md" ||
		fail "no rm column: $(grep '^| finding' "$d/report.md")"
	f=tests/data/study-rm/cpu-n3.json
	cell=$(jq -r '.runs[] | select(.run == "rm") | .metrics |
		"3 of 3 ran, Jain \(.jain * 1000 | round / 1000)"' "$f")
	grep -q "^| CPU shared fairly | .* | – | ${cell}[0-9]*, worst [0-9]*% ✗ real_machines" "$d/report.md" ||
		fail "the CPU row's rm cell ($cell): $(grep '^| CPU shared' "$d/report.md")"
	# ns: the slope of its times over N against the rm runs' mean over C
	want=$(jq -rs '(.[0].host_cpus) as $c |
		[.[] | {n: .n, t: (.runs[] | select(.run == "ns") | .metrics.mean_wall_s),
		       r: (.runs[] | select(.run == "rm") | .metrics.mean_wall_s)}] | sort_by(.n) |
		((.[1].t - .[0].t) / (.[1].n - .[0].n)) / (((.[0].r + .[1].r) / 2) / $c) |
		. * 100 | round / 100' tests/data/study-rm/cpu-n2.json "$f")
	want=$(printf %.2f "$want")
	grep -q "^| VM time ≈ N × real time | [^|]* | [^|]* | +[0-9.]* s per instance = $want × t(1)/C (fit over 2 N" \
		"$d/report.md" || fail "the scale row's ns cell ($want): $(grep '^| VM time' "$d/report.md")"
	# rm itself: t(3) against one instance alone
	alone=$(printf %.2f "$(jq -r '(.runs[] | select(.run == "solo") | .metrics.mean_wall_s) as $s |
		.runs[] | select(.run == "rm") | .metrics.mean_wall_s' "$f")")
	grep -q "| t(3) = [0-9.]* × t(1) alone ✗ real_machines" "$d/report.md" ||
		fail "the scale row's rm cell: $(grep '^| VM time' "$d/report.md")"
	grep -q "| cpu; t(1): the rm run at the same N, its hosts one machine's CPUs: no real machines; C = 2 CPUs |$" \
		"$d/report.md" || fail "the scale row does not say what t(1) is: $(grep '^| VM time' "$d/report.md")"
	: "$alone"
	# the MPI table: rm's time and ns / rm (no ns run here: -)
	grep -q '^| MPI | benchmark | ranks | ns s | proc s | solo s | one s | rm s | ns / proc | ns / rm |' \
		"$d/report.md" || fail "the MPI table has no rm column"
	rm -rf "$d"
}

test_rm_needs_hosts() {
	out=$("$VNETLAB" bench cpu --backend rm 2>&1)
	expect_eq $? 2 "rm without --hosts: a usage error"
	case $out in
	*"--backend rm runs on hosts: give --hosts ssh:H1,H2,..., @FILE or slurm"*) ;;
	*) fail "rm without --hosts said: $out" ;;
	esac
	out=$("$VNETLAB" bench cpu --backend ns --hosts ssh:nosuch.invalid 2>&1)
	expect_eq $? 2 "--hosts without rm: a usage error, before any host is asked"
	case $out in *"--hosts is for --backend rm"*) ;; *) fail "--hosts without rm said: $out" ;; esac
	"$VNETLAB" bench mpi --backend rm >/dev/null 2>&1
	expect_eq $? 2 "bench mpi rm without --hosts"
}

test_rm_on_simulated_hosts_over_ssh_and_slurm() {
	unshare --net --mount --uts --ipc --pid --cgroup --fork true 2>/dev/null ||
		skip "the kernel cannot make network, mount, UTS, IPC, pid and cgroup namespaces here"
	before=$(rm_snapshot)
	rm_sim down >/dev/null 2>&1 # left by an earlier run
	rm_sim up 3 --subnet 198.18.9.0/24 >/dev/null || fail "simhosts up 3"
	trap 'rm_sim down >/dev/null 2>&1' EXIT
	export VNETLAB_SSH_CONFIG=/run/vt-simrm/ssh/config
	H=ssh:sim1,sim2,sim3
	d=$(mktemp -d)

	# cpu: an instance per host, its CPU counted there
	out=$("$VNETLAB" bench cpu --size 300 -n 3 --backend rm,proc --hosts $H --json "$d/cpu.json" 2>&1) ||
		fail "bench cpu on rm: $out"
	expect_eq "$(jq -r '.runs[0] | .environment, .backend, .machines' "$d/cpu.json")" "rm
rm
1" "the rm run: its environment and how many machines its hosts are"
	expect_eq "$(jq -r '.runs[0].hosts[] | "\(.name) \(.addr) \(.machine)"' "$d/cpu.json")" \
		"sim1 198.18.9.1 0
sim2 198.18.9.2 0
sim3 198.18.9.3 0" "the hosts in the JSON"
	expect_eq "$(jq -r '[.runs[0].instances[] | select(.finished and .user_s > 0 and
		.wait4_user_s > 0 and .wall_s > 0)] | length' "$d/cpu.json")" 3 "every instance measured on its host"
	expect_eq "$(jq -r '[.runs[0].instances[].report.host] | join(",")' "$d/cpu.json")" \
		"sim1,sim2,sim3" "instance i on host i"
	# simulated hosts are one machine: said plainly
	expect_eq "$(jq -r '.runs[0].verdict.checks[] | select(.name == "real_machines") | .ok' "$d/cpu.json")" \
		false "the real_machines check"
	case $out in
	*"rm        not trustworthy: the 3 hosts are 1 machine ("*"): they share its CPUs, so this is no comparison with real machines"*) ;;
	*) fail "the verdict does not say the hosts are one machine: $out" ;;
	esac
	jq -e '.runs[1].vs.rm > 0 and .runs[1].environment == "proc"' "$d/cpu.json" >/dev/null ||
		fail "proc against rm: $(jq -c '.runs[1].vs' "$d/cpu.json")"

	# a network workload: instance i sends to the server on host i+1,
	# over the underlay; bytes received there, and seen on its device
	out=$("$VNETLAB" bench stream --seconds 1 -n 3 --backend rm --hosts $H --json "$d/stream.json" 2>&1) ||
		fail "bench stream on rm: $out"
	expect_eq "$(jq -r '.runs[0].instances[] | "\(.report.host)>\(.report.server_host) \(.server)"' "$d/stream.json")" \
		"sim1>sim2 198.18.9.2
sim2>sim3 198.18.9.3
sim3>sim1 198.18.9.1" "each instance's server on the next host"
	jq -e '.runs[0] as $r | [range(0; 3) | . as $i | $r.instances[$i].finished and
		$r.instances[$i].bytes > 1000000 and
		$r.hosts[($i + 1) % 3].rx_bytes >= $r.instances[$i].bytes] | all' "$d/stream.json" >/dev/null ||
		fail "bytes between hosts: $(jq -c '[.runs[0].instances[].bytes], [.runs[0].hosts[].rx_bytes]' "$d/stream.json")"

	# bad input, with hosts: more instances than hosts; a stream needs two
	out=$("$VNETLAB" bench cpu -n 4 --backend rm --hosts $H 2>&1)
	expect_eq $? 2 "4 instances on 3 hosts"
	case $out in *"4 instances on 3 hosts: rm runs one instance per host"*) ;; *) fail "-n 4 said: $out" ;; esac
	out=$("$VNETLAB" bench stream -n 1 --backend rm --hosts $H 2>&1)
	expect_eq $? 2 "a stream on one host"
	case $out in *"stream on rm needs 2 instances or more"*) ;; *) fail "-n 1 said: $out" ;; esac

	# the findings table from these runs: the rm column's cells
	vl report "$d" >/dev/null 2>&1
	grep -q "^| CPU shared fairly | .* | 3 of 3 ran, Jain [0-9.]*, worst [0-9]*% ✗ real_machines" "$d/report.md" ||
		fail "the CPU row: $(grep '^| CPU shared' "$d/report.md")"
	grep -q "^| Network shared fairly | .* | 3 of 3 ran, Jain [0-9.]*, worst [0-9]*% ✗ real_machines.* | stream, N = 3 |$" \
		"$d/report.md" || fail "the network row: $(grep '^| Network' "$d/report.md")"

	# a real program whose files are carried to the hosts (POV-Ray's scene)
	if [ -x /usr/bin/povray ]; then
		out=$("$VNETLAB" bench povray --size 48x32 -n 2 --backend rm --hosts ssh:sim2,sim3 \
			--json "$d/povray.json" 2>&1) || fail "bench povray on rm: $out"
		jq -e '[.runs[0].instances[] | .finished and .user_s > 0] | all' "$d/povray.json" >/dev/null ||
			fail "povray on rm: $(jq -c '[.runs[0].instances[] | {error}]' "$d/povray.json")"
		expect_eq "$(ls -d /tmp/vnetlab-rm-* 2>/dev/null)" "" "the scratch directory left"
	fi

	# the study with --hosts: rm beside ns, proc and solo where N fits
	out=$("$VNETLAB" study -o "$d/study" -n 2,3 --workloads cpu --size 300 --hosts ssh:sim1,sim2 2>&1) ||
		fail "study --hosts: $out"
	expect_eq "$(jq -r '[.runs[].run] | join(",")' "$d/study/cpu-n2.json")" ns,proc,solo,rm "the study's cpu runs"
	expect_eq "$(jq -r '.skipped[] | "\(.workload): \(.why)"' "$d/study/skipped.json")" \
		"cpu -n 3 on rm: 3 instances, 2 hosts (rm: one each)" "what the study could not run on rm"
	grep -q "^| VM time ≈ N × real time | .* | cpu; t(1): the rm run at the same N, its hosts one machine's CPUs" \
		"$d/study/report.md" || fail "the study's scale row: $(grep '^| VM time' "$d/study/report.md")"

	# MPI: a rank per host (MPICH), where it is built
	if [ -x "$(dirname "$VNETLAB")/mpi/mpich/vnetlab-mpi" ]; then
		out=$("$VNETLAB" bench mpi --benchmark ep --class S --ranks 2 --backend rm --hosts ssh:sim2,sim3 \
			--timeout 60 --json "$d/mpi.json" 2>&1) || fail "bench mpi on rm: $out"
		expect_eq "$(jq -r '.mpi_runs[0] | "\(.env) \(.finished) \(.verified) \(.hosts)"' "$d/mpi.json")" \
			"rm true true 2" "the MPI job on 2 hosts"
	fi

	# Slurm: the allocation's nodes
	export SLURM_CONF=/run/vt-simrm/slurm/slurm.conf
	out=$(timeout 120 salloc -N2 -w sim1,sim3 "$VNETLAB" bench bandwidth --seconds 1 -n 2 --backend rm \
		--hosts slurm --json "$d/slurm.json" 2>&1) || fail "bench bandwidth on rm over Slurm: $out"
	expect_eq "$(jq -r '[.runs[0].hosts[].name] | join(",")' "$d/slurm.json")" sim1,sim3 "the allocation's hosts"
	jq -e '[.runs[0].instances[] | .finished and .bytes > 1000000] | all' "$d/slurm.json" >/dev/null ||
		fail "over Slurm: $(jq -c '[.runs[0].instances[] | {bytes, error}]' "$d/slurm.json")"

	rm -rf "$d"
	rm_sim down >/dev/null || fail "simhosts down"
	trap - EXIT
	[ -e /run/vt-simrm ] && fail "/run/vt-simrm left"
	expect_eq "$(ip -o link | grep -c vtrm)" 0 "links left"
	expect_eq "$(rm_snapshot)" "$before" "left by rm runs"
}
