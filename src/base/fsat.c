/* Files beneath a directory descriptor, no symbolic link followed. See
 * fsat.h. */
#include "base/fsat.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"

bool vl_fsat_walk_only;

#define RESOLVE_FLAGS (RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)

/* The kernel said it has no openat2: walk from then on. */
static bool no_openat2;

/* A path beneath a directory: relative, not empty, no "..". */
static int check_rel(const char *lead, const char *rel, struct vl_err *err)
{
	if (!rel[0])
		return vl_err_set(err, EINVAL, "%s: an empty path", lead[0] ? lead : "(none)");
	if (rel[0] == '/')
		return vl_err_set(err, EXDEV,
		                  "%s%s: an absolute path where one beneath a directory "
		                  "is meant",
		                  lead, rel);
	for (const char *p = rel; *p; p += strspn(p, "/")) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return vl_err_set(err, EXDEV,
			                  "%s%s: \"..\" leads out of the directory it is beneath: "
			                  "refused",
			                  lead, rel);
		p += n;
	}
	return 0;
}

/* The symbolic link name beneath at ("" : at itself, an O_PATH descriptor
 * of the link), shown as lead + rel[0..end): refused, with where it points. */
static int link_refused(int at, const char *name, const char *lead, const char *rel, size_t end,
                        struct vl_err *err)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(at, name, target, sizeof(target) - 1);

	target[n > 0 ? n : 0] = '\0';
	return vl_err_set(err, ELOOP, "%s%.*s: a symbolic link (to %s), not followed", lead,
	                  (int)end, rel, n > 0 ? target : "?");
}

/* Why component name beneath at (lead + rel[0..end)) could not be opened
 * (errno e): what it is, if it is not what was meant. */
static int refuse(int at, const char *name, const char *lead, const char *rel, size_t end, int e,
                  struct vl_err *err)
{
	struct stat st;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return link_refused(at, name, lead, rel, end, err);
		if (e == ENOTDIR && !S_ISDIR(st.st_mode))
			return vl_err_set(err, ENOTDIR, "%s%.*s: %s, not a directory", lead,
			                  (int)end, rel, vl_file_type_name(st.st_mode));
	}
	return vl_err_sys(err, e, "open %s%.*s", lead, (int)end, rel);
}

/* rel beneath dirfd one component at a time, each O_NOFOLLOW from the one
 * before; the last opened with flags (and mode). */
static int walk(int dirfd, const char *lead, const char *rel, int flags, mode_t mode,
                struct vl_err *err)
{
	cleanup_close int cur = -1;
	int at = dirfd, fd;
	const char *p = rel + strspn(rel, "/");

	for (;;) {
		size_t n = strcspn(p, "/");
		const char *next = p + n + strspn(p + n, "/");
		size_t end = (size_t)(p + n - rel);
		char name[NAME_MAX + 1];

		if (n > NAME_MAX)
			return vl_err_set(err, ENAMETOOLONG, "%s%.*s: a name too long", lead,
			                  (int)end, rel);
		snprintf(name, sizeof(name), "%.*s", (int)n, n ? p : ".");
		if (*next && !strcmp(name, ".")) {
			p = next;
			continue;
		}
		if (!*next)
			break;
		fd = openat(at, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return refuse(at, name, lead, rel, end, errno, err);
		vl_closep(&cur);
		at = cur = fd;
		p = next;
	}
	{
		size_t n = strcspn(p, "/");
		char name[NAME_MAX + 1];

		snprintf(name, sizeof(name), "%.*s", (int)n, n ? p : ".");
		fd = openat(at, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0)
			return refuse(at, name, lead, rel, (size_t)(p + n - rel), errno, err);
	}
	return fd;
}

/* Open rel beneath dirfd with flags (and mode, with O_CREAT): no symbolic
 * link on any component (with O_PATH, a last one is opened itself, for
 * the caller to see and refuse), nothing outside dirfd. Messages show it
 * as lead + rel. */
static int resolve(int dirfd, const char *lead, const char *rel, int flags, mode_t mode,
                   struct vl_err *err)
{
	struct open_how how = {.flags = (unsigned)(flags | O_NOFOLLOW | O_CLOEXEC),
	                       .mode = (flags & O_CREAT) ? mode : 0,
	                       .resolve = RESOLVE_FLAGS};
	int fd, e;

	if (check_rel(lead, rel, err) < 0)
		return -1;
	if (vl_fsat_walk_only || no_openat2)
		return walk(dirfd, lead, rel, flags, mode, err);
	fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	if (fd >= 0)
		return fd;
	if ((e = errno) == ENOSYS) {
		no_openat2 = true;
		return walk(dirfd, lead, rel, flags, mode, err);
	}
	/* which component, and what it is: walked again, nothing created */
	fd = walk(dirfd, lead, rel, (flags & O_CREAT) ? O_PATH : flags, 0, err);
	if (fd < 0 && !((flags & O_CREAT) && err->code == ENOENT))
		return -1;
	if (fd >= 0) {
		struct stat st;
		bool link = fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);

		if (link) /* O_CREAT|O_EXCL on a symbolic link */
			link_refused(fd, "", lead, rel, strlen(rel), err);
		close(fd);
		if (link)
			return -1;
	}
	return vl_err_sys(err, e, "open %s%s", lead, rel);
}

int vl_at_dir(int dirfd, const char *rel, struct vl_err *err)
{
	return resolve(dirfd, "", rel, O_RDONLY | O_DIRECTORY, 0, err);
}

int vl_dir_open(const char *path, struct vl_err *err)
{
	cleanup_close int root = -1;
	const char *rel = path + strspn(path, "/");

	if (path[0] != '/')
		return resolve(AT_FDCWD, "", path, O_RDONLY | O_DIRECTORY, 0, err);
	if ((root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return vl_err_sys(err, errno, "open /");
	return resolve(root, "/", rel[0] ? rel : ".", O_RDONLY | O_DIRECTORY, 0, err);
}

/* rel split into its parent directory (opened; -1: dirfd itself, no
 * slash) and its last name, shown as lead (the parent's part). */
struct split {
	int parent;
	const char *at_name;
	char lead[PATH_MAX];
	char name[NAME_MAX + 1];
};

static void split_close(struct split *s)
{
	vl_closep(&s->parent);
}

static int split_open(int dirfd, const char *rel, struct split *s, struct vl_err *err)
{
	size_t len = strlen(rel), n;

	s->parent = -1;
	s->lead[0] = '\0';
	while (len > 1 && rel[len - 1] == '/')
		len--;
	if (check_rel("", rel, err) < 0)
		return -1;
	n = len;
	while (n > 0 && rel[n - 1] != '/')
		n--;
	if (len - n > NAME_MAX || n >= sizeof(s->lead))
		return vl_err_set(err, ENAMETOOLONG, "%s: a name too long", rel);
	snprintf(s->name, sizeof(s->name), "%.*s", (int)(len - n), rel + n);
	if (!strcmp(s->name, "."))
		return vl_err_set(err, EINVAL, "%s: names no file", rel);
	if (n == 0)
		return 0;
	snprintf(s->lead, sizeof(s->lead), "%.*s", (int)n, rel);
	s->parent = vl_at_dir(dirfd, s->lead, err);
	return s->parent < 0 ? -1 : 0;
}

#define cleanup_split __attribute__((cleanup(split_close)))

int vl_at_mkdir(int dirfd, const char *rel, mode_t mode, struct vl_err *err)
{
	cleanup_split struct split s;
	bool made;
	int fd;

	if (split_open(dirfd, rel, &s, err) < 0)
		return -1;
	made = mkdirat(s.parent >= 0 ? s.parent : dirfd, s.name, mode) == 0;
	if (!made && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", rel);
	fd = resolve(s.parent >= 0 ? s.parent : dirfd, s.lead, s.name, O_RDONLY | O_DIRECTORY, 0,
	             err);
	if (fd >= 0 && made && fchmod(fd, mode) < 0) {
		int e = errno;

		close(fd);
		return vl_err_sys(err, e, "chmod %s", rel);
	}
	return fd;
}

/* What is at rel (fd, its stat st), when a regular file is meant. */
static int not_regular(int fd, const char *rel, const struct stat *st, struct vl_err *err)
{
	if (S_ISLNK(st->st_mode))
		return link_refused(fd, "", "", rel, strlen(rel), err);
	return vl_err_set(err, EINVAL, "%s: %s, not a regular file", rel,
	                  vl_file_type_name(st->st_mode));
}

int vl_at_open(int dirfd, const char *rel, int flags, struct vl_err *err)
{
	cleanup_close int look = -1;
	struct stat st, st2;
	int fd;

	if (flags & ~(O_ACCMODE | O_APPEND | O_NONBLOCK))
		return vl_err_set(err, EINVAL, "%s: open with flags %#x: not for an existing file",
		                  rel, (unsigned)flags);
	/* looked at first, so that a FIFO or a device is never opened */
	if ((look = resolve(dirfd, "", rel, O_PATH, 0, err)) < 0)
		return -1;
	if (fstat(look, &st) < 0)
		return vl_err_sys(err, errno, "stat %s", rel);
	if (!S_ISREG(st.st_mode))
		return not_regular(look, rel, &st, err);
	fd = resolve(dirfd, "", rel, flags | O_NONBLOCK | O_NOCTTY, 0, err);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
		close(fd);
		return vl_err_set(err, EAGAIN, "%s: replaced while it was opened: try again", rel);
	}
	if (!(flags & O_NONBLOCK))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int vl_at_create(int dirfd, const char *rel, int flags, mode_t mode, struct vl_err *err)
{
	int fd;

	if (flags & ~(O_ACCMODE | O_APPEND))
		return vl_err_set(err, EINVAL, "%s: create with flags %#x", rel, (unsigned)flags);
	fd = resolve(dirfd, "", rel, flags | O_CREAT | O_EXCL, mode, err);
	if (fd >= 0 && fchmod(fd, mode) < 0) {
		int e = errno;

		close(fd);
		return vl_err_sys(err, e, "chmod %s", rel);
	}
	return fd;
}

int vl_at_read(int dirfd, const char *rel, size_t max, char **out, size_t *len, struct stat *st,
               struct vl_err *err)
{
	cleanup_close int fd = vl_at_open(dirfd, rel, O_RDONLY, err);

	if (fd < 0)
		return -1;
	if (st && fstat(fd, st) < 0)
		return vl_err_sys(err, errno, "stat %s", rel);
	return vl_read_fd_max(fd, rel, max, out, len, err);
}

/* A name of our own beside name in at: made O_EXCL, never followed. */
static int create_temp(int at, const char *name, mode_t mode, char *tmp, size_t tmplen,
                       struct vl_err *err)
{
	static unsigned count;

	for (int tries = 0; tries < 100; tries++) {
		int fd;

		snprintf(tmp, tmplen, ".%.200s.%d.%u.tmp", name, (int)getpid(), count++);
		fd = openat(at, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return vl_err_sys(err, errno, "create %s", tmp);
	}
	return vl_err_set(err, EEXIST, "create a temporary file beside %s: every name is taken",
	                  name);
}

int vl_at_write(int dirfd, const char *rel, const void *data, size_t len, mode_t mode,
                struct vl_err *err)
{
	cleanup_split struct split s;
	char tmp[NAME_MAX + 1];
	struct stat st;
	int at, fd, e = 0;

	if (split_open(dirfd, rel, &s, err) < 0)
		return -1;
	at = s.parent >= 0 ? s.parent : dirfd;
	if (fstatat(at, s.name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return link_refused(at, s.name, "", rel, strlen(rel), err);
		if (!S_ISREG(st.st_mode))
			return vl_err_set(err, EINVAL, "%s: %s, not a regular file: not replaced",
			                  rel, vl_file_type_name(st.st_mode));
	} else if (errno != ENOENT) {
		return vl_err_sys(err, errno, "stat %s", rel);
	}
	if ((fd = create_temp(at, s.name, mode, tmp, sizeof(tmp), err)) < 0)
		return vl_err_wrap(err, "write %s", rel);
	if (fchmod(fd, mode) < 0 || vl_write_all(fd, data, len) < 0 || fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	/* a symbolic link put there meanwhile is replaced, never followed */
	if (!e && renameat(at, tmp, at, s.name) < 0)
		e = errno;
	if (e) {
		unlinkat(at, tmp, 0);
		return vl_err_sys(err, e, "write %s", rel);
	}
	fsync(at); /* the rename, on disk (not possible on an O_PATH descriptor) */
	return 0;
}
