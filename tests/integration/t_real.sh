# The real programs of the study: a short run of each adapter (POV-Ray,
# iperf, iperf3, scp over sshd, NetPIPE, MPI with MPICH and LAM/MPI), whose
# parsed figures must be sane and whose traffic must have crossed the lab's
# interfaces. Each skips, with the reason, where its program is missing.

need() { # PROGRAM PACKAGE
	[ -x "$1" ] || skip "$1 is not installed (Debian package $2)"
}

real_ok() { # FILE RUNS: every instance finished, with the fields of a run
	jq -e --argjson runs "$2" '
		(.runs | length) == $runs and
		all(.runs[]; all(.instances[]; .finished and .wall_s > 0 and .value > 0 and
			(.error == null)))' "$1" >/dev/null
}

show() { jq -c '[.runs[] | {run, i: [.instances[] | {finished, error, wall_s, bytes, value}]}]' "$1" | head -c 3000; }

test_real_povray() {
	need /usr/bin/povray povray
	[ -r /usr/share/doc/povray/examples/advanced/wineglass.pov ] ||
		skip "/usr/share/doc/povray/examples/advanced/wineglass.pov is missing (Debian package povray-examples)"
	out=$(mktemp)
	vl bench povray -n 2 --size 48x36 --backend ns,proc --json "$out" >/dev/null ||
		fail "bench povray failed: $(show "$out")"
	real_ok "$out" 2 || fail "povray: $(show "$out")"
	# POV-Ray's own CPU seconds were read from its report, and agree with
	# what the kernel counted for the program (within its print rounding)
	jq -e 'all(.runs[].instances[]; . as $i | $i.report.client.povray.total_cpu_s as $pv |
		$pv > 0 and ((($pv - ($i.user_s + $i.sys_s)) | fabs) < 0.5 + 0.2 * ($i.user_s + $i.sys_s)))' \
		"$out" >/dev/null || fail "povray's CPU seconds: $(jq -c '[.runs[].instances[] | [.report.client.povray, .user_s, .sys_s]]' "$out")"
	rm -f "$out"
}

test_real_iperf_and_iperf3() {
	need /usr/bin/iperf iperf
	out=$(mktemp)
	vl bench iperf -n 2 --seconds 1 --backend ns,proc --json "$out" >/dev/null ||
		fail "bench iperf failed: $(show "$out")"
	real_ok "$out" 2 || fail "iperf: $(show "$out")"
	# measured at the server; on ns the bytes crossed the nodes' veths
	jq -e 'all(.runs[].instances[]; .bytes > 1000000 and .throughput_bps > 1e6) and
		(.runs[0].fidelity.sent_bytes >= ([.runs[0].instances[].bytes] | add))' "$out" >/dev/null ||
		fail "iperf figures: $(jq -c '[.runs[] | [.fidelity.sent_bytes, [.instances[].bytes]]]' "$out")"
	# a shaped link caps iperf as it caps anything
	vl bench iperf -n 1 --seconds 2 --bw 20Mbit --backend ns --json "$out" >/dev/null
	jq -e '.runs[0].instances[0].throughput_bps < 21e6 and .runs[0].instances[0].throughput_bps > 15e6' \
		"$out" >/dev/null || fail "iperf on a 20Mbit link: $(jq -c '.runs[0].instances[0].throughput_bps' "$out")"
	[ -x /usr/bin/iperf3 ] || { rm -f "$out"; skip "/usr/bin/iperf3 is not installed (Debian package iperf3)"; }
	vl bench iperf3 -n 2 --seconds 1 --backend ns --json "$out" >/dev/null ||
		fail "bench iperf3 failed: $(show "$out")"
	real_ok "$out" 1 || fail "iperf3: $(show "$out")"
	jq -e 'all(.runs[].instances[]; .bytes > 1000000 and
		.report.client.iperf3.cpu_host_total > 0 and .report.client.iperf3.cpu_remote_total > 0) and
		(.runs[0].fidelity.sent_bytes >= ([.runs[0].instances[].bytes] | add))' "$out" >/dev/null ||
		fail "iperf3 figures: $(jq -c '[.runs[0].instances[] | .report.client.iperf3]' "$out")"
	rm -f "$out"
}

test_real_scp() {
	need /usr/bin/scp openssh-client
	need /usr/sbin/sshd openssh-server
	out=$(mktemp)
	vl bench scp -n 2 --bytes 4MiB --backend ns,proc --json "$out" >/dev/null ||
		fail "bench scp failed: $(show "$out")"
	real_ok "$out" 2 || fail "scp: $(show "$out")"
	# the file went over the link, encrypted; the server's sshd used CPU
	jq -e 'all(.runs[].instances[]; .bytes == 4194304 and .server_cgroup_cpu_s > 0) and
		.runs[0].fidelity.sent_bytes > 2 * 4194304' "$out" >/dev/null ||
		fail "scp figures: $(jq -c '[.runs[] | [.fidelity.sent_bytes, [.instances[] | .server_cgroup_cpu_s]]]' "$out")"
	# a cipher that does not exist fails the instance with ssh's own words
	vl bench scp -n 1 --bytes 1MiB --cipher no-such-cipher --backend ns --json "$out" >/dev/null
	jq -e '.runs[0].instances[0].finished == false and
		(.runs[0].instances[0].error | test("cipher"; "i"))' "$out" >/dev/null ||
		fail "scp with a bad cipher: $(show "$out")"
	rm -f "$out"
}

test_real_netpipe() {
	need /usr/bin/NPtcp netpipe-tcp
	out=$(mktemp)
	vl bench netpipe -n 1 --bytes 16384 --backend ns --json "$out" >/dev/null ||
		fail "bench netpipe failed: $(show "$out")"
	real_ok "$out" 1 || fail "netpipe: $(show "$out")"
	jq -e '.runs[0].instances[0].report.client.netpipe as $n |
		($n.points | length) > 5 and $n.latency_usec > 0 and $n.latency_usec < 10000 and
		$n.peak_mbps > 10' "$out" >/dev/null ||
		fail "netpipe figures: $(jq -c '.runs[0].instances[0].report.client.netpipe | del(.points)' "$out")"
	rm -f "$out"
}

mpi_ok() { # FILE: every environment ran and verified; on ns, on distinct hosts over the links
	jq -e '.ranks as $r | all(.mpi_runs[] | select(.skipped | not); .finished and .verified) and
		all(.mpi_runs[] | select(.env == "ns"); .hosts == $r) and
		all(.mpi_runs[] | select(.env == "ns"); .link_bytes > 0)' "$1" >/dev/null
}

test_real_mpi_mpich() {
	need /usr/bin/mpiexec.mpich mpich
	[ -x "$(dirname "$VNETLAB")/mpi/mpich/vnetlab-mpi" ] || skip "vnetlab-mpi for MPICH is not built (mpicc.mpich: libmpich-dev)"
	out=$(mktemp)
	vl bench mpi --mpi mpich --benchmark pingpong --ranks 2 --backend ns,proc,solo --timeout 120 \
		--json "$out" >/dev/null
	mpi_ok "$out" || fail "mpich pingpong: $(jq -c '[.mpi_runs[] | del(.report)]' "$out")"
	# a megabyte ping-pong: at least that much crossed the emulated links
	jq -e '(.mpi_runs[] | select(.env == "ns") | .link_bytes) > 2000000' "$out" >/dev/null ||
		fail "mpich: too little traffic on the links: $(jq -c '[.mpi_runs[] | {env, link_bytes}]' "$out")"
	vl bench mpi --mpi mpich --benchmark is --class S --ranks 4 --backend ns,one --timeout 120 \
		--json "$out" >/dev/null
	mpi_ok "$out" || fail "mpich is: $(jq -c '[.mpi_runs[] | del(.report)]' "$out")"
	rm -f "$out"
}

test_real_mpi_lam() {
	need /usr/bin/mpiexec.lam lam-runtime
	need /usr/sbin/sshd openssh-server
	[ -x "$(dirname "$VNETLAB")/mpi/lam/vnetlab-mpi" ] || skip "vnetlab-mpi for LAM/MPI is not built (mpicc.lam: lam4-dev)"
	id vnetlab >/dev/null 2>&1 || skip "no user 'vnetlab' for LAM/MPI, which refuses root (scripts/deps.sh makes it)"
	out=$(mktemp)
	vl bench mpi --mpi lam --benchmark ep --class S --ranks 4 --backend ns,proc,solo --timeout 150 \
		--json "$out" >/dev/null
	mpi_ok "$out" || fail "lam ep: $(jq -c '[.mpi_runs[] | del(.report)]' "$out")"
	jq -e 'all(.mpi_runs[] | select(.skipped | not); .report.mpi | test("LAM"))' "$out" >/dev/null ||
		fail "lam: not LAM's build: $(jq -c '[.mpi_runs[].report.mpi]' "$out")"
	# LAM cannot boot across loopback addresses: proc is skipped, saying so
	jq -e '.mpi_runs[] | select(.env == "proc") | .skipped and (.error | test("loopback"))' \
		"$out" >/dev/null || fail "lam on proc: $(jq -c '[.mpi_runs[] | select(.env == "proc")]' "$out")"
	rm -f "$out"
	# nothing of LAM's is left running (zombies wait for the host's init)
	left=$(ps -u vnetlab -o stat=,pid=,args= | grep -v '^Z')
	[ -z "$left" ] || fail "processes of user vnetlab are left: $left"
}

test_real_unknown_names_are_usage_errors() {
	VNETLAB_WORK=/nonexistent "$VNETLAB" bench no-such 2>/dev/null
	expect_eq $? 2 "exit status for an unknown workload"
	out=$("$VNETLAB" bench mpi --mpi nompi 2>&1)
	expect_eq $? 2 "exit status for an unknown MPI"
	case $out in *"mpich or lam"*) ;; *) fail "unknown MPI: $out" ;; esac
}
