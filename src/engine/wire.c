/* The network phases of `up`: the infra namespaces with the lab's bridges;
 * nodes built by the workers and, from inside each, its links' ends and
 * its configuration, with interface indexes chosen by the plan (no
 * lookups); switch ports joining their bridges (batched, in the infra
 * namespaces); links between two nodes and the configuration of those
 * nodes. Nodes and links act through their backends' tables. Touches the
 * lab's namespaces, its cgroups and /run/netns; in the host's network
 * namespace only the host ends of the management network's ports and of
 * host and mgmt-net links. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/internal.h"
#include "link/link.h"
#include "sys/ns.h"
#include "sys/rtnl_bridge.h"
#include "sys/rtnl_link.h"

static int end_master(const struct vl_plan_end *end)
{
	return end->bridge >= 0 ? 2 + end->bridge : 0;
}

static void netns_path(const char *netns, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", VL_NETNS_RUN_DIR, netns);
}

/* --- the infra namespaces ---------------------------------------------- */

struct infra_arg {
	struct engine *e;
	size_t k;
	const char *path;
};

/* In a new network namespace: IPv6 off unless asked for, the engine's
 * socket there, and the namespace bound at its path. */
static int infra_setup(void *data, struct vl_err *err)
{
	struct infra_arg *a = data;
	const struct vl_plan *p = a->e->plan;
	cleanup_close int self = -1;

	if (!p->topo->ipv6 && access("/proc/sys/net/ipv6", F_OK) == 0 &&
	    vl_sysctl_write("net/ipv6/conf/default/disable_ipv6", "1", err) < 0)
		return -1;
	if (vl_nl_open(&a->e->infra[a->k], err) < 0)
		return -1;
	if ((self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		return vl_err_sys(err, errno, "open network namespace %s", p->infras[a->k]);
	if (vl_ns_bind_fd(self, a->path, err) < 0)
		return -1;
	a->e->infra_fd[a->k] = self;
	self = -1;
	return 0;
}

int vl_engine_create_infra(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	char path[PATH_MAX];
	int r;

	e->n_infra = p->n_infras;
	e->infra = vl_xcalloc(e->n_infra, sizeof(*e->infra));
	e->infra_fd = vl_xcalloc(e->n_infra, sizeof(*e->infra_fd));
	for (size_t k = 0; k < e->n_infra; k++)
		e->infra_fd[k] = -1;
	for (size_t k = 0; k < p->n_infras; k++) {
		netns_path(p->infras[k], path, sizeof(path));
		if (vl_journal_netns(&e->j, p->infras[k], err) < 0)
			return -1;
		if (vl_netns_run(NULL, infra_setup, &(struct infra_arg){e, k, path}, err) < 0)
			return vl_err_wrap(err, "network namespace %s", p->infras[k]);
	}
	r = vl_journal_step(&e->j, "create bridges", err);
	for (size_t k = 0; r == 0 && k < p->n_bridges; k++)
		r = vl_rtnl_bridge_add(&e->infra[p->bridges[k].infra], p->bridges[k].name,
		                       2 + (int)k, p->topo->mtu, p->topo->stp, err);
	for (size_t k = 0; r == 0 && k < p->n_infras; k++)
		r = vl_nl_flush(&e->infra[k], err);
	return r;
}

void vl_engine_close_infra(struct engine *e)
{
	for (size_t k = 0; k < e->n_infra; k++) {
		if (e->infra[k].sock)
			vl_nl_close(&e->infra[k]);
		if (e->infra_fd[k] >= 0)
			close(e->infra_fd[k]);
	}
	free(e->infra);
	free(e->infra_fd);
	e->infra = NULL;
	e->infra_fd = NULL;
	e->n_infra = 0;
}

/* Flush every infra namespace's socket. */
static int flush_infra(struct engine *e, struct vl_err *err)
{
	for (size_t k = 0; k < e->n_infra; k++)
		if (vl_nl_flush(&e->infra[k], err) < 0)
			return -1;
	return 0;
}

/* --- nodes --------------------------------------------------------------- */

/* Has node i a link to another node made whole from one side (configured
 * only once both exist)? */
static bool has_p2p(const struct vl_plan *p, size_t i)
{
	const struct vl_plan_node *n = &p->nodes[i];

	for (size_t j = 0; j < n->n_ifs; j++) {
		const struct vl_plan_veth *ve = &p->veths[n->ifs[j].veth];

		if (ve->end[!n->ifs[j].end].ns >= 0 && vl_link_backend_for(ve->user)->pair)
			return true;
	}
	return false;
}

/* Queue node i's configuration: lo up, then its backend's. */
static int configure_node(struct engine *e, struct vl_nl *nl, size_t i, struct vl_err *err)
{
	char what[96];

	snprintf(what, sizeof(what), "node %s: set lo up", e->plan->nodes[i].name);
	if (vl_rtnl_link_set_up(nl, 1, true, what, err) < 0)
		return -1;
	return vl_node_backend_of(e->plan, i)->configure(vl_engine_node_lab(e, i), nl, i, err);
}

/* Interface j of node i whose other end is in the host's namespace (its
 * management interface, a host or mgmt-net link), from inside the node
 * (the kernel takes a veth's peer ifindex only when it is given one for
 * the first end too): its node end with the plan's ifindex, its host end
 * into the host's namespace, then, from a socket there, up and, for the
 * management network, a port of its bridge. */
static int wire_host_end(struct engine *e, struct vl_nl *nl, struct vl_nl *host, int host_fd,
                         size_t i, size_t j, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	const struct vl_plan_node *n = &p->nodes[i];
	const struct vl_plan_veth *ve = &p->veths[n->ifs[j].veth];
	struct vl_rtnl_veth_end a = {.name = n->ifs[j].name,
	                             .ifindex = vl_plan_node_ifindex((int)j),
	                             .ns_fd = -1,
	                             .mac = vl_plan_if_mac(p, i, j)},
	                        b = {.name = ve->end[1].ifname, .ns_fd = host_fd};
	char what[96];

	if (ve->on_mgmt)
		snprintf(what, sizeof(what), "node %s: attach %s to %s", n->name, b.name,
		         p->mgmt.bridge);
	else
		snprintf(what, sizeof(what), "node %s: set %s up in the host", n->name, b.name);
	if (vl_rtnl_link_add_veth(nl, &a, &b, ve->mtu, err) < 0 || vl_nl_flush(nl, err) < 0 ||
	    vl_rtnl_link_set_master_name(host, b.name, ve->on_mgmt ? e->mgmt_ifindex : 0, what,
	                                 err) < 0)
		return -1;
	return vl_nl_flush(host, err);
}

/* Interface j of node i as a dummy device (a dummy link). */
static int wire_dummy(struct engine *e, struct vl_nl *nl, size_t i, size_t j, struct vl_err *err)
{
	const struct vl_plan_node *n = &e->plan->nodes[i];
	const struct vl_plan_veth *ve = &e->plan->veths[n->ifs[j].veth];

	if (vl_rtnl_link_add_dummy(nl, n->ifs[j].name, vl_plan_node_ifindex((int)j), ve->mtu,
	                           vl_plan_if_mac(e->plan, i, j), err) < 0)
		return -1;
	if (vl_nl_flush(nl, err) < 0) {
		if (err->code == EOPNOTSUPP)
			vl_err_set(err, EOPNOTSUPP,
			           "node %s: dummy link %s: this kernel has no dummy devices "
			           "(CONFIG_DUMMY, module dummy)",
			           n->name, n->ifs[j].name);
		return -1;
	}
	return 0;
}

/* Interface j of node i, a link to a node or switch on another host: a
 * VXLAN device from the host's namespace into the node's (we are in it). */
static int wire_remote(struct engine *e, struct vl_nl *host, size_t i, size_t j,
                       struct vl_err *err)
{
	const struct vl_plan_node *n = &e->plan->nodes[i];
	cleanup_close int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (self < 0)
		return vl_err_sys(err, errno, "node %s: open its network namespace", n->name);
	if (vl_engine_vxlan_end(e, host, (size_t)n->ifs[j].veth, n->ifs[j].end,
	                        vl_plan_node_ifindex((int)j), self, vl_plan_if_mac(e->plan, i, j),
	                        err) < 0)
		return vl_err_wrap(err, "node %s", n->name);
	return 0;
}

/* Wire node i from inside its network namespace: its links' ends (a veth
 * to a switch is made whole here, its switch end straight into its infra
 * namespace, on its bridge and up; its management interface from the
 * host's side), the rest of
 * its host side (its backend's), and, unless it also has links to other
 * nodes (configured once those exist), its configuration, in one netlink
 * round trip. */
static int wire_node(struct engine *e, size_t i, struct vl_nl *host, int host_fd,
                     struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	const struct vl_plan_node *n = &p->nodes[i];
	const struct vl_node_backend *be = vl_node_backend_of(p, i);
	struct vl_nl nl;
	int r = 0;

	if (vl_nl_open(&nl, err) < 0)
		return -1;
	for (size_t j = 0; r == 0 && j < n->n_ifs; j++) {
		const struct vl_plan_veth *ve = &p->veths[n->ifs[j].veth];
		const struct vl_link_backend *lb = vl_link_backend_for(ve->user);
		int pe = !n->ifs[j].end;
		const struct vl_plan_end *peer = &ve->end[pe];
		struct vl_rtnl_veth_end a = {.name = n->ifs[j].name,
		                             .ifindex = vl_plan_node_ifindex((int)j),
		                             .ns_fd = -1,
		                             .mac = vl_plan_if_mac(p, i, j)},
		                        b = {.name = peer->ifname,
		                             .ifindex = vl_plan_infra_ifindex(
		                                 p, (size_t)n->ifs[j].veth, pe),
		                             .ns_fd = -1};

		if (peer->ns == VL_PLAN_HOST) {
			r = wire_host_end(e, &nl, host, host_fd, i, j, err);
		} else if (peer->ns == VL_PLAN_REMOTE) {
			r = wire_remote(e, host, i, j, err);
		} else if (peer->ns == VL_PLAN_NONE) {
			r = wire_dummy(e, &nl, i, j, err);
		} else if (lb->pair && peer->ns == VL_PLAN_INFRA) {
			/* The switch end first, made in its namespace, on its
			 * bridge and up: a port that is down would wait in the
			 * kernel's link watch list, which every urgent pass
			 * walks whole (quadratic in the ports of a lab). */
			b.ns_fd = e->infra_fd[vl_plan_end_infra(p, peer)];
			b.master = end_master(peer);
			b.up = true;
			r = lb->make(&nl, &b, &a, ve->mtu, err);
		} else if (!lb->pair) {
			r = lb->make(&nl, &a, &b, ve->mtu, err);
		}
	}
	if (r == 0 && be->wire)
		r = be->wire(p, i, err);
	if (r == 0 && !has_p2p(p, i))
		r = configure_node(e, &nl, i, err);
	if (r == 0)
		r = vl_nl_flush(&nl, err);
	vl_nl_close(&nl);
	return r;
}

/* In a worker, for nodes w, w+nw, ...: the node's cgroup, its namespaces
 * (its backend's create()), and for nodes with a network namespace their
 * wiring. Nodes are built on every CPU at once. */
static int build_share(struct engine *e, size_t w, size_t nw, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	struct vl_node_ctx ctx[VL_ARRAY_SIZE(e->labs)];
	long base = e->j.step;
	cleanup_close int host_fd = -1;
	struct vl_nl host = {0};
	int r = 0;

	/* a worker starts in the host's namespace: a socket there for the
	 * management ports */
	if ((vl_plan_host_ends(p) || p->part >= 0) &&
	    ((host_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) < 0 ||
	     vl_nl_open(&host, err) < 0))
		return host_fd < 0 ? vl_err_sys(err, errno, "open the host's network namespace")
		                   : -1;
	for (size_t k = 0; k < e->n_labs; k++)
		ctx[k] = (struct vl_node_ctx){.plan = p,
		                              .host_mnt = -1,
		                              .host_pid = -1,
		                              .base_mnt = -1,
		                              .self_exe = -1,
		                              .proc = -1};
	for (size_t i = w; i < p->n_nodes && r == 0; i += nw) {
		const struct vl_plan_node *n = &p->nodes[i];
		const struct vl_node_backend *be = vl_node_backend_of(p, i);
		struct vl_node_ctx *c = &ctx[vl_engine_lab_index(e, be)];

		if (e->j.fail_at == base + (long)i + 1) {
			r = vl_err_set(err, 0, "injected failure at step %ld (create node %s)",
			               base + (long)i + 1, n->name);
			break;
		}
		if (!c->ready && (r = be->worker_init(c, err)) < 0)
			break;
		c->ready = true;
		if (e->cg) {
			struct vl_cg_limits lim;

			be->limits(n, &lim);
			if ((r = e->cg->create(n->cgroup, &lim, err)) < 0) {
				vl_err_wrap(err, "node %s", n->name);
				break;
			}
		}
		if ((r = be->create(c, i, err)) < 0)
			break;
		if (e->cg && c->last_init > 0 &&
		    (r = e->cg->attach(n->cgroup, c->last_init, err)) < 0)
			break;
		/* create() left us in the node's network namespace. */
		if (be->own_netns)
			r = wire_node(e, i, &host, host_fd, err);
	}
	if (host.sock)
		vl_nl_close(&host);
	for (size_t k = 0; k < e->n_labs; k++)
		if (ctx[k].ready)
			e->labs[k].be->worker_fini(&ctx[k]);
	return r;
}

int vl_engine_build_nodes(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	cleanup_free char **names = vl_xcalloc(p->n_nodes + 1, sizeof(*names));
	size_t n = 0;

	for (size_t i = 0; i < p->n_nodes; i++)
		if (vl_node_backend_of(p, i)->own_netns)
			names[n++] = (char *)p->nodes[i].netns;
	if (vl_journal_netns_many(&e->j, names, n, err) < 0 ||
	    vl_engine_run_workers(e, build_share, p->n_nodes, err) < 0)
		return -1;
	e->j.step += (long)p->n_nodes;
	return 0;
}

/* --- switch ports ------------------------------------------------------- */

struct infra_ends_arg {
	const struct vl_plan *p;
	int infra;
};

/* In infra namespace k: the switch ends there of links whose ends are
 * made one at a time (linkd's TAPs). */
static int make_infra_ends(void *data, struct vl_err *err)
{
	const struct infra_ends_arg *arg = data;
	const struct vl_plan *p = arg->p;

	for (size_t v = 0; v < p->n_veths; v++) {
		const struct vl_link_backend *lb = vl_link_backend_for(p->veths[v].user);

		for (int k = 0; !lb->pair && k < 2; k++) {
			const struct vl_plan_end *end = &p->veths[v].end[k];
			struct vl_rtnl_veth_end a = {.name = end->ifname,
			                             .ifindex = vl_plan_infra_ifindex(p, v, k),
			                             .ns_fd = -1};

			if (end->ns == VL_PLAN_INFRA && vl_plan_end_infra(p, end) == arg->infra &&
			    lb->make(NULL, &a, NULL, 0, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* A switch-to-switch veth (a cascade uplink too), each end on its
 * bridge: made from end 0's namespace, end 1 put into its own (flushed at
 * once when that is another, whose socket sets its master). */
static int make_switch_link(struct engine *e, size_t v, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	const struct vl_plan_veth *ve = &p->veths[v];
	int i0 = vl_plan_end_infra(p, &ve->end[0]), i1 = vl_plan_end_infra(p, &ve->end[1]);
	struct vl_rtnl_veth_end a = {.name = ve->end[0].ifname,
	                             .ifindex = vl_plan_infra_ifindex(p, v, 0),
	                             .ns_fd = -1,
	                             .master = end_master(&ve->end[0]),
	                             .up = true},
	                        b = {.name = ve->end[1].ifname,
	                             .ifindex = vl_plan_infra_ifindex(p, v, 1),
	                             .ns_fd = i0 == i1 ? -1 : e->infra_fd[i1]};
	char what[96];

	if (vl_link_backend_for(ve->user)->make(&e->infra[i0], &a, &b, ve->mtu, err) < 0 ||
	    (i0 != i1 && vl_nl_flush(&e->infra[i0], err) < 0))
		return -1;
	snprintf(what, sizeof(what), "attach %s to %s", b.name, p->bridges[ve->end[1].bridge].name);
	return vl_rtnl_link_set_master(&e->infra[i1], b.ifindex, end_master(&ve->end[1]), what,
	                               err);
}

/* The switch end k of veth v, a link to another host: a VXLAN device
 * from the host's namespace into the switch's. */
static int vxlan_switch_end(struct engine *e, size_t v, int k, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	struct vl_nl host;
	int r;

	if (vl_nl_open(&host, err) < 0)
		return -1;
	r = vl_engine_vxlan_end(e, &host, v, k, vl_plan_infra_ifindex(p, v, k),
	                        e->infra_fd[vl_plan_end_infra(p, &p->veths[v].end[k])], NULL,
	                        err);
	vl_nl_close(&host);
	return r;
}

/* Switch ends are shaped, linkd's TAPs join their bridges;
 * switch-to-switch veths (cascade uplinks too) are made here. */
int vl_engine_attach_switch_ports(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	char what[96], path[PATH_MAX];
	int r = vl_journal_step(&e->j, "attach switch ports", err);
	bool single = false;

	for (size_t v = 0; v < p->n_veths; v++)
		single |= !vl_link_backend_for(p->veths[v].user)->pair;
	for (size_t k = 0; r == 0 && single && k < p->n_infras; k++) {
		netns_path(p->infras[k], path, sizeof(path));
		r = vl_netns_run(path, make_infra_ends, &(struct infra_ends_arg){p, (int)k}, err);
	}
	for (size_t v = 0; r == 0 && v < p->n_veths; v++) {
		const struct vl_plan_veth *ve = &p->veths[v];
		const struct vl_link_backend *lb = vl_link_backend_for(ve->user);

		if (lb->pair && ve->end[0].ns == VL_PLAN_INFRA && ve->end[1].ns == VL_PLAN_INFRA)
			r = make_switch_link(e, v, err);
		for (int k = 0; r == 0 && k < 2; k++) {
			const struct vl_plan_end *end = &ve->end[k];
			/* a veth's switch end is on its bridge from the start
			 * (made by its node, or above); a link across hosts'
			 * is made here */
			bool remote = ve->end[!k].ns == VL_PLAN_REMOTE;
			bool attached = lb->pair && !remote;
			int ifindex = vl_plan_infra_ifindex(p, v, k);
			struct vl_nl *nl;

			if (end->ns != VL_PLAN_INFRA)
				continue;
			if (remote && (r = vxlan_switch_end(e, v, k, err)) < 0)
				break;
			nl = &e->infra[vl_plan_end_infra(p, end)];
			snprintf(what, sizeof(what), "shape %s", end->ifname);
			r = lb->configure(nl, ifindex, &ve->egress[k], ve->mtu, what, err);
			if (r < 0 || attached)
				continue;
			snprintf(what, sizeof(what), "attach %s to %s", end->ifname,
			         p->bridges[end->bridge].name);
			r = vl_rtnl_link_set_master(nl, ifindex, end_master(end), what, err);
		}
	}
	if (r == 0)
		r = flush_infra(e, err);
	return r;
}

/* --- links between nodes ------------------------------------------------- */

/* Links between two nodes made whole from one side: from inside the
 * first, the other end put into the second's namespace. */
static int create_p2p_links(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	char path[PATH_MAX];
	int r = vl_journal_step(&e->j, "create node-to-node links", err);

	for (size_t v = 0; r == 0 && v < p->n_veths; v++) {
		const struct vl_plan_veth *ve = &p->veths[v];
		const struct vl_link_backend *lb = vl_link_backend_for(ve->user);
		struct vl_rtnl_veth_end a = {.name = ve->end[0].ifname,
		                             .ifindex = vl_plan_node_ifindex(ve->end[0].node_if),
		                             .ns_fd = -1},
		                        b = {.name = ve->end[1].ifname,
		                             .ifindex = vl_plan_node_ifindex(ve->end[1].node_if),
		                             .ns_fd = -1};
		cleanup_close int peer = -1;
		struct vl_nl nl;

		if (!lb->pair || ve->end[0].ns < 0 || ve->end[1].ns < 0)
			continue;
		a.mac = vl_plan_if_mac(p, (size_t)ve->end[0].ns, (size_t)ve->end[0].node_if);
		b.mac = vl_plan_if_mac(p, (size_t)ve->end[1].ns, (size_t)ve->end[1].node_if);
		netns_path(p->nodes[ve->end[1].ns].netns, path, sizeof(path));
		if ((peer = b.ns_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return vl_err_sys(err, errno, "open %s", path);
		if ((r = vl_nl_open_in(&nl, p->nodes[ve->end[0].ns].netns, err)) < 0)
			break;
		r = lb->make(&nl, &a, &b, ve->mtu, err);
		if (r == 0)
			r = vl_nl_flush(&nl, err);
		vl_nl_close(&nl);
	}
	return r;
}

/* In a worker: nodes with links to other nodes, now that both ends exist. */
static int configure_share(struct engine *e, size_t w, size_t nw, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	long base = e->j.step;

	for (size_t i = w; i < p->n_nodes; i += nw) {
		const struct vl_plan_node *n = &p->nodes[i];
		struct vl_nl nl;
		int r;

		if (e->j.fail_at == base + (long)i + 1)
			return vl_err_set(err, 0,
			                  "injected failure at step %ld (configure node %s)",
			                  base + (long)i + 1, n->name);
		if (!has_p2p(p, i))
			continue;
		if (vl_nl_open_in(&nl, n->netns, err) < 0)
			return vl_err_wrap(err, "node %s", n->name);
		r = configure_node(e, &nl, i, err);
		if (r == 0)
			r = vl_nl_flush(&nl, err);
		vl_nl_close(&nl);
		if (r < 0)
			return -1;
	}
	return 0;
}

int vl_engine_link_nodes(struct engine *e, struct vl_err *err)
{
	if (create_p2p_links(e, err) < 0 ||
	    vl_engine_run_workers(e, configure_share, e->plan->n_nodes, err) < 0)
		return -1;
	e->j.step += (long)e->plan->n_nodes;
	return 0;
}
