/* vnetlab up */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/shell.h"
#include "cli/span.h"
#include "engine/engine.h"

static const struct option up_opts[] = {
    VL_TOPO_LONGOPTS,
    {"json", no_argument, NULL, 'j'},
    {"quiet", no_argument, NULL, 'q'},
    {"test", required_argument, NULL, 0x141}, /* mn's --test, then down */
    {"shell", no_argument, NULL, 0x142},      /* mn's CLI (vnetlab shell), then down */
    VL_UP_HOSTS_LONGOPTS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void print_result(const struct vl_topo *t, const char *lab, const struct vl_up_result *res,
                         const struct vl_topo_opts *to, int json)
{
	size_t n_sw = 0;

	for (size_t i = 0; i < t->n_nodes; i++)
		n_sw += t->nodes[i].kind == VL_KIND_BRIDGE;
	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:f}", "lab", lab, "id",
		                      res->id, "backend", vl_backend_name(to->backend), "nodes",
		                      (json_int_t)(t->n_nodes - n_sw), "switches", (json_int_t)n_sw,
		                      "links", (json_int_t)t->n_links, "seconds", res->seconds);

		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
		return;
	}
	if (to->backend == VL_BACKEND_PROC)
		printf("lab %s is up: %zu nodes as plain processes on loopback (links are not "
		       "emulated) in %.2f s (id %s, backend proc)\n",
		       lab, t->n_nodes - n_sw, res->seconds, res->id);
	else
		printf("lab %s is up: %zu nodes%s, %zu switches, %zu links in %.2f s (id %s)\n",
		       lab, t->n_nodes - n_sw, vl_node_backend_for(to->backend)->nodes_are, n_sw,
		       t->n_links, res->seconds, res->id);
}

struct up_flags {
	int json, quiet, shell;
	const char *test;
};

/* up's own options (the topology's and the hosts' are read before). */
static int up_opt(int opt, const char *arg, struct up_flags *f)
{
	switch (opt) {
	case 'j':
		f->json = 1;
		return 0;
	case 'q':
		f->quiet = 1;
		return 0;
	case 0x141:
		f->test = arg;
		if (!vl_sh_test_known(arg))
			return vl_cli_usage("up",
			                    "--test takes pingall, pingallfull, pingpair, "
			                    "pingpairfull, iperf, iperfudp, all or none, not \"%s\"",
			                    arg);
		return 0;
	case 0x142:
		f->shell = 1;
		return 0;
	}
	return vl_cli_usage("up", "bad option");
}

int cmd_up(int argc, char **argv)
{
	struct vl_topo_opts to;
	struct vl_up_opts uo = {0};
	struct vl_up_result res = {0};
	struct vl_up_hosts uh = {0};
	struct vl_up_span sp = {0};
	struct vl_topo *t = NULL;
	struct vl_err err = {0};
	char lab[128];
	struct up_flags uf = {0};
	int opt, rc = 0;
	double started = vl_now();

	vl_cli_topo_opts_init(&to);
	while (!rc && (opt = getopt_long(argc, argv, "f:t:n:qh", up_opts, NULL)) != -1) {
		if (vl_cli_topo_opt(&to, opt, optarg, "up", &rc) ||
		    vl_cli_up_hosts_opt(&uh, opt, optarg, &rc))
			continue;
		if (opt == 'h') {
			rc = vl_cli_help("up");
			goto out;
		}
		rc = up_opt(opt, optarg, &uf);
	}
	if (rc)
		goto out;
	if (optind != argc) {
		rc = vl_cli_usage("up", "unexpected argument \"%s\"", argv[optind]);
		goto out;
	}
	if (uf.test && uf.shell) {
		rc = vl_cli_usage("up", "--test or --shell, not both");
		goto out;
	}
	if ((uf.test || uf.shell) && !to.file && !to.spec)
		to.spec = "minimal"; /* mn's default */
	if ((uh.spec && (uf.test || uf.shell)) || (uh.spec && uh.part))
		rc = vl_cli_usage("up", "--hosts: not with --test, --shell or --part");
	if (rc || vl_cli_load_topo(&to, &t, lab, sizeof(lab), &err) < 0 ||
	    (uh.part && vl_cli_up_part(&uh, &sp, &err) < 0)) {
		rc = rc ? rc : vl_cli_fail(&err);
		goto out;
	}
	if (uh.spec) {
		rc = vl_cli_up_over_hosts(argc, argv, t, lab, to.backend, &uh, uf.json, uf.quiet);
		goto out;
	}
	uo.progress = !uf.quiet && !uf.json && isatty(STDERR_FILENO);
	uo.backend = (enum vl_backend)to.backend;
	uo.node.vm_kernel = to.vm_kernel;
	uo.node.vm_machine = to.vm_machine;
	uo.node.vm_timeout = to.vm_timeout;
	uo.node.vm_clone = to.vm_clone;
	uo.node.vm_programs = to.vm_programs;
	uo.node.n_vm_programs = to.n_vm_programs;
	uo.node.vm_exports = to.vm_exports;
	uo.node.n_vm_exports = to.n_vm_exports;
	uo.span = uh.part ? &sp : NULL;
	if (vl_engine_up(t, lab, &uo, &res, &err) < 0) {
		rc = vl_cli_fail(&err);
		goto out;
	}
	if (!uf.quiet || uf.json)
		print_result(t, lab, &res, &to, uf.json);
	if (uf.test || uf.shell) {
		fflush(stdout);
		rc = vl_sh_up_session(lab, uf.test, uf.quiet || uf.json, started);
	}
out:
	free((void *)sp.underlay);
	vl_topo_free(t);
	vl_cli_topo_opts_free(&to);
	return rc;
}
