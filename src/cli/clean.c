/* vnetlab clean */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "engine/engine.h"

static const struct option clean_opts[] = {
    {"dry-run", no_argument, NULL, 'n'},
    {"orphans", no_argument, NULL, 'o'},
    {"templates", no_argument, NULL, 't'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct say_ctx {
	bool dry_run;
	size_t count;
};

static void say(bool removed, const char *what, void *data)
{
	struct say_ctx *c = data;

	c->count++;
	if (removed)
		printf("%s %s\n", c->dry_run ? "would remove" : "removing", what);
	else
		printf("%s\n", what);
}

int cmd_clean(int argc, char **argv)
{
	struct say_ctx c = {0};
	struct vl_clean_opts o = {.say = say, .data = &c};
	struct vl_err err = {0};
	int opt;

	while ((opt = getopt_long(argc, argv, "noh", clean_opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			o.dry_run = c.dry_run = true;
			break;
		case 'o':
			o.orphans = true;
			break;
		case 't':
			o.caches = true;
			break;
		case 'h':
			return vl_cli_help("clean");
		default:
			return vl_cli_usage("clean", "bad option");
		}
	}
	if (optind != argc)
		return vl_cli_usage("clean", "unexpected argument \"%s\"", argv[optind]);
	if (vl_engine_clean(&o, &err) < 0)
		return vl_cli_fail(&err);
	if (!c.count)
		printf("nothing to clean\n");
	return VL_EXIT_OK;
}
