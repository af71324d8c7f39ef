"""Mininet's interfaces and links over vnetlab.

A Link is one link of the lab (a veth pair; a port of a bridge on a switch's
side), its interfaces named as Mininet names them (h1-eth0, s1-eth1). A
TCIntf's bw, delay, jitter, loss and max_queue_size shape what its node
sends through it: intf1's are the link's forward direction, intf2's its
reverse, as vnetlab's link settings. TCIntf.config() on a running network
replaces that direction's shaping (`vnetlab link LAB NODE:IF set --out
clear ...`).
"""
from . import Unsupported
from ._compat import set_param
from .log import debug, error, info

# what TCIntf passes to vnetlab, and what Mininet takes but vnetlab has no
# use for (the kernel's offloads, Mininet's own qdisc choices)
_TC_KEYS = ("bw", "delay", "jitter", "loss", "max_queue_size")
_TC_IGNORED = ("gro", "txo", "rxo", "speedup", "use_hfsc", "use_tbf", "latency_ms",
               "enable_ecn", "enable_red", "disable_gro")


def _live(node):
    net = getattr(node, "_net", None)
    return bool(net and net._lab)


def _split_ip(ipstr, prefixLen):
    if "/" in ipstr:
        ip, _, p = ipstr.partition("/")
        return ip, int(p)
    if prefixLen is None:
        raise ValueError(f"No prefix length set for IP address {ipstr}")
    return ipstr, int(prefixLen)


class Intf:
    """An interface of a node: name, node, port, link, its IP and MAC."""

    def __init__(self, name, node=None, port=None, link=None, mac=None, **params):
        self.node = node
        self.name = name
        self.link = link
        self.mac = mac
        self.ip, self.prefixLen = None, None
        self.params = params
        if name == "lo":
            self.ip, self.prefixLen = "127.0.0.1", 8
        if node is not None:
            params.pop("moveIntfFn", None)
            node.addIntf(self, port=port)
        if params.get("ip"):
            self.ip, self.prefixLen = _split_ip(params["ip"], 8)
        if params.get("mac"):
            self.mac = params["mac"]

    def _on_switch(self):
        from .node import Switch
        return isinstance(self.node, Switch)

    def _endpoint(self):
        return f"{self.node.name}:{self.name}"

    def cmd(self, *args, **kwargs):
        return self.node.cmd(*args, **kwargs)

    def ifconfig(self, *args):
        """ifconfig on the interface; on a switch's port only up and down
        (the link's, both ends: the port is vnetlab's bridge port)."""
        if self._on_switch():
            words = " ".join(args).split()
            if words in (["up"], ["down"]):
                self.node._net._lab.link_updown(self._endpoint(), words[0])
                return ""
            if not words:
                return ""
            raise Unsupported(f"ifconfig {' '.join(words)} on switch port {self.name}",
                              "a bridge port has no address; change the link with "
                              "TCIntf.config or net.configLinkStatus")
        return self.cmd("ifconfig", self.name, *args)

    def setIP(self, ipstr, prefixLen=None):
        """Set the interface's address ("10.0.0.1/8", or ip and prefixLen)."""
        ip, plen = _split_ip(str(ipstr), prefixLen)
        if self._on_switch():
            raise Unsupported(f"an address on switch port {self.name}",
                              "a bridge port has no address")
        self.ip, self.prefixLen = ip, plen
        if not _live(self.node):
            return ""
        return self.cmd(f"ip addr flush dev {self.name} scope global && "
                        f"ip addr add {ip}/{plen} dev {self.name} && ip link set {self.name} up")

    def setMAC(self, macstr):
        """Set the interface's MAC address."""
        self.mac = macstr
        if not _live(self.node):
            return ""
        return self.cmd(f"ip link set {self.name} address {macstr}")

    def updateIP(self):
        if _live(self.node) and not self._on_switch():
            out = self.cmd(f"ip -4 -o addr show dev {self.name}").split()
            if "inet" in out:
                self.ip, _, p = out[out.index("inet") + 1].partition("/")
                self.prefixLen = int(p)
            else:
                self.ip = None
        return self.ip

    def updateMAC(self):
        if _live(self.node) and not self._on_switch():
            self.mac = self.cmd(f"cat /sys/class/net/{self.name}/address").strip()
        return self.mac

    def updateAddr(self):
        return self.updateIP(), self.updateMAC()

    def IP(self):
        return self.ip

    def MAC(self):
        return self.mac

    def isUp(self, setUp=False):
        if setUp:
            return self.ifconfig("up") == ""
        if not _live(self.node):
            return True
        if self._on_switch():
            return self.node._net._lab.link_is_up(self._endpoint())
        return "UP" in self.cmd(f"ip link show {self.name}").split("<", 1)[-1].split(">")[0]

    def rename(self, newname):
        if _live(self.node):
            raise Unsupported("renaming an interface of a running network",
                              "give intfName1/intfName2 to addLink")
        self.node.nameToIntf[newname] = self.node.nameToIntf.pop(self.name)
        self.name = newname
        return ""

    def setParam(self, results, method, **param):
        return set_param(self, results, method, **param)

    def config(self, mac=None, ip=None, ifconfig=None, up=True, **_params):
        r = {}
        self.setParam(r, "setMAC", mac=mac)
        self.setParam(r, "setIP", ip=ip)
        if up is not True:
            self.setParam(r, "isUp", up=up)
        self.setParam(r, "ifconfig", ifconfig=ifconfig)
        return r

    def delete(self):
        if _live(self.node):
            raise Unsupported("deleting an interface of a running network",
                              "links go with the network at net.stop()")
        self.node.delIntf(self)
        self.link = None

    def status(self):
        return "OK" if self.node and self in self.node.ports else "MISSING"

    def __repr__(self):
        return f"<{self.__class__.__name__} {self.name}>"

    def __str__(self):
        return self.name


def _shaping_text(bw, delay, jitter, loss, enable_ecn=False, enable_red=False):
    stuff = ((["%.2fMbit" % bw] if bw is not None else []) +
             (["%s delay" % delay] if delay is not None else []) +
             (["%s jitter" % jitter] if jitter is not None else []) +
             (["%.5f%% loss" % loss] if loss is not None else []) +
             (["ECN"] if enable_ecn else ["RED"] if enable_red else []))
    return "(" + " ".join(stuff) + ") "


def _time_value(v):
    # Mininet passes delay/jitter to netem: a number is microseconds there
    return v if isinstance(v, str) else f"{v}us"


class TCIntf(Intf):
    """An interface whose node's sending through it is shaped: bw (Mbit/s),
    delay and jitter ("15ms"), loss (%), max_queue_size (packets)."""

    bwParamMax = 1000

    def __init__(self, name, node=None, port=None, link=None, mac=None, **params):
        super().__init__(name, node=node, port=port, link=link, mac=mac, **params)
        self.tc = {}
        self._set_tc(**params)

    def _set_tc(self, **params):
        bw = params.get("bw")
        if bw is not None and (bw < 0 or bw > self.bwParamMax):
            error("Bandwidth limit", bw, "is outside supported range 0..%d" % self.bwParamMax,
                  "- ignoring\n")
            bw = None
        loss = params.get("loss")
        if loss is not None and (loss < 0 or loss > 100):
            error("Bad loss percentage", loss, "%%\n")
            loss = None
        tc = {"bw": bw, "delay": params.get("delay"), "jitter": params.get("jitter"),
              "loss": loss, "max_queue_size": params.get("max_queue_size")}
        self.tc = {k: v for k, v in tc.items() if v is not None and (k != "loss" or v > 0)}
        if bw is None and not tc["delay"] and not loss and tc["max_queue_size"] is None:
            return False
        info(_shaping_text(bw, tc["delay"], tc["jitter"], loss,
                           params.get("enable_ecn"), params.get("enable_red")))
        return True

    def vnetlab_settings(self):
        """This interface's shaping as vnetlab's link keys."""
        out = {}
        tc = self.tc
        if "bw" in tc:
            out["bw"] = f"{tc['bw']:g}Mbit"
        if "delay" in tc:
            out["delay"] = _time_value(tc["delay"])
        if "jitter" in tc:
            out["jitter"] = _time_value(tc["jitter"])
        if "loss" in tc:
            out["loss"] = f"{tc['loss']:g}%"
        if "max_queue_size" in tc:
            out["queue"] = str(int(tc["max_queue_size"]))
        return out

    def config(self, bw=None, delay=None, jitter=None, loss=None, gro=False, txo=True,
               rxo=True, speedup=0, use_hfsc=False, use_tbf=False, latency_ms=None,
               enable_ecn=False, enable_red=False, max_queue_size=None, **params):
        """Set the interface's shaping, replacing what it had (the network
        running: at once, through vnetlab link set)."""
        result = Intf.config(self, **params)
        if (bw is None and not delay and not loss and max_queue_size is None):
            return None
        if not self._set_tc(bw=bw, delay=delay, jitter=jitter, loss=loss,
                            max_queue_size=max_queue_size, enable_ecn=enable_ecn,
                            enable_red=enable_red):
            return None
        if not _live(self.node):
            return result
        try:
            self.node._net._lab.link_set(self._endpoint(), self.vnetlab_settings())
            result["tcoutputs"] = []
        except Exception as e:  # vnetlab's reason, as Mininet shows tc's
            error(f"*** Error: {e}\n")
            result["tcoutputs"] = [str(e)]
        return result


class Link:
    """A link between node1 and node2: two interfaces (intf1, intf2)."""

    def __init__(self, node1, node2, port1=None, port2=None, intfName1=None, intfName2=None,
                 addr1=None, addr2=None, intf=Intf, cls1=None, cls2=None, params1=None,
                 params2=None, fast=True, **params):
        if _live(node1) or _live(node2):
            raise Unsupported("adding a link to a running network",
                              "add every link before net.start() (or before a node's "
                              "first command)")
        params1 = dict(params1) if params1 else {}
        params2 = dict(params2) if params2 else {}
        if port1 is not None:
            params1["port"] = port1
        if port2 is not None:
            params2["port"] = port2
        params1.setdefault("port", node1.newPort())
        params2.setdefault("port", node2.newPort())
        intfName1 = intfName1 or self.intfName(node1, params1["port"])
        intfName2 = intfName2 or self.intfName(node2, params2["port"])
        params1.update(params)
        params2.update(params)
        self.fast = fast
        for k in _TC_IGNORED:
            for p in (params1, params2):
                if k in p:
                    debug(f"{k}: ignored over vnetlab\n")
        cls1 = cls1 or intf
        cls2 = cls2 or intf
        self.intf1 = cls1(name=intfName1, node=node1, link=self, mac=addr1, **params1)
        self.intf2 = cls2(name=intfName2, node=node2, link=self, mac=addr2, **params2)

    def intfName(self, node, n):
        return f"{node.name}-eth{n}"

    @classmethod
    def makeIntfPair(cls, intfname1, intfname2, addr1=None, addr2=None, node1=None,
                     node2=None, deleteIntfs=True):
        """vnetlab makes the pair when the network is built."""
        return None, None

    def delete(self):
        self.intf1.delete()
        self.intf2.delete()
        self.intf1 = self.intf2 = None

    def stop(self):
        """Links go with the network at net.stop()."""

    def status(self):
        return f"({self.intf1.status()} {self.intf2.status()})"

    def __str__(self):
        return f"{self.intf1}<->{self.intf2}"


class OVSIntf(Intf):
    pass


class OVSLink(Link):
    pass


class TCLink(Link):
    """A link whose interfaces shape (TCIntf)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("cls1", TCIntf)
        kwargs.setdefault("cls2", TCIntf)
        super().__init__(*args, **kwargs)


class TCULink(TCLink):
    def __init__(self, *args, **kwargs):
        kwargs.update(txo=False, rxo=False)
        super().__init__(*args, **kwargs)
