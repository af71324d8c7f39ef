#!/usr/bin/env python3
"""addNAT, as Mininet's nat.py example: a NAT node on the first switch,
every host's default route through it, the hosts reaching beyond the
network (here the management network's gateway, the host's own address)
with the NAT node's address as their source."""
from mininet.topolib import TreeNet
from mininet.log import setLogLevel
from mncheck import check
import vnetlab

setLogLevel("warning")
net = TreeNet(depth=1, fanout=3)
nat = net.addNAT()
nat.configDefault()
net.start()
h1 = net["h1"]
check(f"default via {nat.IP()}" in h1.cmd("ip route"), f"h1's default route is the NAT ({nat.IP()})")
lab = vnetlab.Lab.attach(net.lab)
gw = lab.raw["mgmt"]["ipv4_gw"]
check("1 received" in h1.cmd("ping -c1 -W2", gw.split("/")[0]),
      f"h1 reaches {gw} beyond the network through nat0")
check(net.pingAll() == 0, "pingAll with the NAT node")
net.stop()
