/* vnetlab study and vnetlab report: the whole suite, and its report. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include <jansson.h>

#include "bench/mpi.h"
#include "bench/neighbour.h"
#include "bench/report.h"
#include "bench/workload.h"
#include "cli/cli.h"
#include "node/node.h"

extern char **environ;

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

/* vnetlab ARGV..., as a child of ours (arguments, no shell): 0 if it
 * succeeded, 1 if it skipped (a program missing), -1 if it failed. */
static int self(char **argv)
{
	pid_t pid;
	int status;

	fflush(NULL);
	if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	if (WEXITSTATUS(status) == VL_EXIT_SKIPPED)
		return 1;
	return WEXITSTATUS(status) ? -1 : 0;
}

/* vnetlab bench WORKLOAD -n N --backend ns,proc,solo --json FILE ...; with
 * --vm, where guests can boot, vm too (and in the MPI comparison) */
static const char *backends = "ns,proc,solo";
/* --bytes (mixed, scp) and --neighbour, passed on when given */
static const char *bytes_opt, *neighbour_opt;
static const char *mpi_envs = "ns,proc,solo,one";

static int bench(const char *workload, const char *n, const char *seconds, const char *size,
                 const char *json)
{
	char *argv[24], timeout[32];
	size_t k = 0;

	argv[k++] = "vnetlab";
	argv[k++] = "bench";
	argv[k++] = (char *)workload;
	/* guests under TCG compute 15-20x slower: POV-Ray's 640x480 frame
	 * takes 3 CPU-minutes in one, N of them share the host's CPUs; the
	 * default 120 s would call them starved */
	if (strstr(backends, "vm")) {
		snprintf(timeout, sizeof(timeout), "%lu", 200 * strtoul(n, NULL, 10) + 120);
		argv[k++] = "--timeout";
		argv[k++] = timeout;
	}
	argv[k++] = "-n";
	argv[k++] = (char *)n;
	argv[k++] = "--backend";
	/* real programs too: guests run the host's programs */
	argv[k++] = (char *)backends;
	argv[k++] = "--seconds";
	argv[k++] = (char *)seconds;
	if (size && !strcmp(workload, "cpu")) {
		argv[k++] = "--size";
		argv[k++] = (char *)size;
	}
	if (bytes_opt && (!strcmp(workload, "mixed") || !strcmp(workload, "scp"))) {
		argv[k++] = "--bytes";
		argv[k++] = (char *)bytes_opt;
	}
	if (neighbour_opt && strcmp(workload, "netpipe")) {
		argv[k++] = "--neighbour";
		argv[k++] = (char *)neighbour_opt;
	}
	argv[k++] = "--json";
	argv[k++] = (char *)json;
	argv[k] = NULL;
	return self(argv);
}

/* The real programs' part of the study: each real workload at each N,
 * NetPIPE once between two nodes, and the MPI comparison with both MPIs. */
static void skip(json_t *skipped, const char *what, const char *why)
{
	fprintf(stderr, "vnetlab: study: %s skipped: %s\n", what, why);
	json_array_append_new(skipped, json_pack("{s:s, s:s}", "workload", what, "why", why));
}

static int real(const char *out, const char *ns, const char *seconds, const char *cls,
                const char *ranks, json_t *skipped)
{
	char why[512], bindir[PATH_MAX];

	static const char *const workloads[] = {"povray", "iperf", "iperf3", "scp"};
	static const char *const mpi_micro[] = {"pingpong", "allreduce"};
	static const char *const mpi_macro[] = {"ep", "is", "cg", "mg"};
	static const char *const impls[] = {"mpich", "lam"};
	char json[PATH_MAX], *nv;
	int r;

	for (size_t w = 0; w < VL_ARRAY_SIZE(workloads); w++) {
		char *list;

		if (vl_workload_missing(vl_workload_find(workloads[w]), NULL, why, sizeof(why))) {
			skip(skipped, workloads[w], why);
			continue;
		}
		list = vl_xstrdup(ns);

		for (char *n = strtok_r(list, ",", &nv); n; n = strtok_r(NULL, ",", &nv)) {
			snprintf(json, sizeof(json), "%s/%s-n%s.json", out, workloads[w], n);
			r = bench(workloads[w], n, seconds, NULL, json);
			if (r < 0) {
				fprintf(stderr, "vnetlab: study: bench %s -n %s failed\n",
				        workloads[w], n);
				free(list);
				return -1;
			}
		}
		free(list);
	}
	if (vl_workload_missing(vl_workload_find("netpipe"), NULL, why, sizeof(why))) {
		skip(skipped, "netpipe", why);
	} else {
		snprintf(json, sizeof(json), "%s/netpipe-n1.json", out);
		if (bench("netpipe", "1", seconds, NULL, json) < 0)
			return -1;
	}
	if (vl_cli_work_path(bindir, sizeof(bindir)) == 0)
		*strrchr(bindir, '/') = '\0';
	for (size_t m = 0; m < VL_ARRAY_SIZE(impls); m++) {
		struct vl_mpi_opts mo = {.impl = impls[m], .bindir = bindir};
		char what[32];

		snprintf(what, sizeof(what), "mpi (%s)", impls[m]);
		if (vl_mpi_missing(&mo, why, sizeof(why))) {
			skip(skipped, what, why);
			continue;
		}

		for (size_t b = 0; b < VL_ARRAY_SIZE(mpi_micro) + VL_ARRAY_SIZE(mpi_macro); b++) {
			bool is_macro = b >= VL_ARRAY_SIZE(mpi_micro);
			const char *bench_name =
			    is_macro ? mpi_macro[b - VL_ARRAY_SIZE(mpi_micro)] : mpi_micro[b];
			char *argv[20];
			size_t k = 0;

			snprintf(json, sizeof(json), "%s/mpi-%s-%s%s%s.json", out, impls[m],
			         bench_name, is_macro ? "-" : "", is_macro ? cls : "");
			argv[k++] = "vnetlab";
			argv[k++] = "bench";
			argv[k++] = "mpi";
			argv[k++] = "--mpi";
			argv[k++] = (char *)impls[m];
			argv[k++] = "--benchmark";
			argv[k++] = (char *)bench_name;
			if (is_macro) {
				argv[k++] = "--class";
				argv[k++] = (char *)cls;
			}
			argv[k++] = "--ranks";
			argv[k++] = (char *)ranks;
			argv[k++] = "--backend";
			argv[k++] = (char *)mpi_envs;
			argv[k++] = "--json";
			argv[k++] = json;
			argv[k] = NULL;
			/* a job that fails is in its file and in the report */
			self(argv);
		}
	}
	return 0;
}

int cmd_study(int argc, char **argv)
{
	const char *out = "results", *ns = "5,10", *seconds = "5", *size = NULL, *cls = "W",
	           *ranks = "4";
	bool with_real = false, with_vm = false;
	json_t *skipped = NULL;
	char *workloads = vl_xstrdup("cpu,stream,bandwidth,mixed"), *list, *w, *sv, *nv;
	struct vl_err err = {0};
	int opt, rc = VL_EXIT_OK;

	while ((opt = getopt_long(argc, argv, "o:n:h", study_opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 'n':
			ns = optarg;
			break;
		case 's':
			seconds = optarg;
			break;
		case 'S':
			size = optarg;
			break;
		case 'B': {
			uint64_t b;

			if (vl_parse_bytes(optarg, &b) < 0 || b == 0) {
				free(workloads);
				return vl_cli_usage("study", "--bytes takes a size such as 64MiB");
			}
			bytes_opt = optarg;
			break;
		}
		case 'N':
			if (vl_neighbour_parse(optarg) <= 0) {
				free(workloads);
				return vl_cli_usage(
				    "study", "--neighbour takes cpu, memory, network or fork");
			}
			neighbour_opt = optarg;
			break;
		case 'V':
			with_vm = true;
			break;
		case 'r':
			with_real = true;
			break;
		case 'c':
			if (strcmp(optarg, "S") && strcmp(optarg, "W") && strcmp(optarg, "A")) {
				free(workloads);
				return vl_cli_usage("study", "--mpi-class is S, W or A");
			}
			cls = optarg;
			break;
		case 'R': {
			unsigned long u;

			if (vl_parse_uint(optarg, 2, 64, &u) < 0) {
				free(workloads);
				return vl_cli_usage("study", "--ranks takes 2 to 64");
			}
			ranks = optarg;
			break;
		}
		case 'w':
			free(workloads);
			workloads = vl_xstrdup(optarg);
			break;
		case 'h':
			free(workloads);
			return vl_cli_help("study");
		default:
			free(workloads);
			return vl_cli_usage("study", "bad option");
		}
	}
	if (optind != argc) {
		free(workloads);
		return vl_cli_usage("study", "unexpected argument \"%s\"", argv[optind]);
	}
	if (vl_report_dir_invalid(out)) {
		free(workloads);
		return vl_cli_usage("study", "--out %s: %s", out, vl_report_dir_invalid(out));
	}
	if (mkdir(out, 0755) < 0 && errno != EEXIST) {
		vl_err_sys(&err, errno, "mkdir %s", out);
		free(workloads);
		return vl_cli_fail(&err);
	}
	skipped = json_array();
	if (with_vm) {
		const struct vl_node_backend *vm = vl_node_backend_named("vm");
		struct vl_err kerr = {0};

		/* virtual machines beside ns and proc, where guests can boot */
		if (vm->usable(&kerr) < 0) {
			skip(skipped, "vm", kerr.msg);
		} else {
			backends = "ns,proc,vm,solo";
			mpi_envs = "ns,vm,proc,solo,one";
		}
	}
	for (w = strtok_r(workloads, ",", &sv); w && rc == VL_EXIT_OK;
	     w = strtok_r(NULL, ",", &sv)) {
		list = vl_xstrdup(ns);
		for (char *n = strtok_r(list, ",", &nv); n; n = strtok_r(NULL, ",", &nv)) {
			char json[PATH_MAX];

			snprintf(json, sizeof(json), "%s/%s-n%s.json", out, w, n);
			int r = bench(w, n, seconds, size, json);

			if (r < 0) {
				fprintf(stderr, "vnetlab: study: bench %s -n %s failed\n", w, n);
				rc = VL_EXIT_FAIL;
				break;
			}
			if (r > 0) {
				skip(skipped, w,
				     "a program it needs is missing (see vnetlab bench)");
				break;
			}
		}
		free(list);
	}
	free(workloads);
	if (rc == VL_EXIT_OK && with_real && real(out, ns, seconds, cls, ranks, skipped) < 0)
		rc = VL_EXIT_FAIL;
	{
		char p[PATH_MAX];

		/* what could not run here, and why, for the report */
		snprintf(p, sizeof(p), "%s/skipped.json", out);
		json_t *sk = json_pack("{s:O}", "skipped", skipped);
		json_dump_file(sk, p, JSON_INDENT(1));
		json_decref(sk);
		json_decref(skipped);
	}
	if (rc == VL_EXIT_OK) {
		if (vl_report_render(out, &err) < 0)
			return vl_cli_fail(&err);
		printf("report: %s/report.md\n", out);
	}
	return rc;
}
