#!/usr/bin/env bash
# vm-boot.sh [N...]  —  how long QEMU guests take to boot until ready, and
# how much host memory each costs, when N of them start at once; beside a
# baseline of N network namespaces started the same way. See
# bench/README.md and the vm backend's notes.
#
# Per configuration (kernel, machine, memory) and N (default 1 10 50):
# N guests start together, each with a virtio-net NIC on a TAP device
# QEMU makes (and removes when it exits), a virtio-serial port where the
# agent will listen, and its serial console in a file. The guest's /init
# (a throwaway busybox script until the agent exists) mounts /proc, /sys
# and /dev, loads modules when the kernel needs them, waits for eth0 and
# the virtio-serial port, brings the links up and prints a marker on the
# console. Ready = the marker is in the console file (polled every 0.1 s).
# SETTLE seconds after the last guest is ready, the memory of each qemu
# process is read (/proc/PID/smaps_rollup: RSS and PSS) with the drop of
# MemAvailable; then every guest is killed and waited for.
#
# Configurations: small kernel (make vm-kernel) on -M microvm and on
# -M q35 at MEM_SMALL MiB, Debian's kernel (scripts/vm-kernel.sh --debian)
# on q35 at MEM_DEBIAN MiB for N in DEBIAN_N only. The kernel is booted as
# an uncompressed vmlinux (QEMU's PVH entry); a configuration ending in
# -bzimage boots the bzImage instead, one ending in -gz a gzipped initramfs,
# one with -qboot q35 with qboot instead of SeaBIOS (e.g. CONFIGS="small-q35
# small-q35-gz small-q35-qboot debian-q35 debian-q35-bzimage"). Accelerator:
# TCG, and KVM as well when a probe boot under KVM succeeds (the probe's
# outcome is printed either way).
#
# Columns (one line per run, also as JSON lines in OUT): ready/N; median_s
# and max_s, host wall seconds from a guest's qemu start to its marker;
# guest_s, the guests' median uptime at the marker; rss_MB and pss_MB, the
# mean per qemu (PSS shares the kernel file, qemu's binary and libraries
# among the N); avail_MB, the drop of MemAvailable / N (noise of ±10 MB
# makes it meaningless at N = 1); cpu_s, user+sys seconds per qemu.
#
# Environment:
#   CONFIGS="small-microvm small-q35 debian-q35"
#   DEBIAN_N="1 10"   MEM_SMALL=64   MEM_DEBIAN=128
#   TB_SMALL=16  TB_DEBIAN=32   TCG's translation cache in MiB (all of it
#                     ends up resident in each qemu)
#   TIMEOUT=300       seconds for all N guests of a run to be ready
#   SETTLE=3          seconds between the last ready and the memory reading
#   REPS=1            runs of each configuration and N (one line each)
#   VL_VM_CACHE       where scripts/vm-kernel.sh keeps the kernels
#   OUT=FILE          JSON lines (default bench/results/vm-boot-<date>.jsonl)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

SIZES=${*:-1 10 50}
CONFIGS=${CONFIGS:-small-microvm small-q35 debian-q35}
DEBIAN_N=${DEBIAN_N:-1 10}
MEM_SMALL=${MEM_SMALL:-64}
MEM_DEBIAN=${MEM_DEBIAN:-128}
TB_SMALL=${TB_SMALL:-16}
TB_DEBIAN=${TB_DEBIAN:-32}
TIMEOUT=${TIMEOUT:-300}
SETTLE=${SETTLE:-3}
REPS=${REPS:-1}
MARKER=VNETLAB-READY

say() { if [ -t 2 ]; then printf '%s\n' "$*" >&2; fi; }
die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root (TAP devices)"
for n in $SIZES $DEBIAN_N $REPS; do case $n in '' | *[!0-9]* | 0) die "bad number: $n" ;; esac; done
command -v qemu-system-x86_64 >/dev/null ||
	die "no qemu-system-x86_64 (apt-get install --no-install-recommends qemu-system-x86)"
[ -x /bin/busybox ] || die "no /bin/busybox (Debian package busybox-static)"
command -v cc >/dev/null || die "no C compiler (build-essential)"

SMALL=$("$ROOT/scripts/vm-kernel.sh" --print)
DEBIAN=$("$ROOT/scripts/vm-kernel.sh" --debian --print 2>/dev/null) || DEBIAN=
STAMP=$(date +%Y%m%d-%H%M%S)
if [ -z "${OUT:-}" ]; then
	mkdir -p "$HERE/results"
	OUT=$HERE/results/vm-boot-$STAMP.jsonl
fi
: >>"$OUT"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vl-vmboot.XXXXXX")
TAG=$(($$ % 10000))
PIDS=() # every process of ours that may still run

stop_all() {
	local p left
	[ ${#PIDS[@]} -gt 0 ] || return 0
	kill -TERM "${PIDS[@]}" 2>/dev/null || true
	for _ in $(seq 50); do
		left=0
		for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && left=1; done
		[ $left = 1 ] || break
		sleep 0.1
	done
	kill -KILL "${PIDS[@]}" 2>/dev/null || true
	wait "${PIDS[@]}" 2>/dev/null || true
	PIDS=()
}
cleanup() {
	trap - EXIT INT TERM
	stop_all
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- the guest image: busybox, the throwaway init, modules if needed -------
cc -std=gnu11 -O2 -D_GNU_SOURCE -I"$ROOT/src" -o "$WORK/vm-image" "$HERE/vm-image.c" \
	"$ROOT/src/vm/image.c" "$ROOT/src/vm/initramfs.c" "$ROOT/src/base/util.c" "$ROOT/src/base/err.c"
cat >"$WORK/init" <<EOF
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
if [ -r /lib/modules/load-order ]; then
	while read -r m; do insmod "/lib/modules/\$m"; done </lib/modules/load-order
fi
n=0
until [ -e /sys/class/net/eth0 ] && [ -n "\$(ls /sys/class/virtio-ports 2>/dev/null)" ]; do
	n=\$((n + 1))
	[ \$n -lt 1000 ] || break
	sleep 0.01
done
ip link set lo up
ip link set eth0 up
read -r up _ </proc/uptime
echo "$MARKER \$up" >/dev/console
while :; do sleep 3600; done
EOF
chmod 755 "$WORK/init"
"$WORK/vm-image" "$WORK/small.img" "$WORK/init" /bin/busybox -
if [ -n "$DEBIAN" ] && [ -d "$DEBIAN/modules" ]; then
	"$WORK/vm-image" "$WORK/debian.img" "$WORK/init" /bin/busybox "$DEBIAN/modules"
fi

# The same images gzipped, for the configurations that end in -gz.
for img in "$WORK"/*.img; do gzip -9 -n -c "$img" >"$img.gz"; done

# Microvm calibrates its TSC against nothing: give it the host's rate (the
# guest's TSC under TCG is the host's).
TSC_KHZ=$(awk -F': *' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)

# qemu_args CONFIG ACCEL INDEX: set QARGS to the command line of guest INDEX.
qemu_args() {
	local kernel img mem machine append nic serial tb cpu bios
	case $1 in
	small-*) kernel=$SMALL/vmlinux img=$WORK/small.img mem=$MEM_SMALL tb=$TB_SMALL ;;
	debian-*) kernel=$DEBIAN/vmlinux img=$WORK/debian.img mem=$MEM_DEBIAN tb=$TB_DEBIAN ;;
	esac
	case $1 in
	small-*-bzimage) kernel=$SMALL/bzImage ;;
	debian-*-bzimage) kernel=$DEBIAN/vmlinuz ;;
	esac
	case $1 in *-gz) img=$img.gz ;; esac
	append="console=ttyS0 panic=-1 quiet no_timer_check"
	case ${1%%-bzimage*} in
	*-microvm*)
		machine=microvm
		append="$append tsc_early_khz=$TSC_KHZ"
		nic=virtio-net-device serial=virtio-serial-device
		;;
	*-q35*)
		machine=q35
		nic=virtio-net-pci,romfile= serial=virtio-serial-pci
		;;
	esac
	# KVM: the host's CPU; TCG: every feature it emulates, and a bounded
	# translation cache
	if [ "$2" = kvm ]; then cpu=host tb=; else cpu=max tb=",tb-size=$tb"; fi
	bios=()
	case $1 in *-qboot*) bios=(-bios /usr/share/qemu/qboot.rom) ;; esac
	# shellcheck disable=SC2054 # commas inside QEMU's options
	QARGS=(qemu-system-x86_64 -M "$machine" "${bios[@]}" -cpu "$cpu" -accel "$2$tb" -m "$mem" -smp 1
		-nodefaults -no-user-config -nographic -no-reboot -monitor none
		-kernel "$kernel" -initrd "$img" -append "$append"
		-serial "file:$WORK/run/con-$3.log"
		-netdev "tap,id=n0,ifname=vb${TAG}g$3,script=no,downscript=no"
		-device "$nic,netdev=n0"
		-chardev null,id=ag -device "$serial" -device virtserialport,chardev=ag,name=vnetlab.agent)
}

# run CONFIG ACCEL N: start N guests (or, for CONFIG "netns", N
# namespaces), wait until all are ready or TIMEOUT, measure, stop them.
# Writes one JSON object to $WORK/result.
run() {
	local cfg=$1 accel=$2 n=$3 i t0 now ready=0 failed=0 avail0 avail1 f p
	local -a start ready_at guest_up
	rm -rf "$WORK/run"
	mkdir "$WORK/run"
	avail0=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	for ((i = 0; i < n; i++)); do
		start[i]=$EPOCHREALTIME
		if [ "$cfg" = netns ]; then
			unshare -n sh -c "ip link set lo up && echo $MARKER 0 && exec sleep 100000" \
				>"$WORK/run/con-$i.log" 2>&1 &
		else
			qemu_args "$cfg" "$accel" "$i"
			"${QARGS[@]}" </dev/null >"$WORK/run/qemu-$i.log" 2>&1 &
		fi
		PIDS[i]=$!
	done
	t0=${start[0]}
	while [ $((ready + failed)) -lt "$n" ]; do
		sleep 0.1
		now=$EPOCHREALTIME
		for f in $(grep -l "$MARKER" "$WORK"/run/con-*.log 2>/dev/null || true); do
			i=${f##*/con-}
			i=${i%.log}
			[ -z "${ready_at[i]:-}" ] || continue
			ready_at[i]=$now
			guest_up[i]=$(sed -n "s/.*$MARKER \([0-9.]*\).*/\1/p" "$f" | head -n 1)
			ready=$((ready + 1))
		done
		failed=0
		for ((i = 0; i < n; i++)); do
			[ -z "${ready_at[i]:-}" ] && ! kill -0 "${PIDS[i]}" 2>/dev/null &&
				failed=$((failed + 1))
		done
		if awk -v a="$t0" -v b="$now" -v t="$TIMEOUT" 'BEGIN { exit !(b - a > t) }'; then
			failed=$((n - ready))
			break
		fi
	done
	sleep "$SETTLE"
	avail1=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	: >"$WORK/mem"
	: >"$WORK/cpu"
	for ((i = 0; i < n; i++)); do
		p=${PIDS[i]}
		awk -v i="$i" '/^Rss:/ { r = $2 } /^Pss:/ { s = $2 } END { print i, r + 0, s + 0 }' \
			"/proc/$p/smaps_rollup" 2>/dev/null >>"$WORK/mem" || true
		awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null >>"$WORK/cpu" || true
	done
	if [ "$failed" -gt 0 ]; then
		for ((i = 0; i < n; i++)); do
			[ -n "${ready_at[i]:-}" ] && continue
			printf '%s %s N=%s: guest %s not ready; console: %s; qemu: %s\n' \
				"$cfg" "$accel" "$n" "$i" \
				"$(tail -c 300 "$WORK/run/con-$i.log" 2>/dev/null | tr -c '[:print:]' ' ')" \
				"$(tail -c 300 "$WORK/run/qemu-$i.log" 2>/dev/null | tr '\n' ' ')" >&2
		done
	fi
	stop_all
	for ((i = 0; i < n; i++)); do
		[ -n "${ready_at[i]:-}" ] || continue
		echo "${start[i]} ${ready_at[i]} ${guest_up[i]:-0}"
	done >"$WORK/times"
	# plain awk (Debian's is mawk: no asort)
	awk -v cfg="$cfg" -v accel="$accel" -v n="$n" -v failed="$failed" \
		-v a0="$avail0" -v a1="$avail1" -v t0="$t0" -v hz="$(getconf CLK_TCK)" '
		function sort(v, k,   i, j, x) {
			for (i = 2; i <= k; i++) {
				x = v[i]
				for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]
				v[j + 1] = x
			}
		}
		function median(v, k) {
			if (k == 0) return -1
			return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
		}
		FILENAME == ARGV[1] { w[++k] = $2 - $1; g[k] = $3; if ($2 - t0 > all) all = $2 - t0 }
		FILENAME == ARGV[2] { rss += $2; pss += $3; m++ }
		FILENAME == ARGV[3] { cpu += $1; c++ }
		END {
			sort(w, k)
			sort(g, k)
			printf "{\"config\":\"%s\",\"accel\":\"%s\",\"n\":%d,\"ready\":%d,\"failed\":%d,", \
				cfg, accel, n, k, failed
			printf "\"ready_median_s\":%.2f,\"ready_max_s\":%.2f,\"all_ready_s\":%.2f,", \
				median(w, k), k ? w[k] : -1, all
			printf "\"guest_uptime_median_s\":%.2f,", median(g, k)
			printf "\"rss_mb\":%.1f,\"pss_mb\":%.1f,\"avail_drop_mb\":%.1f,\"cpu_s\":%.2f}\n", \
				m ? rss / m / 1024 : -1, m ? pss / m / 1024 : -1, (a0 - a1) / n / 1024, \
				c ? cpu / c / hz : -1
		}' "$WORK/times" "$WORK/mem" "$WORK/cpu" >"$WORK/result"
}

# --- KVM: one short probe boot ----------------------------------------------
ACCELS=tcg
if [ ! -e "$SMALL/vmlinux" ]; then
	KVM_NOTE="not probed: no small kernel"
elif [ ! -c /dev/kvm ]; then
	KVM_NOTE="no /dev/kvm"
else
	save_timeout=$TIMEOUT
	TIMEOUT=20
	run small-microvm kvm 1 2>"$WORK/kvm-probe.err"
	TIMEOUT=$save_timeout
	case $(cat "$WORK/result") in
	*'"ready":1,'*)
		KVM_NOTE="works"
		ACCELS="tcg kvm"
		;;
	*) KVM_NOTE="fails: $(tr -s ' \n' ' ' <"$WORK/kvm-probe.err" | cut -c1-400)" ;;
	esac
	[ -d /sys/module/kvm_pvm ] &&
		KVM_NOTE="$KVM_NOTE (kvm_pvm: a paravirtual KVM for a host that is itself a guest)"
fi
echo "kvm: $KVM_NOTE"
printf '{"kvm":"%s"}\n' "$(echo "$KVM_NOTE" | tr -d '\042\134')" >>"$OUT"

# --- the runs ------------------------------------------------------------------
printf '%-14s %-5s %4s %7s %9s %9s %9s %8s %8s %9s %7s\n' config accel N ready \
	"median_s" "max_s" "guest_s" "rss_MB" "pss_MB" "avail_MB" "cpu_s"
line() {
	cat "$WORK/result" >>"$OUT"
	awk -F'[:,{}"]+' '{
		for (i = 2; i < NF; i += 2) v[$i] = $(i + 1)
		printf "%-14s %-5s %4d %3d/%-3d %9.2f %9.2f %9.2f %8.1f %8.1f %9.1f %7.2f\n", v["config"],
			v["accel"], v["n"], v["ready"], v["n"], v["ready_median_s"], v["ready_max_s"],
			v["guest_uptime_median_s"], v["rss_mb"], v["pss_mb"], v["avail_drop_mb"], v["cpu_s"]
	}' "$WORK/result"
}
for n in $SIZES; do
	for ((rep = 0; rep < REPS; rep++)); do
		say "netns N=$n"
		run netns - "$n"
		line
	done
	for cfg in $CONFIGS; do
		case $cfg in
		small-*)
			if [ ! -e "$SMALL/vmlinux" ]; then
				echo "skip $cfg N=$n: no small kernel in $SMALL (make vm-kernel)"
				continue
			fi
			;;
		debian-*)
			case " $DEBIAN_N " in *" $n "*) ;; *) continue ;; esac
			if [ -z "$DEBIAN" ] || [ ! -e "$DEBIAN/vmlinux" ]; then
				echo "skip $cfg N=$n: no Debian kernel (scripts/vm-kernel.sh --debian)"
				continue
			fi
			;;
		*) die "unknown configuration $cfg" ;;
		esac
		for accel in $ACCELS; do
			for ((rep = 0; rep < REPS; rep++)); do
				say "$cfg $accel N=$n"
				run "$cfg" "$accel" "$n"
				line
			done
		done
	done
done
echo "results: $OUT"
