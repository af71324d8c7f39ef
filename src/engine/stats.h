/* Accounting of a lab: per node, what its cgroup counted (CPU, memory,
 * OOM kills, tasks) and what its interfaces moved. One call, for the CLI
 * and for the benchmarks. */
#ifndef VL_ENGINE_STATS_H
#define VL_ENGINE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "sys/cgroup.h"

struct vl_if_stats {
	char name[16];
	uint64_t rx_bytes, rx_packets, rx_dropped, rx_errors;
	uint64_t tx_bytes, tx_packets, tx_dropped, tx_errors;
};

struct vl_ag_stats;

struct vl_node_stats {
	char name[64];
	bool have_cgroup;
	struct vl_cg_stats cg; /* a vm node's: QEMU and its supervisor (the hypervisor's view) */
	struct vl_ag_stats *guest; /* a vm node's guest's own figures (its agent), or NULL */
	struct vl_if_stats *ifs;
	size_t n_ifs;
};

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

#endif
