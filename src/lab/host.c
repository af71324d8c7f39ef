/* Host settings shared by labs (host.h). Touches <run>/.host/ and the
 * sysctls of vl_host_known() only. */
#include "lab/host.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "lab/lab.h"
#include "sys/ns.h"

#define HOST_DIR VL_RUN_DIR "/.host"
#define MAX_VAL  (1ul << 31)

static const char *const known[] = {"net/core/netdev_max_backlog", "net/ipv4/ip_forward",
                                    "net/ipv4/neigh/default/gc_thresh2",
                                    "net/ipv4/neigh/default/gc_thresh3"};

bool vl_host_known(const char *key)
{
	for (size_t i = 0; i < VL_ARRAY_SIZE(known); i++)
		if (!strcmp(key, known[i]))
			return true;
	return false;
}

/* "<run>/.host/net.core.netdev_max_backlog" */
static void record_path(const char *key, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s/", HOST_DIR);

	for (; *key && n + 1 < len; key++)
		buf[n++] = *key == '/' ? '.' : *key;
	buf[n] = '\0';
}

int vl_host_lock(struct vl_err *err)
{
	int fd;

	/* the run dir itself is the lock: nothing is left behind for it */
	if (mkdir(VL_RUN_DIR, 0711) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", VL_RUN_DIR);
	fd = open(VL_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return vl_err_sys(err, errno, "open %s", VL_RUN_DIR);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			int e = errno;

			close(fd);
			return vl_err_sys(err, e, "lock %s", VL_RUN_DIR);
		}
	return fd;
}

static int read_value(const char *key, unsigned long *v, struct vl_err *err)
{
	char path[PATH_MAX];
	cleanup_free char *s = NULL;

	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	if (vl_read_file(path, &s, NULL, err) < 0)
		return -1;
	s[strcspn(s, "\n")] = '\0';
	if (vl_parse_uint(s, 0, MAX_VAL, v) < 0)
		return vl_err_set(err, EINVAL, "%s: \"%s\" is not a number", path, s);
	return 0;
}

static int write_value(const char *key, unsigned long v, struct vl_err *err)
{
	char val[32];

	snprintf(val, sizeof(val), "%lu", v);
	return vl_sysctl_write(key, val, err);
}

/* The shared record: 1 and {host's value, value set} if there is one. */
static int read_record(const char *key, unsigned long rec[2])
{
	char path[PATH_MAX], a[32], b[32];
	cleanup_free char *s = NULL;
	size_t len;

	record_path(key, path, sizeof(path));
	if (vl_read_file(path, &s, &len, NULL) < 0 || len > 64 ||
	    sscanf(s, "%31s %31s", a, b) != 2 || vl_parse_uint(a, 0, MAX_VAL, &rec[0]) < 0 ||
	    vl_parse_uint(b, 0, MAX_VAL, &rec[1]) < 0)
		return 0;
	return 1;
}

static int write_record(const char *key, const unsigned long rec[2], struct vl_err *err)
{
	char path[PATH_MAX], line[64];

	if (mkdir(HOST_DIR, 0700) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", HOST_DIR);
	record_path(key, path, sizeof(path));
	snprintf(line, sizeof(line), "%lu %lu\n", rec[0], rec[1]);
	return vl_write_file(path, line, strlen(line), err);
}

int vl_host_base(const char *key, unsigned long *base, struct vl_err *err)
{
	unsigned long rec[2];

	if (read_record(key, rec)) {
		*base = rec[0];
		return 0;
	}
	return read_value(key, base, err);
}

int vl_host_raise(const char *key, unsigned long need, struct vl_err *err)
{
	unsigned long rec[2], cur;
	int have = read_record(key, rec);

	if (read_value(key, &cur, err) < 0)
		return -1;
	if (!have)
		rec[0] = rec[1] = cur;
	if (cur >= need)
		return have ? 0 : write_record(key, rec, err);
	rec[1] = need;
	if (write_record(key, rec, err) < 0)
		return -1;
	return write_value(key, need, err);
}

int vl_host_restore(const char *key, const unsigned long *fallback, struct vl_err *err)
{
	char path[PATH_MAX];
	unsigned long rec[2], cur;

	if (!read_record(key, rec)) {
		if (!fallback)
			return 0;
		rec[0] = fallback[0];
		rec[1] = fallback[1];
	}
	/* Someone set it since: theirs stays. */
	if (read_value(key, &cur, NULL) == 0 && cur == rec[1] && cur != rec[0] &&
	    write_value(key, rec[0], err) < 0)
		return -1;
	record_path(key, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		return vl_err_sys(err, errno, "remove %s", path);
	rmdir(HOST_DIR); /* if it was the last */
	return 0;
}

int vl_host_changed(char ***keys, size_t *n, struct vl_err *err)
{
	char **v = NULL;
	size_t cnt = 0, cap = 0;
	char path[PATH_MAX];

	for (size_t i = 0; i < VL_ARRAY_SIZE(known); i++) {
		record_path(known[i], path, sizeof(path));
		if (access(path, F_OK) < 0) {
			if (errno != ENOENT) {
				vl_strv_free(v, cnt);
				return vl_err_sys(err, errno, "%s", path);
			}
			continue;
		}
		vl_grow(&v, &cap, cnt, sizeof(*v));
		v[cnt++] = vl_xstrdup(known[i]);
	}
	*keys = v;
	*n = cnt;
	return 0;
}
