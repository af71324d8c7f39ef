/* vnetlab-mpi: helpers shared by the benchmarks: the meter around the timed
 * part, errors that abort the MPI job, allocation and JSON setters that die
 * on failure, the median and the jump-ahead of the NAS generator. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpibench.h"

static double tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec * 1e-6;
}

void mb_begin(struct mb_meter *m)
{
	if (m->running)
		mb_die("internal error: meter started twice");
	MPI_Barrier(MPI_COMM_WORLD);
	getrusage(RUSAGE_SELF, &m->ru0);
	m->t0 = MPI_Wtime();
	m->running = true;
}

void mb_end(struct mb_meter *m)
{
	struct rusage ru;
	double t = MPI_Wtime();

	if (!m->running)
		mb_die("internal error: meter stopped but not started");
	getrusage(RUSAGE_SELF, &ru);
	m->wall += t - m->t0;
	m->user += tv_s(&ru.ru_utime) - tv_s(&m->ru0.ru_utime);
	m->sys += tv_s(&ru.ru_stime) - tv_s(&m->ru0.ru_stime);
	m->running = false;
}

double mb_wall_max(const struct mb_meter *m)
{
	double w = 0;

	MPI_Allreduce((void *)&m->wall, &w, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
	return w;
}

static void vsay(int rank, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (rank >= 0)
		fprintf(stderr, "vnetlab-mpi: rank %d: %s\n", rank, msg);
	else
		fprintf(stderr, "vnetlab-mpi: %s\n", msg);
	fflush(stderr);
}

void mb_die(const char *fmt, ...)
{
	va_list ap;
	int rank = 0;

	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	va_start(ap, fmt);
	vsay(rank, fmt, ap);
	va_end(ap);
	MPI_Abort(MPI_COMM_WORLD, 1);
	exit(1);
}

void mb_die_all(const char *fmt, ...)
{
	va_list ap;
	int rank = 0;

	/* Every rank is here: no abort needed (and LAM's mpirun reports a
	 * single rank's MPI_Abort as success). */
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	if (rank == 0) {
		va_start(ap, fmt);
		vsay(-1, fmt, ap);
		va_end(ap);
	}
	mb_exit(1);
}

void mb_exit(int status)
{
	if (status == 0) {
		MPI_Finalize();
		exit(0);
	}
#ifdef LAM_MPI
	/* LAM's mpirun ignores the exit status of a process that finalized;
	 * one that exits without gets reported and fails the job. */
	MPI_Barrier(MPI_COMM_WORLD);
#else
	MPI_Finalize();
#endif
	exit(status);
}

void *mb_alloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		mb_die("allocation of %zu x %zu bytes overflows", n, size);
	p = malloc(n && size ? n * size : 1);
	if (!p)
		mb_die("out of memory (%zu bytes)", n * size);
	return p;
}

void mb_set(json_t *obj, const char *key, json_t *val)
{
	if (!val || json_object_set_new(obj, key, val) < 0)
		mb_die("out of memory building JSON");
}

void mb_append(json_t *arr, json_t *val)
{
	if (!val || json_array_append_new(arr, val) < 0)
		mb_die("out of memory building JSON");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double mb_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	if (n % 2)
		return v[n / 2];
	return 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

uint64_t mb_lcg_pow(uint64_t a, uint64_t k)
{
	uint64_t r = 1;

	while (k) {
		if (k & 1)
			r = (r * a) & MB_LCG_MASK;
		a = (a * a) & MB_LCG_MASK;
		k >>= 1;
	}
	return r;
}

const char *mb_class_name(enum mb_class c)
{
	static const char *const names[MB_NCLASSES] = {"S", "W", "A"};

	return c < MB_NCLASSES ? names[c] : "?";
}
