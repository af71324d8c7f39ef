/* Processes of a benchmark inside nodes. See spawn.h. */
#include "study/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "node/node.h"

/* How long a process told to stop may take to report. */
#define STOP_GRACE_S 3.0

/* A listening socket on TCP port in a /proc/net/tcp table? */
static bool in_table(FILE *fp, int port)
{
	char line[256];

	while (fgets(line, sizeof(line), fp)) {
		unsigned lport, state;

		/* "  0: 0100007F:9C40 00000000:0000 0A ..." (0A: LISTEN) */
		if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", &lport, &state) ==
		        2 &&
		    (int)lport == port && state == 0x0A)
			return true;
	}
	return false;
}

/* The same in a node whose sockets cannot be seen from here (a guest's):
 * its table, read by a program run in it. */
static bool node_listening(const struct vl_bench_proc *p, int port)
{
	/* both: a dual-stack listener is only in tcp6 */
	char *const argv[] = {"cat", "/proc/net/tcp", "/proc/net/tcp6", NULL};
	struct vl_spawn s = {
	    .argv = argv, .exe_fd = -1, .in = -1, .err = -1, .how = VL_SPAWN_CHILD};
	struct vl_child c;
	bool yes = false;
	int status;
	FILE *fp;

	if ((s.out = memfd_create("tcp", MFD_CLOEXEC)) < 0)
		return false;
	if (vl_node_spawn(&p->node, &s, &c, NULL) == 0 && vl_child_reap(&c, 0, &status, NULL) > 0 &&
	    lseek(s.out, 0, SEEK_SET) == 0 && (fp = fdopen(s.out, "r"))) {
		yes = in_table(fp, port);
		fclose(fp);
		return yes;
	}
	close(s.out);
	return false;
}

/* Is something listening on TCP port in the network namespace of pid? */
static bool listening(pid_t pid, int port)
{
	static const char *const files[] = {"tcp", "tcp6"};

	for (size_t f = 0; f < VL_ARRAY_SIZE(files); f++) {
		char path[64];
		FILE *fp;
		bool yes;

		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, files[f]);
		if (!(fp = fopen(path, "re")))
			continue;
		yes = in_table(fp, port);
		fclose(fp);
		if (yes)
			return true;
	}
	return false;
}

bool vl_bench_wait_listen(const struct vl_bench_proc *p, int port, double timeout)
{
	double end = vl_now() + timeout;

	while (p->pid > 0) {
		siginfo_t si = {0};

		/* a guest's sockets are its own: a program in it reads them */
		if (p->child.net_pid ? listening(p->child.net_pid, port) : node_listening(p, port))
			return true;
		/* gone already (it failed): its report says why */
		if ((waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		     si.si_pid == p->pid) ||
		    vl_now() > end)
			return false;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	return false;
}

uint64_t vl_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int vl_bench_spawn(const char *lab, const char *node, char *const *argv, char *const *env,
                   struct vl_bench_proc *p, struct vl_err *err)
{
	/* Opened here: the node may not see the path (its /tmp is its own). */
	cleanup_close int exe = open(argv[0], O_RDONLY | O_CLOEXEC);
	int pfd[2];
	struct vl_spawn s = {.argv = argv,
	                     .env = env,
	                     .exe_fd = exe,
	                     .in = -1,
	                     .err = STDERR_FILENO,
	                     .own_group = true,
	                     .how = VL_SPAWN_CHILD};
	memset(p, 0, sizeof(*p));
	p->out = -1;
	p->child.ru_fd = -1;
	if (exe < 0)
		return vl_err_sys(err, errno, "open %s", argv[0]);
	if (!node)
		vl_node_host(&p->node);
	else if (vl_node_find(lab, node, &p->node, err) < 0)
		return -1;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return vl_err_sys(err, errno, "pipe");
	s.out = pfd[1];
	if (vl_node_spawn(&p->node, &s, &p->child, err) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	close(pfd[1]);
	p->pid = p->child.pid;
	p->out = pfd[0];
	return 0;
}

static void stop(struct vl_bench_proc *p, int sig)
{
	if (p->pid > 0 && p->out >= 0) {
		kill(p->pid, sig);
		p->stopped = true;
	}
}

void vl_bench_collect(struct vl_bench_proc *ps, size_t n, double deadline)
{
	bool termed = false;

	for (;;) {
		struct pollfd pf[256];
		size_t map[256], k = 0;
		double left = deadline - vl_now();
		char buf[4096];

		for (size_t i = 0; i < n && k < VL_ARRAY_SIZE(pf); i++)
			if (ps[i].pid > 0 && ps[i].out >= 0) {
				pf[k] = (struct pollfd){.fd = ps[i].out, .events = POLLIN};
				map[k++] = i;
			}
		if (!k)
			break;
		if (left <= 0) {
			if (termed)
				break;
			/* ask first: a wrapper still reports what it has */
			for (size_t i = 0; i < n; i++)
				stop(&ps[i], SIGTERM);
			termed = true;
			deadline = vl_now() + STOP_GRACE_S;
			continue;
		}
		if (poll(pf, k, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		for (size_t j = 0; j < k; j++) {
			struct vl_bench_proc *p = &ps[map[j]];
			ssize_t r;

			if (!(pf[j].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(p->out, buf, sizeof(buf));
			if (r > 0) {
				vl_buf_add(&p->text, buf, (size_t)r);
			} else if (r == 0 || errno != EINTR) {
				close(p->out);
				p->out = -1;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (ps[i].pid <= 0) /* never started */
			continue;
		if (ps[i].out >= 0) {
			kill(-ps[i].pid, SIGKILL);
			kill(ps[i].pid, SIGKILL);
			ps[i].stopped = true;
			close(ps[i].out);
			ps[i].out = -1;
		}
		if (ps[i].pid > 0 &&
		    vl_child_reap(&ps[i].child, 0, &ps[i].status, &ps[i].ru) == ps[i].pid)
			ps[i].done = WIFEXITED(ps[i].status) && WEXITSTATUS(ps[i].status) == 0 &&
			             !ps[i].stopped;
		ps[i].pid = 0;
	}
}
