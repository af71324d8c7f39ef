/* vnetlab plan */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "cli/cli.h"
#include "plan/part.h"
#include "plan/place.h"
#include "plan/plan.h"

static const struct option plan_opts[] = {
    VL_TOPO_LONGOPTS,
    {"id", required_argument, NULL, 'I'},
    {"hosts", required_argument, NULL, 0x160},
    {"json", no_argument, NULL, 0x161},
    {"part", required_argument, NULL, 0x162},
    {"underlay-mtu", required_argument, NULL, 0x163},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct plan_args {
	int hosts, part; /* part: -1 for the whole lab */
	unsigned long mtu;
	bool json;
};

/* Host part's part of the lab placed over hosts (each host's underlay
 * address 192.0.2.H+1, the documentation range), as `up --hosts` makes it. */
static int print_part(struct vl_plan *p, const struct plan_args *a, struct vl_err *err)
{
	cleanup_free uint32_t *ul = vl_xcalloc((size_t)a->hosts, sizeof(*ul));
	struct vl_plan *q = NULL;
	struct vl_buf out = {0};

	for (int h = 0; h < a->hosts; h++)
		ul[h] = (192u << 24 | 2u << 8) + (uint32_t)h + 1;
	if (vl_plan_place(p, a->hosts, err) < 0 || vl_plan_span_mtu(p, (int)a->mtu, err) < 0)
		return -1;
	if (a->part >= p->n_hosts)
		return vl_err_set(err, 0, "--part %d: the lab is placed over %d hosts", a->part,
		                  p->n_hosts);
	if (vl_plan_part(p, a->part, ul, VL_VXLAN_PORT, &q, err) < 0)
		return -1;
	vl_plan_dump(q, &out);
	fwrite(out.s, 1, out.len, stdout);
	vl_buf_free(&out);
	vl_plan_free(q);
	return 0;
}

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
static int plan_opt(int opt, const char *arg, char *id, struct plan_args *a, int *rc)
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
		a->hosts = (int)n;
		return 1;
	case 0x161:
		a->json = true;
		return 1;
	case 0x162:
		if (vl_parse_uint(arg, 0, VL_TOPO_MAX_HOSTS - 1, &n) < 0)
			*rc = vl_cli_usage("plan", "--part takes a host, 0 to %d, not \"%s\"",
			                   VL_TOPO_MAX_HOSTS - 1, arg);
		a->part = (int)n;
		return 1;
	case 0x163:
		if (vl_parse_uint(arg, 118, 65535, &a->mtu) < 0)
			*rc = vl_cli_usage("plan", "--underlay-mtu takes 118 to 65535, not \"%s\"",
			                   arg);
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
	struct plan_args pa = {.part = -1, .mtu = 1500};
	int opt, rc = 0;

	vl_cli_topo_opts_init(&to);
	while (!rc && (opt = getopt_long(argc, argv, "f:t:n:h", plan_opts, NULL)) != -1) {
		if (vl_cli_topo_opt(&to, opt, optarg, "plan", &rc) ||
		    plan_opt(opt, optarg, id, &pa, &rc))
			continue;
		if (opt == 'h') {
			rc = vl_cli_help("plan");
			goto out;
		}
		rc = vl_cli_usage("plan", "bad option");
	}
	if (rc)
		goto out;
	if (optind != argc || (pa.part >= 0 && (pa.hosts < 2 || pa.json))) {
		rc = optind != argc
		         ? vl_cli_usage("plan", "unexpected argument \"%s\"", argv[optind])
		         : vl_cli_usage("plan", "--part needs --hosts N (2 or more), not --json");
		goto out;
	}
	if (vl_cli_load_topo(&to, &t, lab, sizeof(lab), &err) < 0) {
		rc = vl_cli_fail(&err);
		goto out;
	}
	if (!id[0])
		vl_lab_id_from_name(lab, id);
	if (vl_plan_build(t, lab, id, (enum vl_backend)to.backend, &p, &err) < 0 ||
	    (pa.part >= 0 ? print_part(p, &pa, &err) : print_plan(p, pa.hosts, pa.json, &err)) < 0)
		rc = vl_cli_fail(&err);
out:
	vl_plan_free(p);
	vl_topo_free(t);
	vl_cli_topo_opts_free(&to);
	return rc;
}
