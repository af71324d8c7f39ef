/* The guest's view of the host's root (see view.h). */
#include "vm/view.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "vm/template.h"

static const char *const hidden[] = {
    /* what a guest has of its own (its agent mounts them), and where
     * vnetlab keeps its state: labs, kernels, templates */
    "/proc", "/sys", "/dev", "/run", "/tmp", "/var/cache/vnetlab",
    /* people's files, logs, backups (Debian's /var/backups holds
     * shadow.bak), private keys */
    "/root", "/home", "/var/tmp", "/var/log", "/var/backups", "/etc/ssl/private",
    "/etc/letsencrypt", "/etc/shadow-", "/etc/gshadow-", "/etc/security/opasswd",
    "/etc/krb5.keytab", "/etc/ssh/ssh_host_*_key"};
/* shown without their password hashes: programs that check an account
 * (sshd without PAM refuses one it cannot find) still find it */
static const char *const scrubbed[] = {"/etc/shadow", "/etc/gshadow"};

#define MAX_COVERS 64
/* covers: tmpfs for directories, the empty file for the rest; read-only */
#define COVER_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

struct view {
	char stage[PATH_MAX];
	char root[PATH_MAX + 8];  /* stage/r */
	char empty[PATH_MAX + 8]; /* stage/e, an empty file */
	char *covers[MAX_COVERS];
	dev_t dirs[MAX_COVERS]; /* the covering tmpfs */
	size_t n_covers, n_dirs;
};

/* Host path p as the view's path. */
static char *in_view(const struct view *v, const char *p)
{
	return vl_xasprintf("%s%s", v->root, p);
}

/* Cover the host's path (where it leads, if a symlink) in the view; not
 * there, or under a cover already: nothing to do. */
static int cover(struct view *v, const char *host, struct vl_err *err)
{
	char real[PATH_MAX];
	cleanup_free char *dst = NULL;
	struct stat st;
	int r;

	if (!realpath(host, real))
		return errno == ENOENT || errno == ENOTDIR
		           ? 0
		           : vl_err_sys(err, errno, "resolve %s", host);
	dst = in_view(v, real);
	if (!strcmp(real, "/") || lstat(dst, &st) < 0 || S_ISLNK(st.st_mode))
		return 0;
	if (v->n_covers == MAX_COVERS)
		return vl_err_set(err, E2BIG, "more than %d paths to hide", MAX_COVERS);
	if (S_ISDIR(st.st_mode))
		r = mount("vnetlab-hidden", dst, "tmpfs", COVER_FLAGS, "mode=0755,size=64k");
	else
		r = mount(v->empty, dst, NULL, MS_BIND, NULL);
	if (r < 0)
		return vl_err_sys(err, errno, "hide %s", host);
	if (S_ISDIR(st.st_mode) && stat(dst, &st) == 0)
		v->dirs[v->n_dirs++] = st.st_dev;
	v->covers[v->n_covers++] = dst;
	dst = NULL;
	return 0;
}

/* The host's file (shadow(5), gshadow(5)) with each password replaced by
 * "*" ("!" where it is locked: that stays so), into the stage. */
static int scrub(const char *host, const char *copy, struct vl_err *err)
{
	cleanup_free char *text = NULL;
	struct vl_buf b = {0};
	char *line, *save = NULL;
	int r;

	if (vl_read_file(host, &text, NULL, err) < 0)
		return -1;
	vl_buf_add(&b, "", 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *pw = strchr(line, ':'), *rest = pw ? strchr(pw + 1, ':') : NULL;

		if (rest)
			vl_buf_printf(&b, "%.*s:%s%s\n", (int)(pw - line), line,
			              pw[1] == '!' ? "!" : "*", rest);
	}
	r = vl_write_file_mode(copy, b.s, b.len, 0640, err);
	vl_buf_free(&b);
	return r;
}

static int cover_all(struct view *v, struct vl_err *err)
{
	for (size_t i = 0; i < VL_ARRAY_SIZE(scrubbed); i++) {
		char real[PATH_MAX];
		cleanup_free char *dst = NULL, *copy = NULL;

		if (!realpath(scrubbed[i], real))
			continue;
		dst = in_view(v, real);
		copy = vl_xasprintf("%s/%s", v->stage, strrchr(real, '/') + 1);
		if (scrub(real, copy, err) < 0)
			return -1;
		if (mount(copy, dst, NULL, MS_BIND, NULL) < 0)
			return vl_err_sys(err, errno, "hide %s", real);
		v->covers[v->n_covers++] = dst;
		dst = NULL;
	}
	for (size_t i = 0; i < VL_ARRAY_SIZE(hidden); i++) {
		glob_t g;
		int r = 0;

		if (!strchr(hidden[i], '*')) {
			if (cover(v, hidden[i], err) < 0)
				return -1;
			continue;
		}
		if (glob(hidden[i], GLOB_NOSORT, NULL, &g) == 0)
			for (size_t k = 0; k < g.gl_pathc && r == 0; k++)
				r = cover(v, g.gl_pathv[k], err);
		globfree(&g);
		if (r < 0)
			return -1;
	}
	return cover(v, vl_vm_templates_dir(), err);
}

static bool in_cover(const struct view *v, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return false;
	for (size_t i = 0; i < v->n_dirs; i++)
		if (v->dirs[i] == st.st_dev)
			return true;
	return false;
}

/* The export's mount point in the view: what it lacks (hidden under a
 * cover) is made in that cover's tmpfs, never on the host's filesystem. */
static int mount_point(const struct view *v, char *dst, bool dir, struct vl_err *err)
{
	struct stat st;

	for (char *p = dst + strlen(v->root) + 1;; p++) {
		bool last = !*p;
		char *slash;
		int r;

		if (*p && *p != '/')
			continue;
		*p = '\0';
		if (lstat(dst, &st) < 0) {
			slash = strrchr(dst, '/');
			*slash = '\0';
			r = in_cover(v, dst);
			*slash = '/';
			if (!r)
				return vl_err_set(err, ENOENT, "%s is not under a hidden directory",
				                  dst);
			r = dir || !last ? mkdir(dst, 0755) : mknod(dst, S_IFREG | 0600, 0);
			if (r < 0)
				return vl_err_sys(err, errno, "make %s", dst);
		}
		if (last)
			return 0;
		*p = '/';
	}
}

static int export(const struct view *v, const char *host, bool bind, struct vl_err *err)
{
	char real[PATH_MAX];
	cleanup_free char *dst = NULL;
	struct stat st;

	if (!realpath(host, real) || stat(real, &st) < 0)
		return vl_err_sys(err, errno, "export %s", host);
	dst = in_view(v, real);
	if (!bind)
		return mount_point(v, dst, S_ISDIR(st.st_mode), err) < 0
		           ? vl_err_wrap(err, "export %s", host)
		           : 0;
	if (mount(real, dst, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return vl_err_sys(err, errno, "export %s", host);
	return 0;
}

static int build(const struct vl_vm_view *vv, struct view *v, struct vl_err *err)
{
	char *stage = v->stage;
	int fd;

	if (!realpath(vv->stage, stage))
		return vl_err_sys(err, errno, "%s", vv->stage);
	snprintf(v->root, sizeof(v->root), "%s/" VL_VM_VIEW_ROOT, stage);
	snprintf(v->empty, sizeof(v->empty), "%s/e", stage);
	if (unshare(CLONE_NEWNS) < 0)
		return vl_err_sys(err, errno, "create a mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return vl_err_sys(err, errno, "make / private");
	if (mount("vnetlab-view", stage, "tmpfs", COVER_FLAGS, "mode=0700,size=16m") < 0)
		return vl_err_sys(err, errno, "mount a tmpfs on %s", stage);
	if (mkdir(v->root, 0755) < 0 ||
	    (fd = open(v->empty, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return vl_err_sys(err, errno, "%s", stage);
	close(fd);
	if (mount("/", v->root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return vl_err_sys(err, errno, "bind / on %s", v->root);
	if (cover_all(v, err) < 0)
		return -1;
	/* mount points first, in the covers still writable; then read-only */
	for (size_t i = 0; i < vv->n_exports; i++)
		if (export(v, vv->exports[i], false, err) < 0)
			return -1;
	for (size_t i = 0; i < v->n_covers; i++)
		if (mount(NULL, v->covers[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | COVER_FLAGS,
		          NULL) < 0)
			return vl_err_sys(err, errno, "make %s read-only", v->covers[i]);
	for (size_t i = 0; i < vv->n_exports; i++)
		if (export(v, vv->exports[i], true, err) < 0)
			return -1;
	if (mount(NULL, v->root, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return vl_err_sys(err, errno, "make %s read-only", v->root);
	return 0;
}

int vl_vm_view_make(const struct vl_vm_view *vv, struct vl_err *err)
{
	struct view *v = vl_xcalloc(1, sizeof(*v));
	int r = build(vv, v, err);

	for (size_t i = 0; i < v->n_covers; i++)
		free(v->covers[i]);
	free(v);
	return r < 0 ? vl_err_wrap(err, "the guest's view of the host's root") : 0;
}
