/* The study's MPI comparison in the report: from the mpi-*.json files that
 * `vnetlab bench mpi --json` writes, a table of run times per environment,
 * the run-time plots per MPI (the study's Figures 15-16), the scaled
 * comparison against one rank doing the whole problem (Figures 17-18) and
 * the micro-benchmark curves (Figures 19-20), with NetPIPE's curve beside
 * MPI's ping-pong where the study has one. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/util.h"
#include "study/report.h"

/* Whether any file has a run on virtual machines: the vm columns, series
 * and prose only then, so that studies without --vm read as before. */
static bool any_vm(json_t **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (vl_report_mpi_env(f[i], "vm"))
			return true;
	return false;
}

/* The same for real machines (rm: a rank per host). */
static bool any_rm(json_t **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (vl_report_mpi_env(f[i], "rm"))
			return true;
	return false;
}

static void table(json_t **f, size_t n, struct vl_buf *md, struct vl_buf *skips)
{
	static const char *const envs[] = {"ns", "vm", "proc", "solo", "one", "rm"};
	bool vm = any_vm(f, n), rm = any_rm(f, n);

	vl_buf_printf(md,
	              "\n## MPI: the same job on %semulated nodes, plain processes and the "
	              "bare host\n\n"
	              "ns: one rank per node on ns nodes, over the emulated links; %sproc: one "
	              "rank per proc node (plain processes, loopback); solo: the ranks on the "
	              "host outside any lab (the MPI's own transports); one: a single rank "
	              "doing the whole problem, the stand-in for real machines × N.%s Times are "
	              "the benchmark's timed part, in seconds.%s\n\n"
	              "| MPI | benchmark | ranks | ns s |%s proc s | solo s | one s |%s ns / proc "
	              "|%s%s verified | link MB (ns) |%s notes |\n"
	              "|---|---|---|---|---|---|---|---|---|---|---|%s%s\n",
	              vm ? "virtual machines, " : "",
	              vm ? "vm: one rank per virtual machine (QEMU guest) on the emulated "
	                   "links — the study's LAM/MPI + VM(N); "
	                 : "",
	              rm ? " rm: one rank per host of --hosts, over their own network — the "
	                   "study's LAM/MPI + RM(N) (with MPICH); ns / rm sets the emulation "
	                   "against real machines."
	                 : "",
	              vm ? " vm / ns is the study's question: how much slower a network of "
	                   "virtual machines is than emulated namespaces."
	                 : "",
	              vm ? " vm s |" : "", rm ? " rm s |" : "", vm ? " vm / ns |" : "",
	              rm ? " ns / rm |" : "", vm ? " link MB (vm) |" : "", vm ? "---|---|---|" : "",
	              rm ? "---|---|" : "");
	for (size_t i = 0; i < n; i++) {
		double t[6] = {0};
		bool verified = true, any = false;
		cleanup_buf struct vl_buf notes = {0};

		for (size_t e = 0; e < VL_ARRAY_SIZE(envs); e++) {
			json_t *r = vl_report_mpi_env(f[i], envs[e]);

			if (!r)
				continue;
			if (json_is_true(json_object_get(r, "skipped"))) {
				vl_buf_printf(&notes, "%s%s: skipped", notes.len ? "; " : "",
				              envs[e]);
				if (!strstr(skips->s ? skips->s : "", vl_json_str(r, "error")))
					vl_buf_printf(skips, "- %s on %s: %s\n",
					              vl_json_str(f[i], "mpi"), envs[e],
					              vl_json_str(r, "error"));
				continue;
			}
			any = true;
			t[e] = vl_json_num(r, "wall_s");
			if (json_is_true(json_object_get(r, "finished")))
				verified &= json_is_true(json_object_get(r, "verified"));
			if (json_is_true(json_object_get(r, "finalize_hang")))
				vl_buf_printf(&notes, "%s%s: hung in MPI_Finalize (stopped)",
				              notes.len ? "; " : "", envs[e]);
			else if (!json_is_true(json_object_get(r, "finished")))
				vl_buf_printf(&notes, "%s%s: %s", notes.len ? "; " : "", envs[e],
				              vl_json_str(r, "error"));
		}
		if (!any)
			continue;
		vl_buf_printf(md, "| %s | %s%s%s | %.0f |", vl_json_str(f[i], "mpi"),
		              vl_json_str(f[i], "benchmark"), vl_report_mpi_macro(f[i]) ? " " : "",
		              vl_json_str(f[i], "class"), vl_json_num(f[i], "ranks"));
		for (size_t e = 0; e < VL_ARRAY_SIZE(envs); e++)
			if ((e != 1 || vm) && (e != 5 || rm))
				vl_buf_printf(md, t[e] > 0 ? " %.3f |" : " - |", t[e]);
		if (t[0] > 0 && t[2] > 0)
			vl_buf_printf(md, " %.2f |", t[0] / t[2]);
		else
			vl_buf_printf(md, " - |");
		if (vm && t[1] > 0 && t[0] > 0)
			vl_buf_printf(md, " %.2f |", t[1] / t[0]);
		else if (vm)
			vl_buf_printf(md, " - |");
		if (rm && t[5] > 0 && t[0] > 0)
			vl_buf_printf(md, " %.2f |", t[0] / t[5]);
		else if (rm)
			vl_buf_printf(md, " - |");
		vl_buf_printf(md, " %s | %.1f |", verified ? "yes" : "**no**",
		              vl_json_num(vl_report_mpi_env(f[i], "ns"), "link_bytes") / 1e6);
		if (vm && t[1] > 0)
			vl_buf_printf(md, " %.1f |",
			              vl_json_num(vl_report_mpi_env(f[i], "vm"), "link_bytes") /
			                  1e6);
		else if (vm)
			vl_buf_printf(md, " - |");
		vl_buf_printf(md, " %s |\n", notes.len ? notes.s : "");
	}
}

/* Run times per environment (one plot per MPI) and the scaled comparison:
 * each environment's time against one rank's (real × N). */
static void times_plots(const char *dir, json_t **f, size_t n, struct vl_buf *md, bool *plotted)
{
	static const char *const impls[] = {"mpich", "lam"};
	bool vm = any_vm(f, n), rm = any_rm(f, n);
	/* vm and rm, where there are such runs: the data's last columns */
	cleanup_buf struct vl_buf series = {0};

	vl_buf_add(&series, "", 0);
	if (vm)
		vl_buf_printf(&series, ", '' using 7 title 'vm guests'");
	if (rm)
		vl_buf_printf(&series, ", '' using %d title 'rm: real machines'", vm ? 8 : 7);
	const char *vm_series = series.s;

	for (size_t m = 0; m < VL_ARRAY_SIZE(impls); m++) {
		char dat[PATH_MAX], gp[PATH_MAX];
		FILE *d, *g;
		size_t rows = 0;

		snprintf(dat, sizeof(dat), "%s/plots/mpi-%s.dat", dir, impls[m]);
		if (!(d = fopen(dat, "we")))
			return;
		fprintf(d,
		        "# benchmark ns proc solo one one/C%s%s (seconds; C: CPUs the ranks can "
		        "use)\n",
		        vm ? " vm" : "", rm ? " rm" : "");
		for (size_t i = 0; i < n; i++) {
			double one = vl_json_num(vl_report_mpi_env(f[i], "one"), "wall_s");
			double cpus = vl_json_num(f[i], "host_cpus"),
			       ranks = vl_json_num(f[i], "ranks");
			double c = cpus > 0 && cpus < ranks ? cpus : ranks;

			if (strcmp(vl_json_str(f[i], "mpi"), impls[m]) ||
			    !vl_report_mpi_macro(f[i]))
				continue;
			fprintf(d, "%s-%s %.4f %.4f %.4f %.4f %.4f", vl_json_str(f[i], "benchmark"),
			        vl_json_str(f[i], "class"),
			        vl_json_num(vl_report_mpi_env(f[i], "ns"), "wall_s"),
			        vl_json_num(vl_report_mpi_env(f[i], "proc"), "wall_s"),
			        vl_json_num(vl_report_mpi_env(f[i], "solo"), "wall_s"), one,
			        c > 0 ? one / c : 0);
			if (vm)
				fprintf(d, " %.4f",
				        vl_json_num(vl_report_mpi_env(f[i], "vm"), "wall_s"));
			if (rm)
				fprintf(d, " %.4f",
				        vl_json_num(vl_report_mpi_env(f[i], "rm"), "wall_s"));
			fprintf(d, "\n");
			rows++;
		}
		fclose(d);
		if (!rows)
			continue;
		snprintf(gp, sizeof(gp), "%s/plots/mpi-%s.gp", dir, impls[m]);
		if (!(g = fopen(gp, "we")))
			return;
		for (int fmt = 0; fmt < 2; fmt++) {
			const char *ext = fmt ? "svg" : "png";

			fprintf(g, "set terminal %s\n",
			        fmt ? "svg size 800,450" : "pngcairo size 800,450");
			fprintf(
			    g,
			    "set output '%s/plots/mpi-%s-times.%s'\n"
			    "set title 'MPI (%s): run time per environment'\n"
			    "set ylabel 'seconds'; set yrange [0:*]; set style data histograms\n"
			    "set style histogram clustered; set style fill solid 0.8; set key "
			    "outside below horizontal\n"
			    "plot '%s' using 2:xtic(1) title 'ns nodes'%s, '' using 3 title 'proc "
			    "processes', '' using 4 title 'solo (host)'\n",
			    dir, impls[m], ext, impls[m], dat, vm_series);
			fprintf(
			    g,
			    "set output '%s/plots/mpi-%s-scaled.%s'\n"
			    "set title 'MPI (%s): emulated time against one rank alone (real x "
			    "N)'\n"
			    "plot '%s' using 2:xtic(1) title 'ns nodes'%s, '' using 3 title 'proc "
			    "processes', '' using 5 title 'one rank: real x N', '' using 6 title "
			    "'real x N / CPUs: ideal here'\n",
			    dir, impls[m], ext, impls[m], dat, vm_series);
		}
		fclose(g);
		if (vl_report_gnuplot(gp) == 0) {
			*plotted = true;
			vl_buf_printf(
			    md,
			    "\n### %s: run times (Figures 15-16) and the scaled "
			    "comparison (Figures 17-18)\n\n"
			    "![times](plots/mpi-%s-times.png) "
			    "![scaled](plots/mpi-%s-scaled.png)\n\n"
			    "The study found VM run times about N × those of the real "
			    "machines (one CPU each), its host having one CPU. Here one rank "
			    "doing the whole problem stands for the real machines × N, and "
			    "the host has C CPUs: an emulation that costs nothing beyond "
			    "sharing the host lands on real × N / C (the last bar); what "
			    "stands above it is the price of emulating the network and of "
			    "the ranks' synchronisation on shared CPUs.%s%s\n",
			    impls[m], impls[m], impls[m],
			    vm ? " The vm bars are the study's own setting: a rank per virtual "
			         "machine."
			       : "",
			    rm ? " The rm bars are the real machines themselves: a rank per host "
			         "of --hosts (see the table's notes where the hosts were one "
			         "machine's)."
			       : "");
		}
	}
}

/* NetPIPE's curve from a netpipe bench file, for the cross-check. */
static bool netpipe_points(const char *dir, FILE *d)
{
	char **names, path[PATH_MAX];
	size_t n = vl_report_list_json(dir, &names);
	bool found = false;

	for (size_t i = 0; i < n; i++) {
		json_error_t je;
		json_t *f = NULL, *run, *pts, *p;
		size_t k;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!found && !strncmp(names[i], "netpipe", 7))
			f = json_load_file(path, 0, &je);
		run = json_array_get(json_object_get(f, "runs"), 0);
		pts = json_object_get(
		    json_object_get(
		        json_object_get(
		            json_object_get(json_array_get(json_object_get(run, "instances"), 0),
		                            "report"),
		            "client"),
		        "netpipe"),
		    "points");
		if (json_array_size(pts)) {
			fprintf(d, "# NetPIPE (%s): bytes usec MB/s\n", vl_json_str(run, "run"));
			/* NetPIPE's Mbps are 2^20 bit/s; MPI's MB/s are 10^6 B/s */
			json_array_foreach(pts, k, p) fprintf(
			    d, "%.0f %.3f %.3f\n", vl_json_num(p, "bytes"), vl_json_num(p, "usec"),
			    vl_json_num(p, "mbps") * 1048576 / 8 / 1e6);
			fprintf(d, "\n\n");
			found = true;
		}
		json_decref(f);
		free(names[i]);
	}
	free(names);
	return found;
}

/* Ping-pong latency and bandwidth over message sizes, per environment. */
static void micro_plots(const char *dir, json_t **f, size_t n, struct vl_buf *md, bool *plotted)
{
	char dat[PATH_MAX], gp[PATH_MAX];
	FILE *d, *g;
	cleanup_buf struct vl_buf lat = {0}, bw = {0};
	size_t blocks = 0;

	snprintf(dat, sizeof(dat), "%s/plots/mpi-pingpong.dat", dir);
	if (!(d = fopen(dat, "we")))
		return;
	for (size_t i = 0; i < n; i++) {
		json_t *r, *rep, *pts, *p;
		size_t k, j;

		if (vl_report_mpi_macro(f[i]))
			continue;
		json_array_foreach(json_object_get(f[i], "mpi_runs"), k, r)
		{
			rep = json_object_get(r, "report");
			pts = json_object_get(rep, "points");
			if (json_object_get(rep, "pingpong"))
				pts = json_object_get(json_object_get(rep, "pingpong"), "points");
			if (!json_array_size(pts) ||
			    !json_object_get(json_array_get(pts, 0), "latency_us"))
				continue;
			fprintf(d, "# %s %s: bytes latency_us bandwidth_MBps\n",
			        vl_json_str(f[i], "mpi"), vl_json_str(r, "env"));
			json_array_foreach(pts, j, p)
			    fprintf(d, "%.0f %.3f %.3f\n", vl_json_num(p, "bytes"),
			            vl_json_num(p, "latency_us"), vl_json_num(p, "bandwidth_MBps"));
			fprintf(d, "\n\n");
			vl_buf_printf(&lat,
			              "%s'%s' index %zu using 1:2 with linespoints title '%s %s'",
			              blocks ? ", " : "", dat, blocks, vl_json_str(f[i], "mpi"),
			              vl_json_str(r, "env"));
			vl_buf_printf(&bw,
			              "%s'%s' index %zu using 1:3 with linespoints title '%s %s'",
			              blocks ? ", " : "", dat, blocks, vl_json_str(f[i], "mpi"),
			              vl_json_str(r, "env"));
			blocks++;
		}
	}
	if (blocks && netpipe_points(dir, d)) {
		vl_buf_printf(&lat,
		              ", '%s' index %zu using 1:2 with linespoints dt 2 title 'NetPIPE'",
		              dat, blocks);
		vl_buf_printf(&bw,
		              ", '%s' index %zu using 1:3 with linespoints dt 2 title 'NetPIPE'",
		              dat, blocks);
	}
	fclose(d);
	snprintf(gp, sizeof(gp), "%s/plots/mpi-pingpong.gp", dir);
	if (!blocks || !(g = fopen(gp, "we")))
		return;
	for (int fmt = 0; fmt < 2; fmt++) {
		const char *ext = fmt ? "svg" : "png";

		fprintf(g,
		        "set terminal %s\nset logscale x 2; set format x '%%.0b%%B'; set key top "
		        "left\n",
		        fmt ? "svg size 800,450" : "pngcairo size 800,450");
		fprintf(g,
		        "set output '%s/plots/mpi-latency.%s'\nset logscale y\n"
		        "set title 'ping-pong: one-way time over message size'\n"
		        "set xlabel 'bytes'; set ylabel 'microseconds'\nplot %s\n",
		        dir, ext, lat.s);
		fprintf(g,
		        "set output '%s/plots/mpi-bandwidth.%s'\nunset logscale y\n"
		        "set title 'ping-pong: bandwidth over message size'\n"
		        "set xlabel 'bytes'; set ylabel 'MB/s'\nplot %s\n",
		        dir, ext, bw.s);
	}
	fclose(g);
	if (vl_report_gnuplot(gp) == 0) {
		*plotted = true;
		vl_buf_printf(md,
		              "\n### Micro-benchmarks (Figures 19-20)\n\n"
		              "![latency](plots/mpi-latency.png) "
		              "![bandwidth](plots/mpi-bandwidth.png)\n\n"
		              "NetPIPE, where present, is an independent measurement of the same "
		              "path (TCP between two ns nodes, no MPI).\n");
	}
}

static bool ran(json_t *r)
{
	return r && json_is_true(json_object_get(r, "finished")) && vl_json_num(r, "wall_s") > 0;
}

void vl_report_mpi_answers(const char *dir, struct vl_buf *md)
{
	json_t **f;
	size_t n = vl_report_mpi_load(dir, &f);

	for (size_t i = 0; i < n; i++) {
		json_t *ns = vl_report_mpi_env(f[i], "ns"), *vm = vl_report_mpi_env(f[i], "vm");
		json_t *pn = vl_report_mpi_points(ns), *pv = vl_report_mpi_points(vm);
		size_t last = json_array_size(pn) - 1;

		if (!ran(ns) || !ran(vm))
			continue;
		vl_buf_printf(md,
		              "- **MPI (%s) %s%s%s, %.0f ranks**: on virtual machines (vm) "
		              "%.2f× the time on ns nodes",
		              vl_json_str(f[i], "mpi"), vl_json_str(f[i], "benchmark"),
		              vl_report_mpi_macro(f[i]) ? " " : "", vl_json_str(f[i], "class"),
		              vl_json_num(f[i], "ranks"),
		              vl_json_num(vm, "wall_s") / vl_json_num(ns, "wall_s"));
		/* the same sizes in both: the smallest message's latency, the
		 * largest's bandwidth */
		if (json_array_size(pn) && json_array_size(pn) == json_array_size(pv)) {
			json_t *n0 = json_array_get(pn, 0), *v0 = json_array_get(pv, 0);
			json_t *nl = json_array_get(pn, last), *vl = json_array_get(pv, last);

			if (vl_json_num(n0, "latency_us") > 0 &&
			    vl_json_num(nl, "bandwidth_MBps") > 0 &&
			    vl_json_num(n0, "bytes") == vl_json_num(v0, "bytes") &&
			    vl_json_num(nl, "bytes") == vl_json_num(vl, "bytes"))
				vl_buf_printf(
				    md,
				    "; ping-pong latency (%.0f B) %.2f× that on ns, bandwidth "
				    "(%.0f B) %.1f%% of it",
				    vl_json_num(n0, "bytes"),
				    vl_json_num(v0, "latency_us") / vl_json_num(n0, "latency_us"),
				    vl_json_num(nl, "bytes"),
				    100 * vl_json_num(vl, "bandwidth_MBps") /
				        vl_json_num(nl, "bandwidth_MBps"));
		}
		vl_buf_printf(md, ".\n");
	}
	for (size_t i = 0; i < n; i++)
		json_decref(f[i]);
	free(f);
}

void vl_report_mpi(const char *dir, struct vl_buf *md, bool *plotted)
{
	json_t **f;
	size_t n = vl_report_mpi_load(dir, &f);

	if (n) {
		cleanup_buf struct vl_buf skips = {0};

		table(f, n, md, &skips);
		if (skips.len)
			vl_buf_printf(md, "\nNot run:\n\n%s", skips.s);
		times_plots(dir, f, n, md, plotted);
		micro_plots(dir, f, n, md, plotted);
	}
	for (size_t i = 0; i < n; i++)
		json_decref(f[i]);
	free(f);
}
