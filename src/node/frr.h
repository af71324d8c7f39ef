/* An FRR router's files as the engine sees them from the host (frr.c). */
#ifndef VL_NODE_FRR_H
#define VL_NODE_FRR_H

#include <stddef.h>
#include <sys/stat.h>

#include "base/err.h"
#include "node/node.h"

/* The router's /etc/frr/frr.conf as its FRR keeps it (the lab's copy, or a
 * file bound there), read in its mount namespace: /etc/frr with no
 * symbolic link on its path, frr.conf beneath it with none either, a
 * regular file of one link and at most max bytes (FRR's user owns that
 * directory: nothing else it could put there is read). *out is the
 * caller's to free; *st its stat. */
int vl_node_frr_read_conf(const struct vl_node_ref *n, size_t max, char **out, size_t *len,
                          struct stat *st, struct vl_err *err);

#endif
