/* vnetlab save: each FRR router's running configuration written back, as
 * containerlab save does: `write memory` in the router (its /etc/frr, the
 * lab's copy or the file bound there), then a copy in dir/NODE/frr.conf
 * (containerlab's lab directory, clab-LAB beside the topology file: the
 * caller's to say, never state.json's).
 *
 * Nothing on the way is followed: the router's file is read through a
 * descriptor (node/frr.h: a regular file, no symbolic link on its path);
 * dir is opened with no symbolic link on its path, each NODE directory
 * made or opened beneath it, and frr.conf written there atomically with
 * the permission bits of the router's file (no execute; FRR writes 0640),
 * never through nor over a symbolic link. A router that cannot be saved
 * is said and the others still are. */
#ifndef VL_ENGINE_SAVE_H
#define VL_ENGINE_SAVE_H

#include "base/err.h"

/* For each router, say(node, path, NULL, arg) once saved, or
 * say(node, NULL, why, arg). Returns how many were saved, or -1 if dir
 * cannot be opened or any router was not saved (err says how many). */
int vl_engine_save(const char *lab, const char *dir,
                   void (*say)(const char *node, const char *path, const char *why, void *arg),
                   void *arg, struct vl_err *err);

#endif
