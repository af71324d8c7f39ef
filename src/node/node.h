/* Node backends behind one table each, like crun's cgroup managers: the
 * table covers a node's whole life, and nothing above src/node asks which
 * backend a node has; it calls the table the plan chose.
 *
 *   proc  a plain process in the host's network and UTS namespaces: only a
 *         mount namespace, so that /etc/hosts names the lab's nodes (proc.c);
 *   ns    a network, UTS and mount namespace per node (own interfaces,
 *         hostname, /etc/hosts, /etc/hostname, /tmp; optional rootfs
 *         overlay and pid namespace) (ns.c);
 *   vm    an ns node whose namespaces and cgroup are the host side of a
 *         QEMU guest with its own kernel and our agent as init (vm.c).
 *
 * Adding a backend is one file with one table and its entry in node.c. */
#ifndef VL_NODE_NODE_H
#define VL_NODE_NODE_H

#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "base/err.h"
#include "plan/plan.h"
#include "sys/cgroup.h"
#include "sys/netlink.h"

/* --- up ------------------------------------------------------------------- */

/* What `up` was told for the backends that take options (the guests'). */
struct vl_node_opts {
	/* the guest kernel ("small", "debian" or a path; NULL:
	 * $VNETLAB_VM_KERNEL, else the default), machine ("microvm", "q35";
	 * NULL: $VNETLAB_VM_MACHINE, else microvm under KVM and q35 under
	 * TCG), and how long to wait for the guests (0: 60 s + 3 s each) */
	const char *vm_kernel, *vm_machine;
	double vm_timeout;
	/* guests cloned from a template of their shape (vm/template.h):
	 * 0 ($VNETLAB_VM_CLONE=0|1, else on), 1 on, -1 off */
	int vm_clone;
	/* programs (absolute paths) carried into every guest with their
	 * shared libraries */
	const char *const *vm_programs;
	size_t n_vm_programs;
	/* host paths (absolute) every guest sees although hidden from guests
	 * by default (vm/view.h) */
	const char *const *vm_exports;
	size_t n_vm_exports;
};

/* What a lab's nodes of one backend share while `up` runs. */
struct vl_node_lab {
	const struct vl_plan *plan;
	const struct vl_node_opts *opts;
	const struct vl_cgroup_manager *cg; /* NULL: no cgroups here */
	bool have_ipv6;                     /* the kernel has IPv6 (to be switched off) */
	void *priv;                         /* the backend's own, from prepare() */
};

/* What a worker process holds while it creates nodes. */
struct vl_node_ctx {
	const struct vl_plan *plan;
	int host_mnt;         /* the host's mount namespace */
	uint64_t host_mnt_id; /* its kernel id (0: unknown) */
	int host_pid;         /* the host's pid namespace */
	int base_mnt;         /* template mount namespace nodes are cloned from */
	int self_exe;         /* this program, to start a node's init from */
	int proc;             /* the host's /proc (a node's may be its pid namespace's) */
	pid_t last_init;      /* init of the node create() made last, or 0 */
	bool ready;           /* worker_init() has run */
};

/* --- a running lab ------------------------------------------------------- */

/* A node of a running lab, found by name (vl_node_find). */
struct vl_node_ref {
	char lab[64], node[64], id[VL_LAB_ID_LEN + 1];
	const struct vl_node_backend *be;
};

enum vl_spawn_how {
	/* A child the caller reaps (vl_child_reap). */
	VL_SPAWN_CHILD,
	/* Run it as this process: exec in place where the backend can (then
	 * vl_node_spawn does not return), else to its end, passing signals
	 * and relaying a pty; c->status is then its wait status. */
	VL_SPAWN_REPLACE,
	/* A daemon in a session of its own, stdin /dev/null, its output in a
	 * log; c->where says where it runs ("pid N, log PATH"). */
	VL_SPAWN_DETACH,
};

struct vl_spawn {
	char *const *argv; /* argv[0] on the node's PATH, unless exe_fd */
	char *const *env;  /* "NAME=value" added to the environment, or NULL */
	/* >= 0: the program, opened by the caller on the host (a node's own
	 * /tmp may hide its path); a guest runs its base name from its PATH */
	int exe_fd;
	int in, out, err; /* its stdin, stdout, stderr (-1: /dev/null) */
	bool tty;         /* a pseudo-terminal (REPLACE only): in and out are relayed */
	/* CHILD: its own process group, told SIGTERM if the caller dies */
	bool own_group;
	enum vl_spawn_how how;
};

struct vl_child {
	pid_t pid;      /* to signal and reap (a guest's command: our relay to its agent) */
	pid_t net_pid;  /* a process whose /proc/PID/net is the node's (0: none: a guest) */
	int ru_fd;      /* a relay's report of its command's own rusage (-1: none) */
	int status;     /* REPLACE: how it ended (a wait status) */
	int exec_errno; /* the program itself could not be run: why (ENOENT: not found) */
	char where[PATH_MAX + 64]; /* DETACH: "pid N, log PATH", as the backend says */
};

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

/* --- the table ------------------------------------------------------------- */

struct vl_node_backend {
	const char *name;
	/* The node has a network namespace of its own (else it is the host's:
	 * no interfaces, no switches). */
	bool own_netns;
	/* The sysctls that are the node's own, by their first word ("net":
	 * a network namespace's; "" every one: a guest's kernel); NULL: none,
	 * every sysctl would be the host's. */
	const char *own_sysctls;
	/* What `up` says its nodes are (" (virtual machines)"), or "". */
	const char *nodes_are;
	/* For benchmarks: whether a program's first start there is slow
	 * (emulated code is translated: run it once before the clock starts);
	 * and how much longer starting a program takes than on the host, in
	 * seconds, plus per program started at once. */
	bool cold_start;
	double start_lead_s, start_lead_each_s;
	/* Its nodes keep a clock of their own (a guest's), which can drift
	 * from the host's. */
	bool own_clock;
	/* Whether lab's nodes of this backend run on emulated CPUs (guests
	 * under TCG). Optional (no). */
	bool (*emulated)(const char *lab);
	/* Can nodes of this backend be made on this machine? Optional (yes);
	 * err says why not. */
	int (*usable)(struct vl_err *err);

	/* Before the lab's first node of this backend (the guests' kernel,
	 * accelerator and image). Optional; release() frees l->priv. */
	int (*prepare)(struct vl_node_lab *l, struct vl_err *err);
	void (*release)(struct vl_node_lab *l);
	/* The limits of node n's cgroup. */
	void (*limits)(const struct vl_plan_node *n, struct vl_cg_limits *lim);
	/* In a worker process, before its first create() of this backend. */
	int (*worker_init)(struct vl_node_ctx *ctx, struct vl_err *err);
	void (*worker_fini)(struct vl_node_ctx *ctx);
	/* Make node i of the plan: its namespaces, hostname and files. The
	 * worker is left in the node's network namespace (the host's for
	 * proc), where the engine creates the links' ends. */
	int (*create)(struct vl_node_ctx *ctx, size_t i, struct vl_err *err);
	/* Right after the links' ends, there: the rest of the host side of
	 * the node's interfaces (a guest's TAPs). Optional. */
	int (*wire)(const struct vl_plan *p, size_t i, struct vl_err *err);
	/* Queue on nl, in the node's network namespace once every interface
	 * of it exists, what makes them work, before the engine sets them up
	 * (IPv6 off, addresses, routes; a guest's TAPs joined to them). */
	int (*configure)(const struct vl_node_lab *l, struct vl_nl *nl, size_t i,
	                 struct vl_err *err);
	/* Once every node is wired: start what runs in node i (its guest).
	 * Returns an fd that reads its answer when it is ready or failed.
	 * Optional: a node without it is ready when made. */
	int (*start)(const struct vl_node_lab *l, size_t i, struct vl_err *err);
	/* Wait until every started node (fds[k] for nodes[k]) is ready, or
	 * *stop is set (by a signal handler). Closes the fds. */
	int (*wait)(const struct vl_node_lab *l, const size_t *nodes, int *fds, size_t n,
	            volatile sig_atomic_t *stop, struct vl_err *err);
	/* state.json, once it holds every node: what the backend says of the
	 * lab and of its own nodes (root's "nodes"[i] is plan node i).
	 * Optional. */
	void (*describe_lab)(const struct vl_plan *p, json_t *root);

	/* Run a program in the node (vl_node_spawn). */
	int (*spawn)(const struct vl_node_ref *n, const struct vl_spawn *s, struct vl_child *c,
	             struct vl_err *err);
	/* What the node's interfaces (netns: its network namespace) and its
	 * insides counted; cgroup figures are the caller's. */
	int (*stats)(const struct vl_node_ref *n, const char *netns, struct vl_node_stats *st,
	             struct vl_err *err);
	/* Only the counters of the interfaces that carry the node's traffic,
	 * cheaply enough to be read every 100 ms (nothing asked of a guest),
	 * into st->ifs. NULL where the node has no interfaces of its own. */
	int (*if_stats)(const char *netns, struct vl_node_stats *st, struct vl_err *err);

	/* What the backend keeps outside any lab (the guests' templates):
	 * pieces a crash left unfinished are removed, and with caches the
	 * cache too; each said through say (removed: true). Optional. */
	int (*clean)(bool dry_run, bool caches, void (*say)(bool removed, const char *what, void *),
	             void *data, struct vl_err *err);
};

extern const struct vl_node_backend vl_node_ns, vl_node_proc, vl_node_vm;

/* The table of a lab backend (every node of a proc lab; an ns or vm
 * lab's nodes unless the plan says otherwise of one), of plan node i, and
 * by name (state.json's "backend"; NULL if unknown). */
const struct vl_node_backend *vl_node_backend_for(enum vl_backend b);
const struct vl_node_backend *vl_node_backend_of(const struct vl_plan *p, size_t i);
const struct vl_node_backend *vl_node_backend_named(const char *name);
/* Every backend's clean(). */
int vl_node_clean(bool dry_run, bool caches, void (*say)(bool removed, const char *what, void *),
                  void *data, struct vl_err *err);

/* At up: remember which nodes are of another backend than the lab's (the
 * lab's directory, "backends"), for vl_node_find. */
int vl_node_write_backends(const struct vl_plan *p, struct vl_err *err);
/* Find node `node` of lab `lab`: names checked, the node's table. */
int vl_node_find(const char *lab, const char *node, struct vl_node_ref *ref, struct vl_err *err);
/* The host itself, outside any lab, as a node to run programs in (a proc
 * node without its cgroup and mount namespace). */
void vl_node_host(struct vl_node_ref *ref);
/* Run a program in the node: the one way for exec, the benchmarks and the
 * MPI launcher. Into the node's cgroup and namespaces (its pid namespace
 * too: through a child that passes signals on), or into its guest through
 * its agent. If it fails because the program could not be run,
 * c->exec_errno says why (ENOENT: not found). */
int vl_node_spawn(const struct vl_node_ref *n, const struct vl_spawn *s, struct vl_child *c,
                  struct vl_err *err);
/* Reap a CHILD (waitpid options: 0 or WNOHANG; 0 if not yet ended): its
 * wait status, and its rusage (a guest command's own, from the agent). */
pid_t vl_child_reap(struct vl_child *c, int options, int *status, struct rusage *ru);

/* Undo create() for the node whose network namespace is netns, whatever
 * its backend (the journal's undo of a "netns" record; the lab's ns/ tmpfs,
 * unmounted afterwards, takes the node's other namespaces, and the lab's
 * processes, a guest's supervisor among them, were stopped before). */
int vl_node_destroy_netns(const char *netns, struct vl_err *err);

/* `vnetlab __init`: pid 1 of a node's pid namespace. Reaps orphans, exits
 * on SIGTERM. Never returns. */
void vl_node_init_main(void) __attribute__((noreturn));

#endif
