/* Sockets for the network workloads: one listener, one accept, a connect
 * that waits for a sink to come up, and the sinks' receive loop. Every fd
 * is O_CLOEXEC. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "work/work.h"

/* How long a sender keeps trying while nothing listens yet. */
#define CONNECT_WAIT_S 10.0
/* How long a sender waits for the sink to close after our last byte. */
#define FINISH_WAIT_S 120

static int listen_family(int family, unsigned port, struct vl_err *err)
{
	cleanup_close int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_storage ss = {0};
	socklen_t sl;
	int one = 1, zero = 0, r;

	if (fd < 0)
		return vl_err_sys(err, errno, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		/* Dual stack: IPv4 peers arrive as mapped addresses. */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
		s4->sin_port = htons((uint16_t)port);
		sl = sizeof(*s4);
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		int e = errno;

		if (e == EADDRINUSE)
			return vl_err_sys(err, e, "bind port %u (another sink on this port?)",
			                  port);
		return vl_err_sys(err, e, "bind port %u", port);
	}
	if (listen(fd, 16) < 0)
		return vl_err_sys(err, errno, "listen on port %u", port);
	r = fd;
	fd = -1;
	return r;
}

int work_listen(unsigned port, struct vl_err *err)
{
	int fd = listen_family(AF_INET6, port, err);

	/* A node without IPv6 (disabled, or no module): IPv4 only. */
	if (fd < 0 && (err->code == EAFNOSUPPORT || err->code == EADDRNOTAVAIL))
		fd = listen_family(AF_INET, port, err);
	return fd;
}

static void addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(sa,
	                sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	                                          : sizeof(struct sockaddr_in),
	                host, sizeof(host), serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV))
		snprintf(buf, len, "?");
	else if (!strncmp(host, "::ffff:", 7) && strchr(host, '.'))
		snprintf(buf, len, "%s:%s", host + 7, serv);
	else if (strchr(host, ':'))
		snprintf(buf, len, "[%s]:%s", host, serv);
	else
		snprintf(buf, len, "%s:%s", host, serv);
}

int work_accept_once(int lfd, char *peer, size_t peerlen, struct vl_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd;

	do
		fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	while (fd < 0 && (errno == EINTR || errno == ECONNABORTED));
	if (fd < 0)
		return vl_err_sys(err, errno, "accept");
	addr_text((struct sockaddr *)&ss, peer, peerlen);
	return fd;
}

int work_sink_accept(unsigned port, json_t *out, struct vl_err *err)
{
	char peer[128];
	int lfd, fd;

	work_set(out, "port", json_integer(port));
	if ((lfd = work_listen(port, err)) < 0)
		return -1;
	fd = work_accept_once(lfd, peer, sizeof(peer), err);
	close(lfd);
	if (fd < 0)
		return vl_err_wrap(err, "port %u", port);
	work_set(out, "peer", json_string(peer));
	return fd;
}

static bool retryable(int e)
{
	return e == ECONNREFUSED || e == ENETUNREACH || e == EHOSTUNREACH || e == ETIMEDOUT ||
	       e == ECONNRESET;
}

int work_connect(const char *host, unsigned port, struct vl_err *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
	double deadline = work_mono() + CONNECT_WAIT_S;
	char serv[8];
	int last = 0;

	snprintf(serv, sizeof(serv), "%u", port);
	for (;;) {
		struct addrinfo *res = NULL;
		int g = getaddrinfo(host, serv, &hints, &res);

		if (g == EAI_AGAIN && work_mono() < deadline) {
			nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
			continue;
		}
		if (g)
			return vl_err_set(err, 0, "resolve '%s': %s%s", host,
			                  g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g),
			                  g == EAI_NONAME ? " (is it in /etc/hosts?)" : "");
		for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
			int fd =
			    socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);

			if (fd < 0) {
				last = errno;
				continue;
			}
			if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
				freeaddrinfo(res);
				return fd;
			}
			last = errno;
			close(fd);
		}
		freeaddrinfo(res);
		if (!retryable(last) || work_mono() >= deadline)
			break;
		nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	}
	return vl_err_sys(err, last, "connect to %s port %u%s", host, port,
	                  last == ECONNREFUSED ? " (no sink listening after 10 s)" : "");
}

int work_read_full(int fd, void *buf, size_t len, const char *what, struct vl_err *err)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, p + got, len - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return vl_err_sys(err, errno, "read %s", what);
		if (r == 0) {
			if (!got)
				return 0;
			return vl_err_set(err, 0,
			                  "read %s: connection closed after %zu of %zu bytes", what,
			                  got, len);
		}
		got += (size_t)r;
	}
	return 1;
}

int work_send_all(int fd, const void *buf, size_t len, const char *what, struct vl_err *err)
{
	const char *p = buf;

	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return vl_err_sys(err, errno, "send %s", what);
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int work_finish_send(int fd, struct vl_err *err)
{
	struct timeval tv = {.tv_sec = FINISH_WAIT_S};
	char buf[4096];

	if (shutdown(fd, SHUT_WR) < 0)
		return vl_err_sys(err, errno, "shutdown");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r == 0)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return vl_err_set(
			    err, ETIMEDOUT,
			    "the sink did not close the connection within %d s of our "
			    "last byte",
			    FINISH_WAIT_S);
		if (r < 0)
			return vl_err_sys(err, errno, "waiting for the sink to close");
	}
}

static void add_interval(json_t *intervals, double start, double end, uint64_t bytes)
{
	json_t *iv = json_object();

	if (!iv)
		abort();
	work_set(iv, "start_s", json_real(start));
	work_set(iv, "end_s", json_real(end));
	work_set(iv, "bytes", json_integer((json_int_t)bytes));
	work_set(iv, "throughput_bps", json_real(work_bps(bytes, end - start)));
	if (json_array_append_new(intervals, iv) < 0)
		abort();
}

int work_recv_all(int fd, double interval, json_t *intervals, struct work_recv *r,
                  struct vl_err *err)
{
	enum { BUF = 256 * 1024 };
	cleanup_free char *buf = vl_xmalloc(BUF);
	uint64_t ivbytes = 0;
	double ivstart = 0; /* seconds since the first byte */
	bool first = true;

	r->bytes = 0;
	r->first_mono = r->eof_mono = 0;
	for (;;) {
		ssize_t n = read(fd, buf, BUF);
		double now;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vl_err_sys(err, errno, "receive (after %llu bytes)",
			                  (unsigned long long)r->bytes);
		now = work_mono();
		if (n == 0) {
			r->eof_mono = now;
			if (first)
				r->first_mono = now;
			break;
		}
		if (first) {
			r->first_mono = now;
			first = false;
		}
		r->bytes += (uint64_t)n;
		if (interval > 0) {
			/* Bytes belong to the interval in which read() returned
			 * them; intervals in which nothing came are recorded
			 * as zero, which is what starvation looks like. */
			double t = now - r->first_mono;

			while (t >= ivstart + interval) {
				add_interval(intervals, ivstart, ivstart + interval, ivbytes);
				ivstart += interval;
				ivbytes = 0;
			}
			ivbytes += (uint64_t)n;
		}
	}
	if (interval > 0 && r->bytes) {
		double t = r->eof_mono - r->first_mono;

		while (t >= ivstart + interval) {
			add_interval(intervals, ivstart, ivstart + interval, ivbytes);
			ivstart += interval;
			ivbytes = 0;
		}
		/* The last, partial interval, if anything is in it. */
		if (ivbytes || t > ivstart)
			add_interval(intervals, ivstart, t > ivstart ? t : ivstart + interval,
			             ivbytes);
	}
	return 0;
}
