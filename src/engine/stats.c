/* Per-node accounting: cgroup counters, and interface counters read with
 * an RTM_GETLINK dump inside each node's network namespace. */
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
#include "engine/lab.h"
#include "engine/state.h"
#include "node/node.h"
#include "vm/client.h"
#include "sys/netlink.h"
#include "sys/ns.h"

struct if_dump {
	struct vl_node_stats *node;
	size_t cap;
	bool vm;
};

static int link_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= IFLA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct if_dump *d = data;
	const struct nlattr *tb[IFLA_MAX + 1] = {0};
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct vl_if_stats *s;
	struct rtnl_link_stats64 st;

	mnl_attr_parse(nlh, sizeof(*ifi), link_attr, tb);
	if (!tb[IFLA_IFNAME] || !tb[IFLA_STATS64] || ifi->ifi_index == 1)
		return MNL_CB_OK; /* lo is not a link of the lab */
	if (d->vm && !strncmp(mnl_attr_get_str(tb[IFLA_IFNAME]), "vt", 2))
		return MNL_CB_OK; /* a guest's TAP: the mirror of the node's own interface */
	vl_grow(&d->node->ifs, &d->cap, d->node->n_ifs, sizeof(*d->node->ifs));
	s = &d->node->ifs[d->node->n_ifs++];
	snprintf(s->name, sizeof(s->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	memset(&st, 0, sizeof(st));
	memcpy(&st, mnl_attr_get_payload(tb[IFLA_STATS64]),
	       mnl_attr_get_payload_len(tb[IFLA_STATS64]) < sizeof(st)
	           ? mnl_attr_get_payload_len(tb[IFLA_STATS64])
	           : sizeof(st));
	s->rx_bytes = st.rx_bytes;
	s->rx_packets = st.rx_packets;
	s->rx_dropped = st.rx_dropped;
	s->rx_errors = st.rx_errors;
	s->tx_bytes = st.tx_bytes;
	s->tx_packets = st.tx_packets;
	s->tx_dropped = st.tx_dropped;
	s->tx_errors = st.tx_errors;
	return MNL_CB_OK;
}

/* Interface counters of one node, from inside its network namespace. */
static int node_ifs(const char *netns, int host, struct vl_node_stats *ns, bool vm,
                    struct vl_err *err)
{
	char path[PATH_MAX];
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct if_dump d = {.node = ns, .vm = vm};
	struct vl_nl nl;
	int r;

	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, netns);
	if (vl_ns_enter_path(path, CLONE_NEWNET, err) < 0)
		return -1;
	r = vl_nl_open(&nl, err);
	if (setns(host, CLONE_NEWNET) < 0) {
		fprintf(stderr, "vnetlab: cannot return to the host network namespace\n");
		abort();
	}
	if (r < 0)
		return -1;
	r = vl_nl_dump(&nl, RTM_GETLINK, sizeof(ifi), &ifi, link_cb, &d, err);
	vl_nl_close(&nl);
	return r;
}

/* A guest's own figures, from its agent (a guest that does not answer in
 * time has none). */
static void guest_stats(const char *lab, struct vl_node_stats *ns)
{
	int fd = vl_node_vm_connect(lab, ns->name, 5, NULL);

	if (fd < 0)
		return;
	ns->guest = vl_xcalloc(1, sizeof(*ns->guest));
	if (vl_agent_stats(fd, ns->guest, 5, NULL) < 0) {
		free(ns->guest);
		ns->guest = NULL;
	}
	close(fd);
}

int vl_lab_stats_get(const char *lab, struct vl_lab_stats *out, struct vl_err *err)
{
	json_t *st = vl_state_load(lab, err), *nodes, *node;
	const struct vl_cgroup_manager *cg = NULL;
	char path[PATH_MAX], *s;
	int host = -1, r = -1;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
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
	host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (host < 0) {
		vl_err_sys(err, errno, "open own network namespace");
		goto out;
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
		if (cg) {
			char cgpath[160];

			snprintf(cgpath, sizeof(cgpath), "vnetlab/%s/%s", lab, ns->name);
			ns->have_cgroup = cg->stats(cgpath, &ns->cg, NULL) == 0;
		}
		bool vm = json_object_get(node, "vm") != NULL;

		if (netns && strcmp(out->backend, "proc") &&
		    node_ifs(netns, host, ns, vm, err) < 0) {
			vl_err_wrap(err, "node %s", ns->name);
			goto out;
		}
		if (vm)
			guest_stats(lab, ns);
	}
	r = 0;
out:
	if (host >= 0)
		close(host);
	json_decref(st);
	if (r < 0)
		vl_lab_stats_free(out);
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
