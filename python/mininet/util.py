"""Mininet 2.3's utilities: running commands on the host, address
arithmetic, natural sorting, option strings ("tree,depth=2,fanout=3"),
dumping a network's connections, pmonitor.

Names, arguments, return values and printed text are Mininet's. What
changes the host in Mininet does not here: vnetlab's `up` raises the limits
a lab needs and puts them back on `down`, so fixLimits() and its helpers
only log at debug level; interfaces are made and placed by vnetlab, so
makeIntfPair() and moveIntf() raise mininet.Unsupported.
"""
import codecs
import os
import re
import selectors
import sys
from functools import partial
from subprocess import PIPE, STDOUT, Popen, call, check_call
from time import sleep

from mininet._compat import Unsupported
from mininet import log as _log
from mininet.log import debug, error, info, output

warn = _log.warn   # Mininet's util has it too

# Python 2/3 compatibility, as Mininet names it

Python3 = sys.version_info[0] == 3
BaseString = str
Encoding = 'utf-8'


class NullCodec:
    """Mininet's codec for Python 2: passes buffers through."""

    @staticmethod
    def decode(buf):
        return buf

    @staticmethod
    def encode(buf):
        return buf


def decode(buf):
    """bytes -> str (UTF-8)."""
    return buf.decode(Encoding)


def encode(buf):
    """str -> bytes (UTF-8)."""
    return buf.encode(Encoding)


getincrementaldecoder = codecs.getincrementaldecoder(Encoding)


def _decoder():
    """An incremental UTF-8 decoder for command output: bytes that are not
    UTF-8 become U+FFFD instead of raising."""
    return getincrementaldecoder(errors='replace')


class Pexpect:
    """Mininet's util.pexpect: the pexpect module (Debian's python3-pexpect),
    whose spawn() and run() return str unless given encoding= (here
    encoding='utf-8'). pexpect is imported on first use, so `import
    mininet.util` works without it; using it then raises ImportError."""

    _module = None

    @classmethod
    def _load(cls):
        if cls._module is None:
            try:
                import pexpect as module   # pylint: disable=import-outside-toplevel
            except ImportError as e:
                raise ImportError("mininet.util.pexpect needs pexpect: "
                                  "apt install python3-pexpect") from e
            cls._module = module
        return cls._module

    def spawn(self, *args, **kwargs):
        """pexpect.spawn, decoding UTF-8 unless told otherwise."""
        kwargs.setdefault('encoding', 'utf-8')
        return self._load().spawn(*args, **kwargs)

    def run(self, *args, **kwargs):
        """pexpect.run, decoding UTF-8 unless told otherwise."""
        kwargs.setdefault('encoding', 'utf-8')
        return self._load().run(*args, **kwargs)

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return getattr(self._load(), name)


pexpect = Pexpect()


# Running commands on the host

def run(cmd):
    """subprocess.call(cmd.split(' ')): the exit status."""
    return call(cmd.split(' '))


def checkRun(cmd):
    """subprocess.check_call(cmd.split(' ')): CalledProcessError on failure."""
    return check_call(cmd.split(' '))


def oldQuietRun(*cmd):
    """Run a command (a str split at spaces, a list, or several arguments),
    stderr merged into stdout; returns the output (str)."""
    if len(cmd) == 1:
        cmd = cmd[0]
        if isinstance(cmd, str):
            cmd = cmd.split(' ')
    return errRun(cmd, stderr=STDOUT)[0]


def _argv(cmd, shell):
    """errRun's command: a str is split at single spaces unless shell; a
    list is joined with spaces for the shell."""
    if isinstance(cmd, str) and not shell:
        return [str(arg) for arg in cmd.split(' ')]
    if isinstance(cmd, list) and shell:
        return ' '.join(cmd)
    return cmd


def errRun(*cmd, **kwargs):
    """Run a command on the host; returns (stdout, stderr, returncode), str.

    cmd: one str (split at spaces), one list, or several arguments.
    stderr=STDOUT merges stderr into stdout (then stderr is '');
    shell=True runs it with /bin/sh; echo=True logs the command at info
    level and its output at output level as it comes."""
    stderr = kwargs.get('stderr', PIPE)
    shell = kwargs.get('shell', False)
    echo = kwargs.get('echo', False)
    if echo:
        info(cmd, '\n')
    if len(cmd) == 1:
        cmd = cmd[0]
    cmd = _argv(cmd, shell)
    debug('*** errRun:', cmd, '\n')
    popen = Popen(cmd, stdout=PIPE, stderr=stderr, shell=shell)
    pipes = [popen.stdout] + ([popen.stderr] if popen.stderr else [])
    texts = {f.fileno(): [] for f in pipes}
    decoders = {f.fileno(): _decoder() for f in pipes}
    with selectors.DefaultSelector() as sel:
        for f in pipes:
            sel.register(f.fileno(), selectors.EVENT_READ)
        while sel.get_map():
            for key, _events in sel.select():
                data = os.read(key.fd, 1024)
                text = decoders[key.fd].decode(data, final=not data)
                if echo and text:
                    output(text)
                texts[key.fd].append(text)
                if not data:
                    sel.unregister(key.fd)
    returncode = popen.wait()
    out = ''.join(texts[popen.stdout.fileno()])
    err = ''.join(texts[popen.stderr.fileno()]) if popen.stderr else ''
    for f in pipes:
        f.close()
    debug(out, err, returncode)
    return out, err, returncode


def errFail(*cmd, **kwargs):
    """errRun, raising Exception if the command exits non-zero."""
    out, err, ret = errRun(*cmd, **kwargs)
    if ret:
        raise Exception("errFail: %s failed with return code %s: %s" % (cmd, ret, err))
    return out, err, ret


def quietRun(cmd, **kwargs):
    """Run a command; returns its stdout and stderr merged (str)."""
    return errRun(cmd, stderr=STDOUT, **kwargs)[0]


def which(cmd, **kwargs):
    """The path `which cmd` prints, or None."""
    out, _, ret = errRun(['which', cmd], stderr=STDOUT, **kwargs)
    return out.rstrip() if ret == 0 else None


def isShellBuiltin(cmd):
    """True if cmd's first word is a bash builtin (`bash -c enable`)."""
    if isShellBuiltin.builtIns is None:
        isShellBuiltin.builtIns = set(quietRun('bash -c enable').split())
    space = cmd.find(' ')
    if space > 0:
        cmd = cmd[:space]
    return cmd in isShellBuiltin.builtIns


isShellBuiltin.builtIns = None


# Interfaces: vnetlab's

_INTFS_INSTEAD = ("vnetlab makes a lab's interfaces and puts them in their nodes: "
                  "add links in the Topo or with net.addLink()")


def makeIntfPair(intf1, intf2, addr1=None, addr2=None, node1=None, node2=None,
                 deleteIntfs=True, runCmd=None):
    """Raises mininet.Unsupported: vnetlab makes a lab's veth pairs."""
    raise Unsupported("makeIntfPair", _INTFS_INSTEAD)


def moveIntfNoRetry(intf, dstNode, printError=False):
    """Raises mininet.Unsupported: vnetlab places a lab's interfaces."""
    raise Unsupported("moveIntf", _INTFS_INSTEAD)


def moveIntf(intf, dstNode, printError=True, retries=3, delaySecs=0.001):
    """Raises mininet.Unsupported: vnetlab places a lab's interfaces."""
    raise Unsupported("moveIntf", _INTFS_INSTEAD)


def retry(retries, delaySecs, fn, *args, **keywords):
    """Call fn(*args, **keywords) until it returns true, at most retries + 1
    times, delaySecs apart; if it never does, log an error and exit(1)."""
    tries = 0
    while not fn(*args, **keywords):
        if tries >= retries:
            error("*** gave up after %i retries\n" % tries)
            sys.exit(1)
        sleep(delaySecs)
        tries += 1


# Dumping a network

def _peer(intf):
    """The interface at the other end of intf's link."""
    link = intf.link
    return link.intf2 if link.intf1 is intf else link.intf1


def dumpNodeConnections(nodes):
    """Print each node's interfaces and what they connect to, a line a
    node: "h1 h1-eth0:s1-eth1" (an interface without a link: "h1-eth0: ")."""
    for node in nodes:
        output(node.name)
        for intf in node.intfList():
            output(' %s:' % intf.name)
            output(_peer(intf).name if intf.link else ' ')
        output('\n')


def dumpNetConnections(net):
    """dumpNodeConnections of the controllers, switches and hosts of net."""
    dumpNodeConnections(net.controllers + net.switches + net.hosts)


def dumpPorts(switches):
    """Print each switch's interfaces with their port numbers:
    "s1 lo:0 s1-eth1:1 s1-eth2:2 "."""
    for switch in switches:
        output('%s ' % switch.name)
        for intf in switch.intfList():
            output('%s:%d ' % (intf.name, switch.ports[intf]))
        output('\n')


# Addresses

def _colonHex(val, bytecount):
    """val as bytecount bytes of two hex digits, most significant first,
    joined by colons."""
    return ':'.join('%02x' % ((val >> (8 * i)) & 0xff)
                    for i in range(bytecount - 1, -1, -1))


def macColonHex(mac):
    """A MAC address from an int: 0x0a0000000001 -> '0a:00:00:00:00:01'."""
    return _colonHex(mac, 6)


def ipStr(ip):
    """An IPv4 address string from an int: 0x0a000001 -> '10.0.0.1'."""
    return '.'.join(str((ip >> shift) & 0xff) for shift in (24, 16, 8, 0))


def ipNum(w, x, y, z):
    """The int of the address w.x.y.z."""
    return (w << 24) | (x << 16) | (y << 8) | z


def ipAdd(i, prefixLen=8, ipBaseNum=0x0a000000):
    """The address i in the network ipBaseNum/prefixLen, as a string;
    AssertionError if i does not fit in its host part."""
    imax = 0xffffffff >> prefixLen
    assert i <= imax, 'Not enough IP addresses in the subnet'
    return ipStr((ipBaseNum & (0xffffffff ^ imax)) + i)


def ipParse(ip):
    """The int of an address; missing bytes are zeros before the last one,
    as inet_aton reads them: '10.1' -> 10.0.0.1."""
    parts = [int(part) for part in ip.split('.')]
    parts[-1:-1] = [0] * (4 - len(parts))
    return ipNum(*parts)


def netParse(ipstr):
    """'10.0.0.0/8' -> (address as int, 8); without '/N' the prefix is 24."""
    ip, slash, prefix = ipstr.partition('/')
    return ipParse(ip), int(prefix) if slash else 24


def checkInt(s):
    """True if int(s) works."""
    try:
        int(s)
        return True
    except ValueError:
        return False


def checkFloat(s):
    """True if float(s) works."""
    try:
        float(s)
        return True
    except ValueError:
        return False


def makeNumeric(s):
    """s as an int if it reads as one, else as a float if it reads as one,
    else s itself."""
    if checkInt(s):
        return int(s)
    if checkFloat(s):
        return float(s)
    return s


# Watching popens

def pmonitor(popens, timeoutms=500, readline=True, readmax=1024):
    """Watch a dict {host: Popen} (stdout piped); yield (host, text) as
    output arrives: a line at a time if readline, else chunks of at most
    readmax bytes (decoded); (None, '') after timeoutms without output. A
    host is removed from popens at the end of its output; the generator
    ends when popens is empty."""
    with selectors.DefaultSelector() as sel:
        for host, popen in popens.items():
            sel.register(popen.stdout.fileno(), selectors.EVENT_READ,
                         (host, _decoder()))
        while popens:
            ready = sel.select(timeoutms / 1000.0)
            if not ready:
                yield None, ''
                continue
            for key, _events in ready:
                host, decoder = key.data
                data = os.read(key.fd, 65536 if readline else readmax)
                text = decoder.decode(data, final=not data)
                if readline:
                    for line in text.splitlines(keepends=True):
                        yield host, line
                elif text:
                    yield host, text
                if not data:
                    sel.unregister(key.fd)
                    del popens[host]


# The host's limits and cgroups: vnetlab's

def sysctlTestAndSet(name, limit):
    """Mininet raises a sysctl here; over vnetlab it logs at debug level and
    returns: `vnetlab up` sets what a lab needs and puts it back on down."""
    debug('*** sysctlTestAndSet %s %s: left to vnetlab up\n' % (name, limit))


def rlimitTestAndSet(name, limit):
    """Mininet raises an rlimit here; over vnetlab it logs at debug level and
    returns: `vnetlab up` sets what a lab needs."""
    debug('*** rlimitTestAndSet %s %s: left to vnetlab up\n' % (name, limit))


def fixLimits():
    """Mininet raises the host's limits (rlimits, sysctls) here; over
    vnetlab it logs at debug level and returns: `vnetlab up` raises what a
    lab needs and puts it back on down."""
    debug('*** Setting resource limits: left to vnetlab up\n')


def mountCgroups():
    """Mininet mounts cgroup v1's cpuset here; over vnetlab it logs at debug
    level and returns: vnetlab makes a lab's cgroups itself."""
    debug('*** mountCgroups: left to vnetlab\n')


# Sorting, ranges

def natural(text):
    """Sort key: str(text) cut into text and numbers, so that 'h2' < 'h10'."""
    return [int(s) if s.isdigit() else s for s in re.split(r'(\d+)', str(text))]


def naturalSeq(t):
    """Sort key for a sequence: natural() of each item."""
    return [natural(x) for x in t]


def numCores():
    """The number of processors /proc/cpuinfo lists (0 if unreadable);
    remembered after the first call."""
    if hasattr(numCores, 'ncores'):
        return numCores.ncores
    try:
        with open('/proc/cpuinfo', encoding='utf-8', errors='replace') as f:
            n = sum(1 for line in f if 'processor' in line)
    except OSError:
        return 0
    numCores.ncores = n
    return n


def irange(start, end):
    """range(start, end + 1): irange(1, 5) -> 1, 2, 3, 4, 5."""
    return range(start, end + 1)


# Classes with preset arguments; option strings

def custom(cls, **params):
    """A constructor for cls with params as keyword arguments, overriding
    the caller's."""
    def customized(*args, **kwargs):
        kwargs = dict(kwargs)
        kwargs.update(params)
        return cls(*args, **kwargs)
    customized.__name__ = 'custom(%s,%s)' % (cls, params)
    return customized


def splitArgs(argstr):
    """'fn,arg1,k=v' -> ('fn', [arg1], {'k': v}); values that read as
    numbers become int or float."""
    fn, *params = argstr.split(',')
    args = [makeNumeric(p) for p in params if '=' not in p]
    kwargs = {}
    for p in params:
        if '=' in p:
            key, val = p.split('=', 1)
            kwargs[key] = makeNumeric(val)
    return fn, args, kwargs


def customClass(classes, argStr):
    """The class classes[name] for argStr 'name,arg1,k=v', with its
    arguments preset (specialClass); Exception for an unknown name."""
    cname, args, kwargs = splitArgs(argStr)
    cls = classes.get(cname, None)
    if not cls:
        raise Exception("error: %s is unknown - please specify one of %s"
                        % (cname, classes.keys()))
    if not args and not kwargs:
        return cls
    return specialClass(cls, append=args, defaults=kwargs)


def specialClass(cls, prepend=None, append=None, defaults=None, override=None):
    """A subclass of cls whose constructor adds preset arguments: prepend
    before the caller's, append after them, defaults as keyword arguments
    the caller may change, override as ones it may not."""
    prepend = [] if prepend is None else prepend
    append = [] if append is None else append
    defaults = {} if defaults is None else defaults
    override = {} if override is None else override

    class CustomClass(cls):
        "cls with preset arguments"
        def __init__(self, *args, **params):
            merged = dict(defaults)
            merged.update(params)
            merged.update(override)
            cls.__init__(self, *(list(prepend) + list(args) + list(append)), **merged)

    CustomClass.__name__ = '%s%s' % (cls.__name__, defaults)
    return CustomClass


def buildTopo(topos, topoStr):
    """The topology topoStr names ('tree,depth=2,fanout=3'), made by
    topos[name](*args, **kwargs); Exception for an unknown name."""
    topo, args, kwargs = splitArgs(topoStr)
    if topo not in topos:
        raise Exception('Invalid topo name %s' % topo)
    return topos[topo](*args, **kwargs)


def ensureRoot():
    """Log an error and exit(1) unless running as root (vnetlab needs it)."""
    if os.getuid() != 0:
        error('*** Mininet must run as root.\n')
        sys.exit(1)


def waitListening(client=None, server='127.0.0.1', port=80, timeout=None):
    """Wait until server (an address or a node) accepts TCP connections on
    port, trying from client (a node; None: the host) every half second.
    Returns True, or False after timeout seconds or on "No route".

    As Mininet, it connects with telnet; where telnet is missing it uses
    bash's /dev/tcp instead of raising."""
    runCmd = client.cmd if client else partial(quietRun, shell=True)
    if runCmd('which telnet'):
        probe = 'echo A | telnet -e A %s %s'
    elif runCmd('which bash'):
        probe = "bash -c 'exec 3<>/dev/tcp/%s/%s && echo Connected' 2>&1"
    else:
        raise Exception('Could not find telnet')
    serverIP = server if isinstance(server, str) else server.IP()
    cmd = probe % (serverIP, port)
    time = 0
    result = runCmd(cmd)
    while 'Connected' not in result:
        if 'No route' in result:
            rtable = runCmd('route')
            error('no route to %s:\n%s' % (server, rtable))
            return False
        if timeout and time >= timeout:
            error('could not connect to %s on port %d\n' % (server, port))
            return False
        debug('waiting for', server, 'to listen on port', port, '\n')
        info('.')
        sleep(.5)
        time += .5
        result = runCmd(cmd)
    return True
