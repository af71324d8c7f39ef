#!/bin/bash
# Run some integration tests by name, without the suite's host snapshots:
# `tests/one.sh BUILD_DIR test_a [test_b ...]` (a substring matches every
# test whose name holds it). For development beside other work on the same
# machine; tests/run.sh (make check) is what decides.
set -u
B=${1:?usage: tests/one.sh BUILD_DIR TEST...}
shift
# shellcheck source=tests/env.sh
. tests/env.sh
for f in tests/integration/t_*.sh; do
	# shellcheck source=/dev/null
	. "$f"
done
. tests/integration/lib.sh
pass=0 fail=0 skip=0
for want in "$@"; do
	for t in $(declare -F | awk '{print $3}' | grep '^test_' | grep -F -- "$want"); do
		start=$(date +%s.%N)
		( set -u; cd "$TESTS_DIR/.." && "$t" ) >/tmp/one.$$.log 2>&1
		rc=$?
		secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
		if [ $rc -eq 77 ]; then
			skip=$((skip + 1)); echo "SKIP $t: $(tail -n1 /tmp/one.$$.log)"
		elif [ $rc -ne 0 ]; then
			fail=$((fail + 1)); echo "FAIL $t (${secs}s)"; sed 's/^/    /' /tmp/one.$$.log | tail -n 40
		else
			pass=$((pass + 1)); echo "ok   $t (${secs}s)"
		fi
	done
done
rm -f /tmp/one.$$.log
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
