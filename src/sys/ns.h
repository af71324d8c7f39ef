/* Namespaces and mounts: persistent namespaces the way `ip netns add` makes
 * them (a bind mount of /proc/self/ns/X on a file), private mount points,
 * and entering a set of namespaces. */
#ifndef VL_SYS_NS_H
#define VL_SYS_NS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

#define VL_NETNS_RUN_DIR "/run/netns"

/* Make sure /run/netns exists and is a shared mount point, as iproute2
 * does, so that namespaces bound there are seen by every mount namespace
 * that shares /run/netns. */
int vl_netns_dir_prepare(struct vl_err *err);
/* Make `dir` (created if needed) a tmpfs of its own, `bytes` large, root
 * directory `mode`, with
 * private propagation: mount namespace files may be bound under it. */
int vl_mount_private_dir(const char *dir, size_t bytes, mode_t mode, struct vl_err *err);
/* Bind the namespace behind fd onto path (created empty, 0444). */
int vl_ns_bind_fd(int fd, const char *path, struct vl_err *err);
/* Undo vl_ns_bind_fd: lazy unmount, unlink. Missing is success. */
int vl_ns_unbind(const char *path, struct vl_err *err);
/* Lazy unmount of a mount point; "not mounted" is success. */
int vl_umount_lazy(const char *path, struct vl_err *err);
/* A namespace's identity: the device and inode of its nsfs file (both are
 * compared: an inode number alone may repeat on another file system). */
struct vl_ns_id {
	dev_t dev;
	ino_t ino; /* 0: none */
};
/* The namespace bound at path; {0, 0} if none is, or the file there is not
 * a namespace (nsfs). */
struct vl_ns_id vl_ns_id_of(const char *path);
static inline bool vl_ns_id_eq(struct vl_ns_id a, struct vl_ns_id b)
{
	return a.ino && a.ino == b.ino && a.dev == b.dev;
}
int vl_ns_id_cmp(const void *a, const void *b);
/* Is it the network namespace of the host (pid 1's) or of this process?
 * Never a lab's, whatever a state file says. */
bool vl_netns_is_host(struct vl_ns_id id);
/* The kernel's id of the mount namespace behind fd (NS_GET_MNTNS_ID); 0
 * where the kernel has none (before 6.10), where ids still come in the order
 * namespaces are made. */
uint64_t vl_mntns_id(int fd);
/* Since Linux 6.18 every namespace's id comes from per-CPU batches of one
 * counter: a CPU whose batch lags hands out ids below those another CPU
 * handed out earlier. Move the calling CPU's counter past `past` by
 * making (and dropping) UTS namespaces, the cheapest kind (about 2 us
 * each, at most a batch of 4096); the calling thread keeps its own UTS
 * namespace. Ids on one CPU only grow, so the CPU stays past. */
int vl_ns_ids_advance(uint64_t past, struct vl_err *err);
/* Join the namespace bound at path (nstype: CLONE_NEWNET, ...). */
int vl_ns_enter_path(const char *path, int nstype, struct vl_err *err);
/* Run fn(data, err) in the network namespace bound at path (NULL: a new
 * one, for fn to set up and bind from /proc/thread-self/ns/net). It runs
 * in a thread of its own, so the caller never leaves its namespaces and
 * has none to return to: what fn opens there (sockets) stays there, and
 * /proc/sys/net, if_nametoindex() and netlink are the namespace's. fn must
 * not change mount namespaces. Returns fn's result. */
typedef int (*vl_ns_fn)(void *data, struct vl_err *err);
int vl_netns_run(const char *path, vl_ns_fn fn, void *data, struct vl_err *err);
/* Write a value to a sysctl file under /proc/sys (e.g. "net/ipv4/ip_forward"). */
int vl_sysctl_write(const char *key, const char *value, struct vl_err *err);

#endif
