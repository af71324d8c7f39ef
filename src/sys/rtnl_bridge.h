/* rtnetlink's bridges (ip link add type bridge): a Linux bridge with its
 * spanning tree and multicast snooping settings, queued on a struct vl_nl
 * like the links of rtnl_link.h (which enslaves ports:
 * vl_rtnl_link_set_master). Touches the bridges of the socket's namespace. */
#ifndef VL_SYS_RTNL_BRIDGE_H
#define VL_SYS_RTNL_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "sys/netlink.h"

/* STP's forward delay, the kernel's least (hello 1 s, max age 6 s). */
#define VL_RTNL_BRIDGE_STP_FORWARD_DELAY_CS 200 /* centiseconds */

/* A bridge, up, multicast snooping off; kernel STP if stp (only where the
 * topology has loops), as fast as the kernel allows. ifindex 0: the
 * kernel's choice; mtu 0: the default. */
int vl_rtnl_bridge_add(struct vl_nl *nl, const char *name, int ifindex, int mtu, bool stp,
                       struct vl_err *err);
/* A bridge without STP in interface group `group` (ip link's "group": what
 * a firewall rule can match every such bridge by). */
int vl_rtnl_bridge_add_group(struct vl_nl *nl, const char *name, uint32_t group,
                             struct vl_err *err);

#endif
