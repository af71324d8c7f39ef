/* vnetlab-agent: the guest agent of the vm backend, a small static program
 * (libc and proto.c only). In a guest it is /init, PID 1: it mounts the
 * pseudo file systems, sets the hostname and configures the network from
 * the kernel command line, reaps every orphan, finds its virtio-serial
 * port by name and serves the host's requests on it (proto.h): commands
 * with stdin/stdout/stderr or a pty, signals, exit status and rusage,
 * files, statistics, power off.
 *
 *   vnetlab-agent                   as PID 1 (the guest's init)
 *   vnetlab-agent --serve-fd N      serve the stream on fd N, exit at its end
 *   vnetlab-agent --socket PATH     listen on a UNIX socket, one host at a time
 *   vnetlab-agent --configure 'vl.if=eth0,10.0.0.1/24 ...'
 *                                   apply a command line's settings here, exit
 *
 * Kernel command line: vl.hostname=NAME, vl.if=IF,ADDR/LEN[,MTU][,mac=MAC]
 * (repeatable; with mac= the interface with that address is renamed IF),
 * vl.route=DEST/LEN|default,[via,]GW[,dev,IF] (repeatable), vl.gw=GW,
 * vl.forward=1. As PID 1 it first loads the modules listed in
 * /lib/modules/load-order (for a generic kernel). Problems are logged on
 * the console and reported in READY's notes.
 *
 * Touches: as PID 1 the whole guest (mounts, hostname, interfaces and
 * routes through ioctl and rtnetlink, power); otherwise only the processes
 * it starts and the files it is asked to write. Single-threaded, one poll
 * loop; every fd it opens is close-on-exec. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vm/proto.h"

#define OUTQ_SLACK    (1024 * 1024) /* replies queued beyond the sessions' windows */
#define PORT_RETRY_MS 100           /* host not connected: look again after */
#define READ_CHUNK    VL_AG_MAX_PAYLOAD

enum mode {
	MODE_PORT,   /* virtio-serial: EOF means "host not connected yet" */
	MODE_STREAM, /* --serve-fd: EOF ends the agent */
	MODE_SOCKET, /* --socket: EOF ends the connection and its sessions */
};

struct sess {
	uint32_t id;
	pid_t pid;
	bool tty;
	int in, out, err; /* our ends; for a pty in and out are the master */
	int master;       /* pty master, or -1 */
	uint8_t *inbuf;   /* stdin not yet taken by the child */
	size_t inlen, incap;
	uint32_t in_window;
	uint32_t in_uncredited; /* stdin passed on (or dropped), not yet credited */
	bool in_eof;            /* the host sent STDIN_EOF */
	bool veof_pending;      /* pty: write VEOF once inbuf is empty */
	uint64_t credit;        /* output bytes we may still send */
	uint32_t out_window;
	bool exited;
	int status;
	struct rusage ru;
	struct timespec t0;
	uint64_t wall_us;
};

static struct {
	enum mode mode;
	bool init;  /* PID 1 */
	int conn;   /* the port or connection, -1 if none */
	int listen; /* --socket */
	int sigfd;
	bool conn_eof; /* port mode: the host is not connected */
	struct timespec retry_at;
	uint64_t ready_ms; /* CLOCK_BOOTTIME when first ready */
	char notes[512];   /* setup problems, for READY */
	uint8_t *outq;
	size_t outq_head, outq_len, outq_cap;
	struct sess *sess[VL_AG_MAX_SESSIONS];
	size_t nsess;
	bool poweroff; /* power off once the reply is out */
	struct vl_ag_reader rd;
	struct vl_ag_msg tx;
} ag = {.conn = -1, .listen = -1, .sigfd = -1};

extern char **environ;

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logmsg(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, "vnetlab-agent: ", 15) < 0 || write(2, buf, (size_t)n) < 0)
		return;
}

/* A setup problem: logged, and kept for READY's notes. */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	char buf[256];
	size_t len = strlen(ag.notes);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	logmsg("%s", buf);
	snprintf(ag.notes + len, sizeof(ag.notes) - len, "%s%s", len ? "; " : "", buf);
}

static uint64_t clock_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int64_t ts_diff_us(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(a->tv_sec - b->tv_sec) * 1000000 + (a->tv_nsec - b->tv_nsec) / 1000;
}

static uint64_t tv_us(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000 + (uint64_t)tv->tv_usec;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* --- the outgoing queue ----------------------------------------------------- */

static size_t outq_pending(void)
{
	return ag.outq_len - ag.outq_head;
}

/* Queue frame m for the host (dropped if there is none). A reply that
 * does not fit a frame is a bug, logged. */
static void send_msg(struct vl_ag_msg *m)
{
	size_t need;

	if (vl_ag_msg_end(m) < 0) {
		logmsg("internal: a reply did not fit a frame");
		return;
	}
	if (ag.conn < 0)
		return; /* nobody to tell (socket mode, between hosts) */
	if (ag.outq_head && ag.outq_head == ag.outq_len)
		ag.outq_head = ag.outq_len = 0;
	need = ag.outq_len + m->len;
	if (need > ag.outq_cap && ag.outq_head) {
		memmove(ag.outq, ag.outq + ag.outq_head, outq_pending());
		ag.outq_len -= ag.outq_head;
		ag.outq_head = 0;
		need = ag.outq_len + m->len;
	}
	if (need > ag.outq_cap) {
		size_t cap = ag.outq_cap ? ag.outq_cap : 65536;
		uint8_t *p;

		while (cap < need)
			cap *= 2;
		p = realloc(ag.outq, cap);
		if (!p) {
			logmsg("out of memory queueing a reply");
			return;
		}
		ag.outq = p;
		ag.outq_cap = cap;
	}
	memcpy(ag.outq + ag.outq_len, m->buf, m->len);
	ag.outq_len += m->len;
}

static void send_empty(unsigned type, uint32_t id)
{
	vl_ag_msg_init(&ag.tx, type, id);
	send_msg(&ag.tx);
}

static void send_error(uint32_t id, int code, unsigned req, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void send_error(uint32_t id, int code, unsigned req, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vl_ag_msg_init(&ag.tx, VL_AG_ERROR, id);
	vl_ag_put_u32(&ag.tx, (uint32_t)code);
	vl_ag_put_u32(&ag.tx, req);
	vl_ag_put_str(&ag.tx, msg);
	send_msg(&ag.tx);
}

static void send_u32(unsigned type, uint32_t id, uint32_t v)
{
	vl_ag_msg_init(&ag.tx, type, id);
	vl_ag_put_u32(&ag.tx, v);
	send_msg(&ag.tx);
}

static void send_ready(uint32_t id)
{
	struct utsname u;
	char host[HOST_NAME_MAX + 1] = "";

	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	snprintf(host, sizeof(host), "%s", u.nodename);
	vl_ag_msg_init(&ag.tx, VL_AG_READY, id);
	vl_ag_put_u32(&ag.tx, VL_AG_VERSION);
	vl_ag_put_u32(&ag.tx, ag.init ? VL_AG_READY_INIT : 0);
	vl_ag_put_u32(&ag.tx, (uint32_t)getpid());
	vl_ag_put_u64(&ag.tx, ag.ready_ms);
	vl_ag_put_u64(&ag.tx, clock_ms(CLOCK_BOOTTIME));
	vl_ag_put_str(&ag.tx, host);
	vl_ag_put_str(&ag.tx, u.release);
	vl_ag_put_str(&ag.tx, ag.notes);
	send_msg(&ag.tx);
}

/* --- sessions ------------------------------------------------------------- */

static struct sess *sess_find(uint32_t id)
{
	for (size_t i = 0; i < ag.nsess; i++)
		if (ag.sess[i]->id == id)
			return ag.sess[i];
	return NULL;
}

/* Still a session (by pointer: it may have been freed since). */
static bool sess_alive(const struct sess *s)
{
	for (size_t i = 0; i < ag.nsess; i++)
		if (ag.sess[i] == s)
			return true;
	return false;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void sess_free(struct sess *s)
{
	size_t i;

	if (s->master >= 0) {
		close(s->master);
		s->in = s->out = s->master = -1;
	}
	close_fd(&s->in);
	close_fd(&s->out);
	close_fd(&s->err);
	free(s->inbuf);
	for (i = 0; i < ag.nsess && ag.sess[i] != s; i++)
		;
	if (i < ag.nsess)
		ag.sess[i] = ag.sess[--ag.nsess];
	free(s);
}

/* The child's stdin is gone (or never to be used again): stop writing. */
static void stdin_close(struct sess *s)
{
	s->in_uncredited += (uint32_t)s->inlen;
	s->inlen = 0;
	if (s->tty)
		s->in = -1; /* the master stays open for the output */
	else
		close_fd(&s->in);
}

static void stdin_credit(struct sess *s)
{
	if (s->in_uncredited && (s->inlen == 0 || s->in_uncredited >= s->in_window / 4)) {
		send_u32(VL_AG_CREDIT, s->id, s->in_uncredited);
		s->in_uncredited = 0;
	}
}

/* Pass queued stdin to the child, as much as it takes now. */
static void stdin_flush(struct sess *s)
{
	while (s->in >= 0 && s->inlen) {
		ssize_t w = write(s->in, s->inbuf, s->inlen);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0) {
			stdin_close(s); /* EPIPE: the child closed its stdin */
			break;
		}
		memmove(s->inbuf, s->inbuf + w, s->inlen - (size_t)w);
		s->inlen -= (size_t)w;
		s->in_uncredited += (uint32_t)w;
	}
	if (s->in >= 0 && !s->inlen && s->veof_pending) {
		struct termios t;
		char c = 4;

		if (tcgetattr(s->master, &t) == 0)
			c = (char)t.c_cc[VEOF];
		if (write(s->in, &c, 1) == 1 || errno != EAGAIN)
			s->veof_pending = false;
	}
	if (s->in >= 0 && !s->inlen && s->in_eof && !s->tty)
		stdin_close(s);
	stdin_credit(s);
}

static void sess_kill(struct sess *s, int sig)
{
	if (s->exited)
		return;
	if (kill(-s->pid, sig) < 0 && errno == ESRCH)
		kill(s->pid, sig);
}

/* Read output from fd (the session's out or err) within the credit. */
static void sess_read(struct sess *s, int *fd, unsigned type)
{
	size_t n = s->credit < READ_CHUNK ? (size_t)s->credit : READ_CHUNK;
	uint8_t *p;
	ssize_t r;

	if (*fd < 0 || !n)
		return;
	vl_ag_msg_init(&ag.tx, type, s->id);
	p = vl_ag_msg_room(&ag.tx, n);
	do
		r = read(*fd, p, n);
	while (r < 0 && errno == EINTR);
	if (r > 0) {
		vl_ag_msg_grow(&ag.tx, (size_t)r);
		send_msg(&ag.tx);
		s->credit -= (uint64_t)r;
		return;
	}
	if (r < 0 && errno == EAGAIN && !s->exited)
		return;
	/* EOF; EIO from a pty whose slave is closed; or empty after the
	 * child's exit: later output of background processes is cut off. */
	if (s->tty)
		s->out = -1;
	else
		close_fd(fd);
}

/* Once reaped and drained: EXIT, and the session is gone. */
static void sess_maybe_end(struct sess *s)
{
	if (!s->exited || s->out >= 0 || s->err >= 0)
		return;
	vl_ag_msg_init(&ag.tx, VL_AG_EXIT, s->id);
	vl_ag_put_u32(&ag.tx, (uint32_t)s->status);
	vl_ag_put_u64(&ag.tx, tv_us(&s->ru.ru_utime));
	vl_ag_put_u64(&ag.tx, tv_us(&s->ru.ru_stime));
	vl_ag_put_u64(&ag.tx, (uint64_t)s->ru.ru_maxrss);
	vl_ag_put_u64(&ag.tx, s->wall_us);
	send_msg(&ag.tx);
	sess_free(s);
}

static void power_off(void) __attribute__((noreturn));

/* The signalfd: SIGCHLD reaps every child (sessions get their status and
 * rusage, orphans are just reaped); SIGTERM, SIGINT and SIGHUP end a
 * non-init agent and its sessions. As init, the signals busybox's halt,
 * poweroff and reboot send (SIGUSR1, SIGUSR2, SIGTERM) power the guest off
 * (QEMU runs with -no-reboot: a reboot would end it too). */
static void reap(void)
{
	struct signalfd_siginfo si;
	struct rusage ru;
	int status;
	pid_t pid;

	while (read(ag.sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (ag.init && (si.ssi_signo == SIGUSR1 || si.ssi_signo == SIGUSR2 ||
		                si.ssi_signo == SIGTERM)) {
			logmsg("signal %u from pid %u: powering off", si.ssi_signo, si.ssi_pid);
			power_off();
		}
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP) {
			if (!ag.init) {
				for (size_t i = 0; i < ag.nsess; i++)
					sess_kill(ag.sess[i], SIGKILL);
				while (wait(NULL) > 0 || errno == EINTR)
					;
				exit(0);
			}
		}
	}
	while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
		for (size_t i = 0; i < ag.nsess; i++) {
			struct sess *s = ag.sess[i];
			struct timespec now;

			if (s->pid != pid || s->exited)
				continue;
			clock_gettime(CLOCK_MONOTONIC, &now);
			s->exited = true;
			s->status = status;
			s->ru = ru;
			s->wall_us = (uint64_t)ts_diff_us(&now, &s->t0);
			s->inlen = 0;
			s->veof_pending = false;
			if (s->in >= 0)
				stdin_close(s);
			stdin_credit(s);
			break;
		}
	}
}

/* Kill every session and forget them (the host that owned them is gone). */
static void sessions_drop(void)
{
	while (ag.nsess) {
		struct sess *s = ag.sess[0];

		sess_kill(s, SIGKILL);
		if (!s->exited)
			waitpid(s->pid, NULL, 0);
		sess_free(s);
	}
}

/* --- requests --------------------------------------------------------------- */

static void child_fail(int errpipe, int stage, int code)
{
	int msg[2] = {stage, code};

	if (write(errpipe, msg, sizeof(msg)) < 0)
		_exit(127);
	_exit(127);
}

/* In the child: become the command. Only returns by _exit. */
static void child_exec(int errpipe, struct sess *s, int slave, int pin[2], int pout[2], int perr[2],
                       const char *cwd, char **argv, char **envp)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (setsid() < 0)
		child_fail(errpipe, 0, errno);
	if (s->tty) {
		if (ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 ||
		    dup2(slave, 2) < 0)
			child_fail(errpipe, 0, errno);
	} else if (dup2(pin[0], 0) < 0 || dup2(pout[1], 1) < 0 || dup2(perr[1], 2) < 0) {
		child_fail(errpipe, 0, errno);
	}
	if (chdir(*cwd ? cwd : "/") < 0)
		child_fail(errpipe, 1, errno);
	environ = envp;
	execvp(argv[0], argv);
	child_fail(errpipe, 2, errno);
}

/* A pty pair, the master non-blocking; *slave opened for the child. */
static int open_pty(int *master, int *slave, uint16_t rows, uint16_t cols)
{
	struct winsize ws = {.ws_row = rows ? rows : 24, .ws_col = cols ? cols : 80};
	char name[64];

	*slave = -1;
	*master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (*master < 0)
		return -1;
	if (unlockpt(*master) < 0)
		goto fail;
	ioctl(*master, TIOCSWINSZ, &ws);
#ifdef TIOCGPTPEER
	*slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
#endif
	if (*slave < 0) {
		if (ptsname_r(*master, name, sizeof(name)) != 0)
			goto fail;
		*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (*slave < 0)
			goto fail;
	}
	return 0;
fail:
	close_fd(master);
	return -1;
}

static void do_exec(uint32_t id, const uint8_t *payload, size_t len)
{
	struct vl_ag_cur c;
	uint32_t flags, out_window, argc, envc;
	uint16_t rows, cols;
	const char *cwd;
	char **argv = NULL, **envp = NULL;
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1}, ep[2] = {-1, -1};
	int master = -1, slave = -1, msg[2], e;
	struct sess *s = NULL;
	ssize_t r;

	vl_ag_cur_init(&c, payload, len);
	flags = vl_ag_get_u32(&c);
	rows = vl_ag_get_u16(&c);
	cols = vl_ag_get_u16(&c);
	out_window = vl_ag_get_u32(&c);
	argc = vl_ag_get_u32(&c);
	envc = vl_ag_get_u32(&c);
	cwd = vl_ag_get_str(&c, PATH_MAX);
	if (c.bad) {
		send_error(id, EBADMSG, VL_AG_EXEC, "EXEC: truncated");
		return;
	}
	if (id == 0 || argc == 0 || (flags & ~(uint32_t)(VL_AG_EXEC_TTY | VL_AG_EXEC_ENV))) {
		send_error(id, EINVAL, VL_AG_EXEC, "EXEC: %s",
		           id == 0     ? "session id 0"
		           : argc == 0 ? "no argv"
		                       : "unknown flags");
		return;
	}
	if (argc > VL_AG_MAX_ARGS || envc > VL_AG_MAX_ARGS - argc) {
		send_error(id, E2BIG, VL_AG_EXEC, "EXEC: %u arguments and %u variables, at most %d",
		           argc, envc, VL_AG_MAX_ARGS);
		return;
	}
	if (sess_find(id)) {
		send_error(id, EEXIST, VL_AG_EXEC, "EXEC: session %u is running", id);
		return;
	}
	if (ag.nsess >= VL_AG_MAX_SESSIONS) {
		send_error(id, EAGAIN, VL_AG_EXEC, "EXEC: %d sessions already", VL_AG_MAX_SESSIONS);
		return;
	}
	argv = calloc(argc + 1, sizeof(*argv));
	envp = calloc(envc + 1, sizeof(*envp));
	s = calloc(1, sizeof(*s));
	if (!argv || !envp || !s) {
		send_error(id, ENOMEM, VL_AG_EXEC, "EXEC: out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < argc; i++)
		argv[i] = (char *)vl_ag_get_str(&c, 0);
	for (uint32_t i = 0; i < envc; i++)
		envp[i] = (char *)vl_ag_get_str(&c, 0);
	if (!vl_ag_cur_done(&c)) {
		send_error(id, EBADMSG, VL_AG_EXEC, "EXEC: %s",
		           c.bad ? "strings truncated" : "bytes after the strings");
		goto out;
	}
	if (!argv[0][0]) {
		send_error(id, ENOENT, VL_AG_EXEC, "EXEC: empty command name");
		goto out;
	}
	s->id = id;
	s->tty = flags & VL_AG_EXEC_TTY;
	s->in = s->out = s->err = s->master = -1;
	s->in_window = VL_AG_WINDOW;
	s->out_window = out_window ? out_window : VL_AG_WINDOW;
	if (s->out_window > VL_AG_MAX_WINDOW)
		s->out_window = VL_AG_MAX_WINDOW;
	s->credit = s->out_window;
	if (s->tty) {
		if (open_pty(&master, &slave, rows, cols) < 0) {
			e = errno;
			send_error(id, e, VL_AG_EXEC, "EXEC: open a pty: %s", strerror(e));
			goto out;
		}
	} else if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 ||
	           pipe2(perr, O_CLOEXEC) < 0) {
		e = errno;
		send_error(id, e, VL_AG_EXEC, "EXEC: pipe: %s", strerror(e));
		goto out;
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		e = errno;
		send_error(id, e, VL_AG_EXEC, "EXEC: pipe: %s", strerror(e));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	s->pid = fork();
	if (s->pid < 0) {
		e = errno;
		send_error(id, e, VL_AG_EXEC, "EXEC: fork: %s", strerror(e));
		goto out;
	}
	if (s->pid == 0)
		child_exec(ep[1], s, slave, pin, pout, perr, cwd, argv,
		           (flags & VL_AG_EXEC_ENV) ? envp : environ);
	close_fd(&ep[1]);
	do
		r = read(ep[0], msg, sizeof(msg));
	while (r < 0 && errno == EINTR);
	if (r == sizeof(msg)) {
		/* It did not start: reap it here, the reaper will not know it. */
		waitpid(s->pid, NULL, 0);
		if (msg[0] == 1)
			send_error(id, msg[1], VL_AG_EXEC, "chdir %s: %s", cwd, strerror(msg[1]));
		else if (msg[0] == 2 && msg[1] == ENOENT)
			send_error(id, msg[1], VL_AG_EXEC, "%s: command not found", argv[0]);
		else
			send_error(id, msg[1], VL_AG_EXEC, "%s %s: %s",
			           msg[0] == 2 ? "exec" : "set up", argv[0], strerror(msg[1]));
		goto out;
	}
	if (s->tty) {
		s->master = s->in = s->out = master;
		master = -1;
	} else {
		s->in = pin[1];
		s->out = pout[0];
		s->err = perr[0];
		pin[1] = pout[0] = perr[0] = -1;
		set_nonblock(s->in);
		set_nonblock(s->out);
		set_nonblock(s->err);
	}
	ag.sess[ag.nsess++] = s;
	vl_ag_msg_init(&ag.tx, VL_AG_STARTED, id);
	vl_ag_put_u32(&ag.tx, (uint32_t)s->pid);
	vl_ag_put_u32(&ag.tx, s->in_window);
	send_msg(&ag.tx);
	s = NULL;
out:
	for (int i = 0; i < 2; i++) {
		close_fd(&pin[i]);
		close_fd(&pout[i]);
		close_fd(&perr[i]);
		close_fd(&ep[i]);
	}
	close_fd(&master);
	close_fd(&slave);
	free(s);
	free(argv);
	free(envp);
}

static void do_stdin(struct sess *s, const uint8_t *p, size_t n)
{
	if (!n)
		return;
	if (s->inlen + s->in_uncredited + n > s->in_window) {
		send_error(s->id, ENOBUFS, VL_AG_STDIN,
		           "STDIN: %zu bytes over the window of %u (wait for CREDIT)", n,
		           s->in_window);
		return;
	}
	if (s->in < 0 || s->in_eof) {
		s->in_uncredited += (uint32_t)n; /* the child is not reading: dropped */
		stdin_credit(s);
		return;
	}
	if (s->inlen + n > s->incap) {
		size_t cap = s->incap ? s->incap : 65536;
		uint8_t *b;

		while (cap < s->inlen + n)
			cap *= 2;
		b = realloc(s->inbuf, cap);
		if (!b) {
			send_error(s->id, ENOMEM, VL_AG_STDIN, "STDIN: out of memory");
			return;
		}
		s->inbuf = b;
		s->incap = cap;
	}
	memcpy(s->inbuf + s->inlen, p, n);
	s->inlen += n;
	stdin_flush(s);
}

/* mkdir -p of path's parent directories. */
static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void do_write_file(uint32_t id, const uint8_t *payload, size_t len)
{
	struct vl_ag_cur c;
	uint32_t mode, flags;
	const char *path;
	const uint8_t *data;
	size_t n;
	char tmp[PATH_MAX];
	int fd, e;

	vl_ag_cur_init(&c, payload, len);
	mode = vl_ag_get_u32(&c) & 07777;
	flags = vl_ag_get_u32(&c);
	path = vl_ag_get_str(&c, PATH_MAX - 16);
	if (c.bad) {
		send_error(id, EBADMSG, VL_AG_WRITE_FILE, "WRITE_FILE: truncated");
		return;
	}
	n = c.left;
	data = vl_ag_get_bytes(&c, n);
	if (path[0] != '/' || (flags & ~(uint32_t)(VL_AG_WF_APPEND | VL_AG_WF_MKDIR))) {
		send_error(id, EINVAL, VL_AG_WRITE_FILE, "WRITE_FILE %s: %s", path,
		           path[0] != '/' ? "not an absolute path" : "unknown flags");
		return;
	}
	if ((flags & VL_AG_WF_MKDIR) && (e = mkdir_parents(path)) < 0) {
		send_error(id, -e, VL_AG_WRITE_FILE, "mkdir parents of %s: %s", path, strerror(-e));
		return;
	}
	if (flags & VL_AG_WF_APPEND) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode);
		if (fd < 0) {
			e = errno;
			send_error(id, e, VL_AG_WRITE_FILE, "open %s: %s", path, strerror(e));
			return;
		}
		e = write_all(fd, data, n);
		if (close(fd) < 0 && !e)
			e = -errno;
		if (e < 0) {
			send_error(id, -e, VL_AG_WRITE_FILE, "write %s: %s", path, strerror(-e));
			return;
		}
		send_empty(VL_AG_OK, id);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.vl-XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		send_error(id, e, VL_AG_WRITE_FILE, "create %s: %s", tmp, strerror(e));
		return;
	}
	e = write_all(fd, data, n);
	if (!e && fchmod(fd, mode) < 0)
		e = -errno;
	if (close(fd) < 0 && !e)
		e = -errno;
	if (!e && rename(tmp, path) < 0)
		e = -errno;
	if (e < 0) {
		unlink(tmp);
		send_error(id, -e, VL_AG_WRITE_FILE, "write %s: %s", path, strerror(-e));
		return;
	}
	send_empty(VL_AG_OK, id);
}

static void read_stats(struct vl_ag_stats *st)
{
	long hz = sysconf(_SC_CLK_TCK);
	char line[512];
	FILE *f;

	memset(st, 0, sizeof(*st));
	st->uptime_ms = clock_ms(CLOCK_BOOTTIME);
	if (hz <= 0)
		hz = 100;
	if ((f = fopen("/proc/stat", "re"))) {
		while (fgets(line, sizeof(line), f)) {
			unsigned long long v[VL_AG_CPU_N] = {0};

			if (!strncmp(line, "cpu ", 4)) {
				sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
				       &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
				for (int i = 0; i < VL_AG_CPU_N; i++)
					st->cpu_ms[i] = (uint64_t)v[i] * 1000 / (uint64_t)hz;
			} else if (!strncmp(line, "cpu", 3) && line[3] >= '0' && line[3] <= '9') {
				st->ncpu++;
			}
		}
		fclose(f);
	}
	if ((f = fopen("/proc/meminfo", "re"))) {
		while (fgets(line, sizeof(line), f)) {
			unsigned long long v;

			if (sscanf(line, "MemTotal: %llu", &v) == 1)
				st->mem_total_kb = v;
			else if (sscanf(line, "MemAvailable: %llu", &v) == 1)
				st->mem_avail_kb = v;
		}
		fclose(f);
	}
	if ((f = fopen("/proc/net/dev", "re"))) {
		while (fgets(line, sizeof(line), f) && st->n_ifs < VL_AG_MAX_IFS) {
			char *colon = strchr(line, ':'), *name = line;
			unsigned long long v[16];
			struct vl_ag_if_stats *s = &st->ifs[st->n_ifs];

			if (!colon)
				continue;
			*colon = 0;
			while (*name == ' ')
				name++;
			if (!*name || strlen(name) > 15)
				continue;
			if (sscanf(colon + 1,
			           "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
			           "%llu %llu %llu %llu",
			           &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
			           &v[9], &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]) != 16)
				continue;
			snprintf(s->name, sizeof(s->name), "%s", name);
			s->rx_bytes = v[0];
			s->rx_packets = v[1];
			s->rx_errs = v[2];
			s->rx_drop = v[3];
			s->tx_bytes = v[8];
			s->tx_packets = v[9];
			s->tx_errs = v[10];
			s->tx_drop = v[11];
			st->n_ifs++;
		}
		fclose(f);
	}
}

static void do_stats(uint32_t id)
{
	static struct vl_ag_stats st;

	read_stats(&st);
	vl_ag_msg_init(&ag.tx, VL_AG_STATS_REPLY, id);
	vl_ag_stats_put(&ag.tx, &st);
	send_msg(&ag.tx);
}

/* A frame for a session. Frames for sessions that have ended race with
 * their EXIT by nature and are dropped. */
static void do_session_frame(const struct vl_ag_hdr *h, const uint8_t *p)
{
	struct sess *s = sess_find(h->id);
	struct vl_ag_cur c;
	uint32_t v;

	vl_ag_cur_init(&c, p, h->len);
	switch (h->type) {
	case VL_AG_STDIN:
		if (s)
			do_stdin(s, p, h->len);
		return;
	case VL_AG_STDIN_EOF:
		if (s && !s->in_eof) {
			s->in_eof = true;
			s->veof_pending = s->tty && s->in >= 0;
			stdin_flush(s);
		}
		return;
	case VL_AG_SIGNAL:
		v = vl_ag_get_u32(&c);
		if (!vl_ag_cur_done(&c) || v < 1 || v >= (uint32_t)NSIG) {
			send_error(h->id, c.bad ? EBADMSG : EINVAL, h->type,
			           "SIGNAL: bad signal %u", v);
			return;
		}
		if (s)
			sess_kill(s, (int)v);
		return;
	case VL_AG_WINSIZE: {
		struct winsize ws = {0};

		ws.ws_row = vl_ag_get_u16(&c);
		ws.ws_col = vl_ag_get_u16(&c);
		if (!vl_ag_cur_done(&c)) {
			send_error(h->id, EBADMSG, h->type, "WINSIZE: malformed");
			return;
		}
		if (s && s->master >= 0)
			ioctl(s->master, TIOCSWINSZ, &ws);
		return;
	}
	case VL_AG_CREDIT:
		v = vl_ag_get_u32(&c);
		if (!vl_ag_cur_done(&c)) {
			send_error(h->id, EBADMSG, h->type, "CREDIT: malformed");
			return;
		}
		if (s) {
			s->credit += v;
			if (s->credit > VL_AG_MAX_WINDOW)
				s->credit = VL_AG_MAX_WINDOW;
		}
		return;
	}
}

static void dispatch(const struct vl_ag_hdr *h, const uint8_t *p)
{
	char tn[16];

	switch (h->type) {
	case VL_AG_HELLO:
		if (ag.init && h->len >= 12) {
			struct vl_ag_cur c;
			uint64_t ns;

			vl_ag_cur_init(&c, p, h->len);
			vl_ag_get_u32(&c);
			ns = vl_ag_get_u64(&c);
			struct timespec now;

			clock_gettime(CLOCK_REALTIME, &now);
			int64_t off =
			    (int64_t)ns - ((int64_t)now.tv_sec * 1000000000 + now.tv_nsec);

			/* stepped only when off by more than a millisecond */
			if (!c.bad && ns && (off > 1000000 || off < -1000000)) {
				struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
				                      .tv_nsec = (long)(ns % 1000000000u)};

				if (clock_settime(CLOCK_REALTIME, &ts) < 0)
					note("set the clock to the host's: %s", strerror(errno));
			}
		}
		send_ready(h->id);
		return;
	case VL_AG_EXEC:
		do_exec(h->id, p, h->len);
		return;
	case VL_AG_STDIN:
	case VL_AG_STDIN_EOF:
	case VL_AG_SIGNAL:
	case VL_AG_WINSIZE:
	case VL_AG_CREDIT:
		do_session_frame(h, p);
		return;
	case VL_AG_WRITE_FILE:
		do_write_file(h->id, p, h->len);
		return;
	case VL_AG_STATS:
		do_stats(h->id);
		return;
	case VL_AG_PING:
		vl_ag_msg_init(&ag.tx, VL_AG_PONG, h->id);
		vl_ag_put_bytes(&ag.tx, p, h->len);
		send_msg(&ag.tx);
		return;
	case VL_AG_POWEROFF:
		send_empty(VL_AG_OK, h->id);
		ag.poweroff = true;
		return;
	default:
		send_error(h->id, EOPNOTSUPP, h->type, "%s: not a request",
		           vl_ag_type_name(h->type, tn));
	}
}

/* --- the connection -------------------------------------------------------- */

/* The host went away (or, on the port, is not connected). */
static void conn_eof(void)
{
	vl_ag_reader_reset(&ag.rd);
	switch (ag.mode) {
	case MODE_PORT:
		ag.conn_eof = true;
		clock_gettime(CLOCK_MONOTONIC, &ag.retry_at);
		ag.retry_at.tv_nsec += PORT_RETRY_MS * 1000000L;
		if (ag.retry_at.tv_nsec >= 1000000000L) {
			ag.retry_at.tv_sec++;
			ag.retry_at.tv_nsec -= 1000000000L;
		}
		return;
	case MODE_STREAM:
		sessions_drop();
		exit(0);
	case MODE_SOCKET:
		close_fd(&ag.conn);
		ag.outq_head = ag.outq_len = 0;
		sessions_drop();
		return;
	}
}

static size_t outq_limit(void)
{
	size_t lim = OUTQ_SLACK;

	for (size_t i = 0; i < ag.nsess; i++)
		lim += ag.sess[i]->out_window;
	return lim;
}

static void conn_flush(void)
{
	while (ag.conn >= 0 && !ag.conn_eof && outq_pending()) {
		ssize_t w = write(ag.conn, ag.outq + ag.outq_head, outq_pending());

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0) {
			conn_eof();
			return;
		}
		ag.outq_head += (size_t)w;
	}
}

static void conn_read(void)
{
	struct vl_ag_hdr h;
	const uint8_t *p;
	size_t room;
	uint8_t *buf = vl_ag_reader_space(&ag.rd, &room);
	ssize_t r;
	int k;

	do
		r = read(ag.conn, buf, room);
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EAGAIN)
		return;
	if (r <= 0) {
		conn_eof();
		return;
	}
	vl_ag_reader_fill(&ag.rd, (size_t)r);
	while ((k = vl_ag_reader_next(&ag.rd, &h, &p)) != 0) {
		if (k == -EBADMSG)
			send_error(0, EBADMSG, 0,
			           "bad magic: not a frame, skipping to the next one");
		else if (k == -EMSGSIZE)
			send_error(0, EMSGSIZE, h.type, "frame of %u bytes, at most %d", h.len,
			           VL_AG_MAX_PAYLOAD);
		else if (k == -EPROTONOSUPPORT)
			send_error(h.id, EPROTONOSUPPORT, h.type, "protocol version %u, this is %d",
			           h.version, VL_AG_VERSION);
		else
			dispatch(&h, p);
		if (ag.conn < 0 || (ag.mode == MODE_PORT && ag.conn_eof))
			return;
	}
}

static int port_find(char *dev, size_t size)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (e = readdir(d))) {
		char path[300], name[64];
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, name, sizeof(name) - 1);
		close(fd);
		if (n <= 0)
			continue;
		name[n] = 0;
		name[strcspn(name, "\n")] = 0;
		if (!strcmp(name, VL_AG_PORT_NAME)) {
			snprintf(dev, size, "/dev/%s", e->d_name);
			found = 0;
		}
	}
	closedir(d);
	return found;
}

/* The port, found by name; waits for the driver if need be. Opened once,
 * read-write, for the guest's whole life. */
static int port_open(void)
{
	char dev[300];

	for (int tries = 0;; tries++) {
		if (port_find(dev, sizeof(dev)) == 0) {
			int fd = open(dev, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

			if (fd >= 0)
				return fd;
			if (tries % 50 == 0)
				logmsg("open %s: %s", dev, strerror(errno));
		} else if (tries == 50) {
			logmsg("waiting for the virtio-serial port named %s", VL_AG_PORT_NAME);
		}
		usleep(PORT_RETRY_MS * 1000);
	}
}

static void on_power_signal(int sig)
{
	(void)sig; /* never runs: the signal is blocked and read from the signalfd */
}

static void power_off(void)
{
	struct timespec t0, now;

	/* The OK first: give the host up to 2 s to take it. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = {.fd = ag.conn, .events = POLLOUT};

		conn_flush();
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ag.conn < 0 || ag.conn_eof || !outq_pending() ||
		    ts_diff_us(&now, &t0) > 2000000)
			break;
		poll(&pfd, 1, 100);
	}
	if (!ag.init) {
		sessions_drop();
		exit(0);
	}
	logmsg("powering off");
	kill(-1, SIGTERM);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (errno == ECHILD)
			break;
		usleep(50000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (ts_diff_us(&now, &t0) < 2000000);
	kill(-1, SIGKILL);
	sync();
	reboot(RB_POWER_OFF);
	/* No ACPI power off: a reboot makes a QEMU run with -no-reboot exit. */
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

/* --- the kernel command line (PID 1 or --configure) ---------------------------- */

static int ctl_sock(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return fd;
}

static int if_flags(const char *name, short set, short clear)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(ctl_sock(), SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags = (short)((ifr.ifr_flags | set) & ~clear);
	return ioctl(ctl_sock(), SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

/* One rtnetlink request, acknowledged. 0 or -errno. */
static int nl_talk(struct nlmsghdr *n)
{
	static int fd = -1;
	static uint32_t seq;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	char buf[4096];
	ssize_t r;

	if (fd < 0) {
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (fd < 0)
			return -errno;
	}
	n->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	n->nlmsg_seq = ++seq;
	if (sendto(fd, n, n->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		r = recv(fd, buf, sizeof(buf), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		for (; NLMSG_OK(h, (size_t)r); h = NLMSG_NEXT(h, r)) {
			if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
}

static void nl_attr(struct nlmsghdr *n, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static int addr_add(int ifindex, struct in_addr addr, int prefix)
{
	union {
		struct nlmsghdr n;
		char buf[256];
	} req;
	struct ifaddrmsg *ifa;

	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	req.n.nlmsg_type = RTM_NEWADDR;
	req.n.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	ifa = NLMSG_DATA(&req.n);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)ifindex;
	nl_attr(&req.n, IFA_LOCAL, &addr, 4);
	nl_attr(&req.n, IFA_ADDRESS, &addr, 4);
	if (prefix < 31) {
		uint32_t mask = prefix ? htonl(~0u << (32 - prefix)) : 0;
		struct in_addr brd = {.s_addr = addr.s_addr | ~mask};

		nl_attr(&req.n, IFA_BROADCAST, &brd, 4);
	}
	return nl_talk(&req.n);
}

static int route_add(struct in_addr dst, int prefix, const struct in_addr *gw, int oif)
{
	union {
		struct nlmsghdr n;
		char buf[256];
	} req;
	struct rtmsg *rt;

	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*rt));
	req.n.nlmsg_type = RTM_NEWROUTE;
	req.n.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	rt = NLMSG_DATA(&req.n);
	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = (unsigned char)prefix;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rt->rtm_type = RTN_UNICAST;
	if (prefix)
		nl_attr(&req.n, RTA_DST, &dst, 4);
	if (gw)
		nl_attr(&req.n, RTA_GATEWAY, gw, 4);
	if (oif)
		nl_attr(&req.n, RTA_OIF, &oif, 4);
	return nl_talk(&req.n);
}

/* "a.b.c.d/len" (or "default" when allow_default). */
static int parse_cidr(const char *s, struct in_addr *a, int *prefix, bool allow_default)
{
	char buf[32];
	char *slash, *end;
	long n;

	if (allow_default && !strcmp(s, "default")) {
		a->s_addr = 0;
		*prefix = 0;
		return 0;
	}
	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -1;
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = 0;
	errno = 0;
	n = strtol(slash + 1, &end, 10);
	if (inet_pton(AF_INET, buf, a) != 1 || *end || end == slash + 1 || n < 0 || n > 32)
		return -1;
	*prefix = (int)n;
	return 0;
}

static int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned v[6];
	char c;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &c) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -1;
		mac[i] = (unsigned char)v[i];
	}
	return 0;
}

/* Rename the interface whose address is mac to name. */
static int rename_by_mac(const unsigned char mac[6], const char *name)
{
	struct if_nameindex *ni = if_nameindex(), *p;
	int r = -ENODEV;

	if (!ni)
		return -errno;
	for (p = ni; p->if_index; p++) {
		struct ifreq ifr = {0};

		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", p->if_name);
		if (ioctl(ctl_sock(), SIOCGIFHWADDR, &ifr) < 0 ||
		    memcmp(ifr.ifr_hwaddr.sa_data, mac, 6) != 0)
			continue;
		r = 0;
		if (!strcmp(p->if_name, name))
			break;
		if_flags(p->if_name, 0, IFF_UP);
		snprintf(ifr.ifr_newname, IFNAMSIZ, "%s", name);
		if (ioctl(ctl_sock(), SIOCSIFNAME, &ifr) < 0)
			r = -errno;
		break;
	}
	if_freenameindex(ni);
	return r;
}

static char *split(char **s)
{
	char *t = *s;

	if (!t)
		return NULL;
	*s = strchr(t, ',');
	if (*s)
		*(*s)++ = 0;
	return t;
}

/* vl.if=NAME,ADDR/LEN[,MTU][,mac=MAC] */
static void conf_if(char *v)
{
	char *name = split(&v), *t;
	struct in_addr addr = {0};
	int prefix = -1, ifindex, e;
	long mtu = 0;
	unsigned char mac[6];
	bool have_mac = false;

	if (!name || !*name || strlen(name) >= IFNAMSIZ || strchr(name, '/')) {
		note("vl.if: bad interface name \"%s\"", name ? name : "");
		return;
	}
	while ((t = split(&v))) {
		char *end;

		if (!strncmp(t, "mac=", 4)) {
			if (parse_mac(t + 4, mac) < 0) {
				note("vl.if=%s: bad MAC address \"%s\"", name, t + 4);
				return;
			}
			have_mac = true;
		} else if (strchr(t, '/')) {
			if (parse_cidr(t, &addr, &prefix, false) < 0) {
				note("vl.if=%s: bad address \"%s\" (want a.b.c.d/len)", name, t);
				return;
			}
		} else if ((mtu = strtol(t, &end, 10)) < 68 || mtu > 65535 || *end) {
			note("vl.if=%s: \"%s\" is neither ADDR/LEN, an MTU (68..65535) nor mac=MAC",
			     name, t);
			return;
		}
	}
	/* In a booting guest a device may still be on its way: wait a little. */
	for (int tries = 0; ag.init && tries < 150; tries++) {
		if (have_mac ? rename_by_mac(mac, name) != -ENODEV : if_nametoindex(name) != 0)
			break;
		usleep(20000);
	}
	if (have_mac && (e = rename_by_mac(mac, name)) < 0) {
		note("vl.if=%s: no interface with MAC %02x:%02x:%02x:%02x:%02x:%02x to rename: %s",
		     name, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], strerror(-e));
		return;
	}
	ifindex = (int)if_nametoindex(name);
	if (!ifindex) {
		note("vl.if=%s: no such interface", name);
		return;
	}
	if (mtu) {
		struct ifreq ifr = {0};

		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
		ifr.ifr_mtu = (int)mtu;
		if (ioctl(ctl_sock(), SIOCSIFMTU, &ifr) < 0)
			note("vl.if=%s: MTU %ld: %s", name, mtu, strerror(errno));
	}
	if ((e = if_flags(name, IFF_UP, 0)) < 0)
		note("vl.if=%s: up: %s", name, strerror(-e));
	if (prefix >= 0 && (e = addr_add(ifindex, addr, prefix)) < 0)
		note("vl.if=%s: address: %s", name, strerror(-e));
}

/* vl.route=DEST/LEN|default,[via,]GW[,dev,IF] or DEST/LEN,dev,IF */
static void conf_route(const char *key, char *v)
{
	char *dst = split(&v), *t;
	struct in_addr d, gw;
	int prefix, oif = 0, e;
	bool have_gw = false;

	if (!dst || parse_cidr(dst, &d, &prefix, true) < 0) {
		note("%s: bad destination \"%s\" (want a.b.c.d/len or default)", key,
		     dst ? dst : "");
		return;
	}
	while ((t = split(&v))) {
		if (!strcmp(t, "via"))
			t = split(&v);
		else if (!strcmp(t, "dev")) {
			t = split(&v);
			oif = t ? (int)if_nametoindex(t) : 0;
			if (!oif) {
				note("%s=%s: no interface \"%s\"", key, dst, t ? t : "");
				return;
			}
			continue;
		}
		if (!t || inet_pton(AF_INET, t, &gw) != 1) {
			note("%s=%s: bad gateway \"%s\"", key, dst, t ? t : "");
			return;
		}
		have_gw = true;
	}
	if (!have_gw && !oif) {
		note("%s=%s: needs a gateway or a device", key, dst);
		return;
	}
	if ((e = route_add(d, prefix, have_gw ? &gw : NULL, oif)) < 0)
		note("%s=%s: %s", key, dst, strerror(-e));
}

static void conf_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, s, strlen(s)) < 0)
		note("write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Apply the vl.* settings of a kernel command line, in order: hostname,
 * loopback, interfaces, routes, forwarding. */
static void configure(const char *cmdline)
{
	char *save = NULL, *tok;
	int e;

	if ((e = if_flags("lo", IFF_UP, 0)) < 0)
		note("lo up: %s", strerror(-e));
	for (int pass = 0; pass < 3; pass++) {
		char *work = strdup(cmdline);

		if (!work)
			break;
		for (tok = strtok_r(work, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			if (pass == 0 && !strncmp(tok, "vl.hostname=", 12)) {
				if (sethostname(tok + 12, strlen(tok + 12)) < 0)
					note("hostname %s: %s", tok + 12, strerror(errno));
			} else if (pass == 0 && !strncmp(tok, "vl.forward=", 11)) {
				conf_write("/proc/sys/net/ipv4/ip_forward",
				           strcmp(tok + 11, "0") ? "1\n" : "0\n");
			} else if (pass == 1 && !strncmp(tok, "vl.if=", 6)) {
				conf_if(tok + 6);
			} else if (pass == 2 && !strncmp(tok, "vl.route=", 9)) {
				conf_route("vl.route", tok + 9);
			} else if (pass == 2 && !strncmp(tok, "vl.gw=", 6)) {
				char route[64];

				snprintf(route, sizeof(route), "default,via,%s", tok + 6);
				conf_route("vl.gw", route);
			} else if (pass == 0 && !strncmp(tok, "vl.", 3) &&
			           strncmp(tok, "vl.if=", 6) && strncmp(tok, "vl.route=", 9) &&
			           strncmp(tok, "vl.gw=", 6)) {
				note("unknown setting %s", tok);
			}
		}
		free(work);
	}
}

/* --- PID 1 ----------------------------------------------------------------- */

static void init_mount(const char *src, const char *dir, const char *type, unsigned long flags,
                       const char *data, mode_t mode)
{
	if (mkdir(dir, mode) < 0 && errno != EEXIST)
		note("mkdir %s: %s", dir, strerror(errno));
	if (mount(src, dir, type, flags, data) < 0 && errno != EBUSY)
		note("mount %s on %s: %s", type, dir, strerror(errno));
}

/* Modules a generic kernel needs (virtio and the like): the file names
 * in /lib/modules/load-order, one a line, dependencies first, loaded from
 * /lib/modules. Compressed ones only if the kernel can decompress them. */
static void load_modules(void)
{
	FILE *f = fopen("/lib/modules/load-order", "re");
	char line[256], path[300];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		int fd, flags = 0;
		size_t n;

		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		snprintf(path, sizeof(path), "%s%s", line[0] == '/' ? "" : "/lib/modules/", line);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			note("module %s: %s", path, strerror(errno));
			continue;
		}
		n = strlen(path);
		if (n > 3 && (!strcmp(path + n - 3, ".xz") || !strcmp(path + n - 3, ".gz") ||
		              (n > 4 && !strcmp(path + n - 4, ".zst"))))
			flags = 4; /* MODULE_INIT_COMPRESSED_FILE */
		if (syscall(SYS_finit_module, fd, "", flags) < 0 && errno != EEXIST)
			note("module %s: %s", path, strerror(errno));
		close(fd);
	}
	fclose(f);
}

/* Make sure 0, 1 and 2 are open (the console, else /dev/null) before
 * anything else is opened: a pipe there would be clobbered by the dup2()s
 * that give a command its stdio. */
static void stdio_open(void)
{
	for (int i = 0; i < 3; i++) {
		int fd;

		if (fcntl(i, F_GETFD) >= 0)
			continue;
		fd = open(ag.init ? "/dev/console" : "/dev/null", O_RDWR | O_NOCTTY);
		if (fd < 0)
			fd = open("/dev/null", O_RDWR);
		if (fd >= 0 && fd != i) {
			dup2(fd, i);
			close(fd);
		}
	}
}

static void init_setup(void)
{
	char cmdline[4096];
	ssize_t n;
	int fd;

	umask(022);
	init_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", 0755);
	/* The kernel gives init /dev/console only if the initramfs has it. */
	stdio_open();
	init_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555);
	init_mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555);
	init_mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	           "gid=5,mode=620,ptmxmode=666", 0755);
	init_mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777);
	init_mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777);
	init_mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", 0755);
	load_modules();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", "linux", 0);
	if (chdir("/") < 0)
		note("chdir /: %s", strerror(errno));
	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		note("read /proc/cmdline: %s", strerror(errno));
		n = 0;
	}
	cmdline[n] = 0;
	configure(cmdline);
}

/* --- main ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fputs("usage: vnetlab-agent                 (as the guest's /init, PID 1)\n"
	      "       vnetlab-agent --serve-fd N    serve the protocol on fd N\n"
	      "       vnetlab-agent --socket PATH   listen on a UNIX socket\n"
	      "       vnetlab-agent --configure 'vl.if=eth0,10.0.0.1/24 ...'\n"
	      "                                     apply kernel command line settings\n",
	      f);
}

static int parse_fd(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > INT_MAX || fcntl((int)v, F_GETFD) < 0)
		return -1;
	return (int)v;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		logmsg("%s: path too long for a socket", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		logmsg("listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void loop(void)
{
	struct pollfd pfd[3 + 3 * VL_AG_MAX_SESSIONS];
	struct sess *owner[3 + 3 * VL_AG_MAX_SESSIONS];

	for (;;) {
		size_t n = 0, conn_i = SIZE_MAX, listen_i = SIZE_MAX;
		int timeout = -1, r;
		struct timespec now;

		conn_flush();
		if (ag.poweroff)
			power_off();
		pfd[n] = (struct pollfd){.fd = ag.sigfd, .events = POLLIN};
		owner[n++] = NULL;
		if (ag.conn_eof) {
			int64_t left;

			clock_gettime(CLOCK_MONOTONIC, &now);
			left = -ts_diff_us(&now, &ag.retry_at);
			if (left <= 0)
				ag.conn_eof = false;
			else
				timeout = (int)(left / 1000) + 1;
		}
		if (ag.conn >= 0 && !ag.conn_eof) {
			short ev = outq_pending() ? POLLOUT : 0;

			if (outq_pending() < outq_limit())
				ev |= POLLIN;
			conn_i = n;
			pfd[n] = (struct pollfd){.fd = ag.conn, .events = ev};
			owner[n++] = NULL;
		}
		if (ag.listen >= 0 && ag.conn < 0) {
			listen_i = n;
			pfd[n] = (struct pollfd){.fd = ag.listen, .events = POLLIN};
			owner[n++] = NULL;
		}
		for (size_t i = 0; i < ag.nsess; i++) {
			struct sess *s = ag.sess[i];
			short in_ev = s->in >= 0 && (s->inlen || s->veof_pending) ? POLLOUT : 0;
			short out_ev = s->credit ? POLLIN : 0;

			if (s->exited && s->credit)
				timeout = 0; /* drain what is left without waiting */
			if (s->tty) {
				short ev = (short)(in_ev | (s->out >= 0 ? out_ev : 0));

				if (s->master >= 0 && ev) {
					pfd[n] = (struct pollfd){.fd = s->master, .events = ev};
					owner[n++] = s;
				}
				continue;
			}
			if (s->in >= 0 && in_ev) {
				pfd[n] = (struct pollfd){.fd = s->in, .events = in_ev};
				owner[n++] = s;
			}
			if (s->out >= 0 && out_ev) {
				pfd[n] = (struct pollfd){.fd = s->out, .events = out_ev};
				owner[n++] = s;
			}
			if (s->err >= 0 && out_ev) {
				pfd[n] = (struct pollfd){.fd = s->err, .events = out_ev};
				owner[n++] = s;
			}
		}
		if (ag.sigfd < 0 && (timeout < 0 || timeout > 1000))
			timeout = 1000; /* no signalfd: reap now and then */
		r = poll(pfd, n, timeout);
		if (r < 0 && errno != EINTR) {
			logmsg("poll: %s", strerror(errno));
			sleep(1);
			continue;
		}
		if (r < 0)
			continue;
		if (pfd[0].revents || ag.sigfd < 0)
			reap();
		if (listen_i != SIZE_MAX && pfd[listen_i].revents) {
			int c = accept4(ag.listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

			if (c >= 0) {
				ag.conn = c;
				vl_ag_reader_reset(&ag.rd);
				send_ready(0);
			}
		}
		if (conn_i != SIZE_MAX && pfd[conn_i].revents & (POLLIN | POLLHUP | POLLERR))
			conn_read();
		/* Sessions: what poll reported, and what is left after an exit. */
		for (size_t k = 1; k < n; k++) {
			struct sess *s = owner[k];

			if (!s || !pfd[k].revents || !sess_alive(s))
				continue;
			if (pfd[k].fd == s->in &&
			    (pfd[k].revents & (POLLOUT | POLLERR | POLLHUP)) &&
			    (pfd[k].events & POLLOUT))
				stdin_flush(s);
			if (pfd[k].fd == s->out && (pfd[k].events & POLLIN))
				sess_read(s, &s->out, VL_AG_STDOUT);
			else if (pfd[k].fd == s->err && (pfd[k].events & POLLIN))
				sess_read(s, &s->err, VL_AG_STDERR);
		}
		for (size_t i = 0; i < ag.nsess;) {
			struct sess *s = ag.sess[i];

			if (s->exited) {
				sess_read(s, &s->out, VL_AG_STDOUT);
				sess_read(s, &s->err, VL_AG_STDERR);
			}
			sess_maybe_end(s);
			if (i < ag.nsess && ag.sess[i] == s)
				i++;
		}
	}
}

int main(int argc, char **argv)
{
	sigset_t mask;

	ag.init = getpid() == 1;
	if (!ag.init)
		stdio_open();
	if (ag.init) {
		ag.mode = MODE_PORT;
		init_setup();
	} else if (argc == 3 && !strcmp(argv[1], "--serve-fd")) {
		ag.mode = MODE_STREAM;
		ag.conn = parse_fd(argv[2]);
		if (ag.conn < 0) {
			logmsg("--serve-fd %s: not an open file descriptor", argv[2]);
			return 2;
		}
		fcntl(ag.conn, F_SETFD, FD_CLOEXEC);
		set_nonblock(ag.conn);
	} else if (argc == 3 && !strcmp(argv[1], "--socket")) {
		ag.mode = MODE_SOCKET;
		ag.listen = listen_on(argv[2]);
		if (ag.listen < 0)
			return 1;
	} else if (argc == 3 && !strcmp(argv[1], "--configure")) {
		configure(argv[2]);
		return ag.notes[0] ? 1 : 0;
	} else if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	} else {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	if (!ag.init) {
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGHUP);
	} else {
		/* PID 1 gets no signal it has no handler for, blocked or not */
		static const int off[] = {SIGUSR1, SIGUSR2, SIGTERM};

		for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
			signal(off[i], on_power_signal);
			sigaddset(&mask, off[i]);
		}
	}
	sigprocmask(SIG_BLOCK, &mask, NULL);
	ag.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (ag.sigfd < 0) {
		logmsg("signalfd: %s", strerror(errno));
		if (!ag.init)
			return 1;
	}
	if (ag.init)
		ag.conn = port_open();
	ag.ready_ms = clock_ms(CLOCK_BOOTTIME);
	if (ag.conn >= 0)
		send_ready(0);
	loop();
	return 0;
}
