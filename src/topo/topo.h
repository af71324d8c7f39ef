/* struct vl_topo: what the user asked for, as pure data. Parsed from a
 * containerlab-style YAML file or expanded from a one-line generator.
 * Knows nothing of the kernel; every element remembers where in the input
 * it came from, so that later stages can report file:line:column. */
#ifndef VL_TOPO_TOPO_H
#define VL_TOPO_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "topo/impair.h"

struct vl_buf;
struct vl_topo_priv;

enum vl_kind {
	VL_KIND_LINUX,  /* a host: a namespace node that does not forward */
	VL_KIND_ROUTER, /* a namespace node that forwards IPv4 */
	VL_KIND_BRIDGE, /* a switch: a Linux bridge, no namespace of its own */
};
const char *vl_kind_name(enum vl_kind k);

/* A place in the input: line and column are 1-based; 0 means "generated". */
struct vl_pos {
	int line, col;
};

/* Tri-state for settings that inherit from defaults. */
enum { VL_UNSET = -1 };

/* A node's resources and filesystem. Every field may be unset (VL_UNSET,
 * or NULL), meaning "inherit": node > kinds.<kind> > defaults > profile. */
struct vl_topo_res {
	double cpus;       /* CPU time per period, in CPUs; 0: no limit */
	long cpu_weight;   /* 1..10000, 100 is the default share */
	char *cpuset;      /* CPUs the node may run on, "0-1,3" */
	int64_t memory;    /* hard limit in bytes, no swap; 0: no limit */
	int64_t pids;      /* most tasks; 0: no limit */
	char *rootfs;      /* a directory: the node's / is an overlay on it */
	int pid_ns;        /* a private pid namespace with a small init */
	int vm;            /* backend: 1 a virtual machine (vm), 0 namespaces (ns) */
	struct vl_pos pos; /* where the first of them was given */
};

/* Profiles: named resource shapes for every node. */
enum vl_profile {
	VL_PROFILE_NONE,
	VL_PROFILE_STUDY, /* the study's guests: 1 CPU, 64 MiB */
};
const char *vl_profile_name(enum vl_profile p);
/* Parse a profile name; -1 if unknown. */
int vl_profile_parse(const char *s);

/* All fields unset. */
void vl_topo_res_init(struct vl_topo_res *r);
/* Fill what is unset in dst from src (strings copied). */
void vl_topo_res_inherit(struct vl_topo_res *dst, const struct vl_topo_res *src);
/* Set every field that is set in src, over what dst has (strings copied). */
void vl_topo_res_override(struct vl_topo_res *dst, const struct vl_topo_res *src);
void vl_topo_res_free(struct vl_topo_res *r);
/* Set resource `key` (cpus, cpu-weight, cpuset, memory, pids, rootfs,
 * backend; and
 * containerlab's cpu, cpu-set) from its text. NULL, or why the value is not
 * valid ("expected ..."). */
const char *vl_topo_res_set(struct vl_topo_res *r, const char *key, const char *value);
/* The resources a profile gives (all unset for none). */
void vl_topo_res_profile(struct vl_topo_res *r, enum vl_profile p);

/* What a node runs once the lab is up and with what environment
 * (containerlab's exec, env and labels), merged node > group > kind >
 * defaults when the file is read: exec lines from the most specific level
 * that has them, env and labels name by name. */
struct vl_topo_settings {
	char **exec; /* commands, each split into words as a shell would, no shell */
	size_t n_exec;
	bool have_exec; /* exec: given (an empty list too) */
	char **env;     /* "NAME=value", each NAME once */
	size_t n_env;
	char **labels; /* "key=value", each key once */
	size_t n_labels;
	char **sysctls; /* "net.ipv4.ip_forward=1", each key once: set before exec */
	size_t n_sysctls;
	/* "NODEPATH=HOSTPATH:ro" (or :rw), each node path once: HOSTPATH
	 * absolute and existing when the file was read */
	char **binds;
	size_t n_binds;
	/* the node's long-running process: entrypoint's words, then cmd's,
	 * started (detached, logged) before the exec lines; NULL: none */
	char *entrypoint, *cmd;
	double startup_delay; /* s after the lab is up before cmd and exec (< 0: unset) */
	char **wait_for;      /* nodes whose cmd and exec come first */
	size_t n_wait_for;
	bool have_wait_for;
	struct vl_pos wait_pos;
	/* an FRR router (kind frr, or FRR's files bound into /etc/frr): the
	 * host's FRR runs in it with its own /etc/frr, /run/frr, /var/log/frr */
	bool frr;
	char *startup_config; /* FRR: its frr.conf, an absolute host path (NULL: none) */
	struct vl_pos startup_pos;
	struct vl_pos exec_pos; /* where exec was given */
};
/* Add what dst lacks from src (strings copied). */
void vl_topo_settings_inherit(struct vl_topo_settings *dst, const struct vl_topo_settings *src);
void vl_topo_settings_init(struct vl_topo_settings *s);
void vl_topo_settings_free(struct vl_topo_settings *s);
/* Set "name=value" in a list of such (replacing name's value). */
void vl_topo_kv_set(char ***list, size_t *n, const char *name, const char *value);

/* A node's host when a lab is placed over several (`host: K`, on a node,
 * its group or its kind; node > group > kind): 0-based, below
 * VL_TOPO_MAX_HOSTS. Zeroed: not pinned, the placement decides. */
#define VL_TOPO_MAX_HOSTS 1024
struct vl_topo_pin {
	bool on;
	int host;
	struct vl_pos pos; /* where host: was given */
};

struct vl_topo_node {
	char *name;
	enum vl_kind kind;
	int ipv6;               /* VL_UNSET, 0 or 1 */
	struct vl_topo_res res; /* node and kind level; defaults are in topo */
	struct vl_topo_settings set;
	uint32_t mgmt_ipv4;     /* mgmt-ipv4 (host byte order), 0: the next free one */
	bool no_mgmt;           /* network-mode: none: no management interface */
	struct vl_pos mgmt_pos; /* where mgmt-ipv4 was given */
	struct vl_topo_pin pin; /* host: */
	struct vl_pos pos;
};

/* containerlab's management network: a bridge of the lab's in the host's
 * namespace, every node's eth0 on it with an address the host reaches,
 * names clab-LAB-NODE in the host's /etc/hosts, and, when asked, NAT out. */
struct vl_topo_mgmt {
	int on;            /* VL_UNSET: the file's format decides (a *.clab.yml has one) */
	uint32_t net;      /* ipv4-subnet, host byte order */
	int prefix;        /* 0: the default, 172.20.20.0/24 (moved aside when taken) */
	uint32_t gw;       /* ipv4-gw: the host's address on it; 0: the subnet's first */
	int nat;           /* VL_UNSET (off), 0, 1: masquerade out of the lab */
	int lab_isolation; /* VL_UNSET (on), 0, 1: other labs' nodes kept off (nftables) */
	int host_services; /* VL_UNSET (on), 0, 1: nodes may open connections to the host */
	char *prefix_name; /* the top-level prefix: (NULL: "clab") */
	struct vl_pos pos;
};
#define VL_MGMT_DEFAULT_NET    0xac141400u /* 172.20.20.0 */
#define VL_MGMT_DEFAULT_PREFIX 24

struct vl_topo_endpoint {
	size_t node;    /* index into topo->nodes */
	char *ifname;   /* interface name in the node (port label on a bridge) */
	uint8_t mac[6]; /* its MAC address, if have_mac (unicast) */
	bool have_mac;
	uint32_t ipv4;  /* its address (host order) and prefix, if ipv4_prefix > 0 */
	int ipv4_prefix;
	struct vl_pos pos, mac_pos, ipv4_pos;
};

/* Which path serves a link's impairments. */
enum vl_link_engine {
	VL_LINK_ENGINE_AUTO,   /* the kernel where it can, else linkd */
	VL_LINK_ENGINE_KERNEL, /* qdiscs (tbf; netem where the kernel has it) */
	VL_LINK_ENGINE_USER,   /* linkd, vnetlab's user-space link engine, over TAP devices */
};
const char *vl_link_engine_name(enum vl_link_engine e);

struct vl_topo_link {
	struct vl_topo_endpoint ep[2];
	int mtu; /* 0: default */
	/* Impairments by direction: dir[0] from ep[0] to ep[1], dir[1] back. */
	struct vl_impair dir[2];
	enum vl_link_engine engine;
	struct vl_pos pos;
};

/* containerlab's links with one endpoint: to the host (type: host, the
 * other end in the host's namespace as host-interface), to the management
 * bridge (mgmt-net, that end a port of it), or to nothing (dummy). */
enum vl_host_link_type { VL_HOST_LINK, VL_MGMT_LINK, VL_DUMMY_LINK };
struct vl_topo_host_link {
	enum vl_host_link_type type;
	struct vl_topo_endpoint ep;
	char *host_ifname; /* NULL for dummy */
	int mtu;           /* 0: the lab's */
	struct vl_pos pos;
};
const char *vl_host_link_type_name(enum vl_host_link_type t);

/* What a node's cgroups measure besides its CPU time, without a limit
 * that needs it anyway (a memory or pids limit): each is a cgroup in a
 * hierarchy of its own on v1 (and a memory cgroup, a kernel object of some
 * 20 kB with its shrinker info, more on a machine that once had many
 * filesystems mounted), so off by default (`up --accounting`). */
#define VL_ACCOUNT_MEMORY 1u /* memory used and its peak */
#define VL_ACCOUNT_TASKS  2u /* tasks (pids.current) */

struct vl_topo {
	char *name;   /* lab name from the file ("name:"), may be NULL */
	char *source; /* file path, or "--topo SPEC" for generators */

	struct vl_topo_node *nodes;
	size_t n_nodes;
	struct vl_topo_link *links;
	size_t n_links;
	struct vl_topo_host_link *host_links;
	size_t n_host_links, cap_host_links;

	/* topology-wide settings (from "defaults:" or generator defaults) */
	uint32_t pool_addr; /* address pool, host byte order */
	int pool_prefix;
	int ipv6; /* 0 or 1: IPv6 (autoconfiguration) on node interfaces */
	/* 1: vnetlab gives every link's ends addresses and every node routes;
	 * 0: none (containerlab's way: exec lines and FRR configure them).
	 * Set by defaults.addressing, else 0 for a *.clab.yml file, else 1. */
	int addressing;
	int mtu; /* 0: kernel default */
	struct vl_topo_mgmt mgmt;
	int stp;                     /* 1: switches run STP (a generator made loops: torus) */
	unsigned accounting;         /* VL_ACCOUNT_*: what every node's cgroups measure beyond
	                              * CPU time (which is always measured) */
	struct vl_topo_res defaults; /* "defaults:" resources */
	enum vl_profile profile;

	/* Messages about input that loaded but was partly ignored
	 * ("lab.yml:4:7: image: ignored, nodes are namespaces"). */
	char **warnings;
	size_t n_warnings;

	/* Private to src/topo: capacities and the node name index. NULL in a
	 * hand-built topology, which then works too (lookups scan). */
	struct vl_topo_priv *priv;
};

/* Defaults shared by the parser and the generators. */
#define VL_TOPO_DEFAULT_POOL "10.0.0.0/8"

/* Bounds on a topology file, so that no file makes the loader run out of
 * memory or time: its size, how deep its YAML nests (libyaml's cost grows
 * with the square of the depth), how many YAML values it holds, how many
 * nodes and links it declares. 100,000 nodes and as many links fit. */
#define VL_TOPO_MAX_FILE   ((size_t)16 << 20)
#define VL_TOPO_MAX_DEPTH  64
#define VL_TOPO_MAX_VALUES 2000000 /* YAML nodes: 160 bytes each in libyaml */
#define VL_TOPO_MAX_NODES  100000
#define VL_TOPO_MAX_LINKS  500000

/* Load a containerlab-style YAML file. Errors are "FILE:LINE:COL: what". */
int vl_topo_load_file(const char *path, struct vl_topo **out, struct vl_err *err);
/* Same, from a buffer; `name` is used in messages in place of a path. */
int vl_topo_load_buffer(const char *name, const char *data, size_t len, struct vl_topo **out,
                        struct vl_err *err);
/* Expand "single,N", "linear,K[,N]", "tree,DEPTH,FANOUT", "ring,N",
 * "torus,X,Y[,N]", "minimal". */
int vl_topo_generate(const char *spec, struct vl_topo **out, struct vl_err *err);
void vl_topo_free(struct vl_topo *t);

/* Index of the node called name, or -1. O(1) for topologies built by the
 * functions here. */
long vl_topo_find_node(const struct vl_topo *t, const char *name);
/* Index of the node whose name equals name without regard to case, or -1. */
long vl_topo_find_node_nocase(const struct vl_topo *t, const char *name);

/* A canonical, line-oriented text dump (settings, nodes, links, warnings),
 * appended to out; used by the tests. */
void vl_topo_dump(const struct vl_topo *t, struct vl_buf *out);

/* Building a topology (the loader, the generators, tests). */
/* An empty topology: pool VL_TOPO_DEFAULT_POOL, ipv6 0, mtu 0. */
struct vl_topo *vl_topo_new(const char *source);
/* Make room for this many nodes and links in all (a speed-up only). */
void vl_topo_reserve(struct vl_topo *t, size_t n_nodes, size_t n_links);
/* Append a node (kind linux, ipv6 VL_UNSET; name copied). Returns NULL,
 * adding nothing, if a node of that name exists. The pointer is valid
 * until the next node is added. */
struct vl_topo_node *vl_topo_add_node(struct vl_topo *t, const char *name, struct vl_pos pos);
/* Append a zeroed link for the caller to fill (ifnames must be malloc'd:
 * vl_topo_free frees them). Valid until the next link is added. */
struct vl_topo_link *vl_topo_add_link(struct vl_topo *t);
/* Append a warning (already "FILE:LINE:COL: ..."). */
void vl_topo_add_warning(struct vl_topo *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
