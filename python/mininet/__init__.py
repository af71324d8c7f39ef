"""Mininet 2.3's Python API over vnetlab.

Scripts written for Mininet (`from mininet.net import Mininet`, Topo
classes, TCLink, CLI(net), ...) run as written: each Mininet object is one
vnetlab lab, its hosts namespace nodes, its switches learning bridges, its
controllers nothing (no OpenFlow). Run a script with `vnetlab py SCRIPT`, or
with PYTHONPATH=python in vnetlab's tree. What cannot work (OpenFlow,
xterms, Mininet's cluster classes) raises mininet.Unsupported naming what
vnetlab offers instead.
"""
from ._compat import Unsupported

VERSION = "2.3.0"

__all__ = ["Unsupported", "VERSION"]
