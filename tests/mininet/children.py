#!/usr/bin/env python3
"""Under vnetlab py, the script's own Python children import this package
too (Mininet's tests run examples as `python -m ...` in a child)."""
import os
import subprocess
import sys
from mncheck import check

pkg = os.path.dirname(os.path.dirname(os.path.abspath(__import__("mininet").__file__)))
out = subprocess.run([sys.executable, "-c", "import mininet, os; print(mininet.__file__)"],
                     capture_output=True, text=True).stdout.strip()
check(out.startswith(pkg + os.sep), f"a child python's mininet is vnetlab's ({out})")
check(os.environ.get("VNETLAB", "").endswith("vnetlab"), "VNETLAB names the vnetlab program")
