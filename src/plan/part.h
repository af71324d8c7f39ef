/* One lab over several hosts, as each host builds it: the same plan and
 * placement everywhere (plan.h, place.h), then each host its own part, a
 * plan of only the nodes and switches placed on it, in which every link
 * to another host ends in a VXLAN device (VL_PLAN_REMOTE on the far end):
 * unicast to that host's underlay address, no learning, one VNI per link
 * of the cut. Pure data, no syscalls. */
#ifndef VL_PLAN_PART_H
#define VL_PLAN_PART_H

#include <stdint.h>

#include "base/err.h"
#include "plan/plan.h"

#define VL_VXLAN_PORT 14789 /* containerlab's: 4789 (IANA's) is often filtered */
/* What VXLAN adds to an IPv4 frame: outer IPv4 (20), UDP (8), VXLAN (8)
 * and the inner Ethernet header (14) (as sys/rtnl_link.h, a layer below). */
#define VL_PLAN_VXLAN_OVERHEAD 50

/* The largest MTU the underlay carries across hosts (its own minus
 * VXLAN's 50) on every link of an L2 domain that crosses hosts: the cut's
 * links, and every port of a switch one of them joins (a bridge drops a
 * frame larger than the port it leaves by, silently). A link the file
 * gives a larger MTU is an error naming it. The placement is made. */
int vl_plan_span_mtu(struct vl_plan *p, int underlay_mtu, struct vl_err *err);

/* Host k's part of p (placed over n_hosts, vl_plan_span_mtu done):
 * underlay[h] is host h's underlay IPv4 address (host byte order), port
 * the VXLAN port. The part shares p's topology and names. */
int vl_plan_part(const struct vl_plan *p, int k, const uint32_t *underlay, uint16_t port,
                 struct vl_plan **out, struct vl_err *err);

/* The VNI of cut link c: the lab id's 256 VNIs from id x 256 (2^24 in
 * all), so that labs of different ids use different ones up to 256 links
 * across hosts each. */
uint32_t vl_plan_vni(const struct vl_plan *p, size_t c);

/* A digest of the placement (every node's host), to check that each
 * host computed the one the lab was planned with. */
uint32_t vl_plan_place_sum(const struct vl_plan *p);

#endif
