"""A custom topology file for mn --custom, as Mininet's custom/topo-2sw-2host.py."""
from mininet.topo import Topo


class MyTopo(Topo):
    "Two hosts on two switches in a line"

    def build(self):
        left, right = self.addHost("h1"), self.addHost("h2")
        ls, rs = self.addSwitch("s3"), self.addSwitch("s4")
        self.addLink(left, ls)
        self.addLink(ls, rs)
        self.addLink(rs, right)


def hostcount(net, expect):
    "A custom test: the network has expect hosts"
    n = len(net.hosts)
    print(f"*** hostcount: {n}")
    assert n == int(expect), f"{n} hosts, not {expect}"


topos = {"mytopo": (lambda: MyTopo())}
tests = {"hostcount": hostcount}
