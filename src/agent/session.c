/* The host's commands (EXEC): each a session of its own, a child in a new
 * session (setsid) with pipes or a pty for its stdio, in an environment
 * the host gives or the agent's own. Both ways flow-controlled: stdin
 * within a window the agent credits back as the child takes it, output
 * read only while the host's credit lasts. Every child is reaped here
 * (orphans too, as PID 1); a session ends with its EXIT (status and
 * rusage) once reaped and drained.
 *
 * Touches: the sessions (ag.sess), the processes it starts, their fds
 * and the replies it queues. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "agent/agent.h"
#include "base/util.h"

extern char **environ;

/* Both ends of a pipe, closed at the end of their scope. */
static void close_pairp(int (*p)[2])
{
	ag_close(&(*p)[0]);
	ag_close(&(*p)[1]);
}
#define cleanup_close_pair __attribute__((cleanup(close_pairp)))

static uint64_t tv_us(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000 + (uint64_t)tv->tv_usec;
}

static struct ag_sess *sess_find(uint32_t id)
{
	for (size_t i = 0; i < ag.nsess; i++)
		if (ag.sess[i]->id == id)
			return ag.sess[i];
	return NULL;
}

/* Still a session (by pointer: it may have been freed since). */
bool ag_sess_alive(const struct ag_sess *s)
{
	for (size_t i = 0; i < ag.nsess; i++)
		if (ag.sess[i] == s)
			return true;
	return false;
}

static void sess_free(struct ag_sess *s)
{
	size_t i;

	if (s->master >= 0) {
		close(s->master);
		s->in = s->out = s->master = -1;
	}
	ag_close(&s->in);
	ag_close(&s->out);
	ag_close(&s->err);
	free(s->inbuf);
	for (i = 0; i < ag.nsess && ag.sess[i] != s; i++)
		;
	if (i < ag.nsess)
		ag.sess[i] = ag.sess[--ag.nsess];
	free(s);
}

/* The child's stdin is gone (or never to be used again): stop writing. */
static void stdin_close(struct ag_sess *s)
{
	s->in_uncredited += (uint32_t)s->inlen;
	s->inlen = 0;
	if (s->tty)
		s->in = -1; /* the master stays open for the output */
	else
		ag_close(&s->in);
}

static void stdin_credit(struct ag_sess *s)
{
	if (s->in_uncredited && (s->inlen == 0 || s->in_uncredited >= s->in_window / 4)) {
		ag_send_u32(VL_AG_CREDIT, s->id, s->in_uncredited);
		s->in_uncredited = 0;
	}
}

/* Pass queued stdin to the child, as much as it takes now. */
void ag_stdin_flush(struct ag_sess *s)
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

static void sess_kill(struct ag_sess *s, int sig)
{
	if (s->exited)
		return;
	if (kill(-s->pid, sig) < 0 && errno == ESRCH)
		kill(s->pid, sig);
}

void ag_sessions_kill(int sig)
{
	for (size_t i = 0; i < ag.nsess; i++)
		sess_kill(ag.sess[i], sig);
}

void ag_sess_read(struct ag_sess *s, int *fd, unsigned type)
{
	size_t n = s->credit < AG_READ_CHUNK ? (size_t)s->credit : AG_READ_CHUNK;
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
		ag_send(&ag.tx);
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
		ag_close(fd);
}

void ag_sess_maybe_end(struct ag_sess *s)
{
	if (!s->exited || s->out >= 0 || s->err >= 0)
		return;
	vl_ag_msg_init(&ag.tx, VL_AG_EXIT, s->id);
	vl_ag_put_u32(&ag.tx, (uint32_t)s->status);
	vl_ag_put_u64(&ag.tx, tv_us(&s->ru.ru_utime));
	vl_ag_put_u64(&ag.tx, tv_us(&s->ru.ru_stime));
	vl_ag_put_u64(&ag.tx, (uint64_t)s->ru.ru_maxrss);
	vl_ag_put_u64(&ag.tx, s->wall_us);
	ag_send(&ag.tx);
	sess_free(s);
}

/* Sessions get their status and rusage; orphans are just reaped. */
void ag_reap(void)
{
	struct rusage ru;
	int status;
	pid_t pid;

	while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
		for (size_t i = 0; i < ag.nsess; i++) {
			struct ag_sess *s = ag.sess[i];
			struct timespec now;

			if (s->pid != pid || s->exited)
				continue;
			clock_gettime(CLOCK_MONOTONIC, &now);
			s->exited = true;
			s->status = status;
			s->ru = ru;
			s->wall_us = (uint64_t)ag_ts_diff_us(&now, &s->t0);
			s->inlen = 0;
			s->veof_pending = false;
			if (s->in >= 0)
				stdin_close(s);
			stdin_credit(s);
			break;
		}
	}
}

void ag_sessions_drop(void)
{
	while (ag.nsess) {
		struct ag_sess *s = ag.sess[0];

		sess_kill(s, SIGKILL);
		if (!s->exited)
			waitpid(s->pid, NULL, 0);
		sess_free(s);
	}
}

/* --- EXEC --------------------------------------------------------------------- */

/* In the child: tell the parent which stage failed (0 set up, 1 chdir,
 * 2 exec) and with which errno. */
static void child_fail(int errpipe, int stage, int code)
{
	int msg[2] = {stage, code};

	if (write(errpipe, msg, sizeof(msg)) < 0)
		_exit(127);
	_exit(127);
}

/* In the child: become the command. Only returns by _exit. */
static void child_exec(int errpipe, bool tty, int slave, int pin[2], int pout[2], int perr[2],
                       const char *cwd, char **argv, char **envp)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (setsid() < 0)
		child_fail(errpipe, 0, errno);
	if (tty) {
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
static int open_pty(int *master, int *slave, uint16_t rows, uint16_t cols, struct vl_err *err)
{
	static const char what[] = "EXEC: open a pty";
	struct winsize ws = {.ws_row = rows ? rows : 24, .ws_col = cols ? cols : 80};
	cleanup_close int m = -1;
	char name[64];
	int sl = -1, e;

	m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (m < 0 || unlockpt(m) < 0)
		return vl_err_sys(err, errno, "%s", what);
	ioctl(m, TIOCSWINSZ, &ws);
#ifdef TIOCGPTPEER
	sl = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
#endif
	if (sl < 0) {
		if ((e = ptsname_r(m, name, sizeof(name))) != 0)
			return vl_err_sys(err, e, "%s", what);
		sl = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (sl < 0)
			return vl_err_sys(err, errno, "%s", what);
	}
	*master = m;
	m = -1;
	*slave = sl;
	return 0;
}

/* Start the command EXEC asks for as session id: STARTED is queued, or
 * err says why not (its code is ERROR's errno). */
static int exec_start(uint32_t id, const uint8_t *payload, size_t len, struct vl_err *err)
{
	struct vl_ag_cur c;
	uint32_t flags, out_window, argc, envc;
	uint16_t rows, cols;
	const char *cwd;
	cleanup_free char **argv = NULL;
	cleanup_free char **envp = NULL;
	cleanup_free struct ag_sess *s = NULL;
	cleanup_close_pair int pin[2] = {-1, -1};
	cleanup_close_pair int pout[2] = {-1, -1};
	cleanup_close_pair int perr[2] = {-1, -1};
	cleanup_close_pair int ep[2] = {-1, -1};
	cleanup_close int master = -1;
	cleanup_close int slave = -1;
	int msg[2];
	ssize_t r;

	vl_ag_cur_init(&c, payload, len);
	flags = vl_ag_get_u32(&c);
	rows = vl_ag_get_u16(&c);
	cols = vl_ag_get_u16(&c);
	out_window = vl_ag_get_u32(&c);
	argc = vl_ag_get_u32(&c);
	envc = vl_ag_get_u32(&c);
	cwd = vl_ag_get_str(&c, PATH_MAX);
	if (c.bad)
		return vl_err_set(err, EBADMSG, "EXEC: truncated");
	if (id == 0 || argc == 0 || (flags & ~(uint32_t)(VL_AG_EXEC_TTY | VL_AG_EXEC_ENV)))
		return vl_err_set(err, EINVAL, "EXEC: %s",
		                  id == 0     ? "session id 0"
		                  : argc == 0 ? "no argv"
		                              : "unknown flags");
	if (argc > VL_AG_MAX_ARGS || envc > VL_AG_MAX_ARGS - argc)
		return vl_err_set(err, E2BIG, "EXEC: %u arguments and %u variables, at most %d",
		                  argc, envc, VL_AG_MAX_ARGS);
	if (sess_find(id))
		return vl_err_set(err, EEXIST, "EXEC: session %u is running", id);
	if (ag.nsess >= VL_AG_MAX_SESSIONS)
		return vl_err_set(err, EAGAIN, "EXEC: %d sessions already", VL_AG_MAX_SESSIONS);
	argv = calloc(argc + 1, sizeof(*argv));
	envp = calloc(envc + 1, sizeof(*envp));
	s = calloc(1, sizeof(*s));
	if (!argv || !envp || !s)
		return vl_err_set(err, ENOMEM, "EXEC: out of memory");
	for (uint32_t i = 0; i < argc; i++)
		argv[i] = (char *)vl_ag_get_str(&c, 0);
	for (uint32_t i = 0; i < envc; i++)
		envp[i] = (char *)vl_ag_get_str(&c, 0);
	if (!vl_ag_cur_done(&c))
		return vl_err_set(err, EBADMSG, "EXEC: %s",
		                  c.bad ? "strings truncated" : "bytes after the strings");
	if (!argv[0][0])
		return vl_err_set(err, ENOENT, "EXEC: empty command name");
	s->id = id;
	s->tty = flags & VL_AG_EXEC_TTY;
	s->in = s->out = s->err = s->master = -1;
	s->in_window = VL_AG_WINDOW;
	s->out_window = out_window ? out_window : VL_AG_WINDOW;
	if (s->out_window > VL_AG_MAX_WINDOW)
		s->out_window = VL_AG_MAX_WINDOW;
	s->credit = s->out_window;
	if (s->tty) {
		if (open_pty(&master, &slave, rows, cols, err) < 0)
			return -1;
	} else if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 ||
	           pipe2(perr, O_CLOEXEC) < 0) {
		return vl_err_sys(err, errno, "EXEC: pipe");
	}
	if (pipe2(ep, O_CLOEXEC) < 0)
		return vl_err_sys(err, errno, "EXEC: pipe");
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	s->pid = fork();
	if (s->pid < 0)
		return vl_err_sys(err, errno, "EXEC: fork");
	if (s->pid == 0)
		child_exec(ep[1], s->tty, slave, pin, pout, perr, cwd, argv,
		           (flags & VL_AG_EXEC_ENV) ? envp : environ);
	ag_close(&ep[1]);
	do
		r = read(ep[0], msg, sizeof(msg));
	while (r < 0 && errno == EINTR);
	if (r == sizeof(msg)) {
		/* It did not start: reap it here, the reaper will not know it. */
		waitpid(s->pid, NULL, 0);
		if (msg[0] == 1)
			return vl_err_sys(err, msg[1], "chdir %s", cwd);
		if (msg[0] == 2 && msg[1] == ENOENT)
			return vl_err_set(err, msg[1], "%s: command not found", argv[0]);
		return vl_err_sys(err, msg[1], "%s %s", msg[0] == 2 ? "exec" : "set up", argv[0]);
	}
	if (s->tty) {
		s->master = s->in = s->out = master;
		master = -1;
	} else {
		s->in = pin[1];
		s->out = pout[0];
		s->err = perr[0];
		pin[1] = pout[0] = perr[0] = -1;
		ag_set_nonblock(s->in);
		ag_set_nonblock(s->out);
		ag_set_nonblock(s->err);
	}
	ag.sess[ag.nsess++] = s;
	vl_ag_msg_init(&ag.tx, VL_AG_STARTED, id);
	vl_ag_put_u32(&ag.tx, (uint32_t)s->pid);
	vl_ag_put_u32(&ag.tx, s->in_window);
	ag_send(&ag.tx);
	s = NULL; /* the session list has it */
	return 0;
}

void ag_exec(uint32_t id, const uint8_t *payload, size_t len)
{
	struct vl_err err = {0};

	if (exec_start(id, payload, len, &err) < 0)
		ag_send_error(id, err.code, VL_AG_EXEC, "%s", err.msg);
}

/* --- the frames of a running session ---------------------------------------------- */

/* Take n bytes of stdin for the child, within the window. */
static int stdin_take(struct ag_sess *s, const uint8_t *p, size_t n, struct vl_err *err)
{
	if (!n)
		return 0;
	if (s->inlen + s->in_uncredited + n > s->in_window)
		return vl_err_set(err, ENOBUFS,
		                  "STDIN: %zu bytes over the window of %u (wait for CREDIT)", n,
		                  s->in_window);
	if (s->in < 0 || s->in_eof) {
		s->in_uncredited += (uint32_t)n; /* the child is not reading: dropped */
		stdin_credit(s);
		return 0;
	}
	if (s->inlen + n > s->incap) {
		size_t cap = s->incap ? s->incap : 65536;
		uint8_t *b;

		while (cap < s->inlen + n)
			cap *= 2;
		b = realloc(s->inbuf, cap);
		if (!b)
			return vl_err_set(err, ENOMEM, "STDIN: out of memory");
		s->inbuf = b;
		s->incap = cap;
	}
	memcpy(s->inbuf + s->inlen, p, n);
	s->inlen += n;
	ag_stdin_flush(s);
	return 0;
}

/* Frames for sessions that have ended race with their EXIT by nature and
 * are dropped. */
void ag_session_frame(const struct vl_ag_hdr *h, const uint8_t *p)
{
	struct ag_sess *s = sess_find(h->id);
	struct vl_err err = {0};
	struct vl_ag_cur c;
	uint32_t v;

	vl_ag_cur_init(&c, p, h->len);
	switch (h->type) {
	case VL_AG_STDIN:
		if (s && stdin_take(s, p, h->len, &err) < 0)
			ag_send_error(s->id, err.code, VL_AG_STDIN, "%s", err.msg);
		return;
	case VL_AG_STDIN_EOF:
		if (s && !s->in_eof) {
			s->in_eof = true;
			s->veof_pending = s->tty && s->in >= 0;
			ag_stdin_flush(s);
		}
		return;
	case VL_AG_SIGNAL:
		v = vl_ag_get_u32(&c);
		if (!vl_ag_cur_done(&c) || v < 1 || v >= (uint32_t)NSIG) {
			ag_send_error(h->id, c.bad ? EBADMSG : EINVAL, h->type,
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
			ag_send_error(h->id, EBADMSG, h->type, "WINSIZE: malformed");
			return;
		}
		if (s && s->master >= 0)
			ioctl(s->master, TIOCSWINSZ, &ws);
		return;
	}
	case VL_AG_CREDIT:
		v = vl_ag_get_u32(&c);
		if (!vl_ag_cur_done(&c)) {
			ag_send_error(h->id, EBADMSG, h->type, "CREDIT: malformed");
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
