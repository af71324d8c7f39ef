"""vnetlab.Lab against real labs: up from a dict, nodes, exec, popen and
signals, link down/up, stats, attach, errors, the with statement."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vnetlab  # noqa: E402
from helpers import our_labs, star  # noqa: E402


class LabTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lab = vnetlab.Lab.up(star("vt-py-lab"))

    @classmethod
    def tearDownClass(cls):
        cls.lab.down()
        assert "vt-py-lab" not in our_labs(), "down left the lab"

    def test_nodes_and_interfaces(self):
        lab = self.lab
        self.assertEqual(lab.name, "vt-py-lab")
        self.assertEqual(lab.backend, "ns")
        self.assertEqual([n.name for n in lab.nodes], ["h1", "h2", "h3"])
        self.assertEqual(lab.switches, ["s1"])
        h2 = lab.node("h2")
        self.assertEqual(h2.kind, "linux")
        eth0 = h2.intf("eth0")
        self.assertEqual((eth0.peer, eth0.switch), ("s1:p2", "s1"))
        self.assertIsNotNone(eth0.address)
        self.assertEqual(h2.ip, eth0.address)
        # the address status reports is the one in the node
        out = h2.exec(["ip", "-4", "-o", "addr", "show", "dev", "eth0"], check=True).stdout
        self.assertIn(f"inet {eth0.address}/{eth0.prefix} ", out)
        self.assertRegex(h2.macs()["eth0"], r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")
        self.assertRaises(KeyError, lab.node, "h9")
        self.assertRaises(KeyError, h2.intf, "eth7")
        self.assertEqual([lk.endpoint for lk in lab.links], ["h1:eth0", "h2:eth0", "h3:eth0"])

    def test_exec_output_and_status(self):
        lab = self.lab
        r = lab.exec("h1", ["hostname"])
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "h1\n", ""))
        r = lab.exec("h2", "echo out; echo err >&2; exit 3")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (3, "out\n", "err\n"))
        # an argv list is not a shell line
        self.assertEqual(lab.exec("h1", ["echo", "a;b $x"]).stdout, "a;b $x\n")
        self.assertEqual(lab.exec("h1", ["cat"], input="in\n").stdout, "in\n")
        self.assertEqual(lab.exec("h1", ["cat"], input=b"\x00\xff", text=False).stdout,
                         b"\x00\xff")
        with self.assertRaises(vnetlab.ExecError) as cm:
            lab.exec("h3", "exit 4", check=True)
        self.assertEqual(cm.exception.returncode, 4)
        self.assertIsInstance(cm.exception, subprocess.CalledProcessError)
        r = lab.exec("h1", ["no-such-program-here"])
        self.assertEqual(r.returncode, 127)
        self.assertIn("command not found", r.stderr)
        # vnetlab's own failure is an exception, not a status
        with self.assertRaises(vnetlab.VnetlabError) as cm:
            lab.exec("h9", ["true"])
        self.assertEqual(cm.exception.returncode, 125)
        self.assertIn("no node h9", str(cm.exception))
        # a timeout stops the command's whole process group
        t = time.monotonic()
        with self.assertRaises(subprocess.TimeoutExpired):
            lab.exec("h1", "sleep 31.7 | cat", timeout=0.5)
        self.assertLess(time.monotonic() - t, 5)
        left = lab.exec("h1", ["pgrep", "-f", "sleep 31.7"]).stdout
        self.assertEqual(left, "", "the timed-out command is still running")

    def test_ping_between_nodes(self):
        r = self.lab.exec("h1", ["ping", "-c1", "-W2", "h3"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_popen_signal_reaches_the_command(self):
        p = self.lab.popen("h1", ["sleep", "30"])
        time.sleep(0.3)
        self.assertIn("sleep", self.lab.exec("h1", ["ps", "-o", "comm=", "-p", str(p.pid)]).stdout)
        p.send_signal(signal.SIGINT)
        self.assertEqual(p.wait(5), -signal.SIGINT)
        # ping ends on SIGINT with its summary, as at a terminal
        p = self.lab.popen("h2", ["ping", "-i", "0.2", "h1"], stdout=subprocess.PIPE, text=True)
        time.sleep(1)
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=5)
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("packets transmitted", out)
        self.assertRaises(ValueError, self.lab.popen, "h1", "true", shell=True)

    def test_link_down_and_up(self):
        lab = self.lab
        link = lab.link("h3:eth0")
        self.assertEqual(link.peer, "s1:p3")
        link.down()
        try:
            self.assertFalse(link.show()["up"])
            self.assertNotEqual(lab.exec("h1", ["ping", "-c1", "-W1", "h3"]).returncode, 0,
                                "h1 reaches h3 over a link that is down")
        finally:
            link.up()
        self.assertTrue(link.show()["up"])
        for _ in range(3):  # the first ARP after up may be slow
            if lab.exec("h1", ["ping", "-c1", "-W2", "h3"]).returncode == 0:
                break
        else:
            self.fail("h1 cannot reach h3 once the link is up again")
        with self.assertRaises(vnetlab.VnetlabError) as cm:
            lab.link("h1:eth9").show()
        self.assertIn("h1:eth9", str(cm.exception))

    def test_stats_count_traffic(self):
        lab = self.lab
        lab.exec("h2", ["ping", "-c3", "-i", "0.05", "-s", "1000", "h1"], check=True)
        st = lab.stats()
        self.assertEqual(st["lab"], "vt-py-lab")
        nodes = {n["name"]: n for n in st["nodes"]}
        self.assertEqual(sorted(nodes), ["h1", "h2", "h3"])
        eth0 = {i["name"]: i for i in nodes["h2"]["interfaces"]}["eth0"]
        self.assertGreaterEqual(eth0["tx_bytes"], 3 * 1000)
        self.assertIn("cpu_usec", nodes["h2"]["cgroup"])

    def test_attach_and_labs(self):
        self.assertIn("vt-py-lab", our_labs())
        again = vnetlab.Lab.attach("vt-py-lab")
        self.assertEqual(again.id, self.lab.id)
        self.assertEqual(again.nodes, self.lab.nodes)
        self.assertEqual(again.exec("h3", ["hostname"]).stdout, "h3\n")
        with self.assertRaises(vnetlab.VnetlabError) as cm:
            vnetlab.Lab.attach("vt-py-none")
        self.assertIn("no lab named vt-py-none", cm.exception.message)
        self.assertNotEqual(cm.exception.returncode, 0)


class LifeTest(unittest.TestCase):
    def test_with_downs_the_lab(self):
        with vnetlab.Lab.up("single,2", name="vt-py-with") as lab:
            self.assertEqual([n.name for n in lab.nodes], ["h1", "h2"])
            self.assertIn("vt-py-with", our_labs())
        self.assertNotIn("vt-py-with", our_labs())
        # also when the block fails
        with self.assertRaises(RuntimeError):
            with vnetlab.Lab.up(star("vt-py-with2", 2)):
                raise RuntimeError("inside")
        self.assertNotIn("vt-py-with2", our_labs())

    def test_invalid_dict_says_where(self):
        bad = star("vt-py-bad", 2)
        bad["topology"]["nodes"]["h2"] = {"kind": "linux", "mem": 1}
        with self.assertRaises(vnetlab.VnetlabError) as cm:
            vnetlab.Lab.up(bad)
        e = cm.exception
        self.assertEqual(e.returncode, 1)
        self.assertRegex(e.message, r'^<dict>:(\d+):(\d+): unknown key "mem" in node "h2"')
        line = int(e.message.split(":")[1])
        self.assertIn('"mem"', e.source.splitlines()[line - 1])
        self.assertNotIn("vt-py-bad", our_labs())

    def test_invalid_file_says_where(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bad.yml")
            with open(path, "w") as f:
                f.write("name: vt-py-badf\ntopology:\n  nodes:\n    h1: {kind: bogus}\n")
            with self.assertRaises(vnetlab.VnetlabError) as cm:
                vnetlab.Lab.up(path)
        self.assertRegex(cm.exception.message, rf'^{path}:4:\d+: node "h1": kind "bogus"')

    def test_bad_arguments(self):
        self.assertRaises(TypeError, vnetlab.Lab.up, 42)
        self.assertRaises(ValueError, vnetlab.Lab.up, {"topology": {"nodes": {"h1": {}}}})
        self.assertRaises(ValueError, vnetlab.Lab.up, "single,2", test="pingall")
        with self.assertRaises(vnetlab.VnetlabError) as cm:
            vnetlab.Lab.up("nosuchgen,3", name="vt-py-gen")
        self.assertIn("nosuchgen", cm.exception.message)

    @classmethod
    def tearDownClass(cls):
        assert our_labs() == [], f"labs left: {our_labs()}"


if __name__ == "__main__":
    unittest.main(verbosity=2)
