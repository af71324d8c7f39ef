/* Link backends behind one table, as node backends are: how the two ends
 * of a plan's link (struct vl_plan_veth) are made, shaped and changed at
 * runtime. The plan chooses per link (vl_plan_choose_links); the engine
 * calls the table of the link's choice and never asks which it is.
 *
 *   kernel  a veth pair, made whole from one side; rate and queues by
 *           tbf and fifos on each end's egress (kernel.c);
 *   user    two TAP devices, one made from each side, joined by vnetlab's
 *           link engine, which applies every impairment itself (linkd.c). */
#ifndef VL_LINK_LINK_H
#define VL_LINK_LINK_H

#include <stdbool.h>

#include "base/err.h"
#include "link/impair.h"
#include "link/kernel.h"
#include "plan/plan.h"
#include "sys/netlink.h"

struct vl_link_backend {
	const char *name; /* as state.json's "engine" says of an impaired link */
	/* One kernel object makes both ends: made once, from one side, with
	 * the other end put into its namespace (b.ns_fd). */
	bool pair;
	/* Make end a in nl's namespace (and, for a pair, b; unused otherwise). */
	int (*make)(struct vl_nl *nl, const struct vl_kl_veth_end *a,
	            const struct vl_kl_veth_end *b, int mtu, struct vl_err *err);
	/* Queue what end k of ve needs once it exists (ifindex, in nl's
	 * namespace): what leaves it, and its MTU. */
	int (*configure)(struct vl_nl *nl, int ifindex, const struct vl_plan_veth *ve, int k,
	                 const char *what, struct vl_err *err);
	/* A running lab: new impairments im (and mtu) for what leaves the end
	 * ifname in network namespace netns; before state.json is saved. */
	int (*apply)(const char *netns, const char *ifname, const struct vl_impair *im, int mtu,
	             struct vl_err *err);
	/* After state.json is saved with the link's new settings. */
	int (*commit)(const char *lab, struct vl_err *err);
	/* state.json's "engine" of a link with impairments dir[0], dir[1]. */
	const char *(*engine)(const struct vl_impair dir[2]);
};

extern const struct vl_link_backend vl_link_kernel, vl_link_user;

const struct vl_link_backend *vl_link_backend_of(const struct vl_plan_veth *ve);
/* From state.json's "engine" ("user"; "kernel" or "none": the kernel's). */
const struct vl_link_backend *vl_link_backend_named(const char *engine);

/* Run fn with a netlink socket in /run/netns/<netns> on the interface
 * ifname there, then send what fn queued. */
typedef int (*vl_link_fn)(struct vl_nl *nl, int ifindex, void *data, struct vl_err *err);
int vl_link_in_netns(const char *netns, const char *ifname, vl_link_fn fn, void *data,
                     struct vl_err *err);

#endif
