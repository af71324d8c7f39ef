/* cgroup v1: one hierarchy per controller (or a few co-mounted, such as
 * "cpu,cpuacct"), found by their super options in /proc/self/mountinfo. A
 * cgroup exists in the hierarchies that count (cpuacct, memory, pids) and
 * in those whose limits it was given (cpu, cpuset): a lab of thousands of
 * nodes without limits then costs three directories a node, not five. Its
 * processes are written into each hierarchy where it exists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "sys/cgroup.h"
#include "sys/cgroup_impl.h"

#define VL_CG_PERIOD_US 100000
#define DESTROY_SECS    5.0

enum ctrl { CPU, CPUACCT, CPUSET, MEMORY, PIDS, NCTRL };
static const char *const ctrl_names[NCTRL] = {"cpu", "cpuacct", "cpuset", "memory", "pids"};

static int v1_create(const char *path, const struct vl_cg_limits *lim, struct vl_err *err);
static int v1_update(const char *path, const struct vl_cg_limits *lim, struct vl_err *err);
static int v1_attach(const char *path, pid_t pid, struct vl_err *err);
static int v1_stats(const char *path, struct vl_cg_stats *st, struct vl_err *err);
static int v1_procs(const char *path, pid_t **pids, size_t *n, struct vl_err *err);
static int v1_destroy(const char *path, struct vl_err *err);

const struct vl_cgroup_manager vl_cgroup_v1 = {
    .name = "v1",
    .create = v1_create,
    .update = v1_update,
    .attach = v1_attach,
    .stats = v1_stats,
    .procs = v1_procs,
    .destroy = v1_destroy,
};

/* What v1 looks like on this machine, found from /proc/self/mountinfo on
 * first use and kept for the life of the process (mounts of cgroup
 * hierarchies do not come and go under a running lab). Not locked: the
 * first call is expected from one thread, as main's detection is. */
static struct {
	bool probed, usable;
	struct vl_err why;       /* why not usable */
	char *mnt[NCTRL];        /* mount point per controller; NULL: not mounted */
	const char *hier[NCTRL]; /* the distinct mount points among mnt[] */
	size_t nhier;
	struct vl_cgroup_manager mgr; /* vl_cgroup_v1 with can_* for this machine */
} v1;

static void probe(void)
{
	struct vl_cg_mounts ms;

	if (v1.probed)
		return;
	v1.probed = true;
	if (vl_cg_mounts_read(&ms, &v1.why) < 0)
		return;
	for (int c = 0; c < NCTRL; c++) {
		const struct vl_cg_mount *m = vl_cg_mount_find(&ms, ctrl_names[c]);
		size_t h;

		/* A read-only hierarchy is as good as none for us. */
		if (!m || m->rdonly)
			continue;
		v1.mnt[c] = vl_xstrdup(m->path);
		for (h = 0; h < v1.nhier && strcmp(v1.hier[h], v1.mnt[c]); h++)
			;
		if (h == v1.nhier)
			v1.hier[v1.nhier++] = v1.mnt[c];
	}
	vl_cg_mounts_free(&ms);
	if (!v1.mnt[CPU] || !v1.mnt[MEMORY]) {
		vl_err_set(&v1.why, ENOENT,
		           "no writable cgroup v1 hierarchy with the %s controller in "
		           "/proc/self/mountinfo (mount -t cgroup -o %s none /sys/fs/cgroup/%s)",
		           v1.mnt[CPU] ? "memory" : "cpu", v1.mnt[CPU] ? "memory" : "cpu",
		           v1.mnt[CPU] ? "memory" : "cpu");
		return;
	}
	v1.mgr = vl_cgroup_v1;
	v1.mgr.can_cpu = true;
	v1.mgr.can_memory = true;
	v1.mgr.can_cpuset = v1.mnt[CPUSET] != NULL;
	v1.mgr.can_pids = v1.mnt[PIDS] != NULL;
	v1.usable = true;
}

const struct vl_cgroup_manager *vl_cgroup_v1_probe(struct vl_err *err)
{
	probe();
	if (!v1.usable) {
		*err = v1.why;
		return NULL;
	}
	return &v1.mgr;
}

/* Does a cgroup with these limits need a directory in hierarchy h? */
static bool hier_needed(size_t h, const struct vl_cg_limits *lim)
{
	for (int c = 0; c < NCTRL; c++) {
		if (!v1.mnt[c] || strcmp(v1.mnt[c], v1.hier[h]))
			continue;
		if (c == CPUACCT)
			return true;
		if (c == MEMORY && (lim->memory || lim->account_memory))
			return true;
		if (c == PIDS && (lim->pids || lim->account_tasks))
			return true;
		if (c == CPU && (lim->cpus || lim->cpu_weight))
			return true;
		if (c == CPUSET && lim->cpuset[0])
			return true;
	}
	return false;
}

static int ready(const char *path, struct vl_err *err)
{
	if (vl_cg_path_check(path, err) < 0)
		return -1;
	probe();
	if (!v1.usable) {
		*err = v1.why;
		return vl_err_wrap(err, "cgroup v1");
	}
	return 0;
}

/* The directory of path in controller c's hierarchy (NULL if unmounted). */
static char *dir_of(enum ctrl c, const char *path)
{
	return v1.mnt[c] ? vl_cg_join(v1.mnt[c], path) : NULL;
}

/* v1 lets no task into a cpuset whose cpus or mems are empty, and a new
 * cpuset starts empty: each level gets its parent's, and asks the kernel
 * (cgroup.clone_children) to give its own children a copy at mkdir, so
 * that thousands of node cgroups need no cpuset writes. */
static int cpuset_level(const char *parent, const char *child, struct vl_err *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};

	if (!vl_cg_exists(child, "cpuset.cpus"))
		return 0; /* not the cpuset hierarchy */
	for (size_t i = 0; i < VL_ARRAY_SIZE(files); i++) {
		cleanup_free char *mine = NULL, *theirs = NULL;

		if (vl_cg_read(child, files[i], &mine, err) < 0)
			return -1;
		if (mine[0] && mine[0] != '\n')
			continue;
		if (vl_cg_read(parent, files[i], &theirs, err) < 0)
			return -1;
		theirs[strcspn(theirs, "\n")] = '\0';
		if (vl_cg_write(child, files[i], theirs, err) < 0)
			return vl_err_wrap(err,
			                   "copy the parent's %s (v1 needs it before any "
			                   "task can join)",
			                   files[i]);
	}
	if (vl_cg_exists(child, "cgroup.clone_children"))
		vl_cg_write(child, "cgroup.clone_children", "1", &(struct vl_err){0});
	return 0;
}

static int apply_cpu(const char *path, const struct vl_cg_limits *lim, bool fresh,
                     struct vl_err *err)
{
	cleanup_free char *d = dir_of(CPU, path);
	unsigned long shares = lim->cpu_weight ? lim->cpu_weight * 1024ul / 100 : 1024;

	if (shares < 2)
		shares = 2;
	if ((fresh && !lim->cpus && !lim->cpu_weight) || access(d, F_OK) < 0)
		return 0; /* defaults on a new cgroup; not in this hierarchy */
	if (vl_cg_writef(d, "cpu.cfs_period_us", err, "%d", VL_CG_PERIOD_US) < 0)
		return -1;
	if (lim->cpus) {
		if (vl_cg_writef(d, "cpu.cfs_quota_us", err, "%lld", vl_cg_quota_us(lim->cpus)) < 0)
			return vl_err_wrap(err, "cgroup %s: cpus=%g", path, lim->cpus);
	} else if (vl_cg_write(d, "cpu.cfs_quota_us", "-1", err) < 0) {
		return -1;
	}
	if (vl_cg_writef(d, "cpu.shares", err, "%lu", shares) < 0)
		return vl_err_wrap(err, "cgroup %s: cpu_weight=%u", path, lim->cpu_weight);
	return 0;
}

static int apply_cpuset(const char *path, const struct vl_cg_limits *lim, bool fresh,
                        struct vl_err *err)
{
	cleanup_free char *d = dir_of(CPUSET, path);
	cleanup_free char *parent = vl_xstrdup(d);
	cleanup_free char *theirs = NULL;

	*strrchr(parent, '/') = '\0';
	if (access(d, F_OK) < 0)
		return 0; /* not in the cpuset hierarchy: all CPUs */
	if (lim->cpuset[0]) {
		if (vl_cg_write(d, "cpuset.cpus", lim->cpuset, err) < 0) {
			if (err->code == EINVAL &&
			    vl_cg_read(parent, "cpuset.cpus", &theirs, &(struct vl_err){0}) == 0) {
				theirs[strcspn(theirs, "\n")] = '\0';
				return vl_err_wrap(err,
				                   "cgroup %s: cpuset=%s: CPUs must be online and "
				                   "within the parent's cpuset.cpus (%s)",
				                   path, lim->cpuset, theirs);
			}
			return vl_err_wrap(err, "cgroup %s: cpuset=%s", path, lim->cpuset);
		}
		return 0;
	}
	/* No cpuset asked: all of the parent's, as v1 has no "inherit" (a new
	 * one got them already, see cpuset_level). */
	if (fresh)
		return 0;
	if (vl_cg_read(parent, "cpuset.cpus", &theirs, err) < 0)
		return -1;
	theirs[strcspn(theirs, "\n")] = '\0';
	return vl_cg_write(d, "cpuset.cpus", theirs, err);
}

static int apply_memory(const char *path, const struct vl_cg_limits *lim, bool fresh,
                        struct vl_err *err)
{
	cleanup_free char *d = dir_of(MEMORY, path);
	char val[32];
	uint64_t cur;

	if ((fresh || access(d, F_OK) < 0) && !lim->memory)
		return 0; /* unlimited, swappiness inherited (or not measured) */
	if (lim->memory)
		snprintf(val, sizeof(val), "%llu", (unsigned long long)lim->memory);
	else
		snprintf(val, sizeof(val), "-1");
	if (!vl_cg_exists(d, "memory.memsw.limit_in_bytes")) {
		/* No swap accounting (swapaccount=0, or no swap support), so swap
		 * cannot be capped. swappiness 0 keeps the cgroup's anonymous
		 * memory out of swap when it reaches its limit, which makes the
		 * limit a hard one as asked; without a limit it goes back to the
		 * parent's. */
		cleanup_free char *parent = vl_xstrdup(d);
		cleanup_free char *swp = NULL;

		*strrchr(parent, '/') = '\0';
		if (vl_cg_read(parent, "memory.swappiness", &swp, err) < 0)
			return -1;
		swp[strcspn(swp, "\n")] = '\0';
		if (vl_cg_write(d, "memory.swappiness", lim->memory ? "0" : swp, err) < 0)
			return -1;
		if (vl_cg_write(d, "memory.limit_in_bytes", val, err) < 0)
			return vl_err_wrap(err, "cgroup %s: memory limit", path);
		return 0;
	}
	/* memsw (memory + swap) may never be below the memory limit: the
	 * kernel refuses either write that would break it. So when raising,
	 * memsw goes first; when lowering, memory goes first. */
	if (vl_cg_read_u64(d, "memory.limit_in_bytes", &cur, err) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		bool raise = !lim->memory || lim->memory >= cur;
		const char *file =
		    (i == 0) == raise ? "memory.memsw.limit_in_bytes" : "memory.limit_in_bytes";

		if (vl_cg_write(d, file, val, err) < 0)
			return vl_err_wrap(err, "cgroup %s: memory=%s (no swap)", path, val);
	}
	return 0;
}

/* Bad values and limits this machine cannot enforce are errors. */
static int enforceable(const char *path, const struct vl_cg_limits *lim, struct vl_err *err)
{
	const char *ctrl;
	char what[96];

	if (vl_cg_limits_check(path, lim, &v1.mgr, &ctrl, what, sizeof(what), err) < 0)
		return -1;
	if (ctrl)
		return vl_err_set(
		    err, ENOTSUP,
		    "cgroup %s: %s needs the %s controller, but no writable cgroup v1 "
		    "hierarchy has it (mount -t cgroup -o %s none /sys/fs/cgroup/%s)",
		    path, what, ctrl, ctrl, ctrl);
	return 0;
}

/* fresh: the cgroup was just made, so limits not asked for are already at
 * their defaults and need no writes (create() of thousands of nodes). */
static int apply(const char *path, const struct vl_cg_limits *lim, bool fresh, struct vl_err *err)
{
	if (apply_cpu(path, lim, fresh, err) < 0)
		return -1;
	if (v1.mnt[CPUSET] && apply_cpuset(path, lim, fresh, err) < 0)
		return -1;
	if (apply_memory(path, lim, fresh, err) < 0)
		return -1;
	if (v1.mnt[PIDS] && !(fresh && !lim->pids)) {
		cleanup_free char *d = dir_of(PIDS, path);

		if (!lim->pids && access(d, F_OK) < 0)
			return 0; /* tasks not counted */
		if (lim->pids
		        ? vl_cg_writef(d, "pids.max", err, "%llu", (unsigned long long)lim->pids)
		        : vl_cg_write(d, "pids.max", "max", err))
			return -1;
	}
	return 0;
}

static int v1_create(const char *path, const struct vl_cg_limits *lim, struct vl_err *err)
{
	/* Refuse before making anything. */
	if (ready(path, err) < 0 || enforceable(path, lim, err) < 0)
		return -1;
	for (size_t h = 0; h < v1.nhier; h++)
		if (hier_needed(h, lim) && vl_cg_mkdir_p(v1.hier[h], path, cpuset_level, err) < 0)
			return -1;
	return apply(path, lim, true, err);
}

/* The cgroup exists (in the cpuacct hierarchy, where every one is). */
static int exists(const char *path, struct vl_err *err)
{
	cleanup_free char *d = dir_of(v1.mnt[CPUACCT] ? CPUACCT : MEMORY, path);

	if (access(d, F_OK) < 0)
		return vl_err_sys(err, errno, "cgroup %s: %s", path, d);
	return 0;
}

static int v1_update(const char *path, const struct vl_cg_limits *lim, struct vl_err *err)
{
	if (ready(path, err) < 0 || enforceable(path, lim, err) < 0 || exists(path, err) < 0)
		return -1;
	/* A limit given only now needs its hierarchy's directory now. */
	for (size_t h = 0; h < v1.nhier; h++)
		if (hier_needed(h, lim) && vl_cg_mkdir_p(v1.hier[h], path, cpuset_level, err) < 0)
			return -1;
	return apply(path, lim, false, err);
}

static int v1_attach(const char *path, pid_t pid, struct vl_err *err)
{
	if (ready(path, err) < 0)
		return -1;
	if (pid == 0)
		pid = getpid();
	if (exists(path, err) < 0)
		return -1;
	for (size_t h = 0; h < v1.nhier; h++) {
		cleanup_free char *d = vl_cg_join(v1.hier[h], path);

		if (access(d, F_OK) < 0)
			continue; /* not used by this cgroup */
		if (vl_cg_writef(d, "cgroup.procs", err, "%d", (int)pid) < 0) {
			if (err->code == ESRCH)
				return vl_err_wrap(err,
				                   "attach pid %d to cgroup %s: no such process",
				                   (int)pid, path);
			if (err->code == ENOSPC)
				return vl_err_wrap(err,
				                   "attach pid %d to cgroup %s: its cpuset.cpus or "
				                   "cpuset.mems is empty",
				                   (int)pid, path);
			return vl_err_wrap(err, "attach pid %d to cgroup %s", (int)pid, path);
		}
	}
	return 0;
}

/* Read a number into *v; a missing file leaves *have false. */
static int stat_u64(const char *dir, const char *file, uint64_t *v, bool *have, struct vl_err *err)
{
	if (!dir || !vl_cg_exists(dir, file))
		return 0;
	if (vl_cg_read_u64(dir, file, v, err) < 0)
		return -1;
	*have = true;
	return 0;
}

static int v1_stats(const char *path, struct vl_cg_stats *st, struct vl_err *err)
{
	cleanup_free char *acct = NULL, *cpu = NULL, *mem = NULL, *pids = NULL;
	cleanup_free char *text = NULL;
	uint64_t ns = 0, user = 0, sys = 0;
	bool have_u = false, have_s = false;

	memset(st, 0, sizeof(*st));
	if (ready(path, err) < 0 || exists(path, err) < 0)
		return -1;
	acct = dir_of(CPUACCT, path);
	cpu = dir_of(CPU, path);
	mem = dir_of(MEMORY, path);
	pids = dir_of(PIDS, path);

	if (stat_u64(acct, "cpuacct.usage", &ns, &st->have_cpu, err) < 0)
		return -1;
	st->cpu_usec = ns / 1000;
	if (stat_u64(acct, "cpuacct.usage_user", &user, &have_u, err) < 0 ||
	    stat_u64(acct, "cpuacct.usage_sys", &sys, &have_s, err) < 0)
		return -1;
	if (have_u && have_s) {
		st->user_usec = user / 1000;
		st->system_usec = sys / 1000;
		st->have_user_system = true;
	} else if (acct && vl_cg_exists(acct, "cpuacct.stat")) {
		/* Older kernels: user and system in USER_HZ ticks. */
		long tck = sysconf(_SC_CLK_TCK);

		if (vl_cg_read(acct, "cpuacct.stat", &text, err) < 0)
			return -1;
		if (tck > 0 && !vl_cg_key_u64(text, "user", &user) &&
		    !vl_cg_key_u64(text, "system", &sys)) {
			st->user_usec = user * 1000000 / (uint64_t)tck;
			st->system_usec = sys * 1000000 / (uint64_t)tck;
			st->have_user_system = true;
		}
		free(text);
		text = NULL;
	}

	/* Both splits count ticks, each landing whole on user or system; the
	 * total is exact. Scale the split to the exact total, as v2's cpu.stat
	 * and getrusage() do (the kernel's cputime_adjust), so that user +
	 * system = cpu_usec and bursty work (woken between ticks) is not
	 * under-counted. */
	if (st->have_user_system && st->have_cpu && st->user_usec + st->system_usec) {
		double u = (double)st->user_usec / (double)(st->user_usec + st->system_usec);

		st->user_usec = (uint64_t)((double)st->cpu_usec * u + 0.5);
		st->system_usec = st->cpu_usec - st->user_usec;
	}

	if (vl_cg_exists(cpu, "cpu.stat")) {
		uint64_t thr_ns = 0;

		if (vl_cg_read(cpu, "cpu.stat", &text, err) < 0)
			return -1;
		st->have_throttle = !vl_cg_key_u64(text, "nr_periods", &st->nr_periods) &&
		                    !vl_cg_key_u64(text, "nr_throttled", &st->nr_throttled) &&
		                    !vl_cg_key_u64(text, "throttled_time", &thr_ns);
		st->throttled_usec = thr_ns / 1000;
		free(text);
		text = NULL;
	}

	if (stat_u64(mem, "memory.usage_in_bytes", &st->mem_current, &st->have_memory, err) < 0 ||
	    stat_u64(mem, "memory.max_usage_in_bytes", &st->mem_peak, &st->have_peak, err) < 0)
		return -1;
	if (vl_cg_exists(mem, "memory.oom_control")) {
		uint64_t memsw_fails = 0;
		bool have_failcnt = false, have_memsw = false;

		if (vl_cg_read(mem, "memory.oom_control", &text, err) < 0)
			return -1;
		/* The limit was hit: a charge failed against memory or, first
		 * when both limits are equal, against memory+swap. */
		if (stat_u64(mem, "memory.failcnt", &st->oom_events, &have_failcnt, err) < 0 ||
		    stat_u64(mem, "memory.memsw.failcnt", &memsw_fails, &have_memsw, err) < 0)
			return -1;
		st->oom_events += memsw_fails;
		/* "oom_kill N" appeared in 4.13. */
		st->have_oom = !vl_cg_key_u64(text, "oom_kill", &st->oom_kills) && have_failcnt;
		/* Since 6.15 the kernel counts failures only on the memory
		 * counter (page_counter track_failcnt), while with memsw equal
		 * to the limit every charge fails on memsw first: failcnt then
		 * stays 0 however often the limit is hit. An OOM kill at least
		 * means the limit was hit once. */
		if (st->oom_events < st->oom_kills)
			st->oom_events = st->oom_kills;
	}

	if (stat_u64(pids, "pids.current", &st->pids_current, &st->have_pids, err) < 0)
		return -1;
	return 0;
}

static int v1_procs(const char *path, pid_t **pids, size_t *n, struct vl_err *err)
{
	cleanup_free char *d = NULL;
	size_t cap = 0;

	*pids = NULL;
	*n = 0;
	if (ready(path, err) < 0)
		return -1;
	/* Every process is in every hierarchy: one is enough. */
	d = dir_of(v1.mnt[CPUACCT] ? CPUACCT : CPU, path);
	if (vl_cg_procs_tree(d, pids, n, &cap, err) < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return vl_err_wrap(err, "list processes of cgroup %s", path);
	}
	return 0;
}

int vl_cgroup_v1_prune(const char *path, struct vl_err *err)
{
	if (ready(path, err) < 0)
		return -1;
	for (size_t h = 0; h < v1.nhier; h++) {
		cleanup_free char *d = vl_cg_join(v1.hier[h], path);

		if (vl_cg_rmdir_empty(d, err) < 0)
			return -1;
	}
	return 0;
}

static int v1_destroy(const char *path, struct vl_err *err)
{
	char *dirs[NCTRL] = {0};
	int rc = 0;

	if (ready(path, err) < 0)
		return -1;
	for (size_t h = 0; h < v1.nhier; h++)
		dirs[h] = vl_cg_join(v1.hier[h], path);
	/* Kill in all hierarchies: a process half-attached is in some only. */
	if (vl_cg_kill_trees((const char *const *)dirs, v1.nhier, DESTROY_SECS, err) < 0)
		rc = vl_err_wrap(err, "destroy cgroup %s", path);
	for (size_t h = 0; rc == 0 && h < v1.nhier; h++)
		if (vl_cg_rmdir_tree(dirs[h], DESTROY_SECS, err) < 0)
			rc = vl_err_wrap(err, "destroy cgroup %s", path);
	for (size_t h = 0; h < v1.nhier; h++)
		free(dirs[h]);
	return rc;
}
