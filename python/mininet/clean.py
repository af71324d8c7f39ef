"""Mininet's cleanup over vnetlab: the labs this package made (named
mn-PID-K) taken down, then `vnetlab clean` for what crashed runs left.
Nothing of a real Mininet's is touched (no `mn -c`: no killing by name, no
removing interfaces by pattern)."""
import re

from vnetlab import cli as vcli

from .log import info

_OURS = re.compile(r"mn-\d+-\d+$")


def cleanup():
    """Take down every lab this package made, then vnetlab clean."""
    import json
    info("*** Removing vnetlab labs made by Mininet scripts\n")
    labs = json.loads(vcli.run(["status", "--json"]))
    for lab in labs:
        name = lab.get("lab", "")
        if _OURS.match(name):
            info(name + " ")
            vcli.run(["down", name])
    info("\n*** Cleaning up what crashed runs left (vnetlab clean)\n")
    vcli.run(["clean"])
    info("*** Cleanup complete.\n")


class Cleanup:
    """Mininet's class form: Cleanup.cleanup()."""
    callbacks = []

    @classmethod
    def cleanup(cls):
        cleanup()
        for cb in cls.callbacks:
            cb()

    @classmethod
    def addCleanupCallback(cls, callback):
        if callback not in cls.callbacks:
            cls.callbacks.append(callback)


def killprocs(pattern):
    """Mininet kills processes by name here; vnetlab's labs own theirs."""
    info(f"*** killprocs {pattern}: the labs' processes go with their labs\n")


addCleanupCallback = Cleanup.addCleanupCallback
