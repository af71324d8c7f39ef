/* Node backends behind one operations table, like crun's cgroup managers.
 * The engine forks worker processes and calls create() in them for a share
 * of the nodes each; enter() joins a node in the calling process (exec).
 *
 *   ns    a network, UTS and mount namespace per node (own interfaces,
 *         hostname, /etc/hosts, /etc/hostname, /tmp; optional rootfs
 *         overlay and pid namespace);
 *   proc  a plain process in the host's network and UTS namespaces: only a
 *         mount namespace, so that /etc/hosts names the lab's nodes. */
#ifndef VL_NODE_NODE_H
#define VL_NODE_NODE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "plan/plan.h"

struct vl_node_ctx {
	const struct vl_plan *plan;
	int host_mnt;    /* the host's mount namespace */
	int host_pid;    /* the host's pid namespace */
	int base_mnt;    /* template mount namespace nodes are cloned from */
	int self_exe;    /* this program, to start a node's init from */
	int proc;        /* the host's /proc (a node's may be its pid namespace's) */
	pid_t last_init; /* init of the node create() made last, or 0 */
};

struct vl_node_backend {
	const char *name;
	/* In a worker, before its first create(). */
	int (*worker_init)(struct vl_node_ctx *ctx, struct vl_err *err);
	void (*worker_fini)(struct vl_node_ctx *ctx);
	/* Create node i of the plan: its namespaces, hostname and files. On
	 * success the calling worker is left in the node's network namespace
	 * (the host's for proc), where the engine then creates the node's
	 * interfaces. */
	int (*create)(struct vl_node_ctx *ctx, size_t i, struct vl_err *err);
	/* Join node `node` of lab `lab` (id `id`) in the calling process. If
	 * the node has a pid namespace, *pid_ns is an fd of it (else -1): the
	 * caller joins it with setns() and forks, as only children enter it. */
	int (*enter)(const char *lab, const char *id, const char *node, int *pid_ns,
	             struct vl_err *err);
};

extern const struct vl_node_backend vl_node_ns, vl_node_proc;
const struct vl_node_backend *vl_node_backend_for(enum vl_backend b);

/* Undo create() for the node whose network namespace is `netns` (the
 * lab's ns/ tmpfs, unmounted afterwards, takes the other namespaces). */
int vl_node_destroy_netns(const char *netns, struct vl_err *err);

/* `vnetlab __init`: pid 1 of a node's pid namespace. Reaps orphans, exits
 * on SIGTERM. Never returns. */
void vl_node_init_main(void) __attribute__((noreturn));

#endif
