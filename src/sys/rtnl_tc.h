/* rtnetlink's traffic control (tc): the root qdisc that shapes what leaves
 * a link, an ingress redirect from one link to another, and whether the
 * kernel has netem. Queued on a struct vl_nl like the links of
 * rtnl_link.h; vl_rtnl_tc_unshape and vl_rtnl_tc_probe_netem send what is
 * pending themselves (they read the kernel's answer). Touches the qdiscs
 * and filters of the socket's namespace. */
#ifndef VL_SYS_RTNL_TC_H
#define VL_SYS_RTNL_TC_H

#include <stdint.h>

#include "base/err.h"
#include "sys/netlink.h"

/* What a root qdisc holds back: a rate (0: unlimited) and a drop-tail
 * queue of packets or bytes (both 0: the qdisc's default). */
struct vl_rtnl_tc_shape {
	uint64_t rate_bps;
	uint32_t queue_packets;
	uint64_t queue_bytes; /* wins over queue_packets */
};
/* Shape what leaves ifindex: a root tbf (rate, burst and queue limit in
 * bytes) when there is a rate, else a drop-tail fifo (pfifo of
 * queue_packets, or bfifo of queue_bytes); nothing for neither. Replaces
 * any root qdisc. mtu (0: 1500) sizes the burst and a queue of packets. */
int vl_rtnl_tc_shape(struct vl_nl *nl, int ifindex, const struct vl_rtnl_tc_shape *s, int mtu,
                     const char *what, struct vl_err *err);
/* Remove ifindex's root qdisc (back to the default); none is fine. */
int vl_rtnl_tc_unshape(struct vl_nl *nl, int ifindex, struct vl_err *err);
/* Everything that arrives on `from` leaves through `to` instead (a clsact
 * qdisc on from, a match-all u32 filter on its ingress with a mirred
 * egress redirect), as a container runtime joins a VM's TAP to the veth it
 * stands in for. Frames go out through to's root qdisc, so shaping there
 * still applies. */
int vl_rtnl_tc_redirect(struct vl_nl *nl, int from, int to, const char *what, struct vl_err *err);
/* Does this kernel have netem? Tries to create one on ifindex (then
 * deletes it); 1 yes, 0 no, -1 could not tell. */
int vl_rtnl_tc_probe_netem(struct vl_nl *nl, int ifindex, struct vl_err *err);

#endif
