/* Processes of a benchmark inside nodes. See spawn.h. */
#include "bench/spawn.h"

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

#include "engine/engine.h"
#include "node/node.h"
#include "vm/client.h"

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

/* The same in a guest: its table, read by its agent. */
static bool guest_listening(const struct vl_bench_proc *p, int port)
{
	char *const argv[] = {"/bin/cat", "/proc/net/tcp", NULL};
	struct vl_agent_exit ex;
	struct vl_err err;
	int fd = vl_node_vm_connect(p->lab, p->node, 5, NULL), mfd = -1;
	bool yes = false;
	FILE *fp;

	if (fd < 0)
		return false;
	if ((mfd = memfd_create("tcp", MFD_CLOEXEC)) >= 0 &&
	    vl_agent_exec(fd, argv, NULL, NULL, -1, mfd, -1, false, &ex, &err) == 0 &&
	    lseek(mfd, 0, SEEK_SET) == 0 && (fp = fdopen(mfd, "r"))) {
		yes = in_table(fp, port);
		fclose(fp);
		mfd = -1;
	}
	if (mfd >= 0)
		close(mfd);
	close(fd);
	return yes;
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

		/* a guest's sockets are its own: its agent reads them */
		if (p->guest ? guest_listening(p, port) : listening(p->pid, port))
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

/* What a relay reports of its command (to guest_ru). */
struct guest_ru {
	uint64_t utime_us, stime_us, maxrss_kb;
};

/* In the child: run argv in the guest of node, as its relay. */
static int run_in_guest(const char *lab, const char *node, char *const *argv, char *const *env,
                        int ru_fd)
{
	const char *base = strrchr(argv[0], '/');
	struct vl_argv a = {0}, e = {0};
	struct vl_agent_exit ex = {0};
	struct vl_err err = {0};
	int fd;

	base = base ? base + 1 : argv[0];
	vl_argv_add(&a, strcmp(base, "vnetlab-work") ? base : "vnetlab-work.static");
	for (size_t i = 1; argv[i]; i++)
		vl_argv_add(&a, argv[i]);
	if (env) {
		vl_argv_addl(&e, "PATH=/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/root", NULL);
		for (char *const *p = env; *p; p++)
			vl_argv_add(&e, *p);
	}
	if ((fd = vl_node_vm_connect(lab, node, 30, &err)) < 0 ||
	    vl_agent_exec(fd, a.v, env ? e.v : NULL, NULL, -1, 1, 2, false, &ex, &err) < 0) {
		fprintf(stderr, "vnetlab bench: node %s: %s\n", node, err.msg);
		return ex.start_errno == ENOENT ? 127 : ex.start_errno ? 126 : 125;
	}
	{
		struct guest_ru g = {ex.utime_us, ex.stime_us, ex.maxrss_kb};
		ssize_t w = write(ru_fd, &g, sizeof(g));

		(void)w;
	}
	return vl_agent_exit_code(ex.status);
}

int vl_bench_spawn(const char *lab, const char *node, char *const *argv, char *const *env,
                   struct vl_bench_proc *p, struct vl_err *err)
{
	int pfd[2], rfd[2] = {-1, -1};
	/* Opened here: the node may not see the path (its /tmp is its own). */
	int exe = open(argv[0], O_RDONLY | O_CLOEXEC);

	memset(p, 0, sizeof(*p));
	p->out = -1;
	p->guest_ru = -1;
	p->guest = node && vl_node_is_vm(lab, node);
	if (exe < 0)
		return vl_err_sys(err, errno, "open %s", argv[0]);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		close(exe);
		return vl_err_sys(err, errno, "pipe");
	}
	if (p->guest && pipe2(rfd, O_CLOEXEC) < 0) {
		close(exe);
		close(pfd[0]);
		close(pfd[1]);
		return vl_err_sys(err, errno, "pipe");
	}
	fflush(NULL);
	pid_t parent = getpid();

	p->pid = fork();
	if (p->pid < 0) {
		close(exe);
		close(pfd[0]);
		close(pfd[1]);
		if (rfd[0] >= 0) {
			close(rfd[0]);
			close(rfd[1]);
		}
		return vl_err_sys(err, errno, "fork");
	}
	if (p->pid == 0) {
		struct vl_err e2 = {0};
		int pid_ns = -1, null = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(pfd[1], 1);
		if (null >= 0)
			dup2(null, 0);
		/* its own process group: stopping it reaches what it started;
		 * and if we die (Ctrl-C), it is told to stop */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(125);
		if (p->guest)
			_exit(run_in_guest(lab, node, argv, env, rfd[1]));
		if (node && (vl_engine_attach_node(lab, node, &e2) < 0 ||
		             vl_engine_join_node(lab, node, &pid_ns, &e2) < 0)) {
			fprintf(stderr, "vnetlab bench: %s\n", e2.msg);
			_exit(125);
		}
		for (char *const *e = env; e && *e; e++)
			putenv(*e);
		fexecve(exe, argv, environ);
		fprintf(stderr, "vnetlab bench: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(exe);
	close(pfd[1]);
	p->out = pfd[0];
	if (p->guest) {
		close(rfd[1]);
		p->guest_ru = rfd[0];
		snprintf(p->lab, sizeof(p->lab), "%s", lab);
		snprintf(p->node, sizeof(p->node), "%s", node);
	}
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
		if (ps[i].pid > 0 && wait4(ps[i].pid, &ps[i].status, 0, &ps[i].ru) == ps[i].pid)
			ps[i].done = WIFEXITED(ps[i].status) && WEXITSTATUS(ps[i].status) == 0 &&
			             !ps[i].stopped;
		if (ps[i].guest_ru >= 0) {
			/* a guest's command: its own rusage, not its relay's */
			struct guest_ru g;

			memset(&ps[i].ru, 0, sizeof(ps[i].ru));
			if (read(ps[i].guest_ru, &g, sizeof(g)) == (ssize_t)sizeof(g)) {
				ps[i].ru.ru_utime.tv_sec = (time_t)(g.utime_us / 1000000);
				ps[i].ru.ru_utime.tv_usec = (suseconds_t)(g.utime_us % 1000000);
				ps[i].ru.ru_stime.tv_sec = (time_t)(g.stime_us / 1000000);
				ps[i].ru.ru_stime.tv_usec = (suseconds_t)(g.stime_us % 1000000);
				ps[i].ru.ru_maxrss = (long)g.maxrss_kb;
			}
			close(ps[i].guest_ru);
			ps[i].guest_ru = -1;
		}
		ps[i].pid = 0;
	}
}
