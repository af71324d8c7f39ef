/* The study's runner. See runner.h. */
#include "bench/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/engine.h"
#include "engine/stats.h"
#include "topo/topo.h"

struct proc {
	pid_t pid;
	int out; /* its stdout */
	struct vl_buf text;
	int status;
	bool done;
	struct rusage ru; /* from wait4 */
};

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Start argv in node of lab, its stdout on a pipe. */
static int spawn(const char *lab, const char *node, char *const *argv, struct proc *p,
                 struct vl_err *err)
{
	int pfd[2];

	/* Opened here: the node may not see the path (its /tmp is its own). */
	int exe = open(argv[0], O_RDONLY | O_CLOEXEC);

	memset(p, 0, sizeof(*p));
	if (exe < 0)
		return vl_err_sys(err, errno, "open %s", argv[0]);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		close(exe);
		return vl_err_sys(err, errno, "pipe");
	}
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		close(exe);
		close(pfd[0]);
		close(pfd[1]);
		return vl_err_sys(err, errno, "fork");
	}
	if (p->pid == 0) {
		struct vl_err e2 = {0};
		int pid_ns = -1, null = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(pfd[1], 1);
		if (null >= 0)
			dup2(null, 0);
		if (vl_engine_attach_node(lab, node, &e2) < 0 ||
		    vl_engine_join_node(lab, node, &pid_ns, &e2) < 0) {
			fprintf(stderr, "vnetlab bench: %s\n", e2.msg);
			_exit(125);
		}
		fexecve(exe, argv, environ);
		fprintf(stderr, "vnetlab bench: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(exe);
	close(pfd[1]);
	p->out = pfd[0];
	return 0;
}

/* Read every process's output until it ends or the deadline passes; those
 * still running then are killed (starved). */
static void collect(struct proc *ps, size_t n, double deadline)
{
	for (;;) {
		struct pollfd pf[256];
		size_t map[256], k = 0;
		double left = deadline - vl_now();
		char buf[4096];

		for (size_t i = 0; i < n && k < VL_ARRAY_SIZE(pf); i++)
			if (ps[i].out >= 0) {
				pf[k] = (struct pollfd){.fd = ps[i].out, .events = POLLIN};
				map[k++] = i;
			}
		if (!k || left <= 0)
			break;
		if (poll(pf, k, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		for (size_t j = 0; j < k; j++) {
			struct proc *p = &ps[map[j]];
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
		if (ps[i].out >= 0) {
			kill(ps[i].pid, SIGKILL);
			close(ps[i].out);
			ps[i].out = -1;
		}
		if (ps[i].pid > 0 && wait4(ps[i].pid, &ps[i].status, 0, &ps[i].ru) == ps[i].pid)
			ps[i].done = WIFEXITED(ps[i].status) && WEXITSTATUS(ps[i].status) == 0;
	}
}

/* All CPUs' busy and total jiffies from /proc/stat. */
static void cpu_jiffies(uint64_t *busy, uint64_t *total)
{
	FILE *f = fopen("/proc/stat", "re");
	unsigned long long v[10] = {0};

	*busy = *total = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
	           &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) >= 4) {
		for (int i = 0; i < 8; i++) /* guest times are in user already */
			*total += v[i];
		*busy = *total - v[3] - v[4]; /* minus idle and iowait */
	}
	fclose(f);
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : 0;
}

static bool network(const char *w)
{
	return strcmp(w, "cpu") != 0;
}

/* The client's and the server's command lines. */
static void commands(const struct vl_bench_opts *o, const char *server, int port, uint64_t at,
                     char **client, char **sink)
{
	char p[16], t[32], s[32];
	size_t c = 0, k = 0;

	snprintf(p, sizeof(p), "%d", port);
	snprintf(t, sizeof(t), "%llu", (unsigned long long)at);
	snprintf(s, sizeof(s), "%g", o->seconds);
	client[c++] = vl_xstrdup(o->work);
	if (!strcmp(o->workload, "cpu")) {
		client[c++] = vl_xstrdup("cpu");
		if (o->size) {
			client[c++] = vl_xstrdup("--size");
			client[c++] = vl_xstrdup(o->size);
		}
	} else if (!strcmp(o->workload, "mixed")) {
		client[c++] = vl_xstrdup("mixed");
		client[c++] = vl_xstrdup("--bytes");
		client[c++] = vl_xstrdup(o->bytes ? o->bytes : "64MiB");
	} else {
		client[c++] = vl_xstrdup("stream");
		client[c++] = vl_xstrdup("--seconds");
		client[c++] = vl_xstrdup(s);
	}
	if (network(o->workload)) {
		client[c++] = vl_xstrdup("--to");
		client[c++] = vl_xstrdup(server);
		client[c++] = vl_xstrdup("--port");
		client[c++] = vl_xstrdup(p);
		sink[k++] = vl_xstrdup(o->work);
		sink[k++] = vl_xstrdup(!strcmp(o->workload, "mixed")       ? "mixed-sink"
		                       : !strcmp(o->workload, "bandwidth") ? "bandwidth-sink"
		                                                           : "stream-sink");
		sink[k++] = vl_xstrdup("--port");
		sink[k++] = vl_xstrdup(p);
	}
	if (at) {
		client[c++] = vl_xstrdup("--start-at");
		client[c++] = vl_xstrdup(t);
	}
	client[c] = NULL;
	sink[k] = NULL;
}

static void free_argv(char **v)
{
	for (; *v; v++)
		free(*v);
}

/* One round: instances [first, first+count) at once, clients on nodes
 * client_base+i, servers on server_base+i. */
static int round_(const struct vl_bench_opts *o, const char *lab, struct vl_bench_run *run,
                  size_t first, size_t count, int client_base, int server_base, struct vl_err *err)
{
	struct proc *cl = vl_xcalloc(count, sizeof(*cl)), *sv = vl_xcalloc(count, sizeof(*sv));
	uint64_t at = count > 1 ? realtime_ns() + 500000000ull + 20000000ull * count : 0;
	int r = 0;

	for (size_t i = 0; i < count && r == 0; i++) {
		struct vl_bench_instance *in = &run->inst[first + i];
		char *client[24], *sink[8];

		snprintf(in->node, sizeof(in->node), "h%d", client_base + (int)i);
		if (network(o->workload))
			snprintf(in->server, sizeof(in->server), "h%d", server_base + (int)i);
		commands(o, in->server, 40000 + (int)(first + i), at, client, sink);
		if (network(o->workload) && (r = spawn(lab, in->server, sink, &sv[i], err)) == 0)
			nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
		if (r == 0)
			r = spawn(lab, in->node, client, &cl[i], err);
		free_argv(client);
		free_argv(sink);
	}
	collect(cl, count, vl_now() + o->timeout + (at ? 1.0 + 0.02 * (double)count : 0));
	if (network(o->workload))
		collect(sv, count, vl_now() + 5.0);
	for (size_t i = 0; i < count; i++) {
		struct vl_bench_instance *in = &run->inst[first + i];
		json_error_t je;
		json_t *c = cl[i].text.s ? json_loads(cl[i].text.s, 0, &je) : NULL;
		json_t *s = sv[i].text.s ? json_loads(sv[i].text.s, 0, &je) : NULL;

		in->status = cl[i].status;
		in->finished = cl[i].done && c != NULL;
		in->wall_s = num(c, "wall_s");
		in->wait4_user_s =
		    (double)cl[i].ru.ru_utime.tv_sec + cl[i].ru.ru_utime.tv_usec / 1e6;
		in->wait4_sys_s =
		    (double)cl[i].ru.ru_stime.tv_sec + cl[i].ru.ru_stime.tv_usec / 1e6;
		in->user_s = num(c, "user_s");
		in->sys_s = num(c, "sys_s");
		if (network(o->workload)) {
			/* measured at the receiving side, as the study did */
			in->bytes = num(s, "bytes");
			in->bps = num(s, "throughput_bps");
		}
		in->report = json_pack("{s:o*, s:o*}", "client", c, "server", s);
		vl_buf_free(&cl[i].text);
		vl_buf_free(&sv[i].text);
	}
	free(cl);
	free(sv);
	return r;
}

/* Can the run be trusted? Every instance finished, started together,
 * nothing dropped or throttled; a saturated host is said, not held
 * against it (sharing a saturated machine is what is measured). */
static void judge(const struct vl_bench_opts *o, struct vl_bench_run *run)
{
	struct vl_bench_fidelity *f = &run->fid;
	double lo = 1e300, hi = -1e300, mean_wall = 0;
	struct vl_buf why = {0};

	for (size_t i = 0; i < run->n; i++) {
		json_t *c = json_object_get(run->inst[i].report, "client");
		double lag = num(c, "start_lag_s");

		f->starved += !run->inst[i].finished;
		mean_wall += run->inst[i].wall_s / (double)run->n;
		if (lag < lo)
			lo = lag;
		if (lag > hi)
			hi = lag;
	}
	f->max_lag_s = run->n ? hi : 0;
	f->lag_spread_s = run->n ? hi - lo : 0;
	if (f->starved)
		vl_buf_printf(&why, "; %zu of %zu instances did not finish within %g s", f->starved,
		              run->n, o->timeout);
	if (o->mode == VL_BENCH_TOGETHER && run->n > 1 && f->lag_spread_s > 0.05 * mean_wall &&
	    f->lag_spread_s > 0.01)
		vl_buf_printf(&why, "; starts were %.0f ms apart (%.0f%% of a run)",
		              f->lag_spread_s * 1e3, 100 * f->lag_spread_s / mean_wall);
	if (f->drops)
		vl_buf_printf(&why, "; %llu packets were dropped on the nodes' interfaces",
		              (unsigned long long)f->drops);
	if (f->throttled)
		vl_buf_printf(&why, "; CPU limits throttled nodes %llu times",
		              (unsigned long long)f->throttled);
	f->trustworthy = why.len == 0;
	snprintf(f->why, sizeof(f->why), "%s%s%s",
	         f->trustworthy ? "trustworthy: every instance finished and started together"
	                        : "not trustworthy",
	         why.len ? why.s : "",
	         f->host_busy >= 0.95
	             ? "; the host's CPUs were saturated, so this measures how the nodes share them"
	             : "");
	vl_buf_free(&why);
}

int vl_bench_run(const struct vl_bench_opts *o, struct vl_bench_run *run, struct vl_err *err)
{
	struct vl_topo *t = NULL;
	struct vl_up_opts uo = {.backend = o->backend};
	struct vl_up_result res;
	struct vl_lab_stats before = {0}, after = {0};
	char lab[32], spec[32];
	bool net = network(o->workload);
	size_t nodes = o->mode == VL_BENCH_SOLO ? (net ? 2 : 1) : (net ? 2 * o->n : o->n);
	double t0 = vl_now();
	int r;

	memset(run, 0, sizeof(*run));
	snprintf(run->workload, sizeof(run->workload), "%s", o->workload);
	snprintf(run->backend, sizeof(run->backend), "%s", vl_backend_name(o->backend));
	snprintf(run->mode, sizeof(run->mode), "%s",
	         o->mode == VL_BENCH_SOLO ? "solo" : "together");
	run->n = o->n;
	run->inst = vl_xcalloc(o->n, sizeof(*run->inst));
	snprintf(lab, sizeof(lab), "bench-%d", (int)getpid());
	snprintf(spec, sizeof(spec), "single,%zu", nodes);
	if (vl_topo_generate(spec, &t, err) < 0)
		return -1;
	if (o->bw) {
		const char *why = NULL;

		for (size_t l = 0; l < t->n_links && !why; l++)
			for (int k = 0; k < 2 && !why; k++)
				why = vl_impair_set(&t->links[l].dir[k], "bw", o->bw);
		if (why) {
			vl_topo_free(t);
			return vl_err_set(err, EINVAL, "--bw %s: %s", o->bw, why);
		}
		if (net)
			run->capacity_bps = (double)o->n * (double)t->links[0].dir[0].rate_bps;
	}
	if (vl_engine_up(t, lab, &uo, &res, err) < 0) {
		vl_topo_free(t);
		return -1;
	}
	uint64_t b0, t0j, b1, t1j;

	r = vl_lab_stats_get(lab, &before, err);
	cpu_jiffies(&b0, &t0j);
	if (r == 0 && o->mode == VL_BENCH_SOLO) {
		for (size_t i = 0; i < o->n && r == 0; i++)
			r = round_(o, lab, run, i, 1, 1, 2, err);
	} else if (r == 0) {
		r = round_(o, lab, run, 0, o->n, 1, (int)o->n + 1, err);
	}
	cpu_jiffies(&b1, &t1j);
	run->fid.host_busy = t1j > t0j ? (double)(b1 - b0) / (double)(t1j - t0j) : 0;
	if (r == 0 && vl_lab_stats_get(lab, &after, err) == 0) {
		for (size_t k = 0; k < after.n_nodes && k < before.n_nodes; k++) {
			const struct vl_node_stats *a = &after.nodes[k], *b = &before.nodes[k];

			if (a->have_cgroup && b->have_cgroup && a->cg.have_throttle)
				run->fid.throttled += a->cg.nr_throttled - b->cg.nr_throttled;
			for (size_t j = 0; j < a->n_ifs && j < b->n_ifs; j++)
				run->fid.drops += (a->ifs[j].rx_dropped - b->ifs[j].rx_dropped) +
				                  (a->ifs[j].tx_dropped - b->ifs[j].tx_dropped);
		}
		for (size_t i = 0; i < o->n; i++)
			for (size_t k = 0; k < after.n_nodes && k < before.n_nodes; k++)
				if (!strcmp(after.nodes[k].name, run->inst[i].node) &&
				    after.nodes[k].have_cgroup && before.nodes[k].have_cgroup)
					run->inst[i].cg_cpu_s =
					    (double)(after.nodes[k].cg.cpu_usec -
					             before.nodes[k].cg.cpu_usec) /
					    1e6;
	}
	vl_lab_stats_free(&before);
	vl_lab_stats_free(&after);
	{
		struct vl_err e2 = {0};

		if (vl_engine_down(lab, true, &e2) < 0 && r == 0) {
			*err = e2;
			r = -1;
		}
	}
	vl_topo_free(t);
	run->wall_s = vl_now() - t0;
	if (r == 0)
		judge(o, run);
	return r;
}

double vl_bench_value(const struct vl_bench_run *run, size_t i)
{
	const struct vl_bench_instance *in = &run->inst[i];

	if (strcmp(run->workload, "stream") && strcmp(run->workload, "bandwidth"))
		return in->finished && in->wall_s > 0 ? 1.0 / in->wall_s : 0;
	return in->bps;
}

json_t *vl_bench_run_json(const struct vl_bench_run *run)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < run->n; i++) {
		const struct vl_bench_instance *in = &run->inst[i];

		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:b, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, "
		              "s:O*}",
		              "node", in->node, "server", in->server, "finished", in->finished,
		              "status", in->status, "wall_s", in->wall_s, "user_s", in->user_s,
		              "sys_s", in->sys_s, "wait4_user_s", in->wait4_user_s, "wait4_sys_s",
		              in->wait4_sys_s, "cgroup_cpu_s", in->cg_cpu_s, "bytes", in->bytes,
		              "throughput_bps", in->bps, "value", vl_bench_value(run, i), "report",
		              in->report));
	}
	return json_pack(
	    "{s:s, s:s, s:s, s:I, s:f, s:f, s:o, s:{s:f, s:f, s:f, s:I, s:I, s:I, s:b, "
	    "s:s}}",
	    "workload", run->workload, "backend", run->backend, "mode", run->mode, "n",
	    (json_int_t)run->n, "wall_s", run->wall_s, "capacity_bps", run->capacity_bps,
	    "instances", arr, "fidelity", "host_busy", run->fid.host_busy, "max_start_lag_s",
	    run->fid.max_lag_s, "start_spread_s", run->fid.lag_spread_s, "throttled",
	    (json_int_t)run->fid.throttled, "drops", (json_int_t)run->fid.drops, "starved",
	    (json_int_t)run->fid.starved, "trustworthy", run->fid.trustworthy, "verdict",
	    run->fid.why);
}

void vl_bench_run_free(struct vl_bench_run *run)
{
	for (size_t i = 0; i < run->n && run->inst; i++)
		json_decref(run->inst[i].report);
	free(run->inst);
	run->inst = NULL;
}
