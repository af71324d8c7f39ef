/* test_cgroup: the cgroup managers (src/sys/cgroup*.c) against the running
 * kernel. Run as root; it creates and removes cgroups under
 * vnetlab/test-<pid>/ in every hierarchy it uses.
 *
 * Every case runs on v1 and on v2. Where a manager is not usable here, or
 * cannot enforce what the case needs, the case prints
 * "skip <case> (<version>): <reason>" and counts as skipped. A case that
 * passes prints "ok <case> (<version>): <figures>", one that fails
 * "FAIL <case> (<version>): <why>". The last line is exactly
 * "N passed, M failed, K skipped"; the exit status is 1 iff M > 0.
 *
 * The timed cases measure over the actual elapsed wall time and allow for a
 * loaded 2-core machine; the two that need CPU time to themselves say so. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "sys/cgroup.h"
#include "sys/cgroup_impl.h"

enum result { PASS, FAIL, SKIP };

struct ctx {
	const struct vl_cgroup_manager *m;
	const char *version;
	char dir[128];   /* this case's cgroup: vnetlab/test-<pid>/<case> */
	char note[1024]; /* figures on success, reason on failure or skip */
	pid_t kids[64];  /* workers to kill and reap whatever happens */
	size_t nkids;
};

static enum result say(struct ctx *c, enum result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum result say(struct ctx *c, enum result r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->note, sizeof(c->note), fmt, ap);
	va_end(ap);
	return r;
}

static void sleep_s(double s)
{
	vl_cg_sleep_ms((long)(s * 1000 + 0.5));
}

/* --- workers ----------------------------------------------------------------- */

typedef void (*work_fn)(int report_fd, void *arg);

/* Fork a worker that waits until it has been attached to cg, then runs fn
 * and exits. *report (if given) is the read end of a pipe the worker may
 * write to. Returns the pid, or -1 with c->note set. */
static pid_t spawn(struct ctx *c, const char *cg, work_fn fn, void *arg, int *report)
{
	int go[2], rep[2] = {-1, -1};
	struct vl_err err;
	pid_t pid;
	char b = 'g';

	if (pipe2(go, O_CLOEXEC) < 0 || (report && pipe2(rep, O_CLOEXEC) < 0)) {
		say(c, FAIL, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		say(c, FAIL, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(go[1]);
		if (rep[0] >= 0)
			close(rep[0]);
		if (read(go[0], &b, 1) != 1)
			_exit(0);
		close(go[0]);
		fn(rep[1], arg);
		_exit(0);
	}
	close(go[0]);
	if (rep[1] >= 0)
		close(rep[1]);
	if (c->nkids < VL_ARRAY_SIZE(c->kids))
		c->kids[c->nkids++] = pid;
	if (c->m->attach(cg, pid, &err) < 0) {
		say(c, FAIL, "%s", err.msg);
		close(go[1]);
		if (rep[0] >= 0)
			close(rep[0]);
		return -1;
	}
	if (write(go[1], &b, 1) != 1) {
		say(c, FAIL, "start worker: %s", strerror(errno));
		close(go[1]);
		return -1;
	}
	close(go[1]);
	if (report)
		*report = rep[0];
	return pid;
}

/* Wait up to secs for pid to end; its wait status, or -1 if still running. */
static int reap(pid_t pid, double secs)
{
	double deadline = vl_now() + secs;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 || vl_now() > deadline)
			return -1;
		vl_cg_sleep_ms(5);
	}
}

/* Read exactly n bytes from fd within secs. */
static bool read_report(int fd, void *buf, size_t n, double secs)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	size_t got = 0;

	while (got < n) {
		ssize_t r;

		if (poll(&p, 1, (int)(secs * 1000)) <= 0)
			return false;
		r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void work_busy(int fd, void *arg)
{
	volatile unsigned long x = 0;

	if (arg)
		pin_cpu0();
	for (;;)
		x++;
}

static void work_sleep(int fd, void *arg)
{
	for (;;)
		pause();
}

/* CPU time of this process, in seconds (a system call each time). */
static double self_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ~1.5 s of CPU, about a third of it in the kernel (getppid() calls), then
 * report getrusage(RUSAGE_SELF). */
static void work_account(int fd, void *arg)
{
	volatile unsigned long x = 0;
	struct rusage ru;

	while (self_cpu() < 1.5) {
		double until = self_cpu() + 0.006;

		while (self_cpu() < until)
			for (int i = 0; i < 20000; i++)
				x += (unsigned long)i * 2654435761u;
		until = self_cpu() + 0.003;
		while (self_cpu() < until)
			for (int i = 0; i < 200; i++)
				getppid();
	}
	getrusage(RUSAGE_SELF, &ru);
	if (write(fd, &ru, sizeof(ru)) != (ssize_t)sizeof(ru))
		_exit(1);
}

/* Allocate and touch 200 MiB; report if that survived. */
static void work_hog(int fd, void *arg)
{
	size_t len = 200u << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char ok = 'y';

	if (p == MAP_FAILED)
		_exit(2);
	for (size_t i = 0; i < len; i += 4096)
		p[i] = (char)i;
	if (write(fd, &ok, 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

/* Fork until it fails; report how many succeeded and the errno. */
struct bomb_report {
	int forked, err;
};
static void work_bomb(int fd, void *arg)
{
	struct bomb_report r = {0, 0};

	for (int i = 0; i < 40; i++) {
		pid_t p = fork();

		if (p == 0) {
			for (;;)
				pause();
		}
		if (p < 0) {
			r.err = errno;
			break;
		}
		r.forked++;
	}
	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
	for (;;)
		pause();
}

/* --- helpers ----------------------------------------------------------------- */

/* Create path with lim. When the manager cannot enforce lim, that must be
 * an error (never silence): it then makes the case a skip, with the
 * manager's own message as the reason. */
static enum result make(struct ctx *c, const char *path, const struct vl_cg_limits *lim,
                        bool enforceable)
{
	struct vl_err err;
	int rc = c->m->create(path, lim, &err);

	if (!enforceable) {
		if (rc == 0)
			return say(c, FAIL, "create %s: a limit it cannot enforce was accepted",
			           path);
		return say(c, SKIP, "%s", err.msg);
	}
	if (rc < 0)
		return say(c, FAIL, "%s", err.msg);
	return PASS;
}

static enum result get_stats(struct ctx *c, const char *path, struct vl_cg_stats *st)
{
	struct vl_err err;

	if (c->m->stats(path, st, &err) < 0)
		return say(c, FAIL, "%s", err.msg);
	return PASS;
}

static char *sub(struct ctx *c, const char *leaf)
{
	return vl_xasprintf("%s/%s", c->dir, leaf);
}

/* --- cases ------------------------------------------------------------------- */

/* A busy loop limited to 0.5 CPU gets 0.5 CPU ± 10%. Needs half a core
 * free: on a machine whose every core is saturated by other work the child
 * gets less than its quota, and the case fails. */
static enum result case_cpus(struct ctx *c)
{
	struct vl_cg_limits lim = {.cpus = 0.5};
	cleanup_free char *a = sub(c, "a");
	struct vl_cg_stats s0, s1;
	enum result r;
	double t0, t1, rate;

	if ((r = make(c, a, &lim, c->m->can_cpu)) != PASS)
		return r;
	if (spawn(c, a, work_busy, NULL, NULL) < 0)
		return FAIL;
	sleep_s(0.3);
	if (get_stats(c, a, &s0) != PASS)
		return FAIL;
	t0 = vl_now();
	sleep_s(3.0);
	if (get_stats(c, a, &s1) != PASS)
		return FAIL;
	t1 = vl_now();
	if (!s1.have_cpu)
		return say(c, FAIL, "no CPU usage measured in %s", a);
	rate = (double)(s1.cpu_usec - s0.cpu_usec) / 1e6 / (t1 - t0);
	if (fabs(rate - 0.5) > 0.05)
		return say(c, FAIL, "cpus=0.5 gave %.3f CPU over %.2f s (want 0.45..0.55)", rate,
		           t1 - t0);
	if (!s1.have_throttle)
		return say(c, FAIL, "%.3f CPU, but no throttling counters", rate);
	if (s1.nr_periods <= s0.nr_periods || s1.nr_throttled <= s0.nr_throttled ||
	    s1.throttled_usec <= s0.throttled_usec)
		return say(c, FAIL,
		           "%.3f CPU, but throttling did not rise: periods %llu->%llu, "
		           "throttled %llu->%llu",
		           rate, (unsigned long long)s0.nr_periods,
		           (unsigned long long)s1.nr_periods, (unsigned long long)s0.nr_throttled,
		           (unsigned long long)s1.nr_throttled);
	return say(c, PASS,
	           "%.3f CPU over %.2f s; throttled in %llu of %llu periods, %.2f s in all", rate,
	           t1 - t0, (unsigned long long)(s1.nr_throttled - s0.nr_throttled),
	           (unsigned long long)(s1.nr_periods - s0.nr_periods),
	           (double)(s1.throttled_usec - s0.throttled_usec) / 1e6);
}

/* Two busy loops on one CPU, weights 100 and 300: the heavier gets 3/4.
 * Other tasks on CPU 0 take time from the case's parent group as a whole,
 * not from one of the two, so the ratio holds on a loaded machine; it needs
 * CPU 0 not to be reserved (isolcpus) or hogged by real-time tasks. */
static enum result case_weights(struct ctx *c)
{
	struct vl_cg_limits l1 = {.cpu_weight = 100}, l3 = {.cpu_weight = 300};
	cleanup_free char *a = sub(c, "w100"), *b = sub(c, "w300");
	struct vl_cg_stats a0, a1, b0, b1;
	bool by_cpuset = c->m->can_cpuset;
	double t0, t1, da, db, share;
	enum result r;

	if (by_cpuset) {
		strcpy(l1.cpuset, "0");
		strcpy(l3.cpuset, "0");
	}
	if ((r = make(c, a, &l1, c->m->can_cpu)) != PASS ||
	    (r = make(c, b, &l3, c->m->can_cpu)) != PASS)
		return r;
	if (spawn(c, a, work_busy, by_cpuset ? NULL : "pin", NULL) < 0 ||
	    spawn(c, b, work_busy, by_cpuset ? NULL : "pin", NULL) < 0)
		return FAIL;
	sleep_s(0.3);
	if (get_stats(c, a, &a0) != PASS || get_stats(c, b, &b0) != PASS)
		return FAIL;
	t0 = vl_now();
	sleep_s(3.0);
	if (get_stats(c, a, &a1) != PASS || get_stats(c, b, &b1) != PASS)
		return FAIL;
	t1 = vl_now();
	da = (double)(a1.cpu_usec - a0.cpu_usec) / 1e6;
	db = (double)(b1.cpu_usec - b0.cpu_usec) / 1e6;
	if (da + db <= 0)
		return say(c, FAIL, "no CPU time measured");
	share = db / (da + db);
	if (fabs(share - 0.75) > 0.07)
		return say(c, FAIL,
		           "weight 300 got %.3f of CPU 0 (want 0.68..0.82): %.2f s vs %.2f s "
		           "over %.2f s",
		           share, db, da, t1 - t0);
	return say(c, PASS,
	           "weight 300 got %.3f of the pair (%.2f s vs %.2f s over %.2f s, "
	           "pinned by %s)",
	           share, db, da, t1 - t0, by_cpuset ? "cpuset" : "sched_setaffinity");
}

/* 200 MiB touched under a 64 MiB limit: the OOM killer takes the hog only. */
static enum result case_memory(struct ctx *c)
{
	struct vl_cg_limits lim = {.memory = 64u << 20}, none = {0};
	cleanup_free char *a = sub(c, "hog"), *b = sub(c, "sibling");
	struct vl_cg_stats st;
	cleanup_close int fd = -1;
	pid_t hog, sib;
	enum result r;
	int status;
	char ok;

	if ((r = make(c, a, &lim, c->m->can_memory)) != PASS ||
	    (r = make(c, b, &none, true)) != PASS)
		return r;
	if ((sib = spawn(c, b, work_sleep, NULL, NULL)) < 0 ||
	    (hog = spawn(c, a, work_hog, NULL, &fd)) < 0)
		return FAIL;
	status = reap(hog, 30);
	if (status < 0)
		return say(c, FAIL, "the hog still runs after 30 s under memory=64MiB%s",
		           read_report(fd, &ok, 1, 0) ? " (it touched all 200 MiB)" : "");
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return say(c, FAIL, "the hog ended with status 0x%x, not by SIGKILL", status);
	if (get_stats(c, a, &st) != PASS)
		return FAIL;
	if (!st.have_oom)
		return say(c, FAIL, "hog SIGKILLed but no OOM-kill counter in %s", a);
	if (st.oom_kills < 1)
		return say(c, FAIL, "hog SIGKILLed but oom_kills = 0");
	if (waitpid(sib, &status, WNOHANG) != 0 || kill(sib, 0) < 0)
		return say(c, FAIL, "the sibling cgroup's process died too");
	return say(c, PASS,
	           "hog SIGKILLed; oom_kills %llu, limit hit %llu times, peak %.1f MiB%s; "
	           "sibling and test process alive",
	           (unsigned long long)st.oom_kills, (unsigned long long)st.oom_events,
	           (double)st.mem_peak / (1 << 20), st.have_peak ? "" : " (no peak)");
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static bool close_enough(double got, double want, double rel, double abs_s)
{
	double tol = want * rel > abs_s ? want * rel : abs_s;

	return fabs(got - want) <= tol;
}

/* The cgroup's CPU time equals what the process itself saw. */
static enum result case_accounting(struct ctx *c)
{
	struct vl_cg_limits none = {0};
	cleanup_free char *a = sub(c, "a");
	cleanup_close int fd = -1;
	struct vl_cg_stats st;
	struct rusage ru;
	double ru_u, ru_s, cg, cg_u, cg_s;
	enum result r;
	pid_t pid;
	int status;

	if ((r = make(c, a, &none, true)) != PASS)
		return r;
	if (get_stats(c, a, &st) != PASS)
		return FAIL;
	if (!st.have_cpu)
		return say(c, SKIP, "this hierarchy measures no CPU time");
	if ((pid = spawn(c, a, work_account, NULL, &fd)) < 0)
		return FAIL;
	if (!read_report(fd, &ru, sizeof(ru), 60))
		return say(c, FAIL, "the worker sent no getrusage report");
	status = reap(pid, 10);
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return say(c, FAIL, "the worker ended with status 0x%x", status);
	if (get_stats(c, a, &st) != PASS)
		return FAIL;
	ru_u = tv_s(ru.ru_utime);
	ru_s = tv_s(ru.ru_stime);
	cg = (double)st.cpu_usec / 1e6;
	cg_u = (double)st.user_usec / 1e6;
	cg_s = (double)st.system_usec / 1e6;
	if (!close_enough(cg, ru_u + ru_s, 0.05, 0))
		return say(c, FAIL, "cgroup CPU %.3f s, getrusage %.3f s (want within 5%%)", cg,
		           ru_u + ru_s);
	if (!st.have_user_system)
		return say(c, PASS, "cgroup CPU %.3f s vs getrusage %.3f s (no user/system split)",
		           cg, ru_u + ru_s);
	if (!close_enough(cg_u, ru_u, 0.10, 0.020) || !close_enough(cg_s, ru_s, 0.10, 0.020))
		return say(c, FAIL,
		           "user %.3f s vs %.3f s, system %.3f s vs %.3f s (cgroup vs "
		           "getrusage; want within 10%% or 20 ms)",
		           cg_u, ru_u, cg_s, ru_s);
	return say(c, PASS,
	           "cgroup CPU %.3f s vs getrusage %.3f s (%+.1f%%); user %.3f/%.3f s, "
	           "system %.3f/%.3f s",
	           cg, ru_u + ru_s, (cg / (ru_u + ru_s) - 1) * 100, cg_u, ru_u, cg_s, ru_s);
}

/* pids=16: the 16th fork inside fails with EAGAIN; ours still works. */
static enum result case_pids(struct ctx *c)
{
	struct vl_cg_limits lim = {.pids = 16};
	cleanup_free char *a = sub(c, "a");
	cleanup_close int fd = -1;
	struct bomb_report rep;
	struct vl_cg_stats st;
	enum result r;
	pid_t p;
	int status;

	if ((r = make(c, a, &lim, c->m->can_pids)) != PASS)
		return r;
	if (spawn(c, a, work_bomb, NULL, &fd) < 0)
		return FAIL;
	if (!read_report(fd, &rep, sizeof(rep), 30))
		return say(c, FAIL, "the fork bomb sent no report");
	if (get_stats(c, a, &st) != PASS)
		return FAIL;
	if (rep.forked != 15 || rep.err != EAGAIN)
		return say(c, FAIL, "inside pids=16: %d forks succeeded, then %s (want 15, EAGAIN)",
		           rep.forked, rep.err ? strerror(rep.err) : "no failure");
	if (!st.have_pids || st.pids_current != 16)
		return say(c, FAIL, "pids.current %llu (want 16)",
		           (unsigned long long)st.pids_current);
	p = fork();
	if (p == 0)
		_exit(0);
	if (p < 0 || (status = reap(p, 5)) < 0 || !WIFEXITED(status))
		return say(c, FAIL, "the test process could not fork after the bomb");
	return say(c, PASS, "15 forks then EAGAIN inside, pids.current 16; test process forks");
}

static int cmp_pid(const void *x, const void *y)
{
	pid_t a = *(const pid_t *)x, b = *(const pid_t *)y;

	return a < b ? -1 : a > b;
}

/* Whether path is gone from every cgroup hierarchy. */
static bool gone_everywhere(const char *path, char *where, size_t len)
{
	struct vl_cg_mounts ms;
	struct vl_err err;
	bool gone = true;

	if (vl_cg_mounts_read(&ms, &err) < 0) {
		snprintf(where, len, "%s", err.msg);
		return false;
	}
	for (size_t i = 0; i < ms.n && gone; i++) {
		cleanup_free char *d = vl_cg_join(ms.m[i].path, path);

		if (access(d, F_OK) == 0) {
			snprintf(where, len, "%s", d);
			gone = false;
		}
	}
	vl_cg_mounts_free(&ms);
	return gone;
}

/* destroy kills what is inside (two leaves deep) and removes it all. */
static enum result case_destroy(struct ctx *c)
{
	struct vl_cg_limits none = {0};
	cleanup_free char *x = sub(c, "x");
	cleanup_free char *l1 = sub(c, "x/l1"), *l2 = sub(c, "x/l2");
	cleanup_free pid_t *got = NULL;
	pid_t want[3];
	size_t n = 0;
	struct vl_err err;
	char where[1024];
	enum result r;

	if ((r = make(c, l1, &none, true)) != PASS || (r = make(c, l2, &none, true)) != PASS)
		return r;
	if ((want[0] = spawn(c, l1, work_sleep, NULL, NULL)) < 0 ||
	    (want[1] = spawn(c, l1, work_sleep, NULL, NULL)) < 0 ||
	    (want[2] = spawn(c, l2, work_sleep, NULL, NULL)) < 0)
		return FAIL;
	if (c->m->procs(x, &got, &n, &err) < 0)
		return say(c, FAIL, "%s", err.msg);
	qsort(want, 3, sizeof(*want), cmp_pid);
	qsort(got, n, sizeof(*got), cmp_pid);
	if (n != 3 || memcmp(got, want, sizeof(want)))
		return say(c, FAIL, "procs(%s) listed %zu pids, want the 3 workers'", x, n);
	/* prune leaves a cgroup in use alone, without killing anything. */
	if (vl_cgroup_prune(c->m, x, &err) < 0 || vl_cgroup_prune(c->m, l2, &err) < 0)
		return say(c, FAIL, "prune: %s", err.msg);
	free(got);
	got = NULL;
	if (c->m->procs(x, &got, &n, &err) < 0 || n != 3)
		return say(c, FAIL, "prune of a cgroup in use removed or killed something");
	if (c->m->destroy(x, &err) < 0)
		return say(c, FAIL, "%s", err.msg);
	for (size_t i = 0; i < 3; i++) {
		int status = reap(want[i], 2);

		if (status < 0 || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			return say(c, FAIL, "worker %d not killed by SIGKILL (status 0x%x)",
			           (int)want[i], status);
	}
	if (!gone_everywhere(x, where, sizeof(where)))
		return say(c, FAIL, "%s still exists after destroy", where);
	if (c->m->destroy(x, &err) < 0)
		return say(c, FAIL, "destroying a missing cgroup: %s", err.msg);
	return say(c, PASS, "procs listed the 3 workers; all SIGKILLed, %s gone everywhere", x);
}

/* The memory limit file of path as this manager writes it: v1's
 * memory.limit_in_bytes (and memsw beside it), v2's memory.max. */
static enum result read_limit(struct ctx *c, const char *path, uint64_t *lim, uint64_t *memsw)
{
	struct vl_cg_mounts ms;
	const struct vl_cg_mount *m;
	struct vl_err err;
	cleanup_free char *d = NULL;
	bool v1 = !strcmp(c->version, "v1");

	if (vl_cg_mounts_read(&ms, &err) < 0)
		return say(c, FAIL, "%s", err.msg);
	m = vl_cg_mount_find(&ms, v1 ? "memory" : NULL);
	if (m)
		d = vl_cg_join(m->path, path);
	vl_cg_mounts_free(&ms);
	if (!d)
		return say(c, FAIL, "no memory hierarchy");
	*memsw = UINT64_MAX;
	if (vl_cg_read_u64(d, v1 ? "memory.limit_in_bytes" : "memory.max", lim, &err) < 0 ||
	    (v1 && vl_cg_exists(d, "memory.memsw.limit_in_bytes") &&
	     vl_cg_read_u64(d, "memory.memsw.limit_in_bytes", memsw, &err) < 0))
		return say(c, FAIL, "%s", err.msg);
	return PASS;
}

/* update raises, lowers and lifts a memory limit (v1 must order its two
 * limits), and refuses a cgroup that does not exist. */
static enum result case_update(struct ctx *c)
{
	static const uint64_t steps[] = {128u << 20, 32u << 20, 0, 64u << 20};
	struct vl_cg_limits lim = {.memory = 64u << 20};
	cleanup_free char *a = sub(c, "a"), *missing = sub(c, "missing");
	struct vl_err err;
	enum result r;

	if ((r = make(c, a, &lim, c->m->can_memory)) != PASS)
		return r;
	for (size_t i = 0; i < VL_ARRAY_SIZE(steps); i++) {
		uint64_t got, memsw;
		bool ok;

		lim.memory = steps[i];
		if (c->m->update(a, &lim, &err) < 0)
			return say(c, FAIL, "update to memory=%llu: %s",
			           (unsigned long long)steps[i], err.msg);
		if (read_limit(c, a, &got, &memsw) != PASS)
			return FAIL;
		/* v1 reads "no limit" as a huge page-aligned number. */
		ok = steps[i] ? got == steps[i] : got >= (1ull << 62);
		if (!ok || (memsw != UINT64_MAX && memsw != got))
			return say(c, FAIL, "memory=%llu: the limit reads %llu (memsw %llu)",
			           (unsigned long long)steps[i], (unsigned long long)got,
			           (unsigned long long)memsw);
	}
	if (c->m->update(missing, &lim, &err) == 0)
		return say(c, FAIL, "update of a missing cgroup succeeded");
	return say(c, PASS, "memory 64 -> 128 -> 32 MiB -> none -> 64 MiB; a missing cgroup: %s",
	           err.msg);
}

/* VNETLAB_CGROUP forces a version, rejects anything else; without it the
 * rule of cgroup.h holds. */
static enum result check_detect(char *note, size_t len)
{
	char why[256];
	static const char *const names[] = {"v1", "v2"};
	const char *saved = getenv("VNETLAB_CGROUP");
	cleanup_free char *keep = saved ? vl_xstrdup(saved) : NULL;
	const struct vl_cgroup_manager *m, *v2;
	struct vl_err err;
	enum result r = PASS;

	setenv("VNETLAB_CGROUP", "v3", 1);
	if ((m = vl_cgroup_detect(&err)) || !strstr(err.msg, "VNETLAB_CGROUP=v3")) {
		snprintf(note, len, "VNETLAB_CGROUP=v3 not refused");
		r = FAIL;
	}
	for (size_t i = 0; r == PASS && i < 2; i++) {
		bool usable = vl_cgroup_get(names[i], &err) != NULL;

		setenv("VNETLAB_CGROUP", names[i], 1);
		m = vl_cgroup_detect(&err);
		if (usable != (m != NULL) || (m && strcmp(m->name, names[i]))) {
			snprintf(why, sizeof(why), "%.200s", m ? m->name : err.msg);
			snprintf(note, len, "VNETLAB_CGROUP=%s gave %s", names[i], why);
			r = FAIL;
		}
	}
	unsetenv("VNETLAB_CGROUP");
	if (r == PASS) {
		m = vl_cgroup_detect(&err);
		v2 = vl_cgroup_get("v2", &err);
		if (m && v2 && v2->can_cpu && v2->can_memory && strcmp(m->name, "v2")) {
			snprintf(note, len, "v2 has cpu and memory, but %s was chosen", m->name);
			r = FAIL;
		} else {
			snprintf(why, sizeof(why), "%.200s", m ? m->name : err.msg);
			snprintf(note, len, "forcing and refusing work; unforced: %s", why);
		}
	}
	if (keep)
		setenv("VNETLAB_CGROUP", keep, 1);
	return r;
}

/* --- runner ------------------------------------------------------------------ */

static const struct {
	const char *name;
	enum result (*fn)(struct ctx *c);
} cases[] = {
    {"cpus", case_cpus},     {"weights", case_weights},
    {"memory", case_memory}, {"accounting", case_accounting},
    {"pids", case_pids},     {"destroy", case_destroy},
    {"update", case_update},
};

struct tally {
	int passed, failed, skipped;
};

static void count(struct tally *t, enum result r, const char *name, const char *version,
                  const char *note)
{
	static const char *const tag[] = {"ok", "FAIL", "skip"};

	printf("%s %s (%s): %s\n", tag[r], name, version, note);
	fflush(stdout);
	if (r == PASS)
		t->passed++;
	else if (r == FAIL)
		t->failed++;
	else
		t->skipped++;
}

/* Kill and reap every child (workers, and through the subreaper flag their
 * orphaned children too). */
static void reap_all(struct ctx *c)
{
	for (size_t i = 0; i < c->nkids; i++)
		kill(c->kids[i], SIGKILL);
	for (size_t i = 0; i < c->nkids; i++)
		reap(c->kids[i], 5);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	c->nkids = 0;
}

static void run_case(struct tally *t, const struct vl_cgroup_manager *m, const char *version,
                     const char *base, size_t i)
{
	struct ctx c = {.m = m, .version = version};
	struct vl_err err;
	enum result r;

	snprintf(c.dir, sizeof(c.dir), "%s/%s", base, cases[i].name);
	r = cases[i].fn(&c);
	/* Clean up even after a failure: destroy kills what is left. */
	if (m->destroy(c.dir, &err) < 0 && r != FAIL)
		r = say(&c, FAIL, "cleanup: %s", err.msg);
	reap_all(&c);
	count(t, r, cases[i].name, version, c.note);
}

/* Every "vnetlab/test-<pid>" directory in every hierarchy, for pids that
 * are not alive (leftovers of a crashed run) or are ours. */
static size_t leftovers(pid_t self, char *first, size_t len)
{
	struct vl_cg_mounts ms;
	struct vl_err err;
	size_t n = 0;

	if (vl_cg_mounts_read(&ms, &err) < 0)
		return 0;
	for (size_t i = 0; i < ms.n; i++) {
		cleanup_free char *top = vl_cg_join(ms.m[i].path, VL_CGROUP_ROOT);
		DIR *d = opendir(top);
		struct dirent *de;

		if (!d)
			continue;
		while ((de = readdir(d))) {
			unsigned long pid;

			if (strncmp(de->d_name, "test-", 5) ||
			    vl_parse_uint(de->d_name + 5, 1, 1ul << 30, &pid) < 0)
				continue;
			if ((pid_t)pid != self && kill((pid_t)pid, 0) == 0)
				continue; /* another run, in progress */
			if (!n++)
				snprintf(first, len, "%s/%s", top, de->d_name);
		}
		closedir(d);
	}
	vl_cg_mounts_free(&ms);
	return n;
}

/* Remove leftovers of crashed earlier runs, so they cannot fail this one. */
static void sweep_stale(void)
{
	char first[512];
	struct vl_err err;

	while (leftovers(0, first, sizeof(first))) {
		const char *dirs[] = {first};

		printf("note: removing %s, left by an earlier run\n", first);
		if (vl_cg_kill_trees(dirs, 1, 5, &err) < 0 ||
		    vl_cg_rmdir_tree(first, 5, &err) < 0) {
			printf("note: %s\n", err.msg);
			return;
		}
	}
}

int main(void)
{
	static const char *const versions[] = {"v1", "v2"};
	const struct vl_cgroup_manager *ms[2];
	char base[64], first[512];
	bool had_root[64] = {0};
	struct vl_cg_mounts mounts = {0};
	struct tally t = {0};
	struct vl_err err, derr;
	const struct vl_cgroup_manager *detected;

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(base, sizeof(base), "%s/test-%d", VL_CGROUP_ROOT, (int)getpid());
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	detected = vl_cgroup_detect(&derr);
	printf("detected: %s\n", detected ? detected->name : derr.msg);
	{
		char note[1024];
		enum result r = check_detect(note, sizeof(note));

		count(&t, r, "detect", "all", note);
	}
	if (vl_cg_mounts_read(&mounts, &err) == 0)
		for (size_t i = 0; i < mounts.n && i < VL_ARRAY_SIZE(had_root); i++) {
			cleanup_free char *d = vl_cg_join(mounts.m[i].path, VL_CGROUP_ROOT);

			had_root[i] = access(d, F_OK) == 0;
		}

	if (geteuid() == 0)
		sweep_stale();
	for (size_t v = 0; v < 2; v++) {
		ms[v] = NULL;
		if (geteuid() != 0) {
			snprintf(err.msg, sizeof(err.msg), "needs root");
		} else if ((ms[v] = vl_cgroup_get(versions[v], &err))) {
			printf("%s: cpu %s, cpuset %s, memory %s, pids %s\n", versions[v],
			       ms[v]->can_cpu ? "yes" : "no", ms[v]->can_cpuset ? "yes" : "no",
			       ms[v]->can_memory ? "yes" : "no", ms[v]->can_pids ? "yes" : "no");
		}
		for (size_t i = 0; i < VL_ARRAY_SIZE(cases); i++) {
			if (!ms[v])
				count(&t, SKIP, cases[i].name, versions[v], err.msg);
			else
				run_case(&t, ms[v], versions[v], base, i);
		}
	}

	for (size_t v = 0; v < 2; v++)
		if (ms[v] && ms[v]->destroy(base, &err) < 0)
			count(&t, FAIL, "cleanup", versions[v], err.msg);
	if (geteuid() == 0) {
		size_t n = leftovers(getpid(), first, sizeof(first));

		if (n)
			count(&t, FAIL, "leftovers", "all", first);
		else
			count(&t, PASS, "leftovers", "all",
			      "no vnetlab/test-* left in any hierarchy");
	}
	/* vnetlab/ itself goes if this run made it and nobody else uses it. */
	for (size_t i = 0; i < mounts.n && i < VL_ARRAY_SIZE(had_root); i++) {
		cleanup_free char *d = vl_cg_join(mounts.m[i].path, VL_CGROUP_ROOT);

		if (!had_root[i])
			rmdir(d);
	}
	vl_cg_mounts_free(&mounts);

	printf("%d passed, %d failed, %d skipped\n", t.passed, t.failed, t.skipped);
	return t.failed > 0;
}
