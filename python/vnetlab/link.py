"""One link, seen from one of its ends: vnetlab link."""
from . import cli

# set's keywords: numbers in Mininet's units; strings are passed as they are
_UNITS = {"bw": "Mbit", "delay": "ms", "jitter": "ms", "loss": "%", "queue": ""}
_KEYS = set(_UNITS) | {"distribution", "loss_model"}


def _value(key, v):
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise TypeError(f"link set {key}: a number or a string, not {v!r}")
    return v if isinstance(v, str) else f"{v:g}{_UNITS.get(key, '')}"


class Link:
    """The link at endpoint "NODE:IF" of a lab.

    Directions are seen from that end: out is what NODE sends through IF,
    in what it receives. peer, forward, reverse, engine: as status showed
    them when the lab was read (Lab.links), else None.
    """

    def __init__(self, lab, endpoint, peer=None, info=None):
        self.lab = lab
        self.endpoint = endpoint
        self.peer = peer
        info = info or {}
        self.forward = info.get("forward")
        self.reverse = info.get("reverse")
        self.engine = info.get("engine")

    def __repr__(self):
        return f"Link({self.lab.name!r}, {self.endpoint!r}, peer={self.peer!r})"

    def _args(self, *rest):
        return ["link", "--json", self.lab.name, self.endpoint, *rest]

    def show(self):
        """Both directions' impairments now: {"endpoint", "peer", "out",
        "in", "engine", "up"}."""
        return cli.run_json(self._args("show"))

    def set(self, direction=None, clear=False, **settings):
        """Change the link; returns show()'s dict after the change.

        settings: bw (a number: Mbit/s), delay and jitter (ms), loss (%),
        queue (packets), distribution, loss_model; a string is vnetlab's own
        ("100Kbit", "64KiB"). direction: "out", "in" or None (both).
        clear: reset the direction(s) first.
        """
        if direction not in (None, "out", "in"):
            raise ValueError(f"direction: 'out', 'in' or None, not {direction!r}")
        args = [f"--{direction}"] if direction else []
        if clear:
            args.append("clear")
        for key, v in settings.items():
            if key not in _KEYS:
                raise TypeError(f"link set: no setting {key!r} (one of {sorted(_KEYS)})")
            args += [key.replace("_", "-"), _value(key, v)]
        if not args or args == [f"--{direction}"]:
            raise TypeError("link set: nothing to set")
        return cli.run_json(self._args("set", *args))

    def up(self):
        """Bring the link up (both ends)."""
        cli.run(self._args("up"))

    def down(self):
        """Take the link down (both ends): nothing passes until up()."""
        cli.run(self._args("down"))
