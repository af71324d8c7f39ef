#!/usr/bin/env bash
# mn.sh VNETLAB [TOPO...]  —  `vnetlab mn --topo TOPO --test pingall` beside
# Mininet 2.3's own `mn --topo TOPO --switch lxbr --controller none --test
# pingall` (Debian's mininet package: Linux bridges, no Open vSwitch, no
# controller) in the same run, alternating. See bench/README.md.
#
# Needs root. Installs Debian's mininet and bridge-utils if missing (only
# for this baseline; `make check` never needs them); runs `mn -c` after
# each Mininet run, as Mininet asks.
#
# Environment:
#   REPS=3     runs per topology and tool
#   OUT=FILE   JSON lines (default bench/results/mn-<date>.jsonl)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

[ $# -ge 1 ] || { echo "usage: ${0##*/} VNETLAB [TOPO...]" >&2; exit 2; }
VNETLAB=$1
shift
TOPOS=${*:-tree,depth=2,fanout=8}
REPS=${REPS:-3}
case $REPS in '' | *[!0-9]* | 0) die "bad REPS: $REPS" ;; esac
[ -x "$VNETLAB" ] || die "$VNETLAB: not an executable"
[ "$(id -u)" -eq 0 ] || die "must run as root"
if ! command -v mn >/dev/null || ! command -v brctl >/dev/null; then
	say "installing Debian's mininet and bridge-utils for the baseline"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		mininet bridge-utils >/dev/null 2>&1 || die "apt-get install mininet bridge-utils failed"
fi

# the host settings Mininet raises (bench/lib.sh): kept, put back at the end
bench_files mn
mn_limits_keep "$WORK/sysctls"
put_back() { mn_limits_put_back "$WORK/sysctls"; }
trap 'mn -c >/dev/null 2>&1; put_back; rm -rf "$WORK"' EXIT
RUNS=$WORK/runs.tsv # topo tool rep seconds ok
: >"$RUNS"

# run TOOL TOPO: one mn; prints "seconds ok".
run() {
	local tool=$1 topo=$2 t0 t1 ok=1
	t0=$(now_ns)
	if [ "$tool" = vnetlab ]; then
		"$VNETLAB" mn --topo "$topo" --test pingall >"$WORK/out" 2>&1 || ok=0
	else
		mn --topo "$topo" --switch lxbr --controller none --test pingall >"$WORK/out" 2>&1 || ok=0
	fi
	t1=$(now_ns)
	grep -q "Results: 0% dropped" "$WORK/out" || ok=0
	[ "$tool" = mininet ] && mn -c >/dev/null 2>&1
	echo "$(ns_to_s "$t0" "$t1") $ok"
}

for topo in $TOPOS; do
	for rep in $(seq 1 "$REPS"); do
		for tool in vnetlab mininet; do
			say "$topo $tool ($rep/$REPS)"
			read -r secs ok <<<"$(run "$tool" "$topo")"
			printf '%s\t%s\t%s\t%s\t%s\n' "$topo" "$tool" "$rep" "$secs" "$ok" >>"$RUNS"
			printf '{"type":"run","date":"%s","topo":"%s","tool":"%s","rep":%s,"seconds":%s,"ok":%s}\n' \
				"$(date -Iseconds)" "$topo" "$tool" "$rep" "$secs" \
				"$([ "$ok" = 1 ] && echo true || echo false)" >>"$OUT"
		done
	done
done

med() { awk -F'\t' -v t="$1" -v k="$2" '$1 == t && $2 == k && $5 == 1 { print $4 }' "$RUNS" | median; }
echo "mn --test pingall: vnetlab mn against Mininet $(mn --version 2>&1 | tail -n 1) (--switch lxbr --controller none)"
echo "$(nproc) CPUs, kernel $(uname -r); medians of $REPS runs each (alternating), wall seconds, build to down"
printf '%-28s %10s %10s %8s\n' TOPO vnetlab mininet ratio
for topo in $TOPOS; do
	v=$(med "$topo" vnetlab) m=$(med "$topo" mininet)
	r=$(awk -v a="$m" -v b="$v" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.1f", a / b }')
	printf '%-28s %10s %10s %8s\n' "$topo" "${v:--}" "${m:--}" "$r"
	printf '{"type":"summary","topo":"%s","vnetlab_s":%s,"mininet_s":%s,"ratio":"%s"}\n' \
		"$topo" "${v:-null}" "${m:-null}" "$r" >>"$OUT"
done
if awk -F'\t' '$5 != 1' "$RUNS" | grep -q .; then
	echo "failed runs (not in the medians): $(awk -F'\t' '$5 != 1 { printf "%s %s run %s; ", $1, $2, $3 }' "$RUNS")"
fi
echo "raw: $OUT"
