#!/usr/bin/env bash
# vm-programs.sh [VNETLAB]  —  what running the host's own programs costs in
# guests (backend vm: the host's root over virtio-9p under a private tmpfs
# layer) beside ns nodes and proc processes measured in the same run.
#
#   1. exec latency: `vnetlab exec LAB h1 -- PROG` of a host program (python3
#      -c 1, and /bin/true for the bare round trip), its first run in a fresh
#      guest and the median of REPS repeated runs, on vm and on ns.
#   2. scp of SCP_BYTES (default 64MiB) from one node to another's sshd:
#      `vnetlab bench scp -n 1` on ns and vm (wall seconds, the workload's own).
#   3. MPI: `vnetlab bench mpi` pingpong with 2 ranks (latency at 1 byte, the
#      study's question whether a VM network beats a real one on small
#      messages) and the NAS-style kernels ep, is, cg, mg at CLASSES (default
#      "S W") with RANKS ranks (default 2), on ns, vm and proc, for MPI (default
#      mpich; lam has no proc environment).
#
# PARTS="exec scp mpi" chooses parts. Prints a table per part, medians where there are repetitions, ratios to
# ns; JSON lines go to $OUT (default bench/results/vm-programs-<date>.jsonl).
# Needs root, QEMU and a guest kernel; takes about 10 minutes under TCG.
set -u
cd "$(dirname "$0")/.."
. bench/lib.sh
V=${1:-build/vnetlab}
REPS=${REPS:-5}
SCP_BYTES=${SCP_BYTES:-64MiB}
CLASSES=${CLASSES:-"S W"}
RANKS=${RANKS:-2}
MPI=${MPI:-mpich}
OUT=${OUT:-bench/results/vm-programs-$(date +%Y%m%d-%H%M%S).jsonl}
mkdir -p "$(dirname "$OUT")"
[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$V" ] || die "no $V (make)"
command -v jq >/dev/null || die "needs jq"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; "$V" down bvp-vm bvp-ns >/dev/null 2>&1' EXIT

PARTS=${PARTS:-"exec scp mpi"}
part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }

# --- 1. exec latency -----------------------------------------------------------
exec_s() { # LAB PROG...: wall seconds of one exec
	local t0 t1
	t0=$(now_ns)
	"$V" exec "$@" >/dev/null 2>&1 || echo "exec $* failed" >&2
	t1=$(now_ns)
	ns_to_s "$t0" "$t1"
	echo
}
part exec && printf '%-8s %-18s %10s %12s\n' backend program first_s median_s
for be in vm ns; do
	part exec || break
	"$V" up --topo single,1 --backend "$be" --name "bvp-$be" -q || die "up $be"
	for prog in "python3 -c 1" "true"; do
		# shellcheck disable=SC2086
		first=$(exec_s "bvp-$be" h1 -- $prog)
		for _ in $(seq "$REPS"); do
			# shellcheck disable=SC2086
			exec_s "bvp-$be" h1 -- $prog
		done >"$tmp/rep"
		med=$(median <"$tmp/rep")
		printf '%-8s %-18s %10s %12s\n' "$be" "$prog" "$first" "$med"
		printf '{"part":"exec","backend":"%s","program":"%s","first_s":%s,"median_s":%s,"reps":%s}\n' \
			"$be" "$prog" "$first" "$med" "$REPS" >>"$OUT"
	done
	"$V" down "bvp-$be" >/dev/null
done

# --- 2. scp --------------------------------------------------------------------
if part scp; then
	echo
	printf '%-8s %10s %10s %10s\n' backend bytes wall_s "vs ns"
	"$V" bench scp -n 1 --bytes "$SCP_BYTES" --backend ns,vm --json "$tmp/scp.json" >/dev/null 2>&1 ||
		warn "bench scp failed"
	ns_s=$(jq -r '.runs[] | select(.backend == "ns") | .instances[0].wall_s' "$tmp/scp.json" 2>/dev/null)
	for be in ns vm; do
		s=$(jq -r --arg b "$be" '.runs[] | select(.backend == $b) | .instances[0] |
			if .finished then .wall_s else "-" end' "$tmp/scp.json" 2>/dev/null)
		r=$(awk -v a="$s" -v b="$ns_s" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }')
		printf '%-8s %10s %10s %10s\n' "$be" "$SCP_BYTES" "${s:--}" "$r"
		printf '{"part":"scp","backend":"%s","bytes":"%s","wall_s":"%s"}\n' "$be" "$SCP_BYTES" "${s:--}" >>"$OUT"
	done
fi

# --- 3. MPI --------------------------------------------------------------------
echo
mpi_row() { # BENCH CLASS|-: one row of the table from $tmp/mpi.json
	local ns_t
	ns_t=$(jq -r '.mpi_runs[] | select(.env == "ns") | .wall_s' "$tmp/mpi.json" 2>/dev/null)
	for env in ns vm proc; do
		jq -r --arg e "$env" --arg b "$1" --arg c "$2" --argjson ns "${ns_t:-0}" '
			.mpi_runs[] | select(.env == $e) |
			[$e, $b, $c, (if .finished and .verified then (.wall_s | tostring) else "failed" end),
			 (if $ns > 0 and .finished then (.wall_s / $ns * 100 | round / 100 | tostring) else "-" end),
			 (if .report.points then (.report.points[0].latency_us | . * 10 | round / 10 | tostring) else "-" end),
			 .hosts] | @tsv' "$tmp/mpi.json" 2>/dev/null |
			awk -F'\t' '{ printf "%-6s %-10s %-5s %10s %8s %12s %6s\n", $1, $2, $3, $4, $5, $6, $7 }'
	done
	jq -c --arg b "$1" --arg c "$2" '{part: "mpi", mpi: .mpi, benchmark: $b, class: $c,
		runs: [.mpi_runs[] | {env, finished, verified, wall_s, hosts, link_bytes,
		latency_1B_us: (.report.points[0].latency_us? // null)}]}' "$tmp/mpi.json" >>"$OUT" 2>/dev/null
}
part mpi || { echo "JSON lines: $OUT"; exit 0; }
printf '%-6s %-10s %-5s %10s %8s %12s %6s\n' env benchmark class time_s "vs ns" lat_1B_us hosts
"$V" bench mpi --mpi "$MPI" --benchmark pingpong --ranks 2 --backend ns,vm,proc \
	--json "$tmp/mpi.json" >/dev/null 2>&1 || warn "pingpong failed"
mpi_row pingpong -
for cls in $CLASSES; do
	for k in ep is cg mg; do
		"$V" bench mpi --mpi "$MPI" --benchmark "$k" --class "$cls" --ranks "$RANKS" \
			--backend ns,vm,proc --timeout 600 --json "$tmp/mpi.json" >/dev/null 2>&1 ||
			warn "$k $cls failed"
		mpi_row "$k" "$cls"
	done
done
echo
echo "JSON lines: $OUT"
