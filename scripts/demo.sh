#!/bin/bash
# make demo: a small study on a built-in default. Eight nodes on one switch;
# four iperf clients (h1..h4) send at once, each to its own server (h5..h8),
# for a few seconds; bandwidth is measured at the servers, as in the study.
# Prints each instance's share of the total and Jain's fairness index.
set -eu
VNETLAB=${1:-build/vnetlab}
LAB=demo
SECS=${DEMO_SECONDS:-5}
N=4

if ! command -v iperf >/dev/null; then
	echo "demo: iperf is missing (scripts/deps.sh installs it)" >&2
	exit 1
fi
"$VNETLAB" down "$LAB" >/dev/null 2>&1 || true
trap '"$VNETLAB" down "$LAB" >/dev/null 2>&1 || true' EXIT

"$VNETLAB" up --topo single,$((2 * N)) --name "$LAB"
for i in $(seq 1 $N); do
	"$VNETLAB" exec -d "$LAB" "h$((N + i))" -- iperf -s -y C >/dev/null
done
sleep 0.5
echo "running $N iperf clients at once for ${SECS}s ..."
for i in $(seq 1 $N); do
	"$VNETLAB" exec "$LAB" "h$i" -- iperf -c "h$((N + i))" -t "$SECS" >/dev/null &
done
wait
sleep 0.5
# The servers' CSV reports: the last field is bits per second.
for i in $(seq 1 $N); do
	log=$(ls -t /run/vnetlab/$LAB/logs/h$((N + i))-*.log | head -n1)
	bps=$(tail -n1 "$log" | awk -F, '{print $NF}')
	echo "h$i h$((N + i)) ${bps:-0}"
done | awk -v n=$N '
	{ src[NR] = $1; dst[NR] = $2; bps[NR] = $3; tot += $3; sq += $3 * $3 }
	END {
		printf "\n%-8s %-8s %14s %8s %8s\n", "client", "server", "Mbit/s", "share", "ideal"
		for (i = 1; i <= NR; i++)
			printf "%-8s %-8s %14.1f %7.1f%% %7.1f%%\n", src[i], dst[i], bps[i] / 1e6,
			       tot ? 100 * bps[i] / tot : 0, 100 / n
		printf "%-17s %14.1f\n", "total", tot / 1e6
		printf "Jain fairness index: %.3f (1 = perfectly fair, 1/%d = one takes all)\n",
		       sq ? tot * tot / (NR * sq) : 0, n
	}'
"$VNETLAB" down "$LAB"
trap - EXIT
