/* The noisy neighbour. See neighbour.h. */
#include "study/neighbour.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"

#define NEIGHBOUR_PORT 39999

static const char *const names[] = {
    [VL_NEIGHBOUR_NONE] = "none",     [VL_NEIGHBOUR_CPU] = "cpu",
    [VL_NEIGHBOUR_MEMORY] = "memory", [VL_NEIGHBOUR_NETWORK] = "network",
    [VL_NEIGHBOUR_FORK] = "fork",
};

const char *vl_neighbour_name(enum vl_neighbour k)
{
	return (size_t)k < VL_ARRAY_SIZE(names) ? names[k] : "?";
}

int vl_neighbour_parse(const char *s)
{
	for (size_t k = 0; k < VL_ARRAY_SIZE(names); k++)
		if (!strcmp(s, names[k]))
			return (int)k;
	return -1;
}

size_t vl_neighbour_nodes(enum vl_neighbour k)
{
	return k == VL_NEIGHBOUR_NONE ? 0 : k == VL_NEIGHBOUR_NETWORK ? 2 : 1;
}

int vl_neighbour_start(struct vl_neighbour_run *nb, enum vl_neighbour kind, const char *lab,
                       size_t first, const char *work, double seconds, struct vl_err *err)
{
	cleanup_argv struct vl_argv a = {0};

	memset(nb, 0, sizeof(*nb));
	nb->kind = kind;
	nb->cpu_s = -1;
	if (kind == VL_NEIGHBOUR_NONE)
		return 0;
	snprintf(nb->node, sizeof(nb->node), "h%zu", first);
	if (kind == VL_NEIGHBOUR_NETWORK) {
		cleanup_argv struct vl_argv s = {0};

		snprintf(nb->sink, sizeof(nb->sink), "h%zu", first + 1);
		vl_argv_addl(&s, work, "stream-sink", "--port", NULL);
		vl_argv_addf(&s, "%d", NEIGHBOUR_PORT);
		if (vl_bench_spawn(lab, nb->sink, s.v, NULL, &nb->p[1], err) < 0)
			return -1;
		if (!vl_bench_wait_listen(&nb->p[1], NEIGHBOUR_PORT, 10.0)) {
			vl_bench_collect(&nb->p[1], 1, vl_now());
			vl_err_set(
			    err, 0,
			    "the network neighbour's sink (node %s) did not listen on port %d "
			    "(wait status %d%s%.200s)",
			    nb->sink, NEIGHBOUR_PORT, nb->p[1].status, nb->p[1].text.s ? ": " : "",
			    nb->p[1].text.s ? nb->p[1].text.s : "");
			vl_neighbour_stop(nb);
			return -1;
		}
		vl_argv_addl(&a, work, "stream", "--to", nb->sink, "--port", NULL);
		vl_argv_addf(&a, "%d", NEIGHBOUR_PORT);
	} else {
		vl_argv_addl(&a, work,
		             kind == VL_NEIGHBOUR_CPU      ? "hog-cpu"
		             : kind == VL_NEIGHBOUR_MEMORY ? "hog-memory"
		                                           : "hog-fork",
		             NULL);
	}
	vl_argv_add(&a, "--seconds");
	vl_argv_addf(&a, "%g", seconds);
	if (vl_bench_spawn(lab, nb->node, a.v, NULL, &nb->p[0], err) < 0) {
		vl_neighbour_stop(nb);
		return -1;
	}
	return 0;
}

void vl_neighbour_stop(struct vl_neighbour_run *nb)
{
	json_error_t je;
	struct vl_bench_proc *from;

	if (nb->kind == VL_NEIGHBOUR_NONE)
		return;
	/* the sender first: its sink then sees EOF and reports */
	vl_bench_collect(&nb->p[0], 1, vl_now());
	if (nb->p[1].pid > 0)
		vl_bench_collect(&nb->p[1], 1, vl_now() + 5.0);
	from = nb->kind == VL_NEIGHBOUR_NETWORK ? &nb->p[1] : &nb->p[0];
	json_decref(nb->report);
	nb->report = from->text.s ? json_loads(from->text.s, 0, &je) : NULL;
	vl_buf_free(&nb->p[0].text);
	vl_buf_free(&nb->p[1].text);
}

json_t *vl_neighbour_json(const struct vl_neighbour_run *nb)
{
	if (nb->kind == VL_NEIGHBOUR_NONE)
		return NULL;
	return json_pack("{s:s, s:s, s:s*, s:o*, s:O*}", "kind", vl_neighbour_name(nb->kind),
	                 "node", nb->node, "sink", nb->sink[0] ? nb->sink : NULL, "cgroup_cpu_s",
	                 nb->cpu_s >= 0 ? json_real(nb->cpu_s) : NULL, "report", nb->report);
}

void vl_neighbour_free(struct vl_neighbour_run *nb)
{
	vl_buf_free(&nb->p[0].text);
	vl_buf_free(&nb->p[1].text);
	json_decref(nb->report);
	nb->report = NULL;
}
