/* Whether an interface is operational (IFF_RUNNING: its carrier is on and
 * the kernel's link watch has made it up), in the network namespace of a
 * socket the caller holds. */
#ifndef VL_SYS_IFSTATE_H
#define VL_SYS_IFSTATE_H

#include <stdbool.h>

#include "base/err.h"

/* A datagram socket (O_CLOEXEC) for the calls below, in the calling
 * thread's network namespace. */
int vl_ifstate_socket(struct vl_err *err);

/* Interface `name` of the socket's namespace operational now? The link
 * watch is asked to run for it first: an ETHTOOL_GLINK on a device whose
 * driver uses the kernel's ethtool_op_get_link (veth, tun) handles its
 * pending carrier event at once, rather than in a queue the kernel works
 * off at a few hundred devices a second. 1: running, 0: not yet. */
int vl_ifstate_running(int sock, const char *name, struct vl_err *err);

#endif
