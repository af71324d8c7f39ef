#!/usr/bin/env python3
"""What cannot work over vnetlab says so (mininet.Unsupported naming the
feature and what to use), before anything is made or without harming the
running network."""
from mininet import Unsupported
from mininet.net import Mininet
from mininet.node import RemoteController
from mininet.topo import SingleSwitchTopo
from mininet.term import makeTerm
from mininet.log import setLogLevel
from mncheck import check


def raises(fn, words):
    try:
        fn()
    except Unsupported as e:
        return all(w in str(e) for w in words)
    return False


setLogLevel("warning")
check(raises(lambda: Mininet(topo=SingleSwitchTopo(2), controller=RemoteController),
             ["RemoteController", "learning bridges"]), "a remote controller is refused")
check(raises(lambda: Mininet(topo=SingleSwitchTopo(2), xterms=True), ["xterms", "vnetlab exec -t"]),
      "xterms are refused")
net = Mininet(topo=SingleSwitchTopo(2))
net.start()
h1, s1 = net.get("h1", "s1")
check(raises(lambda: s1.dpctl("dump-flows"), ["OpenFlow"]), "dpctl is refused")
check(raises(lambda: makeTerm(h1), ["vnetlab exec -t"]), "makeTerm is refused")
check(raises(lambda: net.addHost("h9"), ["running network", "before net.start()"]),
      "a host added to the running network is refused")
check(net.pingAll() == 0, "the network still works")
net.stop()

# a host in the host's own namespace (Mininet's connectToRootNS): refused
# when the network is made, nothing left behind
net = Mininet(topo=SingleSwitchTopo(2))
root = net.addHost("root", inNamespace=False)
net.addLink(root, net["s1"])
check(raises(net.start, ["inNamespace=False", "management network"]),
      "a host in the root namespace is refused")
net.stop()
