"""One persistent shell per node, as Mininet's nodes have.

The shell is bash on a pseudo-terminal, started in the node by `vnetlab
exec` (which becomes the shell: its pid is the shell's), with the prompt
set to a sentinel byte (0x7f) so that the end of a command's output is
known. State (variables, the working directory, background jobs) lasts
from one cmd() to the next; output keeps the terminal's line endings
(\\r\\n), as Mininet's does. Shells are started when first needed, not when
the node is made: a network of 1,000 hosts costs one shell per host that
runs a command.
"""
import codecs
import fcntl
import os
import re
import select
import signal
import subprocess
import termios
import pty

from .log import debug, error, info, output, warn

SENTINEL = chr(127)
# what `cmd &` prints: bash's job line, and our own \001PID\r\n after it
_JOB_LINE = re.compile(r"\[\d+\] \d+\r\n")
_PID_MARK = re.compile("\x01" + r"(\d+)\r\n")
def _take_tty():
    # the child is a session leader (start_new_session): the pty becomes
    # its controlling terminal, so ^C written to it interrupts the command
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Shell:
    """The shell mechanics of a node; the node provides _shell_argv()."""

    inToNode = {}
    outToNode = {}

    def _shell_init(self):
        self.shell = None
        self._pid = None
        self._tty = None
        self.master = self.slave = None
        self.pollOut = None
        self.lastPid = None
        self.lastCmd = None
        self.waiting = False
        self.execed = False
        self.readbuf = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    @classmethod
    def fdToNode(cls, fd):
        """The node whose shell reads or writes fd."""
        return cls.outToNode.get(fd) or cls.inToNode.get(fd)

    @property
    def stdout(self):
        """The shell's terminal (a file; poll it, as Mininet's net.monitor
        does): the shell is started if it was not."""
        if not self.shell:
            self.startShell()
        return self._tty

    stdin = stdout

    @property
    def pid(self):
        """The pid of the node's shell (started if it was not)."""
        if not self.shell:
            self.startShell()
        return self._pid

    @pid.setter
    def pid(self, value):
        self._pid = value

    def startShell(self, mnopts=None):
        """Start the node's shell (bash on a pseudo-terminal, in the node)."""
        if self.shell:
            error(f"{self.name}: shell is already running\n")
            return
        argv = self._shell_argv()
        env = dict(os.environ, PS1=SENTINEL, PS2="", TERM="dumb")
        self.master, self.slave = pty.openpty()
        self.shell = subprocess.Popen(
            argv, stdin=self.slave, stdout=self.slave, stderr=self.slave,
            env=env, start_new_session=True, preexec_fn=_take_tty, close_fds=True)
        self._pid = self.shell.pid
        self._tty = os.fdopen(self.master, "rb", buffering=0)
        self.pollOut = select.poll()
        self.pollOut.register(self.master, select.POLLIN)
        Shell.outToNode[self.master] = self
        Shell.inToNode[self.master] = self
        self.readbuf = ""
        # up to the first prompt (bash's words about job control included)
        got = ""
        while not got.endswith(SENTINEL):
            if self.shell.poll() is not None and not self._readable(0):
                raise RuntimeError(f"{self.name}: its shell ended at once: {got!r}")
            if self._readable(5000):
                got += self._read_raw(1024)
        self.readbuf = ""
        self.waiting = False
        self.cmd("unset HISTFILE; stty -echo; set +m")

    def _readable(self, timeoutms):
        return bool(self.pollOut.poll(timeoutms))

    def _read_raw(self, size):
        try:
            data = os.read(self.master, size)
        except OSError:  # EIO: the shell is gone
            data = b""
        return self.decoder.decode(data)

    # --- Mininet's shell API -------------------------------------------
    def read(self, size=1024):
        """Up to size characters of the shell's output (may block)."""
        if len(self.readbuf) < size:
            self.readbuf += self._read_raw(size - len(self.readbuf))
        out, self.readbuf = self.readbuf[:size], self.readbuf[size:]
        return out

    def readline(self):
        """A line of output without its newline, or None if no whole line yet."""
        self.readbuf += self.read(1024)
        if "\n" not in self.readbuf:
            return None
        line, _, self.readbuf = self.readbuf.partition("\n")
        return line

    def write(self, data):
        """Write data to the shell."""
        os.write(self.master, data.encode() if isinstance(data, str) else data)

    def waitReadable(self, timeoutms=None):
        """Wait until output can be read (timeoutms: None waits forever)."""
        if not self.readbuf:
            return self.pollOut.poll(timeoutms)
        return None

    def sendCmd(self, *args, **kwargs):
        """Send a command without waiting for it; waitOutput() reads its output."""
        if not self.shell:
            self.startShell()
        assert not self.waiting, f"{self.name}: a command is still running"
        if len(args) == 1 and isinstance(args[0], list):
            cmd = args[0]
        else:
            cmd = args
        if not isinstance(cmd, str):
            cmd = " ".join(str(c) for c in cmd)
        if not re.search(r"\w", cmd):
            cmd = "echo -n"
        self.lastCmd = cmd
        if cmd.rstrip().endswith("&"):
            # the job's pid, for lastPid (Mininet prints it the same way)
            cmd = cmd.rstrip() + ' printf "\\001%d\\012" $! '
        # a foreground command's pid is not shown: there is no mnexec -p
        self.write(cmd + "\n")
        self.lastPid = None
        self.waiting = True

    def sendInt(self, intr=chr(3)):
        """Interrupt the running command (^C on the shell's terminal)."""
        debug("sendInt: writing chr(%d)\n" % ord(intr))
        self.write(intr)

    def monitor(self, timeoutms=None, findPid=True):
        """Output of the running command read so far (waits up to timeoutms)."""
        if not self.waitReadable(timeoutms) and not self.readbuf:
            return ""
        data = self.read(1024)
        if findPid and "\x01" in data:
            data = _JOB_LINE.sub("", data)
            while not _PID_MARK.search(data):
                data += self.read(1024)
            m = _PID_MARK.search(data)
            self.lastPid = int(m.group(1))
            data = _PID_MARK.sub("", data)
        if SENTINEL in data:
            self.waiting = False
            data = data.replace(SENTINEL, "")
        elif data == "" and self.shell.poll() is not None:
            self.waiting = False
        return data

    def waitOutput(self, verbose=False, findPid=True):
        """Wait for the running command to end; its output."""
        log = output if verbose else debug
        out = ""
        while self.waiting:
            data = self.monitor(findPid=findPid)
            out += data
            log(data)
        return out

    def cmd(self, *args, **kwargs):
        """Run a command in the node's shell; its output (\\r\\n line endings)."""
        verbose = kwargs.get("verbose", False)
        (info if verbose else debug)(f"*** {self.name} : {args}\n")
        if self.shell and self.shell.poll() is not None:
            warn(f"shell died on {self.name}: starting another\n")
            self.cleanup()
        if not self.shell:
            self.startShell()
        self.sendCmd(*args, **kwargs)
        return self.waitOutput(verbose)

    def cmdPrint(self, *args):
        """cmd() with its output printed as it comes."""
        return self.cmd(*args, verbose=True)

    def terminate(self):
        """Hang up the node's shell (and what it started) and forget it."""
        if self.shell and self.shell.poll() is None:
            try:
                os.killpg(self.shell.pid, signal.SIGHUP)
            except ProcessLookupError:
                pass
        self.cleanup()

    def cleanup(self):
        """Close the shell's terminal and reap it."""
        if not self.shell:
            return
        Shell.outToNode.pop(self.master, None)
        Shell.inToNode.pop(self.master, None)
        try:
            self._tty.close()
        except OSError:
            pass
        try:
            os.close(self.slave)
        except OSError:
            pass
        try:
            self.shell.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.shell.kill()
            self.shell.wait()
        self.shell = None
        self.waiting = False
        self.readbuf = ""
