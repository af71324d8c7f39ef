"""Mininet's nodes over vnetlab: hosts are namespace nodes of a vnetlab lab,
every switch class a learning bridge of the lab, every controller nothing.

A node belongs to the Mininet object that added it; the lab is made when
the network is first needed (start(), or a node's first command), so nodes
and links added before that cost nothing on the system. Settings made
before then (setIP, setMAC, setDefaultRoute, setARP, setCPUFrac) become the
lab's topology; after it, they are made in the running node.
"""
import os

from . import Unsupported
from ._compat import set_param
from ._shell import Shell
from .link import Intf, Link
from .log import debug, info, warn


class _Building:
    """The Mininet object adding nodes now (nodes made by its add* methods
    belong to it)."""
    net = None


def _node_net(node):
    net = getattr(node, "_net", None)
    if net is None:
        raise Unsupported(
            f"node {node.name} made outside a Mininet object (scratchnet style)",
            "add nodes and links with Mininet()'s addHost, addSwitch and addLink")
    return net


class Node(Shell):
    """A node of the network: its interfaces (by port), parameters and shell."""

    portBase = 0
    isSetup = False
    _constructing = False

    def __init__(self, name, inNamespace=True, **params):
        self.name = params.get("name", name)
        self.privateDirs = params.get("privateDirs", [])
        if isinstance(self.privateDirs, str):
            raise TypeError("privateDirs: a list of directories, not a string")
        self.inNamespace = params.get("inNamespace", inNamespace)
        self.waitExited = params.get("waitExited", True)
        self.params = params
        self.intfs = {}
        self.ports = {}
        self.nameToIntf = {}
        self._net = _Building.net
        self._default_route = None
        self._arp = []
        self._cpu = None
        self._cores = None
        self._applied = {}
        self._pre_cmds = []
        self._shell_init()

    def cmd(self, *args, **kwargs):
        """Run a command in the node's shell; its output. While the node is
        being made (its class's __init__) there is no lab yet: the command is
        kept and run with the lab (`bash -c`, an exec line of the node), and
        '' returned."""
        if self._constructing and not self._live():
            cmd = args[0] if len(args) == 1 and isinstance(args[0], list) else args
            text = cmd if isinstance(cmd, str) else " ".join(str(c) for c in cmd)
            self._pre_cmds.append(text)
            return ""
        return super().cmd(*args, **kwargs)

    # --- where the shell runs ------------------------------------------
    def _shell_argv(self):
        net = _node_net(self)
        net._realize()
        return net._lab.exec_argv(self.name, ["bash", "--norc", "--noediting",
                                              "-is", "mininet:" + self.name])

    def _live(self):
        """Whether the lab this node is in exists yet."""
        net = getattr(self, "_net", None)
        return bool(net and net._lab)

    # --- processes in the node -----------------------------------------
    def popen(self, *args, **kwargs):
        """A subprocess.Popen of a command run in the node (stdout and stderr
        piped unless given): popen([argv]), popen("cmd args") (split on
        spaces, or a shell with shell=True), popen(cmd, arg1, ...)."""
        import subprocess
        defaults = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
        defaults.update(kwargs)
        defaults.pop("mncmd", None)
        shell = defaults.pop("shell", False)
        if len(args) == 1 and isinstance(args[0], list):
            cmd = args[0]
        elif len(args) == 1 and isinstance(args[0], str):
            cmd = [args[0]] if shell else args[0].split()
        elif args:
            cmd = [str(a) for a in args]
        else:
            raise TypeError("popen() requires a string or list")
        if shell:
            cmd = [os.environ.get("SHELL", "/bin/sh"), "-c", " ".join(cmd)]
        net = _node_net(self)
        net._realize()
        argv = net._lab.exec_argv(self.name, cmd)
        p = subprocess.Popen(argv, **defaults)
        debug("_popen", argv, p.pid)
        return p

    def pexec(self, *args, **kwargs):
        """Run a command in the node to its end: (stdout, stderr, exit status)."""
        import subprocess
        p = self.popen(*args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, **kwargs)
        out, err = p.communicate()
        return out.decode(errors="replace"), err.decode(errors="replace"), p.wait()

    # --- interfaces -------------------------------------------------------
    def newPort(self):
        """The next port number."""
        return max(self.ports.values()) + 1 if self.ports else self.portBase

    def addIntf(self, intf, port=None, moveIntfFn=None):
        """Add intf at port (default: the next)."""
        if port is None:
            port = self.newPort()
        self.intfs[port] = intf
        self.ports[intf] = port
        self.nameToIntf[intf.name] = intf
        debug("\n")
        debug(f"added intf {intf} ({port}) to node {self.name}\n")

    def delIntf(self, intf):
        """Forget intf."""
        port = self.ports.pop(intf, None)
        if port is not None:
            self.intfs.pop(port, None)
        self.nameToIntf.pop(intf.name, None)

    def defaultIntf(self):
        """The interface with the lowest port, or None."""
        if self.intfs:
            return self.intfs[min(self.intfs)]
        warn(f"*** defaultIntf: warning: {self.name} has no interfaces\n")
        return None

    def intf(self, intf=None):
        """The interface named intf (an Intf is returned as is; none: the default)."""
        if not intf:
            return self.defaultIntf()
        if isinstance(intf, str):
            return self.nameToIntf[intf]
        return intf

    def connectionsTo(self, node):
        """[(our intf, its intf), ...] for every link between us and node."""
        out = []
        for intf in self.intfList():
            link = intf.link
            if not link:
                continue
            a, b = link.intf1, link.intf2
            if a.node is self and b.node is node:
                out.append((intf, b))
            elif b.node is self and a.node is node:
                out.append((intf, a))
        return out

    def deleteIntfs(self, checkName=True):
        """Links go with the lab (down): nothing to do one by one."""
        debug(f"{self.name}: interfaces go with the lab\n")

    def intfList(self):
        """Our interfaces, by port."""
        return [self.intfs[p] for p in sorted(self.intfs)]

    def intfNames(self):
        """Our interfaces' names, by port."""
        return [str(i) for i in self.intfList()]

    # --- addresses and routes -----------------------------------------
    def setARP(self, ip, mac):
        """A static ARP entry (before the lab is made: made with it)."""
        if not self._live():
            self._arp.append((str(ip), str(mac)))
            return ""
        return self.cmd("arp", "-s", ip, mac)

    def setHostRoute(self, ip, intf):
        """A route to host ip through intf."""
        return self.cmd("route add -host", ip, "dev", intf)

    def setDefaultRoute(self, intf=None):
        """The default route: through intf, or "via GW" / "dev X via GW"."""
        if isinstance(intf, str) and " " in intf:
            spec = intf
        else:
            spec = f"dev {intf}"
        if not self._live():
            self._default_route = spec
            return ""
        return self.cmd("ip route del default; ip route add default", spec)

    def setMAC(self, mac, intf=None):
        return self.intf(intf).setMAC(mac)

    def setIP(self, ip, prefixLen=8, intf=None, **kwargs):
        return self.intf(intf).setIP(ip, prefixLen, **kwargs)

    def IP(self, intf=None):
        i = self.intf(intf)
        return i.IP() if i else None

    def MAC(self, intf=None):
        i = self.intf(intf)
        return i.MAC() if i else None

    def intfIsUp(self, intf=None):
        return self.intf(intf).isUp()

    # --- configuration ----------------------------------------------------
    def setParam(self, results, method, **param):
        """Call method with param's value (unless None); results[name] = result."""
        return set_param(self, results, method, **param)

    def _record_config(self):
        """Before the lab is made: what config() would set (MAC, IP, default
        route), recorded for the lab's topology; config() called once the lab
        is up then changes only what differs (and runs what a subclass adds)."""
        p = self.params
        if self.defaultIntf():
            self.setParam({}, "setMAC", mac=p.get("mac"))
            self.setParam({}, "setIP", ip=p.get("ip"))
        self.setParam({}, "setDefaultRoute", defaultRoute=p.get("defaultRoute"))
        self._applied = {k: p.get(k) for k in ("mac", "ip", "defaultRoute")}

    def _unchanged(self, key, value):
        return self._live() and key in self._applied and self._applied[key] == value

    def config(self, mac=None, ip=None, defaultRoute=None, lo="up", **_params):
        """Set the default interface's MAC and IP, the default route; lo is up
        in every vnetlab node (lo other than 'up' is set)."""
        r = {}
        if not self._unchanged("mac", mac):
            self.setParam(r, "setMAC", mac=mac)
        if not self._unchanged("ip", ip):
            self.setParam(r, "setIP", ip=ip)
        if not self._unchanged("defaultRoute", defaultRoute):
            self.setParam(r, "setDefaultRoute", defaultRoute=defaultRoute)
        if lo != "up":
            self.cmd("ifconfig lo " + lo)
        return r

    def configDefault(self, **moreParams):
        """config() with the node's parameters (updated with moreParams)."""
        self.params.update(moreParams)
        self.config(**self.params)

    def linkTo(self, node, link=Link):
        return link(self, node)

    def stop(self, deleteIntfs=False):
        self.terminate()

    def mountPrivateDirs(self):
        debug(f"{self.name}: private directories are the lab's binds\n")

    def unmountPrivateDirs(self):
        pass

    def __repr__(self):
        intfs = ",".join(f"{i.name}:{i.IP()}" for i in self.intfList())
        return f"<{self.__class__.__name__} {self.name}: {intfs} pid={self._pid}> "

    def __str__(self):
        return self.name

    @classmethod
    def checkSetup(cls):
        cls.isSetup = True

    @classmethod
    def setup(cls):
        pass


class Host(Node):
    """A host: a namespace node of the lab."""


class CPULimitedHost(Host):
    """A host with a share of the machine's CPU: cpu=F is F of all its CPUs
    (vnetlab's cpus = F x CPUs, a CFS quota); cores pins it (a cpuset)."""

    inited = False

    def __init__(self, name, sched="cfs", **kwargs):
        super().__init__(name, **kwargs)
        if sched not in ("cfs", "rt"):
            raise ValueError(f"sched: 'cfs' or 'rt', not {sched!r}")
        if sched == "rt":
            warn(f"*** {name}: sched=rt: vnetlab limits with CFS bandwidth (cfs)\n")
        self.sched = "cfs"
        self.period_us = kwargs.get("period_us", 100000)

    def setCPUFrac(self, f, sched=None):
        """This host's share of the machine's CPU time (-1: no limit)."""
        if self._live():
            raise Unsupported(f"{self.name}.setCPUFrac after the network is built",
                              "give cpu= to addHost (or the host class) before start()")
        self._cpu = None if f is None or f < 0 else float(f)
        if self._cpu is not None:
            quota = int(self.period_us * self._cpu * os.cpu_count())
            info(f"(cfs {quota}/{self.period_us}us) ")

    def setCPUs(self, cores, mems=0):
        """The CPUs this host may run on (a list or "0-1")."""
        if not cores:
            return
        if self._live():
            raise Unsupported(f"{self.name}.setCPUs after the network is built",
                              "give cores= to addHost before start()")
        self._cores = ",".join(str(c) for c in cores) if isinstance(cores, list) else str(cores)

    def _record_config(self):
        super()._record_config()
        self.setParam({}, "setCPUFrac", cpu=self.params.get("cpu", -1))
        self.setParam({}, "setCPUs", cores=self.params.get("cores"))
        self._applied.update(cpu=self.params.get("cpu", -1), cores=self.params.get("cores"))

    def config(self, cpu=-1, cores=None, **params):
        r = Node.config(self, **params)
        if not self._unchanged("cpu", cpu):
            self.setParam(r, "setCPUFrac", cpu=cpu)
        if not self._unchanged("cores", cores):
            self.setParam(r, "setCPUs", cores=cores)
        return r

    def cgroupSet(self, param, value, resource="cpu"):
        raise Unsupported("CPULimitedHost.cgroupSet", "use cpu= and cores= (vnetlab sets the cgroup)")

    def cgroupGet(self, param, resource="cpu"):
        raise Unsupported("CPULimitedHost.cgroupGet", "read `vnetlab stats LAB --json`")

    @classmethod
    def init(cls):
        cls.inited = True


# --- switches: every class a learning bridge --------------------------------

class Switch(Node):
    """A switch: a learning bridge of the lab (every OpenFlow switch class
    is one: no flows, no controller). Its commands run on the host."""

    portBase = 1
    dpidLen = 16

    def __init__(self, name, dpid=None, opts="", listenPort=None, **params):
        params.setdefault("inNamespace", False)
        super().__init__(name, **params)
        self.dpid = self.defaultDpid(dpid)
        self.opts = opts
        self.listenPort = listenPort
        self.controlIntf = None

    def _shell_argv(self):
        _node_net(self)._realize()
        return ["bash", "--norc", "--noediting", "-is", "mininet:" + self.name]

    def defaultDpid(self, dpid=None):
        import re
        if dpid:
            dpid = dpid.replace(":", "")
            assert len(dpid) <= self.dpidLen and int(dpid, 16) >= 0
        else:
            nums = re.findall(r"\d+", self.name)
            if not nums:
                raise ValueError(f"Unable to derive default datapath ID for {self.name}: "
                                 "give dpid= or name it like s23")
            dpid = hex(int(nums[0]))[2:]
        return "0" * (self.dpidLen - len(dpid)) + dpid

    def connected(self):
        return True

    def start(self, controllers):
        pass

    def stop(self, deleteIntfs=True):
        self.terminate()

    def dpctl(self, *args):
        raise Unsupported(f"{self.name}.dpctl (OpenFlow)",
                          "vnetlab's switches are learning bridges without flows")

    def vsctl(self, *args, **kwargs):
        raise Unsupported(f"{self.name}.vsctl (Open vSwitch)",
                          "vnetlab's switches are learning bridges")

    def attach(self, intf):
        raise Unsupported("Switch.attach", "add links before start()")

    def detach(self, intf):
        raise Unsupported("Switch.detach", "links go with the network (net.stop())")

    def __repr__(self):
        return f"<{self.__class__.__name__} {self.name}: pid={self._pid}> "


class UserSwitch(Switch):
    pass


class OVSSwitch(Switch):
    def __init__(self, name, failMode="secure", datapath="kernel", inband=False,
                 protocols=None, reconnectms=1000, stp=False, batch=False, **params):
        self.failMode, self.datapath, self.inband = failMode, datapath, inband
        self.protocols, self.reconnectms, self.stp, self.batch = protocols, reconnectms, stp, batch
        super().__init__(name, **params)

    @classmethod
    def batchStartup(cls, switches, run=None):
        return switches

    @classmethod
    def batchShutdown(cls, switches, run=None):
        return switches


OVSKernelSwitch = OVSSwitch


class OVSBridge(OVSSwitch):
    def __init__(self, *args, **kwargs):
        kwargs.update(failMode="standalone")
        super().__init__(*args, **kwargs)


class IVSSwitch(Switch):
    pass


OVSLegacyKernelSwitch = OVSSwitch


# --- controllers: nothing (no OpenFlow) ---------------------------------------

class Controller(Node):
    """A controller: nothing runs (vnetlab's bridges learn by themselves)."""

    def __init__(self, name, inNamespace=False, command="controller", cargs="",
                 cdir=None, ip="127.0.0.1", port=6653, protocol="tcp", **params):
        self.command, self.cargs, self.cdir = command, cargs, cdir
        self.ip, self.port, self.protocol = ip, port, protocol
        super().__init__(name, inNamespace=inNamespace, **params)

    def _shell_argv(self):
        return ["bash", "--norc", "--noediting", "-is", "mininet:" + self.name]

    def start(self):
        debug(f"{self.name}: nothing to start (learning bridges)\n")

    def stop(self, *args, **kwargs):
        self.terminate()

    def checkListening(self):
        pass

    def IP(self, intf=None):
        return self.ip

    def __repr__(self):
        return f"<{self.__class__.__name__} {self.name}: {self.ip}:{self.port} pid={self._pid}> "

    @classmethod
    def isAvailable(cls):
        return True


class OVSController(Controller):
    pass


class NOX(Controller):
    def __init__(self, name, *noxArgs, **kwargs):
        super().__init__(name, **kwargs)


class Ryu(Controller):
    def __init__(self, name, ryuArgs="ryu.app.simple_switch", command="ryu run", **kwargs):
        super().__init__(name, **kwargs)


class RemoteController(Controller):
    """A remote OpenFlow controller: not supported (there is no OpenFlow)."""

    def __init__(self, name, ip="127.0.0.1", port=None, **kwargs):
        raise Unsupported("RemoteController (OpenFlow to a remote controller)",
                          "vnetlab's switches are learning bridges: use controller=None "
                          "or leave the default")


DefaultController = Controller
NullController = None


def findController(controllers=(Controller,)):
    return controllers[0] if controllers else None



__all__ = ["Node", "Host", "CPULimitedHost", "Switch", "UserSwitch", "OVSSwitch",
           "OVSKernelSwitch", "OVSBridge", "IVSSwitch", "OVSLegacyKernelSwitch",
           "Controller", "OVSController", "NOX", "Ryu", "RemoteController",
           "DefaultController", "NullController", "findController", "Intf", "Link"]
