/* The agent's connection to its host: the virtio-serial port (found by
 * its name in /sys/class/virtio-ports and opened once for the guest's
 * whole life), a UNIX socket (--socket, one host at a time) or an fd
 * (--serve-fd). Frames in through the protocol's reader, dispatched one
 * by one; replies out through one queue, written as the connection takes
 * them.
 *
 * Touches: ag.conn, ag.listen, the reader and the outgoing queue; the
 * end of a connection drops the sessions (socket) or ends the agent
 * (--serve-fd). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "agent/agent.h"
#include "base/util.h"

/* --- the outgoing queue ----------------------------------------------------- */

size_t ag_outq_pending(void)
{
	return ag.outq_len - ag.outq_head;
}

size_t ag_outq_limit(void)
{
	size_t lim = AG_OUTQ_SLACK;

	for (size_t i = 0; i < ag.nsess; i++)
		lim += ag.sess[i]->out_window;
	return lim;
}

/* Queue frame m for the host (dropped if there is none). A reply that
 * does not fit a frame is a bug, logged. */
void ag_send(struct vl_ag_msg *m)
{
	size_t need;

	if (vl_ag_msg_end(m) < 0) {
		ag_log("internal: a reply did not fit a frame");
		return;
	}
	if (ag.conn < 0)
		return; /* nobody to tell (socket mode, between hosts) */
	if (ag.outq_head && ag.outq_head == ag.outq_len)
		ag.outq_head = ag.outq_len = 0;
	need = ag.outq_len + m->len;
	if (need > ag.outq_cap && ag.outq_head) {
		memmove(ag.outq, ag.outq + ag.outq_head, ag_outq_pending());
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
			ag_log("out of memory queueing a reply");
			return;
		}
		ag.outq = p;
		ag.outq_cap = cap;
	}
	memcpy(ag.outq + ag.outq_len, m->buf, m->len);
	ag.outq_len += m->len;
}

void ag_send_empty(unsigned type, uint32_t id)
{
	vl_ag_msg_init(&ag.tx, type, id);
	ag_send(&ag.tx);
}

void ag_send_error(uint32_t id, int code, unsigned req, const char *fmt, ...)
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
	ag_send(&ag.tx);
}

void ag_send_u32(unsigned type, uint32_t id, uint32_t v)
{
	vl_ag_msg_init(&ag.tx, type, id);
	vl_ag_put_u32(&ag.tx, v);
	ag_send(&ag.tx);
}

void ag_send_ready(uint32_t id)
{
	struct utsname u;
	char host[HOST_NAME_MAX + 1] = "";

	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	snprintf(host, sizeof(host), "%s", u.nodename);
	vl_ag_msg_init(&ag.tx, VL_AG_READY, id);
	vl_ag_put_u32(&ag.tx, VL_AG_VERSION);
	vl_ag_put_u32(&ag.tx, (ag.init ? VL_AG_READY_INIT : 0) | (ag.bare ? VL_AG_READY_BARE : 0));
	vl_ag_put_u32(&ag.tx, (uint32_t)getpid());
	vl_ag_put_u64(&ag.tx, ag.ready_ms);
	vl_ag_put_u64(&ag.tx, ag_clock_ms(CLOCK_BOOTTIME));
	vl_ag_put_str(&ag.tx, host);
	vl_ag_put_str(&ag.tx, u.release);
	vl_ag_put_str(&ag.tx, ag.notes);
	ag_send(&ag.tx);
}

/* --- the connection -------------------------------------------------------- */

/* The host went away (or, on the port, is not connected). */
static void conn_eof(void)
{
	vl_ag_reader_reset(&ag.rd);
	switch (ag.mode) {
	case AG_MODE_PORT:
		ag.conn_eof = true;
		clock_gettime(CLOCK_MONOTONIC, &ag.retry_at);
		ag.retry_at.tv_nsec += AG_PORT_RETRY_MS * 1000000L;
		if (ag.retry_at.tv_nsec >= 1000000000L) {
			ag.retry_at.tv_sec++;
			ag.retry_at.tv_nsec -= 1000000000L;
		}
		return;
	case AG_MODE_STREAM:
		ag_sessions_drop();
		exit(0);
	case AG_MODE_SOCKET:
		ag_close(&ag.conn);
		ag.outq_head = ag.outq_len = 0;
		ag_sessions_drop();
		return;
	}
}

void ag_conn_flush(void)
{
	while (ag.conn >= 0 && !ag.conn_eof && ag_outq_pending()) {
		ssize_t w = write(ag.conn, ag.outq + ag.outq_head, ag_outq_pending());

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

void ag_conn_read(void)
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
			ag_send_error(0, EBADMSG, 0,
			              "bad magic: not a frame, skipping to the next one");
		else if (k == -EMSGSIZE)
			ag_send_error(0, EMSGSIZE, h.type, "frame of %u bytes, at most %d", h.len,
			              VL_AG_MAX_PAYLOAD);
		else if (k == -EPROTONOSUPPORT)
			ag_send_error(h.id, EPROTONOSUPPORT, h.type,
			              "protocol version %u, this is %d", h.version, VL_AG_VERSION);
		else
			ag_dispatch(&h, p);
		if (ag.conn < 0 || (ag.mode == AG_MODE_PORT && ag.conn_eof))
			return;
	}
}

/* --- the virtio-serial port ------------------------------------------------- */

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Is the port behind /sys/class/virtio-ports/<port> ours? */
static bool port_is_ours(const char *port)
{
	char path[300], name[64];
	cleanup_close int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", port);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, name, sizeof(name) - 1);
	if (n <= 0)
		return false;
	name[n] = 0;
	name[strcspn(name, "\n")] = 0;
	return !strcmp(name, VL_AG_PORT_NAME);
}

static int port_find(char *dev, size_t size)
{
	__attribute__((cleanup(closedirp))) DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] != '.' && port_is_ours(e->d_name)) {
			snprintf(dev, size, "/dev/%s", e->d_name);
			return 0;
		}
	}
	return -1;
}

int ag_port_open(void)
{
	char dev[300];

	for (int tries = 0;; tries++) {
		if (port_find(dev, sizeof(dev)) == 0) {
			int fd = open(dev, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

			if (fd >= 0)
				return fd;
			if (tries % 50 == 0)
				ag_log("open %s: %s", dev, strerror(errno));
		} else if (tries == 50) {
			ag_log("waiting for the virtio-serial port named %s", VL_AG_PORT_NAME);
		}
		usleep(AG_PORT_RETRY_MS * 1000);
	}
}

/* --- a UNIX socket (--socket) ------------------------------------------------- */

int ag_listen_on(const char *path, struct vl_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int fd = -1;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return vl_err_set(err, ENAMETOOLONG, "%s: path too long for a socket", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return vl_err_sys(err, errno, "socket for %s", path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
		return vl_err_sys(err, errno, "listen on %s", path);
	r = fd;
	fd = -1;
	return r;
}

void ag_conn_accept(void)
{
	int c = accept4(ag.listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (c >= 0) {
		ag.conn = c;
		vl_ag_reader_reset(&ag.rd);
		ag_send_ready(0);
	}
}
