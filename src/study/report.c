/* The study's report. See report.h. */
#include "study/report.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "base/util.h"
#include "study/compare.h"

/* Under a workload's table: each run's failed checks, with their figures
 * and what they say, and each run beside a noisy neighbour against the
 * same run without it. */
static void explain(json_t *runs, struct vl_buf *md)
{
	json_t *run, *c;
	size_t k, j;
	bool any = false;

	json_array_foreach(runs, k, run)
	{
		json_t *checks = json_object_get(json_object_get(run, "verdict"), "checks");
		json_t *nb = json_object_get(run, "neighbour");
		size_t bad = 0, all = json_array_size(checks);

		json_array_foreach(checks, j, c)
		{
			if (json_is_true(json_object_get(c, "ok")))
				continue;
			vl_buf_printf(md, "%s- **%s** ✗ %s (%.3g): %s\n", any ? "" : "\n",
			              vl_json_str(run, "run"), vl_json_str(c, "name"),
			              vl_json_num(c, "figure"), vl_json_str(c, "says"));
			any = true;
			bad++;
		}
		if (all && !bad) {
			vl_buf_printf(md, "%s- **%s** ✓ all %zu checks passed\n", any ? "" : "\n",
			              vl_json_str(run, "run"), all);
			any = true;
		}
		if (nb && json_object_get(nb, "median")) {
			vl_buf_printf(md,
			              "%s- **%s**: beside a noisy neighbour (%s, node %s), each "
			              "instance's slowdown against %s: median %.2f×, worst %.2f×",
			              any ? "" : "\n", vl_json_str(run, "run"),
			              vl_json_str(nb, "kind"), vl_json_str(nb, "node"),
			              vl_json_str(nb, "baseline"), vl_json_num(nb, "median"),
			              vl_json_num(nb, "worst"));
			if (json_object_get(nb, "fair_slowdown"))
				vl_buf_printf(md, " (a fair share of the CPUs: %.2f×)",
				              vl_json_num(nb, "fair_slowdown"));
			vl_buf_printf(md, "\n");
			any = true;
		}
	}
	if (any)
		vl_buf_printf(md, "\n");
}

/* CSV of every instance; data files and a gnuplot script for the plots of
 * one bench file. Returns 0, or -1 if gnuplot failed or is missing. */
static int one(const char *dir, const char *base, json_t *b, struct vl_buf *md, bool *plotted,
               struct vl_err *err)
{
	char path[PATH_MAX], stem[256];
	json_t *runs = json_object_get(b, "runs"), *run, *in;
	size_t k, i, n = (size_t)vl_json_num(b, "n");
	FILE *csv, *dat, *gp;

	snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(base) - 5), base);
	snprintf(path, sizeof(path), "%s/%s.csv", dir, stem);
	if (!(csv = fopen(path, "we")))
		return vl_err_sys(err, errno, "create %s", path);
	fprintf(csv, "run,instance,node,finished,wall_s,user_s,sys_s,cgroup_cpu_s,bytes,"
	             "throughput_bps,value,share\n");
	snprintf(path, sizeof(path), "%s/plots/%s.dat", dir, stem);
	if (!(dat = fopen(path, "we"))) {
		fclose(csv);
		return vl_err_sys(err, errno, "create %s", path);
	}
	vl_buf_printf(md, "\n## %s, N = %zu\n\n", vl_json_str(b, "workload"), n);
	vl_buf_printf(md,
	              "| run | done | Jain | max/min | CV | worst share | mean wall s | verdict |\n"
	              "|---|---|---|---|---|---|---|---|\n");
	json_array_foreach(runs, k, run)
	{
		json_t *m = json_object_get(run, "metrics"), *shares = json_object_get(m, "shares");

		vl_buf_printf(md, "| %s | %zu/%zu | %.3f | %.2f | %.3f | %.0f%% | %.2f | %s |\n",
		              vl_json_str(run, "run"), n - (size_t)vl_json_num(m, "starved"), n,
		              vl_json_num(m, "jain"), vl_json_num(m, "maxmin"),
		              vl_json_num(m, "cv"), 100 * vl_report_worst_share(m),
		              vl_json_num(m, "mean_wall_s"),
		              vl_json_str(json_object_get(run, "fidelity"), "verdict"));
		fprintf(dat, "# run %s: instance share user_s sys_s\n", vl_json_str(run, "run"));
		json_array_foreach(json_object_get(run, "instances"), i, in)
		{
			double share = json_number_value(json_array_get(shares, i));

			fprintf(csv, "%s,%zu,%s,%d,%.6f,%.6f,%.6f,%.6f,%.0f,%.0f,%.9g,%.6f\n",
			        vl_json_str(run, "run"), i + 1, vl_json_str(in, "node"),
			        json_is_true(json_object_get(in, "finished")),
			        vl_json_num(in, "wall_s"), vl_json_num(in, "user_s"),
			        vl_json_num(in, "sys_s"), vl_json_num(in, "cgroup_cpu_s"),
			        vl_json_num(in, "bytes"), vl_json_num(in, "throughput_bps"),
			        vl_json_num(in, "value"), share);
			fprintf(dat, "%zu %.6f %.6f %.6f\n", i + 1, 100 * share,
			        vl_json_num(in, "user_s"), vl_json_num(in, "sys_s"));
		}
		fprintf(dat, "\n\n");
	}
	fclose(csv);
	fclose(dat);
	explain(runs, md);
	/* over time: each instance's CPU per window, a block per run */
	bool timelines = false;

	snprintf(path, sizeof(path), "%s/plots/%s-timeline.dat", dir, stem);
	if ((dat = fopen(path, "we"))) {
		json_array_foreach(runs, k, run)
		{
			json_t *tl = json_object_get(run, "timeline"), *w;
			json_t *wj = json_object_get(tl, "windowed_jain"),
			       *pr = json_object_get(tl, "progress");
			double iv = vl_json_num(tl, "interval_s");
			size_t j;

			fprintf(dat, "# run %s: t, then each instance's CPUs busy\n",
			        vl_json_str(run, "run"));
			json_array_foreach(json_object_get(tl, "windows"), j, w)
			{
				json_t *c;
				size_t q;

				fprintf(dat, "%.3f", vl_json_num(w, "t"));
				json_array_foreach(json_object_get(w, "cpu_s"), q, c)
				    fprintf(dat, " %.4f", iv > 0 ? json_number_value(c) / iv : 0);
				fputc('\n', dat);
				timelines = true;
			}
			fprintf(dat, "\n\n");
			if (wj && pr && json_array_size(json_object_get(tl, "windows"))) {
				vl_buf_printf(
				    md,
				    "%s over time (%.0f ms windows): Jain median %.3f, worst "
				    "%.3f; instances making progress per window: median %.1f "
				    "of %zu, fewest %.0f.\n\n",
				    vl_json_str(run, "run"), 1e3 * iv, vl_json_num(wj, "median"),
				    vl_json_num(wj, "worst"), vl_json_num(pr, "median"), n,
				    vl_json_num(pr, "min"));
			}
			json_t *wr = json_object_get(tl, "windowed_jain_rx");
			json_t *prr = json_object_get(tl, "progress_rx");

			if (wr && prr)
				vl_buf_printf(
				    md,
				    "%s bytes received over time: Jain median %.3f, worst "
				    "%.3f; instances receiving per window: median %.1f of "
				    "%zu, fewest %.0f.\n\n",
				    vl_json_str(run, "run"), vl_json_num(wr, "median"),
				    vl_json_num(wr, "worst"), vl_json_num(prr, "median"), n,
				    vl_json_num(prr, "min"));
		}
		fclose(dat);
	}
	/* shares per instance (bars, one block per run) and their CDF against
	 * the ideal step at 1/N */
	snprintf(path, sizeof(path), "%s/plots/%s.gp", dir, stem);
	if (!(gp = fopen(path, "we")))
		return vl_err_sys(err, errno, "create %s", path);
	for (int fmt = 0; fmt < 2; fmt++) {
		const char *term = fmt ? "svg size 800,450" : "pngcairo size 800,450";
		const char *ext = fmt ? "svg" : "png";

		fprintf(gp, "set terminal %s\nset datafile separator whitespace\n", term);
		fprintf(gp, "set output '%s/plots/%s-shares.%s'\n", dir, stem, ext);
		fprintf(gp,
		        "set title '%s, N = %zu: share per instance (ideal %.1f%%)'\n"
		        "set xlabel 'instance'; set ylabel 'share (%%)'; set yrange [0:*]\n"
		        "set style data histograms; set style fill solid 0.8; set key top right\n",
		        vl_json_str(b, "workload"), n, 100.0 / (double)n);
		fprintf(gp, "plot ");
		json_array_foreach(runs, k, run)
		    fprintf(gp, "%s'%s/plots/%s.dat' index %zu using 2:xtic(1) title '%s'",
		            k ? ", " : "", dir, stem, k, vl_json_str(run, "run"));
		fprintf(gp, ", %g with lines lw 2 dt 2 title 'ideal'\n", 100.0 / (double)n);
		fprintf(gp, "set output '%s/plots/%s-cdf.%s'\nunset style\n", dir, stem, ext);
		fprintf(gp,
		        "set title '%s, N = %zu: cumulative share distribution vs the ideal step'\n"
		        "set xlabel 'share (%%)'; set ylabel 'fraction of instances'; set yrange "
		        "[0:1.05]; set xrange [0:*]; set key bottom right\n",
		        vl_json_str(b, "workload"), n);
		fprintf(gp, "plot ");
		json_array_foreach(runs, k, run)
		    fprintf(gp,
		            "%s'%s/plots/%s.dat' index %zu using 2:(1.0/%zu) smooth cumulative "
		            "with steps lw 2 title '%s'",
		            k ? ", " : "", dir, stem, k, n, vl_json_str(run, "run"));
		fprintf(gp, ", '-' with steps lw 2 dt 2 title 'ideal'\n0 0\n%g 0\n%g 1\n100 1\ne\n",
		        100.0 / (double)n, 100.0 / (double)n);
		/* user and system seconds per instance, one panel per run */
		fprintf(gp, "set output '%s/plots/%s-time.%s'\n", dir, stem, ext);
		fprintf(gp,
		        "set title '%s, N = %zu: user and system CPU seconds per instance'\n"
		        "set xlabel 'instance, by run'; set ylabel 'seconds'; set yrange [0:*]\n"
		        "set style data histograms; set style histogram rowstacked; set style fill "
		        "solid 0.8; set key outside right\n",
		        vl_json_str(b, "workload"), n);
		fprintf(gp, "plot ");
		json_array_foreach(runs, k, run)
		    fprintf(gp,
		            "%snewhistogram '%s', '%s/plots/%s.dat' index %zu using 3:xtic(1) "
		            "%s lc 1, '' index %zu using 4 %s lc 2",
		            k ? ", " : "", vl_json_str(run, "run"), dir, stem, k,
		            k ? "notitle" : "title 'user'", k, k ? "notitle" : "title 'system'");
		fprintf(gp, "\nunset style\n");
		/* over time, a chart per run that has a timeline */
		json_array_foreach(runs, k, run)
		{
			if (!timelines || !json_array_size(json_object_get(
			                      json_object_get(run, "timeline"), "windows")))
				continue;
			fprintf(gp, "set output '%s/plots/%s-%s-timeline.%s'\n", dir, stem,
			        vl_json_str(run, "run"), ext);
			fprintf(gp,
			        "set title '%s, N = %zu on %s: each instance over time'\n"
			        "set xlabel 's'; set ylabel 'CPUs busy'; set yrange [0:*]; "
			        "set xrange [*:*]; set key outside right\n",
			        vl_json_str(b, "workload"), n, vl_json_str(run, "run"));
			fprintf(gp,
			        "plot for [i=2:%zu] '%s/plots/%s-timeline.dat' index %zu using "
			        "1:i with lines title sprintf('h%%d', i - 1)\n",
			        n + 1, dir, stem, k);
		}
	}
	fclose(gp);
	if (vl_report_gnuplot(path) == 0) {
		*plotted = true;
		vl_buf_printf(md,
		              "\n![shares](plots/%s-shares.png) ![cdf](plots/%s-cdf.png) "
		              "![time](plots/%s-time.png)\n",
		              stem, stem, stem);
		json_array_foreach(runs, k, run)
		{
			if (timelines && json_array_size(json_object_get(
			                     json_object_get(run, "timeline"), "windows")))
				vl_buf_printf(md, "![%s over time](plots/%s-%s-timeline.png)\n",
				              vl_json_str(run, "run"), stem,
				              vl_json_str(run, "run"));
		}
	}
	return 0;
}

/* Slowdown of ns and proc against solo for every time-bound run (cpu,
 * mixed): the study's "x N" comparison, one plot for the whole study. */
static void slowdown_plot(const char *dir, json_t **files, size_t n_files, struct vl_buf *md,
                          bool *plotted)
{
	char path[PATH_MAX];
	FILE *dat, *gp;
	size_t rows = 0;

	snprintf(path, sizeof(path), "%s/plots/slowdown.dat", dir);
	if (!(dat = fopen(path, "we")))
		return;
	bool vm = false;

	for (size_t f = 0; f < n_files; f++) {
		json_t *run;
		size_t k;

		json_array_foreach(json_object_get(files[f], "runs"), k, run) vm |=
		    vl_report_slot(vl_json_str(run, "run")) == VL_SLOT_VM;
	}
	fprintf(dat, "# run ns/solo proc/solo%s (mean wall time)\n", vm ? " vm/solo" : "");
	for (size_t f = 0; f < n_files; f++) {
		json_t *runs = json_object_get(files[f], "runs"), *run;
		double t[4] = {0};
		size_t k;

		if (vl_report_rate_file(files[f]))
			continue;
		json_array_foreach(runs, k, run)
		{
			const char *r = vl_json_str(run, "run");
			double w = vl_json_num(json_object_get(run, "metrics"), "mean_wall_s");

			if (vl_report_slot(r) >= 0)
				t[vl_report_slot(r)] = w;
		}
		if (t[2] <= 0)
			continue;
		fprintf(dat, "%s-n%.0f %.4f %.4f", vl_json_str(files[f], "workload"),
		        vl_json_num(files[f], "n"), t[0] / t[2], t[1] / t[2]);
		if (vm)
			fprintf(dat, t[3] > 0 ? " %.4f\n" : " NaN\n", t[3] / t[2]);
		else
			fputc('\n', dat);
		rows++;
	}
	fclose(dat);
	if (!rows)
		return;
	snprintf(path, sizeof(path), "%s/plots/slowdown.gp", dir);
	if (!(gp = fopen(path, "we")))
		return;
	for (int fmt = 0; fmt < 2; fmt++) {
		fprintf(gp, "set terminal %s\n",
		        fmt ? "svg size 800,450" : "pngcairo size 800,450");
		fprintf(gp, "set output '%s/plots/slowdown.%s'\n", dir, fmt ? "svg" : "png");
		fprintf(gp, "set title 'time of N instances at once against one alone (solo)'\n"
		            "set ylabel 'x solo'; set yrange [0:*]; set style data histograms\n"
		            "set style histogram clustered; set style fill solid 0.8; set key top "
		            "left\n");
		fprintf(gp,
		        "plot '%s/plots/slowdown.dat' using 2:xtic(1) title 'ns', '' using 3 title "
		        "'proc'%s\n",
		        dir, vm ? ", '' using 4 title 'vm'" : "");
	}
	fclose(gp);
	if (vl_report_gnuplot(path) == 0) {
		*plotted = true;
		vl_buf_printf(md, "\n## Slowdown against one instance alone\n\n"
		                  "![slowdown](plots/slowdown.png)\n\nOn C CPUs, N instances of "
		                  "CPU-bound work ideally take N/C times as long as one alone.\n");
	}
}

/* The study's questions, answered from the runs. */
static void answers(json_t **files, size_t n_files, struct vl_buf *md)
{
	vl_buf_printf(md, "\n## The study's questions\n\n");
	for (size_t f = 0; f < n_files; f++) {
		json_t *b = files[f], *runs = json_object_get(b, "runs"), *run;
		const char *w = vl_json_str(b, "workload");
		double ns = 0, proc = 0, solo = 0, vm = 0, jain_ns = 0, jain_vm = 0, agg[4] = {0};
		size_t k, starved = 0;
		bool rate = vl_report_rate_file(b);

		json_array_foreach(runs, k, run)
		{
			json_t *m = json_object_get(run, "metrics");
			const char *r = vl_json_str(run, "run");

			json_t *in;
			size_t i;
			int slot = vl_report_slot(r);

			if (slot < 0)
				continue;
			json_array_foreach(json_object_get(run, "instances"), i, in) agg[slot] +=
			    vl_json_num(in, "throughput_bps");
			if (!strcmp(r, "ns")) {
				ns = vl_json_num(m, "mean_wall_s");
				jain_ns = vl_json_num(m, "jain");
				starved += (size_t)vl_json_num(m, "starved");
			} else if (!strcmp(r, "proc")) {
				proc = vl_json_num(m, "mean_wall_s");
			} else if (!strcmp(r, "solo")) {
				solo = vl_json_num(m, "mean_wall_s");
			} else if (slot == VL_SLOT_VM) {
				vm = vl_json_num(m, "mean_wall_s");
				jain_vm = vl_json_num(m, "jain");
			}
		}
		vl_buf_printf(md, "- **%s, N = %.0f**: ", w, vl_json_num(b, "n"));
		vl_buf_printf(md, "%s across %s nodes (Jain %.3f)%s",
		              jain_ns >= 0.95   ? "shared fairly"
		              : jain_ns >= 0.85 ? "shared mostly fairly"
		                                : "shared unfairly",
		              "ns", jain_ns, starved ? ", and some instances starved" : "");
		if (rate && agg[0] > 0 && agg[1] > 0) {
			vl_buf_printf(md,
			              "; the emulated network carried %.2f Gbit/s in all, plain "
			              "processes on loopback %.2f Gbit/s",
			              agg[0] / 1e9, agg[1] / 1e9);
			if (agg[2] > 0)
				vl_buf_printf(md, ", one instance alone %.2f Gbit/s",
				              agg[2] / 1e9 / vl_json_num(b, "n"));
		} else if (ns > 0 && proc > 0)
			vl_buf_printf(md,
			              "; the emulated network is %.0f%% %s than plain processes",
			              100 * (ns > proc ? ns / proc - 1 : 1 - ns / proc),
			              ns > proc ? "slower" : "faster");
		if (!rate && ns > 0 && solo > 0)
			vl_buf_printf(md,
			              "; %.2f× the time of one instance alone (%.2f per instance "
			              "of N)",
			              ns / solo, ns / solo / vl_json_num(b, "n"));
		/* the study's own question: virtual machines against processes */
		if (vm > 0) {
			vl_buf_printf(md, "; on virtual machines (vm) shared %s (Jain %.3f)",
			              jain_vm >= 0.95   ? "fairly"
			              : jain_vm >= 0.85 ? "mostly fairly"
			                                : "unfairly",
			              jain_vm);
			if (rate && agg[VL_SLOT_VM] > 0)
				vl_buf_printf(md, ", carrying %.2f Gbit/s in all",
				              agg[VL_SLOT_VM] / 1e9);
			else if (proc > 0)
				vl_buf_printf(md, ", %.2f× the time of plain processes", vm / proc);
		}
		vl_buf_printf(md, ".\n");
	}
}

/* A run's figures for the side-by-side table: Jain and mean wall time of
 * its ns, proc and solo runs, and the aggregate throughput of its ns run. */
struct side {
	double jain[4], wall[4], agg_ns;
	bool have;
};

static struct side side_of(json_t **files, size_t n_files, const char *w, double n)
{
	struct side sd = {0};

	for (size_t f = 0; f < n_files; f++) {
		json_t *run;
		size_t k;

		if (strcmp(vl_json_str(files[f], "workload"), w) || vl_json_num(files[f], "n") != n)
			continue;
		sd.have = true;
		json_array_foreach(json_object_get(files[f], "runs"), k, run)
		{
			json_t *m = json_object_get(run, "metrics"), *in;
			const char *r = vl_json_str(run, "run");
			int slot = vl_report_slot(r);
			size_t i;

			if (slot < 0)
				continue;
			sd.jain[slot] = vl_json_num(m, "jain");
			sd.wall[slot] = vl_json_num(m, "mean_wall_s");
			if (slot == 0)
				json_array_foreach(json_object_get(run, "instances"), i, in)
				    sd.agg_ns += vl_json_num(in, "throughput_bps");
		}
	}
	return sd;
}

/* Each built-in workload beside the real program it stands for. */
static void side_by_side(json_t **files, size_t n_files, struct vl_buf *md)
{
	static const char *const pairs[][2] = {
	    {"cpu", "povray"}, {"stream", "iperf3"}, {"bandwidth", "iperf"}, {"mixed", "scp"}};
	bool header = false;

	for (size_t p = 0; p < VL_ARRAY_SIZE(pairs); p++)
		for (size_t f = 0; f < n_files; f++) {
			double n = vl_json_num(files[f], "n");
			struct side a, b;

			if (strcmp(vl_json_str(files[f], "workload"), pairs[p][0]))
				continue;
			a = side_of(files, n_files, pairs[p][0], n);
			b = side_of(files, n_files, pairs[p][1], n);
			if (!b.have)
				continue;
			if (!header) {
				vl_buf_printf(
				    md,
				    "\n## Built-in workloads beside the real programs\n\n"
				    "| N | workload | Jain ns | Jain proc | wall ns s | wall proc "
				    "s | "
				    "ns / solo | ns Gbit/s |\n|---|---|---|---|---|---|---|---|\n");
				header = true;
			}
			for (int k = 0; k < 2; k++) {
				const struct side *sd = k ? &b : &a;

				vl_buf_printf(md, "| %.0f | %s | %.3f | %.3f | %.2f | %.2f | ", n,
				              pairs[p][k], sd->jain[0], sd->jain[1], sd->wall[0],
				              sd->wall[1]);
				if (sd->wall[2] > 0)
					vl_buf_printf(md, "%.2f× |", sd->wall[0] / sd->wall[2]);
				else
					vl_buf_printf(md, "- |");
				if (sd->agg_ns > 0)
					vl_buf_printf(md, " %.2f |\n", sd->agg_ns / 1e9);
				else
					vl_buf_printf(md, " - |\n");
			}
		}
}

/* What the study could not run on this machine, and why. */
static void skipped(const char *dir, struct vl_buf *md)
{
	char path[PATH_MAX];
	json_error_t je;
	json_t *f, *s;
	size_t i;

	snprintf(path, sizeof(path), "%s/skipped.json", dir);
	f = json_load_file(path, 0, &je);
	if (json_array_size(json_object_get(f, "skipped"))) {
		vl_buf_printf(md, "\n## Not run on this machine\n\n");
		json_array_foreach(json_object_get(f, "skipped"), i, s) vl_buf_printf(
		    md, "- %s: %s\n", vl_json_str(s, "workload"), vl_json_str(s, "why"));
	}
	json_decref(f);
}

const char *vl_report_dir_invalid(const char *dir)
{
	static const char ok[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+";

	for (const char *c = dir; *c; c++)
		if (!strchr(ok, *c))
			return "a report directory may hold only letters, digits and _ . / - + (it "
			       "goes into plot scripts)";
	return NULL;
}

/* Sections in the study's order: CPU (cpu, povray), network (stream,
 * bandwidth, iperf, iperf3, netpipe), mixed (mixed, scp), then anything
 * else; by N within a workload. */
static int study_rank(const char *w)
{
	static const char *const order[] = {"cpu",    "povray",  "stream", "bandwidth", "iperf",
	                                    "iperf3", "netpipe", "mixed",  "scp"};

	for (size_t i = 0; i < VL_ARRAY_SIZE(order); i++)
		if (!strcmp(w, order[i]))
			return (int)i;
	return (int)VL_ARRAY_SIZE(order);
}

static int study_order(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int d = study_rank(vl_json_str(x, "workload")) - study_rank(vl_json_str(y, "workload"));
	double nx = vl_json_num(x, "n"), ny = vl_json_num(y, "n");

	if (d)
		return d;
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(vl_json_str(x, "_file"), vl_json_str(y, "_file"));
}

/* A bench or MPI file whose schema (compare.h) this vnetlab knows; any
 * other file is not a result, and passes. */
static int readable(const char *name, json_t *f, struct vl_err *err)
{
	int v;

	if (!json_is_array(json_object_get(f, "runs")) &&
	    !json_is_array(json_object_get(f, "mpi_runs")))
		return 0;
	v = vl_compare_schema(f);
	if (v < 0)
		return vl_err_set(err, EINVAL, "%s: \"schema\" is not a version number", name);
	if (v > VL_COMPARE_SCHEMA)
		return vl_err_set(err, EINVAL,
		                  "%s: results of schema %d, newer than this vnetlab reads (%d): "
		                  "render them with the vnetlab that wrote them",
		                  name, v, VL_COMPARE_SCHEMA);
	return 0;
}

int vl_report_render(const char *dir, struct vl_err *err)
{
	char path[PATH_MAX], **names;
	size_t n, ok = 0;
	json_t **files;
	cleanup_buf struct vl_buf md = {0};
	bool plotted = false;
	int r = 0;

	if (vl_report_dir_invalid(dir))
		return vl_err_set(err, EINVAL, "%s: %s", dir, vl_report_dir_invalid(dir));
	n = vl_report_list_json(dir, &names);
	if (!n) {
		free(names);
		return vl_err_set(err, ENOENT, "%s: no bench JSON files (vnetlab bench --json)",
		                  dir);
	}
	files = vl_xcalloc(n + 1, sizeof(*files));
	snprintf(path, sizeof(path), "%s/plots", dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		r = vl_err_sys(err, errno, "mkdir %s", path);
		goto out;
	}
	vl_buf_printf(&md,
	              "# vnetlab study\n\nEach section: N instances of a workload at once, "
	              "each on its own node, on each backend (solo: each instance alone, one "
	              "after the other). A share is an instance's part of the total (completion "
	              "rate for cpu and mixed, throughput received for stream and bandwidth); "
	              "the ideal is 1/N. Data: the JSON and CSV files beside this report.\n");
	for (size_t i = 0; i < n; i++) {
		json_error_t je;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		files[ok] = json_load_file(path, 0, &je);
		if (readable(names[i], files[ok], err) < 0) {
			json_decref(files[ok]);
			files[ok] = NULL;
			r = -1;
			goto out;
		}
		if (!files[ok] || !json_is_array(json_object_get(files[ok], "runs"))) {
			json_decref(files[ok]);
			files[ok] = NULL;
			continue; /* not a bench file */
		}
		json_object_set_new(files[ok], "_file", json_string(names[i]));
		ok++;
	}
	/* the study's order: CPU, network, mixed; each by N */
	qsort(files, ok, sizeof(*files), study_order);
	if (ok)
		vl_report_findings(dir, files, ok, &md);
	for (size_t i = 0; i < ok && r == 0; i++)
		r = one(dir, vl_json_str(files[i], "_file"), files[i], &md, &plotted, err);
	if (r == 0 && !ok)
		r = vl_err_set(err, ENOENT, "%s: no bench JSON files (vnetlab bench --json)", dir);
	if (r == 0) {
		slowdown_plot(dir, files, ok, &md, &plotted);
		answers(files, ok, &md);
		vl_report_mpi_answers(dir, &md);
		side_by_side(files, ok, &md);
		vl_report_mpi(dir, &md, &plotted);
		skipped(dir, &md);
		if (!plotted)
			vl_buf_printf(&md, "\n(No plots: gnuplot is missing or failed; the "
			                   "plots/*.gp scripts can be run by hand.)\n");
		snprintf(path, sizeof(path), "%s/report.md", dir);
		r = vl_write_file(path, md.s, md.len, err);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	for (size_t i = 0; i < ok; i++)
		json_decref(files[i]);
	free(files);
	return r;
}
