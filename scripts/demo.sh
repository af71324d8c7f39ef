#!/bin/bash
# make demo: a short study on a built-in default: 4 instances of the cpu,
# stream and mixed workloads at once, and of the real iperf3 and scp beside
# the last two, each on its own node, on the ns and proc backends and alone
# (solo); then cpu and mixed in 4 virtual machines (QEMU guests cloned from
# one booted template) beside ns and proc. Prints each run's table, the
# answers of the reports, and where the reports are.
#
# The guests' kernel: the small one of `make vm-kernel` if it was built,
# else Debian's, unpacked once (about 10 s, cached in /var/cache/vnetlab).
# Without QEMU or a kernel the vm part is skipped, saying why.
set -eu
VNETLAB=${1:-build/vnetlab}
OUT=${DEMO_OUT:-build/demo}
rm -rf "$OUT"
# A report's findings table and its answers to the study's questions.
findings() {
	awk '/^## /{p = /findings, side by side/ || /study.s questions/ || q; if (/study.s questions/) q = 1} p' "$1"
}
"$VNETLAB" study --out "$OUT" -n 4 --workloads cpu,stream,mixed,iperf3,scp --seconds 2 \
	--size 1000
echo
findings "$OUT/report.md"
echo
echo "report: $OUT/report.md (plots in $OUT/plots, data in $OUT/*.json and *.csv)"

echo
echo "== the same on virtual machines: cpu and mixed, 4 guests =="
if [ ! -e /var/cache/vnetlab/vm-kernel/small/vmlinux ] &&
	! scripts/vm-kernel.sh --debian; then
	echo "make demo: no guest kernel could be unpacked: the vm part is skipped"
	exit 0
fi
"$VNETLAB" study --out "$OUT/vm" -n 4 --workloads cpu,mixed --seconds 2 --size 1000 \
	--bytes 64MiB --vm
echo
findings "$OUT/vm/report.md"
echo
echo "report: $OUT/vm/report.md"
