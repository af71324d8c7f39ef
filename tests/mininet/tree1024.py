#!/usr/bin/env python3
"""A 1,024-host tree (Mininet's tree1024.py: TreeNet(depth=2, fanout=32)),
the first host pinging the last."""
import time
from mininet.topolib import TreeNet
from mininet.log import setLogLevel
from mncheck import check

setLogLevel("warning")
t0 = time.time()
net = TreeNet(depth=2, fanout=32)
net.start()
t1 = time.time()
first, last = net.hosts[0], net.hosts[-1]
check(len(net.hosts) == 1024 and last.name == "h1024" and last.IP() == "10.0.4.0",
      "1,024 hosts, the last h1024 at 10.0.4.0")
out = first.cmd("ping -c1 -W5", last.IP())
check("1 received" in out, "h1 pings h1024 across the tree")
net.stop()
print(f"built and started in {t1 - t0:.2f} s, all in {time.time() - t0:.2f} s")
