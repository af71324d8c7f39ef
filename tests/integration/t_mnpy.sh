# Mininet's Python API (python/mininet) over vnetlab: scripts in the style
# of Mininet's own examples and tests (tests/mininet/*.py), run unchanged
# with `vnetlab py`, each checking its network from inside and exiting 1
# with what failed; `vnetlab mn --custom`; the package never shadowing a
# Mininet installed on the machine outside vnetlab py.

# a script of tests/mininet under vnetlab py; its output on failure
mn_script() {
	local name=$1 out
	out=$(timeout 300 "$VNETLAB" py "tests/mininet/$name.py" 2>&1) ||
		fail "tests/mininet/$name.py: $(echo "$out" | grep -E '^FAIL|Error|error' | head -n 5)
$(echo "$out" | tail -n 15)"
	ls /run/vnetlab 2>/dev/null | grep -q '^mn-' && fail "$name.py left a lab: $(ls /run/vnetlab)"
	return 0
}

test_mnpy_single_and_linear_pingall() { mn_script topos; }
test_mnpy_linux_router_ttl() { mn_script router; }
test_mnpy_node_shell_popen_signals() { mn_script shell; }
test_mnpy_nat() { mn_script nat; }
test_mnpy_unsupported_says_so() { mn_script unsupported; }
test_mnpy_children_import_the_package() { mn_script children; }

test_mnpy_tclink_rate_and_intf_config() {
	command -v iperf >/dev/null || skip "no iperf (2)"
	mn_script tclink
}

test_mnpy_delay_and_loss() { mn_script delayloss; }
test_mnpy_cpu_limited_host() { mn_script cpu; }
test_mnpy_tree_1024_hosts() { mn_script tree1024; }

test_mnpy_mn_custom_topo_and_test() {
	local out
	out=$("$VNETLAB" mn --custom tests/mininet/custom_topo.py --topo mytopo --test pingall \
		--test hostcount,2 2>&1) || fail "mn --custom: $out"
	case $out in *"(h1, s3) (s3, s4) (s4, h2)"*"*** Results: 0% dropped (2/2 received)"*"*** hostcount: 2"*) ;;
	*) fail "mn --custom --topo mytopo said: $out" ;; esac
	out=$("$VNETLAB" mn --custom tests/mininet/custom_topo.py --topo mytopo --test hostcount,3 2>&1) &&
		fail "a custom test that fails passed: $out"
	case $out in *"Caught exception"*"3"*) ;; *) fail "a failing custom test said: $out" ;; esac
	ls /run/vnetlab 2>/dev/null | grep -q '^mn-' && fail "mn --custom left a lab"
	return 0
}

test_mnpy_cli_script_and_prompt() {
	local script out
	script=$(mktemp)
	printf 'pingall\nh1 ip -o -4 addr show h1-eth0\n' >"$script"
	out=$("$VNETLAB" py -c "
from mininet.net import Mininet
from mininet.topo import SingleSwitchTopo
from mininet.cli import CLI
net = Mininet(topo=SingleSwitchTopo(2)); net.start()
CLI(net, script='$script'); net.stop()" 2>&1) || fail "CLI(script=): $out"
	rm -f "$script"
	case $out in *"0% dropped (2/2 received)"*"10.0.0.1/8"*) ;; *) fail "CLI(net, script=) said: $out" ;; esac
	# vnetlab shell's prompt is the package's on a terminal
	vl up --topo single,2 --name vt-mnp -q
	out=$(timeout 30 python3 - "$VNETLAB" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "shell", "vt-mnp", "--prompt", "mininet> "])
buf, end = b"", time.time() + 10
while b"mininet> " not in buf and time.time() < end:
    if select.select([fd], [], [], 0.5)[0]:
        buf += os.read(fd, 1024)
os.write(fd, b"exit\n")
os.waitpid(pid, 0)
print("prompt" if b"mininet> " in buf else buf)
PY
)
	vl down vt-mnp
	expect_eq "$out" prompt "vnetlab shell --prompt on a terminal"
}

test_mnpy_a_real_mininet_is_not_shadowed() {
	local py=/usr/bin/python3 ours theirs
	[ -x "$py" ] || py=$(command -v python3)
	ours=$("$VNETLAB" py -c 'import mininet; print(mininet.__file__)')
	expect_eq "$ours" "$PWD/python/mininet/__init__.py" "vnetlab py's mininet"
	# outside vnetlab py: whatever the machine has (Debian's mininet, or none)
	theirs=$(cd / && env -u PYTHONPATH "$py" -c 'import mininet; print(mininet.__file__)' 2>/dev/null)
	case $theirs in "$PWD"/*) fail "python3 outside vnetlab py imports this tree's mininet" ;; esac
	return 0
}

test_mnpy_mininet_own_examples_unchanged() {
	# Mininet 2.3's own examples (Debian's mininet package, scripts/deps.sh),
	# run as they are with this package: each ends with status 0, says no
	# error, leaves no lab (those that end in the CLI read EOF from stdin)
	local d=/usr/lib/python3/dist-packages/mininet/examples ex out
	[ -d "$d" ] || fail "no $d: scripts/deps.sh installs Debian's mininet"
	for ex in linuxrouter emptynet multitest natnet bind vlanhost multiping \
		multipoll popen simpleperf; do
		out=$(cd / && timeout 120 "$VNETLAB" py -m "mininet.examples.$ex" </dev/null 2>&1) ||
			fail "mininet.examples.$ex: $(echo "$out" | tail -n 8)"
		case $out in *Traceback* | *"*** Error"*) fail "mininet.examples.$ex said: $(echo "$out" | tail -n 8)" ;; esac
		ls /run/vnetlab 2>/dev/null | grep -q '^mn-' && fail "mininet.examples.$ex left a lab"
	done
	return 0
}
