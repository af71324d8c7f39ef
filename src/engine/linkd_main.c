/* The lab's linkd process. */
#include "engine/linkd_main.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "lab/lab.h"
#include "engine/state.h"
#include "link/linkd.h"
#include "sys/cgroup.h"
#include "sys/ns.h"
#include "sys/tap.h"

#define READY_FD 3

static volatile sig_atomic_t got_term, got_hup;
static int wake_fd = -1;

static void on_signal(int sig)
{
	uint64_t one = 1;
	ssize_t w;

	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
	if (wake_fd >= 0)
		w = write(wake_fd, &one, sizeof(one));
	(void)w;
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

struct tap_arg {
	const char *ifname;
	int fd;
};

static int attach_here(void *data, struct vl_err *err)
{
	struct tap_arg *a = data;

	return (a->fd = vl_tap_attach(a->ifname, err)) < 0 ? -1 : 0;
}

/* Join the TAP of end k of link i (checked to be the lab's): an fd. */
static int join_tap(const struct vl_state *st, size_t i, int k, struct vl_err *err)
{
	char path[PATH_MAX];
	const char *netns, *ifname;
	struct tap_arg a = {NULL, -1};

	if (vl_state_link_end(st, i, k, &netns, &ifname, err) < 0)
		return -1;
	a.ifname = ifname;
	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, netns);
	return vl_netns_run(path, attach_here, &a, err) < 0 ? -1 : a.fd;
}

struct user_link {
	int id;
	size_t index; /* in state.json's links */
	int fd[2];
};

/* Offloads only where frames may travel as 64 KiB segments without
 * changing what the link does: no rate, loss or queue limits (delay and
 * jitter apply to a segment as to its frames). */
static int offload_ok(const struct vl_impair im[2])
{
	for (int k = 0; k < 2; k++)
		if (im[k].rate_bps || im[k].loss > 0 || im[k].ge || im[k].queue_packets ||
		    im[k].queue_bytes)
			return 0;
	return 1;
}

static int set_offloads(const int fd[2], const struct vl_impair im[2], struct vl_err *err)
{
	for (int k = 0; k < 2; k++)
		if (vl_tap_offload(fd[k], offload_ok(im), err) < 0)
			return -1;
	return 0;
}

static uint64_t seed_of(const char *lab, size_t index)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = lab; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h ^ (index * 0x9e3779b97f4a7c15ull);
}

/* Link u's impairments from the state read again. */
static int reimpair(struct vl_linkd *d, const struct user_link *u, const struct vl_state *st,
                    struct vl_err *err)
{
	const struct vl_impair *im;

	if (u->index >= st->n_links)
		return vl_err_set(err, EINVAL, "state.json: link %zu is gone", u->index);
	im = st->links[u->index].dir;
	return set_offloads(u->fd, im, err) < 0 ||
	               vl_linkd_set(d, u->id, VL_LINKD_A_TO_B, &im[0], err) < 0 ||
	               vl_linkd_set(d, u->id, VL_LINKD_B_TO_A, &im[1], err) < 0
	           ? -1
	           : 0;
}

/* The lab's links linkd carries, each end's TAP joined. */
static int join_links(struct vl_linkd *d, const char *lab, const struct vl_state *st,
                      struct user_link **ul, size_t *n, struct vl_err *err)
{
	size_t cap = 0;

	for (size_t i = 0; i < st->n_links; i++) {
		const struct vl_impair *im = st->links[i].dir;
		struct user_link *u;

		if (strcmp(st->links[i].engine ?: "", "user"))
			continue;
		vl_grow(ul, &cap, *n, sizeof(**ul));
		u = &(*ul)[(*n)++];
		u->index = i;
		u->fd[0] = u->fd[1] = -1;
		for (int k = 0; k < 2; k++)
			if ((u->fd[k] = join_tap(st, i, k, err)) < 0)
				return -1;
		if (set_offloads(u->fd, im, err) < 0)
			return -1;
		u->id =
		    vl_linkd_add_link(d, u->fd[0], u->fd[1], &im[0], &im[1], seed_of(lab, i), err);
		if (u->id < 0 || vl_linkd_set_frame_header(d, u->id, VL_TAP_VNET_HDR, err) < 0)
			return -1;
	}
	return 0;
}

/* The engine itself: returns when told to stop (0) or on an error. */
static int run_engine(const char *lab, int ready, struct vl_err *err)
{
	struct vl_linkd *d = NULL;
	struct user_link *ul = NULL;
	size_t n = 0;
	char id[VL_LAB_ID_LEN + 1];
	struct vl_state st = {0};
	int r = -1;

	wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (wake_fd < 0) {
		vl_err_sys(err, errno, "eventfd");
		goto out;
	}
	if (vl_state_load(lab, &st, err) < 0 || vl_lab_own_id(lab, id, err) < 0 ||
	    !(d = vl_linkd_new(err)) || join_links(d, lab, &st, &ul, &n, err) < 0)
		goto out;
	if (ready >= 0) {
		close(ready); /* every TAP is joined: up may return */
		ready = -1;
	}
	for (;;) {
		uint64_t v;
		ssize_t rd;

		if (vl_linkd_run(d, wake_fd, err) < 0)
			goto out;
		rd = read(wake_fd, &v, sizeof(v));
		(void)rd;
		if (got_term)
			break;
		if (got_hup) {
			/* new impairments from state.json */
			got_hup = 0;
			vl_state_free(&st);
			if (vl_state_load(lab, &st, err) < 0)
				goto out;
			for (size_t k = 0; k < n; k++)
				if (reimpair(d, &ul[k], &st, err) < 0)
					goto out;
		}
	}
	r = 0;
out:
	if (r < 0 && ready >= 0) {
		ssize_t w = write(ready, err->msg, strlen(err->msg));

		(void)w;
	}
	if (d)
		vl_linkd_free(d);
	for (size_t k = 0; k < n; k++)
		for (int e = 0; e < 2; e++)
			if (ul[k].fd[e] >= 0)
				close(ul[k].fd[e]);
	free(ul);
	vl_state_free(&st);
	return r;
}

int vl_linkd_main(const char *lab)
{
	int ready = fcntl(READY_FD, F_GETFD) >= 0 ? READY_FD : -1;
	pid_t child = 0;
	int status;

	if (vl_name_invalid(lab) || !vl_lab_exists(lab)) {
		fprintf(stderr, "vnetlab-linkd: no lab named %s\n", lab);
		return 2;
	}
	if (ready >= 0)
		fcntl(ready, F_SETFD, FD_CLOEXEC);
	prctl(PR_SET_NAME, "vnetlab-linkd");
	catch_signals();
	for (;;) {
		child = fork();
		if (child < 0) {
			fprintf(stderr, "vnetlab-linkd: fork: %s\n", strerror(errno));
			return 1;
		}
		if (child == 0) {
			struct vl_err err = {0};

			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (run_engine(lab, ready, &err) < 0) {
				fprintf(stderr, "vnetlab-linkd: %s\n", err.msg);
				_exit(1);
			}
			_exit(0);
		}
		if (ready >= 0) {
			close(ready);
			ready = -1;
		}
		/* Wait for it, passing SIGHUP and SIGTERM on. */
		for (;;) {
			pid_t w = waitpid(child, &status, 0);

			if (w == child)
				break;
			if (errno != EINTR)
				return 1;
			if (got_hup) {
				got_hup = 0;
				kill(child, SIGHUP);
			}
			if (got_term)
				kill(child, SIGTERM);
		}
		if (got_term)
			return 0;
		fprintf(stderr, "vnetlab-linkd: the engine %s %d; starting it again\n",
		        WIFSIGNALED(status) ? "was killed by signal" : "exited with",
		        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
}

int vl_linkd_start(const char *lab, const char *cgroup, struct vl_err *err)
{
	char logp[PATH_MAX], pidp[PATH_MAX], cg[160], msg[sizeof(err->msg)] = "";
	int pfd[2];
	pid_t pid;
	size_t len = 0;

	vl_lab_path(lab, "logs/linkd.log", logp, sizeof(logp));
	vl_lab_path(lab, "linkd.pid", pidp, sizeof(pidp));
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return vl_err_sys(err, errno, "pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return vl_err_sys(err, errno, "fork linkd");
	if (pid == 0) {
		static char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
		char *argv[] = {"vnetlab", "__linkd", (char *)lab, NULL};
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		int log = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);

		setsid();
		if (cgroup) {
			const struct vl_cgroup_manager *m = vl_cgroup_get(cgroup, NULL);

			snprintf(cg, sizeof(cg), "vnetlab/%s/_linkd", lab);
			if (m && m->create(cg, &(struct vl_cg_limits){0}, NULL) == 0)
				m->attach(cg, 0, NULL);
		}
		if (null >= 0)
			dup2(null, 0);
		if (log >= 0) {
			dup2(log, 1);
			dup2(log, 2);
		}
		if (dup2(pfd[1], READY_FD) < 0)
			_exit(126);
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	{
		char s[32];

		snprintf(s, sizeof(s), "%d\n", (int)pid);
		if (vl_write_file_mode(pidp, s, strlen(s), 0600, err) < 0) {
			close(pfd[0]);
			kill(pid, SIGTERM);
			return -1;
		}
	}
	/* EOF: every TAP is joined; text first: why not. */
	for (;;) {
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, 15000) <= 0) {
			close(pfd[0]);
			kill(pid, SIGTERM);
			return vl_err_set(err, ETIMEDOUT, "linkd did not start in 15 s");
		}
		r = read(pfd[0], msg + len, sizeof(msg) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(pfd[0]);
	msg[len] = '\0';
	if (len || waitpid(pid, NULL, WNOHANG) == pid) {
		kill(pid, SIGTERM);
		return vl_err_set(err, EIO, "linkd failed: %s",
		                  len ? msg : "it exited (see logs/linkd.log)");
	}
	return 0;
}
