/* The report's opening table: the study's findings, side by side. A row
 * per finding of the 2007 Xen study, its result then, and this host's on
 * proc, ns and vm, each cell with the verdict of the run it comes from
 * (✓ when every check passed, else the checks that failed). Where a row's
 * runs are missing, the cell says what to run. Pure reading of the JSON
 * already loaded: no I/O but the MPI files of the directory. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "base/util.h"
#include "study/metrics.h"
#include "study/report.h"

/* The environments of the table, in its order: the study's three (plain
 * processes, virtual machines, real machines) with ns beside. */
static const char *const backends[] = {"proc", "ns", "vm", "rm"};
#define NB 4
#define RM 3 /* backends[RM]: real machines */

static json_t *run_of(json_t *file, const char *name)
{
	json_t *run;
	size_t k;

	json_array_foreach(json_object_get(file, "runs"), k,
	                   run) if (!strcmp(vl_json_str(run, "run"), name)) return run;
	return NULL;
}

/* The checks that failed, or ✓; for files from before the checks, the
 * old one-bit verdict. */
static void verdict(json_t *run, struct vl_buf *b)
{
	json_t *v = json_object_get(run, "verdict"), *c;
	json_t *checks = json_object_get(v, "checks");
	size_t k, bad = 0;

	if (!json_is_array(checks)) {
		json_t *t = json_object_get(json_object_get(run, "fidelity"), "trustworthy");

		vl_buf_printf(b, "%s", json_is_true(t) ? " ✓" : json_is_false(t) ? " ✗" : "");
		return;
	}
	json_array_foreach(checks, k, c) if (json_is_false(json_object_get(c, "ok")))
	    vl_buf_printf(b, "%s%s", bad++ ? ", " : " ✗ ", vl_json_str(c, "name"));
	if (!bad)
		vl_buf_printf(b, " ✓");
}

/* Was any run of this backend judged to run on emulated CPUs? */
static bool emulated(json_t **files, size_t n, const char *backend)
{
	for (size_t f = 0; f < n; f++) {
		json_t *c, *run = run_of(files[f], backend);
		size_t k;

		json_array_foreach(json_object_get(json_object_get(run, "verdict"), "checks"), k,
		                   c) if (!strcmp(vl_json_str(c, "name"), "emulated_cpu") &&
		                          json_is_false(json_object_get(c, "ok"))) return true;
	}
	return false;
}

/* The file of the first of workloads (in that order) that has one, at its
 * largest N. */
static json_t *pick(json_t **files, size_t n, const char *const *workloads)
{
	for (const char *const *w = workloads; *w; w++) {
		json_t *best = NULL;

		for (size_t f = 0; f < n; f++)
			if (!strcmp(vl_json_str(files[f], "workload"), *w) &&
			    (!best || vl_json_num(files[f], "n") > vl_json_num(best, "n")))
				best = files[f];
		if (best)
			return best;
	}
	return NULL;
}

/* A sharing cell: Jain, and how many instances ran (finished, with at
 * least half a fair share: the study's guests that "ran"). */
static void sharing(json_t *file, const char *backend, struct vl_buf *b)
{
	json_t *run = run_of(file, backend), *m = json_object_get(run, "metrics"), *s;
	json_t *inst = json_object_get(run, "instances");
	size_t i, n = json_array_size(json_object_get(m, "shares")), ran = 0;

	if (!run || !m) {
		vl_buf_printf(b, " – |");
		return;
	}
	json_array_foreach(json_object_get(m, "shares"), i, s) ran +=
	    json_is_true(json_object_get(json_array_get(inst, i), "finished")) &&
	    json_number_value(s) * (double)n >= 0.5;
	vl_buf_printf(b, " %zu of %zu ran, Jain %.3f, worst %.0f%%", ran, n, vl_json_num(m, "jain"),
	              100 * vl_report_worst_share(m));
	verdict(run, b);
	vl_buf_printf(b, " |");
}

static void sharing_row(json_t **files, size_t n, const char *finding, const char *xen,
                        const char *const *workloads, struct vl_buf *md)
{
	json_t *f = pick(files, n, workloads);

	vl_buf_printf(md, "| %s | %s |", finding, xen);
	if (!f) {
		vl_buf_printf(md, " run `bench %s` | – | – | – | – |\n", workloads[0]);
		return;
	}
	for (int b = 0; b < NB; b++)
		sharing(f, backends[b], md);
	vl_buf_printf(md, " %s, N = %.0f |\n", vl_json_str(f, "workload"), vl_json_num(f, "n"));
}

/* MPI: each environment's time against plain processes', the median over
 * the kernels' files (or over every MPI file if none is a kernel's). */
static void mpi_row(json_t **mf, size_t nm, json_t **files, size_t n, struct vl_buf *md)
{
	bool any_macro = false;

	for (size_t i = 0; i < nm; i++)
		any_macro |= vl_report_mpi_macro(mf[i]);
	vl_buf_printf(md, "| MPI on VMs < 15 %% slower than processes | yes (NAS, SKaMPI) |");
	for (int b = 0; b < NB; b++) {
		double r[64];
		size_t k = 0, unverified = 0;

		for (size_t i = 0; i < nm && k < 64; i++) {
			json_t *e = vl_report_mpi_env(mf[i], backends[b]);
			json_t *p = vl_report_mpi_env(mf[i], "proc");

			if (any_macro && !vl_report_mpi_macro(mf[i]))
				continue;
			if (!json_is_true(json_object_get(e, "finished")) ||
			    !json_is_true(json_object_get(p, "finished")) ||
			    vl_json_num(p, "wall_s") <= 0)
				continue;
			unverified += !json_is_true(json_object_get(e, "verified"));
			r[k++] = vl_json_num(e, "wall_s") / vl_json_num(p, "wall_s");
		}
		if (!k) {
			vl_buf_printf(md, " %s |",
			              nm        ? "–"
			              : b == RM ? "run `study --real --hosts ...`"
			                        : "run `study --real`");
			continue;
		}
		double med = vl_metrics_median(r, k);

		vl_buf_printf(md, " %.2f× proc (%s%.0f %s)%s%s |", med, k > 1 ? "median of " : "",
		              (double)k, k > 1 ? "jobs" : "job",
		              unverified ? ", some not verified" : "",
		              emulated(files, n, backends[b]) ? " ✗ emulated_cpu" : "");
	}
	vl_buf_printf(md, " %s |\n",
	              !nm         ? "MPI: none run"
	              : any_macro ? "the kernels"
	                          : "the micro-benchmarks");
}

/* Did an rm run find its hosts to be one machine's (real_machines failed)? */
static bool shared_machine(json_t *run)
{
	json_t *c;
	size_t k;

	json_array_foreach(json_object_get(json_object_get(run, "verdict"), "checks"), k, c)
	{
		if (!strcmp(vl_json_str(c, "name"), "real_machines") &&
		    json_is_false(json_object_get(c, "ok")))
			return true;
	}
	return false;
}

/* The reference time of a file: its rm run's mean (N real machines, one
 * instance each: the study's real time) when real, else its solo run's
 * (one instance alone, the stand-in). 0: none. */
static double reference(json_t *file, bool real)
{
	json_t *r = run_of(file, real ? "rm" : "solo");

	return vl_json_num(json_object_get(r, "metrics"), "mean_wall_s");
}

double vl_report_scale_cell(const double *ns, const double *t, const double *ref, size_t k,
                            double cpus, struct vl_buf *cell)
{
	double x[64], y[64], t1 = 0, a, slope, r2;
	struct vl_err err;

	if (k > 64)
		k = 64;
	for (size_t i = 0; i < k; i++) {
		x[i] = ns[i];
		y[i] = t[i];
		t1 += ref[i] / (double)k;
	}
	if (!k || t1 <= 0)
		return 0;
	if (k >= 2 && vl_metrics_linear_fit(x, y, k, &a, &slope, &r2, &err) == 0) {
		vl_buf_printf(cell,
		              " +%.2f s per instance = %.2f × t(1)/C (fit over %zu N, R² %.2f)",
		              slope, slope / (t1 / cpus), k, r2);
		return slope / (t1 / cpus);
	}
	/* t(N) against max(1, N/C) × the reference of the same N */
	double f = y[k - 1] / (fmax(1, x[k - 1] / cpus) * ref[k - 1]);

	vl_buf_printf(cell, " t(%.0f) = %.2f × N/C × t(1)", x[k - 1], f);
	return f;
}

/* VM time ≈ N × real time: the mean time of N instances against N/C times
 * the real time: N real machines' (the rm run at the same N, each machine
 * running one instance) where the files have one, else one instance
 * alone's (solo), which stood in before rm existed; fitted over every N of
 * the CPU workload where there are two or more. The last cell says which. */
static void scale_row(json_t **files, size_t n, struct vl_buf *md)
{
	static const char *const cpu[] = {"cpu", "povray", NULL};
	double cpus = (double)sysconf(_SC_NPROCESSORS_ONLN);
	const char *w = NULL;
	bool real = false, shared = false;

	for (const char *const *c = cpu; *c && !w; c++)
		for (size_t f = 0; f < n && !w; f++)
			if (!strcmp(vl_json_str(files[f], "workload"), *c))
				w = *c;
	vl_buf_printf(md, "| VM time ≈ N × real time | yes (×N per guest added) |");
	if (!w) {
		vl_buf_printf(md, " run `bench cpu` | – | – | – | – |\n");
		return;
	}
	for (size_t f = 0; f < n; f++)
		if (!strcmp(vl_json_str(files[f], "workload"), w) &&
		    reference(files[f], true) > 0) {
			real = true;
			shared |= shared_machine(run_of(files[f], "rm"));
		}
	for (int b = 0; b < NB; b++) {
		double x[64], y[64], ref[64], solo = 0;
		size_t k = 0, nsolo = 0;
		json_t *last = NULL;

		/* solo's time: one, over every file (any N) */
		for (size_t f = 0; f < n; f++)
			if (!strcmp(vl_json_str(files[f], "workload"), w) &&
			    reference(files[f], false) > 0) {
				solo += reference(files[f], false);
				nsolo++;
			}
		for (size_t f = 0; f < n && k < 64; f++) {
			json_t *r;

			if (strcmp(vl_json_str(files[f], "workload"), w))
				continue;
			if (json_object_get(files[f], "host_cpus"))
				cpus = vl_json_num(files[f], "host_cpus");
			if (!(r = run_of(files[f], backends[b])))
				continue;
			/* real machines against one alone; the others against real time */
			ref[k] = real && b != RM ? reference(files[f], true)
			                         : (nsolo ? solo / (double)nsolo : 0);
			if (ref[k] <= 0)
				continue;
			x[k] = vl_json_num(files[f], "n");
			y[k++] = vl_json_num(json_object_get(r, "metrics"), "mean_wall_s");
			last = r;
		}
		if (!k) {
			vl_buf_printf(md, " %s |",
			              b == RM && !real ? "run `bench cpu --backend rm --hosts ...`"
			              : nsolo || real  ? "–"
			                               : "needs a solo run");
			continue;
		}
		if (b == RM) {
			/* each real machine ran one instance: t_rm(N) against t(1) */
			vl_buf_printf(md, " t(%.0f) = %.2f × t(1) alone", x[k - 1],
			              y[k - 1] / ref[k - 1]);
		} else {
			vl_report_scale_cell(x, y, ref, k, cpus, md);
		}
		verdict(last, md);
		vl_buf_printf(md, " |");
	}
	vl_buf_printf(md, " %s; t(1): %s; C = %.0f CPUs |\n", w,
	              !real    ? "one instance alone (solo: no rm run to compare with)"
	              : shared ? "the rm run at the same N, its hosts one machine's CPUs: no "
	                         "real machines"
	                       : "the rm run at the same N (real machines, one instance each)",
	              cpus);
}

/* Micro-benchmarks faster on VMs than on a real network: the ping-pong's
 * smallest message's latency and largest's bandwidth, against the study's
 * real network, 100 Mbit/s Ethernet (12.5 MB/s). */
static void micro_row(json_t **mf, size_t nm, json_t **files, size_t n, struct vl_buf *md)
{
	json_t *pp = NULL;

	for (size_t i = 0; i < nm && !pp; i++)
		if (json_array_size(vl_report_mpi_points(vl_report_mpi_env(mf[i], "ns"))))
			pp = mf[i];
	vl_buf_printf(md, "| Micro-benchmarks faster on VMs than on a real network | yes (than "
	                  "100 Mbit/s Ethernet) |");
	for (int b = 0; b < NB; b++) {
		json_t *pts = vl_report_mpi_points(vl_report_mpi_env(pp, backends[b]));
		json_t *p0 = json_array_get(pts, 0),
		       *pl = json_array_get(pts, json_array_size(pts) - 1);
		double bw = vl_json_num(pl, "bandwidth_MBps");

		if (!json_array_size(pts)) {
			vl_buf_printf(md, " %s |", pp ? "–" : "run `study --real`");
			continue;
		}
		vl_buf_printf(md, " %.1f µs, %.0f MB/s: %s%s |", vl_json_num(p0, "latency_us"), bw,
		              bw > 12.5 ? "faster" : "slower",
		              emulated(files, n, backends[b]) ? " ✗ emulated_cpu" : "");
	}
	vl_buf_printf(md, " ping-pong (%s) |\n", pp ? vl_json_str(pp, "mpi") : "MPI");
}

void vl_report_findings(const char *dir, json_t **files, size_t n, struct vl_buf *md)
{
	static const char *const cpu[] = {"povray", "cpu", NULL};
	static const char *const net[] = {"stream", "iperf", "bandwidth", "iperf3", NULL};
	static const char *const mixed[] = {"scp", "mixed", NULL};
	json_t **mf;
	size_t nm = vl_report_mpi_load(dir, &mf);

	vl_buf_printf(md, "\n## The study's findings, side by side\n\n"
	                  "Each finding of the 2007 study (Xen guests on one host), its result "
	                  "then, and this host's on plain processes (proc), namespaces (ns), "
	                  "virtual machines (vm) and real machines (rm: one instance per host of "
	                  "--hosts). A cell's mark is its run's verdict: ✓ when every "
	                  "check passed, else the checks that failed (the sections below say why; "
	                  "✗ real_machines: the hosts were one machine's, so that column is no "
	                  "comparison with real machines). "
	                  "An instance *ran* when it finished with at least half a fair share.\n\n"
	                  "| finding | Xen, 2007 | proc | ns | vm | rm | from |\n"
	                  "|---|---|---|---|---|---|---|\n");
	sharing_row(files, n, "CPU shared fairly", "yes (POV-Ray)", cpu, md);
	sharing_row(files, n, "Network shared fairly", "9 of 10 netperf guests ran", net, md);
	sharing_row(files, n, "Mixed CPU + network shared unfairly", "7 of 10 scp guests ran",
	            mixed, md);
	mpi_row(mf, nm, files, n, md);
	scale_row(files, n, md);
	micro_row(mf, nm, files, n, md);
	for (size_t i = 0; i < nm; i++)
		json_decref(mf[i]);
	free(mf);
}
