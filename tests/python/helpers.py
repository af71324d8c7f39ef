"""What the vnetlab API tests share: a small topology and a check that the
tests' labs (named vt-py*) are all gone."""
import vnetlab


def star(name, n=3):
    """n hosts h1..hn on one switch s1, as a dict."""
    hosts = [f"h{i}" for i in range(1, n + 1)]
    nodes = {h: {} for h in hosts}
    nodes["s1"] = {"kind": "bridge"}
    links = [{"endpoints": [f"{h}:eth0", f"s1:p{i}"]} for i, h in enumerate(hosts, 1)]
    return {"name": name, "topology": {"nodes": nodes, "links": links}}


def our_labs():
    """The names of the labs up that these tests made."""
    return sorted(x["lab"] for x in vnetlab.labs() if x["lab"].startswith("vt-py"))
