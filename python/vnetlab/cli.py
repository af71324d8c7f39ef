"""Running the vnetlab program: where it is, and its errors as VnetlabError.

Every call is an argv list (never a shell string); what vnetlab prints on
stderr on success (its warnings) goes on to our stderr, never swallowed.
"""
import json
import os
import shutil
import subprocess
import sys

from .errors import VnetlabError

_TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def program():
    """The vnetlab program: $VNETLAB, else vnetlab on PATH, else this tree's build."""
    env = os.environ.get("VNETLAB")
    if env:
        return env
    found = shutil.which("vnetlab")
    if found:
        return found
    for b in ("build/vnetlab", "build/san/vnetlab"):
        path = os.path.join(_TREE, b)
        if os.access(path, os.X_OK):
            return path
    raise VnetlabError("no vnetlab program: set $VNETLAB, put vnetlab on PATH "
                       "or build this tree (make)")


def message_of(stderr):
    """The CLI's error text: its lines without their "vnetlab: " prefix."""
    lines = [ln[len("vnetlab: "):] if ln.startswith("vnetlab: ") else ln
             for ln in stderr.strip().splitlines()]
    return "\n".join(lines)


def run(args, source=None, replace=None):
    """Run `vnetlab ARGS...`; its stdout. A non-zero exit raises VnetlabError.

    replace: (old, new) applied to the error message (a temporary file's
    path shown as what the caller gave).
    """
    argv = [program(), *args]
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if p.returncode != 0:
        msg = message_of(p.stderr) or f"exit status {p.returncode}"
        if replace:
            msg = msg.replace(*replace)
        raise VnetlabError(msg, p.returncode, argv, source)
    if p.stderr:
        sys.stderr.write(p.stderr)
    return p.stdout


def run_json(args, **kw):
    """Run vnetlab with --json among ARGS; its output parsed."""
    out = run(args, **kw)
    try:
        return json.loads(out)
    except ValueError as e:
        raise VnetlabError(f"vnetlab {args[0]}: output is not JSON ({e}): {out[:200]!r}",
                           0, [program(), *args]) from e
