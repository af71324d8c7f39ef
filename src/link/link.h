/* Link backends behind one table, as node backends are: how the two ends
 * of a link are made, shaped and changed at runtime. The plan chooses per
 * link (vl_plan_choose_links); the engine and the node backends call the
 * table of the link's choice, with what it needs of the plan passed in,
 * and never ask which it is. Below the plan and the lab: they include
 * nothing of either.
 *
 *   kernel  a veth pair, made whole from one side; rate and queues by
 *           tbf and fifos on each end's egress (kernel.c);
 *   user    two TAP devices, one made from each side, joined by vnetlab's
 *           linkd, which applies every impairment itself (user.c). */
#ifndef VL_LINK_LINK_H
#define VL_LINK_LINK_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/err.h"
#include "sys/netlink.h"
#include "sys/rtnl_link.h"
#include "topo/impair.h"

struct vl_link_backend {
	const char *name; /* as state.json's "engine" says of an impaired link */
	/* One kernel object makes both ends: made once, from one side, with
	 * the other end put into its namespace (b.ns_fd). */
	bool pair;
	/* Make end a in nl's namespace (and, for a pair, b; unused otherwise)
	 * with the link's MTU (0: the default). */
	int (*make)(struct vl_nl *nl, const struct vl_rtnl_veth_end *a,
	            const struct vl_rtnl_veth_end *b, int mtu, struct vl_err *err);
	/* Queue what an end needs once it exists (ifindex, in nl's namespace):
	 * egress, what leaves it, and the link's MTU (0: the default). */
	int (*configure)(struct vl_nl *nl, int ifindex, const struct vl_impair *egress, int mtu,
	                 const char *what, struct vl_err *err);
	/* A running lab: new impairments im (and mtu) for what leaves the end
	 * ifname in network namespace netns; before state.json is saved. */
	int (*apply)(const char *netns, const char *ifname, const struct vl_impair *im, int mtu,
	             struct vl_err *err);
	/* After state.json is saved with the link's new settings; linkd: the
	 * lab's linkd process (vl_lab_linkd_pid), 0 if none runs. */
	int (*commit)(pid_t linkd, struct vl_err *err);
	/* state.json's "engine" of a link with impairments dir[0], dir[1]. */
	const char *(*engine)(const struct vl_impair dir[2]);
};

extern const struct vl_link_backend vl_link_kernel, vl_link_user;

/* The table of a link the plan gave to linkd (struct
 * vl_plan_veth's user) or not. */
const struct vl_link_backend *vl_link_backend_for(bool user);
/* From state.json's "engine" ("user"; "kernel" or "none": the kernel's). */
const struct vl_link_backend *vl_link_backend_named(const char *engine);

/* Run fn with a netlink socket in /run/netns/<netns> on the interface
 * ifname there, then send what fn queued. */
typedef int (*vl_link_fn)(struct vl_nl *nl, int ifindex, void *data, struct vl_err *err);
int vl_link_in_netns(const char *netns, const char *ifname, vl_link_fn fn, void *data,
                     struct vl_err *err);

#endif
