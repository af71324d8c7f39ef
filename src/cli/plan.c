/* vnetlab plan */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "plan/plan.h"

static const struct option plan_opts[] = {
    {"file", required_argument, NULL, 'f'}, {"topo", required_argument, NULL, 't'},
    {"name", required_argument, NULL, 'n'}, {"pool", required_argument, NULL, 'P'},
    {"ipv6", required_argument, NULL, '6'}, {"id", required_argument, NULL, 'I'},
    {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
};

int cmd_plan(int argc, char **argv)
{
	struct vl_topo_opts to = {.ipv6 = VL_UNSET};
	struct vl_topo *t = NULL;
	struct vl_plan *p = NULL;
	struct vl_err err = {0};
	struct vl_buf out = {0};
	char lab[128], id[VL_LAB_ID_LEN + 1] = "";
	int opt, rc = 0;

	while ((opt = getopt_long(argc, argv, "f:t:n:h", plan_opts, NULL)) != -1) {
		if (vl_cli_topo_opt(&to, opt, optarg, "plan", &rc)) {
			if (rc)
				return rc;
			continue;
		}
		switch (opt) {
		case 'I':
			snprintf(id, sizeof(id), "%s", optarg);
			if (strlen(optarg) != VL_LAB_ID_LEN)
				return vl_cli_usage("plan", "--id takes %d hex digits",
				                    VL_LAB_ID_LEN);
			break;
		case 'h':
			return vl_cli_help("plan");
		default:
			return vl_cli_usage("plan", "bad option");
		}
	}
	if (optind != argc)
		return vl_cli_usage("plan", "unexpected argument \"%s\"", argv[optind]);
	if (vl_cli_load_topo(&to, &t, lab, sizeof(lab), &err) < 0)
		return vl_cli_fail(&err);
	if (!id[0])
		vl_lab_id_from_name(lab, id);
	if (vl_plan_build(t, lab, id, &p, &err) < 0) {
		vl_topo_free(t);
		return vl_cli_fail(&err);
	}
	vl_plan_dump(p, &out);
	fwrite(out.s, 1, out.len, stdout);
	vl_buf_free(&out);
	vl_plan_free(p);
	vl_topo_free(t);
	return VL_EXIT_OK;
}
