/* What the phases of `up` share (internal.h): progress, the interrupt
 * flag, and which backend's lab a node belongs to. up.c drives the phases,
 * wire.c and the others carry them out; both use these, so they live
 * below both. Touches nothing but stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"
#include "engine/internal.h"

volatile sig_atomic_t vl_engine_interrupted;

void vl_engine_phase(struct engine *e, const char *what)
{
	static double last;
	static const char *last_what = "start";
	double now = vl_now();

	/* VNETLAB_TIMING=1: how long each phase took (for bench/ and tuning). */
	if (getenv("VNETLAB_TIMING")) {
		if (last)
			fprintf(stderr, "vnetlab: timing: %-22s %.3f s\n", last_what, now - last);
		last = now;
		last_what = what;
	}
	if (e->progress)
		fprintf(stderr, "\rvnetlab: %s: %-40s", e->plan->lab, what);
}

int vl_engine_check_interrupt(struct vl_err *err)
{
	if (vl_engine_interrupted)
		return vl_err_set(err, EINTR, "interrupted by signal %d",
		                  (int)vl_engine_interrupted);
	return 0;
}

size_t vl_engine_lab_index(const struct engine *e, const struct vl_node_backend *be)
{
	for (size_t k = 0; k < e->n_labs; k++)
		if (e->labs[k].be == be)
			return k;
	return 0; /* every node's backend was entered by node_labs() */
}

struct vl_node_lab *vl_engine_node_lab(struct engine *e, size_t i)
{
	return &e->labs[vl_engine_lab_index(e, vl_node_backend_of(e->plan, i))].l;
}
