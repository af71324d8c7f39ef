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

static int proc_enter(const char *lab, const char *id, const char *node, int *pid_ns,
                      struct vl_err *err)
{
	return vl_node_join(lab, id, node, CLONE_NEWNS, pid_ns, err);
}

const struct vl_node_backend vl_node_proc = {
    .name = "proc",
    .worker_init = vl_node_worker_init,
    .worker_fini = vl_node_worker_fini,
    .create = proc_create,
    .enter = proc_enter,
};
