/* vnetlab capacity: the largest N at which N instances of a workload all
 * finish and share fairly — the study's "only 9 of 10 guests could run". */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "base/util.h"
#include "study/compare.h"
#include "study/report.h"
#include "cli/cli.h"

static const struct option capacity_opts[] = {
    {"max", required_argument, NULL, 'm'},
    {"threshold", required_argument, NULL, 't'},
    {"backend", required_argument, NULL, 'b'},
    {"plot", required_argument, NULL, 'p'},
    VL_CLI_BENCH_LONGOPTS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void starting(void *arg, size_t n)
{
	fprintf(stderr, "vnetlab: capacity: N = %zu ...\n", n);
}

static void step(void *arg, const struct vl_capacity_step *s)
{
	printf("%5zu %3zu/%-2zu %7.3f  %s\n", s->n, s->finished, s->n, s->jain,
	       s->fits              ? "fits"
	       : s->finished < s->n ? "instances starved"
	                            : "unfair");
}

static void print_linearity(const struct vl_capacity_opts *o, const struct vl_capacity *c)
{
	if (c->rate) {
		printf("linearity: not fitted (a rate workload runs for --seconds at any N)\n");
		return;
	}
	if (!c->fitted) {
		printf("linearity: not fitted (%s)\n", c->why_not);
		return;
	}
	printf(
	    "linearity: mean time = %.3f + %.3f N s over N = %.0f..%.0f (R^2 %.3f); ideal on %ld "
	    "CPUs: %.3f s per instance (t(1)/%ld); the slope is %.2fx that\n",
	    c->a, c->b, c->from_n, c->to_n, c->r2, c->cpus, c->ideal, c->cpus, c->b / c->ideal);
	if (c->plot > 0)
		printf("linearity plot: %s.png\n", o->plot);
	else if (c->plot < 0)
		fprintf(stderr, "vnetlab: gnuplot failed on %s\n", c->plot_gp);
}

/* The options parsed: the checks, the search, its table and its file. */
static int capacity(struct vl_capacity_opts *o, const char *json_out)
{
	struct vl_capacity c;
	struct vl_err err = {0};
	char work[PATH_MAX];
	int rc = VL_EXIT_OK;

	if (vl_cli_bench_prepare(&o->bench, "capacity", work, &rc) < 0)
		return rc;
	o->starting = isatty(STDERR_FILENO) ? starting : NULL;
	o->step = step;
	printf("%s on %s: the largest N whose instances all finish with Jain's index >= %.2f\n",
	       o->bench.workload, vl_backend_name(o->bench.backend), o->threshold);
	printf("%5s %6s %7s  %s\n", "N", "DONE", "JAIN", "VERDICT");
	if (vl_capacity_run(o, &c, &err) < 0) {
		rc = vl_cli_fail(&err);
	} else {
		printf("capacity: %zu instances%s\n", c.best,
		       c.best == o->max ? " (the --max asked for; it may be more)" : "");
		print_linearity(o, &c);
	}
	if (vl_cli_write_json(vl_capacity_json(o, &c), json_out) != VL_EXIT_OK)
		rc = VL_EXIT_FAIL;
	vl_capacity_free(&c);
	return rc;
}

int cmd_capacity(int argc, char **argv)
{
	struct vl_capacity_opts o = {
	    .bench = {.seconds = 5, .timeout = 120, .backend = VL_BACKEND_NS},
	    .max = 32,
	    .threshold = VL_METRICS_FAIR,
	};
	const char *json_out = NULL;
	unsigned long max;
	int opt, rc = VL_EXIT_OK, v;

	while ((opt = getopt_long(argc, argv, "m:t:b:h", capacity_opts, NULL)) != -1) {
		if (vl_cli_bench_opt(&o.bench, opt, optarg, "capacity", &rc)) {
			if (rc)
				return rc;
			continue;
		}
		switch (opt) {
		case 'm':
			if (vl_parse_uint(optarg, 1, 128, &max) < 0)
				return vl_cli_usage("capacity", "--max takes 1 to 128");
			o.max = max;
			break;
		case 't':
			if (vl_parse_number(optarg, 0, 1, &o.threshold) < 0 || o.threshold == 0)
				return vl_cli_usage("capacity",
				                    "--threshold is a Jain index, 0 to 1");
			break;
		case 'b':
			if ((v = vl_backend_parse(optarg)) < 0)
				return vl_cli_usage("capacity", "--backend takes ns, proc or vm");
			o.bench.backend = (enum vl_backend)v;
			break;
		case 'j':
			json_out = optarg;
			break;
		case 'p':
			if (vl_report_dir_invalid(optarg))
				return vl_cli_usage("capacity", "--plot %s: %s", optarg,
				                    vl_report_dir_invalid(optarg));
			o.plot = optarg;
			break;
		case 'h':
			return vl_cli_help("capacity");
		default:
			return vl_cli_usage("capacity", "bad option");
		}
	}
	if (argc - optind != 1)
		return vl_cli_usage("capacity",
		                    "name one workload: cpu, stream, bandwidth or mixed");
	o.bench.workload = argv[optind];
	return capacity(&o, json_out);
}
