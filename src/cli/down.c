/* vnetlab down */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/span.h"
#include "engine/engine.h"
#include "lab/lab.h"

static const struct option down_opts[] = {
    {"all", no_argument, NULL, 'a'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_down(int argc, char **argv)
{
	struct vl_err err = {0};
	int opt, all = 0, rc = VL_EXIT_OK;
	char **labs = NULL;
	size_t n = 0;

	while ((opt = getopt_long(argc, argv, "ah", down_opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			all = 1;
			break;
		case 'h':
			return vl_cli_help("down");
		default:
			return vl_cli_usage("down", "bad option");
		}
	}
	if (all == (optind < argc))
		return vl_cli_usage("down", "name the labs, or give --all");
	if (all && vl_lab_list(&labs, &n, &err) < 0)
		return vl_cli_fail(&err);
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
