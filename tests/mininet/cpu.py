#!/usr/bin/env python3
"""A CPU-limited host, as Mininet's cpu.py example measures it: busy loops
in each host, each second's CPU use a share of the machine near cpu=."""
import statistics
from mininet.net import Mininet
from mininet.node import CPULimitedHost
from mininet.topo import SingleSwitchTopo
from mininet.util import custom
from mininet.log import setLogLevel
from mncheck import check

setLogLevel("warning")
host = custom(CPULimitedHost, cpu=.2)
net = Mininet(topo=SingleSwitchTopo(1), host=host)
net.start()
shares = net.runCpuLimitTest(cpu=.2, duration=4)
med = statistics.median(shares[1:])
check(14 <= med <= 24, f"cpu=.2: median share {med:.1f} % of the machine ({shares})")
net.stop()
