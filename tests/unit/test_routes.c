/* test_routes [DIR]: the plan's routes deliver every packet.
 *
 * For each topology - ring,N for N = 3..40 and 1000, the other generators,
 * the plan tests' DIR/<case>.yml that build with vnetlab's addresses (DIR
 * defaults to tests/plan),
 * and random ones (routers, hosts and switches joined at random: several
 * gateways on a LAN, multi-homed hosts, parts cut off) - every node sends
 * to every address of the lab. Hop by hop, with longest-prefix match over
 * the node's routes and its connected subnets (as the kernel does), the
 * packet must reach the address's owner, pass only through routers, never
 * loop, and cross at most as many segments as a shortest path does (found
 * here by a breadth-first search of its own, over segments and routers).
 *
 * Each route is checked too: its prefix aligned, not equal to another of
 * the node's routes or to one of its connected subnets (the kernel would
 * refuse it), its gateway on the outgoing interface's subnet and a router
 * there. Around a ring of N routers no router may have more than
 * 4 log2(N) + 1 routes.
 *
 * Prints "ok NAME" or "FAIL NAME: ..." per case, then exactly
 * "N passed, M failed, K skipped"; exit status 1 iff M > 0. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "plan/plan.h"
#include "topo/topo.h"

#define FAR SIZE_MAX /* no path */

/* What the plans checked so far had: nodes with routes through several
 * gateways, those with a default route besides, pairs with no path. */
static size_t seen_multi, seen_default_multi, seen_far;

/* Who has an address. */
struct owner {
	uint32_t addr;
	size_t node, ifi;
};

struct net {
	const struct vl_plan *p;
	struct owner *own; /* every address, sorted */
	size_t n_own;
	size_t *seg_start; /* segment s's interfaces: on[seg_start[s] .. seg_start[s + 1]) */
	struct owner *on;
	/* per destination: */
	size_t *segdist; /* segment -> segments crossed from it to the destination's, or FAR */
	size_t *queue;
	long *hops; /* node -> segments its packet crosses; -1 unknown, -2 on the path, -3 lost */
	const char **lost; /* node -> why its packet is lost */
	size_t *path;
};

static uint32_t mask(int prefix)
{
	return prefix ? ~0u << (32 - prefix) : 0;
}

static int cmp_owner(const void *x, const void *y)
{
	uint32_t a = ((const struct owner *)x)->addr, b = ((const struct owner *)y)->addr;

	return a < b ? -1 : a > b;
}

static const struct owner *owner_of(const struct net *n, uint32_t addr)
{
	struct owner key = {addr, 0, 0};

	return bsearch(&key, n->own, n->n_own, sizeof(key), cmp_owner);
}

static void net_init(struct net *n, const struct vl_plan *p)
{
	size_t n_ifs = 0;

	memset(n, 0, sizeof(*n));
	n->p = p;
	for (size_t i = 0; i < p->n_nodes; i++)
		n_ifs += p->nodes[i].n_ifs;
	n->own = vl_xcalloc(n_ifs + 1, sizeof(*n->own));
	n->on = vl_xcalloc(n_ifs + 1, sizeof(*n->on));
	n->seg_start = vl_xcalloc(p->n_segs + 2, sizeof(*n->seg_start));
	for (size_t i = 0; i < p->n_nodes; i++)
		for (size_t j = 0; j < p->nodes[i].n_ifs; j++) {
			const struct vl_plan_if *f = &p->nodes[i].ifs[j];

			if (f->addr)
				n->own[n->n_own++] = (struct owner){f->addr, i, j};
			if (f->seg >= 0)
				n->seg_start[f->seg + 2]++;
		}
	qsort(n->own, n->n_own, sizeof(*n->own), cmp_owner);
	for (size_t s = 0; s < p->n_segs; s++)
		n->seg_start[s + 2] += n->seg_start[s + 1];
	for (size_t i = 0; i < p->n_nodes; i++)
		for (size_t j = 0; j < p->nodes[i].n_ifs; j++) {
			int s = p->nodes[i].ifs[j].seg;

			if (s >= 0)
				n->on[n->seg_start[s + 1]++] =
				    (struct owner){p->nodes[i].ifs[j].addr, i, j};
		}
	n->segdist = vl_xcalloc(p->n_segs + 1, sizeof(*n->segdist));
	n->queue = vl_xcalloc(p->n_segs + 1, sizeof(*n->queue));
	n->hops = vl_xcalloc(p->n_nodes + 1, sizeof(*n->hops));
	n->path = vl_xcalloc(p->n_nodes + 1, sizeof(*n->path));
	n->lost = vl_xcalloc(p->n_nodes + 1, sizeof(*n->lost));
}

static void net_free(struct net *n)
{
	free(n->own);
	free(n->on);
	free(n->seg_start);
	free(n->segdist);
	free(n->queue);
	free(n->hops);
	free(n->path);
	free(n->lost);
}

/* segdist[] towards segment dst: 1 on it, k + 1 one router beyond k. */
static void shortest(struct net *n, size_t dst)
{
	const struct vl_plan *p = n->p;
	size_t head = 0, tail = 0;

	for (size_t s = 0; s < p->n_segs; s++)
		n->segdist[s] = FAR;
	n->segdist[dst] = 1;
	n->queue[tail++] = dst;
	while (head < tail) {
		size_t g = n->queue[head++];

		for (size_t k = n->seg_start[g]; k < n->seg_start[g + 1]; k++) {
			const struct vl_plan_node *r = &p->nodes[n->on[k].node];

			if (!r->forward)
				continue;
			for (size_t j = 0; j < r->n_ifs; j++) {
				int h = r->ifs[j].seg;

				if (h >= 0 && n->segdist[h] == FAR) {
					n->segdist[h] = n->segdist[g] + 1;
					n->queue[tail++] = (size_t)h;
				}
			}
		}
	}
}

/* Where node v sends a packet for addr, as the kernel would: the longest
 * prefix of its connected subnets and routes. 0 and *seg: delivered on
 * that segment; 1 and *via: to that gateway, on interface *oif; -1: no route. */
static int lookup(const struct vl_plan_node *v, uint32_t addr, int *seg, uint32_t *via, int *oif)
{
	int best = -1, what = -1;

	for (size_t j = 0; j < v->n_ifs; j++) {
		const struct vl_plan_if *f = &v->ifs[j];

		if (f->addr && f->prefix > best && !((addr ^ f->addr) & mask(f->prefix))) {
			best = f->prefix;
			what = 0;
			*seg = f->seg;
		}
	}
	for (size_t k = 0; k < v->n_routes; k++) {
		const struct vl_plan_route *r = &v->routes[k];

		if (r->prefix > best && !((addr ^ r->dst) & mask(r->prefix))) {
			best = r->prefix;
			what = 1;
			*via = r->via;
			*oif = r->oif;
		}
	}
	return what;
}

/* One step of a packet for a (owned by node d, interface di) held by v:
 * 0 arrived on a segment, 1 handed to *next, -1 lost (why). */
static int step(const struct net *n, size_t v, const struct owner *a, size_t *next,
                const char **why)
{
	const struct vl_plan_node *vn = &n->p->nodes[v];
	int seg = -1, oif = -1;
	uint32_t via = 0;
	const struct owner *g;

	switch (lookup(vn, a->addr, &seg, &via, &oif)) {
	case 0:
		if (seg != n->p->nodes[a->node].ifs[a->ifi].seg) {
			*why = "delivered on a segment its owner is not on";
			return -1;
		}
		return 0;
	case 1:
		g = owner_of(n, via);
		if (!g || n->p->nodes[g->node].ifs[g->ifi].seg != vn->ifs[oif].seg) {
			*why = "gateway not on the outgoing interface's segment";
			return -1;
		}
		if (g->node != a->node && !n->p->nodes[g->node].forward) {
			*why = "handed to a host that does not own the address";
			return -1;
		}
		*next = g->node;
		return 1;
	default:
		*why = "no route";
		return -1;
	}
}

/* hops[] of every node towards address a: followed from each node until
 * the owner, a node already known, or a node already on the path (a
 * loop); lost[] says why a node's packets are lost (hops -3). */
static void walk_to(struct net *n, const struct owner *a)
{
	const struct vl_plan *p = n->p;

	for (size_t v = 0; v < p->n_nodes; v++)
		n->hops[v] = v == a->node ? 0 : -1;
	for (size_t src = 0; src < p->n_nodes; src++) {
		size_t len = 0, v = src, next = 0;
		long h = -1; /* hops of the path's last node */
		const char *lost = NULL;

		while (n->hops[v] == -1) {
			int r;

			n->hops[v] = -2;
			n->path[len++] = v;
			r = step(n, v, a, &next, &lost);
			if (r == 0)
				h = 1;
			if (r <= 0)
				break;
			v = next;
		}
		if (len > 0 && h < 0 && !lost) { /* stopped at a node seen before */
			if (n->hops[v] == -2)
				lost = "loops";
			else if (n->hops[v] == -3)
				lost = n->lost[v];
			else
				h = n->hops[v] + 1;
		}
		while (len > 0) { /* the path's nodes, last first */
			size_t u = n->path[--len];

			n->hops[u] = lost ? -3 : h++;
			n->lost[u] = lost;
		}
	}
}

/* Every node's packet for a: arrived, within a shortest path's segments. */
static void check_hops(struct net *n, const struct owner *a, struct vl_buf *why)
{
	const struct vl_plan *p = n->p;
	char ip[16];

	vl_fmt_ip(a->addr, ip);
	for (size_t src = 0; src < p->n_nodes && why->len < 2000; src++) {
		size_t bound = FAR;

		if (src == a->node)
			continue;
		for (size_t j = 0; j < p->nodes[src].n_ifs; j++) {
			int s = p->nodes[src].ifs[j].seg;

			if (s >= 0 && n->segdist[s] < bound)
				bound = n->segdist[s];
		}
		if (bound == FAR) {
			seen_far++;
			/* nothing says where to send it: it may be lost */
			if (n->hops[src] >= 0)
				why_add(why, "%s -> %s: arrives though no path leads there",
				        p->nodes[src].name, ip);
		} else if (n->hops[src] < 0) {
			why_add(why, "%s -> %s (%s): %s", p->nodes[src].name, ip,
			        p->nodes[a->node].name, n->lost[src] ? n->lost[src] : "lost");
		} else if ((size_t)n->hops[src] > bound) {
			why_add(why, "%s -> %s: %ld segments crossed, a shortest path crosses %zu",
			        p->nodes[src].name, ip, n->hops[src], bound);
		}
	}
}

/* The routes themselves, and the most any node has. */
static size_t check_routes(const struct net *n, struct vl_buf *why)
{
	const struct vl_plan *p = n->p;
	size_t most = 0;

	for (size_t i = 0; i < p->n_nodes; i++) {
		const struct vl_plan_node *v = &p->nodes[i];

		if (v->n_routes > most)
			most = v->n_routes;
		for (size_t k = 1; k < v->n_routes; k++)
			if (v->routes[k].via != v->routes[0].via) {
				seen_multi++;
				seen_default_multi += v->routes[0].prefix == 0;
				break;
			}
		for (size_t k = 0; k < v->n_routes && why->len < 2000; k++) {
			const struct vl_plan_route *r = &v->routes[k];
			const struct vl_plan_if *f;
			const struct owner *g;

			if (r->prefix < 0 || r->prefix > 32 || (r->dst & ~mask(r->prefix))) {
				why_add(why, "%s: route %u/%d not aligned", v->name, r->dst,
				        r->prefix);
				continue;
			}
			if (r->oif < 0 || (size_t)r->oif >= v->n_ifs) {
				why_add(why, "%s: route with interface %d", v->name, r->oif);
				continue;
			}
			for (size_t l = 0; l < k; l++)
				if (v->routes[l].dst == r->dst && v->routes[l].prefix == r->prefix)
					why_add(why, "%s: two routes for one prefix", v->name);
			for (size_t j = 0; j < v->n_ifs; j++) {
				f = &v->ifs[j];
				if (f->addr && f->prefix == r->prefix &&
				    (f->addr & mask(f->prefix)) == r->dst)
					why_add(why, "%s: a route for its connected subnet",
					        v->name);
			}
			f = &v->ifs[r->oif];
			g = owner_of(n, r->via);
			if (!f->addr || ((f->addr ^ r->via) & mask(f->prefix)) || r->via == f->addr)
				why_add(why, "%s: gateway not on %s's subnet", v->name, f->name);
			else if (!g || !p->nodes[g->node].forward)
				why_add(why, "%s: gateway is not a router's", v->name);
		}
	}
	return most;
}

/* Every check on one plan; max_routes 0: no limit on routes per node. */
static void check_plan(const char *name, const struct vl_plan *p, size_t max_routes)
{
	cleanup_buf struct vl_buf why = {0};
	struct net n;
	size_t most, pairs = 0;

	net_init(&n, p);
	most = check_routes(&n, &why);
	if (max_routes && most > max_routes)
		why_add(&why, "a node has %zu routes, more than %zu", most, max_routes);
	for (size_t s = 0; s < p->n_segs; s++) {
		if (!p->segs[s].n_members)
			continue;
		shortest(&n, s);
		for (size_t k = n.seg_start[s]; k < n.seg_start[s + 1]; k++) {
			const struct owner *a = &n.on[k];

			if (!a->addr)
				continue;
			walk_to(&n, a);
			check_hops(&n, a, &why);
			pairs += p->n_nodes - 1;
		}
	}
	if (why.len)
		result(name, 0, "%s", why.s);
	else
		result(name, 1, "%zu nodes, %zu pairs, at most %zu routes a node", p->n_nodes,
		       pairs, most);
	net_free(&n);
}

static void check_topo(const char *name, const struct vl_topo *t, size_t max_routes)
{
	struct vl_plan *p = NULL;
	struct vl_err err = {0};

	if (vl_plan_build(t, "t", "00a1", VL_BACKEND_NS, &p, &err) < 0) {
		result(name, 0, "plan: %s", err.msg);
		return;
	}
	check_plan(name, p, max_routes);
	vl_plan_free(p);
}

static void check_spec(const char *spec, size_t max_routes)
{
	struct vl_topo *t = NULL;
	struct vl_err err = {0};

	if (vl_topo_generate(spec, &t, &err) < 0) {
		result(spec, 0, "generate: %s", err.msg);
		return;
	}
	check_topo(spec, t, max_routes);
	vl_topo_free(t);
}

static size_t log2_ceil(size_t n)
{
	size_t k = 0;

	while (((size_t)1 << k) < n)
		k++;
	return k;
}

static void test_rings(void)
{
	char spec[32];

	for (size_t n = 3; n <= 40; n++) {
		snprintf(spec, sizeof(spec), "ring,%zu", n);
		check_spec(spec, 4 * log2_ceil(n) + 1);
	}
	check_spec("ring,1000", 4 * log2_ceil(1000) + 1);
}

static void test_generators(void)
{
	check_spec("single,5", 0);
	check_spec("linear,4", 0);
	check_spec("linear,3,2", 0);
	check_spec("tree,2,3", 0);
	check_spec("tree,3,2", 0);
}

/* The plan tests' topology files that build. */
static void test_files(const char *dir)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);

	if (n < 0) {
		result(dir, 0, "cannot list it");
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *f = list[i]->d_name;
		size_t len = strlen(f);
		struct vl_topo *t = NULL;
		struct vl_plan *p = NULL;
		struct vl_err err = {0};

		if (len > 4 && !strcmp(f + len - 4, ".yml")) {
			cleanup_free char *path = vl_xasprintf("%s/%s", dir, f);

			/* the lab's own routes: the management network's default
			 * route goes to the host, not to a router of the lab */
			if (vl_topo_load_file(path, &t, &err) == 0)
				t->mgmt.on = 0;
			/* addressing none: the addresses and routes are the file's */
			if (t && t->addressing && vl_plan_build(t, "t", "00a1", VL_BACKEND_NS, &p, &err) == 0)
				check_plan(f, p, 0);
			vl_plan_free(p);
			vl_topo_free(t);
		}
		free(list[i]);
	}
	free(list);
}

static uint64_t rnd_state = 88172645463325252ull;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state % n);
}

static void add_link(struct vl_topo *t, unsigned *ports, size_t a, size_t b)
{
	struct vl_topo_link *l = vl_topo_add_link(t);
	size_t ends[2] = {a, b};

	for (int k = 0; k < 2; k++) {
		const char *pre = t->nodes[ends[k]].kind == VL_KIND_BRIDGE ? "p" : "eth";

		l->ep[k].node = ends[k];
		l->ep[k].ifname = vl_xasprintf("%s%u", pre, ports[ends[k]]++);
	}
}

/* Routers, hosts and switches, a random tree over them plus random links,
 * sometimes left in pieces. Links between switches merge their segments;
 * several routers on one switch make LANs with several gateways. */
static struct vl_topo *random_topo(void)
{
	struct vl_topo *t = vl_topo_new("random");
	size_t routers = 1 + rnd(14), hosts = rnd(10), switches = rnd(5);
	size_t n = routers + hosts + switches, extra = rnd((uint32_t)n + 1);
	cleanup_free unsigned *ports = vl_xcalloc(n, sizeof(*ports));
	int cut = rnd(6) == 0;
	char name[16];

	for (size_t i = 0; i < n; i++) {
		enum vl_kind kind = i < routers           ? VL_KIND_ROUTER
		                    : i < routers + hosts ? VL_KIND_LINUX
		                                          : VL_KIND_BRIDGE;

		snprintf(name, sizeof(name), "%c%zu", "rhs"[kind], i);
		vl_topo_add_node(t, name, (struct vl_pos){0, 0})->kind = kind;
	}
	/* a random tree (or forest), every node after the first hanging off an earlier one */
	for (size_t i = 1; i < n; i++) {
		if (cut && rnd(4) == 0)
			continue;
		add_link(t, ports, rnd((uint32_t)i), i);
	}
	for (size_t k = 0; k < extra; k++) {
		size_t a = rnd((uint32_t)n), b = rnd((uint32_t)n);

		if (a != b)
			add_link(t, ports, a, b);
	}
	return t;
}

static void test_random(void)
{
	char name[32];

	seen_multi = seen_default_multi = seen_far = 0;
	for (int k = 0; k < 400; k++) {
		struct vl_topo *t = random_topo();

		snprintf(name, sizeof(name), "random %d", k);
		check_topo(name, t, 0);
		vl_topo_free(t);
	}
	result("random coverage", seen_multi && seen_default_multi && seen_far,
	       "%zu nodes with several gateways, %zu of them with a default route; "
	       "%zu pairs with no path",
	       seen_multi, seen_default_multi, seen_far);
}

int main(int argc, char **argv)
{
	test_rings();
	test_generators();
	test_files(argc > 1 ? argv[1] : "tests/plan");
	test_random();
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
