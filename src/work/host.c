/* host and clock: vnetlab-work's part on a host of `bench --backend rm`
 * (a real machine, one instance each).
 *
 *   vnetlab-work clock
 *       this host's CLOCK_REALTIME, boot id, CPUs and name, as one JSON
 *       line: the coordinator's skew check and its test for hosts that
 *       share one machine (the same boot id).
 *   vnetlab-work host [--listen PORT [--stop-server]] [--dev DEV]
 *                     [--timeout S] -- CLIENT... [::: SERVER...]
 *       starts SERVER (the sink of another host's instance) and waits until
 *       it listens on PORT, then runs CLIENT (this host's instance, which
 *       brings its own --start-at barrier), each with its output captured
 *       and its CPU time from wait4; waits for both (the server ends when
 *       its peer on another host is done; with --stop-server it is sent
 *       SIGTERM once its peer's connection is gone), killing what is left
 *       after S seconds. Prints one JSON line: each program's report (the last
 *       line of its stdout that is a JSON object), status, wait4 user/sys
 *       and stderr's tail; this host's CPU busy over the same window (and
 *       the programs' part of it), steal, and the underlay device DEV's
 *       byte and drop counters' change.
 * Everything is measured here, on the host where it ran. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "base/util.h"
#include "work/work.h"

#define HOST_KEEP_BYTES (1u << 20)
#define LISTEN_WAIT_S   10.0

struct child {
	pid_t pid;
	int out, errfd; /* read ends, -1 once closed */
	struct vl_buf o, e;
	bool exited;
	int status;
	struct rusage ru;
};

static void read_boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

static uint64_t realtime_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static json_t *host_facts(void)
{
	char boot[64], name[HOST_NAME_MAX + 1] = "";

	read_boot_id(boot, sizeof(boot));
	gethostname(name, sizeof(name) - 1);
	return json_pack("{s:I, s:s, s:I, s:s}", "realtime_ns", (json_int_t)realtime_now_ns(),
	                 "boot_id", boot, "cpus", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN),
	                 "hostname", name);
}

/* All CPUs' busy, total and stolen jiffies. */
static void cpu_jiffies(uint64_t v[3])
{
	FILE *f = fopen("/proc/stat", "re");
	unsigned long long x[8] = {0};

	v[0] = v[1] = v[2] = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &x[0], &x[1], &x[2], &x[3],
	           &x[4], &x[5], &x[6], &x[7]) >= 4) {
		for (int i = 0; i < 8; i++)
			v[1] += x[i];
		v[0] = v[1] - x[3] - x[4] - x[7];
		v[2] = x[7];
	}
	fclose(f);
}

static const char *const dev_counters[] = {"rx_bytes", "tx_bytes", "rx_dropped", "tx_dropped"};

static void dev_read(const char *dev, uint64_t v[4])
{
	for (size_t i = 0; i < 4; i++) {
		char p[128];
		FILE *f;
		unsigned long long x = 0;

		v[i] = 0;
		if (!dev)
			continue;
		snprintf(p, sizeof(p), "/sys/class/net/%s/statistics/%s", dev, dev_counters[i]);
		if ((f = fopen(p, "re"))) {
			if (fscanf(f, "%llu", &x) == 1)
				v[i] = x;
			fclose(f);
		}
	}
}

/* Is a TCP socket of local port here (IPv4 or IPv6) in state want (0x0a:
 * listening, 0x01: established; 0: either)? */
static bool tcp_state(unsigned port, unsigned want)
{
	static const char *const files[] = {"/proc/net/tcp", "/proc/net/tcp6"};

	for (size_t k = 0; k < 2; k++) {
		FILE *f = fopen(files[k], "re");
		char line[512];

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned p, st;
			char *colon = strchr(line, ':');

			/* "sl: local:port rem:port st ..."; the local address's colon */
			if (!colon || !(colon = strchr(colon + 1, ':')))
				continue;
			if (sscanf(colon + 1, "%x %*s %x", &p, &st) == 2 && p == port &&
			    (want ? st == want : st == 0x0a || st == 0x01)) {
				fclose(f);
				return true;
			}
		}
		fclose(f);
	}
	return false;
}

static int child_start(char **argv, struct child *c, struct vl_err *err)
{
	int po[2], pe[2];
	pid_t parent = getpid();

	memset(c, 0, sizeof(*c));
	c->out = c->errfd = -1;
	if (pipe2(po, O_CLOEXEC) < 0)
		return vl_err_sys(err, errno, "pipe");
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return vl_err_sys(err, errno, "pipe");
	}
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0) {
		int e = errno;

		close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
		return vl_err_sys(err, e, "fork");
	}
	if (c->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execvp(argv[0], argv);
		dprintf(2, "vnetlab-work host: %s: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	setpgid(c->pid, c->pid);
	close(po[1]);
	close(pe[1]);
	c->out = po[0];
	c->errfd = pe[0];
	return 0;
}

static void drain(int *fd, struct vl_buf *b)
{
	char buf[65536];
	ssize_t r = read(*fd, buf, sizeof(buf));

	if (r > 0) {
		if (b->len < HOST_KEEP_BYTES)
			vl_buf_add(b, buf, (size_t)r);
	} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
}

static bool child_done(const struct child *c)
{
	return !c->pid || (c->exited && c->out < 0 && c->errfd < 0);
}

static void child_reap(struct child *c, bool block)
{
	if (!c->pid || c->exited)
		return;
	if (wait4(c->pid, &c->status, block ? 0 : WNOHANG, &c->ru) == c->pid)
		c->exited = true;
}

/* A server that runs until stopped (--stop-server; an iperf -s) is
 * stopped once the connection its peer made is gone: seen established,
 * then none for STOP_AFTER_S. */
#define STOP_AFTER_S 0.3
struct stopper {
	unsigned port; /* 0: the server ends by itself */
	bool seen, stopped;
	double gone;
};

static void stop_check(struct stopper *s, struct child *server)
{
	bool up;

	if (!s->port || s->stopped || !server->pid || server->exited)
		return;
	up = tcp_state(s->port, 0x01);
	if (up) {
		s->seen = true;
		s->gone = 0;
	} else if (s->seen && !s->gone) {
		s->gone = work_mono();
	} else if (s->seen && work_mono() - s->gone >= STOP_AFTER_S) {
		kill(server->pid, SIGTERM); /* vnetlab-work run passes it on */
		s->stopped = true;
	}
}

/* Read both programs' output until each has ended, or kill them at the
 * deadline (monotonic seconds). */
static bool children_wait(struct child *c, size_t n, double deadline, struct stopper *stop)
{
	bool killed = false;

	for (;;) {
		stop_check(stop, &c[1]);
		struct pollfd pf[4];
		size_t k = 0;
		bool all = true;

		for (size_t i = 0; i < n; i++) {
			child_reap(&c[i], false);
			all &= child_done(&c[i]);
			pf[k++] = (struct pollfd){.fd = c[i].out, .events = POLLIN};
			pf[k++] = (struct pollfd){.fd = c[i].errfd, .events = POLLIN};
		}
		if (all)
			break;
		if (work_mono() >= deadline) {
			for (size_t i = 0; i < n; i++)
				if (c[i].pid && !c[i].exited) {
					kill(-c[i].pid, SIGKILL);
					killed = true;
				}
			deadline = work_mono() + 2; /* then only their pipes' ends */
		}
		if (poll(pf, k, stop->port && !stop->stopped ? 20 : 100) < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < n; i++) {
			if (pf[2 * i].revents)
				drain(&c[i].out, &c[i].o);
			if (pf[2 * i + 1].revents)
				drain(&c[i].errfd, &c[i].e);
		}
	}
	return killed;
}

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

static json_t *child_json(struct child *c)
{
	cleanup_buf struct vl_buf tail = {0};
	int st = !c->exited               ? -1
	         : WIFEXITED(c->status)   ? WEXITSTATUS(c->status)
	         : WIFSIGNALED(c->status) ? 128 + WTERMSIG(c->status)
	                                  : -1;

	vl_buf_add(&c->e, "", 0);
	vl_buf_tail(&tail, c->e.s, 4, 400);
	return json_pack("{s:o*, s:i, s:f, s:f, s:s}", "report", vl_json_last_line(c->o.s, NULL), "status", st,
	                 "user_s", tv(c->ru.ru_utime), "sys_s", tv(c->ru.ru_stime), "stderr",
	                 tail.s ? tail.s : "");
}

static int host_usage(const char *why)
{
	fprintf(stderr,
	        "vnetlab-work host: %s\nusage: vnetlab-work host [--listen PORT [--stop-server]] "
	        "[--dev DEV] "
	        "[--timeout S] -- CLIENT... [::: SERVER...]\n       vnetlab-work clock\n",
	        why);
	return 2;
}

int work_host_main(int argc, char **argv)
{
	const char *dev = NULL;
	unsigned long port = 0;
	double timeout = 600;
	struct stopper stop = {0};
	char **client = NULL, **server = NULL;
	struct child c[2] = {{0}};
	struct vl_err err = {0};
	uint64_t j0[3], j1[3], d0[4], d1[4];
	double t0, listen_s = 0;
	int i;

	if (argc == 2 && !strcmp(argv[1], "clock")) {
		json_t *j = host_facts();

		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
		return fflush(stdout) == EOF ? 1 : 0;
	}
	for (i = 2; i < argc && strcmp(argv[i], "--"); i += 2) {
		if (i + 1 >= argc && strcmp(argv[i], "--stop-server"))
			return host_usage("an option without its value");
		if (!strcmp(argv[i], "--listen")) {
			if (vl_parse_uint(argv[i + 1], 1, 65535, &port) < 0)
				return host_usage("--listen takes a port, 1 to 65535");
		} else if (!strcmp(argv[i], "--dev")) {
			dev = argv[i + 1];
			if (!*dev || strchr(dev, '/') || strlen(dev) > 15)
				return host_usage("--dev takes an interface name");
		} else if (!strcmp(argv[i], "--stop-server")) {
			stop.port = 1; /* the port, once known */
			i--;           /* takes no value */
		} else if (!strcmp(argv[i], "--timeout")) {
			if (vl_parse_number(argv[i + 1], 0.1, 86400, &timeout) < 0)
				return host_usage("--timeout takes seconds, up to a day");
		} else {
			return host_usage("unknown option");
		}
	}
	if (i + 1 >= argc)
		return host_usage("no client command after --");
	client = argv + i + 1;
	for (int k = i + 1; k < argc; k++)
		if (!strcmp(argv[k], ":::")) {
			argv[k] = NULL;
			server = argv + k + 1;
			if (!*server)
				return host_usage("no server command after :::");
			break;
		}
	if (!*client)
		return host_usage("no client command after --");
	if (!server != !port)
		return host_usage("a server command and --listen go together");
	if (stop.port)
		stop.port = (unsigned)port;
	signal(SIGPIPE, SIG_IGN);
	uint64_t started_ns = realtime_now_ns();

	t0 = work_mono();
	cpu_jiffies(j0);
	dev_read(dev, d0);
	if (server && child_start(server, &c[1], &err) == 0) {
		/* a sink takes one connection: listening is read, not tried;
		 * its peer may have connected already (then it listens no more) */
		while (!tcp_state((unsigned)port, 0) && work_mono() - t0 < LISTEN_WAIT_S) {
			child_reap(&c[1], false);
			if (c[1].exited)
				break;
			nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
		}
		listen_s = work_mono() - t0;
	}
	uint64_t client_ns = realtime_now_ns();

	if (!err.msg[0])
		child_start(client, &c[0], &err);
	bool killed = children_wait(c, 2, t0 + timeout, &stop);

	for (int k = 0; k < 2; k++)
		child_reap(&c[k], true);
	double wall = work_mono() - t0;

	cpu_jiffies(j1);
	dev_read(dev, d1);
	json_t *out = host_facts(), *dv = json_object();
	double total = (double)(j1[1] - j0[1]), hz = (double)sysconf(_SC_CLK_TCK);
	double cpus = (double)sysconf(_SC_NPROCESSORS_ONLN);
	double prog = 0;

	for (int k = 0; k < 2; k++)
		prog += tv(c[k].ru.ru_utime) + tv(c[k].ru.ru_stime);
	for (size_t k = 0; k < 4; k++)
		json_object_set_new(dv, dev_counters[k], json_integer((json_int_t)(d1[k] - d0[k])));
	json_object_set_new(out, "dev", dv);
	json_object_set_new(out, "dev_name", dev ? json_string(dev) : json_null());
	json_object_set_new(out, "wall_s", json_real(wall));
	json_object_set_new(out, "listen_s", json_real(listen_s));
	json_object_set_new(out, "started_ns", json_integer((json_int_t)started_ns));
	json_object_set_new(out, "client_started_ns", json_integer((json_int_t)client_ns));
	json_object_set_new(out, "busy",
	                    json_real(total > 0 ? (double)(j1[0] - j0[0]) / total : 0));
	json_object_set_new(out, "steal",
	                    json_real(total > 0 ? (double)(j1[2] - j0[2]) / total : 0));
	/* the programs' share of every CPU's time in the window */
	json_object_set_new(out, "programs_busy",
	                    json_real(total > 0 && hz > 0 && cpus > 0 ? prog / (total / hz) : 0));
	json_object_set_new(out, "killed", json_boolean(killed));
	json_object_set_new(out, "server_stopped", json_boolean(stop.stopped));
	json_object_set_new(out, "client", c[0].pid ? child_json(&c[0]) : json_null());
	json_object_set_new(out, "server", c[1].pid ? child_json(&c[1]) : json_null());
	if (err.msg[0])
		json_object_set_new(out, "error", json_string(err.msg));
	json_dumpf(out, stdout, JSON_COMPACT | JSON_REAL_PRECISION(9));
	putchar('\n');
	json_decref(out);
	for (int k = 0; k < 2; k++) {
		vl_buf_free(&c[k].o);
		vl_buf_free(&c[k].e);
	}
	return fflush(stdout) == EOF || err.msg[0] ? 1 : 0;
}
