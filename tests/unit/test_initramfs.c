/* test_initramfs: the newc writer of src/vm/initramfs.c. An archive of
 * every kind of entry is written and read back three ways: by a parser of
 * this file (header fields, alignment, inode numbers, trailer, padding),
 * by `cpio -t` / `cpio -tv` (names in order, types, modes, device numbers,
 * link targets) and by `cpio -i` into a directory (contents, sizes, modes,
 * link targets, device nodes). The same inputs must give the same bytes; a
 * busybox image must run once unpacked; every adder's error and every
 * write error is checked, with no file or descriptor left behind.
 *
 * The cpio cases are skipped, with the reason, when GNU cpio is missing
 * (Debian package cpio); device nodes are unpacked only as root.
 *
 * Prints "ok <case>: ..." / "FAIL <case>: ..." / "skip <case>: <reason>"
 * and last exactly "N passed, M failed, K skipped"; exit status 1 iff
 * M > 0. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "vm/initramfs.h"

#include "check.h"

static char tmpdir[] = "/tmp/test_initramfs.XXXXXX";

static void skip(const char *name, const char *why)
{
	printf("skip %s: %s\n", name, why);
	fflush(stdout);
	nskip++;
}

/* Run argv with stdin from in_path (or /dev/null) in directory cwd (or
 * here); its stdout (and stderr) into *out. Returns the exit status, or
 * -1 if it did not exit. */
static int run(char *const argv[], const char *in_path, const char *cwd, struct vl_buf *out)
{
	int pfd[2], status;
	pid_t pid;
	char chunk[4096];
	ssize_t r;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int in = open(in_path ? in_path : "/dev/null", O_RDONLY | O_CLOEXEC);

		if (in < 0 || dup2(in, 0) < 0 || dup2(pfd[1], 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(126);
		if (cwd && chdir(cwd) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	while ((r = read(pfd[0], chunk, sizeof(chunk))) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			vl_buf_add(out, chunk, (size_t)r);
	close(pfd[0]);
	if (!out->s)
		vl_buf_add(out, "", 0);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool have_cpio(void)
{
	struct vl_buf out = {0};
	char *argv[] = {"cpio", "--version", NULL};
	bool ok = run(argv, NULL, NULL, &out) == 0 && strstr(out.s, "GNU cpio");

	vl_buf_free(&out);
	return ok;
}

/* --- what the archive holds --------------------------------------------------------- */

enum kind { DIR_, FILE_, DATA_, LINK_, NODE_ };

struct want {
	const char *path; /* as given to the adder */
	const char *name; /* as it must appear in the archive */
	enum kind kind;
	mode_t mode; /* full mode expected in the archive */
	const char *host;
	const char *text; /* DATA_ contents, LINK_ target */
	unsigned major, minor;
};

/* Host files the archive copies, made by make_host_files(). */
static char big_path[256], empty_path[256], odd_path[256];
static char *big_data;
static size_t big_len = 200003; /* > the writer's 64 KiB buffer, not a multiple of 4 */

static int make_host_files(void)
{
	struct vl_err err = {0};

	big_data = vl_xmalloc(big_len);
	srand(7);
	for (size_t i = 0; i < big_len; i++)
		big_data[i] = (char)(rand() & 0xff);
	snprintf(big_path, sizeof(big_path), "%s/big.bin", tmpdir);
	snprintf(empty_path, sizeof(empty_path), "%s/empty", tmpdir);
	snprintf(odd_path, sizeof(odd_path), "%s/odd", tmpdir);
	if (vl_write_file(big_path, big_data, big_len, &err) < 0 ||
	    vl_write_file(empty_path, "", 0, &err) < 0 ||
	    vl_write_file(odd_path, "abc", 3, &err) < 0) {
		fprintf(stderr, "test_initramfs: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* Implied parents appear before their first child, in the order the
 * adders name them; "lib" is implied first and given a mode later. */
static const struct want wants[] = {
    {"/bin", "bin", DIR_, S_IFDIR | 0755, NULL, NULL, 0, 0},
    {"etc/", "etc", DIR_, S_IFDIR | 0700, NULL, NULL, 0, 0},
    {"bin/big", "bin/big", FILE_, S_IFREG | 0755, big_path, NULL, 0, 0},
    {"/bin/empty", "bin/empty", FILE_, S_IFREG | 0644, empty_path, NULL, 0, 0},
    {"etc/odd", "etc/odd", FILE_, S_IFREG | 0600, odd_path, NULL, 0, 0},
    {"etc/hosts", "etc/hosts", DATA_, S_IFREG | 0644, NULL, "127.0.0.1 localhost\n", 0, 0},
    {"etc/nothing", "etc/nothing", DATA_, S_IFREG | 0400, NULL, "", 0, 0},
    {NULL, "lib", DIR_, S_IFDIR | 0711, NULL, NULL, 0, 0},
    {NULL, "lib/modules", DIR_, S_IFDIR | 0755, NULL, NULL, 0, 0},
    {NULL, "lib/modules/6.1", DIR_, S_IFDIR | 0755, NULL, NULL, 0, 0},
    {"lib/modules/6.1/virtio.ko", "lib/modules/6.1/virtio.ko", FILE_, S_IFREG | 0644, odd_path,
     NULL, 0, 0},
    {"bin/sh", "bin/sh", LINK_, S_IFLNK | 0777, NULL, "big", 0, 0},
    {"init", "init", LINK_, S_IFLNK | 0777, NULL, "/bin/big", 0, 0},
    {NULL, "dev", DIR_, S_IFDIR | 0755, NULL, NULL, 0, 0},
    {"dev/console", "dev/console", NODE_, S_IFCHR | 0600, NULL, NULL, 5, 1},
    {"dev/null", "dev/null", NODE_, S_IFCHR | 0666, NULL, NULL, 1, 3},
    {"dev/vda", "dev/vda", NODE_, S_IFBLK | 0660, NULL, NULL, 254, 0},
    {NULL, "run", DIR_, S_IFDIR | 0755, NULL, NULL, 0, 0},
    {"run/fifo", "run/fifo", NODE_, S_IFIFO | 0620, NULL, NULL, 0, 0},
    {"/etc/suid", "etc/suid", DATA_, S_IFREG | 04711, NULL, "#!/bin/sh\n", 0, 0},
};

static struct vl_initramfs *build(void)
{
	struct vl_initramfs *ir = vl_initramfs_new();
	int rc = 0;

	for (size_t i = 0; i < VL_ARRAY_SIZE(wants); i++) {
		const struct want *w = &wants[i];

		if (!w->path)
			continue;
		switch (w->kind) {
		case DIR_:
			rc |= vl_initramfs_dir(ir, w->path, w->mode & 07777);
			break;
		case FILE_:
			rc |= vl_initramfs_file(ir, w->path, w->host, w->mode & 07777);
			break;
		case DATA_:
			rc |= vl_initramfs_data(ir, w->path, w->text, strlen(w->text),
			                        w->mode & 07777);
			break;
		case LINK_:
			rc |= vl_initramfs_link(ir, w->path, w->text);
			break;
		case NODE_:
			rc |= vl_initramfs_node(ir, w->path, w->mode, w->major, w->minor);
			break;
		}
		/* "lib" was implied by the module; naming it now sets its mode */
		if (strcmp(w->name, "lib/modules/6.1/virtio.ko") == 0)
			rc |= vl_initramfs_dir(ir, "lib", 0711);
	}
	if (rc) {
		vl_initramfs_free(ir);
		return NULL;
	}
	return ir;
}

static const char *want_data(const struct want *w, size_t *len)
{
	if (w->kind == DATA_ || w->kind == LINK_) {
		*len = strlen(w->text);
		return w->text;
	}
	if (w->kind == FILE_) {
		if (w->host == big_path) {
			*len = big_len;
			return big_data;
		}
		*len = w->host == odd_path ? 3 : 0;
		return w->host == odd_path ? "abc" : "";
	}
	*len = 0;
	return "";
}

/* --- our own reading of the archive ------------------------------------------------ */

static unsigned long field(const char *h, int i)
{
	char f[9];

	memcpy(f, h + 6 + 8 * i, 8);
	f[8] = '\0';
	return strtoul(f, NULL, 16);
}

static void check_parse(const char *data, size_t len, struct vl_buf *why)
{
	size_t off = 0, i = 0;
	unsigned long inos[64];
	size_t nino = 0;

	if (len % 512)
		why_add(why, "size %zu not a multiple of 512", len);
	for (;;) {
		const char *h = data + off;
		unsigned long mode, nlink, size, namesize, ino;
		const char *name;

		if (off + 110 > len) {
			why_add(why, "truncated header at %zu", off);
			return;
		}
		if (memcmp(h, "070701", 6) != 0) {
			why_add(why, "bad magic at %zu", off);
			return;
		}
		for (const char *c = h + 6; c < h + 110; c++)
			if (!strchr("0123456789ABCDEF", *c)) {
				why_add(why, "header at %zu: '%c' is not upper-case hex", off, *c);
				return;
			}
		ino = field(h, 0);
		mode = field(h, 1);
		nlink = field(h, 4);
		size = field(h, 6);
		namesize = field(h, 11);
		name = h + 110;
		if (field(h, 2) || field(h, 3) || field(h, 5) || field(h, 7) || field(h, 8) ||
		    field(h, 12))
			why_add(why, "entry at %zu: uid, gid, mtime, dev or check not 0", off);
		if (off + 110 + namesize > len || name[namesize - 1] != '\0' ||
		    strlen(name) + 1 != namesize) {
			why_add(why, "entry at %zu: bad name size %lu", off, namesize);
			return;
		}
		off += (110 + namesize + 3) & ~(size_t)3;
		if (strcmp(name, "TRAILER!!!") == 0) {
			if (i != VL_ARRAY_SIZE(wants))
				why_add(why, "trailer after %zu entries, want %zu", i,
				        VL_ARRAY_SIZE(wants));
			if (mode || size || nlink != 1 || ino)
				why_add(why, "trailer fields not 0 (nlink 1)");
			for (size_t k = off; k < len; k++)
				if (data[k]) {
					why_add(why, "non-zero byte after the trailer at %zu", k);
					break;
				}
			if (len - off >= 512)
				why_add(why, "%zu bytes of padding", len - off);
			return;
		}
		if (i >= VL_ARRAY_SIZE(wants)) {
			why_add(why, "extra entry %s", name);
			return;
		}
		const struct want *w = &wants[i++];
		size_t wlen;
		const char *wdata = want_data(w, &wlen);

		if (strcmp(name, w->name) != 0)
			why_add(why, "entry %zu is %s, want %s", i, name, w->name);
		if (mode != w->mode)
			why_add(why, "%s: mode 0%lo, want 0%o", name, mode, (unsigned)w->mode);
		if (nlink != (S_ISDIR(w->mode) ? 2u : 1u))
			why_add(why, "%s: nlink %lu", name, nlink);
		if (field(h, 9) != w->major || field(h, 10) != w->minor)
			why_add(why, "%s: rdev %lu:%lu, want %u:%u", name, field(h, 9),
			        field(h, 10), w->major, w->minor);
		if (!ino)
			why_add(why, "%s: inode 0", name);
		for (size_t k = 0; k < nino; k++)
			if (inos[k] == ino)
				why_add(why, "%s: inode %lu used twice", name, ino);
		if (nino < VL_ARRAY_SIZE(inos))
			inos[nino++] = ino;
		if (size != wlen || off + size > len || memcmp(data + off, wdata, wlen) != 0)
			why_add(why, "%s: %lu bytes of data differ from the %zu wanted", name, size,
			        wlen);
		off += (size + 3) & ~(size_t)3;
	}
}

/* --- cpio's reading ---------------------------------------------------------------- */

/* ls -l's spelling of a mode, as cpio -tv prints it. */
static void mode_string(mode_t m, char s[11])
{
	static const char rwx[] = "rwxrwxrwx";

	s[0] = S_ISDIR(m)    ? 'd'
	       : S_ISLNK(m)  ? 'l'
	       : S_ISCHR(m)  ? 'c'
	       : S_ISBLK(m)  ? 'b'
	       : S_ISFIFO(m) ? 'p'
	                     : '-';
	for (int i = 0; i < 9; i++)
		s[1 + i] = (m & (0400u >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		s[3] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID)
		s[6] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX)
		s[9] = (m & S_IXOTH) ? 't' : 'T';
	s[10] = '\0';
}

static void check_cpio_list(const char *archive, struct vl_buf *why)
{
	struct vl_buf out = {0}, vout = {0}, want = {0};
	char *argv[] = {"cpio", "-t", "--quiet", NULL};
	char *vargv[] = {"cpio", "-tv", "--quiet", NULL};
	char *line, *save = NULL;
	size_t i = 0;

	for (size_t k = 0; k < VL_ARRAY_SIZE(wants); k++)
		vl_buf_printf(&want, "%s\n", wants[k].name);
	if (run(argv, archive, NULL, &out) != 0)
		why_add(why, "cpio -t failed: %s", out.s);
	else if (strcmp(out.s, want.s) != 0)
		why_add(why, "cpio -t lists\n%s\nwant\n%s", out.s, want.s);
	if (run(vargv, archive, NULL, &vout) != 0) {
		why_add(why, "cpio -tv failed: %s", vout.s);
		goto out;
	}
	/* "crw-------   1 root     root       5,   1 Jan  1  1970 dev/console"
	 * "lrwxrwxrwx   1 root     root            3 Jan  1  1970 bin/sh -> big" */
	for (line = strtok_r(vout.s, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		char perms[16], user[32], group[32], mon[8], rest[512], ms[11];
		unsigned nlink, maj, mnr, day, year;
		unsigned long size;
		char want_rest[512];
		const struct want *w;
		int n;

		if (i >= VL_ARRAY_SIZE(wants)) {
			why_add(why, "cpio -tv: extra line %s", line);
			break;
		}
		w = &wants[i];
		mode_string(w->mode, ms);
		if (S_ISCHR(w->mode) || S_ISBLK(w->mode))
			n = sscanf(line, "%15s %u %31s %31s %u, %u %7s %u %u %511[^\n]", perms,
			           &nlink, user, group, &maj, &mnr, mon, &day, &year, rest) -
			    1;
		else
			n = sscanf(line, "%15s %u %31s %31s %lu %7s %u %u %511[^\n]", perms, &nlink,
			           user, group, &size, mon, &day, &year, rest);
		if (n != 9) {
			why_add(why, "cpio -tv: cannot read '%s'", line);
			continue;
		}
		if (S_ISLNK(w->mode))
			snprintf(want_rest, sizeof(want_rest), "%s -> %s", w->name, w->text);
		else
			snprintf(want_rest, sizeof(want_rest), "%s", w->name);
		if (strcmp(perms, ms) != 0 || strcmp(user, "root") != 0 ||
		    strcmp(group, "root") != 0 || strcmp(rest, want_rest) != 0 || year != 1970 ||
		    ((S_ISCHR(w->mode) || S_ISBLK(w->mode)) &&
		     (maj != w->major || mnr != w->minor)))
			why_add(why, "cpio -tv: '%s', want %s %s%s", line, ms, want_rest,
			        S_ISCHR(w->mode) || S_ISBLK(w->mode) ? " with its device" : "");
	}
	if (i != VL_ARRAY_SIZE(wants))
		why_add(why, "cpio -tv: %zu lines, want %zu", i, VL_ARRAY_SIZE(wants));
out:
	vl_buf_free(&out);
	vl_buf_free(&vout);
	vl_buf_free(&want);
}

static void check_cpio_extract(const char *archive, struct vl_buf *why)
{
	cleanup_free char *dir = vl_xasprintf("%s/x", tmpdir);
	bool root = geteuid() == 0;
	struct vl_buf out = {0};
	/* unprivileged, cpio cannot make device nodes: leave them out */
	char *argv[] = {
	    "cpio",      "-i", "-d", "-m", "--quiet", "--no-absolute-filenames", root ? NULL : "-f",
	    "dev/[cv]*", NULL};

	if (mkdir(dir, 0755) < 0) {
		why_add(why, "mkdir %s: %s", dir, strerror(errno));
		return;
	}
	if (run(argv, archive, dir, &out) != 0) {
		why_add(why, "cpio -i failed: %s", out.s);
		vl_buf_free(&out);
		return;
	}
	vl_buf_free(&out);
	for (size_t i = 0; i < VL_ARRAY_SIZE(wants); i++) {
		const struct want *w = &wants[i];
		cleanup_free char *p = vl_xasprintf("%s/%s", dir, w->name);
		cleanup_free char *got = NULL;
		size_t wlen, glen = 0;
		const char *wdata = want_data(w, &wlen);
		struct stat st;
		struct vl_err err = {0};

		if (lstat(p, &st) < 0) {
			if (!root && (S_ISCHR(w->mode) || S_ISBLK(w->mode)))
				continue;
			why_add(why, "%s not unpacked", w->name);
			continue;
		}
		/* a directory's mode is the archive's, a FIFO's too; cpio
		 * applies the archive's modes exactly (no umask) */
		if (st.st_mode != w->mode)
			why_add(why, "%s: unpacked with mode 0%o, want 0%o", w->name,
			        (unsigned)st.st_mode, (unsigned)w->mode);
		if (S_ISREG(w->mode)) {
			if (vl_read_file(p, &got, &glen, &err) < 0)
				why_add(why, "%s", err.msg);
			else if (glen != wlen || memcmp(got, wdata, wlen) != 0)
				why_add(why, "%s: %zu bytes unpacked differ from the %zu wanted",
				        w->name, glen, wlen);
			if (st.st_mtime != 0)
				why_add(why, "%s: mtime %ld", w->name, (long)st.st_mtime);
		} else if (S_ISLNK(w->mode)) {
			char target[256];
			ssize_t n = readlink(p, target, sizeof(target) - 1);

			if (n < 0 || (target[n] = '\0', strcmp(target, w->text) != 0))
				why_add(why, "%s: link to '%s', want '%s'", w->name,
				        n < 0 ? strerror(errno) : target, w->text);
		} else if (S_ISCHR(w->mode) || S_ISBLK(w->mode)) {
			if (major(st.st_rdev) != w->major || minor(st.st_rdev) != w->minor)
				why_add(why, "%s: device %u:%u, want %u:%u", w->name,
				        major(st.st_rdev), minor(st.st_rdev), w->major, w->minor);
		}
	}
}

/* --- cases ------------------------------------------------------------------------ */

static void test_archive(bool cpio)
{
	cleanup_free char *out = vl_xasprintf("%s/a.cpio", tmpdir);
	cleanup_free char *out2 = vl_xasprintf("%s/b.cpio", tmpdir);
	cleanup_free char *a = NULL, *b = NULL;
	struct vl_initramfs *ir = build();
	struct vl_err err = {0};
	struct vl_buf why = {0};
	size_t alen = 0, blen = 0;
	struct stat st;

	if (!ir) {
		result("archive", 0, "an adder failed on valid input");
		return;
	}
	if (vl_initramfs_write(ir, out, &err) < 0 || vl_initramfs_write(ir, out2, &err) < 0) {
		result("archive", 0, "write: %s", err.msg);
		vl_initramfs_free(ir);
		return;
	}
	vl_initramfs_free(ir);
	if (vl_read_file(out, &a, &alen, &err) < 0 || vl_read_file(out2, &b, &blen, &err) < 0) {
		result("archive", 0, "%s", err.msg);
		return;
	}
	if (stat(out, &st) == 0 && (st.st_mode & 07777) != 0644)
		why_add(&why, "archive file mode 0%o, want 0644", (unsigned)(st.st_mode & 07777));
	check_parse(a, alen, &why);
	result("archive", !why.len, "%s", why.len ? why.s : "20 entries parsed back");
	vl_buf_free(&why);

	result("deterministic", alen == blen && memcmp(a, b, alen) == 0,
	       "the same entries written twice: %zu and %zu bytes, %s", alen, blen,
	       alen == blen && memcmp(a, b, alen) == 0 ? "identical" : "different");

	if (!cpio) {
		skip("cpio-list", "no GNU cpio (Debian package cpio) to read the archive back");
		skip("cpio-extract", "no GNU cpio (Debian package cpio) to read the archive back");
		return;
	}
	check_cpio_list(out, &why);
	result("cpio-list", !why.len, "%s", why.len ? why.s : "cpio -t and -tv agree");
	vl_buf_free(&why);
	check_cpio_extract(out, &why);
	result("cpio-extract", !why.len, "%s",
	       why.len          ? why.s
	       : geteuid() == 0 ? "cpio -i: contents, modes, links, devices"
	                        : "cpio -i: contents, modes, links (no devices: not root)");
	vl_buf_free(&why);
}

/* A guest's image as the vm backend builds it: busybox with its applets
 * as links. Unpacked, its shell must run. */
static void test_busybox(bool cpio)
{
	const char *bb = "/bin/busybox";
	cleanup_free char *out = vl_xasprintf("%s/bb.cpio", tmpdir);
	cleanup_free char *dir = vl_xasprintf("%s/bb", tmpdir);
	struct vl_buf list = {0}, res = {0};
	struct vl_initramfs *ir;
	struct vl_err err = {0};
	char *argv[] = {(char *)bb, "--list", NULL};
	char *line, *save = NULL;
	int napplets = 0;

	if (access(bb, X_OK) != 0) {
		skip("busybox", "no /bin/busybox (Debian package busybox-static)");
		return;
	}
	if (!cpio) {
		skip("busybox", "no GNU cpio (Debian package cpio) to unpack the image");
		return;
	}
	if (run(argv, NULL, NULL, &list) != 0) {
		result("busybox", 0, "busybox --list failed");
		vl_buf_free(&list);
		return;
	}
	ir = vl_initramfs_new();
	vl_initramfs_file(ir, "bin/busybox", bb, 0755);
	for (line = strtok_r(list.s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cleanup_free char *p = vl_xasprintf("bin/%s", line);

		if (strcmp(line, "busybox") != 0 && vl_initramfs_link(ir, p, "busybox") == 0)
			napplets++;
	}
	vl_buf_free(&list);
	vl_initramfs_node(ir, "dev/console", S_IFCHR | 0600, 5, 1);
	vl_initramfs_node(ir, "dev/null", S_IFCHR | 0666, 1, 3);
	vl_initramfs_dir(ir, "proc", 0555);
	vl_initramfs_dir(ir, "tmp", 01777);
	vl_initramfs_link(ir, "init", "bin/sh");
	if (vl_initramfs_write(ir, out, &err) < 0) {
		result("busybox", 0, "%s", err.msg);
		vl_initramfs_free(ir);
		return;
	}
	vl_initramfs_free(ir);
	mkdir(dir, 0755);
	{
		char *cargv[] = {"cpio", "-i", "-d", "--quiet", NULL};
		char *sargv[] = {"./bin/sh", "-c", "cd bin && ls busybox sh ip ping && echo ok",
		                 NULL};

		if (run(cargv, out, dir, &res) != 0) {
			result("busybox", 0, "cpio -i: %s", res.s);
		} else {
			res.len = 0;
			res.s[0] = '\0';
			run(sargv, NULL, dir, &res);
			bool ok = strcmp(res.s, "busybox\nip\nping\nsh\nok\n") == 0;

			for (char *c = res.s; *c; c++)
				*c = *c == '\n' ? ' ' : *c;
			result("busybox", ok, "%d applets; the unpacked shell said: %s", napplets,
			       res.s);
		}
	}
	vl_buf_free(&res);
}

/* An adder's error: it returns -1 and write fails with the message (the
 * first error's, when there were several). */
static void expect_error(const char *name, struct vl_initramfs *ir, int rc, const char *want)
{
	cleanup_free char *out = vl_xasprintf("%s/err.cpio", tmpdir);
	struct vl_err err = {0};
	int wrc = vl_initramfs_write(ir, out, &err);

	result(name, rc == -1 && wrc == -1 && strstr(err.msg, want) && access(out, F_OK) != 0,
	       "adder %d, write %d: %s (want \"%s\")", rc, wrc, err.msg, want);
	vl_initramfs_free(ir);
}

static int files_in(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

static void test_errors(void)
{
	struct vl_initramfs *ir;
	struct vl_err err = {0};
	int rc;

	static const char *const bad_paths[] = {"", "/", "..", "a/../b", "a//b", "./x", "x/."};
	for (size_t i = 0; i < VL_ARRAY_SIZE(bad_paths); i++) {
		char name[64];

		snprintf(name, sizeof(name), "error-path-'%s'", bad_paths[i]);
		ir = vl_initramfs_new();
		rc = vl_initramfs_data(ir, bad_paths[i], "x", 1, 0644);
		expect_error(name, ir, rc,
		             strlen(bad_paths[i]) < 2 && bad_paths[i][0] != '.'
		                 ? "not a path below the root"
		                 : "component");
	}

	ir = vl_initramfs_new();
	vl_initramfs_data(ir, "etc/x", "x", 1, 0644);
	rc = vl_initramfs_file(ir, "/etc/x", "/bin/sh", 0644);
	expect_error("error-twice", ir, rc, "initramfs: /etc/x: added twice");

	ir = vl_initramfs_new();
	vl_initramfs_dir(ir, "etc", 0755);
	rc = vl_initramfs_link(ir, "etc", "/x");
	expect_error("error-dir-then-link", ir, rc, "etc: added twice");

	ir = vl_initramfs_new();
	vl_initramfs_link(ir, "bin/sh", "busybox");
	rc = vl_initramfs_data(ir, "bin/sh/x", "", 0, 0644);
	expect_error("error-parent", ir, rc, "parent bin/sh is not a directory");

	ir = vl_initramfs_new();
	vl_initramfs_data(ir, "bin", "", 0, 0644);
	rc = vl_initramfs_dir(ir, "bin", 0755);
	expect_error("error-dir-over-file", ir, rc, "bin: added twice");

	ir = vl_initramfs_new();
	rc = vl_initramfs_file(ir, "init", "/bin/sh", S_IFREG | 0755);
	expect_error("error-mode", ir, rc, "mode 0100755 has bits beyond the permissions");

	ir = vl_initramfs_new();
	rc = vl_initramfs_node(ir, "dev/x", S_IFREG | 0600, 1, 3);
	expect_error("error-node-type", ir, rc, "not a character or block device or a FIFO");

	ir = vl_initramfs_new();
	rc = vl_initramfs_link(ir, "bin/sh", "");
	expect_error("error-link-target", ir, rc, "bin/sh: empty symlink target");

	ir = vl_initramfs_new();
	rc = vl_initramfs_file(ir, "init", NULL, 0755);
	expect_error("error-no-host", ir, rc, "init: no host file");

	/* the first of several errors is the one reported */
	ir = vl_initramfs_new();
	rc = vl_initramfs_link(ir, "a", "");
	vl_initramfs_data(ir, "..", "", 0, 0644);
	vl_initramfs_data(ir, "ok", "", 0, 0644);
	expect_error("error-first", ir, rc, "initramfs: a: empty symlink target");

	/* errors found while writing: nothing is left behind */
	{
		cleanup_free char *out = vl_xasprintf("%s/w/out.cpio", tmpdir);
		cleanup_free char *wdir = vl_xasprintf("%s/w", tmpdir);
		cleanup_free char *missing = vl_xasprintf("%s/no-such-file", tmpdir);
		int n;

		mkdir(wdir, 0755);
		ir = vl_initramfs_new();
		vl_initramfs_file(ir, "bin/x", missing, 0755);
		rc = vl_initramfs_write(ir, out, &err);
		n = files_in(wdir);
		result("error-host-missing",
		       rc == -1 && err.code == ENOENT && strstr(err.msg, missing) &&
		           strstr(err.msg, "bin/x") && n == 0,
		       "%s; %d files left in the output directory", err.msg, n);
		vl_initramfs_free(ir);

		ir = vl_initramfs_new();
		vl_initramfs_file(ir, "bin/x", tmpdir, 0755);
		rc = vl_initramfs_write(ir, out, &err);
		n = files_in(wdir);
		result("error-host-dir",
		       rc == -1 && strstr(err.msg, "is not a regular file") && n == 0,
		       "%s; %d files left in the output directory", err.msg, n);
		vl_initramfs_free(ir);

		ir = vl_initramfs_new();
		vl_initramfs_dir(ir, "bin", 0755);
		free(out);
		out = vl_xasprintf("%s/no-dir/out.cpio", tmpdir);
		rc = vl_initramfs_write(ir, out, &err);
		result("error-out-dir", rc == -1 && err.code == ENOENT && strstr(err.msg, "no-dir"),
		       "%s", err.msg);

		/* a descriptor open only for reading */
		{
			int fd = open(big_path, O_RDONLY | O_CLOEXEC);

			rc = vl_initramfs_write_fd(ir, fd, &err);
			close(fd);
			result("error-write-fd", rc == -1 && err.code == EBADF, "%s", err.msg);
		}
		vl_initramfs_free(ir);
	}
}

static void cleanup_tmp(void)
{
	char *argv[] = {"rm", "-rf", tmpdir, NULL};
	struct vl_buf out = {0};

	run(argv, NULL, NULL, &out);
	vl_buf_free(&out);
}

int main(void)
{
	bool cpio;
	int fds;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(tmpdir)) {
		perror("test_initramfs: mkdtemp");
		return 1;
	}
	umask(022);
	fds = open_fds();
	if (make_host_files() < 0)
		return 1;
	cpio = have_cpio();
	test_archive(cpio);
	test_busybox(cpio);
	test_errors();
	result("no-fd-leak", open_fds() == fds, "%d descriptors open before, %d after", fds,
	       open_fds());
	cleanup_tmp();
	free(big_data);
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
