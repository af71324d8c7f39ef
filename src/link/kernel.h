/* The kernel link backend: veth pairs, Linux bridges, addresses and routes,
 * as rtnetlink requests queued on a struct vl_nl (sent in batches by
 * vl_nl_flush). Interface indexes are chosen by the caller and given to
 * the kernel, so that a whole namespace can be configured without lookups. */
#ifndef VL_LINK_KERNEL_H
#define VL_LINK_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "link/impair.h"
#include "sys/netlink.h"

/* A bridge with STP and multicast snooping off, up. */
/* A bridge, STP off; _stp: kernel STP if stp, its forward delay below. */
#define VL_KL_STP_FORWARD_DELAY_CS 200 /* centiseconds: the kernel's least */
int vl_kl_bridge_add(struct vl_nl *nl, const char *name, int ifindex, int mtu, struct vl_err *err);
int vl_kl_bridge_add_stp(struct vl_nl *nl, const char *name, int ifindex, int mtu, bool stp,
                         struct vl_err *err);
/* A bridge in interface group `group` (ip link's "group": what a firewall
 * rule can match every such bridge by). */
int vl_kl_bridge_add_group(struct vl_nl *nl, const char *name, uint32_t group, struct vl_err *err);

struct vl_kl_veth_end {
	const char *name;
	int ifindex;        /* > 0 */
	int ns_fd;          /* namespace to create it in; -1: the socket's own */
	int master;         /* bridge ifindex, 0 for none (only honoured on end a) */
	bool up;            /* bring it up at once (only honoured on end a) */
	const uint8_t *mac; /* its MAC address, or NULL: the kernel's */
};
/* Set the link's MAC address. */
int vl_kl_link_mac(struct vl_nl *nl, int ifindex, const uint8_t mac[6], const char *what,
                   struct vl_err *err);
/* A veth pair. The kernel refuses to bring a new peer up (ENOTCONN), so
 * end b is always left down. */
int vl_kl_veth_add(struct vl_nl *nl, const struct vl_kl_veth_end *a, const struct vl_kl_veth_end *b,
                   int mtu, struct vl_err *err);
/* No IPv6 addresses on the interface (address generation mode "none"): no
 * link-local address, so no duplicate address detection, router
 * solicitations or MLD reports flooding the segment. Before it is up. */
int vl_kl_link_ipv6_off(struct vl_nl *nl, int ifindex, const char *what, struct vl_err *err);
int vl_kl_link_up(struct vl_nl *nl, int ifindex, const char *what, struct vl_err *err);
/* Enslave to a bridge and bring up. */
int vl_kl_link_set_master(struct vl_nl *nl, int ifindex, int master, const char *what,
                          struct vl_err *err);
int vl_kl_addr_add(struct vl_nl *nl, int ifindex, uint32_t addr, int prefix, const char *what,
                   struct vl_err *err);
/* prefix 0 = default route. */
int vl_kl_route_add(struct vl_nl *nl, uint32_t dst, int prefix, uint32_t via, int oif,
                    const char *what, struct vl_err *err);

/* Shape what leaves ifindex: a root tbf (rate, burst and queue limit in
 * bytes) when there is a rate, else a drop-tail fifo (pfifo of
 * queue_packets, or bfifo of queue_bytes). Replaces any root qdisc. Only
 * im's rate and queue are used: delay, jitter and loss need netem or the
 * user link engine. */
int vl_kl_shape(struct vl_nl *nl, int ifindex, const struct vl_impair *im, int mtu,
                const char *what, struct vl_err *err);
/* Remove ifindex's root qdisc (back to the default); none is fine. */
int vl_kl_unshape(struct vl_nl *nl, int ifindex, struct vl_err *err);
int vl_kl_link_set_mtu(struct vl_nl *nl, int ifindex, int mtu, const char *what,
                       struct vl_err *err);
/* The same for the link called name (its ifindex unknown: the host's). */
int vl_kl_link_set_master_name(struct vl_nl *nl, const char *name, int master, const char *what,
                               struct vl_err *err);
/* A dummy interface (containerlab's dummy link), left down. */
int vl_kl_dummy_add(struct vl_nl *nl, const char *name, int ifindex, int mtu, const uint8_t *mac,
                    struct vl_err *err);
/* The names of every link of the socket's namespace (freed by the caller). */
int vl_kl_link_names(struct vl_nl *nl, char ***names, size_t *n, struct vl_err *err);
/* Delete the link called name (ENODEV from the flush if there is none). */
int vl_kl_link_del_name(struct vl_nl *nl, const char *name, struct vl_err *err);
/* Set the link administratively up or down. */
int vl_kl_link_set_state(struct vl_nl *nl, int ifindex, bool up, const char *what,
                         struct vl_err *err);
/* Everything that arrives on `from` leaves through `to` instead (a clsact
 * qdisc on from, a match-all u32 filter on its ingress with a mirred
 * egress redirect), as a container runtime joins a VM's TAP to the veth it
 * stands in for. Frames go out through to's root qdisc, so shaping there
 * still applies. */
int vl_kl_redirect(struct vl_nl *nl, int from, int to, const char *what, struct vl_err *err);
/* Does this kernel have netem? Tries to create one on ifindex (then
 * deletes it); 1 yes, 0 no, -1 could not tell. */
int vl_kl_probe_netem(struct vl_nl *nl, int ifindex, struct vl_err *err);

#endif
