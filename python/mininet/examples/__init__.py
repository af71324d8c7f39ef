"""Mininet's examples, where a Mininet is installed on the machine (Debian's
mininet package: /usr/lib/python3/dist-packages/mininet/examples), run with
this package's API: `vnetlab py -m mininet.examples.linuxrouter`.

This package's own path holds no example; __path__ is extended with every
other mininet/examples directory on sys.path.
"""
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
for _entry in sys.path:
    _cand = os.path.join(_entry or os.getcwd(), "mininet", "examples")
    if (os.path.isdir(_cand) and os.path.abspath(_cand) != _here
            and os.path.isfile(os.path.join(_cand, "__init__.py"))
            and _cand not in __path__):
        __path__.append(_cand)
