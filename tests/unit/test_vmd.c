/* `vnetlab __vmd`, the guests' supervisor and agent multiplexer, without
 * QEMU: its "QEMU" is `vnetlab-agent --serve-fd 9`, a plain process agent
 * on the guest end of the socket pair, given the descriptors src/node/vm.c
 * gives a real one. Checked: it says "ready" once the agent answered, it
 * idles without spinning, several clients run commands at once with their
 * own streams and statuses, a client that leaves takes its commands along
 * (even one flooding output nobody reads), and SIGTERM powers the agent
 * off and ends the supervisor cleanly.
 *
 *   test_vmd [VNETLAB [AGENT]]   (default: beside this test's build
 *                                 directory, BUILD/tests/.. )
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "vm/client.h"
#include "vm/vmd.h"

static char vnetlab[PATH_MAX], agent[PATH_MAX], dir[] = "/tmp/vl-vmd-XXXXXX", sock[100];
static pid_t vmd;
static int ready_fd = -1;

static void beside(const char *name, char *out, size_t len)
{
	char exe[PATH_MAX - 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	out[0] = '\0';
	if (n <= 0)
		return;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')))
		*slash = '\0';
	snprintf(out, len, "%s/../%s", exe, name);
}

/* Start the supervisor as up does: fds 0-9 (vm/vmd.h), then exec. */
static int start(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int sv[2], rp[2], lfd, con;
	char log[PATH_MAX];

	snprintf(sock, sizeof(sock), "%s/n.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	snprintf(log, sizeof(log), "%s/console", dir);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(rp, O_CLOEXEC) < 0 ||
	    (lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 16) < 0 ||
	    (con = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0)
		return -1;
	fflush(NULL);
	vmd = fork();
	if (vmd == 0) {
		/* no identity to give: the agent is not a guest's init */
		int id = memfd_create("id", MFD_CLOEXEC);
		uint32_t zero = 0;
		int src[] = {open("/dev/null", O_RDONLY | O_CLOEXEC),
		             con,
		             con,
		             sv[0],
		             lfd,
		             rp[1],
		             id,
		             open("/dev/null", O_RDONLY | O_CLOEXEC),
		             open("/dev/null", O_RDONLY | O_CLOEXEC), /* no barrier */
		             sv[1]};
		int hi[10];

		if (write(id, &zero, 4) != 4)
			_exit(126);
		for (int k = 0; k < 10; k++)
			hi[k] = fcntl(src[k], F_DUPFD_CLOEXEC, 100);
		for (int k = 0; k < 10; k++)
			dup2(hi[k], k);
		execl(vnetlab, "vnetlab", "__vmd", "n", "--", agent, "--serve-fd", "9",
		      (char *)NULL);
		_exit(127);
	}
	close(sv[0]);
	close(sv[1]);
	close(rp[1]);
	close(lfd);
	close(con);
	ready_fd = rp[0];
	return vmd > 0 ? 0 : -1;
}

static int connect_vmd(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void t_ready(void)
{
	struct pollfd pf = {.fd = ready_fd, .events = POLLIN};
	char line[256] = "";
	ssize_t n = 0;

	if (poll(&pf, 1, 20000) == 1)
		n = read(ready_fd, line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	result("ready", !strncmp(line, "ready ", 6), "the supervisor said [%.*s]",
	       (int)strcspn(line, "\n"), line);
}

/* CPU ticks the supervisor used over a second: an idle one uses none. */
static void t_idle(void)
{
	char path[64], *s = NULL;
	unsigned long long t[2] = {0}, u, k;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)vmd);
	for (int i = 0; i < 2; i++) {
		if (vl_read_file(path, &s, NULL, NULL) == 0) {
			const char *p = strrchr(s, ')');

			if (p &&
			    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			           &u, &k) == 2)
				t[i] = u + k;
			free(s);
			s = NULL;
		}
		if (i == 0)
			sleep(1);
	}
	result("idle", t[1] - t[0] <= 2, "%llu ticks in 1 s", t[1] - t[0]);
}

/* Run argv through a new client; its stdout in out. */
static int run(char *const argv[], struct vl_buf *out, int *status, struct vl_err *err)
{
	struct vl_agent_info info;
	struct vl_agent_exit ex = {0};
	int fd = connect_vmd(), p[2], r;
	char buf[4096];
	ssize_t n;

	if (fd < 0)
		return vl_err_sys(err, errno, "connect");
	if (vl_agent_hello(fd, &info, 10, err) < 0 || pipe2(p, O_CLOEXEC) < 0) {
		close(fd);
		return -1;
	}
	/* small outputs: the pipe holds them */
	r = vl_agent_exec(fd, argv, NULL, NULL, -1, p[1], -1, false, &ex, err);
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		vl_buf_add(out, buf, (size_t)n);
	close(p[0]);
	close(fd);
	*status = ex.status;
	return r;
}

static void t_clients_at_once(void)
{
	pid_t kids[3];
	int ok = 1;

	/* three clients at once, each its own output and status */
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char cmd[64], want[16];
			char *argv[] = {"/bin/sh", "-c", cmd, NULL};
			struct vl_buf out = {0};
			struct vl_err err = {0};
			int st = 0;

			snprintf(cmd, sizeof(cmd), "sleep 0.3; echo c%d; exit %d", i, 10 + i);
			snprintf(want, sizeof(want), "c%d\n", i);
			if (run(argv, &out, &st, &err) < 0 || !out.s || strcmp(out.s, want) ||
			    !WIFEXITED(st) || WEXITSTATUS(st) != 10 + i)
				_exit(1);
			_exit(0);
		}
	}
	for (int i = 0; i < 3; i++) {
		int st;

		ok &= waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) && !WEXITSTATUS(st);
	}
	result("clients_at_once", ok, "three clients, three outputs and statuses");
}

/* A client that dies takes its command along, also one whose output fills
 * every window while nobody reads it. */
static void t_leaving_client(void)
{
	char pidfile[PATH_MAX], cmd[PATH_MAX + 64], *s = NULL;
	struct vl_buf why = {0};

	for (int flood = 0; flood < 2; flood++) {
		pid_t kid, cmd_pid = 0;
		double end;

		snprintf(pidfile, sizeof(pidfile), "%s/pid%d", dir, flood);
		snprintf(cmd, sizeof(cmd), "echo $$ > %s; exec %s", pidfile,
		         flood ? "yes vnetlab" : "sleep 60");
		kid = fork();
		if (kid == 0) {
			char *argv[] = {"/bin/sh", "-c", cmd, NULL};
			struct vl_agent_info info;
			struct vl_agent_exit ex;
			struct vl_err err;
			int fd = connect_vmd();

			/* the output goes to a pipe nobody reads */
			int p[2];

			if (fd < 0 || vl_agent_hello(fd, &info, 10, &err) < 0 || pipe(p) < 0)
				_exit(1);
			vl_agent_exec(fd, argv, NULL, NULL, -1, p[1], -1, false, &ex, &err);
			_exit(0);
		}
		for (end = vl_now() + 10; vl_now() < end && !cmd_pid; usleep(20000))
			if (vl_read_file(pidfile, &s, NULL, NULL) == 0) {
				cmd_pid = (pid_t)atoi(s);
				free(s);
			}
		usleep(200000);
		kill(kid, SIGKILL);
		waitpid(kid, NULL, 0);
		if (!cmd_pid) {
			why_add(&why, "%s: never started", flood ? "yes" : "sleep");
			continue;
		}
		for (end = vl_now() + 5; vl_now() < end && kill(cmd_pid, 0) == 0; usleep(20000))
			;
		if (kill(cmd_pid, 0) == 0) {
			why_add(&why, "%s (pid %d) outlived its client", flood ? "yes" : "sleep",
			        (int)cmd_pid);
			kill(cmd_pid, SIGKILL);
		}
	}
	/* and the supervisor still serves */
	{
		char *argv[] = {"/bin/echo", "still", NULL};
		struct vl_buf out = {0};
		struct vl_err err = {0};
		int st;

		if (run(argv, &out, &st, &err) < 0 || !out.s || strcmp(out.s, "still\n"))
			why_add(&why, "no service after: %s", err.msg);
		vl_buf_free(&out);
	}
	report("leaving_client", &why);
	vl_buf_free(&why);
}

static void t_sigterm(void)
{
	int st = -1;
	double end = vl_now() + 5;
	pid_t r = 0;

	kill(vmd, SIGTERM);
	while (vl_now() < end && (r = waitpid(vmd, &st, WNOHANG)) == 0)
		usleep(20000);
	if (r == 0) {
		kill(vmd, SIGKILL);
		waitpid(vmd, &st, 0);
	}
	result("sigterm", r == vmd && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the supervisor %s",
	       r == vmd ? "ended" : "did not end in 5 s");
	vmd = 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	alarm(120);
	if (argc > 1)
		snprintf(vnetlab, sizeof(vnetlab), "%s", argv[1]);
	else
		beside("vnetlab", vnetlab, sizeof(vnetlab));
	if (argc > 2)
		snprintf(agent, sizeof(agent), "%s", argv[2]);
	else
		beside("vnetlab-agent", agent, sizeof(agent));
	if (access(vnetlab, X_OK) < 0 || access(agent, X_OK) < 0) {
		printf("skip vmd cases: no %s or %s (make builds them)\n", vnetlab, agent);
		nskip++;
	} else if (!mkdtemp(dir) || start() < 0) {
		printf("FAIL setup: %s\n", strerror(errno));
		nfail++;
	} else {
		t_ready();
		t_idle();
		t_clients_at_once();
		t_leaving_client();
		t_sigterm();
	}
	if (vmd > 0) {
		kill(vmd, SIGKILL);
		waitpid(vmd, NULL, 0);
	}
	if (dir[sizeof(dir) - 7] != 'X') {
		char p[PATH_MAX + 16];

		for (const char *f = "n.sock\0console\0pid0\0pid1\0"; *f; f += strlen(f) + 1) {
			snprintf(p, sizeof(p), "%s/%s", dir, f);
			unlink(p);
		}
		rmdir(dir);
	}
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
