/* Node backends behind one operations table, like crun's cgroup managers.
 * The engine forks worker processes and calls create() in them for a share
 * of the nodes each; enter() joins a node in the calling process (exec).
 *
 *   ns    a network, UTS and mount namespace per node (own interfaces,
 *         hostname, /etc/hosts, /etc/hostname, /tmp; optional rootfs
 *         overlay and pid namespace);
 *   proc  a plain process in the host's network and UTS namespaces: only a
 *         mount namespace, so that /etc/hosts names the lab's nodes. */
#ifndef VL_NODE_NODE_H
#define VL_NODE_NODE_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "plan/plan.h"

struct vl_node_ctx {
	const struct vl_plan *plan;
	int host_mnt;    /* the host's mount namespace */
	int host_pid;    /* the host's pid namespace */
	int base_mnt;    /* template mount namespace nodes are cloned from */
	int self_exe;    /* this program, to start a node's init from */
	int proc;        /* the host's /proc (a node's may be its pid namespace's) */
	pid_t last_init; /* init of the node create() made last, or 0 */
};

struct vl_node_backend {
	const char *name;
	/* In a worker, before its first create(). */
	int (*worker_init)(struct vl_node_ctx *ctx, struct vl_err *err);
	void (*worker_fini)(struct vl_node_ctx *ctx);
	/* Create node i of the plan: its namespaces, hostname and files. On
	 * success the calling worker is left in the node's network namespace
	 * (the host's for proc), where the engine then creates the node's
	 * interfaces. */
	int (*create)(struct vl_node_ctx *ctx, size_t i, struct vl_err *err);
	/* Join node `node` of lab `lab` (id `id`) in the calling process. If
	 * the node has a pid namespace, *pid_ns is an fd of it (else -1): the
	 * caller joins it with setns() and forks, as only children enter it. */
	int (*enter)(const char *lab, const char *id, const char *node, int *pid_ns,
	             struct vl_err *err);
};

extern const struct vl_node_backend vl_node_ns, vl_node_proc;

/* --- vm nodes (vm.c) ---------------------------------------------------------
 * A vm node is an ns node (its namespaces and cgroup are the host side of
 * the guest: QEMU and its supervisor run there) whose interfaces each get
 * a TAP, "vt<j>", joined to the node's own interface j by tc redirects
 * both ways; the guest's virtio-net device sits on the TAP. So a guest's
 * frames leave through the very interface an ns node's would, with the
 * same shaping, bridge port, peer or link engine behind it. */
struct vl_cgroup_manager;
struct vl_vm_lab; /* what every guest of a lab boots: kernel, accelerator, image */

#define VL_VM_DEFAULT_RAM (128ull << 20)
/* Host memory a guest costs beyond its RAM (QEMU, its 16 MiB translation
 * cache, the supervisor): added to a vm node's cgroup memory limit. */
#define VL_VM_OVERHEAD (128ull << 20)

/* The TAP of node interface j, in the node's namespace. */
void vl_node_vm_tap_name(size_t j, char buf[16]);
/* The MAC of a guest's interface j (locally administered, from the lab
 * id, the node's index and j). */
void vl_node_vm_mac(const struct vl_plan *p, size_t node, size_t j, uint8_t mac[6]);
/* RAM and vCPUs of a vm node's guest from its resources. */
uint64_t vl_node_vm_ram(const struct vl_plan_node *n);
unsigned vl_node_vm_vcpus(const struct vl_plan_node *n);

/* Before any guest starts: find the kernel (want: --vm-kernel, NULL for
 * the default), choose KVM or TCG and the machine type, and write the
 * lab's initramfs (with programs, at their paths, and their libraries)
 * and vm/info. *out is freed by vl_node_vm_lab_free(). */
int vl_node_vm_prepare(const struct vl_plan *p, const char *want_kernel, const char *machine,
                       const char *const *programs, size_t n_programs, struct vl_vm_lab **out,
                       struct vl_err *err);
void vl_node_vm_lab_free(struct vl_vm_lab *vl);
/* Start the guest of node i (its namespaces, cgroup and TAPs exist): its
 * supervisor, in the background. Returns the read end of its ready pipe. */
int vl_node_vm_start(const struct vl_plan *p, size_t i, const struct vl_vm_lab *vl,
                     const struct vl_cgroup_manager *cg, struct vl_err *err);
/* Wait until every started guest's agent answered (ready[k] for node
 * nodes[k]), at most timeout seconds, or until *stop is set (by a signal
 * handler); on failure the error names the node and ends with its
 * console's last lines. Closes the fds. */
int vl_node_vm_wait(const struct vl_plan *p, const size_t *nodes, int *ready, size_t n,
                    double timeout, volatile sig_atomic_t *stop, struct vl_err *err);
/* Is node a guest? Connect to its agent (through its supervisor) and
 * wait up to timeout seconds for its READY: a stream for vm/client.h. */
bool vl_node_is_vm(const char *lab, const char *node);
int vl_node_vm_connect(const char *lab, const char *node, double timeout, struct vl_err *err);
const struct vl_node_backend *vl_node_backend_for(enum vl_backend b);

/* Undo create() for the node whose network namespace is `netns` (the
 * lab's ns/ tmpfs, unmounted afterwards, takes the other namespaces). */
int vl_node_destroy_netns(const char *netns, struct vl_err *err);

/* `vnetlab __init`: pid 1 of a node's pid namespace. Reaps orphans, exits
 * on SIGTERM. Never returns. */
void vl_node_init_main(void) __attribute__((noreturn));

#endif
