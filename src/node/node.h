/* Node backends behind one operations table, like crun's cgroup managers.
 * The engine forks worker processes and calls create() in them for a share
 * of the nodes each; enter() joins a node in the calling process (exec). */
#ifndef VL_NODE_NODE_H
#define VL_NODE_NODE_H

#include <limits.h>
#include <stddef.h>

#include "base/err.h"
#include "plan/plan.h"

struct vl_node_ctx {
	const struct vl_plan *plan;
	int host_mnt; /* the host's mount namespace */
	int base_mnt; /* template mount namespace nodes are cloned from */
};

struct vl_node_backend {
	const char *name;
	/* In a worker, before its first create(). */
	int (*worker_init)(struct vl_node_ctx *ctx, struct vl_err *err);
	void (*worker_fini)(struct vl_node_ctx *ctx);
	/* Create node i of the plan: its namespaces, hostname and files. On
	 * success the calling worker is left in the node's network namespace,
	 * where the engine then creates the node's interfaces. */
	int (*create)(struct vl_node_ctx *ctx, size_t i, struct vl_err *err);
	/* Join node `node` of lab `lab` (id `id`) in the calling process. */
	int (*enter)(const char *lab, const char *id, const char *node, struct vl_err *err);
	/* Undo create() for the node whose network namespace is `netns`. */
	int (*destroy)(const char *lab, const char *netns, struct vl_err *err);
};

extern const struct vl_node_backend vl_node_ns;

#endif
