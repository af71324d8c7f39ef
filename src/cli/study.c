/* vnetlab study and vnetlab report: the whole suite, and its report. Each
 * run is the comparison `bench` or `bench mpi` makes (the same calls, the
 * same tables), one after the other in this process: a run shares nothing
 * with the next but the terminal (its lab is down before the next is up). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "study/compare.h"
#include "study/report.h"
#include "study/workload.h"
#include "cli/cli.h"
#include "host/host.h"
#include "node/node.h"

static const struct option study_opts[] = {
    {"out", required_argument, NULL, 'o'},
    {"instances", required_argument, NULL, 'n'},
    {"seconds", required_argument, NULL, 's'},
    {"workloads", required_argument, NULL, 'w'},
    {"size", required_argument, NULL, 'S'},
    {"bytes", required_argument, NULL, 'B'},
    {"neighbour", required_argument, NULL, 'N'},
    {"real", no_argument, NULL, 'r'},
    {"vm", no_argument, NULL, 'V'},
    {"mpi-class", required_argument, NULL, 'c'},
    {"ranks", required_argument, NULL, 'R'},
    VL_CLI_HOSTS_LONGOPTS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_report(int argc, char **argv)
{
	struct vl_err err = {0};

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return vl_cli_help("report");
	if (argc != 2)
		return vl_cli_usage("report", "name the directory of a study");
	if (vl_report_render(argv[1], &err) < 0)
		return vl_cli_fail(&err);
	printf("report: %s/report.md\n", argv[1]);
	return VL_EXIT_OK;
}

/* What every run of the study is given. */
struct study {
	const char *out, *ns, *seconds, *size, *cls, *ranks;
	/* --bytes (mixed, scp) and --neighbour, passed on when given */
	const char *bytes, *neighbour;
	/* bench's --backend, and bench mpi's: with --vm, where guests can boot, vm too */
	const char *backends, *mpi_envs;
	bool real, vm, help;
	json_t *skipped;
	struct vl_cli_hosts host_opts; /* --hosts, --underlay */
	struct vl_hosts *hosts;        /* opened: rm beside the others where it can run */
};

static void skip(json_t *skipped, const char *what, const char *why);

/* The backends of one bench: the study's, and rm where the hosts are
 * enough for N (else skipped, saying why); true if rm is among them. */
static bool bench_backends(const struct study *st, const char *workload, size_t n, struct vl_buf *b)
{
	const struct vl_workload *w = vl_workload_find(workload);
	const char *why = NULL;
	char what[64], because[160];

	vl_buf_printf(b, "%s", st->backends);
	if (!st->hosts || !w) /* an unknown workload: bench says so */
		return false;
	snprintf(what, sizeof(what), "%s -n %zu on rm", workload, n);
	if (n > st->hosts->n) {
		snprintf(because, sizeof(because), "%zu instances, %zu hosts (rm: one each)", n,
		         st->hosts->n);
		why = because;
	} else if ((w->flags & VL_WL_NETWORK) && n < 2) {
		why =
		    "a network workload needs 2 instances or more (instance i sends to host i + 1)";
	}
	if (why)
		skip(st->skipped, what, why);
	else
		vl_buf_printf(b, ",rm");
	return !why;
}

/* As `vnetlab bench WORKLOAD -n N --backend ... --seconds S [--size]
 * [--bytes] [--neighbour] --json FILE` would: 0 if it succeeded, 1 if it
 * skipped (a program missing), -1 if it failed. */
static int bench(const struct study *st, const char *workload, const char *n, const char *size,
                 const char *json)
{
	struct vl_compare_opts o = {.bench = {.n = 4, .seconds = 5, .timeout = 120}};
	char timeout[32];
	unsigned long u;
	int rc = VL_EXIT_OK;

	/* guests under TCG compute 15-20x slower: POV-Ray's 640x480 frame
	 * takes 3 CPU-minutes in one, N of them share the host's CPUs; the
	 * default 120 s would call them starved */
	snprintf(timeout, sizeof(timeout), "%lu", 200 * strtoul(n, NULL, 10) + 120);
	if (strstr(st->backends, "vm") && vl_cli_bench_opt(&o.bench, 'T', timeout, "bench", &rc) &&
	    rc)
		return -1;
	if (vl_parse_uint(n, 1, 128, &u) < 0) {
		vl_cli_usage("bench", "-n takes 1 to 128 instances");
		return -1;
	}
	o.bench.n = u;
	if (vl_cli_bench_opt(&o.bench, 's', st->seconds, "bench", &rc) && rc)
		return -1;
	if (size && !strcmp(workload, "cpu"))
		o.bench.size = size;
	if (st->bytes && (!strcmp(workload, "mixed") || !strcmp(workload, "scp")))
		o.bench.bytes = st->bytes;
	if (st->neighbour && strcmp(workload, "netpipe"))
		o.bench.neighbour = (enum vl_neighbour)vl_neighbour_parse(st->neighbour);
	o.bench.workload = workload;
	cleanup_buf struct vl_buf backends = {0};

	if (bench_backends(st, workload, o.bench.n, &backends))
		o.bench.hosts = st->hosts;
	/* real programs too: guests run the host's programs */
	rc = vl_cli_bench_compare(&o, backends.s, json);
	return rc == VL_EXIT_SKIPPED ? 1 : rc ? -1 : 0;
}

static void skip(json_t *skipped, const char *what, const char *why)
{
	fprintf(stderr, "vnetlab: study: %s skipped: %s\n", what, why);
	json_array_append_new(skipped, json_pack("{s:s, s:s}", "workload", what, "why", why));
}

/* Each workload at each N; -1 if a run failed. checked: the real
 * programs, each skipped here if missing (then none of its runs skips). */
static int workloads_at_each_n(const struct study *st, const char *workloads, const char *size,
                               bool checked)
{
	cleanup_free char *list = vl_xstrdup(workloads);
	char json[PATH_MAX], why[512], *sv, *nv;

	for (char *w = strtok_r(list, ",", &sv); w; w = strtok_r(NULL, ",", &sv)) {
		cleanup_free char *ns = vl_xstrdup(st->ns);

		if (checked && vl_workload_missing(vl_workload_find(w), NULL, why, sizeof(why))) {
			skip(st->skipped, w, why);
			continue;
		}
		for (char *n = strtok_r(ns, ",", &nv); n; n = strtok_r(NULL, ",", &nv)) {
			snprintf(json, sizeof(json), "%s/%s-n%s.json", st->out, w, n);
			int r = bench(st, w, n, size, json);

			if (r < 0) {
				fprintf(stderr, "vnetlab: study: bench %s -n %s failed\n", w, n);
				return -1;
			}
			if (r > 0 && !checked) {
				skip(st->skipped, w,
				     "a program it needs is missing (see vnetlab bench)");
				break;
			}
		}
	}
	return 0;
}

/* The MPI comparison of one benchmark, as `vnetlab bench mpi --mpi IMPL
 * --benchmark B [--class C] --ranks R --backend ENVS --json FILE` would. */
static void mpi(const struct study *st, const char *impl, const char *name, bool macro)
{
	struct vl_mpi_opts o = {.impl = impl, .bench = name, .timeout = 300};
	char json[PATH_MAX];
	unsigned long u;

	snprintf(json, sizeof(json), "%s/mpi-%s-%s%s%s.json", st->out, impl, name, macro ? "-" : "",
	         macro ? st->cls : "");
	if (vl_parse_uint(st->ranks, 1, 64, &u) < 0) {
		vl_cli_usage("bench", "mpi: --ranks takes 1 to 64");
		return;
	}
	o.ranks = u;
	o.hosts = st->hosts;
	/* real machines: a rank per host, where the hosts are enough */
	cleanup_free char *envs = vl_xstrdup(st->mpi_envs);

	if (st->hosts && o.ranks > st->hosts->n) {
		char what[64], why[96];

		snprintf(what, sizeof(what), "mpi (%s) %s on rm", impl, name);
		snprintf(why, sizeof(why), "%zu ranks, %zu hosts (rm: a rank per host)", o.ranks,
		         st->hosts->n);
		skip(st->skipped, what, why);
		*strstr(envs, ",rm") = '\0';
		o.hosts = NULL;
	}
	/* a job that fails is in its file and in the report */
	vl_cli_bench_mpi_compare(&o, macro ? st->cls : NULL, envs, json);
}

/* The real programs' part of the study: each real workload at each N,
 * NetPIPE once between two nodes, and the MPI comparison with both MPIs. */
static int real(const struct study *st)
{
	static const char *const mpi_micro[] = {"pingpong", "allreduce"};
	static const char *const mpi_macro[] = {"ep", "is", "cg", "mg"};
	static const char *const impls[] = {"mpich", "lam"};
	char why[512], bindir[PATH_MAX] = "", json[PATH_MAX];

	if (workloads_at_each_n(st, "povray,iperf,iperf3,scp", NULL, true) < 0)
		return -1;
	snprintf(json, sizeof(json), "%s/netpipe-n1.json", st->out);
	if (vl_workload_missing(vl_workload_find("netpipe"), NULL, why, sizeof(why)))
		skip(st->skipped, "netpipe", why);
	else if (bench(st, "netpipe", "1", NULL, json) < 0)
		return -1;
	if (vl_cli_work_path(bindir, sizeof(bindir)) == 0)
		*strrchr(bindir, '/') = '\0';
	for (size_t m = 0; m < VL_ARRAY_SIZE(impls); m++) {
		struct vl_mpi_opts mo = {.impl = impls[m], .bindir = bindir};
		char what[32];

		snprintf(what, sizeof(what), "mpi (%s)", impls[m]);
		if (vl_mpi_missing(&mo, why, sizeof(why))) {
			skip(st->skipped, what, why);
			continue;
		}
		for (size_t b = 0; b < VL_ARRAY_SIZE(mpi_micro); b++)
			mpi(st, impls[m], mpi_micro[b], false);
		for (size_t b = 0; b < VL_ARRAY_SIZE(mpi_macro); b++)
			mpi(st, impls[m], mpi_macro[b], true);
	}
	return 0;
}
/* The options into st: VL_EXIT_OK (st->help set for --help), or a usage
 * error's status. */
static int study_opts_parse(int argc, char **argv, struct study *st, const char **workloads)
{
	unsigned long u;
	uint64_t b;
	int opt;

	while ((opt = getopt_long(argc, argv, "o:n:h", study_opts, NULL)) != -1) {
		if (vl_cli_hosts_opt(&st->host_opts, opt, optarg))
			continue;
		switch (opt) {
		case 'o':
			st->out = optarg;
			break;
		case 'n':
			st->ns = optarg;
			break;
		case 's':
			st->seconds = optarg;
			break;
		case 'S':
			st->size = optarg;
			break;
		case 'B':
			if (vl_parse_bytes(optarg, &b) < 0 || b == 0)
				return vl_cli_usage("study", "--bytes takes a size such as 64MiB");
			st->bytes = optarg;
			break;
		case 'N':
			if (vl_neighbour_parse(optarg) <= 0)
				return vl_cli_usage(
				    "study", "--neighbour takes cpu, memory, network or fork");
			st->neighbour = optarg;
			break;
		case 'V':
			st->vm = true;
			break;
		case 'r':
			st->real = true;
			break;
		case 'c':
			if (strcmp(optarg, "S") && strcmp(optarg, "W") && strcmp(optarg, "A"))
				return vl_cli_usage("study", "--mpi-class is S, W or A");
			st->cls = optarg;
			break;
		case 'R':
			if (vl_parse_uint(optarg, 2, 64, &u) < 0)
				return vl_cli_usage("study", "--ranks takes 2 to 64");
			st->ranks = optarg;
			break;
		case 'w':
			*workloads = optarg;
			break;
		case 'h':
			st->help = true;
			return VL_EXIT_OK;
		default:
			return vl_cli_usage("study", "bad option");
		}
	}
	if (optind != argc)
		return vl_cli_usage("study", "unexpected argument \"%s\"", argv[optind]);
	if (vl_report_dir_invalid(st->out))
		return vl_cli_usage("study", "--out %s: %s", st->out,
		                    vl_report_dir_invalid(st->out));
	return VL_EXIT_OK;
}

/* --hosts: opened once for the whole study; rm joins the MPI comparison. */
static int study_hosts(struct study *st, struct vl_hosts *hs)
{
	int rc = vl_cli_hosts_open(&st->host_opts, "study", hs);

	if (rc != VL_EXIT_OK || !st->host_opts.spec)
		return rc;
	st->hosts = hs;
	st->mpi_envs =
	    strstr(st->mpi_envs, "vm") ? "ns,vm,proc,solo,one,rm" : "ns,proc,solo,one,rm";
	return VL_EXIT_OK;
}

/* What could not run here, and why, for the report. */
static void write_skipped(const struct study *st)
{
	char p[PATH_MAX];
	json_t *sk = json_pack("{s:O}", "skipped", st->skipped);

	snprintf(p, sizeof(p), "%s/skipped.json", st->out);
	json_dump_file(sk, p, JSON_INDENT(1));
	json_decref(sk);
}

int cmd_study(int argc, char **argv)
{
	struct study st = {.out = "results",
	                   .ns = "5,10",
	                   .seconds = "5",
	                   .cls = "W",
	                   .ranks = "4",
	                   .backends = "ns,proc,solo",
	                   .mpi_envs = "ns,proc,solo,one"};
	const char *workloads = "cpu,stream,bandwidth,mixed";
	struct vl_hosts hs = {0};
	struct vl_err err = {0};
	int rc = study_opts_parse(argc, argv, &st, &workloads);

	if (rc != VL_EXIT_OK || st.help)
		return rc != VL_EXIT_OK ? rc : vl_cli_help("study");
	if (mkdir(st.out, 0755) < 0 && errno != EEXIST) {
		vl_err_sys(&err, errno, "mkdir %s", st.out);
		return vl_cli_fail(&err);
	}
	st.skipped = json_array();
	if (st.vm) {
		const struct vl_node_backend *vm = vl_node_backend_named("vm");
		struct vl_err kerr = {0};

		/* virtual machines beside ns and proc, where guests can boot */
		if (vm->usable(&kerr) < 0) {
			skip(st.skipped, "vm", kerr.msg);
		} else {
			st.backends = "ns,proc,vm,solo";
			st.mpi_envs = "ns,vm,proc,solo,one";
		}
	}
	if (study_hosts(&st, &hs) != VL_EXIT_OK) {
		json_decref(st.skipped);
		return VL_EXIT_FAIL;
	}
	if (workloads_at_each_n(&st, workloads, st.size, false) < 0 || (st.real && real(&st) < 0))
		rc = VL_EXIT_FAIL;
	if (st.hosts)
		vl_hosts_close(st.hosts);
	write_skipped(&st);
	json_decref(st.skipped);
	if (rc == VL_EXIT_OK) {
		if (vl_report_render(st.out, &err) < 0)
			return vl_cli_fail(&err);
		printf("report: %s/report.md\n", st.out);
	}
	return rc;
}
