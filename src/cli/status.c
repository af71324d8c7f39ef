/* vnetlab status */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "lab/lab.h"
#include "engine/state.h"
#include "sys/ns.h"
#include "sys/proc.h"

static const struct option status_opts[] = {
    {"json", no_argument, NULL, 'j'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *lab_state(const char *lab)
{
	int lock = vl_lab_lock(lab, 0, NULL);

	if (lock < 0)
		return "busy";
	close(lock);
	return vl_lab_is_complete(lab) ? "up" : "incomplete";
}

static int list_labs(int json)
{
	struct vl_err err = {0};
	char **labs;
	size_t n;
	json_t *arr = json_array();

	if (vl_lab_list(&labs, &n, &err) < 0)
		return vl_cli_fail(&err);
	if (!json && n)
		printf("%-20s %-5s %-10s %7s  %s\n", "LAB", "ID", "STATE", "NODES", "SOURCE");
	for (size_t i = 0; i < n; i++) {
		char id[VL_LAB_ID_LEN + 1] = "-";
		const char *st = lab_state(labs[i]);
		json_t *s = !strcmp(st, "up") ? vl_state_load(labs[i], NULL) : NULL;
		json_int_t nodes = s ? (json_int_t)json_array_size(json_object_get(s, "nodes")) : 0;
		const char *src = s ? json_string_value(json_object_get(s, "source")) : NULL;

		vl_lab_read_id(labs[i], id, NULL);
		if (json)
			json_array_append_new(
			    arr, json_pack("{s:s, s:s, s:s, s:I, s:s}", "lab", labs[i], "id", id,
			                   "state", st, "nodes", nodes, "source", src ? src : ""));
		else
			printf("%-20s %-5s %-10s %7lld  %s\n", labs[i], id, st, (long long)nodes,
			       src ? src : "");
		json_decref(s);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(1));
		putchar('\n');
	} else if (!n) {
		printf("no labs\n");
	}
	json_decref(arr);
	vl_strv_free(labs, n);
	return VL_EXIT_OK;
}

static int show_lab(const char *lab, int json)
{
	struct vl_err err = {0};
	struct vl_proc *procs = NULL;
	size_t n_procs = 0, i;
	json_t *s = vl_state_load(lab, &err), *nodes, *node;
	char path[PATH_MAX];

	if (!s)
		return vl_cli_fail(&err);
	if (vl_engine_lab_procs(lab, &procs, &n_procs, &err) < 0) {
		json_decref(s);
		return vl_cli_fail(&err);
	}
	nodes = json_object_get(s, "nodes");
	json_array_foreach(nodes, i, node)
	{
		const char *netns = json_string_value(json_object_get(node, "netns"));
		const char *name = json_string_value(json_object_get(node, "name"));
		json_t *pl = json_array();
		char rel[128];
		struct vl_ns_id ino, mnt;

		/* ns nodes are their network namespace; proc nodes their mount one */
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, netns ? netns : "");
		ino = netns ? vl_ns_id_of(path) : (struct vl_ns_id){0, 0};
		snprintf(rel, sizeof(rel), "ns/%s.mnt", name ? name : "");
		vl_lab_path(lab, rel, path, sizeof(path));
		mnt = vl_ns_id_of(path);
		json_object_set_new(node, "present",
		                    json_boolean(netns ? ino.ino != 0 : mnt.ino != 0));
		for (size_t k = 0; k < n_procs; k++)
			if (vl_ns_id_eq(ino, procs[k].netns) ||
			    (!netns && vl_ns_id_eq(mnt, procs[k].mntns)))
				json_array_append_new(pl, json_pack("{s:i, s:s}", "pid",
				                                    (int)procs[k].pid, "comm",
				                                    procs[k].comm));
		json_object_set_new(node, "processes", pl);
	}
	free(procs);
	json_object_set_new(s, "state", json_string(lab_state(lab)));
	if (json) {
		json_dumpf(s, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(s);
		return VL_EXIT_OK;
	}
	printf("lab %s: id %s, %s, backend %s, source %s", lab,
	       json_string_value(json_object_get(s, "id")),
	       json_string_value(json_object_get(s, "state")),
	       json_string_value(json_object_get(s, "backend")),
	       json_string_value(json_object_get(s, "source")));
	if (json_object_get(s, "infra_netns")) {
		json_t *all = json_object_get(s, "infra_netns_all");
		size_t n = json_array_size(all);

		printf(", switches in netns %s",
		       json_string_value(json_object_get(s, "infra_netns")));
		if (n > 1)
			printf(" .. %s (%zu namespaces)",
			       json_string_value(json_array_get(all, n - 1)), n);
	}
	putchar('\n');
	if (!strcmp(json_string_value(json_object_get(s, "state")), "incomplete"))
		printf("its %s did not finish: vnetlab down %s (or vnetlab clean) finishes it\n",
		       vl_lab_going_down(lab) ? "down" : "up", lab);
	{
		json_t *vm = json_object_get(s, "vm");
		const char *why = json_string_value(json_object_get(vm, "why_not_kvm"));

		if (vm)
			printf("guests: %s, %s kernel %s, machine %s%s%s%s\n",
			       json_string_value(json_object_get(vm, "accel")),
			       json_string_value(json_object_get(vm, "kernel")),
			       json_string_value(json_object_get(vm, "kernel_path")),
			       json_string_value(json_object_get(vm, "machine")),
			       why ? " (not KVM: " : "", why ? why : "", why ? ")" : "");
	}
	printf("%-16s %-7s %-36s %s\n", "NODE", "KIND", "INTERFACES", "PROCESSES");
	json_array_foreach(nodes, i, node)
	{
		struct vl_buf ifs = {0}, pr = {0};
		json_t *v;
		size_t k;

		if (json_object_get(node, "address"))
			vl_buf_printf(&ifs, "lo %s",
			              json_string_value(json_object_get(node, "address")));
		json_array_foreach(json_object_get(node, "interfaces"), k, v)
		{
			const char *addr = json_string_value(json_object_get(v, "address"));
			const char *to = json_string_value(json_object_get(v, "switch"));

			if (!to)
				to = json_string_value(json_object_get(v, "peer_node"));
			vl_buf_printf(&ifs, "%s%s %s>%s", k ? ", " : "",
			              json_string_value(json_object_get(v, "name")),
			              addr ? addr : "-", to ? to : "?");
		}
		json_array_foreach(json_object_get(node, "processes"), k, v)
		{
			vl_buf_printf(&pr, "%s%s[%lld]", k ? " " : "",
			              json_string_value(json_object_get(v, "comm")),
			              (long long)json_integer_value(json_object_get(v, "pid")));
		}
		printf("%-16s %-7s %-36s %s%s\n", json_string_value(json_object_get(node, "name")),
		       json_object_get(node, "vm")
		           ? "vm"
		           : json_string_value(json_object_get(node, "kind")),
		       ifs.s ? ifs.s : "-", pr.s ? pr.s : "-",
		       json_is_true(json_object_get(node, "present")) ? "" : "  (MISSING)");
		vl_buf_free(&ifs);
		vl_buf_free(&pr);
	}
	{
		json_t *links = json_object_get(s, "links"), *l;
		size_t k;
		int any = 0;

		json_array_foreach(links, k, l)
		{
			const char *fw = json_string_value(json_object_get(l, "forward"));
			const char *rv = json_string_value(json_object_get(l, "reverse"));
			const char *eng = json_string_value(json_object_get(l, "engine"));
			json_t *eps = json_object_get(l, "endpoints");

			if (eng && !strcmp(eng, "none"))
				continue;
			if (!any++)
				printf("\n%-34s %-7s %s\n", "SHAPED LINK", "ENGINE",
				       "FORWARD / REVERSE");
			char ends[160];

			snprintf(ends, sizeof(ends), "%s - %s",
			         json_string_value(json_array_get(eps, 0)) ?: "?",
			         json_string_value(json_array_get(eps, 1)) ?: "?");
			printf("%-34s %-7s %s / %s\n", ends, eng ? eng : "?", fw ? fw : "-",
			       rv ? rv : "-");
		}
	}
	json_decref(s);
	return VL_EXIT_OK;
}

int cmd_status(int argc, char **argv)
{
	int opt, json = 0;

	while ((opt = getopt_long(argc, argv, "jh", status_opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		case 'h':
			return vl_cli_help("status");
		default:
			return vl_cli_usage("status", "bad option");
		}
	}
	if (argc - optind > 1)
		return vl_cli_usage("status", "at most one lab");
	if (optind == argc)
		return list_labs(json);
	return show_lab(argv[optind], json);
}
