#!/usr/bin/env bash
# links.sh VNETLAB — how exact vnetlab's link emulation is, beside the same
# measurement on an unimpaired veth link in the same run:
#   delay   20 ms one way: ping RTT median and p99 (ideal 40 ms), per engine
#   rate    10, 100, 1000 Mbit/s: iperf TCP goodput against the ideal
#           (rate x 1448/1514, TCP payload per Ethernet frame), per engine
#   loss    1% and 10% one way over 10,000 pings: replies lost, with the
#           99% binomial interval
#   ceiling no impairment: iperf over a user-engine link against a veth
# The kernel path here has no netem, so delay and loss are the user
# engine's alone. Leaves nothing behind. See bench/README.md.
set -u
VNETLAB=${1:?usage: links.sh VNETLAB}
LAB=bl$$
SECS=${SECS:-3}
trap '"$VNETLAB" down $LAB >/dev/null 2>&1' EXIT

up() { # up ENGINE KEY VALUE...: two nodes, one link a:e - b:e
	local engine=$1 f
	shift
	f=$(mktemp --suffix=.yml)
	{
		printf 'name: %s\ntopology:\n  nodes: { a: {}, b: {} }\n  links:\n    - endpoints: ["a:e", "b:e"]\n' $LAB
		printf '      engine: %s\n' "$engine"
		while [ $# -ge 2 ]; do printf '      %s: %s\n' "$1" "$2"; shift 2; done
	} >"$f"
	"$VNETLAB" down $LAB >/dev/null 2>&1
	"$VNETLAB" up -f "$f" -q || { rm -f "$f"; exit 1; }
	rm -f "$f"
	"$VNETLAB" exec $LAB a -- ping -c1 -W2 b >/dev/null 2>&1
}
rtts() { "$VNETLAB" exec $LAB a -- ping -c "$1" -i 0.01 b | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -n; }
pct() { awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100 + 0.5); if (i < 1) i = 1; print v[i] }'; }
goodput() { # Mbit/s from a to b
	"$VNETLAB" exec -d $LAB b -- iperf -s >/dev/null
	sleep 0.3
	"$VNETLAB" exec $LAB a -- iperf -c b -t "$SECS" -y C | tail -n1 | awk -F, '{printf "%.1f", $NF/1e6}'
}

echo "== delay: 20 ms one way (ideal RTT 40 ms), 300 pings"
up auto
base=$(rtts 300 | pct 50)
printf "  %-26s median %7s ms\n" "veth, no delay (floor)" "$base"
up user delay 20ms
r=$(rtts 300)
printf "  %-26s median %7s ms  p99 %7s ms  max %7s ms\n" "user engine" "$(echo "$r" | pct 50)" "$(echo "$r" | pct 99)" "$(echo "$r" | tail -n1)"

echo "== rate: TCP goodput over ${SECS}s (ideal = rate x 1448/1514)"
up auto
printf "  %-26s %8s Mbit/s\n" "veth, unshaped (baseline)" "$(goodput)"
for rate in 10 100 1000; do
	for engine in kernel user; do
		up $engine bw ${rate}Mbit
		g=$(goodput)
		printf "  %-26s %8s Mbit/s  %5.1f%% of ideal\n" "$engine ${rate}Mbit" "$g" \
			"$(awk -v g="$g" -v r="$rate" 'BEGIN{print 100 * g / (r * 1448 / 1514)}')"
	done
done

echo "== loss: one way, 10,000 pings (replies lost = loss on the way there)"
for p in 1 10; do
	up user forward "{ loss: $p% }"
	got=$("$VNETLAB" exec $LAB a -- ping -f -c 10000 -W 1 -q b | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	awk -v got="$got" -v p="$p" 'BEGIN{ n = 10000; q = p / 100; lost = n - got;
		sd = sqrt(n * q * (1 - q)); lo = n * q - 2.576 * sd; hi = n * q + 2.576 * sd;
		printf "  loss %3d%%: %5d of %d lost (%.2f%%); 99%% interval [%.0f, %.0f] %s\n", p, lost, n,
		100 * lost / n, lo, hi, (lost >= lo && lost <= hi) ? "inside" : "OUTSIDE" }'
done

echo "== ceiling: no impairment"
up user
printf "  %-26s %8s Mbit/s\n" "user engine (TAPs)" "$(goodput)"
up auto
printf "  %-26s %8s Mbit/s\n" "veth (baseline)" "$(goodput)"
