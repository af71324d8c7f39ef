"""mininet.topo and mininet.topolib against Mininet 2.3.0's results.

The tables' expected values are what Debian's Mininet 2.3.0 gives for the
same calls. No lab, no root.
    PYTHONPATH=python /usr/bin/python3 tests/python/test_mn_topo.py
"""
import os
import subprocess
import sys
import types
import unittest

from mininet.topo import (LinearTopo, MinimalTopo, MultiGraph, SingleSwitchReversedTopo,
                          SingleSwitchTopo, Topo)
import mininet.topolib
from mininet.topolib import TorusTopo, TreeNet, TreeTopo

PYTHON = os.path.dirname(os.path.dirname(os.path.abspath(__import__('mininet').__file__)))


def link_words(topo, sort=True):
    """links(sort, withInfo=True) as 'node1:port1-node2:port2' words."""
    return ' '.join('%s:%s-%s:%s' % (a, i['port1'], b, i['port2'])
                    for a, b, i in topo.links(sort=sort, withInfo=True))


# topology, hosts(), switches(), links(sort=True) with ports, as Mininet 2.3.0 gives them
TOPOS = [
    (SingleSwitchTopo, (), {}, 'h1 h2', 's1', 'h1:0-s1:1 h2:0-s1:2'),
    (SingleSwitchTopo, (3,), {}, 'h1 h2 h3', 's1', 'h1:0-s1:1 h2:0-s1:2 h3:0-s1:3'),
    (SingleSwitchTopo, (0,), {}, '', 's1', ''),
    (SingleSwitchReversedTopo, (3,), {}, 'h1 h2 h3', 's1', 'h1:0-s1:3 h2:0-s1:2 h3:0-s1:1'),
    (MinimalTopo, (), {}, 'h1 h2', 's1', 'h1:0-s1:1 h2:0-s1:2'),
    (LinearTopo, (3,), {}, 'h1 h2 h3', 's1 s2 s3',
     'h1:0-s1:1 h2:0-s2:1 h3:0-s3:1 s2:2-s1:2 s3:2-s2:3'),
    (LinearTopo, (2, 2), {}, 'h1s1 h1s2 h2s1 h2s2', 's1 s2',
     'h1s1:0-s1:1 h1s2:0-s2:1 h2s1:0-s1:2 h2s2:0-s2:2 s2:3-s1:3'),
    (TreeTopo, (2, 2), {}, 'h1 h2 h3 h4', 's1 s2 s3',
     's1:1-s2:3 s1:2-s3:3 s2:1-h1:0 s2:2-h2:0 s3:1-h3:0 s3:2-h4:0'),
    (TreeTopo, (), {'depth': 2, 'fanout': 3}, 'h1 h2 h3 h4 h5 h6 h7 h8 h9', 's1 s2 s3 s4',
     's1:1-s2:4 s1:2-s3:4 s1:3-s4:4 s2:1-h1:0 s2:2-h2:0 s2:3-h3:0 s3:1-h4:0 s3:2-h5:0 '
     's3:3-h6:0 s4:1-h7:0 s4:2-h8:0 s4:3-h9:0'),
    (TreeTopo, (0,), {}, 'h1', '', ''),
    (TorusTopo, (3, 3), {}, 'h1x1 h1x2 h1x3 h2x1 h2x2 h2x3 h3x1 h3x2 h3x3',
     's1x1 s1x2 s1x3 s2x1 s2x2 s2x3 s3x1 s3x2 s3x3',
     'h1x1:0-s1x1:1 h1x2:0-s1x2:1 h1x3:0-s1x3:1 h2x1:0-s2x1:1 h2x2:0-s2x2:1 h2x3:0-s2x3:1 '
     'h3x1:0-s3x1:1 h3x2:0-s3x2:1 h3x3:0-s3x3:1 s1x1:2-s1x2:2 s1x1:3-s2x1:2 s1x2:3-s1x3:2 '
     's1x2:4-s2x2:2 s1x3:3-s1x1:4 s1x3:4-s2x3:2 s2x1:3-s2x2:3 s2x1:4-s3x1:2 s2x2:4-s2x3:3 '
     's2x2:5-s3x2:2 s2x3:4-s2x1:5 s2x3:5-s3x3:2 s3x1:4-s1x1:5 s3x1:3-s3x2:3 s3x2:5-s1x2:5 '
     's3x2:4-s3x3:3 s3x3:5-s1x3:5 s3x3:4-s3x1:5'),
]

# topology, nodes(sort=False) and links() (unsorted): the order Mininet adds them in
ORDERS = [
    (LinearTopo, (3,), 's1 h1 s2 h2 s3 h3', 'h1-s1 s2-s1 h2-s2 s3-s2 h3-s3'),
    (LinearTopo, (2, 2), 's1 h1s1 h2s1 s2 h1s2 h2s2', 'h1s1-s1 s2-s1 h2s1-s1 h1s2-s2 h2s2-s2'),
    (TreeTopo, (2, 2), 's1 s2 h1 h2 s3 h3 h4', 's2-h1 s2-h2 s1-s2 s1-s3 s3-h3 s3-h4'),
]


class MininetTopologies(unittest.TestCase):
    def test_tables(self):
        for cls, args, kwargs, hosts, switches, links in TOPOS:
            with self.subTest(topo=cls.__name__, args=args, kwargs=kwargs):
                topo = cls(*args, **kwargs)
                self.assertEqual(topo.hosts(), hosts.split())
                self.assertEqual(topo.switches(), switches.split())
                self.assertEqual(topo.nodes(), sorted(hosts.split()) + switches.split())
                self.assertEqual(link_words(topo), links)

    def test_orders(self):
        for cls, args, nodes, links in ORDERS:
            with self.subTest(topo=cls.__name__, args=args):
                topo = cls(*args)
                self.assertEqual(list(topo.nodes(sort=False)), nodes.split())
                self.assertEqual(['-'.join(link) for link in topo.links()], links.split())

    def test_torus_hosts_per_switch_and_dpids(self):
        topo = TorusTopo(3, 4, 2)
        self.assertEqual(len(topo.switches()), 12)
        self.assertEqual(topo.hosts()[:3], ['h1x1x1', 'h1x1x2', 'h1x2x1'])
        self.assertEqual(topo.nodeInfo('s2x3'), {'isSwitch': True, 'dpid': '203'})
        self.assertEqual(len(topo.links()), 12 * 2 + 12 * 2)

    def test_torus_refuses_small(self):
        with self.assertRaisesRegex(Exception, 'Please use 3x3 or greater for compatibility with 2.1'):
            TorusTopo(2, 3)

    def test_tree_counters(self):
        topo = TreeTopo(depth=3, fanout=2)
        self.assertEqual((topo.hostNum, topo.switchNum), (9, 8))
        self.assertEqual(topo.port('s1', 's2'), (1, 3))


class TopoApi(unittest.TestCase):
    def custom(self):
        class Custom(Topo):
            def build(self, bw=10):
                a, b = self.addHost('a', ip='10.0.0.9/8'), self.addHost('b')
                s = self.addSwitch('s9')
                self.addLink(a, s, bw=bw)
                self.addLink(a, s, delay='5ms')
                self.addLink(s, b, port1=7)
                self.addLink(b, s, 5, 6)
        return Custom(bw=3)

    def test_build_params_and_ports(self):
        topo = self.custom()
        self.assertEqual(topo.links(sort=True, withKeys=True, withInfo=True), [
            ('a', 's9', 1, {'bw': 3, 'node1': 'a', 'node2': 's9', 'port1': 0, 'port2': 1}),
            ('a', 's9', 2, {'delay': '5ms', 'node1': 'a', 'node2': 's9', 'port1': 1, 'port2': 2}),
            ('b', 's9', 2, {'node1': 'b', 'node2': 's9', 'port1': 5, 'port2': 6}),
            ('s9', 'b', 1, {'node1': 's9', 'node2': 'b', 'port1': 7, 'port2': 0})])
        self.assertEqual(topo.links(withKeys=True), [
            ('a', 's9', 1), ('a', 's9', 2), ('s9', 'b', 1), ('b', 's9', 2)])
        # several links between two nodes: a list of port pairs; one: the pair
        self.assertEqual(topo.port('a', 's9'), [(0, 1), (1, 2)])
        self.assertEqual(topo.port('s9', 'b'), [(7, 0), (6, 5)])
        self.assertEqual(topo.port('b', 'a'), [])
        self.assertEqual(topo.ports['s9'], {1: ('a', 0), 2: ('a', 1), 7: ('b', 0), 6: ('b', 5)})
        self.assertEqual(topo.nodeInfo('a'), {'ip': '10.0.0.9/8'})
        self.assertTrue(topo.isSwitch('s9'))
        self.assertFalse(topo.isSwitch('b'))

    def test_link_and_node_info(self):
        topo = self.custom()
        self.assertEqual(topo.linkInfo('s9', 'a')['bw'], 3)   # the smallest key
        self.assertEqual(topo.linkInfo('a', 's9', key=2)['delay'], '5ms')
        topo.setlinkInfo('a', 's9', {'node1': 'a', 'node2': 's9', 'x': 1}, key=2)
        self.assertEqual(topo.linkInfo('s9', 'a', 2)['x'], 1)
        topo.setNodeInfo('b', {'cpu': .5})
        self.assertEqual(topo.nodeInfo('b'), {'cpu': .5})
        self.assertFalse(topo.isSwitch('b'))

    def test_default_options_replace_not_merge(self):
        topo = Topo(hopts={'cpu': .5}, sopts={'stp': 1}, lopts={'bw': 5})
        topo.addHost('h1')
        topo.addHost('h2', ip='1.2.3.4')
        topo.addSwitch('s1')
        topo.addSwitch('s2', x=1)
        topo.addLink('h1', 's1')
        topo.addLink('h2', 's1', delay='1ms')
        self.assertEqual(topo.nodeInfo('h1'), {'cpu': .5})
        self.assertIsNot(topo.nodeInfo('h1'), topo.hopts)
        self.assertEqual(topo.nodeInfo('h2'), {'ip': '1.2.3.4'})
        self.assertEqual(topo.nodeInfo('s1'), {'isSwitch': True, 'stp': 1})
        self.assertEqual(topo.nodeInfo('s2'), {'isSwitch': True, 'x': 1})
        self.assertEqual(topo.linkInfo('h1', 's1'),
                         {'bw': 5, 'node1': 'h1', 'node2': 's1', 'port1': 0, 'port2': 1})
        self.assertEqual(topo.linkInfo('h2', 's1'),
                         {'delay': '1ms', 'node1': 'h2', 'node2': 's1', 'port1': 0, 'port2': 2})
        self.assertEqual(topo.lopts, {'bw': 5})

    def test_natural_sort(self):
        names = ['h10', 'h2', 's1', 'h1s2', 'h10s1', 'h2s1']
        self.assertEqual(Topo.sorted(names), ['h1s2', 'h2', 'h2s1', 'h10', 'h10s1', 's1'])
        topo = SingleSwitchTopo(11)
        self.assertEqual(topo.hosts()[:3], ['h1', 'h2', 'h3'])
        self.assertEqual(topo.hosts()[-2:], ['h10', 'h11'])
        self.assertEqual(topo.hosts(sort=False)[:3], ['h1', 'h2', 'h3'])

    def test_convert_to(self):
        class Graph:
            def add_nodes_from(self, nodes):
                self.nodes = list(nodes)

            def add_edges_from(self, edges):
                self.edges = list(edges)
        topo = SingleSwitchTopo(2)
        g = topo.convertTo(Graph)
        self.assertEqual(g.nodes, [('s1', {'isSwitch': True}), ('h1', {}), ('h2', {})])
        self.assertEqual(g.edges[0], ('h1', 's1', 1, {'node1': 'h1', 'node2': 's1',
                                                      'port1': 0, 'port2': 1}))
        g = topo.convertTo(Graph, data=False, keys=False)
        self.assertEqual((g.nodes, g.edges), (['s1', 'h1', 'h2'], [('h1', 's1'), ('h2', 's1')]))

    def test_multigraph(self):
        g = MultiGraph()
        attrs = {'a': 1}
        g.add_node('x', attrs, b=2)
        self.assertIs(g.node['x'], attrs)
        self.assertEqual(attrs, {'a': 1, 'b': 2})
        self.assertEqual(g.add_edge('y', 'x'), 1)
        self.assertEqual(g.add_edge('x', 'y', key='k'), 'k')
        self.assertEqual(g.add_edge('x', 'y'), 2)
        self.assertEqual(g.add_edge('x', 'x'), 1)
        self.assertEqual(len(g), 2)
        self.assertIs(g['x']['y'], g['y']['x'])
        self.assertEqual(g.edges(keys=True), [('x', 'y', 1), ('x', 'y', 'k'), ('x', 'y', 2),
                                              ('x', 'x', 1)])
        self.assertEqual(list(g.nodes()), ['x', 'y'])


class TreeNetLazy(unittest.TestCase):
    def test_topolib_imports_without_net(self):
        """topolib imports mininet.net only when TreeNet is called."""
        code = "import sys, mininet.topolib; print('mininet.net' in sys.modules)"
        out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                             check=True, env=dict(os.environ, PYTHONPATH=PYTHON)).stdout
        self.assertEqual(out, 'False\n')

    def test_treenet_builds_a_mininet(self):
        """TreeNet(depth, fanout, **kwargs) is Mininet(TreeTopo(depth, fanout), **kwargs)."""
        class Mininet:
            def __init__(self, topo, **kwargs):
                self.topo, self.kwargs = topo, kwargs
        fake = types.ModuleType('mininet.net')
        fake.Mininet = Mininet
        saved = sys.modules.get('mininet.net')
        sys.modules['mininet.net'] = fake
        try:
            net = TreeNet(depth=2, fanout=3, autoSetMacs=True)
            self.assertIs(mininet.topolib.Mininet, Mininet)
        finally:
            if saved is None:
                del sys.modules['mininet.net']
            else:
                sys.modules['mininet.net'] = saved
        self.assertIsInstance(net, Mininet)
        self.assertEqual(net.kwargs, {'autoSetMacs': True})
        self.assertEqual((len(net.topo.hosts()), len(net.topo.switches())), (9, 4))


if __name__ == '__main__':
    unittest.main()
