#!/usr/bin/env python3
"""A node's persistent shell, as Mininet scripts use it: state between
cmd()s, background jobs and kill %1, sendCmd/waitOutput/monitor, Mininet's
line endings, popen() and pexec() in the node, a signal to a popen'd
process, pmonitor over several."""
import signal
import time
from mininet.net import Mininet
from mininet.topo import SingleSwitchTopo
from mininet.util import pmonitor
from mininet.log import setLogLevel
from mncheck import check

setLogLevel("warning")
net = Mininet(topo=SingleSwitchTopo(2))
net.start()
h1, h2 = net.get("h1", "h2")
h1.cmd("x=42; cd /tmp")
check(h1.cmd("echo $x") == "42\r\n", "a variable lasts between cmd()s (\\r\\n endings)")
check(h1.cmd("pwd").strip() == "/tmp", "so does the working directory")
check(h1.cmd("hostname").strip() == "h1", "the shell is in h1 (its hostname)")
h1.cmd("sleep 300 &")
pid = h1.lastPid
check(pid and h1.cmd(f"kill -0 {pid} && echo alive").strip() == "alive",
      f"a background job's pid is lastPid ({pid})")
h1.cmd("kill %1")
time.sleep(.2)
check("alive" not in h1.cmd(f"kill -0 {pid} 2>/dev/null && echo alive"), "kill %1 ends it")
h1.sendCmd("sleep 0.3; echo done")
check(h1.waiting, "sendCmd: waiting for the output")
check("done" in h1.waitOutput() and not h1.waiting, "waitOutput: the command's output")
h2.sendCmd("ping -c 3 -i 0.2", h1.IP())
got = ""
while h2.waiting:
    got += h2.monitor(timeoutms=500)
check("3 received" in got, "monitor() reads a running command's output")
h1.sendCmd("sleep 60")
time.sleep(.3)  # sleep runs (a ^C before bash has read the line interrupts bash itself)
h1.sendInt()
h1.waitOutput()
check(h1.cmd("echo back").strip() == "back", "sendInt (^C) stops the command; the shell lives")

p = h1.popen("sleep 30")
check(p.poll() is None, "popen: a process running in the node")
p.send_signal(signal.SIGINT)
check(p.wait(timeout=10) == -signal.SIGINT, "SIGINT reaches the popen'd process")
out, err, rc = h2.pexec("ip -o link show h2-eth0")
check(rc == 0 and "h2-eth0" in out, "pexec: (out, err, status) in h2")
popens = {h: h.popen(["ping", "-c", "2", "-i", "0.2", h2.IP() if h is h1 else h1.IP()])
          for h in (h1, h2)}
lines = {h1: 0, h2: 0}
for host, line in pmonitor(popens, timeoutms=5000):
    if host and "bytes from" in line:
        lines[host] += 1
check(lines == {h1: 2, h2: 2}, f"pmonitor: both hosts' pings ({lines})")
net.stop()
