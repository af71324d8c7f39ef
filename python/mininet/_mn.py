"""Mininet's `mn` over this package, for what needs Python: --custom FILE
(topos, switches, hosts, controllers, links, tests, validate defined in
it). `vnetlab mn --custom ...` runs this (python3 -m mininet._mn ARGS);
mn's other command lines are run by vnetlab mn itself, without Python.
"""
import argparse
import os
import sys
import time

from . import Unsupported
from . import cli as mncli
from .clean import cleanup
from .link import Link, OVSLink, TCLink, TCULink
from .log import LEVELS, error, info, lg
from .net import VERSION, Mininet
from .node import (CPULimitedHost, Controller, Host, IVSSwitch, NOX, OVSBridge,
                   OVSController, OVSSwitch, RemoteController, Ryu, UserSwitch)
from .nodelib import LinuxBridge
from .topo import LinearTopo, MinimalTopo, SingleSwitchReversedTopo, SingleSwitchTopo
from .topolib import TorusTopo, TreeTopo
from .util import buildTopo, customClass, specialClass, splitArgs

TOPOS = {"minimal": MinimalTopo, "linear": LinearTopo, "reversed": SingleSwitchReversedTopo,
         "single": SingleSwitchTopo, "tree": TreeTopo, "torus": TorusTopo}
SWITCHES = {"user": UserSwitch, "ovs": OVSSwitch, "ovsbr": OVSBridge, "ovsk": OVSSwitch,
            "ivs": IVSSwitch, "lxbr": LinuxBridge, "default": OVSSwitch}
HOSTS = {"proc": Host, "rt": specialClass(CPULimitedHost, defaults=dict(sched="rt")),
         "cfs": specialClass(CPULimitedHost, defaults=dict(sched="cfs"))}
CONTROLLERS = {"ref": Controller, "ovsc": OVSController, "nox": NOX,
               "remote": RemoteController, "ryu": Ryu, "default": Controller, "none": None}
LINKS = {"default": Link, "tc": TCLink, "tcu": TCULink, "ovs": OVSLink}


def _all_test(net):
    net.start()
    net.ping()
    net.iperf()


TESTS = {name: True for name in ("pingall", "pingpair", "iperf", "iperfudp")}
TESTS.update(all=_all_test, none=lambda _net: None, build=lambda _net: None)
ALTSPELLING = {"pingall": "pingAll", "pingpair": "pingPair", "iperfudp": "iperfUdp"}


def _iperf_udp(net, udpBw="10M"):
    return net.iperf(l4Type="UDP", udpBw=udpBw)


class UsageError(Exception):
    """A command line mn cannot run: said as vnetlab's usage errors are."""


class Runner:
    """mn: parse, build, run the tests or the CLI, stop."""

    def __init__(self, argv):
        self.validate = None
        self.cli = None
        self.opts = self.parse(argv)

    def load_custom(self, value):
        files = [value] if os.path.isfile(value) else value.split(",")
        for name in files:
            if not os.path.isfile(name):
                raise UsageError(f"--custom {name}: could not find custom file")
            customs = {}
            with open(name) as f:
                exec(compile(f.read(), name, "exec"), customs, customs)
            for key, val in customs.items():
                self.set_custom(key, val)

    def set_custom(self, name, value):
        tables = {"topos": TOPOS, "switches": SWITCHES, "hosts": HOSTS,
                  "controllers": CONTROLLERS, "links": LINKS, "tests": TESTS}
        if name in tables:
            tables[name].update(value)
        elif name == "validate":
            self.validate = value
        elif name == "CLI":
            self.cli = value

    def parse(self, argv):
        p = argparse.ArgumentParser(prog="vnetlab mn", description="mn over vnetlab")
        p.add_argument("--switch", default="default")
        p.add_argument("--host", default="proc")
        p.add_argument("--controller", action="append", default=[])
        p.add_argument("--link", default="default")
        p.add_argument("--topo", default="minimal")
        p.add_argument("-c", "--clean", action="store_true")
        p.add_argument("--custom", action="append", default=[])
        p.add_argument("--test", action="append", default=[])
        p.add_argument("-x", "--xterms", action="store_true")
        p.add_argument("-i", "--ipbase", default="10.0.0.0/8")
        p.add_argument("--mac", action="store_true")
        p.add_argument("--arp", action="store_true")
        p.add_argument("-v", "--verbosity", default="info", choices=list(LEVELS))
        p.add_argument("--innamespace", action="store_true")
        p.add_argument("--listenport", type=int, default=6654)
        p.add_argument("--nolistenport", action="store_true")
        p.add_argument("--nat", nargs="?", const="", default=None)
        p.add_argument("--version", action="store_true")
        p.add_argument("--wait", action="store_true")
        p.add_argument("--twait", type=float)
        p.add_argument("--pin", action="store_true")
        p.add_argument("--pre")
        p.add_argument("--post")
        p.add_argument("--cluster")
        p.add_argument("--placement")
        p.add_argument("--port", type=int)
        opts = p.parse_args(argv)
        for c in opts.custom:  # before the names they define are looked up
            self.load_custom(c)
        return opts

    def run(self):
        o = self.opts
        if o.version:
            print(VERSION)
            return 0
        lg.setLogLevel(o.verbosity)
        if o.clean:
            cleanup()
            return 0
        if o.cluster or o.placement:
            raise Unsupported("mn --cluster", "use vnetlab up --hosts for a lab over hosts")
        start = time.time()
        topo = buildTopo(TOPOS, o.topo)
        switch = customClass(SWITCHES, o.switch)
        host = customClass(HOSTS, o.host)
        controller = [customClass(CONTROLLERS, c) for c in (o.controller or ["default"])]
        controller = [c for c in controller if c] or None
        link = customClass(LINKS, o.link)
        if self.validate:
            self.validate(o)
        net = Mininet(topo=topo, switch=switch, host=host, controller=controller, link=link,
                      ipBase=o.ipbase, inNamespace=o.innamespace, xterms=o.xterms,
                      autoSetMacs=o.mac, autoStaticArp=o.arp, autoPinCpus=o.pin,
                      waitConnected=o.wait, listenPort=None if o.nolistenport else o.listenport)
        if o.nat is not None:
            _, args, kwargs = splitArgs("nat," + o.nat if o.nat else "nat")
            net.addNAT(*args, **kwargs).configDefault()
        cli = self.cli or mncli.CLI
        if o.pre:
            cli(net, script=o.pre)
        net.start()
        if o.test:
            self.run_tests(net, o.test)
        else:
            cli(net)
        if o.post:
            cli(net, script=o.post)
        net.stop()
        info("completed in %0.3f seconds\n" % (time.time() - start))
        return 0

    @staticmethod
    def run_tests(net, options):
        for option in options:
            for test in option.split("+"):
                test, args, kwargs = splitArgs(test)
                test = ALTSPELLING.get(test.lower(), test)
                fn = TESTS.get(test, test)
                if test == "iperfUdp":
                    _iperf_udp(net, *args, **kwargs)
                elif callable(fn):
                    fn(net, *args, **kwargs)
                elif hasattr(net, test):
                    getattr(net, test)(*args, **kwargs)
                else:
                    raise Exception("Test %s is unknown - please specify one of %s "
                                    % (test, list(TESTS)))


def main(argv=None):
    try:
        return Runner(sys.argv[1:] if argv is None else argv).run()
    except KeyboardInterrupt:
        info("\n\nKeyboard Interrupt. Shutting down and cleaning up...\n\n")
        return 130
    except UsageError as e:
        sys.stderr.write(f"vnetlab mn: {e}\n")
        return 2
    except Unsupported as e:
        error(f"*** {e}\n")
        return 2
    except Exception as e:  # mn's way: the exception's type and text
        error("-" * 80 + "\nCaught exception. Cleaning up...\n\n%s: %s\n" %
              (type(e).__name__, e) + "-" * 80 + "\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())

