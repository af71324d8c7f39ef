#include "sys/ns.h"

#include <errno.h>
#include <linux/magic.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "base/util.h"

int vl_netns_dir_prepare(struct vl_err *err)
{
	static int done;

	if (done)
		return 0;
	if (mkdir(VL_NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", VL_NETNS_RUN_DIR);
	/* iproute2's dance: make it shared; if it is not a mount point yet,
	 * bind it onto itself first. */
	while (mount("", VL_NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || done++)
			return vl_err_sys(err, errno, "make %s a shared mount", VL_NETNS_RUN_DIR);
		if (mount(VL_NETNS_RUN_DIR, VL_NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return vl_err_sys(err, errno, "bind mount %s", VL_NETNS_RUN_DIR);
	}
	done = 1;
	return 0;
}

static int is_mount_point(const char *dir)
{
	struct stat a, b;
	char parent[PATH_MAX];

	if (snprintf(parent, sizeof(parent), "%s/..", dir) >= (int)sizeof(parent))
		return 0;
	if (stat(dir, &a) < 0 || stat(parent, &b) < 0)
		return 0;
	return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

int vl_mount_private_dir(const char *dir, size_t bytes, mode_t mode, struct vl_err *err)
{
	char opts[64];

	if (mkdir(dir, mode) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", dir);
	/* A tmpfs of its own: its own device, so mount namespace files bound
	 * under it can never form a propagation loop. */
	snprintf(opts, sizeof(opts), "mode=%04o,size=%zuk", (unsigned)mode, (bytes + 1023) / 1024);
	if (!is_mount_point(dir) &&
	    mount("vnetlab", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
		return vl_err_sys(err, errno, "mount tmpfs on %s", dir);
	if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) < 0)
		return vl_err_sys(err, errno, "make %s private", dir);
	return 0;
}

int vl_ns_bind_fd(int fd, const char *path, struct vl_err *err)
{
	char src[64];
	int f = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);

	if (f < 0)
		return vl_err_sys(err, errno, "create %s", path);
	close(f);
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (mount(src, path, "none", MS_BIND, NULL) < 0) {
		int e = errno;

		unlink(path);
		return vl_err_sys(err, e, "bind namespace on %s", path);
	}
	return 0;
}

int vl_umount_lazy(const char *path, struct vl_err *err)
{
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
		return vl_err_sys(err, errno, "unmount %s", path);
	return 0;
}

int vl_ns_unbind(const char *path, struct vl_err *err)
{
	if (vl_umount_lazy(path, err) < 0)
		return -1;
	if (unlink(path) < 0 && errno != ENOENT)
		return vl_err_sys(err, errno, "remove %s", path);
	return 0;
}

struct vl_ns_id vl_ns_id_of(const char *path)
{
	struct statfs fs;
	struct stat st;

	if (statfs(path, &fs) < 0 || fs.f_type != NSFS_MAGIC || stat(path, &st) < 0)
		return (struct vl_ns_id){0, 0};
	return (struct vl_ns_id){st.st_dev, st.st_ino};
}

int vl_ns_id_cmp(const void *a, const void *b)
{
	const struct vl_ns_id *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

bool vl_netns_is_host(struct vl_ns_id id)
{
	return vl_ns_id_eq(id, vl_ns_id_of("/proc/1/ns/net")) ||
	       vl_ns_id_eq(id, vl_ns_id_of("/proc/self/ns/net"));
}

/* linux/nsfs.h of 6.18; older headers lack them. */
#ifndef NS_GET_MNTNS_ID
#define NS_GET_MNTNS_ID _IOR(0xb7, 0x5, uint64_t)
#endif
#ifndef NS_GET_ID
#define NS_GET_ID _IOR(0xb7, 0xd, uint64_t)
#endif

uint64_t vl_mntns_id(int fd)
{
	uint64_t id = 0;

	return ioctl(fd, NS_GET_MNTNS_ID, &id) < 0 ? 0 : id;
}

/* The id of the calling thread's UTS namespace; 0 if the kernel has none. */
static uint64_t own_uts_id(void)
{
	cleanup_close int fd = open("/proc/thread-self/ns/uts", O_RDONLY | O_CLOEXEC);
	uint64_t id = 0;

	return fd < 0 || ioctl(fd, NS_GET_ID, &id) < 0 ? 0 : id;
}

int vl_ns_ids_advance(uint64_t past, struct vl_err *err)
{
	enum { BATCH = 4096, STEP = 64 };
	cleanup_close int own = open("/proc/thread-self/ns/uts", O_RDONLY | O_CLOEXEC);
	uint64_t id = 0;
	int r = 0;

	if (own < 0)
		return vl_err_sys(err, errno, "open own UTS namespace");
	/* Checked every STEP namespaces; a kernel without NS_GET_ID gets a
	 * whole batch and one more step. */
	for (int made = 0; r == 0 && id <= past && made <= 2 * BATCH; made += STEP) {
		for (int k = 0; k < STEP; k++) {
			if (unshare(CLONE_NEWUTS) < 0) {
				r = vl_err_sys(err, errno, "create a UTS namespace");
				break;
			}
		}
		if (!(id = own_uts_id()))
			id = made + STEP > BATCH ? UINT64_MAX : 0;
	}
	if (setns(own, CLONE_NEWUTS) < 0 && r == 0)
		r = vl_err_sys(err, errno, "return to own UTS namespace");
	return r;
}

int vl_ns_enter_path(const char *path, int nstype, struct vl_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return vl_err_sys(err, errno, "open %s", path);
	if (setns(fd, nstype) < 0) {
		int e = errno;

		close(fd);
		return vl_err_sys(err, e, "enter namespace %s", path);
	}
	close(fd);
	return 0;
}

int vl_sysctl_write(const char *key, const char *value, struct vl_err *err)
{
	char path[256];
	int fd;
	size_t len = strlen(value);

	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return vl_err_sys(err, errno, "open %s", path);
	if (write(fd, value, len) != (ssize_t)len) {
		int e = errno;

		close(fd);
		return vl_err_sys(err, e, "write %s", path);
	}
	close(fd);
	return 0;
}

struct ns_call {
	const char *path;
	vl_ns_fn fn;
	void *data;
	struct vl_err *err;
	int r;
};

static void *ns_thread(void *arg)
{
	struct ns_call *c = arg;

	if (c->path)
		c->r = vl_ns_enter_path(c->path, CLONE_NEWNET, c->err);
	else if ((c->r = unshare(CLONE_NEWNET)) < 0)
		c->r = vl_err_sys(c->err, errno, "create a network namespace (needs root)");
	if (c->r == 0)
		c->r = c->fn(c->data, c->err);
	return NULL;
}

int vl_netns_run(const char *path, vl_ns_fn fn, void *data, struct vl_err *err)
{
	struct ns_call c = {.path = path, .fn = fn, .data = data, .err = err};
	pthread_t t;
	int e;

	/* A network namespace is a thread's own: the caller's never changes. */
	if ((e = pthread_create(&t, NULL, ns_thread, &c)))
		return vl_err_sys(err, e, "start a thread for namespace %s", path ? path : "(new)");
	pthread_join(t, NULL);
	return c.r;
}
