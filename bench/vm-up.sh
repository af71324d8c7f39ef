#!/usr/bin/env bash
# vm-up.sh [N...]  —  the vm backend as users meet it: `vnetlab up --topo
# single,N --backend vm` (up returning when every agent answered), beside
# the same lab on the ns backend measured in the same run. See
# bench/README.md.
#
# Per N (default 1 10 50 100 200), REPS times (default 3), in each MODE
# (MODES, default "clone fresh cold"):
#   clone       guests cloned from their shape's template, already cached
#   fresh       the same, the template made by this up (the cache emptied)
#   cold        every guest booted (--vm-clone off); only up to COLD_MAX
#               guests (default 50: Debian's kernel takes ~156 MB each)
# and:
#   up_s        up's own wall time (state.json up_seconds)
#   boot_med/max seconds from a guest's start to its agent's answer
#   pss_MB      host memory per guest: the mean PSS of the QEMU processes
#               (their supervisors add ≈ 2 MB each)
#   exec_ms     median of 5 `vnetlab exec LAB h1 -- true` (an agent round trip)
#   ping_ms     h1 -> hN inside the guests: the mean of `ping -c 5`, after
#               one ping for ARP, right after up
#   down_s      `vnetlab down`
#   ns_up_s     the same topology on the ns backend (the baseline)
#   ksm_MB      with KSM=SECONDS: PSS per guest again after KSM merged
#               for that long (pages_to_scan 20000 every 20 ms; the host's
#               KSM settings are put back, merged pages split again)
# KERNEL=small|debian|PATH and MACHINE=microvm|q35 pick the guests'.
# Templates go to a directory of this run's (removed at its end).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
VNETLAB=${VNETLAB:-$HERE/../build/vnetlab}
SIZES=${*:-1 10 50 100 200}
REPS=${REPS:-3}
MODES=${MODES:-clone fresh cold}
COLD_MAX=${COLD_MAX:-50}
KSM=${KSM:-0}
KERNEL=${KERNEL:-}
MACHINE=${MACHINE:-}
LAB=vmup-bench

[ "$(id -u)" = 0 ] || { echo "vm-up.sh: needs root" >&2; exit 1; }
opts=()
[ -n "$KERNEL" ] && opts+=(--vm-kernel "$KERNEL")
[ -n "$MACHINE" ] && opts+=(--vm-machine "$MACHINE")

median() { sort -n | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
now() { date +%s.%N; }

VNETLAB_VM_TEMPLATES=$(mktemp -d /dev/shm/vm-up-bench.XXXXXX)
export VNETLAB_VM_TEMPLATES
KSM_DIR=/sys/kernel/mm/ksm
ksm_saved=""
restore() {
	rm -rf "$VNETLAB_VM_TEMPLATES"
	if [ -n "$ksm_saved" ]; then
		read -r run scan sleep <<<"$ksm_saved"
		echo 2 >"$KSM_DIR/run"; echo "$scan" >"$KSM_DIR/pages_to_scan"
		echo "$sleep" >"$KSM_DIR/sleep_millisecs"; echo "$run" >"$KSM_DIR/run"
	fi
}
trap restore EXIT

# mean PSS of the lab's QEMU processes, MB
lab_pss() {
	local pss=0 pids
	pids=$(pgrep -f "^qemu-system-x86_64 .*/run/vnetlab/$LAB/vm/initramfs")
	for p in $pids; do
		kb=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup")
		pss=$((pss + kb))
	done
	awk -v s="$pss" -v n="$(echo "$pids" | wc -w)" 'BEGIN {printf "%.1f", s / n / 1024}'
}

ksm_pss() {
	[ "$KSM" != 0 ] && [ -w "$KSM_DIR/run" ] || { echo -; return; }
	[ -n "$ksm_saved" ] || ksm_saved="$(cat $KSM_DIR/run) $(cat $KSM_DIR/pages_to_scan) $(cat $KSM_DIR/sleep_millisecs)"
	echo 20000 >"$KSM_DIR/pages_to_scan"; echo 20 >"$KSM_DIR/sleep_millisecs"; echo 1 >"$KSM_DIR/run"
	sleep "$KSM"
	lab_pss
	echo 2 >"$KSM_DIR/run" # split what was merged before the next run
}

"$VNETLAB" down "$LAB" >/dev/null 2>&1 || true
printf '%-4s %-3s %-5s %7s %9s %9s %7s %7s %8s %8s %7s %8s\n' N rep mode up_s boot_med boot_max \
	pss_MB ksm_MB exec_ms ping_ms down_s ns_up_s
for n in $SIZES; do
	for rep in $(seq 1 "$REPS"); do
	for mode in $MODES; do
		mopts=()
		case $mode in
		cold)
			[ "$n" -le "$COLD_MAX" ] || continue
			mopts=(--vm-clone off) ;;
		fresh) "$VNETLAB" clean --templates >/dev/null ;;
		clone) # made once, outside the clock
			"$VNETLAB" up --topo single,1 --backend vm --name "$LAB" -q "${opts[@]}"
			"$VNETLAB" down "$LAB" ;;
		esac
		"$VNETLAB" up --topo "single,$n" --backend vm --name "$LAB" -q "${opts[@]}" "${mopts[@]}"
		st=/run/vnetlab/$LAB/state.json
		up_s=$(jq '.up_seconds' "$st")
		boot_med=$(jq '.nodes[].vm.boot_s' "$st" | median)
		boot_max=$(jq '[.nodes[].vm.boot_s] | max' "$st")
		pss_mb=$(lab_pss)
		exec_ms=$(for _ in 1 2 3 4 5; do
			a=$(now); "$VNETLAB" exec "$LAB" h1 -- true; b=$(now)
			awk -v a="$a" -v b="$b" 'BEGIN {printf "%.1f\n", (b - a) * 1000}'
		done | median)
		"$VNETLAB" exec "$LAB" h1 -- ping -c 1 -q "h$n" >/dev/null 2>&1 || true # ARP first
		ping_ms=$("$VNETLAB" exec "$LAB" h1 -- ping -c 5 -q "h$n" 2>/dev/null |
			sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
		ksm_mb=$(ksm_pss)
		a=$(now); "$VNETLAB" down "$LAB"; b=$(now)
		down_s=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b - a}')
		"$VNETLAB" up --topo "single,$n" --backend ns --name "$LAB" -q
		ns_up_s=$(jq '.up_seconds' "/run/vnetlab/$LAB/state.json")
		"$VNETLAB" down "$LAB"
		printf '%-4s %-3s %-5s %7.2f %9.2f %9.2f %7s %7s %8s %8s %7s %8.3f\n' "$n" "$rep" "$mode" \
			"$up_s" "$boot_med" "$boot_max" "$pss_mb" "$ksm_mb" "$exec_ms" "${ping_ms:-nan}" \
			"$down_s" "$ns_up_s"
	done
	done
done
