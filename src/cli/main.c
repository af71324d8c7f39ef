/* vnetlab: one Linux machine becomes a network of many nodes. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm/vmd.h"
#include "cli/cli.h"
#include "engine/linkd_main.h"
#include "node/node.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} cmds[] = {
    {"up", cmd_up},         {"down", cmd_down},     {"exec", cmd_exec},
    {"status", cmd_status}, {"stats", cmd_stats},   {"link", cmd_link},
    {"shell", cmd_shell},   {"bench", cmd_bench},   {"capacity", cmd_capacity},
    {"study", cmd_study},   {"report", cmd_report}, {"clean", cmd_clean},
    {"plan", cmd_plan},     {"save", cmd_save},     {"graph", cmd_graph},
    {"hosts", cmd_hosts},   {"mn", cmd_mn},         {"py", cmd_py},         {"capture", cmd_capture},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
	/* Called as vnetlab-rsh (a link to us): the remote shell of MPI
	 * launchers, which take one path and no arguments (hydra's
	 * -launcher-exec, LAM's LAMRSH would do either). */
	{
		const char *base = strrchr(argv[0], '/');

		if (!strcmp(base ? base + 1 : argv[0], "vnetlab-rsh"))
			return cmd_rsh(argc, argv);
	}
	if (argc < 2) {
		vl_cli_list(stderr);
		return VL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		vl_cli_list(stdout);
		return VL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("vnetlab %s\n", VL_VERSION);
		return VL_EXIT_OK;
	}
	/* Internal: what `vnetlab hosts` asks each host. */
	if (!strcmp(argv[1], "__hostinfo"))
		return cmd_hostinfo(argc - 1, argv + 1);
	/* Internal: pid 1 of a node's pid namespace (started by up). */
	if (!strcmp(argv[1], "__init") && getpid() == 1)
		vl_node_init_main();
	/* Internal: a lab's linkd (started by up). */
	if (!strcmp(argv[1], "__linkd") && argc == 3)
		return vl_linkd_main(argv[2]);
	/* Internal: a vm node's supervisor (started by up, in the node). */
	if (!strcmp(argv[1], "__vmd"))
		return vl_vmd_main(argc - 1, argv + 1);
	/* Internal: the mininet package's pings, sent by vnetlab (shell_echo.c). */
	if (!strcmp(argv[1], "__echo"))
		return cmd_echo(argc - 1, argv + 1);
	/* Internal: an ssh for MPI launchers, into the nodes of $VNETLAB_LAB. */
	if (!strcmp(argv[1], "__rsh"))
		return cmd_rsh(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help"))
		return argc > 2 ? vl_cli_help(argv[2]) : (vl_cli_list(stdout), VL_EXIT_OK);
	for (size_t i = 0; cmds[i].name; i++)
		if (!strcmp(cmds[i].name, argv[1]))
			return cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "vnetlab: unknown command \"%s\"\n", argv[1]);
	vl_cli_list(stderr);
	return VL_EXIT_USAGE;
}
