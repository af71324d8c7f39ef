/* vnetlab capacity: the largest N at which N instances of a workload all
 * finish and share fairly — the study's "only 9 of 10 guests could run". */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "bench/metrics.h"
#include "bench/report.h"
#include "bench/runner.h"
#include "cli/cli.h"

static const struct option capacity_opts[] = {
    {"max", required_argument, NULL, 'm'},     {"threshold", required_argument, NULL, 't'},
    {"backend", required_argument, NULL, 'b'}, {"plot", required_argument, NULL, 'p'},
    VL_CLI_BENCH_LONGOPTS,
    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
};

/* Linearity: mean wall time against N, fitted where N >= the host's
 * CPUs (if two steps are there, else over all), against the ideal of C
 * CPUs, t(N) = t(1) · max(1, N/C): a slope of t(1)/C per instance. */
static json_t *linearity(const double *ns, const double *ts, size_t k, const char *plot)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t from = 0, n_over = 0;
	double a, b, r2, ideal;
	struct vl_err err = {0};

	if (cpus < 1)
		cpus = 1;
	for (size_t i = 0; i < k; i++)
		n_over += ns[i] >= (double)cpus;
	if (n_over >= 2)
		for (from = 0; ns[from] < (double)cpus; from++)
			;
	if (k - from < 2 || ts[0] <= 0 ||
	    vl_metrics_linear_fit(ns + from, ts + from, k - from, &a, &b, &r2, &err) < 0) {
		printf("linearity: not fitted (%s)\n", err.msg[0] ? err.msg : "fewer than 2 steps");
		return NULL;
	}
	ideal = ts[0] / (double)cpus;
	printf("linearity: mean time = %.3f + %.3f N s over N = %.0f..%.0f (R^2 %.3f); ideal on %ld "
	       "CPUs: %.3f s per instance (t(1)/%ld); the slope is %.2fx that\n",
	       a, b, ns[from], ns[k - 1], r2, cpus, ideal, cpus, b / ideal);
	if (plot) {
		char path[PATH_MAX];
		FILE *f;

		snprintf(path, sizeof(path), "%s.dat", plot);
		if ((f = fopen(path, "we"))) {
			fprintf(f, "# N mean_wall_s\n");
			for (size_t i = 0; i < k; i++)
				fprintf(f, "%.0f %.6f\n", ns[i], ts[i]);
			fclose(f);
		}
		snprintf(path, sizeof(path), "%s.gp", plot);
		if ((f = fopen(path, "we"))) {
			fprintf(f,
			        "set terminal pngcairo size 800,450\nset output '%s.png'\n"
			        "set title 'time of N instances at once: linearity'\n"
			        "set xlabel 'N'; set ylabel 'mean wall time, s'; set key top left\n"
			        "set xrange [0:*]; set yrange [0:*]\n"
			        "plot '%s.dat' using 1:2 with linespoints title 'measured', "
			        "%.6f + %.6f * x title 'fit', %.6f * (x > %ld ? x / %ld.0 : 1) "
			        "title 'ideal on %ld CPUs'\n",
			        plot, plot, a, b, ts[0], cpus, cpus, cpus);
			fclose(f);
			if (vl_report_gnuplot(path) == 0)
				printf("linearity plot: %s.png\n", plot);
			else
				fprintf(stderr, "vnetlab: gnuplot failed on %s\n", path);
		}
	}
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:I, s:f, s:f, s:f}", "intercept_s", a,
	                 "slope_s", b, "r2", r2, "from_n", ns[from], "to_n", ns[k - 1], "cpus",
	                 (json_int_t)cpus, "t1_s", ts[0], "ideal_slope_s", ideal,
	                 "slope_vs_ideal", b / ideal);
}

int cmd_capacity(int argc, char **argv)
{
	struct vl_bench_opts o = {.seconds = 5, .timeout = 120, .backend = VL_BACKEND_NS};
	unsigned long max = 32;
	double threshold = VL_METRICS_FAIR;
	char work[PATH_MAX], *json_out = NULL, *plot = NULL;
	double ns[16], ts[16];
	size_t k = 0;
	bool rate = false;
	json_t *lin = NULL;
	struct vl_err err = {0};
	size_t best = 0;
	int opt, rc = VL_EXIT_OK, v;
	json_t *root, *steps;

	while ((opt = getopt_long(argc, argv, "m:t:b:h", capacity_opts, NULL)) != -1) {
		if (vl_cli_bench_opt(&o, opt, optarg, "capacity", &rc)) {
			if (rc)
				return rc;
			continue;
		}
		switch (opt) {
		case 'm':
			if (vl_parse_uint(optarg, 1, 128, &max) < 0)
				return vl_cli_usage("capacity", "--max takes 1 to 128");
			break;
		case 't':
			if (vl_parse_number(optarg, 0, 1, &threshold) < 0 || threshold == 0)
				return vl_cli_usage("capacity",
				                    "--threshold is a Jain index, 0 to 1");
			break;
		case 'b':
			if ((v = vl_backend_parse(optarg)) < 0)
				return vl_cli_usage("capacity", "--backend takes ns, proc or vm");
			o.backend = (enum vl_backend)v;
			break;
		case 'j':
			json_out = optarg;
			break;
		case 'p':
			if (vl_report_dir_invalid(optarg))
				return vl_cli_usage("capacity", "--plot %s: %s", optarg,
				                    vl_report_dir_invalid(optarg));
			plot = optarg;
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
	o.workload = argv[optind];
	if (vl_cli_bench_workload(o.workload, "capacity", &rc) < 0 ||
	    vl_cli_bench_ready(&o, "capacity", &rc) < 0)
		return rc;
	if (vl_cli_work_path(work, sizeof(work)) < 0) {
		fprintf(stderr, "vnetlab: the workloads program %s is missing (make builds it)\n",
		        work);
		return VL_EXIT_FAIL;
	}
	o.work = work;
	o.mode = VL_BENCH_TOGETHER;
	steps = json_array();
	printf("%s on %s: the largest N whose instances all finish with Jain's index >= %.2f\n",
	       o.workload, vl_backend_name(o.backend), threshold);
	printf("%5s %6s %7s  %s\n", "N", "DONE", "JAIN", "VERDICT");
	for (size_t n = 1; n <= max; n *= 2) {
		struct vl_bench_run run;
		struct vl_metrics m;
		double x[128];
		bool fin[128], ok;

		o.n = n;
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "vnetlab: capacity: N = %zu ...\n", n);
		if (vl_bench_run(&o, &run, &err) < 0) {
			rc = vl_cli_fail(&err);
			break;
		}
		for (size_t i = 0; i < n; i++) {
			x[i] = vl_bench_value(&run, i);
			fin[i] = run.inst[i].finished;
		}
		if (vl_metrics_compute(x, fin, n, &m, &err) < 0) {
			vl_bench_run_free(&run);
			rc = vl_cli_fail(&err);
			break;
		}
		ok = !m.nstarved && m.measured && m.jain >= threshold;
		rate = run.rate;
		if (k < 16 && m.nstarved == 0) {
			double w = 0;

			for (size_t i = 0; i < n; i++)
				w += run.inst[i].wall_s / (double)n;
			ns[k] = (double)n;
			ts[k++] = w;
		}
		printf("%5zu %3zu/%-2zu %7.3f  %s\n", n, n - m.nstarved, n, m.jain,
		       ok           ? "fits"
		       : m.nstarved ? "instances starved"
		                    : "unfair");
		json_array_append_new(steps, json_pack("{s:I, s:I, s:f, s:b, s:o}", "n",
		                                       (json_int_t)n, "finished",
		                                       (json_int_t)(n - m.nstarved), "jain", m.jain,
		                                       "fits", ok, "run", vl_bench_run_json(&run)));
		vl_metrics_free(&m);
		vl_bench_run_free(&run);
		if (!ok)
			break;
		best = n;
	}
	if (rc == VL_EXIT_OK)
		printf("capacity: %zu instances%s\n", best,
		       best == (size_t)max ? " (the --max asked for; it may be more)" : "");
	if (rc == VL_EXIT_OK && !rate)
		lin = linearity(ns, ts, k, plot);
	else if (rc == VL_EXIT_OK)
		printf("linearity: not fitted (a rate workload runs for --seconds at any N)\n");
	root = json_pack("{s:s, s:s, s:f, s:I, s:o, s:o*}", "workload", o.workload, "backend",
	                 vl_backend_name(o.backend), "threshold", threshold, "capacity",
	                 (json_int_t)best, "steps", steps, "linearity", lin);
	if (json_out && json_dump_file(root, json_out, JSON_INDENT(1)) < 0) {
		fprintf(stderr, "vnetlab: cannot write %s\n", json_out);
		rc = VL_EXIT_FAIL;
	}
	json_decref(root);
	return rc;
}
