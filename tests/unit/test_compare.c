/* test_compare: the comparison as a library call (src/study/compare.h),
 * without the command line: environments from a list, the result files'
 * schema version, and a real two-environment comparison (the built-in cpu
 * workload, tiny, on ns and proc; as root) whose figures and JSON must be
 * whole. The workloads program is vnetlab-work beside this test's build
 * directory (BUILD/tests/test_compare -> BUILD/vnetlab-work), or
 * $VNETLAB_WORK. This program is also the ns nodes' init (as vnetlab is).
 *
 * Prints "ok <case>: ..." or "FAIL <case>: ..." per case and last exactly
 * "N passed, M failed, K skipped"; exit status 1 iff M > 0. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "study/compare.h"
#include "engine/linkd_main.h"
#include "node/node.h"
#include "check.h"

static void t_envs(void)
{
	struct vl_env env[VL_COMPARE_MAX];
	struct vl_err err = {0};
	struct vl_buf why = {0};
	size_t n;

	if (vl_compare_envs("ns,proc,solo", VL_NEIGHBOUR_NONE, env, &n, &err) < 0 || n != 3 ||
	    strcmp(env[0].name, "ns") || env[0].type->mode != VL_BENCH_TOGETHER ||
	    env[1].type->backend != VL_BACKEND_PROC || !(env[1].type->flags & VL_ENV_PROC_BASE) ||
	    env[2].type->mode != VL_BENCH_SOLO || !(env[2].type->flags & VL_ENV_SOLO_BASE))
		why_add(&why, "ns,proc,solo: %zu environments (%s)", n, err.msg);
	/* real machines: on the hosts, the baseline of "vs rm", never beside a
	 * neighbour (no lab to put one in) */
	if (vl_compare_envs("rm,ns", VL_NEIGHBOUR_CPU, env, &n, &err) < 0 || n != 3 ||
	    strcmp(env[0].name, "rm") || !(env[0].type->flags & VL_ENV_REAL) ||
	    !(env[0].type->flags & VL_ENV_HOSTS) || env[0].neighbour != VL_NEIGHBOUR_NONE ||
	    strcmp(env[2].name, "ns+cpu"))
		why_add(&why, "rm,ns with a neighbour: %zu environments (%s)", n, err.msg);
	if (vl_compare_envs("ns,solo", VL_NEIGHBOUR_CPU, env, &n, &err) < 0 || n != 4 ||
	    strcmp(env[1].name, "ns+cpu") || env[1].neighbour != VL_NEIGHBOUR_CPU ||
	    env[0].neighbour != VL_NEIGHBOUR_NONE || strcmp(env[3].name, "solo+cpu"))
		why_add(&why, "with a neighbour: %zu environments", n);
	if (vl_compare_envs("ns,proc,vm,solo,ns,proc", VL_NEIGHBOUR_FORK, env, &n, &err) < 0 ||
	    n != VL_COMPARE_MAX)
		why_add(&why, "at most %d environments: %zu", VL_COMPARE_MAX, n);
	if (vl_compare_envs("ns,xen", VL_NEIGHBOUR_NONE, env, &n, &err) == 0 ||
	    strcmp(err.msg, "backends are ns, proc, vm, solo and rm, not \"xen\""))
		why_add(&why, "xen: \"%s\"", err.msg);
	report("compare/environments", &why);
	vl_buf_free(&why);
}

static void t_schema(void)
{
	json_t *old = json_pack("{s:[]}", "runs"),
	       *now = json_pack("{s:[], s:i}", "runs", "schema", VL_COMPARE_SCHEMA);
	json_t *bad = json_pack("{s:[], s:s}", "runs", "schema", "one");

	result("compare/schema",
	       vl_compare_schema(old) == 1 && vl_compare_schema(now) == VL_COMPARE_SCHEMA &&
	           vl_compare_schema(bad) == -1,
	       "without the key: version 1 (got %d); a string: -1 (got %d)", vl_compare_schema(old),
	       vl_compare_schema(bad));
	json_decref(old);
	json_decref(now);
	json_decref(bad);
}

/* The figures of c and its JSON, against what the schema promises. */
static void check_result(const struct vl_compare *c, struct vl_buf *why)
{
	json_t *root = vl_compare_json(c), *runs = json_object_get(root, "runs");

	if (c->n_runs != 2 || strcmp(c->runs[0].env.name, "ns") ||
	    strcmp(c->runs[1].env.name, "proc"))
		why_add(why, "%zu runs", c->n_runs);
	for (size_t k = 0; k < c->n_runs; k++) {
		const struct vl_compare_run *cr = &c->runs[k];
		json_t *m = json_object_get(json_array_get(runs, k), "metrics");
		double sum = 0;

		for (size_t i = 0; i < cr->m.n; i++)
			sum += cr->m.share[i];
		if (cr->m.n != 2 || fabs(sum - 1) > 1e-9)
			why_add(why, "%s: %zu shares summing to %g", cr->env.name, cr->m.n, sum);
		if (!(cr->m.jain > 0 && cr->m.jain <= 1))
			why_add(why, "%s: Jain %g", cr->env.name, cr->m.jain);
		if (!(cr->mean_wall_s > 0 && cr->vs_proc > 0) || cr->vs_solo != 0)
			why_add(why, "%s: wall %g, vs proc %g, vs solo %g (no solo run)",
			        cr->env.name, cr->mean_wall_s, cr->vs_proc, cr->vs_solo);
		if (json_array_size(json_object_get(m, "shares")) != 2 ||
		    json_real_value(json_object_get(m, "jain")) != cr->m.jain ||
		    strcmp(json_string_value(json_object_get(json_array_get(runs, k), "run")),
		           cr->env.name))
			why_add(why, "%s: the JSON's run differs from the struct", cr->env.name);
	}
	if (c->n_runs == 2 && c->runs[1].vs_proc != 1)
		why_add(why, "proc against itself: %g", c->runs[1].vs_proc);
	if (json_integer_value(json_object_get(root, "schema")) != VL_COMPARE_SCHEMA ||
	    json_integer_value(json_object_get(root, "n")) != 2 ||
	    json_object_get(root, "neighbour"))
		why_add(why, "the file's root: schema, n or neighbour");
	json_decref(root);
}

static void t_two_environments(const char *work)
{
	struct vl_compare_opts o = {
	    .bench = {.workload = "cpu", .n = 2, .size = "64", .timeout = 120, .work = work}};
	const struct vl_node_backend *ns = vl_node_backend_named("ns");
	struct vl_compare c = {0};
	struct vl_err err = {0};
	struct vl_buf why = {0};

	if (geteuid() != 0 || access(work, X_OK) < 0 || (ns->usable && ns->usable(&err) < 0)) {
		printf("skip compare/ns-and-proc: %s\n", geteuid()    ? "needs root"
		                                         : err.msg[0] ? err.msg
		                                                      : "no vnetlab-work");
		nskip++;
		return;
	}
	if (vl_compare_envs("ns,proc", VL_NEIGHBOUR_NONE, o.env, &o.n_env, &err) < 0 ||
	    vl_compare_run(&o, &c, &err) < 0)
		why_add(&why, "%s", err.msg);
	else
		check_result(&c, &why);
	vl_compare_free(&c);
	report("compare/ns-and-proc", &why);
	vl_buf_free(&why);
}

int main(int argc, char **argv)
{
	char work[PATH_MAX];

	/* the nodes' init and linkd are this program, as in vnetlab */
	if (argc > 1 && !strcmp(argv[1], "__init") && getpid() == 1)
		vl_node_init_main();
	if (argc == 3 && !strcmp(argv[1], "__linkd"))
		return vl_linkd_main(argv[2]);
	if (getenv("VNETLAB_WORK"))
		snprintf(work, sizeof(work), "%s", getenv("VNETLAB_WORK"));
	else if (vl_exe_sibling("../vnetlab-work", work, sizeof(work)) < 0)
		snprintf(work, sizeof(work), "build/vnetlab-work");
	t_envs();
	t_schema();
	t_two_environments(work);
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
