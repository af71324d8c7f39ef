"""The one exception vnetlab raises, and its exec variant."""
import subprocess


class VnetlabError(Exception):
    """vnetlab failed: the CLI's own message and exit status.

    message: what vnetlab printed on stderr (its "vnetlab: " prefix removed);
    returncode: its exit status; argv: the command line that was run;
    source: for a topology given as a dict, the YAML (JSON) text vnetlab
    read, so that a "<dict>:LINE:COLUMN:" in the message can be looked up.
    """

    def __init__(self, message, returncode=None, argv=None, source=None):
        Exception.__init__(self, message)
        self.message = message
        self.returncode = returncode
        self.argv = list(argv) if argv else []
        self.source = source


class ExecError(VnetlabError, subprocess.CalledProcessError):
    """A command run in a node with check=True ended with a non-zero status.

    Also a subprocess.CalledProcessError: returncode, cmd, stdout, stderr.
    """

    def __init__(self, node, cmd, returncode, stdout, stderr):
        subprocess.CalledProcessError.__init__(self, returncode, cmd, stdout, stderr)
        VnetlabError.__init__(
            self, f"node {node}: {cmd!r} exited with status {returncode}", returncode)
        self.node = node

    def __str__(self):
        return self.message
