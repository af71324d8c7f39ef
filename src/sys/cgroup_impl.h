/* Private to src/sys/cgroup*.c (and tests/unit/test_cgroup.c): the helpers
 * both cgroup managers share — reading and writing cgroup files, "key value"
 * files, mkdir -p with a hook per level, finding cgroup mounts in
 * /proc/self/mountinfo, listing, killing and removing a subtree — and each
 * manager's probe. */
#ifndef VL_SYS_CGROUP_IMPL_H
#define VL_SYS_CGROUP_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "sys/cgroup.h"

/* Each manager, probed once (the result, usable or not, is cached): NULL
 * with err saying why when it cannot be used on this machine, else a table
 * with the operations of vl_cgroup_v1/v2 and can_* computed from what the
 * hierarchy offers. The exported vl_cgroup_v1/v2 are const, so their can_*
 * stay false; the probed table is the one that tells. */
const struct vl_cgroup_manager *vl_cgroup_v1_probe(struct vl_err *err);
const struct vl_cgroup_manager *vl_cgroup_v2_probe(struct vl_err *err);
/* Set err to why the v2 hierarchy lacks controller ctrl, with the fix
 * (e.g. "... it is bound to a v1 hierarchy: set VNETLAB_CGROUP=v1").
 * Returns -1. */
int vl_cgroup_v2_missing(const char *ctrl, struct vl_err *err);

/* One cgroup mount from /proc/self/mountinfo. */
struct vl_cg_mount {
	char *path;  /* mount point, unescaped */
	char *opts;  /* super options: "rw,cpu,cpuacct", "rw,nsdelegate" */
	bool v2;     /* fstype cgroup2 (else cgroup, v1) */
	bool root;   /* shows the hierarchy's root ("/") */
	bool rdonly; /* mounted or bind-mounted read-only */
};
struct vl_cg_mounts {
	struct vl_cg_mount *m;
	size_t n;
};
int vl_cg_mounts_read(struct vl_cg_mounts *ms, struct vl_err *err);
void vl_cg_mounts_free(struct vl_cg_mounts *ms);
/* The v1 mount whose super options hold `ctrl` ("cpu", "memory",
 * "name=systemd") as a whole word, preferring writable root mounts; or the
 * cgroup2 mount when ctrl is NULL. NULL if there is none. */
const struct vl_cg_mount *vl_cg_mount_find(const struct vl_cg_mounts *ms, const char *ctrl);

/* Whether `word` is one of the words of `list` (separated by spaces, tabs,
 * newlines or commas). */
bool vl_cg_has_word(const char *list, const char *word);

/* "<dir>/<file>", allocated. */
char *vl_cg_join(const char *dir, const char *file);
bool vl_cg_exists(const char *dir, const char *file);
/* Read dir/file whole; err names the file. */
int vl_cg_read(const char *dir, const char *file, char **out, struct vl_err *err);
/* A file holding one number; "max" reads as UINT64_MAX. */
int vl_cg_read_u64(const char *dir, const char *file, uint64_t *out, struct vl_err *err);
/* The value of line "key N" in a "key value" text (cpu.stat, memory.events,
 * memory.oom_control). 0 if found, -1 if not. */
int vl_cg_key_u64(const char *text, const char *key, uint64_t *out);
/* Write val to dir/file in one write(), as cgroupfs wants; err names the
 * value, the file and, for the usual errnos, the likely cause. */
int vl_cg_write(const char *dir, const char *file, const char *val, struct vl_err *err);
int vl_cg_writef(const char *dir, const char *file, struct vl_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A path relative to a hierarchy's root: "a/b/c", no empty, "." or ".."
 * component, no leading '/'. */
int vl_cg_path_check(const char *path, struct vl_err *err);

/* mkdir -p mount/path, one level at a time. After each level exists (made
 * now or before), hook(parent, child) runs, parent being the mount itself
 * for the first level; NULL for none. */
typedef int (*vl_cg_level_fn)(const char *parent, const char *child, struct vl_err *err);
int vl_cg_mkdir_p(const char *mount, const char *path, vl_cg_level_fn hook, struct vl_err *err);

/* Append every pid in the cgroup dir and its descendants to *pids (with
 * capacity *cap). A missing dir is ENOENT; a descendant that vanishes
 * meanwhile is skipped. */
int vl_cg_procs_tree(const char *dir, pid_t **pids, size_t *n, size_t *cap, struct vl_err *err);
/* SIGKILL every process in the trees dirs[0..ndirs) (missing ones are
 * empty), again and again until none is left or `secs` passed. Refuses to
 * kill the caller. */
int vl_cg_kill_trees(const char *const *dirs, size_t ndirs, double secs, struct vl_err *err);
/* rmdir dir's descendants deepest first, then dir, retrying EBUSY (tasks
 * still leaving) until `secs` passed. Missing is success. */
int vl_cg_rmdir_tree(const char *dir, double secs, struct vl_err *err);

/* rmdir dir if it is empty; in use (EBUSY: processes or child cgroups)
 * or missing is success. */
int vl_cg_rmdir_empty(const char *dir, struct vl_err *err);
/* vl_cgroup_prune for each manager. */
int vl_cgroup_v1_prune(const char *path, struct vl_err *err);
int vl_cgroup_v2_prune(const char *path, struct vl_err *err);

/* Validate the values in lim (err names path and the bad value), then find
 * the first limit asked for that m cannot enforce: *ctrl is its controller
 * ("cpu", "cpuset", "memory", "pids") and what[] the limit ("cpus=0.5"),
 * or *ctrl is NULL when all can be. */
int vl_cg_limits_check(const char *path, const struct vl_cg_limits *lim,
                       const struct vl_cgroup_manager *m, const char **ctrl, char *what,
                       size_t what_len, struct vl_err *err);

/* The CFS bandwidth of cpus CPUs per 100 ms period, in microseconds,
 * rounded, at least the kernel's 1 ms minimum. */
#define VL_CG_PERIOD_US 100000
long long vl_cg_quota_us(double cpus);

/* Sleep for ms milliseconds. */
void vl_cg_sleep_ms(long ms);

#endif
