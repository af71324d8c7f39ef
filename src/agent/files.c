/* WRITE_FILE: a file the host sends, at an absolute path, appended to or
 * replaced atomically (a temporary file beside it, renamed over it), with
 * its parent directories made when asked.
 *
 * Touches: the file asked for, its temporary sibling and its parents. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "base/util.h"

/* mkdir -p of path's parent directories. */
static int mkdir_parents(const char *path, struct vl_err *err)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return vl_err_sys(err, ENAMETOOLONG, "mkdir parents of %s", path);
	for (char *p = buf + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return vl_err_sys(err, errno, "mkdir parents of %s", path);
		*p = '/';
	}
	return 0;
}

/* Write n bytes to fd and close it: 0, or -1 with errno. */
static int write_close(int fd, const uint8_t *data, size_t n, mode_t mode, bool set_mode)
{
	int r = vl_write_all(fd, data, n), e = errno;

	if (r == 0 && set_mode && fchmod(fd, mode) < 0) {
		r = -1;
		e = errno;
	}
	if (close(fd) < 0 && r == 0) {
		r = -1;
		e = errno;
	}
	errno = e;
	return r;
}

static int append(const char *path, mode_t mode, const uint8_t *data, size_t n, struct vl_err *err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode);

	if (fd < 0)
		return vl_err_sys(err, errno, "open %s", path);
	if (write_close(fd, data, n, mode, false) < 0)
		return vl_err_sys(err, errno, "write %s", path);
	return 0;
}

static int replace(const char *path, mode_t mode, const uint8_t *data, size_t n, struct vl_err *err)
{
	char tmp[PATH_MAX];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.vl-XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return vl_err_sys(err, errno, "create %s", tmp);
	if (write_close(fd, data, n, mode, true) < 0 || rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return vl_err_sys(err, e, "write %s", path);
	}
	return 0;
}

/* OK, or err says why not (its code is ERROR's errno). */
static int write_file(const uint8_t *payload, size_t len, struct vl_err *err)
{
	struct vl_ag_cur c;
	uint32_t mode, flags;
	const char *path;
	const uint8_t *data;
	size_t n;

	vl_ag_cur_init(&c, payload, len);
	mode = vl_ag_get_u32(&c) & 07777;
	flags = vl_ag_get_u32(&c);
	path = vl_ag_get_str(&c, PATH_MAX - 16);
	if (c.bad)
		return vl_err_set(err, EBADMSG, "WRITE_FILE: truncated");
	n = c.left;
	data = vl_ag_get_bytes(&c, n);
	if (path[0] != '/' || (flags & ~(uint32_t)(VL_AG_WF_APPEND | VL_AG_WF_MKDIR)))
		return vl_err_set(err, EINVAL, "WRITE_FILE %s: %s", path,
		                  path[0] != '/' ? "not an absolute path" : "unknown flags");
	if ((flags & VL_AG_WF_MKDIR) && mkdir_parents(path, err) < 0)
		return -1;
	if (flags & VL_AG_WF_APPEND)
		return append(path, (mode_t)mode, data, n, err);
	return replace(path, (mode_t)mode, data, n, err);
}

void ag_write_file(uint32_t id, const uint8_t *payload, size_t len)
{
	struct vl_err err = {0};

	if (write_file(payload, len, &err) < 0)
		ag_send_error(id, err.code, VL_AG_WRITE_FILE, "%s", err.msg);
	else
		ag_send_empty(VL_AG_OK, id);
}
