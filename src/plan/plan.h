/* struct vl_plan: every name, address and route of a lab, decided
 * deterministically from a struct vl_topo. Pure data, no syscalls: the same
 * topology, lab name and lab id always give the same plan.
 *
 * Kernel objects of a lab live in:
 *   - "infra" network namespaces (vl<id>.sw, then vl<id>.sw1, vl<id>.sw2, ...)
 *     holding the lab's bridges and the bridge-side ends of veth pairs, at
 *     most VL_BRIDGE_MAX_PORTS ports in each: every notification about a
 *     port looks its peer's namespace up in a linear list of the
 *     namespace's peers (peernet2id), so one namespace for 10,000 ports
 *     would make up quadratic; deleting them removes every switch;
 *   - one network namespace per node (vl<id>-<node>), registered the way
 *     `ip netns add` does;
 *   - the host's own namespace only for what the lab asks of it: the
 *     management bridge (vl<id>mgmt) with its ports (vl<id>m<N>), and the
 *     host ends of host and mgmt-net links (named by the file).
 * Every kernel name starts with "vl<id>", the lab's tag. */
#ifndef VL_PLAN_PLAN_H
#define VL_PLAN_PLAN_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/util.h"
#include "topo/topo.h"

#define VL_LAB_ID_LEN       4    /* hex digits */
#define VL_BRIDGE_MAX_PORTS 1023 /* a Linux bridge's port limit (BR_MAX_PORTS - 1) */
/* A switch of more ports than a bridge takes becomes a root bridge with
 * leaf bridges of this many ports (its uplink one of them): adding a port
 * walks every port of its bridge several times over (br_add_if: the
 * adjacency lists, promiscuity, STP port states, the bridge id, features),
 * so smaller leaves make each port cheaper than on a full bridge; four
 * of them fill a switch namespace (4 x 255 = 1020 ports). */
#define VL_BRIDGE_LEAF_PORTS 255
#define VL_PLAN_INFRA        (-1) /* "namespace" index of an infra namespace (its bridge's) */
#define VL_PLAN_HOST         (-2) /* the host's own (management ports, host links) */
#define VL_PLAN_NONE         (-3) /* no other end: a dummy interface */
#define VL_PLAN_REMOTE       (-4) /* on another host: the link is a VXLAN device (part.h) */

struct vl_plan_end {
	int ns;          /* plan node index, VL_PLAN_INFRA, VL_PLAN_HOST or VL_PLAN_NONE */
	char ifname[16]; /* name inside that namespace */
	int bridge;      /* index of the bridge it is enslaved to, or -1 */
	int node_if;     /* index in the node's ifs, or -1 on infra ends */
};

struct vl_plan_veth {
	struct vl_plan_end end[2];
	int mtu;                    /* 0: default */
	int topo_link;              /* index in topo->links, -1 for cascade uplinks */
	struct vl_impair egress[2]; /* what leaves end[k] towards end[!k] */
	bool user;                  /* served by linkd: two TAPs, not a veth
	                             * (vl_plan_choose_links, once the kernel is probed) */
	bool on_mgmt;               /* end[1], in the host's namespace, is a port of the
	                             * management bridge */
	int host_link;              /* index in topo->host_links, or -1 */
	/* A link across hosts in a host's part (vl_plan_part): one end is
	 * VL_PLAN_REMOTE, on host remote_host; the other a VXLAN device of
	 * VNI vni. 0 otherwise. */
	uint32_t vni;
	int remote_host;
};

struct vl_plan_bridge {
	char name[16];
	int topo_node; /* the switch it implements (several if cascaded) */
	int n_ports;
	int seg;   /* L2 segment, -1 if nothing with an address is on it */
	int infra; /* index in plan->infras of the namespace holding it */
};

struct vl_plan_seg {
	uint32_t net; /* 0 with prefix 0: no addresses (no member nodes) */
	int prefix;
	int p2p; /* a node-to-node link, not a bridge */
	int n_members;
};

struct vl_plan_if {
	char name[16];
	uint32_t addr; /* host byte order */
	int prefix;
	int seg;
	int veth, end; /* where it comes from */
};

struct vl_plan_route {
	uint32_t dst; /* dst/prefix; prefix 0 = default route */
	int prefix;
	uint32_t via;
	int oif; /* index in the node's ifs */
};

/* A node's resources, resolved (node > kind > defaults > profile > none). */
struct vl_plan_res {
	double cpus;         /* 0: no limit */
	unsigned cpu_weight; /* 0: default */
	char cpuset[64];     /* "": all */
	uint64_t memory;     /* 0: no limit */
	uint64_t pids;       /* 0: no limit */
	const char *rootfs;  /* NULL: the host's / (points into the topology) */
	bool pid_ns;
	unsigned accounting; /* VL_ACCOUNT_*, the lab's */
	bool vm; /* the node is a virtual machine (backend vm, or backend: vm in an ns lab) */
};

/* How nodes are made. */
enum vl_backend {
	VL_BACKEND_NS,   /* namespaces: own network, hostname, /etc/hosts, /tmp */
	VL_BACKEND_PROC, /* plain processes in the host's network; names on loopback */
	VL_BACKEND_VM,   /* as ns, but every host and router is a virtual machine whose
	                  * interfaces are TAPs behind the node's own (see engine/vm.c) */
};
const char *vl_backend_name(enum vl_backend b);
int vl_backend_parse(const char *s); /* -1 if unknown */

struct vl_plan_node {
	char *name;
	int topo_node;
	enum vl_kind kind;
	char netns[80];
	int forward;
	int ipv6;
	struct vl_plan_if *ifs;
	size_t n_ifs, cap_ifs;
	struct vl_plan_route *routes;
	size_t n_routes, cap_routes;
	struct vl_plan_res res;
	uint32_t proc_addr; /* proc backend: the node's loopback address */
	int mgmt_if;        /* index in ifs of its management interface, or -1 */
	char cgroup[160];   /* relative cgroup path: vnetlab/<lab>/<node> */
};

/* containerlab's management network: a bridge in the host's namespace
 * with the gateway's address, each node's eth0 (mgmt0 where the node has
 * an eth0 of its own) a port of it, the node's default route through it
 * unless the lab's own routes give one; the host's /etc/hosts names the
 * nodes (`hosts`); NAT out when asked; other labs' nodes kept off, and
 * the host's own services when asked (nftables, engine/mgmt.c). */
struct vl_plan_mgmt {
	bool on;
	char bridge[16]; /* vl<id>mgmt */
	uint32_t net, gw;
	int prefix;
	bool nat;
	bool isolated;      /* other labs' management networks kept off (the default) */
	bool host_services; /* nodes may open connections to the host (the default) */
	bool given;         /* the subnet was the file's (else the default, which up may move) */
	int seg;
	char *hosts; /* the host's /etc/hosts block: "ADDR\tclab-LAB-NODE\n"... */
};

/* A link between nodes on two hosts of a lab placed over several
 * (vl_plan_place, plan/place.h). */
struct vl_plan_cut {
	int topo_link;        /* index in topo->links */
	int veth;             /* its veth in p->veths, or -1 (the proc backend has none) */
	int host[2];          /* the hosts of its endpoints ep[0] and ep[1] */
	uint64_t rate_bps[2]; /* ep[0] -> ep[1] and back; 0: unlimited */
};

struct vl_plan {
	enum vl_backend backend;
	char lab[64];
	char id[VL_LAB_ID_LEN + 1];
	char (*infras)[32]; /* the infra namespaces' names; infras[0] is vl<id>.sw */
	size_t n_infras;    /* at least 1 */
	const struct vl_topo *topo;

	struct vl_plan_node *nodes;
	size_t n_nodes;
	struct vl_plan_bridge *bridges;
	size_t n_bridges, cap_bridges;
	struct vl_plan_veth *veths;
	size_t n_veths, cap_veths;
	struct vl_plan_seg *segs;
	size_t n_segs, cap_segs;

	struct vl_plan_mgmt mgmt;

	char *hosts; /* the /etc/hosts every node sees */

	/* The placement over hosts (vl_plan_place): n_hosts 1 and the rest
	 * NULL until it is made. */
	int n_hosts;
	int *host;       /* by topo node (switches too): its host, 0-based */
	int64_t *weight; /* by topo node: its demand (plan/place.h) */
	struct vl_plan_cut *cut;
	size_t n_cut;

	/* Host `part`'s part of the lab (vl_plan_part, part.h), or part -1:
	 * the whole lab on this host. */
	int part;
	uint32_t *underlay; /* by host: its underlay IPv4 address (host byte order) */
	uint16_t vx_port;   /* the VXLAN UDP port */
	int span_mtu;       /* the largest MTU a link across hosts carries */
	const char *job;    /* the Slurm job that started the part, or NULL */
};

/* The lab id a name hashes to (4 lowercase hex digits); the engine bumps it
 * with vl_lab_id_next() when another live lab already has it. */
void vl_lab_id_from_name(const char *lab, char id[VL_LAB_ID_LEN + 1]);
void vl_lab_id_next(char id[VL_LAB_ID_LEN + 1]);

int vl_plan_build(const struct vl_topo *t, const char *lab, const char *id, enum vl_backend backend,
                  struct vl_plan **out, struct vl_err *err);
/* "vnetlab/<lab>": the lab's cgroup, parent of its nodes'. */
void vl_plan_lab_cgroup(const char *lab, char *buf, size_t len);
void vl_plan_free(struct vl_plan *p);

/* The link backend of each link (ve->user), from the topology and what
 * the engine's probe found: have_netem > 0 if the kernel has netem.
 * Whether the answer depends on the probe at all: need_probe. */
bool vl_plan_links_need_probe(const struct vl_plan *p);
int vl_plan_choose_links(struct vl_plan *p, int have_netem, struct vl_err *err);

/* Has the lab links with an end in the host's namespace? */
static inline bool vl_plan_host_ends(const struct vl_plan *p)
{
	return p->mgmt.on || (p->topo && p->topo->n_host_links);
}

/* Move the management network to subnet net/prefix (the default one was
 * taken on this host): every address on it, the routes through it and
 * the names. */
void vl_plan_mgmt_move(struct vl_plan *p, uint32_t net, int prefix);
/* p->mgmt.hosts from the nodes' management addresses and names. */
void vl_plan_mgmt_hosts(struct vl_plan *p);
/* The host's name of node i: containerlab's clab-LAB-NODE (its prefix:). */
void vl_plan_mgmt_name(const struct vl_plan *p, size_t i, char *buf, size_t len);

/* Canonical text form of a plan (`vnetlab plan`, and the plan tests). */
void vl_plan_dump(const struct vl_plan *p, struct vl_buf *out);

/* The ifindex of a node's interface j (ifindexes are chosen by the plan
 * and given to the kernel: no lookups; 1 is lo), and of the infra end k
 * of veth v (the bridges come first). */
static inline int vl_plan_node_ifindex(int j)
{
	return 2 + j;
}
static inline int vl_plan_infra_ifindex(const struct vl_plan *p, size_t v, int k)
{
	return (int)(2 + p->n_bridges + 2 * v + (size_t)k);
}

/* The index in p->infras of the namespace of an end in one (VL_PLAN_INFRA),
 * and its name. */
static inline int vl_plan_end_infra(const struct vl_plan *p, const struct vl_plan_end *end)
{
	return p->bridges[end->bridge].infra;
}
static inline const char *vl_plan_end_infra_name(const struct vl_plan *p,
                                                 const struct vl_plan_end *end)
{
	return p->infras[vl_plan_end_infra(p, end)];
}
/* The name of the namespace of end e: a node's, an infra namespace's,
 * "host" or "-" (no other end). */
const char *vl_plan_end_ns_name(const struct vl_plan *p, const struct vl_plan_end *e);

/* Name of a node's netns: "vl<id>-<node>". */
void vl_plan_netns_name(const char *id, const char *node, char *buf, size_t len);

/* The MAC address the file gave interface j of node i (its link's
 * endpoint's mac), or NULL: the kernel's (or, in a guest, vnetlab's). */
const uint8_t *vl_plan_if_mac(const struct vl_plan *p, size_t i, size_t j);

#endif
