/* Running a program in a node whose processes live on the host (ns and
 * proc nodes): into its cgroup and namespaces, its pid namespace through a
 * child that passes signals on, a pseudo-terminal relayed, or detached
 * with its output logged. The one place for all of it (node.h's spawn).
 * Touches the calling process's namespaces, cgroup, directory and signal
 * dispositions (restored), and the lab's logs/. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/fsat.h"
#include "base/util.h"
#include "lab/lab.h"
#include "node/common.h"
#include "sys/proc.h"

static const int fwd_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
static volatile sig_atomic_t fwd_sig, got_winch;

static void on_fwd(int sig)
{
	fwd_sig = sig;
}

static void on_winch(int sig)
{
	got_winch = 1;
}

/* Our own pid and mount namespaces, to go back to once a child is forked
 * into a node's pid namespace (the node's /proc shows only that
 * namespace, where we are not: sanitizers' exit checks need our own). */
struct own_ns {
	int pid, mnt;
};

static void own_ns_close(struct own_ns *o)
{
	vl_closep(&o->pid);
	vl_closep(&o->mnt);
}

/* Into the node's cgroup and namespaces, back in the same directory where
 * the node has it. *pid_ns: the node's pid namespace (-1: none), which
 * only children can enter (enter_pid_ns). */
static int enter_node(const struct vl_node_ref *n, int flags, struct own_ns *own, int *pid_ns,
                      struct vl_err *err)
{
	const struct vl_cgroup_manager *cg = vl_lab_cgroups(n->lab);
	char cwd[PATH_MAX], path[256];
	bool have_cwd = getcwd(cwd, sizeof(cwd)) != NULL;

	*pid_ns = -1;
	if (!n->lab[0])
		return 0; /* the host itself (vl_node_host) */
	own->pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	own->mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (own->pid < 0 || own->mnt < 0)
		return vl_err_sys(err, errno, "open own namespaces");
	snprintf(path, sizeof(path), "vnetlab/%s/%s", n->lab, n->node);
	if (cg && cg->attach(path, 0, err) < 0)
		return vl_err_wrap(err, "node %s", n->node);
	if (vl_node_join(n->lab, n->id, n->node, flags, pid_ns, err) < 0)
		return -1;
	if ((!have_cwd || chdir(cwd) < 0) && chdir("/") < 0)
		return vl_err_sys(err, errno, "chdir /");
	return 0;
}

/* Children forked from now on are born in the node's pid namespace. */
static int enter_pid_ns(int *pid_ns, struct vl_err *err)
{
	int r = 0;

	if (*pid_ns >= 0 && setns(*pid_ns, CLONE_NEWPID) < 0)
		r = vl_err_sys(err, errno, "enter the node's pid namespace");
	vl_closep(pid_ns);
	return r;
}

/* In the parent, after the fork: children we make from now on (helper
 * threads of sanitizers, for one) stay in our own pid namespace. */
static void leave_pid_ns(struct own_ns *own)
{
	if (own->pid >= 0 && own->mnt >= 0 &&
	    (setns(own->pid, CLONE_NEWPID) < 0 || setns(own->mnt, CLONE_NEWNS) < 0))
		fprintf(stderr, "vnetlab: return to own namespaces: %s\n", strerror(errno));
	own_ns_close(own);
}

/* Make this process the program: stdin, stdout and stderr as asked, the
 * environment, then exec. Returns the errno if it cannot be run. */
static int exec_here(const struct vl_spawn *s)
{
	int fds[3] = {s->in, s->out, s->err}, null = -1;

	for (int k = 0; k < 3; k++) {
		if (fds[k] < 0 && null < 0 && (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
			return errno;
		if (fds[k] < 0)
			fds[k] = null;
	}
	/* dup2 keeps the copies open across exec; moved high first, so that
	 * one target does not overwrite another's source */
	for (int k = 0; k < 3; k++)
		if (fds[k] != k && (fds[k] = fcntl(fds[k], F_DUPFD_CLOEXEC, 3)) < 0)
			return errno;
	for (int k = 0; k < 3; k++)
		if (fds[k] != k && dup2(fds[k], k) < 0)
			return errno;
	for (char *const *e = s->env; e && *e; e++)
		putenv(*e);
	if (s->exe_fd >= 0)
		fexecve(s->exe_fd, s->argv, environ);
	else
		execvp(s->argv[0], s->argv);
	return errno;
}

/* In a child: the program; if it cannot be run, its errno goes to report
 * (-1: said on stderr) and the child exits as a shell would. */
static void exec_child(const struct vl_node_ref *n, const struct vl_spawn *s, int report)
    __attribute__((noreturn));
static void exec_child(const struct vl_node_ref *n, const struct vl_spawn *s, int report)
{
	int e = exec_here(s);

	if (report >= 0) {
		ssize_t w = write(report, &e, sizeof(e));

		(void)w;
	} else {
		fprintf(stderr, "vnetlab: %s: %s: %s\n", n->node, s->argv[0],
		        e == ENOENT ? "command not found" : strerror(e));
	}
	_exit(e == ENOENT ? 127 : 126);
}

/* In the parent: 0 once the child has exec'd (report reads EOF), else the
 * errno of its failed exec, with the child reaped. */
static int exec_error(pid_t pid, int report)
{
	int e = 0;

	if (read(report, &e, sizeof(e)) != (ssize_t)sizeof(e))
		e = 0;
	close(report);
	if (e)
		waitpid(pid, NULL, 0);
	return e;
}

static int exec_failed(const struct vl_node_ref *n, const struct vl_spawn *s, int e,
                       struct vl_child *c, struct vl_err *err)
{
	c->exec_errno = e;
	return vl_err_set(err, e, "%s: %s: %s", n->node, s->argv[0],
	                  e == ENOENT ? "command not found" : strerror(e));
}

static void forward_signals(struct sigaction *old)
{
	for (size_t i = 0; i < VL_ARRAY_SIZE(fwd_signals); i++)
		sigaction(fwd_signals[i], &(struct sigaction){.sa_handler = on_fwd}, &old[i]);
}

static void restore_signals(const struct sigaction *old)
{
	for (size_t i = 0; i < VL_ARRAY_SIZE(fwd_signals); i++)
		sigaction(fwd_signals[i], &old[i], NULL);
}

/* Wait for pid, passing on the signals we get meanwhile. */
static int wait_passing(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return W_EXITCODE(125, 0);
		if (fwd_sig) {
			kill(pid, fwd_sig);
			fwd_sig = 0;
		}
	}
	return status;
}

/* Fork the program (into the node's pid namespace, if pid_ns >= 0). On
 * success *pid runs it: the caller goes back to its own namespaces. */
static int fork_program(const struct vl_node_ref *n, const struct vl_spawn *s, struct own_ns *own,
                        int *pid_ns, struct vl_child *c, struct vl_err *err)
{
	int fd, e;

	if (enter_pid_ns(pid_ns, err) < 0 || (c->pid = vl_fork_pipe(&fd, err)) < 0)
		return -1;
	if (c->pid == 0) {
		for (size_t i = 0; i < VL_ARRAY_SIZE(fwd_signals); i++)
			signal(fwd_signals[i], SIG_DFL);
		exec_child(n, s, fd);
	}
	leave_pid_ns(own);
	if ((e = exec_error(c->pid, fd)))
		return exec_failed(n, s, e, c, err);
	return 0;
}

/* The program on a pseudo-terminal, relayed to s->in and s->out (put in
 * raw mode if a terminal) until it closes it. */
static int run_tty(const struct vl_node_ref *n, const struct vl_spawn *s, struct own_ns *own,
                   int *pid_ns, struct vl_child *c, struct vl_err *err)
{
	int in = s->in >= 0 ? s->in : STDIN_FILENO, out = s->out >= 0 ? s->out : STDOUT_FILENO;
	struct termios saved, raw;
	struct winsize ws;
	struct sigaction old[VL_ARRAY_SIZE(fwd_signals)], old_winch;
	int master, in_tty = isatty(in), have_ws, in_open = 1, ep[2], e;
	struct vl_spawn cs = *s;
	pid_t pid;
	char buf[8192];

	if (enter_pid_ns(pid_ns, err) < 0)
		return -1;
	if (in_tty && tcgetattr(in, &saved) < 0)
		in_tty = 0;
	have_ws = ioctl(in, TIOCGWINSZ, &ws) == 0;
	if (pipe2(ep, O_CLOEXEC) < 0)
		return vl_err_sys(err, errno, "pipe");
	fflush(NULL);
	pid = forkpty(&master, NULL, in_tty ? &saved : NULL, have_ws ? &ws : NULL);
	if (pid < 0) {
		e = errno;
		close(ep[0]);
		close(ep[1]);
		return vl_err_sys(err, e, "open a pseudo-terminal");
	}
	if (pid == 0) {
		close(ep[0]);
		cs.in = STDIN_FILENO; /* the pty, as forkpty left it */
		cs.out = STDOUT_FILENO;
		cs.err = STDERR_FILENO;
		exec_child(n, &cs, ep[1]);
	}
	leave_pid_ns(own);
	close(ep[1]);
	fcntl(master, F_SETFD, FD_CLOEXEC);
	if ((e = exec_error(pid, ep[0]))) {
		close(master);
		return exec_failed(n, s, e, c, err);
	}
	if (in_tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(in, TCSANOW, &raw);
	}
	sigaction(SIGWINCH, &(struct sigaction){.sa_handler = on_winch}, &old_winch);
	forward_signals(old);
	for (;;) {
		struct pollfd pf[2] = {{.fd = master, .events = POLLIN},
		                       {.fd = in_open ? in : -1, .events = POLLIN}};
		ssize_t k;

		if (got_winch) {
			got_winch = 0;
			if (ioctl(in, TIOCGWINSZ, &ws) == 0)
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
			k = read(master, buf, sizeof(buf));
			if (k <= 0)
				break; /* EIO: the command and its children closed the tty */
			if (vl_write_all(out, buf, (size_t)k) < 0)
				break;
		}
		if (in_open && (pf[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			k = read(in, buf, sizeof(buf));
			if (k <= 0) {
				/* End of input: send EOF to the command's terminal. */
				in_open = 0;
				vl_write_all(master, "\x04", 1);
			} else if (vl_write_all(master, buf, (size_t)k) < 0) {
				break;
			}
		}
	}
	if (in_tty)
		tcsetattr(in, TCSANOW, &saved);
	close(master);
	c->pid = pid;
	c->status = wait_passing(pid);
	restore_signals(old);
	sigaction(SIGWINCH, &old_winch, NULL);
	return 0;
}

static int run_replace(const struct vl_node_ref *n, const struct vl_spawn *s, int flags,
                       struct vl_child *c, struct vl_err *err)
{
	struct own_ns own = {-1, -1};
	struct sigaction old[VL_ARRAY_SIZE(fwd_signals)];
	int pid_ns = -1, r;

	if (enter_node(n, flags, &own, &pid_ns, err) < 0) {
		vl_closep(&pid_ns);
		own_ns_close(&own);
		return -1;
	}
	if (s->tty) {
		r = run_tty(n, s, &own, &pid_ns, c, err);
		own_ns_close(&own);
		return r;
	}
	if (pid_ns < 0) {
		/* the program becomes this process: its stdio, signals, status */
		own_ns_close(&own);
		return exec_failed(n, s, exec_here(s), c, err);
	}
	/* only children enter a pid namespace: one more process, which
	 * passes signals on and takes the program's status as its own */
	forward_signals(old);
	r = fork_program(n, s, &own, &pid_ns, c, err);
	if (r == 0)
		c->status = wait_passing(c->pid);
	restore_signals(old);
	own_ns_close(&own);
	return r;
}

/* A CHILD: forked at once; it enters the node (and, through one more
 * child that passes signals on, its pid namespace) and runs the program. */
static int run_child(const struct vl_node_ref *n, const struct vl_spawn *s, int flags,
                     struct vl_child *c, struct vl_err *err)
{
	pid_t parent = getpid();

	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0)
		return vl_err_sys(err, errno, "fork");
	if (c->pid == 0) {
		struct vl_err e2 = {0};
		struct own_ns own = {-1, -1};
		int pid_ns = -1;
		pid_t pid;

		if (s->own_group) {
			/* its own process group: stopping it reaches what it
			 * started; and if we die (Ctrl-C), it is told to stop */
			setpgid(0, 0);
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				_exit(125);
		}
		if (enter_node(n, flags, &own, &pid_ns, &e2) < 0) {
			fprintf(stderr, "vnetlab: %s\n", e2.msg);
			_exit(125);
		}
		own_ns_close(&own);
		if (pid_ns < 0)
			exec_child(n, s, -1);
		if (enter_pid_ns(&pid_ns, &e2) < 0 || (pid = fork()) < 0) {
			fprintf(stderr, "vnetlab: node %s: %s\n", n->node,
			        e2.msg[0] ? e2.msg : strerror(errno));
			_exit(125);
		}
		if (pid == 0)
			exec_child(n, s, -1);
		forward_signals((struct sigaction[VL_ARRAY_SIZE(fwd_signals)]){0});
		int status = wait_passing(pid);

		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	c->net_pid = c->pid;
	return 0;
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

/* A new log file, named as log's last part, in the lab's logs/: that
 * directory opened with no symbolic link on its path, the file created
 * there (one left by a pid before ours removed), never followed. */
static int open_log(const struct vl_node_ref *n, const char *log, struct vl_err *err)
{
	cleanup_close int dir = -1;
	const char *name = strrchr(log, '/') + 1;
	char path[PATH_MAX];
	int fd;

	vl_lab_path(n->lab, "logs", path, sizeof(path));
	if ((dir = vl_dir_open(path, err)) < 0)
		return -1;
	fd = vl_at_create(dir, name, O_WRONLY | O_APPEND, 0600, err);
	if (fd < 0 && err->code == EEXIST && unlinkat(dir, name, 0) == 0)
		fd = vl_at_create(dir, name, O_WRONLY | O_APPEND, 0600, err);
	return fd;
}

/* The daemon's side: own session, stdin from /dev/null, output to the
 * log, into the node (and, through one more fork, its pid namespace). */
static void detached_child(const struct vl_node_ref *n, const struct vl_spawn *s, int flags,
                           const char *log, int fd) __attribute__((noreturn));
static void detached_child(const struct vl_node_ref *n, const struct vl_spawn *s, int flags,
                           const char *log, int fd)
{
	struct vl_err err = {0};
	struct own_ns own = {-1, -1};
	struct vl_spawn ds = *s;
	int out, pid_ns = -1, e;
	pid_t pid;

	setsid();
	if ((out = open_log(n, log, &err)) < 0)
		vl_err_wrap(&err, "node %s: its log", n->node);
	else if (enter_node(n, flags, &own, &pid_ns, &err) == 0 && pid_ns >= 0 &&
	         enter_pid_ns(&pid_ns, &err) == 0) {
		if ((pid = fork()) < 0)
			vl_err_sys(&err, errno, "fork");
		else if (pid > 0) {
			send_msg(fd, MSG_PID, (int)pid, NULL);
			_exit(0);
		}
	}
	own_ns_close(&own);
	if (err.msg[0]) {
		send_msg(fd, MSG_ERR, 0, err.msg);
		_exit(125);
	}
	ds.in = -1;
	ds.out = ds.err = out;
	e = exec_here(&ds);
	send_msg(fd, MSG_ERRNO, e, NULL);
	_exit(e == ENOENT ? 127 : 126);
}

static int run_detached(const struct vl_node_ref *n, const struct vl_spawn *s, int flags,
                        struct vl_child *c, struct vl_err *err)
{
	struct detach_msg m;
	char log[PATH_MAX];
	int fd, r = 0;
	pid_t pid;

	if ((pid = vl_fork_pipe(&fd, err)) < 0)
		return -1;
	if (pid == 0) {
		vl_lab_pathf(n->lab, log, sizeof(log), "logs/%s-%d.log", n->node, (int)getpid());
		detached_child(n, s, flags, log, fd);
	}
	vl_lab_pathf(n->lab, log, sizeof(log), "logs/%s-%d.log", n->node, (int)pid);
	c->pid = pid;
	while (read(fd, &m, sizeof(m)) == (ssize_t)sizeof(m)) {
		if (m.kind == MSG_PID)
			c->pid = m.value;
		else if (m.kind == MSG_ERRNO)
			r = exec_failed(n, s, m.value, c, err);
		else
			r = vl_err_set(err, 0, "%s", m.text);
	}
	close(fd);
	if (r < 0 || c->pid != pid)
		waitpid(pid, NULL, 0); /* it failed, or it was only the way in */
	snprintf(c->where, sizeof(c->where), "pid %d, log %s", (int)c->pid, log);
	return r;
}

int vl_node_host_spawn(const struct vl_node_ref *n, int flags, const struct vl_spawn *s,
                       struct vl_child *c, struct vl_err *err)
{
	switch (s->how) {
	case VL_SPAWN_REPLACE:
		return run_replace(n, s, flags, c, err);
	case VL_SPAWN_DETACH:
		return run_detached(n, s, flags, c, err);
	case VL_SPAWN_CHILD:
		break;
	}
	return run_child(n, s, flags, c, err);
}
