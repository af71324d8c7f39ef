"""A Mininet network as one vnetlab lab: its topology, and the lab's life.

Hosts are namespace nodes, switches bridges; each host interface gets the
address and MAC Mininet gave it (the file's addressing is none: vnetlab
adds no addresses or routes of its own), each link the shaping of its
TCIntfs (intf1's forward, intf2's reverse). A host's default route and
static ARP entries are made with the lab; its CPU share is vnetlab's cpus.
"""
import atexit
import itertools
import os
import shlex
import shutil
import subprocess
import tempfile

from vnetlab import cli as vcli
from vnetlab import topology as vtopo

_count = itertools.count(1)
_open = set()


def lab_name():
    """A lab name of this process's own: mn-PID-K."""
    return f"mn-{os.getpid()}-{next(_count)}"


def _endpoint(intf, is_switch):
    ep = {"node": intf.node.name, "interface": intf.name}
    if not is_switch:
        if intf.mac:
            ep["mac"] = intf.mac
        if intf.ip:
            ep["ipv4"] = f"{intf.ip}/{intf.prefixLen}"
    return ep


def topology(name, hosts, switches, links, private_root):
    """The lab's topology dict for Mininet's nodes and links."""
    from .node import Switch
    from .nodelib import NAT
    nodes = {}
    nat = any(isinstance(h, NAT) for h in hosts)
    for h in hosts:
        if not h.inNamespace and not isinstance(h, NAT):
            from . import Unsupported
            raise Unsupported(f"host {h.name} in the host's own namespace (inNamespace=False, "
                              "connectToRootNS)",
                              "reach the nodes from the host over the management network "
                              "(vnetlab up --mgmt on), or leave the host in a namespace")
        spec = {"kind": "linux"}
        if nat and isinstance(h, NAT):
            spec["kind"] = "router"
        elif nat:
            spec["network-mode"] = "none"
        if getattr(h, "_cpu", None):
            spec["cpus"] = round(h._cpu * (os.cpu_count() or 1), 4)
        if getattr(h, "_cores", None):
            spec["cpuset"] = h._cores
        exec_lines = h.vnetlab_exec("eth0") if isinstance(h, NAT) else []
        # commands its class ran while it was made: in order, their status
        # ignored (as Mininet's cmd() ignores it)
        if h._pre_cmds:
            exec_lines.append("bash -c " + shlex.quote("\n".join(h._pre_cmds) + "\ntrue"))
        if h._default_route:
            exec_lines.append("ip route replace default " + h._default_route)
        if exec_lines:
            spec["exec"] = exec_lines
        binds = _private_binds(h, private_root)
        if binds:
            spec["binds"] = binds
        nodes[h.name] = spec
    for s in switches:
        nodes[s.name] = {"kind": "bridge"}
    out_links = []
    for lk in links:
        a, b = lk.intf1, lk.intf2
        entry = {"endpoints": [_endpoint(a, isinstance(a.node, Switch)),
                               _endpoint(b, isinstance(b.node, Switch))]}
        fwd = a.vnetlab_settings() if hasattr(a, "vnetlab_settings") else {}
        rev = b.vnetlab_settings() if hasattr(b, "vnetlab_settings") else {}
        if fwd:
            entry["forward"] = fwd
        if rev:
            entry["reverse"] = rev
        out_links.append(entry)
    doc = {"name": name,
           "topology": {"defaults": {"addressing": "none"}, "nodes": nodes,
                        "links": out_links}}
    if nat:  # the NAT node's way out: the management network, NATed by the host
        doc["mgmt"] = {"nat": True}
    return doc


def _private_binds(host, root):
    """privateDirs as binds: "DIR" a directory of the host's own (empty,
    removed with the network), ("DIR", "SRC") SRC % the node's attributes."""
    binds = []
    for d in host.privateDirs:
        if isinstance(d, tuple):
            mount, src = d[0], d[1] % host.__dict__
            os.makedirs(src, exist_ok=True)
        else:
            mount = d
            src = os.path.join(root, host.name, d.strip("/").replace("/", "_"))
            os.makedirs(src, mode=0o755, exist_ok=True)
        os.makedirs(mount, exist_ok=True)
        binds.append(f"{src}:{mount}")
    return binds


class Lab:
    """The running lab of one Mininet object."""

    def __init__(self, name, topo_dict, private_root):
        self.name = name
        self.private_root = private_root
        self.program = vcli.program()
        with vtopo.as_args(topo_dict) as (targs, source, path):
            vcli.run(["up", *targs, "--name", name, "--quiet"], source=source,
                     replace=(path, "<mininet>") if path else None)
        _open.add(self)
        _exit_on_signals()

    def exec_argv(self, node, argv):
        """argv run in node (vnetlab exec becomes the command)."""
        return [self.program, "exec", self.name, node, "--", *argv]

    def batch(self, node, lines):
        """Run `ip -batch` lines in node."""
        p = subprocess.run(self.exec_argv(node, ["ip", "-force", "-batch", "-"]),
                           input="\n".join(lines) + "\n", capture_output=True, text=True)
        if p.returncode:
            raise RuntimeError(f"{node}: ip -batch: {p.stderr.strip()}")

    def link_set(self, endpoint, settings):
        args = ["link", self.name, endpoint, "set", "--out", "clear"]
        for k, v in settings.items():
            args += [k, v]
        vcli.run(args)

    def link_updown(self, endpoint, state):
        vcli.run(["link", self.name, endpoint, state])

    def link_is_up(self, endpoint):
        return bool(vcli.run_json(["link", "--json", self.name, endpoint, "show"]).get("up"))

    def down(self):
        if self not in _open:
            return
        _open.discard(self)
        try:
            vcli.run(["down", self.name])
        finally:
            if self.private_root:
                shutil.rmtree(self.private_root, ignore_errors=True)


def private_root():
    return tempfile.mkdtemp(prefix="vnetlab-mn-")


def _exit_on_signals():
    # SIGTERM and SIGHUP end the script through SystemExit, so that its
    # labs go down (atexit); a handler the script set is kept
    import signal

    def leave(signum, _frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            if signal.getsignal(sig) == signal.SIG_DFL:
                signal.signal(sig, leave)
        except ValueError:  # not the main thread
            pass


@atexit.register
def _down_at_exit():
    # a script that ends without net.stop(): its lab goes, as Mininet's
    # hosts go with their shells
    for lab in list(_open):
        try:
            lab.down()
        except Exception:
            pass
