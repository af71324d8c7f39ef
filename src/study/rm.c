/* Real machines (rm.h): the instances over a hosts table. Touches nothing
 * on the hosts but the programs it runs there (which end with the run) and
 * makes nothing on this machine. */
#include "study/rm.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/json.h"
#include "base/util.h"
#include "host/host.h"
#include "lab/lab.h"
#include "study/spawn.h"
#include "study/workload.h"

#define RM_PORT    40000 /* instance i's server listens on RM_PORT + i */
#define RM_LEAD_S  1.0   /* the barrier's lead, beyond 4 x the slowest launch measured */
#define RM_GRACE_S 30.0  /* a host's command beyond its own timeout: ssh, srun */

/* ---- a workload's files ---------------------------------------------------- */

/* Run argv on hosts 0..n-1 in turn: 0, or -1 with err naming the host. */
static int on_each(struct vl_hosts *hs, size_t n, char *const argv[], struct vl_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct vl_host_result r;
		int st;

		if (vl_hosts_run(hs, i, argv, &r, err) < 0)
			return -1;
		st = r.status;
		if (st) {
			cleanup_buf struct vl_buf tail = {0};

			vl_buf_tail(&tail, r.out.s ? r.out.s : "", 2, 300);
			vl_err_set(err, 0, "host %s: %s: %s (exit status %d)", hs->h[i].name,
			           argv[0], tail.len ? tail.s : "no output", st);
		}
		vl_buf_free(&r.out);
		if (st)
			return -1;
	}
	return 0;
}

/* The tree at path, to the same path on hosts 0..n-1, with its modes. */
static int carry_tree(struct vl_hosts *hs, size_t n, const char *path, struct vl_err *err)
{
	struct stat st;
	char mode[8];
	int r = 0;

	if (lstat(path, &st) < 0)
		return vl_err_sys(err, errno, "stat %s", path);
	snprintf(mode, sizeof(mode), "%o", (unsigned)(st.st_mode & 07777));
	if (S_ISREG(st.st_mode)) {
		char *chmod_[] = {"chmod", mode, "--", (char *)path, NULL};

		for (size_t i = 0; i < n && r == 0; i++)
			r = vl_hosts_carry(hs, i, path, path, err);
		return r < 0 ? -1 : on_each(hs, n, chmod_, err);
	}
	if (!S_ISDIR(st.st_mode))
		return 0; /* a workload's files are files and directories */
	char *mkdir_[] = {"mkdir", "-p", "-m", mode, "--", (char *)path, NULL};
	DIR *d;
	struct dirent *e;

	if (on_each(hs, n, mkdir_, err) < 0)
		return -1;
	if (!(d = opendir(path)))
		return vl_err_sys(err, errno, "open %s", path);
	while (r == 0 && (e = readdir(d))) {
		char sub[PATH_MAX];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		r = carry_tree(hs, n, sub, err);
	}
	closedir(d);
	return r;
}

/* A workload that prepares files (setup: POV-Ray's scene, scp's keys and
 * data) makes them here in a scratch directory of its own, carried to the
 * same path on every host. */
static int files_setup(struct vl_wl_ctx *c, const struct vl_workload *w, struct vl_hosts *hs,
                       size_t n, struct vl_err *err)
{
	char tmpl[] = "/tmp/vnetlab-rm-XXXXXX";

	c->dir[0] = '\0';
	if (!w->setup)
		return 0;
	if (!mkdtemp(tmpl))
		return vl_err_sys(err, errno, "a scratch directory in /tmp");
	snprintf(c->dir, sizeof(c->dir), "%s", tmpl);
	if (w->setup(c, err) < 0)
		return -1;
	return carry_tree(hs, n, c->dir, err) < 0 ? vl_err_wrap(err, "%s's files", w->name) : 0;
}

/* ... and removed from the hosts and here after the run. */
static void files_teardown(struct vl_wl_ctx *c, const struct vl_workload *w, struct vl_hosts *hs,
                           size_t n)
{
	char *rm_[] = {"rm", "-rf", "--", c->dir, NULL};
	struct vl_err e2 = {0};

	if (!w->setup || !c->dir[0])
		return;
	if (w->teardown)
		w->teardown(c);
	on_each(hs, n, rm_, &e2);
	vl_rmtree(c->dir, &e2);
}

/* ---- the clocks -------------------------------------------------------------- */

/* Host i's answer to `vnetlab-work clock` (c: its command, run): 0 with
 * the offset and the round trip, its boot id and CPUs. */
static int clock_read(struct vl_rm_cmd *c, struct vl_bench_host *h, const char *work, double *rtt,
                      double *offset, struct vl_err *err)
{
	json_t *j;

	if (c->rc < 0) {
		*err = c->err;
		return -1;
	}
	j = json_loads(c->r.out.s ? c->r.out.s : "", JSON_DISABLE_EOF_CHECK, NULL);
	if (c->r.status || !json_is_integer(json_object_get(j, "realtime_ns"))) {
		cleanup_buf struct vl_buf tail = {0};

		vl_buf_tail(&tail, c->r.out.s ? c->r.out.s : "", 2, 300);
		vl_err_set(err, 0, "host %s: %s clock: %s (exit status %d)", h->name, work,
		           tail.len ? tail.s : "no output", c->r.status);
		json_decref(j);
		return -1;
	}
	*rtt = (double)(c->t1_ns - c->t0_ns) / 1e9;
	*offset =
	    ((double)json_integer_value(json_object_get(j, "realtime_ns")) - (double)c->t0_ns) /
	        1e9 -
	    *rtt / 2;
	h->cpus = (long)vl_json_num(j, "cpus");
	snprintf(h->boot_id, sizeof(h->boot_id), "%s", vl_json_str(j, "boot_id"));
	json_decref(j);
	return 0;
}

/* Each host's clock against ours, the best of RM_CLOCK_TRIES round trips
 * (the shortest bounds the offset best), the hosts at once; *slowest: the
 * longest launch. */
#define RM_CLOCK_TRIES 3
static int clocks(struct vl_hosts *hs, const char *work, struct vl_bench_run *run, double *slowest,
                  struct vl_err *err)
{
	size_t n = run->n_hosts;
	cleanup_free struct vl_rm_cmd *c = vl_xcalloc(n, sizeof(*c));
	cleanup_free struct vl_rm_cmd **cp = vl_xcalloc(n, sizeof(*cp));
	int r = 0;

	*slowest = 0;
	for (size_t i = 0; i < n; i++) {
		vl_argv_addl(&c[i].argv, work, "clock", NULL);
		cp[i] = &c[i];
	}
	for (int k = 0; k < RM_CLOCK_TRIES && r == 0; k++) {
		struct vl_rm_batch b = {0};

		if ((r = vl_rm_batch_start(&b, hs, cp, n, err)) < 0)
			break;
		vl_rm_batch_wait(&b);
		for (size_t i = 0; i < n; i++) {
			struct vl_bench_host *h = &run->hosts[i];
			double rtt, off;

			if (r == 0 && (r = clock_read(&c[i], h, work, &rtt, &off, err)) == 0) {
				if (!k || rtt < h->rtt_s) {
					h->rtt_s = rtt;
					h->offset_s = off;
				}
				if (rtt > *slowest)
					*slowest = rtt;
			}
			vl_buf_free(&c[i].r.out);
		}
	}
	for (size_t i = 0; i < n; i++) {
		run->hosts[i].corrected = fabs(run->hosts[i].offset_s) > run->hosts[i].rtt_s / 2;
		vl_argv_free(&c[i].argv);
	}
	return r;
}

/* Hosts with one boot id are one machine. */
static void machines(struct vl_bench_run *run)
{
	struct vl_bench_fidelity *f = &run->fid;

	run->machines = 0;
	for (size_t i = 0; i < run->n_hosts; i++) {
		struct vl_bench_host *h = &run->hosts[i];
		size_t k;

		for (k = 0; k < i; k++)
			if (h->boot_id[0] && !strcmp(run->hosts[k].boot_id, h->boot_id))
				break;
		if (k < i) {
			h->machine = run->hosts[k].machine;
			if (!f->machines_host[0][0]) {
				snprintf(f->machines_host[0], sizeof(f->machines_host[0]), "%s",
				         run->hosts[k].name);
				snprintf(f->machines_host[1], sizeof(f->machines_host[1]), "%s",
				         h->name);
			}
		} else {
			h->machine = run->machines++;
		}
	}
	f->hosts = run->n_hosts;
	f->machines = run->machines;
}

/* ---- the run ----------------------------------------------------------------- */

struct rm_job {
	struct vl_rm_cmd cmd;
	json_t *said; /* the host's JSON line */
};

static void *rm_cmd_run(void *arg)
{
	struct vl_rm_cmd *c = arg;

	c->t0_ns = vl_realtime_ns();
	c->rc = vl_hosts_run(c->hs, c->i, c->argv.v, &c->r, &c->err);
	c->t1_ns = vl_realtime_ns();
	return NULL;
}

int vl_rm_batch_start(struct vl_rm_batch *b, struct vl_hosts *hs, struct vl_rm_cmd *const *c,
                      size_t n, struct vl_err *err)
{
	int rc;

	pthread_t *t = vl_xcalloc(n ? n : 1, sizeof(*t));

	b->t = t;
	b->started = 0;
	for (; b->started < n; b->started++) {
		c[b->started]->hs = hs;
		c[b->started]->i = b->started;
		if ((rc = pthread_create(&t[b->started], NULL, rm_cmd_run, c[b->started]))) {
			vl_err_sys(err, rc, "start a thread for host %s", hs->h[b->started].name);
			vl_rm_batch_wait(b);
			return -1;
		}
	}
	return 0;
}

void vl_rm_batch_wait(struct vl_rm_batch *b)
{
	pthread_t *t = b->t;

	for (size_t i = 0; i < b->started; i++)
		pthread_join(t[i], NULL);
	free(b->t);
	b->t = NULL;
	b->started = 0;
}

/* Host i's command: its server (for instance i - 1) and its client. */
static void host_argv(const struct vl_wl_ctx *c, const struct vl_workload *w,
                      const struct vl_hosts *hs, struct vl_bench_run *run, size_t i, uint64_t at,
                      double timeout, struct vl_argv *a)
{
	size_t n = run->n, prev = (i + n - 1) % n;
	bool net = w->flags & VL_WL_NETWORK;
	struct vl_bench_host *h = &run->hosts[i];
	int64_t shift = h->corrected ? (int64_t)(h->offset_s * 1e9) : 0;

	vl_argv_addl(a, c->o->work, "host", "--timeout", NULL);
	vl_argv_addf(a, "%.1f", timeout);
	if (hs->h[i].dev[0])
		vl_argv_addl(a, "--dev", hs->h[i].dev, NULL);
	if (net) {
		vl_argv_add(a, "--listen");
		vl_argv_addf(a, "%d", RM_PORT + (int)prev);
		if (w->flags & VL_WL_STOP_SERVER)
			vl_argv_add(a, "--stop-server");
	}
	vl_argv_add(a, "--");
	/* the barrier in the host's own clock */
	h->at_ns = (uint64_t)((int64_t)at + shift);
	vl_bench_client_cmd(c, w, &run->inst[i], RM_PORT + (int)i, h->at_ns, a);
	if (net) {
		vl_argv_add(a, ":::");
		vl_bench_server_cmd(c, w, &run->inst[prev], RM_PORT + (int)prev, a);
	}
}

/* Instance i's figures from its host's line and its server's host's. */
static void instance(const struct vl_wl_ctx *c, const struct vl_workload *w,
                     struct vl_bench_run *run, struct rm_job *jobs, size_t i)
{
	struct vl_bench_instance *in = &run->inst[i];
	struct rm_job *j = &jobs[i], *sj = &jobs[(i + 1) % run->n];
	struct vl_rm_cmd *jc = &j->cmd;
	json_t *cl = json_object_get(j->said, "client");
	json_t *cj = json_object_get(cl, "report");
	json_t *sj_ = (w->flags & VL_WL_NETWORK)
	                  ? json_object_get(json_object_get(sj->said, "server"), "report")
	                  : NULL;
	int st = (int)vl_json_num(cl, "status");
	struct vl_err e2 = {0};

	in->status = st < 0 ? -1 : st >= 128 ? st - 128 : st << 8;
	in->wait4_user_s = vl_json_num(cl, "user_s");
	in->wait4_sys_s = vl_json_num(cl, "sys_s");
	if (!j->said) {
		cleanup_buf struct vl_buf tail = {0};

		vl_buf_tail(&tail, jc->r.out.s ? jc->r.out.s : "", 3, 400);
		vl_err_set(&e2, 0, "host %s: %s", run->hosts[i].name,
		           jc->rc < 0         ? jc->err.msg
		           : jc->r.status < 0 ? "no answer in time"
		           : tail.len         ? tail.s
		                              : "no report");
	} else if (!cj && json_is_true(json_object_get(j->said, "killed")))
		vl_err_set(&e2, 0, "no report: stopped after the %g s timeout", c->o->timeout);
	else if (!cj)
		vl_err_set(&e2, 0, "host %s: no report (status %d): %s", run->hosts[i].name, st,
		           vl_json_str(cl, "stderr"));
	else if (w->figures(c, in, cj, sj_, &e2) == 0 && st != 0)
		vl_err_set(&e2, 0, "host %s: the instance ended with status %d", run->hosts[i].name,
		           st);
	in->finished = e2.msg[0] == '\0';
	if (!in->finished) {
		snprintf(in->error, sizeof(in->error), "%s", e2.msg);
		in->bytes = in->bps = 0;
	}
	in->report = json_pack(
	    "{s:O*, s:O*, s:s, s:s*}", "client", cj, "server", sj_, "host", run->hosts[i].name,
	    "server_host", (w->flags & VL_WL_NETWORK) ? run->hosts[(i + 1) % run->n].name : NULL);
}

/* Each host's own figures, and the run's from the worst host. */
static void host_figures(struct vl_bench_run *run, struct rm_job *jobs)
{
	struct vl_bench_fidelity *f = &run->fid;
	double worst_outside = -1;

	f->host_busy = 0;
	f->lab_busy = -1;
	f->steal = -1;
	f->retrans = -1;
	f->drift_s = -1;
	for (size_t i = 0; i < run->n_hosts; i++) {
		struct vl_bench_host *h = &run->hosts[i];
		json_t *s = jobs[i].said, *dev = json_object_get(s, "dev");
		double drift = fabs(h->offset_s) - h->rtt_s / 2;

		if (!s)
			continue;
		h->ready_s = ((double)h->at_ns - vl_json_num(s, "client_started_ns")) / 1e9;
		h->busy = vl_json_num(s, "busy");
		h->programs_busy = vl_json_num(s, "programs_busy");
		h->steal = vl_json_num(s, "steal");
		h->rx_bytes = (uint64_t)vl_json_num(dev, "rx_bytes");
		h->tx_bytes = (uint64_t)vl_json_num(dev, "tx_bytes");
		h->drops =
		    (uint64_t)(vl_json_num(dev, "rx_dropped") + vl_json_num(dev, "tx_dropped"));
		f->sent += h->tx_bytes;
		f->drops += h->drops;
		if (h->drops > f->drops_worst) {
			f->drops_worst = h->drops;
			snprintf(f->drops_node, sizeof(f->drops_node), "%s", h->name);
		}
		/* the host where the most work competed with the instances */
		if (h->busy - h->programs_busy > worst_outside) {
			worst_outside = h->busy - h->programs_busy;
			f->host_busy = h->busy;
			f->lab_busy = h->programs_busy;
		}
		if (h->steal > f->steal)
			f->steal = h->steal;
		if (drift > f->drift_s) {
			f->drift_s = drift > 0 ? drift : 0;
			snprintf(f->drift_node, sizeof(f->drift_node), "%s", h->name);
		}
	}
}

int vl_rm_check(const struct vl_bench_opts *o, struct vl_err *err)
{
	const struct vl_workload *w = vl_workload_find(o->workload);

	if (!w)
		return vl_err_set(err, EINVAL, "unknown workload '%s'", o->workload);
	if (!o->hosts || !o->hosts->n)
		return vl_err_set(err, EINVAL,
		                  "rm runs on hosts: give --hosts ssh:H1,H2,..., "
		                  "@FILE or slurm");
	if (o->mode != VL_BENCH_TOGETHER)
		return vl_err_set(err, EINVAL, "rm runs its instances together, one per host");
	if (o->n > o->hosts->n)
		return vl_err_set(err, EINVAL,
		                  "%zu instances on %zu hosts: rm runs one instance per host "
		                  "(give -n %zu or less, or more hosts)",
		                  o->n, o->hosts->n, o->hosts->n);
	if ((w->flags & VL_WL_NETWORK) && o->n < 2)
		return vl_err_set(err, EINVAL,
		                  "%s on rm needs 2 instances or more: instance i sends to the "
		                  "server on host i + 1",
		                  w->name);
	if (o->bw)
		return vl_err_set(err, EINVAL,
		                  "--bw shapes a lab's links; rm runs over the hosts' own network");
	if (o->neighbour != VL_NEIGHBOUR_NONE)
		return vl_err_set(err, EINVAL, "--neighbour is a lab's node; rm has none");
	return 0;
}

static void run_init(const struct vl_bench_opts *o, const struct vl_workload *w,
                     struct vl_bench_run *run)
{
	memset(run, 0, sizeof(*run));
	run->rate = w->flags & VL_WL_RATE;
	snprintf(run->workload, sizeof(run->workload), "%s", o->workload);
	snprintf(run->backend, sizeof(run->backend), "rm");
	snprintf(run->mode, sizeof(run->mode), "together");
	run->n = run->n_hosts = o->n;
	run->inst = vl_xcalloc(o->n, sizeof(*run->inst));
	run->hosts = vl_xcalloc(o->n, sizeof(*run->hosts));
	for (size_t i = 0; i < o->n; i++) {
		const struct vl_host *h = &o->hosts->h[i];
		struct vl_bench_instance *in = &run->inst[i];

		snprintf(run->hosts[i].name, sizeof(run->hosts[i].name), "%s", h->name);
		snprintf(run->hosts[i].addr, sizeof(run->hosts[i].addr), "%s", h->addr);
		snprintf(in->node, sizeof(in->node), "%s", h->name);
		if (w->flags & VL_WL_NETWORK)
			snprintf(in->server, sizeof(in->server), "%s",
			         o->hosts->h[(i + 1) % o->n].addr);
	}
}

/* Start every host's command at once and wait for them all. */
static int run_hosts(struct vl_hosts *hs, struct rm_job *jobs, size_t n, struct vl_err *err)
{
	cleanup_free struct vl_rm_cmd **c = vl_xcalloc(n ? n : 1, sizeof(*c));
	struct vl_rm_batch b = {0};

	for (size_t i = 0; i < n; i++)
		c[i] = &jobs[i].cmd;
	if (vl_rm_batch_start(&b, hs, c, n, err) < 0)
		return -1;
	vl_rm_batch_wait(&b);
	for (size_t i = 0; i < n; i++)
		jobs[i].said = vl_json_last_line(jobs[i].cmd.r.out.s, "client");
	return 0;
}

int vl_rm_run(const struct vl_bench_opts *o, struct vl_bench_run *run, struct vl_err *err)
{
	const struct vl_workload *w = vl_workload_find(o->workload);
	struct vl_wl_ctx c = {.o = o};
	double t0 = vl_now(), lead, slowest, timeout;
	struct vl_hosts hs;
	struct rm_job *jobs;
	uint64_t at;
	int r;

	if (vl_rm_check(o, err) < 0)
		return -1;
	run_init(o, w, run);
	if (clocks(o->hosts, o->work, run, &slowest, err) < 0) {
		vl_bench_run_free(run);
		return -1;
	}
	machines(run);
	if (files_setup(&c, w, o->hosts, run->n, err) < 0) {
		files_teardown(&c, w, o->hosts, run->n);
		vl_bench_run_free(run);
		return -1;
	}
	/* every host's launch (a server, then the client) well before it */
	lead = RM_LEAD_S + 4 * slowest;
	/* the hosts' commands: each bounded by the run's timeout after the
	 * barrier, the table's by a grace beyond */
	timeout = lead + o->timeout;
	hs = *o->hosts; /* the same hosts, another deadline; not closed */
	hs.o.timeout = timeout + RM_GRACE_S;
	jobs = vl_xcalloc(run->n, sizeof(*jobs));
	at = vl_realtime_ns() + (uint64_t)(lead * 1e9);
	for (size_t i = 0; i < run->n; i++)
		host_argv(&c, w, o->hosts, run, i, at, timeout, &jobs[i].cmd.argv);
	r = run_hosts(&hs, jobs, run->n, err);
	for (size_t i = 0; r == 0 && i < run->n; i++)
		instance(&c, w, run, jobs, i);
	if (r == 0)
		host_figures(run, jobs);
	files_teardown(&c, w, o->hosts, run->n);
	for (size_t i = 0; i < run->n; i++) {
		vl_argv_free(&jobs[i].cmd.argv);
		vl_buf_free(&jobs[i].cmd.r.out);
		json_decref(jobs[i].said);
	}
	free(jobs);
	run->wall_s = vl_now() - t0;
	if (r < 0) {
		vl_bench_run_free(run);
		return -1;
	}
	vl_bench_judge(o, run);
	return 0;
}
