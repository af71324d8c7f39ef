"""Commands in a node: vnetlab exec, run to its end or as a Popen.

vnetlab exec becomes the command (or, in a node with its own pid
namespace, passes signals on to it), so a Popen's pid, send_signal() and
returncode are the command's. A str is run by sh -c in the node, as given;
a list is the argv itself.
"""
import os
import signal
import subprocess

from . import cli
from .errors import ExecError, VnetlabError

# vnetlab exec's own failures (its message on stderr starts "vnetlab: ")
EXEC_FAILED = 125


def argv_of(lab, node, cmd, detach=False):
    """`vnetlab exec LAB NODE -- ...` for cmd (a str: sh -c cmd)."""
    if isinstance(cmd, str):
        cmd = ["sh", "-c", cmd]
    else:
        cmd = [os.fspath(c) if isinstance(c, os.PathLike) else c for c in cmd]
        if not cmd or not all(isinstance(c, str) for c in cmd):
            raise TypeError(f"command: a str or a non-empty list of str, not {cmd!r}")
    return [cli.program(), "exec", *(["-d"] if detach else []), lab, node, "--", *cmd]


def _stop(p):
    """Stop p's process group: SIGTERM, then SIGKILL after a second."""
    for sig, wait in ((signal.SIGTERM, 1.0), (signal.SIGKILL, None)):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            return
        try:
            p.wait(wait)
            return
        except subprocess.TimeoutExpired:
            pass


def run(lab, node, cmd, check=False, timeout=None, input=None, text=True):
    """Run cmd in the node to its end: a subprocess.CompletedProcess.

    stdout and stderr are captured (str, or bytes if text=False); stdin is
    input, else /dev/null. timeout (s): the command's process group gets
    SIGTERM, then SIGKILL, and subprocess.TimeoutExpired is raised. The
    returncode is the command's (128+N if signal N killed it). vnetlab's own
    failure (no such lab or node) raises VnetlabError; check=True also
    raises ExecError for any other non-zero status.
    """
    argv = argv_of(lab, node, cmd)
    shown = cmd if isinstance(cmd, str) else list(cmd)
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=text,
                         start_new_session=True)
    try:
        out, err = p.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        _stop(p)
        out, err = p.communicate()
        raise subprocess.TimeoutExpired(shown, timeout, out, err) from e
    except BaseException:
        _stop(p)
        raise
    if p.returncode == EXEC_FAILED:
        text_err = err if text else err.decode(errors="replace")
        last = text_err.strip().splitlines()[-1:] or [""]
        if last[0].startswith("vnetlab: "):
            raise VnetlabError(cli.message_of(last[0]), p.returncode, argv)
    # killed by signal N: 128+N, as vnetlab exec says it from a pid namespace
    rc = 128 - p.returncode if p.returncode < 0 else p.returncode
    if check and rc != 0:
        raise ExecError(node, shown, rc, out, err)
    return subprocess.CompletedProcess(shown, rc, out, err)


def popen(lab, node, cmd, **kw):
    """A subprocess.Popen of cmd running in the node; kw as Popen's
    (stdin, stdout, stderr, text, start_new_session, ...). Its pid is the
    command's own, or in a node with its own pid namespace a parent that
    passes every signal on; a command killed by signal N has returncode -N,
    or 128+N from such a parent."""
    if kw.get("shell"):
        raise ValueError("popen: no shell=True; give a str to run it with sh -c in the node")
    if "executable" in kw or "args" in kw:
        raise ValueError("popen: the command is cmd; no executable= or args=")
    return subprocess.Popen(argv_of(lab, node, cmd), **kw)


def detach(lab, node, cmd):
    """Start cmd as a daemon in the node (vnetlab exec -d): vnetlab's line
    "NODE: started CMD, pid N, log PATH"; it ends with the lab."""
    argv = argv_of(lab, node, cmd, detach=True)
    return cli.run(argv[1:]).strip()
