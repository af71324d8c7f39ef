/* TAP devices for the user link engine: created persistent (they outlive
 * the engine, so a restarted engine reattaches and no link is lost), in
 * the calling thread's network namespace. */
#ifndef VL_SYS_TAP_H
#define VL_SYS_TAP_H

#include "base/err.h"

/* Create TAP `name` (no packet info header) with ifindex (0: any). */
int vl_tap_create(const char *name, int ifindex, struct vl_err *err);
/* Open the existing TAP `name`: an fd (O_CLOEXEC, O_NONBLOCK) that reads
 * and writes one frame per call. */
int vl_tap_attach(const char *name, struct vl_err *err);

#endif
