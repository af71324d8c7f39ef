/* vnetlab-mpi micro benchmarks, in SKaMPI's spirit: pingpong, sendrecv,
 * allreduce, barrier and wtime.
 *
 * Every repetition is timed on its own with MPI_Wtime and a point reports
 * the median of its repetitions (for the collectives and the ring: each
 * rank's median, then the largest over the ranks). Two warm-up repetitions,
 * not counted, precede each point; the second sets its number of
 * repetitions. Messages carry a pattern that depends on the size and the
 * sender, and the last message of each point is checked on arrival: that is
 * "verified". MB/s are 10^6 bytes per second; latency_us is half the round
 * trip; time_us the time of one call. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nanosleep, syscall */
#endif
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpibench.h"

/* Without --reps, a point gets up to 50 repetitions but fewer when they
 * would take more than MICRO_POINT_S seconds (judged by the warm-up, the
 * slowest rank's for collectives) or move more than MICRO_POINT_BYTES bytes
 * per direction, and never fewer than MICRO_MIN_REPS: so a micro benchmark
 * stays within seconds even with oversubscribed ranks that spin, where one
 * synchronisation costs a scheduler time slice. --reps N is taken as is. */
#define MICRO_POINT_S     0.1
#define MICRO_POINT_BYTES (16L << 20)
#define MICRO_MIN_REPS    5
#define MICRO_WARMUPS     2 /* the last one's time sets the repetitions */
#define TAG_MICRO         100
#define TAG_MICRO_REPS    101
#define TAG_MICRO_DONE    102

static int reps_for(const struct mb_opts *o, long bytes, double warm_s)
{
	long r = o->reps;

	if (o->reps_given)
		return o->reps;
	if (bytes > 0 && MICRO_POINT_BYTES / bytes < r)
		r = MICRO_POINT_BYTES / bytes;
	if (warm_s > 0 && MICRO_POINT_S / warm_s < (double)r)
		r = (long)(MICRO_POINT_S / warm_s);
	return r < MICRO_MIN_REPS ? MICRO_MIN_REPS : (int)r;
}

/* The same count on every rank: from the slowest rank's warm-up. */
static int reps_all(const struct mb_opts *o, long bytes, double warm_s)
{
	double worst = 0;

	MPI_Allreduce(&warm_s, &worst, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
	return reps_for(o, bytes, worst);
}

static double *times_for(const struct mb_opts *o)
{
	return mb_alloc((size_t)(o->reps > MICRO_MIN_REPS ? o->reps : MICRO_MIN_REPS),
	                sizeof(double));
}

/* Message sizes 1, 2, 4 .. max, plus max itself when it is no power of 2. */
static int sizes_upto(long max, long *sizes)
{
	int n = 0;

	for (long s = 1; s <= max; s *= 2)
		sizes[n++] = s;
	if (sizes[n - 1] != max)
		sizes[n++] = max;
	return n;
}

#define MAX_POINTS 64

static unsigned char pattern(long i, long bytes, int src)
{
	return (unsigned char)(i * 131 + bytes * 7 + src * 29 + 1);
}

static void fill(unsigned char *buf, long bytes, int src)
{
	for (long i = 0; i < bytes; i++)
		buf[i] = pattern(i, bytes, src);
}

static bool check(const unsigned char *buf, long bytes, int src)
{
	for (long i = 0; i < bytes; i++)
		if (buf[i] != pattern(i, bytes, src))
			return false;
	return true;
}

/* pingpong's bystanders (ranks 2..) wait for rank 0's word without
 * spinning in MPI, so that they leave the CPUs to ranks 0 and 1 even when
 * the ranks outnumber the cores. */
static void bystand(void)
{
	const struct timespec ms = {0, 1000000};
	MPI_Request req;
	MPI_Status st;
	char dummy;
	int done = 0;

	MPI_Irecv(&dummy, 0, MPI_BYTE, 0, TAG_MICRO_DONE, MPI_COMM_WORLD, &req);
	for (;;) {
		MPI_Test(&req, &done, &st);
		if (done)
			break;
		nanosleep(&ms, NULL);
	}
}

static void release_bystanders(const struct mb_opts *o)
{
	char dummy = 0;

	for (int r = 2; r < o->size; r++)
		MPI_Send(&dummy, 0, MPI_BYTE, r, TAG_MICRO_DONE, MPI_COMM_WORLD);
}

static json_t *new_point(long bytes, int reps)
{
	json_t *p = json_object();

	if (!p)
		mb_die("out of memory building JSON");
	mb_set(p, "bytes", json_integer(bytes));
	mb_set(p, "reps", json_integer(reps));
	return p;
}

bool mb_pingpong(const struct mb_opts *o, struct mb_meter *m, json_t *out)
{
	long sizes[MAX_POINTS];
	int npts = sizes_upto(o->max_bytes, sizes), nreps[MAX_POINTS];
	unsigned char *sbuf = mb_alloc((size_t)o->max_bytes, 1);
	unsigned char *rbuf = mb_alloc((size_t)o->max_bytes, 1);
	double *t = times_for(o), med[MAX_POINTS];
	json_t *points = json_array();
	MPI_Status st;
	bool ok = true;

	if (!points)
		mb_die("out of memory building JSON");
	memset(sbuf, 0, (size_t)o->max_bytes);
	memset(rbuf, 0, (size_t)o->max_bytes);
	mb_begin(m);
	for (int k = 0; k < npts; k++) {
		int count = (int)sizes[k], reps = 0;

		if (o->rank == 0) {
			double t0 = 0;

			fill(sbuf, count, 0);
			for (int w = 0; w < MICRO_WARMUPS; w++) {
				t0 = MPI_Wtime();
				MPI_Send(sbuf, count, MPI_BYTE, 1, TAG_MICRO, MPI_COMM_WORLD);
				MPI_Recv(rbuf, count, MPI_BYTE, 1, TAG_MICRO, MPI_COMM_WORLD, &st);
			}
			reps = reps_for(o, sizes[k], MPI_Wtime() - t0);
			MPI_Send(&reps, 1, MPI_INT, 1, TAG_MICRO_REPS, MPI_COMM_WORLD);
			for (int r = 0; r < reps; r++) {
				t0 = MPI_Wtime();
				MPI_Send(sbuf, count, MPI_BYTE, 1, TAG_MICRO, MPI_COMM_WORLD);
				MPI_Recv(rbuf, count, MPI_BYTE, 1, TAG_MICRO, MPI_COMM_WORLD, &st);
				t[r] = MPI_Wtime() - t0;
			}
			med[k] = mb_median(t, reps);
			if (memcmp(sbuf, rbuf, (size_t)count) != 0)
				ok = false;
		} else if (o->rank == 1) {
			for (int w = 0; w < MICRO_WARMUPS; w++) {
				MPI_Recv(rbuf, count, MPI_BYTE, 0, TAG_MICRO, MPI_COMM_WORLD, &st);
				MPI_Send(rbuf, count, MPI_BYTE, 0, TAG_MICRO, MPI_COMM_WORLD);
			}
			MPI_Recv(&reps, 1, MPI_INT, 0, TAG_MICRO_REPS, MPI_COMM_WORLD, &st);
			for (int r = 0; r < reps; r++) {
				MPI_Recv(rbuf, count, MPI_BYTE, 0, TAG_MICRO, MPI_COMM_WORLD, &st);
				MPI_Send(rbuf, count, MPI_BYTE, 0, TAG_MICRO, MPI_COMM_WORLD);
			}
			if (!check(rbuf, count, 0))
				ok = false;
		}
		nreps[k] = reps;
	}
	if (o->rank == 0)
		release_bystanders(o);
	else if (o->rank > 1)
		bystand();
	mb_end(m);

	for (int k = 0; o->rank == 0 && k < npts; k++) {
		json_t *p = new_point(sizes[k], nreps[k]);
		double one_way = med[k] / 2;

		mb_set(p, "latency_us", json_real(one_way * 1e6));
		mb_set(p, "bandwidth_MBps",
		       json_real(one_way > 0 ? (double)sizes[k] / one_way / 1e6 : 0));
		mb_append(points, p);
	}
	mb_set(out, "points", points);
	free(t);
	free(rbuf);
	free(sbuf);
	return ok;
}

bool mb_sendrecv(const struct mb_opts *o, struct mb_meter *m, json_t *out)
{
	long sizes[MAX_POINTS];
	int npts = sizes_upto(o->max_bytes, sizes), nreps[MAX_POINTS];
	int right = (o->rank + 1) % o->size, left = (o->rank + o->size - 1) % o->size;
	unsigned char *sbuf = mb_alloc((size_t)o->max_bytes, 1);
	unsigned char *rbuf = mb_alloc((size_t)o->max_bytes, 1);
	double *t = times_for(o), med[MAX_POINTS], worst[MAX_POINTS];
	json_t *points = json_array();
	MPI_Status st;
	bool ok = true;

	if (!points)
		mb_die("out of memory building JSON");
	memset(sbuf, 0, (size_t)o->max_bytes);
	memset(rbuf, 0, (size_t)o->max_bytes);
	mb_begin(m);
	for (int k = 0; k < npts; k++) {
		int count = (int)sizes[k], reps;
		double t0 = 0;

		fill(sbuf, count, o->rank);
		MPI_Barrier(MPI_COMM_WORLD);
		for (int w = 0; w < MICRO_WARMUPS; w++) {
			t0 = MPI_Wtime();
			MPI_Sendrecv(sbuf, count, MPI_BYTE, right, TAG_MICRO, rbuf, count, MPI_BYTE,
			             left, TAG_MICRO, MPI_COMM_WORLD, &st);
		}
		reps = reps_all(o, sizes[k], MPI_Wtime() - t0);
		for (int r = 0; r < reps; r++) {
			t0 = MPI_Wtime();
			MPI_Sendrecv(sbuf, count, MPI_BYTE, right, TAG_MICRO, rbuf, count, MPI_BYTE,
			             left, TAG_MICRO, MPI_COMM_WORLD, &st);
			t[r] = MPI_Wtime() - t0;
		}
		med[k] = mb_median(t, reps);
		nreps[k] = reps;
		if (!check(rbuf, count, left))
			ok = false;
	}
	mb_end(m);
	MPI_Reduce(med, worst, npts, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);

	for (int k = 0; o->rank == 0 && k < npts; k++) {
		json_t *p = new_point(sizes[k], nreps[k]);

		mb_set(p, "time_us", json_real(worst[k] * 1e6));
		mb_set(p, "bandwidth_MBps",
		       json_real(worst[k] > 0 ? (double)sizes[k] / worst[k] / 1e6 : 0));
		mb_append(points, p);
	}
	mb_set(out, "points", points);
	free(t);
	free(rbuf);
	free(sbuf);
	return ok;
}

#define ALLREDUCE_MAX_BYTES (1L << 20)

bool mb_allreduce(const struct mb_opts *o, struct mb_meter *m, json_t *out)
{
	int nmax = (int)(ALLREDUCE_MAX_BYTES / sizeof(double)), nreps[MAX_POINTS];
	double *sbuf = mb_alloc((size_t)nmax, sizeof(double));
	double *rbuf = mb_alloc((size_t)nmax, sizeof(double));
	double *t = times_for(o), med[MAX_POINTS], worst[MAX_POINTS];
	double base = (double)o->size * (o->size - 1) / 2;
	json_t *points = json_array();
	long bytes[MAX_POINTS];
	bool ok = true;
	int npts = 0;

	if (!points)
		mb_die("out of memory building JSON");
	/* Small integers: the sum is exact in any order. */
	for (int i = 0; i < nmax; i++)
		sbuf[i] = o->rank + i % 7;
	mb_begin(m);
	for (int count = 1; count <= nmax; count *= 2, npts++) {
		int reps;
		double t0 = 0;

		memset(rbuf, 0, (size_t)count * sizeof(double));
		bytes[npts] = count * (long)sizeof(double);
		for (int w = 0; w < MICRO_WARMUPS; w++) {
			t0 = MPI_Wtime();
			MPI_Allreduce(sbuf, rbuf, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
		}
		reps = reps_all(o, bytes[npts], MPI_Wtime() - t0);
		for (int r = 0; r < reps; r++) {
			t0 = MPI_Wtime();
			MPI_Allreduce(sbuf, rbuf, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
			t[r] = MPI_Wtime() - t0;
		}
		med[npts] = mb_median(t, reps);
		nreps[npts] = reps;
		for (int i = 0; i < count; i++)
			if (rbuf[i] != base + (double)o->size * (i % 7))
				ok = false;
	}
	mb_end(m);
	MPI_Reduce(med, worst, npts, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);

	for (int k = 0; o->rank == 0 && k < npts; k++) {
		json_t *p = new_point(bytes[k], nreps[k]);

		mb_set(p, "time_us", json_real(worst[k] * 1e6));
		mb_append(points, p);
	}
	mb_set(out, "points", points);
	free(t);
	free(rbuf);
	free(sbuf);
	return ok;
}

bool mb_barrier(const struct mb_opts *o, struct mb_meter *m, json_t *out)
{
	double *t = times_for(o), med, worst = 0, t0 = 0;
	int reps;

	mb_begin(m);
	for (int w = 0; w < MICRO_WARMUPS; w++) {
		t0 = MPI_Wtime();
		MPI_Barrier(MPI_COMM_WORLD);
	}
	reps = reps_all(o, 0, MPI_Wtime() - t0);
	for (int r = 0; r < reps; r++) {
		t0 = MPI_Wtime();
		MPI_Barrier(MPI_COMM_WORLD);
		t[r] = MPI_Wtime() - t0;
	}
	mb_end(m);
	med = mb_median(t, reps);
	MPI_Reduce(&med, &worst, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
	mb_set(out, "reps", json_integer(reps));
	mb_set(out, "barrier_us", json_real(worst * 1e6));
	free(t);
	return true;
}

/* wtime: the smallest positive step of MPI_Wtime seen in WTIME_SAMPLES
 * tries, each spinning until the clock moves (or WTIME_SPIN_MAX reads). */
#define WTIME_SAMPLES  1000
#define WTIME_SPIN_MAX 100000000L

bool mb_wtime(const struct mb_opts *o, struct mb_meter *m, json_t *out)
{
	double tick = MPI_Wtick(), res = 0, worst = 0;
	bool ok = true;

	(void)o;
	mb_begin(m);
	for (int k = 0; k < WTIME_SAMPLES && ok; k++) {
		double t0 = MPI_Wtime(), t1 = t0;
		long spins = 0;

		while (t1 == t0 && spins++ < WTIME_SPIN_MAX)
			t1 = MPI_Wtime();
		if (t1 <= t0)
			ok = false; /* stuck, or went backwards */
		else if (res == 0 || t1 - t0 < res)
			res = t1 - t0;
	}
	mb_end(m);
	MPI_Reduce(&res, &worst, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
	mb_set(out, "wtick_s", json_real(tick));
	mb_set(out, "wtime_resolution_s", json_real(res));
	mb_set(out, "wtime_resolution_max_s", json_real(worst));
	return ok && tick > 0 && res > 0;
}
