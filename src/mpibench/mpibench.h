/* vnetlab-mpi: the project's own MPI benchmark program, SKaMPI-style micro
 * benchmarks and NAS-style macro kernels in one binary that builds against
 * both MPICH and LAM/MPI 7.1.4 (so MPI-1 calls only: no MPI_IN_PLACE, no
 * MPI-2 calls).
 *
 * main.c parses the options, runs one benchmark and prints the one JSON
 * object of the run on rank 0; each benchmark lives in a file of its own and
 * fills in its fields. Shared here: the options, the meter that brackets the
 * timed part (MPI_Wtime and getrusage), the deterministic random number
 * generator of the NAS benchmarks and a few small helpers. */
#ifndef VL_MPI_MPIBENCH_H
#define VL_MPI_MPIBENCH_H

#include <jansson.h>
#include <mpi.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

/* The macro kernels' problem classes, in NAS's naming. */
enum mb_class {
	MB_CLASS_S,
	MB_CLASS_W,
	MB_CLASS_A,
	MB_NCLASSES,
};

/* Options, already parsed and range-checked, plus this process's place. */
struct mb_opts {
	enum mb_class cls;
	int reps;        /* micro: repetitions per point */
	long max_bytes;  /* pingpong, sendrecv: largest message */
	bool reps_given; /* --reps on the command line */
	int rank, size;  /* in MPI_COMM_WORLD */
};

/* The timed part of a run. mb_begin() synchronises all ranks with a barrier
 * and then takes MPI_Wtime and getrusage; mb_end() adds the elapsed figures.
 * A benchmark may bracket several parts; they add up. */
struct mb_meter {
	bool running;
	double t0;
	struct rusage ru0;
	double wall, user, sys; /* this rank's sums, seconds */
};

void mb_begin(struct mb_meter *m);
void mb_end(struct mb_meter *m);
/* The largest wall time over the ranks (collective). */
double mb_wall_max(const struct mb_meter *m);

/* A benchmark: fills out (on every rank; only rank 0's is printed) with its
 * own fields and returns whether this rank's part of the result verified.
 * main.c combines the verdicts of all ranks. */
typedef bool (*mb_fn)(const struct mb_opts *o, struct mb_meter *m, json_t *out);

bool mb_pingpong(const struct mb_opts *o, struct mb_meter *m, json_t *out);
bool mb_sendrecv(const struct mb_opts *o, struct mb_meter *m, json_t *out);
bool mb_allreduce(const struct mb_opts *o, struct mb_meter *m, json_t *out);
bool mb_barrier(const struct mb_opts *o, struct mb_meter *m, json_t *out);
bool mb_wtime(const struct mb_opts *o, struct mb_meter *m, json_t *out);
bool mb_ep(const struct mb_opts *o, struct mb_meter *m, json_t *out);
bool mb_is(const struct mb_opts *o, struct mb_meter *m, json_t *out);
bool mb_cg(const struct mb_opts *o, struct mb_meter *m, json_t *out);
bool mb_mg(const struct mb_opts *o, struct mb_meter *m, json_t *out);

/* Errors. mb_die: a failure on this rank; prints the message with the rank
 * and aborts the job. mb_die_all: a failure that every rank detects alike
 * (a bad rank count, say), called by all ranks; rank 0 prints it once, and
 * all finalize and exit 1. */
_Noreturn void mb_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void mb_die_all(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The end of a run on every rank: MPI_Finalize and exit with status, but
 * so that a non-zero status reaches mpiexec/mpirun with either library. */
_Noreturn void mb_exit(int status);

/* Allocation that dies on failure; n * size checked for overflow. */
void *mb_alloc(size_t n, size_t size);

/* jansson setters that die on allocation failure. */
void mb_set(json_t *obj, const char *key, json_t *val);
void mb_append(json_t *arr, json_t *val);

/* The median of n values (n > 0); sorts v in place. */
double mb_median(double *v, int n);

/* The NAS benchmarks' linear congruential generator, x' = a x mod 2^46, on
 * 64-bit integers (the low 46 bits of a wrapping 64-bit product are those of
 * the exact product). Seeds and multipliers are odd integers < 2^46; the
 * values are x / 2^46 in (0, 1), bit for bit those of NAS's randlc. */
#define MB_LCG_MASK ((UINT64_C(1) << 46) - 1)
#define MB_LCG_R46  (1.0 / 70368744177664.0) /* 2^-46 */

static inline double mb_lcg_next(uint64_t *x, uint64_t a)
{
	*x = (*x * a) & MB_LCG_MASK;
	return (double)*x * MB_LCG_R46;
}

/* a^k mod 2^46: the multiplier that jumps the generator k steps ahead. */
uint64_t mb_lcg_pow(uint64_t a, uint64_t k);

/* The class's letter. */
const char *mb_class_name(enum mb_class c);

#endif
