"""A running lab: up, attach, nodes, exec, links, stats, down."""
from . import cli, process
from . import topology as topo
from .link import Link
from .node import nodes_of


class Lab:
    """A lab vnetlab brought up. Get one with Lab.up() or Lab.attach().

    name, id, backend: the lab's; nodes, switches, links: as status showed
    them when the lab was last read (refresh() reads it again). With `with`,
    the lab goes down when the block ends, however it ends.
    """

    def __init__(self, status):
        self._load(status)

    def _load(self, status):
        self.name = status["lab"]
        self.id = status.get("id")
        self.backend = status.get("backend")
        self.raw = status
        self.nodes = nodes_of(self, status)
        self.switches = [s["name"] for s in status.get("switches", [])]
        self.links = [Link(self, lk["endpoints"][0], lk["endpoints"][1], lk)
                      for lk in status.get("links", [])]

    def __repr__(self):
        return f"Lab({self.name!r}, {len(self.nodes)} nodes)"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.down()
        return False

    @classmethod
    def up(cls, topology, name=None, backend=None, **opts):
        """Bring a lab up; the Lab.

        topology: a dict in containerlab's shape ({"name": ..., "topology":
        {"nodes": {...}, "links": [...]}}), a topology file's path, or a
        generator spec ("tree,2,2", "single,3", "minimal"). name: the lab's
        (default: the topology's name:; a dict needs one or the other; a
        file's or spec's is else derived by vnetlab). backend:
        ns, proc or vm. opts: up's other options by name, as up --help shows
        them (pool="10.1.0.0/16", nat=True, link="bw=10Mbit", cpu_weight=2).
        A failure raises VnetlabError with vnetlab's message (a dict's
        position shown as "<dict>:LINE:COLUMN", its text in .source).
        """
        if isinstance(topology, dict) and not name and not topology.get("name"):
            raise ValueError("Lab.up: a dict topology needs name= or a \"name\" key")
        args = topo.option_args(opts)
        if name:
            args += ["--name", name]
        if backend:
            args += ["--backend", backend]
        with topo.as_args(topology) as (targs, source, path):
            res = cli.run_json(["up", *targs, *args, "--json"], source=source,
                               replace=(path, "<dict>") if path else None)
        try:
            return cls.attach(res["lab"])
        except BaseException:
            cli.run(["down", res["lab"]])  # not left up unseen
            raise

    @classmethod
    def attach(cls, name):
        """The lab called name, already up (VnetlabError if there is none)."""
        return cls(cli.run_json(["status", name, "--json"]))

    def refresh(self):
        """Read the lab's status again; the raw status --json document."""
        self._load(cli.run_json(["status", self.name, "--json"]))
        return self.raw

    def node(self, name):
        """The node called name (KeyError if the lab has none)."""
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(f"lab {self.name} has no node {name}")

    def exec(self, node, cmd, check=False, timeout=None, input=None, text=True):
        """Run cmd (argv list, or a str for sh -c) in node to its end: a
        subprocess.CompletedProcess with returncode, stdout and stderr.
        See process.run for check, timeout, input and text."""
        return process.run(self.name, _name(node), cmd, check, timeout, input, text)

    def popen(self, node, cmd, **kw):
        """cmd running in node as a subprocess.Popen (Popen's keywords);
        its signals reach the command."""
        return process.popen(self.name, _name(node), cmd, **kw)

    def detach(self, node, cmd):
        """Start cmd as a daemon in node, its output in the lab's logs/;
        vnetlab's line saying its pid and log. It ends when the lab goes down."""
        return process.detach(self.name, _name(node), cmd)

    def link(self, endpoint):
        """The link at endpoint: "NODE:IF" or (node, ifname)."""
        if isinstance(endpoint, tuple):
            endpoint = f"{_name(endpoint[0])}:{endpoint[1]}"
        for lk in self.links:
            if endpoint == lk.endpoint:
                return lk
            if endpoint == lk.peer:
                return Link(self, lk.peer, lk.endpoint,
                            {"forward": lk.reverse, "reverse": lk.forward, "engine": lk.engine})
        return Link(self, endpoint)

    def stats(self):
        """vnetlab stats --json: per node its cgroup's CPU (and memory,
        tasks) and each interface's bytes, packets, drops and errors."""
        return cli.run_json(["stats", self.name, "--json"])

    def down(self):
        """Take the lab down: its processes, namespaces, links, state.
        Idempotent."""
        cli.run(["down", self.name])


def _name(node):
    return node if isinstance(node, str) else node.name


def labs():
    """Every lab on this machine: dicts with lab, id, state, nodes, source."""
    return cli.run_json(["status", "--json"])
