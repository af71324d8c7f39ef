/* The comparison: one workload run in a set of environments, and every
 * figure that sets them against each other. An environment is where N
 * instances run: a node backend (ns, proc, vm; all N at once on one lab),
 * solo (each instance alone, one after the other), either of them beside a
 * noisy neighbour; or real machines (rm: one instance per host, rm.h). The study's commands are
 * this module's calls: `bench` (vl_compare_run), `capacity` (vl_capacity_run), `bench mpi`
 * (vl_compare_mpi); `study` makes the same calls in turn.
 *
 * The module owns the result files (--json) the report reads back; their
 * schema is written down below. Nothing here prints: what is to be said is
 * in the result structs, and a caller's callbacks hear of progress. */
#ifndef VL_STUDY_COMPARE_H
#define VL_STUDY_COMPARE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "study/metrics.h"
#include "study/mpijob.h"
#include "study/neighbour.h"
#include "study/runner.h"
#include "study/timeline.h"

/* ---- The result files ------------------------------------------------------
 *
 * Version 1. A file without "schema" is version 1 (files from before it was
 * recorded); a reader refuses a version above the one it knows. Numbers are
 * JSON reals unless said (int); a key marked "?" may be absent.
 *
 * A bench file (`bench --json`, and `study`'s WORKLOAD-nN.json):
 *   workload   string  the workload's name (workload.h)
 *   n          int     instances per run
 *   profile    string  every node's resources: "study" or "none"
 *   host_cpus  int     the host's online CPUs
 *   runs       array   a run per environment, in the order asked (below)
 *   neighbour? array   with --neighbour: each isolation figure (as in a run's
 *                      "neighbour", from "run" on), in the order of the runs
 *   schema     int     VL_COMPARE_SCHEMA
 * A run:
 *   workload, backend ("ns", "proc", "vm", "rm"; solo runs on "ns"), mode
 *   ("together" or "solo")  strings
 *   environment   string  the environment's name in the table (ns, proc, vm, solo, rm)
 *   rate          bool    judged by throughput received (else by 1 / wall time)
 *   n             int     instances
 *   wall_s        real    the whole run
 *   capacity_bps  real    network workloads on shaped links: N x the rate; else 0
 *   instances     array   per instance: node, server (strings), finished (bool),
 *       status (int, wait status), wall_s, user_s, sys_s (from the instance),
 *       wait4_user_s, wait4_sys_s (the process), cgroup_cpu_s,
 *       server_cgroup_cpu_s (its nodes' cgroups), bytes, throughput_bps (at the
 *       receiver), value (what it is judged by: vl_bench_value), error? (string:
 *       why it did not finish), report? (object: what its programs printed)
 *   fidelity      object  host_busy, max_start_lag_s, start_spread_s (reals),
 *       throttled, drops, sent_bytes, starved (ints), trustworthy (bool),
 *       verdict (string: the one-line verdict)
 *   verdict       object  trustworthy (bool), says (string), checks (array of
 *       {name: string, ok: bool, figure: real, says: string}; checks.h)
 *   timeline?     object  the CPU (and bytes) of each instance over time
 *                         (vl_timeline_json, timeline.h)
 *   neighbour?    object  kind, node, sink? (strings), cgroup_cpu_s?, report?
 *       (neighbour.h); then the isolation figures: run, baseline (strings: this
 *       run and the one without the neighbour), and either error (string) or
 *       slowdown (array: per instance, null when infinite), median?, worst?
 *       (null: infinite), fair_slowdown? (what a fair share of the CPUs gives)
 *   metrics       object  jain, worst_share (of a fair one), maxmin (-1:
 *       infinite), cv, ideal_share (1/n), mean_wall_s (of the finished
 *       instances) reals; measured (bool); starved (int); shares (array of
 *       reals, per instance, summing to 1): metrics.h
 *   run           string  the environment's name: "ns", "solo", "ns+cpu", ...
 *   vs?           object  mean wall time against the baselines present:
 *       solo, proc, rm (reals: this run's / theirs)
 *   hosts?        array   rm: per host (instance i on host i) name, addr,
 *       boot_id (strings), machine (int: hosts with one boot id are one),
 *       cpus (int), clock_offset_s, clock_rtt_s (reals; the offset's
 *       uncertainty is half the round trip), barrier_corrected (bool),
 *       ready_s (its client started this long before the barrier),
 *       busy, programs_busy, steal (fractions of its CPUs' time over the
 *       run), rx_bytes, tx_bytes, drops (ints: its underlay device's)
 *   machines?     int     rm: how many machines the hosts are
 *
 * A capacity file (`capacity --json`):
 *   workload, backend  strings
 *   threshold          real    the Jain index a step must reach
 *   capacity           int     the largest N that fitted
 *   steps              array   {n, finished (ints), jain, fits (bool), run (a run
 *                              as above, without metrics and run)}
 *   linearity?         object  intercept_s, slope_s, r2, from_n, to_n, t1_s,
 *                              ideal_slope_s, slope_vs_ideal (reals), cpus (int)
 *   schema             int
 *
 * An MPI file (`bench mpi --json`, and `study`'s mpi-IMPL-BENCH[-CLASS].json):
 *   workload "mpi", mpi (impl), benchmark, class? (S, W, A)  strings
 *   ranks, host_cpus  ints;  profile  string
 *   mpi_runs  array   per environment: env (string), ranks, hosts (ints),
 *       skipped, finished, verified, timed_out, finalize_hang (bools), wall_s,
 *       job_s, link_bytes (reals), error? (string), report? (vnetlab-mpi's
 *       JSON); mpi.h
 *   schema    int
 */
#define VL_COMPARE_SCHEMA 1

/* A file's schema version: 1 without the key; -1 if it is not an integer >= 1. */
int vl_compare_schema(json_t *file);

/* ---- Environments ---------------------------------------------------------- */

/* Where N instances run, as a table: each environment says how a run is
 * made there and what it stands for in the comparison; nothing above asks
 * which one it has. */
enum {
	VL_ENV_SOLO_BASE = 1 << 0, /* the baseline "vs solo": each instance alone */
	VL_ENV_PROC_BASE = 1 << 1, /* the baseline "vs proc": plain processes */
	VL_ENV_REAL = 1 << 2,      /* real machines: the baseline "vs rm" */
	VL_ENV_HOSTS = 1 << 3,     /* runs on the hosts of --hosts */
};

struct vl_env_type {
	const char *name;        /* ns, proc, vm, solo, rm */
	unsigned flags;          /* VL_ENV_* */
	enum vl_backend backend; /* a lab's node backend (solo: ns; rm: none used) */
	enum vl_bench_mode mode;
	int (*run)(const struct vl_bench_opts *o, struct vl_bench_run *run, struct vl_err *err);
};

/* The environment named name, or NULL. */
const struct vl_env_type *vl_env_type_find(const char *name);

struct vl_env {
	const struct vl_env_type *type;
	enum vl_neighbour neighbour; /* a noisy node beside the instances, or none */
	char name[24];               /* "ns", "solo", "ns+cpu": the run's name */
};

#define VL_COMPARE_MAX 8

/* The environments of a list such as "ns,proc,solo" into env[0..*n) (at
 * most VL_COMPARE_MAX); with a neighbour, each twice: without it, then with
 * it (not rm, which has no lab for one). Errors: a name not in the table. */
int vl_compare_envs(const char *list, enum vl_neighbour neighbour, struct vl_env *env, size_t *n,
                    struct vl_err *err);

/* ---- bench: a workload in each environment -------------------------------- */

struct vl_compare_opts {
	/* the workload and its options; neighbour: the one asked for (the
	 * file then has its "neighbour" array); each run takes backend, mode
	 * and neighbour from its environment */
	struct vl_bench_opts bench;
	struct vl_env env[VL_COMPARE_MAX];
	size_t n_env;
	/* called as each environment starts, or NULL */
	void (*starting)(const struct vl_compare_opts *o, const struct vl_env *e);
};

/* How much the neighbour slowed each instance: the run against the one
 * before it, the same without the neighbour. */
struct vl_isolation {
	size_t baseline;  /* the run it is set against */
	char error[1024]; /* no figures, and why (else empty) */
	double *slow;     /* per instance; +HUGE_VAL: infinite */
	double median, worst;
	double fair; /* a CPU-bound workload beside the cpu hog: the fair
	              * share's slowdown, C/n -> C/(n+1); else 0 */
};

struct vl_compare_run {
	struct vl_env env;
	struct vl_bench_run run;
	struct vl_metrics m;
	double mean_wall_s;         /* of the finished instances */
	double vs_solo, vs_proc;    /* slowdowns against the solo and proc runs; 0: none */
	double vs_real;             /* against the rm run (real machines, same N); 0: none */
	double aggregate_bps;       /* the instances' throughput, summed */
	double utilisation;         /* of capacity_bps; < 0: not measured */
	bool timeline, timeline_rx; /* the figures below are there */
	struct vl_timeline_figures tl, tl_rx;
	bool isolated; /* iso is there (a neighbour run) */
	struct vl_isolation iso;
};

struct vl_compare {
	char workload[16];
	size_t n;
	enum vl_profile profile;
	long host_cpus;
	bool neighbour; /* the file has the "neighbour" array */
	struct vl_compare_run runs[VL_COMPARE_MAX];
	size_t n_runs;
};

/* Before any run: every environment of o can take its options (rm: its
 * hosts, N no more than them), and --hosts (o->bench.hosts) is used by
 * one. 0, or -1 with err (a usage error). */
int vl_compare_check(const struct vl_compare_opts *o, struct vl_err *err);
/* Run o's workload in each of its environments and compute every figure.
 * On failure (a run could not be made) c holds the runs before it, with
 * their figures: the caller may still show them. Free c in either case. */
int vl_compare_run(const struct vl_compare_opts *o, struct vl_compare *c, struct vl_err *err);
/* The bench file (schema above). */
json_t *vl_compare_json(const struct vl_compare *c);
void vl_compare_free(struct vl_compare *c);
/* The run as JSON (all instances and their reports; no metrics). */
json_t *vl_bench_run_json(const struct vl_bench_run *run);

/* ---- capacity: the largest N that fits ------------------------------------ */

#define VL_CAPACITY_STEPS 8 /* N = 1, 2, 4, ..., 128 */

struct vl_capacity_step {
	size_t n, finished;
	double jain;
	bool fits;   /* every instance finished, and shared at least as fairly as asked */
	json_t *run; /* vl_bench_run_json of the step's run */
};

struct vl_capacity_opts {
	struct vl_bench_opts bench; /* n is each step's */
	size_t max;
	double threshold; /* the Jain index a step must reach */
	const char *plot; /* write PLOT.dat, PLOT.gp and PLOT.png of the fit, or NULL */
	void *arg;        /* for the callbacks, which may be NULL: */
	void (*starting)(void *arg, size_t n);
	void (*step)(void *arg, const struct vl_capacity_step *s);
};

struct vl_capacity {
	struct vl_capacity_step steps[VL_CAPACITY_STEPS];
	size_t n_steps;
	size_t best; /* the largest N that fitted */
	bool rate;   /* a rate workload runs for --seconds at any N: no fit */
	/* Linearity: mean wall time against N, fitted where N >= the host's
	 * CPUs (if two steps are there, else over all), against the ideal of
	 * C CPUs, t(N) = t(1) * max(1, N/C): a slope of t(1)/C per instance. */
	bool fitted;
	char why_not[1024]; /* not fitted: why */
	double a, b, r2, from_n, to_n, t1, ideal;
	long cpus;
	int plot; /* 1: PLOT.png drawn; -1: gnuplot failed on plot_gp; 0: none */
	char plot_gp[PATH_MAX];
};

/* Run N = 1, 2, 4, ... up to max until a step does not fit, then fit the
 * times (not for a rate workload). On failure c holds the steps before. */
int vl_capacity_run(const struct vl_capacity_opts *o, struct vl_capacity *c, struct vl_err *err);
json_t *vl_capacity_json(const struct vl_capacity_opts *o, const struct vl_capacity *c);
void vl_capacity_free(struct vl_capacity *c);

/* ---- bench mpi: one MPI job in each environment ---------------------------- */

/* o->bench and cls checked against vnetlab-mpi's benchmarks (the macro
 * kernels take a class, S by default; the micro ones none, and 2 ranks or
 * more); sets o->cls. */
int vl_compare_mpi_check(struct vl_mpi_opts *o, const char *cls, struct vl_err *err);

/* The environments envs ("ns,proc,solo,one,rm") can take o: rm needs
 * o->hosts, a rank per host; o->hosts needs rm. 0, or -1 with err (a
 * usage error). */
int vl_compare_mpi_envs_check(const struct vl_mpi_opts *o, const char *envs, struct vl_err *err);

struct vl_mpi_compare {
	struct vl_mpi_result res[8];
	size_t n;
};

/* The job in each environment of envs ("ns,proc,solo,one"; one only for a
 * kernel). < 0 when an environment could not be made: c holds the jobs
 * before it. starting (may be NULL) hears of each environment. */
int vl_compare_mpi(const struct vl_mpi_opts *o, const char *envs,
                   void (*starting)(const struct vl_mpi_opts *o, const char *env),
                   struct vl_mpi_compare *c, struct vl_err *err);
json_t *vl_compare_mpi_json(const struct vl_mpi_opts *o, const struct vl_mpi_compare *c);
void vl_compare_mpi_free(struct vl_mpi_compare *c);

#endif
