/* The `proc` node backend: the study's "N plain processes". A node is a
 * process in the host's network and UTS namespaces, in a cgroup of its own
 * for accounting and limits; its only namespace is a mount namespace in
 * which /etc/hosts names the lab's nodes by their loopback addresses. */
#include <errno.h>
#include <sched.h>

#include "node/common.h"

static int proc_setup(const struct vl_plan *p, const struct vl_plan_node *n, struct vl_err *err)
{
	if (n->res.rootfs)
		return vl_err_set(
		    err, EINVAL, "rootfs needs the ns backend (proc nodes share the host's files)");
	return vl_node_bind_files(p, n, false, err);
}

static int proc_create(struct vl_node_ctx *ctx, size_t i, struct vl_err *err)
{
	return vl_node_make(ctx, i, CLONE_NEWNS, proc_setup, err);
}

static int proc_configure(const struct vl_node_lab *l, struct vl_nl *nl, size_t i,
                          struct vl_err *err)
{
	return 0; /* no interfaces of its own */
}

static int proc_spawn(const struct vl_node_ref *n, const struct vl_spawn *s, struct vl_child *c,
                      struct vl_err *err)
{
	return vl_node_host_spawn(n, CLONE_NEWNS, s, c, err);
}

static int proc_stats(const struct vl_node_ref *n, const char *netns, struct vl_node_stats *st,
                      struct vl_err *err)
{
	return 0; /* the host's interfaces are not the node's */
}

const struct vl_node_backend vl_node_proc = {
    .name = "proc",
    .own_netns = false,
    .nodes_are = " as plain processes on loopback",
    .limits = vl_node_limits,
    .worker_init = vl_node_worker_init,
    .worker_fini = vl_node_worker_fini,
    .create = proc_create,
    .configure = proc_configure,
    .spawn = proc_spawn,
    .stats = proc_stats,
};
