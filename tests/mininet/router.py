#!/usr/bin/env python3
"""A Linux router between subnets, as Mininet's linuxrouter.py example: a
Node subclass whose config() turns forwarding on, addresses given on the
links (params2) and the hosts' default routes; a host on the far subnet
answers with TTL 63."""
from mininet.net import Mininet
from mininet.node import Node
from mininet.topo import Topo
from mininet.log import setLogLevel
from mncheck import check


class LinuxRouter(Node):
    "A Node with IP forwarding enabled."

    def config(self, **params):
        super(LinuxRouter, self).config(**params)
        self.cmd("sysctl net.ipv4.ip_forward=1")

    def terminate(self):
        self.cmd("sysctl net.ipv4.ip_forward=0")
        super(LinuxRouter, self).terminate()


class NetworkTopo(Topo):
    "A LinuxRouter connecting three IP subnets"

    def build(self, **_opts):
        defaultIP = "192.168.1.1/24"
        router = self.addNode("r0", cls=LinuxRouter, ip=defaultIP)
        s1, s2, s3 = [self.addSwitch(s) for s in ("s1", "s2", "s3")]
        self.addLink(s1, router, intfName2="r0-eth1", params2={"ip": defaultIP})
        self.addLink(s2, router, intfName2="r0-eth2", params2={"ip": "172.16.0.1/12"})
        self.addLink(s3, router, intfName2="r0-eth3", params2={"ip": "10.0.0.1/8"})
        h1 = self.addHost("h1", ip="192.168.1.100/24", defaultRoute="via 192.168.1.1")
        h2 = self.addHost("h2", ip="172.16.0.100/12", defaultRoute="via 172.16.0.1")
        h3 = self.addHost("h3", ip="10.0.0.100/8", defaultRoute="via 10.0.0.1")
        for h, s in [(h1, s1), (h2, s2), (h3, s3)]:
            self.addLink(h, s)


setLogLevel("warning")
net = Mininet(topo=NetworkTopo(), waitConnected=True)
net.start()
r0 = net["r0"]
check(r0.cmd("sysctl -n net.ipv4.ip_forward").strip() == "1", "r0 forwards (its config())")
check("192.168.1.1/24" in r0.cmd("ip -4 -o addr show dev r0-eth1"), "r0-eth1 is 192.168.1.1/24")
routes = r0.cmd("route -n")
check("172.16.0.0" in routes and "10.0.0.0" in routes, "r0's routing table has the subnets")
out = net["h1"].cmd("ping -c1", net["h3"].IP())
check("ttl=63" in out, "h1 -> h3 through r0: ttl=63")
check(net.pingAll() == 0, "pingAll across the router")
net.stop()
