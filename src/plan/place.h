/* Placement of a lab over several hosts: which host holds each node (and
 * switch), and the cut, the links between nodes on different hosts. The
 * first part of running one lab over many hosts: every host computes the
 * same placement from the same file, then builds its own part.
 *
 * A graph partition by METIS (Debian's libmetis): a vertex per node and
 * switch, weighted by its demand (VL_PLACE_W_*), an edge per link,
 * weighted by its bandwidth; every host of equal capacity; a fixed seed,
 * so that the same file (and the same METIS) gives the same placement.
 * Pure data, no syscalls. */
#ifndef VL_PLAN_PLACE_H
#define VL_PLAN_PLACE_H

#include <jansson.h>

#include "base/err.h"
#include "base/util.h"
#include "plan/plan.h"

/* A node's weight, one number for CPU and memory: a CPU weighs 1000, and
 * 4 MiB of memory 1 (one CPU is worth 4 GiB, a general-purpose machine's
 * shape). A guest weighs its vCPUs and RAM (as node/vm_guest.c gives them:
 * 1 vCPU and 128 MiB unless its resources say more); a namespace or
 * process node its cpus: and memory: where given, else 0.1 CPU (it is a
 * network namespace and what runs in it: 350 kB); a switch 0.02 CPU. */
#define VL_PLACE_W_CPU      1000
#define VL_PLACE_W_MEM_UNIT (4ull << 20)
#define VL_PLACE_W_NS_CPUS  0.1
#define VL_PLACE_W_SWITCH   20
#define VL_PLACE_VM_RAM     (128ull << 20)
/* A link's weight: its bandwidth in units of 10 Mbit/s (the larger
 * direction's), 1 to 1000; an unshaped link weighs as 10 Gbit/s, 1000. */
#define VL_PLACE_LINK_UNIT 10000000ull
#define VL_PLACE_LINK_MAX  1000
/* A host's capacity: its equal share of the lab's weight, plus this many
 * percent (the imbalance METIS is allowed) or plus the lab's heaviest node
 * where that is more (nodes do not split). More weight pinned to a host
 * than that does not fit it. */
#define VL_PLACE_SLACK_PCT 5
#define VL_PLACE_SEED      1

/* Place p's nodes over `hosts` hosts (1..VL_TOPO_MAX_HOSTS): fills
 * p->n_hosts, p->host, p->weight and p->cut. Fewer hosts than asked when
 * the lab has fewer nodes (p->n_hosts says how many). Fails on a pin
 * (host: K) to a host past the last, or pins that weigh more than a
 * host's capacity, naming the node and where its host: is. */
int vl_plan_place(struct vl_plan *p, int hosts, struct vl_err *err);

/* The placement as text (`plan --hosts N`): a line per host, per node, per
 * cut link; and as JSON (`plan --hosts N --json`). */
void vl_plan_place_dump(const struct vl_plan *p, struct vl_buf *out);
json_t *vl_plan_place_json(const struct vl_plan *p);

#endif
