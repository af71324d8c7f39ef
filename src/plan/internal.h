/* Private to src/plan: what plan.c hands to the other files of the module. */
#ifndef VL_PLAN_INTERNAL_H
#define VL_PLAN_INTERNAL_H

#include "plan/plan.h"

/* Every node's static routes, once segments have their subnets (routes.c). */
void vl_plan_compute_routes(struct vl_plan *p);

#endif
