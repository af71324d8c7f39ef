/* cgroups: choosing the manager for this machine, and the helpers v1 and v2
 * share (cgroup_impl.h). */
#include "sys/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h> /* isfinite: a macro, no libm */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "sys/cgroup_impl.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* --- words, paths and files ------------------------------------------------ */

bool vl_cg_has_word(const char *list, const char *word)
{
	static const char sep[] = " \t\n,";
	size_t wl = strlen(word);

	for (const char *p = list; *p;) {
		size_t l;

		p += strspn(p, sep);
		l = strcspn(p, sep);
		if (l == wl && l && !memcmp(p, word, l))
			return true;
		p += l;
	}
	return false;
}

char *vl_cg_join(const char *dir, const char *file)
{
	return vl_xasprintf("%s/%s", dir, file);
}

bool vl_cg_exists(const char *dir, const char *file)
{
	cleanup_free char *p = vl_cg_join(dir, file);

	return access(p, F_OK) == 0;
}

int vl_cg_read(const char *dir, const char *file, char **out, struct vl_err *err)
{
	cleanup_free char *p = vl_cg_join(dir, file);

	return vl_read_file(p, out, NULL, err);
}

int vl_cg_read_u64(const char *dir, const char *file, uint64_t *out, struct vl_err *err)
{
	cleanup_free char *text = NULL;
	char *end;
	unsigned long long v;

	if (vl_cg_read(dir, file, &text, err) < 0)
		return -1;
	if (!strncmp(text, "max", 3)) {
		*out = UINT64_MAX;
		return 0;
	}
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || (*end && *end != '\n'))
		return vl_err_set(err, EINVAL, "%s/%s: expected a number, read \"%.32s\"", dir,
		                  file, text);
	*out = v;
	return 0;
}

int vl_cg_key_u64(const char *text, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, kl) && p[kl] == ' ') {
			char *end;
			unsigned long long v;

			errno = 0;
			v = strtoull(p + kl + 1, &end, 10);
			if (errno || end == p + kl + 1)
				return -1;
			*out = v;
			return 0;
		}
	}
	return -1;
}

int vl_cg_write(const char *dir, const char *file, const char *val, struct vl_err *err)
{
	cleanup_free char *p = vl_cg_join(dir, file);
	cleanup_close int fd = open(p, O_WRONLY | O_CLOEXEC);
	const char *hint = "";
	ssize_t w;
	int e;

	if (fd < 0) {
		e = errno;
		if (e == ENOENT)
			hint = " (no such cgroup or the controller is not enabled there)";
		goto fail;
	}
	/* cgroupfs takes a value in one write; a short write is a failure. */
	do
		w = write(fd, val, strlen(val));
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)strlen(val))
		return 0;
	e = w < 0 ? errno : EIO;
fail:
	if (e == EACCES || e == EPERM)
		hint = " (needs root, or a cgroup delegated to this user)";
	else if (e == EROFS)
		hint = " (the hierarchy is mounted read-only: remount it rw)";
	return vl_err_set(err, e, "write \"%s\" to %s: %s%s", val, p, strerror(e), hint);
}

int vl_cg_writef(const char *dir, const char *file, struct vl_err *err, const char *fmt, ...)
{
	char val[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return vl_cg_write(dir, file, val, err);
}

int vl_cg_path_check(const char *path, struct vl_err *err)
{
	const char *p = path;

	if (!path || !*path)
		return vl_err_set(err, EINVAL, "empty cgroup path");
	if (strlen(path) > 1024)
		return vl_err_set(err, ENAMETOOLONG, "cgroup path %.64s...: too long", path);
	while (*p) {
		size_t l = strcspn(p, "/");

		if (l == 0 || (l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
			return vl_err_set(
			    err, EINVAL,
			    "cgroup path \"%s\": expected components like "
			    "\"vnetlab/lab/node\" (no leading '/', '.', '..' or '//')",
			    path);
		for (size_t i = 0; i < l; i++)
			if ((unsigned char)p[i] < ' ')
				return vl_err_set(err, EINVAL,
				                  "cgroup path \"%s\": control character in it",
				                  path);
		p += l;
		if (*p == '/' && !*++p)
			return vl_err_set(err, EINVAL, "cgroup path \"%s\": trailing '/'", path);
	}
	return 0;
}

void vl_cg_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* --- mounts ------------------------------------------------------------------ */

/* mountinfo escapes ' ', '\t', '\n' and '\\' in paths as \ooo. */
static char *unescape(const char *s)
{
	char *out = vl_xstrdup(s), *o = out;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

int vl_cg_mounts_read(struct vl_cg_mounts *ms, struct vl_err *err)
{
	cleanup_free char *text = NULL;
	size_t cap = 0;
	char *line, *save = NULL;

	ms->m = NULL;
	ms->n = 0;
	if (vl_read_file("/proc/self/mountinfo", &text, NULL, err) < 0)
		return vl_err_wrap(err, "find cgroup mounts (is /proc mounted?)");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS */
		char *f[6], *sep, *type, *src, *super, *s2 = NULL;
		int i;

		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		type = strtok_r(sep + 3, " ", &s2);
		src = strtok_r(NULL, " ", &s2);
		super = strtok_r(NULL, " ", &s2);
		if (!type || !src || !super)
			continue;
		if (strcmp(type, "cgroup") && strcmp(type, "cgroup2"))
			continue;
		for (i = 0, s2 = NULL; i < 6; i++) {
			f[i] = strtok_r(i ? NULL : line, " ", &s2);
			if (!f[i])
				break;
		}
		if (i < 6)
			continue;
		vl_grow(&ms->m, &cap, ms->n, sizeof(*ms->m));
		ms->m[ms->n] = (struct vl_cg_mount){
		    .path = unescape(f[4]),
		    .opts = vl_xstrdup(super),
		    .v2 = !strcmp(type, "cgroup2"),
		    .root = !strcmp(f[3], "/"),
		    .rdonly = vl_cg_has_word(f[5], "ro") || vl_cg_has_word(super, "ro"),
		};
		ms->n++;
	}
	return 0;
}

void vl_cg_mounts_free(struct vl_cg_mounts *ms)
{
	for (size_t i = 0; i < ms->n; i++) {
		free(ms->m[i].path);
		free(ms->m[i].opts);
	}
	free(ms->m);
	ms->m = NULL;
	ms->n = 0;
}

const struct vl_cg_mount *vl_cg_mount_find(const struct vl_cg_mounts *ms, const char *ctrl)
{
	const struct vl_cg_mount *best = NULL;
	int best_score = -1;

	for (size_t i = 0; i < ms->n; i++) {
		const struct vl_cg_mount *m = &ms->m[i];
		int score;

		if (ctrl ? (m->v2 || !vl_cg_has_word(m->opts, ctrl)) : !m->v2)
			continue;
		score = (m->root ? 2 : 0) + (m->rdonly ? 0 : 1);
		if (score > best_score) {
			best = m;
			best_score = score;
		}
	}
	return best;
}

/* --- trees ------------------------------------------------------------------- */

static int mkdir_p(const char *mount, const char *path, vl_cg_level_fn hook, struct vl_err *err)
{
	cleanup_free char *full = vl_cg_join(mount, path);
	cleanup_free char *parent = vl_xstrdup(mount);
	char *p = full + strlen(mount) + 1;

	for (;;) {
		char *slash = strchr(p, '/');

		if (slash)
			*slash = '\0';
		if (mkdir(full, 0755) < 0 && errno != EEXIST) {
			int e = errno;

			if (e == ENOENT && strcmp(parent, mount))
				return -ENOENT;

			return vl_err_sys(err, e, "create cgroup %s%s", full,
			                  e == EACCES || e == EPERM ? " (needs root)"
			                  : e == EROFS ? " (hierarchy mounted read-only)"
			                               : "");
		}
		if (hook && hook(parent, full, err) < 0)
			return -1;
		if (!slash)
			return 0;
		free(parent);
		parent = vl_xstrdup(full);
		*slash = '/';
		p = slash + 1;
	}
}

/* A parent removed meanwhile (the last lab of another vnetlab going
 * prunes vnetlab's root when it is empty): made again from the top. */
int vl_cg_mkdir_p(const char *mount, const char *path, vl_cg_level_fn hook, struct vl_err *err)
{
	int r = -ENOENT;

	for (int k = 0; k < 10 && r == -ENOENT; k++)
		r = mkdir_p(mount, path, hook, err);
	if (r == -ENOENT)
		return vl_err_sys(err, ENOENT, "create cgroup %s/%s: its parent kept going away",
		                  mount, path);
	return r;
}

static bool is_dir(const char *dir, const struct dirent *de)
{
	struct stat st;
	cleanup_free char *p = NULL;

	if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
		return false;
	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	p = vl_cg_join(dir, de->d_name);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Call fn on every child cgroup directory of dir. A dir that is gone is
 * fine when missing_ok. */
static int for_each_child(const char *dir, bool missing_ok,
                          int (*fn)(const char *sub, void *data, struct vl_err *err), void *data,
                          struct vl_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		if (errno == ENOENT && missing_ok)
			return 0;
		return vl_err_sys(err, errno, "list cgroup %s", dir);
	}
	while (rc == 0 && (de = readdir(d))) {
		cleanup_free char *sub = NULL;

		if (!is_dir(dir, de))
			continue;
		sub = vl_cg_join(dir, de->d_name);
		rc = fn(sub, data, err);
	}
	closedir(d);
	return rc;
}

struct procs_walk {
	pid_t **pids;
	size_t *n, *cap;
};

static int procs_tree(const char *dir, bool top, pid_t **pids, size_t *n, size_t *cap,
                      struct vl_err *err);

static int procs_child(const char *sub, void *data, struct vl_err *err)
{
	struct procs_walk *w = data;

	return procs_tree(sub, false, w->pids, w->n, w->cap, err);
}

static int rmdir_tree(const char *dir, double deadline, struct vl_err *err);

static int rmdir_child(const char *sub, void *data, struct vl_err *err)
{
	return rmdir_tree(sub, *(double *)data, err);
}

static int procs_tree(const char *dir, bool top, pid_t **pids, size_t *n, size_t *cap,
                      struct vl_err *err)
{
	cleanup_free char *text = NULL;

	if (vl_cg_read(dir, "cgroup.procs", &text, err) < 0) {
		if (!top && err->code == ENOENT)
			return 0; /* removed meanwhile */
		return -1;
	}
	for (char *p = text; *p;) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		/* 0: a process outside our pid namespace; nothing we can do with it. */
		if (v > 0) {
			vl_grow(pids, cap, *n, sizeof(**pids));
			(*pids)[(*n)++] = (pid_t)v;
		}
		p = end + strspn(end, "\n");
	}
	return for_each_child(dir, !top, procs_child, &(struct procs_walk){pids, n, cap}, err);
}

int vl_cg_procs_tree(const char *dir, pid_t **pids, size_t *n, size_t *cap, struct vl_err *err)
{
	return procs_tree(dir, true, pids, n, cap, err);
}

int vl_cg_kill_trees(const char *const *dirs, size_t ndirs, double secs, struct vl_err *err)
{
	double deadline = vl_now() + secs;
	pid_t self = getpid();

	for (;;) {
		cleanup_free pid_t *pids = NULL;
		size_t n = 0, cap = 0;

		for (size_t i = 0; i < ndirs; i++) {
			if (access(dirs[i], F_OK) < 0 && errno == ENOENT)
				continue;
			if (procs_tree(dirs[i], false, &pids, &n, &cap, err) < 0)
				return -1;
		}
		if (n == 0)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (pids[i] == self)
				return vl_err_set(
				    err, EBUSY,
				    "refusing to kill the calling process (pid %d), "
				    "which is in a cgroup being destroyed: move it out "
				    "first",
				    (int)self);
		if (vl_now() > deadline)
			return vl_err_set(err, EBUSY,
			                  "%zu process(es) still in cgroup %s after SIGKILL for "
			                  "%.0f s (first: pid %d; stuck in the kernel, state D?)",
			                  n, dirs[0], secs, (int)pids[0]);
		/* A pid read from cgroup.procs could in theory exit and be reused
		 * before the kill; the window is microseconds and the loop is
		 * bounded, so this is accepted, as crun does. */
		for (size_t i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		vl_cg_sleep_ms(10);
	}
}

static int rmdir_tree(const char *dir, double deadline, struct vl_err *err)
{
	if (for_each_child(dir, true, rmdir_child, &deadline, err) < 0)
		return -1;
	while (rmdir(dir) < 0) {
		int e = errno;

		if (e == ENOENT)
			return 0;
		if (e == EINTR || (e == EBUSY && vl_now() < deadline)) {
			vl_cg_sleep_ms(10);
			continue;
		}
		return vl_err_sys(err, e, "remove cgroup %s%s", dir,
		                  e == EBUSY ? " (processes still in it, or a child cgroup)" : "");
	}
	return 0;
}

int vl_cg_rmdir_tree(const char *dir, double secs, struct vl_err *err)
{
	return rmdir_tree(dir, vl_now() + secs, err);
}

int vl_cg_rmdir_empty(const char *dir, struct vl_err *err)
{
	if (rmdir(dir) == 0 || errno == ENOENT || errno == EBUSY || errno == ENOTEMPTY)
		return 0;
	return vl_err_sys(err, errno, "remove cgroup %s", dir);
}

int vl_cgroup_prune(const struct vl_cgroup_manager *m, const char *path, struct vl_err *err)
{
	return !strcmp(m->name, "v1") ? vl_cgroup_v1_prune(path, err)
	                              : vl_cgroup_v2_prune(path, err);
}

/* --- limits ------------------------------------------------------------------ */

int vl_cg_limits_check(const char *path, const struct vl_cg_limits *lim,
                       const struct vl_cgroup_manager *m, const char **ctrl, char *what,
                       size_t what_len, struct vl_err *err)
{
	size_t cl = strnlen(lim->cpuset, sizeof(lim->cpuset));

	*ctrl = NULL;
	if (lim->cpus != 0 && !(isfinite(lim->cpus) && lim->cpus >= 0.01 && lim->cpus <= 1e6))
		return vl_err_set(err, EINVAL, "cgroup %s: cpus=%g: expected 0.01 to 1000000 CPUs",
		                  path, lim->cpus);
	if (lim->cpu_weight > 10000)
		return vl_err_set(err, EINVAL, "cgroup %s: cpu_weight=%u: expected 1 to 10000",
		                  path, lim->cpu_weight);
	if (cl == sizeof(lim->cpuset) || strspn(lim->cpuset, "0123456789,-") != cl)
		return vl_err_set(err, EINVAL,
		                  "cgroup %s: cpuset \"%.*s\": expected a CPU list like \"0-1,3\"",
		                  path, (int)cl, lim->cpuset);
	if (lim->memory && lim->memory < 4096)
		return vl_err_set(err, EINVAL,
		                  "cgroup %s: memory=%llu bytes: too small (at least 4096)", path,
		                  (unsigned long long)lim->memory);

	if ((lim->cpus || lim->cpu_weight) && !m->can_cpu) {
		*ctrl = "cpu";
		if (lim->cpus)
			snprintf(what, what_len, "cpus=%g", lim->cpus);
		else
			snprintf(what, what_len, "cpu_weight=%u", lim->cpu_weight);
	} else if (cl && !m->can_cpuset) {
		*ctrl = "cpuset";
		snprintf(what, what_len, "cpuset=%s", lim->cpuset);
	} else if (lim->memory && !m->can_memory) {
		*ctrl = "memory";
		snprintf(what, what_len, "memory=%llu", (unsigned long long)lim->memory);
	} else if (lim->pids && !m->can_pids) {
		*ctrl = "pids";
		snprintf(what, what_len, "pids=%llu", (unsigned long long)lim->pids);
	}
	return 0;
}

long long vl_cg_quota_us(double cpus)
{
	long long q = (long long)(cpus * VL_CG_PERIOD_US + 0.5);

	return q < 1000 ? 1000 : q;
}

/* --- choosing ---------------------------------------------------------------- */

/* Pure v2: /sys/fs/cgroup itself is cgroup2, or no v1 hierarchy carries
 * a controller vnetlab uses (a name=systemd-only v1 mount does not count). */
static bool pure_v2(void)
{
	static const char *const ctrls[] = {"cpu", "cpuacct", "cpuset", "memory", "pids"};
	struct vl_cg_mounts ms;
	struct vl_err e;
	struct statfs sf;
	bool any_v1 = false;

	if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return true;
	if (vl_cg_mounts_read(&ms, &e) < 0)
		return false;
	for (size_t i = 0; i < VL_ARRAY_SIZE(ctrls); i++)
		any_v1 |= vl_cg_mount_find(&ms, ctrls[i]) != NULL;
	vl_cg_mounts_free(&ms);
	return !any_v1;
}

const struct vl_cgroup_manager *vl_cgroup_get(const char *name, struct vl_err *err)
{
	const struct vl_cgroup_manager *m;

	if (!strcmp(name, "v1"))
		m = vl_cgroup_v1_probe(err);
	else if (!strcmp(name, "v2"))
		m = vl_cgroup_v2_probe(err);
	else {
		vl_err_set(err, EINVAL, "cgroup manager \"%s\": expected v1 or v2", name);
		return NULL;
	}
	if (!m)
		vl_err_wrap(err, "cgroup %s not usable here", name);
	return m;
}

const struct vl_cgroup_manager *vl_cgroup_detect(struct vl_err *err)
{
	const char *force = getenv("VNETLAB_CGROUP");
	const struct vl_cgroup_manager *v1, *v2;
	struct vl_err e1, e2;

	if (force && *force) {
		if (strcmp(force, "v1") && strcmp(force, "v2")) {
			vl_err_set(err, EINVAL,
			           "VNETLAB_CGROUP=%s: expected v1 or v2 (or unset it)", force);
			return NULL;
		}
		v1 = vl_cgroup_get(force, err);
		if (!v1)
			vl_err_wrap(err, "VNETLAB_CGROUP=%s", force);
		return v1;
	}
	vl_err_clear(&e1);
	vl_err_clear(&e2);
	v2 = vl_cgroup_v2_probe(&e2);
	if (v2 && (pure_v2() || (v2->can_cpu && v2->can_memory)))
		return v2;
	if (v2)
		vl_cgroup_v2_missing(v2->can_cpu ? "memory" : "cpu", &e2);
	v1 = vl_cgroup_v1_probe(&e1);
	if (v1)
		return v1;
	vl_err_set(err, ENOENT, "no usable cgroup hierarchy: v2: %.400s; v1: %.400s", e2.msg,
	           e1.msg);
	return NULL;
}
