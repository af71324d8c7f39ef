/* test_work: the built-in workloads (src/work/), run as the program they
 * are, on loopback in this process's network. `test_work [PROGRAM]`; the
 * program defaults to vnetlab-work beside this test's build directory
 * (BUILD/tests/test_work -> BUILD/vnetlab-work), else build/vnetlab-work.
 *
 * Prints "ok <case>: ..." or "FAIL <case>: ..." per case and last exactly
 * "N passed, M failed, K skipped"; exit status 1 iff M > 0. No timed
 * assertions: times are only checked to be sane (non-negative, CPU time not
 * far above wall time). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* The checksum of `cpu --size 64`: the renderer is deterministic, so this
 * holds on every machine and at every optimisation level. Changing the
 * scene changes it. */
#define CPU64_CHECKSUM "4e1d39905d2de39a"

static const char *prog;
static unsigned port_base;

struct proc {
	pid_t pid;
	int out, err; /* read ends */
	char *outs, *errs;
	size_t outlen, errlen;
	int status;
	json_t *json;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Start prog with args (NULL-terminated, args[0] the workload). */
static int spawn(struct proc *p, const char *const *args)
{
	int o[2], e[2];
	const char *argv[32];
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	argv[n++] = prog;
	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	if (pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0)
		return -1;
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		execv(prog, (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	p->out = o[0];
	p->err = e[0];
	return 0;
}

static void drain(int *fd, char **s, size_t *len)
{
	char buf[4096];
	ssize_t r = read(*fd, buf, sizeof(buf));

	if (r <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	*s = realloc(*s, *len + (size_t)r + 1);
	if (!*s)
		abort();
	memcpy(*s + *len, buf, (size_t)r);
	*len += (size_t)r;
	(*s)[*len] = 0;
}

/* Collect output until both pipes close, then reap; kill after timeout
 * seconds. Parses stdout as one JSON object. Returns 0, or -1 on timeout. */
static int finish(struct proc *p, double timeout)
{
	double deadline = now_s() + timeout;
	bool killed = false;

	while (p->out >= 0 || p->err >= 0) {
		struct pollfd pf[2] = {{.fd = p->out, .events = POLLIN},
		                       {.fd = p->err, .events = POLLIN}};
		double left = deadline - now_s();

		if (left <= 0) {
			kill(p->pid, SIGKILL);
			killed = true;
			deadline = now_s() + 5;
		}
		if (poll(pf, 2, left > 0 ? (int)(left * 1000) + 1 : 100) < 0 && errno != EINTR)
			break;
		if (p->out >= 0 && pf[0].revents)
			drain(&p->out, &p->outs, &p->outlen);
		if (p->err >= 0 && pf[1].revents)
			drain(&p->err, &p->errs, &p->errlen);
	}
	waitpid(p->pid, &p->status, 0);
	if (p->outs)
		p->json = json_loads(p->outs, JSON_REJECT_DUPLICATES, NULL);
	return killed ? -1 : 0;
}

static void proc_free(struct proc *p)
{
	if (p->out >= 0)
		close(p->out);
	if (p->err >= 0)
		close(p->err);
	free(p->outs);
	free(p->errs);
	json_decref(p->json);
}

static int run(struct proc *p, const char *const *args, double timeout)
{
	if (spawn(p, args) < 0)
		return -1;
	return finish(p, timeout);
}

static bool exited_ok(const struct proc *p)
{
	return WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0;
}

static const char *jstr(json_t *j, const char *k)
{
	const char *s = json_string_value(json_object_get(j, k));

	return s ? s : "";
}

static double jnum(json_t *j, const char *k)
{
	return json_number_value(json_object_get(j, k));
}

static long long jint(json_t *j, const char *k)
{
	return json_integer_value(json_object_get(j, k));
}

/* The common fields, sane: an object, exit "ok", times non-negative and
 * CPU time not (much) above wall time for one thread. */
static const char *common_bad(const struct proc *p, const char *workload)
{
	json_t *j = p->json;
	double wall = jnum(j, "wall_s"), cpu = jnum(j, "user_s") + jnum(j, "sys_s");

	if (!j || !json_is_object(j))
		return "stdout is not one JSON object";
	if (!exited_ok(p))
		return "non-zero exit";
	if (strcmp(jstr(j, "exit"), "ok"))
		return "exit is not \"ok\"";
	if (strcmp(jstr(j, "workload"), workload))
		return "wrong \"workload\"";
	if (!json_is_string(json_object_get(j, "role")))
		return "no \"role\"";
	if (!json_is_number(json_object_get(j, "wall_s")) ||
	    !json_is_number(json_object_get(j, "user_s")) ||
	    !json_is_number(json_object_get(j, "sys_s")))
		return "missing wall_s/user_s/sys_s";
	if (wall < 0 || jnum(j, "user_s") < 0 || jnum(j, "sys_s") < 0)
		return "negative time";
	if (cpu > wall * 1.2 + 0.05)
		return "CPU time well above wall time";
	return NULL;
}

static void port_str(char *buf, size_t len, unsigned off)
{
	snprintf(buf, len, "%u", port_base + off);
}

static void report_fail(const char *name, const struct proc *p, const char *why)
{
	result(name, 0, "%s (status %d; stdout: %.300s; stderr: %.300s)", why, p->status,
	       p->outs ? p->outs : "", p->errs ? p->errs : "");
}

/* --- cases -------------------------------------------------------------------- */

static void test_cpu(void)
{
	const char *args[] = {"cpu", "--size", "64", NULL};
	struct proc a, b;
	const char *bad;

	run(&a, args, 30);
	run(&b, args, 30);
	if ((bad = common_bad(&a, "cpu")) || (bad = common_bad(&b, "cpu")))
		report_fail("cpu", &a, bad);
	else if (jint(a.json, "pixels") != 64 * 64)
		report_fail("cpu", &a, "pixels is not 64*64");
	else if (strcmp(jstr(a.json, "checksum"), jstr(b.json, "checksum")))
		result("cpu", 0, "checksums differ between runs: %s, %s", jstr(a.json, "checksum"),
		       jstr(b.json, "checksum"));
	else if (strcmp(jstr(a.json, "checksum"), CPU64_CHECKSUM))
		result("cpu", 0, "checksum %s, expected %s (renderer not deterministic?)",
		       jstr(a.json, "checksum"), CPU64_CHECKSUM);
	else
		result("cpu", 1, "64x64 twice: checksum %s, %lld rays, wall %.4f s",
		       jstr(a.json, "checksum"), jint(a.json, "rays"), jnum(a.json, "wall_s"));
	proc_free(&a);
	proc_free(&b);
}

static void test_start_at(void)
{
	struct timespec ts;
	char at[32];
	const char *args[] = {"cpu", "--size", "8", "--start-at", at, NULL};
	unsigned long long target;
	struct proc p;
	double t0 = now_s(), took;
	const char *bad;

	clock_gettime(CLOCK_REALTIME, &ts);
	target = (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec +
	         300000000ull;
	snprintf(at, sizeof(at), "%llu", target);
	run(&p, args, 10);
	took = now_s() - t0;
	if ((bad = common_bad(&p, "cpu")))
		report_fail("start-at", &p, bad);
	else if ((unsigned long long)jint(p.json, "start_ns") < target)
		report_fail("start-at", &p, "started before --start-at");
	else if (took < 0.3 || jnum(p.json, "start_lag_s") < 0)
		report_fail("start-at", &p, "did not wait for --start-at");
	else
		result("start-at", 1, "waited %.3f s, started %.6f s after the barrier", took,
		       jnum(p.json, "start_lag_s"));
	proc_free(&p);
}

/* A sink and a sender on port off; the sink's and sender's results. */
static int pair(const char *const *sink, const char *const *sender, struct proc *s, struct proc *c)
{
	if (spawn(s, sink) < 0)
		return -1;
	if (run(c, sender, 30) < 0) {
		kill(s->pid, SIGKILL);
		finish(s, 5);
		return -1;
	}
	/* A sender that failed leaves the sink waiting for a connection. */
	return finish(s, exited_ok(c) ? 30 : 2);
}

static void test_stream(void)
{
	char port[8];
	const char *sink[] = {"stream-sink", "--port", port, NULL};
	const char *sender[] = {"stream",    "--to", "localhost", "--port", port,
	                        "--seconds", "1",    "--size",    "32KiB",  NULL};
	struct proc s, c;
	const char *bad;

	port_str(port, sizeof(port), 0);
	pair(sink, sender, &s, &c);
	if ((bad = common_bad(&c, "stream")))
		report_fail("stream", &c, bad);
	else if ((bad = common_bad(&s, "stream-sink")))
		report_fail("stream", &s, bad);
	else if (jint(c.json, "bytes") <= 0)
		report_fail("stream", &c, "no bytes sent");
	else if (jint(c.json, "bytes") != jint(s.json, "bytes"))
		result("stream", 0, "sender sent %lld bytes, sink received %lld",
		       jint(c.json, "bytes"), jint(s.json, "bytes"));
	else if (jnum(c.json, "throughput_bps") <= 0 || jnum(s.json, "throughput_bps") <= 0)
		result("stream", 0, "no throughput");
	else
		result("stream", 1, "1 s: %lld bytes, sender %.2f Gbit/s, sink %.2f Gbit/s",
		       jint(c.json, "bytes"), jnum(c.json, "throughput_bps") / 1e9,
		       jnum(s.json, "throughput_bps") / 1e9);
	proc_free(&s);
	proc_free(&c);
}

static void test_bandwidth(void)
{
	char port[8];
	const char *sink[] = {"bandwidth-sink", "--port", port, "--interval", "0.25", NULL};
	const char *sender[] = {"stream", "--to",      "127.0.0.1", "--port",
	                        port,     "--seconds", "1",         NULL};
	struct proc s, c;
	const char *bad;
	json_t *iv, *e;
	long long sum = 0;
	size_t i;

	port_str(port, sizeof(port), 1);
	pair(sink, sender, &s, &c);
	iv = s.json ? json_object_get(s.json, "intervals") : NULL;
	json_array_foreach(iv, i, e) sum += jint(e, "bytes");
	if ((bad = common_bad(&c, "stream")))
		report_fail("bandwidth", &c, bad);
	else if ((bad = common_bad(&s, "bandwidth-sink")))
		report_fail("bandwidth", &s, bad);
	else if (jint(s.json, "bytes") <= 0 || jint(s.json, "bytes") != jint(c.json, "bytes"))
		result("bandwidth", 0, "sender %lld bytes, sink %lld", jint(c.json, "bytes"),
		       jint(s.json, "bytes"));
	else if (!json_is_array(iv) || json_array_size(iv) < 3 || json_array_size(iv) > 6)
		report_fail("bandwidth", &s, "expected about 4 intervals of 0.25 s");
	else if (sum != jint(s.json, "bytes"))
		result("bandwidth", 0, "intervals add up to %lld, total %lld", sum,
		       jint(s.json, "bytes"));
	else
		result("bandwidth", 1, "%zu intervals adding up to %lld bytes, %.2f Gbit/s",
		       json_array_size(iv), sum, jnum(s.json, "throughput_bps") / 1e9);
	proc_free(&s);
	proc_free(&c);
}

static void test_mixed(const char *name, const char *cipher, const char *bytes, long long want,
                       unsigned off)
{
	char port[8];
	const char *sink[] = {"mixed-sink", "--port", port, NULL};
	const char *sender[] = {"mixed",   "--to", "localhost", "--port", port,
	                        "--bytes", bytes,  "--cipher",  cipher,   NULL};
	struct proc s, c;
	const char *bad;

	port_str(port, sizeof(port), off);
	pair(sink, sender, &s, &c);
	if ((bad = common_bad(&c, "mixed")))
		report_fail(name, &c, bad);
	else if ((bad = common_bad(&s, "mixed-sink")))
		report_fail(name, &s, bad);
	else if (!json_is_true(json_object_get(s.json, "verified")))
		report_fail(name, &s, "not verified");
	else if (jint(c.json, "bytes") != want || jint(s.json, "bytes") != want)
		result(name, 0, "bytes: sender %lld, sink %lld, want %lld", jint(c.json, "bytes"),
		       jint(s.json, "bytes"), want);
	else if (jint(c.json, "records") != jint(s.json, "records"))
		result(name, 0, "records: sender %lld, sink %lld", jint(c.json, "records"),
		       jint(s.json, "records"));
	else if (strcmp(jstr(s.json, "cipher"), cipher))
		report_fail(name, &s, "sink saw another cipher");
	else
		result(name, 1, "%s: %lld bytes in %lld records verified, %.2f Gbit/s", cipher,
		       want, jint(s.json, "records"), jnum(c.json, "throughput_bps") / 1e9);
	proc_free(&s);
	proc_free(&c);
}

/* A record whose tag is wrong must fail the sink: a hello for aes-128-gcm,
 * then one 16-byte record with an all-zero tag. */
static void test_mixed_tamper(void)
{
	char port[8];
	const char *sink[] = {"mixed-sink", "--port", port, NULL};
	unsigned char msg[8 + 4 + 16 + 16] = {'V', 'L', 'M', 'I', 'X', '1', 1, 0, 0, 0, 0, 16};
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct proc s;
	int fd = -1, tries;

	port_str(port, sizeof(port), 4);
	sa.sin_port = htons((uint16_t)(port_base + 4));
	if (spawn(&s, sink) < 0) {
		result("mixed-tamper", 0, "spawn failed");
		return;
	}
	for (tries = 0; tries < 100; tries++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		close(fd);
		fd = -1;
		nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
	}
	if (fd >= 0) {
		if (write(fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg))
			fprintf(stderr, "mixed-tamper: short write\n");
		shutdown(fd, SHUT_WR);
	}
	finish(&s, 10);
	if (fd >= 0)
		close(fd);
	if (fd < 0)
		report_fail("mixed-tamper", &s, "could not connect to the sink");
	else if (exited_ok(&s) || !s.json || strcmp(jstr(s.json, "exit"), "error") ||
	         json_is_true(json_object_get(s.json, "verified")))
		report_fail("mixed-tamper", &s, "a bad tag was not reported as an error");
	else if (!s.errs || !strstr(s.errs, "tag mismatch"))
		report_fail("mixed-tamper", &s, "stderr does not name the tag mismatch");
	else
		result("mixed-tamper", 1, "bad tag refused: %s", jstr(s.json, "error"));
	proc_free(&s);
}

/* Bad command lines: non-zero exit, a message naming the problem on stderr,
 * and still one JSON object with "exit": "error". */
static void test_usage(const char *name, const char *const *args, const char *want)
{
	struct proc p;

	run(&p, args, 10);
	if (exited_ok(&p) || !WIFEXITED(p.status))
		report_fail(name, &p, "expected a non-zero exit");
	else if (!p.errs || !strstr(p.errs, want))
		report_fail(name, &p, "stderr lacks the expected message");
	else if (WEXITSTATUS(p.status) != 2)
		report_fail(name, &p, "expected exit status 2 (usage)");
	else if (!p.json || strcmp(jstr(p.json, "exit"), "error"))
		report_fail(name, &p, "no JSON object with \"exit\": \"error\"");
	else
		result(name, 1, "exit %d: %s", WEXITSTATUS(p.status), jstr(p.json, "error"));
	proc_free(&p);
}

/* run: a real program's output, exit status and CPU time, as reported. */
static void test_run(void)
{
	const char *ok[] = {"run",
	                    "--",
	                    "sh",
	                    "-c",
	                    "echo out; echo err >&2; i=0; "
	                    "while [ $i -lt 20000 ]; do i=$((i+1)); done",
	                    NULL};
	const char *bad[] = {"run", "--", "sh", "-c", "echo why >&2; exit 3", NULL};
	struct proc a, b;

	run(&a, ok, 30);
	if (!exited_ok(&a) || strcmp(jstr(a.json, "stdout"), "out\n") ||
	    strcmp(jstr(a.json, "stderr"), "err\n") || jint(a.json, "exit_status") != 0)
		report_fail("run", &a, "output or status not as the program left them");
	else if (!(jnum(a.json, "user_s") + jnum(a.json, "sys_s") > 0.001))
		report_fail("run", &a, "the program's CPU time was not counted");
	else
		result("run", 1, "output, status 0, %.3f s CPU", jnum(a.json, "user_s"));
	run(&b, bad, 30);
	if (WEXITSTATUS(b.status) != 1 || jint(b.json, "exit_status") != 3 ||
	    strcmp(jstr(b.json, "exit"), "error") || !strstr(jstr(b.json, "error"), "status 3"))
		report_fail("run-fails", &b, "a failing program is not an error with its status");
	else
		result("run-fails", 1, "%s", jstr(b.json, "error"));
	proc_free(&a);
	proc_free(&b);
}

/* run --result --grace: a program that printed its result and then does
 * not end (ignoring SIGTERM, with a child holding its output) is killed
 * with its process group, and its result is kept. */
static void test_run_hang(void)
{
	const char *args[] = {
	    "run",     "--result", "RESULT",
	    "--grace", "0.3",      "--",
	    "sh",      "-c",       "trap '' TERM; echo RESULT 42; sleep 30 & sleep 30",
	    NULL};
	struct proc p;
	double t0 = now_s();

	run(&p, args, 30);
	if (!exited_ok(&p) || !json_is_true(json_object_get(p.json, "hung_after_result")) ||
	    strcmp(jstr(p.json, "stdout"), "RESULT 42\n"))
		report_fail("run-hang", &p, "the hang was not reported with the result");
	else if (now_s() - t0 > 5)
		report_fail("run-hang", &p, "took more than grace + the 2 s stop");
	else
		result("run-hang", 1, "stopped after %.2f s, result kept", now_s() - t0);
	proc_free(&p);
}

static const char *default_prog(const char *argv0)
{
	/* BUILD/tests/test_work -> BUILD/vnetlab-work */
	static char buf[4096];
	const char *slash = strrchr(argv0, '/');

	if (slash && (size_t)(slash - argv0) + 20 < sizeof(buf)) {
		char *up;

		memcpy(buf, argv0, (size_t)(slash - argv0));
		buf[slash - argv0] = 0;
		up = strrchr(buf, '/');
		if (up) {
			strcpy(up + 1, "vnetlab-work");
			if (access(buf, X_OK) == 0)
				return buf;
		} else if (strcmp(buf, ".")) {
			strcpy(buf, "vnetlab-work");
			if (access(buf, X_OK) == 0)
				return buf;
		}
	}
	return "build/vnetlab-work";
}

/* clock and host: a real machine's part of bench --backend rm. clock: this
 * host's clock and boot id; host: a sink, then a sender into it, each
 * reported with its wait4 CPU time, and the device's bytes counted. */
static void test_host(void)
{
	char port[8], boot[64] = "";
	struct proc p;
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	json_t *cl, *sv;

	if (f) {
		if (fgets(boot, sizeof(boot), f))
			boot[strcspn(boot, "\n")] = '\0';
		fclose(f);
	}
	run(&p, (const char *[]){"clock", NULL}, 10);
	if (!exited_ok(&p) || strcmp(jstr(p.json, "boot_id"), boot) ||
	    fabs(jnum(p.json, "realtime_ns") / 1e9 - (double)time(NULL)) > 5 ||
	    jint(p.json, "cpus") < 1)
		report_fail("clock", &p, "not this host's clock, boot id and CPUs");
	else
		result("clock", 1, "boot id %s", boot);
	proc_free(&p);

	port_str(port, sizeof(port), 4);
	run(&p,
	    (const char *[]){"host",        "--listen", port,        "--dev",  "lo",   "--timeout",
	                     "30",          "--",       prog,        "stream", "--to", "127.0.0.1",
	                     "--port",      port,       "--seconds", "0.5",    ":::",  prog,
	                     "stream-sink", "--port",   port,        NULL},
	    60);
	cl = json_object_get(p.json, "client");
	sv = json_object_get(p.json, "server");
	if (!exited_ok(&p) || !cl || !sv)
		report_fail("host", &p, "no client and server");
	else if (jint(json_object_get(cl, "report"), "bytes") <= 0 ||
	         jint(json_object_get(cl, "report"), "bytes") !=
	             jint(json_object_get(sv, "report"), "bytes"))
		report_fail("host", &p, "the sink did not receive what the sender sent");
	else if (jint(cl, "status") || jint(sv, "status") ||
	         jnum(cl, "user_s") + jnum(cl, "sys_s") <= 0 ||
	         jnum(sv, "user_s") + jnum(sv, "sys_s") <= 0)
		report_fail("host", &p, "a status or a wait4 CPU time");
	else if (jint(json_object_get(p.json, "dev"), "rx_bytes") <
	             jint(json_object_get(sv, "report"), "bytes") ||
	         json_is_true(json_object_get(p.json, "killed")) ||
	         strcmp(jstr(p.json, "boot_id"), boot))
		report_fail("host", &p, "the device's bytes, killed or the boot id");
	else
		result("host", 1, "%lld bytes through lo, sender's CPU %.2f s",
		       jint(json_object_get(cl, "report"), "bytes"),
		       jnum(cl, "user_s") + jnum(cl, "sys_s"));
	proc_free(&p);

	run(&p, (const char *[]){"host", "--listen", port, "--", prog, "cpu", NULL}, 10);
	if (!WIFEXITED(p.status) || WEXITSTATUS(p.status) != 2 || !p.errs ||
	    !strstr(p.errs, "a server command and --listen go together"))
		report_fail("host-usage", &p, "--listen without a server: not a usage error");
	else
		result("host-usage", 1, "--listen without a server: exit 2");
	proc_free(&p);
}

int main(int argc, char **argv)
{
	prog = argc > 1 ? argv[1] : default_prog(argv[0]);
	/* Five ports a run, 40000..59999. */
	port_base = 40000 + (unsigned)getpid() % 4000 * 5;
	signal(SIGPIPE, SIG_IGN);
	if (access(prog, X_OK) < 0) {
		result("program", 0, "%s: %s (build it: make build/vnetlab-work)", prog,
		       strerror(errno));
	} else {
		test_cpu();
		test_start_at();
		test_stream();
		test_bandwidth();
		test_mixed("mixed", "aes-128-gcm", "8MiB", 8ll << 20, 2);
		test_mixed("mixed-chacha", "chacha20-poly1305", "1000000", 1000000, 3);
		test_mixed_tamper();
		test_run();
		test_run_hang();
		test_host();
		test_usage("run-without-program", (const char *[]){"run", NULL},
		           "run needs a program");
		test_usage("run-grace-alone",
		           (const char *[]){"run", "--grace", "1", "--", "true", NULL},
		           "--result and --grace go together");
		test_usage("unknown-workload", (const char *[]){"no-such-work", NULL},
		           "unknown workload 'no-such-work'");
		test_usage("bad-size", (const char *[]){"cpu", "--size", "x", NULL}, "--size 'x'");
		test_usage("missing-to",
		           (const char *[]){"stream", "--port", "1", "--seconds", "1", NULL},
		           "needs --to");
		test_usage("wrong-option", (const char *[]){"cpu", "--port", "1", NULL},
		           "cpu does not take --port");
		test_usage("bad-cipher",
		           (const char *[]){"mixed", "--to", "localhost", "--port", "1", "--cipher",
		                            "rot13", NULL},
		           "--cipher 'rot13'");
	}
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
