/* Shared by the node backends (private to src/node). */
#ifndef VL_NODE_COMMON_H
#define VL_NODE_COMMON_H

#include "node/node.h"

/* Template mount namespace: the host's mounts without any namespace file
 * mounts (/run/netns, labs' ns/), so a node's copy stays small. */
int vl_node_worker_init(struct vl_node_ctx *ctx, struct vl_err *err);
void vl_node_worker_fini(struct vl_node_ctx *ctx);

/* Create node i with unshare(flags) (CLONE_NEWNS always among them), run
 * setup inside, start its init if it wants a pid namespace, and bind its
 * namespaces: net at /run/netns/<netns>, the others at the lab's
 * ns/<node>.<kind>. The caller is left in the node's other namespaces but
 * back in the host's mount namespace. */
typedef int (*vl_node_setup_fn)(const struct vl_plan *p, const struct vl_plan_node *n,
                                struct vl_err *err);
int vl_node_make(struct vl_node_ctx *ctx, size_t i, int flags, vl_node_setup_fn setup,
                 struct vl_err *err);
/* Join a node's namespaces of `flags`. */
int vl_node_join(const char *lab, const char *id, const char *node, int flags, int *pid_ns,
                 struct vl_err *err);
/* Inside a node's mount namespace: /etc/hosts (and, if with_identity,
 * /etc/hostname and a tmpfs on /tmp) from the lab's files. */
int vl_node_bind_files(const struct vl_plan *p, const struct vl_plan_node *n, bool with_identity,
                       struct vl_err *err);
/* Inside a node's mount namespace: make / an overlay of n->res.rootfs
 * with a private upper layer under the lab's rootfs/<node>/. */
int vl_node_pivot_rootfs(const struct vl_plan *p, const struct vl_plan_node *n, struct vl_err *err);

/* The limits of a node's cgroup: its resources as they are. */
void vl_node_limits(const struct vl_plan_node *n, struct vl_cg_limits *lim);

/* Spawn for nodes whose processes are the host's (ns, proc): into the
 * node's cgroup and its namespaces of `flags`, and its pid namespace. */
int vl_node_host_spawn(const struct vl_node_ref *n, int flags, const struct vl_spawn *s,
                       struct vl_child *c, struct vl_err *err);

/* The counters of every interface in /run/netns/<netns> but lo (and those
 * whose names start with skip, if not NULL), appended to st. */
int vl_node_if_stats(const char *netns, const char *skip, struct vl_node_stats *st,
                     struct vl_err *err);

/* An FRR router's files, made in the lab and bound over the node's
 * /etc/frr, /run/frr and /var/log/frr (frr.c). */
int vl_node_frr_files(const struct vl_plan *p, const struct vl_plan_node *n, const char *root,
                      struct vl_err *err);

#endif
