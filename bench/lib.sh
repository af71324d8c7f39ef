# Shared shell helpers for the vnetlab benchmarks (sourced, not run).
# Plain POSIX-ish bash; no dependencies beyond coreutils, awk and iproute2.

# Nanoseconds since the epoch.
now_ns() { date +%s%N; }

# Seconds (3 decimals) between two now_ns values.
ns_to_s() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# Progress on a terminal only; quiet in pipes and files.
say() { if [ -t 2 ]; then printf '%s\n' "$*" >&2; fi; }
warn() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { warn "$*"; exit 1; }

# Kernel memory snapshot, in kB, as "slab sunreclaim kstack pagetables percpu avail".
mem_snap() {
	awk '/^Slab:/ {s=$2} /^SUnreclaim:/ {u=$2} /^KernelStack:/ {k=$2}
	     /^PageTables:/ {p=$2} /^Percpu:/ {c=$2} /^MemAvailable:/ {a=$2}
	     END { print s+0, u+0, k+0, p+0, c+0, a+0 }' /proc/meminfo
}

# "kernel" figure of a snapshot: Slab + KernelStack + PageTables + Percpu.
mem_kernel() { set -- $1; echo $(($1 + $3 + $4 + $5)); }
# The part that must come back after a teardown: SUnreclaim + Percpu
# (reclaimable slab, i.e. dentry/inode caches, may legitimately stay).
mem_unrecl() { set -- $1; echo $(($2 + $5)); }
mem_avail() { set -- $1; echo "$6"; }

# Names present under /run/netns (one a line).
netns_list() { ls -1 /run/netns 2>/dev/null; }

# How many of the names in file $1 still exist under /run/netns.
netns_count_of() {
	[ -s "$1" ] || { echo 0; return; }
	netns_list | grep -cxF -f "$1" || true
}

# Median of the numbers on stdin ("-" if none).
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# wait_settle NAMESFILE UNRECL_BEFORE DELTA TIMEOUT_S
# After a teardown, wait until none of the namespaces in NAMESFILE exist and
# SUnreclaim + Percpu is back within max(4 MB, 5% of DELTA) of UNRECL_BEFORE,
# polling every 0.1 s for at most TIMEOUT_S seconds. Prints
# "<seconds> <settled 1|0> <residual kB>".
wait_settle() {
	local names=$1 before=$2 delta=$3 timeout=$4 t0 now margin cur left
	margin=$((delta / 20))
	[ "$margin" -lt 4096 ] && margin=4096
	t0=$(now_ns)
	while :; do
		cur=$(mem_unrecl "$(mem_snap)")
		left=$(netns_count_of "$names")
		now=$(now_ns)
		if [ "$left" -eq 0 ] && [ "$cur" -le $((before + margin)) ]; then
			echo "$(ns_to_s "$t0" "$now") 1 $((cur - before))"
			return 0
		fi
		if [ $(((now - t0) / 1000000000)) -ge "$timeout" ]; then
			echo "$(ns_to_s "$t0" "$now") 0 $((cur - before))"
			return 1
		fi
		sleep 0.1
	done
}

# bench_files NAME: OUT (unless the caller set it) becomes
# $HERE/results/NAME-<date>.jsonl, checked writable; WORK a fresh temporary
# directory (the caller removes it); STAMP the date.
bench_files() {
	STAMP=$(date +%Y%m%d-%H%M%S)
	if [ -z "${OUT:-}" ]; then
		mkdir -p "$HERE/results" || die "cannot create $HERE/results"
		OUT=$HERE/results/$1-$STAMP.jsonl
	fi
	: >>"$OUT" || die "cannot write $OUT"
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/vl-$1.XXXXXX") || die "mktemp"
}

# Mininet raises these host settings when it starts (its fixLimits) and
# leaves them. mn_limits_keep FILE: their values now into FILE;
# mn_limits_put_back FILE: set them to those values again.
MN_SYSCTLS="net.core.netdev_max_backlog net.core.wmem_max net.core.rmem_max net.ipv4.tcp_rmem
net.ipv4.tcp_wmem net.ipv4.neigh.default.gc_thresh1 net.ipv4.neigh.default.gc_thresh2
net.ipv4.neigh.default.gc_thresh3 net.ipv4.route.max_size kernel.pty.max fs.file-max"
mn_limits_keep() {
	local k
	for k in $MN_SYSCTLS; do
		printf '%s=%s\n' "$k" "$(sysctl -n "$k" | tr '\t' ' ')"
	done >"$1"
}
mn_limits_put_back() {
	local kv
	while IFS= read -r kv; do sysctl -q -w "$kv" >/dev/null; done <"$1"
}
