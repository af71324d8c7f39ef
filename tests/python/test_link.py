"""Link.set against a real lab: a rate set at runtime, measured by iperf 2."""
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vnetlab  # noqa: E402
from helpers import our_labs, star  # noqa: E402


class LinkRateTest(unittest.TestCase):
    def iperf_mbit(self, lab, client, server, secs=2):
        """TCP goodput client -> server in Mbit/s (iperf 2, CSV report)."""
        srv = lab.popen(server, ["iperf", "-s"], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.3)
            r = lab.exec(client, ["iperf", "-c", server, "-t", str(secs), "-y", "C"],
                         check=True, timeout=secs + 10)
        finally:
            srv.terminate()
            srv.wait(5)
        return float(r.stdout.strip().splitlines()[-1].split(",")[-1]) / 1e6

    def test_set_bw_is_measured(self):
        with vnetlab.Lab.up(star("vt-py-rate", 2)) as lab:
            link = lab.link(("h2", "eth0"))
            shown = link.set(bw=10)
            self.assertEqual((shown["out"], shown["in"]), ("rate 10Mbit", "rate 10Mbit"))
            self.assertEqual(link.show()["in"], "rate 10Mbit")
            mbit = self.iperf_mbit(lab, "h1", "h2")
            print(f"10 Mbit/s link: {mbit:.2f} Mbit/s of TCP goodput", file=sys.stderr)
            self.assertTrue(10 * 0.8 <= mbit <= 10 * 1.2, f"{mbit:.2f} Mbit/s on a 10 Mbit/s link")
            # one direction, in vnetlab's own units; clear resets it
            shown = link.set(direction="out", bw="2Mbit")
            self.assertEqual((shown["out"], shown["in"]), ("rate 2Mbit", "rate 10Mbit"))
            shown = link.set(direction="out", clear=True)
            self.assertEqual(shown["out"], "none")
            self.assertRaises(TypeError, link.set, speed=3)
            with self.assertRaises(vnetlab.VnetlabError) as cm:
                link.set(bw="fast")
            self.assertIn("fast", cm.exception.message)
        self.assertEqual(our_labs(), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
