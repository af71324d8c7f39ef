#!/bin/bash
# The whole test suite: `tests/run.sh BUILD_DIR` (make check passes the
# sanitized build). Unit and data-driven tests first, then integration tests
# as root in real namespaces. Every integration test is checked to leave the
# host exactly as it found it: `ip netns`, `ip link`, mounts, /run/vnetlab.
# Ends with one line "N passed, M failed, K skipped".
set -u
B=${1:-build}
# shellcheck source=tests/env.sh
. tests/env.sh
pass=0 fail=0 skip=0
failed=()

note() { printf '%s\n' "$*"; }

# --- data-driven: topology parser --------------------------------------------
out=$("$B/tests/test_topo" tests/topo 2>&1)
rc=$?
note "$out" | grep -v '^ok ' | tail -n 20
read -r p _ f _ <<<"$(note "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n1)"
pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
[ $rc -eq 0 ] || [ "${f:-0}" != 0 ] || { fail=$((fail + 1)); failed+=("test_topo exit $rc"); }

# --- the other unit tests (the cgroup ones need root) -----------------------------
for t in "$B"/tests/test_*; do
	[ "$(basename "$t")" = test_topo ] && continue
	[ -x "$t" ] || continue
	if [ "$(id -u)" != 0 ]; then
		note "SKIP $(basename "$t"): needs root"; skip=$((skip + 1)); continue
	fi
	args=()
	[ "$(basename "$t")" = test_work ] && args=("$B/vnetlab-work")
	out=$("$t" "${args[@]}" 2>&1); rc=$?
	note "$out" | grep -E '^(FAIL|fail|skip|SKIP)' | head -n 20
	read -r p _ f _ s _ <<<"$(note "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n1)"
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0})); skip=$((skip + ${s:-0}))
	[ $rc -eq 0 ] || [ "${f:-0}" != 0 ] || { fail=$((fail + 1)); failed+=("$(basename "$t") exit $rc"); }
	[ "${f:-0}" = 0 ] || failed+=("$(basename "$t")")
done

# --- data-driven: plans ---------------------------------------------------------
# tests/plan/NAME.yml or NAME.topo (a generator spec, or plan's arguments) -> NAME.plan, the
# exact output of `vnetlab plan` (or its error, prefixed "error: ").
for input in tests/plan/*.yml tests/plan/*.topo; do
	[ -e "$input" ] || continue
	base=${input%.*}
	name=$(basename "$base")
	if [ "${input##*.}" = topo ]; then
		# one line: a generator spec, or plan's arguments ("--topo ... --backend proc")
		spec=$(cat "$input")
		case $spec in
		--*) read -r -a args <<<"$spec" ;;
		*) args=(--topo "$spec") ;;
		esac
		got=$("$VNETLAB" plan "${args[@]}" --name "$name" --id 00a1 2>&1)
	else
		got=$(cd tests/plan && "$VNETLAB" plan -f "$(basename "$input")" --id 00a1 2>&1)
	fi
	[ $? -eq 0 ] || got="error: ${got#vnetlab: }"
	if [ "${VL_UPDATE_EXPECT:-}" = 1 ]; then
		printf '%s\n' "$got" >"$base.plan"
	fi
	if [ "$got" = "$(cat "$base.plan" 2>/dev/null)" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); failed+=("plan/$name")
		note "FAIL plan/$name"
		diff -u "$base.plan" <(printf '%s\n' "$got") | head -n 30
	fi
done

# --- integration ----------------------------------------------------------------
snapshot() {
	{
		echo "## netns"; ip netns list 2>/dev/null | awk '{print $1}' | sort
		echo "## links"; ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
		echo "## mounts"; awk '{print $5, $9}' /proc/self/mountinfo | sort
		echo "## run"; ls -A /run/vnetlab 2>/dev/null
		echo "## sysctl"; cat /proc/sys/net/core/netdev_max_backlog /proc/sys/net/ipv4/ip_forward 2>/dev/null
		echo "## hosts"; md5sum </etc/hosts
		echo "## nft"; nft list tables 2>/dev/null
		echo "## cgroups"; find /sys/fs/cgroup -maxdepth 4 -type d -name 'vnetlab*' 2>/dev/null | sort
	}
}

if [ "$(id -u)" != 0 ]; then
	note "SKIP integration tests: they need root (network namespaces, mounts)"
	skip=$((skip + 1))
elif ! ip netns add vlcheck-probe 2>/dev/null; then
	note "SKIP integration tests: cannot create network namespaces here"
	skip=$((skip + 1))
else
	# iproute2 makes /run/netns a shared mount point the first time; do it
	# now so that the snapshots compare like with like.
	ip netns del vlcheck-probe
	for f in tests/integration/t_*.sh; do
		# shellcheck source=/dev/null
		. "$f"
	done
	source tests/integration/lib.sh
	for t in $(declare -F | awk '{print $3}' | grep '^test_' | sort); do
		if [ -n "${VL_TEST:-}" ] && [[ $t != *"$VL_TEST"* ]]; then continue; fi
		before=$(snapshot)
		start=$(date +%s.%N)
		log=$(mktemp)
		( set -u; cd "$TESTS_DIR/.." && "$t" ) >"$log" 2>&1
		rc=$?
		secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
		# Whatever a failed test left, take it down before comparing.
		for lab in $("$VNETLAB" status --json 2>/dev/null | sed -n 's/.*"lab": "\(vt[^"]*\)".*/\1/p'); do
			"$VNETLAB" down "$lab" >/dev/null 2>&1
		done
		after=$(snapshot)
		if [ $rc -eq 77 ]; then
			skip=$((skip + 1)); note "SKIP $t: $(tail -n1 "$log")"
		elif [ $rc -ne 0 ]; then
			fail=$((fail + 1)); failed+=("$t")
			note "FAIL $t (${secs}s)"; sed 's/^/    /' "$log" | tail -n 40
		elif [ "$before" != "$after" ]; then
			fail=$((fail + 1)); failed+=("$t (left things behind)")
			note "FAIL $t: the host is not as it was:"
			diff <(echo "$before") <(echo "$after") | head -n 20 | sed 's/^/    /'
			"$VNETLAB" clean >/dev/null 2>&1
		else
			pass=$((pass + 1)); note "ok   $t (${secs}s)"
		fi
		rm -f "$log"
	done
fi

[ ${#failed[@]} -eq 0 ] || note "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
