/* vnetlab exec: run a command inside a node.
 *
 * Plain: join the node's namespaces and execve() the command in place, so
 * that stdin/stdout/stderr, signals and the exit status are the command's
 * own. -t: the command gets a pseudo-terminal and we relay it. -d: the
 * command is detached, its output logged under the lab's logs/. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/lab.h"
#include "node/node.h"
#include "vm/client.h"

static const struct option exec_opts[] = {
    {"detach", no_argument, NULL, 'd'},
    {"tty", no_argument, NULL, 't'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Our own pid and mount namespaces, to go back to once the child is
 * forked into a node's pid namespace (the node's /proc shows only that
 * namespace, where we are not: sanitizers' exit checks need our own). */
static int own_pid_ns = -1, own_mnt_ns = -1;

/* Into the node's cgroup and namespaces, back in the same directory where
 * the node has it. *pid_ns: the node's pid namespace (-1: none), which only
 * children can enter (see enter_pid_ns). */
static int join(const char *lab, const char *node, int *pid_ns, struct vl_err *err)
{
	char cwd[PATH_MAX];
	int have_cwd = getcwd(cwd, sizeof(cwd)) != NULL;

	own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	own_mnt_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (own_pid_ns < 0 || own_mnt_ns < 0)
		return vl_err_sys(err, errno, "open own namespaces");
	if (vl_engine_attach_node(lab, node, err) < 0 ||
	    vl_engine_join_node(lab, node, pid_ns, err) < 0)
		return -1;
	if (!have_cwd || chdir(cwd) < 0) {
		if (chdir("/") < 0)
			return vl_err_sys(err, errno, "chdir /");
	}
	return 0;
}

/* Children forked from now on are born in the node's pid namespace. */
static int enter_pid_ns(int *pid_ns, struct vl_err *err)
{
	int r = 0;

	if (*pid_ns < 0)
		return 0;
	if (own_pid_ns < 0 || own_mnt_ns < 0)
		r = vl_err_set(err, EBADF, "own namespaces were not kept");
	else if (setns(*pid_ns, CLONE_NEWPID) < 0)
		r = vl_err_sys(err, errno, "enter the node's pid namespace");
	close(*pid_ns);
	*pid_ns = -1;
	return r;
}

/* In the parent, after the fork: children we make from now on (helper
 * threads of sanitizers, for one) stay in our own pid namespace. */
static void leave_pid_ns(void)
{
	if (own_pid_ns < 0 || own_mnt_ns < 0)
		return;
	if (setns(own_pid_ns, CLONE_NEWPID) < 0 || setns(own_mnt_ns, CLONE_NEWNS) < 0)
		fprintf(stderr, "vnetlab: return to own namespaces: %s\n", strerror(errno));
	close(own_pid_ns);
	close(own_mnt_ns);
	own_pid_ns = own_mnt_ns = -1;
}

static int exec_failed(const char *node, const char *cmd, int e)
{
	fprintf(stderr, "vnetlab: %s: %s: %s\n", node, cmd,
	        e == ENOENT ? "command not found" : strerror(e));
	return e == ENOENT ? VL_EXIT_NOT_FOUND : VL_EXIT_CANNOT_EXEC;
}

/* In a forked child: run the command, or tell the parent why not through
 * fd (close-on-exec, so a successful exec closes it). */
static void exec_or_report(char **cmd, int fd) __attribute__((noreturn));
static void exec_or_report(char **cmd, int fd)
{
	int e;
	ssize_t n;

	execvp(cmd[0], cmd);
	e = errno;
	n = write(fd, &e, sizeof(e));
	(void)n;
	_exit(VL_EXIT_CANNOT_EXEC);
}

/* In the parent: 0 once the child has exec'd (fd reads EOF), else the
 * errno of its failed exec, with the child reaped. */
static int exec_error(pid_t pid, int fd)
{
	int e = 0;

	if (read(fd, &e, sizeof(e)) != (ssize_t)sizeof(e))
		e = 0;
	close(fd);
	if (e)
		waitpid(pid, NULL, 0);
	return e;
}

/* What a detached child tells its parent through a close-on-exec pipe;
 * EOF means the command is running. */
struct detach_msg {
	enum { MSG_PID, MSG_ERRNO, MSG_ERR } kind;
	int value;
	char text[512];
};

static void send_msg(int fd, int kind, int value, const char *text)
{
	struct detach_msg m = {.kind = kind, .value = value};
	ssize_t w;

	if (text) {
		size_t len = strnlen(text, sizeof(m.text) - 1);

		memcpy(m.text, text, len);
		m.text[len] = '\0';
	}
	w = write(fd, &m, sizeof(m));
	(void)w;
}

/* The daemon's side: own session, stdin from /dev/null, output to the
 * log, into the node (and, through one more fork, its pid namespace). */
static void detached_child(const char *lab, const char *node, char **cmd, const char *log, int fd)
{
	struct vl_err err = {0};
	int in, out, pid_ns = -1;
	pid_t pid;

	setsid();
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (in < 0 || out < 0)
		vl_err_sys(&err, errno, "open %s", out < 0 ? log : "/dev/null");
	else if (join(lab, node, &pid_ns, &err) == 0 && pid_ns >= 0 &&
	         enter_pid_ns(&pid_ns, &err) == 0) {
		if ((pid = fork()) < 0)
			vl_err_sys(&err, errno, "fork");
		else if (pid > 0) {
			send_msg(fd, MSG_PID, (int)pid, NULL);
			_exit(0);
		}
	}
	if (err.msg[0]) {
		send_msg(fd, MSG_ERR, 0, err.msg);
		_exit(VL_EXIT_EXEC_FAIL);
	}
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	execvp(cmd[0], cmd);
	send_msg(fd, MSG_ERRNO, errno, NULL);
	_exit(errno == ENOENT ? VL_EXIT_NOT_FOUND : VL_EXIT_CANNOT_EXEC);
}

static int run_detached(const char *lab, const char *node, char **cmd)
{
	struct vl_err err = {0};
	struct detach_msg m;
	char logdir[PATH_MAX], log[PATH_MAX + 64];
	int pfd[2], rc = VL_EXIT_OK;
	pid_t pid, cmd_pid;

	vl_lab_path(lab, "logs", logdir, sizeof(logdir));
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		vl_err_sys(&err, errno, "pipe");
		return vl_cli_fail(&err);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		vl_err_sys(&err, errno, "fork");
		return vl_cli_fail(&err);
	}
	if (pid == 0) {
		close(pfd[0]);
		snprintf(log, sizeof(log), "%s/%s-%d.log", logdir, node, (int)getpid());
		detached_child(lab, node, cmd, log, pfd[1]);
	}
	close(pfd[1]);
	snprintf(log, sizeof(log), "%s/%s-%d.log", logdir, node, (int)pid);
	cmd_pid = pid;
	while (read(pfd[0], &m, sizeof(m)) == (ssize_t)sizeof(m)) {
		if (m.kind == MSG_PID) {
			cmd_pid = m.value;
		} else if (m.kind == MSG_ERRNO) {
			rc = exec_failed(node, cmd[0], m.value);
		} else {
			fprintf(stderr, "vnetlab: %s\n", m.text);
			rc = VL_EXIT_EXEC_FAIL;
		}
	}
	close(pfd[0]);
	if (rc != VL_EXIT_OK || cmd_pid != pid)
		waitpid(pid, NULL, 0); /* it failed, or it was only the way in */
	if (rc == VL_EXIT_OK)
		printf("%s: started %s, pid %d, log %s\n", node, cmd[0], (int)cmd_pid, log);
	return rc;
}

static volatile sig_atomic_t got_winch, fwd_sig;

static void on_winch(int sig)
{
	got_winch = 1;
}

static void on_fwd(int sig)
{
	fwd_sig = sig;
}

static int status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return VL_EXIT_FAIL;
}

static int run_tty(const char *lab, const char *node, char **cmd)
{
	struct vl_err err = {0};
	struct termios saved, raw;
	struct winsize ws;
	int master, status, in_tty = isatty(STDIN_FILENO), have_ws, in_open = 1;
	int epfd[2], e = 0, pid_ns = -1;
	pid_t pid;
	char buf[8192];

	if (join(lab, node, &pid_ns, &err) < 0 || enter_pid_ns(&pid_ns, &err) < 0) {
		vl_cli_fail(&err);
		return VL_EXIT_EXEC_FAIL;
	}
	if (in_tty && tcgetattr(STDIN_FILENO, &saved) < 0)
		in_tty = 0;
	have_ws = ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0;
	if (pipe2(epfd, O_CLOEXEC) < 0) {
		vl_err_sys(&err, errno, "pipe");
		vl_cli_fail(&err);
		return VL_EXIT_EXEC_FAIL;
	}
	pid = forkpty(&master, NULL, in_tty ? &saved : NULL, have_ws ? &ws : NULL);
	if (pid < 0) {
		vl_err_sys(&err, errno, "open a pseudo-terminal");
		vl_cli_fail(&err);
		return VL_EXIT_EXEC_FAIL;
	}
	if (pid == 0) {
		close(epfd[0]);
		exec_or_report(cmd, epfd[1]);
	}
	leave_pid_ns();
	close(epfd[1]);
	fcntl(master, F_SETFD, FD_CLOEXEC);
	if ((e = exec_error(pid, epfd[0]))) {
		close(master);
		return exec_failed(node, cmd[0], e);
	}
	if (in_tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	signal(SIGWINCH, on_winch);
	signal(SIGINT, on_fwd);
	signal(SIGTERM, on_fwd);
	signal(SIGHUP, on_fwd);
	for (;;) {
		struct pollfd pf[2] = {{.fd = master, .events = POLLIN},
		                       {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN}};
		ssize_t n;

		if (got_winch) {
			got_winch = 0;
			if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				ioctl(master, TIOCSWINSZ, &ws);
		}
		if (fwd_sig) {
			kill(pid, fwd_sig);
			fwd_sig = 0;
		}
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0)
				break; /* EIO: the command and its children closed the tty */
			if (vl_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				break;
		}
		if (in_open && (pf[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0) {
				/* End of input: send EOF to the command's terminal. */
				in_open = 0;
				vl_write_all(master, "\x04", 1);
			} else if (vl_write_all(master, buf, (size_t)n) < 0) {
				break;
			}
		}
	}
	if (in_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(master);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status_code(status);
}

/* Only children enter a pid namespace: fork, pass signals on, and return
 * the command's status as our own. */
static int run_in_pid_ns(const char *node, char **cmd, int *pid_ns)
{
	static const int fwd[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	struct vl_err err = {0};
	int epfd[2], e, status;
	pid_t pid;

	if (enter_pid_ns(pid_ns, &err) < 0 || pipe2(epfd, O_CLOEXEC) < 0) {
		if (!err.msg[0])
			vl_err_sys(&err, errno, "pipe");
		vl_cli_fail(&err);
		return VL_EXIT_EXEC_FAIL;
	}
	for (size_t i = 0; i < VL_ARRAY_SIZE(fwd); i++)
		sigaction(fwd[i], &(struct sigaction){.sa_handler = on_fwd}, NULL);
	pid = fork();
	if (pid < 0) {
		vl_err_sys(&err, errno, "fork");
		vl_cli_fail(&err);
		return VL_EXIT_EXEC_FAIL;
	}
	if (pid == 0) {
		for (size_t i = 0; i < VL_ARRAY_SIZE(fwd); i++)
			signal(fwd[i], SIG_DFL);
		close(epfd[0]);
		exec_or_report(cmd, epfd[1]);
	}
	leave_pid_ns();
	close(epfd[1]);
	if ((e = exec_error(pid, epfd[0])))
		return exec_failed(node, cmd[0], e);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return VL_EXIT_FAIL;
		if (fwd_sig) {
			kill(pid, fwd_sig);
			fwd_sig = 0;
		}
	}
	return status_code(status);
}

/* A vm node: the command runs in the guest, through its agent. -d runs
 * it in the background there, its output in a log in the guest's /tmp. */
static int run_vm(const char *lab, const char *node, char **cmd, bool tty, bool detach)
{
	struct vl_err err = {0};
	struct vl_agent_exit ex = {0};
	struct termios saved, raw;
	bool raw_mode = false;
	struct vl_argv a = {0};
	int fd, r;

	if ((fd = vl_node_vm_connect(lab, node, 30, &err)) < 0) {
		vl_cli_fail(&err);
		return VL_EXIT_EXEC_FAIL;
	}
	if (detach) {
		/* the shell starts it in a session of its own and says where */
		vl_argv_addl(&a, "/bin/sh", "-c",
		             "log=/tmp/$(basename \"$1\")-$$.log; "
		             "setsid \"$@\" </dev/null >\"$log\" 2>&1 & "
		             "echo \"started $1, pid $! (in the guest), log $log (in the guest)\"",
		             "sh", NULL);
		for (char **c = cmd; *c; c++)
			vl_argv_add(&a, *c);
		cmd = a.v;
	}
	if (tty && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		raw_mode = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	r = vl_agent_exec(fd, cmd, NULL, NULL, detach ? -1 : STDIN_FILENO, STDOUT_FILENO,
	                  STDERR_FILENO, tty, &ex, &err);
	if (raw_mode)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(fd);
	vl_argv_free(&a);
	if (r < 0) {
		if (ex.start_errno)
			return exec_failed(node, cmd[0], ex.start_errno);
		vl_cli_fail(&err);
		return VL_EXIT_EXEC_FAIL;
	}
	return vl_agent_exit_code(ex.status);
}

int cmd_exec(int argc, char **argv)
{
	struct vl_err err = {0};
	int opt, detach = 0, tty = 0, pid_ns = -1;
	const char *lab, *node;
	char **cmd;

	while ((opt = getopt_long(argc, argv, "+dth", exec_opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			detach = 1;
			break;
		case 't':
			tty = 1;
			break;
		case 'h':
			return vl_cli_help("exec");
		default:
			return vl_cli_usage("exec", "bad option");
		}
	}
	if (argc - optind < 2)
		return vl_cli_usage("exec", "name a lab and a node");
	lab = argv[optind];
	node = argv[optind + 1];
	cmd = argv + optind + 2;
	if (*cmd && !strcmp(*cmd, "--"))
		cmd++;
	if (!*cmd)
		return vl_cli_usage("exec", "no command to run");
	if (detach && tty)
		return vl_cli_usage("exec", "-d and -t do not go together");
	if (vl_node_is_vm(lab, node))
		return run_vm(lab, node, cmd, tty, detach);
	if (detach)
		return run_detached(lab, node, cmd);
	if (tty)
		return run_tty(lab, node, cmd);
	if (join(lab, node, &pid_ns, &err) < 0) {
		vl_cli_fail(&err);
		return VL_EXIT_EXEC_FAIL;
	}
	if (pid_ns >= 0)
		return run_in_pid_ns(node, cmd, &pid_ns);
	execvp(cmd[0], cmd);
	return exec_failed(node, cmd[0], errno);
}
