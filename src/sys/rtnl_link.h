/* rtnetlink's links (ip link): create veth pairs and dummies, change a
 * link's state, MTU, MAC address, master and IPv6 address generation, list
 * and delete links. Each function queues one request on a struct vl_nl
 * (sent in batches by vl_nl_flush) named by its `what`. Interface indexes
 * are chosen by the caller and given to the kernel, so that a whole
 * namespace can be configured without lookups. The other rtnl_*.h files
 * are the other kernel objects: addresses, routes, bridges, traffic
 * control. Touches the links of the socket's namespace. */
#ifndef VL_SYS_RTNL_LINK_H
#define VL_SYS_RTNL_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "sys/netlink.h"

/* Start an RTM_NEWLINK that creates link `name` (ifindex 0: the kernel's
 * choice) of MTU mtu (0: the default), up when asked; its kind's
 * attributes (IFLA_LINKINFO) are the caller's to add. NULL on error. */
struct nlmsghdr *vl_rtnl_link_new(struct vl_nl *nl, const char *name, int ifindex, int mtu, bool up,
                                  const char *what, struct vl_err *err);

struct vl_rtnl_veth_end {
	const char *name;
	int ifindex;        /* > 0 */
	int ns_fd;          /* namespace to create it in; -1: the socket's own */
	int master;         /* bridge ifindex, 0 for none (only honoured on end a) */
	bool up;            /* bring it up at once (only honoured on end a) */
	const uint8_t *mac; /* its MAC address, or NULL: the kernel's */
};
/* A veth pair. The kernel refuses to bring a new peer up (ENOTCONN), so
 * end b is always left down. */
int vl_rtnl_link_add_veth(struct vl_nl *nl, const struct vl_rtnl_veth_end *a,
                          const struct vl_rtnl_veth_end *b, int mtu, struct vl_err *err);
/* A dummy interface (containerlab's dummy link), left down. */
int vl_rtnl_link_add_dummy(struct vl_nl *nl, const char *name, int ifindex, int mtu,
                           const uint8_t *mac, struct vl_err *err);

/* A VXLAN device for one link between two hosts: unicast to one remote,
 * no learning, its own VNI. Created in the socket's namespace (where its
 * UDP socket stays, on the underlay) and moved to ns_fd's (a node's or a
 * switch's) when ns_fd >= 0. Addresses in network byte order. */
struct vl_rtnl_vxlan {
	const char *name;
	int ifindex;        /* 0: the kernel's choice (in its final namespace) */
	int ns_fd;          /* namespace to put it in; -1: the socket's own */
	uint32_t vni;       /* 1 .. 2^24 - 1 */
	uint32_t local;     /* the underlay address it sends from (0: any) */
	uint32_t remote;    /* the other host's underlay address */
	uint16_t port;      /* UDP destination port (4789 is IANA's; containerlab's 14789) */
	int underlay;       /* ifindex of the underlay device (0: by route) */
	int mtu;            /* inner MTU (vl_vxlan_inner_mtu) */
	const uint8_t *mac; /* its MAC address, or NULL: the kernel's */
};
int vl_rtnl_link_add_vxlan(struct vl_nl *nl, const struct vl_rtnl_vxlan *v, struct vl_err *err);
/* What VXLAN adds to an IPv4 frame: outer IPv4 (20), UDP (8), VXLAN (8)
 * and the inner Ethernet header (14). */
#define VL_VXLAN_OVERHEAD 50
/* The inner MTU of a VXLAN link over an underlay of MTU underlay: asked
 * (0: the largest) if the underlay carries it, else an error that names
 * both. */
int vl_vxlan_inner_mtu(int underlay, int asked, struct vl_err *err);

/* Set the link administratively up or down. */
int vl_rtnl_link_set_up(struct vl_nl *nl, int ifindex, bool up, const char *what,
                        struct vl_err *err);
int vl_rtnl_link_set_mtu(struct vl_nl *nl, int ifindex, int mtu, const char *what,
                         struct vl_err *err);
int vl_rtnl_link_set_mac(struct vl_nl *nl, int ifindex, const uint8_t mac[6], const char *what,
                         struct vl_err *err);
/* Enslave to the bridge master (0: to none) and bring up. */
int vl_rtnl_link_set_master(struct vl_nl *nl, int ifindex, int master, const char *what,
                            struct vl_err *err);
/* The same for the link called name (its ifindex unknown: the host's). */
int vl_rtnl_link_set_master_name(struct vl_nl *nl, const char *name, int master, const char *what,
                                 struct vl_err *err);
/* No IPv6 addresses on the interface (address generation mode "none"): no
 * link-local address, so no duplicate address detection, router
 * solicitations or MLD reports flooding the segment. Before it is up. */
int vl_rtnl_link_ipv6_off(struct vl_nl *nl, int ifindex, const char *what, struct vl_err *err);

/* The names of every link of the socket's namespace (freed by the caller). */
int vl_rtnl_link_names(struct vl_nl *nl, char ***names, size_t *n, struct vl_err *err);
/* Delete the link called name (ENODEV from the flush if there is none). */
int vl_rtnl_link_del_name(struct vl_nl *nl, const char *name, struct vl_err *err);

#endif
