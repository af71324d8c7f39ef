/* The `ns` node backend: a node is a persistent network namespace (bound
 * in /run/netns like `ip netns add`), a UTS namespace with its hostname and
 * a mount namespace with a private /etc/hosts, /etc/hostname and /tmp, and
 * optionally its own root (an overlay on a shared directory) and pid
 * namespace. The uts, mnt and pid namespaces are bound under the lab's
 * private ns/ directory. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "link/link.h"
#include "node/common.h"
#include "sys/ns.h"
#include "sys/rtnl_addr.h"
#include "sys/rtnl_link.h"
#include "sys/rtnl_route.h"

#define NS_FLAGS (CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWNS)

/* Inside the new namespaces: hostname, forwarding, root and files. */
static int ns_setup(const struct vl_plan *p, const struct vl_plan_node *n, struct vl_err *err)
{
	if (sethostname(n->name, strlen(n->name)) < 0)
		return vl_err_sys(err, errno, "set hostname");
	/* No /proc/sys writes here but for routers: with thousands of
	 * namespaces every /proc/sys lookup gets slower (IPv6 is switched off
	 * per interface through netlink instead). */
	if (n->forward && vl_sysctl_write("net/ipv4/ip_forward", "1", err) < 0)
		return -1;
	if (n->res.rootfs)
		return vl_node_pivot_rootfs(p, n, err);
	return vl_node_bind_files(p, n, true, err);
}

static int ns_create(struct vl_node_ctx *ctx, size_t i, struct vl_err *err)
{
	return vl_node_make(ctx, i, NS_FLAGS, ns_setup, err);
}

/* Each interface: IPv6 off unless the node wants it, its link's end
 * (shaping, MTU), up, its address; then the node's routes. */
static int ns_configure(const struct vl_node_lab *l, struct vl_nl *nl, size_t i, struct vl_err *err)
{
	const struct vl_plan_node *n = &l->plan->nodes[i];
	char what[96], ip[16];

	for (size_t j = 0; j < n->n_ifs; j++) {
		const struct vl_plan_veth *ve = &l->plan->veths[n->ifs[j].veth];
		int ifindex = vl_plan_node_ifindex((int)j);

		snprintf(what, sizeof(what), "node %s: switch IPv6 off on %s", n->name,
		         n->ifs[j].name);
		if (!n->ipv6 && l->have_ipv6 && vl_rtnl_link_ipv6_off(nl, ifindex, what, err) < 0)
			return -1;
		snprintf(what, sizeof(what), "node %s: shape %s", n->name, n->ifs[j].name);
		if (vl_link_backend_for(ve->user)->configure(
		        nl, ifindex, &ve->egress[n->ifs[j].end], ve->mtu, what, err) < 0)
			return -1;
		snprintf(what, sizeof(what), "node %s: set %s up", n->name, n->ifs[j].name);
		if (vl_rtnl_link_set_up(nl, ifindex, true, what, err) < 0)
			return -1;
		if (!n->ifs[j].addr)
			continue;
		vl_fmt_ip(n->ifs[j].addr, ip);
		snprintf(what, sizeof(what), "node %s: add address %s/%d to %s", n->name, ip,
		         n->ifs[j].prefix, n->ifs[j].name);
		if (vl_rtnl_addr_add(nl, ifindex, n->ifs[j].addr, n->ifs[j].prefix, what, err) < 0)
			return -1;
	}
	for (size_t k = 0; k < n->n_routes; k++) {
		const struct vl_plan_route *rt = &n->routes[k];

		vl_fmt_ip(rt->dst, ip);
		snprintf(what, sizeof(what), "node %s: add route %s/%d", n->name, ip, rt->prefix);
		if (vl_rtnl_route_add(nl, rt->dst, rt->prefix, rt->via,
		                      vl_plan_node_ifindex(rt->oif), what, err) < 0)
			return -1;
	}
	return 0;
}

static int ns_spawn(const struct vl_node_ref *n, const struct vl_spawn *s, struct vl_child *c,
                    struct vl_err *err)
{
	return vl_node_host_spawn(n, NS_FLAGS, s, c, err);
}

static int ns_stats(const struct vl_node_ref *n, const char *netns, struct vl_node_stats *st,
                    struct vl_err *err)
{
	return vl_node_if_stats(netns, NULL, st, err);
}

static int ns_if_stats(const char *netns, struct vl_node_stats *st, struct vl_err *err)
{
	return vl_node_if_stats(netns, NULL, st, err);
}

const struct vl_node_backend vl_node_ns = {
    .name = "ns",
    .own_netns = true,
    .own_sysctls = "net",
    .nodes_are = "",
    .limits = vl_node_limits,
    .worker_init = vl_node_worker_init,
    .worker_fini = vl_node_worker_fini,
    .create = ns_create,
    .configure = ns_configure,
    .spawn = ns_spawn,
    .stats = ns_stats,
    .if_stats = ns_if_stats,
};
