/* state.json: the realized plan of a lab, written when `up` completes, and
 * its one reader. Every command reads a lab through struct vl_state; only
 * state.c and state_read.c know the file's layout.
 *
 * The reader validates in one place what commands act on: types, node
 * names (they become paths and namespaces), every namespace tagged with the
 * lab's id (the id the lab's own `id` file holds), the impairments' text.
 * Keys added since the first labs (mgmt, env, labels, frr, vm facts,
 * infra_netns_all, ends, engine) are optional: older labs still load. Keys
 * it does not know are kept and written back unchanged.
 *
 * It lives in engine/ because everything it needs is at or below engine
 * (the plan, the node backends that add their facts, linkds'
 * names, link/impair.h's parser) and every reader is engine or cli.
 * Touches only the lab's state.json. */
#ifndef VL_ENGINE_STATE_H
#define VL_ENGINE_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "topo/impair.h"
#include "plan/plan.h"

/* What the far end of a node's interface is. */
enum vl_state_peer {
	VL_STATE_PEER_NONE,   /* the file does not say */
	VL_STATE_PEER_NODE,   /* another node: peer_node, peer_ifname */
	VL_STATE_PEER_SWITCH, /* a switch: switch, host_ifname */
	VL_STATE_PEER_HOST,   /* a host link: host_link ("host", "mgmt-net", "dummy") */
	VL_STATE_PEER_MGMT,   /* the management bridge: management */
};

struct vl_state_if {
	const char *name;
	const char *address; /* "a.b.c.d/len", NULL if none */
	enum vl_state_peer peer;
	const char *to;      /* the peer node, switch, host link or bridge; NULL: none */
	const char *peer_if; /* peer_ifname or host_ifname, NULL if none */
	const char *mac;     /* a guest's, NULL for other nodes */
};

struct vl_state_route {
	const char *dst, *via, *dev; /* dst "default" or "a.b.c.d/len" */
};

/* A key=value of a node's labels or env (the key never empty, no '='). */
struct vl_state_kv {
	const char *key, *value;
};

struct vl_state_limits {
	double cpus;
	long long cpu_weight, memory, pids;
	const char *cpuset, *rootfs; /* rootfs NULL if none */
	bool pid_namespace;
};

/* A guest's facts (nodes of the vm backend). */
struct vl_state_guest {
	long long vcpus, ram;
	double boot_s, guest_boot_s;
	bool clone;
};

struct vl_state_node {
	const char *name;             /* a valid node name */
	const char *kind;             /* linux, router...; NULL if the file has none */
	const char *backend;          /* NULL if the file has none (an ns node) */
	const char *netns;            /* "vl<id>-<name>"; NULL for proc nodes */
	const char *cgroup, *address; /* address: a proc node's loopback one */
	const char *mgmt_ipv4, *mgmt_name;
	const char *host; /* a lab over hosts, its parts merged: the node's host */
	bool forward, frr, ipv6, has_limits, is_guest;
	struct vl_state_limits limits;
	struct vl_state_guest guest;
	struct vl_state_kv *labels, *env;
	size_t n_labels, n_env;
	struct vl_state_if *ifs;
	size_t n_ifs;
	struct vl_state_route *routes;
	size_t n_routes;
};

struct vl_state_switch {
	const char *name;
	const char *subnet; /* NULL if none */
	const char *host;   /* as a node's */
	const char **bridges;
	size_t n_bridges;
};

/* Where one end of a link is. own: the lab's own, as the file says it
 * (checked again against the kernel by vl_state_link_end). */
struct vl_state_end {
	const char *netns, *ifname;
	bool own;
};

struct vl_state_link {
	const char *endpoints[2]; /* "node:if" */
	long long mtu;
	const char *text[2]; /* forward, reverse as written; NULL if absent */
	struct vl_impair dir[2];
	const char *engine; /* "user", "kernel", "none"; NULL if absent */
	bool up[2];         /* forward_up, reverse_up (true if absent) */
	bool has_ends;
	struct vl_state_end ends[2];
};

struct vl_state_mgmt {
	const char *bridge, *ipv4_subnet, *ipv4_gw;
	bool nat, lab_isolation, host_services;
};

/* The lab's guests: accelerator, kernel, machine. */
struct vl_state_vm {
	const char *accel, *kernel, *kernel_path, *machine;
	const char *why_not_kvm; /* NULL on KVM */
};

struct vl_state {
	const char *lab, *id, *source, *backend;
	long long created;
	double up_seconds;
	bool ipv6, has_mgmt, has_vm;
	const char *infra_netns; /* NULL if the lab has no switches' namespace */
	const char **infra_all;
	size_t n_infra;
	struct vl_state_mgmt mgmt;
	struct vl_state_vm vm;
	struct vl_state_node *nodes;
	size_t n_nodes;
	struct vl_state_switch *switches;
	size_t n_switches;
	struct vl_state_link *links;
	size_t n_links;
	json_t *doc; /* the file as read: the strings above point into it */
};

/* --- writer (state.c) --- */
json_t *vl_state_from_plan(const struct vl_plan *p, double up_seconds);
int vl_state_write(const struct vl_plan *p, double up_seconds, struct vl_err *err);
/* The state a plan would have once up (for a picture of a lab not up). */
int vl_state_of_plan(const struct vl_plan *p, struct vl_state *st, struct vl_err *err);
/* Change link i: its impairments in direction k (text from im), its engine,
 * whether end k is up; then vl_state_save writes the file back. */
void vl_state_set_impair(struct vl_state *st, size_t i, int k, const struct vl_impair *im);
void vl_state_set_engine(struct vl_state *st, size_t i, const char *engine);
void vl_state_set_up(struct vl_state *st, size_t i, int k, bool up);
int vl_state_save(const char *lab, const struct vl_state *st, struct vl_err *err);

/* --- reader (state_read.c) --- */
/* Load lab's state.json into st, validated; its id the lab's own file's. */
int vl_state_load(const char *lab, struct vl_state *st, struct vl_err *err);
/* Validate doc (taken over: freed with st) read from where (for messages),
 * its namespaces tagged with its own id. */
int vl_state_parse(json_t *doc, const char *where, struct vl_state *st, struct vl_err *err);
void vl_state_free(struct vl_state *st);
/* The node called name, or NULL. */
const struct vl_state_node *vl_state_node(const struct vl_state *st, const char *name);
/* The link with endpoint "node:if", and which end it is; ENOENT if none. */
int vl_state_find_link(const struct vl_state *st, const char *endpoint, int *end,
                       struct vl_err *err);
/* Where end k of link i is, checked to be the lab's own before anything
 * acts on it: the node's namespace and the endpoint's interface, or the
 * lab's switches' namespace and an interface tagged with its id, bound to
 * a namespace that is not the host's. */
int vl_state_link_end(const struct vl_state *st, size_t i, int k, const char **netns,
                      const char **ifname, struct vl_err *err);
/* "NAME=value" of node's env (NULL-terminated, one block), NULL if none. */
char **vl_state_env(const struct vl_state *st, const char *node);

#endif
