/* vnetlab save LAB: each FRR router's running configuration, written back. */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "engine/save.h"

static void say(const char *node, const char *path, void *arg)
{
	(void)arg;
	printf("%s: saved to %s\n", node, path);
}

int cmd_save(int argc, char **argv)
{
	struct vl_err err = {0};
	int n;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return vl_cli_help("save");
	if (argc != 2)
		return vl_cli_usage("save", "name one lab");
	if (vl_name_invalid(argv[1]))
		return vl_cli_usage("save", "\"%s\" is not a lab name", argv[1]);
	if ((n = vl_engine_save(argv[1], say, NULL, &err)) < 0)
		return vl_cli_fail(&err);
	if (n == 0)
		printf("%s: no FRR routers to save\n", argv[1]);
	return VL_EXIT_OK;
}
