/* vnetlab bench: N instances of a workload at once, per backend, and how
 * fairly they shared the machine. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "bench/metrics.h"
#include "bench/runner.h"
#include "bench/workload.h"
#include "cli/cli.h"

static const struct option bench_opts[] = {
    {"instances", required_argument, NULL, 'n'},
    {"backend", required_argument, NULL, 'b'},
    {"neighbour", required_argument, NULL, 'N'},
    {"neighbor", required_argument, NULL, 'N'},
    VL_CLI_BENCH_LONGOPTS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int vl_cli_seconds(const char *s, double max, double *out)
{
	double v;

	if (vl_parse_number(s, 0, max, &v) < 0 || v == 0)
		return -1;
	*out = v;
	return 0;
}

int vl_cli_bench_opt(struct vl_bench_opts *o, int opt, const char *arg, const char *cmd, int *rc)
{
	switch (opt) {
	case 's':
		if (vl_cli_seconds(arg, 3600, &o->seconds) < 0)
			*rc = vl_cli_usage(cmd, "--seconds takes 0 to 3600");
		return 1;
	case 'B':
		o->bytes = arg;
		return 1;
	case 'S':
		o->size = arg;
		return 1;
	case 'T':
		if (vl_cli_seconds(arg, 86400, &o->timeout) < 0)
			*rc = vl_cli_usage(cmd, "--timeout takes seconds, up to a day");
		return 1;
	case 'W':
		o->bw = arg;
		return 1;
	case 'c':
		o->cipher = arg;
		return 1;
	case 'P':
		o->scene = arg;
		return 1;
	case 'U':
		if (vl_parse_number(arg, 0.01, 1024, &o->cpus) < 0)
			*rc = vl_cli_usage(cmd, "--cpus takes CPUs per node, 0.01 to 1024");
		return 1;
	case 'F': {
		int p = vl_profile_parse(arg);

		if (p < 0)
			*rc = vl_cli_usage(cmd, "--profile takes study or none, not \"%s\"", arg);
		else
			o->profile = (enum vl_profile)p;
		return 1;
	}
	}
	return 0;
}

int vl_cli_bench_workload(const char *w, const char *cmd, int *rc)
{
	struct vl_buf names = {0};

	if (vl_workload_find(w))
		return 0;
	for (size_t i = 0; vl_workload_at(i); i++)
		vl_buf_printf(&names, "%s%s", i ? ", " : "", vl_workload_at(i)->name);
	*rc = vl_cli_usage(cmd, "unknown workload \"%s\" (%s; or mpi)", w, names.s);
	vl_buf_free(&names);
	return -1;
}

int vl_cli_bench_ready(const struct vl_bench_opts *o, const char *cmd, int *rc)
{
	const struct vl_workload *w = vl_workload_find(o->workload);
	struct vl_err err = {0};
	char why[256];

	if (vl_workload_missing(w, o, why, sizeof(why))) {
		fprintf(stderr, "vnetlab: %s %s: skipped: %s\n", cmd, o->workload, why);
		*rc = VL_EXIT_SKIPPED;
		return -1;
	}
	if (w->check && w->check(o, &err) < 0) {
		*rc = vl_cli_usage(cmd, "%s", err.msg);
		return -1;
	}
	return 0;
}

/* The workloads program: beside this one, unless VNETLAB_WORK says. */
int vl_cli_work_path(char *buf, size_t len)
{
	const char *env = getenv("VNETLAB_WORK");
	if (env) {
		snprintf(buf, len, "%s", env);
		return access(buf, X_OK);
	}
	if (vl_exe_sibling("vnetlab-work", buf, len) < 0)
		return -1;
	return access(buf, X_OK);
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

/* Isolation: run k (with the neighbour) against run k - 1 (the same
 * without it), instance by instance; said on stdout and put in both the
 * run's JSON and root's "neighbour". */
static void isolation(const struct vl_bench_run *runs, const char (*names)[24], size_t k,
                      json_t *jr, json_t *root)
{
	const struct vl_bench_run *with = &runs[k], *base = &runs[k - 1];
	const struct vl_neighbour_run *nb = &with->neighbour;
	double b[128], x[128], slow[128], med, worst, fair = 0;
	struct vl_err err = {0};
	const struct vl_workload *w = vl_workload_find(with->workload);

	/* CPU-bound instances beside a CPU hog, each node getting an equal
	 * share of C CPUs (at most one each, as one process): C/n -> C/(n+1) */
	if (nb->kind == VL_NEIGHBOUR_CPU && w && !(w->flags & VL_WL_NETWORK)) {
		double c = (double)sysconf(_SC_NPROCESSORS_ONLN), n = (double)with->n;

		fair = fmin(1, c / n) / fmin(1, c / (n + 1));
	}
	json_t *js = json_array(), *o;

	for (size_t i = 0; i < with->n; i++) {
		b[i] = vl_bench_value(base, i);
		x[i] = vl_bench_value(with, i);
	}
	if (vl_metrics_isolation(b, x, with->n, slow, &med, &worst, &err) < 0) {
		printf("  %-9s neighbour %s: no slowdown: %s\n", names[k],
		       vl_neighbour_name(nb->kind), err.msg);
		o = json_pack("{s:s, s:s, s:s}", "run", names[k], "baseline", names[k - 1], "error",
		              err.msg);
	} else {
		char cpu[48] = "";

		for (size_t i = 0; i < with->n; i++)
			json_array_append_new(js,
			                      isinf(slow[i]) ? json_null() : json_real(slow[i]));
		if (nb->cpu_s >= 0)
			snprintf(cpu, sizeof(cpu), ", itself %.1f CPU-s", nb->cpu_s);
		printf("  %-9s neighbour %s on %s%s: each instance's slowdown against %s: median "
		       "%.2fx, worst %.2fx",
		       names[k], vl_neighbour_name(nb->kind), nb->node, cpu, names[k - 1], med,
		       worst);
		if (fair > 0)
			printf(" (a fair share of the CPUs: %.2fx)", fair);
		printf("\n");
		o = json_pack("{s:s, s:s, s:O, s:o*, s:o*, s:o*}", "run", names[k], "baseline",
		              names[k - 1], "slowdown", js, "median",
		              isinf(med) ? NULL : json_real(med), "worst",
		              isinf(worst) ? NULL : json_real(worst), "fair_slowdown",
		              fair > 0 ? json_real(fair) : NULL);
	}
	json_decref(js);
	json_t *n = json_object_get(jr, "neighbour");

	if (n)
		json_object_update(n, o);
	json_array_append(json_object_get(root, "neighbour"), o);
	json_decref(o);
}

int cmd_bench(int argc, char **argv)
{
	struct vl_bench_opts o = {.n = 4, .seconds = 5, .timeout = 120};
	struct vl_bench_run runs[8];
	struct vl_metrics ms[8];
	char names[8][24];
	enum vl_neighbour neighbour = VL_NEIGHBOUR_NONE;
	char work[PATH_MAX], *backends = "ns,proc", *json_out = NULL;
	struct vl_err err = {0};
	size_t n_runs = 0;
	unsigned long u;
	int opt, rc = VL_EXIT_OK;
	json_t *root;

	if (argc > 1 && !strcmp(argv[1], "mpi"))
		return cmd_bench_mpi(argc - 1, argv + 1);
	while ((opt = getopt_long(argc, argv, "n:b:h", bench_opts, NULL)) != -1) {
		if (vl_cli_bench_opt(&o, opt, optarg, "bench", &rc)) {
			if (rc)
				return rc;
			continue;
		}
		switch (opt) {
		case 'n':
			if (vl_parse_uint(optarg, 1, 128, &u) < 0)
				return vl_cli_usage("bench", "-n takes 1 to 128 instances");
			o.n = u;
			break;
		case 'b':
			backends = optarg;
			break;
		case 'N': {
			int k = vl_neighbour_parse(optarg);

			if (k <= VL_NEIGHBOUR_NONE)
				return vl_cli_usage(
				    "bench",
				    "--neighbour takes cpu, memory, network or fork, "
				    "not \"%s\"",
				    optarg);
			neighbour = (enum vl_neighbour)k;
			break;
		}
		case 'j':
			json_out = optarg;
			break;
		case 'h':
			return vl_cli_help("bench");
		default:
			return vl_cli_usage("bench", "bad option");
		}
	}
	if (argc - optind != 1)
		return vl_cli_usage("bench", "name one workload (vnetlab bench --help lists them)");
	o.workload = argv[optind];
	if (vl_cli_bench_workload(o.workload, "bench", &rc) < 0)
		return rc;
	if (vl_cli_bench_ready(&o, "bench", &rc) < 0)
		return rc;
	if (vl_cli_work_path(work, sizeof(work)) < 0) {
		fprintf(stderr, "vnetlab: the workloads program %s is missing (make builds it)\n",
		        work);
		return VL_EXIT_FAIL;
	}
	o.work = work;
	o.progress = isatty(STDERR_FILENO);

	/* with a neighbour, each backend twice: without it, then with it */
	for (char *b = strtok(backends, ","); b && n_runs < 8; b = strtok(NULL, ",")) {
		for (int with = 0; with <= (neighbour != VL_NEIGHBOUR_NONE); with++) {
			o.neighbour = with ? neighbour : VL_NEIGHBOUR_NONE;
			o.mode = VL_BENCH_TOGETHER;
			if (!strcmp(b, "solo")) {
				o.mode = VL_BENCH_SOLO;
				o.backend = VL_BACKEND_NS;
			} else if (vl_backend_parse(b) >= 0) {
				o.backend = (enum vl_backend)vl_backend_parse(b);
			} else {
				return vl_cli_usage(
				    "bench", "backends are ns, proc, vm and solo, not \"%s\"", b);
			}
			if (o.progress)
				fprintf(stderr, "vnetlab: bench %s: %zu instances on %s%s%s ...\n",
				        o.workload, o.n, b,
				        with ? " beside a noisy neighbour: " : "",
				        with ? vl_neighbour_name(neighbour) : "");
			if (vl_bench_run(&o, &runs[n_runs], &err) < 0) {
				vl_cli_fail(&err);
				rc = VL_EXIT_FAIL;
				break;
			}
			{
				double x[128];
				bool fin[128];

				for (size_t i = 0; i < o.n; i++) {
					x[i] = vl_bench_value(&runs[n_runs], i);
					fin[i] = runs[n_runs].inst[i].finished;
				}
				if (vl_metrics_compute(x, fin, o.n, &ms[n_runs], &err) < 0) {
					vl_cli_fail(&err);
					vl_bench_run_free(&runs[n_runs]);
					rc = VL_EXIT_FAIL;
					break;
				}
			}
			snprintf(names[n_runs++], sizeof(names[0]), "%s%s%s", b, with ? "+" : "",
			         with ? vl_neighbour_name(neighbour) : "");
		}
		if (rc)
			break;
	}

	root = json_pack("{s:s, s:I, s:s, s:I, s:[]}", "workload", o.workload, "n", (json_int_t)o.n,
	                 "profile", vl_profile_name(o.profile), "host_cpus",
	                 (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "runs");
	if (neighbour != VL_NEIGHBOUR_NONE)
		json_object_set_new(root, "neighbour", json_array());
	printf("%s, %zu instances: share of %s per instance\n", o.workload, o.n,
	       n_runs && runs[0].rate ? "throughput received" : "completion rate (1 / wall time)");
	printf("%-9s %5s %7s %8s %6s %6s %10s %9s %9s  %s\n", "RUN", "DONE", "JAIN", "MAX/MIN",
	       "CV", "WORST", "WALL s", "vs solo", "vs proc", "VERDICT");
	for (size_t k = 0; k < n_runs; k++) {
		const struct vl_metrics *m = &ms[k];
		double w = mean_wall(&runs[k]), solo = 0, proc = 0, sd;
		char vs_solo[16] = "-", vs_proc[16] = "-", mm[16];
		json_t *jr = vl_bench_run_json(&runs[k]), *sh = json_array();

		for (size_t j = 0; j < n_runs; j++) {
			if (!strcmp(names[j], "solo"))
				solo = mean_wall(&runs[j]);
			if (!strcmp(names[j], "proc"))
				proc = mean_wall(&runs[j]);
		}
		if (solo > 0 && w > 0 && vl_metrics_slowdown(w, solo, &sd, NULL) == 0)
			snprintf(vs_solo, sizeof(vs_solo), "%.2fx", sd);
		if (proc > 0 && w > 0 && vl_metrics_slowdown(w, proc, &sd, NULL) == 0)
			snprintf(vs_proc, sizeof(vs_proc), "%.2fx", sd);
		if (m->maxmin_infinite)
			snprintf(mm, sizeof(mm), "inf");
		else
			snprintf(mm, sizeof(mm), "%.2f", m->maxmin);
		printf("%-9s %2zu/%-2zu %7.3f %8s %6.3f %5.0f%% %10.2f %9s %9s  %s%s\n", names[k],
		       m->n - m->nstarved, m->n, m->jain, mm, m->cv, 100 * m->worst_share, w,
		       vs_solo, vs_proc,
		       m->measured ? vl_metrics_fairness_word(m->jain) : "nothing measured",
		       m->nstarved ? ", starved instances" : "");
		for (size_t i = 0; i < m->n; i++)
			json_array_append_new(sh, json_real(m->share[i]));
		json_object_set_new(jr, "metrics",
		                    json_pack("{s:f, s:f, s:f, s:b, s:f, s:f, s:I, s:o, s:f}",
		                              "jain", m->jain, "worst_share", m->worst_share,
		                              "maxmin", m->maxmin_infinite ? -1.0 : m->maxmin,
		                              "measured", m->measured, "cv", m->cv, "ideal_share",
		                              m->ideal_share, "starved", (json_int_t)m->nstarved,
		                              "shares", sh, "mean_wall_s", w));
		json_object_set_new(jr, "run", json_string(names[k]));
		json_array_append_new(json_object_get(root, "runs"), jr);
	}
	for (size_t k = 0; k < n_runs; k++) {
		double agg = 0, util;

		printf("  %-9s %s (host CPUs %.0f%% busy)\n", names[k], runs[k].fid.why,
		       100 * runs[k].fid.host_busy);
		for (size_t i = 0; i < runs[k].n; i++)
			agg += runs[k].inst[i].bps;
		if (runs[k].capacity_bps > 0 &&
		    vl_metrics_utilisation(agg, runs[k].capacity_bps, &util, NULL) == 0)
			printf(
			    "  %-9s aggregate %.1f Mbit/s of a capacity of %.1f Mbit/s: %.1f%%\n",
			    names[k], agg / 1e6, runs[k].capacity_bps / 1e6, 100 * util);
	}
	for (size_t k = 0; k < n_runs; k++) {
		struct vl_timeline_figures tf;

		if (runs[k].timeline.n_win && vl_timeline_figures(&runs[k].timeline, &tf) == 0)
			printf(
			    "  %-9s over time (%.0f ms windows, %zu busy): Jain median %.3f, worst "
			    "%.3f; instances making progress: median %.1f of %zu, fewest %zu\n",
			    names[k], 1e3 * runs[k].timeline.interval_s, tf.busy, tf.jain_median,
			    tf.jain_worst, tf.progress_median, runs[k].n, tf.progress_min);
		if (runs[k].timeline.n_win && vl_timeline_figures_rx(&runs[k].timeline, &tf) == 0)
			printf("  %-9s bytes received over time: Jain median %.3f, worst %.3f; "
			       "instances receiving: median %.1f of %zu, fewest %zu\n",
			       names[k], tf.jain_median, tf.jain_worst, tf.progress_median,
			       runs[k].n, tf.progress_min);
	}
	for (size_t k = 0; k < n_runs; k++) {
		printf("  %-9s shares:", names[k]);
		for (size_t i = 0; i < ms[k].n; i++)
			printf(" %.1f%%%s", 100 * ms[k].share[i],
			       runs[k].inst[i].finished ? "" : "*");
		printf("   (ideal %.1f%%%s)\n", 100 * ms[k].ideal_share,
		       ms[k].nstarved ? "; * starved" : "");
	}
	for (size_t k = 1; k < n_runs; k++)
		if (runs[k].neighbour.kind != VL_NEIGHBOUR_NONE)
			isolation(runs, names, k, json_array_get(json_object_get(root, "runs"), k),
			          root);
	if (json_out && json_dump_file(root, json_out, JSON_INDENT(1)) < 0) {
		fprintf(stderr, "vnetlab: cannot write %s\n", json_out);
		rc = VL_EXIT_FAIL;
	}
	json_decref(root);
	for (size_t k = 0; k < n_runs; k++) {
		vl_metrics_free(&ms[k]);
		vl_bench_run_free(&runs[k]);
	}
	return rc;
}
