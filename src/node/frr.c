/* FRR routers in nodes: the host's FRR (Debian's frr) with files of the
 * node's own. In the lab's frr/NODE/ directory: etc/ (frr.conf from the
 * startup-config, daemons from the host's template with the daemons the
 * configuration uses switched on, vtysh.conf for one integrated file),
 * run/ and log/, bound over /etc/frr, /run/frr and /var/log/frr in the
 * node's mount namespace; owned by FRR's user, who can put anything there:
 * those mounts follow no symbolic link, for root's processes in the node
 * either (vtysh's `write memory`), and the host reads the configuration
 * back only through a descriptor (vl_node_frr_read_conf). The daemons
 * themselves are started by the engine once the lab is up (frrinit.sh, in
 * the node). */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fsat.h"
#include "base/util.h"
#include "lab/lab.h"
#include "node/common.h"
#include "node/frr.h"
#include "sys/proc.h"

#define FRR_TEMPLATE "/etc/frr/daemons"

/* Which daemons a configuration needs: a "router X" (or the like) line. */
static const struct {
	const char *daemon, *line;
} needs[] = {
    {"ospfd", "router ospf"},
    {"ospf6d", "router ospf6"},
    {"bgpd", "router bgp"},
    {"isisd", "router isis"},
    {"ripd", "router rip"},
    {"ripngd", "router ripng"},
    {"eigrpd", "router eigrp"},
    {"babeld", "router babel"},
    {"ldpd", "mpls ldp"},
    {"pimd", "router pim"},
    {"bfdd", "bfd"},
    {"vrrpd", "vrrp"},
    {"fabricd", "router openfabric"},
};

static bool config_needs(const char *conf, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = conf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		while (*p == ' ' || *p == '\t')
			p++;
		/* "router ospf" but not "router ospf6" when asking for ospf */
		if (!strncmp(p, line, n) &&
		    (p[n] == '\0' || p[n] == '\n' || p[n] == ' ' || p[n] == '\r'))
			return true;
	}
	return false;
}

/* The host's daemons file with the daemons conf needs set to yes. */
static char *daemons_file(const char *conf, struct vl_err *err)
{
	cleanup_free char *tmpl = NULL;
	struct vl_buf out = {0};

	if (vl_read_file(FRR_TEMPLATE, &tmpl, NULL, err) < 0)
		return NULL;
	for (char *line = tmpl, *nl; line && *line; line = nl) {
		size_t len;
		bool done = false;

		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (nl)
			nl++;
		for (size_t i = 0; i < VL_ARRAY_SIZE(needs) && !done; i++) {
			size_t dl = strlen(needs[i].daemon);

			if (!strncmp(line, needs[i].daemon, dl) && line[dl] == '=') {
				vl_buf_printf(&out, "%s=%s\n", needs[i].daemon,
				              config_needs(conf, needs[i].line) ? "yes" : "no");
				done = true;
			}
		}
		if (!done) {
			vl_buf_add(&out, line, len);
			vl_buf_add(&out, "\n", 1);
		}
	}
	return out.s ? out.s : vl_xstrdup("");
}

/* The host path a user's bind puts at node path what, or NULL. */
static const char *bound(const struct vl_topo_settings *set, const char *what)
{
	size_t n = strlen(what);

	for (size_t k = 0; k < set->n_binds; k++)
		if (!strncmp(set->binds[k], what, n) && set->binds[k][n] == '=')
			return set->binds[k] + n + 1;
	return NULL;
}

/* The mount at path follows no symbolic link (Linux 5.12's mount_setattr;
 * older kernels keep the host reading through descriptors only). */
static int no_symfollow(const char *path, struct vl_err *err)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_NOSYMFOLLOW};

	if (syscall(SYS_mount_setattr, AT_FDCWD, path, 0, &attr, sizeof(attr)) < 0 &&
	    errno != ENOSYS)
		return vl_err_sys(err, errno, "%s: follow no symbolic link", path);
	return 0;
}

static int write_owned(const char *path, const char *data, const struct passwd *pw,
                       struct vl_err *err)
{
	if (vl_write_file_mode(path, data, strlen(data), 0640, err) < 0)
		return -1;
	if (chown(path, pw->pw_uid, pw->pw_gid) < 0)
		return vl_err_sys(err, errno, "chown %s", path);
	return 0;
}

int vl_node_frr_files(const struct vl_plan *p, const struct vl_plan_node *n, const char *root,
                      struct vl_err *err)
{
	const struct vl_topo_settings *set = &p->topo->nodes[n->topo_node].set;
	static const struct {
		const char *sub, *target;
		mode_t mode;
	} dirs[] = {
	    {"etc", "/etc/frr", 0750}, {"run", "/run/frr", 0755}, {"log", "/var/log/frr", 0755}};
	struct passwd *pw = getpwnam("frr");
	char base[PATH_MAX], path[PATH_MAX + 32], rel[128];
	cleanup_free char *conf = NULL, *daemons = NULL;
	const char *src;

	if (!pw || access("/usr/lib/frr/frrinit.sh", X_OK) < 0)
		return vl_err_set(err, ENOENT,
		                  "an FRR router, but FRR is not installed here (Debian's frr; "
		                  "scripts/deps.sh installs it without starting it on the host)");
	snprintf(rel, sizeof(rel), "frr/%s", n->name);
	vl_lab_path(p->lab, "frr", base, sizeof(base));
	if (mkdir(base, 0755) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", base);
	vl_lab_path(p->lab, rel, base, sizeof(base));
	if (mkdir(base, 0755) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", base);
	for (size_t i = 0; i < VL_ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", base, dirs[i].sub);
		if ((mkdir(path, dirs[i].mode) < 0 && errno != EEXIST) ||
		    chown(path, pw->pw_uid, pw->pw_gid) < 0)
			return vl_err_sys(err, errno, "make %s", path);
	}
	/* frr.conf: the startup-config, else a file bound there, else a bare one */
	src = set->startup_config;
	if (!src && (src = bound(set, "/etc/frr/frr.conf")))
		src = vl_xasprintf("%.*s", (int)(strrchr(src, ':') - src), src);
	if (src) {
		if (vl_read_file(src, &conf, NULL, err) < 0)
			return vl_err_wrap(err, "startup-config");
	} else {
		conf = vl_xasprintf("frr defaults traditional\nhostname %s\n!\n", n->name);
	}
	if (src != set->startup_config)
		free((char *)src);
	snprintf(path, sizeof(path), "%s/etc/frr.conf", base);
	if (write_owned(path, conf, pw, err) < 0)
		return -1;
	if (!(daemons = daemons_file(conf, err)))
		return vl_err_wrap(err, "FRR's daemons");
	snprintf(path, sizeof(path), "%s/etc/daemons", base);
	if (write_owned(path, daemons, pw, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/etc/vtysh.conf", base);
	if (write_owned(path, "service integrated-vtysh-config\n", pw, err) < 0)
		return -1;
	/* over the host's: they exist where FRR is installed */
	for (size_t i = 0; i < VL_ARRAY_SIZE(dirs); i++) {
		char dst[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", base, dirs[i].sub);
		snprintf(dst, sizeof(dst), "%s%s", root, dirs[i].target);
		if (access(dst, F_OK) < 0)
			return vl_err_set(
			    err, ENOENT,
			    "%s is missing on the host (FRR's package makes it: reinstall frr)",
			    dirs[i].target);
		if (mount(path, dst, NULL, MS_BIND, NULL) < 0)
			return vl_err_sys(err, errno, "bind %s on %s", path, dst);
		if (no_symfollow(dst, err) < 0)
			return -1;
	}
	return 0;
}

/* What the child that reads frr.conf in the node tells its parent; the
 * file itself is in a memfd they share. */
struct conf_msg {
	int code; /* 0: read */
	struct stat st;
	char msg[sizeof(((struct vl_err *)0)->msg)];
};

/* In the child, in the node's mount namespace: frr.conf into out. */
static int read_conf_inside(const struct vl_node_ref *n, size_t max, int out, struct conf_msg *m,
                            struct vl_err *err)
{
	cleanup_close int dir = -1, pid_ns = -1;
	cleanup_free char *conf = NULL;
	size_t len;

	if (vl_node_join(n->lab, n->id, n->node, CLONE_NEWNS, &pid_ns, err) < 0)
		return -1;
	if ((dir = vl_dir_open("/etc/frr", err)) < 0)
		return -1;
	if (vl_at_read(dir, "frr.conf", max, &conf, &len, &m->st, err) < 0)
		return vl_err_wrap(err, "in /etc/frr");
	if (m->st.st_nlink != 1)
		return vl_err_set(err, EPERM,
		                  "/etc/frr/frr.conf: a file of %lu links (another name of it, "
		                  "anywhere, could be any file): not read",
		                  (unsigned long)m->st.st_nlink);
	if (vl_write_all(out, conf, len) < 0)
		return vl_err_sys(err, errno, "memfd");
	return 0;
}

int vl_node_frr_read_conf(const struct vl_node_ref *n, size_t max, char **out, size_t *len,
                          struct stat *st, struct vl_err *err)
{
	cleanup_close int mem = memfd_create("frr.conf", MFD_CLOEXEC), fd = -1;
	struct conf_msg m = {.code = EIO};
	ssize_t got;
	off_t size;
	pid_t pid;
	int status;

	if (mem < 0)
		return vl_err_sys(err, errno, "memfd");
	if (strcmp(n->be->name, "ns") && strcmp(n->be->name, "proc"))
		return vl_err_set(err, ENOTSUP, "node %s: a %s node has no FRR of ours", n->node,
		                  n->be->name);
	/* a child: entering the node's mount namespace would change ours */
	if ((pid = vl_fork_pipe(&fd, err)) < 0)
		return -1;
	if (pid == 0) {
		struct vl_err e2 = {0};

		m.code = read_conf_inside(n, max, mem, &m, &e2) < 0 ? (e2.code ? e2.code : EIO) : 0;
		snprintf(m.msg, sizeof(m.msg), "%s", e2.msg);
		got = write(fd, &m, sizeof(m));
		_exit(got == (ssize_t)sizeof(m) ? 0 : 1);
	}
	got = read(fd, &m, sizeof(m));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != (ssize_t)sizeof(m))
		return vl_err_set(err, EIO, "node %s: the reader of /etc/frr/frr.conf ended early",
		                  n->node);
	if (m.code)
		return vl_err_set(err, m.code, "node %s: %s", n->node, m.msg);
	if ((size = lseek(mem, 0, SEEK_END)) < 0 || (size_t)size > max)
		return vl_err_set(err, EFBIG, "node %s: /etc/frr/frr.conf: larger than it may be",
		                  n->node);
	*out = vl_xcalloc(1, (size_t)size + 1);
	if (size > 0 && pread(mem, *out, (size_t)size, 0) != size) {
		free(*out), *out = NULL;
		return vl_err_sys(err, errno, "node %s: read /etc/frr/frr.conf", n->node);
	}
	*len = (size_t)size;
	*st = m.st;
	return 0;
}
