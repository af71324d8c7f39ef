/* The lab's block of the host's /etc/hosts (etc_hosts.h). Touches
 * /etc/hosts (or the file it links to) only, and of it only the lines
 * between the lab's markers, and <run>/.host/hosts.redo while a write in
 * place is under way. */
#include "lab/etc_hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "lab/lab.h"

#define HOSTS_MAX ((size_t)16 << 20)
#define REDO_DIR  VL_RUN_DIR "/.host"
#define REDO      REDO_DIR "/hosts.redo"

/* The text without the lab's block, into out. */
static void without_block(const char *lab, const char *text, size_t len, struct vl_buf *out)
{
	char start[128], end[128];
	bool in = false;

	snprintf(start, sizeof(start), "###### VNETLAB-%s-START ######", lab);
	snprintf(end, sizeof(end), "###### VNETLAB-%s-END ######", lab);
	for (const char *s = text, *e; s < text + len; s = e) {
		size_t n;

		e = memchr(s, '\n', (size_t)(text + len - s));
		e = e ? e + 1 : text + len;
		n = (size_t)(e - s) - (e[-1] == '\n');
		if (!in && n == strlen(start) && !memcmp(s, start, n))
			in = true;
		else if (in && n == strlen(end) && !memcmp(s, end, n))
			in = false;
		else if (!in)
			vl_buf_add(out, s, (size_t)(e - s));
	}
}

/* The file to change: /etc/hosts, or where it links to (a system that
 * manages it so, as NixOS does); a regular file. */
static int resolve(char path[PATH_MAX], struct stat *st, struct vl_err *err)
{
	struct stat lst;

	if (lstat(VL_ETC_HOSTS, &lst) < 0)
		return vl_err_sys(err, errno, "%s", VL_ETC_HOSTS);
	if (!S_ISLNK(lst.st_mode)) {
		snprintf(path, PATH_MAX, "%s", VL_ETC_HOSTS);
	} else if (!realpath(VL_ETC_HOSTS, path)) {
		return vl_err_sys(err, errno, "%s is a symbolic link that does not resolve",
		                  VL_ETC_HOSTS);
	}
	if (stat(path, st) < 0)
		return vl_err_sys(err, errno, "%s", path);
	if (!S_ISREG(st->st_mode))
		return vl_err_set(err, EINVAL, "%s is not a regular file", path);
	return 0;
}

static int open_for_write(const char *path, struct vl_err *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	return fd < 0 ? vl_err_sys(err, errno, "open %s", path) : fd;
}

/* text written over the file in place, then cut to its length. */
static int write_in_place(int fd, const char *path, const char *text, size_t len,
                          struct vl_err *err)
{
	if (pwrite(fd, text, len, 0) != (ssize_t)len || ftruncate(fd, (off_t)len) < 0 ||
	    fsync(fd) < 0)
		return vl_err_sys(err, errno, "write %s", path);
	return 0;
}

/* A write in place that died half done (a kill between the write and the
 * truncation leaves another tail on the file): finished from its record,
 * "DEV INO PATH\nTEXT", if that names the very file /etc/hosts is now. */
static int finish_redo(struct vl_err *err)
{
	cleanup_free char *text = NULL;
	char target[PATH_MAX], now[PATH_MAX], *nl;
	unsigned long long dev, ino;
	cleanup_close int fd = -1;
	struct stat st;
	size_t len;
	int off = 0;

	if (vl_read_file_max(REDO, HOSTS_MAX + PATH_MAX + 64, &text, &len, NULL) < 0)
		return 0;
	if (!(nl = memchr(text, '\n', len)) || nl - text >= PATH_MAX) {
		unlink(REDO);
		return 0;
	}
	*nl = '\0';
	if (sscanf(text, "%llu %llu %n", &dev, &ino, &off) != 2 || !off || text[off] != '/' ||
	    resolve(now, &st, NULL) < 0 || strcmp(now, text + off) || st.st_dev != dev ||
	    st.st_ino != ino) {
		unlink(REDO); /* another file now: not ours to write */
		return 0;
	}
	snprintf(target, sizeof(target), "%s", now);
	if ((fd = open_for_write(target, err)) < 0 ||
	    write_in_place(fd, target, nl + 1, len - (size_t)(nl + 1 - text), err) < 0)
		return vl_err_wrap(err, "finish the write of %s that a vnetlab began (%s)", target,
		                   REDO);
	if (unlink(REDO) < 0 && errno != ENOENT)
		return vl_err_sys(err, errno, "remove %s", REDO);
	rmdir(REDO_DIR); /* if nothing else is there */
	return 0;
}

/* Written in place, never renamed over: the nodes' own hosts files are
 * bound over /etc/hosts in their mount namespaces, and the kernel detaches
 * every mount on a file that is renamed over or unlinked (in every
 * namespace), so a rename would take every running lab's names from its
 * nodes; and a bind-mounted /etc/hosts (a container's) cannot be renamed
 * over at all. The new text is kept first in a record from which the next
 * vnetlab to take the host lock (clean among them) finishes a write that
 * was killed half-way. */
static int write_redo(const char *path, const struct stat *st, const char *text, size_t len,
                      struct vl_err *err)
{
	cleanup_buf struct vl_buf b = {0};
	cleanup_close int fd = open_for_write(path, err);

	/* a file that cannot be written: no record, nothing changed */
	if (fd < 0)
		return -1;
	if (mkdir(REDO_DIR, 0700) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", REDO_DIR);
	vl_buf_printf(&b, "%llu %llu %s\n", (unsigned long long)st->st_dev,
	              (unsigned long long)st->st_ino, path);
	vl_buf_add(&b, text, len);
	if (vl_write_file_mode(REDO, b.s, b.len, 0600, err) < 0 ||
	    write_in_place(fd, path, text, len, err) < 0)
		return -1;
	unlink(REDO);
	rmdir(REDO_DIR); /* if nothing else is there */
	return 0;
}

static int rewrite(const char *lab, const char *lines, struct vl_err *err)
{
	cleanup_free char *text = NULL;
	cleanup_buf struct vl_buf b = {0};
	char path[PATH_MAX];
	struct stat st;
	size_t len = 0;
	int r;

	if (finish_redo(err) < 0)
		return -1;
	if (resolve(path, &st, err) < 0)
		return err->code == ENOENT && !lines ? 0 : -1;
	if (vl_read_file_max(path, HOSTS_MAX, &text, &len, err) < 0)
		return -1;
	without_block(lab, text, len, &b);
	if (lines) {
		cleanup_buf struct vl_buf o = {0};
		size_t at = b.len;

		/* before a last line without its newline, so that taking the
		 * block out again gives back the file byte for byte */
		while (at && b.s[at - 1] != '\n')
			at--;
		vl_buf_add(&o, b.s ? b.s : "", at);
		vl_buf_printf(&o,
		              "###### VNETLAB-%s-START ######\n%s###### VNETLAB-%s-END ######\n",
		              lab, lines, lab);
		vl_buf_add(&o, b.s ? b.s + at : "", b.len - at);
		vl_buf_free(&b);
		b = o;
		o = (struct vl_buf){0};
	}
	if (b.len == len && (!len || !memcmp(b.s, text, len)))
		return 0;
	r = write_redo(path, &st, b.s ? b.s : "", b.len, err);
	if (r < 0 && (err->code == EROFS || err->code == EACCES || err->code == EPERM))
		return -2;
	return r;
}

int vl_etc_hosts_set(const char *lab, const char *lines, struct vl_err *err)
{
	int r = rewrite(lab, lines, err);

	/* the file the system keeps read-only: the lab goes on without it */
	if (r == -2) {
		vl_err_wrap(err, "the nodes' names are not in the host's %s", VL_ETC_HOSTS);
		return 1;
	}
	return r;
}

int vl_etc_hosts_remove(const char *lab, struct vl_err *err)
{
	return rewrite(lab, NULL, err) < 0 ? -1 : 0;
}

int vl_etc_hosts_recover(struct vl_err *err)
{
	return finish_redo(err);
}
