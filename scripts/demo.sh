#!/bin/bash
# make demo: a short study on a built-in default: 4 instances of the cpu,
# stream and mixed workloads at once, and of the real iperf3 and scp beside
# the last two, each on its own node, on the ns and proc backends and alone
# (solo); prints each run's table, the answers of the report, and where the
# report is.
set -eu
VNETLAB=${1:-build/vnetlab}
OUT=${DEMO_OUT:-build/demo}
rm -rf "$OUT"
"$VNETLAB" study --out "$OUT" -n 4 --workloads cpu,stream,mixed,iperf3,scp --seconds 2 \
	--size 1000
echo
sed -n "/^## The study's questions/,\$p" "$OUT/report.md"
echo
echo "report: $OUT/report.md (plots in $OUT/plots, data in $OUT/*.json and *.csv)"
