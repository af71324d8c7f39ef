/* sshd in nodes, for the scp workload and LAM/MPI's boot: a per-lab key
 * pair and host key, an sshd_config that allows key-only logins, and the
 * command lines of the server and of its clients. Everything lives in one
 * directory of the lab's state, removed with the lab. */
#ifndef VL_STUDY_SSHD_H
#define VL_STUDY_SSHD_H

#include <sys/types.h>

#include "base/err.h"
#include "base/util.h"

#define VL_SSHD "/usr/sbin/sshd"
#define VL_SSH  "/usr/bin/ssh"

/* Make dir (mode 0755) with host_key, id (the clients' key) and
 * sshd_config in it. The key logs in as user, and only as user (root: scp;
 * the LAM account: LAM, which then cannot log in as root), who owns it.
 * Creates /run/sshd, which sshd needs, if missing (and leaves it, as
 * Debian's own sshd does). */
struct passwd;
int vl_sshd_prepare(const char *dir, const struct passwd *user, struct vl_err *err);
/* sshd in the foreground, logging to stderr, listening on host's
 * addresses (resolved inside the node, so proc nodes on one loopback each
 * get their own) on port: proc nodes share the host's network, where port
 * 22 may be the host's sshd's. */
void vl_sshd_argv(const char *dir, const char *host, int port, struct vl_argv *a);
/* ssh's options for a client of these servers: the key, no questions, no
 * known_hosts, quiet. */
void vl_ssh_opts(const char *dir, struct vl_argv *a);

#endif
