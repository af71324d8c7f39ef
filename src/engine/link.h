/* Links of a running lab: find one by an endpoint, change its impairments
 * or its state at runtime (`vnetlab link`). */
#ifndef VL_ENGINE_LINK_H
#define VL_ENGINE_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "topo/impair.h"

enum { VL_LINK_OUT = 1, VL_LINK_IN = 2 }; /* directions, seen from the endpoint */

struct vl_link_info {
	char endpoints[2][160];
	int mine;                /* which end the endpoint named */
	struct vl_impair dir[2]; /* dir[k]: what leaves end k */
	char engine[8];
	bool up; /* the named end's interface is up */
};

int vl_link_get(const char *lab, const char *endpoint, struct vl_link_info *info,
                struct vl_err *err);
/* Apply "key value" settings (n of them, alternating) to the directions in
 * dirs; "clear" as a key resets the direction first. */
int vl_link_set(const char *lab, const char *endpoint, int dirs, char *const *kv, size_t n,
                struct vl_err *err);
int vl_link_set_up(const char *lab, const char *endpoint, bool up, struct vl_err *err);

#endif
