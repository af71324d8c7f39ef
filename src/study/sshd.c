/* sshd in nodes. See sshd.h. */
#include "study/sshd.h"

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int keygen(const char *path, struct vl_err *err)
{
	char *argv[] = {
	    "/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "vnetlab", "-f",
	    (char *)path,          NULL};

	if (unlink(path) < 0 && errno != ENOENT)
		return vl_err_sys(err, errno, "remove %s", path);
	return vl_spawn_wait(argv, true, err) < 0 ? vl_err_wrap(err, "make the key %s", path) : 0;
}

int vl_sshd_prepare(const char *dir, const struct passwd *user, struct vl_err *err)
{
	bool root = user->pw_uid == 0;
	cleanup_free char *pub = NULL, *conf = NULL;
	char p[PATH_MAX], q[PATH_MAX];
	size_t len;
	int r;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", dir);
	if (mkdir("/run/sshd", 0755) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir /run/sshd (sshd's privilege separation)");
	snprintf(p, sizeof(p), "%s/host_key", dir);
	if (keygen(p, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/id", dir);
	if (keygen(p, err) < 0)
		return -1;
	snprintf(q, sizeof(q), "%s/id.pub", dir);
	if (vl_read_file(q, &pub, &len, err) < 0)
		return -1;
	snprintf(q, sizeof(q), "%s/authorized_keys", dir);
	r = vl_write_file(q, pub, len, err);
	if (r < 0)
		return -1;
	if (!root && chown(p, user->pw_uid, user->pw_gid) < 0)
		return vl_err_sys(err, errno, "chown %s", p);
	/* The key logs in as its one user and nobody else: the LAM account's
	 * key must not open root's door. */
	conf =
	    vl_xasprintf("# vnetlab: one sshd per node, key-only logins as %s\n"
	                 "HostKey %s/host_key\n"
	                 "AuthorizedKeysFile %s/authorized_keys\n"
	                 "AllowUsers %s\n"
	                 "PermitRootLogin %s\n"
	                 "PidFile none\n"
	                 "UsePAM no\n"
	                 "StrictModes no\n"
	                 "DisableForwarding yes\n"
	                 "PubkeyAuthentication yes\n"
	                 "PasswordAuthentication no\n"
	                 "KbdInteractiveAuthentication no\n"
	                 "UseDNS no\n"
	                 "PrintMotd no\n"
	                 "MaxStartups 100\n"
	                 "MaxSessions 100\n"
	                 "LogLevel ERROR\n"
	                 "Subsystem sftp internal-sftp\n",
	                 user->pw_name, dir, dir, user->pw_name, root ? "prohibit-password" : "no");
	snprintf(p, sizeof(p), "%s/sshd_config", dir);
	return vl_write_file(p, conf, strlen(conf), err);
}

void vl_sshd_argv(const char *dir, const char *host, int port, struct vl_argv *a)
{
	vl_argv_addl(a, VL_SSHD, "-D", "-e", "-f", NULL);
	vl_argv_addf(a, "%s/sshd_config", dir);
	vl_argv_add(a, "-o");
	vl_argv_addf(a, "ListenAddress=%s:%d", host, port);
}

void vl_ssh_opts(const char *dir, struct vl_argv *a)
{
	static const char *const opts[] = {"BatchMode=yes", "StrictHostKeyChecking=no",
	                                   "UserKnownHostsFile=/dev/null", "LogLevel=ERROR"};

	vl_argv_add(a, "-i");
	vl_argv_addf(a, "%s/id", dir);
	for (size_t i = 0; i < VL_ARRAY_SIZE(opts); i++) {
		vl_argv_add(a, "-o");
		vl_argv_add(a, opts[i]);
	}
}
