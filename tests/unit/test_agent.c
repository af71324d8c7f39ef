/* test_agent: the guest agent (src/agent/) and its host library
 * (src/vm/client.c), without a VM: the agent runs as a plain process
 * serving one end of a socketpair (--serve-fd) or a UNIX socket, and runs
 * its commands on this host. `test_agent [AGENT]`; the agent defaults to
 * $VNETLAB_AGENT, else vnetlab-agent beside this test's build directory
 * (BUILD/tests/test_agent -> BUILD/vnetlab-agent), else build/vnetlab-agent;
 * without one every case is skipped, with the reason.
 *
 * Prints "ok <case>: ..." or "FAIL <case>: ..." per case and last exactly
 * "N passed, M failed, K skipped"; exit status 1 iff M > 0. No timed
 * assertions: the only waits are bounded by generous deadlines that fail
 * the case instead of hanging the suite. */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "check.h"
#include "vm/client.h"
#include "vm/proto.h"

static char agent_path[PATH_MAX];
static char tmpdir[] = "/tmp/vl-test-agent-XXXXXX";

struct agent {
	pid_t pid;
	int fd;
};

/* Start the agent on one end of a socketpair. */
static int agent_start(struct agent *a)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	a->pid = fork();
	if (a->pid < 0)
		return -1;
	if (a->pid == 0) {
		if (sv[1] == 3)
			fcntl(3, F_SETFD, 0);
		else if (dup2(sv[1], 3) < 0)
			_exit(126);
		execl(agent_path, "vnetlab-agent", "--serve-fd", "3", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	a->fd = sv[0];
	return 0;
}

/* Close the connection (the agent then exits) and reap it: its wait status. */
static int agent_stop(struct agent *a)
{
	int st = -1;

	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	if (a->pid > 0)
		waitpid(a->pid, &st, 0);
	a->pid = 0;
	return st;
}

/* An agent past its first READY. The hello takes the READY the agent sends
 * when it starts; the ping then skips the reply to the HELLO, so that raw
 * frames read next are answers to what the case sends. */
static int agent_ready(struct agent *a, struct vl_agent_info *info, struct vl_err *err)
{
	struct vl_agent_info tmp;

	if (agent_start(a) < 0)
		return vl_err_sys(err, errno, "start the agent");
	if (vl_agent_hello(a->fd, info ? info : &tmp, 10, err) < 0)
		return -1;
	return vl_agent_ping(a->fd, 10, NULL, err);
}

/* A file in memory with data, at offset 0. */
static int memfd_with(const void *data, size_t len)
{
	int fd = memfd_create("vl-test", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (len && vl_write_all(fd, data, len) < 0) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static char *memfd_read(int fd, size_t *len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *buf = vl_xmalloc((size_t)(size > 0 ? size : 0) + 1);
	ssize_t r = size > 0 ? pread(fd, buf, (size_t)size, 0) : 0;

	buf[r > 0 ? r : 0] = 0;
	*len = r > 0 ? (size_t)r : 0;
	return buf;
}

struct run {
	int r;
	struct vl_err err;
	struct vl_agent_exit ex;
	char *out, *errs;
	size_t outlen, errlen;
};

static void run_free(struct run *o)
{
	free(o->out);
	free(o->errs);
	memset(o, 0, sizeof(*o));
}

/* Run a command through vl_agent_exec, stdin from in (NULL: none). */
static void run(int fd, char *const argv[], char *const envp[], const char *cwd, const void *in,
                size_t inlen, bool tty, struct run *o)
{
	int ifd = in ? memfd_with(in, inlen) : -1;
	int ofd = memfd_with(NULL, 0), efd = memfd_with(NULL, 0);

	memset(o, 0, sizeof(*o));
	o->r = vl_agent_exec(fd, argv, envp, cwd, ifd, ofd, efd, tty, &o->ex, &o->err);
	o->out = memfd_read(ofd, &o->outlen);
	o->errs = memfd_read(efd, &o->errlen);
	if (ifd >= 0)
		close(ifd);
	close(ofd);
	close(efd);
}

static long proc_status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return v;
}

/* s with newlines and other control characters escaped, for one-line
 * messages (four rotating buffers). */
static const char *esc(const char *s)
{
	static char bufs[4][256];
	static int k;
	char *b = bufs[k++ % 4];
	size_t n = 0;

	for (; s && *s && n < sizeof(bufs[0]) - 5; s++) {
		if (*s == '\n')
			n += (size_t)snprintf(b + n, 3, "\\n");
		else if (*s == '\r')
			n += (size_t)snprintf(b + n, 3, "\\r");
		else if ((unsigned char)*s < 32)
			n += (size_t)snprintf(b + n, 5, "\\x%02x", (unsigned char)*s);
		else
			b[n++] = *s;
	}
	b[n] = 0;
	return b;
}

/* --- raw frames ------------------------------------------------------------ */

static int send_raw(int fd, const void *p, size_t n)
{
	return vl_write_all(fd, p, n);
}

static int send_msg(int fd, struct vl_ag_msg *m)
{
	struct vl_err err;

	return vl_agent_send(fd, m, &err);
}

/* The next frame within 10 s. */
static int recv_frame(int fd, struct vl_ag_hdr *h, uint8_t *p, struct vl_err *err)
{
	return vl_agent_recv(fd, h, p, vl_now() + 10, err);
}

/* Expect an ERROR for id with errno code; "" or the reason it was not. */
static const char *expect_error(int fd, uint32_t id, int code, char *why, size_t size)
{
	static uint8_t p[VL_AG_MAX_PAYLOAD];
	struct vl_ag_hdr h;
	struct vl_err err;
	struct vl_ag_cur c;
	uint32_t got;

	if (recv_frame(fd, &h, p, &err) < 0) {
		snprintf(why, size, "no reply: %.400s", err.msg);
		return why;
	}
	if (h.type != VL_AG_ERROR || h.id != id) {
		snprintf(why, size, "got type 0x%x id %u, want ERROR id %u", h.type, h.id, id);
		return why;
	}
	vl_ag_cur_init(&c, p, h.len);
	got = vl_ag_get_u32(&c);
	vl_ag_get_u32(&c);
	if (got != (uint32_t)code) {
		snprintf(why, size, "errno %u (%s), want %d: %s", got, strerror((int)got), code,
		         vl_ag_get_str(&c, 0));
		return why;
	}
	why[0] = 0;
	return why;
}

static void build_exec(struct vl_ag_msg *m, uint32_t id, uint32_t out_window,
                       const char *const *argv)
{
	uint32_t argc = 0;

	while (argv[argc])
		argc++;
	vl_ag_msg_init(m, VL_AG_EXEC, id);
	vl_ag_put_u32(m, 0);
	vl_ag_put_u16(m, 24);
	vl_ag_put_u16(m, 80);
	vl_ag_put_u32(m, out_window);
	vl_ag_put_u32(m, argc);
	vl_ag_put_u32(m, 0);
	vl_ag_put_str(m, "");
	for (uint32_t i = 0; i < argc; i++)
		vl_ag_put_str(m, argv[i]);
}

/* --- cases ----------------------------------------------------------------- */

static void t_hello(void)
{
	struct agent a;
	struct vl_agent_info info, again;
	struct vl_err err;
	struct utsname u;
	char host[256] = "";
	double rtt = -1;
	int ok;

	uname(&u);
	gethostname(host, sizeof(host));
	if (agent_ready(&a, &info, &err) < 0) {
		result("hello", 0, "%s", err.msg);
		agent_stop(&a);
		return;
	}
	ok = info.version == VL_AG_VERSION && !info.init && info.pid == (uint32_t)a.pid &&
	     !strcmp(info.hostname, host) && !strcmp(info.kernel, u.release) &&
	     info.uptime_ms >= info.boot_ms && info.boot_ms > 0 && !info.notes[0];
	result("hello", ok, "version %u pid %u host %s kernel %s ready at %llu ms notes \"%s\"",
	       info.version, info.pid, info.hostname, info.kernel, (unsigned long long)info.boot_ms,
	       info.notes);
	/* asked again: the reply to our own HELLO */
	ok = vl_agent_hello(a.fd, &again, 10, &err) == 0 && again.boot_ms == info.boot_ms &&
	     vl_agent_ping(a.fd, 10, &rtt, &err) == 0 && rtt >= 0;
	result("hello-again-and-ping", ok, "%s", ok ? "READY and PONG" : err.msg);
	agent_stop(&a);
}

static void t_exec_basic(void)
{
	struct agent a;
	struct vl_err err;
	struct run o;
	int ok;

	if (agent_ready(&a, NULL, &err) < 0) {
		result("exec-echo", 0, "%s", err.msg);
		agent_stop(&a);
		return;
	}
	run(a.fd, (char *[]){"echo", "hello", "world", NULL}, NULL, NULL, NULL, 0, false, &o);
	ok = o.r == 0 && !strcmp(o.out, "hello world\n") && o.errlen == 0 &&
	     WIFEXITED(o.ex.status) && WEXITSTATUS(o.ex.status) == 0 && o.ex.pid > 0;
	result("exec-echo", ok, "r %d out \"%s\" status 0x%x %s", o.r, esc(o.out), o.ex.status,
	       o.r ? o.err.msg : "");
	run_free(&o);

	run(a.fd, (char *[]){"sh", "-c", "echo to-out; echo to-err >&2; echo more-out", NULL}, NULL,
	    NULL, NULL, 0, false, &o);
	ok = o.r == 0 && !strcmp(o.out, "to-out\nmore-out\n") && !strcmp(o.errs, "to-err\n");
	result("exec-stderr-separate", ok, "out \"%s\" err \"%s\"", esc(o.out), esc(o.errs));
	run_free(&o);

	run(a.fd, (char *[]){"sh", "-c", "exit 3", NULL}, NULL, NULL, NULL, 0, false, &o);
	ok = o.r == 0 && WIFEXITED(o.ex.status) && WEXITSTATUS(o.ex.status) == 3 &&
	     vl_agent_exit_code(o.ex.status) == 3;
	result("exec-exit-3", ok, "status 0x%x", o.ex.status);
	run_free(&o);

	run(a.fd, (char *[]){"sh", "-c", "kill -9 $$", NULL}, NULL, NULL, NULL, 0, false, &o);
	ok = o.r == 0 && WIFSIGNALED(o.ex.status) && WTERMSIG(o.ex.status) == SIGKILL &&
	     vl_agent_exit_code(o.ex.status) == 137;
	result("exec-killed-by-signal", ok, "status 0x%x", o.ex.status);
	run_free(&o);

	/* rusage: a busy loop has CPU time and memory; sane, not timed */
	run(a.fd, (char *[]){"sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done", NULL},
	    NULL, NULL, NULL, 0, false, &o);
	ok = o.r == 0 && o.ex.utime_us + o.ex.stime_us > 0 && o.ex.maxrss_kb > 0 &&
	     o.ex.wall_us > 0 && o.ex.utime_us + o.ex.stime_us < 4 * o.ex.wall_us + 100000;
	result("exec-rusage", ok, "user %llu us sys %llu us maxrss %llu kB wall %llu us",
	       (unsigned long long)o.ex.utime_us, (unsigned long long)o.ex.stime_us,
	       (unsigned long long)o.ex.maxrss_kb, (unsigned long long)o.ex.wall_us);
	run_free(&o);

	run(a.fd, (char *[]){"sh", "-c", "pwd; echo \"$FOO\"; env | wc -l", NULL},
	    (char *[]){"FOO=bar baz", "PATH=/usr/bin:/bin", NULL}, "/tmp", NULL, 0, false, &o);
	ok = o.r == 0 && !strncmp(o.out, "/tmp\nbar baz\n", 13);
	result("exec-env-cwd", ok, "out \"%s\"", esc(o.out));
	run_free(&o);

	run(a.fd, (char *[]){"/nonexistent/program", NULL}, NULL, NULL, NULL, 0, false, &o);
	ok = o.r < 0 && o.err.code == ENOENT && o.ex.start_errno == ENOENT &&
	     WEXITSTATUS(o.ex.status) == 127 && strstr(o.err.msg, "not found");
	result("exec-enoent", ok, "r %d code %d status %d: %s", o.r, o.err.code,
	       WEXITSTATUS(o.ex.status), o.err.msg);
	run_free(&o);

	run(a.fd, (char *[]){"no-such-command-vl", NULL}, NULL, NULL, NULL, 0, false, &o);
	ok = o.r < 0 && o.err.code == ENOENT && WEXITSTATUS(o.ex.status) == 127;
	result("exec-enoent-path", ok, "%s", o.err.msg);
	run_free(&o);

	{
		char path[PATH_MAX];
		int fd;

		snprintf(path, sizeof(path), "%s/not-executable", tmpdir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
		run(a.fd, (char *[]){path, NULL}, NULL, NULL, NULL, 0, false, &o);
		ok = o.r < 0 && o.err.code == EACCES && WEXITSTATUS(o.ex.status) == 126;
		result("exec-eacces", ok, "code %d status %d: %s", o.err.code,
		       WEXITSTATUS(o.ex.status), o.err.msg);
		run_free(&o);
	}

	run(a.fd, (char *[]){"true", NULL}, NULL, "/nonexistent-dir", NULL, 0, false, &o);
	ok = o.r < 0 && o.err.code == ENOENT && strstr(o.err.msg, "chdir");
	result("exec-bad-cwd", ok, "%s", o.err.msg);
	run_free(&o);

	/* the connection still works after all that */
	run(a.fd, (char *[]){"true", NULL}, NULL, NULL, NULL, 0, false, &o);
	result("exec-after-errors", o.r == 0 && o.ex.status == 0, "status 0x%x", o.ex.status);
	run_free(&o);
	agent_stop(&a);
}

/* stdin -> cat -> stdout, a few MB, with the agent's memory bounded. */
static void t_cat(void)
{
	const size_t n = 8 << 20;
	struct agent a;
	struct vl_err err;
	struct run o;
	uint8_t *data = vl_xmalloc(n);
	uint32_t x = 12345;
	long base, peak;
	int ok;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245 + 12345;
		data[i] = (uint8_t)(x >> 16);
	}
	if (agent_ready(&a, NULL, &err) < 0) {
		result("stdin-cat-8MiB", 0, "%s", err.msg);
		agent_stop(&a);
		free(data);
		return;
	}
	base = proc_status_kb(a.pid, "VmRSS");
	run(a.fd, (char *[]){"cat", NULL}, NULL, NULL, data, n, false, &o);
	peak = proc_status_kb(a.pid, "VmHWM");
	ok = o.r == 0 && o.ex.status == 0 && o.outlen == n && !memcmp(o.out, data, n);
	result("stdin-cat-8MiB", ok, "r %d status 0x%x: %zu bytes back, %s", o.r, o.ex.status,
	       o.outlen, o.outlen == n && !memcmp(o.out, data, n) ? "identical" : "different");
	/* Windows of 256 KiB each way: the agent never holds much of it. */
	result("stdin-cat-memory-bounded", peak > 0 && peak - base < 4096,
	       "agent RSS %ld kB before, peak %ld kB (bound: +4096 kB)", base, peak);
	run_free(&o);

	/* stdin that the command does not read: EOF is not waited for */
	run(a.fd, (char *[]){"true", NULL}, NULL, NULL, data, n, false, &o);
	result("stdin-unread", o.r == 0 && o.ex.status == 0, "status 0x%x", o.ex.status);
	run_free(&o);

	/* no stdin at all: the command sees EOF */
	run(a.fd, (char *[]){"wc", "-c", NULL}, NULL, NULL, NULL, 0, false, &o);
	result("stdin-none", o.r == 0 && atoi(o.out) == 0, "out \"%s\"", esc(o.out));
	run_free(&o);
	agent_stop(&a);
	free(data);
}

/* A host that stops reading stops the command, not the agent's memory. */
static void t_flow_control(void)
{
	static uint8_t p[VL_AG_MAX_PAYLOAD];
	static struct vl_ag_msg m;
	struct agent a;
	struct vl_err err;
	struct vl_ag_hdr h;
	const char *yes[] = {"yes", "0123456789abcdef0123456789abcdef", NULL};
	const uint32_t win = 65536;
	uint64_t got = 0, after = 0;
	long base, peak;
	bool exited = false;
	struct pollfd pfd;
	int ok, status = 0;

	if (agent_ready(&a, NULL, &err) < 0) {
		result("flow-output-window", 0, "%s", err.msg);
		agent_stop(&a);
		return;
	}
	base = proc_status_kb(a.pid, "VmRSS");
	build_exec(&m, 77, win, yes);
	send_msg(a.fd, &m);
	while (got < win && recv_frame(a.fd, &h, p, &err) == 0) {
		if (h.id == 77 && h.type == VL_AG_STDOUT)
			got += h.len;
	}
	/* The window is used up: nothing more may come. */
	pfd = (struct pollfd){.fd = a.fd, .events = POLLIN};
	ok = got == win && poll(&pfd, 1, 500) == 0;
	peak = proc_status_kb(a.pid, "VmHWM");
	result("flow-output-window", ok && peak - base < 2048,
	       "%llu bytes within a window of %u, then silence: %s; agent RSS %ld -> peak %ld kB",
	       (unsigned long long)got, win, ok ? "yes" : "no", base, peak);
	/* More credit, exactly that much more output. */
	vl_ag_msg_init(&m, VL_AG_CREDIT, 77);
	vl_ag_put_u32(&m, 1000);
	send_msg(a.fd, &m);
	while (after < 1000 && recv_frame(a.fd, &h, p, &err) == 0)
		if (h.id == 77 && h.type == VL_AG_STDOUT)
			after += h.len;
	ok = after == 1000 && poll(&pfd, 1, 300) == 0;
	result("flow-credit", ok, "%llu bytes for a credit of 1000", (unsigned long long)after);
	/* Kill it; its last output needs credit too before EXIT. */
	vl_ag_msg_init(&m, VL_AG_SIGNAL, 77);
	vl_ag_put_u32(&m, SIGKILL);
	send_msg(a.fd, &m);
	vl_ag_msg_init(&m, VL_AG_CREDIT, 77);
	vl_ag_put_u32(&m, win);
	send_msg(a.fd, &m);
	while (!exited && recv_frame(a.fd, &h, p, &err) == 0) {
		if (h.id != 77)
			continue;
		if (h.type == VL_AG_STDOUT) {
			vl_ag_msg_init(&m, VL_AG_CREDIT, 77);
			vl_ag_put_u32(&m, h.len);
			send_msg(a.fd, &m);
		} else if (h.type == VL_AG_EXIT) {
			struct vl_ag_cur c;

			vl_ag_cur_init(&c, p, h.len);
			status = (int)vl_ag_get_u32(&c);
			exited = true;
		}
	}
	result("flow-signal-exit", exited && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	       "status 0x%x", status);

	/* stdin past the window (the command does not read) is refused. */
	{
		const char *sleeper[] = {"sleep", "30", NULL};
		static uint8_t chunk[VL_AG_MAX_PAYLOAD];
		bool refused = false;

		build_exec(&m, 78, 0, sleeper);
		send_msg(a.fd, &m);
		for (int i = 0; i < 8; i++) {
			vl_ag_msg_init(&m, VL_AG_STDIN, 78);
			vl_ag_put_bytes(&m, chunk, sizeof(chunk));
			send_msg(a.fd, &m);
		}
		vl_ag_msg_init(&m, VL_AG_SIGNAL, 78);
		vl_ag_put_u32(&m, SIGKILL);
		send_msg(a.fd, &m);
		exited = false;
		while (!exited && recv_frame(a.fd, &h, p, &err) == 0) {
			if (h.id == 78 && h.type == VL_AG_ERROR) {
				struct vl_ag_cur c;

				vl_ag_cur_init(&c, p, h.len);
				refused = refused || vl_ag_get_u32(&c) == ENOBUFS;
			}
			exited = h.id == 78 && h.type == VL_AG_EXIT;
		}
		peak = proc_status_kb(a.pid, "VmHWM");
		result("flow-stdin-window", refused && exited && peak - base < 4096,
		       "8 x 64 KiB to a command that does not read: %s; agent peak %ld kB",
		       refused ? "ENOBUFS past the window" : "accepted", peak);
	}
	agent_stop(&a);
}

/* Signals the calling process receives reach the command. */
static void t_signal_forward(void)
{
	const struct {
		int sig;
		const char *script, *want;
		int want_status;
	} cases[] = {
	    {SIGTERM, "echo ready; exec sleep 30", "ready\n", -SIGTERM},
	    {SIGINT, "trap 'echo got-int; exit 7' INT; echo ready; while :; do sleep 0.05; done",
	     "ready\ngot-int\n", 7},
	};

	for (size_t i = 0; i < VL_ARRAY_SIZE(cases); i++) {
		struct agent a;
		struct vl_err err;
		int pp[2], rp[2], st = -1;
		char buf[64] = "", name[32];
		pid_t child;
		struct vl_agent_exit ex = {0};
		ssize_t k;

		snprintf(name, sizeof(name), "signal-forward-%s", i ? "int" : "term");
		if (agent_ready(&a, NULL, &err) < 0 || pipe2(pp, O_CLOEXEC) < 0 ||
		    pipe2(rp, O_CLOEXEC) < 0) {
			result(name, 0, "setup: %s", err.msg);
			agent_stop(&a);
			continue;
		}
		child = fork();
		if (child == 0) {
			int r = vl_agent_exec(a.fd,
			                      (char *[]){"sh", "-c", (char *)cases[i].script, NULL},
			                      NULL, NULL, -1, pp[1], -1, false, &ex, &err);

			if (write(rp[1], &ex, sizeof(ex)) < 0 || r < 0)
				_exit(1);
			_exit(0);
		}
		close(pp[1]);
		close(rp[1]);
		/* "ready": the command runs, so the handler is in place */
		k = read(pp[0], buf, 6);
		kill(child, cases[i].sig);
		if (k == 6) {
			ssize_t more = read(pp[0], buf + 6, sizeof(buf) - 7);

			buf[6 + (more > 0 ? more : 0)] = 0;
		}
		waitpid(child, &st, 0);
		if (read(rp[0], &ex, sizeof(ex)) != sizeof(ex))
			ex.status = -1;
		close(pp[0]);
		close(rp[0]);
		result(name,
		       st == 0 && !strcmp(buf, cases[i].want) &&
		           (cases[i].want_status < 0
		                ? WIFSIGNALED(ex.status) &&
		                      WTERMSIG(ex.status) == -cases[i].want_status
		                : WIFEXITED(ex.status) &&
		                      WEXITSTATUS(ex.status) == cases[i].want_status),
		       "caller %s, command status 0x%x, output \"%s\"",
		       st == 0 ? "returned" : "failed", ex.status, esc(buf));
		agent_stop(&a);
	}
}

/* The agent going away mid-command: an error and status 255, no hang. */
static void t_agent_gone(void)
{
	struct agent a;
	struct vl_err err;
	struct vl_agent_exit ex = {0};
	int pp[2], rp[2], st = -1, code = 0;
	char buf[8];
	pid_t child;

	if (agent_ready(&a, NULL, &err) < 0 || pipe2(pp, O_CLOEXEC) < 0 ||
	    pipe2(rp, O_CLOEXEC) < 0) {
		result("agent-gone", 0, "setup: %s", err.msg);
		agent_stop(&a);
		return;
	}
	child = fork();
	if (child == 0) {
		int r =
		    vl_agent_exec(a.fd, (char *[]){"sh", "-c", "echo ready; exec sleep 30", NULL},
		                  NULL, NULL, -1, pp[1], -1, false, &ex, &err);

		if (write(rp[1], &ex, sizeof(ex)) < 0 || write(rp[1], &err.code, sizeof(int)) < 0)
			_exit(2);
		_exit(r < 0 ? 0 : 1);
	}
	close(pp[1]);
	close(rp[1]);
	if (read(pp[0], buf, 6) == 6)
		kill(a.pid, SIGTERM); /* it kills its sessions and closes the connection */
	waitpid(child, &st, 0);
	if (read(rp[0], &ex, sizeof(ex)) != sizeof(ex) || read(rp[0], &code, sizeof(int)) < 0)
		ex.status = -1;
	close(pp[0]);
	close(rp[0]);
	result("agent-gone", st == 0 && WEXITSTATUS(ex.status) == 255 && code == EPIPE,
	       "exec returned %s, status %d, errno %d", st == 0 ? "an error" : "something else",
	       WEXITSTATUS(ex.status), code);
	agent_stop(&a);
}

/* Several sessions at once on one connection. */
static void t_sessions(void)
{
	struct agent a;
	struct vl_err err;
	struct vl_agent_session ss[2] = {0}, many[20] = {0};
	char fifo[PATH_MAX], script[PATH_MAX + 64];
	int fds[2], mf[20], ok = 1;
	size_t len;
	char *out;

	if (agent_ready(&a, NULL, &err) < 0) {
		result("two-sessions", 0, "%s", err.msg);
		agent_stop(&a);
		return;
	}
	/* cat blocks on the fifo until the other session writes it: this
	 * finishes only if both run at the same time. */
	snprintf(fifo, sizeof(fifo), "%s/fifo", tmpdir);
	mkfifo(fifo, 0600);
	snprintf(script, sizeof(script), "echo via-fifo > %s", fifo);
	for (int i = 0; i < 2; i++) {
		fds[i] = memfd_with(NULL, 0);
		ss[i].in_fd = -1;
		ss[i].out_fd = fds[i];
		ss[i].err_fd = -1;
	}
	ss[0].argv = (char *[]){"cat", fifo, NULL};
	ss[1].argv = (char *[]){"sh", "-c", script, NULL};
	if (vl_agent_run(a.fd, ss, 2, 0, &err) < 0) {
		result("two-sessions", 0, "%s", err.msg);
	} else {
		out = memfd_read(fds[0], &len);
		result("two-sessions",
		       !strcmp(out, "via-fifo\n") && ss[0].ex.status == 0 && ss[1].ex.status == 0 &&
		           ss[0].id != ss[1].id,
		       "ids %u and %u; cat read \"%s\"", ss[0].id, ss[1].id, esc(out));
		free(out);
	}
	close(fds[0]);
	close(fds[1]);

	for (int i = 0; i < 20; i++) {
		char **av = vl_xcalloc(4, sizeof(char *));

		av[0] = "sh";
		av[1] = "-c";
		av[2] = vl_xasprintf("echo session-%d; exit %d", i, i);
		mf[i] = memfd_with(NULL, 0);
		many[i].argv = av;
		many[i].in_fd = -1;
		many[i].out_fd = mf[i];
		many[i].err_fd = -1;
	}
	ok = vl_agent_run(a.fd, many, 20, 0, &err) == 0;
	for (int i = 0; i < 20; i++) {
		char want[32];

		out = memfd_read(mf[i], &len);
		snprintf(want, sizeof(want), "session-%d\n", i);
		ok = ok && !strcmp(out, want) && WEXITSTATUS(many[i].ex.status) == i;
		free(out);
		close(mf[i]);
		free(many[i].argv[2]);
		free((void *)many[i].argv);
	}
	result("twenty-sessions", ok, "each with its own output and status");
	agent_stop(&a);
}

static void t_tty(void)
{
	struct agent a;
	struct vl_err err;
	struct run o;
	int ok;

	if (access("/dev/ptmx", R_OK | W_OK) < 0) {
		printf("skip exec-tty: no /dev/ptmx\n");
		nskip++;
		return;
	}
	if (agent_ready(&a, NULL, &err) < 0) {
		result("exec-tty", 0, "%s", err.msg);
		agent_stop(&a);
		return;
	}
	run(a.fd,
	    (char *[]){"sh", "-c", "test -t 0 && test -t 1 && test -t 2 && echo is-a-tty", NULL},
	    NULL, NULL, NULL, 0, true, &o);
	ok = o.r == 0 && o.ex.status == 0 && strstr(o.out, "is-a-tty\r\n");
	result("exec-tty", ok, "status 0x%x out \"%s\" %s", o.ex.status, esc(o.out),
	       o.r ? o.err.msg : "");
	run_free(&o);
	/* stdin through the pty, and its EOF as the terminal's VEOF */
	run(a.fd, (char *[]){"cat", NULL}, NULL, NULL, "line-1\n", 7, true, &o);
	ok = o.r == 0 && o.ex.status == 0 && strstr(o.out, "line-1");
	result("exec-tty-stdin-eof", ok, "status 0x%x out \"%s\"", o.ex.status, esc(o.out));
	run_free(&o);
	agent_stop(&a);
}

static void t_write_file(void)
{
	struct agent a;
	struct vl_err err;
	char path[PATH_MAX], *got = NULL;
	size_t len = 0, big_n = 200000;
	char *big = vl_xmalloc(big_n);
	struct stat st;
	int ok;

	for (size_t i = 0; i < big_n; i++)
		big[i] = (char)('a' + i % 26);
	if (agent_ready(&a, NULL, &err) < 0) {
		result("write-file", 0, "%s", err.msg);
		agent_stop(&a);
		free(big);
		return;
	}
	snprintf(path, sizeof(path), "%s/etc/hosts", tmpdir);
	ok = vl_agent_write_file(a.fd, path, 0600, VL_AG_WF_MKDIR, "10.0.0.1 h1\n", 12, 10, &err) ==
	         0 &&
	     vl_read_file(path, &got, &len, &err) == 0 && !strcmp(got, "10.0.0.1 h1\n") &&
	     stat(path, &st) == 0 && (st.st_mode & 07777) == 0600;
	result("write-file", ok, "%s", ok ? "content and mode 0600" : err.msg);
	free(got);
	got = NULL;
	ok = vl_agent_write_file(a.fd, path, 0644, 0, big, big_n, 10, &err) == 0 &&
	     vl_read_file(path, &got, &len, &err) == 0 && len == big_n && !memcmp(got, big, big_n);
	result("write-file-large", ok, "%zu bytes in pieces: %s", big_n,
	       ok ? "identical" : err.msg);
	free(got);
	ok = vl_agent_write_file(a.fd, "relative/path", 0644, 0, "x", 1, 10, &err) < 0 &&
	     err.code == EINVAL;
	result("write-file-relative", ok, "%s", err.msg);
	snprintf(path, sizeof(path), "%s/no-such-dir/file", tmpdir);
	ok = vl_agent_write_file(a.fd, path, 0644, 0, "x", 1, 10, &err) < 0 && err.code == ENOENT;
	result("write-file-no-dir", ok, "%s", err.msg);
	agent_stop(&a);
	free(big);
}

static void t_stats(void)
{
	struct agent a;
	struct vl_err err;
	static struct vl_ag_stats st;
	uint64_t cpu = 0;
	bool lo = false;
	int ok;

	if (agent_ready(&a, NULL, &err) < 0 || vl_agent_stats(a.fd, &st, 10, &err) < 0) {
		result("stats", 0, "%s", err.msg);
		agent_stop(&a);
		return;
	}
	for (int i = 0; i < VL_AG_CPU_N; i++)
		cpu += st.cpu_ms[i];
	for (uint32_t i = 0; i < st.n_ifs; i++)
		lo = lo || !strcmp(st.ifs[i].name, "lo");
	ok = st.uptime_ms > 0 && st.ncpu >= 1 && cpu > 0 && st.mem_total_kb > 0 &&
	     st.mem_avail_kb > 0 && st.mem_avail_kb <= st.mem_total_kb && lo;
	result("stats", ok,
	       "uptime %llu ms, %u CPUs, %llu CPU-ms, memory %llu/%llu kB available, %u "
	       "interfaces%s",
	       (unsigned long long)st.uptime_ms, st.ncpu, (unsigned long long)cpu,
	       (unsigned long long)st.mem_avail_kb, (unsigned long long)st.mem_total_kb, st.n_ifs,
	       lo ? " with lo" : ", no lo");
	agent_stop(&a);
}

/* Malformed frames get errors; the agent survives and resynchronizes. */
static void t_malformed(void)
{
	static struct vl_ag_msg m;
	struct agent a;
	struct vl_err err;
	char why[512];
	int ok = 1;
	uint8_t hdr[VL_AG_HDR_LEN];
	struct vl_agent_info info;

	if (agent_ready(&a, NULL, &err) < 0) {
		result("malformed", 0, "%s", err.msg);
		agent_stop(&a);
		return;
	}
#define CHECK(name, id, code)                                                                      \
	do {                                                                                       \
		expect_error(a.fd, id, code, why, sizeof(why));                                    \
		result("malformed-" name, !why[0], "%s", why[0] ? why : "an ERROR, as it should"); \
	} while (0)

	send_raw(a.fd, "XXXXXXXXXXXX", 12);
	CHECK("bad-magic", 0, EBADMSG);
	ok = vl_agent_ping(a.fd, 10, NULL, &err) == 0;
	result("malformed-resync", ok, "%s", ok ? "PONG after garbage" : err.msg);

	vl_ag_msg_init(&m, VL_AG_PING, 5);
	vl_ag_msg_end(&m);
	memcpy(hdr, m.buf, sizeof(hdr));
	hdr[8] = 0;
	hdr[9] = 0;
	hdr[10] = 0x10; /* 1 MiB */
	send_raw(a.fd, hdr, sizeof(hdr));
	CHECK("oversize", 0, EMSGSIZE);

	vl_ag_msg_init(&m, VL_AG_PING, 6);
	vl_ag_put_str(&m, "abc");
	vl_ag_msg_end(&m);
	m.buf[2] = 99;
	send_raw(a.fd, m.buf, m.len);
	CHECK("version", 6, EPROTONOSUPPORT);

	vl_ag_msg_init(&m, 0x42, 7);
	send_msg(a.fd, &m);
	CHECK("unknown-type", 7, EOPNOTSUPP);

	/* SETUP is a guest init's alone */
	vl_ag_msg_init(&m, VL_AG_SETUP, 11);
	vl_ag_put_u64(&m, 0);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_str(&m, "vl.hostname=x");
	send_msg(a.fd, &m);
	CHECK("setup-not-init", 11, EPERM);

	vl_ag_msg_init(&m, VL_AG_EXIT, 8); /* agent -> host only */
	send_msg(a.fd, &m);
	CHECK("wrong-direction", 8, EOPNOTSUPP);

	vl_ag_msg_init(&m, VL_AG_EXEC, 9);
	vl_ag_put_u32(&m, 0);
	send_msg(a.fd, &m);
	CHECK("exec-short", 9, EBADMSG);

	vl_ag_msg_init(&m, VL_AG_EXEC, 10);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_u16(&m, 24);
	vl_ag_put_u16(&m, 80);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_u32(&m, 2);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_str(&m, "/");
	vl_ag_put_str(&m, "echo");
	vl_ag_put_bytes(&m, "unterminated", 12);
	send_msg(a.fd, &m);
	CHECK("exec-unterminated-string", 10, EBADMSG);

	vl_ag_msg_init(&m, VL_AG_EXEC, 11);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_u16(&m, 24);
	vl_ag_put_u16(&m, 80);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_u32(&m, 1000000);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_str(&m, "/");
	send_msg(a.fd, &m);
	CHECK("exec-huge-argc", 11, E2BIG);

	vl_ag_msg_init(&m, VL_AG_EXEC, 12);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_u16(&m, 24);
	vl_ag_put_u16(&m, 80);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_u32(&m, 3);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_str(&m, "/");
	vl_ag_put_str(&m, "echo");
	send_msg(a.fd, &m);
	CHECK("exec-missing-strings", 12, EBADMSG);

	vl_ag_msg_init(&m, VL_AG_EXEC, 13);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_u16(&m, 24);
	vl_ag_put_u16(&m, 80);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_u32(&m, 1);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_str(&m, "/");
	vl_ag_put_str(&m, "true");
	vl_ag_put_str(&m, "trailing");
	send_msg(a.fd, &m);
	CHECK("exec-trailing-bytes", 13, EBADMSG);

	build_exec(&m, 0, 0, (const char *[]){"true", NULL});
	send_msg(a.fd, &m);
	CHECK("exec-id-0", 0, EINVAL);

	build_exec(&m, 14, 0, (const char *[]){"true", NULL});
	m.buf[VL_AG_HDR_LEN] = 0x80; /* the flags word */
	send_msg(a.fd, &m);
	CHECK("exec-unknown-flags", 14, EINVAL);

	vl_ag_msg_init(&m, VL_AG_SIGNAL, 15);
	vl_ag_put_u32(&m, 1000);
	send_msg(a.fd, &m);
	CHECK("signal-bad-signo", 15, EINVAL);

	vl_ag_msg_init(&m, VL_AG_SIGNAL, 16);
	vl_ag_put_u16(&m, 9);
	send_msg(a.fd, &m);
	CHECK("signal-short", 16, EBADMSG);

	vl_ag_msg_init(&m, VL_AG_WRITE_FILE, 17);
	vl_ag_put_u32(&m, 0644);
	vl_ag_put_u32(&m, 0);
	vl_ag_put_bytes(&m, "/tmp/unterminated", 17);
	send_msg(a.fd, &m);
	CHECK("write-file-unterminated-path", 17, EBADMSG);

	vl_ag_msg_init(&m, VL_AG_CREDIT, 18);
	send_msg(a.fd, &m);
	CHECK("credit-short", 18, EBADMSG);

	/* garbage and a good frame in one write: an error, then the PONG */
	{
		static uint8_t buf[64];
		static uint8_t p[VL_AG_MAX_PAYLOAD];
		struct vl_ag_hdr h;

		memcpy(buf, "vvvlgarbage!", 12);
		vl_ag_msg_init(&m, VL_AG_PING, 19);
		vl_ag_put_str(&m, "still-there");
		vl_ag_msg_end(&m);
		memcpy(buf + 12, m.buf, m.len);
		send_raw(a.fd, buf, 12 + m.len);
		expect_error(a.fd, 0, EBADMSG, why, sizeof(why));
		ok = !why[0];
		/* "vl" inside the garbage may cost one more error */
		while (recv_frame(a.fd, &h, p, &err) == 0 && h.type == VL_AG_ERROR && h.id == 0)
			;
		ok = ok && h.type == VL_AG_PONG && h.id == 19 && !strcmp((char *)p, "still-there");
		result("malformed-garbage-then-frame", ok, "%s",
		       ok       ? "ERROR, then PONG"
		       : why[0] ? why
		                : "no PONG");
	}
	ok = vl_agent_hello(a.fd, &info, 10, &err) == 0 && kill(a.pid, 0) == 0;
	result("malformed-survived", ok, "%s", ok ? "the agent still answers" : err.msg);
#undef CHECK
	agent_stop(&a);
}

static uint32_t rnd(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

/* Random frames and garbage, replies drained as they come: the agent
 * survives and answers after. EXEC, WRITE_FILE and POWEROFF are left out:
 * a random one could act on this host. */
static void t_fuzz(void)
{
	static struct vl_ag_msg m;
	static uint8_t p[VL_AG_MAX_PAYLOAD];
	static const uint8_t types[] = {VL_AG_HELLO,   VL_AG_STDIN,  VL_AG_STDIN_EOF, VL_AG_SIGNAL,
	                                VL_AG_WINSIZE, VL_AG_CREDIT, VL_AG_STATS,     VL_AG_PING,
	                                0x00,          0x42,         VL_AG_EXIT,      0xff};
	static uint8_t zeros[VL_AG_MAX_FRAME];
	struct agent a;
	struct vl_err err;
	struct vl_ag_hdr h;
	uint32_t x = 42;
	int replies = 0, expected = 0, ok;

	if (agent_ready(&a, NULL, &err) < 0) {
		result("fuzz", 0, "%s", err.msg);
		agent_stop(&a);
		return;
	}
	for (int i = 0; i < 3000; i++) {
		size_t len = rnd(&x) % 64;
		struct pollfd pfd = {.fd = a.fd, .events = POLLIN};

		if (rnd(&x) % 8 == 0) {
			for (size_t k = 0; k < len; k++)
				p[k] = (uint8_t)(k % 5 == 0 ? 'v' : k % 5 == 1 ? 'l' : rnd(&x));
			send_raw(a.fd, p, len);
		} else {
			uint8_t type = types[rnd(&x) % sizeof(types)];

			vl_ag_msg_init(&m, type, rnd(&x) % 4);
			if (type != VL_AG_STDIN && type != VL_AG_STDIN_EOF &&
			    type != VL_AG_SIGNAL && type != VL_AG_WINSIZE && type != VL_AG_CREDIT)
				expected++;
			for (size_t k = 0; k < len; k++)
				vl_ag_put_bytes(&m, &(uint8_t){(uint8_t)rnd(&x)}, 1);
			send_msg(a.fd, &m);
		}
		while (poll(&pfd, 1, 0) == 1 && recv_frame(a.fd, &h, p, &err) == 0)
			replies++; /* drained as they come, or the agent stops reading */
	}
	/* Whatever frame the garbage may have begun, zeros complete it and
	 * then contain no magic. */
	send_raw(a.fd, zeros, sizeof(zeros));
	vl_ag_msg_init(&m, VL_AG_PING, 999);
	send_msg(a.fd, &m);
	while ((ok = recv_frame(a.fd, &h, p, &err) == 0) && !(h.type == VL_AG_PONG && h.id == 999))
		replies++;
	ok = ok && kill(a.pid, 0) == 0 && replies >= expected / 2;
	result("fuzz", ok,
	       "3000 random frames and garbage: %d replies for %d frames that want one; %s",
	       replies, expected, ok ? "still answers" : err.msg);
	agent_stop(&a);
}

static void t_lifecycle(void)
{
	static struct vl_ag_msg m;
	static uint8_t p[VL_AG_MAX_PAYLOAD];
	struct agent a;
	struct vl_err err;
	struct vl_ag_hdr h;
	uint32_t pid = 0;
	int st;

	/* POWEROFF outside a guest: OK, and the agent exits 0 */
	if (agent_ready(&a, NULL, &err) < 0 || vl_agent_poweroff(a.fd, 10, &err) < 0) {
		result("poweroff", 0, "%s", err.msg);
	} else {
		waitpid(a.pid, &st, 0);
		a.pid = 0;
		result("poweroff", WIFEXITED(st) && WEXITSTATUS(st) == 0, "agent status 0x%x", st);
	}
	agent_stop(&a);

	/* the host hangs up: the agent kills its sessions and exits */
	if (agent_ready(&a, NULL, &err) < 0) {
		result("hangup-kills-sessions", 0, "%s", err.msg);
		agent_stop(&a);
		return;
	}
	build_exec(&m, 3, 0, (const char *[]){"sleep", "300", NULL});
	send_msg(a.fd, &m);
	if (recv_frame(a.fd, &h, p, &err) == 0 && h.type == VL_AG_STARTED)
		pid = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		      (uint32_t)p[3] << 24;
	st = agent_stop(&a);
	result("hangup-kills-sessions",
	       pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && kill((pid_t)pid, 0) < 0,
	       "session pid %u %s; agent status 0x%x", pid,
	       pid && kill((pid_t)pid, 0) < 0 ? "gone" : "still there", st);
}

/* --socket PATH: one host after another. */
static void t_socket_mode(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct vl_agent_info info;
	struct vl_err err = {0};
	struct run o = {0};
	pid_t pid;
	int ok = 1, st;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/agent.sock", tmpdir);
	pid = fork();
	if (pid == 0) {
		execl(agent_path, "vnetlab-agent", "--socket", sa.sun_path, (char *)NULL);
		_exit(127);
	}
	for (int round = 0; round < 2 && ok; round++) {
		int fd = -1;

		for (int tries = 0; tries < 500; tries++) {
			fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
				break;
			close(fd);
			fd = -1;
			usleep(10000);
		}
		ok = fd >= 0 && vl_agent_hello(fd, &info, 10, &err) == 0;
		if (ok) {
			run(fd, (char *[]){"echo", "round", NULL}, NULL, NULL, NULL, 0, false, &o);
			ok = o.r == 0 && !strcmp(o.out, "round\n");
			run_free(&o);
		}
		if (fd >= 0)
			close(fd);
	}
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	result("socket-mode", ok && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "two hosts in turn, then SIGTERM: agent status 0x%x %s", st, ok ? "" : err.msg);
}

/* The guest's network setup from a kernel command line, in a throw-away
 * network and UTS namespace (root only). */
static void t_configure(void)
{
	int pp[2], st;
	pid_t pid;
	char msg[1024] = "";
	ssize_t n;

	if (geteuid() != 0) {
		printf("skip configure: needs root (a network namespace)\n");
		nskip++;
		return;
	}
	if (pipe2(pp, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		struct ifreq ifr = {0};
		char cmdline[512], host[64] = "", line[256], addr[INET_ADDRSTRLEN] = "";
		unsigned char *mac;
		int s, rc, routes = 0, fwd = 0;
		struct ifaddrs *ifa, *i;
		FILE *f;
		pid_t c;

#define BAIL(...)                                                                                  \
	do {                                                                                       \
		dprintf(pp[1], __VA_ARGS__);                                                       \
		_exit(1);                                                                          \
	} while (0)
		if (unshare(CLONE_NEWNET | CLONE_NEWUTS) < 0)
			BAIL("skip: unshare: %s", strerror(errno));
		c = fork();
		if (c == 0) {
			execlp("ip", "ip", "link", "add", "vlt0", "type", "veth", "peer", "name",
			       "vlt1", (char *)NULL);
			_exit(127);
		}
		waitpid(c, &rc, 0);
		if (rc != 0)
			BAIL("skip: ip link add veth: status 0x%x", rc);
		s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		snprintf(ifr.ifr_name, IFNAMSIZ, "vlt1");
		if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
			BAIL("SIOCGIFHWADDR: %s", strerror(errno));
		mac = (unsigned char *)ifr.ifr_hwaddr.sa_data;
		snprintf(ifr.ifr_name, IFNAMSIZ, "vlt0");
		ioctl(s, SIOCGIFFLAGS, &ifr);
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
		snprintf(cmdline, sizeof(cmdline),
		         "console=ttyS0 vl.hostname=guest7 "
		         "vl.if=eth7,10.9.0.2/24,1400,mac=%02x:%02x:%02x:%02x:%02x:%02x "
		         "vl.route=10.8.0.0/16,via,10.9.0.1 vl.gw=10.9.0.254 vl.forward=1 quiet",
		         mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		c = fork();
		if (c == 0) {
			execl(agent_path, "vnetlab-agent", "--configure", cmdline, (char *)NULL);
			_exit(127);
		}
		waitpid(c, &rc, 0);
		if (rc != 0)
			BAIL("--configure '%s': status 0x%x", cmdline, rc);
		gethostname(host, sizeof(host));
		snprintf(ifr.ifr_name, IFNAMSIZ, "eth7");
		if (ioctl(s, SIOCGIFMTU, &ifr) < 0 || ifr.ifr_mtu != 1400)
			BAIL("eth7: no such interface or MTU %d", ifr.ifr_mtu);
		if (if_nametoindex("vlt1"))
			BAIL("vlt1 was not renamed");
		getifaddrs(&ifa);
		for (i = ifa; i; i = i->ifa_next)
			if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
			    !strcmp(i->ifa_name, "eth7"))
				inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
				          addr, sizeof(addr));
		freeifaddrs(ifa);
		f = fopen("/proc/net/route", "re");
		while (f && fgets(line, sizeof(line), f)) {
			/* destination and gateway in hex, network byte order */
			if (strstr(line, "eth7\t0000080A\t0100090A") ||
			    strstr(line, "eth7\t00000000\tFE00090A"))
				routes++;
		}
		if (f)
			fclose(f);
		f = fopen("/proc/sys/net/ipv4/ip_forward", "re");
		if (f && fscanf(f, "%d", &fwd) != 1)
			fwd = -1;
		if (f)
			fclose(f);
		if (strcmp(host, "guest7") || strcmp(addr, "10.9.0.2") || routes != 2 || fwd != 1)
			BAIL("hostname %s, eth7 address %s, %d of 2 routes, forwarding %d", host,
			     addr, routes, fwd);
		/* a bad setting is reported, and the rest still applied */
		c = fork();
		if (c == 0) {
			int dn = open("/dev/null", O_WRONLY);

			dup2(dn, 2);
			execl(agent_path, "vnetlab-agent", "--configure",
			      "vl.if=nope0,10.1.1.1/24 vl.if=eth7,bad-address vl.hostname=after",
			      (char *)NULL);
			_exit(127);
		}
		waitpid(c, &rc, 0);
		gethostname(host, sizeof(host));
		if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 1 || strcmp(host, "after"))
			BAIL("bad settings: status 0x%x, hostname %s", rc, host);
		/* a clone's interface: found by its template's MAC (from=), then
		 * given its own (mac=) */
		snprintf(ifr.ifr_name, IFNAMSIZ, "eth7");
		if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
			BAIL("SIOCGIFHWADDR eth7: %s", strerror(errno));
		{
			unsigned char *m7 = (unsigned char *)ifr.ifr_hwaddr.sa_data;

			snprintf(cmdline, sizeof(cmdline),
			         "vl.if=eth8,10.9.1.2/24,mac=02:aa:bb:cc:dd:08,"
			         "from=%02x:%02x:%02x:%02x:%02x:%02x",
			         m7[0], m7[1], m7[2], m7[3], m7[4], m7[5]);
		}
		c = fork();
		if (c == 0) {
			execl(agent_path, "vnetlab-agent", "--configure", cmdline, (char *)NULL);
			_exit(127);
		}
		waitpid(c, &rc, 0);
		if (rc != 0)
			BAIL("--configure '%s': status 0x%x", cmdline, rc);
		snprintf(ifr.ifr_name, IFNAMSIZ, "eth8");
		if (if_nametoindex("eth7") || ioctl(s, SIOCGIFHWADDR, &ifr) < 0 ||
		    memcmp(ifr.ifr_hwaddr.sa_data, "\x02\xaa\xbb\xcc\xdd\x08", 6))
			BAIL("from=: eth7 not renamed eth8 with MAC 02:aa:bb:cc:dd:08");
		dprintf(pp[1], "hostname, renamed eth7 with 10.9.0.2/24 MTU 1400, 2 routes, "
		               "forwarding; bad settings reported; found by from= and given mac=");
		_exit(0);
#undef BAIL
	}
	close(pp[1]);
	n = read(pp[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = 0;
	close(pp[0]);
	waitpid(pid, &st, 0);
	if (!strncmp(msg, "skip:", 5)) {
		printf("skip configure: %s\n", msg + 6);
		nskip++;
		return;
	}
	result("configure", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", msg);
}

/* The protocol's codec on its own. */
static void t_codec(void)
{
	static struct vl_ag_msg m;
	static struct vl_ag_reader r;
	static struct vl_ag_stats st, back;
	struct vl_ag_hdr h;
	const uint8_t *p;
	struct vl_ag_cur c;
	int ok, k, frames = 0, errors = 0;

	vl_ag_msg_init(&m, VL_AG_EXEC, 0xdeadbeef);
	vl_ag_put_u16(&m, 0x1234);
	vl_ag_put_u32(&m, 0x89abcdef);
	vl_ag_put_u64(&m, 0x0102030405060708ull);
	vl_ag_put_str(&m, "str");
	ok = vl_ag_msg_end(&m) == 0 && m.len == VL_AG_HDR_LEN + 2 + 4 + 8 + 4 &&
	     vl_ag_hdr_get(m.buf, &h) == 0 && h.id == 0xdeadbeef && h.len == 18 &&
	     h.type == VL_AG_EXEC && m.buf[4] == 0xef;
	vl_ag_cur_init(&c, m.buf + VL_AG_HDR_LEN, h.len);
	ok = ok && vl_ag_get_u16(&c) == 0x1234 && vl_ag_get_u32(&c) == 0x89abcdef &&
	     vl_ag_get_u64(&c) == 0x0102030405060708ull && !strcmp(vl_ag_get_str(&c, 0), "str") &&
	     vl_ag_cur_done(&c) && !vl_ag_get_u32(&c) && c.bad;
	result("codec-roundtrip", ok, "little-endian fields and strings");

	vl_ag_msg_init(&m, VL_AG_PING, 1);
	vl_ag_put_bytes(&m, NULL, 0);
	ok = vl_ag_msg_room(&m, VL_AG_MAX_PAYLOAD) != NULL &&
	     vl_ag_msg_room(&m, VL_AG_MAX_PAYLOAD + 1) == NULL && vl_ag_msg_end(&m) == -EMSGSIZE;
	result("codec-overflow", ok, "a payload over 64 KiB does not end");

	vl_ag_cur_init(&c, "abc", 3);
	ok = vl_ag_get_str(&c, 0) == NULL && c.bad;
	vl_ag_cur_init(&c, "abcdef", 7);
	ok = ok && vl_ag_get_str(&c, 3) == NULL;
	result("codec-strings", ok, "unterminated and overlong strings refused");

	/* byte by byte through the reader, with garbage in between */
	vl_ag_reader_reset(&r);
	for (int round = 0; round < 3; round++) {
		uint8_t stream[256];
		size_t len = 0;

		vl_ag_msg_init(&m, VL_AG_PING, (uint32_t)round);
		vl_ag_put_str(&m, "vl-inside-payload");
		vl_ag_msg_end(&m);
		memcpy(stream, "zzvq", 4);
		len = 4;
		memcpy(stream + len, m.buf, m.len);
		len += m.len;
		for (size_t i = 0; i < len; i++) {
			size_t room;
			uint8_t *dst = vl_ag_reader_space(&r, &room);

			*dst = stream[i];
			vl_ag_reader_fill(&r, 1);
			while ((k = vl_ag_reader_next(&r, &h, &p)) != 0) {
				if (k < 0)
					errors++;
				else if (h.type == VL_AG_PING && h.id == (uint32_t)round &&
				         !strcmp((const char *)p, "vl-inside-payload"))
					frames++;
			}
		}
	}
	result("codec-reader-resync", frames == 3 && errors == 3,
	       "%d of 3 frames found byte by byte after garbage, %d errors (want 3)", frames,
	       errors);

	st.uptime_ms = 1234;
	st.ncpu = 2;
	st.cpu_ms[VL_AG_CPU_IDLE] = 99;
	st.mem_total_kb = 65536;
	st.mem_avail_kb = 1000;
	st.n_ifs = 2;
	snprintf(st.ifs[0].name, 16, "lo");
	snprintf(st.ifs[1].name, 16, "eth0");
	st.ifs[1].tx_drop = 7;
	vl_ag_msg_init(&m, VL_AG_STATS_REPLY, 1);
	vl_ag_stats_put(&m, &st);
	vl_ag_msg_end(&m);
	ok = vl_ag_stats_get(m.buf + VL_AG_HDR_LEN, m.len - VL_AG_HDR_LEN, &back) == 0 &&
	     !memcmp(&st, &back, sizeof(st)) &&
	     vl_ag_stats_get(m.buf + VL_AG_HDR_LEN, m.len - VL_AG_HDR_LEN - 1, &back) == -EBADMSG;
	result("codec-stats", ok, "STATS_REPLY round trip; a short one refused");
}

static int find_agent(int argc, char **argv)
{
	char exe[PATH_MAX - 32];
	ssize_t n;
	const char *env = getenv("VNETLAB_AGENT");

	if (argc > 1) {
		snprintf(agent_path, sizeof(agent_path), "%s", argv[1]);
		return access(agent_path, X_OK);
	}
	if (env && *env) {
		snprintf(agent_path, sizeof(agent_path), "%s", env);
		return access(agent_path, X_OK);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(agent_path, sizeof(agent_path), "%s/../vnetlab-agent", exe);
			if (access(agent_path, X_OK) == 0)
				return 0;
		}
	}
	snprintf(agent_path, sizeof(agent_path), "build/vnetlab-agent");
	return access(agent_path, X_OK);
}

static void rm_tree(const char *dir)
{
	pid_t c = fork();

	if (c == 0) {
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	if (c > 0)
		waitpid(c, NULL, 0);
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	alarm(600); /* a hung case fails the run instead of hanging it */
	t_codec();
	if (find_agent(argc, argv) < 0) {
		printf("skip agent cases: no agent program at %s (make builds it; or give its "
		       "path)\n",
		       agent_path);
		nskip++;
	} else if (!mkdtemp(tmpdir)) {
		printf("FAIL setup: mkdtemp: %s\n", strerror(errno));
		nfail++;
	} else {
		t_hello();
		t_exec_basic();
		t_cat();
		t_flow_control();
		t_signal_forward();
		t_agent_gone();
		t_sessions();
		t_tty();
		t_write_file();
		t_stats();
		t_malformed();
		t_fuzz();
		t_lifecycle();
		t_socket_mode();
		t_configure();
		rm_tree(tmpdir);
	}
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
