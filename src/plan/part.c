/* A host's part of a lab over several hosts (part.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/part.h"

/* A copy of n elements of size sz (none: an empty array, never NULL). */
static void *dup_array(const void *src, size_t n, size_t sz)
{
	void *d = vl_xcalloc(n + 1, sz);

	if (n)
		memcpy(d, src, n * sz);
	return d;
}

/* "a:eth1 -- b:eth2", the file's link l. */
static void link_name(const struct vl_topo *t, int l, char *buf, size_t len)
{
	const struct vl_topo_link *lk = &t->links[l];

	snprintf(buf, len, "%s:%s -- %s:%s", t->nodes[lk->ep[0].node].name, lk->ep[0].ifname,
	         t->nodes[lk->ep[1].node].name, lk->ep[1].ifname);
}

/* The host of end e of veth v (an infra end: its switch's). */
static int end_host(const struct vl_plan *p, const struct vl_plan_end *e)
{
	if (e->ns >= 0)
		return p->host[p->nodes[e->ns].topo_node];
	if (e->ns == VL_PLAN_INFRA)
		return p->host[p->bridges[e->bridge].topo_node];
	return -1; /* the host's or none: its node's host */
}

static bool veth_cut(const struct vl_plan *p, const struct vl_plan_veth *ve)
{
	int a = end_host(p, &ve->end[0]), b = end_host(p, &ve->end[1]);

	return a >= 0 && b >= 0 && a != b;
}

int vl_plan_span_mtu(struct vl_plan *p, int underlay_mtu, struct vl_err *err)
{
	cleanup_free bool *span = vl_xcalloc(p->n_bridges + 1, sizeof(*span));
	int limit = underlay_mtu - VL_PLAN_VXLAN_OVERHEAD;
	bool more = true;
	char name[160];

	if (p->n_hosts < 2)
		return 0;
	if (limit < 68)
		return vl_err_set(err, EINVAL,
		                  "an underlay MTU of %d leaves %d for a link across hosts: at "
		                  "least %d is needed (IPv4's 68 plus VXLAN's %d)",
		                  underlay_mtu, limit, 68 + VL_PLAN_VXLAN_OVERHEAD, VL_PLAN_VXLAN_OVERHEAD);
	/* the switches on a link across hosts, then those joined to them */
	for (size_t v = 0; v < p->n_veths; v++)
		for (int k = 0; k < 2; k++)
			if (veth_cut(p, &p->veths[v]) && p->veths[v].end[k].ns == VL_PLAN_INFRA)
				span[p->veths[v].end[k].bridge] = true;
	while (more) {
		more = false;
		for (size_t v = 0; v < p->n_veths; v++) {
			const struct vl_plan_veth *ve = &p->veths[v];

			if (ve->end[0].ns != VL_PLAN_INFRA || ve->end[1].ns != VL_PLAN_INFRA ||
			    span[ve->end[0].bridge] == span[ve->end[1].bridge])
				continue;
			span[ve->end[0].bridge] = span[ve->end[1].bridge] = true;
			more = true;
		}
	}
	for (size_t v = 0; v < p->n_veths; v++) {
		struct vl_plan_veth *ve = &p->veths[v];
		bool on = veth_cut(p, ve);

		for (int k = 0; k < 2 && !on; k++)
			on = ve->end[k].ns == VL_PLAN_INFRA && span[ve->end[k].bridge];
		if (!on)
			continue;
		if (ve->mtu > limit) {
			if (ve->topo_link >= 0)
				link_name(p->topo, ve->topo_link, name, sizeof(name));
			else
				snprintf(name, sizeof(name), "%s -- %s", ve->end[0].ifname,
				         ve->end[1].ifname);
			return vl_err_set(err, EMSGSIZE,
			                  "link %s: MTU %d, but its L2 domain crosses hosts and the "
			                  "underlay's %d carries at most %d (VXLAN takes %d)",
			                  name, ve->mtu, underlay_mtu, limit, VL_PLAN_VXLAN_OVERHEAD);
		}
		if (!ve->mtu)
			ve->mtu = limit;
	}
	p->span_mtu = limit;
	return 0;
}

uint32_t vl_plan_vni(const struct vl_plan *p, size_t c)
{
	uint32_t id = (uint32_t)strtoul(p->id, NULL, 16);

	return (id * 256u + (uint32_t)c) % ((1u << 24) - 1) + 1;
}

uint32_t vl_plan_place_sum(const struct vl_plan *p)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; p->host && i < p->topo->n_nodes; i++) {
		h = (h ^ (uint32_t)p->host[i]) * 16777619u;
		h = (h ^ (uint32_t)(p->host[i] >> 8)) * 16777619u;
	}
	return (h ^ (uint32_t)p->n_hosts) * 16777619u;
}

/* Is end e on host k? (the host's and none: where the veth's other end is) */
static bool end_here(const struct vl_plan *p, const struct vl_plan_veth *ve, int e, int k)
{
	int h = end_host(p, &ve->end[e]);

	if (h < 0)
		h = end_host(p, &ve->end[!e]);
	return h == k;
}

/* The old indexes' new ones (-1: not in the part). */
struct remap {
	long *node, *bridge, *veth;
};

static void remap_free(struct remap *m)
{
	free(m->node);
	free(m->bridge);
	free(m->veth);
}

static void copy_nodes(const struct vl_plan *p, struct vl_plan *q, int k, struct remap *m)
{
	q->nodes = vl_xcalloc(p->n_nodes + 1, sizeof(*q->nodes));
	for (size_t i = 0; i < p->n_nodes; i++) {
		const struct vl_plan_node *n = &p->nodes[i];
		struct vl_plan_node *c;

		m->node[i] = -1;
		if (p->host[n->topo_node] != k)
			continue;
		m->node[i] = (long)q->n_nodes;
		c = &q->nodes[q->n_nodes++];
		*c = *n;
		c->ifs = dup_array(n->ifs, n->n_ifs, sizeof(*c->ifs));
		c->cap_ifs = n->n_ifs;
		c->routes = dup_array(n->routes, n->n_routes, sizeof(*c->routes));
		c->cap_routes = n->n_routes;
	}
}

static void copy_bridges(const struct vl_plan *p, struct vl_plan *q, int k, struct remap *m)
{
	q->bridges = vl_xcalloc(p->n_bridges + 1, sizeof(*q->bridges));
	for (size_t b = 0; b < p->n_bridges; b++) {
		m->bridge[b] = -1;
		if (p->host[p->bridges[b].topo_node] != k)
			continue;
		m->bridge[b] = (long)q->n_bridges;
		q->bridges[q->n_bridges++] = p->bridges[b];
	}
	q->cap_bridges = q->n_bridges;
}

/* The veths with an end here; an end on another host becomes remote. */
static void copy_veths(const struct vl_plan *p, struct vl_plan *q, int k, struct remap *m)
{
	cleanup_free long *cut = vl_xcalloc(p->n_veths + 1, sizeof(long));

	for (size_t v = 0; v < p->n_veths; v++)
		cut[v] = -1;
	for (size_t c = 0; c < p->n_cut; c++)
		if (p->cut[c].veth >= 0)
			cut[p->cut[c].veth] = (long)c;
	q->veths = vl_xcalloc(p->n_veths + 1, sizeof(*q->veths));
	for (size_t v = 0; v < p->n_veths; v++) {
		const struct vl_plan_veth *ve = &p->veths[v];
		bool here[2] = {end_here(p, ve, 0, k), end_here(p, ve, 1, k)};
		struct vl_plan_veth *c;

		m->veth[v] = -1;
		if (!here[0] && !here[1])
			continue;
		m->veth[v] = (long)q->n_veths;
		c = &q->veths[q->n_veths++];
		*c = *ve;
		for (int e = 0; e < 2; e++) {
			struct vl_plan_end *end = &c->end[e];

			if (!here[e]) {
				c->remote_host = end_host(p, &ve->end[e]);
				c->vni = vl_plan_vni(p, (size_t)cut[v]);
				end->ns = VL_PLAN_REMOTE;
				end->bridge = -1;
				end->node_if = -1;
			} else if (end->ns >= 0) {
				end->ns = (int)m->node[end->ns];
			} else if (end->ns == VL_PLAN_INFRA) {
				end->bridge = (int)m->bridge[end->bridge];
			}
		}
	}
	q->cap_veths = q->n_veths;
}

int vl_plan_part(const struct vl_plan *p, int k, const uint32_t *underlay, uint16_t port,
                 struct vl_plan **out, struct vl_err *err)
{
	struct vl_plan *q;
	__attribute__((cleanup(remap_free))) struct remap m = {0};

	*out = NULL;
	if (!p->host || k < 0 || k >= p->n_hosts)
		return vl_err_set(err, EINVAL, "part %d of a lab placed over %d hosts", k,
		                  p->n_hosts);
	if (p->backend == VL_BACKEND_PROC)
		return vl_err_set(err, EINVAL,
		                  "the proc backend has no links to carry between hosts (for "
		                  "plain processes on several hosts, bench's rm environment)");
	q = vl_xcalloc(1, sizeof(*q));
	*q = *p;
	m.node = vl_xcalloc(p->n_nodes + 1, sizeof(long));
	m.bridge = vl_xcalloc(p->n_bridges + 1, sizeof(long));
	m.veth = vl_xcalloc(p->n_veths + 1, sizeof(long));
	q->n_nodes = q->n_bridges = q->n_veths = 0;
	copy_nodes(p, q, k, &m);
	copy_bridges(p, q, k, &m);
	copy_veths(p, q, k, &m);
	for (size_t i = 0; i < q->n_nodes; i++)
		for (size_t j = 0; j < q->nodes[i].n_ifs; j++)
			q->nodes[i].ifs[j].veth = (int)m.veth[q->nodes[i].ifs[j].veth];
	q->infras = dup_array(p->infras, p->n_infras, sizeof(*q->infras));
	q->segs = dup_array(p->segs, p->n_segs, sizeof(*q->segs));
	q->cap_segs = p->n_segs;
	q->hosts = p->hosts ? vl_xstrdup(p->hosts) : NULL;
	q->mgmt.hosts = NULL;
	if (q->mgmt.on)
		vl_plan_mgmt_hosts(q); /* the host's names of its own nodes */
	q->host = dup_array(p->host, p->topo->n_nodes, sizeof(*q->host));
	q->weight = NULL;
	if (p->weight) {
		q->weight = dup_array(p->weight, p->topo->n_nodes, sizeof(*q->weight));
	}
	q->cut = dup_array(p->cut, p->n_cut, sizeof(*q->cut));
	q->part = k;
	q->underlay = dup_array(underlay, (size_t)p->n_hosts, sizeof(*q->underlay));
	q->vx_port = port;
	*out = q;
	return 0;
}
