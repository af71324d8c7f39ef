/* containerlab's sysctls and exec: once a lab is up, each node's sysctls
 * are set in it (sysctl -w), then its exec lines run in it
 * in order (nodes in the file's order), each split into words (no shell),
 * with the node's env added. A line that cannot start, exits non-zero or
 * runs longer than VL_EXEC_LINE_TIMEOUT fails `up`, naming the node, the
 * line and its output; `up` then undoes the whole lab. */
#ifndef VL_ENGINE_EXEC_LINES_H
#define VL_ENGINE_EXEC_LINES_H

#include "base/err.h"
#include "plan/plan.h"

#define VL_EXEC_LINE_TIMEOUT 300.0 /* seconds */
#define VL_EXEC_LINE_MAX     4096  /* bytes, as the loader allows */

int vl_engine_exec_lines(const struct vl_plan *p, struct vl_err *err);

#endif
