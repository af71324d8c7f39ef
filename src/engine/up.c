/* `up`: realizing a plan, in phases, each journalled before it runs:
 *   1. the lab directory, its lock, files and private mounts, its cgroup;
 *   2. the infra namespaces and the lab's bridges (one netlink batch), and
 *      which link backend serves each link;
 *   3. what each node backend prepares once for the lab (a guest image);
 *   4. nodes, built by one worker process per CPU (wire.c);
 *   5. switch ports join their bridges (batched, in the infra namespaces);
 *   6. links between two nodes, and the configuration of those nodes;
 *   7. what runs inside nodes started, and waited for until ready (guests);
 *   8. state.json, which marks the lab as up, and linkd.
 * On any failure the journal is undone in reverse (down.c). Touches the
 * lab's directory, namespaces, cgroups and host settings (journalled); of
 * the host's own network namespace only what the management network and
 * host links need (engine/mgmt.c). */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/internal.h"
#include "engine/exec_lines.h"
#include "engine/linkd_main.h"
#include "engine/state.h"
#include "lab/host.h"
#include "lab/lab.h"
#include "plan/part.h"
#include "plan/place.h"
#include "sys/ns.h"
#include "sys/rtnl_tc.h"

static void on_signal(int sig)
{
	vl_engine_interrupted = sig;
}

/* Every backend the lab's nodes use, with what they share. */
static int node_labs(struct engine *e, bool have_ipv6, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;

	for (size_t i = 0; i < p->n_nodes; i++) {
		const struct vl_node_backend *be = vl_node_backend_of(p, i);
		size_t k = 0;

		while (k < e->n_labs && e->labs[k].be != be)
			k++;
		if (k < e->n_labs)
			continue;
		if (k == VL_ARRAY_SIZE(e->labs))
			return vl_err_set(err, E2BIG, "too many node backends in one lab");
		e->labs[k].be = be;
		e->labs[k].l = (struct vl_node_lab){
		    .plan = p, .opts = &e->opts->node, .cg = e->cg, .have_ipv6 = have_ipv6};
		e->any_netns |= be->own_netns;
		e->n_labs++;
	}
	return 0;
}

/* A broadcast on a segment of N ports is queued N times on one CPU's
 * backlog before any copy is delivered; past net.core.netdev_max_backlog
 * (1000 by default) copies, and the replies to them, are dropped. Raise it
 * for large segments: the lab holds the setting (journalled), and the last
 * lab that holds it puts the host's value back (lab/host.h). */
#define BACKLOG_KEY "net/core/netdev_max_backlog"

/* Hold host setting key at least need for the lab (journalled; the last
 * lab that holds it puts the host's value back), saying so. */
static int raise_setting(struct engine *e, const char *key, unsigned long need, const char *why,
                         struct vl_err *err)
{
	unsigned long base;
	char path[PATH_MAX];
	int lock, r;

	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	if (!need || access(path, W_OK) < 0)
		return 0; /* nothing to tune (not the host's own namespace) */
	if ((lock = vl_host_lock(err)) < 0)
		return -1;
	r = vl_host_base(key, &base, err);
	if (r == 0 && need > base) {
		r = vl_journal_sysctl(&e->j, key, base, need, err);
		if (r == 0)
			r = vl_host_raise(key, need, err);
		if (r == 0) {
			char dotted[128];

			snprintf(dotted, sizeof(dotted), "%s", key);
			for (char *c = dotted; *c; c++)
				*c = *c == '/' ? '.' : *c;
			fprintf(stderr,
			        "vnetlab: %s at least %lu (the host's %lu): %s (put back when the last "
			        "lab that needs it goes)\n",
			        dotted, need, base, why);
		}
	}
	close(lock);
	return r;
}

/* The kernel's neighbour (ARP) table is one for every namespace, at most
 * gc_thresh3 entries (1024 by default): on a segment of N nodes that all
 * talk (pingall), each learns N - 1 neighbours, N(N - 1) in all; past the
 * limit new neighbours are refused ("neighbour table overflow") and their
 * packets dropped. Raise the limits (gc_thresh2, the soft one, with it)
 * where the lab's segments need more. */
#define NEIGH_KEY3 "net/ipv4/neigh/default/gc_thresh3"
#define NEIGH_KEY2 "net/ipv4/neigh/default/gc_thresh2"

static int raise_host_settings(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	unsigned long backlog = 0, neigh = 0;

	/* a segment of fewer than 250 ports fits in the default's half */
	for (size_t k = 0; k < p->n_segs; k++) {
		unsigned long m = (unsigned long)p->segs[k].n_members;

		if (!p->segs[k].p2p && m >= 250 && 2 * m + 1000 > backlog)
			backlog = 2 * m + 1000;
		neigh += m * (m ? m - 1 : 0);
	}
	neigh = neigh > 1024 ? neigh + neigh / 4 + 1024 : 0;
	return raise_setting(e, BACKLOG_KEY, backlog,
	                     "a broadcast to a segment this large would overflow it", err) < 0 ||
	               raise_setting(e, NEIGH_KEY3, neigh,
	                             "the lab's nodes may learn that many neighbours", err) < 0 ||
	               raise_setting(e, NEIGH_KEY2, neigh ? neigh / 2 : 0,
	                             "fewer would be dropped as stale within seconds", err) < 0
	           ? -1
	           : 0;
}

/* Is this lab id in use by another lab, or by leftovers tagged with it? */
static int id_in_use(const char *lab, const char *id)
{
	char **labs, path[PATH_MAX], other[VL_LAB_ID_LEN + 1];
	size_t n;
	int used = 0;
	struct vl_err err;

	snprintf(path, sizeof(path), "%s/vl%s.sw", VL_NETNS_RUN_DIR, id);
	if (access(path, F_OK) == 0)
		return 1;
	if (vl_lab_list(&labs, &n, &err) < 0)
		return 0;
	for (size_t i = 0; i < n && !used; i++)
		used = strcmp(labs[i], lab) && vl_lab_read_id(labs[i], other, &err) == 0 &&
		       !strcmp(other, id);
	vl_strv_free(labs, n);
	return used;
}

/* Which link backend serves each link: the plan's choice, given what the
 * probe (on the first infra namespace's loopback) finds, if it matters. */
static int choose_links(struct engine *e, struct vl_err *err)
{
	int have_netem = 0;

	if (vl_plan_links_need_probe(e->plan) &&
	    (have_netem = vl_rtnl_tc_probe_netem(&e->infra[0], 1, err)) < 0)
		return vl_err_wrap(err, "probe netem");
	/* the engine owns the plan: the choice is made here, once the
	 * kernel is known */
	if (vl_plan_choose_links((struct vl_plan *)e->plan, have_netem, err) < 0)
		return -1;
	for (size_t v = 0; v < e->plan->n_veths; v++) {
		const struct vl_plan_veth *ve = &e->plan->veths[v];

		if (ve->vni && ve->user)
			return vl_err_set(err, ENOTSUP,
			                  "link %s: delay, jitter or loss across hosts needs netem, "
			                  "which this kernel lacks (vnetlab's user-space link engine "
			                  "does not carry links between hosts)",
			                  ve->end[ve->end[0].ns == VL_PLAN_REMOTE].ifname);
	}
	return 0;
}

/* Everything the nodes' backends prepare once, before the nodes. */
static int prepare_nodes(struct engine *e, struct vl_err *err)
{
	for (size_t k = 0; k < e->n_labs; k++) {
		if (!e->labs[k].be->prepare)
			continue;
		vl_engine_phase(e, "prepare nodes");
		if (e->labs[k].be->prepare(&e->labs[k].l, err) < 0)
			return -1;
		e->labs[k].prepared = true;
	}
	return 0;
}

static void release_nodes(struct engine *e)
{
	for (size_t k = 0; k < e->n_labs; k++)
		if (e->labs[k].prepared && e->labs[k].be->release)
			e->labs[k].be->release(&e->labs[k].l);
}

/* What runs inside nodes (guests boot) starts in every node at once; up
 * waits until each backend says its nodes are ready. */
static int start_nodes(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	cleanup_free size_t *nodes = vl_xcalloc(p->n_nodes + 1, sizeof(*nodes));
	cleanup_free int *fds = vl_xcalloc(p->n_nodes + 1, sizeof(*fds));
	int r = 0;

	for (size_t k = 0; r == 0 && k < e->n_labs; k++) {
		const struct vl_node_backend *be = e->labs[k].be;
		size_t n = 0;

		if (!be->start)
			continue;
		vl_engine_phase(e, "starting nodes");
		r = vl_journal_step(&e->j, "start nodes", err);
		for (size_t i = 0; r == 0 && i < p->n_nodes; i++) {
			if (vl_node_backend_of(p, i) != be)
				continue;
			if ((fds[n] = be->start(&e->labs[k].l, i, err)) < 0)
				r = -1;
			else
				nodes[n++] = i;
		}
		if (r == 0) {
			vl_engine_phase(e, "nodes starting");
			r = be->wait(&e->labs[k].l, nodes, fds, n, &vl_engine_interrupted, err);
		} else {
			for (size_t q = 0; q < n; q++)
				close(fds[q]);
		}
	}
	return r;
}

static int do_up(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	char path[PATH_MAX];

	vl_engine_phase(e, "management network");
	if (vl_engine_mgmt_bridge(e, err) < 0)
		return -1;
	vl_engine_phase(e, "files");
	if (vl_engine_write_files(e, err) < 0 || vl_netns_dir_prepare(err) < 0)
		return -1;
	vl_lab_path(p->lab, "ns", path, sizeof(path));
	if (vl_journal_mount(&e->j, path, err) < 0 ||
	    vl_mount_private_dir(path, 1 << 20, 0700, err) < 0)
		return -1;
	if (e->cg) {
		char cgpath[128];

		/* The lab's cgroup, parent of its nodes'. */
		vl_plan_lab_cgroup(p->lab, cgpath, sizeof(cgpath));
		if (vl_journal_cgroup(&e->j, e->cg->name, cgpath, err) < 0 ||
		    e->cg->create(cgpath, &(struct vl_cg_limits){0}, err) < 0)
			return -1;
	}
	if (e->any_netns) {
		if (raise_host_settings(e, err) < 0)
			return -1;
		vl_engine_phase(e, "switches");
		if (vl_engine_create_infra(e, err) < 0 || vl_engine_check_interrupt(err) < 0 ||
		    choose_links(e, err) < 0)
			return -1;
	}
	if (prepare_nodes(e, err) < 0)
		return -1;
	vl_engine_phase(e, "nodes");
	if (vl_engine_build_nodes(e, err) < 0 || vl_engine_check_interrupt(err) < 0)
		return -1;
	if (e->any_netns) {
		vl_engine_phase(e, "switch ports");
		if (vl_engine_attach_switch_ports(e, err) < 0 || vl_engine_check_interrupt(err) < 0)
			return -1;
		vl_engine_phase(e, "node-to-node links");
		if (vl_engine_link_nodes(e, err) < 0 || vl_engine_check_interrupt(err) < 0)
			return -1;
		vl_engine_phase(e, "links operational");
		if (vl_engine_wait_links(e, err) < 0 || vl_engine_check_interrupt(err) < 0 ||
		    start_nodes(e, err) < 0)
			return -1;
	}
	if (vl_engine_mgmt_host(e, err) < 0)
		return -1;
	vl_engine_phase(e, "state");
	return vl_journal_step(&e->j, "write state", err);
}

/* Every node gets a cgroup where the machine has usable ones; without,
 * a lab still comes up unless it needs them (limits, or nodes that are
 * found only through their cgroups: those in the host's network
 * namespace). */
static int choose_cgroups(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	struct vl_err cerr = {0};
	const char *needs = NULL;

	for (size_t i = 0; i < p->n_nodes && !needs; i++) {
		const struct vl_plan_res *r = &p->nodes[i].res;

		if (!vl_node_backend_of(p, i)->own_netns)
			needs = "the proc backend";
		else if (r->cpus || r->cpu_weight || r->cpuset[0] || r->memory || r->pids)
			needs = "resource limits";
	}
	e->cg = vl_cgroup_detect(&cerr);
	if (e->cg) {
		for (size_t i = 0; i < p->n_nodes; i++) {
			const struct vl_plan_res *r = &p->nodes[i].res;
			const char *ctl = (r->cpus || r->cpu_weight) && !e->cg->can_cpu ? "cpu"
			                  : r->cpuset[0] && !e->cg->can_cpuset          ? "cpuset"
			                  : r->memory && !e->cg->can_memory             ? "memory"
			                  : r->pids && !e->cg->can_pids                 ? "pids"
			                                                                : NULL;

			if (ctl)
				return vl_err_set(
				    err, ENOTSUP,
				    "node %s: its limits need the %s controller, which "
				    "cgroup %s here does not have",
				    p->nodes[i].name, ctl, e->cg->name);
		}
		return 0;
	}
	if (needs)
		return vl_err_set(err, cerr.code, "%s need cgroups: %s", needs, cerr.msg);
	fprintf(stderr, "vnetlab: warning: no usable cgroups (%s): nodes get no accounting\n",
	        cerr.msg);
	return 0;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max && rl.rlim_cur < 4096) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Why a lab of this name cannot be made: what the one there is doing. */
static int exists(const char *lab, struct vl_err *err)
{
	int lock = vl_lab_lock(lab, 0, NULL);
	char p[PATH_MAX];

	vl_lab_path(lab, "state.json", p, sizeof(p));
	if (lock < 0)
		return vl_err_set(err, EEXIST,
		                  "lab %s is being %s by another vnetlab: wait for it, or choose "
		                  "another --name",
		                  lab,
		                  vl_lab_going_down(lab) ? "taken down"
		                  : access(p, F_OK) < 0  ? "created"
		                                         : "changed");
	close(lock);
	if (vl_lab_is_complete(lab))
		return vl_err_set(err, EEXIST, "lab %s is already up (vnetlab down %s)", lab, lab);
	return vl_err_set(err, EEXIST,
	                  "lab %s has leftovers of an %s that did not finish: run vnetlab clean "
	                  "(or vnetlab down %s)",
	                  lab, vl_lab_going_down(lab) ? "down" : "up", lab);
}

/* This host's part of the lab over several hosts, in place of the whole. */
static int part_plan(struct engine *e, const struct vl_up_span *sp, struct vl_plan **plan,
                     struct vl_err *err)
{
	struct vl_plan *part;
	uint32_t sum;

	if (vl_plan_place(*plan, sp->n_hosts, err) < 0)
		return -1;
	sum = vl_plan_place_sum(*plan);
	if ((*plan)->n_hosts != sp->n_hosts || sum != sp->place_sum)
		return vl_err_set(err, EPROTO,
		                  "this host places the lab otherwise than the host that planned it "
		                  "(digest %08x, not %08x): a different vnetlab or METIS",
		                  (*plan)->n_hosts != sp->n_hosts ? 0 : sum, sp->place_sum);
	if (vl_plan_span_mtu(*plan, sp->underlay_mtu, err) < 0 ||
	    vl_plan_part(*plan, sp->part, sp->underlay, sp->port, &part, err) < 0)
		return -1;
	vl_plan_free(*plan);
	*plan = part;
	part->job = sp->slurm_job;
	if (!(e->underlay_ifindex = (int)if_nametoindex(sp->dev)))
		return vl_err_sys(err, errno, "underlay device %s", sp->dev);
	return 0;
}

/* Before anything is made: the lab's name and id, root, the plan, the
 * cgroups and node backends it needs, the number of workers. */
static int begin(struct engine *e, const struct vl_topo *t, const char *lab,
                 const struct vl_up_opts *o, struct vl_plan **plan, struct vl_err *err)
{
	char id[VL_LAB_ID_LEN + 1];
	const char *why;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if ((why = vl_name_invalid(lab)))
		return vl_err_set(err, EINVAL, "lab name \"%s\" %s", lab, why);
	if (geteuid() != 0)
		return vl_err_set(err, EPERM,
		                  "vnetlab up needs root (CAP_SYS_ADMIN and "
		                  "CAP_NET_ADMIN): run it with sudo");
	/* others may pass through (to a lab's mpi/), not list */
	if ((mkdir(VL_RUN_DIR, 0711) < 0 && errno != EEXIST) || chmod(VL_RUN_DIR, 0711) < 0)
		return vl_err_sys(err, errno, "mkdir %s", VL_RUN_DIR);
	if (vl_lab_exists(lab))
		return exists(lab, err);
	vl_lab_id_from_name(lab, id);
	if (o->span) {
		snprintf(id, sizeof(id), "%s", o->span->id);
		if (id_in_use(lab, id))
			return vl_err_set(err, EBUSY, "lab id %s is another lab's on this host", id);
	}
	for (int k = 0; !o->span && id_in_use(lab, id); k++) {
		if (k > 0xffff)
			return vl_err_set(err, EBUSY, "no free lab id");
		vl_lab_id_next(id);
	}
	if (vl_plan_build(t, lab, id, o->backend, plan, err) < 0 ||
	    (o->span && part_plan(e, o->span, plan, err) < 0))
		return -1;
	e->plan = *plan;
	if (choose_cgroups(e, err) < 0 ||
	    node_labs(e, access("/proc/sys/net/ipv6", F_OK) == 0, err) < 0)
		return -1;
	e->workers = o->workers > 0 ? o->workers : (ncpu > 0 ? (int)ncpu : 1);
	if (getenv("VNETLAB_WORKERS")) {
		unsigned long w;

		if (vl_parse_uint(getenv("VNETLAB_WORKERS"), 1, 64, &w) == 0)
			e->workers = (int)w;
	}
	raise_nofile();
	return 0;
}

/* The lab is up: state.json, then linkd (it reads state.json)
 * if a link needs it. */
static int finish(struct engine *e, double t0, struct vl_err *err)
{
	const struct vl_plan *plan = e->plan;
	int r = vl_state_write(plan, vl_now() - t0, err);

	for (size_t v = 0; r == 0 && v < plan->n_veths; v++) {
		if (!plan->veths[v].user)
			continue;
		r = vl_journal_linkd(&e->j, plan->lab, err);
		if (r == 0)
			r = vl_linkd_start(plan->lab, e->cg ? e->cg->name : NULL, err);
		if (r == 0)
			r = vl_state_write(plan, vl_now() - t0, err);
		break;
	}
	return r;
}

int vl_engine_up(const struct vl_topo *t, const char *lab, const struct vl_up_opts *o,
                 struct vl_up_result *res, struct vl_err *err)
{
	struct engine e = {.progress = o->progress, .opts = o};
	struct vl_plan *plan = NULL;
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
	char path[PATH_MAX];
	double t0 = vl_now();
	cleanup_close int lock = -1;
	int r = -1;

	if (begin(&e, t, lab, o, &plan, err) < 0) {
		vl_plan_free(plan);
		return -1;
	}
	vl_lab_path(lab, NULL, path, sizeof(path));
	if (mkdir(path, 0711) < 0) {
		int er = errno;

		vl_plan_free(plan);
		if (er == EEXIST)
			return vl_err_set(
			    err, EEXIST,
			    "lab %s is being created by another vnetlab: wait for it, "
			    "or choose another --name",
			    lab);
		return vl_err_sys(err, er, "mkdir %s", path);
	}
	lock = vl_lab_lock(lab, 0, err);
	if (lock < 0 || vl_journal_open(&e.j, lab, err) < 0) {
		vl_plan_free(plan);
		vl_rmtree(path, NULL);
		return -1;
	}
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	r = vl_journal_lab(&e.j, lab, plan->id, err);
	if (r == 0)
		r = vl_engine_write_id(plan, err);
	if (r == 0)
		r = do_up(&e, err);
	if (r == 0) {
		double secs = vl_now() - t0;

		r = finish(&e, t0, err);
		/* containerlab's exec lines, once every node and link is up */
		if (r == 0) {
			vl_engine_phase(&e, "exec");
			r = vl_engine_exec_lines(plan, err);
		}
		vl_engine_phase(&e, "done");
		if (r == 0 && res) {
			res->seconds = secs;
			snprintf(res->id, sizeof(res->id), "%s", plan->id);
		}
	}
	if (e.progress)
		fputs("\r\033[K", stderr);
	vl_engine_close_infra(&e);
	release_nodes(&e);
	if (r < 0) {
		struct vl_err uerr = {0};

		vl_err_wrap(err, "lab %s", lab);
		if (vl_engine_undo(lab, &uerr) < 0)
			fprintf(stderr, "vnetlab: undo after failure: %s\n", uerr.msg);
	}
	vl_journal_close(&e.j);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	vl_engine_interrupted = 0;
	vl_plan_free(plan);
	return r;
}
