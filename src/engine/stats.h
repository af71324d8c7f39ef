/* Accounting of a lab: per node, what its cgroup counted (CPU, memory,
 * OOM kills, tasks) and what its interfaces moved. One call, for the CLI
 * and for the benchmarks. */
#ifndef VL_ENGINE_STATS_H
#define VL_ENGINE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "node/node.h"
#include "sys/cgroup.h"

struct vl_lab_stats {
	char lab[64];
	char backend[8];
	char cgroup[8]; /* manager name, "" if none */
	double when;    /* CLOCK_MONOTONIC seconds when taken */
	struct vl_node_stats *nodes;
	size_t n_nodes;
};

int vl_lab_stats_get(const char *lab, struct vl_lab_stats *out, struct vl_err *err);
void vl_lab_stats_free(struct vl_lab_stats *s);
/* The network namespace of a node of lab (its name under /run/netns), as
 * state.json records it and only if it is the lab's own: 0, 1 if the node
 * has none (proc), or -1. */
int vl_lab_node_netns(const char *lab, const char *node, char *buf, size_t len,
                      struct vl_err *err);

#endif
