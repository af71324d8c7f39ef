/* The comparison (compare.h): a workload in each environment and the
 * figures that set them against each other; the capacity search; the MPI
 * job in each environment. Runs labs through the runner and the MPI
 * launcher; writes no file but capacity's plot. The JSON is compare_json.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "study/compare.h"
#include "study/report.h"
#include "study/rm.h"
#include "study/workload.h"

static const struct vl_env_type env_types[] = {
    {"ns", 0, VL_BACKEND_NS, VL_BENCH_TOGETHER, vl_bench_run},
    {"proc", VL_ENV_PROC_BASE, VL_BACKEND_PROC, VL_BENCH_TOGETHER, vl_bench_run},
    {"vm", 0, VL_BACKEND_VM, VL_BENCH_TOGETHER, vl_bench_run},
    {"solo", VL_ENV_SOLO_BASE, VL_BACKEND_NS, VL_BENCH_SOLO, vl_bench_run},
    {"rm", VL_ENV_REAL | VL_ENV_HOSTS, VL_BACKEND_PROC, VL_BENCH_TOGETHER, vl_rm_run},
};

const struct vl_env_type *vl_env_type_find(const char *name)
{
	for (size_t i = 0; i < VL_ARRAY_SIZE(env_types); i++)
		if (!strcmp(env_types[i].name, name))
			return &env_types[i];
	return NULL;
}

int vl_compare_envs(const char *list, enum vl_neighbour neighbour, struct vl_env *env, size_t *n,
                    struct vl_err *err)
{
	cleanup_free char *names = vl_xstrdup(list);
	char *sv;

	*n = 0;
	for (char *b = strtok_r(names, ",", &sv); b && *n < VL_COMPARE_MAX;
	     b = strtok_r(NULL, ",", &sv)) {
		struct vl_env e = {.type = vl_env_type_find(b)};
		bool with_too = neighbour != VL_NEIGHBOUR_NONE;

		if (!e.type)
			return vl_err_set(err, EINVAL,
			                  "backends are ns, proc, vm, solo and rm, not \"%s\"", b);
		/* with a neighbour, each twice: without it, then with it (real
		 * machines have no lab to put one in) */
		if (e.type->flags & VL_ENV_HOSTS)
			with_too = false;
		for (int with = 0; with <= with_too && *n < VL_COMPARE_MAX; with++) {
			e.neighbour = with ? neighbour : VL_NEIGHBOUR_NONE;
			snprintf(e.name, sizeof(e.name), "%s%s%s", b, with ? "+" : "",
			         with ? vl_neighbour_name(neighbour) : "");
			env[(*n)++] = e;
		}
	}
	return 0;
}

/* Every instance's value (vl_bench_value) and whether it finished, judged. */
static int run_metrics(const struct vl_bench_run *run, struct vl_metrics *m, struct vl_err *err)
{
	cleanup_free double *x = vl_xcalloc(run->n ? run->n : 1, sizeof(*x));
	cleanup_free bool *fin = vl_xcalloc(run->n ? run->n : 1, sizeof(*fin));

	for (size_t i = 0; i < run->n; i++) {
		x[i] = vl_bench_value(run, i);
		fin[i] = run->inst[i].finished;
	}
	return vl_metrics_compute(x, fin, run->n, m, err);
}

static double mean_wall(const struct vl_bench_run *r)
{
	double s = 0;
	size_t k = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->inst[i].finished) {
			s += r->inst[i].wall_s;
			k++;
		}
	return k ? s / (double)k : 0;
}

/* The figures of one run by itself. */
static int figures(struct vl_compare_run *cr, struct vl_err *err)
{
	const struct vl_bench_run *run = &cr->run;

	if (run_metrics(run, &cr->m, err) < 0)
		return -1;
	cr->mean_wall_s = mean_wall(run);
	for (size_t i = 0; i < run->n; i++)
		cr->aggregate_bps += run->inst[i].bps;
	cr->utilisation = -1;
	if (run->capacity_bps > 0 && vl_metrics_utilisation(cr->aggregate_bps, run->capacity_bps,
	                                                    &cr->utilisation, NULL) < 0)
		cr->utilisation = -1;
	cr->timeline = run->timeline.n_win && vl_timeline_figures(&run->timeline, &cr->tl) == 0;
	cr->timeline_rx =
	    run->timeline.n_win && vl_timeline_figures_rx(&run->timeline, &cr->tl_rx) == 0;
	return 0;
}

/* Isolation: run k (with the neighbour) against run k - 1 (the same
 * without it), instance by instance. */
static void isolation(struct vl_compare *c, size_t k)
{
	struct vl_compare_run *cr = &c->runs[k];
	const struct vl_bench_run *with = &cr->run, *base = &c->runs[k - 1].run;
	const struct vl_workload *w = vl_workload_find(with->workload);
	struct vl_isolation *iso = &cr->iso;
	size_t n = with->n ? with->n : 1;
	cleanup_free double *b = vl_xcalloc(n, sizeof(*b));
	cleanup_free double *x = vl_xcalloc(n, sizeof(*x));
	struct vl_err err = {0};

	cr->isolated = true;
	iso->baseline = k - 1;
	iso->slow = vl_xcalloc(n, sizeof(*iso->slow));
	/* CPU-bound instances beside a CPU hog, each node getting an equal
	 * share of C CPUs (at most one each, as one process): C/n -> C/(n+1) */
	if (with->neighbour.kind == VL_NEIGHBOUR_CPU && w && !(w->flags & VL_WL_NETWORK)) {
		double cpus = (double)c->host_cpus, nn = (double)with->n;

		iso->fair = fmin(1, cpus / nn) / fmin(1, cpus / (nn + 1));
	}
	for (size_t i = 0; i < with->n; i++) {
		b[i] = vl_bench_value(base, i);
		x[i] = vl_bench_value(with, i);
	}
	if (vl_metrics_isolation(b, x, with->n, iso->slow, &iso->median, &iso->worst, &err) < 0)
		snprintf(iso->error, sizeof(iso->error), "%s", err.msg);
}

/* The figures that set the runs against each other: each run's mean wall
 * time against the baselines' (solo, proc, real machines) where present. */
static void compare(struct vl_compare *c)
{
	double solo = 0, proc = 0, real = 0;

	for (size_t j = 0; j < c->n_runs; j++) {
		const struct vl_env *e = &c->runs[j].env;
		double w = c->runs[j].mean_wall_s;

		if (e->neighbour != VL_NEIGHBOUR_NONE)
			continue;
		if (e->type->flags & VL_ENV_SOLO_BASE)
			solo = w;
		if (e->type->flags & VL_ENV_PROC_BASE)
			proc = w;
		if (e->type->flags & VL_ENV_REAL)
			real = w;
	}
	for (size_t k = 0; k < c->n_runs; k++) {
		struct vl_compare_run *cr = &c->runs[k];
		double w = cr->mean_wall_s;

		if (solo > 0 && w > 0 && vl_metrics_slowdown(w, solo, &cr->vs_solo, NULL) < 0)
			cr->vs_solo = 0;
		if (proc > 0 && w > 0 && vl_metrics_slowdown(w, proc, &cr->vs_proc, NULL) < 0)
			cr->vs_proc = 0;
		if (real > 0 && w > 0 && vl_metrics_slowdown(w, real, &cr->vs_real, NULL) < 0)
			cr->vs_real = 0;
		if (k > 0 && cr->run.neighbour.kind != VL_NEIGHBOUR_NONE)
			isolation(c, k);
	}
}

int vl_compare_check(const struct vl_compare_opts *o, struct vl_err *err)
{
	bool hosts = false;

	for (size_t k = 0; k < o->n_env; k++) {
		struct vl_bench_opts b = o->bench;

		if (!(o->env[k].type->flags & VL_ENV_HOSTS))
			continue;
		hosts = true;
		b.mode = o->env[k].type->mode;
		b.neighbour = o->env[k].neighbour;
		if (vl_rm_check(&b, err) < 0)
			return vl_err_wrap(err, "--backend %s", o->env[k].name);
	}
	if (o->bench.hosts && !hosts)
		return vl_err_set(err, EINVAL, "--hosts is for --backend rm (real machines)");
	return 0;
}

int vl_compare_run(const struct vl_compare_opts *o, struct vl_compare *c, struct vl_err *err)
{
	struct vl_bench_opts b = o->bench;
	int r = 0;

	memset(c, 0, sizeof(*c));
	snprintf(c->workload, sizeof(c->workload), "%s", b.workload);
	c->n = b.n;
	c->profile = b.profile;
	c->host_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	c->neighbour = b.neighbour != VL_NEIGHBOUR_NONE;
	for (size_t k = 0; k < o->n_env && k < VL_COMPARE_MAX; k++) {
		const struct vl_env *e = &o->env[k];
		struct vl_compare_run *cr = &c->runs[c->n_runs];

		b.neighbour = e->neighbour;
		b.mode = e->type->mode;
		b.backend = e->type->backend;
		if (o->starting)
			o->starting(o, e);
		if ((r = e->type->run(&b, &cr->run, err)) < 0)
			break;
		if ((r = figures(cr, err)) < 0) {
			vl_bench_run_free(&cr->run);
			break;
		}
		cr->env = *e;
		c->n_runs++;
	}
	compare(c);
	return r;
}

void vl_compare_free(struct vl_compare *c)
{
	for (size_t k = 0; k < c->n_runs; k++) {
		vl_metrics_free(&c->runs[k].m);
		vl_bench_run_free(&c->runs[k].run);
		free(c->runs[k].iso.slow);
		c->runs[k].iso.slow = NULL;
	}
	c->n_runs = 0;
}

/* ---- capacity ------------------------------------------------------------- */

static void capacity_plot(const struct vl_capacity_opts *o, struct vl_capacity *c, const double *ns,
                          const double *ts, size_t k)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s.dat", o->plot);
	if ((f = fopen(path, "we"))) {
		fprintf(f, "# N mean_wall_s\n");
		for (size_t i = 0; i < k; i++)
			fprintf(f, "%.0f %.6f\n", ns[i], ts[i]);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s.gp", o->plot);
	if (!(f = fopen(path, "we")))
		return;
	fprintf(f,
	        "set terminal pngcairo size 800,450\nset output '%s.png'\n"
	        "set title 'time of N instances at once: linearity'\n"
	        "set xlabel 'N'; set ylabel 'mean wall time, s'; set key top left\n"
	        "set xrange [0:*]; set yrange [0:*]\n"
	        "plot '%s.dat' using 1:2 with linespoints title 'measured', "
	        "%.6f + %.6f * x title 'fit', %.6f * (x > %ld ? x / %ld.0 : 1) "
	        "title 'ideal on %ld CPUs'\n",
	        o->plot, o->plot, c->a, c->b, ts[0], c->cpus, c->cpus, c->cpus);
	fclose(f);
	snprintf(c->plot_gp, sizeof(c->plot_gp), "%s", path);
	c->plot = vl_report_gnuplot(path) == 0 ? 1 : -1;
}

/* Mean wall time against N, fitted where N >= the host's CPUs (if two
 * steps are there, else over all). */
static void linearity(const struct vl_capacity_opts *o, struct vl_capacity *c, const double *ns,
                      const double *ts, size_t k)
{
	size_t from = 0, n_over = 0;
	struct vl_err err = {0};

	c->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (c->cpus < 1)
		c->cpus = 1;
	for (size_t i = 0; i < k; i++)
		n_over += ns[i] >= (double)c->cpus;
	if (n_over >= 2)
		for (from = 0; ns[from] < (double)c->cpus; from++)
			;
	if (k - from < 2 || ts[0] <= 0 ||
	    vl_metrics_linear_fit(ns + from, ts + from, k - from, &c->a, &c->b, &c->r2, &err) < 0) {
		snprintf(c->why_not, sizeof(c->why_not), "%s",
		         err.msg[0] ? err.msg : "fewer than 2 steps");
		return;
	}
	c->fitted = true;
	c->from_n = ns[from];
	c->to_n = ns[k - 1];
	c->t1 = ts[0];
	c->ideal = ts[0] / (double)c->cpus;
	if (o->plot)
		capacity_plot(o, c, ns, ts, k);
}

int vl_capacity_run(const struct vl_capacity_opts *o, struct vl_capacity *c, struct vl_err *err)
{
	struct vl_bench_opts b = o->bench;
	double ns[VL_CAPACITY_STEPS], ts[VL_CAPACITY_STEPS];
	size_t k = 0;

	memset(c, 0, sizeof(*c));
	b.mode = VL_BENCH_TOGETHER;
	for (size_t n = 1; n <= o->max && c->n_steps < VL_CAPACITY_STEPS; n *= 2) {
		struct vl_capacity_step *s = &c->steps[c->n_steps];
		struct vl_bench_run run;
		struct vl_metrics m;

		b.n = n;
		if (o->starting)
			o->starting(o->arg, n);
		if (vl_bench_run(&b, &run, err) < 0)
			return -1;
		if (run_metrics(&run, &m, err) < 0) {
			vl_bench_run_free(&run);
			return -1;
		}
		*s = (struct vl_capacity_step){
		    .n = n,
		    .finished = n - m.nstarved,
		    .jain = m.jain,
		    .fits = !m.nstarved && m.measured && m.jain >= o->threshold,
		    .run = vl_bench_run_json(&run),
		};
		c->n_steps++;
		c->rate = run.rate;
		if (m.nstarved == 0) {
			double w = 0;

			for (size_t i = 0; i < n; i++)
				w += run.inst[i].wall_s / (double)n;
			ns[k] = (double)n;
			ts[k++] = w;
		}
		if (o->step)
			o->step(o->arg, s);
		vl_metrics_free(&m);
		vl_bench_run_free(&run);
		if (!s->fits)
			break;
		c->best = n;
	}
	if (!c->rate)
		linearity(o, c, ns, ts, k);
	return 0;
}

void vl_capacity_free(struct vl_capacity *c)
{
	for (size_t i = 0; i < c->n_steps; i++)
		json_decref(c->steps[i].run);
	c->n_steps = 0;
}

/* ---- bench mpi ------------------------------------------------------------ */

static const char *const micro[] = {"pingpong", "sendrecv", "allreduce",
                                    "barrier",  "wtime",    "micro"};
static const char *const macro[] = {"ep", "is", "cg", "mg"};

static bool listed(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, v[i]))
			return true;
	return false;
}

int vl_compare_mpi_check(struct vl_mpi_opts *o, const char *cls, struct vl_err *err)
{
	if (strcmp(o->impl, "mpich") && strcmp(o->impl, "lam"))
		return vl_err_set(err, EINVAL, "--mpi is mpich or lam, not \"%s\"", o->impl);
	if (listed(o->bench, macro, VL_ARRAY_SIZE(macro))) {
		o->cls = cls ? cls : "S";
		if (strcmp(o->cls, "S") && strcmp(o->cls, "W") && strcmp(o->cls, "A"))
			return vl_err_set(err, EINVAL, "--class is S, W or A, not \"%s\"", o->cls);
		return 0;
	}
	if (!listed(o->bench, micro, VL_ARRAY_SIZE(micro)))
		return vl_err_set(err, EINVAL,
		                  "unknown benchmark \"%s\" (pingpong, sendrecv, allreduce, "
		                  "barrier, wtime, micro; ep, is, cg, mg)",
		                  o->bench);
	if (cls)
		return vl_err_set(err, EINVAL, "%s takes no --class", o->bench);
	if (o->ranks < 2)
		return vl_err_set(err, EINVAL, "%s needs 2 ranks or more", o->bench);
	return 0;
}

int vl_compare_mpi_envs_check(const struct vl_mpi_opts *o, const char *envs, struct vl_err *err)
{
	cleanup_free char *list = vl_xstrdup(envs);
	bool rm = false;
	char *sv;

	for (char *e = strtok_r(list, ",", &sv); e; e = strtok_r(NULL, ",", &sv))
		rm |= !strcmp(e, "rm");
	if (rm && !o->hosts)
		return vl_err_set(err, EINVAL,
		                  "--backend rm runs on hosts: give --hosts ssh:H1,H2,..., @FILE "
		                  "or slurm");
	if (rm && o->ranks > o->hosts->n)
		return vl_err_set(err, EINVAL,
		                  "%zu ranks on %zu hosts: rm runs one rank per host (give --ranks "
		                  "%zu or less, or more hosts)",
		                  o->ranks, o->hosts->n, o->hosts->n);
	if (!rm && o->hosts)
		return vl_err_set(err, EINVAL, "--hosts is for --backend rm (real machines)");
	return 0;
}

int vl_compare_mpi(const struct vl_mpi_opts *o, const char *envs,
                   void (*starting)(const struct vl_mpi_opts *o, const char *env),
                   struct vl_mpi_compare *c, struct vl_err *err)
{
	cleanup_free char *list = vl_xstrdup(envs);
	char *sv;

	memset(c, 0, sizeof(*c));
	for (char *e = strtok_r(list, ",", &sv); e && c->n < VL_ARRAY_SIZE(c->res);
	     e = strtok_r(NULL, ",", &sv)) {
		if (!strcmp(e, "one") && !o->cls)
			continue; /* one rank: the macro kernels' real x N only */
		if (starting)
			starting(o, e);
		if (vl_mpi_run(o, e, &c->res[c->n], err) < 0)
			return -1;
		c->n++;
	}
	return 0;
}

void vl_compare_mpi_free(struct vl_mpi_compare *c)
{
	for (size_t i = 0; i < c->n; i++)
		vl_mpi_result_free(&c->res[i]);
	c->n = 0;
}
