/* Private to src/plan: what plan.c hands to the other files of the module. */
#ifndef VL_PLAN_INTERNAL_H
#define VL_PLAN_INTERNAL_H

#include "plan/plan.h"

/* Every node's static routes, once segments have their subnets (routes.c). */
void vl_plan_compute_routes(struct vl_plan *p);

/* Growing the plan (plan.c). */
size_t vl_plan_add_veth(struct vl_plan *p, int topo_link, int mtu);
size_t vl_plan_add_seg(struct vl_plan *p, int p2p);
void vl_plan_set_node_end(struct vl_plan *p, size_t v, int e, size_t n, const char *ifname,
                          long seg);
/* The /etc/hosts of the nodes, again (plan.c). */
void vl_plan_build_hosts(struct vl_plan *p);

/* The management network, after addresses and routes (mgmt.c). */
int vl_plan_build_mgmt(struct vl_plan *p, struct vl_err *err);
/* containerlab's host, mgmt-net and dummy links (mgmt.c); pnode: topology
 * node -> plan node. */
int vl_plan_build_host_links(struct vl_plan *p, const long *pnode, struct vl_err *err);

#endif
