/* The `ns` node backend: a node is a persistent network namespace (bound
 * in /run/netns like `ip netns add`), a UTS namespace with its hostname and
 * a mount namespace with a private /etc/hosts, /etc/hostname and /tmp, and
 * optionally its own root (an overlay on a shared directory) and pid
 * namespace. The uts, mnt and pid namespaces are bound under the lab's
 * private ns/ directory. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "node/common.h"
#include "sys/ns.h"

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

static int ns_enter(const char *lab, const char *id, const char *node, int *pid_ns,
                    struct vl_err *err)
{
	return vl_node_join(lab, id, node, NS_FLAGS, pid_ns, err);
}

const struct vl_node_backend vl_node_ns = {
    .name = "ns",
    .worker_init = vl_node_worker_init,
    .worker_fini = vl_node_worker_fini,
    .create = ns_create,
    .enter = ns_enter,
};
