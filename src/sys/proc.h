/* Processes: finding the ones that live in a set of namespaces, stopping
 * them by pid (through pidfds, so a recycled pid is never hit), and
 * spawning helpers. */
#ifndef VL_SYS_PROC_H
#define VL_SYS_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "sys/ns.h"

struct vl_proc {
	pid_t pid;
	struct vl_ns_id netns, mntns;
	char comm[32];
};

/* Every process (other than the caller) whose network namespace is in
 * `ids` (sorted by vl_ns_id_cmp). */
int vl_proc_find_in_netns(const struct vl_ns_id *ids, size_t n_ids, struct vl_proc **out,
                          size_t *n_out, struct vl_err *err);
/* SIGTERM them, wait up to `grace` seconds, SIGKILL the rest and reap what
 * is ours. Returns the number still alive (0 normally). */
size_t vl_proc_stop(const struct vl_proc *procs, size_t n, double grace);

/* Fork a child tied to its parent by a close-on-exec pipe: in the child
 * *fd is the pipe's write end, in the parent its read end (EOF once the
 * child and whatever it exec'd have closed it). Returns fork()'s value,
 * -1 with err. */
pid_t vl_fork_pipe(int *fd, struct vl_err *err);
/* Fill p->netns, p->mntns and p->comm from /proc for p->pid (left empty if gone). */
void vl_proc_describe(struct vl_proc *p);

#endif
