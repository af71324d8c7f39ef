/* state.json: the realized plan of a lab, written with jansson when `up`
 * completes and read by status, exec and the benchmarks. */
#ifndef VL_ENGINE_STATE_H
#define VL_ENGINE_STATE_H

#include <jansson.h>

#include "base/err.h"
#include "plan/plan.h"

json_t *vl_state_from_plan(const struct vl_plan *p, double up_seconds);
int vl_state_write(const struct vl_plan *p, double up_seconds, struct vl_err *err);
/* Load a lab's state.json. */
json_t *vl_state_load(const char *lab, struct vl_err *err);
/* Where end k of link l (in state.json's "links") is: its namespace and
 * interface, checked to be the lab's own before anything acts on them —
 * the namespace tagged with the lab's id `id` (vl_lab_own_id), the node's
 * own for the end of a node (its interface the endpoint's) or the lab's
 * switches', bound to a namespace that is not the host's. */
int vl_state_link_end(json_t *l, int k, const char *id, const char **netns, const char **ifname,
                      struct vl_err *err);

#endif
