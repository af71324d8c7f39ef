/* The lab's linkd process, `vnetlab __linkd LAB`, and how `up`
 * starts it. */
#ifndef VL_ENGINE_LINKD_MAIN_H
#define VL_ENGINE_LINKD_MAIN_H

#include <sys/types.h>

#include "base/err.h"

/* A supervisor that runs the engine in a child and starts it again when it
 * dies (the TAPs are persistent: no link is lost). The engine joins the
 * TAPs of every link whose state says engine "user" and applies their
 * impairments; SIGHUP: read them again from state.json; SIGTERM: stop.
 * If fd 3 is open at start, the first engine closes it once every TAP is
 * joined (writing an error message first if it could not). */
int vl_linkd_main(const char *lab);

/* Start the engine of a lab whose state.json is written; wait until it
 * has joined every TAP. cgroup: the manager name or NULL. */
int vl_linkd_start(const char *lab, const char *cgroup, struct vl_err *err);

#endif
