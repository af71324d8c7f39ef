/* The last phase of up: every kernel link operational at both ends before
 * up returns. A veth's carrier is on as soon as both ends are up, but the
 * kernel makes a device operational (gives it its queue, tells its bridge
 * to forward on it) in its link watch, which works off a few hundred
 * devices a second behind the rtnl lock: thousands of new links, or a
 * large teardown running beside, leave ports "disabled" for seconds after
 * up has returned. Each end is therefore asked for its link state, which
 * makes the kernel do the pending work for that device at once, and
 * checked. Touches nothing but the lab's interfaces' state. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/internal.h"
#include "link/link.h"
#include "sys/ifstate.h"
#include "sys/ns.h"
#include "sys/rtnl_bridge.h"

/* How long a link may take: ample for a kernel whose ethtool call does not
 * hurry the link watch along, at its pace of a few hundred a second. */
static double deadline_of(const struct vl_plan *p)
{
	return vl_now() + 30.0 + (double)p->n_veths / 100.0;
}

static int wait_running(int sock, const char *who, const char *ifname, double deadline,
                        struct vl_err *err)
{
	for (;;) {
		int r = vl_ifstate_running(sock, ifname, err);

		if (r != 0)
			return r < 0 ? vl_err_wrap(err, "%s", who) : 0;
		if (vl_now() > deadline)
			return vl_err_set(err, ETIMEDOUT,
			                  "%s: interface %s is not operational (its carrier or the "
			                  "kernel's link watch never came up)",
			                  who, ifname);
		nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
	}
}

struct infra_arg {
	const struct vl_plan *p;
	int infra; /* which infra namespace */
	double deadline;
};

static int infra_ends(void *data, struct vl_err *err)
{
	const struct infra_arg *a = data;
	const struct vl_plan *p = a->p;
	cleanup_close int sock = vl_ifstate_socket(err);

	if (sock < 0)
		return -1;
	for (size_t v = 0; v < p->n_veths; v++) {
		const struct vl_plan_veth *ve = &p->veths[v];

		if (!vl_link_backend_for(ve->user)->pair)
			continue;
		for (int k = 0; k < 2; k++)
			if (ve->end[k].ns == VL_PLAN_INFRA &&
			    vl_plan_end_infra(p, &ve->end[k]) == a->infra &&
			    wait_running(sock, "switch", ve->end[k].ifname, a->deadline, err) < 0)
				return -1;
	}
	return 0;
}

/* In a worker: the node ends of nodes w, w+nw, ... */
static int node_ends(struct engine *e, size_t w, size_t nw, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	double deadline = deadline_of(p);
	char path[PATH_MAX], who[96];

	for (size_t i = w; i < p->n_nodes; i += nw) {
		const struct vl_plan_node *n = &p->nodes[i];
		bool any = false;

		for (size_t j = 0; j < n->n_ifs; j++)
			any |= vl_link_backend_for(p->veths[n->ifs[j].veth].user)->pair;
		if (!any || !vl_node_backend_of(p, i)->own_netns)
			continue;
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, n->netns);
		if (vl_ns_enter_path(path, CLONE_NEWNET, err) < 0)
			return vl_err_wrap(err, "node %s", n->name);
		cleanup_close int sock = vl_ifstate_socket(err);

		if (sock < 0)
			return -1;
		snprintf(who, sizeof(who), "node %s", n->name);
		for (size_t j = 0; j < n->n_ifs; j++)
			if (vl_link_backend_for(p->veths[n->ifs[j].veth].user)->pair &&
			    wait_running(sock, who, n->ifs[j].name, deadline, err) < 0)
				return -1;
	}
	return 0;
}

int vl_engine_wait_links(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	char path[PATH_MAX];

	for (size_t k = 0; k < p->n_infras; k++) {
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, p->infras[k]);
		if (vl_netns_run(path, infra_ends, &(struct infra_arg){p, (int)k, deadline_of(p)},
		                 err) < 0)
			return -1;
	}
	if (vl_engine_run_workers(e, node_ends, p->n_nodes, err) < 0)
		return -1;
	/* switches with STP (a torus): their ports listen, then learn, a
	 * forward delay each, before they forward (or block a loop) */
	if (p->topo->stp)
		nanosleep(&(struct timespec){VL_RTNL_BRIDGE_STP_FORWARD_DELAY_CS / 50 + 1, 0},
		          NULL);
	return 0;
}
