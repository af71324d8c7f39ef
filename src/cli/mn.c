/* vnetlab mn: Mininet's `mn` command line over vnetlab. Its options are
 * read as mn reads them and turned into `vnetlab up`'s (a lab named mn):
 * --topo with Mininet's parameters (tree,depth=2,fanout=8 or tree,2,8),
 * every switch a learning bridge, every controller nothing (there is no
 * OpenFlow), --link tc,bw=..., --host cfs,cpu=F, --mac, --nat, --ipbase,
 * --test (pingall, pingpair, iperf, iperfudp, all, build, none; default
 * the CLI), -c as down and clean. What cannot work says so and why:
 * xterms, a remote controller, cluster placement. --custom FILE and
 * --pre/--post go to the mininet package's mn (python3 -m mininet._mn).
 * Mininet's "*** Creating network" lines first. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/shell.h"
#include "topo/topo.h"

#define MN_LAB "mn"

static const struct option mn_opts[] = {
    {"topo", required_argument, NULL, 't'},       {"switch", required_argument, NULL, 's'},
    {"controller", required_argument, NULL, 'C'}, {"link", required_argument, NULL, 'l'},
    {"host", required_argument, NULL, 'H'},       {"test", required_argument, NULL, 'T'},
    {"custom", required_argument, NULL, 'u'},     {"ipbase", required_argument, NULL, 'i'},
    {"mac", no_argument, NULL, 'm'},              {"arp", no_argument, NULL, 'a'},
    {"nat", no_argument, NULL, 'n'},              {"clean", no_argument, NULL, 'c'},
    {"xterms", no_argument, NULL, 'x'},           {"verbosity", required_argument, NULL, 'v'},
    {"innamespace", no_argument, NULL, 'I'},      {"listenport", required_argument, NULL, 'L'},
    {"nolistenport", no_argument, NULL, 'N'},     {"pin", no_argument, NULL, 'p'},
    {"wait", no_argument, NULL, 'w'},             {"twait", required_argument, NULL, 'W'},
    {"cluster", required_argument, NULL, 'X'},    {"placement", required_argument, NULL, 'Y'},
    {"pre", required_argument, NULL, 'P'},        {"post", required_argument, NULL, 'Q'},
    {"port", required_argument, NULL, 'O'},       {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0},
};

struct mn {
	const char *topo, *link, *test, *ipbase;
	char cpus[32];
	bool mac, nat, clean, quiet;
};

/* Mininet's topology names and their parameters in order, as vnetlab's
 * generators take them. */
static const struct {
	const char *mn, *ours;
	const char *keys[3];
	const char *def[3]; /* Mininet's defaults (NULL: required) */
} topos[] = {
    {"minimal", "minimal", {NULL}, {NULL}},
    {"single", "single", {"k", NULL}, {"2"}},
    {"reversed", "single", {"k", NULL}, {"2"}}, /* the same switch, ports in reverse */
    {"linear", "linear", {"k", "n", NULL}, {"2", "1"}},
    {"tree", "tree", {"depth", "fanout", NULL}, {"1", "2"}},
    {"torus", "torus", {"x", "y", "n"}, {NULL, NULL, "1"}},
};

/* "tree,depth=2,fanout=8" (or "tree,2,8", or a mix in order) to vnetlab's
 * "tree,2,8"; usage error otherwise. */
static int topo_spec(const char *arg, struct vl_buf *out)
{
	cleanup_free char *s = vl_xstrdup(arg);
	char *save = NULL, *name = strtok_r(s, ",", &save), *v[3] = {NULL, NULL, NULL};
	size_t t = 0, pos = 0;

	while (name && t < VL_ARRAY_SIZE(topos) && strcmp(topos[t].mn, name))
		t++;
	if (!name || t == VL_ARRAY_SIZE(topos))
		return vl_cli_usage("mn", "--topo %s: not linear, minimal, reversed, single, torus or "
		                          "tree (a Topo class of its own needs --custom FILE)",
		                    arg);
	for (char *p = strtok_r(NULL, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(p, '=');
		size_t k = pos;

		if (eq) {
			*eq = 0;
			for (k = 0; k < 3 && topos[t].keys[k] && strcmp(topos[t].keys[k], p); k++)
				;
		}
		if (k >= 3 || !topos[t].keys[k])
			return vl_cli_usage("mn", "--topo %s: %s takes no parameter \"%s\"", arg,
			                    topos[t].mn, p);
		v[k] = eq ? eq + 1 : p;
		pos = k + 1;
	}
	vl_buf_printf(out, "%s", topos[t].ours);
	for (size_t k = 0; k < 3 && topos[t].keys[k]; k++) {
		if (!v[k] && !(v[k] = (char *)topos[t].def[k]))
			return vl_cli_usage("mn", "--topo %s: %s needs %s", arg, topos[t].mn,
			                    topos[t].keys[k]);
		vl_buf_printf(out, ",%s", v[k]);
	}
	return 0;
}

/* A switch, controller or host class mn knows: what vnetlab does with it. */
static int check_class(int opt, const char *arg, struct mn *m)
{
	static const char *const switches[] = {"default", "ovs", "ovsk", "ovsbr", "ivs", "lxbr",
	                                       "user", "ovsl"};
	static const char *const controllers[] = {"default", "none", "ref", "ovsc", "nox", "ryu"};
	size_t len = strcspn(arg, ",");
	double f;

	for (size_t k = 0; opt == 's' && k < VL_ARRAY_SIZE(switches); k++)
		if (strlen(switches[k]) == len && !strncmp(arg, switches[k], len))
			return 0; /* every switch is a learning bridge */
	for (size_t k = 0; opt == 'C' && k < VL_ARRAY_SIZE(controllers); k++)
		if (strlen(controllers[k]) == len && !strncmp(arg, controllers[k], len))
			return 0; /* no OpenFlow: nothing to control */
	if (opt == 'C' && !strncmp(arg, "remote", 6))
		return vl_cli_usage("mn", "--controller remote: vnetlab's switches are learning "
		                          "bridges and speak no OpenFlow");
	if (opt == 'H' && (!strcmp(arg, "default") || !strcmp(arg, "proc")))
		return 0;
	if (opt == 'H' && !strncmp(arg, "cfs", 3)) {
		/* CPULimitedHost's cpu is a fraction of all the machine's CPUs */
		const char *cpu = strstr(arg, "cpu=");

		if (cpu && (vl_parse_number(cpu + 4, 0.001, 1, &f) < 0))
			return vl_cli_usage("mn", "--host %s: cpu takes a fraction, 0 to 1", arg);
		if (cpu)
			snprintf(m->cpus, sizeof(m->cpus), "%g", f * (double)sysconf(_SC_NPROCESSORS_ONLN));
		return 0;
	}
	return vl_cli_usage("mn", "--%s %s: not one mn knows%s",
	                    opt == 's' ? "switch" : opt == 'C' ? "controller" : "host", arg,
	                    opt == 'H' ? " here (default, proc, cfs[,cpu=F]; rt is not supported)"
	                               : "");
}

/* What mn can do that vnetlab cannot: said, with what it offers. */
static int refused(int opt)
{
	switch (opt) {
	case 'x':
		return vl_cli_usage("mn", "--xterms: vnetlab opens no X terminals; use vnetlab exec "
		                          "-t mn NODE -- bash (or the CLI's NODE CMD)");
	case 'X':
	case 'Y':
		return vl_cli_usage("mn", "--cluster, --placement: a lab over several hosts is "
		                          "vnetlab up --hosts ssh:H1,H2 (or slurm)");
	case 'I':
		return vl_cli_usage("mn", "--innamespace: vnetlab's switches are in namespaces of "
		                          "their own already");
	}
	return vl_cli_usage("mn", "bad option");
}

static int mn_opt(int opt, const char *arg, struct mn *m, struct vl_buf *topo)
{
	switch (opt) {
	case 't':
		vl_buf_free(topo);
		return topo_spec(arg, topo);
	case 's':
	case 'C':
	case 'H':
		return check_class(opt, arg, m);
	case 'l':
		m->link = strcmp(arg, "default") ? arg : NULL;
		return 0;
	case 'T':
		m->test = arg;
		return 0;
	case 'i':
		m->ipbase = arg;
		return 0;
	case 'm':
		m->mac = true;
		return 0;
	case 'n':
		m->nat = true;
		return 0;
	case 'c':
		m->clean = true;
		return 0;
	case 'v':
		m->quiet = !strcmp(arg, "warning") || !strcmp(arg, "error") ||
		           !strcmp(arg, "critical") || !strcmp(arg, "output");
		return 0;
	case 'a': /* static ARP: neighbours are found as fast here */
	case 'L':
	case 'N':
	case 'p':
	case 'w':
	case 'W':
	case 'O': /* OpenFlow ports and waits: nothing to listen or wait for */
		return 0;
	}
	return refused(opt);
}

/* mn's "*** Creating network" lines: hosts, switches, links. */
static void preamble(const char *spec)
{
	struct vl_topo *t = NULL;
	struct vl_err err = {0};

	if (vl_topo_generate(spec, &t, &err) < 0)
		return; /* up says why */
	fprintf(stderr, "*** Creating network\n*** Adding hosts:\n");
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].kind != VL_KIND_BRIDGE)
			fprintf(stderr, "%s ", t->nodes[i].name);
	fprintf(stderr, "\n*** Adding switches:\n");
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].kind == VL_KIND_BRIDGE)
			fprintf(stderr, "%s ", t->nodes[i].name);
	fprintf(stderr, "\n*** Adding links:\n");
	for (size_t l = 0; l < t->n_links; l++)
		fprintf(stderr, "(%s, %s) ", t->nodes[t->links[l].ep[0].node].name,
		        t->nodes[t->links[l].ep[1].node].name);
	fprintf(stderr, "\n");
	vl_topo_free(t);
}

/* -c: the mn lab down, then what crashed runs left (mn -c's cleanup). */
static int clean(void)
{
	char *down[] = {"down", MN_LAB, NULL}, *cl[] = {"clean", NULL};

	fprintf(stderr, "*** Removing the mn lab and what crashed runs left\n");
	optind = 0;
	if (cmd_down(2, down) != VL_EXIT_OK)
		return VL_EXIT_FAIL;
	optind = 0;
	return cmd_clean(1, cl);
}

/* vnetlab up's arguments for what mn was told. */
static void up_args(const struct mn *m, const char *spec, struct vl_argv *a)
{
	vl_argv_addl(a, "up", "--topo", spec, "--name", MN_LAB, "-q", NULL);
	if (m->link)
		vl_argv_addl(a, "--link", m->link, NULL);
	if (m->cpus[0])
		vl_argv_addl(a, "--cpus", m->cpus, NULL);
	if (m->mac)
		vl_argv_add(a, "--mac");
	if (m->nat)
		vl_argv_addl(a, "--mgmt", "on", "--nat", NULL);
	if (m->ipbase)
		vl_argv_addl(a, "--pool", m->ipbase, NULL);
	/* mn's default is its CLI; build and none only build */
	if (!m->test || !strcmp(m->test, "cli"))
		vl_argv_add(a, "--shell");
	else
		vl_argv_addl(a, "--test",
		             !strcmp(m->test, "build") || !strcmp(m->test, "none") ? "none" : m->test,
		             NULL);
}

/* Whether mn's command line needs Python: --custom files, --pre/--post
 * CLI scripts (run by the mininet package's mn, mininet._mn). */
static bool needs_python(int argc, char **argv)
{
	static const char *const opts[] = {"--custom", "--pre", "--post"};

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		for (size_t k = 0; k < VL_ARRAY_SIZE(opts); k++) {
			size_t n = strlen(opts[k]);

			if (!strncmp(argv[i], opts[k], n) && (!argv[i][n] || argv[i][n] == '='))
				return true;
		}
	return false;
}

int cmd_mn(int argc, char **argv)
{
	struct mn m = {0};
	struct vl_buf topo = {0};
	cleanup_argv struct vl_argv a = {0};
	int opt, rc = 0;

	if (needs_python(argc, argv)) {
		cleanup_free char **pa = vl_xcalloc((size_t)argc + 2, sizeof(*pa));

		pa[0] = "-m";
		pa[1] = "mininet._mn";
		for (int i = 1; i < argc; i++)
			pa[i + 1] = argv[i];
		return vl_py_exec(pa, (size_t)argc + 1);
	}

	while (!rc && (opt = getopt_long(argc, argv, "hcxi:v:w", mn_opts, NULL)) != -1) {
		if (opt == 'h')
			rc = vl_cli_help("mn");
		else if (opt == 'V')
			return printf("2.3.0 (vnetlab %s)\n", VL_VERSION) < 0;
		else
			rc = mn_opt(opt, optarg, &m, &topo);
	}
	if (!rc && optind < argc)
		rc = vl_cli_usage("mn", "unexpected argument \"%s\"", argv[optind]);
	if (rc || m.clean) {
		vl_buf_free(&topo);
		return rc ? rc : clean();
	}
	if (!topo.s)
		vl_buf_printf(&topo, "minimal");
	if (!m.quiet)
		preamble(topo.s);
	up_args(&m, topo.s, &a);
	vl_buf_free(&topo);
	vl_sh_set_prompt("mininet> "); /* mn's CLI, as Mininet's */
	optind = 0; /* up reads its own */
	return cmd_up((int)a.n, a.v);
}
