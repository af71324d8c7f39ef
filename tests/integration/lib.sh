# Helpers for integration tests. Each test is a function test_NAME run in a
# subshell from the repository root; it fails by exiting non-zero (use
# `fail MSG`), and skips with `skip REASON` (exit 77). Labs made by tests are
# named vt-*, so the harness can take down what a failed test left.

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }

# Run vnetlab; on failure, show its output and fail the test.
vl() { "$VNETLAB" "$@" || fail "vnetlab $* (exit $?)"; }

# expect_eq GOT WANT WHAT
expect_eq() { [ "$1" = "$2" ] || fail "$3: got [$1], want [$2]"; }

# Node can ping a name (one packet, 2 s).
# (up to three tries: the first ARP on a loaded machine may be slow)
can_ping() {
	for _ in 1 2 3; do
		"$VNETLAB" exec "$1" "$2" -- ping -c1 -W2 -q "$3" >/dev/null 2>&1 && return 0
	done
	return 1
}

# A process is alive if it exists and is not a zombie (some init processes
# reap late).
alive() { [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

