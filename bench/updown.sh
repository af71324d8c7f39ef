#!/usr/bin/env bash
# updown.sh VNETLAB [N...]  —  how fast `vnetlab up/down --topo single,N` is,
# and what it costs the kernel, against the same network built by raw
# iproute2 (bench/baseline-ipbatch.sh). See bench/README.md.
#
# Environment:
#   REPS=3            repetitions per N and tool (tools alternate)
#   TOOLS="vnetlab ip-batch"   which tools to run
#   IPV6_N=1000       N of the extra IPv6 on/off pair (empty: none)
#   SETTLE_TIMEOUT=300  max seconds to wait for the kernel after a down
#   CMD_TIMEOUT=1800  max seconds for one up or down command
#   DROP_CACHES=1     drop dentries/inodes after each settle (0: don't)
#   OUT=FILE          JSON lines (default bench/results/updown-<date>.jsonl)
#   VBASE_JOBS, VBASE_HOSTS  passed on to the baseline
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

[ $# -ge 1 ] || { echo "usage: ${0##*/} VNETLAB [N...]" >&2; exit 2; }
VNETLAB=$1
shift
SIZES=${*:-100 1000 5000}
REPS=${REPS:-3}
TOOLS=${TOOLS:-vnetlab ip-batch}
IPV6_N=${IPV6_N-1000}
SETTLE_TIMEOUT=${SETTLE_TIMEOUT:-300}
CMD_TIMEOUT=${CMD_TIMEOUT:-1800}
DROP_CACHES=${DROP_CACHES:-1}
BASE=$HERE/baseline-ipbatch.sh
[ "$(id -u)" -eq 0 ] || die "must run as root"
for n in $SIZES; do case $n in '' | *[!0-9]*) die "bad N: $n" ;; esac; done
case $REPS in '' | *[!0-9]* | 0) die "bad REPS: $REPS" ;; esac
case " $TOOLS " in *" vnetlab "*)
	case $VNETLAB in */*) ;; *) VNETLAB=./$VNETLAB ;; esac
	[ -x "$VNETLAB" ] || die "$VNETLAB: not an executable (TOOLS=ip-batch runs the baseline alone)"
	VNETLAB=$(cd "$(dirname "$VNETLAB")" && pwd)/$(basename "$VNETLAB")
	;;
esac

bench_files updown
LAB=ub$$
export VBASE_TAG=$(($$ % 1000))
ALL_NAMES=$WORK/all-names # every namespace name any of our runs created
: >"$ALL_NAMES"
RUNS=$WORK/runs.tsv # n tool ipv6 set up down settle kern avail ok
: >"$RUNS"
CUR= # "vnetlab" or "ip-batch" while a lab of ours may be up
VNETLAB_OK=1

cleanup() {
	local left
	trap - EXIT INT TERM
	case $CUR in
	vnetlab) timeout 600 "$VNETLAB" down "$LAB" >/dev/null 2>&1 ;;
	ip-batch) timeout 600 "$BASE" 1 off down >/dev/null 2>&1 ;;
	esac
	# Whatever is still registered under one of our names goes now.
	left=$(netns_list | grep -xF -f "$ALL_NAMES" || true)
	if [ -n "$left" ]; then
		warn "deleting $(echo "$left" | wc -l) leftover namespaces"
		echo "$left" | sed 's/^/netns del /' | ip -force -batch - >/dev/null 2>&1
	fi
	left=$(netns_list | grep -xF -f "$ALL_NAMES" || true)
	[ -z "$left" ] || warn "namespaces left behind: $(echo "$left" | head -5 | tr '\n' ' ')"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Names of the vnetlab lab that appeared between two `ip netns` listings:
# the vl<id> group with its switch namespaces and N host namespaces (other labs
# may come and go meanwhile; they are not ours).
vnetlab_names() { # BEFORE AFTER N
	comm -13 "$1" "$2" | grep -E '^vl[0-9a-f]{4}[.-]' |
		awk -v n="$3" '{ id = substr($0, 1, 6); all[id] = all[id] $0 "\n"
			if ($0 == id ".sw") sw[id] = 1; else if (substr($0, 7, 2) == "-h") h[id]++ }
			END { for (id in all) if (sw[id] && h[id] == n) { printf "%s", all[id]; exit } }'
}

json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

# run TOOL N IPV6 SET REP: one up, measure, one down, settle; appends to $RUNS and $OUT.
run() {
	local tool=$1 n=$2 v6=$3 set=$4 rep=$5
	local pre post names="$WORK/names" lsb="$WORK/ls.before" lsa="$WORK/ls.after"
	local t0 t1 t2 t3 up_s down_s wall_up wall_down extra="" ok=1 err="" out
	local dk da settle settled resid phases=""

	say "N=$n $tool ipv6=$v6 ($set $rep): up"
	netns_list | sort >"$lsb"
	: >"$names"
	if [ "$tool" = ip-batch ]; then
		"$BASE" "$n" "$v6" names >"$names"
		cat "$names" >>"$ALL_NAMES"
	fi
	pre=$(mem_snap)
	CUR=$tool
	t0=$(now_ns)
	if [ "$tool" = vnetlab ]; then
		local args=(up --topo "single,$n" --name "$LAB")
		[ "$v6" = on ] && args+=(--ipv6 on)
		timeout "$CMD_TIMEOUT" "$VNETLAB" "${args[@]}" >"$WORK/log" 2>&1 || ok=0
	else
		timeout "$CMD_TIMEOUT" "$BASE" "$n" "$v6" up >"$WORK/log" 2>&1 || ok=0
	fi
	t1=$(now_ns)
	post=$(mem_snap)
	wall_up=$(ns_to_s "$t0" "$t1")
	up_s=$wall_up
	if [ "$tool" = vnetlab ]; then
		netns_list | sort >"$lsa"
		vnetlab_names "$lsb" "$lsa" "$n" >"$names"
		cat "$names" >>"$ALL_NAMES"
		# N nodes and switch namespaces of at most 1023 ports each (a
		# cascaded switch's leaves of 255 ports, four to a namespace)
		local most=$((n / 1000 + 2))
		infra=$(grep -c '\.sw[0-9]*$' "$names" || true)
		if [ "$ok" = 1 ] && { [ "$(grep -c -- '-h' "$names")" -ne "$n" ] || [ "$infra" -lt 1 ] ||
			[ "$infra" -gt "$most" ]; }; then
			ok=0
			err="found $(wc -l <"$names") namespaces after up ($infra switch namespaces), want $n nodes and 1..$most switch namespaces"
		fi
	else
		# The baseline times its ip invocations itself, batch generation excluded.
		out=$(grep '^up ' "$WORK/log")
		up_s=$(printf '%s\n' "$out" | sed -n 's/.* up_s=\([0-9.]*\).*/\1/p')
		[ -n "$up_s" ] || { up_s=$wall_up; ok=0; }
		phases=$(printf '%s\n' "$out" | tr ' ' '\n' | grep -E '^(netns|sysctl|infra|hosts)_s=' |
			sed 's/^\(.*\)=\(.*\)$/"\1":\2/' | paste -sd, -)
		extra=$(printf '%s\n' "$out" | tr ' ' '\n' | sed -n 's/^\(jobs\|hosts\)=\(.*\)/"\1":"\2"/p' | paste -sd, -)
	fi
	if [ "$ok" = 0 ] && [ -z "$err" ]; then
		err=$(tail -3 "$WORK/log" | tr '\n\t"\\' '    ')
	fi

	say "N=$n $tool ipv6=$v6 ($set $rep): down"
	t2=$(now_ns)
	if [ "$tool" = vnetlab ]; then
		timeout "$CMD_TIMEOUT" "$VNETLAB" down "$LAB" >"$WORK/log" 2>&1 || { ok=0; err="${err:+$err; }down failed: $(tail -1 "$WORK/log")"; }
		t3=$(now_ns)
		wall_down=$(ns_to_s "$t2" "$t3")
		down_s=$wall_down
	else
		timeout "$CMD_TIMEOUT" "$BASE" "$n" "$v6" down >"$WORK/log" 2>&1 || { ok=0; err="${err:+$err; }down failed: $(tail -1 "$WORK/log")"; }
		t3=$(now_ns)
		wall_down=$(ns_to_s "$t2" "$t3")
		down_s=$(sed -n 's/.* down_s=\([0-9.]*\).*/\1/p' "$WORK/log")
		[ -n "$down_s" ] || down_s=$wall_down
	fi
	CUR=

	say "N=$n $tool ipv6=$v6 ($set $rep): settle"
	read -r settle settled resid < <(wait_settle "$names" "$(mem_unrecl "$pre")" \
		$(($(mem_unrecl "$post") - $(mem_unrecl "$pre"))) "$SETTLE_TIMEOUT")
	if [ "$(netns_count_of "$names")" -ne 0 ]; then
		ok=0
		err="${err:+$err; }namespaces still present after down"
		netns_list | grep -xF -f "$names" | sed 's/^/netns del /' | ip -force -batch - >/dev/null 2>&1
	fi

	dk=$(awk -v a="$(mem_kernel "$pre")" -v b="$(mem_kernel "$post")" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')
	da=$(awk -v a="$(mem_avail "$pre")" -v b="$(mem_avail "$post")" -v n="$n" 'BEGIN { printf "%.1f", (a - b) / n }')
	set -- $pre
	local pre_j="{\"slab\":$1,\"sunreclaim\":$2,\"kernel_stack\":$3,\"page_tables\":$4,\"percpu\":$5,\"mem_available\":$6}"
	set -- $post
	local post_j="{\"slab\":$1,\"sunreclaim\":$2,\"kernel_stack\":$3,\"page_tables\":$4,\"percpu\":$5,\"mem_available\":$6}"
	{
		printf '{"type":"run","date":"%s","kernel":"%s","cpus":%s,"n":%s,"tool":"%s","ipv6":"%s","set":"%s","rep":%s,' \
			"$(date -Iseconds)" "$(uname -r)" "$(nproc)" "$n" "$tool" "$v6" "$set" "$rep"
		printf '"ok":%s,"up_s":%s,"down_s":%s,"wall_up_s":%s,"wall_down_s":%s,"settle_s":%s,"settled":%s,' \
			"$([ $ok = 1 ] && echo true || echo false)" "$up_s" "$down_s" "$wall_up" "$wall_down" \
			"$settle" "$([ "$settled" = 1 ] && echo true || echo false)"
		printf '"settle_residual_kb":%s,"kernel_kb_per_node":%s,"avail_drop_kb_per_node":%s,"mem_before_kb":%s,"mem_after_up_kb":%s' \
			"$resid" "$dk" "$da" "$pre_j" "$post_j"
		[ -n "$phases" ] && printf ',"phases_s":{%s}' "$phases"
		[ -n "$extra" ] && printf ',%s' "$extra"
		[ -n "$err" ] && printf ',"error":%s' "$(json_str "$err")"
		printf '}\n'
	} >>"$OUT"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$tool" "$v6" "$set" "$up_s" "$down_s" \
		"$settle" "$dk" "$da" "$ok" >>"$RUNS"
	if [ "$ok" = 0 ]; then
		warn "N=$n $tool ipv6=$v6: failed: $err"
		[ "$tool" = vnetlab ] && VNETLAB_OK=0
	fi
	[ "$settled" = 1 ] || warn "N=$n $tool: kernel memory not back within ${SETTLE_TIMEOUT}s (residual ${resid} kB)"
	# Dentries of /proc/sys in dead namespaces stay cached and make every
	# later per-namespace /proc/sys lookup slower: start each run clean.
	[ "$DROP_CACHES" = 1 ] && echo 2 >/proc/sys/vm/drop_caches
	return 0
}

tool_enabled() { case " $TOOLS " in *" $1 "*) return 0 ;; esac; return 1; }
run_tools() { # N IPV6 SET REP
	local t
	for t in $TOOLS; do
		[ "$t" = vnetlab ] && [ "$VNETLAB_OK" = 0 ] && continue
		run "$t" "$@"
	done
}

[ "$DROP_CACHES" = 1 ] && echo 2 >/proc/sys/vm/drop_caches
for n in $SIZES; do
	for rep in $(seq "$REPS"); do
		run_tools "$n" off main "$rep"
	done
	if [ "$n" = "$IPV6_N" ]; then
		run_tools "$n" on ipv6pair 1
		run_tools "$n" off ipv6pair 1
	fi
done

# medians over the ok runs of one (n, tool, ipv6, set); column: 5 up .. 9 avail
med() { awk -F'\t' -v n="$1" -v t="$2" -v v="$3" -v s="$4" -v c="$5" \
	'$1 == n && $2 == t && $3 == v && $4 == s && $10 == 1 { print $c }' "$RUNS" | median; }
cnt() { awk -F'\t' -v n="$1" -v t="$2" -v v="$3" -v s="$4" \
	'$1 == n && $2 == t && $3 == v && $4 == s && $10 == 1' "$RUNS" | wc -l; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

summary_json() { # n tool ipv6 set runs up down settle kern avail [ratio_up ratio_down]
	printf '{"type":"summary","n":%s,"tool":"%s","ipv6":"%s","set":"%s","runs":%s,"median_up_s":%s,"median_down_s":%s,"median_settle_s":%s,"kernel_kb_per_node":%s,"avail_drop_kb_per_node":%s' \
		"$1" "$2" "$3" "$4" "$5" "$(jnum "$6")" "$(jnum "$7")" "$(jnum "$8")" "$(jnum "$9")" "$(jnum "${10}")"
	[ $# -ge 12 ] && printf ',"ratio_up_vs_ip_batch":%s,"ratio_down_vs_ip_batch":%s' "$(jnum "${11}")" "$(jnum "${12}")"
	printf '}\n'
}
fmt() { if [ "$2" = - ]; then echo -; else printf "%.${1}f" "$2"; fi; }
jnum() { if [ "$1" = - ]; then echo null; else echo "$1"; fi; }

echo "vnetlab up/down, topology single,N; $(nproc) CPUs, kernel $(uname -r); medians of $REPS runs"
echo "up/down: wall seconds of the command (ip-batch: of its ip invocations); settle: seconds after"
echo "down until the namespaces are gone and unreclaimable kernel memory is back; kernel kB/node:"
echo "(Slab+KernelStack+PageTables+Percpu) after up minus before, / N; avail: drop of MemAvailable / N."
echo
printf '%6s  %-8s %5s %4s %8s %8s %8s %9s %9s %7s %7s\n' N tool ipv6 runs up_s down_s settle_s kern_kB/n avail_kB/n up_x down_x
for n in $SIZES; do
	sets="main"
	[ "$n" = "$IPV6_N" ] && sets="main ipv6pair"
	for set in $sets; do
		for v6 in off on; do
			[ "$set" = main ] && [ "$v6" = on ] && continue
			bu=$(med "$n" ip-batch "$v6" "$set" 5)
			bd=$(med "$n" ip-batch "$v6" "$set" 6)
			for t in $TOOLS; do
				c=$(cnt "$n" "$t" "$v6" "$set")
				[ "$c" -eq 0 ] && ! grep -q "^$n	$t	$v6	$set	" "$RUNS" && continue
				u=$(med "$n" "$t" "$v6" "$set" 5)
				d=$(med "$n" "$t" "$v6" "$set" 6)
				s=$(med "$n" "$t" "$v6" "$set" 7)
				k=$(med "$n" "$t" "$v6" "$set" 8)
				a=$(med "$n" "$t" "$v6" "$set" 9)
				ru=- rd=-
				if [ "$t" = vnetlab ]; then ru=$(ratio "$u" "$bu"); rd=$(ratio "$d" "$bd"); fi
				label=$v6
				[ "$set" = ipv6pair ] && label="$v6*"
				printf '%6s  %-8s %5s %4s %8s %8s %8s %9s %9s %7s %7s\n' "$n" "$t" "$label" "$c" \
					"$(fmt 3 "$u")" "$(fmt 3 "$d")" "$(fmt 3 "$s")" "$(fmt 1 "$k")" "$(fmt 1 "$a")" "$ru" "$rd"
				if [ "$t" = vnetlab ]; then
					summary_json "$n" "$t" "$v6" "$set" "$c" "$u" "$d" "$s" "$k" "$a" "$ru" "$rd" >>"$OUT"
				else
					summary_json "$n" "$t" "$v6" "$set" "$c" "$u" "$d" "$s" "$k" "$a" >>"$OUT"
				fi
			done
		done
	done
done
if [ -n "$IPV6_N" ] && grep -q "ipv6pair" "$RUNS"; then
	echo
	echo "* one extra on/off pair at N=$IPV6_N, run back to back. up time, IPv6 on / off:"
	for t in $TOOLS; do
		on=$(med "$IPV6_N" "$t" on ipv6pair 5)
		off=$(med "$IPV6_N" "$t" off ipv6pair 5)
		printf '  %-8s  on %ss  off %ss  ratio %s\n' "$t" "$on" "$off" "$(ratio "$on" "$off")"
	done
fi
if awk -F'\t' '$10 != 1' "$RUNS" | grep -q .; then
	echo
	echo "failed runs (not in the medians): $(awk -F'\t' '$10 != 1 { printf "%s %s ipv6=%s; ", $1, $2, $3 }' "$RUNS")"
fi
echo
echo "raw: $OUT"

# Nothing of ours may remain.
left=$(netns_list | grep -xF -f "$ALL_NAMES" || true)
if [ -n "$left" ]; then
	warn "namespaces still present at the end: $(echo "$left" | wc -l)"
	exit 1
fi
exit 0
