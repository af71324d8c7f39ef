/* cgroups, v1 and v2, behind one operations table (like crun's cgroup
 * managers): one file per version, cgroup_v1.c and cgroup_v2.c, and the
 * detection in cgroup.c. Paths given to the operations are relative to the
 * root of every hierarchy used, e.g. "vnetlab/lab1/h1"; each manager maps
 * them to its mounts (v1: /sys/fs/cgroup/<controller>/vnetlab/lab1/h1,
 * v2: <cgroup2 mount>/vnetlab/lab1/h1). */
#ifndef VL_SYS_CGROUP_H
#define VL_SYS_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

/* The top of vnetlab's tree in every hierarchy. */
#define VL_CGROUP_ROOT "vnetlab"

struct vl_cg_limits {
	double cpus;         /* CFS bandwidth: cpus * period of CPU time per period; 0: none */
	unsigned cpu_weight; /* relative share, 1..10000, 100 = default; 0: leave default */
	char cpuset[64];     /* CPUs allowed ("0", "0-1,3"); "": all */
	uint64_t memory;     /* hard limit in bytes, swap forbidden too; 0: none */
	uint64_t pids;       /* most tasks at once; 0: none */
	/* measure memory / tasks without a limit (a memory / pids cgroup);
	 * CPU time is always measured */
	bool account_memory, account_tasks;
};

struct vl_cg_stats {
	uint64_t cpu_usec, user_usec, system_usec; /* CPU time used */
	uint64_t nr_periods, nr_throttled, throttled_usec;
	uint64_t mem_current, mem_peak; /* bytes */
	uint64_t oom_kills;             /* processes the OOM killer killed in it */
	uint64_t oom_events;            /* times the limit was hit (v1: failcnt) */
	uint64_t pids_current;
	/* Which of the above this hierarchy could measure. */
	bool have_cpu, have_user_system, have_throttle, have_memory, have_peak, have_oom, have_pids;
};

struct vl_cgroup_manager {
	const char *name; /* "v1" or "v2" */
	/* Which limits this machine's hierarchy can enforce. A limit asked for
	 * that cannot be enforced is an error naming the controller, never
	 * ignored silently. */
	bool can_cpu, can_cpuset, can_memory, can_pids;
	/* Create path (and missing parents, enabling controllers on the way
	 * in v2), then apply limits. Existing is not an error. */
	int (*create)(const char *path, const struct vl_cg_limits *lim, struct vl_err *err);
	int (*update)(const char *path, const struct vl_cg_limits *lim, struct vl_err *err);
	/* Move pid (0: the caller) into path. */
	int (*attach)(const char *path, pid_t pid, struct vl_err *err);
	int (*stats)(const char *path, struct vl_cg_stats *st, struct vl_err *err);
	/* Every pid in path and below. */
	int (*procs)(const char *path, pid_t **pids, size_t *n, struct vl_err *err);
	/* Kill every process in path and below (SIGKILL; v2 cgroup.kill where
	 * there is one), wait for them to go, and remove path with all its
	 * descendants. Missing is success. */
	int (*destroy)(const char *path, struct vl_err *err);
};

extern const struct vl_cgroup_manager vl_cgroup_v1, vl_cgroup_v2;

/* Remove path if nothing is left in it (no process, no child cgroup), in
 * every hierarchy m uses; a path still in use, or missing, is left alone
 * and is success. For the shared top, VL_CGROUP_ROOT: other labs (and
 * test_cgroup) live under it, and destroy() would kill them. */
int vl_cgroup_prune(const struct vl_cgroup_manager *m, const char *path, struct vl_err *err);

/* The manager for this machine: v2 when it is the only hierarchy or when
 * it has the cpu and memory controllers, else v1 when its cpu/cpuacct and
 * memory controllers are mounted. VNETLAB_CGROUP=v1|v2 forces one. NULL
 * with err set when neither is usable (and why). */
const struct vl_cgroup_manager *vl_cgroup_detect(struct vl_err *err);
/* Both managers that are usable here, for tests. */
const struct vl_cgroup_manager *vl_cgroup_get(const char *name, struct vl_err *err);

#endif
