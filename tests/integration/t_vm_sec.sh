# What a guest reaches of the host: the lab's data directory read-write
# (/run/vnetlab/LAB/share, at the same path), the host's / read-only
# without its secrets nor vnetlab's state, and what --vm-export shows.
# Guests are root in themselves: what they must not change or read is
# simply not there for them. (need_vm is t_vm.sh's.)

test_vm_sec_guest_cannot_touch_the_labs_records() {
	need_vm
	L=/run/vnetlab/vt-vmsec
	others=$(ls /run/vnetlab)
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	trap '"$VNETLAB" down vt-vmsec >/dev/null 2>&1' EXIT
	vl up --topo single,2 --backend vm -n vt-vmsec -q
	journal=$(md5sum <"$L/journal") id=$(cat "$L/id") state=$(md5sum <"$L/state.json")
	# the issue's attack, and the rest: the journal, the lab's id and
	# state, logs/ swapped for a symlink into /root
	"$VNETLAB" exec vt-vmsec h1 -- sh -c "
		echo 'sysctl net/ipv4/ip_forward 1 0' >>$L/journal
		echo ffff >$L/id; echo '{}' >$L/state.json; mkdir -p $L/vm; echo x >$L/vm/info
		mv $L/logs $L/logs.old; ln -s /root $L/logs" >/dev/null 2>&1
	expect_eq "$(md5sum <"$L/journal")" "$journal" "the host's journal after a guest's append"
	expect_eq "$(cat "$L/id")" "$id" "the lab's id"
	expect_eq "$(md5sum <"$L/state.json")" "$state" "state.json"
	[ -d "$L/logs" ] && [ ! -L "$L/logs" ] && [ ! -e "$L/logs.old" ] ||
		fail "a guest replaced the lab's logs/: $(ls -l "$L")"
	grep -q '^accel' "$L/vm/info" || fail "a guest rewrote vm/info"
	# of the lab, the other guest sees its data directory alone
	expect_eq "$("$VNETLAB" exec vt-vmsec h2 -- ls -A "$L")" share "the lab's directory in a guest"
	vl down vt-vmsec
	[ ! -e "$L" ] || fail "the lab's directory is still there"
	# the host's setting as it was (if no other lab came or went meanwhile)
	if [ "$(ls /run/vnetlab)" = "$others" ]; then
		expect_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd" "ip_forward after down"
	fi
}

test_vm_sec_guest_cannot_read_the_hosts_secrets_but_runs_its_programs() {
	need_vm
	L=/run/vnetlab/vt-vmsec2
	secret=$(mktemp /root/vt-vmsec.XXXXXX)
	home=
	[ -d /home ] && home=$(mktemp -d /home/vt-vmsec.XXXXXX)
	trap 'rm -f "$secret"; [ -z "$home" ] || rm -rf "$home"; "$VNETLAB" down vt-vmsec2 >/dev/null 2>&1' EXIT
	head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secret"
	vl up --topo single,1 --backend vm -n vt-vmsec2 -q
	g() { "$VNETLAB" exec vt-vmsec2 h1 -- "$@"; }
	# /root, /home, vnetlab's caches and state: empty or absent
	g test -e "$secret" && fail "a guest sees $secret"
	[ -z "$home" ] || expect_eq "$(g ls -A /home)" "" "/home in a guest"
	expect_eq "$(g ls -A /var/cache/vnetlab 2>/dev/null)" "" "/var/cache/vnetlab in a guest"
	# the accounts without their password hashes ("*", or "!" where locked)
	for f in /etc/shadow /etc/gshadow; do
		[ -s "$f" ] || continue
		expect_eq "$(g cat "$f" | cut -d: -f1)" "$(cut -d: -f1 "$f")" "the accounts of $f in a guest"
		expect_eq "$(g cat "$f" | awk -F: '$2 != "*" && $2 != "!"')" "" "hashes in $f in a guest"
	done
	# their backups and the ssh host keys: empty files
	for f in /etc/shadow- /etc/gshadow- /etc/ssh/ssh_host_*_key; do
		[ -s "$f" ] || continue
		expect_eq "$(g cat "$f" | wc -c)" 0 "$f in a guest"
	done
	# the host's programs still run: python3, sshd (with a key of the
	# lab's data directory)
	expect_eq "$(g python3 -c 'print(6 * 7)')" 42 "python3 in a guest"
	if [ -x /usr/sbin/sshd ] && [ -x /usr/bin/ssh-keygen ]; then
		ssh-keygen -q -t ed25519 -N '' -f "$L/share/hostkey" || fail "ssh-keygen"
		g /usr/sbin/sshd -t -f /dev/null -h "$L/share/hostkey" || fail "sshd -t in a guest"
		g test -s /etc/ssh/ssh_host_ed25519_key.pub || [ ! -s /etc/ssh/ssh_host_ed25519_key.pub ] ||
			fail "the host's public ssh key is hidden"
	fi
	# the data directory, both ways
	echo from-host >"$L/share/vt-from-host"
	expect_eq "$(g cat "$L/share/vt-from-host")" from-host "the host's file in a guest"
	g sh -c "echo from-guest >$L/share/vt-from-guest" || fail "the guest cannot write its data directory"
	expect_eq "$(cat "$L/share/vt-from-guest" 2>/dev/null)" from-guest "a guest's file on the host"
	# what a guest makes there is a plain file of root's alone on the
	# host: no symlink for the host to follow, no set-user-ID program or
	# device for the host's users
	g sh -c "ln -s /root $L/share/vt-link; cp /bin/true $L/share/vt-suid; chmod 4755 $L/share/vt-suid
		mknod $L/share/vt-dev c 1 3; mkdir $L/share/vt-dir; ln -s /etc $L/share/vt-dir/l" ||
		fail "a guest cannot make links, programs and devices in its data directory"
	expect_eq "$(g stat -c %A "$L/share/vt-suid")" -rwsr-xr-x "the set-user-ID program in the guest"
	expect_eq "$(find "$L/share" -name 'vt-*' \( -type l -o -perm /6000 -o -type c \) | wc -l)" 0 \
		"symlinks, set-user-ID programs or devices a guest made, on the host"
	expect_eq "$(stat -c %a "$L/share/vt-suid")" 600 "a guest's program on the host"
	vl down vt-vmsec2
	[ ! -e "$L" ] || fail "the lab's directory is still there"
}

test_vm_sec_export_shows_a_hidden_path() {
	need_vm
	d=$(mktemp -d /root/vt-vmsec-export.XXXXXX)
	other=$(mktemp /root/vt-vmsec-other.XXXXXX)
	trap 'rm -rf "$d" "$other"; "$VNETLAB" down vt-vmsec3 >/dev/null 2>&1' EXIT
	echo exported >"$d/marker"
	out=$("$VNETLAB" up --topo single,1 --backend vm -n vt-vmsec3 --vm-export relative/path 2>&1)
	expect_eq "$?" 2 "up --vm-export relative/path"
	echo "$out" | grep -q -- "--vm-export relative/path: not an existing absolute path" ||
		fail "the usage error: $out"
	vl up --topo single,1 --backend vm -n vt-vmsec3 -q --vm-export "$d"
	expect_eq "$("$VNETLAB" exec vt-vmsec3 h1 -- cat "$d/marker")" exported "an exported file"
	"$VNETLAB" exec vt-vmsec3 h1 -- test -e "$other" && fail "a path not exported is seen"
	# read-only, as the rest of the host's root
	"$VNETLAB" exec vt-vmsec3 h1 -- sh -c "echo x >$d/marker" 2>/dev/null
	expect_eq "$(cat "$d/marker")" exported "the exported file after a guest's write"
	vl down vt-vmsec3
}
