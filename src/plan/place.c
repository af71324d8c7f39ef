/* Placement over hosts (see place.h): a graph of the lab's nodes and
 * links, partitioned by METIS.
 *
 * The graph: a vertex per node and per switch. A switch and its leaves
 * (nodes whose every link goes to it) become one vertex while together
 * they weigh at most half a host's share (a bigger lump would leave the
 * partition no way to balance); above that, METIS keeps them together
 * where the balance allows (a leaf's link weighs as much as any). A
 * switch's bridge is always on one host; members placed elsewhere reach
 * it over links in the cut.
 *
 * Pins (host: K): METIS has no fixed vertices. Pinned nodes are placed
 * first and left out of the graph; the others are partitioned into what
 * each host has left (METIS's target weights, part h = host h); then a
 * greedy pass moves a vertex to the host it has the most link weight to
 * (pinned neighbours counted) while that host has room.
 *
 * Last, a host over its capacity (the bisections' imbalances add up)
 * gives vertices, the cheapest in cut first, to hosts with room.
 * Touches nothing. */
#include "plan/place.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <metis.h>

struct nb {
	size_t v;
	int64_t w;
};

struct placer {
	struct vl_plan *p;
	const struct vl_topo *t;
	int k;
	int64_t total, cap;
	int64_t *load;  /* by host */
	long *vtx;      /* by topo node: its vertex, or -1 when pinned */
	size_t nv;      /* vertices; nv + h stands for what is pinned to host h */
	int64_t *vw;    /* by vertex */
	int *part;      /* by vertex */
	size_t *xadj;   /* by vertex, nv + k + 1 */
	struct nb *adj; /* neighbours, merged, no self loops */
	bool any_pin;
};

static void placer_free(struct placer *pl)
{
	free(pl->load);
	free(pl->vtx);
	free(pl->vw);
	free(pl->part);
	free(pl->xadj);
	free(pl->adj);
}

static int64_t node_weight(const struct vl_plan *p, const struct vl_plan_node *n)
{
	double cpus = n->res.cpus;
	uint64_t mem = n->res.memory;

	if (n->res.vm) {
		cpus = cpus > 0 ? ceil(cpus) : 1;
		mem = mem ? mem : VL_PLACE_VM_RAM;
	} else if (!(cpus > 0))
		cpus = VL_PLACE_W_NS_CPUS;
	return (int64_t)llround(cpus * VL_PLACE_W_CPU) + (int64_t)(mem / VL_PLACE_W_MEM_UNIT);
}

static int64_t link_weight(const struct vl_topo_link *l)
{
	uint64_t r =
	    l->dir[0].rate_bps > l->dir[1].rate_bps ? l->dir[0].rate_bps : l->dir[1].rate_bps;

	if (!l->dir[0].rate_bps || !l->dir[1].rate_bps)
		return VL_PLACE_LINK_MAX;
	r = (r + VL_PLACE_LINK_UNIT - 1) / VL_PLACE_LINK_UNIT;
	return r > VL_PLACE_LINK_MAX ? VL_PLACE_LINK_MAX : (int64_t)r;
}

static int64_t total_weight(const struct vl_plan *p)
{
	int64_t total = 0;

	for (size_t i = 0; p->weight && i < p->topo->n_nodes; i++)
		total += p->weight[i];
	return total;
}

/* Every node's weight (p->weight), the total, a host's capacity. */
static void weigh(struct placer *pl)
{
	struct vl_plan *p = pl->p;

	p->weight = vl_xcalloc(pl->t->n_nodes, sizeof(*p->weight));
	for (size_t i = 0; i < pl->t->n_nodes; i++)
		p->weight[i] = VL_PLACE_W_SWITCH;
	for (size_t i = 0; i < p->n_nodes; i++) {
		int64_t w = node_weight(p, &p->nodes[i]);

		p->weight[p->nodes[i].topo_node] = w > 0 ? w : 1;
	}
	pl->total = total_weight(p);
	/* a host's share + 5 %, or + the heaviest node where that is more
	 * (nodes do not split) */
	pl->cap = (pl->total * (100 + VL_PLACE_SLACK_PCT) + 100 * pl->k - 1) / (100 * pl->k);
	for (size_t i = 0; i < pl->t->n_nodes; i++)
		if (pl->total / pl->k + p->weight[i] > pl->cap)
			pl->cap = pl->total / pl->k + p->weight[i];
}

/* Pins to a host that exists (asked: the hosts asked for). */
static int check_pin_hosts(struct placer *pl, int asked, struct vl_err *err)
{
	const struct vl_topo *t = pl->t;

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct vl_topo_pin *pin = &t->nodes[i].pin;

		if (!pin->on)
			continue;
		pl->any_pin = true;
		if (pin->host < pl->k)
			continue;
		if (asked > pl->k)
			return vl_err_set(
			    err, 0,
			    "%s:%d:%d: node %s: host %d, but a lab of %zu nodes is "
			    "placed over %d hosts at most (0 to %d): pin it to one of "
			    "those",
			    t->source, pin->pos.line, pin->pos.col, t->nodes[i].name, pin->host,
			    t->n_nodes, pl->k, pl->k - 1);
		return vl_err_set(err, 0,
		                  "%s:%d:%d: node %s: host %d, but the lab is placed over %d "
		                  "host%s (0 to %d): pin it to one of those, or place the lab "
		                  "over more (--hosts %d)",
		                  t->source, pin->pos.line, pin->pos.col, t->nodes[i].name,
		                  pin->host, pl->k, pl->k == 1 ? "" : "s", pl->k - 1,
		                  pin->host + 1);
	}
	return 0;
}

/* No host given more weight by its pins than it holds. */
static int check_pin_weight(struct placer *pl, struct vl_err *err)
{
	const struct vl_topo *t = pl->t;

	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].pin.on)
			pl->load[t->nodes[i].pin.host] += pl->p->weight[i];
	for (int h = 0; h < pl->k; h++) {
		struct vl_buf names = {0};
		size_t n = 0, last = 0;

		if (pl->load[h] <= pl->cap)
			continue;
		for (size_t i = 0; i < t->n_nodes; i++)
			if (t->nodes[i].pin.on && t->nodes[i].pin.host == h) {
				if (n++ < 3)
					vl_buf_printf(&names, "%s%s", n > 1 ? ", " : "",
					              t->nodes[i].name);
				last = i;
			}
		vl_err_set(err, 0,
		           "%s:%d:%d: host %d: the %zu nodes pinned to it (%s%s) weigh %lld, more "
		           "than a host holds (%lld: the lab's %lld over %d hosts, +%d%% or + "
		           "its heaviest node): pin fewer of them there",
		           t->source, t->nodes[last].pin.pos.line, t->nodes[last].pin.pos.col, h, n,
		           names.s, n > 3 ? ", ..." : "", (long long)pl->load[h],
		           (long long)pl->cap, (long long)pl->total, pl->k, VL_PLACE_SLACK_PCT);
		vl_buf_free(&names);
		return -1;
	}
	return 0;
}

/* Vertices: one per unpinned node, a switch's leaves in the switch's
 * while together they weigh at most half a host's share. */
static void make_vertices(struct placer *pl)
{
	const struct vl_topo *t = pl->t;
	const int64_t *w = pl->p->weight;
	size_t n = t->n_nodes;
	cleanup_free long *only = vl_xcalloc(n, sizeof(long)); /* the one neighbour, -1: many */
	cleanup_free int64_t *group = vl_xcalloc(n, sizeof(int64_t));

	for (size_t i = 0; i < n; i++)
		only[i] = -2; /* no link yet */
	for (size_t l = 0; l < t->n_links; l++)
		for (int e = 0; e < 2; e++) {
			size_t a = t->links[l].ep[e].node, b = t->links[l].ep[!e].node;

			only[a] = only[a] == -2 || only[a] == (long)b ? (long)b : -1;
		}
	pl->vtx = vl_xcalloc(n, sizeof(long));
	for (size_t i = 0; i < n; i++)
		pl->vtx[i] = -1;
	/* a leaf joins its switch if neither is pinned and the group fits */
	for (size_t i = 0; i < n; i++)
		group[i] = w[i];
	for (size_t i = 0; i < n; i++) {
		long s = only[i];

		if (s >= 0 && t->nodes[i].kind != VL_KIND_BRIDGE &&
		    t->nodes[s].kind == VL_KIND_BRIDGE && !t->nodes[i].pin.on &&
		    !t->nodes[s].pin.on)
			group[s] += w[i];
	}
	for (size_t i = 0; i < n; i++)
		if (!t->nodes[i].pin.on && pl->vtx[i] < 0)
			pl->vtx[i] = (long)pl->nv++;
	for (size_t i = 0; i < n; i++) {
		long s = only[i];

		if (s >= 0 && t->nodes[i].kind != VL_KIND_BRIDGE &&
		    t->nodes[s].kind == VL_KIND_BRIDGE && !t->nodes[i].pin.on &&
		    !t->nodes[s].pin.on && 2 * group[s] * pl->k <= pl->total)
			pl->vtx[i] = pl->vtx[s];
	}
	/* renumber densely, in node order */
	cleanup_free long *renum = vl_xcalloc(pl->nv, sizeof(long));
	size_t nv = 0;

	for (size_t v = 0; v < pl->nv; v++)
		renum[v] = -1;
	for (size_t i = 0; i < n; i++)
		if (pl->vtx[i] >= 0 && renum[pl->vtx[i]] < 0)
			renum[pl->vtx[i]] = (long)nv++;
	pl->nv = nv;
	pl->vw = vl_xcalloc(nv + 1, sizeof(*pl->vw));
	for (size_t i = 0; i < n; i++)
		if (pl->vtx[i] >= 0) {
			pl->vtx[i] = renum[pl->vtx[i]];
			pl->vw[pl->vtx[i]] += w[i];
		}
}

static int cmp_nb(const void *x, const void *y)
{
	const struct nb *a = x, *b = y;

	return (a->v > b->v) - (a->v < b->v);
}

/* The vertex of topo node i: its own, or its pinned host's (nv + h). */
static size_t vertex_of(const struct placer *pl, size_t i)
{
	return pl->vtx[i] >= 0 ? (size_t)pl->vtx[i] : pl->nv + (size_t)pl->t->nodes[i].pin.host;
}

/* Adjacency in CSR form over nv + k vertices, parallel edges merged. */
static void make_edges(struct placer *pl)
{
	const struct vl_topo *t = pl->t;
	size_t nall = pl->nv + (size_t)pl->k;
	cleanup_free size_t *fill = vl_xcalloc(nall + 1, sizeof(size_t));

	pl->xadj = vl_xcalloc(nall + 1, sizeof(size_t));
	for (size_t l = 0; l < t->n_links; l++) {
		size_t a = vertex_of(pl, t->links[l].ep[0].node);
		size_t b = vertex_of(pl, t->links[l].ep[1].node);

		if (a != b) {
			pl->xadj[a + 1]++;
			pl->xadj[b + 1]++;
		}
	}
	for (size_t v = 0; v < nall; v++)
		pl->xadj[v + 1] += pl->xadj[v];
	pl->adj = vl_xcalloc(pl->xadj[nall] + 1, sizeof(*pl->adj));
	memcpy(fill, pl->xadj, (nall + 1) * sizeof(size_t));
	for (size_t l = 0; l < t->n_links; l++) {
		size_t a = vertex_of(pl, t->links[l].ep[0].node);
		size_t b = vertex_of(pl, t->links[l].ep[1].node);
		int64_t w = link_weight(&t->links[l]);

		if (a != b) {
			pl->adj[fill[a]++] = (struct nb){b, w};
			pl->adj[fill[b]++] = (struct nb){a, w};
		}
	}
	/* sort and merge each row, compacting the array */
	size_t out = 0;

	for (size_t v = 0; v < nall; v++) {
		size_t start = pl->xadj[v], end = pl->xadj[v + 1];

		qsort(pl->adj + start, end - start, sizeof(*pl->adj), cmp_nb);
		pl->xadj[v] = out;
		for (size_t j = start; j < end; j++) {
			if (out > pl->xadj[v] && pl->adj[out - 1].v == pl->adj[j].v)
				pl->adj[out - 1].w += pl->adj[j].w;
			else
				pl->adj[out++] = pl->adj[j];
		}
	}
	pl->xadj[nall] = out;
}

/* Scale weights into METIS's 32-bit integers: the divisor that keeps
 * their sum below 2^28. */
static int64_t scale_for(int64_t sum)
{
	return sum < (1 << 28) ? 1 : sum / (1 << 28) + 1;
}

/* METIS over the unpinned vertices, part h being host h, each host's
 * target what it has left after its pins. */
static int partition(struct placer *pl, struct vl_err *err)
{
	size_t nv = pl->nv, ne = pl->xadj[nv];
	idx_t nvtxs = (idx_t)nv, ncon = 1, nparts = pl->k, objval = 0;
	idx_t opts[METIS_NOPTIONS];
	int64_t vsum = 0, esum = 0, vdiv, ediv, left = 0;
	cleanup_free idx_t *xadj = vl_xcalloc(nv + 1, sizeof(idx_t));
	cleanup_free idx_t *adjncy = vl_xcalloc(ne + 1, sizeof(idx_t));
	cleanup_free idx_t *adjwgt = vl_xcalloc(ne + 1, sizeof(idx_t));
	cleanup_free idx_t *vwgt = vl_xcalloc(nv + 1, sizeof(idx_t));
	cleanup_free idx_t *part = vl_xcalloc(nv + 1, sizeof(idx_t));
	cleanup_free real_t *tpwgts = vl_xcalloc((size_t)pl->k, sizeof(real_t));
	int rc;

	for (size_t v = 0; v < nv; v++)
		vsum += pl->vw[v];
	for (size_t j = 0; j < ne; j++)
		esum += pl->adj[j].w;
	vdiv = scale_for(vsum);
	ediv = scale_for(esum);
	for (size_t v = 0, m = 0; v < nv; v++) {
		vwgt[v] = (idx_t)(pl->vw[v] / vdiv > 0 ? pl->vw[v] / vdiv : 1);
		for (size_t j = pl->xadj[v]; j < pl->xadj[v + 1]; j++)
			if (pl->adj[j].v < nv) {
				adjncy[m] = (idx_t)pl->adj[j].v;
				adjwgt[m++] =
				    (idx_t)(pl->adj[j].w / ediv > 0 ? pl->adj[j].w / ediv : 1);
			}
		xadj[v + 1] = (idx_t)m;
	}
	/* with pins, each host's target: its share less its pins (a little at
	 * least); else all equal (NULL) */
	for (int h = 0; h < pl->k; h++) {
		int64_t room = pl->total / pl->k - pl->load[h];

		left += room > 0 ? room : 0;
	}
	for (int h = 0; h < pl->k; h++) {
		int64_t room = pl->total / pl->k - pl->load[h];
		double eps = (double)left / 1000 + 1;

		tpwgts[h] =
		    (real_t)(((room > 0 ? (double)room : 0) + eps) / ((double)left + eps * pl->k));
	}
	METIS_SetDefaultOptions(opts);
	opts[METIS_OPTION_SEED] = VL_PLACE_SEED;
	opts[METIS_OPTION_UFACTOR] = VL_PLACE_SLACK_PCT * 10;
	opts[METIS_OPTION_NUMBERING] = 0;
	/* recursive bisection at every size: on these graphs (stars, trees,
	 * chains) METIS 5.1's k-way left hosts empty, or one with 3 times
	 * another's weight, where recursive bisection balanced them all; it
	 * is as fast here (10,000 nodes in milliseconds). */
	rc = METIS_PartGraphRecursive(&nvtxs, &ncon, xadj, adjncy, vwgt, NULL, adjwgt, &nparts,
	                              pl->any_pin ? tpwgts : NULL, NULL, opts, &objval, part);
	if (rc != METIS_OK)
		return vl_err_set(err, 0,
		                  "placement: METIS failed (%s) on %zu vertices over %d hosts",
		                  rc == METIS_ERROR_MEMORY  ? "out of memory"
		                  : rc == METIS_ERROR_INPUT ? "bad input"
		                                            : "error",
		                  nv, pl->k);
	for (size_t v = 0; v < nv; v++) {
		pl->part[v] = (int)part[v];
		pl->load[part[v]] += pl->vw[v];
	}
	return 0;
}

/* Fewer vertices than hosts: each, heaviest first, on the least loaded. */
static void partition_small(struct placer *pl)
{
	cleanup_free bool *done = vl_xcalloc(pl->nv + 1, sizeof(bool));

	for (size_t n = 0; n < pl->nv; n++) {
		size_t best = pl->nv;
		int h = 0;

		for (size_t v = 0; v < pl->nv; v++)
			if (!done[v] && (best == pl->nv || pl->vw[v] > pl->vw[best]))
				best = v;
		for (int j = 1; j < pl->k; j++)
			if (pl->load[j] < pl->load[h])
				h = j;
		done[best] = true;
		pl->part[best] = h;
		pl->load[h] += pl->vw[best];
	}
}

/* conn[h]: the link weight from vertex v to host h (pinned neighbours
 * too); clear: set those entries back to 0. */
static void tally(const struct placer *pl, size_t v, int64_t *conn, bool clear)
{
	for (size_t j = pl->xadj[v]; j < pl->xadj[v + 1]; j++) {
		size_t u = pl->adj[j].v;
		int h = u < pl->nv ? pl->part[u] : (int)(u - pl->nv);

		conn[h] = clear ? 0 : conn[h] + pl->adj[j].w;
	}
}

static void move(struct placer *pl, size_t v, int h)
{
	pl->load[pl->part[v]] -= pl->vw[v];
	pl->load[h] += pl->vw[v];
	pl->part[v] = h;
}

/* Move vertices towards the hosts they have most link weight to (pinned
 * neighbours too) while those hosts have room. */
static void refine(struct placer *pl)
{
	cleanup_free int64_t *conn = vl_xcalloc((size_t)pl->k, sizeof(int64_t));

	for (int pass = 0; pass < 4; pass++) {
		bool moved = false;

		for (size_t v = 0; v < pl->nv; v++) {
			int cur = pl->part[v], best = cur;

			tally(pl, v, conn, false);
			for (int h = 0; h < pl->k; h++)
				if (conn[h] > conn[best] && pl->load[h] + pl->vw[v] <= pl->cap)
					best = h;
			tally(pl, v, conn, true);
			if (best != cur) {
				move(pl, v, best);
				moved = true;
			}
		}
		if (!moved)
			break;
	}
}

/* A host over its capacity (bisections add up their imbalance) gives the
 * vertex that costs least link weight to move to a host with room; until
 * none is over, or none can move. */
static void rebalance(struct placer *pl)
{
	cleanup_free int64_t *conn = vl_xcalloc((size_t)pl->k, sizeof(int64_t));

	for (size_t moves = 0; moves < pl->nv; moves++) {
		int from = -1, to = -1;
		size_t best = pl->nv;
		int64_t gain = 0;

		for (int h = 0; h < pl->k; h++)
			if (pl->load[h] > pl->cap && (from < 0 || pl->load[h] > pl->load[from]))
				from = h;
		if (from < 0)
			return;
		for (size_t v = 0; v < pl->nv; v++) {
			if (pl->part[v] != from)
				continue;
			tally(pl, v, conn, false);
			for (int h = 0; h < pl->k; h++)
				if (h != from && pl->load[h] + pl->vw[v] <= pl->cap &&
				    (to < 0 || conn[h] - conn[from] > gain)) {
					to = h;
					best = v;
					gain = conn[h] - conn[from];
				}
			tally(pl, v, conn, true);
		}
		if (to < 0)
			return;
		move(pl, best, to);
	}
}

/* The links between hosts. */
static void make_cut(struct vl_plan *p)
{
	const struct vl_topo *t = p->topo;
	cleanup_free long *veth = vl_xcalloc(t->n_links + 1, sizeof(long));
	size_t cap = 0;

	for (size_t l = 0; l < t->n_links; l++)
		veth[l] = -1;
	for (size_t v = 0; v < p->n_veths; v++)
		if (p->veths[v].topo_link >= 0)
			veth[p->veths[v].topo_link] = (long)v;
	for (size_t l = 0; l < t->n_links; l++) {
		const struct vl_topo_link *lk = &t->links[l];
		int a = p->host[lk->ep[0].node], b = p->host[lk->ep[1].node];

		if (a == b)
			continue;
		vl_grow(&p->cut, &cap, p->n_cut, sizeof(*p->cut));
		p->cut[p->n_cut++] = (struct vl_plan_cut){
		    .topo_link = (int)l,
		    .veth = (int)veth[l],
		    .host = {a, b},
		    .rate_bps = {lk->dir[0].rate_bps, lk->dir[1].rate_bps},
		};
	}
}

int vl_plan_place(struct vl_plan *p, int hosts, struct vl_err *err)
{
	const struct vl_topo *t = p->topo;
	__attribute__((cleanup(placer_free))) struct placer pl = {.p = p, .t = t};

	if (hosts < 1 || hosts > VL_TOPO_MAX_HOSTS)
		return vl_err_set(err, 0, "placement over %d hosts: 1 to %d", hosts,
		                  VL_TOPO_MAX_HOSTS);
	free(p->host);
	free(p->weight);
	free(p->cut);
	p->host = NULL;
	p->weight = NULL;
	p->cut = NULL;
	p->n_cut = 0;
	pl.k = (size_t)hosts > t->n_nodes ? (int)t->n_nodes : hosts;
	p->n_hosts = pl.k;
	weigh(&pl);
	pl.load = vl_xcalloc((size_t)pl.k, sizeof(*pl.load));
	if (check_pin_hosts(&pl, hosts, err) < 0 || check_pin_weight(&pl, err) < 0)
		return -1;
	make_vertices(&pl);
	make_edges(&pl);
	pl.part = vl_xcalloc(pl.nv + 1, sizeof(*pl.part));
	if (pl.k == 1 || pl.nv == 0)
		; /* all on host 0, or all pinned */
	else if (pl.nv <= (size_t)pl.k)
		partition_small(&pl);
	else if (partition(&pl, err) < 0)
		return -1;
	if (pl.any_pin && pl.k > 1)
		refine(&pl);
	if (pl.k > 1)
		rebalance(&pl);
	p->host = vl_xcalloc(t->n_nodes + 1, sizeof(*p->host));
	for (size_t i = 0; i < t->n_nodes; i++)
		p->host[i] = pl.vtx[i] >= 0 ? pl.part[pl.vtx[i]] : t->nodes[i].pin.host;
	make_cut(p);
	return 0;
}

/* "10Mbit", "10Mbit/2Mbit" (by direction) or "unlimited". */
static void format_bw(const struct vl_plan_cut *c, char *buf, size_t len)
{
	char r[2][64];

	for (int d = 0; d < 2; d++) {
		struct vl_impair im = {.rate_bps = c->rate_bps[d]};

		if (!c->rate_bps[d])
			snprintf(r[d], sizeof(r[d]), "unlimited");
		else {
			vl_impair_format(&im, r[d], sizeof(r[d]));
			if (!strncmp(r[d], "rate ", 5))
				memmove(r[d], r[d] + 5, strlen(r[d] + 5) + 1);
		}
	}
	if (!strcmp(r[0], r[1]))
		snprintf(buf, len, "%s", r[0]);
	else
		snprintf(buf, len, "%s/%s", r[0], r[1]);
}

static void end_name(const struct vl_topo *t, const struct vl_topo_endpoint *ep, char *buf,
                     size_t len)
{
	snprintf(buf, len, "%s:%s", t->nodes[ep->node].name, ep->ifname ? ep->ifname : "");
}

void vl_plan_place_dump(const struct vl_plan *p, struct vl_buf *out)
{
	const struct vl_topo *t = p->topo;
	int64_t total = total_weight(p);

	vl_buf_printf(out, "lab %s hosts %d weight %lld share %lld seed %d\n", p->lab, p->n_hosts,
	              (long long)total, (long long)(total / p->n_hosts), VL_PLACE_SEED);
	for (int h = 0; h < p->n_hosts; h++) {
		size_t n = 0;
		int64_t w = 0;

		for (size_t i = 0; p->host && i < t->n_nodes; i++)
			if (p->host[i] == h) {
				n++;
				w += p->weight[i];
			}
		vl_buf_printf(out, "host %d nodes %zu weight %lld\n", h, n, (long long)w);
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		vl_buf_printf(out, "node %s host %d weight %lld%s\n", t->nodes[i].name,
		              p->host ? p->host[i] : 0, (long long)(p->weight ? p->weight[i] : 0),
		              t->nodes[i].pin.on ? " pinned" : "");
	vl_buf_printf(out, "cut %zu\n", p->n_cut);
	for (size_t c = 0; c < p->n_cut; c++) {
		const struct vl_topo_link *lk = &t->links[p->cut[c].topo_link];
		char a[160], b[160], bw[140];

		end_name(t, &lk->ep[0], a, sizeof(a));
		end_name(t, &lk->ep[1], b, sizeof(b));
		format_bw(&p->cut[c], bw, sizeof(bw));
		vl_buf_printf(out, "link %s %s hosts %d %d bw %s\n", a, b, p->cut[c].host[0],
		              p->cut[c].host[1], bw);
	}
}

json_t *vl_plan_place_json(const struct vl_plan *p)
{
	const struct vl_topo *t = p->topo;
	json_t *nodes = json_array(), *cut = json_array();

	for (size_t i = 0; i < t->n_nodes; i++)
		json_array_append_new(nodes,
		                      json_pack("{s:s, s:i, s:I, s:b}", "name", t->nodes[i].name,
		                                "host", p->host ? p->host[i] : 0, "weight",
		                                (json_int_t)(p->weight ? p->weight[i] : 0),
		                                "pinned", (int)t->nodes[i].pin.on));
	for (size_t c = 0; c < p->n_cut; c++) {
		const struct vl_plan_cut *pc = &p->cut[c];
		const struct vl_topo_link *lk = &t->links[pc->topo_link];
		char a[160], b[160], bw[140];

		end_name(t, &lk->ep[0], a, sizeof(a));
		end_name(t, &lk->ep[1], b, sizeof(b));
		format_bw(pc, bw, sizeof(bw));
		json_array_append_new(
		    cut, json_pack("{s:[s,s], s:[i,i], s:s, s:[I,I]}", "endpoints", a, b, "hosts",
		                   pc->host[0], pc->host[1], "bw", bw, "rate_bps",
		                   (json_int_t)pc->rate_bps[0], (json_int_t)pc->rate_bps[1]));
	}
	int64_t total = total_weight(p);

	return json_pack("{s:s, s:i, s:I, s:I, s:i, s:o, s:o}", "lab", p->lab, "hosts", p->n_hosts,
	                 "weight", (json_int_t)total, "share", (json_int_t)(total / p->n_hosts),
	                 "seed", VL_PLACE_SEED, "nodes", nodes, "cut", cut);
}
