/* Links in the host's network namespace that a lab made (its management
 * bridge vl<id>mgmt and the host ends of its ports, vl<id>m<N>): found by
 * name and deleted in one batch. */
#ifndef VL_ENGINE_HOSTLINKS_H
#define VL_ENGINE_HOSTLINKS_H

#include <stdbool.h>

#include "base/err.h"

/* Is name a management bridge or port ("vl<id>mgmt", "vl<id>m<N>")? Its
 * id into id (5 bytes). */
bool vl_mgmt_link_name(const char *name, char id[5]);
/* Delete every host link for which match(name, data) is true; one gone
 * already (with its node) is no failure. */
int vl_host_links_delete(bool (*match)(const char *name, void *data), void *data,
                         struct vl_err *err);

#endif
