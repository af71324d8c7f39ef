/* vnetlab-agent: the guest agent of the vm backend, a small static program
 * (libc, proto.c and the base helpers only). In a guest it is /init, PID
 * 1: it mounts the pseudo file systems, sets the hostname and configures
 * the network from the kernel command line, reaps every orphan, finds its
 * virtio-serial port by name and serves the host's requests on it
 * (vm/proto.h): commands with stdin/stdout/stderr or a pty, signals, exit
 * status and rusage, files, statistics, power off.
 *
 *   vnetlab-agent                   as PID 1 (the guest's init)
 *   vnetlab-agent --serve-fd N      serve the stream on fd N, exit at its end
 *   vnetlab-agent --socket PATH     listen on a UNIX socket, one host at a time
 *   vnetlab-agent --configure 'vl.if=eth0,10.0.0.1/24 ...'
 *                                   apply a command line's settings here, exit
 *
 * The kernel command line's settings are net.c's; as PID 1 it first loads
 * the modules listed in /lib/modules/load-order (for a generic kernel).
 * Problems are logged on the console and reported in READY's notes.
 *
 * This file: the arguments and modes, the dispatch of the host's
 * requests, and the one poll loop. Touches: the agent's state (ag) and,
 * through the others (agent.h), as PID 1 the whole guest; otherwise only
 * the processes it starts and the files it is asked to write. Every fd it
 * opens is close-on-exec. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "base/util.h"

/* Zeroed, not initialized: its buffers (the reader, the reply) would
 * otherwise be 200 KB of the binary, and of every guest's image. main()
 * marks the fds closed first. */
struct ag_state ag;

void ag_log(const char *fmt, ...)
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

void ag_note(const char *fmt, ...)
{
	char buf[256];
	size_t len = strlen(ag.notes);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ag_log("%s", buf);
	snprintf(ag.notes + len, sizeof(ag.notes) - len, "%s%s", len ? "; " : "", buf);
}

uint64_t ag_clock_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int64_t ag_ts_diff_us(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(a->tv_sec - b->tv_sec) * 1000000 + (a->tv_nsec - b->tv_nsec) / 1000;
}

int ag_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void ag_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* --- requests --------------------------------------------------------------- */

void ag_clock_step(uint64_t ns)
{
	struct timespec now;
	int64_t off;

	clock_gettime(CLOCK_REALTIME, &now);
	off = (int64_t)ns - ((int64_t)now.tv_sec * 1000000000 + now.tv_nsec);
	if (ns && (off > 1000000 || off < -1000000)) {
		struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
		                      .tv_nsec = (long)(ns % 1000000000u)};

		if (clock_settime(CLOCK_REALTIME, &ts) < 0)
			ag_note("set the clock to the host's: %s", strerror(errno));
	}
}

/* HELLO [u32 version [u64 host time, ns]]: an agent that is PID 1 steps
 * the guest's clock to the host's. Then READY. */
static void hello(const struct vl_ag_hdr *h, const uint8_t *p)
{
	if (ag.init && h->len >= 12) {
		struct vl_ag_cur c;
		uint64_t ns;

		vl_ag_cur_init(&c, p, h->len);
		vl_ag_get_u32(&c);
		ns = vl_ag_get_u64(&c);
		if (!c.bad)
			ag_clock_step(ns);
	}
	ag_send_ready(h->id);
}

void ag_dispatch(const struct vl_ag_hdr *h, const uint8_t *p)
{
	char tn[16];

	switch (h->type) {
	case VL_AG_HELLO:
		hello(h, p);
		return;
	case VL_AG_EXEC:
		ag_exec(h->id, p, h->len);
		return;
	case VL_AG_STDIN:
	case VL_AG_STDIN_EOF:
	case VL_AG_SIGNAL:
	case VL_AG_WINSIZE:
	case VL_AG_CREDIT:
		ag_session_frame(h, p);
		return;
	case VL_AG_WRITE_FILE:
		ag_write_file(h->id, p, h->len);
		return;
	case VL_AG_STATS:
		ag_stats(h->id);
		return;
	case VL_AG_PING:
		vl_ag_msg_init(&ag.tx, VL_AG_PONG, h->id);
		vl_ag_put_bytes(&ag.tx, p, h->len);
		ag_send(&ag.tx);
		return;
	case VL_AG_SETUP:
		ag_setup(h->id, p, h->len);
		return;
	case VL_AG_POWEROFF:
		ag_send_empty(VL_AG_OK, h->id);
		ag.poweroff = true;
		return;
	default:
		ag_send_error(h->id, EOPNOTSUPP, h->type, "%s: not a request",
		              vl_ag_type_name(h->type, tn));
	}
}

/* --- the loop ------------------------------------------------------------------ */

#define MAX_POLL (3 + 3 * VL_AG_MAX_SESSIONS)

/* The fds to watch: the signalfd first, then the connection (or the
 * listening socket), then the sessions' fds, each with its session in
 * owner[] (NULL for the agent's own). *timeout: -1, or how soon to look
 * again without an event. */
static size_t poll_set(struct pollfd *pfd, struct ag_sess **owner, size_t *conn_i, size_t *listen_i,
                       int *timeout)
{
	size_t n = 0;

	*conn_i = *listen_i = SIZE_MAX;
	*timeout = -1;
	pfd[n] = (struct pollfd){.fd = ag.sigfd, .events = POLLIN};
	owner[n++] = NULL;
	if (ag.conn_eof) {
		struct timespec now;
		int64_t left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = -ag_ts_diff_us(&now, &ag.retry_at);
		if (left <= 0)
			ag.conn_eof = false;
		else
			*timeout = (int)(left / 1000) + 1;
	}
	if (ag.conn >= 0 && !ag.conn_eof) {
		short ev = ag_outq_pending() ? POLLOUT : 0;

		if (ag_outq_pending() < ag_outq_limit())
			ev |= POLLIN;
		*conn_i = n;
		pfd[n] = (struct pollfd){.fd = ag.conn, .events = ev};
		owner[n++] = NULL;
	}
	if (ag.listen >= 0 && ag.conn < 0) {
		*listen_i = n;
		pfd[n] = (struct pollfd){.fd = ag.listen, .events = POLLIN};
		owner[n++] = NULL;
	}
	for (size_t i = 0; i < ag.nsess; i++) {
		struct ag_sess *s = ag.sess[i];
		short in_ev = s->in >= 0 && (s->inlen || s->veof_pending) ? POLLOUT : 0;
		short out_ev = s->credit ? POLLIN : 0;

		if (s->exited && s->credit)
			*timeout = 0; /* drain what is left without waiting */
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
	if (ag.sigfd < 0 && (*timeout < 0 || *timeout > 1000))
		*timeout = 1000; /* no signalfd: reap now and then */
	return n;
}

static void loop(void)
{
	struct pollfd pfd[MAX_POLL];
	struct ag_sess *owner[MAX_POLL];

	for (;;) {
		size_t n, conn_i, listen_i;
		int timeout, r;

		ag_conn_flush();
		if (ag.poweroff)
			ag_power_off();
		n = poll_set(pfd, owner, &conn_i, &listen_i, &timeout);
		r = poll(pfd, n, timeout);
		if (r < 0 && errno != EINTR) {
			ag_log("poll: %s", strerror(errno));
			sleep(1);
			continue;
		}
		if (r < 0)
			continue;
		if (pfd[0].revents || ag.sigfd < 0) {
			ag_signals_read();
			ag_reap();
		}
		if (listen_i != SIZE_MAX && pfd[listen_i].revents)
			ag_conn_accept();
		if (conn_i != SIZE_MAX && pfd[conn_i].revents & (POLLIN | POLLHUP | POLLERR))
			ag_conn_read();
		/* Sessions: what poll reported, and what is left after an exit. */
		for (size_t k = 1; k < n; k++) {
			struct ag_sess *s = owner[k];

			if (!s || !pfd[k].revents || !ag_sess_alive(s))
				continue;
			if (pfd[k].fd == s->in &&
			    (pfd[k].revents & (POLLOUT | POLLERR | POLLHUP)) &&
			    (pfd[k].events & POLLOUT))
				ag_stdin_flush(s);
			if (pfd[k].fd == s->out && (pfd[k].events & POLLIN))
				ag_sess_read(s, &s->out, VL_AG_STDOUT);
			else if (pfd[k].fd == s->err && (pfd[k].events & POLLIN))
				ag_sess_read(s, &s->err, VL_AG_STDERR);
		}
		for (size_t i = 0; i < ag.nsess;) {
			struct ag_sess *s = ag.sess[i];

			if (s->exited) {
				ag_sess_read(s, &s->out, VL_AG_STDOUT);
				ag_sess_read(s, &s->err, VL_AG_STDERR);
			}
			ag_sess_maybe_end(s);
			if (i < ag.nsess && ag.sess[i] == s)
				i++;
		}
	}
}

/* --- main ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fputs("usage: vnetlab-agent                 (as the guest's /init, PID 1)\n"
	      "       vnetlab-agent --serve-fd N    serve the protocol on fd N\n"
	      "       vnetlab-agent --socket PATH   listen on a UNIX socket\n"
	      "       vnetlab-agent --configure 'vl.if=eth0,10.0.0.1/24 ...'\n"
	      "                                     apply kernel command line settings\n",
	      f);
}

/* An open fd, given in decimal. */
static int parse_fd(const char *s)
{
	unsigned long v;

	if (vl_parse_uint(s, 0, INT_MAX, &v) < 0 || fcntl((int)v, F_GETFD) < 0)
		return -1;
	return (int)v;
}

int main(int argc, char **argv)
{
	struct vl_err err;

	ag.conn = ag.listen = ag.sigfd = -1;
	ag.init = getpid() == 1;
	if (!ag.init)
		ag_stdio_open();
	if (ag.init) {
		ag.mode = AG_MODE_PORT;
		ag_init_setup();
	} else if (argc == 3 && !strcmp(argv[1], "--serve-fd")) {
		ag.mode = AG_MODE_STREAM;
		ag.conn = parse_fd(argv[2]);
		if (ag.conn < 0) {
			ag_log("--serve-fd %s: not an open file descriptor", argv[2]);
			return 2;
		}
		fcntl(ag.conn, F_SETFD, FD_CLOEXEC);
		ag_set_nonblock(ag.conn);
	} else if (argc == 3 && !strcmp(argv[1], "--socket")) {
		ag.mode = AG_MODE_SOCKET;
		ag.listen = ag_listen_on(argv[2], &err);
		if (ag.listen < 0) {
			ag_log("%s", err.msg);
			return 1;
		}
	} else if (argc == 3 && !strcmp(argv[1], "--configure")) {
		ag_configure(argv[2]);
		return ag.notes[0] ? 1 : 0;
	} else if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	} else {
		usage(stderr);
		return 2;
	}
	if (ag_signals_open(&err) < 0) {
		ag_log("%s", err.msg);
		if (!ag.init)
			return 1;
	}
	if (ag.init)
		ag.conn = ag_port_open();
	ag.ready_ms = ag_clock_ms(CLOCK_BOOTTIME);
	if (ag.conn >= 0)
		ag_send_ready(0);
	loop();
	return 0;
}
