/* test_linkd: linkd (src/link/linkd.c) over real fds. Each case
 * joins two SOCK_SEQPACKET socketpairs with one link, runs the engine in a
 * thread and talks to the far ends from the main thread (and a sender
 * thread where both must run at once).
 *
 * Timing bounds are for a loaded 2-core machine: medians and one-sided
 * bounds that follow from the model (a frame never arrives before its
 * delay), never tight upper bounds on single samples. Loss is seeded, so
 * its count does not vary from run to run.
 *
 * Prints "ok <case>: <figures>" or "FAIL <case>: <why>" per case and last
 * exactly "N passed, M failed, K skipped"; exit status 1 iff M > 0. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "link/linkd.h"

#define MS 1000000ull

#include "check.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* --- harness --------------------------------------------------------------- */

struct lab {
	int a[2], b[2]; /* [0]: the application's end, [1]: the engine's end */
	int stop;
	struct vl_linkd *d;
	int id;
	pthread_t th;
	int rc;
	struct vl_err err;
	struct vl_linkd_stats ab, ba; /* after stop */
};

static void *engine(void *arg)
{
	struct lab *l = arg;

	l->rc = vl_linkd_run(l->d, l->stop, &l->err);
	return NULL;
}

static int lab_start(struct lab *l, const struct vl_impair *ab, const struct vl_impair *ba,
                     uint64_t seed)
{
	memset(l, 0, sizeof(*l));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, l->a) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, l->b) < 0)
		return -1;
	l->stop = eventfd(0, EFD_CLOEXEC);
	l->d = vl_linkd_new(&l->err);
	if (l->stop < 0 || !l->d)
		return -1;
	l->id = vl_linkd_add_link(l->d, l->a[1], l->b[1], ab, ba, seed, &l->err);
	if (l->id < 0)
		return -1;
	return pthread_create(&l->th, NULL, engine, l) ? -1 : 0;
}

/* Stop the engine; 0 if it stopped within 5 s and returned 0. */
static int lab_stop(struct lab *l)
{
	uint64_t one = 1;
	struct timespec ts;
	int r;

	if (write(l->stop, &one, sizeof(one)) != sizeof(one))
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	r = pthread_timedjoin_np(l->th, NULL, &ts);
	if (r)
		return -1;
	vl_linkd_stats(l->d, l->id, VL_LINKD_A_TO_B, &l->ab, &l->err);
	vl_linkd_stats(l->d, l->id, VL_LINKD_B_TO_A, &l->ba, &l->err);
	return l->rc;
}

static void lab_close(struct lab *l)
{
	vl_linkd_free(l->d);
	for (int i = 0; i < 2; i++) {
		if (l->a[i] >= 0)
			close(l->a[i]);
		close(l->b[i]);
	}
	close(l->stop);
}

/* Read one frame within timeout_ms; its length, or -1. */
static ssize_t recv_frame(int fd, void *buf, size_t len, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	return recv(fd, buf, len, MSG_DONTWAIT);
}

static void fill(unsigned char *b, uint32_t seq, size_t len)
{
	uint64_t t = now_ns();

	memcpy(b, &seq, 4);
	memcpy(b + 4, &t, 8);
	for (size_t i = 12; i < len; i++)
		b[i] = (unsigned char)(seq * 7 + i);
}

static int check(const unsigned char *b, uint32_t seq, size_t len)
{
	uint32_t s;

	memcpy(&s, b, 4);
	if (s != seq)
		return 0;
	for (size_t i = 12; i < len; i++)
		if (b[i] != (unsigned char)(seq * 7 + i))
			return 0;
	return 1;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* --- cases ------------------------------------------------------------------ */

static void test_both_ways(void)
{
	static const size_t sizes[] = {12, 13, 64, 100, 1500, 1514, 9000, 60000};
	static unsigned char out[65536], in[65536];
	struct lab l;
	size_t bad = 0, n = 0;
	int stopped;

	if (lab_start(&l, NULL, NULL, 1) < 0) {
		result("frames cross both ways unchanged", 0, "setup: %s", l.err.msg);
		return;
	}
	for (uint32_t seq = 0; seq < 400; seq++) {
		size_t len = sizes[seq % 8];
		int from = (seq / 8) % 2 ? l.b[0] : l.a[0], to = from == l.a[0] ? l.b[0] : l.a[0];
		ssize_t r;

		fill(out, seq, len);
		if (send(from, out, len, 0) != (ssize_t)len) {
			bad++;
			continue;
		}
		r = recv_frame(to, in, sizeof(in), 5000);
		n++;
		if (r != (ssize_t)len || !check(in, seq, len))
			bad++;
	}
	stopped = lab_stop(&l) == 0;
	result("frames cross both ways unchanged",
	       !bad && stopped && l.ab.pipe.sent == 200 && l.ba.pipe.sent == 200,
	       "%zu frames of 12..60000 bytes, %zu bad; a->b %llu b->a %llu", n, bad,
	       (unsigned long long)l.ab.pipe.sent, (unsigned long long)l.ba.pipe.sent);
	lab_close(&l);
}

static void test_delay(void)
{
	enum { N = 200 };
	struct vl_impair im = {.delay_ns = 20 * MS};
	static uint64_t lat[N];
	unsigned char buf[256];
	size_t got = 0;
	uint32_t sent = 0;
	uint64_t next = now_ns(), end;
	struct lab l;
	double med, lo, hi;
	int stopped;

	if (lab_start(&l, &im, NULL, 1) < 0) {
		result("delay 20ms", 0, "setup: %s", l.err.msg);
		return;
	}
	/* one frame every 2 ms, read as they come */
	end = next + 5000 * MS;
	while (got < N && now_ns() < end) {
		uint64_t t = now_ns();
		int wait;
		ssize_t r;

		if (sent < N && t >= next) {
			fill(buf, sent, 100);
			if (send(l.a[0], buf, 100, 0) == 100)
				sent++;
			next += 2 * MS;
			continue;
		}
		wait = sent < N ? (int)((next - t) / MS) : 1000;
		r = recv_frame(l.b[0], buf, sizeof(buf), wait);
		if (r >= 12) {
			uint64_t ts;

			memcpy(&ts, buf + 4, 8);
			lat[got++] = now_ns() - ts;
		}
	}
	qsort(lat, got, sizeof(lat[0]), cmp_u64);
	med = got ? lat[got / 2] / 1e6 : 0;
	lo = got ? lat[0] / 1e6 : 0;
	hi = got ? lat[got - 1] / 1e6 : 0;
	stopped = lab_stop(&l) == 0;
	result("delay 20ms: one-way median 20 ± 2 ms, none early",
	       stopped && got == N && med >= 18 && med <= 22 && lo >= 20,
	       "%zu frames, min %.3f median %.3f max %.3f ms", got, lo, med, hi);
	lab_close(&l);
}

struct sender {
	int fd;
	uint32_t n;
	size_t len;
	uint32_t sent;
};

static void *send_all(void *arg)
{
	struct sender *s = arg;
	unsigned char buf[2048];

	for (s->sent = 0; s->sent < s->n; s->sent++) {
		fill(buf, s->sent, s->len);
		if (send(s->fd, buf, s->len, 0) != (ssize_t)s->len)
			break;
	}
	return NULL;
}

/* Send n frames from a thread; read them at b, after a pause of pause_ms
 * (to fill every queue on the way). Returns frames received; *order_bad
 * counts frames out of order. */
static uint32_t stream(struct lab *l, uint32_t n, int pause_ms, size_t *order_bad)
{
	struct sender s = {.fd = l->a[0], .n = n, .len = 200};
	unsigned char buf[2048];
	uint32_t got = 0, last = 0;
	pthread_t th;

	*order_bad = 0;
	if (pthread_create(&th, NULL, send_all, &s))
		return 0;
	if (pause_ms)
		poll(NULL, 0, pause_ms);
	/* until 500 ms of silence */
	while (recv_frame(l->b[0], buf, sizeof(buf), 500) >= 12) {
		uint32_t seq;

		memcpy(&seq, buf, 4);
		if (got && seq <= last)
			(*order_bad)++;
		last = seq;
		got++;
	}
	pthread_join(th, NULL);
	return got;
}

static void test_loss(void)
{
	enum { N = 5000 };
	struct vl_impair im = {.loss = 0.10};
	double mu = N * 0.1, sd = sqrt(N * 0.1 * 0.9);
	struct lab l;
	uint32_t got;
	size_t bad;
	int ok;

	if (lab_start(&l, &im, NULL, 77) < 0) {
		result("loss 10%", 0, "setup: %s", l.err.msg);
		return;
	}
	got = stream(&l, N, 0, &bad);
	ok = lab_stop(&l) == 0;
	result("loss 10%: within a loose binomial interval, nothing else dropped",
	       ok && l.ab.rx_frames == N && got + l.ab.pipe.dropped_loss == N &&
	           l.ab.pipe.dropped_queue == 0 && !bad &&
	           fabs((double)l.ab.pipe.dropped_loss - mu) <= 5 * sd,
	       "%u received of %u, %llu lost (expected %.0f ± %.0f), %zu out of order", got, N,
	       (unsigned long long)l.ab.pipe.dropped_loss, mu, 5 * sd, bad);
	lab_close(&l);
}

static void test_backpressure(void)
{
	enum { N = 20000 };
	struct lab l;
	uint32_t got;
	size_t bad;
	int ok;

	if (lab_start(&l, NULL, NULL, 1) < 0) {
		result("back-pressure", 0, "setup: %s", l.err.msg);
		return;
	}
	got = stream(&l, N, 300, &bad);
	ok = lab_stop(&l) == 0;
	result("slow reader: engine waits for EPOLLOUT, no drops, in order",
	       ok && got == N && !bad && l.ab.pipe.dropped_queue == 0 && l.ab.tx_blocked > 0,
	       "%u of %u received, blocked %llu times, %zu out of order", got, N,
	       (unsigned long long)l.ab.tx_blocked, bad);
	lab_close(&l);
}

static double thread_cpu_s(pthread_t th)
{
	clockid_t cid;
	struct timespec ts;

	if (pthread_getcpuclockid(th, &cid) || clock_gettime(cid, &ts))
		return -1;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Frames held for 1 s and a peer that hangs up: the engine sleeps. */
static void test_idle_and_hangup(void)
{
	struct vl_impair im = {.delay_ns = 1000 * MS};
	unsigned char buf[256];
	double c0, c1;
	struct lab l;
	ssize_t r;
	int ok;

	if (lab_start(&l, &im, NULL, 1) < 0) {
		result("idle", 0, "setup: %s", l.err.msg);
		return;
	}
	for (uint32_t i = 0; i < 10; i++) {
		fill(buf, i, 100);
		if (send(l.a[0], buf, 100, 0) != 100)
			break;
	}
	close(l.a[0]); /* the sender goes away; its frames are still delivered */
	l.a[0] = -1;
	c0 = thread_cpu_s(l.th);
	poll(NULL, 0, 400);
	c1 = thread_cpu_s(l.th);
	r = recv_frame(l.b[0], buf, sizeof(buf), 5000);
	ok = lab_stop(&l) == 0;
	result("held frames and a hung-up peer: no busy loop, frames still delivered",
	       ok && c1 - c0 < 0.05 && r == 100 && check(buf, 0, 100),
	       "engine CPU %.1f ms in 400 ms idle, first frame %s", (c1 - c0) * 1e3,
	       r == 100 ? "arrived" : "missing");
	lab_close(&l);
}

static void test_stop_and_errors(void)
{
	struct vl_err err;
	struct vl_linkd *d = vl_linkd_new(&err);
	int sp[2], r1, r2, r3;

	if (!d || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		result("errors", 0, "setup");
		return;
	}
	r1 = vl_linkd_add_link(d, sp[0], sp[0], NULL, NULL, 1, &err);
	r2 = vl_linkd_add_link(d, sp[0], 12345, NULL, NULL, 1, &err);
	r3 = vl_linkd_set(d, 5, VL_LINKD_A_TO_B, NULL, &err);
	result("bad fds and ids are errors", r1 < 0 && r2 < 0 && r3 < 0, "%s", err.msg);
	vl_linkd_free(d);
	close(sp[0]);
	close(sp[1]);
}

int main(void)
{
	int fds0 = open_fds(), fds1;

	test_both_ways();
	test_delay();
	test_loss();
	test_backpressure();
	test_idle_and_hangup();
	test_stop_and_errors();
	fds1 = open_fds();
	result("no fd leaks", fds0 == fds1, "%d fds before, %d after", fds0, fds1);
	printf("%d passed, %d failed, 0 skipped\n", npass, nfail);
	return nfail ? 1 : 0;
}
