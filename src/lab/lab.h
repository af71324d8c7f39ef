/* A lab's state directory, /run/vnetlab/<lab>/, and the few facts every
 * layer reads from it (below node/ and engine/, which both use it):
 *   lock        flock()ed by whoever changes the lab (up, down, clean)
 *   id          the lab's 4-hex-digit id, tag of all its kernel objects
 *   backend     the lab's backend (ns, proc, vm), as `up` was told
 *   cgroup      the cgroup manager its nodes are in (v1, v2), if any
 *   journal     one line per object of `up`, written before its step
 *   state.json  the realized plan, written when `up` completed
 *   down        made when `down` begins: the lab is going (or half gone)
 *   files/      tmpfs: hosts and hostname/<node>, bound into the nodes
 *   ns/         private tmpfs holding the nodes' uts and mnt namespaces
 *   logs/       output of `exec -d` daemons, guests' consoles
 *   vm/         guests: initramfs, info, boot times, NODE.sock
 *   share/      the lab's data directory: all of the lab guests see (rw) */
#ifndef VL_LAB_LAB_H
#define VL_LAB_LAB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "plan/plan.h"

#define VL_RUN_DIR   "/run/vnetlab"
#define VL_LAB_FILES "files"
/* One tmpfs for the nodes' /tmp (tmp/NODE each): one superblock for the
 * lab, not one per node (a memory cgroup's creation and removal cost grows
 * with the number of superblocks on the machine). */
#define VL_LAB_TMP "tmp"
#define VL_LAB_SHARE "share"

/* "<run>/<lab>/<rel>" into buf; rel may be NULL. */
void vl_lab_path(const char *lab, const char *rel, char *buf, size_t len);
int vl_lab_exists(const char *lab);
/* Lock the lab. wait=0: fail at once if held. Returns the fd. */
int vl_lab_lock(const char *lab, int wait, struct vl_err *err);
/* The lab's id from its file: 4 hex digits, or an error. */
int vl_lab_read_id(const char *lab, char id[VL_LAB_ID_LEN + 1], struct vl_err *err);
/* The same, checked to be the lab's own before anything named by it is
 * acted on: no other lab in the run dir claims that id. */
int vl_lab_own_id(const char *lab, char id[VL_LAB_ID_LEN + 1], struct vl_err *err);
/* Is name one of the names vnetlab tags kernel objects with ("vl" + id +
 * "-" + a node name, or an infra namespace's suffix)? Its id into id. */
bool vl_lab_tag(const char *name, char id[VL_LAB_ID_LEN + 1]);
/* Is s what follows "vl<id>" in an infra namespace's name: ".sw" (the
 * first), ".sw1", ".sw2", ...? */
bool vl_lab_infra_suffix(const char *s);
/* Is name tagged with this id (never true for an empty id)? */
bool vl_lab_tagged(const char *id, const char *name);
/* 1 if state.json says the lab is up and no down has begun. */
int vl_lab_is_complete(const char *lab);
/* Has a down of the lab begun (finished or not)? */
bool vl_lab_going_down(const char *lab);
/* Say that a down of the lab begins. */
int vl_lab_mark_down(const char *lab, struct vl_err *err);
/* Names of the labs in the run dir, sorted. */
int vl_lab_list(char ***names, size_t *n, struct vl_err *err);
void vl_strv_free(char **v, size_t n);

/* vl_lab_path with a relative path from a format ("logs/%s.console"). */
void vl_lab_pathf(const char *lab, char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The lab's cgroup manager (NULL: its nodes have no cgroups). */
struct vl_cgroup_manager;
const struct vl_cgroup_manager *vl_lab_cgroups(const char *lab);
/* The lab's backend (enum vl_backend), or -1 if its file is not one. */
int vl_lab_backend(const char *lab, struct vl_err *err);

/* Pid of the lab's linkd supervisor (linkd.pid, checked to be one),
 * 0 if none runs. */
pid_t vl_lab_linkd_pid(const char *lab);

/* Remove a directory tree: no symlink followed, no mount point entered or
 * removed (one is an error, and what is below it stays). */
int vl_rmtree(const char *path, struct vl_err *err);

#endif
