#!/bin/sh
# Run the libFuzzer targets built by `make fuzz` for a while each.
#
#   scripts/fuzz.sh DIR SECONDS NAME...
#
# DIR/fuzz-NAME is run for SECONDS on the corpus DIR/corpus-NAME, which is
# first seeded from the tree's own test data (and keeps what the fuzzer
# adds, run after run). A crash, a leak, a timeout (5 s on one input) or
# more than 2 GiB of memory stops that target: its input is saved as
# DIR/artifacts/NAME-crash-*, -leak-*, -timeout-* or -oom-*, and the
# script fails. Inputs are capped at 64 KiB: huge files and deep nesting
# are the loader's own limits, tested elsewhere. fuzz/NAME.dict, if there,
# is the target's dictionary.
set -eu

[ $# -ge 3 ] || {
	echo "usage: scripts/fuzz.sh DIR SECONDS NAME..." >&2
	exit 2
}
dir=$1
secs=$2
shift 2

# Copy file to the corpus as seed-<base>, with prefix (a parser's byte) in front.
seed() { # corpus prefix file...
	c=$1 pre=$2
	shift 2
	for f in "$@"; do
		[ -f "$f" ] || continue
		{
			printf '%s' "$pre"
			cat "$f"
		} >"$c/seed-$(basename "$f")"
	done
}

# Each line of stdin: one input for the parse target.
seed_lines() { # corpus name
	i=0
	while IFS= read -r line; do
		i=$((i + 1))
		printf '%s' "$line" >"$1/seed-$2-$i"
	done
}

seed_topo() {
	seed "$1" "" tests/topo/*.yml tests/topo/*.topo tests/plan/*.yml
}

seed_parse() {
	c=$1
	seed "$c" p tests/parse/povray-*.in
	seed "$c" i tests/parse/iperf-*.in
	seed "$c" 3 tests/parse/iperf3-*.in
	seed "$c" n tests/parse/netpipe-*.in
	seed "$c" m tests/metrics/*.case
	seed_lines "$c" small <<'EOF'
u42
u0
u18446744073709551615
b64MiB
b512k
b2gb
c10.0.0.0/8
c192.168.1.1/32
lbw 10Mbit
lrate 1Gbit
ldelay 1.5ms
ljitter 100us
ldistribution pareto
lloss 1%
lloss 0.01
lloss-model gemodel 1% 10% 70% 0.1%
lqueue 100
lqueue 64KiB
Lrate 10Mbit delay 20ms jitter 2ms/normal loss 1%
Lloss-model gemodel 1% 10% 70% 0.1% queue 100 queue 2000B
Lnone
rcpus 0.5
rcpu 2
rmemory 128MiB
rcpuset 0-1,3
rcpu-set 2
rcpu-weight 300
rpids 256
rrootfs /srv/debian
rbackend vm
Nlab1
Neth0
EOF
	# the guest agent's stream: a PING, then a STATS_REPLY with no
	# interfaces (96 bytes of payload), fed 7 bytes at a time
	{
		printf 'a\007vl\001\012\001\000\000\000\004\000\000\000ping'
		printf 'vl\001\210\002\000\000\000\140\000\000\000'
		head -c 96 /dev/zero
	} >"$c/seed-agent"
}

rc=0
for name in "$@"; do
	corpus=$dir/corpus-$name
	mkdir -p "$corpus" "$dir/artifacts"
	case $name in
	topo) seed_topo "$corpus" ;;
	parse) seed_parse "$corpus" ;;
	*) echo "fuzz: $name: no seeds for it in scripts/fuzz.sh" >&2 ;;
	esac
	dict=
	[ -f "fuzz/$name.dict" ] && dict=-dict=fuzz/$name.dict
	echo "fuzz: $name for ${secs}s ($corpus)"
	# shellcheck disable=SC2086
	if ! "$dir/fuzz-$name" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 $dict \
		-artifact_prefix="$dir/artifacts/$name-" "$corpus" 2>"$dir/fuzz-$name.log"; then
		tail -n 60 "$dir/fuzz-$name.log" >&2
		echo "fuzz: $name FAILED: the input is in $dir/artifacts/, the log in" \
			"$dir/fuzz-$name.log" >&2
		rc=1
		continue
	fi
	grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$dir/fuzz-$name.log" |
		sed "s/^/fuzz: $name: /"
done
exit $rc
