/* The host side of the guest agent's protocol (see client.h and proto.h):
 * blocking requests over one stream fd, and a pump that runs several
 * commands at once on it with flow control both ways. Touches only the
 * fds it is given and, while forwarding signals, their dispositions. */
#include "vm/client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/util.h"

#define READ_CHUNK VL_AG_MAX_PAYLOAD

int vl_agent_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

uint32_t vl_agent_new_id(void)
{
	static uint32_t next;

	if (!next)
		next = ((uint32_t)getpid() & 0x7fff) << 16;
	if (++next == 0)
		next = 1;
	return next;
}

/* --- frames --------------------------------------------------------------- */

int vl_agent_send(int fd, struct vl_ag_msg *m, struct vl_err *err)
{
	const uint8_t *p = m->buf;
	size_t left;
	char tn[16];

	if (vl_ag_msg_end(m) < 0)
		return vl_err_set(err, EMSGSIZE, "%s to the agent: over %d bytes",
		                  vl_ag_type_name(m->buf[3], tn), VL_AG_MAX_PAYLOAD);
	left = m->len;
	while (left) {
		ssize_t w = send(fd, p, left, MSG_NOSIGNAL);

		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};

			poll(&pfd, 1, -1);
			continue;
		}
		if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
			return vl_err_set(err, EPIPE, "the agent closed the connection");
		if (w < 0)
			return vl_err_sys(err, errno, "write to the agent");
		p += w;
		left -= (size_t)w;
	}
	return 0;
}

/* Read exactly n bytes. */
static int read_full(int fd, uint8_t *p, size_t n, double deadline, struct vl_err *err)
{
	while (n) {
		ssize_t r;

		if (deadline > 0) {
			struct pollfd pfd = {.fd = fd, .events = POLLIN};
			double left = deadline - vl_now();
			int k;

			if (left <= 0)
				return vl_err_set(err, ETIMEDOUT, "no answer from the agent");
			k = poll(&pfd, 1, (int)(left * 1000) + 1);
			if (k < 0 && errno != EINTR)
				return vl_err_sys(err, errno, "poll the agent's connection");
			if (k <= 0)
				continue;
		}
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) {
			struct pollfd pfd = {.fd = fd, .events = POLLIN};

			poll(&pfd, 1, deadline > 0 ? 100 : -1);
			continue;
		}
		/* a reset is a close that left our last frame unread */
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return vl_err_set(err, EPIPE, "the agent closed the connection");
		if (r < 0)
			return vl_err_sys(err, errno, "read from the agent");
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int vl_agent_recv(int fd, struct vl_ag_hdr *h, uint8_t *payload, double deadline,
                  struct vl_err *err)
{
	uint8_t hdr[VL_AG_HDR_LEN];
	int e;

	if (read_full(fd, hdr, sizeof(hdr), deadline, err) < 0)
		return -1;
	e = vl_ag_hdr_get(hdr, h);
	if (e == -EPROTONOSUPPORT)
		return vl_err_set(err, EPROTO, "the agent speaks protocol version %u, we speak %d",
		                  h->version, VL_AG_VERSION);
	if (e < 0)
		return vl_err_set(err, EPROTO, "not a frame from the agent (%s)",
		                  e == -EBADMSG ? "bad magic" : "too long");
	return read_full(fd, payload, h->len, deadline, err);
}

int vl_agent_error(const uint8_t *payload, size_t len, struct vl_err *err)
{
	struct vl_ag_cur c;
	uint32_t code;
	const char *msg;

	vl_ag_cur_init(&c, payload, len);
	code = vl_ag_get_u32(&c);
	vl_ag_get_u32(&c);
	msg = vl_ag_get_str(&c, 0);
	if (c.bad)
		return vl_err_set(err, EPROTO, "a malformed ERROR from the agent");
	return vl_err_set(err, (int)code, "%s", msg);
}

/* Send a request and wait for the reply with its id (an ERROR becomes
 * err). Also accepts id 0 for a READY. *h and payload: the reply. */
static int request(int fd, struct vl_ag_msg *m, unsigned want, struct vl_ag_hdr *h,
                   uint8_t *payload, double timeout, struct vl_err *err)
{
	uint32_t id = (uint32_t)m->buf[4] | (uint32_t)m->buf[5] << 8 | (uint32_t)m->buf[6] << 16 |
	              (uint32_t)m->buf[7] << 24;
	double deadline = timeout > 0 ? vl_now() + timeout : 0;
	char tn[16];

	if (vl_agent_send(fd, m, err) < 0)
		return -1;
	for (;;) {
		if (vl_agent_recv(fd, h, payload, deadline, err) < 0)
			return -1;
		if (h->id == id && h->type == VL_AG_ERROR)
			return vl_agent_error(payload, h->len, err);
		if (h->type == want && (h->id == id || (want == VL_AG_READY && h->id == 0)))
			return 0;
		if (h->id == id)
			return vl_err_set(err, EPROTO, "agent: %s in reply",
			                  vl_ag_type_name(h->type, tn));
		/* someone else's: skip */
	}
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

int vl_agent_hello(int fd, struct vl_agent_info *info, double timeout, struct vl_err *err)
{
	struct vl_ag_msg *m = vl_xmalloc(sizeof(*m));
	cleanup_free uint8_t *p = vl_xmalloc(VL_AG_MAX_PAYLOAD);
	struct vl_ag_hdr h;
	struct vl_ag_cur c;
	int r;

	vl_ag_msg_init(m, VL_AG_HELLO, vl_agent_new_id());
	vl_ag_put_u32(m, VL_AG_VERSION);
	r = request(fd, m, VL_AG_READY, &h, p, timeout, err);
	free(m);
	if (r < 0)
		return vl_err_wrap(err, "hello");
	memset(info, 0, sizeof(*info));
	vl_ag_cur_init(&c, p, h.len);
	info->version = vl_ag_get_u32(&c);
	info->init = vl_ag_get_u32(&c) & VL_AG_READY_INIT;
	info->pid = vl_ag_get_u32(&c);
	info->boot_ms = vl_ag_get_u64(&c);
	info->uptime_ms = vl_ag_get_u64(&c);
	copy_str(info->hostname, sizeof(info->hostname), vl_ag_get_str(&c, 0));
	copy_str(info->kernel, sizeof(info->kernel), vl_ag_get_str(&c, 0));
	copy_str(info->notes, sizeof(info->notes), vl_ag_get_str(&c, 0));
	if (c.bad)
		return vl_err_set(err, EPROTO, "hello: a malformed READY from the agent");
	return 0;
}

int vl_agent_ping(int fd, double timeout, double *rtt, struct vl_err *err)
{
	struct vl_ag_msg *m = vl_xmalloc(sizeof(*m));
	cleanup_free uint8_t *p = vl_xmalloc(VL_AG_MAX_PAYLOAD);
	struct vl_ag_hdr h;
	double t0 = vl_now();
	int r;

	vl_ag_msg_init(m, VL_AG_PING, vl_agent_new_id());
	vl_ag_put_bytes(m, &t0, sizeof(t0));
	r = request(fd, m, VL_AG_PONG, &h, p, timeout, err);
	free(m);
	if (r < 0)
		return vl_err_wrap(err, "ping");
	if (h.len != sizeof(t0) || memcmp(p, &t0, sizeof(t0)))
		return vl_err_set(err, EPROTO, "ping: the agent echoed something else");
	if (rtt)
		*rtt = vl_now() - t0;
	return 0;
}

int vl_agent_write_file(int fd, const char *path, unsigned mode, unsigned flags, const void *data,
                        size_t len, double timeout, struct vl_err *err)
{
	struct vl_ag_msg *m = vl_xmalloc(sizeof(*m));
	cleanup_free uint8_t *p = vl_xmalloc(VL_AG_MAX_PAYLOAD);
	size_t plen = strlen(path), max, off = 0;
	struct vl_ag_hdr h;
	int r = 0;

	if (plen > 4000) {
		free(m);
		return vl_err_set(err, ENAMETOOLONG, "write %s in the guest: path too long", path);
	}
	max = VL_AG_MAX_PAYLOAD - 8 - (plen + 1);
	do {
		size_t n = len - off < max ? len - off : max;

		vl_ag_msg_init(m, VL_AG_WRITE_FILE, vl_agent_new_id());
		vl_ag_put_u32(m, mode);
		vl_ag_put_u32(m, (flags & VL_AG_WF_MKDIR) | (off ? VL_AG_WF_APPEND : 0));
		vl_ag_put_str(m, path);
		vl_ag_put_bytes(m, (const uint8_t *)data + off, n);
		r = request(fd, m, VL_AG_OK, &h, p, timeout, err);
		off += n;
	} while (r == 0 && off < len);
	free(m);
	return r < 0 ? vl_err_wrap(err, "write %s in the guest", path) : 0;
}

int vl_agent_stats(int fd, struct vl_ag_stats *st, double timeout, struct vl_err *err)
{
	struct vl_ag_msg *m = vl_xmalloc(sizeof(*m));
	cleanup_free uint8_t *p = vl_xmalloc(VL_AG_MAX_PAYLOAD);
	struct vl_ag_hdr h;
	int r;

	vl_ag_msg_init(m, VL_AG_STATS, vl_agent_new_id());
	r = request(fd, m, VL_AG_STATS_REPLY, &h, p, timeout, err);
	free(m);
	if (r < 0)
		return vl_err_wrap(err, "guest stats");
	if (vl_ag_stats_get(p, h.len, st) < 0)
		return vl_err_set(err, EPROTO, "guest stats: a malformed reply from the agent");
	return 0;
}

int vl_agent_poweroff(int fd, double timeout, struct vl_err *err)
{
	struct vl_ag_msg *m = vl_xmalloc(sizeof(*m));
	cleanup_free uint8_t *p = vl_xmalloc(VL_AG_MAX_PAYLOAD);
	struct vl_ag_hdr h;
	int r;

	vl_ag_msg_init(m, VL_AG_POWEROFF, vl_agent_new_id());
	r = request(fd, m, VL_AG_OK, &h, p, timeout, err);
	free(m);
	return r < 0 ? vl_err_wrap(err, "power off") : 0;
}

/* --- sessions ------------------------------------------------------------- */

/* Signals to forward, through a self-pipe. One vl_agent_run() with
 * VL_AGENT_FWD_SIGNALS at a time per process. */
static const int fwd_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH};
static int sig_pipe[2] = {-1, -1};
static struct sigaction sig_old[VL_ARRAY_SIZE(fwd_signals)];

static void on_signal(int sig)
{
	int e = errno;
	unsigned char c = (unsigned char)sig;

	if (write(sig_pipe[1], &c, 1) < 0)
		(void)0;
	errno = e;
}

static int sig_forward_start(struct vl_err *err)
{
	struct sigaction sa = {.sa_handler = on_signal};

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return vl_err_sys(err, errno, "pipe");
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < VL_ARRAY_SIZE(fwd_signals); i++)
		sigaction(fwd_signals[i], &sa, &sig_old[i]);
	return 0;
}

static void sig_forward_stop(void)
{
	if (sig_pipe[0] < 0)
		return;
	for (size_t i = 0; i < VL_ARRAY_SIZE(fwd_signals); i++)
		sigaction(fwd_signals[i], &sig_old[i], NULL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
}

static void winsize_of(int fd, uint16_t *rows, uint16_t *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

static int send_exec(int fd, struct vl_ag_msg *m, struct vl_agent_session *s, struct vl_err *err)
{
	size_t argc = 0, envc = 0;
	uint16_t rows, cols;

	while (s->argv[argc])
		argc++;
	while (s->envp && s->envp[envc])
		envc++;
	winsize_of(s->out_fd >= 0 ? s->out_fd : s->in_fd, &rows, &cols);
	vl_ag_msg_init(m, VL_AG_EXEC, s->id);
	vl_ag_put_u32(m, (s->tty ? VL_AG_EXEC_TTY : 0) | (s->envp ? VL_AG_EXEC_ENV : 0));
	vl_ag_put_u16(m, rows);
	vl_ag_put_u16(m, cols);
	vl_ag_put_u32(m, VL_AG_WINDOW);
	vl_ag_put_u32(m, (uint32_t)argc);
	vl_ag_put_u32(m, (uint32_t)envc);
	vl_ag_put_str(m, s->cwd ? s->cwd : "");
	for (size_t i = 0; i < argc; i++)
		vl_ag_put_str(m, s->argv[i]);
	for (size_t i = 0; i < envc; i++)
		vl_ag_put_str(m, s->envp[i]);
	if (m->overflow)
		return vl_err_set(err, E2BIG, "%s: arguments and environment over %d bytes",
		                  s->argv[0], VL_AG_MAX_PAYLOAD);
	return vl_agent_send(fd, m, err);
}

static int send_u32(int fd, struct vl_ag_msg *m, unsigned type, uint32_t id, uint32_t v,
                    struct vl_err *err)
{
	vl_ag_msg_init(m, type, id);
	vl_ag_put_u32(m, v);
	return vl_agent_send(fd, m, err);
}

/* Write all of p to fd (which may be non-blocking). -1 if it cannot take
 * more (a closed pipe): the rest of the output is then discarded. */
static int out_write(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};

			poll(&pfd, 1, -1);
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static struct vl_agent_session *find(struct vl_agent_session *ss, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ss[i].id == id && !ss[i].ended)
			return &ss[i];
	return NULL;
}

/* One frame from the agent, for one of our sessions. */
static int on_frame(int fd, struct vl_ag_msg *m, struct vl_agent_session *ss, size_t n,
                    const struct vl_ag_hdr *h, const uint8_t *p, struct vl_err *err)
{
	struct vl_agent_session *s = find(ss, n, h->id);
	struct vl_ag_cur c;
	bool *dead;
	int out;

	if (!s)
		return 0; /* not ours, or over */
	vl_ag_cur_init(&c, p, h->len);
	switch (h->type) {
	case VL_AG_STARTED:
		s->ex.pid = vl_ag_get_u32(&c);
		s->in_credit = vl_ag_get_u32(&c);
		if (c.bad)
			return vl_err_set(err, EPROTO, "agent: a malformed STARTED");
		s->started = true;
		if (s->in_fd < 0) {
			s->in_eof = true;
			vl_ag_msg_init(m, VL_AG_STDIN_EOF, s->id);
			return vl_agent_send(fd, m, err);
		}
		return 0;
	case VL_AG_ERROR:
		vl_agent_error(p, h->len, &s->error);
		if (s->started)
			return 0; /* about a frame of ours: kept, the session goes on */
		s->ex.start_errno = s->error.code ? s->error.code : EPROTO;
		s->ex.status = (s->ex.start_errno == ENOENT ? 127 : 126) << 8;
		s->ended = true;
		return 0;
	case VL_AG_STDOUT:
	case VL_AG_STDERR:
		dead = h->type == VL_AG_STDOUT ? &s->out_dead : &s->err_dead;
		out = h->type == VL_AG_STDOUT ? s->out_fd : s->err_fd;
		if (!*dead && out >= 0 && out_write(out, p, h->len) < 0)
			*dead = true;
		s->out_uncredited += h->len;
		if (s->out_uncredited >= VL_AG_WINDOW / 4) {
			uint32_t v = s->out_uncredited;

			s->out_uncredited = 0;
			return send_u32(fd, m, VL_AG_CREDIT, s->id, v, err);
		}
		return 0;
	case VL_AG_CREDIT:
		s->in_credit += vl_ag_get_u32(&c);
		return 0;
	case VL_AG_EXIT:
		s->ex.status = (int)vl_ag_get_u32(&c);
		s->ex.utime_us = vl_ag_get_u64(&c);
		s->ex.stime_us = vl_ag_get_u64(&c);
		s->ex.maxrss_kb = vl_ag_get_u64(&c);
		s->ex.wall_us = vl_ag_get_u64(&c);
		if (!vl_ag_cur_done(&c))
			return vl_err_set(err, EPROTO, "agent: a malformed EXIT");
		s->ended = true;
		return 0;
	}
	return 0;
}

/* Copy a chunk of the session's stdin to the agent, within its credit. */
static int pump_stdin(int fd, struct vl_ag_msg *m, struct vl_agent_session *s, struct vl_err *err)
{
	size_t want = s->in_credit < READ_CHUNK ? s->in_credit : READ_CHUNK;
	uint8_t *room;
	ssize_t r;

	vl_ag_msg_init(m, VL_AG_STDIN, s->id);
	room = vl_ag_msg_room(m, want);
	do
		r = read(s->in_fd, room, want);
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EAGAIN)
		return 0;
	if (r <= 0) {
		/* EOF, or an error: the command sees EOF either way. */
		s->in_eof = true;
		vl_ag_msg_init(m, VL_AG_STDIN_EOF, s->id);
		return vl_agent_send(fd, m, err);
	}
	vl_ag_msg_grow(m, (size_t)r);
	s->in_credit -= (uint32_t)r;
	return vl_agent_send(fd, m, err);
}

static int forward_signal(int fd, struct vl_ag_msg *m, struct vl_agent_session *ss, size_t n,
                          int sig, struct vl_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct vl_agent_session *s = &ss[i];

		if (!s->started || s->ended)
			continue;
		if (sig == SIGWINCH) {
			uint16_t rows, cols;

			if (!s->tty)
				continue;
			winsize_of(s->out_fd >= 0 ? s->out_fd : s->in_fd, &rows, &cols);
			vl_ag_msg_init(m, VL_AG_WINSIZE, s->id);
			vl_ag_put_u16(m, rows);
			vl_ag_put_u16(m, cols);
			if (vl_agent_send(fd, m, err) < 0)
				return -1;
		} else if (send_u32(fd, m, VL_AG_SIGNAL, s->id, (uint32_t)sig, err) < 0) {
			return -1;
		}
	}
	return 0;
}

static int run_loop(int fd, struct vl_ag_msg *m, uint8_t *payload, struct vl_agent_session *ss,
                    size_t n, struct vl_err *err)
{
	cleanup_free struct pollfd *pfd = vl_xcalloc(n + 2, sizeof(*pfd));
	cleanup_free struct vl_agent_session **owner = vl_xcalloc(n + 2, sizeof(*owner));

	for (;;) {
		size_t k = 0, left = 0;
		struct vl_ag_hdr h;

		for (size_t i = 0; i < n; i++)
			left += !ss[i].ended;
		if (!left)
			return 0;
		pfd[k++] = (struct pollfd){.fd = fd, .events = POLLIN};
		pfd[k++] = (struct pollfd){.fd = sig_pipe[0], .events = POLLIN};
		for (size_t i = 0; i < n; i++) {
			struct vl_agent_session *s = &ss[i];

			if (s->started && !s->ended && !s->in_eof && s->in_credit) {
				owner[k] = s;
				pfd[k++] = (struct pollfd){.fd = s->in_fd, .events = POLLIN};
			}
		}
		if (poll(pfd, k, -1) < 0) {
			if (errno == EINTR)
				continue;
			return vl_err_sys(err, errno, "poll");
		}
		if (pfd[1].revents) {
			unsigned char sig;

			while (read(sig_pipe[0], &sig, 1) == 1)
				if (forward_signal(fd, m, ss, n, sig, err) < 0)
					return -1;
		}
		if (pfd[0].revents && (vl_agent_recv(fd, &h, payload, 0, err) < 0 ||
		                       on_frame(fd, m, ss, n, &h, payload, err) < 0))
			return -1;
		/* In the same round, so that a chatty session cannot starve
		 * another's stdin; the frame may have ended a session or used
		 * up its credit. */
		for (size_t i = 2; i < k; i++) {
			struct vl_agent_session *s = owner[i];

			if (pfd[i].revents && !s->ended && !s->in_eof && s->in_credit &&
			    pump_stdin(fd, m, s, err) < 0)
				return -1;
		}
	}
}

int vl_agent_run(int fd, struct vl_agent_session *ss, size_t n, unsigned flags, struct vl_err *err)
{
	struct vl_ag_msg *m = vl_xmalloc(sizeof(*m));
	cleanup_free uint8_t *payload = vl_xmalloc(VL_AG_MAX_PAYLOAD);
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		struct vl_agent_session *s = &ss[i];

		if (!s->id)
			s->id = vl_agent_new_id();
		s->started = s->ended = s->in_eof = s->out_dead = s->err_dead = false;
		s->in_credit = s->out_uncredited = 0;
		memset(&s->ex, 0, sizeof(s->ex));
		vl_err_clear(&s->error);
		if (!s->argv || !s->argv[0]) {
			free(m);
			return vl_err_set(err, EINVAL, "run in the guest: no command");
		}
	}
	if ((flags & VL_AGENT_FWD_SIGNALS) && sig_forward_start(err) < 0) {
		free(m);
		return -1;
	}
	for (size_t i = 0; i < n && r == 0; i++)
		r = send_exec(fd, m, &ss[i], err);
	if (r == 0)
		r = run_loop(fd, m, payload, ss, n, err);
	if (flags & VL_AGENT_FWD_SIGNALS)
		sig_forward_stop();
	free(m);
	if (r < 0) {
		for (size_t i = 0; i < n; i++) {
			if (!ss[i].ended)
				ss[i].ex.status = 255 << 8;
		}
	}
	return r;
}

int vl_agent_exec(int fd, char *const argv[], char *const envp[], const char *cwd, int in_fd,
                  int out_fd, int err_fd, bool tty, struct vl_agent_exit *ex, struct vl_err *err)
{
	struct vl_agent_session s = {
	    .argv = argv,
	    .envp = envp,
	    .cwd = cwd,
	    .tty = tty,
	    .in_fd = in_fd,
	    .out_fd = out_fd,
	    .err_fd = err_fd,
	};
	int r = vl_agent_run(fd, &s, 1, VL_AGENT_FWD_SIGNALS, err);

	*ex = s.ex;
	if (r < 0)
		return vl_err_wrap(err, "exec %s in the guest", argv && argv[0] ? argv[0] : "");
	if (s.ex.start_errno) {
		*err = s.error;
		return -1;
	}
	return 0;
}
