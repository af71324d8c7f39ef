"""Mininet's topology library: trees and 2-D tori, named and ordered as
Mininet names and orders them."""
from mininet.topo import Topo

# build() takes the topology's own parameters
# pylint: disable=arguments-differ


class TreeTopo(Topo):
    """A tree of switches depth levels deep, each with fanout children; the
    leaves are hosts. Depth first: s1 is the root, then s2 and its subtree,
    hosts h1..h(fanout**depth) from left to right."""

    def build(self, depth=1, fanout=2):
        self.hostNum = 1
        self.switchNum = 1
        self.addTree(depth, fanout)

    def addTree(self, depth, fanout):
        """Add a subtree depth levels deep (0: one host); returns its root."""
        if depth <= 0:
            host = self.addHost('h%s' % self.hostNum)
            self.hostNum += 1
            return host
        switch = self.addSwitch('s%s' % self.switchNum)
        self.switchNum += 1
        for _ in range(fanout):
            self.addLink(switch, self.addTree(depth - 1, fanout))
        return switch


def TreeNet(depth=1, fanout=2, **kwargs):
    """Mininet(TreeTopo(depth, fanout), **kwargs)."""
    from mininet.net import Mininet   # pylint: disable=import-outside-toplevel
    return Mininet(TreeTopo(depth, fanout), **kwargs)


class TorusTopo(Topo):
    """An x by y torus of switches (sIxJ, dpid I*256+J in hex), n hosts on
    each (hIxJ, or hIxJxK if n > 1), each switch linked to its neighbours
    along y and along x. x and y must be 3 or more.

    The torus has loops: its switches must run STP."""

    def build(self, x, y, n=1):
        if x < 3 or y < 3:
            raise Exception('Please use 3x3 or greater for compatibility with 2.1')
        switches = {}
        for i in range(x):
            for j in range(y):
                loc = '%dx%d' % (i + 1, j + 1)
                switch = switches[i, j] = self.addSwitch(
                    's' + loc, dpid='%x' % ((i + 1) * 256 + (j + 1)))
                for k in range(1, n + 1):
                    host = self.addHost('h%s' % loc if n == 1 else 'h%sx%d' % (loc, k))
                    self.addLink(host, switch)
        for i in range(x):
            for j in range(y):
                self.addLink(switches[i, j], switches[i, (j + 1) % y])
                self.addLink(switches[i, j], switches[(i + 1) % x, j])

# pylint: enable=arguments-differ


def __getattr__(name):
    """mininet.topolib.Mininet, as Mininet's topolib has it, imported on use."""
    if name == 'Mininet':
        from mininet.net import Mininet   # pylint: disable=import-outside-toplevel
        return Mininet
    raise AttributeError("module 'mininet.topolib' has no attribute %r" % name)
