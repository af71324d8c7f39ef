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
# Prints a table: kind, backend, median and worst slowdown, a fair share's
# slowdown for the CPU hog, the neighbour's own CPU seconds; JSON lines go
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

printf '%-8s %-8s %-11s %9s %9s %9s %11s %s\n' KIND WORKLOAD RUN MEDIAN WORST FAIR "NEIGH CPU-s" "BASELINE wall s"
for kind in $KINDS; do
	w=$WORKLOAD
	[ "$kind" = network ] && w=$NET_WORKLOAD
	size=()
	[ -n "${SIZE:-}" ] && [ "$w" = cpu ] && size=(--size "$SIZE")
	say "isolation: $w -n $N beside a $kind neighbour on $BACKENDS"
	if ! "$V" bench "$w" -n "$N" --seconds 5 --backend "$BACKENDS" --profile "$PROFILE" \
		--timeout 600 "${size[@]}" --neighbour "$kind" --json "$tmp/$kind.json" >/dev/null 2>"$tmp/$kind.err"; then
		warn "bench $w --neighbour $kind failed: $(tail -n 3 "$tmp/$kind.err")"
		continue
	fi
	jq -r --arg k "$kind" --arg w "$w" '
		(.runs | map({key: .run, value: .}) | from_entries) as $r |
		.neighbour[] | [$k, $w, .run,
			(if .median then (.median * 100 | round / 100 | tostring) + "x" else "-" end),
			(if .worst then (.worst * 100 | round / 100 | tostring) + "x" else "inf" end),
			(if .fair_slowdown then (.fair_slowdown * 100 | round / 100 | tostring) + "x" else "-" end),
			($r[.run].neighbour.cgroup_cpu_s // 0 | . * 10 | round / 10 | tostring),
			($r[.baseline].metrics.mean_wall_s * 100 | round / 100 | tostring)] | @tsv' \
		"$tmp/$kind.json" | while IFS=$'\t' read -r k wl run med worst fair cpu base; do
		printf '%-8s %-8s %-11s %9s %9s %9s %11s %s\n' "$k" "$wl" "$run" "$med" "$worst" "$fair" "$cpu" "$base"
	done
	jq -c --arg k "$kind" --arg p "$PROFILE" '{kind: $k, workload, n, profile: $p,
		isolation: .neighbour, neighbour_reports: [.runs[] | select(.neighbour) | {run, report: .neighbour.report}]}' \
		"$tmp/$kind.json" >>"$OUT"
done
echo "JSON lines: $OUT"
