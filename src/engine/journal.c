/* The journal (journal.h): typed writers, one parser, and the table from
 * a record's kind to its undo. Touches only what a record names and what
 * passes its kind's check: the lab's own directory, mounts, cgroup and
 * namespaces tagged with its id, and the host setting it raised. */
#include "engine/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/hostlinks.h"
#include "engine/linkd_main.h"
#include "lab/host.h"
#include "lab/etc_hosts.h"
#include "lab/lab.h"
#include "node/node.h"
#include "sys/cgroup.h"
#include "sys/nft.h"
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

int vl_journal_hostlink(struct vl_journal *j, const char *name, struct vl_err *err)
{
	return add(j, err, "hostlink %s", name);
}

int vl_journal_etc_hosts(struct vl_journal *j, const char *lab, struct vl_err *err)
{
	return add(j, err, "hosts %s", lab);
}

int vl_journal_hostif(struct vl_journal *j, const char *name, struct vl_err *err)
{
	return add(j, err, "hostif %s", name);
}

int vl_journal_nft(struct vl_journal *j, const char *table, struct vl_err *err)
{
	return add(j, err, "nft %s", table);
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

/* A record added to a lab's journal after `up` (a hold let go). */
static int journal_release(const char *lab, const char *key, struct vl_err *err)
{
	struct vl_journal j;
	int r;

	if (vl_journal_open(&j, lab, err) < 0)
		return -1;
	j.fail_at = 0; /* not a step of up */
	r = add(&j, err, "release %s", key);
	vl_journal_close(&j);
	return r;
}

/* --- reading ----------------------------------------------------------- */

/* What undo knows of the lab while it goes through the records. */
struct undo {
	const char *lab;
	char id[VL_LAB_ID_LEN + 1]; /* from the lab record; "" if none */
	char dir[PATH_MAX], nsdir[PATH_MAX], filesdir[PATH_MAX], tmpdir[PATH_MAX];
};

struct rec {
	const struct kind *kind;
	char *argv[MAX_ARGS];
	int argc;
	size_t line;
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
	return !strcmp(argv[0], u->nsdir) || !strcmp(argv[0], u->filesdir) ||
	       !strcmp(argv[0], u->tmpdir);
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

/* Kill what is left in the lab's cgroups and remove them; then vnetlab's
 * root cgroup goes if nothing else (another lab, one being made, a test)
 * is in it: the last lab out removes it, however many go at once (a
 * vnetlab making a cgroup below it makes it again if it went). */
static int undo_cgroup(const struct undo *u, char *const *argv, struct vl_err *err)
{
	const struct vl_cgroup_manager *cg = vl_cgroup_get(argv[0], err);

	if (!cg || cg->destroy(argv[1], err) < 0)
		return -1;
	return vl_cgroup_prune(cg, VL_CGROUP_ROOT, err);
}

static bool valid_sysctl(const struct undo *u, char *const *argv)
{
	unsigned long v;

	return vl_host_known(argv[0]) && vl_parse_uint(argv[1], 0, 1ul << 31, &v) == 0 &&
	       vl_parse_uint(argv[2], 0, 1ul << 31, &v) == 0;
}

static int read_recs(const char *lab, bool say, char **data, struct rec **recs, size_t *n,
                     struct vl_err *err);

/* Does the lab's journal hold key: a sysctl record for it that no release
 * record follows? (read under the host lock) */
static bool lab_holds(const char *lab, const char *key)
{
	cleanup_free char *data = NULL;
	cleanup_free struct rec *recs = NULL;
	size_t n = 0;
	bool held = false;

	if (read_recs(lab, false, &data, &recs, &n, NULL) < 0)
		return false;
	for (size_t k = 0; k < n; k++) {
		bool hold =
		    !strcmp(recs[k].kind->verb, "sysctl") && valid_sysctl(NULL, recs[k].argv);

		if ((hold || !strcmp(recs[k].kind->verb, "release")) &&
		    !strcmp(recs[k].argv[0], key))
			held = hold;
	}
	return held;
}

/* The lab's hold on a host setting goes: a release record says so in its
 * journal, under the host lock, before anyone else looks; the last lab
 * that held it puts the host's value back (host.h). However many labs go
 * at once, each sees the others' holds as they are, so exactly one of
 * them is last. */
static int undo_sysctl(const struct undo *u, char *const *argv, struct vl_err *err)
{
	unsigned long fb[2];
	int lock = vl_host_lock(err), r = 0;

	if (lock < 0)
		return -1;
	if (lab_holds(u->lab, argv[0])) {
		r = journal_release(u->lab, argv[0], err);
		if (r == 0 && !vl_journal_holds(u->lab, argv[0])) {
			vl_parse_uint(argv[1], 0, 1ul << 31, &fb[0]);
			vl_parse_uint(argv[2], 0, 1ul << 31, &fb[1]);
			r = vl_host_restore(argv[0], fb, err);
		}
	}
	close(lock);
	return r;
}

static bool valid_release(const struct undo *u, char *const *argv)
{
	return vl_host_known(argv[0]);
}

/* Let go when the lab's hold was undone: nothing more to do. */
static int undo_release(const struct undo *u, char *const *argv, struct vl_err *err)
{
	return 0;
}

/* Only names tagged with this lab's id are ever touched. */
static bool valid_netns(const struct undo *u, char *const *argv)
{
	return vl_lab_tagged(u->id, argv[0]);
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

/* The lab's management bridge in the host's namespace, and the host ends
 * of its ports (vl<id>m<N>): deleted now rather than when the kernel gets
 * round to the nodes' namespaces, gone already. */
static bool of_lab(const char *name, void *data)
{
	const struct undo *u = data;
	char id[VL_LAB_ID_LEN + 1];

	return vl_mgmt_link_name(name, id) && !strcmp(id, u->id);
}

static int undo_hostlink(const struct undo *u, char *const *argv, struct vl_err *err)
{
	return vl_host_links_delete(of_lab, (void *)u, err);
}

static int undo_etc_hosts(const struct undo *u, char *const *argv, struct vl_err *err)
{
	int lock = vl_host_lock(err), r;

	if (lock < 0)
		return -1;
	r = vl_etc_hosts_remove(u->lab, err);
	close(lock);
	return r;
}

static int undo_nft(const struct undo *u, char *const *argv, struct vl_err *err)
{
	return vl_nft_delete_table("ip", argv[0], err);
}

/* Exactly vl<id>mgmt, vl<id>nat: the lab's own names in the host's. */
static bool valid_host_name(const struct undo *u, const char *name, const char *suffix)
{
	return u->id[0] && !strncmp(name, "vl", 2) && !strncmp(name + 2, u->id, VL_LAB_ID_LEN) &&
	       !strcmp(name + 2 + VL_LAB_ID_LEN, suffix);
}

static bool valid_hostlink(const struct undo *u, char *const *argv)
{
	return valid_host_name(u, argv[0], "mgmt");
}

static bool valid_nft(const struct undo *u, char *const *argv)
{
	return valid_host_name(u, argv[0], "nat");
}

/* The host end of a host or mgmt-net link: a name the user chose, so it
 * is never acted on; it goes with its node's namespace, and down waits
 * (up to 3 s) for the kernel to have removed it. */
static bool valid_hostif(const struct undo *u, char *const *argv)
{
	return !vl_ifname_invalid(argv[0]) && strncmp(argv[0], "vl", 2);
}

static int undo_hostif(const struct undo *u, char *const *argv, struct vl_err *err)
{
	for (int k = 0; k < 300 && if_nametoindex(argv[0]); k++)
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	return 0;
}

static const struct kind kinds[] = {
    {"hostif", 1, valid_hostif, undo_hostif},    {"hostlink", 1, valid_hostlink, undo_hostlink},
    {"hosts", 1, valid_linkd, undo_etc_hosts},   {"nft", 1, valid_nft, undo_nft},
    {"lab", 2, valid_lab, undo_lab_dir},         {"mount", 1, valid_mount, undo_mount},
    {"cgroup", 2, valid_cgroup, undo_cgroup},    {"sysctl", 3, valid_sysctl, undo_sysctl},
    {"netns", 1, valid_netns, undo_netns},       {"linkd", 1, valid_linkd, undo_linkd},
    {"release", 1, valid_release, undo_release},
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

/* The journal's records, parsed; *data holds their text. Lines that do
 * not parse are said (if `say`) and left out. */
static int read_recs(const char *lab, bool say, char **data, struct rec **recs, size_t *n,
                     struct vl_err *err)
{
	char p[PATH_MAX];
	struct rec *v = NULL;
	size_t cnt = 0, cap = 0, len, line = 0;

	vl_lab_path(lab, "journal", p, sizeof(p));
	if (vl_read_file(p, data, &len, err) < 0)
		return -1;
	for (char *s = *data, *end; s < *data + len; s = end + 1) {
		end = s + strcspn(s, "\n");
		*end = '\0';
		line++;
		if (!*s)
			continue;
		vl_grow(&v, &cap, cnt, sizeof(*v));
		v[cnt].line = line;
		if (parse(s, &v[cnt]))
			cnt++;
		else if (say)
			fprintf(stderr, "vnetlab: %s:%zu: not a journal record: passed over\n", p,
			        line);
	}
	*recs = v;
	*n = cnt;
	return 0;
}

/* The lab's id: its lab record's, if the id file agrees and no other lab
 * claims it; "" otherwise (then nothing tagged is acted on). Fails (with
 * err) if the records name an id that is not the lab's own. */
static int undo_init(struct undo *u, const char *lab, const struct rec *recs, size_t n,
                     struct vl_err *err)
{
	char own[VL_LAB_ID_LEN + 1];
	struct vl_err e = {0};

	memset(u, 0, sizeof(*u));
	u->lab = lab;
	vl_lab_path(lab, NULL, u->dir, sizeof(u->dir));
	vl_lab_path(lab, "ns", u->nsdir, sizeof(u->nsdir));
	vl_lab_path(lab, VL_LAB_FILES, u->filesdir, sizeof(u->filesdir));
	vl_lab_path(lab, VL_LAB_TMP, u->tmpdir, sizeof(u->tmpdir));
	for (size_t i = 0; i < n && !u->id[0]; i++)
		if (!strcmp(recs[i].kind->verb, "lab") && valid_lab(u, recs[i].argv))
			snprintf(u->id, sizeof(u->id), "%s", recs[i].argv[1]);
	if (!u->id[0])
		return 0;
	if (vl_lab_own_id(lab, own, &e) < 0) {
		u->id[0] = '\0';
		/* no id file: up died before writing it, and made nothing tagged */
		if (e.code == ENOENT)
			return 0;
		*err = e;
		return vl_err_wrap(err, "nothing of the lab is undone");
	}
	if (strcmp(own, u->id)) {
		vl_err_set(err, EINVAL,
		           "its journal says id %s, its id file %s: nothing of the lab is undone",
		           u->id, own);
		u->id[0] = '\0';
		return -1;
	}
	return 0;
}

static void say_skipped(const char *lab, const struct rec *r)
{
	fprintf(stderr, "vnetlab: lab %s: journal line %zu (%s", lab, r->line, r->kind->verb);
	for (int a = 0; a < r->argc; a++)
		fprintf(stderr, " %s", r->argv[a]);
	fprintf(stderr, ") names what is not the lab's: not acted on\n");
}

/* Every network namespace the records name, held open while their
 * names go, so that they die together when the holds are let go: the
 * kernel's cleanup of a namespace scans every namespace still alive
 * (unhash_nsid), and each name's unmount waits for an expedited RCU grace
 * period that a running cleanup delays; namespaces dying one by one as
 * their names went made down quadratic. Best effort: what cannot be held
 * (out of descriptors) goes as before. */
struct holds {
	int *fd;
	size_t n;
	long last; /* index of the first netns record: the holds go after it */
};

static void hold_netns(struct holds *h, const struct undo *u, const struct rec *recs, size_t n)
{
	struct rlimit rl;
	char path[PATH_MAX];

	h->fd = NULL;
	h->n = 0;
	h->last = -1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(recs[i].kind->verb, "netns") && valid_netns(u, recs[i].argv)) {
			if (h->last < 0)
				h->last = (long)i;
			h->n++;
		}
	if (!h->n)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	h->fd = vl_xcalloc(h->n, sizeof(*h->fd));
	h->n = 0;
	for (size_t i = 0; i < n; i++) {
		int fd;

		if (strcmp(recs[i].kind->verb, "netns") || !valid_netns(u, recs[i].argv))
			continue;
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, recs[i].argv[0]);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			if (errno == EMFILE || errno == ENFILE)
				break;
			continue;
		}
		/* only a namespace (never what else a stale name may be) */
		if (!vl_ns_id_of(path).ino) {
			close(fd);
			continue;
		}
		h->fd[h->n++] = fd;
	}
}

/* The nodes' mount and UTS namespaces go with the lab's ns directory;
 * freeing each mount namespace waits for an RCU grace period of its own
 * (some 0.2 ms), most of it asleep: in a child, beside the rest of the
 * undo, from its start (nothing else needs them once the lab's processes
 * are gone). Its own record then finds nothing left to unmount. */
static pid_t unmount_ns_ahead(const struct undo *u, const struct rec *recs, size_t n)
{
	bool mounted = false;
	pid_t pid;

	for (size_t i = 0; i < n && !mounted; i++)
		mounted = !strcmp(recs[i].kind->verb, "mount") && valid_mount(u, recs[i].argv) &&
		          !strcmp(recs[i].argv[0], u->nsdir);
	if (!mounted || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		/* not the lab's lock (a copy of its descriptor would hold it
		 * past a killed down) */
		close_range(3, ~0u, 0);
		vl_umount_lazy(u->nsdir, NULL);
		_exit(0);
	}
	return pid;
}

static void wait_ahead(pid_t *pid)
{
	if (*pid > 0)
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
	*pid = -1;
}

static void release_netns(struct holds *h)
{
	for (size_t i = 0; i < h->n; i++)
		close(h->fd[i]);
	free(h->fd);
	h->fd = NULL;
	h->n = 0;
}

/* An undo that failed somewhere: the journal keeps the lab's record and
 * the records whose undo failed, in their order, so that the lab stays
 * (incomplete) for `clean` to retry; err says what is left. */
static int keep_left(const char *lab, const struct rec *recs, const bool *left, size_t n,
                     struct vl_err *err)
{
	cleanup_buf struct vl_buf b = {0}, what = {0};
	char p[PATH_MAX];
	size_t cnt = 0;

	for (size_t i = 0; i < n; i++) {
		if (!left[i] && strcmp(recs[i].kind->verb, "lab"))
			continue;
		vl_buf_printf(&b, "%s", recs[i].kind->verb);
		if (strcmp(recs[i].kind->verb, "lab"))
			vl_buf_printf(&what, "%s%s", cnt++ ? ", " : "", recs[i].kind->verb);
		for (int a = 0; a < recs[i].argc; a++) {
			vl_buf_printf(&b, " %s", recs[i].argv[a]);
			if (strcmp(recs[i].kind->verb, "lab"))
				vl_buf_printf(&what, " %s", recs[i].argv[a]);
		}
		vl_buf_add(&b, "\n", 1);
	}
	vl_lab_path(lab, "journal", p, sizeof(p));
	if (vl_write_file_mode(p, b.s ? b.s : "", b.len, 0600, NULL) < 0)
		return vl_err_wrap(err,
		                   "lab %s is left as it was (its journal could not be "
		                   "rewritten)",
		                   lab);
	return vl_err_wrap(err,
	                   "left for `vnetlab clean` to retry once the cause is fixed: %s "
	                   "(%zu step%s)",
	                   what.s ? what.s : "", cnt, cnt == 1 ? "" : "s");
}

int vl_journal_undo(const char *lab, struct vl_err *err)
{
	cleanup_free char *data = NULL;
	cleanup_free struct rec *recs = NULL;
	cleanup_free bool *left = NULL;
	struct holds holds;
	pid_t ahead;
	struct undo u;
	size_t n = 0;
	int r = 0;

	if (read_recs(lab, true, &data, &recs, &n, err) < 0) {
		/* No journal: only the directory itself can be ours. */
		undo_init(&u, lab, NULL, 0, NULL);
		vl_umount_lazy(u.nsdir, NULL);
		vl_umount_lazy(u.filesdir, NULL);
		vl_umount_lazy(u.tmpdir, NULL);
		vl_err_clear(err);
		return vl_rmtree(u.dir, err);
	}
	if (undo_init(&u, lab, recs, n, err) < 0)
		return -1;
	left = vl_xcalloc(n + 1, sizeof(*left));
	hold_netns(&holds, &u, recs, n);
	ahead = unmount_ns_ahead(&u, recs, n);
	for (size_t i = n; i-- > 0;) {
		struct vl_err e2 = {0};

		if (!strcmp(recs[i].kind->verb, "mount"))
			wait_ahead(&ahead);
		if (!recs[i].kind->valid(&u, recs[i].argv)) {
			say_skipped(lab, &recs[i]);
		} else if (r < 0 && !strcmp(recs[i].kind->verb, "lab")) {
			/* a step failed: the lab's directory stays for clean */
		} else if (recs[i].kind->undo(&u, recs[i].argv, &e2) < 0) {
			left[i] = true;
			if (r == 0)
				*err = e2;
			r = -1;
		}
		if ((long)i == holds.last)
			release_netns(&holds);
	}
	release_netns(&holds);
	wait_ahead(&ahead);
	/* the lab's directory itself could not go: nothing to keep it in */
	if (r < 0 && !(n && left[0] && !strcmp(recs[0].kind->verb, "lab")))
		keep_left(lab, recs, left, n, err);
	return r;
}

bool vl_journal_holds(const char *except, const char *key)
{
	char **labs;
	size_t n_labs;
	bool held = false;

	if (vl_lab_list(&labs, &n_labs, NULL) < 0)
		return true; /* cannot tell: keep the setting */
	for (size_t i = 0; i < n_labs && !held; i++)
		held = (!except || strcmp(labs[i], except)) && lab_holds(labs[i], key);
	vl_strv_free(labs, n_labs);
	return held;
}

int vl_journal_netns_ids(const char *lab, struct vl_ns_id **out, size_t *n_out, struct vl_err *err)
{
	cleanup_free char *data = NULL;
	cleanup_free struct rec *recs = NULL;
	char path[PATH_MAX];
	struct undo u;
	size_t n, cnt = 0;
	struct vl_ns_id *v;

	if (read_recs(lab, false, &data, &recs, &n, err) < 0)
		return -1;
	if (undo_init(&u, lab, recs, n, err) < 0)
		return -1;
	v = vl_xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		struct vl_ns_id id;

		if (strcmp(recs[i].kind->verb, "netns") || !valid_netns(&u, recs[i].argv))
			continue;
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, recs[i].argv[0]);
		id = vl_ns_id_of(path);
		/* a name of ours bound to the host's namespace is not the lab's */
		if (id.ino && !vl_netns_is_host(id))
			v[cnt++] = id;
	}
	qsort(v, cnt, sizeof(*v), vl_ns_id_cmp);
	*out = v;
	*n_out = cnt;
	return 0;
}
