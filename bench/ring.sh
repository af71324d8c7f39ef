#!/usr/bin/env bash
# ring.sh VNETLAB [N...]  —  how long `vnetlab plan --topo ring,N` takes and
# how much memory it peaks at, beside `plan --topo single,N` (as many
# nodes, no routes) in the same run. See bench/README.md.
#
# Pure computation: no root, no namespaces. An N the generator refuses is
# reported as such (its error) and skipped.
#
# Environment:
#   REPS=5     runs per N and topology (the two alternate)
#   OUT=FILE   JSON lines (default bench/results/ring-<date>.jsonl)
#   RSS_BY=time|vmhwm  how peak RSS is measured (default: time if /usr/bin/time is there)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

[ $# -ge 1 ] || { echo "usage: ${0##*/} VNETLAB [N...]" >&2; exit 2; }
VNETLAB=$1
shift
SIZES=${*:-500 2000 4400 10000 20000}
REPS=${REPS:-5}
for n in $SIZES; do case $n in '' | *[!0-9]*) die "bad N: $n" ;; esac; done
case $REPS in '' | *[!0-9]* | 0) die "bad REPS: $REPS" ;; esac
[ -x "$VNETLAB" ] || die "$VNETLAB: not an executable"

# Peak RSS: GNU time if it is there, else VmHWM of /proc/PID/status polled
# while the command runs (a lower bound: growth in its last few ms is
# missed), RSS_BY=time|vmhwm chooses.
RSS_BY=${RSS_BY:-}
case $RSS_BY in
time | vmhwm) ;;
'') if [ -x /usr/bin/time ]; then RSS_BY=time; else RSS_BY=vmhwm; fi ;;
*) die "bad RSS_BY: $RSS_BY" ;;
esac

bench_files ring
trap 'rm -rf "$WORK"' EXIT
RUNS=$WORK/runs.tsv # n topo rep seconds rss_kB ok
: >"$RUNS"

# plan SPEC: one run; prints "seconds rss_kB ok" (rss "-" if unknown).
plan() {
	local t0 t1 rss=- ok=1
	t0=$(now_ns)
	case $RSS_BY in
	time)
		/usr/bin/time -f %M -o "$WORK/rss" "$VNETLAB" plan --topo "$1" --id 0001 \
			>/dev/null 2>"$WORK/err" || ok=0
		rss=$(tail -n1 "$WORK/rss")
		;;
	vmhwm)
		local pid hwm
		"$VNETLAB" plan --topo "$1" --id 0001 >/dev/null 2>"$WORK/err" &
		pid=$!
		while hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) &&
			[ -n "$hwm" ] && [ "$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" != Z ]; do
			rss=$hwm
			sleep 0.01
		done
		wait "$pid" || ok=0
		;;
	esac
	t1=$(now_ns)
	echo "$(ns_to_s "$t0" "$t1") $rss $ok"
}

REFUSED=()
for n in $SIZES; do
	if ! "$VNETLAB" plan --topo "ring,$n" --id 0001 >"$WORK/plan" 2>"$WORK/err"; then
		REFUSED+=("ring,$n: $(sed 's/^vnetlab: //' "$WORK/err" | head -n1)")
		printf '{"type":"refused","n":%s,"topo":"ring","error":"%s"}\n' "$n" \
			"$(sed 's/^vnetlab: //; s/\\/\\\\/g; s/"/\\"/g' "$WORK/err" | head -n1)" >>"$OUT"
		continue
	fi
	routes=$(grep -c '^  route' "$WORK/plan")
	most=$(awk '/^node / { if (c > m) m = c; c = 0 } /^  route/ { c++ }
		END { if (c > m) m = c; print m + 0 }' "$WORK/plan")
	echo "$n routes $routes $most" >>"$WORK/routes"
	for rep in $(seq "$REPS"); do
		for topo in ring single; do
			say "N=$n $topo ($rep/$REPS)"
			read -r s rss ok < <(plan "$topo,$n")
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$topo" "$rep" "$s" "$rss" "$ok" >>"$RUNS"
			printf '{"type":"run","date":"%s","cpus":%s,"n":%s,"topo":"%s","rep":%s,"ok":%s,"seconds":%s,"max_rss_kb":%s}\n' \
				"$(date -Iseconds)" "$(nproc)" "$n" "$topo" "$rep" \
				"$([ "$ok" = 1 ] && echo true || echo false)" "$s" \
				"$([ "$rss" = - ] && echo null || echo "$rss")" >>"$OUT"
		done
	done
done

med() { awk -F'\t' -v n="$1" -v t="$2" -v c="$3" '$1 == n && $2 == t && $6 == 1 && $c != "-" { print $c }' "$RUNS" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.1f", a / b }'; }
mb() { if [ "$1" = - ]; then echo -; else awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; fi; }
jnum() { if [ "$1" = - ]; then echo null; else echo "$1"; fi; }

echo "vnetlab plan --topo ring,N against single,N (same nodes, no routes); $(nproc) CPUs; medians of $REPS runs"
echo "s: wall seconds of the command (output to /dev/null); MB: peak RSS ($RSS_BY); x: ring / single"
echo
printf '%6s %9s %9s %9s %9s %7s %7s %9s %7s\n' N ring_s ring_MB single_s single_MB s_x MB_x routes most
for n in $SIZES; do
	grep -q "^$n routes " "$WORK/routes" 2>/dev/null || continue
	read -r _ _ routes most < <(grep "^$n routes " "$WORK/routes")
	rs=$(med "$n" ring 4) rm=$(med "$n" ring 5) ss=$(med "$n" single 4) sm=$(med "$n" single 5)
	printf '%6s %9s %9s %9s %9s %7s %7s %9s %7s\n' "$n" "$rs" "$(mb "$rm")" "$ss" "$(mb "$sm")" \
		"$(ratio "$rs" "$ss")" "$(ratio "$rm" "$sm")" "$routes" "$most"
	printf '{"type":"summary","n":%s,"runs":%s,"ring_s":%s,"ring_max_rss_kb":%s,"single_s":%s,"single_max_rss_kb":%s,"routes":%s,"most_routes_a_node":%s}\n' \
		"$n" "$REPS" "$(jnum "$rs")" "$(jnum "$rm")" "$(jnum "$ss")" "$(jnum "$sm")" "$routes" "$most" >>"$OUT"
done
for r in "${REFUSED[@]}"; do
	echo "refused: $r"
done
if awk -F'\t' '$6 != 1' "$RUNS" | grep -q .; then
	echo "failed runs (not in the medians): $(awk -F'\t' '$6 != 1 { printf "%s,%s; ", $2, $1 }' "$RUNS")"
fi
echo
echo "raw: $OUT"
