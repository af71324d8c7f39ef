#!/usr/bin/env bash
# place.sh VNETLAB [SPEC...]  —  how long `vnetlab plan --topo SPEC --hosts K`
# (placement over K hosts by METIS) takes, beside `plan --topo SPEC` (the
# plan alone) in the same run. See bench/README.md.
#
# Pure computation: no root, no namespaces. The default specs are labs of
# 10,000 nodes or so: one switch (single,9999), a chain of switches
# (linear,5000), a tree (tree,4,10: 11,111), a torus (torus,50,100).
#
# Environment:
#   HOSTS=8    hosts to place over
#   REPS=5     runs per spec and command (the two alternate)
#   OUT=FILE   JSON lines (default bench/results/place-<date>.jsonl)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

[ $# -ge 1 ] || { echo "usage: ${0##*/} VNETLAB [SPEC...]" >&2; exit 2; }
VNETLAB=$1
shift
SPECS=${*:-single,9999 linear,5000 tree,4,10 torus,50,100}
HOSTS=${HOSTS:-8}
REPS=${REPS:-5}
case $REPS in '' | *[!0-9]* | 0) die "bad REPS: $REPS" ;; esac
case $HOSTS in '' | *[!0-9]* | 0) die "bad HOSTS: $HOSTS" ;; esac
[ -x "$VNETLAB" ] || die "$VNETLAB: not an executable"

bench_files place
trap 'rm -rf "$WORK"' EXIT
RUNS=$WORK/runs.tsv # spec what rep seconds ok
: >"$RUNS"

# run SPEC [ARGS...]: one plan; prints "seconds ok".
run() {
	local t0 t1 ok=1 spec=$1
	shift
	t0=$(now_ns)
	"$VNETLAB" plan --topo "$spec" --id 0001 "$@" >"$WORK/out" 2>"$WORK/err" || ok=0
	t1=$(now_ns)
	echo "$(ns_to_s "$t0" "$t1") $ok"
}

for spec in $SPECS; do
	"$VNETLAB" plan --topo "$spec" --id 0001 --hosts "$HOSTS" >"$WORK/place" 2>"$WORK/err" ||
		die "plan --topo $spec --hosts $HOSTS: $(head -n1 "$WORK/err")"
	nodes=$(grep -c '^node ' "$WORK/place")
	cut=$(awk '/^cut / { print $2 }' "$WORK/place")
	spread=$(awk '/^host / { w = $6; if (min == "" || w < min) min = w; if (w > max) max = w }
		END { printf "%.3f", min ? max / min : 0 }' "$WORK/place")
	echo "$spec $nodes $cut $spread" >>"$WORK/shape"
	for rep in $(seq "$REPS"); do
		for what in plan place; do
			say "$spec $what ($rep/$REPS)"
			if [ "$what" = place ]; then
				read -r s ok < <(run "$spec" --hosts "$HOSTS")
			else
				read -r s ok < <(run "$spec")
			fi
			printf '%s\t%s\t%s\t%s\t%s\n' "$spec" "$what" "$rep" "$s" "$ok" >>"$RUNS"
			printf '{"type":"run","date":"%s","cpus":%s,"spec":"%s","what":"%s","hosts":%s,"rep":%s,"ok":%s,"seconds":%s}\n' \
				"$(date -Iseconds)" "$(nproc)" "$spec" "$what" "$HOSTS" "$rep" \
				"$([ "$ok" = 1 ] && echo true || echo false)" "$s" >>"$OUT"
		done
	done
done

med() { awk -F'\t' -v s="$1" -v w="$2" '$1 == s && $2 == w && $5 == 1 { print $4 }' "$RUNS" | median; }

echo "vnetlab plan --topo SPEC --hosts $HOSTS (placement) beside plan --topo SPEC (the plan alone);"
echo "$(nproc) CPUs; medians of $REPS runs, wall seconds, output to a file"
echo "cut: links between hosts; max/min: the heaviest host's weight over the lightest's"
echo
printf '%-14s %7s %8s %8s %7s %6s %8s\n' SPEC nodes plan_s place_s place-plan cut max/min
while read -r spec nodes cut spread; do
	ps=$(med "$spec" plan) qs=$(med "$spec" place)
	printf '%-14s %7s %8s %8s %10s %6s %8s\n' "$spec" "$nodes" "$ps" "$qs" \
		"$(awk -v a="$qs" -v b="$ps" 'BEGIN { printf "%.3f", a - b }')" "$cut" "$spread"
	printf '{"type":"summary","spec":"%s","nodes":%s,"hosts":%s,"runs":%s,"plan_s":%s,"place_s":%s,"cut":%s,"max_over_min":%s}\n' \
		"$spec" "$nodes" "$HOSTS" "$REPS" "$ps" "$qs" "$cut" "$spread" >>"$OUT"
done <"$WORK/shape"
if awk -F'\t' '$5 != 1' "$RUNS" | grep -q .; then
	echo "failed runs (not in the medians): $(awk -F'\t' '$5 != 1 { printf "%s,%s; ", $2, $1 }' "$RUNS")"
fi
echo
echo "raw: $OUT"
