/* linkd-ceiling: how many frames per second linkd forwards
 * on one core with no impairment, beside a same-run baseline: the same
 * frames copied fd to fd by a plain blocking read()/write() loop.
 *
 *   cc -O2 -D_GNU_SOURCE -Isrc bench/linkd-ceiling.c build/libvnetlab.a -lm -o build/linkd-ceiling
 *   build/linkd-ceiling [seconds per run, default 2] [rounds, default 3]
 *
 * Set-up per run: two SOCK_SEQPACKET socketpairs, gen_a<->fwd_a and
 * fwd_b<->gen_b. The forwarder (the engine with one link, or the copy
 * loop) runs in a thread pinned to CPU 0 and moves frames fwd_a -> fwd_b;
 * the generator, pinned to CPU 1 when there is one, keeps up to 256
 * frames in flight: it sends on gen_a and receives on gen_b. Frames per
 * second = frames received / wall time. "fwd cpu" is the forwarder
 * thread's CPU time over wall time: near 100 % means the forwarder is the
 * bottleneck, lower means the generator is. Rounds alternate baseline and
 * engine; the medians are printed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "link/linkd.h"

#define INFLIGHT 256

struct run {
	int gen_a, fwd_a, fwd_b, gen_b, stop;
	size_t len;
	double secs;
	bool engine;
	struct vl_linkd *d;
	double fwd_cpu;  /* forwarder CPU seconds */
	uint64_t frames; /* received by the generator */
	double wall;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set); /* best effort */
}

static void *forwarder(void *arg)
{
	struct run *r = arg;
	static unsigned char buf[65536];
	double c0;

	pin(0);
	c0 = thread_cpu();
	if (r->engine) {
		struct vl_err err;

		if (vl_linkd_run(r->d, r->stop, &err) < 0)
			fprintf(stderr, "linkd-ceiling: %s\n", err.msg);
	} else {
		for (;;) {
			ssize_t n = read(r->fwd_a, buf, sizeof(buf));

			if (n <= 0)
				break;
			if (write(r->fwd_b, buf, (size_t)n) != n)
				break;
		}
	}
	r->fwd_cpu = thread_cpu() - c0;
	return NULL;
}

static void generate(struct run *r)
{
	static unsigned char out[65536], in[65536];
	unsigned inflight = 0;
	double t0, end;

	memset(out, 0xab, r->len);
	t0 = now_s();
	end = t0 + r->secs;
	while (now_s() < end) {
		bool progress = false;

		for (int i = 0; i < 64 && inflight < INFLIGHT; i++) {
			if (send(r->gen_a, out, r->len, MSG_DONTWAIT) < 0)
				break;
			inflight++;
			progress = true;
		}
		for (int i = 0; i < 64; i++) {
			if (recv(r->gen_b, in, sizeof(in), MSG_DONTWAIT) < 0)
				break;
			inflight--;
			r->frames++;
			progress = true;
		}
		if (!progress) {
			struct pollfd p[2] = {{.fd = r->gen_b, .events = POLLIN},
			                      {.fd = r->gen_a, .events = POLLOUT}};

			poll(p, inflight < INFLIGHT ? 2 : 1, 10);
		}
	}
	r->wall = now_s() - t0;
}

static int one_run(struct run *r)
{
	int a[2], b[2];
	pthread_t th;
	struct vl_err err;
	uint64_t one = 1;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, a) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, b) < 0)
		return -1;
	r->gen_a = a[0];
	r->fwd_a = a[1];
	r->fwd_b = b[0];
	r->gen_b = b[1];
	r->frames = 0;
	r->stop = eventfd(0, EFD_CLOEXEC);
	r->d = NULL;
	if (r->engine) {
		r->d = vl_linkd_new(&err);
		if (!r->d || vl_linkd_add_link(r->d, r->fwd_a, r->fwd_b, NULL, NULL, 1, &err) < 0) {
			fprintf(stderr, "linkd-ceiling: %s\n", err.msg);
			return -1;
		}
	}
	if (pthread_create(&th, NULL, forwarder, r))
		return -1;
	generate(r);
	if (r->engine)
		(void)!write(r->stop, &one, sizeof(one));
	else
		shutdown(r->gen_a, SHUT_WR);
	pthread_join(th, NULL);
	vl_linkd_free(r->d);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	close(r->stop);
	return 0;
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = {64, 1500};
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (secs <= 0 || rounds < 1 || rounds > 100) {
		fprintf(stderr, "usage: linkd-ceiling [seconds per run] [rounds]\n");
		return 2;
	}
	if (ncpu > 1)
		pin(1);
	printf("linkd-ceiling: %d round(s) of %.1f s, forwarder on CPU 0, generator on CPU %d\n",
	       rounds, secs, ncpu > 1 ? 1 : 0);
	printf("%6s  %14s %8s  %14s %8s  %6s\n", "bytes", "baseline pps", "fwd cpu", "linkd pps",
	       "fwd cpu", "ratio");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double pps[2][100], cpu[2][100];

		for (int k = 0; k < rounds; k++)
			for (int e = 0; e < 2; e++) {
				struct run r = {.len = sizes[i], .secs = secs, .engine = e};

				if (one_run(&r) < 0) {
					fprintf(stderr, "linkd-ceiling: set-up failed: %s\n",
					        strerror(errno));
					return 1;
				}
				pps[e][k] = (double)r.frames / r.wall;
				cpu[e][k] = r.fwd_cpu / r.wall;
			}
		for (int e = 0; e < 2; e++) {
			qsort(pps[e], (size_t)rounds, sizeof(double), cmp_d);
			qsort(cpu[e], (size_t)rounds, sizeof(double), cmp_d);
		}
		printf("%6zu  %14.0f %7.0f%%  %14.0f %7.0f%%  %6.2f\n", sizes[i],
		       pps[0][rounds / 2], 100 * cpu[0][rounds / 2], pps[1][rounds / 2],
		       100 * cpu[1][rounds / 2], pps[1][rounds / 2] / pps[0][rounds / 2]);
		fflush(stdout);
	}
	return 0;
}
