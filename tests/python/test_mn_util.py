"""mininet.util, mininet.log, mininet.moduledeps and mininet.term against
Mininet 2.3.0's results (the tables' expected values are what Debian's
Mininet 2.3.0 returns), and what must differ over vnetlab: nothing here
changes the host. No lab, no root; a few commands run on the host (echo,
sh, bash, telnet if present).
    PYTHONPATH=python /usr/bin/python3 tests/python/test_mn_util.py
"""
import contextlib
import importlib.util
import io
import logging
import os
import resource
import socket
import subprocess
import sys
import unittest

import mininet.moduledeps as moduledeps
import mininet.util as util
from mininet import Unsupported
from mininet.log import lg
from mininet.term import cleanUpScreens, makeTerm, makeTerms, runX11, tunnelX11
from mininet.topolib import TreeTopo

PYTHON = os.path.dirname(os.path.dirname(os.path.abspath(util.__file__)))


@contextlib.contextmanager
def logged(level='output'):
    """What the mininet logger writes at level, in a StringIO."""
    buf = io.StringIO()
    old = lg.ch.setStream(buf)
    lg.setLogLevel(level)
    try:
        yield buf
    finally:
        lg.ch.setStream(old)
        lg.setLogLevel()


# function, arguments, Mininet 2.3.0's result
PURE = [
    ('ipStr', (0x0a000001,), '10.0.0.1'),
    ('ipStr', (0xffffffff,), '255.255.255.255'),
    ('ipStr', (0,), '0.0.0.0'),
    ('ipNum', (192, 168, 1, 2), 3232235778),
    ('ipAdd', (5,), '10.0.0.5'),
    ('ipAdd', (1, 24, 3232237321), '192.168.7.1'),
    ('ipAdd', (300, 16, 0x0a0b0000), '10.11.1.44'),
    ('ipParse', ('10.0.0.1',), 167772161),
    ('ipParse', ('10.1',), 167772161),
    ('ipParse', ('5',), 5),
    ('ipParse', ('1.2.3',), 16908291),
    ('netParse', ('10.0.0.0/8',), (167772160, 8)),
    ('netParse', ('192.168.123.1',), (3232267009, 24)),
    ('macColonHex', (0x0a0000000001,), '0a:00:00:00:00:01'),
    ('macColonHex', (0xfedcba987654,), 'fe:dc:ba:98:76:54'),
    ('checkInt', ('12',), True),
    ('checkInt', ('1.5',), False),
    ('checkInt', (' 3 ',), True),
    ('checkFloat', ('1e3',), True),
    ('checkFloat', ('x',), False),
    ('makeNumeric', ('12',), 12),
    ('makeNumeric', ('1.5',), 1.5),
    ('makeNumeric', ('abc',), 'abc'),
    ('makeNumeric', ('-0',), 0),
    ('natural', ('h10s2',), ['h', 10, 's', 2, '']),
    ('natural', ('abc',), ['abc']),
    ('natural', (12,), ['', 12, '']),
    ('natural', ('',), ['']),
    ('naturalSeq', (('h1', 's10'),), [['h', 1, ''], ['s', 10, '']]),
    ('splitArgs', ('tree,depth=2,fanout=3',), ('tree', [], {'depth': 2, 'fanout': 3})),
    ('splitArgs', ('linear,4,2',), ('linear', [4, 2], {})),
    ('splitArgs', ('single',), ('single', [], {})),
    ('splitArgs', ('tc,bw=10,delay=5ms,x=1.5,y=a=b',),
     ('tc', [], {'bw': 10, 'delay': '5ms', 'x': 1.5, 'y': 'a=b'})),
    ('splitArgs', ('f,,a',), ('f', ['', 'a'], {})),
]

# command arguments, keyword arguments, Mininet 2.3.0's errRun result
COMMANDS = [
    (('echo hi',), {}, ('hi\n', '', 0)),
    (('echo  two  spaces',), {}, (' two  spaces\n', '', 0)),   # split at each space
    (('echo out; echo err >&2; exit 3',), {'shell': True}, ('out\n', 'err\n', 3)),
    (('echo out; echo err >&2',), {'shell': True, 'stderr': subprocess.STDOUT},
     ('out\nerr\n', '', 0)),
    ((['echo', 'a', 'b'],), {}, ('a b\n', '', 0)),
    (('echo', 'a', 'b'), {}, ('a b\n', '', 0)),
    ((['echo a', 'b'],), {'shell': True}, ('a b\n', '', 0)),
    (("printf '\\303\\251\\377'",), {'shell': True}, ('\u00e9\ufffd', '', 0)),
]


class PureFunctions(unittest.TestCase):
    def test_table(self):
        for name, args, expected in PURE:
            with self.subTest(fn=name, args=args):
                self.assertEqual(getattr(util, name)(*args), expected)

    def test_ipadd_full_subnet(self):
        with self.assertRaisesRegex(AssertionError, 'Not enough IP addresses in the subnet'):
            util.ipAdd(256, 24)

    def test_irange_codecs(self):
        self.assertEqual(list(util.irange(1, 5)), [1, 2, 3, 4, 5])
        self.assertEqual((util.decode(b'\xc3\xa9'), util.encode('\u00e9')), ('\u00e9', b'\xc3\xa9'))
        self.assertEqual(util.getincrementaldecoder().decode(b'ab'), 'ab')
        self.assertTrue(util.Python3)
        self.assertIs(util.BaseString, str)

    def test_natural_order(self):
        names = ['s10', 'h2', 'h10', 'h1', 's9']
        self.assertEqual(sorted(names, key=util.natural), ['h1', 'h2', 'h10', 's9', 's10'])


class OptionStrings(unittest.TestCase):
    class A:
        def __init__(self, *args, **kwargs):
            self.args, self.kwargs = args, kwargs

    def test_custom_class(self):
        C = util.customClass({'a': self.A}, 'a,1,x=2,y=z')
        obj = C(0, x=5, w=1)
        self.assertEqual(C.__name__, "A{'x': 2, 'y': 'z'}")
        self.assertEqual((obj.args, obj.kwargs), ((0, 1), {'x': 5, 'y': 'z', 'w': 1}))
        self.assertTrue(issubclass(C, self.A))
        self.assertIs(util.customClass({'a': self.A}, 'a'), self.A)
        with self.assertRaisesRegex(Exception, r"^error: b is unknown - please specify one of "
                                               r"dict_keys\(\['a'\]\)$"):
            util.customClass({'a': self.A}, 'b')

    def test_special_class(self):
        S = util.specialClass(self.A, prepend=['p'], append=['q'], defaults={'d': 1},
                              override={'o': 2})
        obj = S('m', d=3, o=4)
        self.assertEqual(S.__name__, "A{'d': 1}")
        self.assertEqual((obj.args, obj.kwargs), (('p', 'm', 'q'), {'d': 3, 'o': 2}))

    def test_custom(self):
        f = util.custom(self.A, bw=10)
        obj = f(1, bw=3, c=2)
        self.assertEqual((obj.args, obj.kwargs), ((1,), {'bw': 10, 'c': 2}))
        self.assertTrue(f.__name__.startswith('custom(<class '))

    def test_build_topo(self):
        topo = util.buildTopo({'tree': TreeTopo}, 'tree,depth=2,fanout=3')
        self.assertEqual(len(topo.hosts()), 9)
        topo = util.buildTopo({'tree': TreeTopo}, 'tree,1,4')
        self.assertEqual(topo.hosts(), ['h1', 'h2', 'h3', 'h4'])
        with self.assertRaisesRegex(Exception, '^Invalid topo name zz$'):
            util.buildTopo({'tree': TreeTopo}, 'zz,1')


class HostCommands(unittest.TestCase):
    def test_err_run_table(self):
        for args, kwargs, expected in COMMANDS:
            with self.subTest(cmd=args, kwargs=kwargs):
                self.assertEqual(util.errRun(*args, **kwargs), expected)

    def test_quiet_run_merges(self):
        self.assertEqual(util.quietRun('echo out; echo err >&2', shell=True), 'out\nerr\n')
        self.assertEqual(util.oldQuietRun('echo hi'), 'hi\n')
        self.assertEqual(util.oldQuietRun('echo', 'a'), 'a\n')

    def test_err_fail(self):
        self.assertEqual(util.errFail('echo ok'), ('ok\n', '', 0))
        with self.assertRaisesRegex(Exception, r"^errFail: \('false',\) failed with return "
                                               r"code 1: $"):
            util.errFail('false')

    def test_run_which(self):
        self.assertEqual((util.run('true'), util.run('false')), (0, 1))
        with self.assertRaises(subprocess.CalledProcessError):
            util.checkRun('false')
        self.assertTrue(util.which('sh').endswith('/sh'))
        self.assertIsNone(util.which('no-such-command-vnetlab'))

    def test_echo(self):
        with logged('info') as out:
            util.errRun('echo echoed', echo=True)
        self.assertEqual(out.getvalue(), "('echo echoed',) \nechoed\n")

    def test_is_shell_builtin(self):
        for cmd, expected in [('cd /tmp', True), ('echo', True), ('ls -l', False), (' cd', False)]:
            with self.subTest(cmd=cmd):
                self.assertEqual(util.isShellBuiltin(cmd), expected)

    def test_pmonitor(self):
        popens = {'h%d' % i: subprocess.Popen(
            ['sh', '-c', 'for j in 1 2 3; do echo h%d line $j; done' % i],
            stdout=subprocess.PIPE) for i in range(3)}
        started = list(popens.values())
        got = sorted((h, line) for h, line in util.pmonitor(popens) if h)
        self.assertEqual(got, [('h%d' % i, 'h%d line %d\n' % (i, j))
                               for i in range(3) for j in (1, 2, 3)])
        self.assertEqual(popens, {})        # hosts leave the dict as they end
        for p in started:
            p.wait()
            p.stdout.close()

    def test_pmonitor_timeout_and_chunks(self):
        p = subprocess.Popen(['sh', '-c', 'sleep 0.3; printf abcdef'], stdout=subprocess.PIPE)
        got = list(util.pmonitor({'h': p}, timeoutms=100, readline=False, readmax=4))
        self.assertIn((None, ''), got)
        self.assertEqual(''.join(text for h, text in got if h == 'h'), 'abcdef')
        self.assertTrue(all(len(text) <= 4 for _h, text in got))
        p.wait()
        p.stdout.close()

    def test_wait_listening(self):
        with socket.socket() as srv:
            srv.bind(('127.0.0.1', 0))
            srv.listen()
            port = srv.getsockname()[1]
            self.assertTrue(util.waitListening(server='127.0.0.1', port=port, timeout=5))
        with logged() as out:
            self.assertFalse(util.waitListening(server='127.0.0.1', port=port, timeout=0.5))
        self.assertIn('could not connect to 127.0.0.1 on port %d\n' % port, out.getvalue())


class Retry(unittest.TestCase):
    def counter(self, succeed_on):
        calls = []

        def fn(x):
            calls.append(x)
            return len(calls) >= succeed_on
        return fn, calls

    def test_succeeds(self):
        fn, calls = self.counter(3)
        util.retry(3, 0, fn, 'x')
        self.assertEqual(calls, ['x'] * 3)

    def test_success_on_the_last_try_is_success(self):
        fn, calls = self.counter(4)
        util.retry(3, 0, fn, 'x')        # Mininet 2.3.0 exits here
        self.assertEqual(len(calls), 4)

    def test_gives_up(self):
        fn, calls = self.counter(10)
        with logged() as out, self.assertRaises(SystemExit):
            util.retry(2, 0, fn, 'x')
        self.assertEqual((len(calls), out.getvalue()), (3, '*** gave up after 2 retries\n'))


class NetworkDumps(unittest.TestCase):
    """dumpNodeConnections and friends over the lead's node interface:
    name, intfList(), ports; an Intf's name and link; a Link's intf1, intf2."""

    class Intf:
        def __init__(self, name, node):
            self.name, self.node, self.link = name, node, None

    class Link:
        def __init__(self, intf1, intf2):
            self.intf1, self.intf2 = intf1, intf2
            intf1.link = intf2.link = self

    class Node:
        def __init__(self, name):
            self.name, self.intfs, self.ports = name, {}, {}

        def add(self, port, name):
            intf = NetworkDumps.Intf(name, self)
            self.intfs[port], self.ports[intf] = intf, port
            return intf

        def intfList(self):
            return [self.intfs[p] for p in sorted(self.intfs)]

    def setUp(self):
        self.h1, self.h2, self.s1, self.c0 = (self.Node(n) for n in ('h1', 'h2', 's1', 'c0'))
        self.s1.add(0, 'lo')
        self.Link(self.h1.add(0, 'h1-eth0'), self.s1.add(1, 's1-eth1'))
        self.Link(self.s1.add(2, 's1-eth2'), self.h2.add(0, 'h2-eth0'))
        self.h2.add(1, 'h2-eth1')

    def test_dumps(self):
        net = type('Net', (), {'controllers': [self.c0], 'switches': [self.s1],
                               'hosts': [self.h1, self.h2]})
        for call, expected in [
                (lambda: util.dumpNodeConnections([self.h1, self.h2, self.s1]),
                 'h1 h1-eth0:s1-eth1\nh2 h2-eth0:s1-eth2 h2-eth1: \n'
                 's1 lo:  s1-eth1:h1-eth0 s1-eth2:h2-eth0\n'),
                (lambda: util.dumpNetConnections(net),
                 'c0\ns1 lo:  s1-eth1:h1-eth0 s1-eth2:h2-eth0\nh1 h1-eth0:s1-eth1\n'
                 'h2 h2-eth0:s1-eth2 h2-eth1: \n'),
                (lambda: util.dumpPorts([self.s1]), 's1 lo:0 s1-eth1:1 s1-eth2:2 \n')]:
            with self.subTest(expected=expected), logged() as out:
                call()
                self.assertEqual(out.getvalue(), expected)

    def test_hidden_below_output_level(self):
        with logged('warning') as out:
            util.dumpNodeConnections([self.h1])
        self.assertEqual(out.getvalue(), '')


class HostUntouched(unittest.TestCase):
    """What changes the host in Mininet logs at debug level here."""

    def test_limits_logged_not_set(self):
        before = [resource.getrlimit(r) for r in (resource.RLIMIT_NPROC, resource.RLIMIT_NOFILE)]
        with logged('debug') as out:
            self.assertIsNone(util.fixLimits())
            self.assertIsNone(util.sysctlTestAndSet('net.core.wmem_max', 1 << 30))
            self.assertIsNone(util.rlimitTestAndSet(resource.RLIMIT_NOFILE, 1 << 20))
            self.assertIsNone(util.mountCgroups())
        after = [resource.getrlimit(r) for r in (resource.RLIMIT_NPROC, resource.RLIMIT_NOFILE)]
        self.assertEqual(before, after)
        self.assertIn('*** Setting resource limits', out.getvalue())
        self.assertIn('net.core.wmem_max', out.getvalue())

    def test_intf_moves_unsupported(self):
        for fn, args in [(util.makeIntfPair, ('a-eth0', 'b-eth0')),
                         (util.moveIntf, ('a-eth0', None)),
                         (util.moveIntfNoRetry, ('a-eth0', None))]:
            with self.subTest(fn=fn.__name__), self.assertRaises(Unsupported) as cm:
                fn(*args)
            self.assertIn('not supported over vnetlab', str(cm.exception))

    def test_module_deps_runs_nothing(self):
        ran = []
        saved = moduledeps.quietRun
        moduledeps.quietRun = lambda *a, **k: ran.append(a) or ''
        try:
            with logged('debug') as out:
                moduledeps.moduleDeps(subtract='openvswitch_mod', add=[moduledeps.TUN])
                self.assertEqual((moduledeps.modprobe('tun'), moduledeps.rmmod('tun')), ('', ''))
        finally:
            moduledeps.quietRun = saved
        self.assertEqual(ran, [])
        self.assertIn('not loading tun', out.getvalue())
        self.assertIn('not removing openvswitch_mod', out.getvalue())

    def test_path_check(self):
        moduledeps.pathCheck('sh', 'echo')
        with logged() as out, self.assertRaises(SystemExit):
            moduledeps.pathCheck('sh', 'no-such-command-vnetlab', moduleName='Foo')
        self.assertTrue(out.getvalue().startswith(
            'Cannot find required executable no-such-command-vnetlab.\n'
            'Please make sure that Foo is installed and available in your $PATH:\n('))

    def test_terms(self):
        for fn, args in [(makeTerm, (None,)), (makeTerms, ([],)), (runX11, (None, 'xclock')),
                         (tunnelX11, (None,))]:
            with self.subTest(fn=fn.__name__), self.assertRaises(Unsupported) as cm:
                fn(*args)
            self.assertIn('vnetlab exec -t LAB NODE -- bash', str(cm.exception))
        self.assertEqual(str(Unsupported('xterm', 'x')), 'xterm: not supported over vnetlab; x')
        self.assertIsNone(cleanUpScreens())


class Pexpect(unittest.TestCase):
    class Fake:
        def spawn(self, *args, **kwargs):
            return ('spawn', args, kwargs)

        def run(self, *args, **kwargs):
            return ('run', args, kwargs)
        EOF = EOFError

    def test_defaults_to_str(self):
        saved = util.Pexpect._module
        util.Pexpect._module = self.Fake()
        try:
            self.assertEqual(util.pexpect.spawn('ssh h1'), ('spawn', ('ssh h1',),
                                                            {'encoding': 'utf-8'}))
            self.assertEqual(util.pexpect.run('ls', encoding=None),
                             ('run', ('ls',), {'encoding': None}))
            self.assertIs(util.pexpect.EOF, EOFError)
        finally:
            util.Pexpect._module = saved

    def test_real_pexpect(self):
        if importlib.util.find_spec('pexpect') is None:
            with self.assertRaisesRegex(ImportError, 'apt install python3-pexpect'):
                util.pexpect.spawn('echo hi')
            self.skipTest('python3-pexpect is not installed')
        child = util.pexpect.spawn('echo hi')
        child.expect(util.pexpect.EOF)
        self.assertEqual(child.before, 'hi\r\n')
        self.assertEqual(util.pexpect.run('echo hi'), 'hi\r\n')


class Log(unittest.TestCase):
    def test_levels_and_no_newlines(self):
        from mininet.log import LEVELS, debug, error, info, output, warn
        self.assertEqual(LEVELS, {'debug': 10, 'info': 20, 'output': 25, 'warning': 30,
                                  'warn': 30, 'error': 40, 'critical': 50})
        with logged() as out:
            output('a', 1, 'b', '\n')
            info('hidden\n')
            warn('w %s\n')
            debug('hidden\n')
        self.assertEqual(out.getvalue(), 'a 1 b \nw %s\n')
        with logged('debug') as out:
            lg.info('x', 2)
            debug('%d\n')
            error('e')
        self.assertEqual(out.getvalue(), 'x 2%d\ne')

    def test_default_level_and_unknown(self):
        self.assertEqual((lg.level, lg.ch.level), (25, 25))
        with contextlib.redirect_stdout(io.StringIO()) as shown:
            with self.assertRaisesRegex(Exception, '^setLogLevel: unknown levelname bogus$'):
                lg.setLogLevel('bogus')
        self.assertIn("'output': 25", shown.getvalue())

    def test_other_loggers_keep_their_class(self):
        self.assertIs(logging.getLogger('mininet'), lg)
        self.assertIs(type(logging.getLogger('vnetlab-test-other')), logging.Logger)

    def test_stderr_by_default(self):
        code = "from mininet.log import output; output('to stderr')"
        r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                           check=True, env=dict(os.environ, PYTHONPATH=PYTHON))
        self.assertEqual((r.stdout, r.stderr), ('', 'to stderr'))


if __name__ == '__main__':
    unittest.main()
