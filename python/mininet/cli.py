"""Mininet's CLI over vnetlab: vnetlab's shell on the network's lab, with
Mininet's prompt.

`CLI(net)` runs `vnetlab shell LAB --prompt "mininet> "` on the script's
terminal (or stdin) until exit or Ctrl-D; `CLI(net, script=FILE)` runs
FILE's commands (`source FILE`) and returns. The shell has Mininet's
commands (nodes, net, links, dump, pingall, iperf, link, NODE CMD, sh, ...),
each node command in a process of its own: variables set in a script's
node.cmd() shell are not seen there, and `py` (Python in the CLI) is not
one of them.
"""
import subprocess
import sys

from vnetlab import cli as vcli

from .log import output


class CLI:
    """The interactive shell over net (which must be built)."""

    prompt = "mininet> "

    def __init__(self, mininet, stdin=sys.stdin, script=None, **kwargs):
        self.mn = mininet
        self.stdin = stdin
        self.inPoll = None
        argv = [vcli.program(), "shell", mininet.lab, "--prompt", self.prompt]
        if script:
            argv += ["-c", f"source {script}"]
        output("*** Starting CLI:\n")
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            fd_in = stdin if stdin is not None and hasattr(stdin, "fileno") else None
            self.status = subprocess.run(argv, stdin=fd_in).returncode
        except KeyboardInterrupt:
            self.status = 130

    def run(self):
        return self.status


__all__ = ["CLI"]
