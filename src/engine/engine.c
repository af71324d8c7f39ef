/* Realizing a plan, taking labs down, cleaning up after crashes.
 *
 * `up` runs in phases; each is journalled before it runs:
 *   1. the lab directory, its lock, files and private mounts;
 *   2. the infra namespace and the lab's bridges (one netlink batch);
 *   3. nodes, built by one worker process per CPU: namespaces, then from
 *      inside each node its veths to switches, addresses and routes, with
 *      interface indexes chosen by the plan (no lookups);
 *   4. switch ports join their bridges (batched, in the infra namespace);
 *   5. links between two nodes, and the configuration of those nodes;
 *   6. state.json, which marks the lab as up.
 * The journal lists the objects that need undoing: the lab ("lab NAME ID",
 * first: its directory), the ns/ mount and each network namespace; deleting a namespace takes every
 * interface in it along, so links need no records of their own. */
#include "engine/engine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/lab.h"
#include "engine/linkd_main.h"
#include "engine/state.h"
#include "link/kernel.h"
#include "node/node.h"
#include "sys/cgroup.h"
#include "sys/netlink.h"
#include "sys/ns.h"
#include "sys/proc.h"
#include "sys/tap.h"

struct engine {
	const struct vl_plan *plan;
	const struct vl_node_backend *backend;
	struct vl_journal j;
	int workers;
	bool progress;
	struct vl_nl infra;
	bool have_ipv6; /* the kernel has IPv6 (to be switched off per interface) */
	const struct vl_cgroup_manager *cg; /* NULL: no usable cgroups here */
	const struct vl_up_opts *opts;
	struct vl_vm_lab *vm; /* what the lab's guests boot, if it has vm nodes */
	size_t n_vms;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void phase(struct engine *e, const char *what)
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

static int check_interrupt(struct vl_err *err)
{
	if (interrupted)
		return vl_err_set(err, EINTR, "interrupted by signal %d", (int)interrupted);
	return 0;
}

static int infra_ifindex(const struct vl_plan *p, size_t v, int e)
{
	return (int)(2 + p->n_bridges + 2 * v + (size_t)e);
}

static int node_ifindex(int node_if)
{
	return 2 + node_if; /* 1 is lo */
}

/* Run fn(e, worker, n_workers) in n_workers child processes at once. */
typedef int (*worker_fn)(struct engine *e, size_t w, size_t nw, struct vl_err *err);

static int run_workers(struct engine *e, worker_fn fn, size_t n_items, struct vl_err *err)
{
	size_t nw = (size_t)e->workers;
	pid_t pids[64];
	int pipes[64];
	int r = 0;

	if (nw > n_items)
		nw = n_items ? n_items : 1;
	if (nw > VL_ARRAY_SIZE(pids))
		nw = VL_ARRAY_SIZE(pids);
	fflush(NULL);
	for (size_t w = 0; w < nw; w++) {
		int pfd[2];

		if (pipe2(pfd, O_CLOEXEC) < 0) {
			r = vl_err_sys(err, errno, "pipe");
			nw = w;
			break;
		}
		pids[w] = fork();
		if (pids[w] < 0) {
			r = vl_err_sys(err, errno, "fork worker");
			close(pfd[0]);
			close(pfd[1]);
			nw = w;
			break;
		}
		if (pids[w] == 0) {
			struct vl_err werr = {0};
			int rc;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			close(pfd[0]);
			rc = fn(e, w, nw, &werr);
			if (rc < 0) {
				ssize_t wr = write(pfd[1], werr.msg, strlen(werr.msg));
				(void)wr;
			}
			_exit(rc < 0 ? 1 : 0);
		}
		close(pfd[1]);
		pipes[w] = pfd[0];
	}
	for (size_t w = 0; w < nw; w++) {
		char msg[sizeof(err->msg)];
		ssize_t len = 0, k;
		int status;

		while ((k = read(pipes[w], msg + len, sizeof(msg) - 1 - (size_t)len)) > 0)
			len += k;
		msg[len > 0 ? len : 0] = '\0';
		close(pipes[w]);
		while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR)
			;
		if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
			if (msg[0])
				r = vl_err_set(err, 0, "%s", msg);
			else if (WIFSIGNALED(status))
				r = vl_err_set(err, 0, "worker killed by signal %d",
				               WTERMSIG(status));
			else
				r = vl_err_set(err, 0, "worker failed");
		}
	}
	return r;
}

static bool needs_netem(const struct vl_impair *im)
{
	return im->delay_ns || im->jitter_ns || im->loss > 0 || im->ge;
}

static void link_name(const struct vl_plan *p, const struct vl_plan_veth *ve, char *buf, size_t len)
{
	const struct vl_topo_link *l = &p->topo->links[ve->topo_link];

	snprintf(buf, len, "%s:%s-%s:%s", p->topo->nodes[l->ep[0].node].name, l->ep[0].ifname,
	         p->topo->nodes[l->ep[1].node].name, l->ep[1].ifname);
}

/* Which path serves each impaired link. The kernel path shapes rate and
 * queues with tbf and fifos; delay, jitter and loss need netem (probed
 * once, on the infra namespace's loopback) or the user link engine. */
static int choose_link_paths(struct engine *e, struct vl_err *err)
{
	/* The engine owns the plan: which path serves a link is decided here,
	 * where the kernel is known. */
	struct vl_plan *p = (struct vl_plan *)e->plan;
	int have_netem = -2;
	char name[192];

	for (size_t v = 0; v < p->n_veths; v++) {
		struct vl_plan_veth *ve = &p->veths[v];
		const struct vl_topo_link *l;
		bool delay = needs_netem(&ve->egress[0]) || needs_netem(&ve->egress[1]);

		if (ve->topo_link < 0)
			continue;
		l = &p->topo->links[ve->topo_link];
		if (l->engine == VL_ENGINE_USER) {
			ve->user = true;
			continue;
		}
		if (!delay)
			continue;
		link_name(p, ve, name, sizeof(name));
		if (have_netem == -2 && (have_netem = vl_kl_probe_netem(&e->infra, 1, err)) < 0)
			return vl_err_wrap(err, "probe netem");
		if (l->engine == VL_ENGINE_KERNEL)
			return vl_err_set(err, ENOTSUP,
			                  "link %s: engine: kernel, but delay, jitter and loss %s: "
			                  "use engine: auto or user",
			                  name,
			                  have_netem
			                      ? "through netem are not supported by this version"
			                      : "need netem, which this kernel lacks");
		/* netem where the kernel has it is not written yet: the user
		 * engine serves delay, jitter and loss everywhere */
		ve->user = true;
	}
	return 0;
}

static int end_master(const struct vl_plan *p, const struct vl_plan_end *end)
{
	return end->bridge >= 0 ? 2 + end->bridge : 0;
}

/* The end of node n's interface j at the other side of its veth. */
static const struct vl_plan_end *peer_of(const struct vl_plan *p, const struct vl_plan_node *n,
                                         size_t j)
{
	return &p->veths[n->ifs[j].veth].end[!n->ifs[j].end];
}

/* Has node i a veth to another node (configured only once both exist)? */
static bool has_p2p(const struct vl_plan *p, size_t i)
{
	for (size_t j = 0; j < p->nodes[i].n_ifs; j++)
		if (peer_of(p, &p->nodes[i], j)->ns != VL_PLAN_INFRA &&
		    !p->veths[p->nodes[i].ifs[j].veth].user)
			return true;
	return false;
}

/* A vm node's side of its interfaces: each TAP (the guest's) and the
 * node's own interface j forward to each other; addresses and routes are
 * the guest's, set by its agent from the kernel command line. */
static int queue_vm_config(struct engine *e, struct vl_nl *nl, const struct vl_plan_node *n,
                           char *what, size_t wlen, struct vl_err *err)
{
	for (size_t j = 0; j < n->n_ifs; j++) {
		const struct vl_plan_veth *ve = &e->plan->veths[n->ifs[j].veth];
		int own = node_ifindex((int)j), tap = node_ifindex((int)(n->n_ifs + j));

		snprintf(what, wlen, "node %s: switch IPv6 off on %s and its TAP", n->name,
		         n->ifs[j].name);
		if (e->have_ipv6 && (vl_kl_link_ipv6_off(nl, own, what, err) < 0 ||
		                     vl_kl_link_ipv6_off(nl, tap, what, err) < 0))
			return -1;
		snprintf(what, wlen, "node %s: shape %s", n->name, n->ifs[j].name);
		if (!ve->user &&
		    vl_kl_shape(nl, own, &ve->egress[n->ifs[j].end], ve->mtu, what, err) < 0)
			return -1;
		if (ve->mtu && ((ve->user && vl_kl_link_set_mtu(nl, own, ve->mtu, what, err) < 0) ||
		                vl_kl_link_set_mtu(nl, tap, ve->mtu, what, err) < 0))
			return -1;
		snprintf(what, wlen, "node %s: join %s to its guest's TAP", n->name,
		         n->ifs[j].name);
		if (vl_kl_redirect(nl, own, tap, what, err) < 0 ||
		    vl_kl_redirect(nl, tap, own, what, err) < 0)
			return -1;
		snprintf(what, wlen, "node %s: set %s and its TAP up", n->name, n->ifs[j].name);
		if (vl_kl_link_up(nl, own, what, err) < 0 || vl_kl_link_up(nl, tap, what, err) < 0)
			return -1;
	}
	return 0;
}

/* Queue loopback and interfaces up, addresses and routes of node n. */
static int queue_config(struct engine *e, struct vl_nl *nl, const struct vl_plan_node *n,
                        struct vl_err *err)
{
	char what[96], ip[16];

	snprintf(what, sizeof(what), "node %s: set lo up", n->name);
	if (vl_kl_link_up(nl, 1, what, err) < 0)
		return -1;
	if (n->res.vm)
		return queue_vm_config(e, nl, n, what, sizeof(what), err);
	for (size_t j = 0; j < n->n_ifs; j++) {
		snprintf(what, sizeof(what), "node %s: switch IPv6 off on %s", n->name,
		         n->ifs[j].name);
		if (!n->ipv6 && e->have_ipv6 &&
		    vl_kl_link_ipv6_off(nl, node_ifindex((int)j), what, err) < 0)
			return -1;
		const struct vl_plan_veth *ve = &e->plan->veths[n->ifs[j].veth];

		snprintf(what, sizeof(what), "node %s: shape %s", n->name, n->ifs[j].name);
		if (!ve->user && vl_kl_shape(nl, node_ifindex((int)j), &ve->egress[n->ifs[j].end],
		                             ve->mtu, what, err) < 0)
			return -1;
		/* a TAP is made with the default MTU */
		if (ve->user && ve->mtu &&
		    vl_kl_link_set_mtu(nl, node_ifindex((int)j), ve->mtu, what, err) < 0)
			return -1;
		snprintf(what, sizeof(what), "node %s: set %s up", n->name, n->ifs[j].name);
		if (vl_kl_link_up(nl, node_ifindex((int)j), what, err) < 0)
			return -1;
		if (!n->ifs[j].addr)
			continue;
		vl_fmt_ip(n->ifs[j].addr, ip);
		snprintf(what, sizeof(what), "node %s: add address %s/%d to %s", n->name, ip,
		         n->ifs[j].prefix, n->ifs[j].name);
		if (vl_kl_addr_add(nl, node_ifindex((int)j), n->ifs[j].addr, n->ifs[j].prefix, what,
		                   err) < 0)
			return -1;
	}
	for (size_t k = 0; k < n->n_routes; k++) {
		const struct vl_plan_route *rt = &n->routes[k];

		vl_fmt_ip(rt->dst, ip);
		snprintf(what, sizeof(what), "node %s: add route %s/%d", n->name, ip, rt->prefix);
		if (vl_kl_route_add(nl, rt->dst, rt->prefix, rt->via, node_ifindex(rt->oif), what,
		                    err) < 0)
			return -1;
	}
	return 0;
}

static void limits_of(const struct vl_plan_node *n, struct vl_cg_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->cpus = n->res.cpus;
	l->cpu_weight = n->res.cpu_weight;
	snprintf(l->cpuset, sizeof(l->cpuset), "%s", n->res.cpuset);
	l->memory = n->res.memory;
	l->pids = n->res.pids;
	/* a guest's memory is its RAM; QEMU's own comes on top */
	if (n->res.vm && n->res.memory)
		l->memory = vl_node_vm_ram(n) + VL_VM_OVERHEAD;
}

/* Wire node i from inside its network namespace: its veths to switches
 * (the switch end created straight into the infra namespace) and, unless
 * it also has links to other nodes (configured once those exist), its
 * addresses and routes, in one netlink round trip. */
static int wire_node(struct engine *e, size_t i, int infra_fd, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	const struct vl_plan_node *n = &p->nodes[i];
	struct vl_nl nl;
	int r = 0;

	if (vl_nl_open(&nl, err) < 0)
		return -1;
	for (size_t j = 0; r == 0 && j < n->n_ifs; j++) {
		const struct vl_plan_veth *ve = &p->veths[n->ifs[j].veth];
		int pe = !n->ifs[j].end;
		const struct vl_plan_end *peer = &ve->end[pe];
		struct vl_kl_veth_end a = {.name = n->ifs[j].name,
		                           .ifindex = node_ifindex((int)j),
		                           .ns_fd = -1},
		                      b = {.name = peer->ifname,
		                           .ifindex = infra_ifindex(p, (size_t)n->ifs[j].veth, pe),
		                           .ns_fd = infra_fd};

		if (ve->user)
			r = vl_tap_create(a.name, a.ifindex, err); /* the engine joins it */
		else if (peer->ns == VL_PLAN_INFRA)
			r = vl_kl_veth_add(&nl, &a, &b, ve->mtu, err);
		if (r == 0 && n->res.vm) {
			char tap[16];

			vl_node_vm_tap_name(j, tap);
			r = vl_tap_create(tap, node_ifindex((int)(n->n_ifs + j)), err);
		}
	}
	if (r == 0 && !has_p2p(p, i))
		r = queue_config(e, &nl, n, err);
	if (r == 0)
		r = vl_nl_flush(&nl, err);
	vl_nl_close(&nl);
	return r;
}

/* Phase 3, in a worker, for nodes w, w+nw, ...: the node's cgroup, its
 * namespaces (the backend's create()), and for ns nodes their wiring.
 * Nodes are built on every CPU at once. */
static int build_nodes(struct engine *e, size_t w, size_t nw, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	struct vl_node_ctx ctx = {
	    .plan = p, .host_mnt = -1, .host_pid = -1, .base_mnt = -1, .self_exe = -1, .proc = -1};
	long base = e->j.step;
	char path[PATH_MAX];
	int infra_fd = -1, r = 0;

	if (p->backend != VL_BACKEND_PROC) {
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, p->infra_ns);
		infra_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (infra_fd < 0)
			return vl_err_sys(err, errno, "open %s", path);
	}
	if (e->backend->worker_init(&ctx, err) < 0)
		r = -1;
	for (size_t i = w; i < p->n_nodes && r == 0; i += nw) {
		const struct vl_plan_node *n = &p->nodes[i];

		if (e->j.fail_at == base + (long)i + 1) {
			r = vl_err_set(err, 0, "injected failure at step %ld (create node %s)",
			               base + (long)i + 1, n->name);
			break;
		}
		if (e->cg) {
			struct vl_cg_limits lim;

			limits_of(n, &lim);
			if ((r = e->cg->create(n->cgroup, &lim, err)) < 0) {
				vl_err_wrap(err, "node %s", n->name);
				break;
			}
		}
		if ((r = e->backend->create(&ctx, i, err)) < 0)
			break;
		if (e->cg && ctx.last_init > 0 &&
		    (r = e->cg->attach(n->cgroup, ctx.last_init, err)) < 0)
			break;
		/* create() left us in the node's network namespace. */
		if (p->backend != VL_BACKEND_PROC)
			r = wire_node(e, i, infra_fd, err);
	}
	e->backend->worker_fini(&ctx);
	if (infra_fd >= 0)
		close(infra_fd);
	return r;
}

/* Phase 6, in a worker: nodes with links to other nodes, now that both
 * ends exist. */
static int configure_p2p_nodes(struct engine *e, size_t w, size_t nw, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	long base = e->j.step;
	char path[PATH_MAX];

	for (size_t i = w; i < p->n_nodes; i += nw) {
		const struct vl_plan_node *n = &p->nodes[i];
		struct vl_nl nl;
		int r;

		if (e->j.fail_at == base + (long)i + 1)
			return vl_err_set(err, 0,
			                  "injected failure at step %ld (configure node %s)",
			                  base + (long)i + 1, n->name);
		if (!has_p2p(p, i))
			continue;
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, n->netns);
		if (vl_ns_enter_path(path, CLONE_NEWNET, err) < 0 || vl_nl_open(&nl, err) < 0)
			return vl_err_wrap(err, "node %s", n->name);
		r = queue_config(e, &nl, n, err);
		if (r == 0)
			r = vl_nl_flush(&nl, err);
		vl_nl_close(&nl);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int open_node_ns(const struct vl_plan *p, int ns, struct vl_err *err)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, p->nodes[ns].netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vl_err_sys(err, errno, "open %s", path);
	return fd;
}

/* Phase 2: the infra namespace, with IPv6 off unless asked for, and the
 * lab's bridges. The engine's process stays in the host namespace; its
 * netlink socket stays in the infra one. */
static int create_infra(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	char path[PATH_MAX];
	int host = -1, self = -1, r = -1;

	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, p->infra_ns);
	if (vl_journal_add(&e->j, "netns", p->infra_ns, err) < 0)
		return -1;
	host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (host < 0)
		return vl_err_sys(err, errno, "open own network namespace");
	if (unshare(CLONE_NEWNET) < 0) {
		vl_err_sys(err, errno, "create network namespace %s (needs root)", p->infra_ns);
		goto out;
	}
	if (!p->topo->ipv6 && access("/proc/sys/net/ipv6", F_OK) == 0 &&
	    vl_sysctl_write("net/ipv6/conf/default/disable_ipv6", "1", err) < 0)
		goto back;
	if (vl_nl_open(&e->infra, err) < 0)
		goto back;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		vl_err_sys(err, errno, "open network namespace %s", p->infra_ns);
		goto back;
	}
	r = 0;
back:
	if (setns(host, CLONE_NEWNET) < 0) {
		/* Cannot continue in the wrong namespace. */
		fprintf(stderr, "vnetlab: cannot return to the host network namespace: %s\n",
		        strerror(errno));
		abort();
	}
	if (r == 0)
		r = vl_ns_bind_fd(self, path, err);
	if (r == 0)
		r = vl_journal_step(&e->j, "create bridges", err);
	for (size_t k = 0; r == 0 && k < p->n_bridges; k++)
		r = vl_kl_bridge_add(&e->infra, p->bridges[k].name, 2 + (int)k, p->topo->mtu, err);
	if (r == 0)
		r = vl_nl_flush(&e->infra, err);
out:
	if (self >= 0)
		close(self);
	close(host);
	return r;
}

/* Phase 4, in the infra namespace: switch ends of node links join their
 * bridges and come up; switch-to-switch veths (cascade uplinks too). */
/* The switch-side TAPs of links the user engine serves, made in the
 * infra namespace. */
static int create_infra_taps(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	char path[PATH_MAX];
	int host, r = 0, any = 0;

	for (size_t v = 0; v < p->n_veths; v++)
		any |= p->veths[v].user;
	if (!any)
		return 0;
	host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (host < 0)
		return vl_err_sys(err, errno, "open own network namespace");
	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, p->infra_ns);
	r = vl_ns_enter_path(path, CLONE_NEWNET, err);
	for (size_t v = 0; r == 0 && v < p->n_veths; v++)
		for (int k = 0; r == 0 && p->veths[v].user && k < 2; k++)
			if (p->veths[v].end[k].ns == VL_PLAN_INFRA)
				r = vl_tap_create(p->veths[v].end[k].ifname, infra_ifindex(p, v, k),
				                  err);
	if (setns(host, CLONE_NEWNET) < 0) {
		fprintf(stderr, "vnetlab: cannot return to the host network namespace\n");
		abort();
	}
	close(host);
	return r;
}

static int attach_switch_ports(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	char what[96];
	int r = vl_journal_step(&e->j, "attach switch ports", err);

	if (r == 0)
		r = create_infra_taps(e, err);

	for (size_t v = 0; r == 0 && v < p->n_veths; v++) {
		const struct vl_plan_veth *ve = &p->veths[v];

		if (!ve->user && ve->end[0].ns == VL_PLAN_INFRA && ve->end[1].ns == VL_PLAN_INFRA) {
			struct vl_kl_veth_end a = {.name = ve->end[0].ifname,
			                           .ifindex = infra_ifindex(p, v, 0),
			                           .ns_fd = -1,
			                           .master = end_master(p, &ve->end[0]),
			                           .up = true},
			                      b = {.name = ve->end[1].ifname,
			                           .ifindex = infra_ifindex(p, v, 1),
			                           .ns_fd = -1};

			r = vl_kl_veth_add(&e->infra, &a, &b, ve->mtu, err);
			snprintf(what, sizeof(what), "attach %s to %s", b.name,
			         p->bridges[ve->end[1].bridge].name);
			if (r == 0)
				r = vl_kl_link_set_master(&e->infra, b.ifindex,
				                          end_master(p, &ve->end[1]), what, err);
		}
		for (int k = 0; r == 0 && k < 2; k++) {
			const struct vl_plan_end *end = &ve->end[k];
			int attached = !ve->user && ve->end[!k].ns == VL_PLAN_INFRA;

			if (end->ns != VL_PLAN_INFRA)
				continue;
			snprintf(what, sizeof(what), "shape %s", end->ifname);
			if (!ve->user)
				r = vl_kl_shape(&e->infra, infra_ifindex(p, v, k), &ve->egress[k],
				                ve->mtu, what, err);
			if (r == 0 && ve->user && ve->mtu)
				r = vl_kl_link_set_mtu(&e->infra, infra_ifindex(p, v, k), ve->mtu,
				                       what, err);
			if (r < 0 || attached)
				continue; /* a switch-to-switch veth: attached above */
			snprintf(what, sizeof(what), "attach %s to %s", end->ifname,
			         p->bridges[end->bridge].name);
			r = vl_kl_link_set_master(&e->infra, infra_ifindex(p, v, k),
			                          end_master(p, end), what, err);
		}
	}
	if (r == 0)
		r = vl_nl_flush(&e->infra, err);
	return r;
}

/* Phase 5: veths between two nodes, created from inside the first. */
static int create_p2p_links(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	int host = -1, r = vl_journal_step(&e->j, "create node-to-node links", err);

	for (size_t v = 0; r == 0 && v < p->n_veths; v++) {
		const struct vl_plan_veth *ve = &p->veths[v];
		struct vl_kl_veth_end a = {.name = ve->end[0].ifname,
		                           .ifindex = node_ifindex(ve->end[0].node_if),
		                           .ns_fd = -1},
		                      b = {.name = ve->end[1].ifname,
		                           .ifindex = node_ifindex(ve->end[1].node_if),
		                           .ns_fd = -1};
		struct vl_nl nl;
		char path[PATH_MAX];

		if (ve->user || ve->end[0].ns == VL_PLAN_INFRA || ve->end[1].ns == VL_PLAN_INFRA)
			continue;
		if (host < 0 && (host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
			return vl_err_sys(err, errno, "open own network namespace");
		if ((b.ns_fd = open_node_ns(p, ve->end[1].ns, err)) < 0) {
			r = -1;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR,
		         p->nodes[ve->end[0].ns].netns);
		r = vl_ns_enter_path(path, CLONE_NEWNET, err);
		if (r == 0)
			r = vl_nl_open(&nl, err);
		if (setns(host, CLONE_NEWNET) < 0) {
			fprintf(stderr,
			        "vnetlab: cannot return to the host network namespace: %s\n",
			        strerror(errno));
			abort();
		}
		if (r == 0) {
			r = vl_kl_veth_add(&nl, &a, &b, ve->mtu, err);
			if (r == 0)
				r = vl_nl_flush(&nl, err);
			vl_nl_close(&nl);
		}
		close(b.ns_fd);
	}
	if (host >= 0)
		close(host);
	return r;
}

/* A broadcast on a segment of N ports is queued N times on one CPU's
 * backlog before any copy is delivered; past net.core.netdev_max_backlog
 * (1000 by default) copies, and the replies to them, are dropped. Raise it
 * for large segments, journalled so that down puts it back. */
#define BACKLOG_KEY "net/core/netdev_max_backlog"

static int raise_backlog(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	unsigned long cur, need = 0;
	char *s, rec[96], val[32];

	for (size_t k = 0; k < p->n_segs; k++)
		if (!p->segs[k].p2p && 2ul * (unsigned long)p->segs[k].n_members + 1000 > need)
			need = 2ul * (unsigned long)p->segs[k].n_members + 1000;
	if (vl_read_file("/proc/sys/" BACKLOG_KEY, &s, NULL, NULL) < 0)
		return 0; /* not there: nothing to tune */
	s[strcspn(s, "\n")] = '\0';
	if (vl_parse_uint(s, 0, 1ul << 31, &cur) < 0 || cur >= need) {
		free(s);
		return 0;
	}
	free(s);
	snprintf(rec, sizeof(rec), "%s %lu %lu", BACKLOG_KEY, cur, need);
	snprintf(val, sizeof(val), "%lu", need);
	if (vl_journal_add(&e->j, "sysctl", rec, err) < 0 ||
	    vl_sysctl_write(BACKLOG_KEY, val, err) < 0)
		return -1;
	fprintf(stderr,
	        "vnetlab: raised net.core.netdev_max_backlog from %lu to %lu: a broadcast to a "
	        "segment this large would overflow it (put back by down)\n",
	        cur, need);
	return 0;
}

/* Undo raise_backlog, unless someone changed it since or another lab is up. */
static void restore_backlog(const char *lab, const char *rec)
{
	char key[64], *s, **labs;
	unsigned long old, set, cur;
	size_t n;
	int others = 0;

	if (sscanf(rec, "%63s %lu %lu", key, &old, &set) != 3 || strcmp(key, BACKLOG_KEY))
		return;
	if (vl_lab_list(&labs, &n, NULL) == 0) {
		for (size_t i = 0; i < n; i++)
			others |= strcmp(labs[i], lab) != 0;
		vl_strv_free(labs, n);
	}
	if (others || vl_read_file("/proc/sys/" BACKLOG_KEY, &s, NULL, NULL) < 0)
		return;
	s[strcspn(s, "\n")] = '\0';
	if (vl_parse_uint(s, 0, 1ul << 31, &cur) == 0 && cur == set) {
		char val[32];

		snprintf(val, sizeof(val), "%lu", old);
		vl_sysctl_write(BACKLOG_KEY, val, NULL);
	}
	free(s);
}

/* The files bound into nodes (hosts, hostname/<node>) live on a small
 * tmpfs of the lab's, files/: thousands of tiny files cost nothing there,
 * and the template mount namespace keeps it, so nodes can bind from it. */
static int write_lab_files(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	char path[PATH_MAX], rel[PATH_MAX + 80];
	int dfd;

	vl_lab_path(p->lab, "id", path, sizeof(path));
	if (vl_write_file(path, p->id, strlen(p->id), err) < 0)
		return -1;
	vl_lab_path(p->lab, "backend", path, sizeof(path));
	if (vl_write_file(path, vl_backend_name(p->backend), strlen(vl_backend_name(p->backend)),
	                  err) < 0)
		return -1;
	vl_lab_path(p->lab, "cgroup", path, sizeof(path));
	if (e->cg && vl_write_file(path, e->cg->name, strlen(e->cg->name), err) < 0)
		return -1;
	vl_lab_path(p->lab, "logs", path, sizeof(path));
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", path);
	vl_lab_path(p->lab, VL_LAB_FILES, path, sizeof(path));
	/* a page per file, and the hosts file */
	if (vl_journal_add(&e->j, "mount", path, err) < 0 ||
	    vl_mount_private_dir(path, (p->n_nodes + 16) * 4096 + 2 * strlen(p->hosts), err) < 0)
		return -1;
	vl_lab_path(p->lab, VL_LAB_FILES "/hosts", path, sizeof(path));
	if (vl_write_file(path, p->hosts, strlen(p->hosts), err) < 0)
		return -1;
	vl_lab_path(p->lab, VL_LAB_FILES "/hostname", path, sizeof(path));
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", path);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return vl_err_sys(err, errno, "open %s", path);
	for (size_t i = 0; i < p->n_nodes; i++) {
		const char *name = p->nodes[i].name;
		size_t len = strlen(name);
		char line[80];
		int fd =
		    openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);

		snprintf(line, sizeof(line), "%s\n", name);
		if (fd < 0 || write(fd, line, len + 1) != (ssize_t)(len + 1)) {
			int er = errno;

			if (fd >= 0)
				close(fd);
			close(dfd);
			snprintf(rel, sizeof(rel), "%s/%s", path, name);
			return vl_err_sys(err, er, "write %s", rel);
		}
		close(fd);
	}
	close(dfd);
	return 0;
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

static int undo_lab(const char *lab, struct vl_err *err);

/* The last phase: every guest boots at once (its supervisor started in
 * its node); up waits until each guest's agent has answered. */
static int start_guests(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	size_t *nodes = vl_xcalloc(e->n_vms, sizeof(*nodes)), n = 0;
	int *ready = vl_xcalloc(e->n_vms, sizeof(*ready)), r = 0;
	double timeout =
	    e->opts->vm_timeout > 0 ? e->opts->vm_timeout : 60 + 3.0 * (double)e->n_vms;

	phase(e, "guests");
	r = vl_journal_step(&e->j, "start guests", err);
	for (size_t i = 0; r == 0 && i < p->n_nodes; i++) {
		if (!p->nodes[i].res.vm)
			continue;
		if ((ready[n] = vl_node_vm_start(p, i, e->vm, e->cg, err)) < 0) {
			r = -1;
			break;
		}
		nodes[n++] = i;
	}
	if (r == 0) {
		phase(e, "guests booting");
		r = vl_node_vm_wait(p, nodes, ready, n, timeout, &interrupted, err);
	} else {
		for (size_t k = 0; k < n; k++)
			close(ready[k]);
	}
	free(nodes);
	free(ready);
	return r;
}

static int do_up(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	char path[PATH_MAX];
	char **names;

	phase(e, "files");
	if (write_lab_files(e, err) < 0)
		return -1;
	if (vl_netns_dir_prepare(err) < 0)
		return -1;
	vl_lab_path(p->lab, "ns", path, sizeof(path));
	if (vl_journal_add(&e->j, "mount", path, err) < 0 ||
	    vl_mount_private_dir(path, 1 << 20, err) < 0)
		return -1;

	if (e->cg) {
		char cgpath[128], rec[160];

		/* The lab's cgroup, parent of its nodes': "cgroup MANAGER PATH". */
		vl_plan_lab_cgroup(p->lab, cgpath, sizeof(cgpath));
		snprintf(rec, sizeof(rec), "%s %s", e->cg->name, cgpath);
		if (vl_journal_add(&e->j, "cgroup", rec, err) < 0 ||
		    e->cg->create(cgpath, &(struct vl_cg_limits){0}, err) < 0)
			return -1;
	}
	if (p->backend != VL_BACKEND_PROC) {
		if (raise_backlog(e, err) < 0)
			return -1;
		phase(e, "switches");
		if (create_infra(e, err) < 0 || check_interrupt(err) < 0)
			return -1;
		if (choose_link_paths(e, err) < 0)
			return -1;
	}

	for (size_t i = 0; i < p->n_nodes; i++)
		e->n_vms += p->nodes[i].res.vm;
	if (e->n_vms) {
		phase(e, "guest image");
		if (vl_node_vm_prepare(p, e->opts->vm_kernel, e->opts->vm_machine,
		                       e->opts->vm_programs, e->opts->n_vm_programs, &e->vm,
		                       err) < 0)
			return -1;
	}

	phase(e, "nodes");
	if (p->backend != VL_BACKEND_PROC) {
		names = vl_xcalloc(p->n_nodes, sizeof(*names));
		for (size_t i = 0; i < p->n_nodes; i++)
			names[i] = (char *)p->nodes[i].netns;
		if (vl_journal_add_many(&e->j, "netns", names, p->n_nodes, err) < 0) {
			free(names);
			return -1;
		}
		free(names);
	}
	if (run_workers(e, build_nodes, p->n_nodes, err) < 0)
		return -1;
	e->j.step += (long)p->n_nodes;
	if (check_interrupt(err) < 0)
		return -1;
	if (p->backend == VL_BACKEND_PROC) {
		phase(e, "state");
		return vl_journal_step(&e->j, "write state", err);
	}

	phase(e, "switch ports");
	if (attach_switch_ports(e, err) < 0 || check_interrupt(err) < 0)
		return -1;

	phase(e, "node-to-node links");
	if (create_p2p_links(e, err) < 0)
		return -1;
	if (run_workers(e, configure_p2p_nodes, p->n_nodes, err) < 0)
		return -1;
	e->j.step += (long)p->n_nodes;
	if (check_interrupt(err) < 0)
		return -1;
	if (e->n_vms && start_guests(e, err) < 0)
		return -1;
	phase(e, "state");
	return vl_journal_step(&e->j, "write state", err);
}

/* Every node gets a cgroup where the machine has usable ones; without,
 * a lab still comes up unless it needs them (limits, or proc nodes, which
 * are found through their cgroups). */
static int choose_cgroups(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	struct vl_err cerr = {0};
	const char *needs = p->backend == VL_BACKEND_PROC ? "the proc backend" : NULL;

	for (size_t i = 0; i < p->n_nodes && !needs; i++) {
		const struct vl_plan_res *r = &p->nodes[i].res;

		if (r->cpus || r->cpu_weight || r->cpuset[0] || r->memory || r->pids)
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

int vl_engine_up(const struct vl_topo *t, const char *lab, const struct vl_up_opts *o,
                 struct vl_up_result *res, struct vl_err *err)
{
	struct engine e = {
	    .backend = vl_node_backend_for(o->backend), .progress = o->progress, .opts = o};
	struct vl_plan *plan = NULL;
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
	char id[VL_LAB_ID_LEN + 1], path[PATH_MAX];
	const char *why;
	double t0 = vl_now();
	int lock = -1, r = -1;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if ((why = vl_name_invalid(lab)))
		return vl_err_set(err, EINVAL, "lab name \"%s\" %s", lab, why);
	if (geteuid() != 0)
		return vl_err_set(err, EPERM,
		                  "vnetlab up needs root (CAP_SYS_ADMIN and "
		                  "CAP_NET_ADMIN): run it with sudo");
	if (mkdir(VL_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", VL_RUN_DIR);
	if (vl_lab_exists(lab)) {
		if (vl_lab_is_complete(lab))
			return vl_err_set(err, EEXIST, "lab %s is already up (vnetlab down %s)",
			                  lab, lab);
		return vl_err_set(err, EEXIST,
		                  "lab %s has leftovers of an up that did not finish: "
		                  "run vnetlab clean (or vnetlab down %s)",
		                  lab, lab);
	}
	vl_lab_id_from_name(lab, id);
	for (int k = 0; id_in_use(lab, id); k++) {
		if (k > 0xffff)
			return vl_err_set(err, EBUSY, "no free lab id");
		vl_lab_id_next(id);
	}
	if (vl_plan_build(t, lab, id, o->backend, &plan, err) < 0)
		return -1;
	e.plan = plan;
	e.have_ipv6 = access("/proc/sys/net/ipv6", F_OK) == 0;
	if (choose_cgroups(&e, err) < 0) {
		vl_plan_free(plan);
		return -1;
	}
	e.workers = o->workers > 0 ? o->workers : (ncpu > 0 ? (int)ncpu : 1);
	if (getenv("VNETLAB_WORKERS")) {
		unsigned long w;

		if (vl_parse_uint(getenv("VNETLAB_WORKERS"), 1, 64, &w) == 0)
			e.workers = (int)w;
	}
	raise_nofile();

	vl_lab_path(lab, NULL, path, sizeof(path));
	if (mkdir(path, 0755) < 0) {
		int er = errno;

		vl_plan_free(plan);
		if (er == EEXIST)
			return vl_err_set(err, EEXIST, "lab %s is being created by another vnetlab",
			                  lab);
		return vl_err_sys(err, er, "mkdir %s", path);
	}
	lock = vl_lab_lock(lab, 0, err);
	if (lock < 0 || vl_journal_open(&e.j, lab, err) < 0) {
		vl_plan_free(plan);
		if (lock >= 0)
			close(lock);
		vl_rmtree(path, NULL);
		return -1;
	}
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	{
		char rec[128];

		snprintf(rec, sizeof(rec), "%s %s", lab, id);
		r = vl_journal_add(&e.j, "lab", rec, err);
	}
	if (r == 0)
		r = do_up(&e, err);
	if (r == 0) {
		double secs = vl_now() - t0;

		r = vl_state_write(plan, secs, err);
		/* the link engine reads state.json: start it once that exists */
		for (size_t v = 0; r == 0 && v < plan->n_veths; v++) {
			if (!plan->veths[v].user)
				continue;
			r = vl_journal_add(&e.j, "linkd", lab, err);
			if (r == 0)
				r = vl_linkd_start(lab, e.cg ? e.cg->name : NULL, err);
			if (r == 0)
				r = vl_state_write(plan, vl_now() - t0, err);
			break;
		}
		phase(&e, "done");
		if (r == 0 && res) {
			res->seconds = secs;
			snprintf(res->id, sizeof(res->id), "%s", id);
		}
	}
	if (e.progress)
		fputs("\r\033[K", stderr);
	vl_nl_close(&e.infra);
	vl_node_vm_lab_free(e.vm);
	if (r < 0) {
		struct vl_err uerr = {0};

		vl_err_wrap(err, "lab %s", lab);
		if (undo_lab(lab, &uerr) < 0)
			fprintf(stderr, "vnetlab: undo after failure: %s\n", uerr.msg);
	}
	vl_journal_close(&e.j);
	close(lock);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	interrupted = 0;
	vl_plan_free(plan);
	return r;
}

/* Network namespace inodes of every node of a lab, from its journal. */
static int lab_netns_inodes(const char *lab, ino_t **out, size_t *n_out, struct vl_err *err)
{
	struct vl_journal_rec *recs;
	size_t n, cnt = 0;
	ino_t *v;
	char path[PATH_MAX];

	if (vl_journal_read(lab, &recs, &n, err) < 0)
		return -1;
	v = vl_xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		ino_t ino;

		if (strcmp(recs[i].verb, "netns"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, recs[i].arg);
		if ((ino = vl_ns_inode(path)))
			v[cnt++] = ino;
	}
	vl_journal_recs_free(recs, n);
	qsort(v, cnt, sizeof(*v), vl_cmp_ino);
	*out = v;
	*n_out = cnt;
	return 0;
}

static int cmp_proc(const void *a, const void *b)
{
	pid_t x = ((const struct vl_proc *)a)->pid, y = ((const struct vl_proc *)b)->pid;

	return x < y ? -1 : x > y;
}

static const struct vl_cgroup_manager *lab_cgroups(const char *lab);

/* Every process in one of the lab's network namespaces (ns nodes, also
 * those started with `ip netns exec`), and every process in its cgroups
 * (proc nodes, and what a node's programs forked). */
int vl_engine_lab_procs(const char *lab, struct vl_proc **procs, size_t *n, struct vl_err *err)
{
	const struct vl_cgroup_manager *cg = lab_cgroups(lab);
	ino_t *inodes;
	size_t n_inodes, cnt, cap;
	pid_t *pids = NULL;
	size_t n_pids = 0;
	char path[256];
	struct vl_proc *v;

	if (lab_netns_inodes(lab, &inodes, &n_inodes, err) < 0)
		return -1;
	if (vl_proc_find_in_netns(inodes, n_inodes, &v, &cnt, err) < 0) {
		free(inodes);
		return -1;
	}
	free(inodes);
	vl_plan_lab_cgroup(lab, path, sizeof(path));
	cap = cnt;
	if (cg && cg->procs(path, &pids, &n_pids, NULL) == 0) {
		if (cnt)
			qsort(v, cnt, sizeof(*v), cmp_proc);
		for (size_t i = 0, base = cnt; i < n_pids; i++) {
			struct vl_proc key = {.pid = pids[i]};

			if (pids[i] == getpid() ||
			    (base && bsearch(&key, v, base, sizeof(*v), cmp_proc)))
				continue;
			vl_grow(&v, &cap, cnt, sizeof(*v));
			v[cnt] = key;
			vl_proc_describe(&v[cnt]);
			cnt++;
		}
	}
	free(pids);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_proc);
	*procs = v;
	*n = cnt;
	return 0;
}

static int valid_netns_record(const char *lab, const char *arg, const char *id)
{
	/* Only names tagged with this lab's id are ever touched. */
	return !strncmp(arg, "vl", 2) && !strncmp(arg + 2, id, VL_LAB_ID_LEN) &&
	       (arg[2 + VL_LAB_ID_LEN] == '-' || arg[2 + VL_LAB_ID_LEN] == '.') &&
	       !strchr(arg, '/');
}

/* Undo a "cgroup MANAGER vnetlab/LAB" record: kill what is left in the
 * lab's cgroups and remove them. */
static int destroy_cgroup(const char *lab, const char *rec, struct vl_err *err)
{
	char name[16], path[256], want[256];
	const struct vl_cgroup_manager *cg;

	vl_plan_lab_cgroup(lab, want, sizeof(want));
	if (sscanf(rec, "%15s %255s", name, path) != 2 || strcmp(path, want))
		return 0; /* not a record of ours */
	if (!(cg = vl_cgroup_get(name, err)))
		return -1;
	if (cg->destroy(path, err) < 0)
		return -1;
	/* The last lab out removes vnetlab's root cgroup, if nothing else (a
	 * lab being made, a test) is in it. */
	char **labs;
	size_t n;
	int others = 0;

	if (vl_lab_list(&labs, &n, NULL) == 0) {
		for (size_t i = 0; i < n; i++)
			others |= strcmp(labs[i], lab) != 0;
		vl_strv_free(labs, n);
	}
	return others ? 0 : vl_cgroup_prune(cg, VL_CGROUP_ROOT, err);
}

/* The lab's cgroup manager, from its state directory (NULL: none). */
static const struct vl_cgroup_manager *lab_cgroups(const char *lab)
{
	char path[PATH_MAX], *s;
	const struct vl_cgroup_manager *cg;

	vl_lab_path(lab, "cgroup", path, sizeof(path));
	if (vl_read_file(path, &s, NULL, NULL) < 0)
		return NULL;
	cg = vl_cgroup_get(s, NULL);
	free(s);
	return cg;
}

/* Stop the lab's processes, then undo its journal in reverse. */
static int undo_lab(const char *lab, struct vl_err *err)
{
	struct vl_journal_rec *recs = NULL;
	struct vl_proc *procs = NULL;
	size_t n = 0, n_procs = 0;
	char id[VL_LAB_ID_LEN + 1] = "", labdir[PATH_MAX], nsdir[PATH_MAX], filesdir[PATH_MAX];
	int r = 0;

	vl_lab_path(lab, NULL, labdir, sizeof(labdir));
	vl_lab_path(lab, "ns", nsdir, sizeof(nsdir));
	vl_lab_path(lab, VL_LAB_FILES, filesdir, sizeof(filesdir));
	if (vl_engine_lab_procs(lab, &procs, &n_procs, err) == 0 && n_procs) {
		size_t left = vl_proc_stop(procs, n_procs, 3.0);

		if (left)
			fprintf(stderr, "vnetlab: %s: %zu processes would not die\n", lab, left);
	}
	free(procs);
	if (vl_journal_read(lab, &recs, &n, err) < 0) {
		/* No journal: only the directory itself can be ours. */
		vl_umount_lazy(nsdir, NULL);
		vl_umount_lazy(filesdir, NULL);
		vl_err_clear(err);
		return vl_rmtree(labdir, err);
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(recs[i].verb, "lab")) {
			const char *sp = strchr(recs[i].arg, ' ');

			if (sp && strlen(sp + 1) == VL_LAB_ID_LEN)
				memcpy(id, sp + 1, VL_LAB_ID_LEN + 1);
		}
	for (size_t i = n; i-- > 0;) {
		struct vl_journal_rec *rec = &recs[i];
		struct vl_err e2 = {0};
		int rr = 0;

		if (!strcmp(rec->verb, "netns")) {
			if (id[0] && valid_netns_record(lab, rec->arg, id))
				rr = vl_node_destroy_netns(rec->arg, &e2);
		} else if (!strcmp(rec->verb, "mount")) {
			if (!strcmp(rec->arg, nsdir) || !strcmp(rec->arg, filesdir))
				rr = vl_umount_lazy(rec->arg, &e2);
		} else if (!strcmp(rec->verb, "linkd")) {
			pid_t pid = vl_linkd_pid(lab);

			if (pid > 0) {
				struct vl_proc pr = {.pid = pid};

				vl_proc_stop(&pr, 1, 3.0);
			}
		} else if (!strcmp(rec->verb, "cgroup")) {
			rr = destroy_cgroup(lab, rec->arg, &e2);
		} else if (!strcmp(rec->verb, "sysctl")) {
			restore_backlog(lab, rec->arg);
		} else if (!strcmp(rec->verb, "lab")) {
			/* The first record: the lab directory itself. */
			rr = vl_rmtree(labdir, &e2);
		}
		if (rr < 0 && r == 0) {
			*err = e2;
			r = -1;
		}
	}
	vl_journal_recs_free(recs, n);
	return r;
}

static int check_node(const char *lab, const char *node, struct vl_err *err)
{
	char rel[128], path[PATH_MAX];
	const char *why;

	if ((why = vl_name_invalid(lab)))
		return vl_err_set(err, EINVAL, "lab name \"%s\" %s", lab, why);
	if ((why = vl_name_invalid(node)))
		return vl_err_set(err, EINVAL, "node name \"%s\" %s", node, why);
	if (!vl_lab_exists(lab))
		return vl_err_set(err, ENOENT, "no lab named %s", lab);
	snprintf(rel, sizeof(rel), "ns/%s.mnt", node);
	vl_lab_path(lab, rel, path, sizeof(path));
	if (access(path, F_OK) < 0)
		return vl_err_set(err, ENOENT, "lab %s has no node %s", lab, node);
	return 0;
}

int vl_engine_join_node(const char *lab, const char *node, int *pid_ns, struct vl_err *err)
{
	char id[VL_LAB_ID_LEN + 1], path[PATH_MAX], *b = NULL;
	int backend = VL_BACKEND_NS, r;

	if (check_node(lab, node, err) < 0 || vl_lab_read_id(lab, id, err) < 0)
		return -1;
	vl_lab_path(lab, "backend", path, sizeof(path));
	if (vl_read_file(path, &b, NULL, NULL) == 0 && (backend = vl_backend_parse(b)) < 0) {
		free(b);
		return vl_err_set(err, EINVAL, "%s: not a backend", path);
	}
	free(b);
	r = vl_node_backend_for((enum vl_backend)backend)->enter(lab, id, node, pid_ns, err);
	return r;
}

int vl_engine_attach_node(const char *lab, const char *node, struct vl_err *err)
{
	const struct vl_cgroup_manager *cg;
	char path[256];

	if (check_node(lab, node, err) < 0)
		return -1;
	if (!(cg = lab_cgroups(lab)))
		return 0;
	snprintf(path, sizeof(path), "vnetlab/%s/%s", lab, node);
	if (cg->attach(path, 0, err) < 0)
		return vl_err_wrap(err, "node %s", node);
	return 0;
}

int vl_engine_down(const char *lab, bool missing_ok, struct vl_err *err)
{
	const char *why;
	int lock, r;

	if ((why = vl_name_invalid(lab)))
		return vl_err_set(err, EINVAL, "lab name \"%s\" %s", lab, why);
	if (!vl_lab_exists(lab)) {
		if (missing_ok)
			return 0;
		return vl_err_set(err, ENOENT, "no lab named %s", lab);
	}
	lock = vl_lab_lock(lab, 1, err);
	if (lock < 0)
		return -1;
	r = undo_lab(lab, err);
	close(lock);
	if (r < 0)
		vl_err_wrap(err, "lab %s", lab);
	return r;
}

/* "vl" + 4 hex + ('-' node | ".sw") */
static int tagged_id(const char *name, char id[VL_LAB_ID_LEN + 1])
{
	if (strncmp(name, "vl", 2))
		return 0;
	for (int i = 0; i < VL_LAB_ID_LEN; i++) {
		char c = name[2 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
		id[i] = c;
	}
	id[VL_LAB_ID_LEN] = '\0';
	return (name[6] == '-' && !vl_name_invalid(name + 7)) || !strcmp(name + 6, ".sw");
}

int vl_engine_clean(bool dry_run, void (*say)(const char *what, void *data), void *data,
                    struct vl_err *err)
{
	char **labs = NULL, **live_ids;
	size_t n_labs = 0, n_live = 0;
	char msg[PATH_MAX + 64];
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (vl_lab_list(&labs, &n_labs, err) < 0)
		return -1;
	live_ids = vl_xcalloc(n_labs + 1, sizeof(*live_ids));
	for (size_t i = 0; i < n_labs; i++) {
		char id[VL_LAB_ID_LEN + 1];
		int lock = vl_lab_lock(labs[i], 0, NULL);

		if (lock < 0) {
			/* Held: an up or down is running; leave it alone. */
			if (vl_lab_read_id(labs[i], id, NULL) == 0)
				live_ids[n_live++] = vl_xstrdup(id);
			continue;
		}
		if (vl_lab_is_complete(labs[i])) {
			if (vl_lab_read_id(labs[i], id, NULL) == 0)
				live_ids[n_live++] = vl_xstrdup(id);
			close(lock);
			continue;
		}
		snprintf(msg, sizeof(msg), "lab %s (its up did not finish)", labs[i]);
		say(msg, data);
		if (!dry_run && undo_lab(labs[i], err) < 0) {
			vl_err_wrap(err, "lab %s", labs[i]);
			r = -1;
		}
		close(lock);
	}
	/* Namespaces tagged as ours whose lab is gone (its directory lost). */
	d = opendir(VL_NETNS_RUN_DIR);
	while (d && (de = readdir(d))) {
		char id[VL_LAB_ID_LEN + 1], path[PATH_MAX];
		int live = 0;

		if (!tagged_id(de->d_name, id))
			continue;
		for (size_t i = 0; i < n_live && !live; i++)
			live = !strcmp(live_ids[i], id);
		for (size_t i = 0; i < n_labs && !live; i++) {
			char lid[VL_LAB_ID_LEN + 1];

			live = vl_lab_exists(labs[i]) && vl_lab_read_id(labs[i], lid, NULL) == 0 &&
			       !strcmp(lid, id);
		}
		if (live)
			continue;
		snprintf(msg, sizeof(msg), "network namespace %s (no lab)", de->d_name);
		say(msg, data);
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, de->d_name);
		if (dry_run)
			continue;
		ino_t ino = vl_ns_inode(path);
		struct vl_proc *procs = NULL;
		size_t n_procs = 0;

		if (ino && vl_proc_find_in_netns(&ino, 1, &procs, &n_procs, NULL) == 0 && n_procs)
			vl_proc_stop(procs, n_procs, 3.0);
		free(procs);
		if (vl_ns_unbind(path, err) < 0)
			r = -1;
	}
	if (d)
		closedir(d);
	vl_strv_free(live_ids, n_live);
	vl_strv_free(labs, n_labs);
	return r;
}
