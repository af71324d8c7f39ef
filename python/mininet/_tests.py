"""Mininet's test methods of Mininet (ping*, iperf, runCpuLimitTest,
configLinkStatus): same arguments, printed lines and return values.

ping() sends each source host's echoes at once (vnetlab's own ICMP echoes
from the host's namespace, as `vnetlab shell`'s pingall; `ping -c1` per
destination in the host's shell where it is not a namespace node), so
pingAll over N hosts takes N rounds, not N x (N - 1) pings one after
another; the lines printed and the loss returned are Mininet's.
"""
import json
import re
import subprocess
import time

from vnetlab import cli as vcli

from .log import debug, error, info, output

_SENT = re.compile(r"(\d+) packets transmitted, (\d+)( packets)? received")
_RTT = re.compile(r"rtt min/avg/max/mdev = (\d+\.\d+)/(\d+\.\d+)/(\d+\.\d+)/(\d+\.\d+) ms")


def _parsePing(pingOutput):
    """(sent, received) of ping's output."""
    if "connect: Network is unreachable" in pingOutput:
        return 1, 0
    m = _SENT.search(pingOutput)
    if m is None:
        error("*** Error: could not parse ping output: %s\n" % pingOutput)
        return 1, 0
    return int(m.group(1)), int(m.group(2))


def _echo_many(node, targets, timeout):
    """{ip: (sent, received)} from vnetlab's own echoes (`vnetlab __echo`:
    one ICMP socket in the node, every destination at once), or None where
    the node is not a namespace node."""
    lab = node._net.lab
    ips = [d.IP() for d in targets]
    p = subprocess.run([vcli.program(), "__echo", lab, node.name, str(float(timeout or 10)),
                        *ips], capture_output=True, text=True)
    if p.returncode == 3:
        return None
    if p.returncode:
        raise RuntimeError(f"vnetlab __echo: {p.stderr.strip()}")
    got = {}
    for line in p.stdout.splitlines():
        ip, received, _rtt = line.split()
        got[ip] = (1, int(received))
    return got


def _ping_many(node, dests, timeout):
    """{dest: (sent, received)}: one echo (ping -c1) from node to each, at once."""
    opts = f"-W {timeout} " if timeout else ""
    targets = [d for d in dests if d.intfs and d.IP()]
    if not targets:
        return {d: (0, 0) for d in dests}
    got = _echo_many(node, targets, timeout)
    if got is not None:
        return {d: got.get(d.IP(), (1, 0)) if d in targets else (0, 0) for d in dests}
    ips = " ".join(d.IP() for d in targets)
    # in a subshell: no job lines from the interactive shell
    out = node.cmd(f"( for _d in {ips}; do ( _o=$(ping -c1 {opts}$_d 2>&1); "
                   "printf '%s %s\\n' \"$_d\" \"$(echo \"$_o\" | grep -Eo "
                   "'[0-9]+ packets transmitted, [0-9]+ (packets )?received|"
                   "Network is unreachable' | head -1)\" ) & done; wait )")
    got = {}
    for line in out.splitlines():
        ip, _, rest = line.strip().partition(" ")
        got[ip] = _parsePing(rest) if rest else (1, 0)
    res = {}
    for d in dests:
        res[d] = got.get(d.IP(), (1, 0)) if d in targets else (0, 0)
    return res


def ping(self, hosts=None, timeout=None):
    """Ping between all of hosts (default: every host); the loss in %."""
    packets = lost = 0
    if not hosts:
        hosts = self.hosts
        output("*** Ping: testing ping reachability\n")
    for node in hosts:
        output("%s -> " % node.name)
        dests = [d for d in hosts if d is not node]
        res = _ping_many(node, dests, timeout)
        for dest in dests:
            sent, received = res[dest]
            packets += sent
            if received > sent:
                error("*** Error: received too many packets")
                raise SystemExit(1)
            lost += sent - received
            output(("%s " % dest.name) if received else "X ")
        output("\n")
    if packets > 0:
        ploss = 100.0 * lost / packets
        output("*** Results: %i%% dropped (%d/%d received)\n" % (ploss, packets - lost, packets))
    else:
        ploss = 0
        output("*** Warning: No packets sent\n")
    return ploss


def _parsePingFull(pingOutput):
    """(sent, received, rttmin, rttavg, rttmax, rttdev) of ping's output."""
    bad = (1, 0, 0, 0, 0, 0)
    if re.search(r"[uU]nreachable", pingOutput):
        return bad
    m = _SENT.search(pingOutput)
    if m is None:
        error("*** Error: could not parse ping output: %s\n" % pingOutput)
        return bad
    sent, received = int(m.group(1)), int(m.group(2))
    m = _RTT.search(pingOutput)
    if m is None:
        if received:
            error("*** Error: could not parse ping output: %s\n" % pingOutput)
        return bad
    return (sent, received) + tuple(float(m.group(i)) for i in range(1, 5))


def pingFull(self, hosts=None, timeout=None):
    """Ping between all of hosts: [(src, dst, (sent, received, min, avg, max, mdev))]."""
    outs = []
    if not hosts:
        hosts = self.hosts
        output("*** Ping: testing ping reachability\n")
    for node in hosts:
        output("%s -> " % node.name)
        for dest in hosts:
            if dest is node:
                continue
            opts = "-W %s" % timeout if timeout else ""
            res = _parsePingFull(node.cmd("ping -c1 %s %s" % (opts, dest.IP())))
            outs.append((node, dest, res))
            output(("%s " % dest.name) if res[1] else "X ")
        output("\n")
    output("*** Results: \n")
    for src, dest, res in outs:
        output(" %s->%s: %s/%s, " % (src, dest, res[0], res[1]))
        output("rtt min/avg/max/mdev %0.3f/%0.3f/%0.3f/%0.3f ms\n" % res[2:])
    return outs


def pingAll(self, timeout=None):
    return self.ping(timeout=timeout)


def pingPair(self):
    return self.ping(hosts=[self.hosts[0], self.hosts[1]])


def pingAllFull(self):
    return self.pingFull()


def pingPairFull(self):
    return self.pingFull(hosts=[self.hosts[0], self.hosts[1]])


def _parseIperf(iperfOutput):
    """The last rate in iperf's output ("9.57 Mbits/sec"), or ''."""
    m = re.findall(r"([\d\.]+ \w+/sec)", iperfOutput)
    if m:
        return m[-1]
    error("could not parse iperf output: " + iperfOutput)
    return ""


def _wait_listening(client, ip, port, timeout=20):
    # one TCP connection once the server listens (iperf reports it: the
    # server's first '/sec' line, as after Mininet's probe)
    probe = f"bash -c 'exec 3<>/dev/tcp/{ip}/{port}' 2>/dev/null && echo open"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if "open" in client.cmd(probe):
            return True
        time.sleep(.1)
    return False


def iperf(self, hosts=None, l4Type="TCP", udpBw="10M", fmt=None, seconds=5, port=5001):
    """iperf (2) from the first host to the last (or hosts = [client,
    server]): [server's rate, client's rate] (UDP: [udpBw, server, client])."""
    hosts = hosts or [self.hosts[0], self.hosts[-1]]
    assert len(hosts) == 2
    client, server = hosts
    output("*** Iperf: testing", l4Type, "bandwidth between", client, "and", server, "\n")
    server.cmd("killall -9 iperf")
    args = "iperf -p %d " % port
    bwArgs = ""
    if l4Type == "UDP":
        args += "-u "
        bwArgs = "-b " + udpBw + " "
    elif l4Type != "TCP":
        raise Exception("Unexpected l4 type: %s" % l4Type)
    if fmt:
        args += "-f %s " % fmt
    server.sendCmd(args + "-s")
    if l4Type == "TCP" and not _wait_listening(client, server.IP(), port):
        raise Exception("Could not connect to iperf on port %d" % port)
    cliout = client.cmd(args + "-t %d -c " % seconds + server.IP() + " " + bwArgs)
    debug("Client output: %s\n" % cliout)
    # the server's report of the test (iperf 2.1 reports nothing for the
    # probe's empty connection, older versions a 0 bits/sec line: read
    # until a report and then until the server falls quiet)
    servout = ""
    end = time.monotonic() + seconds + 15
    while "/sec" not in servout and time.monotonic() < end:
        servout += server.monitor(timeoutms=1000)
    while True:
        more = server.monitor(timeoutms=300)
        if not more:
            break
        servout += more
    server.sendInt()
    servout += server.waitOutput()
    debug("Server output: %s\n" % servout)
    result = [_parseIperf(servout), _parseIperf(cliout)]
    if l4Type == "UDP":
        result.insert(0, udpBw)
    output("*** Results: %s\n" % result)
    return result


def _cpu_usec(lab):
    doc = json.loads(vcli.run(["stats", lab, "--json"]))
    return {n["name"]: n.get("cgroup", {}).get("cpu_usec", 0) for n in doc["nodes"]}


def runCpuLimitTest(self, cpu, duration=5):
    """Busy loops in every host for duration s: each second's CPU use of each
    host as a % of the machine (from the hosts' cgroups, vnetlab stats)."""
    import math
    import os
    info("*** Testing CPU %.0f%% bandwidth limit\n" % (cpu * 100))
    cores = os.cpu_count()
    procs = int(math.ceil(cores * cpu))
    pids = {}
    for h in self.hosts:
        pids[h] = []
        for _ in range(procs):
            h.cmd("while true; do a=1; done &")
            pids[h].append(h.cmd("echo $!").strip())
    outs = {h: [] for h in self.hosts}
    last = _cpu_usec(self.lab)
    for _ in range(duration):
        time.sleep(1)
        now = _cpu_usec(self.lab)
        for h in self.hosts:
            outs[h].append((now[h.name] - last[h.name]) / 1e6 / cores * 100)
        last = now
    for h, ps in pids.items():
        for pid in ps:
            h.cmd("kill -9 %s" % pid)
    fractions = [pct for h in self.hosts for pct in outs[h]]
    output("*** Results: %s\n" % fractions)
    return fractions


def configLinkStatus(self, src, dst, status):
    """Take the links between nodes src and dst (names) up or down."""
    if src not in self.nameToNode:
        error("src not in network: %s\n" % src)
        return
    if dst not in self.nameToNode:
        error("dst not in network: %s\n" % dst)
        return
    src, dst = self.nameToNode[src], self.nameToNode[dst]
    conns = src.connectionsTo(dst)
    if not conns:
        error("src and dst not connected: %s %s\n" % (src, dst))
    for a, b in conns:
        for intf, which in ((a, "src"), (b, "dst")):
            result = intf.ifconfig(status)
            if result:
                error("link %s status change failed: %s\n" % (which, result))


_parsePing = staticmethod(_parsePing)
_parsePingFull = staticmethod(_parsePingFull)
_parseIperf = staticmethod(_parseIperf)
