/* vnetlab save: each FRR router's running configuration written back, as
 * containerlab save does: `write memory` in the router (its /etc/frr, the
 * lab's copy or the file bound there), then a copy into the lab directory
 * containerlab keeps beside the topology file, clab-LAB/NODE/frr.conf. */
#ifndef VL_ENGINE_SAVE_H
#define VL_ENGINE_SAVE_H

#include "base/err.h"

/* For each router saved, say(node, path, arg). Returns how many, or -1. */
int vl_engine_save(const char *lab, void (*say)(const char *node, const char *path, void *arg),
                   void *arg, struct vl_err *err);

#endif
