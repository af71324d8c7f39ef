"""Mininet's terminals (xterm, gnome-terminal over an X11 tunnel), which
vnetlab does not make: each raises mininet.Unsupported naming what to use
instead, a shell in the node. cleanUpScreens() has nothing to clean and
returns: Mininet.stop() and `mn -c` call it.
"""
from mininet._compat import Unsupported
from mininet.log import debug

_INSTEAD = "use `vnetlab exec -t LAB NODE -- bash` or the CLI's `NODE cmd`"


def tunnelX11(node, display=None):
    """Raises mininet.Unsupported: vnetlab tunnels no X11 display."""
    raise Unsupported("X11 tunnels", _INSTEAD)


def makeTerm(node, title='Node', term='xterm', display=None, cmd='bash'):
    """Raises mininet.Unsupported: vnetlab opens no terminal windows."""
    raise Unsupported(term, _INSTEAD)


def runX11(node, cmd):
    """Raises mininet.Unsupported: vnetlab tunnels no X11 display."""
    raise Unsupported("X11 clients", _INSTEAD)


def cleanUpScreens():
    """Mininet kills its socat X11 tunnels here; vnetlab makes none, so this
    logs at debug level and returns."""
    debug('*** cleanUpScreens: no X11 tunnels to remove\n')


def makeTerms(nodes, title='Node', term='xterm'):
    """Raises mininet.Unsupported: vnetlab opens no terminal windows."""
    raise Unsupported(term, _INSTEAD)
