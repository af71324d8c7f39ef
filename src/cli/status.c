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
#include "cli/span.h"
#include "lab/span.h"
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

/* The labs over hosts that up put on them from here; how many. */
static size_t list_spans(json_t *arr, int json, bool header_done)
{
	struct vl_err err = {0};
	char **labs;
	size_t n, shown = 0;

	if (getenv("VNETLAB_PART") || vl_span_list(&labs, &n, &err) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct vl_span s;

		if (vl_span_read(labs[i], &s, &err) < 0)
			continue;
		if (!json && !shown && !header_done)
			printf("%-20s %-5s %-10s %7s  %s\n", "LAB", "ID", "STATE", "NODES", "SOURCE");
		if (json)
			json_array_append_new(
			    arr, json_pack("{s:s, s:s, s:s, s:I, s:s, s:I}", "lab", s.lab, "id", s.id,
			                   "state", "over hosts", "nodes",
			                   (json_int_t)(s.n_nodes - s.n_switches), "hosts", s.hosts,
			                   "n_hosts", (json_int_t)s.n_hosts));
		else
			printf("%-20s %-5s %-10s %7zu  over %zu hosts (%s)\n", s.lab, s.id, "over-hosts",
			       s.n_nodes - s.n_switches, s.n_hosts, s.hosts);
		shown++;
		vl_span_free(&s);
	}
	vl_strv_free(labs, n);
	return shown;
}

static int list_labs(int json)
{
	struct vl_err err = {0};
	char **labs;
	size_t n, spans;
	json_t *arr = json_array();

	if (vl_lab_list(&labs, &n, &err) < 0)
		return vl_cli_fail(&err);
	if (!json && n)
		printf("%-20s %-5s %-10s %7s  %s\n", "LAB", "ID", "STATE", "NODES", "SOURCE");
	for (size_t i = 0; i < n; i++) {
		char id[VL_LAB_ID_LEN + 1] = "-";
		const char *st = lab_state(labs[i]);
		struct vl_state s = {0};
		bool up = !strcmp(st, "up") && vl_state_load(labs[i], &s, NULL) == 0;
		json_int_t nodes = up ? (json_int_t)s.n_nodes : 0;
		const char *src = up ? s.source : NULL;

		vl_lab_read_id(labs[i], id, NULL);
		if (json)
			json_array_append_new(
			    arr, json_pack("{s:s, s:s, s:s, s:I, s:s}", "lab", labs[i], "id", id,
			                   "state", st, "nodes", nodes, "source", src ? src : ""));
		else
			printf("%-20s %-5s %-10s %7lld  %s\n", labs[i], id, st, (long long)nodes,
			       src ? src : "");
		vl_state_free(&s);
	}
	spans = list_spans(arr, json, n > 0);
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(1));
		putchar('\n');
	} else if (!n && !spans) {
		printf("no labs\n");
	}
	json_decref(arr);
	vl_strv_free(labs, n);
	return VL_EXIT_OK;
}

/* What is running of a node: its namespace (or, for a proc node, its mount
 * namespace) present, the processes in it. */
struct node_live {
	bool present;
	const struct vl_proc **procs;
	size_t n_procs;
};

/* ns nodes are their network namespace; proc nodes their mount one */
static void node_live(const char *lab, const struct vl_state_node *n, const struct vl_proc *procs,
                      size_t n_procs, struct node_live *out)
{
	char path[PATH_MAX], rel[128];
	struct vl_ns_id ino = {0, 0}, mnt;

	if (n->netns) {
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, n->netns);
		ino = vl_ns_id_of(path);
	}
	snprintf(rel, sizeof(rel), "ns/%s.mnt", n->name);
	vl_lab_path(lab, rel, path, sizeof(path));
	mnt = vl_ns_id_of(path);
	out->present = n->netns ? ino.ino != 0 : mnt.ino != 0;
	out->procs = vl_xcalloc(n_procs + 1, sizeof(*out->procs));
	for (size_t k = 0; k < n_procs; k++)
		if (vl_ns_id_eq(ino, procs[k].netns) ||
		    (!n->netns && vl_ns_id_eq(mnt, procs[k].mntns)))
			out->procs[out->n_procs++] = &procs[k];
}

/* status --json: the state as the file has it, each node with "present"
 * and "processes", the lab with "state". */
static void print_json(const struct vl_state *st, const struct node_live *live, const char *state)
{
	json_t *doc = json_deep_copy(st->doc), *nodes = json_object_get(doc, "nodes");

	for (size_t i = 0; i < st->n_nodes; i++) {
		json_t *node = json_array_get(nodes, i), *pl = json_array();

		json_object_set_new(node, "present", json_boolean(live[i].present));
		for (size_t k = 0; k < live[i].n_procs; k++)
			json_array_append_new(pl, json_pack("{s:i, s:s}", "pid",
			                                    (int)live[i].procs[k]->pid, "comm",
			                                    live[i].procs[k]->comm));
		json_object_set_new(node, "processes", pl);
	}
	json_object_set_new(doc, "state", json_string(state));
	json_dumpf(doc, stdout, JSON_INDENT(1));
	putchar('\n');
	json_decref(doc);
}

/* The lab's line, and what its state and guests call for. */
static void print_head(const char *lab, const struct vl_state *st, const char *state)
{
	const struct vl_state_vm *vm = &st->vm;
	const char *why = vm->why_not_kvm;

	printf("lab %s: id %s, %s, backend %s, source %s", lab, st->id, state, st->backend,
	       st->source);
	if (st->infra_netns) {
		printf(", switches in netns %s", st->infra_netns);
		if (st->n_infra > 1)
			printf(" .. %s (%zu namespaces)", st->infra_all[st->n_infra - 1],
			       st->n_infra);
	}
	putchar('\n');
	if (!strcmp(state, "incomplete"))
		printf("its %s did not finish: vnetlab down %s (or vnetlab clean) finishes it\n",
		       vl_lab_going_down(lab) ? "down" : "up", lab);
	if (st->has_vm)
		printf("guests: %s, %s kernel %s, machine %s%s%s%s\n", vm->accel, vm->kernel,
		       vm->kernel_path, vm->machine, why ? " (not KVM: " : "", why ? why : "",
		       why ? ")" : "");
}

static void print_nodes(const struct vl_state *st, const struct node_live *live)
{
	printf("%-16s %-7s %-36s %s\n", "NODE", "KIND", "INTERFACES", "PROCESSES");
	for (size_t i = 0; i < st->n_nodes; i++) {
		const struct vl_state_node *n = &st->nodes[i];
		struct vl_buf ifs = {0}, pr = {0};

		if (n->address)
			vl_buf_printf(&ifs, "lo %s", n->address);
		for (size_t k = 0; k < n->n_ifs; k++) {
			const struct vl_state_if *f = &n->ifs[k];
			bool named =
			    f->peer == VL_STATE_PEER_SWITCH || f->peer == VL_STATE_PEER_NODE;

			vl_buf_printf(&ifs, "%s%s %s>%s", k ? ", " : "", f->name,
			              f->address ? f->address : "-", named ? f->to : "?");
		}
		for (size_t k = 0; k < live[i].n_procs; k++)
			vl_buf_printf(&pr, "%s%s[%lld]", k ? " " : "", live[i].procs[k]->comm,
			              (long long)live[i].procs[k]->pid);
		printf("%-16s %-7s %-36s %s%s\n", n->name, n->is_guest ? "vm" : n->kind,
		       ifs.s ? ifs.s : "-", pr.s ? pr.s : "-",
		       live[i].present ? "" : "  (MISSING)");
		vl_buf_free(&ifs);
		vl_buf_free(&pr);
	}
}

/* The links whose impairments an engine carries. */
static void print_links(const struct vl_state *st)
{
	int any = 0;

	for (size_t k = 0; k < st->n_links; k++) {
		const struct vl_state_link *l = &st->links[k];
		char ends[160];

		if (l->engine && !strcmp(l->engine, "none"))
			continue;
		if (!any++)
			printf("\n%-34s %-7s %s\n", "SHAPED LINK", "ENGINE", "FORWARD / REVERSE");
		snprintf(ends, sizeof(ends), "%s - %s", l->endpoints[0], l->endpoints[1]);
		printf("%-34s %-7s %s / %s\n", ends, l->engine ? l->engine : "?",
		       l->text[0] ? l->text[0] : "-", l->text[1] ? l->text[1] : "-");
	}
}

static int show_lab(const char *lab, int json)
{
	struct vl_err err = {0};
	struct vl_proc *procs = NULL;
	size_t n_procs = 0;
	struct vl_state st;
	struct node_live *live;
	const char *state;

	if (vl_state_load(lab, &st, &err) < 0)
		return vl_cli_fail(&err);
	if (vl_engine_lab_procs(lab, &procs, &n_procs, &err) < 0) {
		vl_state_free(&st);
		return vl_cli_fail(&err);
	}
	live = vl_xcalloc(st.n_nodes + 1, sizeof(*live));
	for (size_t i = 0; i < st.n_nodes; i++)
		node_live(lab, &st.nodes[i], procs, n_procs, &live[i]);
	state = lab_state(lab);
	if (json) {
		print_json(&st, live, state);
	} else {
		print_head(lab, &st, state);
		print_nodes(&st, live);
		print_links(&st);
	}
	for (size_t i = 0; i < st.n_nodes; i++)
		free(live[i].procs);
	free(live);
	free(procs);
	vl_state_free(&st);
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
	if (vl_cli_spanned(argv[optind]))
		return vl_cli_span_status(argv[optind], json);
	return show_lab(argv[optind], json);
}
