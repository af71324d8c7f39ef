/* vnetlab save (LAB | -f FILE) [--dir DIR]: each FRR router's running
 * configuration, written back into containerlab's lab directory. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "engine/save.h"
#include "topo/topo.h"

static const struct option save_opts[] = {
    {"file", required_argument, NULL, 'f'},
    {"name", required_argument, NULL, 'n'},
    {"dir", required_argument, NULL, 'd'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void say(const char *node, const char *path, const char *why, void *arg)
{
	(void)arg;
	if (path)
		printf("%s: saved to %s\n", node, path);
	else
		fprintf(stderr, "vnetlab: save: %s: not saved: %s\n", node, why);
	fflush(NULL);
}

int cmd_save(int argc, char **argv)
{
	struct vl_topo_opts to;
	struct vl_topo *t = NULL;
	struct vl_err err = {0};
	const char *dir = NULL;
	char lab[128], buf[PATH_MAX];
	int opt, rc = 0, n;

	vl_cli_topo_opts_init(&to);
	while (!rc && (opt = getopt_long(argc, argv, "f:n:d:h", save_opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			to.file = optarg;
			break;
		case 'n':
			to.name = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			rc = vl_cli_help("save");
			goto out;
		default:
			rc = vl_cli_usage("save", "bad option");
		}
	}
	if (rc)
		goto out;
	if (!to.file == (optind == argc) || argc - optind > 1) {
		rc = vl_cli_usage("save", "name a lab, or give its topology file with -f");
		goto out;
	}
	if (to.file) {
		/* the lab of the file, its directory beside it, as containerlab's */
		if (vl_cli_load_topo(&to, &t, lab, sizeof(lab), &err) < 0) {
			rc = vl_cli_fail(&err);
			goto out;
		}
		if (!dir) {
			const char *slash = strrchr(to.file, '/');

			snprintf(buf, sizeof(buf), "%.*s%sclab-%s",
			         slash ? (int)(slash - to.file) : 0, to.file, slash ? "/" : "",
			         lab);
			dir = buf;
		}
	} else {
		snprintf(lab, sizeof(lab), "%s", argv[optind]);
		if (vl_name_invalid(lab)) {
			rc = vl_cli_usage("save", "\"%s\" is not a lab name", lab);
			goto out;
		}
		if (!dir) {
			snprintf(buf, sizeof(buf), "clab-%s", lab);
			dir = buf;
		}
	}
	if ((n = vl_engine_save(lab, dir, say, NULL, &err)) < 0)
		rc = vl_cli_fail(&err);
	else if (n == 0)
		printf("%s: no FRR routers to save\n", lab);
out:
	vl_topo_free(t);
	vl_cli_topo_opts_free(&to);
	return rc;
}
