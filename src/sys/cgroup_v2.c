/* cgroup v2: one unified hierarchy, found as the cgroup2 mount in
 * /proc/self/mountinfo (/sys/fs/cgroup on a pure v2 machine,
 * /sys/fs/cgroup/unified on a hybrid one). Controllers are enabled in
 * cgroup.subtree_control from the root down to each leaf's parent, and
 * processes live only in leaves (the no-internal-processes rule). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "sys/cgroup.h"
#include "sys/cgroup_impl.h"

#define DESTROY_SECS 5.0

/* The controllers vnetlab enables, in the order written. */
static const char *const wanted[] = {"cpu", "cpuset", "memory", "pids"};

static int v2_create(const char *path, const struct vl_cg_limits *lim, struct vl_err *err);
static int v2_update(const char *path, const struct vl_cg_limits *lim, struct vl_err *err);
static int v2_attach(const char *path, pid_t pid, struct vl_err *err);
static int v2_stats(const char *path, struct vl_cg_stats *st, struct vl_err *err);
static int v2_procs(const char *path, pid_t **pids, size_t *n, struct vl_err *err);
static int v2_destroy(const char *path, struct vl_err *err);

const struct vl_cgroup_manager vl_cgroup_v2 = {
    .name = "v2",
    .create = v2_create,
    .update = v2_update,
    .attach = v2_attach,
    .stats = v2_stats,
    .procs = v2_procs,
    .destroy = v2_destroy,
};

/* What v2 looks like on this machine, found on first use and kept for the
 * life of the process: the cgroup2 mount, the controllers its root offers,
 * and which of the wanted ones a v1 hierarchy holds instead (for messages).
 * Not locked: the first call is expected from one thread, as main's
 * detection is. */
static struct {
	bool probed, usable;
	struct vl_err why; /* why not usable */
	char *mnt;
	bool bound_v1[VL_ARRAY_SIZE(wanted)];
	struct vl_cgroup_manager mgr; /* vl_cgroup_v2 with can_* for this machine */
} v2;

static void probe(void)
{
	struct vl_cg_mounts ms;
	const struct vl_cg_mount *m;
	cleanup_free char *ctrls = NULL;

	if (v2.probed)
		return;
	v2.probed = true;
	if (vl_cg_mounts_read(&ms, &v2.why) < 0)
		return;
	for (size_t i = 0; i < VL_ARRAY_SIZE(wanted); i++)
		v2.bound_v1[i] = vl_cg_mount_find(&ms, wanted[i]) != NULL;
	m = vl_cg_mount_find(&ms, NULL);
	if (!m) {
		vl_err_set(&v2.why, ENOENT,
		           "no cgroup2 mount in /proc/self/mountinfo (mount -t cgroup2 none "
		           "/sys/fs/cgroup, or /sys/fs/cgroup/unified beside v1)");
	} else if (m->rdonly) {
		vl_err_set(&v2.why, EROFS,
		           "the cgroup2 hierarchy at %s is mounted read-only (remount it rw, or "
		           "give the container a writable cgroup namespace)",
		           m->path);
	} else {
		v2.mnt = vl_xstrdup(m->path);
	}
	vl_cg_mounts_free(&ms);
	if (!v2.mnt)
		return;
	if (vl_cg_read(v2.mnt, "cgroup.controllers", &ctrls, &v2.why) < 0) {
		vl_err_wrap(&v2.why, "cgroup v2 at %s", v2.mnt);
		return;
	}
	v2.mgr = vl_cgroup_v2;
	v2.mgr.can_cpu = vl_cg_has_word(ctrls, "cpu");
	v2.mgr.can_cpuset = vl_cg_has_word(ctrls, "cpuset");
	v2.mgr.can_memory = vl_cg_has_word(ctrls, "memory");
	v2.mgr.can_pids = vl_cg_has_word(ctrls, "pids");
	v2.usable = true;
}

const struct vl_cgroup_manager *vl_cgroup_v2_probe(struct vl_err *err)
{
	probe();
	if (!v2.usable) {
		*err = v2.why;
		return NULL;
	}
	return &v2.mgr;
}

int vl_cgroup_v2_missing(const char *ctrl, struct vl_err *err)
{
	bool bound = false;

	probe();
	for (size_t i = 0; i < VL_ARRAY_SIZE(wanted); i++)
		if (!strcmp(wanted[i], ctrl))
			bound = v2.bound_v1[i];
	if (bound)
		return vl_err_set(err, ENOTSUP,
		                  "cgroup v2 at %s has no %s controller (it is bound to a v1 "
		                  "hierarchy): set VNETLAB_CGROUP=v1",
		                  v2.mnt ? v2.mnt : "?", ctrl);
	return vl_err_set(err, ENOTSUP,
	                  "cgroup v2 at %s has no %s controller (not built into the kernel, "
	                  "disabled with cgroup_disable=, or not delegated to this cgroup)",
	                  v2.mnt ? v2.mnt : "?", ctrl);
}

static int ready(const char *path, struct vl_err *err)
{
	if (vl_cg_path_check(path, err) < 0)
		return -1;
	probe();
	if (!v2.usable) {
		*err = v2.why;
		return vl_err_wrap(err, "cgroup v2");
	}
	return 0;
}

static int existing(const char *path, char **dir, struct vl_err *err)
{
	*dir = vl_cg_join(v2.mnt, path);
	if (access(*dir, F_OK) < 0) {
		int e = errno;

		free(*dir);
		*dir = NULL;
		return vl_err_sys(err, e, "cgroup %s (%s/%s)", path, v2.mnt, path);
	}
	return 0;
}

/* The limits of the cgroup being made or updated: which controllers its
 * levels enable (memory and pids only where a limit or the lab's
 * accounting needs them: a memory cgroup per node is the costliest part of
 * a node's cgroup). Workers are processes: one create at a time each. */
static const struct vl_cg_limits *making;

static bool wanted_now(size_t i)
{
	if (!strcmp(wanted[i], "memory"))
		return making && (making->memory || making->account_memory);
	if (!strcmp(wanted[i], "pids"))
		return making && (making->pids || making->account_tasks);
	return true;
}

/* Enable the wanted controllers the parent offers in its subtree_control,
 * so that child gets them. */
static int enable_level(const char *parent, const char *child, struct vl_err *err)
{
	cleanup_free char *avail = NULL, *on = NULL;
	char req[64] = "";

	if (vl_cg_read(parent, "cgroup.controllers", &avail, err) < 0 ||
	    vl_cg_read(parent, "cgroup.subtree_control", &on, err) < 0)
		return -1;
	for (size_t i = 0; i < VL_ARRAY_SIZE(wanted); i++) {
		if (!wanted_now(i) || !vl_cg_has_word(avail, wanted[i]) ||
		    vl_cg_has_word(on, wanted[i]))
			continue;
		if (req[0])
			strcat(req, " ");
		strcat(req, "+");
		strcat(req, wanted[i]);
	}
	if (!req[0])
		return 0;
	if (vl_cg_write(parent, "cgroup.subtree_control", req, err) < 0) {
		if (err->code == EBUSY)
			return vl_err_wrap(err,
			                   "enable controllers for %s: %s holds processes, and v2 "
			                   "lets processes live only in leaves (move them into a "
			                   "leaf cgroup)",
			                   child, parent);
		return vl_err_wrap(err, "enable controllers for %s", child);
	}
	return 0;
}

static int enforceable(const char *path, const struct vl_cg_limits *lim, struct vl_err *err)
{
	const char *ctrl;
	char what[96];

	if (vl_cg_limits_check(path, lim, &v2.mgr, &ctrl, what, sizeof(what), err) < 0)
		return -1;
	if (ctrl) {
		vl_cgroup_v2_missing(ctrl, err);
		return vl_err_wrap(err, "cgroup %s: %s needs the %s controller", path, what, ctrl);
	}
	return 0;
}

/* fresh: the cgroup was just made, so what is not asked for is at its
 * default already and needs no write (create() of thousands of nodes). */
static int apply(const char *path, const char *d, const struct vl_cg_limits *lim, bool fresh,
                 struct vl_err *err)
{
	if (v2.mgr.can_cpu && !(fresh && !lim->cpus && !lim->cpu_weight)) {
		int rc;

		if (lim->cpus)
			rc = vl_cg_writef(d, "cpu.max", err, "%lld %d", vl_cg_quota_us(lim->cpus),
			                  VL_CG_PERIOD_US);
		else
			rc = vl_cg_writef(d, "cpu.max", err, "max %d", VL_CG_PERIOD_US);
		if (rc < 0)
			return vl_err_wrap(err, "cgroup %s: cpus=%g", path, lim->cpus);
		if (vl_cg_writef(d, "cpu.weight", err, "%u",
		                 lim->cpu_weight ? lim->cpu_weight : 100) < 0)
			return vl_err_wrap(err, "cgroup %s: cpu_weight=%u", path, lim->cpu_weight);
	}
	if (v2.mgr.can_cpuset && !(fresh && !lim->cpuset[0])) {
		cleanup_free char *cur = NULL;

		if (lim->cpuset[0]) {
			if (vl_cg_write(d, "cpuset.cpus", lim->cpuset, err) < 0)
				return vl_err_wrap(err,
				                   "cgroup %s: cpuset=%s (CPUs must exist and be "
				                   "online)",
				                   path, lim->cpuset);
		} else if (vl_cg_read(d, "cpuset.cpus", &cur, err) < 0) {
			return -1;
		} else if (cur[0] && cur[0] != '\n') {
			/* Empty: all of the parent's. */
			if (vl_cg_write(d, "cpuset.cpus", "\n", err) < 0)
				return -1;
		}
	}
	/* memory.max and pids.max are there only where the controller is */
	if (v2.mgr.can_memory && (lim->memory || (!fresh && vl_cg_exists(d, "memory.max")))) {
		char val[32] = "max";

		if (lim->memory)
			snprintf(val, sizeof(val), "%llu", (unsigned long long)lim->memory);
		if (vl_cg_write(d, "memory.max", val, err) < 0)
			return vl_err_wrap(err, "cgroup %s: memory", path);
		/* No swap for a limited node: the limit is on what it uses. */
		if (vl_cg_exists(d, "memory.swap.max") &&
		    vl_cg_write(d, "memory.swap.max", lim->memory ? "0" : "max", err) < 0)
			return vl_err_wrap(err, "cgroup %s: memory (no swap)", path);
	}
	if (v2.mgr.can_pids && (lim->pids || (!fresh && vl_cg_exists(d, "pids.max")))) {
		int rc = lim->pids ? vl_cg_writef(d, "pids.max", err, "%llu",
		                                  (unsigned long long)lim->pids)
		                   : vl_cg_write(d, "pids.max", "max", err);

		if (rc < 0)
			return vl_err_wrap(err, "cgroup %s: pids", path);
	}
	return 0;
}

static int v2_create(const char *path, const struct vl_cg_limits *lim, struct vl_err *err)
{
	cleanup_free char *d = NULL;
	int r;

	if (ready(path, err) < 0 || enforceable(path, lim, err) < 0)
		return -1;
	making = lim;
	r = vl_cg_mkdir_p(v2.mnt, path, enable_level, err);
	making = NULL;
	if (r < 0)
		return -1;
	d = vl_cg_join(v2.mnt, path);
	return apply(path, d, lim, true, err);
}

static int v2_update(const char *path, const struct vl_cg_limits *lim, struct vl_err *err)
{
	cleanup_free char *d = NULL;

	int r;

	if (ready(path, err) < 0 || enforceable(path, lim, err) < 0 || existing(path, &d, err) < 0)
		return -1;
	/* a limit given only now needs its controller now */
	making = lim;
	r = vl_cg_mkdir_p(v2.mnt, path, enable_level, err);
	making = NULL;
	return r < 0 ? -1 : apply(path, d, lim, false, err);
}

static bool has_children(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!dh)
		return false;
	while (!found && (de = readdir(dh)))
		found = de->d_type == DT_DIR && strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(dh);
	return found;
}

static int v2_attach(const char *path, pid_t pid, struct vl_err *err)
{
	cleanup_free char *d = NULL;

	if (ready(path, err) < 0 || existing(path, &d, err) < 0)
		return -1;
	if (pid == 0)
		pid = getpid();
	/* The kernel only enforces this once controllers are enabled below;
	 * enforcing it always keeps a tree valid for when they are. */
	if (has_children(d))
		return vl_err_set(err, EBUSY,
		                  "attach pid %d to cgroup %s: it has child cgroups, and v2 lets "
		                  "processes live only in leaves (attach to a leaf)",
		                  (int)pid, path);
	if (vl_cg_writef(d, "cgroup.procs", err, "%d", (int)pid) < 0) {
		if (err->code == ESRCH)
			return vl_err_wrap(err, "attach pid %d to cgroup %s: no such process",
			                   (int)pid, path);
		if (err->code == EBUSY)
			return vl_err_wrap(
			    err,
			    "attach pid %d to cgroup %s: it has controllers enabled "
			    "for children, and v2 lets processes live only in leaves",
			    (int)pid, path);
		return vl_err_wrap(err, "attach pid %d to cgroup %s", (int)pid, path);
	}
	return 0;
}

static int v2_stats(const char *path, struct vl_cg_stats *st, struct vl_err *err)
{
	cleanup_free char *d = NULL;

	memset(st, 0, sizeof(*st));
	if (ready(path, err) < 0 || existing(path, &d, err) < 0)
		return -1;
	/* cpu.stat's usage lines exist without the cpu controller; the
	 * throttling ones come with it. */
	if (vl_cg_exists(d, "cpu.stat")) {
		cleanup_free char *text = NULL;

		if (vl_cg_read(d, "cpu.stat", &text, err) < 0)
			return -1;
		st->have_cpu = !vl_cg_key_u64(text, "usage_usec", &st->cpu_usec);
		st->have_user_system = !vl_cg_key_u64(text, "user_usec", &st->user_usec) &&
		                       !vl_cg_key_u64(text, "system_usec", &st->system_usec);
		st->have_throttle = !vl_cg_key_u64(text, "nr_periods", &st->nr_periods) &&
		                    !vl_cg_key_u64(text, "nr_throttled", &st->nr_throttled) &&
		                    !vl_cg_key_u64(text, "throttled_usec", &st->throttled_usec);
	}
	if (vl_cg_exists(d, "memory.current")) {
		if (vl_cg_read_u64(d, "memory.current", &st->mem_current, err) < 0)
			return -1;
		st->have_memory = true;
	}
	/* memory.peak: kernel 5.19 and later. */
	if (vl_cg_exists(d, "memory.peak")) {
		if (vl_cg_read_u64(d, "memory.peak", &st->mem_peak, err) < 0)
			return -1;
		st->have_peak = true;
	}
	if (vl_cg_exists(d, "memory.events")) {
		cleanup_free char *text = NULL;

		if (vl_cg_read(d, "memory.events", &text, err) < 0)
			return -1;
		st->have_oom = !vl_cg_key_u64(text, "oom_kill", &st->oom_kills);
		if (vl_cg_key_u64(text, "max", &st->oom_events) < 0)
			vl_cg_key_u64(text, "oom", &st->oom_events);
	}
	if (vl_cg_exists(d, "pids.current")) {
		if (vl_cg_read_u64(d, "pids.current", &st->pids_current, err) < 0)
			return -1;
		st->have_pids = true;
	}
	return 0;
}

static int v2_procs(const char *path, pid_t **pids, size_t *n, struct vl_err *err)
{
	cleanup_free char *d = NULL;
	size_t cap = 0;

	*pids = NULL;
	*n = 0;
	if (ready(path, err) < 0)
		return -1;
	d = vl_cg_join(v2.mnt, path);
	if (vl_cg_procs_tree(d, pids, n, &cap, err) < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return vl_err_wrap(err, "list processes of cgroup %s", path);
	}
	return 0;
}

/* Wait until cgroup.events says "populated 0" or secs passed. */
static int wait_unpopulated(const char *path, const char *d, double secs, struct vl_err *err)
{
	double deadline = vl_now() + secs;

	for (;;) {
		cleanup_free char *text = NULL;
		uint64_t populated = 1;

		if (vl_cg_read(d, "cgroup.events", &text, err) < 0)
			return err->code == ENOENT ? 0 : -1;
		if (vl_cg_key_u64(text, "populated", &populated) < 0 || populated == 0)
			return 0;
		if (vl_now() > deadline)
			return vl_err_set(err, EBUSY,
			                  "cgroup %s still populated %.0f s after SIGKILL (a "
			                  "process stuck in the kernel, state D?)",
			                  path, secs);
		vl_cg_sleep_ms(10);
	}
}

int vl_cgroup_v2_prune(const char *path, struct vl_err *err)
{
	cleanup_free char *d = NULL;

	if (ready(path, err) < 0)
		return -1;
	d = vl_cg_join(v2.mnt, path);
	return vl_cg_rmdir_empty(d, err);
}

static int v2_destroy(const char *path, struct vl_err *err)
{
	cleanup_free char *d = NULL;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0, cap = 0;
	pid_t self = getpid();

	if (ready(path, err) < 0)
		return -1;
	d = vl_cg_join(v2.mnt, path);
	if (access(d, F_OK) < 0 && errno == ENOENT)
		return 0;
	/* cgroup.kill would take us too: refuse first. */
	if (vl_cg_procs_tree(d, &pids, &n, &cap, err) < 0)
		return vl_err_wrap(err, "destroy cgroup %s", path);
	for (size_t i = 0; i < n; i++)
		if (pids[i] == self)
			return vl_err_set(
			    err, EBUSY,
			    "destroy cgroup %s: the calling process (pid %d) is in it: "
			    "move it out first",
			    path, (int)self);
	/* cgroup.kill (5.14+) kills the whole subtree at once, racing no fork;
	 * the pid-by-pid loop then finds nothing, or does the job on older
	 * kernels. */
	if (n && vl_cg_exists(d, "cgroup.kill") && vl_cg_write(d, "cgroup.kill", "1", err) < 0)
		return vl_err_wrap(err, "destroy cgroup %s", path);
	if (vl_cg_kill_trees((const char *const[]){d}, 1, DESTROY_SECS, err) < 0 ||
	    wait_unpopulated(path, d, DESTROY_SECS, err) < 0 ||
	    vl_cg_rmdir_tree(d, DESTROY_SECS, err) < 0)
		return vl_err_wrap(err, "destroy cgroup %s", path);
	return 0;
}
