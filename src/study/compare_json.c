/* The result files of the comparison (their schema: compare.h): a bench
 * file, a capacity file, an MPI file, and the version a reader finds. */
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <unistd.h>

#include "study/compare.h"

int vl_compare_schema(json_t *file)
{
	json_t *v = json_object_get(file, "schema");

	if (!v)
		return 1;
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > INT_MAX)
		return -1;
	return (int)json_integer_value(v);
}

/* rm: each host, what it said of itself and what was measured there. */
static json_t *hosts_json(const struct vl_bench_run *run)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < run->n_hosts; i++) {
		const struct vl_bench_host *h = &run->hosts[i];

		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:I, s:I, s:f, s:f, s:b, s:f, s:f, s:f, s:f, "
		                   "s:I, s:I, s:I}",
		                   "name", h->name, "addr", h->addr, "boot_id", h->boot_id,
		                   "machine", (json_int_t)h->machine, "cpus", (json_int_t)h->cpus,
		                   "clock_offset_s", h->offset_s, "clock_rtt_s", h->rtt_s,
		                   "barrier_corrected", h->corrected, "ready_s", h->ready_s, "busy",
		                   h->busy, "programs_busy", h->programs_busy, "steal", h->steal,
		                   "rx_bytes", (json_int_t)h->rx_bytes, "tx_bytes",
		                   (json_int_t)h->tx_bytes, "drops", (json_int_t)h->drops));
	}
	return arr;
}

json_t *vl_bench_run_json(const struct vl_bench_run *run)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < run->n; i++) {
		const struct vl_bench_instance *in = &run->inst[i];

		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:b, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, "
		              "s:f, s:s*, s:O*}",
		              "node", in->node, "server", in->server, "finished", in->finished,
		              "status", in->status, "wall_s", in->wall_s, "user_s", in->user_s,
		              "sys_s", in->sys_s, "wait4_user_s", in->wait4_user_s, "wait4_sys_s",
		              in->wait4_sys_s, "cgroup_cpu_s", in->cg_cpu_s, "server_cgroup_cpu_s",
		              in->server_cg_cpu_s, "bytes", in->bytes, "throughput_bps", in->bps,
		              "value", vl_bench_value(run, i), "error",
		              in->error[0] ? in->error : NULL, "report", in->report));
	}
	json_t *checks = json_array();

	for (size_t k = 0; k < run->fid.n_checks; k++) {
		const struct vl_check *c = &run->fid.checks[k];

		json_array_append_new(checks,
		                      json_pack("{s:s, s:b, s:f, s:s}", "name", c->name, "ok",
		                                c->ok, "figure", c->figure, "says", c->says));
	}
	json_t *j = json_pack(
	    "{s:s, s:s, s:s, s:b, s:I, s:f, s:f, s:o, s:{s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:b, "
	    "s:s}, s:{s:b, s:s, s:o}, s:o*, s:o*}",
	    "workload", run->workload, "backend", run->backend, "mode", run->mode, "rate",
	    run->rate, "n", (json_int_t)run->n, "wall_s", run->wall_s, "capacity_bps",
	    run->capacity_bps, "instances", arr, "fidelity", "host_busy", run->fid.host_busy,
	    "max_start_lag_s", run->fid.max_lag_s, "start_spread_s", run->fid.lag_spread_s,
	    "throttled", (json_int_t)run->fid.throttled, "drops", (json_int_t)run->fid.drops,
	    "sent_bytes", (json_int_t)run->fid.sent, "starved", (json_int_t)run->fid.starved,
	    "trustworthy", run->fid.trustworthy, "verdict", run->fid.why, "verdict", "trustworthy",
	    run->fid.trustworthy, "says", run->fid.why, "checks", checks, "timeline",
	    run->timeline.n_win ? vl_timeline_json(&run->timeline) : NULL, "neighbour",
	    vl_neighbour_json(&run->neighbour));

	if (run->n_hosts) {
		json_object_set_new(j, "hosts", hosts_json(run));
		json_object_set_new(j, "machines", json_integer((json_int_t)run->machines));
	}
	return j;
}

static json_t *metrics_json(const struct vl_compare_run *cr)
{
	const struct vl_metrics *m = &cr->m;
	json_t *sh = json_array();

	for (size_t i = 0; i < m->n; i++)
		json_array_append_new(sh, json_real(m->share[i]));
	return json_pack("{s:f, s:f, s:f, s:b, s:f, s:f, s:I, s:o, s:f}", "jain", m->jain,
	                 "worst_share", m->worst_share, "maxmin",
	                 m->maxmin_infinite ? -1.0 : m->maxmin, "measured", m->measured, "cv",
	                 m->cv, "ideal_share", m->ideal_share, "starved", (json_int_t)m->nstarved,
	                 "shares", sh, "mean_wall_s", cr->mean_wall_s);
}

static json_t *real_or_null(double v)
{
	return isinf(v) ? NULL : json_real(v);
}

static json_t *isolation_json(const struct vl_compare *c, const struct vl_compare_run *cr)
{
	const struct vl_isolation *iso = &cr->iso;
	const char *base = c->runs[iso->baseline].env.name;
	json_t *js;

	if (iso->error[0])
		return json_pack("{s:s, s:s, s:s}", "run", cr->env.name, "baseline", base, "error",
		                 iso->error);
	js = json_array();
	for (size_t i = 0; i < cr->run.n; i++)
		json_array_append_new(js,
		                      isinf(iso->slow[i]) ? json_null() : json_real(iso->slow[i]));
	return json_pack("{s:s, s:s, s:o, s:o*, s:o*, s:o*}", "run", cr->env.name, "baseline", base,
	                 "slowdown", js, "median", real_or_null(iso->median), "worst",
	                 real_or_null(iso->worst), "fair_slowdown",
	                 iso->fair > 0 ? json_real(iso->fair) : NULL);
}

static json_t *vs_json(const struct vl_compare_run *cr)
{
	json_t *vs = json_object();

	if (cr->vs_solo > 0)
		json_object_set_new(vs, "solo", json_real(cr->vs_solo));
	if (cr->vs_proc > 0)
		json_object_set_new(vs, "proc", json_real(cr->vs_proc));
	if (cr->vs_real > 0)
		json_object_set_new(vs, "rm", json_real(cr->vs_real));
	return vs;
}

json_t *vl_compare_json(const struct vl_compare *c)
{
	json_t *root = json_pack("{s:s, s:I, s:s, s:I, s:[]}", "workload", c->workload, "n",
	                         (json_int_t)c->n, "profile", vl_profile_name(c->profile),
	                         "host_cpus", (json_int_t)c->host_cpus, "runs");
	json_t *runs = json_object_get(root, "runs");

	if (c->neighbour)
		json_object_set_new(root, "neighbour", json_array());
	for (size_t k = 0; k < c->n_runs; k++) {
		json_t *jr = vl_bench_run_json(&c->runs[k].run);

		json_object_set_new(jr, "metrics", metrics_json(&c->runs[k]));
		json_object_set_new(jr, "run", json_string(c->runs[k].env.name));
		json_object_set_new(jr, "environment", json_string(c->runs[k].env.type->name));
		json_object_set_new(jr, "vs", vs_json(&c->runs[k]));
		json_array_append_new(runs, jr);
	}
	for (size_t k = 0; k < c->n_runs; k++) {
		json_t *o, *nb;

		if (!c->runs[k].isolated)
			continue;
		o = isolation_json(c, &c->runs[k]);
		if ((nb = json_object_get(json_array_get(runs, k), "neighbour")))
			json_object_update(nb, o);
		json_array_append(json_object_get(root, "neighbour"), o);
		json_decref(o);
	}
	json_object_set_new(root, "schema", json_integer(VL_COMPARE_SCHEMA));
	return root;
}

json_t *vl_capacity_json(const struct vl_capacity_opts *o, const struct vl_capacity *c)
{
	json_t *steps = json_array(), *lin = NULL;

	for (size_t i = 0; i < c->n_steps; i++) {
		const struct vl_capacity_step *s = &c->steps[i];

		json_array_append_new(steps,
		                      json_pack("{s:I, s:I, s:f, s:b, s:O}", "n", (json_int_t)s->n,
		                                "finished", (json_int_t)s->finished, "jain",
		                                s->jain, "fits", s->fits, "run", s->run));
	}
	if (c->fitted)
		lin = json_pack("{s:f, s:f, s:f, s:f, s:f, s:I, s:f, s:f, s:f}", "intercept_s",
		                c->a, "slope_s", c->b, "r2", c->r2, "from_n", c->from_n, "to_n",
		                c->to_n, "cpus", (json_int_t)c->cpus, "t1_s", c->t1,
		                "ideal_slope_s", c->ideal, "slope_vs_ideal", c->b / c->ideal);
	return json_pack("{s:s, s:s, s:f, s:I, s:o, s:o*, s:i}", "workload", o->bench.workload,
	                 "backend", vl_backend_name(o->bench.backend), "threshold", o->threshold,
	                 "capacity", (json_int_t)c->best, "steps", steps, "linearity", lin,
	                 "schema", VL_COMPARE_SCHEMA);
}

json_t *vl_compare_mpi_json(const struct vl_mpi_opts *o, const struct vl_mpi_compare *c)
{
	json_t *runs = json_array();

	for (size_t i = 0; i < c->n; i++)
		json_array_append_new(runs, vl_mpi_result_json(&c->res[i]));
	return json_pack(
	    "{s:s, s:s, s:s, s:s*, s:I, s:I, s:s, s:o, s:i}", "workload", "mpi", "mpi", o->impl,
	    "benchmark", o->bench, "class", o->cls, "ranks", (json_int_t)o->ranks, "host_cpus",
	    (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "profile", vl_profile_name(o->profile),
	    "mpi_runs", runs, "schema", VL_COMPARE_SCHEMA);
}
