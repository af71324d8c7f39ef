/* vnetlab hosts: the hosts a lab would go on (--hosts SPEC), each asked for
 * its underlay and its vnetlab, or a command run on each; and the hidden
 * __hostinfo, what a host answers. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "host/host.h"
#include "lab/lab.h"
#include "sys/rtnl_link.h"

static const struct option hosts_opts[] = {
    {"hosts", required_argument, NULL, 'H'},
    {"underlay", required_argument, NULL, 'u'},
    {"timeout", required_argument, NULL, 'T'},
    {"json", no_argument, NULL, 'j'},
    {"carry", required_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Every host's output, each line after its name; 0 if all exited 0. */
static int hosts_command(struct vl_hosts *hs, char **argv)
{
	cleanup_free struct vl_host_result *r = vl_xcalloc(hs->n ? hs->n : 1, sizeof(*r));
	struct vl_err err = {0};
	int rc = VL_EXIT_OK;

	if (vl_hosts_run_all(hs, argv, r, &err) < 0)
		rc = vl_cli_fail(&err);
	for (size_t i = 0; rc == VL_EXIT_OK && i < hs->n; i++) {
		char *save = NULL;

		for (char *l = strtok_r(r[i].out.s, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save))
			printf("%s: %s\n", hs->h[i].name, l);
		if (r[i].status)
			fprintf(stderr, "vnetlab: host %s: %s %s %d\n", hs->h[i].name, argv[0],
			        r[i].status < 0 ? "did not end in time, status"
			                        : "exited with status",
			        r[i].status);
	}
	for (size_t i = 0; rc == VL_EXIT_OK && i < hs->n; i++)
		if (r[i].status)
			rc = VL_EXIT_FAIL;
	vl_host_results_free(r, hs->n);
	return rc;
}

/* --carry FILE[:PATH]: FILE to PATH (default: FILE's absolute path) on
 * every host. */
static int hosts_carry(struct vl_hosts *hs, const char *arg, struct vl_err *err)
{
	cleanup_free char *from = vl_xstrdup(arg);
	cleanup_free char *abs = NULL;
	char *to = strchr(from, ':');

	if (to)
		*to++ = 0;
	if (!(abs = realpath(from, NULL)))
		return vl_err_sys(err, errno, "carry %s", from);
	if (!to || !*to)
		to = abs;
	for (size_t i = 0; i < hs->n; i++)
		if (vl_hosts_carry(hs, i, abs, to, err) < 0)
			return -1;
	return 0;
}

static void hosts_print(const struct vl_hosts *hs, bool json)
{
	json_t *list = json_array();

	if (!json)
		printf("%-20s %-15s %-15s %5s %5s  %s\n", "HOST", "UNDERLAY", "DEVICE", "MTU",
		       "INNER", "VNETLAB");
	for (size_t i = 0; i < hs->n; i++) {
		const struct vl_host *h = &hs->h[i];
		struct vl_err err;
		int inner = vl_vxlan_inner_mtu(h->mtu, 0, &err);

		if (!json)
			printf("%-20s %-15s %-15s %5d %5d  %s\n", h->name, h->addr, h->dev, h->mtu,
			       inner < 0 ? 0 : inner, h->version);
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:i, s:o, s:s}", "name",
		                                      h->name, "addr", h->addr, "dev", h->dev,
		                                      "mtu", h->mtu, "inner_mtu",
		                                      inner < 0 ? json_null() : json_integer(inner),
		                                      "version", h->version));
	}
	if (json) {
		json_t *root = json_pack("{s:s, s:o}", "backend", hs->be->name, "hosts", list);

		json_dumpf(root, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(root);
	} else
		json_decref(list);
}

int cmd_hosts(int argc, char **argv)
{
	struct vl_hosts_opts o = {0};
	struct vl_hosts hs;
	struct vl_err err = {0};
	const char *spec = NULL, *carry = NULL;
	bool json = false;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+h", hosts_opts, NULL)) != -1) {
		switch (opt) {
		case 'H':
			spec = optarg;
			break;
		case 'u':
			o.underlay = optarg;
			break;
		case 'T':
			if (vl_cli_seconds(optarg, 3600, &o.timeout) < 0)
				return vl_cli_usage(
				    "hosts", "--timeout %s: not seconds in (0, 3600]", optarg);
			break;
		case 'c':
			carry = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return vl_cli_help("hosts");
		default:
			return vl_cli_usage("hosts", "bad option");
		}
	}
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
		return vl_cli_usage("hosts", "unexpected argument \"%s\" (a command goes after --)",
		                    argv[optind]);
	if (vl_hosts_parse(&hs, spec, &o, &err) < 0) {
		vl_hosts_close(&hs);
		return vl_cli_usage("hosts", "%s", err.msg);
	}
	if (vl_hosts_open(&hs, &err) < 0 || (carry && hosts_carry(&hs, carry, &err) < 0))
		rc = vl_cli_fail(&err);
	else if (optind < argc)
		rc = hosts_command(&hs, argv + optind);
	else if (vl_hosts_probe(&hs, &err) < 0)
		rc = vl_cli_fail(&err);
	else {
		hosts_print(&hs, json);
		rc = VL_EXIT_OK;
	}
	vl_hosts_close(&hs);
	return rc;
}

/* The labs on this host and their ids: [[NAME, ID], ...]. */
static json_t *labs_here(void)
{
	json_t *a = json_array();
	char **labs, id[VL_LAB_ID_LEN + 1];
	size_t n;
	struct vl_err err;

	if (vl_lab_list(&labs, &n, &err) < 0)
		return a;
	for (size_t i = 0; i < n; i++)
		if (vl_lab_read_id(labs[i], id, &err) == 0)
			json_array_append_new(a, json_pack("[s,s]", labs[i], id));
	vl_strv_free(labs, n);
	return a;
}

/* Hidden: `vnetlab __hostinfo [--underlay IFACE|CIDR]`, this host's
 * underlay and version as one JSON line, for vl_hosts_probe. */
int cmd_hostinfo(int argc, char **argv)
{
	struct vl_err err = {0};
	char addr[16], dev[16];
	const char *underlay = NULL;
	json_t *j;
	int mtu;

	if (argc == 3 && !strcmp(argv[1], "--underlay"))
		underlay = argv[2];
	else if (argc != 1)
		return vl_cli_usage("__hostinfo",
		                    "usage: vnetlab __hostinfo [--underlay IFACE|CIDR]");
	if (vl_underlay_here(underlay, addr, dev, &mtu, &err) < 0)
		return vl_cli_fail(&err);
	j = json_pack("{s:s, s:s, s:i, s:s, s:o}", "addr", addr, "dev", dev, "mtu", mtu, "version",
	              VL_VERSION, "labs", labs_here());
	json_dumpf(j, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(j);
	return VL_EXIT_OK;
}
