/* A guest's initramfs as a newc cpio archive (see initramfs.h). The
 * format, as the kernel's init/initramfs.c reads it: per entry a header of
 * "070701" and 13 fields of 8 hex digits (ino, mode, uid, gid, nlink,
 * mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize
 * with its NUL, check), the name and its NUL padded to a multiple of 4,
 * then the data (a symlink's data is its target) padded to 4; a last
 * entry named "TRAILER!!!" ends it. Regular files get nlink 1 and inode
 * numbers of their own, or the kernel would take them for hard links of
 * each other. The whole is padded to 512 bytes, as cpio does, so that
 * archives can be concatenated. */
#include "vm/initramfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

struct entry {
	char *path;            /* normalized: relative, no empty, "." or ".." parts */
	mode_t mode;           /* type and permission bits */
	char *host;            /* S_IFREG copied from the host, else NULL */
	char *data;            /* S_IFREG contents or S_IFLNK target */
	size_t len;            /* of data */
	unsigned major, minor; /* S_IFCHR, S_IFBLK */
};

struct vl_initramfs {
	struct entry *e;
	size_t n, cap;
	bool failed;
	struct vl_err err; /* the first failed adder's error */
};

/* newc's fields are 32 bits; names are bounded by the kernel's PATH_MAX. */
#define MAX_SIZE 0xffffffffu
#define MAX_PATH (PATH_MAX - 1)

struct vl_initramfs *vl_initramfs_new(void)
{
	return vl_xcalloc(1, sizeof(struct vl_initramfs));
}

void vl_initramfs_free(struct vl_initramfs *ir)
{
	if (!ir)
		return;
	for (size_t i = 0; i < ir->n; i++) {
		free(ir->e[i].path);
		free(ir->e[i].host);
		free(ir->e[i].data);
	}
	free(ir->e);
	free(ir);
}

/* Remember the first error (later ones are consequences, or at least no
 * more useful). Returns -1. */
static int fail(struct vl_initramfs *ir, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct vl_initramfs *ir, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (ir->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ir->failed = true;
	return vl_err_set(&ir->err, EINVAL, "initramfs: %s: %s", path ? path : "(null)", msg);
}

/* The archive's spelling of path: no leading or trailing '/', and no
 * component that is empty, "." or "..". NULL with *why set if invalid. */
static char *normalize(const char *path, const char **why)
{
	const char *p = path;
	size_t len;
	char *s;

	if (!path) {
		*why = "no path";
		return NULL;
	}
	while (*p == '/')
		p++;
	len = strlen(p);
	while (len && p[len - 1] == '/')
		len--;
	if (!len) {
		*why = "not a path below the root";
		return NULL;
	}
	if (len > MAX_PATH) {
		*why = "path too long";
		return NULL;
	}
	s = vl_xmalloc(len + 1);
	memcpy(s, p, len);
	s[len] = '\0';
	for (const char *c = s;;) {
		const char *end = strchr(c, '/');
		size_t n = end ? (size_t)(end - c) : strlen(c);

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
			*why = "empty, \".\" or \"..\" component";
			free(s);
			return NULL;
		}
		if (!end)
			break;
		c = end + 1;
	}
	return s;
}

static struct entry *find(struct vl_initramfs *ir, const char *path)
{
	for (size_t i = 0; i < ir->n; i++)
		if (strcmp(ir->e[i].path, path) == 0)
			return &ir->e[i];
	return NULL;
}

static struct entry *append(struct vl_initramfs *ir, char *path, mode_t mode)
{
	struct entry *e;

	vl_grow(&ir->e, &ir->cap, ir->n, sizeof(*ir->e));
	e = &ir->e[ir->n++];
	memset(e, 0, sizeof(*e));
	e->path = path;
	e->mode = mode;
	return e;
}

/* Make sure every parent directory of path exists, before it. */
static int add_parents(struct vl_initramfs *ir, const char *path)
{
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		char *parent = strndup(path, (size_t)(slash - path));
		struct entry *e;

		if (!parent)
			abort();
		e = find(ir, parent);
		if (e && !S_ISDIR(e->mode)) {
			fail(ir, path, "parent %s is not a directory", parent);
			free(parent);
			return -1;
		}
		if (e) {
			free(parent);
			continue;
		}
		append(ir, parent, S_IFDIR | 0755);
	}
	return 0;
}

/* The common part of every adder: a valid, new path with its parents.
 * Returns the new entry (its path owned by it), or NULL. */
static struct entry *add(struct vl_initramfs *ir, const char *path, mode_t mode)
{
	const char *why = NULL;
	char *norm = normalize(path, &why);
	struct entry *e;

	if (!norm) {
		fail(ir, path, "%s", why);
		return NULL;
	}
	if ((e = find(ir, norm))) {
		fail(ir, path, "added twice");
		free(norm);
		return NULL;
	}
	if (add_parents(ir, norm) < 0) {
		free(norm);
		return NULL;
	}
	return append(ir, norm, mode);
}

static bool perm_ok(struct vl_initramfs *ir, const char *path, mode_t mode)
{
	if (mode & ~(mode_t)07777) {
		fail(ir, path, "mode 0%o has bits beyond the permissions (07777)", (unsigned)mode);
		return false;
	}
	return true;
}

int vl_initramfs_dir(struct vl_initramfs *ir, const char *path, mode_t mode)
{
	const char *why = NULL;
	char *norm;
	struct entry *e;

	if (!perm_ok(ir, path, mode))
		return -1;
	/* a directory may be named again (it was implied, or is repeated):
	 * it keeps its place and takes the new mode */
	norm = normalize(path, &why);
	e = norm ? find(ir, norm) : NULL;
	free(norm);
	if (e && S_ISDIR(e->mode)) {
		e->mode = S_IFDIR | mode;
		return 0;
	}
	return add(ir, path, S_IFDIR | mode) ? 0 : -1;
}

int vl_initramfs_file(struct vl_initramfs *ir, const char *path, const char *host_path, mode_t mode)
{
	struct entry *e;

	if (!host_path || !*host_path)
		return fail(ir, path, "no host file to copy");
	if (!perm_ok(ir, path, mode) || !(e = add(ir, path, S_IFREG | mode)))
		return -1;
	e->host = vl_xstrdup(host_path);
	return 0;
}

int vl_initramfs_data(struct vl_initramfs *ir, const char *path, const void *data, size_t len,
                      mode_t mode)
{
	struct entry *e;

	if (len > MAX_SIZE)
		return fail(ir, path, "%zu bytes: more than an archive entry holds", len);
	if (len && !data)
		return fail(ir, path, "no data");
	if (!perm_ok(ir, path, mode) || !(e = add(ir, path, S_IFREG | mode)))
		return -1;
	e->data = vl_xmalloc(len ? len : 1);
	if (len)
		memcpy(e->data, data, len);
	e->len = len;
	return 0;
}

int vl_initramfs_link(struct vl_initramfs *ir, const char *path, const char *target)
{
	struct entry *e;

	if (!target || !*target)
		return fail(ir, path, "empty symlink target");
	if (strlen(target) > MAX_PATH)
		return fail(ir, path, "symlink target too long");
	if (!(e = add(ir, path, S_IFLNK | 0777)))
		return -1;
	e->data = vl_xstrdup(target);
	e->len = strlen(target);
	return 0;
}

int vl_initramfs_node(struct vl_initramfs *ir, const char *path, mode_t mode, unsigned major,
                      unsigned minor)
{
	mode_t type = mode & S_IFMT;
	struct entry *e;

	if (type != S_IFCHR && type != S_IFBLK && type != S_IFIFO)
		return fail(ir, path, "mode 0%o is not a character or block device or a FIFO",
		            (unsigned)mode);
	if (!perm_ok(ir, path, mode & ~S_IFMT) || !(e = add(ir, path, mode)))
		return -1;
	if (type != S_IFIFO) {
		e->major = major;
		e->minor = minor;
	}
	return 0;
}

/* --- writing ----------------------------------------------------------------- */

struct out {
	int fd;
	uint64_t off; /* bytes written so far, for padding */
	size_t len;   /* bytes in buf */
	char buf[1 << 16];
};

static int flush(struct out *o)
{
	if (o->len && vl_write_all(o->fd, o->buf, o->len) < 0)
		return -1;
	o->len = 0;
	return 0;
}

static int put(struct out *o, const void *data, size_t len)
{
	o->off += len;
	if (o->len + len <= sizeof(o->buf)) {
		memcpy(o->buf + o->len, data, len);
		o->len += len;
		return 0;
	}
	if (flush(o) < 0)
		return -1;
	if (len >= sizeof(o->buf))
		return vl_write_all(o->fd, data, len);
	memcpy(o->buf, data, len);
	o->len = len;
	return 0;
}

/* Zeros up to the next multiple of align. */
static int pad(struct out *o, unsigned align)
{
	static const char zeros[512];
	size_t n = (size_t)((align - o->off % align) % align);

	return put(o, zeros, n);
}

static int header(struct out *o, unsigned ino, mode_t mode, unsigned nlink, uint64_t size,
                  unsigned rmajor, unsigned rminor, const char *name)
{
	char h[111];
	size_t namesize = strlen(name) + 1;

	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino,
	         (unsigned)mode, 0u, 0u, nlink, 0u, (unsigned)size, 0u, 0u, rmajor, rminor,
	         (unsigned)namesize, 0u);
	if (put(o, h, 110) < 0 || put(o, name, namesize) < 0)
		return -1;
	return pad(o, 4);
}

/* A host file's header and contents: exactly the size fstat() gave, or an
 * error if it changed while being read. */
static int copy_file(struct out *o, const struct entry *e, unsigned ino, struct vl_err *err)
{
	cleanup_close int fd = open(e->host, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	uint64_t left;

	if (fd < 0)
		return vl_err_sys(err, errno, "initramfs: %s: open %s", e->path, e->host);
	if (fstat(fd, &st) < 0)
		return vl_err_sys(err, errno, "initramfs: %s: stat %s", e->path, e->host);
	if (!S_ISREG(st.st_mode))
		return vl_err_set(err, EINVAL, "initramfs: %s: %s is not a regular file", e->path,
		                  e->host);
	if ((uint64_t)st.st_size > MAX_SIZE)
		return vl_err_set(err, EFBIG, "initramfs: %s: %s is larger than 4 GiB", e->path,
		                  e->host);
	if (header(o, ino, e->mode, 1, (uint64_t)st.st_size, 0, 0, e->path) < 0)
		return vl_err_sys(err, errno, "initramfs: write");
	if (flush(o) < 0)
		return vl_err_sys(err, errno, "initramfs: write");
	for (left = (uint64_t)st.st_size; left;) {
		size_t want = left < sizeof(o->buf) ? (size_t)left : sizeof(o->buf);
		ssize_t r = read(fd, o->buf, want);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return vl_err_sys(err, errno, "initramfs: %s: read %s", e->path, e->host);
		if (r == 0)
			return vl_err_set(err, EIO, "initramfs: %s: %s shrank while being read",
			                  e->path, e->host);
		o->len = (size_t)r;
		o->off += (uint64_t)r;
		left -= (uint64_t)r;
		if (flush(o) < 0)
			return vl_err_sys(err, errno, "initramfs: write");
	}
	if (pad(o, 4) < 0)
		return vl_err_sys(err, errno, "initramfs: write");
	return 0;
}

static int write_entry(struct out *o, const struct entry *e, unsigned ino, struct vl_err *err)
{
	if (S_ISREG(e->mode) && e->host)
		return copy_file(o, e, ino, err);
	switch (e->mode & S_IFMT) {
	case S_IFREG: /* data of its own, written as a symlink's target is */
	case S_IFLNK:
		if (header(o, ino, e->mode, 1, e->len, 0, 0, e->path) < 0 ||
		    put(o, e->data, e->len) < 0 || pad(o, 4) < 0)
			return vl_err_sys(err, errno, "initramfs: write");
		return 0;
	case S_IFDIR:
		if (header(o, ino, e->mode, 2, 0, 0, 0, e->path) < 0)
			return vl_err_sys(err, errno, "initramfs: write");
		return 0;
	default:
		if (header(o, ino, e->mode, 1, 0, e->major, e->minor, e->path) < 0)
			return vl_err_sys(err, errno, "initramfs: write");
		return 0;
	}
}

int vl_initramfs_write_fd(struct vl_initramfs *ir, int fd, struct vl_err *err)
{
	cleanup_free struct out *o = NULL;

	if (ir->failed) {
		*err = ir->err;
		return -1;
	}
	o = vl_xcalloc(1, sizeof(*o));
	o->fd = fd;
	for (size_t i = 0; i < ir->n; i++)
		if (write_entry(o, &ir->e[i], (unsigned)i + 1, err) < 0)
			return -1;
	if (header(o, 0, 0, 1, 0, 0, 0, "TRAILER!!!") < 0 || pad(o, 512) < 0 || flush(o) < 0)
		return vl_err_sys(err, errno, "initramfs: write");
	return 0;
}

int vl_initramfs_write(struct vl_initramfs *ir, const char *out, struct vl_err *err)
{
	cleanup_free char *tmp = NULL;
	int fd, e;

	if (ir->failed) {
		*err = ir->err;
		return -1;
	}
	tmp = vl_xasprintf("%s.XXXXXX", out);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return vl_err_sys(err, errno, "initramfs: create %s", tmp);
	if (fchmod(fd, 0644) < 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		return vl_err_sys(err, e, "initramfs: chmod %s", tmp);
	}
	if (vl_initramfs_write_fd(ir, fd, err) < 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, out) < 0) {
		e = errno;
		unlink(tmp);
		return vl_err_sys(err, e, "initramfs: write %s", out);
	}
	return 0;
}
