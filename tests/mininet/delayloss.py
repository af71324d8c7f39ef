#!/usr/bin/env python3
"""Delay and loss on TCLinks: 15 ms per interface is a 60 ms RTT over two
links; 50 % loss on each end of a link loses most round trips."""
import re
from mininet.net import Mininet
from mininet.link import TCLink
from mininet.log import setLogLevel
from mncheck import check

setLogLevel("warning")
net = Mininet(link=TCLink)
h1, h2 = net.addHost("h1"), net.addHost("h2")
s1 = net.addSwitch("s1")
net.addController("c0")
net.addLink(h1, s1, delay="15ms")
net.addLink(h2, s1, delay="15ms")
net.start()
(src, dst, res), = net.pingFull(hosts=[h1, h2])[:1]
out = h1.cmd("ping -c 4 -i 0.2", h2.IP())
avg = float(re.search(r"= [\d.]+/([\d.]+)/", out).group(1))
check(55 <= avg <= 75, f"RTT over 4 x 15 ms: {avg:.1f} ms")
net.stop()

# static ARP entries (autoStaticArp): the lossy link loses no ARP exchange
net = Mininet(link=TCLink, autoStaticArp=True)
h1, h2 = net.addHost("h1"), net.addHost("h2")
s1 = net.addSwitch("s1")
net.addLink(h1, s1, loss=50)
net.addLink(h2, s1)
net.start()
check(h2.MAC() in h1.cmd("ip neigh show", h2.IP()), "autoStaticArp: h1 knows h2's MAC")
out = h1.cmd("ping -c 100 -i 0.01 -W 1", h2.IP())
loss = float(re.search(r"([\d.]+)% packet loss", out).group(1))
check(55 <= loss <= 92, f"50 % loss each way on h1's link: {loss:.0f} % of pings lost")
net.stop()
