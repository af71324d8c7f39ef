/* The agent as the guest's PID 1: the pseudo file systems, the modules a
 * generic kernel needs, stdio on the console, the environment, then the
 * kernel command line's settings (net.c); the signals it reads from a
 * signalfd (and, as init, the ones busybox's poweroff sends); and powering
 * the guest off. Outside a guest (--serve-fd, --socket) only stdio, the
 * signals and the ending of its own sessions are used.
 *
 * Touches: as PID 1 the guest's mounts, modules, environment and every
 * process in it (at power off); otherwise its own signal mask and
 * sessions. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/agent.h"
#include "base/util.h"

#define MODULE_INIT_COMPRESSED_FILE 4

static const struct mnt {
	const char *src, *dir, *type;
	unsigned long flags;
	const char *data;
	mode_t mode;
} mounts[] = {
    {"devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", 0755}, /* first: the console */
    {"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555},
    {"sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555},
    {"devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=620,ptmxmode=666", 0755},
    {"tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777},
    {"tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777},
    {"tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", 0755},
};

/* The mount point is made if need be; a mount already there is fine. */
static int init_mount(const struct mnt *m, struct vl_err *err)
{
	if (mkdir(m->dir, m->mode) < 0 && errno != EEXIST)
		ag_note("mkdir %s: %s", m->dir, strerror(errno));
	if (mount(m->src, m->dir, m->type, m->flags, m->data) < 0 && errno != EBUSY)
		return vl_err_sys(err, errno, "mount %s on %s", m->type, m->dir);
	return 0;
}

static int load_module(const char *path, struct vl_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = strlen(path);
	int flags = 0;

	if (fd < 0)
		return vl_err_sys(err, errno, "module %s", path);
	/* compressed ones only load if the kernel can decompress them */
	if (n > 3 && (!strcmp(path + n - 3, ".xz") || !strcmp(path + n - 3, ".gz") ||
	              (n > 4 && !strcmp(path + n - 4, ".zst"))))
		flags = MODULE_INIT_COMPRESSED_FILE;
	if (syscall(SYS_finit_module, fd, "", flags) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "module %s", path);
	return 0;
}

/* Modules a generic kernel needs (virtio and the like): the file names
 * in /lib/modules/load-order, one a line, dependencies first, loaded from
 * /lib/modules and then removed from the initramfs (its memory is the
 * guest's). */
static void load_modules(void)
{
	cleanup_fclose FILE *f = fopen("/lib/modules/load-order", "re");
	char line[256], path[300];
	struct vl_err err;

	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		snprintf(path, sizeof(path), "%s%s", line[0] == '/' ? "" : "/lib/modules/", line);
		if (load_module(path, &err) < 0)
			ag_note("%s", err.msg);
		/* loaded once: its file would only hold the guest's memory */
		unlink(path);
	}
}

/* Before anything else is opened: a pipe on 0, 1 or 2 would be clobbered
 * by the dup2()s that give a command its stdio. Left open across exec on
 * purpose: they are the children's stdio when nothing else is. */
void ag_stdio_open(void)
{
	for (int i = 0; i < 3; i++) {
		int fd;

		if (fcntl(i, F_GETFD) >= 0)
			continue;
		fd = open(ag.init ? "/dev/console" : "/dev/null", O_RDWR | O_NOCTTY);
		if (fd < 0)
			fd = open("/dev/null", O_RDWR);
		if (fd >= 0 && fd != i) {
			dup2(fd, i);
			close(fd);
		}
	}
}

static int read_cmdline(char *buf, size_t size, struct vl_err *err)
{
	cleanup_close int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;

	buf[n > 0 ? n : 0] = 0;
	if (n < 0)
		return vl_err_sys(err, errno, "read /proc/cmdline");
	return 0;
}

void ag_init_setup(void)
{
	char cmdline[4096];
	struct vl_err err;

	umask(022);
	for (size_t i = 0; i < VL_ARRAY_SIZE(mounts); i++) {
		if (init_mount(&mounts[i], &err) < 0)
			ag_note("%s", err.msg);
		/* The kernel gives init /dev/console only if the initramfs has it. */
		if (i == 0)
			ag_stdio_open();
	}
	load_modules();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:" AG_GUEST_BIN,
	       1);
	setenv("HOME", "/root", 1);
	setenv("TERM", "linux", 0);
	if (read_cmdline(cmdline, sizeof(cmdline), &err) < 0)
		ag_note("%s", err.msg);
	/* no settings of ours: the host gives them with SETUP (a template's
	 * guest is saved in this state, and every clone gets its own) */
	if (!strstr(cmdline, " vl.") && strncmp(cmdline, "vl.", 3)) {
		ag.bare = true;
		ag_configure("");
		return;
	}
	ag_root_setup(cmdline);
	if (chdir("/") < 0)
		ag_note("chdir /: %s", strerror(errno));
	ag_configure(cmdline);
}

/* --- signals ------------------------------------------------------------------- */

static void on_power_signal(int sig)
{
	(void)sig; /* never runs: the signal is blocked and read from the signalfd */
}

/* SIGCHLD for the reaper; SIGTERM, SIGINT and SIGHUP end a non-init agent
 * and its sessions. As init, the signals busybox's halt, poweroff and
 * reboot send (SIGUSR1, SIGUSR2, SIGTERM) power the guest off (QEMU runs
 * with -no-reboot: a reboot would end it too). */
int ag_signals_open(struct vl_err *err)
{
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	if (!ag.init) {
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGHUP);
	} else {
		/* PID 1 gets no signal it has no handler for, blocked or not */
		static const int off[] = {SIGUSR1, SIGUSR2, SIGTERM};

		for (size_t i = 0; i < VL_ARRAY_SIZE(off); i++) {
			signal(off[i], on_power_signal);
			sigaddset(&mask, off[i]);
		}
	}
	sigprocmask(SIG_BLOCK, &mask, NULL);
	ag.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (ag.sigfd < 0)
		return vl_err_sys(err, errno, "signalfd");
	return 0;
}

void ag_signals_read(void)
{
	struct signalfd_siginfo si;

	while (read(ag.sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (ag.init && (si.ssi_signo == SIGUSR1 || si.ssi_signo == SIGUSR2 ||
		                si.ssi_signo == SIGTERM)) {
			ag_log("signal %u from pid %u: powering off", si.ssi_signo, si.ssi_pid);
			ag_power_off();
		}
		if (!ag.init &&
		    (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP)) {
			ag_sessions_kill(SIGKILL);
			while (wait(NULL) > 0 || errno == EINTR)
				;
			exit(0);
		}
	}
}

/* --- power off ----------------------------------------------------------------- */

void ag_power_off(void)
{
	struct timespec t0, now;

	/* The OK first: give the host up to 2 s to take it. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = {.fd = ag.conn, .events = POLLOUT};

		ag_conn_flush();
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ag.conn < 0 || ag.conn_eof || !ag_outq_pending() ||
		    ag_ts_diff_us(&now, &t0) > 2000000)
			break;
		poll(&pfd, 1, 100);
	}
	if (!ag.init) {
		ag_sessions_drop();
		exit(0);
	}
	ag_log("powering off");
	kill(-1, SIGTERM);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (errno == ECHILD)
			break;
		usleep(50000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (ag_ts_diff_us(&now, &t0) < 2000000);
	kill(-1, SIGKILL);
	sync();
	reboot(RB_POWER_OFF);
	/* No ACPI power off: a reboot makes a QEMU run with -no-reboot exit. */
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}
