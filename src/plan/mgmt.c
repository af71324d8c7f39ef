/* The management network of a plan (plan.h struct vl_plan_mgmt): a port
 * per node on a bridge of the lab's in the host's namespace, addresses
 * from the subnet (mgmt-ipv4 first, then the next free ones from the
 * second, as containerlab hands them out), a default route through the
 * gateway for nodes whose own routes give none, and the host's names. */
#include "plan/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vl_plan_mgmt_name(const struct vl_plan *p, size_t i, char *buf, size_t len)
{
	const char *pre = p->topo->mgmt.prefix_name;
	const char *node = p->nodes[i].name;

	if (!pre)
		snprintf(buf, len, "clab-%s-%s", p->lab, node);
	else if (!*pre)
		snprintf(buf, len, "%s", node);
	else if (!strcmp(pre, "__lab-name"))
		snprintf(buf, len, "%s-%s", p->lab, node);
	else
		snprintf(buf, len, "%s-%s-%s", pre, p->lab, node);
}

void vl_plan_mgmt_hosts(struct vl_plan *p)
{
	struct vl_buf b = {0};
	char ip[16], name[96];

	for (size_t i = 0; i < p->n_nodes; i++) {
		const struct vl_plan_node *n = &p->nodes[i];

		if (n->mgmt_if < 0)
			continue;
		vl_fmt_ip(n->ifs[n->mgmt_if].addr, ip);
		vl_plan_mgmt_name(p, i, name, sizeof(name));
		vl_buf_printf(&b, "%s\t%s\n", ip, name);
	}
	free(p->mgmt.hosts);
	p->mgmt.hosts = b.s ? b.s : vl_xstrdup("");
}

/* Addresses: mgmt-ipv4 where given, else the next free one after the
 * network's first (skipping the gateway and those given). */
static int assign(struct vl_plan *p, struct vl_err *err)
{
	const struct vl_topo *t = p->topo;
	struct vl_plan_mgmt *m = &p->mgmt;
	uint32_t size = 1u << (32 - m->prefix), next = 1;
	cleanup_free uint8_t *taken = vl_xcalloc(size, 1);
	char net[16];

	taken[0] = taken[size - 1] = taken[m->gw - m->net] = 1;
	for (size_t i = 0; i < p->n_nodes; i++) {
		uint32_t a = t->nodes[p->nodes[i].topo_node].mgmt_ipv4;

		if (p->nodes[i].mgmt_if >= 0 && a)
			taken[a - m->net] = 1;
	}
	for (size_t i = 0; i < p->n_nodes; i++) {
		struct vl_plan_node *n = &p->nodes[i];
		uint32_t a = t->nodes[n->topo_node].mgmt_ipv4;

		if (n->mgmt_if < 0)
			continue;
		if (!a) {
			while (next < size && taken[next])
				next++;
			if (next >= size) {
				vl_fmt_ip(m->net, net);
				return vl_err_set(
				    err, 0,
				    "the management subnet %s/%d has no address left "
				    "for node %s: set mgmt.ipv4-subnet (or --mgmt) to a larger one",
				    net, m->prefix, n->name);
			}
			a = m->net + next++;
		}
		n->ifs[n->mgmt_if].addr = a;
		n->ifs[n->mgmt_if].prefix = m->prefix;
	}
	return 0;
}

int vl_plan_build_mgmt(struct vl_plan *p, struct vl_err *err)
{
	const struct vl_topo *t = p->topo;
	struct vl_plan_mgmt *m = &p->mgmt;
	size_t ports = 0;

	m->seg = -1;
	if (t->mgmt.on != 1 || p->backend == VL_BACKEND_PROC)
		return 0;
	m->on = true;
	m->given = t->mgmt.prefix != 0;
	m->net = m->given ? t->mgmt.net : VL_MGMT_DEFAULT_NET;
	m->prefix = m->given ? t->mgmt.prefix : VL_MGMT_DEFAULT_PREFIX;
	m->gw = t->mgmt.gw ? t->mgmt.gw : m->net + 1;
	m->nat = t->mgmt.nat == 1;
	m->isolated = t->mgmt.lab_isolation != 0;
	m->host_services = t->mgmt.host_services != 0;
	snprintf(m->bridge, sizeof(m->bridge), "vl%smgmt", p->id);
	m->seg = (int)vl_plan_add_seg(p, 0);
	p->segs[m->seg].net = m->net;
	p->segs[m->seg].prefix = m->prefix;
	for (size_t i = 0; i < p->n_nodes; i++)
		ports += !t->nodes[p->nodes[i].topo_node].no_mgmt;
	if (ports > VL_BRIDGE_MAX_PORTS)
		return vl_err_set(err, 0,
		                  "the management network takes at most %d nodes (a bridge's "
		                  "ports), not %zu: set network-mode: none on some, or mgmt: "
		                  "network: none",
		                  VL_BRIDGE_MAX_PORTS, ports);
	for (size_t i = 0; i < p->n_nodes; i++) {
		struct vl_plan_node *n = &p->nodes[i];
		const char *ifname = "eth0";
		struct vl_plan_end *host;
		size_t v;

		if (t->nodes[n->topo_node].no_mgmt)
			continue;
		for (size_t j = 0; j < n->n_ifs; j++)
			if (!strcmp(n->ifs[j].name, "eth0"))
				ifname = "mgmt0";
		for (size_t j = 0; j < n->n_ifs && ifname[0] == 'm'; j++)
			if (!strcmp(n->ifs[j].name, "mgmt0"))
				return vl_err_set(err, 0,
				                  "node %s: eth0 and mgmt0 are both its own: the "
				                  "management interface needs one of them "
				                  "(or network-mode: none)",
				                  n->name);
		v = vl_plan_add_veth(p, -1, t->mtu);
		n->mgmt_if = (int)n->n_ifs;
		vl_plan_set_node_end(p, v, 0, i, ifname, m->seg);
		p->veths[v].on_mgmt = true;
		host = &p->veths[v].end[1];
		host->ns = VL_PLAN_HOST;
		host->bridge = -1;
		host->node_if = -1;
		snprintf(host->ifname, sizeof(host->ifname), "vl%sm%u", p->id,
		         (unsigned)(i % 1000000u));
	}
	if (assign(p, err) < 0)
		return -1;
	/* the default route through the gateway, unless the lab's own routes
	 * give one: containerlab's nodes reach the host (and NAT) this way */
	for (size_t i = 0; i < p->n_nodes; i++) {
		struct vl_plan_node *n = &p->nodes[i];
		bool have_default = false;
		size_t r;

		if (n->mgmt_if < 0)
			continue;
		for (size_t k = 0; k < n->n_routes; k++)
			have_default |= n->routes[k].prefix == 0;
		if (have_default)
			continue;
		r = n->n_routes++;
		vl_grow(&n->routes, &n->cap_routes, r, sizeof(*n->routes));
		n->routes[r] =
		    (struct vl_plan_route){.dst = 0, .prefix = 0, .via = m->gw, .oif = n->mgmt_if};
	}
	vl_plan_mgmt_hosts(p);
	return 0;
}

int vl_plan_build_host_links(struct vl_plan *p, const long *pnode, struct vl_err *err)
{
	const struct vl_topo *t = p->topo;

	for (size_t k = 0; k < t->n_host_links; k++) {
		const struct vl_topo_host_link *h = &t->host_links[k];
		size_t v, n = (size_t)pnode[h->ep.node];
		struct vl_plan_end *end;

		if (h->type == VL_MGMT_LINK && !p->mgmt.on)
			return vl_err_set(err, 0,
			                  "the mgmt-net link of %s:%s needs the management network "
			                  "(mgmt:, a *.clab.yml file, or --mgmt on)",
			                  t->nodes[h->ep.node].name, h->ep.ifname);
		v = vl_plan_add_veth(p, -1, h->mtu ? h->mtu : t->mtu);
		p->veths[v].host_link = (int)k;
		p->veths[v].on_mgmt = h->type == VL_MGMT_LINK;
		vl_plan_set_node_end(p, v, 0, n, h->ep.ifname, -1);
		end = &p->veths[v].end[1];
		end->ns = h->type == VL_DUMMY_LINK ? VL_PLAN_NONE : VL_PLAN_HOST;
		end->bridge = -1;
		end->node_if = -1;
		snprintf(end->ifname, sizeof(end->ifname), "%s",
		         h->host_ifname ? h->host_ifname : "");
	}
	return 0;
}

void vl_plan_mgmt_move(struct vl_plan *p, uint32_t net, int prefix)
{
	struct vl_plan_mgmt *m = &p->mgmt;
	uint32_t old = m->net, old_gw = m->gw;

	if (!m->on)
		return;
	m->net = net;
	m->prefix = prefix;
	m->gw = net + (old_gw - old);
	p->segs[m->seg].net = net;
	p->segs[m->seg].prefix = prefix;
	for (size_t i = 0; i < p->n_nodes; i++) {
		struct vl_plan_node *n = &p->nodes[i];

		if (n->mgmt_if < 0)
			continue;
		n->ifs[n->mgmt_if].addr = net + (n->ifs[n->mgmt_if].addr - old);
		n->ifs[n->mgmt_if].prefix = prefix;
		for (size_t k = 0; k < n->n_routes; k++)
			if (n->routes[k].oif == n->mgmt_if && n->routes[k].via == old_gw)
				n->routes[k].via = m->gw;
	}
	vl_plan_mgmt_hosts(p);
	vl_plan_build_hosts(p);
}
