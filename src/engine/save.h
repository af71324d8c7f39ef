/* vnetlab save: each FRR router's running configuration written back, as
 * containerlab save does: `write memory` in the router (its /etc/frr, the
 * lab's copy or the file bound there), then a copy in dir/NODE/frr.conf
 * (containerlab's lab directory, clab-LAB beside the topology file: the
 * caller's to say, never state.json's). */
#ifndef VL_ENGINE_SAVE_H
#define VL_ENGINE_SAVE_H

#include "base/err.h"

/* For each router saved, say(node, path, arg). Returns how many, or -1. */
int vl_engine_save(const char *lab, const char *dir,
                   void (*say)(const char *node, const char *path, void *arg), void *arg,
                   struct vl_err *err);

#endif
