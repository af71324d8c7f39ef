#!/usr/bin/env python3
# vnetlab shell on a real pseudo-terminal, as a user types at it: the
# prompt, Tab completion of a node name and of an interface, a command's
# output (node names made addresses), Ctrl-C of a running ping (the shell
# stays), Ctrl-C at the prompt, Ctrl-D; then the history file.
# Usage: shell_pty.py VNETLAB LAB HISTORY_FILE   (lab: nodes alpha, bravo, charlie)
# Prints what failed and exits 1; 0 when everything was as expected.
import os
import pty
import re
import select
import sys
import time

vnetlab, lab, hist = sys.argv[1:4]
prompt = "vnetlab:%s> " % lab
out = ""


def fail(msg):
    tail = out[-1500:]
    print("FAIL: %s\n--- the terminal showed (last 1500 characters):\n%s" % (msg, tail))
    sys.exit(1)


def read_until(fd, pattern, timeout=20.0, since=0):
    """Read the terminal until pattern (a regex) is in what came after since."""
    global out
    end = time.time() + timeout
    while not re.search(pattern, out[since:]):
        left = end - time.time()
        if left <= 0:
            fail("no %r within %.0f s" % (pattern, timeout))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                fail("the shell ended while waiting for %r" % pattern)
            out += data.decode("utf-8", "replace")
    return re.search(pattern, out[since:])


def send(fd, text):
    os.write(fd, text.encode())


env = dict(os.environ, VNETLAB_HISTORY=hist, TERM="xterm", HOME="/nonexistent")
pid, fd = pty.fork()
if pid == 0:
    os.execve(vnetlab, [vnetlab, "shell", lab], env)

read_until(fd, re.escape(prompt))

# a node name completed (the first word), then another as an argument
mark = len(out)
send(fd, "alp\t")
read_until(fd, r"ha ", since=mark)
send(fd, "ping -c1 -W2 brav\t")
read_until(fd, r"o ", since=mark)
mark = len(out)
send(fd, "\r")
m = read_until(fd, r"PING (\d+\.\d+\.\d+\.\d+)", since=mark)
read_until(fd, r"1 packets transmitted, 1 received", since=mark)
read_until(fd, re.escape(prompt), since=mark)

# an interface completed: the only one of alpha
mark = len(out)
send(fd, "link alpha:\t")
read_until(fd, r"eth0 ", since=mark)
send(fd, "show\r")
read_until(fd, r"link alpha:eth0 - s1:p1 \(up", since=mark)
read_until(fd, re.escape(prompt), since=mark)

# a command's output
mark = len(out)
send(fd, "nodes\r")
read_until(fd, r"available nodes are: \s*\r?\nalpha bravo charlie s1", since=mark)
read_until(fd, re.escape(prompt), since=mark)

# Ctrl-C stops a running ping, not the shell
mark = len(out)
send(fd, "alpha ping -i 0.2 charlie\r")
read_until(fd, r"bytes from .*\n.*bytes from", since=mark)
send(fd, "\x03")
read_until(fd, r"packets transmitted", since=mark)
read_until(fd, re.escape(prompt), since=mark)

# the shell still works: and Ctrl-C at the prompt drops the line only
mark = len(out)
send(fd, "pingall-not-this")
read_until(fd, r"not-this", since=mark)  # echoed: the line editor has it
mark = len(out)
send(fd, "\x03")
read_until(fd, re.escape(prompt), since=mark)
mark = len(out)
send(fd, "help link\r")
read_until(fd, r"NODE:IF \[show", since=mark)
read_until(fd, re.escape(prompt), since=mark)

# Ctrl-D leaves, with the last command's status
send(fd, "\x04")
end = time.time() + 10
while True:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            if not os.read(fd, 4096):
                break
        except OSError:
            break
    if time.time() > end:
        fail("Ctrl-D did not end the shell")
_, status = os.waitpid(pid, 0)
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    fail("the shell's exit status: %r, want 0 (help link's)" % status)

# libedit's file: one line each, encoded as vis(3) does (\040 a blank)
lines = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), open(hist).read())
for want in ("alpha ping -c1 -W2 bravo", "link alpha:eth0 show", "nodes"):
    if want not in lines:
        fail("history lacks %r (completion or history): %r" % (want, lines))
if "pingall-not-this" in lines:
    fail("a line dropped by Ctrl-C is in the history")
print("pty: prompt, completion (alpha, bravo, alpha:eth0), output (%s), Ctrl-C, Ctrl-D, history"
      % m.group(1))
