/* The study's runner. See runner.h. */
#include "study/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/engine.h"
#include "lab/lab.h"
#include "engine/stats.h"
#include "study/probe.h"
#include "study/spawn.h"
#include "study/workload.h"
#include "topo/topo.h"

/* All CPUs' busy, total and stolen jiffies from /proc/stat. */
static void cpu_jiffies(uint64_t *busy, uint64_t *total, uint64_t *steal)
{
	cleanup_fclose FILE *f = fopen("/proc/stat", "re");
	unsigned long long v[10] = {0};

	*busy = *total = *steal = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
	           &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) >= 4) {
		for (int i = 0; i < 8; i++) /* guest times are in user already */
			*total += v[i];
		*busy = *total - v[3] - v[4] - v[7]; /* minus idle, iowait and steal */
		*steal = v[7];
	}
}

/* A real program goes through `vnetlab-work run`, which brings the
 * barrier (at, 0: none) and reports it; a built-in workload takes the
 * barrier itself. */
void vl_bench_client_cmd(const struct vl_wl_ctx *c, const struct vl_workload *w,
                         const struct vl_bench_instance *in, int port, uint64_t at,
                         struct vl_argv *a)
{
	if (w->flags & VL_WL_REAL) {
		vl_argv_addl(a, c->o->work, "run", NULL);
		if (at)
			vl_argv_addf(a, "--start-at=%llu", (unsigned long long)at);
		vl_argv_addl(a, "--chdir=/tmp", "--", NULL);
	}
	w->client(c, in, port, a);
	if (!(w->flags & VL_WL_REAL) && at)
		vl_argv_addf(a, "--start-at=%llu", (unsigned long long)at);
}

void vl_bench_server_cmd(const struct vl_wl_ctx *c, const struct vl_workload *w,
                         const struct vl_bench_instance *in, int port, struct vl_argv *a)
{
	if (w->flags & VL_WL_REAL)
		vl_argv_addl(a, c->o->work, "run", "--chdir=/tmp", "--", NULL);
	w->server(c, in, port, a);
}

static json_t *parse_report(const struct vl_bench_proc *p)
{
	json_error_t je;

	return p->text.s ? json_loads(p->text.s, 0, &je) : NULL;
}

/* One round: instances [first, first+count) at once, clients on nodes
 * client_base+i, servers on server_base+i. */
static int round_(const struct vl_wl_ctx *c, const struct vl_workload *w, const char *lab,
                  struct vl_bench_run *run, size_t first, size_t count, int client_base,
                  int server_base, struct vl_err *err)
{
	const struct vl_bench_opts *o = c->o;
	const struct vl_node_backend *be = vl_node_backend_for(o->backend);
	bool real = w->flags & VL_WL_REAL, net = w->flags & VL_WL_NETWORK;
	cleanup_free struct vl_bench_proc *cl = vl_xcalloc(count, sizeof(*cl));
	cleanup_free struct vl_bench_proc *sv = vl_xcalloc(count, sizeof(*sv));
	uint64_t lead, at;
	int r = 0;

	for (size_t i = 0; i < count; i++) {
		struct vl_bench_instance *in = &run->inst[first + i];

		snprintf(in->node, sizeof(in->node), "h%d", client_base + (int)i);
		if (net)
			snprintf(in->server, sizeof(in->server), "h%d", server_base + (int)i);
	}
	/* Servers first, each listening before any client starts: iperf and
	 * scp do not retry a refused connection. One that does not listen
	 * within 10 s has failed; its instance says why. */
	for (size_t i = 0; i < count && r == 0 && w->server; i++) {
		cleanup_argv struct vl_argv server = {0};
		int port = 40000 + (int)(first + i);

		vl_bench_server_cmd(c, w, &run->inst[first + i], port, &server);
		r = vl_bench_spawn(lab, run->inst[first + i].server, server.v, NULL, &sv[i], err);
	}
	for (size_t i = 0; i < count && r == 0 && w->server; i++)
		vl_bench_wait_listen(&sv[i], 40000 + (int)(first + i), 10.0);
	/* The barrier leaves time to start every client. */
	lead = 300000000ull + (real ? 50000000ull : 20000000ull) * count;
	/* and where starting a program takes longer (guests: warmed, see
	 * warm_nodes, it takes a round trip to their agents) */
	lead +=
	    (uint64_t)(be->start_lead_s * 1e9) + (uint64_t)(be->start_lead_each_s * 1e9) * count;
	at = count > 1 || real ? vl_realtime_ns() + lead : 0;
	for (size_t i = 0; i < count && r == 0; i++) {
		cleanup_argv struct vl_argv client = {0};

		vl_bench_client_cmd(c, w, &run->inst[first + i], 40000 + (int)(first + i), at,
		                    &client);
		r = vl_bench_spawn(lab, run->inst[first + i].node, client.v, NULL, &cl[i], err);
	}
	/* every instance's CPU over time, while they run together */
	struct vl_timeline_sampler ts = {0};

	if (r == 0 && count > 1) {
		char(*nn)[16] = vl_xcalloc(count, sizeof(*nn)),
		(*sn)[16] = vl_xcalloc(count, sizeof(*sn));

		for (size_t i = 0; i < count; i++) {
			memcpy(nn[i], run->inst[first + i].node, sizeof(nn[i]));
			memcpy(sn[i], run->inst[first + i].server, sizeof(sn[i]));
		}
		/* and the bytes each receiving node (the server) took in */
		char(*nsn)[64] = net && be->if_stats ? vl_xcalloc(count, sizeof(*nsn)) : NULL;

		for (size_t i = 0; nsn && i < count; i++)
			if (vl_lab_node_netns(lab, sn[i], nsn[i], sizeof(nsn[i]), NULL) != 0)
				nsn[i][0] = '\0';
		vl_timeline_start(&ts, lab, nn, net ? sn : NULL, count,
		                  o->interval > 0 ? o->interval : 0.1, be, nsn);
		free(nn);
		free(sn);
		free(nsn);
	}
	vl_bench_collect(cl, count, vl_now() + o->timeout + (double)lead / 1e9);
	/* each client's report, read once */
	cleanup_free json_t **cjs = vl_xcalloc(count, sizeof(*cjs));

	for (size_t i = 0; i < count; i++)
		cjs[i] = parse_report(&cl[i]);
	if (ts.running) {
		vl_timeline_stop(&ts);
		vl_timeline_free(&run->timeline);
		run->timeline = ts.tl;
		/* judged: from the last start after the barrier to the first end */
		double lag_max = 0, end_min = 1e300;

		for (size_t i = 0; i < count; i++) {
			double lag = vl_json_num(cjs[i], "start_lag_s");
			double wall = vl_json_num(cjs[i], "wall_s");

			if (lag > lag_max)
				lag_max = lag;
			if (wall > 0 && lag + wall < end_min)
				end_min = lag + wall;
		}
		if (at && end_min < 1e300) {
			double b = (double)at / 1e9 - run->timeline.t0_real;

			run->timeline.from_s = b + lag_max;
			run->timeline.to_s = b + end_min;
		}
	}
	if (net) {
		/* Servers that run until stopped are stopped now; a sink whose
		 * client starved is ended by the deadline. */
		/* (after a moment: iperf's reporter prints a connection's
		 * total after the connection closed) */
		if (w->flags & VL_WL_STOP_SERVER)
			nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL);
		if (w->flags & VL_WL_STOP_SERVER)
			for (size_t i = 0; i < count; i++)
				if (sv[i].pid > 0)
					kill(sv[i].pid, SIGTERM);
		vl_bench_collect(sv, count, vl_now() + 5.0);
	}
	for (size_t i = 0; i < count; i++) {
		struct vl_bench_instance *in = &run->inst[first + i];
		json_t *cj = cjs[i], *sj = net ? parse_report(&sv[i]) : NULL;
		struct vl_err e2 = {0};

		in->status = cl[i].status;
		in->wait4_user_s =
		    (double)cl[i].ru.ru_utime.tv_sec + cl[i].ru.ru_utime.tv_usec / 1e6;
		in->wait4_sys_s =
		    (double)cl[i].ru.ru_stime.tv_sec + cl[i].ru.ru_stime.tv_usec / 1e6;
		if (!cl[i].done && !cj && cl[i].stopped)
			vl_err_set(&e2, 0, "no report: stopped after the %g s timeout", o->timeout);
		else if (!cl[i].done && !cj && WIFEXITED(cl[i].status) &&
		         WEXITSTATUS(cl[i].status) >= 125)
			vl_err_set(&e2, 0,
			           "could not %s in node %s (status %d; its error is above)",
			           WEXITSTATUS(cl[i].status) == 125 ? "start" : "run the program",
			           in->node, WEXITSTATUS(cl[i].status));
		else if (!cl[i].done && !cj)
			vl_err_set(&e2, 0, "no report (wait status %d)", cl[i].status);
		else if (w->figures(c, in, cj, sj, &e2) == 0 && !cl[i].done)
			vl_err_set(&e2, 0, "did not end within the %g s timeout", o->timeout);
		in->finished = e2.msg[0] == '\0';
		if (!in->finished) {
			snprintf(in->error, sizeof(in->error), "%s", e2.msg);
			in->bytes = in->bps = 0;
		}
		in->report = json_pack("{s:o*, s:o*}", "client", cj, "server", sj);
		vl_buf_free(&cl[i].text);
		vl_buf_free(&sv[i].text);
	}
	return r;
}

/* Can the run be trusted? The named checks of checks.h, each with its
 * figure; a saturated host is said, not held against the run (sharing a
 * saturated machine is what is measured). */
void vl_bench_judge(const struct vl_bench_opts *o, struct vl_bench_run *run)
{
	struct vl_bench_fidelity *f = &run->fid;
	double lo = 1e300, hi = -1e300, mean_wall = 0;
	struct vl_check_in in;

	for (size_t i = 0; i < run->n; i++) {
		json_t *c = json_object_get(run->inst[i].report, "client");
		double lag = vl_json_num(c, "start_lag_s");

		f->starved += !run->inst[i].finished;
		mean_wall += run->inst[i].wall_s / (double)run->n;
		if (lag < lo)
			lo = lag;
		if (lag > hi)
			hi = lag;
	}
	f->max_lag_s = run->n ? hi : 0;
	f->lag_spread_s = run->n ? hi - lo : 0;
	in = (struct vl_check_in){.n = run->n,
	                          .starved = f->starved,
	                          .timeout_s = o->timeout,
	                          .together = o->mode == VL_BENCH_TOGETHER,
	                          .emulated = f->emulated,
	                          .host_busy = f->host_busy,
	                          .lab_busy = f->lab_busy,
	                          .steal = f->steal,
	                          .throttled = f->throttled,
	                          .start_spread_s = f->lag_spread_s,
	                          .mean_wall_s = mean_wall,
	                          .drops = f->drops,
	                          .drops_worst = f->drops_worst,
	                          .drops_node = f->drops_node[0] ? f->drops_node : NULL,
	                          .retrans = f->retrans,
	                          .retrans_node = f->retrans_node[0] ? f->retrans_node : NULL,
	                          .drift_s = f->drift_s,
	                          .hosts = f->hosts,
	                          .machines = f->machines,
	                          .same_machine = {f->machines_host[0], f->machines_host[1]},
	                          .drift_node = f->drift_node[0] ? f->drift_node : NULL};
	f->n_checks = vl_checks_judge(&in, f->checks);
	f->trustworthy = vl_checks_ok(f->checks, f->n_checks);
	vl_checks_line(f->checks, f->n_checks, f->host_busy >= 0.95, f->why, sizeof(f->why));
}

/* Nodes' TCP counters and their own clocks, for the checks: before the
 * round (tcp only) and after it. */
static void probe_tcp(const char *lab, size_t nodes, struct vl_tcp_counts *c)
{
	char(*names)[32] = vl_xcalloc(nodes ? nodes : 1, sizeof(*names));

	for (size_t i = 0; i < nodes; i++)
		snprintf(names[i], sizeof(names[i]), "h%u", (unsigned)(i + 1));
	vl_probe_tcp(lab, names, nodes, c);
	free(names);
}

static void probe_after(const char *lab, size_t nodes, const struct vl_node_backend *be,
                        const struct vl_tcp_counts *t0, struct vl_bench_fidelity *f)
{
	struct vl_tcp_counts *t1 = vl_xcalloc(nodes ? nodes : 1, sizeof(*t1));

	probe_tcp(lab, nodes, t1);
	f->retrans = -1;
	for (size_t i = 0; i < nodes; i++) {
		uint64_t out, re;
		double frac;

		if (!t0[i].ok || !t1[i].ok)
			continue;
		out = t1[i].out_segs - t0[i].out_segs;
		re = t1[i].retrans_segs - t0[i].retrans_segs;
		frac = out ? (double)re / (double)out : 0;
		if (f->retrans < 0 || frac > f->retrans) {
			f->retrans = frac;
			snprintf(f->retrans_node, sizeof(f->retrans_node), "h%u",
			         (unsigned)(i + 1));
		}
	}
	free(t1);
	f->drift_s = -1;
	/* every guest's clock, up to 16 of them (one `date` each, in turn) */
	for (size_t i = 0; be->own_clock && i < nodes && i < 16; i++) {
		char node[32];
		double d;

		snprintf(node, sizeof(node), "h%u", (unsigned)(i + 1));
		if ((d = vl_probe_drift(lab, node)) > f->drift_s) {
			f->drift_s = d;
			snprintf(f->drift_node, sizeof(f->drift_node), "%s", node);
		}
	}
}

int vl_bench_lab_topo(size_t nodes, const char *bw, enum vl_profile profile, int64_t memory,
                      struct vl_topo **t, struct vl_err *err)
{
	const char *bad = NULL;
	char spec[32];

	snprintf(spec, sizeof(spec), "single,%zu", nodes);
	if (vl_topo_generate(spec, t, err) < 0)
		return -1;
	(*t)->profile = profile;
	if (memory)
		(*t)->defaults.memory = memory;
	for (size_t l = 0; bw && l < (*t)->n_links && !bad; l++)
		for (int k = 0; k < 2 && !bad; k++)
			bad = vl_impair_set(&(*t)->links[l].dir[k], "bw", bw);
	if (bad) {
		vl_topo_free(*t);
		*t = NULL;
		return vl_err_set(err, EINVAL, "--bw %s: %s", bw, bad);
	}
	return 0;
}

int vl_bench_lab_start(const char *lab, struct vl_topo **t, enum vl_backend backend,
                       const char *const *programs, size_t n_programs, struct vl_err *err)
{
	struct vl_up_opts uo = {.backend = backend,
	                        .node = {.vm_programs = programs, .n_vm_programs = n_programs}};
	struct vl_up_result res;

	if (vl_engine_up(*t, lab, &uo, &res, err) < 0) {
		vl_topo_free(*t);
		*t = NULL;
		return -1;
	}
	return 0;
}

int vl_bench_lab_up(const char *lab, size_t nodes, enum vl_backend backend, const char *bw,
                    enum vl_profile profile, int64_t memory, const char *const *programs,
                    size_t n_programs, struct vl_topo **t, struct vl_err *err)
{
	if (vl_bench_lab_topo(nodes, bw, profile, memory, t, err) < 0)
		return -1;
	return vl_bench_lab_start(lab, t, backend, programs, n_programs, err);
}

int vl_bench_lab_dir(const char *lab, const char *name, char *buf, size_t len, struct vl_err *err)
{
	vl_lab_path(lab, VL_LAB_SHARE, buf, len);
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", buf);
	/* new: nothing a guest may have put there first */
	vl_lab_pathf(lab, buf, len, VL_LAB_SHARE "/%s", name);
	return mkdir(buf, 0755) < 0 ? vl_err_sys(err, errno, "mkdir %s", buf) : 0;
}

int vl_bench_lab_down(const char *lab, struct vl_topo *t, int r, struct vl_err *err)
{
	struct vl_err e2 = {0};

	if (vl_engine_down(lab, true, &e2) < 0 && r == 0) {
		*err = e2;
		r = -1;
	}
	vl_topo_free(t);
	return r;
}

/* Where a program's first run is slow (an emulated guest translates its
 * code and its libraries'): run the workloads program, and each program
 * carried in (--version), once in every node, all at once, before the
 * clock starts. */
static int warm_nodes(const struct vl_bench_opts *o, const char *lab, size_t nodes,
                      const char *const *programs, size_t n_programs, struct vl_err *err)
{
	cleanup_free struct vl_bench_proc *ps = vl_xcalloc(nodes, sizeof(*ps));
	int r = 0;

	for (size_t k = 0; k <= n_programs && r == 0; k++) {
		for (size_t i = 0; i < nodes && r == 0; i++) {
			char node[32];
			char *work[] = {(char *)o->work, "cpu", "--size", "16", NULL};
			char *prog[] = {k ? (char *)programs[k - 1] : NULL, "--version", NULL};

			snprintf(node, sizeof(node), "h%zu", i + 1);
			r = vl_bench_spawn(lab, node, k ? prog : work, NULL, &ps[i], err);
		}
		vl_bench_collect(ps, nodes, vl_now() + 120);
		for (size_t i = 0; i < nodes; i++)
			vl_buf_free(&ps[i].text);
	}
	return r;
}

int vl_bench_run(const struct vl_bench_opts *o, struct vl_bench_run *run, struct vl_err *err)
{
	struct vl_topo *t = NULL;
	struct vl_lab_stats before = {0}, after = {0};
	const struct vl_workload *w = vl_workload_find(o->workload);
	const struct vl_node_backend *be = vl_node_backend_for(o->backend);
	struct vl_wl_ctx c = {.o = o};
	char lab[32], why[256];
	bool net;
	size_t nodes, inst_nodes;
	double t0 = vl_now();
	int r;

	if (!w)
		return vl_err_set(err, EINVAL, "unknown workload '%s'", o->workload);
	if (vl_workload_missing(w, o, why, sizeof(why)))
		return vl_err_set(err, ENOENT, "%s: %s", w->name, why);
	if (w->check && w->check(o, err) < 0)
		return -1;
	net = w->flags & VL_WL_NETWORK;
	inst_nodes = o->mode == VL_BENCH_SOLO ? (net ? 2 : 1) : (net ? 2 * o->n : o->n);
	/* the neighbour's nodes come after the instances' */
	nodes = inst_nodes + vl_neighbour_nodes(o->neighbour);
	memset(run, 0, sizeof(*run));
	run->rate = w->flags & VL_WL_RATE;
	snprintf(run->workload, sizeof(run->workload), "%s", o->workload);
	snprintf(run->backend, sizeof(run->backend), "%s", vl_backend_name(o->backend));
	snprintf(run->mode, sizeof(run->mode), "%s",
	         o->mode == VL_BENCH_SOLO ? "solo" : "together");
	run->n = o->n;
	run->inst = vl_xcalloc(o->n, sizeof(*run->inst));
	snprintf(lab, sizeof(lab), "bench-%d", (int)getpid());
	const char *carry[8];
	size_t n_carry = 0;

	/* a real program runs in guests carried into them */
	for (const struct vl_wl_need *nd = w->need; nd && nd->program && n_carry < 8; nd++)
		if (!nd->scene && (w->flags & VL_WL_GUEST))
			carry[n_carry++] = nd->program;
	if (vl_bench_lab_topo(nodes, o->bw, o->profile, 0, &t, err) < 0) {
		vl_bench_run_free(run);
		return -1;
	}
	if (o->cpus > 0)
		t->defaults.cpus = o->cpus;
	if (o->neighbour == VL_NEIGHBOUR_FORK) {
		char name[16];

		snprintf(name, sizeof(name), "h%zu", inst_nodes + 1);
		for (size_t k = 0; k < t->n_nodes; k++)
			if (!strcmp(t->nodes[k].name, name))
				t->nodes[k].res.pids = VL_NEIGHBOUR_PIDS;
	}
	if (vl_bench_lab_start(lab, &t, o->backend, carry, n_carry, err) < 0) {
		vl_bench_run_free(run);
		return -1;
	}
	if (o->bw && net)
		run->capacity_bps = (double)o->n * (double)t->links[0].dir[0].rate_bps;
	uint64_t b0 = 0, t0j = 0, s0 = 0, b1 = 0, t1j = 0, s1 = 0;
	struct vl_tcp_counts *tcp0 = vl_xcalloc(inst_nodes, sizeof(*tcp0));

	c.lab = lab;
	c.n_servers = net ? nodes / 2 : 0;
	r = vl_bench_lab_dir(lab, "bench", c.dir, sizeof(c.dir), err);
	if (r == 0 && w->setup)
		r = w->setup(&c, err);
	if (r == 0 && be->cold_start)
		r = warm_nodes(o, lab, nodes, carry, n_carry, err);
	if (r == 0)
		probe_tcp(lab, inst_nodes, tcp0);
	/* the host's CPU time around the lab's: the window holds the cgroups' */
	cpu_jiffies(&b0, &t0j, &s0);
	if (r == 0)
		r = vl_lab_stats_get(lab, &before, err);
	/* the neighbour is busy from before the first instance starts */
	if (r == 0)
		r = vl_neighbour_start(
		    &run->neighbour, o->neighbour, lab, inst_nodes + 1, o->work,
		    o->timeout * (o->mode == VL_BENCH_SOLO ? (double)o->n : 1.0) + 120, err);
	if (r == 0 && o->mode == VL_BENCH_SOLO) {
		for (size_t i = 0; i < o->n && r == 0; i++)
			r = round_(&c, w, lab, run, i, 1, 1, 2, err);
	} else if (r == 0) {
		r = round_(&c, w, lab, run, 0, o->n, 1, (int)o->n + 1, err);
	}
	vl_neighbour_stop(&run->neighbour);
	if (w->teardown)
		w->teardown(&c);
	run->fid.lab_busy = -1;
	run->fid.emulated = be->emulated && be->emulated(lab);
	bool have_after = r == 0 && vl_lab_stats_get(lab, &after, err) == 0;

	cpu_jiffies(&b1, &t1j, &s1);
	run->fid.host_busy = t1j > t0j ? (double)(b1 - b0) / (double)(t1j - t0j) : 0;
	run->fid.steal = t1j > t0j ? (double)(s1 - s0) / (double)(t1j - t0j) : -1;
	if (have_after) {
		double lab_cpu_s = 0;
		bool cg = false;

		for (size_t k = 0; k < after.n_nodes && k < before.n_nodes; k++) {
			const struct vl_node_stats *a = &after.nodes[k], *b = &before.nodes[k];
			uint64_t d = 0;
			unsigned h = 0;

			if (a->have_cgroup && b->have_cgroup) {
				cg = true;
				lab_cpu_s += (double)(a->cg.cpu_usec - b->cg.cpu_usec) / 1e6;
			}
			/* the neighbour's nodes: their CPU, not the instances' checks */
			if (sscanf(a->name, "h%u", &h) == 1 && h > inst_nodes) {
				if (a->have_cgroup && b->have_cgroup)
					run->neighbour.cpu_s =
					    (run->neighbour.cpu_s > 0 ? run->neighbour.cpu_s : 0) +
					    (double)(a->cg.cpu_usec - b->cg.cpu_usec) / 1e6;
				continue;
			}
			if (a->have_cgroup && b->have_cgroup && a->cg.have_throttle)
				run->fid.throttled += a->cg.nr_throttled - b->cg.nr_throttled;
			for (size_t j = 0; j < a->n_ifs && j < b->n_ifs; j++) {
				d += (a->ifs[j].rx_dropped - b->ifs[j].rx_dropped) +
				     (a->ifs[j].tx_dropped - b->ifs[j].tx_dropped);
				if (strcmp(a->ifs[j].name, "lo") != 0)
					run->fid.sent += a->ifs[j].tx_bytes - b->ifs[j].tx_bytes;
			}
			run->fid.drops += d;
			if (d > run->fid.drops_worst) {
				run->fid.drops_worst = d;
				snprintf(run->fid.drops_node, sizeof(run->fid.drops_node), "%s",
				         a->name);
			}
		}
		/* the lab's share of all CPUs' time in the same window */
		if (cg && t1j > t0j)
			run->fid.lab_busy =
			    lab_cpu_s / ((double)(t1j - t0j) / (double)sysconf(_SC_CLK_TCK));
		for (size_t i = 0; i < o->n; i++)
			for (size_t k = 0; k < after.n_nodes && k < before.n_nodes; k++) {
				const struct vl_node_stats *a = &after.nodes[k],
				                           *b = &before.nodes[k];
				double cpu = (double)(a->cg.cpu_usec - b->cg.cpu_usec) / 1e6;

				if (!a->have_cgroup || !b->have_cgroup)
					continue;
				/* solo: every instance on the same two nodes, in turn */
				if (!strcmp(a->name, run->inst[i].node))
					run->inst[i].cg_cpu_s =
					    o->mode == VL_BENCH_SOLO ? cpu / (double)o->n : cpu;
				if (!strcmp(a->name, run->inst[i].server))
					run->inst[i].server_cg_cpu_s =
					    o->mode == VL_BENCH_SOLO ? cpu / (double)o->n : cpu;
			}
	}
	vl_lab_stats_free(&before);
	vl_lab_stats_free(&after);
	if (r == 0)
		probe_after(lab, inst_nodes, be, tcp0, &run->fid);
	free(tcp0);
	r = vl_bench_lab_down(lab, t, r, err);
	run->wall_s = vl_now() - t0;
	if (r == 0)
		vl_bench_judge(o, run);
	else
		vl_bench_run_free(run);
	return r;
}

double vl_bench_value(const struct vl_bench_run *run, size_t i)
{
	const struct vl_bench_instance *in = &run->inst[i];

	if (!run->rate)
		return in->finished && in->wall_s > 0 ? 1.0 / in->wall_s : 0;
	return in->bps;
}

void vl_bench_run_free(struct vl_bench_run *run)
{
	for (size_t i = 0; i < run->n && run->inst; i++)
		json_decref(run->inst[i].report);
	free(run->inst);
	run->inst = NULL;
	free(run->hosts);
	run->hosts = NULL;
	run->n_hosts = 0;
	vl_timeline_free(&run->timeline);
	vl_neighbour_free(&run->neighbour);
}
