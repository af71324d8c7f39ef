"""Mininet's topologies: a Topo is a multigraph of named hosts and switches
with per-node and per-link options, built by its build() method; Mininet
(mininet.net) turns one into a vnetlab lab.

    class Pair(Topo):
        def build(self, bw=10):
            h1, h2, s1 = self.addHost('h1'), self.addHost('h2'), self.addSwitch('s1')
            self.addLink(h1, s1, bw=bw)
            self.addLink(h2, s1, bw=bw)

Port numbers are Mininet's: a link takes the next free port on each end,
counting from 0 on hosts and from 1 on switches, unless port1/port2 say.
Orderings are Mininet's too: nodes(), hosts() and switches() sort names
naturally (h2 before h10); links() keep the order they were added in,
grouped by their first node, unless sort=True.
"""
from mininet.util import irange, natural, naturalSeq


class MultiGraph:
    """A small undirected multigraph with attribute dicts on nodes and
    edges (networkx.MultiGraph's names, the few Topo uses)."""

    def __init__(self):
        self.node = {}      # node -> attribute dict
        self.edge = {}      # node -> neighbour -> key -> attribute dict

    def add_node(self, node, attr_dict=None, **attrs):
        """Add or replace node; its attributes are attr_dict (kept, and
        updated with attrs) or a new dict of attrs."""
        attr_dict = {} if attr_dict is None else attr_dict
        attr_dict.update(attrs)
        self.node[node] = attr_dict

    def add_edge(self, src, dst, key=None, attr_dict=None, **attrs):
        """Add an edge src-dst (adding missing nodes) with attributes
        attr_dict (kept, updated with attrs); key: the edge's key among
        those between src and dst, else one more than the largest int key
        there (1 for the first). Returns the key."""
        attr_dict = {} if attr_dict is None else attr_dict
        attr_dict.update(attrs)
        for n in (src, dst):
            self.node.setdefault(n, {})
            self.edge.setdefault(n, {})
        between = self.edge[src].setdefault(dst, {})
        self.edge[dst][src] = between
        if key is None:
            key = 1 + max([0] + [k for k in between if isinstance(k, int)])
        between[key] = attr_dict
        return key

    def nodes(self, data=False):
        """The nodes (a view), or (node, attributes) pairs if data."""
        return self.node.items() if data else self.node.keys()

    def edges_iter(self, data=False, keys=False):
        """Each edge once, as (src, dst[, key][, attributes]): src the
        smaller of the two by <, in the order nodes were first linked."""
        for src, neighbours in self.edge.items():
            for dst, between in neighbours.items():
                if src > dst:
                    continue
                for k, attrs in between.items():
                    yield (src, dst) + ((k,) if keys else ()) + ((attrs,) if data else ())

    def edges(self, data=False, keys=False):
        """edges_iter() as a list."""
        return list(self.edges_iter(data=data, keys=keys))

    def __getitem__(self, node):
        """node's neighbours: {neighbour: {key: attributes}}."""
        return self.edge[node]

    def __len__(self):
        return len(self.node)

    def convertTo(self, cls, data=False, keys=False):
        """A new cls (networkx.MultiGraph or alike) with these nodes and
        edges; data: with their attributes; keys: with the edges' keys."""
        g = cls()
        g.add_nodes_from(self.nodes(data=data))
        g.add_edges_from(self.edges(data=(data or keys), keys=keys))
        return g


class Topo:
    """A topology: hosts, switches and links with their options.

    Topo(*args, hopts={}, sopts={}, lopts={}, **params) calls
    self.build(*args, **params). hopts, sopts, lopts: the options of a
    host, switch or link added without options of its own (options given
    replace them, they are not merged)."""

    def __init__(self, *args, **params):
        self.g = MultiGraph()
        self.hopts = params.pop('hopts', {})
        self.sopts = params.pop('sopts', {})
        self.lopts = params.pop('lopts', {})
        # ports[node][port] = (peer, peer's port)
        self.ports = {}
        self.build(*args, **params)

    def build(self, *args, **params):
        """Add the topology's nodes and links: override this."""

    def addNode(self, name, **opts):
        """Add a node with options opts; returns name."""
        self.g.add_node(name, **opts)
        return name

    def addHost(self, name, **opts):
        """Add a host (options opts, else hopts); returns name."""
        if not opts and self.hopts:
            opts = self.hopts
        return self.addNode(name, **opts)

    def addSwitch(self, name, **opts):
        """Add a switch (options opts, else sopts; isSwitch=True); returns name."""
        if not opts and self.sopts:
            opts = self.sopts
        return self.addNode(name, isSwitch=True, **opts)

    def addLink(self, node1, node2, port1=None, port2=None, key=None, **opts):
        """Link node1 to node2 (options opts, else lopts) on ports port1 and
        port2 (default: each node's next). The link's info is the options
        with node1, node2, port1, port2. Returns the link's key."""
        if not opts and self.lopts:
            opts = self.lopts
        port1, port2 = self.addPort(node1, node2, port1, port2)
        info = dict(opts)
        info.update(node1=node1, node2=node2, port1=port1, port2=port2)
        return self.g.add_edge(node1, node2, key, info)

    def nodes(self, sort=True):
        """All node names, sorted naturally (else in the order added)."""
        if sort:
            return self.sorted(self.g.nodes())
        return self.g.nodes()

    def isSwitch(self, n):
        """True if n was added as a switch."""
        return self.g.node[n].get('isSwitch', False)

    def switches(self, sort=True):
        """The switches' names, sorted naturally (else in the order added)."""
        return [n for n in self.nodes(sort) if self.isSwitch(n)]

    def hosts(self, sort=True):
        """The other nodes' names, sorted naturally (else in the order added)."""
        return [n for n in self.nodes(sort) if not self.isSwitch(n)]

    def iterLinks(self, withKeys=False, withInfo=False):
        """Each link as (node1, node2[, key][, info]), node1 and node2 in the
        order addLink was given them."""
        for _src, _dst, key, info in self.g.edges_iter(data=True, keys=True):
            yield ((info['node1'], info['node2']) + ((key,) if withKeys else ())
                   + ((info,) if withInfo else ()))

    def links(self, sort=False, withKeys=False, withInfo=False):
        """iterLinks() as a list; sort: sorted naturally by the names (and
        key, with withKeys), not the info."""
        links = list(self.iterLinks(withKeys, withInfo))
        if not sort:
            return links
        size = 3 if withKeys else 2
        return sorted(links, key=lambda link: naturalSeq(link[:size]))

    def addPort(self, src, dst, sport=None, dport=None):
        """Record a link's ports, numbering those not given: a node's next
        port is its count of ports so far, plus 1 on a switch. Returns
        (sport, dport)."""
        ports = self.ports
        ports.setdefault(src, {})
        ports.setdefault(dst, {})
        if sport is None:
            sport = len(ports[src]) + (1 if self.isSwitch(src) else 0)
        if dport is None:
            dport = len(ports[dst]) + (1 if self.isSwitch(dst) else 0)
        ports[src][sport] = (dst, dport)
        ports[dst][dport] = (src, sport)
        return sport, dport

    def port(self, src, dst):
        """The ports of the link src-dst as (port on src, port on dst); with
        several such links, or none, a list of those pairs."""
        found = [(sport, peer[1]) for sport, peer in self.ports[src].items()
                 if peer[0] == dst]
        return found[0] if len(found) == 1 else found

    def _linkEntry(self, src, dst, key=None):
        """The links between src and dst ({key: info}) and key (default:
        the smallest)."""
        entry = self.g[src][dst]
        return entry, min(entry) if key is None else key

    def linkInfo(self, src, dst, key=None):
        """The info dict of the link src-dst (key: which one)."""
        entry, key = self._linkEntry(src, dst, key)
        return entry[key]

    def setlinkInfo(self, src, dst, info, key=None):
        """Replace the info dict of the link src-dst (key: which one)."""
        entry, key = self._linkEntry(src, dst, key)
        entry[key] = info

    def nodeInfo(self, name):
        """The options dict of node name."""
        return self.g.node[name]

    def setNodeInfo(self, name, info):
        """Replace the options dict of node name."""
        self.g.node[name] = info

    def convertTo(self, cls, data=True, keys=True):
        """The graph as a new cls (networkx.MultiGraph or alike); data:
        with options; keys: with the links' keys."""
        return self.g.convertTo(cls, data=data, keys=keys)

    @staticmethod
    def sorted(items):
        """items sorted naturally (h2 before h10)."""
        return sorted(items, key=natural)


# build() takes the topology's own parameters
# pylint: disable=arguments-differ

class SingleSwitchTopo(Topo):
    """One switch s1 with k hosts h1..hk."""

    def build(self, k=2, **_opts):
        self.k = k
        switch = self.addSwitch('s1')
        for h in irange(1, k):
            self.addLink(self.addHost('h%s' % h), switch)


class SingleSwitchReversedTopo(Topo):
    """One switch s1 with k hosts, h1 on its highest port (k), hk on port 1:
    for checking that port numbers are followed."""

    def build(self, k=2):
        self.k = k
        switch = self.addSwitch('s1')
        for h in irange(1, k):
            self.addLink(self.addHost('h%s' % h), switch, port1=0, port2=k - h + 1)


class MinimalTopo(SingleSwitchTopo):
    """Two hosts h1, h2 on one switch s1."""

    def build(self):
        return SingleSwitchTopo.build(self, k=2)


class LinearTopo(Topo):
    """k switches s1..sk in a line, n hosts on each: h1..hk if n is 1, else
    h1s1..hns1, h1s2, ..."""

    def build(self, k=2, n=1, **_opts):
        self.k = k
        self.n = n
        previous = None
        for i in irange(1, k):
            switch = self.addSwitch('s%s' % i)
            for j in irange(1, n):
                host = self.addHost('h%s' % i if n == 1 else 'h%ss%d' % (j, i))
                self.addLink(host, switch)
            if previous:
                self.addLink(switch, previous)
            previous = switch

# pylint: enable=arguments-differ
