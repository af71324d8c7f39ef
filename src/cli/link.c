/* vnetlab link: show or change one link of a running lab. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/span.h"
#include "engine/link.h"

static const struct option link_opts[] = {
    {"out", no_argument, NULL, 'o'},
    {"in", no_argument, NULL, 'i'},
    {"json", no_argument, NULL, 'j'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int show(const char *lab, const char *endpoint, int json)
{
	struct vl_link_info li;
	struct vl_err err = {0};
	char out[256], in[256];

	if (vl_link_get(lab, endpoint, &li, &err) < 0)
		return vl_cli_fail(&err);
	vl_impair_format(&li.dir[li.mine], out, sizeof(out));
	vl_impair_format(&li.dir[!li.mine], in, sizeof(in));
	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "endpoint", endpoint,
		                      "peer", li.endpoints[!li.mine], "out", out, "in", in,
		                      "engine", li.engine, "up", li.up);

		json_dumpf(j, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(j);
		return VL_EXIT_OK;
	}
	printf("link %s - %s (%s, engine %s)\n", endpoint, li.endpoints[!li.mine],
	       li.up ? "up" : "down", li.engine);
	printf("  out (%s -> %s): %s\n", endpoint, li.endpoints[!li.mine], out);
	printf("  in  (%s -> %s): %s\n", li.endpoints[!li.mine], endpoint, in);
	return VL_EXIT_OK;
}

int cmd_link(int argc, char **argv)
{
	struct vl_err err = {0};
	int opt, dirs = 0, json = 0;
	const char *lab, *endpoint, *verb;

	while ((opt = getopt_long(argc, argv, "+oijh", link_opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			dirs |= VL_LINK_OUT;
			break;
		case 'i':
			dirs |= VL_LINK_IN;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			return vl_cli_help("link");
		default:
			return vl_cli_usage("link", "bad option");
		}
	}
	if (argc - optind < 2)
		return vl_cli_usage("link", "name a lab and an endpoint NODE:IF");
	lab = argv[optind];
	endpoint = argv[optind + 1];
	verb = argc - optind > 2 ? argv[optind + 2] : "show";
	if (!strchr(endpoint, ':'))
		return vl_cli_usage("link", "an endpoint is NODE:IF, not \"%s\"", endpoint);
	if (vl_cli_spanned(lab)) /* a lab over hosts: on the hosts of its ends */
		return vl_cli_span_link(lab, endpoint, verb, argc, argv);
	if (!strcmp(verb, "show"))
		return argc - optind == 3 || argc - optind == 2
		           ? show(lab, endpoint, json)
		           : vl_cli_usage("link", "show takes nothing more");
	if (!strcmp(verb, "up") || !strcmp(verb, "down")) {
		if (vl_link_set_up(lab, endpoint, !strcmp(verb, "up"), &err) < 0)
			return vl_cli_fail(&err);
		return VL_EXIT_OK;
	}
	if (!strcmp(verb, "set")) {
		char **args = argv + optind + 3, *kv[64];
		size_t n_args = (size_t)(argc - optind - 3), n = 0, pairs = 0;

		/* --out and --in may also follow "set" */
		for (size_t i = 0; i < n_args; i++) {
			if (!strcmp(args[i], "--out"))
				dirs |= VL_LINK_OUT;
			else if (!strcmp(args[i], "--in"))
				dirs |= VL_LINK_IN;
			else if (n < VL_ARRAY_SIZE(kv))
				kv[n++] = args[i];
			else
				return vl_cli_usage("link", "too many settings");
		}
		for (size_t i = 0; i < n; i++, pairs++)
			if (strcmp(kv[i], "clear") && ++i >= n)
				return vl_cli_usage("link", "%s: a setting needs a value",
				                    kv[i - 1]);
		if (!pairs)
			return vl_cli_usage("link",
			                    "set what? (bw, delay, jitter, distribution, loss, "
			                    "loss-model, queue, clear)");
		if (vl_link_set(lab, endpoint, dirs ? dirs : VL_LINK_OUT | VL_LINK_IN, kv, n,
		                &err) < 0)
			return vl_cli_fail(&err);
		return show(lab, endpoint, json);
	}
	return vl_cli_usage("link", "unknown action \"%s\" (show, set, up or down)", verb);
}
