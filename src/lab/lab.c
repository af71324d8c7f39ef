#include "lab/lab.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "sys/cgroup.h"

void vl_lab_path(const char *lab, const char *rel, char *buf, size_t len)
{
	if (rel)
		snprintf(buf, len, "%s/%s/%s", VL_RUN_DIR, lab, rel);
	else
		snprintf(buf, len, "%s/%s", VL_RUN_DIR, lab);
}

int vl_lab_exists(const char *lab)
{
	char p[PATH_MAX];
	struct stat st;

	vl_lab_path(lab, NULL, p, sizeof(p));
	return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int vl_lab_lock(const char *lab, int wait, struct vl_err *err)
{
	char p[PATH_MAX];
	int fd;

	vl_lab_path(lab, "lock", p, sizeof(p));
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return vl_err_sys(err, errno, "open %s", p);
	if (!wait) {
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			int e = errno;

			close(fd);
			if (e == EWOULDBLOCK)
				return vl_err_set(err, EBUSY,
				                  "lab %s is busy: another vnetlab is changing it",
				                  lab);
			return vl_err_sys(err, e, "lock %s", p);
		}
		return fd;
	}
	/* Wait up to 30 s, telling the user why we wait. */
	for (int i = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; i++) {
		if (errno != EWOULDBLOCK || i >= 300) {
			close(fd);
			return vl_err_set(err, EBUSY, "lab %s is busy: another vnetlab holds it",
			                  lab);
		}
		if (i == 10)
			fprintf(stderr, "vnetlab: waiting for lab %s (another vnetlab holds it)\n",
			        lab);
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
	return fd;
}

static bool is_id(const char *s)
{
	for (int i = 0; i < VL_LAB_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int vl_lab_read_id(const char *lab, char id[VL_LAB_ID_LEN + 1], struct vl_err *err)
{
	char p[PATH_MAX];
	cleanup_free char *s = NULL;
	size_t len;

	vl_lab_path(lab, "id", p, sizeof(p));
	if (vl_read_file(p, &s, &len, err) < 0)
		return -1;
	if (len < VL_LAB_ID_LEN || !is_id(s) || (len > VL_LAB_ID_LEN && s[VL_LAB_ID_LEN] != '\n'))
		return vl_err_set(err, EINVAL, "%s: not a lab id", p);
	memcpy(id, s, VL_LAB_ID_LEN);
	id[VL_LAB_ID_LEN] = '\0';
	return 0;
}

int vl_lab_own_id(const char *lab, char id[VL_LAB_ID_LEN + 1], struct vl_err *err)
{
	char **labs, other[VL_LAB_ID_LEN + 1];
	size_t n;
	int r = 0;

	if (vl_lab_read_id(lab, id, err) < 0 || vl_lab_list(&labs, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && r == 0; i++)
		if (strcmp(labs[i], lab) && vl_lab_read_id(labs[i], other, NULL) == 0 &&
		    !strcmp(other, id))
			r = vl_err_set(err, EEXIST,
			               "labs %s and %s both claim the id %s: neither is acted on",
			               lab, labs[i], id);
	vl_strv_free(labs, n);
	return r;
}

bool vl_lab_tag(const char *name, char id[VL_LAB_ID_LEN + 1])
{
	if (strncmp(name, "vl", 2) || strlen(name) < 2 + VL_LAB_ID_LEN + 1 || !is_id(name + 2))
		return false;
	memcpy(id, name + 2, VL_LAB_ID_LEN);
	id[VL_LAB_ID_LEN] = '\0';
	name += 2 + VL_LAB_ID_LEN;
	return (name[0] == '-' && !vl_name_invalid(name + 1)) || vl_lab_infra_suffix(name);
}

bool vl_lab_infra_suffix(const char *s)
{
	if (strncmp(s, ".sw", 3))
		return false;
	s += 3;
	if (!*s)
		return true;
	if (*s == '0' || strlen(s) > 5)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool vl_lab_tagged(const char *id, const char *name)
{
	char tag[VL_LAB_ID_LEN + 1];

	return id && id[0] && vl_lab_tag(name, tag) && !strcmp(tag, id);
}

int vl_lab_is_complete(const char *lab)
{
	char p[PATH_MAX];

	vl_lab_path(lab, "state.json", p, sizeof(p));
	return access(p, F_OK) == 0 && !vl_lab_going_down(lab);
}

bool vl_lab_going_down(const char *lab)
{
	char p[PATH_MAX];

	vl_lab_path(lab, "down", p, sizeof(p));
	return access(p, F_OK) == 0;
}

int vl_lab_mark_down(const char *lab, struct vl_err *err)
{
	char p[PATH_MAX];
	int fd;

	vl_lab_path(lab, "down", p, sizeof(p));
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return vl_err_sys(err, errno, "create %s", p);
	close(fd);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vl_lab_list(char ***names, size_t *n, struct vl_err *err)
{
	DIR *d = opendir(VL_RUN_DIR);
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0, cap = 0;

	*names = NULL;
	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		if (errno == EACCES)
			return vl_err_set(err, EACCES,
			                  "%s is root's only (labs' state and logs): run vnetlab as "
			                  "root (sudo)",
			                  VL_RUN_DIR);
		return vl_err_sys(err, errno, "open %s", VL_RUN_DIR);
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || vl_name_invalid(de->d_name))
			continue;
		vl_grow(&v, &cap, cnt, sizeof(*v));
		v[cnt++] = vl_xstrdup(de->d_name);
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*names = v;
	*n = cnt;
	return 0;
}

void vl_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Is name (in dirfd) the root of a mount, or on another device than the
 * tree's? A bind mount on the same file system is caught by the first. */
static bool other_mount(int dirfd, const char *name, dev_t dev, const struct stat *st)
{
	struct statx sx;

	if (st->st_dev != dev)
		return true;
	if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS, &sx) < 0)
		return true; /* cannot tell: do not descend */
	return (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static int rmtree_at(int dirfd, const char *name, dev_t dev, bool top, struct vl_err *err)
{
	struct stat st;
	int fd;
	DIR *d;
	struct dirent *de;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : vl_err_sys(err, errno, "stat %s", name);
	/* Never through a mount point: a file or directory bound here from
	 * elsewhere stays, and so does the tree above it. */
	if (!top && other_mount(dirfd, name, dev, &st))
		return vl_err_set(err, EBUSY, "%s: a mount point, not removed", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return vl_err_sys(err, errno, "remove %s", name);
		return 0;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return vl_err_sys(err, errno, "open %s", name);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return vl_err_sys(err, errno, "open %s", name);
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (rmtree_at(fd, de->d_name, dev, false, err) < 0) {
			closedir(d);
			return vl_err_wrap(err, "%s", name);
		}
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return vl_err_sys(err, errno, "remove %s", name);
	return 0;
}

int vl_rmtree(const char *path, struct vl_err *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : vl_err_sys(err, errno, "stat %s", path);
	if (other_mount(AT_FDCWD, path, st.st_dev, &st))
		return vl_err_set(err, EBUSY, "%s: a mount point, not removed", path);
	return rmtree_at(AT_FDCWD, path, st.st_dev, true, err);
}

void vl_lab_pathf(const char *lab, char *buf, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	vl_lab_path(lab, rel, buf, len);
}

const struct vl_cgroup_manager *vl_lab_cgroups(const char *lab)
{
	char path[PATH_MAX];
	cleanup_free char *s = NULL;

	vl_lab_path(lab, "cgroup", path, sizeof(path));
	if (vl_read_file(path, &s, NULL, NULL) < 0)
		return NULL;
	return vl_cgroup_get(s, NULL);
}

int vl_lab_backend(const char *lab, struct vl_err *err)
{
	char path[PATH_MAX];
	cleanup_free char *s = NULL;
	int b;

	vl_lab_path(lab, "backend", path, sizeof(path));
	if (vl_read_file(path, &s, NULL, NULL) < 0)
		return VL_BACKEND_NS; /* labs made before the file existed */
	if ((b = vl_backend_parse(s)) < 0)
		return vl_err_set(err, EINVAL, "%s: not a backend", path);
	return b;
}

pid_t vl_lab_linkd_pid(const char *lab)
{
	char path[PATH_MAX], want[PATH_MAX], cmd[PATH_MAX];
	cleanup_free char *s = NULL;
	unsigned long pid;
	int fd, n;
	ssize_t r;

	vl_lab_path(lab, "linkd.pid", path, sizeof(path));
	if (vl_read_file(path, &s, NULL, NULL) < 0)
		return 0;
	s[strcspn(s, "\n")] = '\0';
	if (vl_parse_uint(s, 2, 1ul << 30, &pid) < 0)
		return 0;
	/* a recycled pid, or a forged one, is someone else's: it must be this
	 * lab's engine, as vl_linkd_start ran it */
	n = snprintf(want, sizeof(want), "vnetlab%c__linkd%c%s", 0, 0, lab) + 1;
	snprintf(path, sizeof(path), "/proc/%lu/cmdline", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	r = read(fd, cmd, sizeof(cmd));
	close(fd);
	return r == n && !memcmp(cmd, want, (size_t)n) ? (pid_t)pid : 0;
}
