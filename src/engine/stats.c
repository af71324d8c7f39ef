/* Per-node accounting: cgroup counters, and what each node's backend
 * counts of it (its interfaces, a guest's own figures). */
#include "engine/stats.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "lab/lab.h"
#include "engine/state.h"
#include "node/node.h"
#include "sys/netlink.h"
#include "sys/ns.h"

int vl_lab_stats_get(const char *lab, struct vl_lab_stats *out, struct vl_err *err)
{
	json_t *st = vl_state_load(lab, err), *nodes, *node;
	const struct vl_cgroup_manager *cg = NULL;
	char path[PATH_MAX], *s, id[VL_LAB_ID_LEN + 1];
	int r = -1;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
	if (vl_lab_own_id(lab, id, err) < 0) {
		json_decref(st);
		return -1;
	}
	snprintf(out->lab, sizeof(out->lab), "%s", lab);
	snprintf(out->backend, sizeof(out->backend), "%s",
	         json_string_value(json_object_get(st, "backend")) ?: "ns");
	vl_lab_path(lab, "cgroup", path, sizeof(path));
	if (vl_read_file(path, &s, NULL, NULL) == 0) {
		cg = vl_cgroup_get(s, NULL);
		if (cg)
			snprintf(out->cgroup, sizeof(out->cgroup), "%s", cg->name);
		free(s);
	}
	nodes = json_object_get(st, "nodes");
	out->nodes = vl_xcalloc(json_array_size(nodes) + 1, sizeof(*out->nodes));
	out->when = vl_now();
	json_array_foreach(nodes, i, node)
	{
		struct vl_node_stats *ns = &out->nodes[out->n_nodes++];
		const char *name = json_string_value(json_object_get(node, "name"));
		const char *netns = json_string_value(json_object_get(node, "netns"));

		snprintf(ns->name, sizeof(ns->name), "%s", name ? name : "?");
		/* names from state.json become paths and namespaces: the lab's own */
		if (!name || vl_name_invalid(name) ||
		    (netns &&
		     (!vl_lab_tagged(id, netns) || strcmp(netns + 2 + VL_LAB_ID_LEN + 1, name)))) {
			vl_err_set(err, EPERM,
			           "state.json: node %s in %s: not the lab's own; refused",
			           name ? name : "?", netns ? netns : "-");
			goto out;
		}
		if (cg) {
			char cgpath[160];

			snprintf(cgpath, sizeof(cgpath), "vnetlab/%s/%s", lab, ns->name);
			ns->have_cgroup = cg->stats(cgpath, &ns->cg, NULL) == 0;
		}
		struct vl_node_ref ref = {.be = vl_node_backend_named(
		                              json_string_value(json_object_get(node, "backend")))};

		snprintf(ref.lab, sizeof(ref.lab), "%s", lab);
		snprintf(ref.node, sizeof(ref.node), "%s", ns->name);
		if (!ref.be)
			ref.be = vl_node_backend_for(VL_BACKEND_NS);
		if (netns && ref.be->stats(&ref, netns, ns, err) < 0) {
			vl_err_wrap(err, "node %s", ns->name);
			goto out;
		}
	}
	r = 0;
out:
	json_decref(st);
	if (r < 0)
		vl_lab_stats_free(out);
	return r;
}

int vl_lab_node_netns(const char *lab, const char *node, char *buf, size_t len, struct vl_err *err)
{
	json_t *st = vl_state_load(lab, err), *n;
	char id[VL_LAB_ID_LEN + 1];
	int r = -1;
	size_t i;

	if (!st)
		return -1;
	if (vl_lab_own_id(lab, id, err) < 0)
		goto out;
	json_array_foreach(json_object_get(st, "nodes"), i, n)
	{
		const char *name = json_string_value(json_object_get(n, "name"));
		const char *netns = json_string_value(json_object_get(n, "netns"));

		if (!name || strcmp(name, node))
			continue;
		if (!netns) {
			r = 1;
			goto out;
		}
		if (!vl_lab_tagged(id, netns) || strcmp(netns + 2 + VL_LAB_ID_LEN + 1, name)) {
			vl_err_set(err, EPERM,
			           "state.json: node %s in %s: not the lab's own; refused", name,
			           netns);
			goto out;
		}
		snprintf(buf, len, "%s", netns);
		r = 0;
		goto out;
	}
	vl_err_set(err, ENOENT, "lab %s has no node %s", lab, node);
out:
	json_decref(st);
	return r;
}

void vl_lab_stats_free(struct vl_lab_stats *s)
{
	for (size_t i = 0; i < s->n_nodes; i++) {
		free(s->nodes[i].ifs);
		free(s->nodes[i].guest);
	}
	free(s->nodes);
	s->nodes = NULL;
	s->n_nodes = 0;
}
