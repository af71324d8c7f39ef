#!/usr/bin/env python3
"""Single and linear topologies, as Mininet's own tests build them: pingAll
loses nothing; names, addresses and ports are Mininet's."""
from mininet.net import Mininet
from mininet.topo import SingleSwitchTopo, LinearTopo
from mininet.log import setLogLevel
from mncheck import check

setLogLevel("warning")
for topo in (SingleSwitchTopo(k=4), LinearTopo(k=4)):
    net = Mininet(topo=topo)
    net.start()
    check(net.pingAll() == 0, f"{type(topo).__name__}: pingAll loses nothing")
    h1, h4 = net.get("h1", "h4")
    check([h.IP() for h in net.hosts] == [f"10.0.0.{i}" for i in range(1, 5)],
          "hosts are 10.0.0.1-4 in the order added")
    check(h1.intfNames() == ["h1-eth0"], "h1's interface is h1-eth0")
    addr = h1.cmd("ip -4 -o addr show dev h1-eth0")
    check("10.0.0.1/8" in addr, "h1-eth0 has 10.0.0.1/8 in the node")
    check(h1.cmd("cat /sys/class/net/h1-eth0/address").strip() == h1.MAC(),
          "h1.MAC() is the interface's MAC")
    s1 = net.get("s1")
    check(sorted(s1.ports.values())[0] == 1, "switch ports count from 1")
    check(len(h1.connectionsTo(s1)) == 1, "h1 has one connection to s1")
    check(net.pingPair() == 0, "pingPair")
    net.stop()
