/* rtnetlink's addresses (ip address): IPv4 addresses on a link, queued on
 * a struct vl_nl like the links of rtnl_link.h. Touches the addresses of
 * the socket's namespace. */
#ifndef VL_SYS_RTNL_ADDR_H
#define VL_SYS_RTNL_ADDR_H

#include <stdint.h>

#include "base/err.h"
#include "sys/netlink.h"

/* addr/prefix (host byte order) on ifindex, with its broadcast address
 * where the prefix leaves room for one (30 or shorter). */
int vl_rtnl_addr_add(struct vl_nl *nl, int ifindex, uint32_t addr, int prefix, const char *what,
                     struct vl_err *err);

#endif
