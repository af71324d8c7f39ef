#!/usr/bin/env python3
"""TCLink, as Mininet's test_hifi/limit examples use it: 10 Mbit/s measured
by net.iperf within 20 %; Intf.config at runtime to 5 Mbit/s measured
again."""
from mininet.net import Mininet
from mininet.topo import SingleSwitchTopo
from mininet.link import TCLink
from mininet.log import setLogLevel
from mncheck import check, mbps

setLogLevel("warning")
net = Mininet(topo=SingleSwitchTopo(2), link=TCLink)
net.start()
h1, h2 = net.get("h1", "h2")
# the network as built: unshaped
for intf in (h1.intf(), net.get("s1").intf("s1-eth1")):
    intf.config(bw=10)
srv, cli = net.iperf((h1, h2), seconds=3)
check(8.0 <= mbps(srv) <= 12.0, f"bw=10 at runtime: iperf server {srv}")
h1.intf().config(bw=5)
srv, cli = net.iperf((h1, h2), seconds=3)
check(4.0 <= mbps(srv) <= 6.0, f"Intf.config(bw=5): iperf server {srv}")
net.stop()

# shaping given at build time
net = Mininet(topo=SingleSwitchTopo(2, lopts=dict(bw=10)), link=TCLink)
net.start()
srv, cli = net.iperf(seconds=3)
check(8.0 <= mbps(srv) <= 12.0, f"SingleSwitchTopo(lopts bw=10): iperf server {srv}")
net.stop()
