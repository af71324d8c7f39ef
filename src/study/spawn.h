/* Processes of a benchmark inside nodes: started in a node (its cgroup and
 * namespaces) with stdout on a pipe, read until they end or a deadline,
 * then stopped: SIGTERM first (a `vnetlab-work run` passes it on and still
 * reports), SIGKILL after a grace period. */
#ifndef VL_STUDY_SPAWN_H
#define VL_STUDY_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/util.h"
#include "node/node.h"

struct vl_bench_proc {
	pid_t pid;
	int out; /* its stdout */
	struct vl_buf text;
	int status;
	bool done;               /* exited 0 */
	bool stopped;            /* the deadline passed and it was told to stop */
	struct rusage ru;        /* from wait4; in a guest, the command's own from the agent */
	struct vl_node_ref node; /* where it runs */
	struct vl_child child;   /* its handle (pid: in a guest, our relay to its agent) */
};

/* Start argv in node of lab (node NULL: on the host, outside any lab),
 * its stdout on a pipe, stdin /dev/null; env: NULL-terminated
 * "NAME=value" strings added to the environment, or NULL. argv[0] is a
 * path, opened here (the node may not see it). In a vm node the command
 * runs in the guest, through its agent, as the program of argv[0]'s base
 * name on the guest's PATH (vnetlab-work as the static build carried in
 * the guest image); pid is then a relay that passes SIGTERM on and exits
 * with the command's status, and ru is the command's own rusage, as the
 * guest's kernel counted it (its agent's wait4). */
int vl_bench_spawn(const char *lab, const char *node, char *const *argv, char *const *env,
                   struct vl_bench_proc *p, struct vl_err *err);
/* Read every process's output until it ends or the deadline (monotonic
 * seconds) passes; those still running then are stopped, and all reaped.
 * Entries never started (pid 0, as calloc leaves them) are passed over. */
void vl_bench_collect(struct vl_bench_proc *ps, size_t n, double deadline);

/* Wait (up to timeout seconds) until a server started with vl_bench_spawn
 * listens on TCP port in its node: clients that do not retry (iperf,
 * scp) must not find it still starting. false if it did not in time or
 * has already ended. */
bool vl_bench_wait_listen(const struct vl_bench_proc *p, int port, double timeout);

uint64_t vl_realtime_ns(void);

#endif
