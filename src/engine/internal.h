/* Private to src/engine: what the phases of `up` share. */
#ifndef VL_ENGINE_INTERNAL_H
#define VL_ENGINE_INTERNAL_H

#include <signal.h>
#include <stdbool.h>

#include "engine/engine.h"
#include "engine/journal.h"
#include "node/node.h"
#include "sys/cgroup.h"
#include "sys/netlink.h"

struct engine {
	const struct vl_plan *plan;
	struct vl_journal j;
	int workers;
	bool progress;
	struct vl_nl *infra;                /* a socket in each infra namespace */
	int *infra_fd;                      /* and each one's fd */
	size_t n_infra;                     /* how many of those are open */
	const struct vl_cgroup_manager *cg; /* NULL: no usable cgroups here */
	const struct vl_up_opts *opts;
	/* what the lab's nodes of each backend in it share */
	struct {
		const struct vl_node_backend *be;
		struct vl_node_lab l;
		bool prepared;
	} labs[8];
	size_t n_labs;
	bool any_netns;   /* some node has a network namespace of its own */
	int mgmt_ifindex; /* the management bridge's, in the host's namespace */
	int underlay_ifindex; /* a part of a lab over hosts: the underlay's device */
};

/* Set by SIGINT and SIGTERM while up runs. */
extern volatile sig_atomic_t vl_engine_interrupted;

/* Say which phase runs (a terminal), and how long the last took
 * (VNETLAB_TIMING=1). */
void vl_engine_phase(struct engine *e, const char *what);
/* EINTR if a signal asked up to stop. */
int vl_engine_check_interrupt(struct vl_err *err);
/* Where e->labs has backend be, and the shared state of node i's. */
size_t vl_engine_lab_index(const struct engine *e, const struct vl_node_backend *be);
struct vl_node_lab *vl_engine_node_lab(struct engine *e, size_t i);

/* Run fn(e, w, nw) in nw worker processes at once (nw: up to e->workers,
 * at most n_items); the first error of any of them is returned. */
typedef int (*vl_worker_fn)(struct engine *e, size_t w, size_t nw, struct vl_err *err);
int vl_engine_run_workers(struct engine *e, vl_worker_fn fn, size_t n_items, struct vl_err *err);

/* The lab's files: id, backend, cgroup, logs/, and the files/ tmpfs with
 * the hosts file and each node's hostname. */
int vl_engine_write_id(const struct vl_plan *p, struct vl_err *err);
int vl_engine_write_files(struct engine *e, struct vl_err *err);

/* The network phases of up (wire.c): the infra namespaces and bridges
 * (closed by vl_engine_close_infra);
 * nodes built and wired by the workers; switch ports; node-to-node links
 * and the configuration of their nodes. */
int vl_engine_create_infra(struct engine *e, struct vl_err *err);
void vl_engine_close_infra(struct engine *e);
int vl_engine_build_nodes(struct engine *e, struct vl_err *err);
int vl_engine_attach_switch_ports(struct engine *e, struct vl_err *err);
int vl_engine_link_nodes(struct engine *e, struct vl_err *err);
/* End k of veth v, whose other end is on another host, as a VXLAN device
 * (vxlan.c): made from host, a socket in the host's namespace, into
 * namespace ns_fd with the given ifindex. */
int vl_engine_vxlan_end(const struct engine *e, struct vl_nl *host, size_t v, int k,
                        int ifindex, int ns_fd, const uint8_t *mac, struct vl_err *err);
/* Every kernel link operational at both ends (oper.c). */
int vl_engine_wait_links(struct engine *e, struct vl_err *err);

/* The management network (mgmt.c): its subnet and bridge, before the
 * lab's files; the host's names and NAT once the lab is up. */
int vl_engine_mgmt_bridge(struct engine *e, struct vl_err *err);
int vl_engine_mgmt_host(struct engine *e, struct vl_err *err);

/* Stop the lab's processes, then undo its journal in reverse. */
int vl_engine_undo(const char *lab, struct vl_err *err);

#endif
