/* Deciding every name, address and route of a lab. See plan.h. */
#include "plan/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vl_lab_id_from_name(const char *lab, char id[VL_LAB_ID_LEN + 1])
{
	uint32_t h = 2166136261u; /* FNV-1a, folded to 16 bits */

	for (const unsigned char *p = (const unsigned char *)lab; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	snprintf(id, VL_LAB_ID_LEN + 1, "%04x", (unsigned)((h >> 16) ^ (h & 0xffff)));
}

void vl_lab_id_next(char id[VL_LAB_ID_LEN + 1])
{
	unsigned long v = strtoul(id, NULL, 16);

	snprintf(id, VL_LAB_ID_LEN + 1, "%04lx", (v + 1) & 0xffff);
}

void vl_plan_netns_name(const char *id, const char *node, char *buf, size_t len)
{
	snprintf(buf, len, "vl%s-%s", id, node);
}

static int id_valid(const char *id)
{
	if (strlen(id) != VL_LAB_ID_LEN)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

static size_t uf_find(size_t *parent, size_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

struct builder {
	struct vl_plan *p;
	const struct vl_topo *t;
	long *pnode; /* topo node -> plan node, or -1 */
	long *sw;    /* topo node -> switch number, or -1 */
	size_t n_sw;
	size_t *sw_ports;   /* ports needed per switch */
	size_t *sw_used;    /* ports handed out so far */
	size_t *sw_bridge0; /* first bridge (the root when cascaded) */
	size_t *sw_leaves;  /* 0: one bridge; else number of leaf bridges */
	long *sw_seg;       /* segment of a switch's component, -1 if none yet */
	size_t *uf;         /* union-find over switches */
};

static size_t add_bridge(struct builder *b, int topo_node)
{
	struct vl_plan *p = b->p;
	size_t k = p->n_bridges++;

	vl_grow(&p->bridges, &p->cap_bridges, k, sizeof(*p->bridges));
	snprintf(p->bridges[k].name, sizeof(p->bridges[k].name), "vl%sb%zu", p->id, k);
	p->bridges[k].topo_node = topo_node;
	p->bridges[k].seg = -1;
	return k;
}

/* The bridge that serves the next port of switch s. */
static int take_port(struct builder *b, size_t s)
{
	size_t k = b->sw_used[s]++;
	size_t br = b->sw_leaves[s] ? b->sw_bridge0[s] + 1 + k / (VL_BRIDGE_LEAF_PORTS - 1)
	                            : b->sw_bridge0[s];

	b->p->bridges[br].n_ports++;
	return (int)br;
}

size_t vl_plan_add_veth(struct vl_plan *p, int topo_link, int mtu)
{
	size_t v = p->n_veths++;

	vl_grow(&p->veths, &p->cap_veths, v, sizeof(*p->veths));
	memset(&p->veths[v], 0, sizeof(p->veths[v]));
	p->veths[v].topo_link = topo_link;
	p->veths[v].host_link = -1;
	p->veths[v].mtu = mtu;
	return v;
}

size_t vl_plan_add_seg(struct vl_plan *p, int p2p)
{
	size_t s = p->n_segs++;

	vl_grow(&p->segs, &p->cap_segs, s, sizeof(*p->segs));
	p->segs[s].p2p = p2p;
	return s;
}

static void set_infra_end(struct vl_plan *p, size_t v, int e, char tag, int bridge)
{
	struct vl_plan_end *end = &p->veths[v].end[e];

	end->ns = VL_PLAN_INFRA;
	end->bridge = bridge;
	end->node_if = -1;
	snprintf(end->ifname, sizeof(end->ifname), "vl%s%c%zu", p->id, tag, v);
}

void vl_plan_set_node_end(struct vl_plan *p, size_t v, int e, size_t n, const char *ifname,
                          long seg)
{
	struct vl_plan_end *end = &p->veths[v].end[e];
	struct vl_plan_node *node = &p->nodes[n];
	size_t i = node->n_ifs++;

	vl_grow(&node->ifs, &node->cap_ifs, i, sizeof(*node->ifs));
	snprintf(node->ifs[i].name, sizeof(node->ifs[i].name), "%s", ifname);
	node->ifs[i].seg = (int)seg;
	node->ifs[i].veth = (int)v;
	node->ifs[i].end = e;
	end->ns = (int)n;
	end->bridge = -1;
	end->node_if = (int)i;
	snprintf(end->ifname, sizeof(end->ifname), "%s", ifname);
	if (seg >= 0)
		p->segs[seg].n_members++;
}

static long switch_seg(struct builder *b, size_t s)
{
	size_t root = uf_find(b->uf, s);

	if (b->sw_seg[root] < 0)
		b->sw_seg[root] = (long)vl_plan_add_seg(b->p, 0);
	return b->sw_seg[root];
}

/* The bridges, in order, into infra namespaces of at most
 * VL_BRIDGE_MAX_PORTS ports each (see plan.h): a namespace's ports are
 * what it has peers for. */
static void pack_infras(struct vl_plan *p)
{
	int used = 0, k = 0;

	for (size_t i = 0; i < p->n_bridges; i++) {
		struct vl_plan_bridge *br = &p->bridges[i];

		if (used && used + br->n_ports > VL_BRIDGE_MAX_PORTS) {
			k++;
			used = 0;
		}
		br->infra = k;
		used += br->n_ports;
	}
	p->n_infras = (size_t)k + 1;
	p->infras = vl_xcalloc(p->n_infras, sizeof(*p->infras));
	for (size_t i = 0; i < p->n_infras; i++)
		if (i)
			snprintf(p->infras[i], sizeof(p->infras[i]), "vl%s.sw%zu", p->id, i);
		else
			snprintf(p->infras[i], sizeof(p->infras[i]), "vl%s.sw", p->id);
}

static int build_links(struct builder *b, struct vl_err *err)
{
	struct vl_plan *p = b->p;
	const struct vl_topo *t = b->t;

	for (size_t l = 0; l < t->n_links; l++) {
		const struct vl_topo_link *lk = &t->links[l];
		size_t a = lk->ep[0].node, c = lk->ep[1].node;
		int mtu = lk->mtu ? lk->mtu : t->mtu;
		size_t v = vl_plan_add_veth(p, (int)l, mtu);

		/* end[k] is endpoint k: what leaves it goes in direction k */
		p->veths[v].egress[0] = lk->dir[0];
		p->veths[v].egress[1] = lk->dir[1];

		if (b->sw[a] >= 0 && b->sw[c] >= 0) {
			set_infra_end(p, v, 0, 'p', take_port(b, (size_t)b->sw[a]));
			set_infra_end(p, v, 1, 'q', take_port(b, (size_t)b->sw[c]));
		} else if (b->sw[a] >= 0 || b->sw[c] >= 0) {
			int se = b->sw[a] >= 0 ? 0 : 1;
			size_t s = (size_t)b->sw[lk->ep[se].node];
			size_t n = (size_t)b->pnode[lk->ep[!se].node];

			set_infra_end(p, v, se, 'p', take_port(b, s));
			vl_plan_set_node_end(p, v, !se, n, lk->ep[!se].ifname, switch_seg(b, s));
		} else {
			long seg = (long)vl_plan_add_seg(p, 1);

			vl_plan_set_node_end(p, v, 0, (size_t)b->pnode[a], lk->ep[0].ifname, seg);
			vl_plan_set_node_end(p, v, 1, (size_t)b->pnode[c], lk->ep[1].ifname, seg);
		}
	}
	/* Cascaded switches: every leaf bridge gets an uplink to the root. */
	for (size_t s = 0; s < b->n_sw; s++) {
		for (size_t k = 0; k < b->sw_leaves[s]; k++) {
			size_t v = vl_plan_add_veth(p, -1, t->mtu);

			set_infra_end(p, v, 0, 'p', (int)(b->sw_bridge0[s] + 1 + k));
			set_infra_end(p, v, 1, 'q', (int)b->sw_bridge0[s]);
			p->bridges[b->sw_bridge0[s] + 1 + k].n_ports++;
			p->bridges[b->sw_bridge0[s]].n_ports++;
		}
	}
	pack_infras(p);
	for (size_t k = 0; k < p->n_bridges; k++) {
		long s = b->sw[p->bridges[k].topo_node];

		p->bridges[k].seg = (int)b->sw_seg[uf_find(b->uf, (size_t)s)];
		if (p->bridges[k].n_ports > VL_BRIDGE_MAX_PORTS)
			return vl_err_set(err, 0, "internal: bridge %s has %d ports",
			                  p->bridges[k].name, p->bridges[k].n_ports);
	}
	return 0;
}

static int cmp_seg_size(const void *x, const void *y, void *arg)
{
	const struct vl_plan_seg *segs = arg;
	size_t a = *(const size_t *)x, c = *(const size_t *)y;

	if (segs[a].prefix != segs[c].prefix)
		return segs[a].prefix - segs[c].prefix;
	return a < c ? -1 : a > c;
}

static int assign_addresses(struct vl_plan *p, const struct vl_topo *t, struct vl_err *err)
{
	uint64_t pool_end = (uint64_t)t->pool_addr + (1ull << (32 - t->pool_prefix));
	uint64_t cursor = t->pool_addr;
	cleanup_free size_t *order = vl_xcalloc(p->n_segs, sizeof(*order));
	cleanup_free uint32_t *next = vl_xcalloc(p->n_segs, sizeof(*next));
	size_t n = 0;
	char net[16];

	for (size_t s = 0; s < p->n_segs; s++) {
		struct vl_plan_seg *g = &p->segs[s];
		int bits = 2;

		if (!g->n_members)
			continue;
		while ((1ull << bits) < (uint64_t)g->n_members + 2)
			bits++;
		g->prefix = 32 - bits;
		order[n++] = s;
	}
	qsort_r(order, n, sizeof(*order), cmp_seg_size, p->segs);
	for (size_t k = 0; k < n; k++) {
		struct vl_plan_seg *g = &p->segs[order[k]];
		uint64_t size = 1ull << (32 - g->prefix);

		cursor = (cursor + size - 1) & ~(size - 1);
		if (cursor + size > pool_end) {
			int largest = p->segs[order[0]].prefix;

			vl_fmt_ip(t->pool_addr, net);
			return vl_err_set(err, 0,
			                  "address pool %s/%d is too small for %zu segments "
			                  "(the largest needs a /%d); set topology.defaults.pool",
			                  net, t->pool_prefix, n, largest);
		}
		g->net = (uint32_t)cursor;
		next[order[k]] = g->net + 1;
		cursor += size;
	}
	for (size_t i = 0; i < p->n_nodes; i++) {
		for (size_t j = 0; j < p->nodes[i].n_ifs; j++) {
			struct vl_plan_if *f = &p->nodes[i].ifs[j];

			if (f->seg < 0 || !p->segs[f->seg].n_members)
				continue;
			f->addr = next[f->seg]++;
			f->prefix = p->segs[f->seg].prefix;
		}
	}
	return 0;
}

/* addressing none: the addresses the file gives its endpoints (ipv4:). */
static void given_addresses(struct vl_plan *p)
{
	for (size_t i = 0; i < p->n_nodes; i++)
		for (size_t j = 0; j < p->nodes[i].n_ifs; j++) {
			struct vl_plan_if *f = &p->nodes[i].ifs[j];
			const struct vl_plan_veth *ve = &p->veths[f->veth];
			const struct vl_topo_link *lk;

			if (ve->host_link >= 0 || ve->topo_link < 0)
				continue;
			lk = &p->topo->links[ve->topo_link];
			for (int e = 0; e < 2; e++)
				if (lk->ep[e].ipv4_prefix &&
				    lk->ep[e].node == (size_t)p->nodes[i].topo_node &&
				    !strcmp(lk->ep[e].ifname, f->name)) {
					f->addr = lk->ep[e].ipv4;
					f->prefix = lk->ep[e].ipv4_prefix;
				}
		}
}

void vl_plan_build_hosts(struct vl_plan *p)
{
	struct vl_buf b = {0};
	char ip[16], host[96];

	vl_buf_printf(&b,
	              "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
	              "# vnetlab lab %s\n",
	              p->lab);
	for (size_t i = 0; i < p->n_nodes; i++) {
		const struct vl_plan_node *n = &p->nodes[i];
		int named = 0;

		for (size_t j = 0; j < n->n_ifs; j++) {
			if (!n->ifs[j].addr)
				continue;
			vl_fmt_ip(n->ifs[j].addr, ip);
			if (!named++)
				vl_buf_printf(&b, "%s\t%s %s.%s", ip, n->name, n->name, p->lab);
			else
				vl_buf_printf(&b, "%s\t%s-%s", ip, n->name, n->ifs[j].name);
			/* on the management network, also the host's name for it */
			vl_plan_mgmt_name(p, i, host, sizeof(host));
			if ((int)j == n->mgmt_if && strcmp(host, n->name))
				vl_buf_printf(&b, " %s", host);
			vl_buf_add(&b, "\n", 1);
		}
	}
	free(p->hosts);
	p->hosts = b.s;
}

const char *vl_backend_name(enum vl_backend b)
{
	return b == VL_BACKEND_PROC ? "proc" : b == VL_BACKEND_VM ? "vm" : "ns";
}

int vl_backend_parse(const char *s)
{
	if (!strcmp(s, "ns"))
		return VL_BACKEND_NS;
	if (!strcmp(s, "proc"))
		return VL_BACKEND_PROC;
	if (!strcmp(s, "vm"))
		return VL_BACKEND_VM;
	return -1;
}

void vl_plan_lab_cgroup(const char *lab, char *buf, size_t len)
{
	snprintf(buf, len, "vnetlab/%s", lab);
}

/* node > kinds.<kind> (already in tn->res) > defaults > profile > none */
static void resolve_res(const struct vl_topo *t, const struct vl_topo_node *tn,
                        struct vl_plan_res *out)
{
	struct vl_topo_res prof;
	const struct vl_topo_res *lv[3] = {&tn->res, &t->defaults, &prof};

	vl_topo_res_profile(&prof, t->profile);
	memset(out, 0, sizeof(*out));
	for (int k = 2; k >= 0; k--) {
		const struct vl_topo_res *r = lv[k];

		if (r->cpus != VL_UNSET)
			out->cpus = r->cpus;
		if (r->cpu_weight != VL_UNSET)
			out->cpu_weight = (unsigned)r->cpu_weight;
		if (r->cpuset)
			snprintf(out->cpuset, sizeof(out->cpuset), "%s", r->cpuset);
		if (r->memory != VL_UNSET)
			out->memory = (uint64_t)r->memory;
		if (r->pids != VL_UNSET)
			out->pids = (uint64_t)r->pids;
		if (r->rootfs)
			out->rootfs = r->rootfs;
		if (r->pid_ns != VL_UNSET)
			out->pid_ns = r->pid_ns;
	}
}

/* Nodes in namespaces and guests take unicast addresses from the pool
 * (vl_ipv4_unusable). */
static int check_pool(const struct vl_topo *t, struct vl_err *err)
{
	const char *what = vl_ipv4_unusable(t->pool_addr, t->pool_prefix);
	char ip[16];

	if (!what)
		return 0;
	vl_fmt_ip(t->pool_addr, ip);
	return vl_err_set(err, 0,
	                  "pool %s/%d overlaps %s: nodes cannot use those addresses "
	                  "(choose a unicast range such as 10.0.0.0/8, 172.16.0.0/12 or "
	                  "192.168.0.0/16)",
	                  ip, t->pool_prefix, what);
}

/* The CPUs this host has online, read once per plan; known false if the
 * host does not say (cpusets are then not checked). */
struct online_cpus {
	bool known;
	uint64_t set[VL_MAX_CPUS / 64];
	char text[128];
};

static void online_cpus_read(struct online_cpus *oc)
{
	cleanup_free char *s = NULL;

	oc->known = false;
	if (vl_read_file("/sys/devices/system/cpu/online", &s, NULL, NULL) < 0)
		return;
	s[strcspn(s, "\n")] = '\0';
	snprintf(oc->text, sizeof(oc->text), "%s", s);
	oc->known = vl_parse_cpulist(s, oc->set) == 0;
}

/* A node's cpuset must name CPUs this host has online: the cgroup's
 * cpuset.cpus refuses any other. */
static int check_cpuset(const char *node, const char *cpuset, const struct online_cpus *oc,
                        struct vl_err *err)
{
	uint64_t want[VL_MAX_CPUS / 64];

	if (vl_parse_cpulist(cpuset, want) < 0)
		return vl_err_set(err, 0, "node %s: cpuset \"%s\" is not a CPU list", node, cpuset);
	for (size_t w = 0; oc->known && w < VL_MAX_CPUS / 64; w++)
		if (want[w] & ~oc->set[w])
			return vl_err_set(err, 0,
			                  "node %s: cpuset %s names CPU %zu, which this host does "
			                  "not have online (its CPUs: %s)",
			                  node, cpuset,
			                  w * 64 + (size_t)__builtin_ctzll(want[w] & ~oc->set[w]),
			                  oc->text);
	return 0;
}

/* The proc backend: no links; every node has one address on loopback
 * (all of 127.0.0.0/8 is local, so nothing needs configuring), from the
 * pool if it is in 127/8, else from a /16 of 127/8 picked by the lab id. */
static int plan_proc(struct vl_plan *p, const struct vl_topo *t, struct vl_err *err)
{
	uint32_t def_addr, base;
	int def_prefix, prefix;
	struct vl_buf b = {0};
	char ip[16];

	if (vl_parse_cidr(VL_TOPO_DEFAULT_POOL, &def_addr, &def_prefix) < 0)
		abort();
	if (t->pool_addr == def_addr && t->pool_prefix == def_prefix) {
		base = (127u << 24) | ((1 + (uint32_t)strtoul(p->id, NULL, 16) % 254) << 16);
		prefix = 16;
	} else if ((t->pool_addr >> 24) == 127 && t->pool_prefix >= 8) {
		base = t->pool_addr;
		prefix = t->pool_prefix;
	} else {
		vl_fmt_ip(t->pool_addr, ip);
		return vl_err_set(
		    err, 0,
		    "backend proc: pool %s/%d is not in 127.0.0.0/8: proc nodes share "
		    "the host's network, so their addresses live on loopback",
		    ip, t->pool_prefix);
	}
	if ((uint64_t)p->n_nodes + 2 > (1ull << (32 - prefix))) {
		vl_fmt_ip(base, ip);
		return vl_err_set(err, 0, "backend proc: pool %s/%d is too small for %zu nodes", ip,
		                  prefix, p->n_nodes);
	}
	vl_buf_printf(&b,
	              "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
	              "# vnetlab lab %s (backend proc)\n",
	              p->lab);
	for (size_t i = 0; i < p->n_nodes; i++) {
		p->nodes[i].proc_addr = base + 1 + (uint32_t)i;
		p->nodes[i].forward = 0;
		vl_fmt_ip(p->nodes[i].proc_addr, ip);
		vl_buf_printf(&b, "%s\t%s %s.%s\n", ip, p->nodes[i].name, p->nodes[i].name, p->lab);
	}
	p->hosts = b.s;
	return 0;
}

/* The builder's arrays: freed when vl_plan_build returns. */
static void builder_free(struct builder *b)
{
	free(b->pnode);
	free(b->sw);
	free(b->sw_ports);
	free(b->sw_used);
	free(b->sw_bridge0);
	free(b->sw_leaves);
	free(b->sw_seg);
	free(b->uf);
}

static void plan_freep(struct vl_plan **p)
{
	vl_plan_free(*p);
}

int vl_plan_build(const struct vl_topo *t, const char *lab, const char *id, enum vl_backend backend,
                  struct vl_plan **out, struct vl_err *err)
{
	__attribute__((cleanup(plan_freep))) struct vl_plan *p = NULL;
	__attribute__((cleanup(builder_free))) struct builder b = {0};
	struct online_cpus cpus;
	bool cpus_read = false;
	const char *why;

	if ((why = vl_name_invalid(lab)))
		return vl_err_set(err, 0, "lab name \"%s\" %s", lab, why);
	if (!id_valid(id))
		return vl_err_set(err, 0, "lab id \"%s\" is not %d hex digits", id, VL_LAB_ID_LEN);

	p = vl_xcalloc(1, sizeof(*p));
	p->topo = t;
	p->backend = backend;
	p->n_hosts = 1;
	p->part = -1;
	snprintf(p->lab, sizeof(p->lab), "%s", lab);
	snprintf(p->id, sizeof(p->id), "%s", id);

	b.p = p;
	b.t = t;
	b.pnode = vl_xcalloc(t->n_nodes, sizeof(*b.pnode));
	b.sw = vl_xcalloc(t->n_nodes, sizeof(*b.sw));
	p->nodes = vl_xcalloc(t->n_nodes, sizeof(*p->nodes));
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct vl_topo_node *tn = &t->nodes[i];

		b.pnode[i] = b.sw[i] = -1;
		if (tn->kind == VL_KIND_BRIDGE) {
			b.sw[i] = (long)b.n_sw++;
			continue;
		}
		struct vl_plan_node *n = &p->nodes[p->n_nodes];

		b.pnode[i] = (long)p->n_nodes++;
		n->name = tn->name;
		n->topo_node = (int)i;
		n->kind = tn->kind;
		n->forward = tn->kind == VL_KIND_ROUTER;
		n->mgmt_if = -1;
		n->ipv6 = tn->ipv6 == VL_UNSET ? t->ipv6 : tn->ipv6;
		vl_plan_netns_name(id, tn->name, n->netns, sizeof(n->netns));
		resolve_res(t, tn, &n->res);
		n->res.accounting = t->accounting;
		if (n->res.cpuset[0] && !cpus_read) {
			online_cpus_read(&cpus);
			cpus_read = true;
		}
		if (n->res.cpuset[0] && check_cpuset(tn->name, n->res.cpuset, &cpus, err) < 0)
			return -1;
		/* node > kind > defaults > the lab's backend */
		n->res.vm = tn->res.vm != VL_UNSET       ? tn->res.vm
		            : t->defaults.vm != VL_UNSET ? t->defaults.vm
		                                         : backend == VL_BACKEND_VM;
		if (n->res.vm && backend == VL_BACKEND_PROC)
			return vl_err_set(err, 0,
			                  "node %s: backend: vm in a lab of the proc backend (use "
			                  "--backend ns or vm)",
			                  tn->name);
		if (n->res.vm && (n->res.rootfs || n->res.pid_ns))
			return vl_err_set(
			    err, 0,
			    "node %s: a vm node has its own kernel and root: rootfs and "
			    "pid-namespace are for ns nodes",
			    tn->name);
		snprintf(n->cgroup, sizeof(n->cgroup), "vnetlab/%s/%s", lab, tn->name);
	}
	if (backend == VL_BACKEND_PROC) {
		if (t->n_host_links)
			return vl_err_set(err, 0,
			                  "%s:%s: host, mgmt-net and dummy links are interfaces of "
			                  "nodes with a network namespace: not on the proc backend",
			                  t->nodes[t->host_links[0].ep.node].name,
			                  t->host_links[0].ep.ifname);
		if (plan_proc(p, t, err) < 0)
			return -1;
		*out = p;
		p = NULL;
		return 0;
	}

	if (check_pool(t, err) < 0)
		return -1;
	b.sw_ports = vl_xcalloc(b.n_sw + 1, sizeof(size_t));
	b.sw_used = vl_xcalloc(b.n_sw + 1, sizeof(size_t));
	b.sw_bridge0 = vl_xcalloc(b.n_sw + 1, sizeof(size_t));
	b.sw_leaves = vl_xcalloc(b.n_sw + 1, sizeof(size_t));
	b.sw_seg = vl_xcalloc(b.n_sw + 1, sizeof(long));
	b.uf = vl_xcalloc(b.n_sw + 1, sizeof(size_t));
	for (size_t s = 0; s < b.n_sw; s++) {
		b.uf[s] = s;
		b.sw_seg[s] = -1;
	}
	for (size_t l = 0; l < t->n_links; l++) {
		size_t a = t->links[l].ep[0].node, c = t->links[l].ep[1].node;

		if (b.sw[a] >= 0)
			b.sw_ports[b.sw[a]]++;
		if (b.sw[c] >= 0)
			b.sw_ports[b.sw[c]]++;
		if (b.sw[a] >= 0 && b.sw[c] >= 0)
			b.uf[uf_find(b.uf, (size_t)b.sw[a])] = uf_find(b.uf, (size_t)b.sw[c]);
	}
	/* Bridges in switch order; a switch beyond a bridge's port limit
	 * becomes a root bridge with leaf bridges hanging off it. */
	for (size_t i = 0; i < t->n_nodes; i++) {
		long s = b.sw[i];

		if (s < 0)
			continue;
		b.sw_bridge0[s] = add_bridge(&b, (int)i);
		if (b.sw_ports[s] > VL_BRIDGE_MAX_PORTS) {
			size_t per = VL_BRIDGE_LEAF_PORTS - 1;

			b.sw_leaves[s] = (b.sw_ports[s] + per - 1) / per;
			if (b.sw_leaves[s] > VL_BRIDGE_MAX_PORTS)
				return vl_err_set(err, 0,
				                  "switch %s: %zu ports is more than %d x %d",
				                  t->nodes[i].name, b.sw_ports[s],
				                  VL_BRIDGE_MAX_PORTS, VL_BRIDGE_LEAF_PORTS - 1);
			for (size_t k = 0; k < b.sw_leaves[s]; k++)
				add_bridge(&b, (int)i);
		}
	}

	if (build_links(&b, err) < 0)
		return -1;
	/* addressing none: the lab's own addresses and routes are its exec
	 * lines' and its routers' (containerlab's way) */
	if (t->addressing != 0) {
		if (assign_addresses(p, t, err) < 0)
			return -1;
		vl_plan_compute_routes(p);
	} else {
		given_addresses(p);
	}
	if (vl_plan_build_mgmt(p, err) < 0 || vl_plan_build_host_links(p, b.pnode, err) < 0)
		return -1;
	vl_plan_build_hosts(p);
	*out = p;
	p = NULL;
	return 0;
}

const uint8_t *vl_plan_if_mac(const struct vl_plan *p, size_t i, size_t j)
{
	const struct vl_plan_node *n = &p->nodes[i];
	const struct vl_plan_veth *ve = &p->veths[n->ifs[j].veth];
	const struct vl_topo_link *lk;

	if (ve->host_link >= 0) {
		const struct vl_topo_host_link *h = &p->topo->host_links[ve->host_link];

		return h->ep.have_mac ? h->ep.mac : NULL;
	}
	if (ve->topo_link < 0)
		return NULL;
	lk = &p->topo->links[ve->topo_link];
	for (int e = 0; e < 2; e++)
		if (lk->ep[e].have_mac && lk->ep[e].node == (size_t)n->topo_node &&
		    lk->ep[e].ifname && !strcmp(lk->ep[e].ifname, n->ifs[j].name))
			return lk->ep[e].mac;
	return NULL;
}

void vl_plan_free(struct vl_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_nodes; i++) {
		free(p->nodes[i].ifs);
		free(p->nodes[i].routes);
	}
	free(p->nodes);
	free(p->bridges);
	free(p->infras);
	free(p->veths);
	free(p->segs);
	free(p->hosts);
	free(p->mgmt.hosts);
	free(p->host);
	free(p->weight);
	free(p->cut);
	free(p->underlay);
	free(p);
}

const char *vl_plan_end_ns_name(const struct vl_plan *p, const struct vl_plan_end *e)
{
	return e->ns == VL_PLAN_INFRA  ? vl_plan_end_infra_name(p, e)
	       : e->ns == VL_PLAN_HOST ? "host"
	       : e->ns == VL_PLAN_NONE ? "-"
	       : e->ns == VL_PLAN_REMOTE ? "remote"
	                               : p->nodes[e->ns].netns;
}

void vl_plan_dump(const struct vl_plan *p, struct vl_buf *out)
{
	char a[16], c[16];

	if (p->part >= 0)
		vl_buf_printf(out, "part %d of %d hosts, across them MTU %d\n", p->part, p->n_hosts,
		              p->span_mtu);
	if (p->backend == VL_BACKEND_PROC)
		vl_buf_printf(out, "lab %s id %s backend proc\n", p->lab, p->id);
	else {
		vl_buf_printf(out, "lab %s id %s infra", p->lab, p->id);
		for (size_t k = 0; k < p->n_infras; k++)
			vl_buf_printf(out, " %s", p->infras[k]);
		vl_buf_printf(out, "\n");
	}
	for (size_t s = 0; s < p->n_segs; s++) {
		const struct vl_plan_seg *g = &p->segs[s];

		vl_fmt_ip(g->net, a);
		if (g->n_members)
			vl_buf_printf(out, "segment %zu %s/%d %s members %d\n", s, a, g->prefix,
			              g->p2p ? "p2p" : "bridged", g->n_members);
		else
			vl_buf_printf(out, "segment %zu none %s members 0\n", s,
			              g->p2p ? "p2p" : "bridged");
	}
	if (p->mgmt.on) {
		vl_fmt_ip(p->mgmt.net, a);
		vl_fmt_ip(p->mgmt.gw, c);
		vl_buf_printf(out, "mgmt bridge %s %s/%d gw %s segment %d%s%s%s%s\n",
		              p->mgmt.bridge, a, p->mgmt.prefix, c, p->mgmt.seg,
		              p->mgmt.nat ? " nat" : "", p->mgmt.given ? "" : " default",
		              p->mgmt.isolated ? "" : " open-to-labs",
		              p->mgmt.host_services ? "" : " no-host-services");
	}
	for (size_t k = 0; k < p->n_bridges; k++)
		vl_buf_printf(out, "bridge %s switch %s ports %d segment %d%s%s\n",
		              p->bridges[k].name, p->topo->nodes[p->bridges[k].topo_node].name,
		              p->bridges[k].n_ports, p->bridges[k].seg,
		              p->n_infras > 1 ? " in " : "",
		              p->n_infras > 1 ? p->infras[p->bridges[k].infra] : "");
	for (size_t i = 0; i < p->n_nodes; i++) {
		const struct vl_plan_node *n = &p->nodes[i];

		const struct vl_plan_res *r = &n->res;

		if (p->backend == VL_BACKEND_PROC) {
			vl_fmt_ip(n->proc_addr, a);
			vl_buf_printf(out, "node %s %s address %s\n", n->name,
			              vl_kind_name(n->kind), a);
		} else {
			vl_buf_printf(out, "node %s %s netns %s forward %d ipv6 %d%s\n", n->name,
			              vl_kind_name(n->kind), n->netns, n->forward, n->ipv6,
			              n->res.vm ? " vm" : "");
		}
		if (r->cpus || r->cpu_weight || r->cpuset[0] || r->memory || r->pids || r->rootfs ||
		    r->pid_ns) {
			vl_buf_printf(out, "  res");
			if (r->cpus)
				vl_buf_printf(out, " cpus %g", r->cpus);
			if (r->cpu_weight)
				vl_buf_printf(out, " cpu-weight %u", r->cpu_weight);
			if (r->cpuset[0])
				vl_buf_printf(out, " cpuset %s", r->cpuset);
			if (r->memory)
				vl_buf_printf(out, " memory %llu", (unsigned long long)r->memory);
			if (r->pids)
				vl_buf_printf(out, " pids %llu", (unsigned long long)r->pids);
			if (r->rootfs)
				vl_buf_printf(out, " rootfs %s", r->rootfs);
			if (r->pid_ns)
				vl_buf_printf(out, " pid-namespace");
			vl_buf_add(out, "\n", 1);
		}
		for (size_t j = 0; j < n->n_ifs; j++) {
			const struct vl_plan_if *f = &n->ifs[j];
			const struct vl_plan_end *peer = &p->veths[f->veth].end[!f->end];

			vl_fmt_ip(f->addr, a);
			vl_buf_printf(out, "  if %s %s/%d peer %s:%s\n", f->name, f->addr ? a : "-",
			              f->prefix, vl_plan_end_ns_name(p, peer), peer->ifname);
		}
		for (size_t k = 0; k < n->n_routes; k++) {
			const struct vl_plan_route *rt = &n->routes[k];

			vl_fmt_ip(rt->dst, a);
			vl_fmt_ip(rt->via, c);
			if (rt->prefix == 0)
				vl_buf_printf(out, "  route default via %s dev %s\n", c,
				              n->ifs[rt->oif].name);
			else
				vl_buf_printf(out, "  route %s/%d via %s dev %s\n", a, rt->prefix,
				              c, n->ifs[rt->oif].name);
		}
	}
	for (size_t v = 0; v < p->n_veths; v++) {
		const struct vl_plan_veth *e = &p->veths[v];

		vl_buf_printf(out, "veth %zu", v);
		for (int k = 0; k < 2; k++) {
			vl_buf_printf(out, " %s:%s", vl_plan_end_ns_name(p, &e->end[k]),
			              e->end[k].ifname);
			if (e->end[k].bridge >= 0)
				vl_buf_printf(out, "@%s", p->bridges[e->end[k].bridge].name);
			else if (e->end[k].ns == VL_PLAN_HOST && e->on_mgmt)
				vl_buf_printf(out, "@%s", p->mgmt.bridge);
		}
		if (e->mtu)
			vl_buf_printf(out, " mtu %d", e->mtu);
		if (e->vni)
			vl_buf_printf(out, " vxlan %u to host %d", e->vni, e->remote_host);
		for (int k = 0; k < 2; k++) {
			char im[256];

			if (vl_impair_none(&e->egress[k]))
				continue;
			vl_impair_format(&e->egress[k], im, sizeof(im));
			vl_buf_printf(out, " out%d[%s]", k, im);
		}
		vl_buf_add(out, "\n", 1);
	}
	vl_buf_printf(out, "hosts:\n%s", p->hosts);
	if (p->mgmt.on)
		vl_buf_printf(out, "host's hosts:\n%s", p->mgmt.hosts);
}
