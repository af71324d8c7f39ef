/* vnetlab plan */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/cli.h"
#include "plan/place.h"
#include "plan/plan.h"

static const struct option plan_opts[] = {
    VL_TOPO_LONGOPTS,
    {"id", required_argument, NULL, 'I'},
    {"hosts", required_argument, NULL, 0x160},
    {"json", no_argument, NULL, 0x161},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The plan, or with hosts (> 0) or json its placement over that many. */
static int print_plan(struct vl_plan *p, int hosts, bool json, struct vl_err *err)
{
	struct vl_buf out = {0};

	if (!hosts && !json) {
		vl_plan_dump(p, &out);
		fwrite(out.s, 1, out.len, stdout);
		vl_buf_free(&out);
		return 0;
	}
	if (vl_plan_place(p, hosts ? hosts : 1, err) < 0)
		return -1;
	if (p->n_hosts < hosts)
		fprintf(
		    stderr,
		    "vnetlab: warning: --hosts %d: the lab has %zu nodes: placed over %d hosts\n",
		    hosts, p->topo->n_nodes, p->n_hosts);
	if (json) {
		json_t *j = vl_plan_place_json(p);

		json_dumpf(j, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(j);
		return 0;
	}
	vl_plan_place_dump(p, &out);
	fwrite(out.s, 1, out.len, stdout);
	vl_buf_free(&out);
	return 0;
}

/* plan's own options (not the topology's): 1 if opt was one. */
static int plan_opt(int opt, const char *arg, char *id, int *hosts, bool *json, int *rc)
{
	unsigned long n;

	switch (opt) {
	case 'I':
		snprintf(id, VL_LAB_ID_LEN + 1, "%s", arg);
		if (strlen(arg) != VL_LAB_ID_LEN)
			*rc = vl_cli_usage("plan", "--id takes %d hex digits", VL_LAB_ID_LEN);
		return 1;
	case 0x160:
		if (vl_parse_uint(arg, 1, VL_TOPO_MAX_HOSTS, &n) < 0)
			*rc = vl_cli_usage("plan",
			                   "--hosts takes a number of hosts, 1 to %d, not \"%s\"",
			                   VL_TOPO_MAX_HOSTS, arg);
		*hosts = (int)n;
		return 1;
	case 0x161:
		*json = true;
		return 1;
	}
	return 0;
}

int cmd_plan(int argc, char **argv)
{
	struct vl_topo_opts to;
	struct vl_topo *t = NULL;
	struct vl_plan *p = NULL;
	struct vl_err err = {0};
	char lab[128], id[VL_LAB_ID_LEN + 1] = "";
	int opt, rc = 0, hosts = 0;
	bool json = false;

	vl_cli_topo_opts_init(&to);
	while (!rc && (opt = getopt_long(argc, argv, "f:t:n:h", plan_opts, NULL)) != -1) {
		if (vl_cli_topo_opt(&to, opt, optarg, "plan", &rc) ||
		    plan_opt(opt, optarg, id, &hosts, &json, &rc))
			continue;
		if (opt == 'h') {
			rc = vl_cli_help("plan");
			goto out;
		}
		rc = vl_cli_usage("plan", "bad option");
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
	if (vl_plan_build(t, lab, id, (enum vl_backend)to.backend, &p, &err) < 0 ||
	    print_plan(p, hosts, json, &err) < 0)
		rc = vl_cli_fail(&err);
out:
	vl_plan_free(p);
	vl_topo_free(t);
	vl_cli_topo_opts_free(&to);
	return rc;
}
