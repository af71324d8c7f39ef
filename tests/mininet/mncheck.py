"""What the Mininet-style test scripts share: a check that says what failed
and exits 1, and a parse of iperf's rates."""
import re
import sys


def check(cond, what):
    """Exit 1 with 'FAIL: what' unless cond."""
    if not cond:
        print(f"FAIL: {what}", flush=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)


def mbps(rate):
    """'9.57 Mbits/sec' -> 9.57 (Mbit/s)."""
    m = re.match(r"([\d.]+) (\w)?bits/sec", rate)
    assert m, f"not a rate: {rate!r}"
    scale = {"K": 1e-3, "M": 1.0, "G": 1e3, None: 1e-6}[m.group(2)]
    return float(m.group(1)) * scale
