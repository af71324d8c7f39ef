/* vnetlab plan */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "plan/plan.h"

static const struct option plan_opts[] = {
    VL_TOPO_LONGOPTS,
    {"id", required_argument, NULL, 'I'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_plan(int argc, char **argv)
{
	struct vl_topo_opts to;
	struct vl_topo *t = NULL;
	struct vl_plan *p = NULL;
	struct vl_err err = {0};
	struct vl_buf out = {0};
	char lab[128], id[VL_LAB_ID_LEN + 1] = "";
	int opt, rc = 0;

	vl_cli_topo_opts_init(&to);
	while (!rc && (opt = getopt_long(argc, argv, "f:t:n:h", plan_opts, NULL)) != -1) {
		if (vl_cli_topo_opt(&to, opt, optarg, "plan", &rc))
			continue;
		switch (opt) {
		case 'I':
			snprintf(id, sizeof(id), "%s", optarg);
			if (strlen(optarg) != VL_LAB_ID_LEN)
				rc =
				    vl_cli_usage("plan", "--id takes %d hex digits", VL_LAB_ID_LEN);
			break;
		case 'h':
			rc = vl_cli_help("plan");
			goto out;
		default:
			rc = vl_cli_usage("plan", "bad option");
		}
	}
	if (rc)
		goto out;
	if (optind != argc) {
		rc = vl_cli_usage("plan", "unexpected argument \"%s\"", argv[optind]);
		goto out;
	}
	if (vl_cli_load_topo(&to, &t, lab, sizeof(lab), &err) < 0) {
		rc = vl_cli_fail(&err);
		goto out;
	}
	if (!id[0])
		vl_lab_id_from_name(lab, id);
	if (vl_plan_build(t, lab, id, (enum vl_backend)to.backend, &p, &err) < 0) {
		rc = vl_cli_fail(&err);
		goto out;
	}
	vl_plan_dump(p, &out);
	fwrite(out.s, 1, out.len, stdout);
	vl_buf_free(&out);
out:
	vl_plan_free(p);
	vl_topo_free(t);
	vl_cli_topo_opts_free(&to);
	return rc;
}
