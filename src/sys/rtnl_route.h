/* rtnetlink's routes (ip route): static IPv4 routes in the main table,
 * queued on a struct vl_nl like the links of rtnl_link.h. Touches the
 * routes of the socket's namespace. */
#ifndef VL_SYS_RTNL_ROUTE_H
#define VL_SYS_RTNL_ROUTE_H

#include <stdint.h>

#include "base/err.h"
#include "sys/netlink.h"

/* dst/prefix (host byte order; prefix 0: the default route) via the
 * gateway via out of oif. */
int vl_rtnl_route_add(struct vl_nl *nl, uint32_t dst, int prefix, uint32_t via, int oif,
                      const char *what, struct vl_err *err);

#endif
