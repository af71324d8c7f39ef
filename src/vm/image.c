/* The guest initramfs (see image.h), through initramfs.c's writer. */
#include "vm/image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "vm/initramfs.h"

/* What a user typing into a guest, or a workload, reaches for. */
static const char *const applets[] = {
    "sh",      "ash",      "cat",     "chmod",     "chown",      "cp",       "cut",      "date",
    "dd",      "df",       "dmesg",   "du",        "echo",       "env",      "false",    "find",
    "free",    "grep",     "gzip",    "head",      "hexdump",    "hostname", "id",       "ifconfig",
    "ip",      "kill",     "killall", "less",      "ln",         "ls",       "md5sum",   "mkdir",
    "mount",   "mv",       "nc",      "netstat",   "nproc",      "nslookup", "od",       "pidof",
    "ping",    "poweroff", "printf",  "ps",        "pwd",        "reboot",   "rm",       "rmdir",
    "route",   "sed",      "seq",     "sha256sum", "sleep",      "sort",     "stat",     "stty",
    "sync",    "sysctl",   "tail",    "tar",       "tc",         "tee",      "test",     "time",
    "timeout", "top",      "touch",   "tr",        "traceroute", "true",     "umount",   "uname",
    "uniq",    "uptime",   "vi",      "wc",        "wget",       "which",    "xargs",    "yes",
    "awk",     "arp",      "[",       "[[",        "watch",      "usleep",   "realpath", "basename",
    "dirname", "readlink", "mktemp",  "zcat",      "insmod",     "modprobe", "lsmod",    "udhcpc",
};

static int add_modules(struct vl_initramfs *ir, const char *dir, struct vl_err *err)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	if (n < 0)
		return vl_err_sys(err, errno, "read %s", dir);
	vl_initramfs_dir(ir, "lib/modules", 0755);
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			cleanup_free char *src = vl_xasprintf("%s/%s", dir, names[i]->d_name);
			cleanup_free char *dst = vl_xasprintf("lib/modules/%s", names[i]->d_name);

			vl_initramfs_file(ir, dst, src, 0644);
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

/* Has the image this path already (a library two programs share)? */
static bool have(struct vl_buf *added, const char *path)
{
	size_t n = strlen(path);

	for (const char *p = added->s; p && p < added->s + added->len; p += strlen(p) + 1)
		if (!strcmp(p, path))
			return true;
	vl_buf_add(added, path, n + 1);
	return false;
}

/* A dynamic program at its own path, and what ldd says it loads: lines
 * "name => /path (0x...)" and "/path (0x...)" (the loader). */
static int carry(struct vl_initramfs *ir, const char *prog, struct vl_buf *added,
                 struct vl_err *err)
{
	extern char **environ;
	char *const argv[] = {"ldd", (char *)prog, NULL};
	posix_spawn_file_actions_t fa;
	struct vl_buf out = {0};
	char buf[4096], *line, *save = NULL;
	int p[2], st = 0, r = 0;
	ssize_t n;
	pid_t pid;

	if (prog[0] != '/' || access(prog, X_OK) < 0)
		return vl_err_set(err, ENOENT, "%s: not an executable at an absolute path", prog);
	if (pipe2(p, O_CLOEXEC) < 0)
		return vl_err_sys(err, errno, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, "ldd", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		return vl_err_sys(err, r, "run ldd (Debian package libc-bin)");
	}
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		vl_buf_add(&out, buf, (size_t)n);
	close(p[0]);
	waitpid(pid, &st, 0);
	if (!have(added, prog))
		vl_initramfs_file(ir, prog + 1, prog, 0755);
	/* a static program: ldd says so and fails; nothing more to carry */
	for (line = out.s ? strtok_r(out.s, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *arrow = strstr(line, "=> "), *path = arrow ? arrow + 3 : line, *end;

		path += strspn(path, " \t");
		if (path[0] != '/')
			continue; /* linux-vdso.so.1, "not found" */
		end = strchr(path, ' ');
		if (end)
			*end = '\0';
		if (!have(added, path))
			vl_initramfs_file(ir, path + 1, path, 0755);
	}
	vl_buf_free(&out);
	return 0;
}

int vl_vm_image_write(const char *out, const struct vl_vm_image *im, struct vl_err *err)
{
	static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n";
	static const char group[] = "root:x:0:\n";
	struct vl_initramfs *ir = vl_initramfs_new();
	int r = -1;

	if (access(im->agent, X_OK) < 0) {
		vl_err_sys(err, errno, "guest agent %s", im->agent);
		goto out;
	}
	if (access(im->busybox, X_OK) < 0) {
		vl_err_sys(err, errno, "%s (Debian's busybox-static)", im->busybox);
		goto out;
	}
	vl_initramfs_file(ir, "init", im->agent, 0755);
	vl_initramfs_file(ir, "bin/busybox", im->busybox, 0755);
	for (size_t i = 0; i < VL_ARRAY_SIZE(applets); i++) {
		cleanup_free char *p = vl_xasprintf("bin/%s", applets[i]);

		vl_initramfs_link(ir, p, "busybox");
	}
	vl_initramfs_link(ir, "sbin", "bin");
	vl_initramfs_dir(ir, "usr/bin", 0755);
	vl_initramfs_link(ir, "usr/sbin", "bin");
	for (size_t i = 0; i < im->n_programs; i++) {
		const char *base = strrchr(im->programs[i], '/');
		cleanup_free char *p =
		    vl_xasprintf("usr/bin/%s", base ? base + 1 : im->programs[i]);

		vl_initramfs_file(ir, p, im->programs[i], 0755);
	}
	vl_initramfs_dir(ir, "dev", 0755);
	vl_initramfs_node(ir, "dev/console", S_IFCHR | 0600, 5, 1);
	vl_initramfs_node(ir, "dev/null", S_IFCHR | 0666, 1, 3);
	vl_initramfs_dir(ir, "proc", 0555);
	vl_initramfs_dir(ir, "sys", 0555);
	vl_initramfs_dir(ir, "run", 0755);
	vl_initramfs_dir(ir, "root", 0700);
	vl_initramfs_dir(ir, "tmp", 01777);
	vl_initramfs_dir(ir, "var/tmp", 01777);
	vl_initramfs_data(ir, "etc/hosts", im->hosts, strlen(im->hosts), 0644);
	vl_initramfs_data(ir, "etc/passwd", passwd, sizeof(passwd) - 1, 0644);
	vl_initramfs_data(ir, "etc/group", group, sizeof(group) - 1, 0644);
	if (im->modules && add_modules(ir, im->modules, err) < 0)
		goto out;
	{
		struct vl_buf added = {0};

		for (size_t i = 0; i < im->n_carry; i++)
			if (carry(ir, im->carry[i], &added, err) < 0) {
				vl_buf_free(&added);
				goto out;
			}
		vl_buf_free(&added);
	}
	r = vl_initramfs_write(ir, out, err);
out:
	vl_initramfs_free(ir);
	return r;
}
