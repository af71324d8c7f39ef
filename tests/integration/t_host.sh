# Host files and settings under crashes and concurrency: the last lab to
# let a setting go puts it back however many downs run at once; /etc/hosts
# is written in place from a record that clean finishes, so a kill never
# leaves it torn after clean, and the nodes' own hosts files (bound over
# it) stay; a lab's id is on disk before anything tagged with
# it; an undo step that fails leaves the lab for clean, saying what is left.

forwarding() { cat /proc/sys/net/ipv4/ip_forward; }
vl_cgroups() { find /sys/fs/cgroup -maxdepth 4 -type d -name 'vnetlab*' 2>/dev/null | sort; }
mgmt_links() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^vl[0-9a-f]{4}m' | sort; }

# A copy of the host's /etc/hosts bound over it, so a test can change,
# break or kill writes of "the host's" file and compare it byte for byte.
# $1: the copy's text (printf format-free). Sets $hosts_copy.
bind_hosts_copy() {
	hosts_copy=$(mktemp /tmp/vt-hosts.XXXXXX)
	printf '%s' "$1" >"$hosts_copy"
	mount --bind "$hosts_copy" /etc/hosts || fail "bind a copy over /etc/hosts"
}
unbind_hosts_copy() {
	umount /etc/hosts 2>/dev/null
	rm -f "$hosts_copy"
}

test_concurrent_downs_put_host_settings_back_and_leave_nothing() {
	fwd=$(forwarding)
	hosts=$(md5sum </etc/hosts)
	tables=$(nft list tables 2>/dev/null)
	links=$(mgmt_links)
	cgroups=$(vl_cgroups)
	for it in $(seq 1 20); do
		for k in 1 2 3; do
			vl up --topo single,2 --mgmt on --nat --name "vt-cc$k" -q
		done
		expect_eq "$(forwarding)" 1 "forwarding while three NAT labs are up (iteration $it)"
		pids=()
		for k in 1 2 3; do
			"$VNETLAB" down "vt-cc$k" >"/tmp/vt-cc$k.out" 2>&1 &
			pids+=($!)
		done
		for k in 1 2 3; do
			wait "${pids[$((k - 1))]}" || fail "down vt-cc$k (iteration $it): $(cat "/tmp/vt-cc$k.out")"
			[ -s "/tmp/vt-cc$k.out" ] && fail "down vt-cc$k said (iteration $it): $(cat "/tmp/vt-cc$k.out")"
			rm -f "/tmp/vt-cc$k.out"
			[ -e "/run/vnetlab/vt-cc$k" ] && fail "lab vt-cc$k left (iteration $it)"
		done
		expect_eq "$(forwarding)" "$fwd" "ip_forward after three downs at once (iteration $it)"
		[ -e /run/vnetlab/.host/net.ipv4.ip_forward ] &&
			fail "the shared record of ip_forward left (iteration $it): $(cat /run/vnetlab/.host/net.ipv4.ip_forward)"
		expect_eq "$(md5sum </etc/hosts)" "$hosts" "/etc/hosts (iteration $it)"
		expect_eq "$(nft list tables 2>/dev/null)" "$tables" "nftables tables (iteration $it)"
		expect_eq "$(mgmt_links)" "$links" "management bridges and ports (iteration $it)"
		expect_eq "$(vl_cgroups)" "$cgroups" "vnetlab's cgroups (iteration $it)"
	done
}

test_concurrent_downs_put_the_backlog_back() {
	[ -w /proc/sys/net/core/netdev_max_backlog ] || skip "no net.core.netdev_max_backlog to tune"
	host=$(backlog)
	[ "$host" -lt 1500 ] || skip "the host's netdev_max_backlog ($host) is already large"
	for it in 1 2 3; do
		vl up --topo single,260 --name vt-bl1 -q
		vl up --topo single,270 --name vt-bl2 -q
		[ "$(backlog)" -gt "$host" ] || fail "not raised: $(backlog)"
		"$VNETLAB" down vt-bl1 & a=$!
		"$VNETLAB" down vt-bl2 & b=$!
		wait $a || fail "down vt-bl1"
		wait $b || fail "down vt-bl2"
		expect_eq "$(backlog)" "$host" "netdev_max_backlog after both downs at once (iteration $it)"
		[ -e /run/vnetlab/.host/net.core.netdev_max_backlog ] && fail "its shared record left"
	done
	return 0
}

test_a_kill_before_the_id_is_written_leaks_nothing() {
	command -v strace >/dev/null || fail "strace missing (scripts/deps.sh installs it)"
	links=$(mgmt_links)
	hosts=$(md5sum </etc/hosts)
	# killed as it makes its id file: up has made nothing tagged yet
	strace -f -o /dev/null -e trace=openat -e inject=openat:signal=KILL -P /run/vnetlab/vt-kid/id.tmp \
		"$VNETLAB" up --topo single,2 --mgmt on --name vt-kid -q >/dev/null 2>&1
	[ -e /run/vnetlab/vt-kid ] || fail "up was not killed where the test meant (no lab directory)"
	vl clean >/dev/null
	[ -e /run/vnetlab/vt-kid ] && fail "clean left the lab"
	expect_eq "$(mgmt_links)" "$links" "management links after clean"
	expect_eq "$(md5sum </etc/hosts)" "$hosts" "/etc/hosts after clean"
	# the next lab still gets a management network
	vl up --topo single,2 --mgmt on --name vt-kid -q
	vl down vt-kid
	# a management bridge of no lab (left by a vnetlab of before): clean removes it
	ip link add vlfff7mgmt type bridge || fail "make a bridge"
	ip link add vlfff7m3 type veth peer name vt-kid-peer || fail "make a port"
	out=$("$VNETLAB" clean --dry-run)
	echo "$out" | grep -q 'vlfff7mgmt' || fail "clean --dry-run does not name the orphaned bridge: $out"
	ip link show vlfff7mgmt >/dev/null 2>&1 || fail "--dry-run removed it"
	vl clean >/dev/null
	ip link show vlfff7mgmt >/dev/null 2>&1 && { ip link del vlfff7mgmt; fail "clean left an orphaned bridge"; }
	ip link show vlfff7m3 >/dev/null 2>&1 && { ip link del vlfff7m3; fail "clean left an orphaned port"; }
	expect_eq "$(mgmt_links)" "$links" "management links at the end"
	# and a table of no lab's
	nft add table ip vlfff7nat || fail "make a table"
	vl clean >/dev/null
	nft list table ip vlfff7nat >/dev/null 2>&1 && { nft delete table ip vlfff7nat; fail "clean left an orphaned table"; }
	return 0
}

# Kill down at each syscall that writes the hosts file; after clean the
# file is exactly what it was before the lab ($1 holds that text), and no
# record of the write is left.
kill_at_hosts_writes() {
	local want sc
	want=$(cat "$1"; echo x)
	for sc in openat pwrite64 write ftruncate fsync rename; do
		vl up --topo single,2 --mgmt on --name vt-hk -q
		strace -f -o /dev/null -e trace="$sc" -e inject="$sc":signal=KILL -P /etc/hosts \
			"$VNETLAB" down vt-hk >/dev/null 2>&1
		vl clean >/dev/null
		[ -e /run/vnetlab/vt-hk ] && { "$VNETLAB" down vt-hk; fail "lab left after clean ($sc)"; }
		expect_eq "$(cat /etc/hosts; echo x)" "$want" "/etc/hosts after a kill at $sc and clean"
	done
	ls /run/vnetlab/.host/hosts.redo 2>/dev/null && fail "a redo record left"
	return 0
}

test_hosts_file_whole_after_a_kill_and_clean() {
	command -v strace >/dev/null || fail "strace missing (scripts/deps.sh installs it)"
	before=$(mktemp)
	cat /etc/hosts >"$before"
	kill_at_hosts_writes "$before"
	rm -f "$before"
}

test_bind_mounted_hosts_file_whole_after_a_kill_and_clean() {
	command -v strace >/dev/null || fail "strace missing (scripts/deps.sh installs it)"
	# as in a container: the file is a mount point; and its last line has
	# no newline (one lab must not garble it)
	text=$(printf '127.0.0.1\tlocalhost\n10.9.8.7\tthe-host-s-own-line')
	bind_hosts_copy "$text"
	trap unbind_hosts_copy EXIT
	before=$(mktemp)
	printf '%s' "$text" >"$before"
	kill_at_hosts_writes "$before"
	cmp -s "$hosts_copy" "$before" || fail "the bound file itself: $(cat -A "$hosts_copy")"
	rm -f "$before"
}

test_undo_that_fails_leaves_the_lab_for_clean() {
	bind_hosts_copy "$(printf '127.0.0.1\tlocalhost\n')"
	trap unbind_hosts_copy EXIT
	vl up --topo single,2 --mgmt on --name vt-ro -q
	grep -q 'VNETLAB-vt-ro-START' /etc/hosts || fail "no block in /etc/hosts"
	mount -o remount,bind,ro /etc/hosts || fail "make /etc/hosts read-only"
	out=$("$VNETLAB" down vt-ro 2>&1) && fail "down said it succeeded: $out"
	echo "$out" | grep -q "Read-only file system" || fail "down does not say why: $out"
	echo "$out" | grep -q "left for .vnetlab clean." || fail "down does not say what is left: $out"
	expect_eq "$(echo "$out" | grep -c 'Read-only')" 1 "lines saying why (once)"
	[ -e /run/vnetlab/vt-ro ] || fail "down dropped the lab though its block is still in /etc/hosts"
	"$VNETLAB" status | grep -q 'vt-ro.*incomplete' || fail "status: $("$VNETLAB" status)"
	grep -q 'hosts vt-ro' /run/vnetlab/vt-ro/journal || fail "the journal forgot the block"
	grep -q '^netns' /run/vnetlab/vt-ro/journal && fail "the journal keeps what is gone"
	"$VNETLAB" clean >/dev/null 2>&1 && fail "clean succeeded while the file is read-only"
	[ -e /run/vnetlab/vt-ro ] || fail "clean dropped the lab"
	mount -o remount,bind,rw /etc/hosts || fail "make /etc/hosts writable again"
	vl clean >/dev/null
	[ -e /run/vnetlab/vt-ro ] && fail "clean did not finish the lab"
	grep -q 'VNETLAB-vt-ro' /etc/hosts && fail "the block stayed"
	expect_eq "$(cat /etc/hosts)" "$(printf '127.0.0.1\tlocalhost')" "the file after clean"
}

# /etc/hosts as a symbolic link (NixOS manages it so): followed, and where
# its target cannot be written the lab comes up without its names there,
# saying so once. The host's file is swapped for a link for the test and
# put back after (by rename: nothing else runs during the suite's tests).
restore_etc_hosts() {
	umount "$sym_dir/store" 2>/dev/null
	cp -a "$sym_dir/saved" /etc/hosts.vt-back && mv -T /etc/hosts.vt-back /etc/hosts
	rm -rf "$sym_dir"
}

test_symlinked_hosts_file() {
	sym_dir=$(mktemp -d /tmp/vt-etc.XXXXXX)
	mkdir -p "$sym_dir/store"
	cp -a /etc/hosts "$sym_dir/saved"
	trap restore_etc_hosts EXIT
	printf '127.0.0.1\tlocalhost\n' >"$sym_dir/store/hosts"
	ln -sfn "$sym_dir/store/hosts" /etc/hosts.vt-link && mv -T /etc/hosts.vt-link /etc/hosts ||
		fail "make /etc/hosts a link"
	mount --bind "$sym_dir/store" "$sym_dir/store" && mount -o remount,bind,ro "$sym_dir/store" ||
		fail "make the link's target read-only"
	err=$("$VNETLAB" up --topo single,2 --mgmt on --name vt-sym -q 2>&1) || fail "up: $err"
	expect_eq "$(echo "$err" | grep -c 'not in the host')" 1 "warnings of up with a read-only target"
	echo "$err" | grep -q 'Read-only file system' || fail "the warning does not say why: $err"
	vl exec vt-sym h1 -- true
	vl down vt-sym
	[ -L /etc/hosts ] || fail "/etc/hosts is no longer a link"
	umount "$sym_dir/store"
	# a target that can be written: the block goes there, the link stays
	vl up --topo single,2 --mgmt on --name vt-sym -q
	grep -q VNETLAB-vt-sym-START "$sym_dir/store/hosts" || fail "no block in the target"
	[ -L /etc/hosts ] || fail "/etc/hosts replaced by a file"
	vl down vt-sym
	[ -L /etc/hosts ] || fail "/etc/hosts replaced by a file at down"
	expect_eq "$(cat "$sym_dir/store/hosts")" "$(printf '127.0.0.1\tlocalhost')" "the link's target after down"
}

# Each node's /etc/hosts is the lab's own, bound over the host's: changing
# the host's file (another lab's block coming and going) must not take it
# from them (a rename over /etc/hosts would detach those binds everywhere).
test_nodes_keep_their_hosts_file_while_others_change_the_hosts() {
	vl up -f tests/integration/mgmt.clab.yml -q
	can_ping vt-mgmt a b || fail "a cannot ping b by name"
	vl up --topo single,2 --mgmt on --name vt-other -q
	vl down vt-other
	"$VNETLAB" exec vt-mgmt a -- grep -q VNETLAB-vt-other /etc/hosts &&
		fail "node a sees the host's /etc/hosts, not its own"
	can_ping vt-mgmt a b || fail "a cannot ping b by name after another lab came and went"
	vl down vt-mgmt
}
