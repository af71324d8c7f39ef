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

#endif
