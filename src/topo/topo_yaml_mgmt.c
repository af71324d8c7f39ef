/* containerlab's management network in a topology file: the top-level
 * `mgmt:` (network, ipv4-subnet, ipv4-gw, and vnetlab's nat, lab-isolation
 * and host-services), `prefix:`,
 * and each node's mgmt-ipv4 and network-mode. The addresses are checked
 * here, with file:line:column; the plan hands out the rest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "topo/topo_yaml.h"

/* An IPv4 network "a.b.c.d/len" with no host bits, len 8..30. */
static int get_subnet(struct loader *ld, yaml_node_t *v, const char *what, uint32_t *net,
                      int *prefix)
{
	const char *s, *why;
	char ip[16];

	if (vl_yaml_get_string(ld, v, what, &s) < 0)
		return -1;
	if (vl_parse_cidr(s, net, prefix) < 0 || *prefix < 8 || *prefix > 30)
		return fail(ld, v,
		            "%s \"%s\": expected an IPv4 network such as 172.20.20.0/24 "
		            "(prefix 8..30)",
		            what, s);
	if (*net & ~(~0u << (32 - *prefix))) {
		vl_fmt_ip(*net & (~0u << (32 - *prefix)), ip);
		return fail(ld, v, "%s \"%s\": host bits set (did you mean %s/%d?)", what, s, ip,
		            *prefix);
	}
	if ((why = vl_ipv4_unusable(*net, *prefix)))
		return fail(ld, v,
		            "%s \"%s\" overlaps %s: nodes cannot use those addresses (choose "
		            "a private network such as 172.20.20.0/24)",
		            what, s, why);
	return 0;
}

static int get_addr(struct loader *ld, yaml_node_t *v, const char *what, uint32_t *addr)
{
	const char *s;
	int prefix = 32;
	char buf[32];
	const char *slash;

	if (vl_yaml_get_string(ld, v, what, &s) < 0)
		return -1;
	/* containerlab writes mgmt-ipv4 without a length; one is allowed */
	slash = strchr(s, '/');
	snprintf(buf, sizeof(buf), "%s%s", s, slash ? "" : "/32");
	if (strlen(s) >= sizeof(buf) - 3 || vl_parse_cidr(buf, addr, &prefix) < 0 || !*addr)
		return fail(ld, v, "%s \"%s\": expected an IPv4 address such as 172.20.20.5", what,
		            s);
	return 0;
}

int vl_yaml_load_mgmt(struct loader *ld, yaml_node_t *n)
{
	struct vl_topo_mgmt *m = &ld->t->mgmt;
	const char *ctx = "mgmt", *s;
	yaml_node_t *v;
	struct found f;
	int failed = 0;

	m->pos = vl_yaml_pos(n);
	if (vl_yaml_get_mapping(ld, n, ctx, &n) < 0)
		return -1;
	if (m->on == VL_UNSET)
		m->on = 1; /* a mgmt: section asks for one */
	if (!n)
		return 0;
	if (vl_yaml_walk_keys(ld, n, W_MGMT, ctx, &f) < 0)
		return -1;
	if ((v = vl_yaml_found_val(&f, W_MGMT, "network"))) {
		if (vl_yaml_get_string(ld, v, "mgmt: network", &s) < 0)
			return -1;
		/* docker's network "none": no networking; any other name is
		 * the network's, which here is the lab's own bridge */
		if (!strcmp(s, "none"))
			m->on = 0;
	}
	v = vl_yaml_either(ld, &f, W_MGMT, "ipv4-subnet", "ipv4_subnet", ctx, &failed);
	if (failed || (v && get_subnet(ld, v, "mgmt: ipv4-subnet", &m->net, &m->prefix) < 0))
		return -1;
	v = vl_yaml_either(ld, &f, W_MGMT, "ipv4-gw", "ipv4_gw", ctx, &failed);
	if (failed || (v && get_addr(ld, v, "mgmt: ipv4-gw", &m->gw) < 0))
		return -1;
	if (m->gw) {
		uint32_t net = m->prefix ? m->net : VL_MGMT_DEFAULT_NET;
		int prefix = m->prefix ? m->prefix : VL_MGMT_DEFAULT_PREFIX;
		uint32_t mask = ~0u << (32 - prefix);

		if ((m->gw & mask) != net || m->gw == net || m->gw == (net | ~mask))
			return fail(ld, v,
			            "mgmt: ipv4-gw is not a host address of the "
			            "management subnet");
	}
	if ((v = vl_yaml_found_val(&f, W_MGMT, "nat")) &&
	    vl_yaml_get_bool(ld, v, "mgmt: nat", &m->nat) < 0)
		return -1;
	/* vnetlab's own: the host's firewall around the lab (README) */
	if ((v = vl_yaml_found_val(&f, W_MGMT, "lab-isolation")) &&
	    vl_yaml_get_bool(ld, v, "mgmt: lab-isolation", &m->lab_isolation) < 0)
		return -1;
	if ((v = vl_yaml_found_val(&f, W_MGMT, "host-services")) &&
	    vl_yaml_get_bool(ld, v, "mgmt: host-services", &m->host_services) < 0)
		return -1;
	return 0;
}

int vl_yaml_load_prefix(struct loader *ld, yaml_node_t *v)
{
	const char *s;

	/* prefix: "" is a value: names without a prefix */
	if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0 &&
	    v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		s = "";
	else if (vl_yaml_get_string(ld, v, "prefix", &s) < 0)
		return -1;
	if (strcmp(s, "__lab-name") && *s && vl_name_invalid(s))
		return fail(ld, v, "prefix \"%s\": %s", s, vl_name_invalid(s));
	free(ld->t->mgmt.prefix_name);
	ld->t->mgmt.prefix_name = vl_xstrdup(s);
	return 0;
}

int vl_yaml_load_node_mgmt(struct loader *ld, const struct found *f, const char *ctx,
                           struct vl_topo_node *node)
{
	yaml_node_t *v;
	char what[160];
	const char *s;
	int failed = 0;

	v = vl_yaml_either(ld, f, W_NODE, "mgmt-ipv4", "mgmt_ipv4", ctx, &failed);
	snprintf(what, sizeof(what), "%s: mgmt-ipv4", ctx);
	if (failed || (v && get_addr(ld, v, what, &node->mgmt_ipv4) < 0))
		return -1;
	if (v)
		node->mgmt_pos = vl_yaml_pos(v);
	if ((v = vl_yaml_found_val(f, W_NODE, "network-mode"))) {
		snprintf(what, sizeof(what), "%s: network-mode", ctx);
		if (vl_yaml_get_string(ld, v, what, &s) < 0)
			return -1;
		if (!strcmp(s, "none"))
			node->no_mgmt = true;
		else if (strcmp(s, "bridge"))
			vl_topo_add_warning(ld->t,
			                    "%s:%d:%d: %s: network-mode \"%s\" ignored (a node "
			                    "here has its own network namespace, on the management "
			                    "network unless network-mode is none)",
			                    ld->file, vl_yaml_pos(v).line, vl_yaml_pos(v).col, ctx,
			                    s);
	}
	return 0;
}

int vl_yaml_check_mgmt(struct loader *ld)
{
	const struct vl_topo *t = ld->t;
	const struct vl_topo_mgmt *m = &t->mgmt;
	uint32_t net = m->prefix ? m->net : VL_MGMT_DEFAULT_NET;
	int prefix = m->prefix ? m->prefix : VL_MGMT_DEFAULT_PREFIX;
	uint32_t mask = ~0u << (32 - prefix);
	uint32_t gw = m->gw ? m->gw : net + 1;
	char ip[16];

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct vl_topo_node *n = &t->nodes[i];
		uint32_t a = n->mgmt_ipv4;

		if (!a)
			continue;
		vl_fmt_ip(a, ip);
		if (n->kind == VL_KIND_BRIDGE)
			return vl_yaml_fail_at(
			    ld, n->mgmt_pos,
			    "node \"%s\": mgmt-ipv4 on a bridge (a switch has no "
			    "management interface)",
			    n->name);
		if ((a & mask) != net || a == net || a == (net | ~mask)) {
			char nb[16];

			vl_fmt_ip(net, nb);
			return vl_yaml_fail_at(
			    ld, n->mgmt_pos,
			    "node \"%s\": mgmt-ipv4 %s is not a host address of the "
			    "management subnet %s/%d",
			    n->name, ip, nb, prefix);
		}
		if (a == gw)
			return vl_yaml_fail_at(
			    ld, n->mgmt_pos,
			    "node \"%s\": mgmt-ipv4 %s is the management network's "
			    "gateway (the host's address on it)",
			    n->name, ip);
		for (size_t k = 0; k < i; k++)
			if (t->nodes[k].mgmt_ipv4 == a)
				return vl_yaml_fail_at(
				    ld, n->mgmt_pos,
				    "node \"%s\": mgmt-ipv4 %s is node \"%s\"'s too "
				    "(at %d:%d)",
				    n->name, ip, t->nodes[k].name, t->nodes[k].mgmt_pos.line,
				    t->nodes[k].mgmt_pos.col);
	}
	return 0;
}
