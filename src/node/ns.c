/* The `ns` node backend: a node is a persistent network namespace (bound
 * in /run/netns like `ip netns add`), a UTS namespace with its hostname and
 * a mount namespace with a private /etc/hosts, /etc/hostname and /tmp. The
 * uts and mnt namespaces are bound under the lab's private ns/ directory. */
#include "node/node.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/lab.h"
#include "sys/ns.h"

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

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		const char *lab = mp + sizeof(VL_RUN_DIR), *slash;

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

static int ns_worker_init(struct vl_node_ctx *ctx, struct vl_err *err)
{
	ctx->host_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (ctx->host_mnt < 0)
		return vl_err_sys(err, errno, "open own mount namespace");
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

static void ns_worker_fini(struct vl_node_ctx *ctx)
{
	if (ctx->base_mnt >= 0)
		close(ctx->base_mnt);
	if (ctx->host_mnt >= 0)
		close(ctx->host_mnt);
}

/* Inside the new namespaces: hostname, sysctls, private files. */
static int setup_inside(const struct vl_plan *p, const struct vl_plan_node *n, struct vl_err *err)
{
	char src[PATH_MAX];

	if (sethostname(n->name, strlen(n->name)) < 0)
		return vl_err_sys(err, errno, "set hostname");
	/* No /proc/sys writes here but for routers: with thousands of
	 * namespaces every /proc/sys lookup gets slower (IPv6 is switched off
	 * per interface through netlink instead). */
	if (n->forward && vl_sysctl_write("net/ipv4/ip_forward", "1", err) < 0)
		return -1;
	vl_lab_path(p->lab, VL_LAB_FILES "/hosts", src, sizeof(src));
	if (mount(src, "/etc/hosts", NULL, MS_BIND, NULL) < 0)
		return vl_err_sys(err, errno, "bind %s on /etc/hosts", src);
	if (access("/etc/hostname", F_OK) == 0) {
		char rel[128];

		snprintf(rel, sizeof(rel), VL_LAB_FILES "/hostname/%s", n->name);
		vl_lab_path(p->lab, rel, src, sizeof(src));
		if (mount(src, "/etc/hostname", NULL, MS_BIND, NULL) < 0)
			return vl_err_sys(err, errno, "bind %s on /etc/hostname", src);
	}
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		return vl_err_sys(err, errno, "mount tmpfs on /tmp");
	return 0;
}

static int ns_create(struct vl_node_ctx *ctx, size_t i, struct vl_err *err)
{
	const struct vl_plan *p = ctx->plan;
	const struct vl_plan_node *n = &p->nodes[i];
	static const char *const kinds[] = {"net", "uts", "mnt"};
	int fds[3] = {-1, -1, -1};
	char path[PATH_MAX], rel[128];
	int r = -1;

	if (setns(ctx->base_mnt, CLONE_NEWNS) < 0)
		return vl_err_sys(err, errno, "node %s: enter template mount namespace", n->name);
	if (unshare(CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWNS) < 0) {
		int e = errno;

		setns(ctx->host_mnt, CLONE_NEWNS);
		if (e == ENOSPC)
			return vl_err_sys(err, e,
			                  "node %s: create namespaces (a namespace limit was hit: "
			                  "raise user.max_net_namespaces / max_mnt_namespaces)",
			                  n->name);
		return vl_err_sys(err, e, "node %s: create namespaces", n->name);
	}
	if (setup_inside(p, n, err) < 0) {
		vl_err_wrap(err, "node %s", n->name);
		setns(ctx->host_mnt, CLONE_NEWNS);
		return -1;
	}
	for (int k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[k]);
		fds[k] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[k] < 0) {
			vl_err_sys(err, errno, "node %s: open %s", n->name, path);
			goto out;
		}
	}
	if (setns(ctx->host_mnt, CLONE_NEWNS) < 0) {
		vl_err_sys(err, errno, "node %s: return to the host mount namespace", n->name);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, n->netns);
	if (vl_ns_bind_fd(fds[0], path, err) < 0)
		goto out;
	for (int k = 1; k < 3; k++) {
		snprintf(rel, sizeof(rel), "ns/%s.%s", n->name, kinds[k]);
		vl_lab_path(p->lab, rel, path, sizeof(path));
		if (vl_ns_bind_fd(fds[k], path, err) < 0)
			goto out;
	}
	r = 0;
out:
	for (int k = 0; k < 3; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	return r;
}

static int ns_enter(const char *lab, const char *id, const char *node, struct vl_err *err)
{
	static const char *const kinds[] = {"net", "uts", "mnt"};
	static const int types[] = {CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWNS};
	int fds[3] = {-1, -1, -1};
	char path[PATH_MAX], rel[128], netns[96];
	int r = -1;

	vl_plan_netns_name(id, node, netns, sizeof(netns));
	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, netns);
	fds[0] = open(path, O_RDONLY | O_CLOEXEC);
	if (fds[0] < 0) {
		if (errno == ENOENT)
			return vl_err_set(err, ENOENT, "lab %s has no node %s", lab, node);
		return vl_err_sys(err, errno, "open %s", path);
	}
	for (int k = 1; k < 3; k++) {
		snprintf(rel, sizeof(rel), "ns/%s.%s", node, kinds[k]);
		vl_lab_path(lab, rel, path, sizeof(path));
		fds[k] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[k] < 0) {
			vl_err_sys(err, errno, "node %s: open %s", node, path);
			goto out;
		}
	}
	for (int k = 0; k < 3; k++) {
		if (setns(fds[k], types[k]) < 0) {
			vl_err_sys(err, errno, "node %s: enter %s namespace", node, kinds[k]);
			goto out;
		}
	}
	r = 0;
out:
	for (int k = 0; k < 3; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	return r;
}

static int ns_destroy(const char *lab, const char *netns, struct vl_err *err)
{
	char path[PATH_MAX];

	/* The node's uts and mnt namespaces go with the lab's ns/ tmpfs. */
	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, netns);
	return vl_ns_unbind(path, err);
}

const struct vl_node_backend vl_node_ns = {
    .name = "ns",
    .worker_init = ns_worker_init,
    .worker_fini = ns_worker_fini,
    .create = ns_create,
    .enter = ns_enter,
    .destroy = ns_destroy,
};
