/* The journal (journal.h): typed writers, one parser, and the table from
 * a record's kind to its undo. Touches only what a record names and what
 * passes its kind's check: the lab's own directory, mounts, cgroup and
 * namespaces tagged with its id, and the host setting it raised. */
#include "engine/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/linkd_main.h"
#include "lab/lab.h"
#include "node/node.h"
#include "sys/cgroup.h"
#include "sys/ns.h"
#include "sys/proc.h"

#define MAX_ARGS 3

/* --- writing ----------------------------------------------------------- */

int vl_journal_open(struct vl_journal *j, const char *lab, struct vl_err *err)
{
	char p[PATH_MAX];
	const char *fail = getenv("VNETLAB_FAIL_AT");
	unsigned long v;

	memset(j, 0, sizeof(*j));
	vl_lab_path(lab, "journal", p, sizeof(p));
	j->fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (j->fd < 0)
		return vl_err_sys(err, errno, "open %s", p);
	if (fail && vl_parse_uint(fail, 1, 1ul << 30, &v) == 0)
		j->fail_at = (long)v;
	return 0;
}

void vl_journal_close(struct vl_journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

int vl_journal_step(struct vl_journal *j, const char *what, struct vl_err *err)
{
	j->step++;
	if (j->fail_at && j->step == j->fail_at)
		return vl_err_set(err, 0, "injected failure at step %ld (%s)", j->step, what);
	return 0;
}

static int add(struct vl_journal *j, struct vl_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int add(struct vl_journal *j, struct vl_err *err, const char *fmt, ...)
{
	char line[PATH_MAX + 32];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line) - 1)
		return vl_err_set(err, ENAMETOOLONG, "journal record too long");
	line[n++] = '\n';
	line[n] = '\0';
	if (vl_write_all(j->fd, line, (size_t)n) < 0)
		return vl_err_sys(err, errno, "write journal");
	return vl_journal_step(j, line, err);
}

int vl_journal_lab(struct vl_journal *j, const char *lab, const char *id, struct vl_err *err)
{
	return add(j, err, "lab %s %s", lab, id);
}

int vl_journal_mount(struct vl_journal *j, const char *path, struct vl_err *err)
{
	return add(j, err, "mount %s", path);
}

int vl_journal_cgroup(struct vl_journal *j, const char *manager, const char *path,
                      struct vl_err *err)
{
	return add(j, err, "cgroup %s %s", manager, path);
}

int vl_journal_sysctl(struct vl_journal *j, const char *key, unsigned long old, unsigned long set,
                      struct vl_err *err)
{
	return add(j, err, "sysctl %s %lu %lu", key, old, set);
}

int vl_journal_netns(struct vl_journal *j, const char *name, struct vl_err *err)
{
	return add(j, err, "netns %s", name);
}

int vl_journal_linkd(struct vl_journal *j, const char *lab, struct vl_err *err)
{
	return add(j, err, "linkd %s", lab);
}

int vl_journal_netns_many(struct vl_journal *j, char *const *names, size_t n, struct vl_err *err)
{
	struct vl_buf b = {0};
	int r = 0;

	for (size_t i = 0; i < n; i++)
		vl_buf_printf(&b, "netns %s\n", names[i]);
	if (n && vl_write_all(j->fd, b.s, b.len) < 0)
		r = vl_err_sys(err, errno, "write journal");
	vl_buf_free(&b);
	return r;
}

/* --- reading ----------------------------------------------------------- */

/* What undo knows of the lab while it goes through the records. */
struct undo {
	const char *lab;
	char id[VL_LAB_ID_LEN + 1]; /* from the lab record; "" if none */
	char dir[PATH_MAX], nsdir[PATH_MAX], filesdir[PATH_MAX];
};

struct rec {
	const struct kind *kind;
	char *argv[MAX_ARGS];
	int argc;
};

struct kind {
	const char *verb;
	int argc;
	/* May the record be acted on? (its arguments are the lab's own) */
	bool (*valid)(const struct undo *u, char *const *argv);
	int (*undo)(const struct undo *u, char *const *argv, struct vl_err *err);
};

static bool valid_lab(const struct undo *u, char *const *argv)
{
	return !strcmp(argv[0], u->lab) && strlen(argv[1]) == VL_LAB_ID_LEN;
}

static int undo_lab_dir(const struct undo *u, char *const *argv, struct vl_err *err)
{
	return vl_rmtree(u->dir, err);
}

static bool valid_mount(const struct undo *u, char *const *argv)
{
	return !strcmp(argv[0], u->nsdir) || !strcmp(argv[0], u->filesdir);
}

static int undo_mount(const struct undo *u, char *const *argv, struct vl_err *err)
{
	return vl_umount_lazy(argv[0], err);
}

static bool valid_cgroup(const struct undo *u, char *const *argv)
{
	char want[256];

	vl_plan_lab_cgroup(u->lab, want, sizeof(want));
	return !strcmp(argv[1], want);
}

/* Kill what is left in the lab's cgroups and remove them; the last lab out
 * removes vnetlab's root cgroup, if nothing else (a lab being made, a
 * test) is in it. */
static int undo_cgroup(const struct undo *u, char *const *argv, struct vl_err *err)
{
	const struct vl_cgroup_manager *cg = vl_cgroup_get(argv[0], err);

	if (!cg || cg->destroy(argv[1], err) < 0)
		return -1;
	return vl_lab_others(u->lab) ? 0 : vl_cgroup_prune(cg, VL_CGROUP_ROOT, err);
}

#define BACKLOG_KEY "net/core/netdev_max_backlog"

static bool valid_sysctl(const struct undo *u, char *const *argv)
{
	unsigned long v;

	return !strcmp(argv[0], BACKLOG_KEY) && vl_parse_uint(argv[1], 0, 1ul << 31, &v) == 0 &&
	       vl_parse_uint(argv[2], 0, 1ul << 31, &v) == 0;
}

/* Put the setting back, unless someone changed it since or another lab
 * is up. */
static int undo_sysctl(const struct undo *u, char *const *argv, struct vl_err *err)
{
	char path[PATH_MAX];
	cleanup_free char *s = NULL;
	unsigned long cur, set;

	snprintf(path, sizeof(path), "/proc/sys/%s", argv[0]);
	if (vl_lab_others(u->lab) || vl_read_file(path, &s, NULL, NULL) < 0)
		return 0;
	s[strcspn(s, "\n")] = '\0';
	if (vl_parse_uint(s, 0, 1ul << 31, &cur) == 0 &&
	    vl_parse_uint(argv[2], 0, 1ul << 31, &set) == 0 && cur == set)
		vl_sysctl_write(argv[0], argv[1], NULL);
	return 0;
}

/* Only names tagged with this lab's id are ever touched. */
static bool valid_netns(const struct undo *u, char *const *argv)
{
	const char *a = argv[0];

	return u->id[0] && !strncmp(a, "vl", 2) && !strncmp(a + 2, u->id, VL_LAB_ID_LEN) &&
	       (a[2 + VL_LAB_ID_LEN] == '-' || a[2 + VL_LAB_ID_LEN] == '.') && !strchr(a, '/') &&
	       strcmp(a + 2 + VL_LAB_ID_LEN + 1, "") && strcmp(a + 2 + VL_LAB_ID_LEN + 1, ".");
}

static int undo_netns(const struct undo *u, char *const *argv, struct vl_err *err)
{
	return vl_node_destroy_netns(argv[0], err);
}

static bool valid_linkd(const struct undo *u, char *const *argv)
{
	return !strcmp(argv[0], u->lab);
}

static int undo_linkd(const struct undo *u, char *const *argv, struct vl_err *err)
{
	struct vl_proc pr = {.pid = vl_lab_linkd_pid(u->lab)};

	if (pr.pid > 0)
		vl_proc_stop(&pr, 1, 3.0);
	return 0;
}

static const struct kind kinds[] = {
    {"lab", 2, valid_lab, undo_lab_dir},      {"mount", 1, valid_mount, undo_mount},
    {"cgroup", 2, valid_cgroup, undo_cgroup}, {"sysctl", 3, valid_sysctl, undo_sysctl},
    {"netns", 1, valid_netns, undo_netns},    {"linkd", 1, valid_linkd, undo_linkd},
};

/* Split a line into its kind and arguments (in place); false for a line
 * of no known kind or the wrong number of arguments (a torn last line). */
static bool parse(char *line, struct rec *r)
{
	char *save = NULL, *verb = strtok_r(line, " ", &save), *a;

	r->kind = NULL;
	r->argc = 0;
	if (!verb)
		return false;
	for (size_t k = 0; k < VL_ARRAY_SIZE(kinds) && !r->kind; k++)
		if (!strcmp(kinds[k].verb, verb))
			r->kind = &kinds[k];
	while (r->kind && (a = strtok_r(NULL, " ", &save))) {
		if (r->argc == MAX_ARGS)
			return false;
		r->argv[r->argc++] = a;
	}
	return r->kind && r->argc == r->kind->argc;
}

/* The journal's records, parsed; *data holds their text. */
static int read_recs(const char *lab, char **data, struct rec **recs, size_t *n, struct vl_err *err)
{
	char p[PATH_MAX], *line, *save = NULL;
	struct rec *v = NULL;
	size_t cnt = 0, cap = 0;

	vl_lab_path(lab, "journal", p, sizeof(p));
	if (vl_read_file(p, data, NULL, err) < 0)
		return -1;
	for (line = strtok_r(*data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		vl_grow(&v, &cap, cnt, sizeof(*v));
		if (parse(line, &v[cnt]))
			cnt++;
	}
	*recs = v;
	*n = cnt;
	return 0;
}

static void undo_init(struct undo *u, const char *lab, const struct rec *recs, size_t n)
{
	memset(u, 0, sizeof(*u));
	u->lab = lab;
	vl_lab_path(lab, NULL, u->dir, sizeof(u->dir));
	vl_lab_path(lab, "ns", u->nsdir, sizeof(u->nsdir));
	vl_lab_path(lab, VL_LAB_FILES, u->filesdir, sizeof(u->filesdir));
	for (size_t i = 0; i < n; i++)
		if (!strcmp(recs[i].kind->verb, "lab") && valid_lab(u, recs[i].argv))
			snprintf(u->id, sizeof(u->id), "%s", recs[i].argv[1]);
}

int vl_journal_undo(const char *lab, struct vl_err *err)
{
	cleanup_free char *data = NULL;
	cleanup_free struct rec *recs = NULL;
	struct undo u;
	size_t n = 0;
	int r = 0;

	if (read_recs(lab, &data, &recs, &n, err) < 0) {
		/* No journal: only the directory itself can be ours. */
		undo_init(&u, lab, NULL, 0);
		vl_umount_lazy(u.nsdir, NULL);
		vl_umount_lazy(u.filesdir, NULL);
		vl_err_clear(err);
		return vl_rmtree(u.dir, err);
	}
	undo_init(&u, lab, recs, n);
	for (size_t i = n; i-- > 0;) {
		struct vl_err e2 = {0};

		if (!recs[i].kind->valid(&u, recs[i].argv))
			continue;
		if (recs[i].kind->undo(&u, recs[i].argv, &e2) < 0 && r == 0) {
			*err = e2;
			r = -1;
		}
	}
	return r;
}

int vl_journal_netns_inodes(const char *lab, ino_t **out, size_t *n_out, struct vl_err *err)
{
	cleanup_free char *data = NULL;
	cleanup_free struct rec *recs = NULL;
	char path[PATH_MAX];
	struct undo u;
	size_t n, cnt = 0;
	ino_t *v;

	if (read_recs(lab, &data, &recs, &n, err) < 0)
		return -1;
	undo_init(&u, lab, recs, n);
	v = vl_xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		ino_t ino;

		if (strcmp(recs[i].kind->verb, "netns") || !valid_netns(&u, recs[i].argv))
			continue;
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, recs[i].argv[0]);
		if ((ino = vl_ns_inode(path)))
			v[cnt++] = ino;
	}
	qsort(v, cnt, sizeof(*v), vl_cmp_ino);
	*out = v;
	*n_out = cnt;
	return 0;
}
