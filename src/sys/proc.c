#include "sys/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

void vl_proc_describe(struct vl_proc *p)
{
	char path[64];
	int fd;
	ssize_t r;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)p->pid);
	p->netns = vl_ns_id_of(path);
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)p->pid);
	p->mntns = vl_ns_id_of(path);
	p->comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)p->pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	r = read(fd, p->comm, sizeof(p->comm) - 1);
	if (r > 0 && p->comm[r - 1] == '\n')
		r--;
	p->comm[r > 0 ? r : 0] = '\0';
	close(fd);
}

int vl_proc_find_in_netns(const struct vl_ns_id *ids, size_t n_ids, struct vl_proc **out,
                          size_t *n_out, struct vl_err *err)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct vl_proc *v = NULL;
	size_t n = 0, cap = 0;
	pid_t self = getpid();

	if (!d)
		return vl_err_sys(err, errno, "open /proc");
	while (n_ids && (de = readdir(d))) {
		unsigned long pid;
		char path[64];
		struct stat st;
		struct vl_ns_id id;

		if (vl_parse_uint(de->d_name, 1, 1ul << 30, &pid) < 0 || (pid_t)pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%lu/ns/net", pid);
		if (stat(path, &st) < 0)
			continue;
		id = (struct vl_ns_id){st.st_dev, st.st_ino};
		if (!bsearch(&id, ids, n_ids, sizeof(*ids), vl_ns_id_cmp))
			continue;
		vl_grow(&v, &cap, n, sizeof(*v));
		v[n].pid = (pid_t)pid;
		vl_proc_describe(&v[n]);
		n++;
	}
	closedir(d);
	*out = v;
	*n_out = n;
	return 0;
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_kill(int fd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
}

/* A pidfd polls readable once its process has exited (zombies included). */
static int exited(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) != 0;
}

/* Reap and forget the processes that have exited; returns how many live. */
static size_t sweep(const struct vl_proc *procs, int *fds, size_t n)
{
	size_t alive = 0;

	for (size_t i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		/* Our own children must be reaped to go away. */
		waitpid(procs[i].pid, NULL, WNOHANG);
		if (exited(fds[i])) {
			close(fds[i]);
			fds[i] = -1;
		} else {
			alive++;
		}
	}
	return alive;
}

/* Wait until none is alive or `secs` passed; returns how many live. */
static size_t wait_gone(const struct vl_proc *procs, int *fds, size_t n, double secs)
{
	double deadline = vl_now() + secs;
	size_t alive;

	while ((alive = sweep(procs, fds, n)) && vl_now() < deadline)
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	return alive;
}

size_t vl_proc_stop(const struct vl_proc *procs, size_t n, double grace)
{
	int *fds = vl_xcalloc(n, sizeof(*fds));
	size_t alive;

	for (size_t i = 0; i < n; i++) {
		fds[i] = pidfd_open_(procs[i].pid);
		if (fds[i] >= 0 && pidfd_kill(fds[i], SIGTERM) < 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	if (wait_gone(procs, fds, n, grace)) {
		for (size_t i = 0; i < n; i++)
			if (fds[i] >= 0)
				pidfd_kill(fds[i], SIGKILL);
	}
	alive = wait_gone(procs, fds, n, 2.0);
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return alive;
}

pid_t vl_fork_pipe(int *fd, struct vl_err *err)
{
	int p[2], e;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return vl_err_sys(err, errno, "pipe");
	fflush(NULL);
	if ((pid = fork()) < 0) {
		e = errno;
		close(p[0]);
		close(p[1]);
		return vl_err_sys(err, e, "fork");
	}
	close(p[pid == 0 ? 0 : 1]);
	*fd = p[pid == 0 ? 1 : 0];
	return pid;
}
