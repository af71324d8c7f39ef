/* test_fsat: src/base/fsat.c on real files in a directory of its own
 * under /tmp: symbolic links (last, in the middle, absolute, dangling),
 * "..", absolute paths, FIFOs, devices, sockets and directories where a
 * file is meant are each refused, and nothing is read, written or made
 * through them; plain files and directories work. Every case runs twice:
 * through openat2 and by walking components (the kernels without it).
 *
 * Prints "ok <case>: ..." or "FAIL <case>: ..." per case and last exactly
 * "N passed, M failed, K skipped"; exit status 1 iff M > 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/fsat.h"
#include "base/util.h"

#include "check.h"

static char top[64];  /* the test's directory */
static char mode[16]; /* "openat2" or "walk", in case names */
static int dfd;       /* top, opened */

static void put(const char *rel, const char *text, mode_t m)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, m);
	if (fd < 0 || vl_write_all(fd, text, strlen(text)) < 0 || fchmod(fd, m) < 0) {
		perror(path);
		exit(2);
	}
	close(fd);
}

static void do_or_die(int r, const char *what)
{
	if (r < 0) {
		perror(what);
		exit(2);
	}
}

/* Whether path (under top) holds exactly text. */
static bool holds(const char *rel, const char *text)
{
	char path[256], *got = NULL;
	struct vl_err err = {0};
	bool same;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	if (vl_read_file(path, &got, NULL, &err) < 0)
		return false;
	same = !strcmp(got, text);
	free(got);
	return same;
}

static bool exists(const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	return lstat(path, &st) == 0;
}

/* A case name with the mode in it. */
static const char *name(const char *what)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s: %s", mode, what);
	return buf;
}

/* A refusal whose message says want. */
static void refused(const char *what, int r, const struct vl_err *err, const char *want)
{
	result(name(what), r < 0 && strstr(err->msg, want) != NULL, "%s",
	       r < 0 ? err->msg : "accepted");
}

static void setup(void)
{
	char path[256];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s;

	snprintf(top, sizeof(top), "/tmp/test_fsat.XXXXXX");
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		exit(2);
	}
	put("file", "plain\n", 0640);
	put("secret", "secret\n", 0600);
	snprintf(path, sizeof(path), "%s/sub", top);
	do_or_die(mkdir(path, 0755), path);
	put("sub/inner", "inner\n", 0644);
	snprintf(path, sizeof(path), "%s/link", top);
	do_or_die(symlink("file", path), path);
	snprintf(path, sizeof(path), "%s/abslink", top);
	do_or_die(symlink("/etc/passwd", path), path);
	snprintf(path, sizeof(path), "%s/dangling", top);
	do_or_die(symlink("/tmp/test_fsat-never-made", path), path);
	snprintf(path, sizeof(path), "%s/dirlink", top);
	do_or_die(symlink("sub", path), path);
	snprintf(path, sizeof(path), "%s/outlink", top);
	do_or_die(symlink("/tmp", path), path);
	snprintf(path, sizeof(path), "%s/fifo", top);
	do_or_die(mkfifo(path, 0666), path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", top);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	do_or_die(s < 0 ? -1 : bind(s, (struct sockaddr *)&sa, sizeof(sa)), sa.sun_path);
	close(s);
	/* a device like /dev/null, where root may make one */
	snprintf(path, sizeof(path), "%s/null", top);
	if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) < 0)
		fprintf(stderr, "test_fsat: no device made (%s): that case skips\n",
		        strerror(errno));
	dfd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	do_or_die(dfd, top);
}

static void test_read(void)
{
	struct vl_err err = {0};
	char *got = NULL;
	size_t len = 0;
	struct stat st;
	int r;

	r = vl_at_read(dfd, "file", 1024, &got, &len, &st, &err);
	result(name("a plain file is read, with its mode"),
	       r == 0 && !strcmp(got, "plain\n") && len == 6 && (st.st_mode & 07777) == 0640, "%s",
	       r < 0 ? err.msg : "as written");
	free(got), got = NULL;
	r = vl_at_read(dfd, "sub/inner", 1024, &got, NULL, NULL, &err);
	result(name("a file in a directory beneath"), r == 0 && !strcmp(got, "inner\n"), "%s",
	       r < 0 ? err.msg : "as written");
	free(got), got = NULL;
	r = vl_at_read(dfd, "./sub//inner", 1024, &got, NULL, NULL, &err);
	result(name("\".\" and \"//\" are only spelling"), r == 0 && !strcmp(got, "inner\n"), "%s",
	       r < 0 ? err.msg : "as written");
	free(got), got = NULL;
	r = vl_at_read(dfd, "file", 3, &got, NULL, NULL, &err);
	refused("a file larger than the bound", r, &err, "larger than");
	r = vl_at_read(dfd, "link", 1024, &got, NULL, NULL, &err);
	refused("a symbolic link, last", r, &err, "link: a symbolic link (to file), not followed");
	r = vl_at_read(dfd, "abslink", 1024, &got, NULL, NULL, &err);
	refused("an absolute symbolic link", r, &err,
	        "abslink: a symbolic link (to /etc/passwd), not followed");
	r = vl_at_read(dfd, "dirlink/inner", 1024, &got, NULL, NULL, &err);
	refused("a directory's symbolic link in the middle", r, &err,
	        "dirlink: a symbolic link (to sub), not followed");
	r = vl_at_read(dfd, "outlink/test_fsat-x", 1024, &got, NULL, NULL, &err);
	refused("a symbolic link out of the directory", r, &err, "outlink: a symbolic link");
	r = vl_at_read(dfd, "sub/../secret", 1024, &got, NULL, NULL, &err);
	refused("\"..\" inside", r, &err, "\"..\" leads out");
	r = vl_at_read(dfd, "../etc/passwd", 1024, &got, NULL, NULL, &err);
	refused("\"..\" out", r, &err, "\"..\" leads out");
	r = vl_at_read(dfd, "/etc/passwd", 1024, &got, NULL, NULL, &err);
	refused("an absolute path", r, &err, "an absolute path");
	r = vl_at_read(dfd, "fifo", 1024, &got, NULL, NULL, &err);
	refused("a FIFO (not waited on)", r, &err, "fifo: a FIFO, not a regular file");
	r = vl_at_read(dfd, "sock", 1024, &got, NULL, NULL, &err);
	refused("a socket", r, &err, "sock: a socket, not a regular file");
	r = vl_at_read(dfd, "sub", 1024, &got, NULL, NULL, &err);
	refused("a directory", r, &err, "sub: a directory, not a regular file");
	r = vl_at_read(dfd, "file/x", 1024, &got, NULL, NULL, &err);
	refused("a file where a directory is meant", r, &err, "file: a regular file, not a dir");
	r = vl_at_read(dfd, "missing", 1024, &got, NULL, NULL, &err);
	refused("a missing file", r, &err, "missing: No such file");
	if (exists("null")) {
		r = vl_at_read(dfd, "null", 1024, &got, NULL, NULL, &err);
		refused("a character device", r, &err, "null: a character device, not a regular");
	} else {
		printf("skip %s\n", name("a character device: none could be made"));
		nskip++;
	}
}

static void test_open_dirs(void)
{
	struct vl_err err = {0};
	char path[256];
	int fd;

	fd = vl_at_open(dfd, "file", O_WRONLY | O_APPEND, &err);
	result(name("an existing file opened to append"),
	       fd >= 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	       "%s", fd < 0 ? err.msg : "blocking, close-on-exec");
	vl_closep(&fd);
	fd = vl_at_open(dfd, "file", O_RDONLY | O_TRUNC, &err);
	refused("O_TRUNC on an existing file", fd, &err, "not for an existing file");
	fd = vl_at_dir(dfd, "sub", &err);
	result(name("a directory beneath"), fd >= 0, "%s", fd < 0 ? err.msg : "opened");
	vl_closep(&fd);
	fd = vl_at_dir(dfd, ".", &err);
	result(name("\".\", the directory itself"), fd >= 0, "%s", fd < 0 ? err.msg : "opened");
	vl_closep(&fd);
	fd = vl_at_dir(dfd, "dirlink", &err);
	refused("a directory's symbolic link, last", fd, &err, "dirlink: a symbolic link (to sub)");
	fd = vl_at_dir(dfd, "file", &err);
	refused("a file where a directory is meant, last", fd, &err, "not a directory");
	fd = vl_dir_open(top, &err);
	result(name("an absolute directory path"), fd >= 0, "%s", fd < 0 ? err.msg : "opened");
	vl_closep(&fd);
	fd = vl_dir_open("/", &err);
	result(name("\"/\""), fd >= 0, "%s", fd < 0 ? err.msg : "opened");
	vl_closep(&fd);
	snprintf(path, sizeof(path), "%s/dirlink", top);
	fd = vl_dir_open(path, &err);
	refused("an absolute path ending in a symbolic link", fd, &err,
	        "/dirlink: a symbolic link");
	snprintf(path, sizeof(path), "%s/outlink/x", top);
	fd = vl_dir_open(path, &err);
	refused("an absolute path with a symbolic link in it", fd, &err,
	        "/outlink: a symbolic link (to /tmp), not followed");
}

static void test_make(void)
{
	struct vl_err err = {0};
	struct stat st;
	char path[256];
	int fd;

	fd = vl_at_mkdir(dfd, "made", 0700, &err);
	snprintf(path, sizeof(path), "%s/made", top);
	result(name("mkdir beneath, its mode exact"),
	       fd >= 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	           (st.st_mode & 07777) == 0700,
	       "%s", fd < 0 ? err.msg : "0700");
	vl_closep(&fd);
	fd = vl_at_mkdir(dfd, "made", 0755, &err);
	result(name("mkdir of a directory there already"),
	       fd >= 0 && stat(path, &st) == 0 && (st.st_mode & 07777) == 0700, "%s",
	       fd < 0 ? err.msg : "opened, its mode kept");
	vl_closep(&fd);
	fd = vl_at_mkdir(dfd, "made/deeper", 0755, &err);
	result(name("mkdir two deep"), fd >= 0, "%s", fd < 0 ? err.msg : "made");
	vl_closep(&fd);
	fd = vl_at_mkdir(dfd, "dirlink", 0755, &err);
	refused("mkdir on a directory's symbolic link", fd, &err, "dirlink: a symbolic link");
	fd = vl_at_mkdir(dfd, "dirlink/new", 0755, &err);
	refused("mkdir through a directory's symbolic link", fd, &err, "dirlink: a symbolic link");
	result(name("... and nothing made through it"), !exists("sub/new"), "sub/new %s",
	       exists("sub/new") ? "made" : "absent");
	fd = vl_at_mkdir(dfd, "dangling", 0755, &err);
	refused("mkdir on a dangling symbolic link", fd, &err, "dangling: a symbolic link");

	fd = vl_at_create(dfd, "new.log", O_WRONLY, 0600, &err);
	snprintf(path, sizeof(path), "%s/new.log", top);
	result(name("create a new file, its mode exact"),
	       fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600, "%s",
	       fd < 0 ? err.msg : "0600");
	vl_closep(&fd);
	fd = vl_at_create(dfd, "new.log", O_WRONLY, 0600, &err);
	refused("create where a file is", fd, &err, "File exists");
	fd = vl_at_create(dfd, "dangling", O_WRONLY, 0600, &err);
	refused("create on a dangling symbolic link", fd, &err,
	        "dangling: a symbolic link (to /tmp/test_fsat-never-made)");
	result(name("... and nothing made where it points"),
	       access("/tmp/test_fsat-never-made", F_OK) < 0, "target absent");
	fd = vl_at_create(dfd, "dirlink/x.log", O_WRONLY, 0600, &err);
	refused("create through a directory's symbolic link", fd, &err, "dirlink: a symbolic link");
	result(name("... and nothing made through it"), !exists("sub/x.log"), "sub/x.log absent");
}

/* No temporary file left in top or sub. */
static bool no_temps(void)
{
	const char *dirs[] = {top, NULL};
	char sub[256];

	snprintf(sub, sizeof(sub), "%s/sub", top);
	dirs[1] = sub;
	for (size_t i = 0; i < 2; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		bool found = false;

		if (!d)
			return false;
		while ((e = readdir(d)))
			found |= strstr(e->d_name, ".tmp") != NULL;
		closedir(d);
		if (found)
			return false;
	}
	return true;
}

static void test_write(void)
{
	struct vl_err err = {0};
	struct stat st;
	char path[256];
	int r;

	r = vl_at_write(dfd, "sub/out", "one\n", 4, 0640, &err);
	snprintf(path, sizeof(path), "%s/sub/out", top);
	result(name("write a new file, its mode exact"),
	       r == 0 && holds("sub/out", "one\n") && stat(path, &st) == 0 &&
	           (st.st_mode & 07777) == 0640,
	       "%s", r < 0 ? err.msg : "0640");
	r = vl_at_write(dfd, "sub/out", "two\n", 4, 0600, &err);
	result(name("write over a regular file"),
	       r == 0 && holds("sub/out", "two\n") && stat(path, &st) == 0 &&
	           (st.st_mode & 07777) == 0600,
	       "%s", r < 0 ? err.msg : "replaced, 0600");
	r = vl_at_write(dfd, "link", "x\n", 2, 0600, &err);
	refused("write on a symbolic link", r, &err,
	        "link: a symbolic link (to file), not followed");
	result(name("... its target untouched, the link kept"),
	       holds("file", "plain\n") && lstat(path, &st) == 0 && exists("link"), "as they were");
	r = vl_at_write(dfd, "dangling", "x\n", 2, 0600, &err);
	refused("write on a dangling symbolic link", r, &err, "dangling: a symbolic link");
	result(name("... nothing made where it points"),
	       access("/tmp/test_fsat-never-made", F_OK) < 0, "target absent");
	r = vl_at_write(dfd, "dirlink/out2", "x\n", 2, 0600, &err);
	refused("write through a directory's symbolic link", r, &err, "dirlink: a symbolic link");
	result(name("... nothing written through it"), !exists("sub/out2"), "sub/out2 absent");
	r = vl_at_write(dfd, "outlink/test_fsat-out", "x\n", 2, 0600, &err);
	refused("write through a link out of the directory", r, &err, "outlink: a symbolic link");
	result(name("... nothing written outside"), access("/tmp/test_fsat-out", F_OK) < 0,
	       "absent");
	r = vl_at_write(dfd, "fifo", "x\n", 2, 0600, &err);
	refused("write on a FIFO", r, &err, "fifo: a FIFO, not a regular file");
	r = vl_at_write(dfd, "sub", "x\n", 2, 0600, &err);
	refused("write on a directory", r, &err, "sub: a directory");
	r = vl_at_write(dfd, "../test_fsat-out", "x\n", 2, 0600, &err);
	refused("write with \"..\"", r, &err, "\"..\" leads out");
	result(name("no temporary file left"), no_temps(), "none");
}

int main(void)
{
	int fds;

	umask(022);
	setup();
	fds = open_fds();
	for (int pass = 0; pass < 2; pass++) {
		vl_fsat_walk_only = pass == 1;
		snprintf(mode, sizeof(mode), "%s", pass ? "walk" : "openat2");
		test_read();
		test_open_dirs();
		test_make();
		/* what test_make and test_write made, gone for the next pass */
		unlinkat(dfd, "new.log", 0);
		unlinkat(dfd, "made/deeper", AT_REMOVEDIR);
		unlinkat(dfd, "made", AT_REMOVEDIR);
		test_write();
		unlinkat(dfd, "sub/out", 0);
	}
	result("no descriptor left open", open_fds() == fds, "%d before, %d after", fds,
	       open_fds());
	close(dfd);
	{
		struct vl_err err = {0};
		char *rm[] = {"rm", "-rf", top, NULL};

		if (vl_spawn_wait(rm, false, &err) < 0)
			fprintf(stderr, "test_fsat: %s\n", err.msg);
	}
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
