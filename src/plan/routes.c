/* Static routes along shortest paths, aggregated.
 *
 * Only routers forward, so a path may pass through a router but never
 * through a host. For each source node a breadth-first search over the
 * segments finds, for every segment it reaches, the first hop (gateway and
 * interface) of a shortest path: the segment's group, for that source.
 *
 * One route per reachable segment would give every node of a ring of N
 * routers N routes (N^2 in all). Instead each source's groups are folded
 * over a binary trie of the lab's subnets, built once: a trie node all of
 * whose segments are in one group, apart from the source's own connected
 * segments (the kernel's routes for those are more specific than any route
 * added here) and space no segment has, becomes one route. No route covers
 * a segment of another group or one the source cannot reach, so routes
 * never overlap and longest-prefix match needs no exceptions. The group
 * with the most routes becomes the default route when that saves a route,
 * or when it is the only gateway and serves more than one segment (a
 * host's usual default route). Subnets reached through one gateway that
 * are consecutive, as around a ring, fold into O(log N) routes.
 *
 * Cost per source: O(S + M) for the search and O(S) for the trie (S
 * segments, M router interfaces); memory O(S + M), reused from source to
 * source, besides the routes kept. Hosts with one interface on the same
 * segment have the same routes: they are computed once. */
#include "plan/internal.h"

#include <stdlib.h>
#include <string.h>

/* A segment's (or a trie node's) label, for one source: the group of its
 * segments (>= 0), or one of these. */
enum {
	L_DC = -1,    /* don't care: connected to the source, or no segment at all */
	L_NONE = -2,  /* a segment the source cannot reach */
	L_MIXED = -3, /* segments of more than one of the above (not L_DC) */
};

/* The lab's subnets as a path-compressed binary trie, in preorder: node
 * i's left child is i + 1, its right child right, its subtree the nodes
 * i .. i + size - 1. A leaf is a segment's subnet; an inner node the
 * longest prefix common to the subnets below it (its length in
 * rstate.prefix). */
struct trie_node {
	uint32_t net;
	int32_t seg; /* a leaf's segment; -1 for inner nodes */
	uint32_t right, size;
};

/* A gateway of the source: the router interface a group's packets go to. */
struct group {
	uint32_t via;
	int oif;
	size_t n_segs, n_routes;
};

/* What one source's search leaves on a segment. */
struct seen {
	uint32_t stamp; /* src + 1 once reached from src */
	int32_t grp;    /* its group, L_DC if the source is on it */
};

/* Compact copies of the plan's graph (the search runs once per node over
 * all of it: it must stay in cache), the trie, and per source state.
 * Indexes are 32 bits: a plan has far fewer nodes, segments and
 * interfaces than 2^32 (memory runs out long before). */
struct rstate {
	struct vl_plan *p;
	uint32_t *start;  /* segment g's router members: start[g] .. start[g + 1] - 1 */
	uint32_t *m_node; /* member: the router */
	uint32_t *m_addr; /* member: the router's address on the segment */
	uint32_t *rstart; /* router r's segments: rseg[rstart[r] .. rstart[r + 1]) */
	int32_t *rseg;
	struct trie_node *trie;
	uint8_t *prefix;
	size_t n_trie;
	/* per source, reused: */
	struct seen *seen;    /* segment */
	uint32_t *mstamp;     /* member: src + 1 once it is a gateway of src */
	int32_t *mgrp;        /* member: its group */
	uint32_t *queue;      /* segments */
	int32_t *label;       /* trie node */
	struct group *groups; /* the source's gateways */
	size_t n_groups, cap_groups;
	uint32_t *cand; /* trie nodes that become routes */
	size_t n_cand, cap_cand;
};

static void add_route(struct vl_plan_node *node, uint32_t dst, int prefix, uint32_t via, int oif)
{
	size_t r = node->n_routes++;

	vl_grow(&node->routes, &node->cap_routes, r, sizeof(*node->routes));
	node->routes[r] = (struct vl_plan_route){dst, prefix, via, oif};
}

static int cmp_seg_net(const void *x, const void *y, void *arg)
{
	const struct vl_plan_seg *segs = arg;
	uint32_t a = segs[*(const size_t *)x].net, c = segs[*(const size_t *)y].net;

	return a < c ? -1 : a > c;
}

static uint32_t prefix_mask(int prefix)
{
	return prefix ? ~0u << (32 - prefix) : 0;
}

/* The trie over leaf[lo .. hi), subnets sorted by address and disjoint
 * (so any two differ within the shorter prefix); at most 33 levels deep. */
static void build_trie(struct rstate *st, const size_t *leaf, size_t lo, size_t hi)
{
	const struct vl_plan_seg *segs = st->p->segs;
	size_t i = st->n_trie++;

	if (hi - lo == 1) {
		st->trie[i] = (struct trie_node){segs[leaf[lo]].net, (int32_t)leaf[lo], 0, 1};
		st->prefix[i] = (uint8_t)segs[leaf[lo]].prefix;
		return;
	}
	uint32_t first = segs[leaf[lo]].net, last = segs[leaf[hi - 1]].net;
	int common = __builtin_clz(first ^ last);
	uint32_t bit = 1u << (31 - common);
	size_t a = lo + 1, z = hi - 1; /* the first subnet with that bit set */

	while (a < z) {
		size_t mid = a + (z - a) / 2;

		if (segs[leaf[mid]].net & bit)
			z = mid;
		else
			a = mid + 1;
	}
	st->trie[i] = (struct trie_node){first & prefix_mask(common), -1, 0, 0};
	st->prefix[i] = (uint8_t)common;
	build_trie(st, leaf, lo, a);
	st->trie[i].right = (uint32_t)st->n_trie;
	build_trie(st, leaf, a, hi);
	st->trie[i].size = (uint32_t)(st->n_trie - i);
}

static int32_t combine(int32_t a, int32_t b)
{
	if (a == L_DC)
		return b;
	if (b == L_DC || a == b)
		return a;
	return L_MIXED;
}

static int32_t new_group(struct rstate *st, const struct vl_plan_node *sn, uint32_t g, uint32_t m)
{
	struct group *gr;

	vl_grow(&st->groups, &st->cap_groups, st->n_groups, sizeof(*st->groups));
	gr = &st->groups[st->n_groups];
	gr->via = st->m_addr[m];
	gr->oif = -1;
	for (size_t j = 0; j < sn->n_ifs && gr->oif < 0; j++)
		if (sn->ifs[j].seg == (int)g)
			gr->oif = (int)j;
	gr->n_segs = gr->n_routes = 0;
	return (int32_t)st->n_groups++;
}

/* Breadth-first from src's segments: the group of every segment reached. */
static void search(struct rstate *st, size_t src)
{
	const struct vl_plan_node *sn = &st->p->nodes[src];
	struct seen *seen = st->seen;
	uint32_t head = 0, tail = 0, mark = (uint32_t)src + 1;

	st->n_groups = 0;
	for (size_t j = 0; j < sn->n_ifs; j++) {
		int s = sn->ifs[j].seg;

		if (s < 0 || seen[s].stamp == mark)
			continue;
		seen[s] = (struct seen){mark, L_DC};
		st->queue[tail++] = (uint32_t)s;
	}
	while (head < tail) {
		uint32_t g = st->queue[head++];

		for (uint32_t m = st->start[g]; m < st->start[g + 1]; m++) {
			uint32_t r = st->m_node[m];
			int32_t gid = seen[g].grp;

			if (r == src)
				continue;
			for (uint32_t k = st->rstart[r]; k < st->rstart[r + 1]; k++) {
				int32_t h = st->rseg[k];

				if (seen[h].stamp == mark)
					continue;
				if (gid == L_DC) { /* r is a gateway of src */
					if (st->mstamp[m] != mark) {
						st->mstamp[m] = mark;
						st->mgrp[m] = new_group(st, sn, g, m);
					}
					gid = st->mgrp[m];
				}
				seen[h] = (struct seen){mark, gid};
				st->groups[gid].n_segs++;
				st->queue[tail++] = (uint32_t)h;
			}
		}
	}
}

/* src's routes from its groups: the largest pure trie nodes, narrowed past
 * children that are all don't-care, and maybe a default route. */
static void fold(struct rstate *st, size_t src)
{
	struct vl_plan_node *sn = &st->p->nodes[src];
	const struct trie_node *t = st->trie;
	const struct seen *seen = st->seen;
	int32_t *label = st->label;
	uint32_t mark = (uint32_t)src + 1;
	long def = -1;

	for (size_t i = st->n_trie; i-- > 0;) {
		if (t[i].seg >= 0)
			label[i] = seen[t[i].seg].stamp == mark ? seen[t[i].seg].grp : L_NONE;
		else
			label[i] = combine(label[i + 1], label[t[i].right]);
	}
	st->n_cand = 0;
	for (size_t i = 0; i < st->n_trie;) {
		size_t j = i;

		if (label[i] == L_MIXED) {
			i++;
			continue;
		}
		i += t[i].size;
		if (label[j] < 0)
			continue; /* nothing to route, or nowhere to route it */
		while (t[j].seg < 0) {
			if (label[j + 1] == L_DC)
				j = t[j].right;
			else if (label[t[j].right] == L_DC)
				j++;
			else
				break;
		}
		vl_grow(&st->cand, &st->cap_cand, st->n_cand, sizeof(*st->cand));
		st->cand[st->n_cand++] = (uint32_t)j;
		st->groups[label[j]].n_routes++;
	}
	for (size_t g = 0; g < st->n_groups; g++)
		if (def < 0 || st->groups[g].n_routes > st->groups[def].n_routes)
			def = (long)g;
	if (def >= 0 &&
	    !(st->groups[def].n_routes >= 2 || (st->n_groups == 1 && st->groups[def].n_segs >= 2)))
		def = -1;
	if (def >= 0)
		add_route(sn, 0, 0, st->groups[def].via, st->groups[def].oif);
	for (size_t k = 0; k < st->n_cand; k++) {
		uint32_t j = st->cand[k];
		const struct group *g = &st->groups[label[j]];

		if (label[j] != def)
			add_route(sn, t[j].net, st->prefix[j], g->via, g->oif);
	}
}

static void rstate_free(struct rstate *st)
{
	free(st->start);
	free(st->m_node);
	free(st->m_addr);
	free(st->rstart);
	free(st->rseg);
	free(st->trie);
	free(st->prefix);
	free(st->seen);
	free(st->mstamp);
	free(st->mgrp);
	free(st->queue);
	free(st->label);
	free(st->groups);
	free(st->cand);
}

/* The routers' side of the graph, compact: segment -> router members,
 * router -> its segments. Returns the number of members. */
static size_t build_graph(struct rstate *st)
{
	const struct vl_plan *p = st->p;
	size_t n_members, n_rseg = 0;

	st->start = vl_xcalloc(p->n_segs + 1, sizeof(*st->start));
	st->rstart = vl_xcalloc(p->n_nodes + 1, sizeof(*st->rstart));
	for (size_t i = 0; i < p->n_nodes; i++) {
		st->rstart[i] = (uint32_t)n_rseg;
		for (size_t j = 0; p->nodes[i].forward && j < p->nodes[i].n_ifs; j++)
			if (p->nodes[i].ifs[j].seg >= 0) {
				st->start[p->nodes[i].ifs[j].seg + 1]++;
				n_rseg++;
			}
	}
	st->rstart[p->n_nodes] = (uint32_t)n_rseg;
	for (size_t s = 0; s < p->n_segs; s++)
		st->start[s + 1] += st->start[s];
	n_members = st->start[p->n_segs];
	st->m_node = vl_xcalloc(n_members + 1, sizeof(*st->m_node));
	st->m_addr = vl_xcalloc(n_members + 1, sizeof(*st->m_addr));
	st->rseg = vl_xcalloc(n_rseg + 1, sizeof(*st->rseg));
	cleanup_free uint32_t *fill = vl_xcalloc(p->n_segs + 1, sizeof(*fill));
	for (size_t i = 0, k = 0; i < p->n_nodes; i++)
		for (size_t j = 0; p->nodes[i].forward && j < p->nodes[i].n_ifs; j++) {
			int s = p->nodes[i].ifs[j].seg;
			uint32_t m;

			if (s < 0)
				continue;
			m = st->start[s] + fill[s]++;
			st->m_node[m] = (uint32_t)i;
			st->m_addr[m] = p->nodes[i].ifs[j].addr;
			st->rseg[k++] = s;
		}
	return n_members;
}

void vl_plan_compute_routes(struct vl_plan *p)
{
	__attribute__((cleanup(rstate_free))) struct rstate st = {.p = p};
	size_t n_routers = 0, n_leaves = 0, n_members;

	for (size_t i = 0; i < p->n_nodes; i++)
		n_routers += p->nodes[i].forward != 0;
	if (!n_routers)
		return; /* every segment is direct or unreachable */
	n_members = build_graph(&st);

	/* the trie of every subnet */
	cleanup_free size_t *leaf = vl_xcalloc(p->n_segs + 1, sizeof(*leaf));
	for (size_t s = 0; s < p->n_segs; s++)
		if (p->segs[s].n_members)
			leaf[n_leaves++] = s;
	if (!n_leaves)
		return;
	qsort_r(leaf, n_leaves, sizeof(*leaf), cmp_seg_net, p->segs);
	st.trie = vl_xcalloc(2 * n_leaves, sizeof(*st.trie));
	st.prefix = vl_xcalloc(2 * n_leaves, sizeof(*st.prefix));
	build_trie(&st, leaf, 0, n_leaves);

	st.seen = vl_xcalloc(p->n_segs, sizeof(*st.seen));
	st.mstamp = vl_xcalloc(n_members + 1, sizeof(*st.mstamp));
	st.mgrp = vl_xcalloc(n_members + 1, sizeof(*st.mgrp));
	st.queue = vl_xcalloc(p->n_segs + 1, sizeof(*st.queue));
	st.label = vl_xcalloc(st.n_trie, sizeof(*st.label));
	/* segment -> 1 + the first host whose only interface is on it */
	cleanup_free size_t *seg_host = vl_xcalloc(p->n_segs + 1, sizeof(*seg_host));

	for (size_t src = 0; src < p->n_nodes; src++) {
		struct vl_plan_node *sn = &p->nodes[src];
		int one = !sn->forward && sn->n_ifs == 1 ? sn->ifs[0].seg : -1;

		if (one >= 0 && seg_host[one]) {
			const struct vl_plan_node *like = &p->nodes[seg_host[one] - 1];

			sn->n_routes = sn->cap_routes = like->n_routes;
			sn->routes =
			    like->n_routes ? vl_xcalloc(like->n_routes, sizeof(*sn->routes)) : NULL;
			if (like->n_routes)
				memcpy(sn->routes, like->routes,
				       like->n_routes * sizeof(*sn->routes));
			continue;
		}
		search(&st, src);
		fold(&st, src);
		if (one >= 0)
			seg_host[one] = src + 1;
	}
}
