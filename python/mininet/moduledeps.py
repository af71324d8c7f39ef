"""Mininet's kernel module helpers, which over vnetlab leave the host's
modules alone: `vnetlab up` loads what a lab needs. lsmod() (falling back
to /proc/modules without kmod) and pathCheck() work as in Mininet; rmmod(),
modprobe() and moduleDeps() log at debug level and return without acting.
"""
import os
import shutil
import sys

from mininet.log import debug, error
from mininet.util import quietRun

OF_KMOD = 'ofdatapath'
OVS_KMOD = 'openvswitch_mod'
TUN = 'tun'


def lsmod():
    """The output of lsmod; where lsmod is missing (no kmod), the text of
    /proc/modules, which names the same modules."""
    if shutil.which('lsmod'):
        return quietRun('lsmod')
    try:
        with open('/proc/modules', encoding='utf-8') as f:
            return f.read()
    except OSError:
        return ''


def rmmod(mod):
    """Mininet runs `rmmod mod`; over vnetlab this logs at debug level and
    returns '' (no output, as a successful rmmod): the host's modules are
    not the lab's."""
    debug('*** rmmod %s: not run, the host\'s modules are left alone\n' % mod)
    return ''


def modprobe(mod):
    """Mininet runs `modprobe mod`; over vnetlab this logs at debug level
    and returns '' (no output, as a successful modprobe): `vnetlab up` loads
    what a lab needs."""
    debug('*** modprobe %s: not run, left to vnetlab up\n' % mod)
    return ''


def moduleDeps(subtract=None, add=None):
    """Mininet unloads the modules in subtract and loads those in add (a
    str or a list each); over vnetlab this logs them at debug level and
    returns: `vnetlab up` loads what a lab needs."""
    subtract = [subtract] if isinstance(subtract, str) else list(subtract or [])
    add = [add] if isinstance(add, str) else list(add or [])
    for mod in subtract:
        debug('*** moduleDeps: not removing %s\n' % mod)
    for mod in add:
        debug('*** moduleDeps: not loading %s: left to vnetlab up\n' % mod)


def pathCheck(*args, **kwargs):
    """Exit(1) with an error naming the first of the programs args that is
    not on $PATH; moduleName= names the package that provides them."""
    moduleName = kwargs.get('moduleName', 'it')
    for arg in args:
        if not shutil.which(arg):
            error('Cannot find required executable %s.\n' % arg +
                  'Please make sure that %s is installed ' % moduleName +
                  'and available in your $PATH:\n(%s)\n' % os.environ.get('PATH', ''))
            sys.exit(1)
