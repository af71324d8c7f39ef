"""Mininet's Mininet class over vnetlab: a network is one vnetlab lab.

addHost/addSwitch/addLink/addController/addNAT record the network; the
lab is made (`vnetlab up`, in one go) when it is first needed: start(), or
a node's first command. Hosts get Mininet's addresses (10.0.0.N/8 in the
order they are added) and interface names (h1-eth0, s1-eth1); every switch
is a learning bridge and every controller nothing, so the network forwards
as soon as it is made. stop() takes the lab down; so does the script's end.
"""
import os
import time
from itertools import chain

from . import Unsupported
from . import _lab
from .link import Intf, Link
from .log import debug, info
from .node import Controller, DefaultController, Host, Node, OVSKernelSwitch, _Building
from .nodelib import NAT
from .util import ipAdd, macColonHex, netParse, numCores

VERSION = "2.3.0"


class Mininet:
    """A network of hosts, switches and links; Mininet's arguments in its order."""

    def __init__(self, topo=None, switch=OVSKernelSwitch, host=Host,
                 controller=DefaultController, link=Link, intf=Intf, build=True,
                 xterms=False, cleanup=False, ipBase="10.0.0.0/8", inNamespace=False,
                 autoSetMacs=False, autoStaticArp=False, autoPinCpus=False,
                 listenPort=None, waitConnected=False):
        if xterms:
            raise Unsupported("Mininet(xterms=True)",
                              "use `vnetlab exec -t LAB NODE -- bash` for a terminal in a node")
        if inNamespace:
            raise Unsupported("Mininet(inNamespace=True) (switches and controllers "
                              "in namespaces, a control network)",
                              "vnetlab's switches are bridges with no control network")
        self.topo = topo
        self.switch = switch
        self.host = host
        self.controller = controller
        self.link = link
        self.intf = intf
        self.ipBase = ipBase
        self.ipBaseNum, self.prefixLen = netParse(self.ipBase)
        hostIP = (0xffffffff >> self.prefixLen) & self.ipBaseNum
        self.nextIP = hostIP if hostIP > 0 else 1
        self.inNamespace = inNamespace
        self.xterms = xterms
        self.cleanup = cleanup
        self.autoSetMacs = autoSetMacs
        self.autoStaticArp = autoStaticArp
        self.autoPinCpus = autoPinCpus
        self.numCores = numCores()
        self.nextCore = 0
        self.listenPort = listenPort
        self.waitConn = waitConnected
        self.hosts, self.switches, self.controllers, self.links = [], [], [], []
        self.nameToNode = {}
        self.terms = []
        self.built = False
        self._lab = None
        self._lab_name = _lab.lab_name()
        self._private = None
        Mininet.init()
        if topo and build:
            self.build()

    # --- the lab ------------------------------------------------------------
    def _realize(self):
        """Make the lab now if it is not made yet."""
        if self._lab:
            return
        if not self.built:
            self.build()
        for h in self.hosts:  # hosts added after build() (addNAT...)
            if not h._applied:
                h._record_config()
        if self.autoStaticArp:
            self.staticArp()
        self._private = _lab.private_root()
        t0 = time.monotonic()
        topo = _lab.topology(self._lab_name, self.hosts, self.switches, self.links,
                             self._private)
        self._lab = _lab.Lab(self._lab_name, topo, self._private)
        debug(f"*** lab {self._lab_name} up in {time.monotonic() - t0:.3f} s\n")
        for h in self.hosts:
            if h._arp:
                dev = h.defaultIntf()
                self._lab.batch(h.name, [f"neigh replace {ip} lladdr {mac} dev {dev}"
                                         for ip, mac in h._arp])
                h._arp = []
        for h in self.hosts:  # now with the lab: what differs, a subclass's commands
            self._config_host(h)

    @property
    def lab(self):
        """The vnetlab lab's name (made if it is not yet)."""
        self._realize()
        return self._lab_name

    def _add_check(self, what):
        if self._lab:
            raise Unsupported(f"adding {what} to a running network",
                              "add every node and link before net.start() (or a node's "
                              "first command)")

    # --- nodes ----------------------------------------------------------------
    def waitConnected(self, timeout=None, delay=.5):
        info("*** Waiting for switches to connect\n")
        for s in self.switches:
            info(f"{s} ")
        info("\n")
        return True

    def _make(self, cls, name, **params):
        prev, _Building.net = _Building.net, self
        Node._constructing = True
        try:
            node = cls(name, **params)
        finally:
            _Building.net = prev
            Node._constructing = False
        node._net = self
        return node

    def addHost(self, name, cls=None, **params):
        self._add_check(f"host {name}")
        defaults = {"ip": ipAdd(self.nextIP, ipBaseNum=self.ipBaseNum,
                                prefixLen=self.prefixLen) + "/%s" % self.prefixLen}
        if self.autoSetMacs:
            defaults["mac"] = macColonHex(self.nextIP)
        if self.autoPinCpus:
            defaults["cores"] = self.nextCore
            self.nextCore = (self.nextCore + 1) % self.numCores
        self.nextIP += 1
        defaults.update(params)
        h = self._make(cls or self.host, name, **defaults)
        self.hosts.append(h)
        self.nameToNode[name] = h
        return h

    def delNode(self, node, nodes=None):
        if self._lab:
            raise Unsupported("deleting a node of a running network",
                              "build the network without it")
        for lst in (self.hosts, self.switches, self.controllers):
            if node in lst:
                lst.remove(node)
        for lk in [lk for lk in self.links if node in (lk.intf1.node, lk.intf2.node)]:
            self.delLink(lk)
        del self.nameToNode[node.name]

    def delHost(self, host):
        self.delNode(host)

    def addSwitch(self, name, cls=None, **params):
        self._add_check(f"switch {name}")
        defaults = {"listenPort": self.listenPort, "inNamespace": self.inNamespace}
        defaults.update(params)
        sw = self._make(cls or self.switch, name, **defaults)
        if not self.inNamespace and self.listenPort:
            self.listenPort += 1
        self.switches.append(sw)
        self.nameToNode[name] = sw
        return sw

    def delSwitch(self, switch):
        self.delNode(switch)

    def addController(self, name="c0", controller=None, **params):
        if not controller:
            controller = self.controller
        if isinstance(name, Controller):
            new, name = name, name.name
        elif controller is None:
            return None
        else:
            new = self._make(controller, name, **params)
        if new:
            self.controllers.append(new)
            self.nameToNode[name] = new
        return new

    def delController(self, controller):
        self.delNode(controller)

    def addNAT(self, name="nat0", connect=True, inNamespace=False, **params):
        """A NAT node (the lab's own: a router out through vnetlab's
        management network, masquerading), linked to connect (default: the
        first switch); every host's default route goes through it."""
        nat = self.addHost(name, cls=NAT, inNamespace=inNamespace, subnet=self.ipBase,
                           **params)
        if connect:
            if not isinstance(connect, Node):
                connect = self.switches[0]
            self.addLink(nat, connect)
            natIP = nat.params["ip"].split("/")[0]
            for host in self.hosts:
                if host.inNamespace and host is not nat:
                    host.setDefaultRoute(f"via {natIP}")
        return nat

    def getNodeByName(self, *args):
        if len(args) == 1:
            return self.nameToNode[args[0]]
        return [self.nameToNode[n] for n in args]

    def get(self, *args):
        return self.getNodeByName(*args)

    def __getitem__(self, key):
        return self.nameToNode[key]

    def __delitem__(self, key):
        self.delNode(self.nameToNode[key])

    def __iter__(self):
        for node in chain(self.hosts, self.switches, self.controllers):
            yield node.name

    def __len__(self):
        return len(self.hosts) + len(self.switches) + len(self.controllers)

    def __contains__(self, item):
        return item in self.nameToNode

    def keys(self):
        return list(self)

    def values(self):
        return [self[name] for name in self]

    def items(self):
        return zip(self.keys(), self.values())

    @staticmethod
    def randMac():
        import random
        return macColonHex(random.randint(1, 2 ** 48 - 1) & 0xfeffffffffff | 0x020000000000)

    # --- links ------------------------------------------------------------------
    def addLink(self, node1, node2, port1=None, port2=None, cls=None, **params):
        node1 = self[node1] if isinstance(node1, str) else node1
        node2 = self[node2] if isinstance(node2, str) else node2
        self._add_check(f"link {node1.name}-{node2.name}")
        options = dict(params)
        if port1 is not None:
            options.setdefault("port1", port1)
        if port2 is not None:
            options.setdefault("port2", port2)
        if self.intf is not None:
            options.setdefault("intf", self.intf)
        options.setdefault("addr1", self.randMac())
        options.setdefault("addr2", self.randMac())
        cls = self.link if cls is None else cls
        link = cls(node1, node2, **options)
        self.links.append(link)
        return link

    def delLink(self, link):
        if self._lab:
            raise Unsupported("deleting a link of a running network",
                              "take it down: net.configLinkStatus(a, b, 'down')")
        link.delete()
        self.links.remove(link)

    def linksBetween(self, node1, node2):
        return [lk for lk in self.links
                if (node1, node2) in ((lk.intf1.node, lk.intf2.node),
                                      (lk.intf2.node, lk.intf1.node))]

    def delLinkBetween(self, node1, node2, index=0, allLinks=False):
        links = self.linksBetween(node1, node2)
        if not allLinks:
            links = [links[index]]
        for link in links:
            self.delLink(link)
        return links

    # --- build, start, stop -------------------------------------------------------
    def configHosts(self):
        """Each host's config(): before the lab is made, what it sets is
        recorded for the lab (a subclass's commands run once it is up)."""
        for host in self.hosts:
            info(host.name + " ")
            if self._lab:
                self._config_host(host)
            else:
                host._record_config()
        info("\n")

    @staticmethod
    def _config_host(host):
        if host.defaultIntf():
            host.configDefault()
        else:
            host.configDefault(ip=None, mac=None)

    def buildFromTopo(self, topo=None):
        info("*** Creating network\n")
        if not self.controllers and self.controller:
            info("*** Adding controller\n")
            classes = self.controller if isinstance(self.controller, list) else [self.controller]
            for i, cls in enumerate(classes):
                if isinstance(cls, Controller):
                    self.addController(cls)
                else:
                    self.addController("c%d" % i, cls)
        info("*** Adding hosts:\n")
        for name in topo.hosts():
            self.addHost(name, **topo.nodeInfo(name))
            info(name + " ")
        info("\n*** Adding switches:\n")
        for name in topo.switches():
            params = topo.nodeInfo(name)
            cls = params.get("cls", self.switch)
            if hasattr(cls, "batchStartup"):
                params.setdefault("batch", True)
            self.addSwitch(name, **params)
            info(name + " ")
        info("\n*** Adding links:\n")
        for src, dst, params in topo.links(sort=True, withInfo=True):
            self.addLink(**params)
            info("(%s, %s) " % (src, dst))
        info("\n")

    def configureControlNetwork(self):
        raise Unsupported("a control network", "vnetlab's switches need none")

    def build(self):
        if self.topo:
            self.buildFromTopo(self.topo)
        info("*** Configuring hosts\n")
        self.configHosts()
        self.built = True

    def startTerms(self):
        raise Unsupported("xterms", "use `vnetlab exec -t LAB NODE -- bash`")

    def stopXterms(self):
        pass

    def staticArp(self):
        """Every host an ARP entry for every other (made with the lab, or now)."""
        for src in self.hosts:
            for dst in self.hosts:
                if src is not dst and dst.IP() and dst.MAC():
                    src.setARP(ip=dst.IP(), mac=dst.MAC())

    def start(self):
        if not self.built:
            self.build()
        self._realize()
        info("*** Starting controller\n")
        for c in self.controllers:
            info(c.name + " ")
            c.start()
        info("\n")
        info("*** Starting %s switches\n" % len(self.switches))
        for s in self.switches:
            info(s.name + " ")
            s.start(self.controllers)
        info("\n")
        if self.waitConn:
            self.waitConnected(self.waitConn)

    def stop(self):
        info("*** Stopping %i controllers\n" % len(self.controllers))
        for c in self.controllers:
            info(c.name + " ")
            c.stop()
        info("\n")
        info("*** Stopping %i links\n" % len(self.links))
        info("." * len(self.links))
        info("\n")
        info("*** Stopping %i switches\n" % len(self.switches))
        for s in self.switches:
            info(s.name + " ")
            s.stop()
        info("\n")
        info("*** Stopping %i hosts\n" % len(self.hosts))
        for h in self.hosts:
            info(h.name + " ")
            h.terminate()
        if self._lab:
            self._lab.down()
        info("\n*** Done\n")

    def run(self, test, *args, **kwargs):
        self.start()
        info("*** Running test\n")
        result = test(*args, **kwargs)
        self.stop()
        return result

    def monitor(self, hosts=None, timeoutms=-1):
        """(host, line) for each line the hosts' shells print; (None, None)
        when nothing came within timeoutms (>= 0)."""
        import select
        hosts = hosts or self.hosts
        poller = select.poll()
        for h in hosts:
            poller.register(h.stdout)
        while True:
            ready = poller.poll(timeoutms)
            for fd, event in ready:
                host = Node.fdToNode(fd)
                if event & select.POLLIN:
                    line = host.readline()
                    if line is not None:
                        yield host, line
            if not ready and timeoutms >= 0:
                yield None, None

    # --- tests -------------------------------------------------------------------
    from ._tests import (_parsePing, ping, _parsePingFull, pingFull, pingAll, pingPair,
                         pingAllFull, pingPairFull, _parseIperf, iperf, runCpuLimitTest,
                         configLinkStatus)

    def interact(self):
        from .cli import CLI
        self.start()
        result = CLI(self)
        self.stop()
        return result

    inited = False

    @classmethod
    def init(cls):
        if cls.inited:
            return
        if os.geteuid() != 0:
            raise SystemExit("*** Mininet must run as root.")
        cls.inited = True


class MininetWithControlNet(Mininet):
    def __init__(self, *args, **kwargs):
        raise Unsupported("MininetWithControlNet", "vnetlab's switches need no control network")


__all__ = ["Mininet", "MininetWithControlNet", "VERSION"]
