# The study's runner: short real runs of each built-in workload on ns, proc
# and solo, whose JSON has every field.

bench_json_ok() { # FILE RUNS: every run has metrics and every instance its fields
	jq -e --argjson runs "$2" '
		(.runs | length) == $runs and
		all(.runs[]; .metrics.jain > 0 and .metrics.jain <= 1.0001 and
			(.metrics.shares | length) == .n and
			all(.instances[]; .finished and .wall_s > 0 and .value > 0 and
				has("user_s") and has("sys_s") and has("cgroup_cpu_s") and has("report")))' "$1" >/dev/null
}

test_bench_cpu_on_ns_proc_solo() {
	[ -x "$(dirname "$VNETLAB")/vnetlab-work" ] || skip "the workloads program is not built"
	out=$(mktemp)
	vl bench cpu -n 2 --size 120 --backend ns,proc,solo --json "$out" >/dev/null
	bench_json_ok "$out" 3 || { cat "$out" | head -c 2000; fail "bench cpu JSON lacks fields"; }
	# the checksum of the picture is the same on every instance and backend
	n=$(jq -r '[.runs[].instances[].report.client.checksum] | unique | length' "$out")
	expect_eq "$n" 1 "distinct checksums"
	rm -f "$out"
}

test_bench_stream_and_mixed() {
	[ -x "$(dirname "$VNETLAB")/vnetlab-work" ] || skip "the workloads program is not built"
	out=$(mktemp)
	vl bench stream -n 2 --seconds 1 --backend ns,proc --json "$out" >/dev/null
	bench_json_ok "$out" 2 || fail "bench stream JSON lacks fields"
	jq -e 'all(.runs[].instances[]; .bytes > 0 and .throughput_bps > 0)' "$out" >/dev/null ||
		fail "stream: no bytes measured at the receiver"
	# over time: the bytes each server node took in, per window (ns: its
	# interfaces; proc nodes have none of their own)
	jq -e '(.runs[] | select(.run == "ns") | .timeline |
			all(.windows[]; (.rx_bytes | length) == 2) and
			([.windows[].rx_bytes[]] | add) > 0 and .windowed_jain_rx.median > 0) and
		(.runs[] | select(.run == "proc") | .timeline | (.windows[0] | has("rx_bytes") | not))' \
		"$out" >/dev/null || fail "stream: bytes over time: $(jq -c '[.runs[] | {run, tl: (.timeline | del(.windows))}]' "$out")"
	# on shaped links the aggregate is measured against the capacity
	vl bench stream -n 2 --seconds 2 --bw 20Mbit --backend ns --json "$out" >/dev/null
	jq -e '.runs[0].capacity_bps == 40000000 and
		([.runs[0].instances[].throughput_bps] | add) / .runs[0].capacity_bps > 0.85 and
		([.runs[0].instances[].throughput_bps] | add) / .runs[0].capacity_bps <= 1.0' "$out" >/dev/null ||
		fail "stream on 20Mbit links: $(jq -c '[.runs[0].capacity_bps, [.runs[0].instances[].throughput_bps]]' "$out")"
	vl bench bandwidth -n 2 --seconds 1 --backend ns,proc --json "$out" >/dev/null
	bench_json_ok "$out" 2 || fail "bench bandwidth JSON lacks fields"
	jq -e 'all(.runs[].instances[]; (.report.server.intervals | length) >= 1)' "$out" >/dev/null ||
		fail "bandwidth: no per-interval throughput at the receiver"
	vl bench mixed -n 2 --bytes 8MiB --backend ns,proc --json "$out" >/dev/null
	bench_json_ok "$out" 2 || fail "bench mixed JSON lacks fields"
	jq -e 'all(.runs[].instances[]; .report.server.verified == true)' "$out" >/dev/null ||
		fail "mixed: the receiver did not verify every record"
	rm -f "$out"
}

test_capacity_grows_until_unfair_or_max() {
	[ -x "$(dirname "$VNETLAB")/vnetlab-work" ] || skip "the workloads program is not built"
	out=$(mktemp)
	# a low threshold: runs this short are noisy, the test is of the search
	vl capacity cpu --size 300 --max 4 --threshold 0.3 --json "$out" >/dev/null
	jq -e '(.steps | map(.n)) == [1, 2, 4] and .capacity == 4 and all(.steps[]; .fits)' "$out" >/dev/null ||
		fail "capacity: $(jq -c '{capacity, steps: [.steps[] | {n, jain, fits}]}' "$out")"
	# with a threshold above 1 nothing can fit: refused as a bad command line
	"$VNETLAB" capacity cpu --threshold 1.5 2>/dev/null
	expect_eq $? 2 "exit status for a threshold above 1"
	rm -f "$out"
}

test_report_renders_from_stored_json() {
	d=$(mktemp -d)
	cp tests/data/study/*.json "$d/"
	vl report "$d" >/dev/null
	grep -q '^## cpu, N = 3' "$d/report.md" || fail "no cpu section"
	grep -q "^## The study's questions" "$d/report.md" || fail "no answers"
	grep -q 'stream, N = 3\*\*: shared' "$d/report.md" || fail "stream not answered"
	expect_eq "$(wc -l <"$d/cpu-n3.csv")" 10 "CSV lines (header + 3 runs x 3 instances)"
	# every share in the CSV is the one in the JSON
	j=$(jq -r '[.runs[].metrics.shares[]] | map(. * 1000000 | round) | join(" ")' "$d/cpu-n3.json")
	c=$(tail -n +2 "$d/cpu-n3.csv" | awk -F, '{printf "%s%d", (NR > 1 ? " " : ""), $12 * 1000000 + 0.5}')
	expect_eq "$c" "$j" "shares in the CSV"
	if command -v gnuplot >/dev/null; then
		for f in cpu-n3-shares.png cpu-n3-cdf.svg cpu-n3-time.png stream-n3-cdf.png slowdown.png; do
			[ -s "$d/plots/$f" ] || fail "plot $f missing"
		done
	fi
	"$VNETLAB" report "$d/it's" 2>/dev/null && fail "a quote in the directory was accepted"
	rm -rf "$d"
}

# The report opens with the study's findings beside this host's, each
# cell from the JSON and marked with its run's verdict; sections follow the
# study's order (CPU, network, mixed).
test_report_opens_with_the_studys_findings() {
	d=$(mktemp -d)
	cp tests/data/study-vm/*.json tests/data/study/stream-n3.json "$d/"
	vl report "$d" >/dev/null
	expect_eq "$(grep -m1 '^## ' "$d/report.md")" "## The study's findings, side by side" "the first section"
	f=tests/data/study-vm/cpu-n4.json
	cell() { jq -r --arg r "$1" '.runs[] | select(.run == $r) | .metrics |
		"4 of 4 ran, Jain \(.jain * 1000 | round / 1000)"' "$f"; }
	grep -q "^| CPU shared fairly | yes (POV-Ray) | $(cell proc)[0-9]*, worst [0-9]*% ✓ | $(cell ns)[0-9]*, worst" \
		"$d/report.md" || fail "the CPU row: $(grep '^| CPU shared' "$d/report.md")"
	grep -q '^| Network shared fairly | 9 of 10 netperf guests ran | .* | stream, N = 3 |$' "$d/report.md" ||
		fail "the network row: $(grep '^| Network' "$d/report.md")"
	grep -q '^| Mixed CPU + network shared unfairly | 7 of 10 scp guests ran | run `bench scp` | – | – | – | – |$' \
		"$d/report.md" || fail "the mixed row without its runs: $(grep '^| Mixed' "$d/report.md")"
	r=$(printf %.2f "$(jq -r '[.mpi_runs[] | select(.env == "vm" or .env == "proc")] | .[0].wall_s / .[1].wall_s' \
		tests/data/study-vm/mpi-mpich-ep-S.json)")
	grep -q "^| MPI on VMs < 15 % slower than processes | yes (NAS, SKaMPI) | 1.00× proc (1 job) | 1.22× proc (1 job) | $r× proc (1 job) | – | the kernels |" \
		"$d/report.md" || fail "the MPI row (vm $r×): $(grep '^| MPI on VMs' "$d/report.md")"
	# t(N) against N/C × t(1), t(1) the solo run's
	want=$(printf %.2f "$(jq -r --argjson c "$(nproc)" '(.runs[] | select(.run == "solo") | .metrics.mean_wall_s) as $t1 |
		.runs[] | select(.run == "vm") | .metrics.mean_wall_s / ([1, 4 / $c] | max) / $t1' "$f")")
	# no rm run: solo stands in for the real machines, and the row says so
	grep -q "^| VM time ≈ N × real time | .* | t(4) = $want × N/C × t(1) ✓ | run \`bench cpu --backend rm --hosts ...\` | cpu; t(1): one instance alone (solo: no rm run to compare with); " "$d/report.md" ||
		fail "the scale row (vm $want): $(grep '^| VM time' "$d/report.md")"
	grep -q '^| Micro-benchmarks faster on VMs than on a real network | .* | [0-9.]* µs, [0-9]* MB/s: faster | .* ping-pong (mpich) |$' \
		"$d/report.md" || fail "the micro row: $(grep '^| Micro' "$d/report.md")"
	a=$(grep -n '^## cpu, N = 4' "$d/report.md" | cut -d: -f1) b=$(grep -n '^## stream, N = 3' "$d/report.md" | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || fail "sections out of the study's order (cpu $a, stream $b)"
	rm -rf "$d"
}

test_report_places_vm_runs() {
	# a study with --vm (stored from a real run: cpu, N = 4, on ns, proc, vm, solo)
	d=$(mktemp -d)
	cp tests/data/study-vm/*.json "$d/"
	vl report "$d" >/dev/null
	grep -q 'on virtual machines (vm) shared fairly (Jain 0.987), 27.60× the time of plain processes' \
		"$d/report.md" || fail "the vm run is not answered: $(grep 'cpu, N = 4\*\*' "$d/report.md")"
	# solo is solo, not the vm run
	grep -q '2.65× the time of one instance alone' "$d/report.md" ||
		fail "ns against solo: $(grep 'cpu, N = 4\*\*' "$d/report.md")"
	expect_eq "$(sed -n 2p "$d/plots/slowdown.dat")" "cpu-n4 2.6459 2.1014 58.0043" "the slowdown plot's data"
	# MPI (stored from real runs: mpich, 2 ranks, on ns, vm, proc and more):
	# the vm column after ns, its time from the JSON, and vm / ns
	grep -q '^| MPI | benchmark | ranks | ns s | vm s | proc s | solo s | one s | ns / proc | vm / ns |' \
		"$d/report.md" || fail "no vm column in the MPI table: $(grep '^| MPI' "$d/report.md")"
	vm=$(jq -r '.mpi_runs[] | select(.env == "vm") | .wall_s * 1000 | round / 1000 | tostring' \
		tests/data/study-vm/mpi-mpich-ep-S.json)
	grep -q "^| mpich | ep S | 2 | 0.197 | $vm | 0.161 | 0.253 | 0.231 | 1.22 | 21.79 |" "$d/report.md" ||
		fail "the vm run of ep ($vm s): $(grep '^| mpich | ep' "$d/report.md")"
	grep -q 'MPI (mpich) pingpong, 2 ranks\*\*: on virtual machines (vm) 37.47× the time on ns nodes; ping-pong latency (1 B) 75.35×' \
		"$d/report.md" || fail "the vm pingpong is not answered: $(grep 'MPI (mpich) pingpong' "$d/report.md")"
	expect_eq "$(sed -n 2p "$d/plots/mpi-mpich.dat")" "ep-S 0.1970 0.1609 0.2535 0.2315 0.1157 4.2936" "the MPI times plot's data"
	# a study without vm runs has no vm columns
	d2=$(mktemp -d)
	cp tests/data/study-vm/cpu-n4.json "$d2/"
	jq 'del(.mpi_runs[] | select(.env == "vm"))' tests/data/study-vm/mpi-mpich-ep-S.json >"$d2/mpi-mpich-ep-S.json"
	vl report "$d2" >/dev/null
	grep -q '^| MPI | benchmark | ranks | ns s | proc s | solo s | one s | ns / proc | verified | link MB (ns) | notes |' \
		"$d2/report.md" || fail "vm columns without vm runs: $(grep '^| MPI' "$d2/report.md")"
	rm -rf "$d" "$d2"
}

# The verdict's checks, each failed by what it names and passed without it.
test_bench_verdict_checks_name_what_undermines_a_run() {
	[ -x "$(dirname "$VNETLAB")/vnetlab-work" ] || skip "the workloads program is not built"
	out=$(mktemp)
	check() { jq -r --arg c "$2" '.runs[0].verdict.checks[] | select(.name == $c) | .ok' "$1"; }
	# quiet: the kernel may still be tearing down an earlier test's namespaces
	for _ in 1 2 3; do
		vl bench cpu -n 2 --size 300 --backend ns --json "$out" >/dev/null
		[ "$(check "$out" host_saturation)" = true ] && break
		sleep 3
	done
	jq -e '(.runs[0].verdict.checks | map(.name)) == ["finished", "host_saturation",
		"emulated_cpu", "steal", "throttling", "late_start", "drops", "retransmits",
		"clock_drift"] and all(.runs[0].verdict.checks[]; has("figure") and has("says"))' \
		"$out" >/dev/null || fail "checks: $(jq -c .runs[0].verdict "$out")"
	expect_eq "$(check "$out" host_saturation)" true "host_saturation on a quiet host"
	# and over time: every instance's CPU per 100 ms window
	jq -e '.runs[0].timeline.interval_s == 0.1 and (.runs[0].timeline.windows | length) >= 1 and
		all(.runs[0].timeline.windows[]; (.cpu_s | length) == 2)' "$out" >/dev/null ||
		fail "timeline: $(jq -c .runs[0].timeline "$out" | head -c 600)"
	expect_eq "$(check "$out" emulated_cpu)" true "emulated_cpu on namespaces"
	expect_eq "$(check "$out" throttling)" true "throttling without CPU limits"
	# a node held to a fifth of a CPU is throttled, and the verdict says so
	vl bench cpu -n 1 --size 600 --backend ns --cpus 0.2 --json "$out" >/dev/null
	expect_eq "$(check "$out" throttling)" false "throttling of a node limited to 0.2 CPUs"
	jq -e '(.runs[0].verdict.trustworthy | not) and
		(.runs[0].verdict.checks[] | select(.name == "throttling") | .figure > 0)' "$out" >/dev/null ||
		fail "the throttled run's verdict: $(jq -c .runs[0].verdict "$out")"
	# a busy loop per CPU outside any lab competes with it
	hogs=()
	for _ in $(seq "$(nproc)"); do
		sh -c 'while :; do :; done' &
		hogs+=($!)
	done
	vl bench cpu -n 2 --size 300 --backend ns --json "$out" >/dev/null
	kill "${hogs[@]}"
	wait "${hogs[@]}" 2>/dev/null
	expect_eq "$(check "$out" host_saturation)" false "host_saturation beside busy loops"
	jq -e '(.runs[0].verdict.trustworthy | not) and (.runs[0].fidelity.verdict |
		startswith("not trustworthy: work outside the lab took"))' "$out" >/dev/null ||
		fail "the verdict beside busy loops: $(jq -c .runs[0].fidelity.verdict "$out")"
	rm -f "$out"
}

test_vm_bench_verdict_says_guests_are_emulated() {
	[ -x /usr/bin/qemu-system-x86_64 ] || skip "qemu-system-x86_64 is not installed"
	[ -e /var/cache/vnetlab/vm-kernel/small/vmlinux ] || [ -e /var/cache/vnetlab/vm-kernel/debian/vmlinuz ] ||
		skip "no guest kernel"
	out=$(mktemp)
	vl bench cpu -n 2 --size 100 --backend vm --json "$out" >/dev/null
	accel=$(jq -r '.runs[0].instances | length' "$out")
	expect_eq "$accel" 2 "instances"
	want=true
	grep -q '^tcg' /run/vnetlab-vm-accel 2>/dev/null && want=false
	jq -e --argjson w "$want" '(.runs[0].verdict.checks[] | select(.name == "emulated_cpu") |
		.ok == $w) and (.runs[0].verdict.checks[] | select(.name == "clock_drift") |
		.figure >= 0 and .ok)' "$out" >/dev/null ||
		fail "vm checks (emulated expected: $([ $want = false ] && echo yes || echo no)): $(jq -c .runs[0].verdict.checks "$out")"
	# guests share the CPUs window by window too, as measured
	jq -e '(.runs[0].timeline.windows | length) > 5 and .runs[0].timeline.progress.of == 2 and
		.runs[0].timeline.windowed_jain.median > 0.5 and
		.runs[0].timeline.windowed_jain.worst <= .runs[0].timeline.windowed_jain.median' \
		"$out" >/dev/null || fail "vm timeline: $(jq -c '.runs[0].timeline | del(.windows)' "$out")"
	# the report says it and draws it
	d=$(mktemp -d)
	cp "$out" "$d/cpu-n2.json"
	vl report "$d" >/dev/null
	grep -q "^vm over time (100 ms windows): Jain median" "$d/report.md" ||
		fail "the report does not say how guests shared over time"
	if command -v gnuplot >/dev/null; then
		[ -s "$d/plots/cpu-n2-vm-timeline.png" ] || fail "no timeline chart: $(ls "$d/plots")"
	fi
	rm -rf "$d" "$out"
}

test_capacity_fits_time_against_n() {
	[ -x "$(dirname "$VNETLAB")/vnetlab-work" ] || skip "the workloads program is not built"
	out=$(mktemp) plot=$(mktemp -u /tmp/vt-linearity.XXXXXX)
	vl capacity cpu --max 8 --size 150 --threshold 0.5 --json "$out" --plot "$plot" >/dev/null
	jq -e --argjson c "$(nproc)" '.linearity.cpus == $c and .linearity.to_n == 8 and
		.linearity.slope_s > 0 and .linearity.r2 <= 1 and
		(.linearity.ideal_slope_s - .linearity.t1_s / $c | fabs) < 1e-9 and
		(.linearity.slope_vs_ideal - .linearity.slope_s / .linearity.ideal_slope_s | fabs) < 1e-9' \
		"$out" >/dev/null || fail "linearity: $(jq -c .linearity "$out")"
	if command -v gnuplot >/dev/null; then
		[ -s "$plot.png" ] || fail "no linearity plot at $plot.png"
	fi
	rm -f "$out" "$plot".*
}

# Isolation: each noisy neighbour runs in a node of its own beside the
# instances, the run without it comes first, and each instance's slowdown
# is set against it.
test_bench_neighbours_run_beside_the_instances() {
	[ -x "$(dirname "$VNETLAB")/vnetlab-work" ] || skip "the workloads program is not built"
	out=$(mktemp)
	vl bench cpu -n 2 --size 150 --backend ns,proc --neighbour cpu --json "$out" >/dev/null
	jq -e '(.runs | map(.run)) == ["ns", "ns+cpu", "proc", "proc+cpu"] and
		(.runs[0] | has("neighbour") | not) and
		all(.runs[1, 3]; .neighbour.kind == "cpu" and .neighbour.node == "h3" and
			.neighbour.report.loops > 0 and .neighbour.cgroup_cpu_s > 0 and
			(.neighbour.slowdown | length) == 2 and all(.neighbour.slowdown[]; . > 0)) and
		(.neighbour | map(.baseline)) == ["ns", "proc"] and
		all(.neighbour[]; .median > 0 and .worst >= .median and .fair_slowdown > 0)' \
		"$out" >/dev/null || fail "cpu neighbour: $(jq -c '[.runs[] | {run, neighbour}]' "$out" | head -c 1500)"
	# a fork bomb is held by its node's pids limit and leaves nothing behind
	vl bench cpu -n 2 --size 150 --backend ns --neighbour fork --json "$out" >/dev/null
	jq -e '.runs[1].neighbour.report as $r | $r.peak_tasks <= 128 and $r.failures > 0 and
		$r.forks > 0 and all(.runs[1].instances[]; .finished)' "$out" >/dev/null ||
		fail "fork neighbour: $(jq -c .runs[1].neighbour "$out")"
	pgrep -f 'vnetlab-work hog-' >/dev/null && fail "a neighbour outlived its lab: $(pgrep -af 'vnetlab-work hog-')"
	vl bench cpu -n 2 --size 150 --backend proc --neighbour memory --json "$out" >/dev/null
	jq -e '.runs[1].neighbour.report | .passes > 0 and .bytes >= .size_bytes and .size_bytes > 0' \
		"$out" >/dev/null || fail "memory neighbour: $(jq -c .runs[1].neighbour "$out")"
	# the network neighbour floods its own sink across the same switch
	vl bench stream -n 2 --seconds 1 --backend ns --neighbour network --json "$out" >/dev/null
	jq -e '.runs[1].neighbour | .node == "h5" and .sink == "h6" and .report.bytes > 0 and
		(.slowdown | length) == 2' "$out" >/dev/null ||
		fail "network neighbour: $(jq -c .runs[1].neighbour "$out")"
	"$VNETLAB" bench cpu --neighbour disk 2>/dev/null && fail "--neighbour disk taken"
	rm -f "$out"
}

# A result file says its schema (src/study/compare.h); one without it is
# read as version 1, one newer than this vnetlab is refused by name.
test_report_reads_schema_versions() {
	d=$(mktemp -d)
	cp tests/data/study/*.json "$d/"
	jq -e 'has("schema") | not' "$d/cpu-n3.json" >/dev/null || fail "the stored file has a schema"
	vl report "$d" >/dev/null
	jq '.schema = 2' tests/data/study/cpu-n3.json >"$d/cpu-n3.json"
	out=$("$VNETLAB" report "$d" 2>&1)
	expect_eq $? 1 "exit status for a newer schema"
	expect_eq "$out" "vnetlab: cpu-n3.json: results of schema 2, newer than this vnetlab reads (1): render them with the vnetlab that wrote them" "the refusal"
	rm -rf "$d"
}

# The whole suite, small: every workload at each N on ns, proc and solo
# (bench's tables, in this process), a file per run, what could not run,
# and the report.
test_study_runs_the_suite_and_reports() {
	[ -x "$(dirname "$VNETLAB")/vnetlab-work" ] || skip "the workloads program is not built"
	d=$(mktemp -d)
	out=$("$VNETLAB" study -o "$d" -n 1,2 --workloads cpu --size 64 --seconds 1 2>&1) || fail "study: $out"
	expect_eq "$(grep -c '^RUN ' <<<"$out")" 2 "bench tables printed"
	for n in 1 2; do
		jq -e --argjson n $n '.schema == 1 and .n == $n and (.runs | map(.run)) == ["ns", "proc", "solo"] and
			all(.runs[]; (.metrics.shares | length) == $n)' "$d/cpu-n$n.json" >/dev/null ||
			fail "cpu-n$n.json: $(jq -c '[.n, [.runs[].run]]' "$d/cpu-n$n.json")"
	done
	jq -e '.skipped == []' "$d/skipped.json" >/dev/null || fail "skipped: $(cat "$d/skipped.json")"
	grep -q '^## cpu, N = 2' "$d/report.md" || fail "no report"
	# a workload that is not one fails as bench says it, and the study with it
	"$VNETLAB" study -o "$d" -n 1 --workloads nosuch >/dev/null 2>"$d/err" && fail "study of an unknown workload succeeded"
	grep -q '^vnetlab: study: bench nosuch -n 1 failed$' "$d/err" || fail "unknown workload: $(cat "$d/err")"
	rm -rf "$d"
}

# Without --backend, ns and proc (the default list is not written to).
test_bench_default_backends() {
	[ -x "$(dirname "$VNETLAB")/vnetlab-work" ] || skip "the workloads program is not built"
	out=$(mktemp)
	vl bench cpu -n 1 --size 64 --json "$out" >/dev/null
	expect_eq "$(jq -c '[.runs[].run]' "$out")" '["ns","proc"]' "the default runs"
	rm -f "$out"
}
