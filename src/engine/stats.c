/* Per-node accounting: cgroup counters, and what each node's backend
 * counts of it (its interfaces, a guest's own figures). */
#include "engine/stats.h"

#include <errno.h>
#include <fcntl.h>
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
	struct vl_state st;
	const struct vl_cgroup_manager *cg = NULL;
	char path[PATH_MAX], *s, id[VL_LAB_ID_LEN + 1];
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (vl_state_load(lab, &st, err) < 0)
		return -1;
	if (vl_lab_own_id(lab, id, err) < 0)
		goto out;
	snprintf(out->lab, sizeof(out->lab), "%s", lab);
	snprintf(out->backend, sizeof(out->backend), "%s", st.backend);
	vl_lab_path(lab, "cgroup", path, sizeof(path));
	if (vl_read_file(path, &s, NULL, NULL) == 0) {
		cg = vl_cgroup_get(s, NULL);
		if (cg)
			snprintf(out->cgroup, sizeof(out->cgroup), "%s", cg->name);
		free(s);
	}
	out->nodes = vl_xcalloc(st.n_nodes + 1, sizeof(*out->nodes));
	out->when = vl_now();
	for (size_t i = 0; i < st.n_nodes; i++) {
		const struct vl_state_node *n = &st.nodes[i];
		struct vl_node_stats *ns = &out->nodes[out->n_nodes++];
		struct vl_node_ref ref = {.be = vl_node_backend_named(n->backend)};

		snprintf(ns->name, sizeof(ns->name), "%s", n->name);
		if (cg) {
			char cgpath[160];

			snprintf(cgpath, sizeof(cgpath), "vnetlab/%s/%s", lab, ns->name);
			ns->have_cgroup = cg->stats(cgpath, &ns->cg, NULL) == 0;
		}
		snprintf(ref.lab, sizeof(ref.lab), "%s", lab);
		snprintf(ref.node, sizeof(ref.node), "%s", ns->name);
		if (!ref.be)
			ref.be = vl_node_backend_for(VL_BACKEND_NS);
		if (n->netns && ref.be->stats(&ref, n->netns, ns, err) < 0) {
			vl_err_wrap(err, "node %s", ns->name);
			goto out;
		}
	}
	r = 0;
out:
	vl_state_free(&st);
	if (r < 0)
		vl_lab_stats_free(out);
	return r;
}

int vl_lab_node_netns(const char *lab, const char *node, char *buf, size_t len, struct vl_err *err)
{
	struct vl_state st;
	const struct vl_state_node *n;
	char id[VL_LAB_ID_LEN + 1];
	int r = -1;

	if (vl_state_load(lab, &st, err) < 0)
		return -1;
	if (vl_lab_own_id(lab, id, err) < 0)
		goto out;
	if (!(n = vl_state_node(&st, node)))
		vl_err_set(err, ENOENT, "lab %s has no node %s", lab, node);
	else if (!n->netns)
		r = 1;
	else
		r = snprintf(buf, len, "%s", n->netns) < 0 ? -1 : 0;
out:
	vl_state_free(&st);
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
