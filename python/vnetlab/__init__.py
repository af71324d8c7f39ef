"""vnetlab from Python: a small native API over the vnetlab program's JSON.

    import vnetlab
    topo = {"topology": {"nodes": {"h1": {}, "h2": {}, "s1": {"kind": "bridge"}},
                         "links": [{"endpoints": ["h1:eth0", "s1:p1"]},
                                   {"endpoints": ["h2:eth0", "s1:p2"]}]}}
    with vnetlab.Lab.up(topo, name="demo") as lab:
        print(lab.exec("h1", ["ping", "-c1", "h2"]).stdout)
        lab.link("h2:eth0").set(bw=10, delay=5)

Every call runs the vnetlab program ($VNETLAB, else vnetlab on PATH, else
this tree's build) with an argv list; its failures raise VnetlabError.
"""
from .cli import program
from .errors import ExecError, VnetlabError
from .lab import Lab, labs
from .link import Link
from .node import Interface, Node, Route

__all__ = ["Lab", "labs", "Link", "Node", "Interface", "Route", "VnetlabError", "ExecError",
           "program"]
