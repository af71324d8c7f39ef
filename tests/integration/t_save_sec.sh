# Nothing a router's FRR user or a lab's node can write is followed by
# root: `save` reads each router's frr.conf and writes its copies through
# descriptors (no symbolic link on any component, regular files only), and
# `exec -d` makes its log in a logs/ that is not a symbolic link.

# A lab of two FRR routers (bare configurations) in directory $1, up.
save_lab() { # DIR LAB
	[ -x /usr/lib/frr/frrinit.sh ] || skip "FRR is not installed (Debian's frr)"
	cat >"$1/lab.clab.yml" <<-EOF
		name: $2
		topology:
		  nodes:
		    router1: { kind: frr }
		    router2: { kind: frr }
		  links:
		    - endpoints: ["router1:eth1", "router2:eth1"]
	EOF
	vl up -f "$1/lab.clab.yml" >/dev/null
}

# A secret of root's on the host, where the routers see it too.
save_secret() {
	s=$(mktemp /var/tmp/vt-save-secret.XXXXXX)
	chmod 0600 "$s"
	echo "VT-SECRET-$$-$RANDOM" >"$s"
	echo "$s"
}

# mode owner content-hash of a file
save_sig() { stat -c '%a %U %s %Y' "$1" && sha256sum <"$1"; }

test_save_router_symlink_to_a_secret_not_copied() {
	d=$(mktemp -d)
	secret=$(save_secret)
	before=$(save_sig "$secret")
	trap '"$VNETLAB" down vt-savesec >/dev/null 2>&1; rm -rf "$d" "$secret"' EXIT
	save_lab "$d" vt-savesec
	# as FRR's user in router1: frr.conf swapped for a link to the secret,
	# over and over, while save runs (the issue's reproduction)
	vl exec vt-savesec router1 -- setpriv --reuid frr --regid frr --clear-groups sh -c \
		"cd /etc/frr && ln -sfn '$secret' frr.conf.lnk && mv -f frr.conf.lnk frr.conf"
	"$VNETLAB" exec vt-savesec router1 -- setpriv --reuid frr --regid frr --clear-groups sh -c \
		"cd /etc/frr && i=0; while [ \$i -lt 20000 ] && [ ! -e /etc/frr/stop ]; do
		   ln -sfn '$secret' frr.conf.lnk; mv -f frr.conf.lnk frr.conf; i=\$((i+1)); done" &
	loop=$!
	out=$("$VNETLAB" save -f "$d/lab.clab.yml" 2>&1)
	rc=$?
	echo "save said (exit $rc): $out"
	vl exec vt-savesec router1 -- touch /etc/frr/stop
	wait "$loop"
	if [ -e "$d/clab-vt-savesec/router1/frr.conf" ]; then
		! grep -q VT-SECRET "$d/clab-vt-savesec/router1/frr.conf" ||
			fail "save copied the secret the router's frr.conf points to: $out"
	fi
	# router1 refused, naming the link (or `write memory` failing on it),
	# unless FRR rewrote frr.conf after the loop's last swap
	if [ "$rc" -ne 0 ]; then
		echo "$out" | grep -q "router1: not saved: .*\(in /etc/frr: frr.conf: a symbolic link (to $secret), not followed\|vtysh -c write memory failed\)" ||
			fail "save's refusal does not name router1's link: $out"
	fi
	# the other router is saved all the same, its copy with its file's mode
	echo "$out" | grep -q "^router2: saved to $d/clab-vt-savesec/router2/frr.conf$" ||
		fail "router2 was not saved: $out"
	want=$(vl exec vt-savesec router2 -- stat -c %a /etc/frr/frr.conf)
	expect_eq "$(stat -c '%a %U' "$d/clab-vt-savesec/router2/frr.conf")" "$want root" \
		"the copy's mode and owner (the router's file's mode)"
	expect_eq "$(save_sig "$secret")" "$before" "the secret, after save"
	# root in the router follows no link in /etc/frr either (vtysh's write memory)
	vl exec vt-savesec router1 -- ln -sfn "$secret" /etc/frr/lnk
	! "$VNETLAB" exec vt-savesec router1 -- cat /etc/frr/lnk 2>/dev/null | grep -q VT-SECRET ||
		fail "root in the router reads the secret through a link in /etc/frr"
	vl down vt-savesec >/dev/null
}

test_save_output_symlinks_refused() {
	d=$(mktemp -d)
	elsewhere=$(mktemp -d)
	trap '"$VNETLAB" down vt-saveout >/dev/null 2>&1; rm -rf "$d" "$elsewhere"' EXIT
	save_lab "$d" vt-saveout
	out="$d/clab-vt-saveout"
	mkdir -p "$out/router1"
	echo VICTIM >"$d/victim"
	ln -s "$elsewhere" "$out/router2"
	ln -s "$d/victim" "$out/router1/frr.conf"
	msg=$("$VNETLAB" save -f "$d/lab.clab.yml" 2>&1) && fail "save wrote through links: $msg"
	echo "$msg" | grep -q "router2: not saved: in $out: router2: a symbolic link (to $elsewhere), not followed" ||
		fail "save's refusal does not name clab-vt-saveout/router2: $msg"
	echo "$msg" | grep -q "router1: not saved: in $out: router1/frr.conf: a symbolic link (to $d/victim), not followed" ||
		fail "save's refusal does not name router1/frr.conf: $msg"
	expect_eq "$(ls -A "$elsewhere")" "" "what save wrote where clab-vt-saveout/router2 points"
	expect_eq "$(cat "$d/victim")" VICTIM "the file clab-vt-saveout/router1/frr.conf points to"
	{ [ -L "$out/router2" ] && [ -L "$out/router1/frr.conf" ]; } || fail "save replaced the links"
	# the lab's directory itself a link: nothing saved, nothing written there
	rm -rf "$out"
	ln -s "$elsewhere" "$out"
	msg=$("$VNETLAB" save -f "$d/lab.clab.yml" 2>&1) && fail "save wrote through clab-vt-saveout: $msg"
	echo "$msg" | grep -q "clab-vt-saveout: a symbolic link (to $elsewhere), not followed" ||
		fail "save's refusal does not name clab-vt-saveout: $msg"
	expect_eq "$(ls -A "$elsewhere")" "" "what save wrote where clab-vt-saveout points"
	# the links gone, both saved, each copy with its router's file's mode
	rm -f "$out"
	vl save -f "$d/lab.clab.yml" >/dev/null
	for r in router1 router2; do
		want=$(vl exec vt-saveout "$r" -- stat -c %a /etc/frr/frr.conf)
		expect_eq "$(stat -c '%a %U' "$out/$r/frr.conf")" "$want root" "$r's copy's mode and owner"
		grep -q "hostname $r" "$out/$r/frr.conf" || fail "$r's copy is not its configuration"
	done
	expect_eq "$(find "$out" -name '*.tmp' | wc -l)" 0 "temporary files left"
	vl down vt-saveout >/dev/null
}

test_exec_detached_logs_symlink_refused() {
	target=$(mktemp -d)
	trap '"$VNETLAB" down vt-execlog >/dev/null 2>&1; rm -rf "$target"' EXIT
	vl up --topo single,1 --name vt-execlog -q
	node=h1
	logs=/run/vnetlab/vt-execlog/logs
	[ -d "$logs" ] || fail "no $logs"
	# what a guest could once do over 9p: logs/ replaced by a link
	mv "$logs" "$logs.old"
	ln -s "$target" "$logs"
	msg=$("$VNETLAB" exec -d vt-execlog "$node" -- sleep 30 2>&1) && {
		rm -f "$logs"; mv "$logs.old" "$logs"
		fail "exec -d wrote its log through a link: $msg"
	}
	rm -f "$logs"
	mv "$logs.old" "$logs"
	echo "$msg" | grep -q "$logs: a symbolic link (to $target), not followed" ||
		fail "exec -d's refusal does not name logs/: $msg"
	expect_eq "$(ls -A "$target")" "" "what exec -d wrote where logs/ points"
	# with logs/ as it was, exec -d works, its log root's only
	where=$(vl exec -d vt-execlog "$node" -- sh -c 'echo started; exec sleep 30')
	log=$(echo "$where" | sed -n 's/.*log \(.*\)$/\1/p')
	for _ in $(seq 50); do grep -q started "$log" 2>/dev/null && break; sleep 0.1; done
	grep -q started "$log" || fail "exec -d's log: $(cat "$log" 2>&1) ($where)"
	expect_eq "$(stat -c '%a %U' "$log")" "600 root" "the log's mode and owner"
	vl down vt-execlog >/dev/null
}
