/* The noisy neighbour of `bench --neighbour`: one more node beside the
 * instances (two for the network kind: a sender and its own sink), busy
 * the whole time the instances run, so that a run with it beside the same
 * run without it says how well each backend isolates its nodes:
 *   cpu      vnetlab-work hog-cpu, a spinning loop;
 *   memory   vnetlab-work hog-memory, memory bandwidth and page faults;
 *   network  a vnetlab-work stream into a stream-sink on its own node,
 *            across the same switch as the instances;
 *   fork     vnetlab-work hog-fork, a fork bomb held by the node's pids
 *            limit (VL_NEIGHBOUR_PIDS). */
#ifndef VL_STUDY_NEIGHBOUR_H
#define VL_STUDY_NEIGHBOUR_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"
#include "study/spawn.h"

enum vl_neighbour {
	VL_NEIGHBOUR_NONE,
	VL_NEIGHBOUR_CPU,
	VL_NEIGHBOUR_MEMORY,
	VL_NEIGHBOUR_NETWORK,
	VL_NEIGHBOUR_FORK,
};

/* The fork neighbour's node: at most this many tasks. */
#define VL_NEIGHBOUR_PIDS 128

const char *vl_neighbour_name(enum vl_neighbour k);
/* A kind's name; -1 if unknown. */
int vl_neighbour_parse(const char *s);
/* How many nodes the kind takes (0 for none). */
size_t vl_neighbour_nodes(enum vl_neighbour k);

/* What the neighbour did, for the run's JSON. */
struct vl_neighbour_run {
	enum vl_neighbour kind;
	char node[16], sink[16]; /* sink: the network kind's */
	double cpu_s;            /* its nodes' cgroups, if any (< 0: unknown) */
	json_t *report;          /* what its program reported (the sink's, for network) */
	struct vl_bench_proc p[2];
};

/* Start kind's program in nodes h<first> (and h<first+1>) of lab, work
 * being the workloads program; it runs until stopped, or at most
 * seconds. */
int vl_neighbour_start(struct vl_neighbour_run *nb, enum vl_neighbour kind, const char *lab,
                       size_t first, const char *work, double seconds, struct vl_err *err);
/* Stop it and keep its report. */
void vl_neighbour_stop(struct vl_neighbour_run *nb);
json_t *vl_neighbour_json(const struct vl_neighbour_run *nb);
void vl_neighbour_free(struct vl_neighbour_run *nb);

#endif
