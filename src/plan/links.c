/* Which link backend serves each link of a plan: a pure function of the
 * topology and of what the engine's probe found of the kernel. The kernel
 * path shapes rate and queues with tbf and fifos; delay, jitter and loss
 * need netem or linkd. */
#include <errno.h>
#include <stdio.h>

#include "plan/plan.h"
#include "topo/impair.h"

static bool delayed(const struct vl_plan_veth *ve)
{
	return vl_impair_needs_netem(&ve->egress[0]) || vl_impair_needs_netem(&ve->egress[1]);
}

bool vl_plan_links_need_probe(const struct vl_plan *p)
{
	for (size_t v = 0; v < p->n_veths; v++) {
		const struct vl_plan_veth *ve = &p->veths[v];

		if (ve->topo_link >= 0 && p->topo->links[ve->topo_link].engine != VL_LINK_ENGINE_USER &&
		    delayed(ve))
			return true;
	}
	return false;
}

int vl_plan_choose_links(struct vl_plan *p, int have_netem, struct vl_err *err)
{
	for (size_t v = 0; v < p->n_veths; v++) {
		struct vl_plan_veth *ve = &p->veths[v];
		const struct vl_topo_link *l;

		if (ve->topo_link < 0)
			continue;
		l = &p->topo->links[ve->topo_link];
		if (l->engine == VL_LINK_ENGINE_USER) {
			ve->user = true;
			continue;
		}
		if (!delayed(ve))
			continue;
		if (l->engine == VL_LINK_ENGINE_KERNEL)
			return vl_err_set(err, ENOTSUP,
			                  "link %s:%s-%s:%s: engine: kernel, but delay, jitter and "
			                  "loss %s: use engine: auto or user",
			                  p->topo->nodes[l->ep[0].node].name, l->ep[0].ifname,
			                  p->topo->nodes[l->ep[1].node].name, l->ep[1].ifname,
			                  have_netem > 0
			                      ? "through netem are not supported by this version"
			                      : "need netem, which this kernel lacks");
		/* netem where the kernel has it is not written yet: the user
		 * engine serves delay, jitter and loss everywhere */
		ve->user = true;
	}
	return 0;
}
