#!/usr/bin/env bash
# isolation.sh [VNETLAB]  —  how well each backend keeps a noisy neighbour
# from its other nodes (Quétier et al.'s "isolation"): `vnetlab bench
# WORKLOAD -n N --neighbour KIND` for each KIND, which runs every backend
# twice in the same invocation, without the neighbour (the baseline) and
# then with it, and reports each instance's slowdown against the baseline.
#
#   KINDS     (default "cpu memory network fork")
#   WORKLOAD  (default cpu; stream for the network kind unless NET_WORKLOAD)
#   SIZE      cpu's --size (default its own, about 2 s alone; guests under
#             TCG take 20-30 times as long: SIZE=400 for them)
#   N         instances (default 4); BACKENDS (default proc,ns,vm where a
#             guest kernel is cached, else proc,ns); PROFILE (default none;
#             study gives every node 1 CPU and 64 MiB)
#
# Each kind runs REPS times (default 3). Prints a table: kind, backend, the
# medians over the repetitions of the median and worst slowdown, a fair
# share's slowdown for the CPU hog, the neighbour's own CPU seconds and the
# baseline's mean wall time; JSON lines (one per repetition) go
# to $OUT (default bench/results/isolation-<date>.jsonl).
set -u
cd "$(dirname "$0")/.."
. bench/lib.sh
V=${1:-build/vnetlab}
KINDS=${KINDS:-"cpu memory network fork"}
WORKLOAD=${WORKLOAD:-cpu}
NET_WORKLOAD=${NET_WORKLOAD:-stream}
N=${N:-4}
PROFILE=${PROFILE:-none}
REPS=${REPS:-3}
if [ -z "${BACKENDS:-}" ]; then
	BACKENDS=proc,ns
	if [ -e /var/cache/vnetlab/vm-kernel/small/vmlinux ] || [ -e /var/cache/vnetlab/vm-kernel/debian/vmlinuz ]; then
		BACKENDS=proc,ns,vm
	fi
fi
OUT=${OUT:-bench/results/isolation-$(date +%Y%m%d-%H%M%S).jsonl}
mkdir -p "$(dirname "$OUT")"
[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$V" ] || die "no $V (make)"
command -v jq >/dev/null || die "needs jq"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%-8s %-8s %-12s %9s %9s %9s %11s %15s %4s\n' KIND WORKLOAD RUN MEDIAN WORST FAIR "NEIGH CPU-s" "BASELINE wall s" REPS
for kind in $KINDS; do
	w=$WORKLOAD
	[ "$kind" = network ] && w=$NET_WORKLOAD
	size=()
	[ -n "${SIZE:-}" ] && [ "$w" = cpu ] && size=(--size "$SIZE")
	say "isolation: $w -n $N beside a $kind neighbour on $BACKENDS, $REPS times"
	ok=0
	for r in $(seq "$REPS"); do
		if "$V" bench "$w" -n "$N" --seconds 5 --backend "$BACKENDS" --profile "$PROFILE" \
			--timeout 600 "${size[@]}" --neighbour "$kind" --json "$tmp/$kind-$r.json" \
			>/dev/null 2>"$tmp/$kind.err"; then
			ok=$((ok + 1))
			jq -c --arg k "$kind" --arg p "$PROFILE" '{kind: $k, workload, n, profile: $p,
				isolation: .neighbour, neighbour_reports: [.runs[] | select(.neighbour) |
				{run, report: .neighbour.report}]}' "$tmp/$kind-$r.json" >>"$OUT"
		else
			warn "bench $w --neighbour $kind failed: $(tail -n 3 "$tmp/$kind.err")"
			rm -f "$tmp/$kind-$r.json"
		fi
	done
	[ "$ok" -gt 0 ] || continue
	# medians over the repetitions of each run's median and worst
	jq -rs --arg k "$kind" --arg w "$w" '
		def med: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
			else (.[length / 2 - 1] + .[length / 2]) / 2 end;
		def x: if . == null then "-" else (. * 100 | round / 100 | tostring) + "x" end;
		[.[] | (.runs | map({key: .run, value: .}) | from_entries) as $r |
			.neighbour[] | {run, median, worst, fair: .fair_slowdown,
				cpu: ($r[.run].neighbour.cgroup_cpu_s // 0),
				base: $r[.baseline].metrics.mean_wall_s}] |
		group_by(.run)[] | [$k, $w, .[0].run, (map(.median) | med | x), (map(.worst // 1e9) | med |
			if . >= 1e9 then "inf" else x end), (.[0].fair | x),
			(map(.cpu) | med | . * 10 | round / 10 | tostring),
			(map(.base) | med | . * 100 | round / 100 | tostring), (length | tostring)] | @tsv' \
		"$tmp/$kind"-*.json | while IFS=$'\t' read -r k wl run med worst fair cpu base reps; do
		printf '%-8s %-8s %-12s %9s %9s %9s %11s %15s %4s\n' "$k" "$wl" "$run" "$med" "$worst" "$fair" "$cpu" "$base" "$reps"
	done
done
echo "JSON lines: $OUT"
