"""A lab's nodes as status --json shows them: interfaces, addresses, routes."""
import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Interface:
    """One interface of a node.

    address and prefix: its IPv4 address ("10.0.0.1") and prefix length
    (30), or None; peer: the far end as the topology names it ("s1:p1",
    "h2:eth0"), or None; switch: the switch it is on, or None; mac: as the
    topology set it, else None (read it in the node: /sys/class/net/IF/address).
    """
    name: str
    address: str | None = None
    prefix: int | None = None
    peer: str | None = None
    switch: str | None = None
    mac: str | None = None


@dataclass(frozen=True)
class Route:
    """A route vnetlab set in a node: dst ("10.0.1.0/24" or "default"), via, dev."""
    dst: str
    via: str
    dev: str


@dataclass(frozen=True)
class Node:
    """A host or router of a lab (switches are in Lab.switches).

    kind: linux, router or frr; backend: ns, proc or vm; address: a proc
    node's own address (its interfaces are the host's); raw: the node as
    status --json has it, for anything else (limits, processes, ...).
    """
    lab: object = field(repr=False, compare=False)
    name: str
    kind: str
    backend: str
    interfaces: tuple = ()
    routes: tuple = ()
    address: str | None = None
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    def intf(self, name=None):
        """The interface called name (default: the first); KeyError if none."""
        for i in self.interfaces:
            if name is None or i.name == name:
                return i
        raise KeyError(f"node {self.name} has no interface {name}")

    @property
    def ip(self):
        """The first interface's address (a proc node's own), or None."""
        if self.interfaces:
            return self.interfaces[0].address
        return self.address

    def macs(self):
        """{interface: MAC} as the node has them now (read with ip -j link;
        status does not record the kernel's MACs)."""
        out = self.exec(["ip", "-j", "link", "show"], check=True).stdout
        return {i["ifname"]: i.get("address") for i in json.loads(out)
                if i.get("link_type") == "ether"}

    def exec(self, cmd, **kw):
        """Lab.exec on this node."""
        return self.lab.exec(self.name, cmd, **kw)

    def popen(self, cmd, **kw):
        """Lab.popen on this node."""
        return self.lab.popen(self.name, cmd, **kw)


def _split(cidr):
    if not cidr:
        return None, None
    addr, _, prefix = cidr.partition("/")
    return addr, int(prefix) if prefix else None


def nodes_of(lab, status):
    """The Node objects of a status --json document."""
    peers = {}
    for link in status.get("links", []):
        a, b = link["endpoints"]
        peers[a], peers[b] = b, a
    out = []
    for n in status.get("nodes", []):
        ifs = []
        for i in n.get("interfaces", []):
            addr, prefix = _split(i.get("address"))
            ifs.append(Interface(i["name"], addr, prefix, peers.get(f"{n['name']}:{i['name']}"),
                                 i.get("switch"), i.get("mac")))
        routes = tuple(Route(r["dst"], r["via"], r["dev"]) for r in n.get("routes", []))
        out.append(Node(lab, n["name"], n["kind"], n.get("backend", status.get("backend")),
                        tuple(ifs), routes, _split(n.get("address"))[0], n))
    return out
