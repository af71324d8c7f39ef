/* The ends of links across hosts in a host's part of a lab (plan/part.h):
 * a VXLAN device made from a socket in the host's network namespace, where
 * its UDP socket stays, on the underlay, and put straight into the node's
 * or switch's namespace. Touches only that device. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

#include "engine/internal.h"
#include "sys/rtnl_link.h"

int vl_engine_vxlan_end(const struct engine *e, struct vl_nl *host, size_t v, int k,
                        int ifindex, int ns_fd, const uint8_t *mac, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	const struct vl_plan_veth *ve = &p->veths[v];
	struct vl_rtnl_vxlan x = {
	    .name = ve->end[k].ifname,
	    .ifindex = ifindex,
	    .ns_fd = ns_fd,
	    .vni = ve->vni,
	    .local = htonl(p->underlay[p->part]),
	    .remote = htonl(p->underlay[ve->remote_host]),
	    .port = p->vx_port,
	    .underlay = e->underlay_ifindex,
	    .mtu = ve->mtu,
	    .mac = mac,
	};

	if (ve->end[!k].ns != VL_PLAN_REMOTE || !ve->vni)
		return vl_err_set(err, EINVAL, "%s: not a link across hosts", x.name);
	if (vl_rtnl_link_add_vxlan(host, &x, err) < 0)
		return -1;
	if (vl_nl_flush(host, err) < 0) {
		char remote[16];

		vl_fmt_ip(p->underlay[ve->remote_host], remote);
		return vl_err_wrap(err, "link across hosts %s (VNI %u, to host %d at %s)", x.name,
		                   x.vni, ve->remote_host, remote);
	}
	return 0;
}
