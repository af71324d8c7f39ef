/* run: a real program as a workload. `vnetlab-work run [--start-at T]
 * [--chdir DIR] -- PROG ARG...` waits for the barrier, runs PROG with its
 * stdout and stderr captured, and reports them in the one JSON object with
 * the program's own CPU time (wait4's rusage: the program and everything it
 * waited for) and its exit. SIGTERM and SIGINT are passed on to the program,
 * so a server (iperf -s, sshd -D) is stopped by signalling us; a program
 * stopped that way has ended as asked ("stopped": true). If we die, the
 * program is killed (PR_SET_PDEATHSIG); a program told to stop that has
 * not ended 2 s later is killed with its process group, and so is what a
 * program that ended left holding its output: a runner's timeout leaves
 * nothing.
 * With --result PREFIX --grace S, a program that printed its result (a
 * stdout line starting with PREFIX) and then does not end within S seconds
 * is stopped the same way and reported as "hung_after_result": an MPI job
 * that hangs in MPI_Finalize keeps its figures. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "work/work.h"

extern char **environ;

/* What is kept of each output stream; the rest is counted, not stored. */
#define RUN_KEEP_BYTES (4u << 20)
/* How long a program told to stop may take before it is killed. */
#define STOP_GRACE_S 2.0

static volatile sig_atomic_t child_pid, stop_sig;

static void forward(int sig)
{
	stop_sig = sig;
	if (child_pid > 0)
		kill(-(pid_t)child_pid, sig); /* its process group: what it started too */
}

/* Text for JSON: jansson wants UTF-8; the programs' output is ASCII in
 * practice, anything else becomes '?'. */
static json_t *text_json(const struct vl_buf *b)
{
	char *s = vl_xmalloc(b->len + 1);

	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->s[i];

		s[i] =
		    c >= 0x80 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r') ? '?' : (char)c;
	}
	s[b->len] = '\0';
	json_t *j = json_stringn(s, b->len);
	free(s);
	return j;
}

/* Has the program printed its result line yet? */
static bool has_result(const struct vl_buf *b, const char *prefix)
{
	size_t pl = strlen(prefix);

	for (const char *line = b->s; line && *line;) {
		const char *nl = strchr(line, '\n');

		if (!nl)
			break; /* not a whole line yet */
		if ((size_t)(nl - line) >= pl && !strncmp(line, prefix, pl))
			return true;
		line = nl + 1;
	}
	return false;
}

static void drain(int *fd, struct vl_buf *b, uint64_t *total)
{
	char buf[65536];
	ssize_t r = read(*fd, buf, sizeof(buf));

	if (r > 0) {
		size_t keep = b->len < RUN_KEEP_BYTES ? RUN_KEEP_BYTES - b->len : 0;

		vl_buf_add(b, buf, (size_t)r < keep ? (size_t)r : keep);
		*total += (uint64_t)r;
	} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
}

int work_run(const struct work_opts *o, struct work_meter *m, json_t *out, struct vl_err *err)
{
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, status = 0, r = -1;
	struct vl_buf ob = {0}, eb = {0};
	uint64_t otot = 0, etot = 0;
	struct sigaction sa = {.sa_handler = forward};
	json_t *argv = json_array();
	double result_at = 0, kill_at = 0, drain_until = 0; /* monotonic seconds */
	bool hung = false, exited = false;
	sigset_t stop_set, old_set;
	pid_t pid, parent;
	int pidfd = -1;

	for (char *const *a = o->argv; *a; a++)
		json_array_append_new(argv, json_string(*a));
	work_set(out, "argv", argv);
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		vl_err_sys(err, errno, "pipe");
		goto out;
	}
	/* Signals wait until the program's pid is known (forward needs it);
	 * the program gets them back at their defaults. */
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGTERM);
	sigaddset(&stop_set, SIGINT);
	sigprocmask(SIG_BLOCK, &stop_set, &old_set);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* The program's CPU is what it used and reaped: RUSAGE_CHILDREN. */
	m->who = RUSAGE_CHILDREN;
	if (work_begin(m, err) < 0) {
		sigprocmask(SIG_SETMASK, &old_set, NULL);
		goto out;
	}
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		vl_err_sys(err, errno, "fork");
		sigprocmask(SIG_SETMASK, &old_set, NULL);
		goto out;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		setpgid(0, 0);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old_set, NULL);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (o->chdir && chdir(o->chdir) < 0) {
			dprintf(2, "vnetlab-work run: chdir %s: %s\n", o->chdir, strerror(errno));
			_exit(126);
		}
		execvp(o->argv[0], o->argv);
		dprintf(2, "vnetlab-work run: %s: %s\n", o->argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	setpgid(pid, pid); /* as the child does: whichever runs first */
	child_pid = pid;
	sigprocmask(SIG_SETMASK, &old_set, NULL); /* a pending stop is forwarded now */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	while (po[0] >= 0 || pe[0] >= 0) {
		struct pollfd pf[3] = {{.fd = po[0], .events = POLLIN},
		                       {.fd = pe[0], .events = POLLIN},
		                       {.fd = exited ? -1 : pidfd, .events = POLLIN}};
		double now = work_mono(), next = 0;

		if (stop_sig && !kill_at) /* told to stop: it has a moment, then no choice */
			kill_at = now + STOP_GRACE_S;
		if (result_at > 0 && !hung && now >= result_at + o->grace) {
			/* printed its result, then did not end: stop it */
			hung = true;
			kill(-pid, SIGTERM);
			kill_at = now + STOP_GRACE_S;
		}
		if (kill_at && now >= kill_at) {
			kill(-pid, SIGKILL);
			break;
		}
		if (exited && now >= drain_until) {
			/* it ended; what it left holding its output goes too */
			kill(-pid, SIGKILL);
			break;
		}
		if (result_at > 0 && !hung)
			next = result_at + o->grace;
		if (kill_at && (!next || kill_at < next))
			next = kill_at;
		if (exited && (!next || drain_until < next))
			next = drain_until;
		if (poll(pf, 3, next ? (int)((next - now) * 1000) + 1 : -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[0].revents) {
			drain(&po[0], &ob, &otot);
			if (o->result && result_at == 0 && has_result(&ob, o->result))
				result_at = work_mono();
		}
		if (pf[1].revents)
			drain(&pe[0], &eb, &etot);
		if (pf[2].revents && !exited) {
			exited = true;
			drain_until = work_mono() + 0.5;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	work_end(m);
	work_set(out, "stdout", text_json(&ob));
	work_set(out, "stderr", text_json(&eb));
	if (otot > ob.len || etot > eb.len)
		work_set(out, "truncated", json_true());
	work_set(out, "stopped", json_boolean(stop_sig != 0));
	if (o->result)
		work_set(out, "hung_after_result", json_boolean(hung));
	if (WIFEXITED(status)) {
		work_set(out, "exit_status", json_integer(WEXITSTATUS(status)));
		if (WEXITSTATUS(status) == 0 || stop_sig || hung)
			r = 0;
		else
			vl_err_set(err, 0, "%s exited with status %d%s", o->argv[0],
			           WEXITSTATUS(status),
			           WEXITSTATUS(status) == 127 ? " (not found?)" : "");
	} else if (WIFSIGNALED(status)) {
		work_set(out, "term_signal", json_integer(WTERMSIG(status)));
		if (stop_sig || hung) /* stopped as asked, or killed when it would not */
			r = 0;
		else
			vl_err_set(err, 0, "%s was killed by signal %d", o->argv[0],
			           WTERMSIG(status));
	}
out:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	vl_buf_free(&ob);
	vl_buf_free(&eb);
	return r;
}
