/* sshd in nodes, for the scp workload and LAM/MPI's boot: a per-lab key
 * pair and host key, an sshd_config that allows key-only logins, and the
 * command lines of the server and of its clients. Everything lives in one
 * directory of the lab's state, removed with the lab. */
#ifndef VL_BENCH_SSHD_H
#define VL_BENCH_SSHD_H

#include <sys/types.h>

#include "base/err.h"
#include "base/util.h"

#define VL_SSHD "/usr/sbin/sshd"
#define VL_SSH  "/usr/bin/ssh"

/* Make dir (mode 0755) with host_key, id (the clients' key) and
 * sshd_config in it. uid/gid own the client key (the user that will run
 * ssh; 0 for root). Creates /run/sshd, which sshd needs, if missing. */
int vl_sshd_prepare(const char *dir, uid_t uid, gid_t gid, struct vl_err *err);
/* sshd in the foreground, logging to stderr, listening on host's
 * addresses (resolved inside the node, so proc nodes on one loopback each
 * get their own) on port 22. */
void vl_sshd_argv(const char *dir, const char *host, struct vl_argv *a);
/* ssh's options for a client of these servers: the key, no questions, no
 * known_hosts, quiet. */
void vl_ssh_opts(const char *dir, struct vl_argv *a);

#endif
