/* What the node backends share: the template mount namespace, creating a
 * node's namespaces and binding them, joining them, the files bound into
 * a node, a rootfs overlay, and the init of a node's pid namespace. */
#include "node/common.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "lab/lab.h"
#include "sys/ns.h"

static const struct {
	int flag;
	const char *name;
} ns_kinds[] = {{CLONE_NEWNET, "net"}, {CLONE_NEWUTS, "uts"}, {CLONE_NEWNS, "mnt"}};
enum { MNT_KIND = 2 }; /* ns_kinds[MNT_KIND] is the mount namespace */

void vl_node_limits(const struct vl_plan_node *n, struct vl_cg_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->cpus = n->res.cpus;
	l->cpu_weight = n->res.cpu_weight;
	snprintf(l->cpuset, sizeof(l->cpuset), "%s", n->res.cpuset);
	l->memory = n->res.memory;
	l->pids = n->res.pids;
	l->account_memory = n->res.accounting & VL_ACCOUNT_MEMORY;
	l->account_tasks = n->res.accounting & VL_ACCOUNT_TASKS;
}

/* In the template namespace, drop every mount of namespace files (ours and
 * other labs'): a node's mount namespace then starts from a small, fixed
 * set of mounts, and a lab of 5000 nodes does not copy 5000 bind mounts
 * into each of them. */
static int drop_ns_mounts(struct vl_err *err)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	char **targets = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return vl_err_sys(err, errno, "open /proc/self/mountinfo");
	while (fgets(line, sizeof(line), f)) {
		char mp[PATH_MAX];
		const char *lab = mp + sizeof(VL_RUN_DIR), *slash;

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		/* /run/netns, and every lab's ns/ (/run/vnetlab/LAB/ns) */
		if (!strcmp(mp, VL_NETNS_RUN_DIR) ||
		    (!strncmp(mp, VL_RUN_DIR "/", sizeof(VL_RUN_DIR)) &&
		     (slash = strchr(lab, '/')) && !strcmp(slash, "/ns"))) {
			vl_grow(&targets, &cap, n, sizeof(*targets));
			targets[n++] = vl_xstrdup(mp);
		}
	}
	fclose(f);
	for (size_t i = n; i-- > 0;) {
		umount2(targets[i], MNT_DETACH);
		free(targets[i]);
	}
	free(targets);
	return 0;
}

int vl_node_worker_init(struct vl_node_ctx *ctx, struct vl_err *err)
{
	ctx->host_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	ctx->host_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	ctx->self_exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ctx->proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ctx->host_mnt < 0 || ctx->host_pid < 0 || ctx->self_exe < 0 || ctx->proc < 0)
		return vl_err_sys(err, errno, "open own namespaces and executable");
	ctx->host_mnt_id = vl_mntns_id(ctx->host_mnt);
	if (unshare(CLONE_NEWNS) < 0)
		return vl_err_sys(err, errno, "create a mount namespace (needs root)");
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return vl_err_sys(err, errno, "make / a slave mount");
	if (drop_ns_mounts(err) < 0)
		return -1;
	ctx->base_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (ctx->base_mnt < 0)
		return vl_err_sys(err, errno, "open template mount namespace");
	if (setns(ctx->host_mnt, CLONE_NEWNS) < 0)
		return vl_err_sys(err, errno, "return to the host mount namespace");
	return 0;
}

void vl_node_worker_fini(struct vl_node_ctx *ctx)
{
	int *fds[] = {&ctx->base_mnt, &ctx->host_mnt, &ctx->host_pid, &ctx->self_exe, &ctx->proc};

	for (size_t i = 0; i < VL_ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static void ns_file(const char *lab, const char *node, const char *kind, char *buf, size_t len)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "ns/%s.%s", node, kind);
	vl_lab_path(lab, rel, buf, len);
}

/* A file (or directory) to bind over: create it if the root lacks it. */
static int ensure_target(const char *path, bool dir, struct vl_err *err)
{
	struct stat st;
	int fd;

	if (stat(path, &st) == 0)
		return 0;
	if (dir)
		return mkdir(path, 0755) < 0 && errno != EEXIST
		           ? vl_err_sys(err, errno, "mkdir %s", path)
		           : 0;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return vl_err_sys(err, errno, "create %s", path);
	close(fd);
	return 0;
}

/* Mount src on dst (bind when type is NULL), creating dst when asked. */
static int mount_on(const char *src, const char *dst, const char *type, unsigned long flags,
                    const char *data, int create, struct vl_err *err)
{
	if (create && ensure_target(dst, create > 1, err) < 0)
		return -1;
	if (mount(src, dst, type, type ? flags : flags | MS_BIND, data) < 0)
		return vl_err_sys(err, errno, "mount %s on %s", src, dst);
	return 0;
}

enum { NO_CREATE, CREATE_FILE, CREATE_DIR };

/* containerlab's binds: each "NODEPATH=HOSTPATH:MODE" bound in the node's
 * mount namespace (read-only for ro). The sources are opened first
 * (fds[k], O_PATH), before the node's own /tmp hides any under the host's;
 * then bound through /proc/self/fd. A node without a root of its own sees
 * the host's files: its target must exist there (nothing is made on the
 * host) unless it is under the node's own /tmp. */
static int open_bind_sources(const struct vl_topo_settings *set, int *fds, struct vl_err *err)
{
	for (size_t k = 0; k < set->n_binds; k++) {
		const char *b = set->binds[k], *eq = strchr(b, '='), *colon = strrchr(b, ':');
		char src[PATH_MAX];

		if (!eq || !colon || colon < eq)
			return vl_err_set(err, EINVAL, "bind \"%s\": malformed", b);
		snprintf(src, sizeof(src), "%.*s", (int)(colon - eq - 1), eq + 1);
		if ((fds[k] = open(src, O_PATH | O_CLOEXEC)) < 0)
			return vl_err_sys(err, errno, "bind source %s", src);
	}
	return 0;
}

static int bind_user_paths(const struct vl_topo_settings *set, const int *fds, const char *root,
                           struct vl_err *err)
{
	for (size_t k = 0; k < set->n_binds; k++) {
		const char *b = set->binds[k], *eq = strchr(b, '='), *colon = strrchr(b, ':');
		char src[64], dst[PATH_MAX];
		bool own = root[0] || !strncmp(b, "/tmp/", 5);
		struct stat st;

		snprintf(src, sizeof(src), "/proc/self/fd/%d", fds[k]);
		snprintf(dst, sizeof(dst), "%s%.*s", root, (int)(eq - b), b);
		if (fstat(fds[k], &st) < 0)
			return vl_err_sys(err, errno, "bind %s", dst);
		if (!own && access(dst, F_OK) < 0)
			return vl_err_set(
			    err, ENOENT,
			    "bind target %s does not exist (the node shares the host's "
			    "files, where nothing is made for it: give it a rootfs, or bind "
			    "under /tmp)",
			    dst);
		if (mount_on(src, dst, NULL, 0, NULL,
		             own ? (S_ISDIR(st.st_mode) ? CREATE_DIR : CREATE_FILE) : NO_CREATE,
		             err) < 0)
			return vl_err_wrap(err, "bind %.*s", (int)(colon - eq - 1), eq + 1);
		if (!strcmp(colon + 1, "ro") &&
		    mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			return vl_err_sys(err, errno, "make %s read-only", dst);
	}
	return 0;
}

/* The node's own /sys: sysfs shows the network namespace of whoever
 * mounts it, so /sys/class/net lists the node's interfaces (as under ip
 * netns exec and in Mininet's hosts). The cgroup trees mounted under the
 * old /sys/fs/cgroup are moved onto the new one (a guest's supervisor and
 * the node's programs keep them), not copied. */
static int own_sysfs(const char *root, struct vl_err *err)
{
	char sys[PATH_MAX], cg[PATH_MAX], from[64];
	cleanup_close int old = -1;
	struct stat a, b;

	snprintf(sys, sizeof(sys), "%s/sys", root);
	snprintf(cg, sizeof(cg), "%s/sys/fs/cgroup", root);
	/* a mount of its own there (not a plain directory of sysfs) */
	if (stat(sys, &a) == 0 && stat(cg, &b) == 0 && a.st_dev != b.st_dev)
		old = open(cg, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mount("sysfs", sys, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return vl_err_sys(err, errno, "mount the node's own sysfs on %s", sys);
	if (old < 0)
		return 0;
	snprintf(from, sizeof(from), "/proc/self/fd/%d", old);
	if (mount(from, cg, NULL, MS_MOVE, NULL) < 0)
		return vl_err_sys(err, errno, "move the cgroup trees onto the node's %s", cg);
	return 0;
}

static int bind_files_at(const struct vl_plan *p, const struct vl_plan_node *n, const char *root,
                         bool with_identity, struct vl_err *err)
{
	char src[PATH_MAX], dst[PATH_MAX], rel[128];
	int create = root[0] ? CREATE_FILE : NO_CREATE;

	if (with_identity && own_sysfs(root, err) < 0)
		return -1;

	vl_lab_path(p->lab, VL_LAB_FILES "/hosts", src, sizeof(src));
	snprintf(dst, sizeof(dst), "%s/etc/hosts", root);
	if (mount_on(src, dst, NULL, 0, NULL, create, err) < 0)
		return -1;
	if (!with_identity)
		return 0;
	snprintf(dst, sizeof(dst), "%s/etc/hostname", root);
	if (root[0] || access(dst, F_OK) == 0) {
		snprintf(rel, sizeof(rel), VL_LAB_FILES "/hostname/%s", n->name);
		vl_lab_path(p->lab, rel, src, sizeof(src));
		if (mount_on(src, dst, NULL, 0, NULL, create, err) < 0)
			return -1;
	}
	const struct vl_topo_settings *set = &p->topo->nodes[n->topo_node].set;
	int *fds = vl_xcalloc(set->n_binds + 1, sizeof(*fds)), r;

	for (size_t k = 0; k < set->n_binds; k++)
		fds[k] = -1;
	snprintf(dst, sizeof(dst), "%s/tmp", root);
	r = open_bind_sources(set, fds, err);
	/* an FRR router's own /etc/frr, /run/frr, /var/log/frr, under the binds
	 * (before the node's /tmp hides a startup-config under the host's) */
	if (r == 0 && set->frr)
		r = vl_node_frr_files(p, n, root, err);
	if (r == 0) {
		char tmp[PATH_MAX];

		vl_lab_pathf(p->lab, tmp, sizeof(tmp), VL_LAB_TMP "/%s", n->name);
		r = mount_on(tmp, dst, NULL, MS_NOSUID | MS_NODEV, NULL,
		             root[0] ? CREATE_DIR : NO_CREATE, err);
	}
	if (r == 0)
		r = bind_user_paths(set, fds, root, err);
	for (size_t k = 0; k < set->n_binds; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	free(fds);
	return r;
}

int vl_node_bind_files(const struct vl_plan *p, const struct vl_plan_node *n, bool with_identity,
                       struct vl_err *err)
{
	return bind_files_at(p, n, "", with_identity, err);
}

int vl_node_pivot_rootfs(const struct vl_plan *p, const struct vl_plan_node *n, struct vl_err *err)
{
	static const char *const subdirs[] = {"", "/upper", "/work", "/merged"};
	char base[PATH_MAX], dir[PATH_MAX + 16], opts[3 * PATH_MAX + 64], rel[128];
	struct stat st;

	if (stat(n->res.rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return vl_err_set(err, ENOTDIR, "rootfs %s: not a directory", n->res.rootfs);
	vl_lab_path(p->lab, "rootfs", base, sizeof(base));
	if (mkdir(base, 0700) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", base);
	snprintf(rel, sizeof(rel), "rootfs/%s", n->name);
	vl_lab_path(p->lab, rel, base, sizeof(base));
	for (size_t i = 0; i < VL_ARRAY_SIZE(subdirs); i++) {
		snprintf(dir, sizeof(dir), "%s%s", base, subdirs[i]);
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return vl_err_sys(err, errno, "mkdir %s", dir);
	}
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", n->res.rootfs,
	         base, base);
	snprintf(dir, sizeof(dir), "%s/merged", base);
	if (mount("overlay", dir, "overlay", 0, opts) < 0)
		return vl_err_sys(err, errno, "overlay on %s (lower %s)%s", dir, n->res.rootfs,
		                  errno == ENODEV ? ": the kernel has no overlay filesystem" : "");
	/* The new root's /proc, /sys and /dev, then the lab's files. */
	static const struct {
		const char *src, *dst, *type;
		unsigned long flags;
	} mounts[] = {
	    {"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC},
	    {"/sys", "/sys", NULL, MS_REC},
	    {"/dev", "/dev", NULL, MS_REC},
	};
	for (size_t i = 0; i < VL_ARRAY_SIZE(mounts); i++) {
		char dst[PATH_MAX + 32];

		/* A node with a pid namespace gets its /proc from its init. */
		if (n->res.pid_ns && !strcmp(mounts[i].dst, "/proc")) {
			snprintf(dst, sizeof(dst), "%s/proc", dir);
			if (ensure_target(dst, true, err) < 0)
				return -1;
			continue;
		}

		snprintf(dst, sizeof(dst), "%s%s", dir, mounts[i].dst);
		if (mount_on(mounts[i].src, dst, mounts[i].type, mounts[i].flags, NULL, CREATE_DIR,
		             err) < 0)
			return -1;
	}
	if (bind_files_at(p, n, dir, true, err) < 0)
		return -1;
	/* pivot_root(".", "."): the old root ends up on top, detach it. */
	if (chdir(dir) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return vl_err_sys(err, errno, "pivot into %s", dir);
	return 0;
}

/* Fork the init of a fresh pid namespace (the caller has unshared it). It
 * execs `vnetlab __init` at once, while the host's root is still there to
 * load it from, says it runs, then waits: when the caller has set the node
 * up (perhaps pivoting into a rootfs, which moves init's root too) and
 * closes *go, init mounts the namespace's /proc and closes its end of
 * *ready. */
static int start_init(struct vl_node_ctx *ctx, const struct vl_plan_node *n, pid_t *out, int *go,
                      int *ready, struct vl_err *err)
{
	cleanup_close int g0 = -1, g1 = -1, r0 = -1, r1 = -1;
	cleanup_pid pid_t pid = 0;
	int gp[2], rp[2];
	char c;
	ssize_t k;

	if (pipe2(gp, O_CLOEXEC) < 0)
		return vl_err_sys(err, errno, "pipe");
	g0 = gp[0], g1 = gp[1];
	if (pipe2(rp, O_CLOEXEC) < 0)
		return vl_err_sys(err, errno, "pipe");
	r0 = rp[0], r1 = rp[1];
	if ((pid = fork()) < 0) {
		pid = 0;
		return vl_err_sys(err, errno, "node %s: fork its init", n->name);
	}
	if (pid == 0) {
		static char *const argv[] = {"vnetlab", "__init", NULL};
		static char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};

		/* fds 3 and 4, kept across exec: go (read) and ready (write) */
		if (dup2(g0, 3) < 0 || dup2(r1, 4) < 0)
			_exit(126);
		fexecve(ctx->self_exe, argv, envp);
		_exit(127);
	}
	vl_closep(&g0);
	vl_closep(&r1);
	/* Wait for its first word: it runs, loaded from the host's root,
	 * which the node's setup may now pivot away. */
	while ((k = read(r0, &c, 1)) < 0 && errno == EINTR)
		;
	if (k != 1)
		return vl_err_set(err, ECHILD, "node %s: its init did not start", n->name);
	*go = g1, g1 = -1;
	*ready = r0, r0 = -1;
	*out = pid, pid = 0;
	return 0;
}

/* Let init go on, and wait until it has mounted its /proc. */
static int release_init(const struct vl_plan_node *n, pid_t init, int *go, int *ready,
                        struct vl_err *err)
{
	int status = 0;
	char c;

	vl_closep(go);
	while (read(*ready, &c, 1) < 0 && errno == EINTR)
		;
	vl_closep(ready);
	if (waitpid(init, &status, WNOHANG) == init)
		return vl_err_set(err, ECHILD, "node %s: its init died at start (%s %d)", n->name,
		                  WIFEXITED(status) ? "exit" : "signal",
		                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

/* The namespace files of a node: fds of its namespaces of `flags`, in
 * ns_kinds order (-1 for those not asked for). */
struct ns_fds {
	int fd[VL_ARRAY_SIZE(ns_kinds)];
};

static void ns_fds_close(struct ns_fds *f)
{
	for (size_t k = 0; k < VL_ARRAY_SIZE(f->fd); k++)
		vl_closep(&f->fd[k]);
}
#define cleanup_ns_fds __attribute__((cleanup(ns_fds_close)))

/* Inside the new namespaces: a pid namespace and its init if the node
 * wants one, the backend's setup, and fds of the namespaces to bind. */
static int make_inside(struct vl_node_ctx *ctx, const struct vl_plan_node *n, int flags,
                       vl_node_setup_fn setup, struct ns_fds *fds, int *pid_fd, pid_t *init,
                       struct vl_err *err)
{
	cleanup_close int go = -1, ready = -1;
	char path[PATH_MAX];

	if (n->res.pid_ns) {
		int r;

		if (unshare(CLONE_NEWPID) < 0)
			return vl_err_sys(err, errno, "node %s: create pid namespace", n->name);
		r = start_init(ctx, n, init, &go, &ready, err);
		/* Our own children stay in our pid namespace. */
		if (setns(ctx->host_pid, CLONE_NEWPID) < 0 && r == 0)
			r = vl_err_sys(err, errno, "return to the host pid namespace");
		if (r < 0)
			return -1;
		snprintf(path, sizeof(path), "%d/ns/pid", (int)*init);
		if ((*pid_fd = openat(ctx->proc, path, O_RDONLY | O_CLOEXEC)) < 0)
			return vl_err_sys(err, errno, "node %s: open %s", n->name, path);
	}
	if (setup(ctx->plan, n, err) < 0)
		return vl_err_wrap(err, "node %s", n->name);
	if (*init > 0 && release_init(n, *init, &go, &ready, err) < 0)
		return -1;
	for (size_t k = 0; k < VL_ARRAY_SIZE(ns_kinds); k++) {
		if (!(flags & ns_kinds[k].flag) || fds->fd[k] >= 0)
			continue;
		snprintf(path, sizeof(path), "self/ns/%s", ns_kinds[k].name);
		if ((fds->fd[k] = openat(ctx->proc, path, O_RDONLY | O_CLOEXEC)) < 0)
			return vl_err_sys(err, errno, "node %s: open %s", n->name, path);
	}
	return 0;
}

/* unshare(flags) from the template mount namespace, with *mnt the new
 * mount namespace, which the host's must be able to bind.
 *
 * The kernel binds a mount namespace file only where the binder's own
 * mount namespace has a lower id than the namespace bound (fs/namespace.c,
 * mnt_ns_loop(): "newer" ones only, so no namespace can pin an older one
 * and make a loop). Up to Linux 6.17 ids came from one counter, so a node's
 * namespace, made after the host's, always had the higher. Since 6.18
 * ("mnt: support ns lookup") ids come from per-CPU batches of a counter:
 * a namespace made now on a CPU whose batch lags gets a lower id than one
 * another CPU made before. In the machine's first mount namespace (the
 * lowest id of all) that never shows; in one made later (a container, a
 * simulated host, `unshare -m`) each worker's node made on a lagging CPU
 * failed "bind namespace on .../ns/NODE.mnt: Invalid argument", as the
 * workers (one per CPU) landed. So a node whose namespace came out lower
 * than the host's is made again once this CPU's counter has moved past
 * the host's id; ids of one CPU only grow, so it stays past, and the
 * common case costs one ioctl. */
static int unshare_bindable(struct vl_node_ctx *ctx, const struct vl_plan_node *n, int flags,
                            int *mnt, struct vl_err *err)
{
	for (int tries = 0;; tries++) {
		uint64_t id;

		if (setns(ctx->base_mnt, CLONE_NEWNS) < 0)
			return vl_err_sys(err, errno, "node %s: enter template mount namespace",
			                  n->name);
		if (unshare(flags) < 0) {
			if (errno == ENOSPC)
				return vl_err_sys(
				    err, errno,
				    "node %s: create namespaces (a namespace limit was "
				    "hit: raise user.max_net_namespaces / "
				    "max_mnt_namespaces)",
				    n->name);
			return vl_err_sys(err, errno, "node %s: create namespaces", n->name);
		}
		if ((*mnt = openat(ctx->proc, "self/ns/mnt", O_RDONLY | O_CLOEXEC)) < 0)
			return vl_err_sys(err, errno, "node %s: open its mount namespace", n->name);
		id = vl_mntns_id(*mnt);
		if (!id || !ctx->host_mnt_id || id > ctx->host_mnt_id)
			return 0;
		vl_closep(mnt);
		if (tries == 16)
			return vl_err_set(
			    err, EINVAL,
			    "node %s: its mount namespace's id (%llu) stays below the "
			    "host mount namespace's (%llu), which the kernel needs "
			    "to bind it: run vnetlab in the machine's first mount "
			    "namespace",
			    n->name, (unsigned long long)id, (unsigned long long)ctx->host_mnt_id);
		if (vl_ns_ids_advance(ctx->host_mnt_id, err) < 0)
			return vl_err_wrap(err, "node %s", n->name);
	}
}

int vl_node_make(struct vl_node_ctx *ctx, size_t i, int flags, vl_node_setup_fn setup,
                 struct vl_err *err)
{
	const struct vl_plan *p = ctx->plan;
	const struct vl_plan_node *n = &p->nodes[i];
	cleanup_ns_fds struct ns_fds fds = {{-1, -1, -1}};
	cleanup_close int pid_fd = -1;
	cleanup_pid pid_t init = 0;
	char path[PATH_MAX];
	int r;

	ctx->last_init = 0;
	r = unshare_bindable(ctx, n, flags, &fds.fd[MNT_KIND], err);
	if (r == 0)
		r = make_inside(ctx, n, flags, setup, &fds, &pid_fd, &init, err);
	if (setns(ctx->host_mnt, CLONE_NEWNS) < 0 && r == 0)
		r = vl_err_sys(err, errno, "node %s: return to the host mount namespace", n->name);
	for (size_t k = 0; r == 0 && k < VL_ARRAY_SIZE(ns_kinds); k++) {
		if (fds.fd[k] < 0)
			continue;
		if (ns_kinds[k].flag == CLONE_NEWNET)
			snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, n->netns);
		else
			ns_file(p->lab, n->name, ns_kinds[k].name, path, sizeof(path));
		r = vl_ns_bind_fd(fds.fd[k], path, err);
	}
	if (r == 0 && pid_fd >= 0) {
		ns_file(p->lab, n->name, "pid", path, sizeof(path));
		r = vl_ns_bind_fd(pid_fd, path, err);
	}
	if (r == 0)
		ctx->last_init = init, init = 0; /* the node's now; else killed */
	return r;
}

int vl_node_join(const char *lab, const char *id, const char *node, int flags, int *pid_ns,
                 struct vl_err *err)
{
	cleanup_ns_fds struct ns_fds fds = {{-1, -1, -1}};
	cleanup_close int pid_fd = -1;
	char path[PATH_MAX], netns[96];

	*pid_ns = -1;
	for (size_t k = 0; k < VL_ARRAY_SIZE(ns_kinds); k++) {
		if (!(flags & ns_kinds[k].flag))
			continue;
		if (ns_kinds[k].flag == CLONE_NEWNET) {
			vl_plan_netns_name(id, node, netns, sizeof(netns));
			snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, netns);
		} else {
			ns_file(lab, node, ns_kinds[k].name, path, sizeof(path));
		}
		if ((fds.fd[k] = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			if (errno == ENOENT)
				return vl_err_set(err, ENOENT, "lab %s has no node %s", lab, node);
			return vl_err_sys(err, errno, "node %s: open %s", node, path);
		}
	}
	ns_file(lab, node, "pid", path, sizeof(path));
	pid_fd = open(path, O_RDONLY | O_CLOEXEC);
	for (size_t k = 0; k < VL_ARRAY_SIZE(ns_kinds); k++)
		if (fds.fd[k] >= 0 && setns(fds.fd[k], ns_kinds[k].flag) < 0)
			return vl_err_sys(err, errno, "node %s: enter %s namespace", node,
			                  ns_kinds[k].name);
	*pid_ns = pid_fd, pid_fd = -1;
	return 0;
}

int vl_node_destroy_netns(const char *netns, struct vl_err *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, netns);
	return vl_ns_unbind(path, err);
}

static void on_signal(int sig)
{
	(void)sig;
}

void vl_node_init_main(void)
{
	sigset_t set;
	int fd;

	/* pid 1 ignores signals it has no handler for: install some. */
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_NAME, "vnetlab-init");
	/* Wait until the node is set up (fd 3 closes), mount our pid
	 * namespace's /proc, and say so (close fd 4). */
	if (fcntl(3, F_GETFD) >= 0) {
		char c = 'r';
		ssize_t r = write(4, &c, 1);

		while ((r = read(3, &c, 1)) > 0 || (r < 0 && errno == EINTR))
			;
		close(3);
		if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			_exit(126);
		close(4);
	}
	setsid();
	if (chdir("/") < 0)
		_exit(1);
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	for (;;) {
		int sig = sigwaitinfo(&set, NULL);

		if (sig == SIGCHLD) {
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		} else if (sig > 0) {
			/* Leaving takes every process of the namespace along. */
			_exit(0);
		}
	}
}
