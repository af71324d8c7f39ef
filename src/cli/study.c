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
#include "bench/report.h"
#include "cli/cli.h"

extern char **environ;

static const struct option study_opts[] = {
    {"out", required_argument, NULL, 'o'},
    {"instances", required_argument, NULL, 'n'},
    {"seconds", required_argument, NULL, 's'},
    {"workloads", required_argument, NULL, 'w'},
    {"size", required_argument, NULL, 'S'},
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

/* vnetlab bench WORKLOAD -n N --backend ns,proc,solo --json FILE ..., as a
 * child of ours (arguments, no shell). */
static int bench(const char *workload, const char *n, const char *seconds, const char *size,
                 const char *json)
{
	char *argv[16];
	size_t k = 0;
	pid_t pid;
	int status;

	argv[k++] = "vnetlab";
	argv[k++] = "bench";
	argv[k++] = (char *)workload;
	argv[k++] = "-n";
	argv[k++] = (char *)n;
	argv[k++] = "--backend";
	argv[k++] = "ns,proc,solo";
	argv[k++] = "--seconds";
	argv[k++] = (char *)seconds;
	if (size && !strcmp(workload, "cpu")) {
		argv[k++] = "--size";
		argv[k++] = (char *)size;
	}
	argv[k++] = "--json";
	argv[k++] = (char *)json;
	argv[k] = NULL;
	fflush(NULL);
	if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return 0;
}

int cmd_study(int argc, char **argv)
{
	const char *out = "results", *ns = "5,10", *seconds = "5", *size = NULL;
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
	for (w = strtok_r(workloads, ",", &sv); w && rc == VL_EXIT_OK;
	     w = strtok_r(NULL, ",", &sv)) {
		list = vl_xstrdup(ns);
		for (char *n = strtok_r(list, ",", &nv); n; n = strtok_r(NULL, ",", &nv)) {
			char json[PATH_MAX];

			snprintf(json, sizeof(json), "%s/%s-n%s.json", out, w, n);
			if (bench(w, n, seconds, size, json) < 0) {
				fprintf(stderr, "vnetlab: study: bench %s -n %s failed\n", w, n);
				rc = VL_EXIT_FAIL;
				break;
			}
		}
		free(list);
	}
	free(workloads);
	if (rc == VL_EXIT_OK) {
		if (vl_report_render(out, &err) < 0)
			return vl_cli_fail(&err);
		printf("report: %s/report.md\n", out);
	}
	return rc;
}
