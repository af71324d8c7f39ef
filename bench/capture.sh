#!/usr/bin/env bash
# capture.sh VNETLAB  —  `vnetlab capture` of a 1 Gbit/s stream for 5 s
# into a file on tmpfs: packets captured and what tcpdump's own counters
# say the kernel dropped, beside tcpdump run by hand in the same
# namespace (ip netns exec ... tcpdump -w) in the same run, alternating.
#
# The stream: iperf (2) UDP at 1 Gbit/s from h1 to h2 over a link shaped
# to 1 Gbit/s (tbf), captured on h2:eth0. Needs root.
#
# Environment: REPS=3, SECONDS_=5, RATE=1000M.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

[ $# -eq 1 ] || { echo "usage: ${0##*/} VNETLAB" >&2; exit 2; }
VNETLAB=$1
REPS=${REPS:-3}
SECS=${SECONDS_:-5}
RATE=${RATE:-1000M}
[ "$(id -u)" -eq 0 ] || die "must run as root"
command -v tcpdump >/dev/null && command -v iperf >/dev/null || die "needs tcpdump and iperf"
LAB=bcap-$$
SHM=$(mktemp -d /dev/shm/vnetlab-capture.XXXXXX)
cleanup() { "$VNETLAB" down "$LAB" >/dev/null 2>&1; rm -rf "$SHM"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$SHM/lab.yml" <<YML
name: $LAB
topology:
  nodes: { h1: {}, h2: {} }
  links:
    - endpoints: ["h1:eth0", "h2:eth0"]
      bw: 1Gbit
YML
"$VNETLAB" up -f "$SHM/lab.yml" -q || die "up failed"
NS=$("$VNETLAB" status "$LAB" --json | sed -n 's/.*"netns": "\(vl[0-9a-f]*-h2\)".*/\1/p' | head -n 1)
[ -n "$NS" ] || die "no netns for h2"
"$VNETLAB" exec -d "$LAB" h2 -- iperf -s -u >/dev/null

# one TOOL: capture during a SECS-second stream; prints "captured dropped"
one() {
	local tool=$1 pid
	rm -f "$SHM/c.pcap"
	if [ "$tool" = vnetlab ]; then
		"$VNETLAB" capture "$LAB" h2:eth0 -w "$SHM/c.pcap" udp 2>"$SHM/err" &
	else
		ip netns exec "$NS" tcpdump -i eth0 -n -U -w "$SHM/c.pcap" udp 2>"$SHM/err" &
	fi
	pid=$!
	for _ in $(seq 50); do grep -q 'listening on' "$SHM/err" && break; sleep 0.1; done
	"$VNETLAB" exec "$LAB" h1 -- iperf -u -c h2 -b "$RATE" -t "$SECS" >/dev/null 2>&1
	sleep 0.5
	kill -INT "$pid"
	wait "$pid"
	echo "$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$SHM/err" | tail -n 1) \
$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$SHM/err" | tail -n 1)"
}

: >"$SHM/runs"
for r in $(seq "$REPS"); do
	for tool in vnetlab tcpdump; do
		[ $((r % 2)) -eq 0 ] && tool=$([ "$tool" = vnetlab ] && echo tcpdump || echo vnetlab)
		read -r cap drop <<<"$(one "$tool")"
		printf '%s %s %s %s\n' "$tool" "$r" "$cap" "$drop" >>"$SHM/runs"
	done
done
echo "capture of iperf -u at $RATE for $SECS s on h2:eth0 (1 Gbit/s link), file on tmpfs; $REPS runs each"
printf '%-32s %12s %12s\n' "" captured "dropped(k)"
for tool in vnetlab tcpdump; do
	c=$(awk -v t="$tool" '$1 == t { print $3 }' "$SHM/runs" | median)
	d=$(awk -v t="$tool" '$1 == t { print $4 }' "$SHM/runs" | median)
	label=$([ "$tool" = vnetlab ] && echo "vnetlab capture -w" || echo "ip netns exec tcpdump -w")
	printf '%-32s %12s %12s\n' "$label" "$c" "$d"
done
echo "each run: $(tr '\n' ';' <"$SHM/runs")"
