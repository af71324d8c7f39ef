"""Mininet's node library: LinuxBridge and NAT over vnetlab.

NAT is the lab's own, never the host's tables or files: a router node of
the lab whose other side is vnetlab's management network (with the lab's
NAT on), masquerading what the hosts send out of the network
(nftables in the node's namespace). Mininet's NAT runs in the host's own
namespace and changes its iptables and /etc/network/interfaces.
"""
from .node import Node, Switch
from .log import debug


class LinuxBridge(Switch):
    """A Linux bridge: as every switch here, a learning bridge of the lab
    (stp and prio are accepted; vnetlab's bridges run no spanning tree)."""

    nextPrio = 100

    def __init__(self, name, stp=False, prio=None, **kwargs):
        self.stp = stp
        if prio:
            self.prio = prio
        else:
            self.prio = LinuxBridge.nextPrio
            LinuxBridge.nextPrio += 1
        if stp:
            debug(f"{name}: stp accepted, not run (vnetlab's bridges)\n")
        super().__init__(name, **kwargs)

    def dpctl(self, *args):
        return self.cmd("bridge", *args)

    @classmethod
    def setup(cls):
        pass


class NAT(Node):
    """The network's way out: a router of the lab masquerading subnet's
    traffic through vnetlab's management network (and the host's NAT)."""

    def __init__(self, name, subnet="10.0/8", localIntf=None, flush=False, **params):
        super().__init__(name, **params)
        self.subnet = subnet
        self.localIntf = localIntf
        self.flush = flush
        self.forwardState = "0"

    def config(self, **params):
        if not self.localIntf:
            self.localIntf = self.defaultIntf()
        return super().config(**params)

    def vnetlab_exec(self, out_if):
        """The exec lines that make this node masquerade out of out_if."""
        return ["sysctl -w net.ipv4.ip_forward=1",
                "nft add table ip mininet-nat",
                "nft add chain ip mininet-nat post { type nat hook postrouting priority 100 ; }",
                f"nft add rule ip mininet-nat post oifname {out_if} masquerade"]

    def setManualConfig(self, intf):
        debug("NAT.setManualConfig: nothing to change on the host\n")


__all__ = ["LinuxBridge", "NAT"]
