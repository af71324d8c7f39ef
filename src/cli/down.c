/* vnetlab down */
#include <getopt.h>
#include <stdio.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/span.h"
#include "engine/engine.h"
#include "lab/lab.h"

static const struct option down_opts[] = {
    {"all", no_argument, NULL, 'a'},
    {"slurm-job", required_argument, NULL, 'J'},
    {"hosts", required_argument, NULL, 'H'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The labs here that are parts started by Slurm job `job` (their
 * state.json says so): a Slurm epilog's down, never another lab's. */
static int job_labs(const char *job, char ***labs, size_t *n, struct vl_err *err)
{
	char **all, path[PATH_MAX];
	size_t na;

	*labs = vl_xcalloc(1, sizeof(**labs));
	*n = 0;
	if (vl_lab_list(&all, &na, err) < 0)
		return -1;
	for (size_t i = 0; i < na; i++) {
		json_t *st, *j;

		vl_lab_path(all[i], "state.json", path, sizeof(path));
		st = json_load_file(path, 0, NULL);
		j = json_object_get(json_object_get(st, "part"), "slurm_job");
		if (json_is_string(j) && !strcmp(json_string_value(j), job)) {
			*labs = vl_xrealloc(*labs, (*n + 1) * sizeof(**labs));
			(*labs)[(*n)++] = vl_xstrdup(all[i]);
		}
		json_decref(st);
	}
	vl_strv_free(all, na);
	return 0;
}

int cmd_down(int argc, char **argv)
{
	struct vl_err err = {0};
	int opt, all = 0, rc = VL_EXIT_OK;
	const char *job = NULL, *hosts = NULL;
	char **labs = NULL;
	size_t n = 0;

	while ((opt = getopt_long(argc, argv, "ah", down_opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			all = 1;
			break;
		case 'J':
			job = optarg;
			all = 1;
			break;
		case 'H':
			hosts = optarg;
			break;
		case 'h':
			return vl_cli_help("down");
		default:
			return vl_cli_usage("down", "bad option");
		}
	}
	if (all == (optind < argc))
		return vl_cli_usage("down", "name the labs, or give --all");
	for (int i = optind; hosts && !all && i < argc; i++)
		rc = vl_cli_hosts_down(hosts, argv[i]) ? VL_EXIT_FAIL : rc;
	if (hosts)
		return all ? vl_cli_usage("down", "--hosts: name the labs") : rc;
	if (all && (job ? job_labs(job, &labs, &n, &err) : vl_lab_list(&labs, &n, &err)) < 0)
		return vl_cli_fail(&err);
	if (all && !job && !getenv("VNETLAB_PART")) { /* and the labs over hosts from here */
		char **spans;
		size_t ns;

		if (vl_span_list(&spans, &ns, &err) < 0)
			return vl_cli_fail(&err);
		labs = vl_xrealloc(labs, (n + ns + 1) * sizeof(*labs));
		for (size_t k = 0; k < ns; k++)
			labs[n++] = spans[k];
		free(spans);
	}
	if (!all) {
		labs = argv + optind;
		n = (size_t)(argc - optind);
	}
	for (size_t i = 0; i < n; i++) {
		if (vl_cli_spanned(labs[i])) {
			rc = vl_cli_span_down(labs[i]) ? VL_EXIT_FAIL : rc;
			continue;
		}
		if (!vl_lab_exists(labs[i])) {
			fprintf(stderr, "vnetlab: no lab named %s (nothing to do)\n", labs[i]);
			continue;
		}
		if (vl_engine_down(labs[i], true, &err) < 0)
			rc = vl_cli_fail(&err);
	}
	if (all)
		vl_strv_free(labs, n);
	return rc;
}
