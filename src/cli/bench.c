/* vnetlab bench: N instances of a workload at once, per backend, and how
 * fairly they shared the machine. */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "study/compare.h"
#include "study/workload.h"
#include "cli/cli.h"
#include "host/host.h"

static const struct option bench_opts[] = {
    {"instances", required_argument, NULL, 'n'},
    {"backend", required_argument, NULL, 'b'},
    {"neighbour", required_argument, NULL, 'N'},
    {"neighbor", required_argument, NULL, 'N'},
    VL_CLI_BENCH_LONGOPTS,
    VL_CLI_HOSTS_LONGOPTS,
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

int vl_cli_bench_prepare(struct vl_bench_opts *o, const char *cmd, char *work, int *rc)
{
	if (vl_cli_bench_workload(o->workload, cmd, rc) < 0 || vl_cli_bench_ready(o, cmd, rc) < 0)
		return -1;
	if (vl_cli_work_path(work, PATH_MAX) < 0) {
		fprintf(stderr, "vnetlab: the workloads program %s is missing (make builds it)\n",
		        work);
		*rc = VL_EXIT_FAIL;
		return -1;
	}
	o->work = work;
	return 0;
}

static void starting(const struct vl_compare_opts *o, const struct vl_env *e)
{
	bool with = e->neighbour != VL_NEIGHBOUR_NONE;

	fprintf(stderr, "vnetlab: bench %s: %zu instances on %.*s%s%s ...\n", o->bench.workload,
	        o->bench.n, (int)strcspn(e->name, "+"), e->name,
	        with ? " beside a noisy neighbour: " : "",
	        with ? vl_neighbour_name(e->neighbour) : "");
}

static void print_table(const struct vl_compare *c)
{
	bool rm = false;

	for (size_t k = 0; k < c->n_runs; k++)
		rm |= c->runs[k].vs_real > 0;
	printf("%s, %zu instances: share of %s per instance\n", c->workload, c->n,
	       c->n_runs && c->runs[0].run.rate ? "throughput received"
	                                        : "completion rate (1 / wall time)");
	printf("%-9s %5s %7s %8s %6s %6s %10s %9s %9s%s  %s\n", "RUN", "DONE", "JAIN", "MAX/MIN",
	       "CV", "WORST", "WALL s", "vs solo", "vs proc", rm ? "     vs rm" : "", "VERDICT");
	for (size_t k = 0; k < c->n_runs; k++) {
		const struct vl_compare_run *cr = &c->runs[k];
		const struct vl_metrics *m = &cr->m;
		char vs_solo[16] = "-", vs_proc[16] = "-", vs_rm[16] = "-", mm[16];

		if (cr->vs_solo > 0)
			snprintf(vs_solo, sizeof(vs_solo), "%.2fx", cr->vs_solo);
		if (cr->vs_proc > 0)
			snprintf(vs_proc, sizeof(vs_proc), "%.2fx", cr->vs_proc);
		if (cr->vs_real > 0)
			snprintf(vs_rm, sizeof(vs_rm), "%.2fx", cr->vs_real);
		if (m->maxmin_infinite)
			snprintf(mm, sizeof(mm), "inf");
		else
			snprintf(mm, sizeof(mm), "%.2f", m->maxmin);
		printf("%-9s %2zu/%-2zu %7.3f %8s %6.3f %5.0f%% %10.2f %9s %9s", cr->env.name,
		       m->n - m->nstarved, m->n, m->jain, mm, m->cv, 100 * m->worst_share,
		       cr->mean_wall_s, vs_solo, vs_proc);
		if (rm)
			printf(" %9s", vs_rm);
		printf("  %s%s\n",
		       m->measured ? vl_metrics_fairness_word(m->jain) : "nothing measured",
		       m->nstarved ? ", starved instances" : "");
	}
}

/* rm: the hosts the instances ran on, the machines they are, their clocks. */
static void print_hosts(const struct vl_compare_run *cr)
{
	const struct vl_bench_run *r = &cr->run;
	double off = 0, rtt = 0;

	if (!r->n_hosts)
		return;
	printf("  %-9s on", cr->env.name);
	for (size_t i = 0; i < r->n_hosts; i++) {
		printf("%s %s (%s)", i ? "," : "", r->hosts[i].name, r->hosts[i].addr);
		if (fabs(r->hosts[i].offset_s) > fabs(off))
			off = r->hosts[i].offset_s;
		if (r->hosts[i].rtt_s > rtt)
			rtt = r->hosts[i].rtt_s;
	}
	printf(": %zu machine%s; clocks within %.1f ms of this one (+-%.1f ms)\n", r->machines,
	       r->machines == 1 ? "" : "s", 1e3 * fabs(off), 1e3 * rtt / 2);
}

/* Under the table: each run's verdict and aggregate, its figures over
 * time, its shares. */
static void print_notes(const struct vl_compare *c)
{
	for (size_t k = 0; k < c->n_runs; k++) {
		const struct vl_compare_run *cr = &c->runs[k];

		printf("  %-9s %s (%s CPUs %.0f%% busy)\n", cr->env.name, cr->run.fid.why,
		       cr->run.n_hosts ? "the busiest host's" : "host",
		       100 * cr->run.fid.host_busy);
		print_hosts(cr);
		if (cr->utilisation >= 0)
			printf(
			    "  %-9s aggregate %.1f Mbit/s of a capacity of %.1f Mbit/s: %.1f%%\n",
			    cr->env.name, cr->aggregate_bps / 1e6, cr->run.capacity_bps / 1e6,
			    100 * cr->utilisation);
	}
	for (size_t k = 0; k < c->n_runs; k++) {
		const struct vl_compare_run *cr = &c->runs[k];

		if (cr->timeline)
			printf(
			    "  %-9s over time (%.0f ms windows, %zu busy): Jain median %.3f, worst "
			    "%.3f; instances making progress: median %.1f of %zu, fewest %zu\n",
			    cr->env.name, 1e3 * cr->run.timeline.interval_s, cr->tl.busy,
			    cr->tl.jain_median, cr->tl.jain_worst, cr->tl.progress_median,
			    cr->run.n, cr->tl.progress_min);
		if (cr->timeline_rx)
			printf("  %-9s bytes received over time: Jain median %.3f, worst %.3f; "
			       "instances receiving: median %.1f of %zu, fewest %zu\n",
			       cr->env.name, cr->tl_rx.jain_median, cr->tl_rx.jain_worst,
			       cr->tl_rx.progress_median, cr->run.n, cr->tl_rx.progress_min);
	}
	for (size_t k = 0; k < c->n_runs; k++) {
		const struct vl_compare_run *cr = &c->runs[k];

		printf("  %-9s shares:", cr->env.name);
		for (size_t i = 0; i < cr->m.n; i++)
			printf(" %.1f%%%s", 100 * cr->m.share[i],
			       cr->run.inst[i].finished ? "" : "*");
		printf("   (ideal %.1f%%%s)\n", 100 * cr->m.ideal_share,
		       cr->m.nstarved ? "; * starved" : "");
	}
}

/* Each run beside a neighbour against the same without it. */
static void print_isolation(const struct vl_compare *c)
{
	for (size_t k = 0; k < c->n_runs; k++) {
		const struct vl_compare_run *cr = &c->runs[k];
		const struct vl_neighbour_run *nb = &cr->run.neighbour;
		char cpu[48] = "";

		if (!cr->isolated)
			continue;
		if (cr->iso.error[0]) {
			printf("  %-9s neighbour %s: no slowdown: %s\n", cr->env.name,
			       vl_neighbour_name(nb->kind), cr->iso.error);
			continue;
		}
		if (nb->cpu_s >= 0)
			snprintf(cpu, sizeof(cpu), ", itself %.1f CPU-s", nb->cpu_s);
		printf("  %-9s neighbour %s on %s%s: each instance's slowdown against %s: median "
		       "%.2fx, worst %.2fx",
		       cr->env.name, vl_neighbour_name(nb->kind), nb->node, cpu,
		       c->runs[cr->iso.baseline].env.name, cr->iso.median, cr->iso.worst);
		if (cr->iso.fair > 0)
			printf(" (a fair share of the CPUs: %.2fx)", cr->iso.fair);
		printf("\n");
	}
}

int vl_cli_write_json(json_t *root, const char *path)
{
	int rc = VL_EXIT_OK;

	if (path && json_dump_file(root, path, JSON_INDENT(1)) < 0) {
		fprintf(stderr, "vnetlab: cannot write %s\n", path);
		rc = VL_EXIT_FAIL;
	}
	json_decref(root);
	return rc;
}

int vl_cli_hosts_open(const struct vl_cli_hosts *h, const char *cmd, struct vl_hosts *hs)
{
	struct vl_hosts_opts ho = {.underlay = h->underlay};
	struct vl_err err = {0};
	int rc;

	if (!h->spec)
		return h->underlay ? vl_cli_usage(cmd, "--underlay goes with --hosts") : VL_EXIT_OK;
	if (vl_hosts_parse(hs, h->spec, &ho, &err) < 0) {
		vl_hosts_close(hs);
		return vl_cli_usage(cmd, "%s", err.msg);
	}
	if (vl_hosts_open(hs, &err) < 0 || vl_hosts_probe(hs, &err) < 0) {
		rc = vl_cli_fail(&err);
		vl_hosts_close(hs);
		return rc;
	}
	return VL_EXIT_OK;
}

int vl_cli_hosts_opt(struct vl_cli_hosts *h, int opt, const char *arg)
{
	if (opt == 'H')
		h->spec = arg;
	else if (opt == 'u')
		h->underlay = arg;
	return opt == 'H' || opt == 'u';
}

int vl_cli_bench_compare(struct vl_compare_opts *o, const char *backends, const char *json_out)
{
	char work[PATH_MAX];
	struct vl_compare c;
	struct vl_err err = {0};
	int rc = VL_EXIT_OK;

	if (vl_cli_bench_prepare(&o->bench, "bench", work, &rc) < 0)
		return rc;
	o->bench.progress = isatty(STDERR_FILENO);
	o->starting = o->bench.progress ? starting : NULL;
	if (vl_compare_envs(backends, o->bench.neighbour, o->env, &o->n_env, &err) < 0 ||
	    vl_compare_check(o, &err) < 0)
		return vl_cli_usage("bench", "%s", err.msg);
	if (vl_compare_run(o, &c, &err) < 0)
		rc = vl_cli_fail(&err);
	print_table(&c);
	print_notes(&c);
	print_isolation(&c);
	if (vl_cli_write_json(vl_compare_json(&c), json_out) != VL_EXIT_OK)
		rc = VL_EXIT_FAIL;
	vl_compare_free(&c);
	return rc;
}

/* With --hosts, the hosts opened for the comparison, and closed. */
static int bench_on_hosts(struct vl_compare_opts *o, const struct vl_cli_hosts *h,
                          const char *backends, const char *json_out)
{
	struct vl_hosts hs = {0};
	struct vl_err err = {0};
	bool on_hosts = false;
	int rc;

	/* said before any host is asked */
	if (vl_compare_envs(backends, o->bench.neighbour, o->env, &o->n_env, &err) < 0)
		return vl_cli_usage("bench", "%s", err.msg);
	for (size_t k = 0; k < o->n_env; k++)
		on_hosts |= o->env[k].type->flags & VL_ENV_HOSTS;
	if (on_hosts != !!h->spec)
		return vl_cli_usage("bench", "%s",
		                    on_hosts ? "--backend rm runs on hosts: give --hosts "
		                               "ssh:H1,H2,..., @FILE or slurm"
		                             : "--hosts is for --backend rm (real machines)");
	if ((rc = vl_cli_hosts_open(h, "bench", &hs)) != VL_EXIT_OK || !h->spec)
		return rc != VL_EXIT_OK ? rc : vl_cli_bench_compare(o, backends, json_out);
	o->bench.hosts = &hs;
	rc = vl_cli_bench_compare(o, backends, json_out);
	vl_hosts_close(&hs);
	return rc;
}

int cmd_bench(int argc, char **argv)
{
	struct vl_compare_opts o = {.bench = {.n = 4, .seconds = 5, .timeout = 120}};
	const char *backends = "ns,proc", *json_out = NULL;
	struct vl_cli_hosts hosts = {0};
	unsigned long u;
	int opt, rc = VL_EXIT_OK, k;

	if (argc > 1 && !strcmp(argv[1], "mpi"))
		return cmd_bench_mpi(argc - 1, argv + 1);
	while ((opt = getopt_long(argc, argv, "n:b:h", bench_opts, NULL)) != -1) {
		if (vl_cli_bench_opt(&o.bench, opt, optarg, "bench", &rc)) {
			if (rc)
				return rc;
			continue;
		}
		if (vl_cli_hosts_opt(&hosts, opt, optarg))
			continue;
		switch (opt) {
		case 'n':
			if (vl_parse_uint(optarg, 1, 128, &u) < 0)
				return vl_cli_usage("bench", "-n takes 1 to 128 instances");
			o.bench.n = u;
			break;
		case 'b':
			backends = optarg;
			break;
		case 'N':
			if ((k = vl_neighbour_parse(optarg)) <= VL_NEIGHBOUR_NONE)
				return vl_cli_usage(
				    "bench",
				    "--neighbour takes cpu, memory, network or fork, "
				    "not \"%s\"",
				    optarg);
			o.bench.neighbour = (enum vl_neighbour)k;
			break;
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
	o.bench.workload = argv[optind];
	return bench_on_hosts(&o, &hosts, backends, json_out);
}
