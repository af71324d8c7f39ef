#!/usr/bin/env bash
# vm-up.sh [N...]  —  the vm backend as users meet it: `vnetlab up --topo
# single,N --backend vm` (every guest booted at once, up returning when
# every agent answered), beside the same lab on the ns backend measured in
# the same run. See bench/README.md.
#
# Per N (default 1 10 50), REPS times (default 3):
#   up_s        up's own wall time (state.json up_seconds)
#   boot_med/max seconds from a guest's start to its agent's answer
#   pss_MB      host memory per guest: the mean PSS of the QEMU processes
#               (their supervisors add ≈ 2 MB each)
#   exec_ms     median of 5 `vnetlab exec LAB h1 -- true` (an agent round trip)
#   ping_ms     h1 -> hN inside the guests: the mean of `ping -c 5`, after
#               one ping for ARP, right after up
#   down_s      `vnetlab down`
#   ns_up_s     the same topology on the ns backend (the baseline)
# KERNEL=small|debian|PATH and MACHINE=microvm|q35 pick the guests'.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
VNETLAB=${VNETLAB:-$HERE/../build/vnetlab}
SIZES=${*:-1 10 50}
REPS=${REPS:-3}
KERNEL=${KERNEL:-}
MACHINE=${MACHINE:-}
LAB=vmup-bench

[ "$(id -u)" = 0 ] || { echo "vm-up.sh: needs root" >&2; exit 1; }
opts=()
[ -n "$KERNEL" ] && opts+=(--vm-kernel "$KERNEL")
[ -n "$MACHINE" ] && opts+=(--vm-machine "$MACHINE")

median() { sort -n | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
now() { date +%s.%N; }

"$VNETLAB" down "$LAB" >/dev/null 2>&1 || true
printf '%-4s %-3s %7s %9s %9s %7s %8s %8s %7s %8s\n' N rep up_s boot_med boot_max pss_MB exec_ms ping_ms down_s ns_up_s
for n in $SIZES; do
	for rep in $(seq 1 "$REPS"); do
		"$VNETLAB" up --topo "single,$n" --backend vm --name "$LAB" -q "${opts[@]}"
		st=/run/vnetlab/$LAB/state.json
		up_s=$(jq '.up_seconds' "$st")
		boot_med=$(jq '.nodes[].vm.boot_s' "$st" | median)
		boot_max=$(jq '[.nodes[].vm.boot_s] | max' "$st")
		pss=0
		pids=$(pgrep -f "^qemu-system-x86_64 .*/run/vnetlab/$LAB/vm/initramfs")
		for p in $pids; do
			kb=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup")
			pss=$((pss + kb))
		done
		pss_mb=$(awk -v s="$pss" -v n="$(echo "$pids" | wc -w)" 'BEGIN {printf "%.1f", s / n / 1024}')
		exec_ms=$(for _ in 1 2 3 4 5; do
			a=$(now); "$VNETLAB" exec "$LAB" h1 -- true; b=$(now)
			awk -v a="$a" -v b="$b" 'BEGIN {printf "%.1f\n", (b - a) * 1000}'
		done | median)
		"$VNETLAB" exec "$LAB" h1 -- ping -c 1 -q "h$n" >/dev/null 2>&1 || true # ARP first
		ping_ms=$("$VNETLAB" exec "$LAB" h1 -- ping -c 5 -q "h$n" 2>/dev/null |
			sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
		a=$(now); "$VNETLAB" down "$LAB"; b=$(now)
		down_s=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b - a}')
		"$VNETLAB" up --topo "single,$n" --backend ns --name "$LAB" -q
		ns_up_s=$(jq '.up_seconds' "/run/vnetlab/$LAB/state.json")
		"$VNETLAB" down "$LAB"
		printf '%-4s %-3s %7.2f %9.2f %9.2f %7s %8s %8s %7s %8.3f\n' "$n" "$rep" "$up_s" "$boot_med" \
			"$boot_max" "$pss_mb" "$exec_ms" "${ping_ms:-nan}" "$down_s" "$ns_up_s"
	done
done
