/* The engine: walks a plan and makes it real (journalled, undone in
 * reverse on any failure), and takes labs down again. */
#ifndef VL_ENGINE_ENGINE_H
#define VL_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"
#include "node/node.h"
#include "plan/plan.h"
#include "topo/topo.h"

/* Up as one host's part of a lab over several (plan/part.h): the same
 * plan and placement as every host's, only what is placed here made. */
struct vl_up_span {
	int n_hosts, part;
	const char *id;           /* the lab's id, the same on every host */
	const uint32_t *underlay; /* by host: its underlay IPv4 address (host order) */
	int underlay_mtu;         /* the smallest of the hosts' */
	uint16_t port;            /* VXLAN's UDP port */
	const char *dev;          /* this host's underlay device */
	char dev_buf[16];
	uint32_t place_sum;       /* the placement's digest where the lab was planned */
	const char *slurm_job;    /* the Slurm job this part runs for, or NULL */
};

struct vl_up_opts {
	bool progress; /* show phases on stderr (a terminal) */
	int workers;   /* 0: one per CPU */
	enum vl_backend backend;
	struct vl_node_opts node; /* what the node backends are told (the guests') */
	const struct vl_up_span *span; /* NULL: the whole lab, on this host */
};

struct vl_up_result {
	double seconds;
	char id[VL_LAB_ID_LEN + 1];
};

int vl_engine_up(const struct vl_topo *t, const char *lab, const struct vl_up_opts *o,
                 struct vl_up_result *res, struct vl_err *err);
/* Stop the lab's processes and undo its journal. A lab that does not
 * exist is an error unless `missing_ok`. */
int vl_engine_down(const char *lab, bool missing_ok, struct vl_err *err);

/* Leftovers: labs whose `up` or `down` died (not up, lock free), host
 * settings no lab holds any more, and namespaces tagged vl<id> that belong
 * to no lab: removed if empty; with processes in them, only if `orphans`
 * (nothing proves they are ours). `dry_run` only lists. Each thing is
 * reported through `say`, `removed` false for what is left alone. */
struct vl_clean_opts {
	bool dry_run, orphans;
	bool caches; /* also what backends keep for every lab (guest templates) */
	void (*say)(bool removed, const char *what, void *data);
	void *data;
};
int vl_engine_clean(const struct vl_clean_opts *o, struct vl_err *err);

/* The lab's processes (every process in one of its node namespaces). */
struct vl_proc;
int vl_engine_lab_procs(const char *lab, struct vl_proc **procs, size_t *n, struct vl_err *err);

#endif
