/* The `ssh` hosts backend: `ssh:H1,H2,...` or `@FILE` (one host a line,
 * # comments), root on each through OpenSSH with the user's config (or
 * VNETLAB_SSH_CONFIG's) and shared connections: one master a host, its
 * socket under vnetlab's own directory, ended by close. No password is
 * ever asked (BatchMode) and a host that does not answer fails within the
 * connect timeout. ssh joins a command's words into one shell line: every
 * argument goes quoted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "host/host.h"
#include "lab/lab.h"

#define SSH_DIR             VL_RUN_DIR "/.ssh" /* hidden: not a lab */
#define SSH_CONNECT_TIMEOUT "10"

static int add_checked(struct vl_hosts *hs, const char *name, const char *where, struct vl_err *err)
{
	const char *why = vl_host_name_invalid(name);

	if (why)
		return vl_err_set(err, EINVAL, "%shost \"%s\": %s", where, name, why);
	for (size_t i = 0; i < hs->n; i++)
		if (!strcmp(hs->h[i].name, name))
			return vl_err_set(err, EINVAL, "%shost \"%s\" twice", where, name);
	vl_hosts_add(hs, name);
	return 0;
}

/* @FILE: a host a line, blanks around it and # comments ignored. */
static int parse_file(struct vl_hosts *hs, const char *path, struct vl_err *err)
{
	cleanup_free char *text = NULL;
	char *save = NULL, where[PATH_MAX + 32];
	size_t len, line = 0;

	if (vl_read_file_max(path, 1 << 20, &text, &len, err) < 0)
		return -1;
	for (char *l = text, *next; l; l = next) {
		char *hash;

		next = strchr(l, '\n');
		if (next)
			*next++ = 0;
		line++;
		if ((hash = strchr(l, '#')))
			*hash = 0;
		l = strtok_r(l, " \t\r", &save);
		if (!l)
			continue;
		snprintf(where, sizeof(where), "%s:%zu: ", path, line);
		if (strtok_r(NULL, " \t\r", &save))
			return vl_err_set(err, EINVAL, "%smore than one host on a line", where);
		if (add_checked(hs, l, where, err) < 0)
			return -1;
	}
	if (!hs->n)
		return vl_err_set(err, EINVAL, "%s: no hosts in it", path);
	return 0;
}

static int ssh_parse(struct vl_hosts *hs, const char *arg, struct vl_err *err)
{
	cleanup_free char *list = NULL;
	char *save = NULL;

	if (arg[0] == '@')
		return parse_file(hs, arg + 1, err);
	list = vl_xstrdup(arg);
	if (!list[0] || list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,"))
		return vl_err_set(err, EINVAL, "an empty host name in the list");
	for (char *h = strtok_r(list, ",", &save); h; h = strtok_r(NULL, ",", &save))
		if (add_checked(hs, h, "", err) < 0)
			return -1;
	return 0;
}

/* The sockets' directory, made if need be and held with a shared lock:
 * a vnetlab closing removes it only when none holds it (an exclusive lock
 * then), so that it never goes under another's new master. */
static int ssh_open(struct vl_hosts *hs, struct vl_err *err)
{
	const char *config = getenv("VNETLAB_SSH_CONFIG");

	hs->dir_fd = -1;
	if (config && *config)
		hs->config = vl_xstrdup(config);
	if (mkdir(VL_RUN_DIR, 0711) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "make %s", VL_RUN_DIR);
	for (int k = 0; k < 100 && hs->dir_fd < 0; k++) {
		struct stat a, b;
		int fd;

		if (mkdir(SSH_DIR, 0700) < 0 && errno != EEXIST)
			return vl_err_sys(err, errno, "make %s", SSH_DIR);
		fd = open(SSH_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno != ENOENT)
			return vl_err_sys(err, errno, "open %s", SSH_DIR);
		if (fd < 0)
			continue; /* removed meanwhile */
		if (flock(fd, LOCK_SH) == 0 && fstat(fd, &a) == 0 && lstat(SSH_DIR, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			hs->dir_fd = fd;
		else
			close(fd);
	}
	if (hs->dir_fd < 0)
		return vl_err_set(err, EBUSY, "%s keeps going away", SSH_DIR);
	hs->dir = vl_xstrdup(SSH_DIR);
	return 0;
}

/* ssh's options: the config, no prompts, a bounded connect, the shared
 * connection (persisting briefly in case close never runs). */
static void ssh_opts(const struct vl_hosts *hs, struct vl_argv *out)
{
	vl_argv_add(out, "ssh");
	if (hs->config)
		vl_argv_addl(out, "-F", hs->config, NULL);
	vl_argv_addl(out, "-o", "BatchMode=yes", "-o", "ConnectTimeout=" SSH_CONNECT_TIMEOUT, "-l",
	             "root", NULL);
	if (hs->oneshot) {
		vl_argv_addl(out, "-o", "ControlMaster=no", "-o", "ControlPath=none", NULL);
		return;
	}
	vl_argv_addl(out, "-o", "ControlMaster=auto", "-o", "ControlPersist=60", NULL);
	vl_argv_addf(out, "-oControlPath=%s/%%C", hs->dir);
}

static void ssh_wrap(const struct vl_hosts *hs, size_t i, char *const argv[], struct vl_argv *out)
{
	struct vl_buf line = {0};

	ssh_opts(hs, out);
	vl_argv_addl(out, hs->tty ? "-t" : "-T", "--", hs->h[i].name, NULL);
	for (size_t k = 0; argv[k]; k++) {
		if (k)
			vl_buf_add(&line, " ", 1);
		vl_shell_quote(&line, argv[k]);
	}
	vl_argv_add(out, line.s);
	vl_buf_free(&line);
}

/* End each host's shared connection (`ssh -O exit`), quietly: there may
 * be none. */
static void ssh_close(struct vl_hosts *hs)
{
	if (!hs->dir)
		return;
	for (size_t i = 0; !hs->oneshot && !hs->keep && i < hs->n; i++) {
		cleanup_argv struct vl_argv a = {0};
		struct vl_err err;

		cleanup_argv struct vl_argv c = {0};

		ssh_opts(hs, &a);
		vl_argv_addl(&a, "-O", "exit", "--", hs->h[i].name, NULL);
		vl_spawn_wait(a.v, true, &err);
		/* a master told to exit removes its socket a moment later: until
		 * then `-O check` still finds it (at most a second) */
		ssh_opts(hs, &c);
		vl_argv_addl(&c, "-O", "check", "--", hs->h[i].name, NULL);
		for (int k = 0; k < 50 && vl_spawn_wait(c.v, true, &err) == 0; k++)
			usleep(20000);
	}
	/* unless another vnetlab holds it or its connections are there */
	if (!hs->keep && flock(hs->dir_fd, LOCK_EX | LOCK_NB) == 0)
		rmdir(hs->dir);
	close(hs->dir_fd);
	hs->dir_fd = -1;
}

const struct vl_host_backend vl_host_ssh = {
    .name = "ssh",
    .parse = ssh_parse,
    .open = ssh_open,
    .wrap = ssh_wrap,
    .carry = vl_host_carry_cat,
    .close = ssh_close,
};
