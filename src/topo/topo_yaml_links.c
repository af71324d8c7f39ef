/* The YAML loader's links (see topo_yaml.h): endpoints, impairments and
 * the other settings of each link, and the interfaces in use, in a hash
 * table so that a second use of one is found in O(1). */
#include "topo/topo.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "topo/topo_yaml.h"

/* An interface in use: node index and name, by which link, where. */
struct if_slot {
	size_t node;
	const char *ifname; /* owned by the topology's link */
	size_t link;
	struct vl_pos pos;
	bool used;
};

static size_t if_hash(size_t node, const char *ifname)
{
	uint64_t h = 1469598103934665603ULL ^ node;

	for (; *ifname; ifname++) {
		h ^= (unsigned char)*ifname;
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

/* The earlier use of (node, ifname), or record this one and return NULL. */
static struct if_slot *if_claim(struct loader *ld, size_t node, const char *ifname, size_t link,
                                struct vl_pos pos)
{
	size_t mask, i;

	if ((ld->n_ifs + 1) * 2 > ld->ifs_cap) {
		struct if_slot *old = ld->ifs;
		size_t old_cap = ld->ifs_cap;

		ld->ifs_cap = old_cap ? old_cap * 2 : 64;
		ld->ifs = vl_xcalloc(ld->ifs_cap, sizeof(*ld->ifs));
		for (size_t j = 0; j < old_cap; j++) {
			if (!old[j].used)
				continue;
			mask = ld->ifs_cap - 1;
			for (i = if_hash(old[j].node, old[j].ifname) & mask; ld->ifs[i].used;
			     i = (i + 1) & mask)
				;
			ld->ifs[i] = old[j];
		}
		free(old);
	}
	mask = ld->ifs_cap - 1;
	for (i = if_hash(node, ifname) & mask; ld->ifs[i].used; i = (i + 1) & mask)
		if (ld->ifs[i].node == node && !strcmp(ld->ifs[i].ifname, ifname))
			return &ld->ifs[i];
	ld->ifs[i] = (struct if_slot){node, ifname, link, pos, true};
	ld->n_ifs++;
	return NULL;
}

/* An endpoint's ipv4: "A.B.C.D/N", an address a node can use, neither
 * its subnet's network nor broadcast address (N <= 30). */
static int load_endpoint_ipv4(struct loader *ld, yaml_node_t *v, const char *ctx,
                              struct vl_topo_endpoint *ep)
{
	const char *s, *what;
	uint32_t a, host;
	int prefix;

	if (vl_yaml_get_string(ld, v, ctx, &s) < 0)
		return -1;
	if (vl_parse_cidr(s, &a, &prefix) < 0 || prefix < 1)
		return fail(ld, v, "%s: ipv4 \"%s\": expected an address and prefix, 10.0.0.1/8",
		            ctx, s);
	if ((what = vl_ipv4_unusable(a, 32)))
		return fail(ld, v, "%s: ipv4 \"%s\" is in %s", ctx, s, what);
	host = prefix == 32 ? 0 : a & ((1u << (32 - prefix)) - 1);
	if (prefix <= 30 && (!host || host == (1u << (32 - prefix)) - 1))
		return fail(ld, v, "%s: ipv4 \"%s\" is its subnet's %s address", ctx, s,
		            host ? "broadcast" : "network");
	ep->ipv4 = a;
	ep->ipv4_prefix = prefix;
	ep->ipv4_pos = vl_yaml_pos(v);
	return 0;
}

/* One endpoint, "node:iface" or {node: N, interface: I}, into ep. */
static int load_endpoint(struct loader *ld, yaml_node_t *n, const char *lctx, size_t idx,
                         struct vl_topo_endpoint *ep)
{
	cleanup_free char *text = NULL, *node_s = NULL; /* "node:iface", "node" */
	yaml_node_t *node_n, *if_n;
	const char *s, *if_s, *why;
	char ctx[160];
	long node;

	snprintf(ctx, sizeof(ctx), "%s endpoint %zu", lctx, idx + 1);
	if (n->type == YAML_MAPPING_NODE) {
		struct found f;

		if (vl_yaml_walk_keys(ld, n, W_ENDPOINT, ctx, &f) < 0)
			return -1;
		node_n = vl_yaml_found_val(&f, W_ENDPOINT, "node");
		if_n = vl_yaml_found_val(&f, W_ENDPOINT, "interface");
		if (!node_n)
			return fail(ld, n, "%s: missing key \"node\"", ctx);
		if (!if_n)
			return fail(ld, n, "%s: missing key \"interface\"", ctx);
		if (vl_yaml_get_string(ld, node_n, ctx, &s) < 0 ||
		    vl_yaml_get_string(ld, if_n, ctx, &if_s) < 0)
			return -1;
		node_s = vl_xstrdup(s);
		text = vl_xasprintf("%s:%s", s, if_s);
		yaml_node_t *mac_n = vl_yaml_found_val(&f, W_ENDPOINT, "mac");
		const char *m;
		unsigned b[6];
		char tail;

		if (mac_n) {
			if (vl_yaml_get_string(ld, mac_n, ctx, &m) < 0)
				return -1;
			if (sscanf(m, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
			           &b[4], &b[5], &tail) != 6 ||
			    strlen(m) != 17)
				return fail(
				    ld, mac_n,
				    "%s: mac \"%s\": expected six hex bytes, 02:00:00:00:00:01",
				    ctx, m);
			if (b[0] & 1)
				return fail(ld, mac_n, "%s: mac \"%s\" is a multicast address", ctx,
				            m);
			if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
				return fail(ld, mac_n, "%s: mac \"%s\": all zeros", ctx, m);
			for (int k = 0; k < 6; k++)
				ep->mac[k] = (uint8_t)b[k];
			ep->have_mac = true;
			ep->mac_pos = vl_yaml_pos(mac_n);
		}
		if ((mac_n = vl_yaml_found_val(&f, W_ENDPOINT, "ipv4")) &&
		    load_endpoint_ipv4(ld, mac_n, ctx, ep) < 0)
			return -1;
		ep->pos = vl_yaml_pos(vl_yaml_node(ld, n->data.mapping.pairs.start->key));
	} else {
		const char *colon;

		if (n->type != YAML_SCALAR_NODE || vl_yaml_is_null(n))
			return fail(ld, n, "%s: expected \"node:interface\", got %s", ctx,
			            vl_yaml_type_name(n));
		if (vl_yaml_get_string(ld, n, ctx, &s) < 0)
			return -1;
		colon = strchr(s, ':');
		if (!colon || colon == s || !colon[1] || strchr(colon + 1, ':'))
			return fail(ld, n, "link endpoint \"%s\": expected \"node:interface\"", s);
		node_s = vl_xasprintf("%.*s", (int)(colon - s), s);
		if_s = colon + 1;
		text = vl_xstrdup(s);
		node_n = if_n = n;
		ep->pos = vl_yaml_pos(n);
	}
	node = vl_topo_find_node(ld->t, node_s);
	if (node < 0)
		return fail(ld, node_n, "link endpoint \"%s\": no node named %s", text, node_s);
	if ((why = vl_ifname_invalid(if_s)))
		return fail(ld, if_n, "link endpoint \"%s\": interface name \"%s\" %s", text, if_s,
		            why);
	ep->node = (size_t)node;
	ep->ifname = vl_xstrdup(if_s);
	return 0;
}

/* The impairment keys of mapping f (table w) into each of dirs. */
static int load_impair(struct loader *ld, const struct found *f, enum where w, const char *ctx,
                       struct vl_impair *dirs, size_t n_dirs)
{
	static const char *const keys[] = {IMPAIR_KEYS};
	int failed = 0;

	for (size_t k = 0; k < VL_ARRAY_SIZE(keys); k++) {
		yaml_node_t *v;
		const char *s, *why;
		char what[160];

		if (!strcmp(keys[k], "rate"))
			continue; /* with bw */
		v = !strcmp(keys[k], "bw") ? vl_yaml_either(ld, f, w, "bw", "rate", ctx, &failed)
		                           : vl_yaml_found_val(f, w, keys[k]);
		if (failed)
			return -1;
		if (!v)
			continue;
		snprintf(what, sizeof(what), "%s: %s", ctx, keys[k]);
		if (vl_yaml_get_string(ld, v, what, &s) < 0)
			return -1;
		for (size_t d = 0; d < n_dirs; d++)
			if ((why = vl_impair_set(&dirs[d], keys[k], s)))
				return fail(ld, v, "%s \"%s\": %s", what, s, why);
	}
	return 0;
}

/* A link with one endpoint (type host, mgmt-net or dummy), in the
 * extended form (endpoint: {node, interface, mac}, host-interface) or the
 * brief one ("node:if", "host:NAME" or "mgmt-net:NAME"; ep_n, host_n). */
static int load_host_link(struct loader *ld, const struct found *f, yaml_node_t *n,
                          enum vl_host_link_type type, yaml_node_t *ep_n, const char *host_if,
                          yaml_node_t *host_n, size_t idx, const char *ctx)
{
	struct vl_topo *t = ld->t;
	struct vl_topo_host_link h = {.type = type};
	yaml_node_t *v;
	const char *why;
	struct if_slot *prev;

	h.pos = vl_yaml_pos(vl_yaml_node(ld, n->data.mapping.pairs.start->key));
	if (!ep_n && !(ep_n = vl_yaml_found_val(f, W_LINK, "endpoint")))
		return fail(ld, n, "%s: type %s needs an endpoint: {node, interface}", ctx,
		            vl_host_link_type_name(type));
	if (!host_if && (host_n = vl_yaml_found_val(f, W_LINK, "host-interface")) &&
	    vl_yaml_get_string(ld, host_n, ctx, &host_if) < 0)
		return -1;
	if (type == VL_DUMMY_LINK && host_n)
		return fail(ld, host_n, "%s: a dummy link has no host-interface", ctx);
	if (type != VL_DUMMY_LINK && !host_if)
		return fail(ld, n,
		            "%s: type %s needs host-interface: the name of its end on the host",
		            ctx, vl_host_link_type_name(type));
	if (host_if && (why = vl_ifname_invalid(host_if)))
		return fail(ld, host_n, "%s: host-interface \"%s\" %s", ctx, host_if, why);
	/* the lab's own names on the host are vl<id>...: none of the user's */
	if (host_if && !strncmp(host_if, "vl", 2))
		return fail(ld, host_n,
		            "%s: host-interface \"%s\": names beginning with vl are vnetlab's own",
		            ctx, host_if);
	if ((v = vl_yaml_found_val(f, W_LINK, "mtu")) && vl_yaml_get_mtu(ld, v, ctx, &h.mtu) < 0)
		return -1;
	if (load_endpoint(ld, ep_n, ctx, 0, &h.ep) < 0)
		return -1;
	if (t->nodes[h.ep.node].kind == VL_KIND_BRIDGE) {
		free(h.ep.ifname);
		return vl_yaml_fail_at(ld, h.ep.pos,
		                       "%s: a %s link's endpoint is a node, not a bridge", ctx,
		                       vl_host_link_type_name(type));
	}
	if ((prev = if_claim(ld, h.ep.node, h.ep.ifname, idx, h.ep.pos))) {
		const char *name = t->nodes[h.ep.node].name;
		int r = vl_yaml_fail_at(ld, h.ep.pos,
		                        "link endpoint \"%s:%s\": interface %s of %s is already "
		                        "used by link %zu at %d:%d",
		                        name, h.ep.ifname, h.ep.ifname, name, prev->link + 1,
		                        prev->pos.line, prev->pos.col);

		free(h.ep.ifname);
		return r;
	}
	for (size_t i = 0; host_if && i < t->n_host_links; i++)
		if (t->host_links[i].host_ifname &&
		    !strcmp(t->host_links[i].host_ifname, host_if)) {
			free(h.ep.ifname);
			return fail(ld, host_n, "%s: host-interface %s is the link's at %d:%d too",
			            ctx, host_if, t->host_links[i].pos.line,
			            t->host_links[i].pos.col);
		}
	h.host_ifname = host_if ? vl_xstrdup(host_if) : NULL;
	vl_grow(&t->host_links, &t->cap_host_links, t->n_host_links, sizeof(*t->host_links));
	t->host_links[t->n_host_links++] = h;
	return 0;
}

/* The brief form's "host:NAME" or "mgmt-net:NAME" (when no node has that
 * name): which type, and NAME; -1 for an endpoint of another kind. */
static int brief_host_end(struct loader *ld, yaml_node_t *en, const char **name)
{
	const char *s;

	if (en->type != YAML_SCALAR_NODE || vl_yaml_is_null(en))
		return -1;
	s = (const char *)en->data.scalar.value;
	for (int k = 0; k < 2; k++) {
		const char *pre = k ? "mgmt-net:" : "host:";
		size_t len = strlen(pre);

		if (!strncmp(s, pre, len) && s[len] &&
		    vl_topo_find_node(ld->t, k ? "mgmt-net" : "host") < 0) {
			*name = s + len;
			return k ? VL_MGMT_LINK : VL_HOST_LINK;
		}
	}
	return -1;
}

static int load_link(struct loader *ld, yaml_node_t *n, size_t idx)
{
	struct vl_topo_link *l;
	yaml_node_t *eps, *v, *first;
	struct found f;
	char ctx[64];
	size_t n_eps;

	snprintf(ctx, sizeof(ctx), "link %zu", idx + 1);
	if (n->type != YAML_MAPPING_NODE)
		return fail(ld, n, "%s: expected a mapping with endpoints, got %s", ctx,
		            vl_yaml_type_name(n));
	if (vl_yaml_walk_keys(ld, n, W_LINK, ctx, &f) < 0)
		return -1;
	if ((v = vl_yaml_found_val(&f, W_LINK, "type"))) {
		const char *type;

		if (vl_yaml_get_string(ld, v, "link type", &type) < 0)
			return -1;
		if (!strcmp(type, "host") || !strcmp(type, "mgmt-net") || !strcmp(type, "dummy"))
			return load_host_link(ld, &f, n,
			                      !strcmp(type, "host")       ? VL_HOST_LINK
			                      : !strcmp(type, "mgmt-net") ? VL_MGMT_LINK
			                                                  : VL_DUMMY_LINK,
			                      NULL, NULL, NULL, idx, ctx);
		if (strcmp(type, "veth"))
			return fail(
			    ld, v,
			    "%s: type \"%s\" is not supported (expected veth, host, mgmt-net "
			    "or dummy)",
			    ctx, type);
	}
	if ((v = vl_yaml_found_val(&f, W_LINK, "endpoint")))
		return fail(ld, v, "%s: endpoint: (one) is for type host, mgmt-net or dummy", ctx);
	eps = vl_yaml_found_val(&f, W_LINK, "endpoints");
	if (!eps)
		return fail(ld, n, "%s: missing key \"endpoints\"", ctx);
	if (eps->type != YAML_SEQUENCE_NODE)
		return fail(ld, eps, "%s: endpoints: expected a list of 2 endpoints, got %s", ctx,
		            vl_yaml_type_name(eps));
	n_eps = (size_t)(eps->data.sequence.items.top - eps->data.sequence.items.start);
	if (n_eps != 2)
		return fail(ld, eps, "%s: expected 2 endpoints, got %zu", ctx, n_eps);
	/* the brief form of a host or mgmt-net link: "host:NAME" at one end */
	for (size_t i = 0; i < 2; i++) {
		yaml_node_t *en = vl_yaml_node(ld, eps->data.sequence.items.start[i]);
		const char *host_if;
		int type = brief_host_end(ld, en, &host_if);

		if (type >= 0)
			return load_host_link(ld, &f, n, (enum vl_host_link_type)type,
			                      vl_yaml_node(ld, eps->data.sequence.items.start[!i]),
			                      host_if, en, idx, ctx);
	}

	l = vl_topo_add_link(ld->t);
	first = vl_yaml_node(ld, n->data.mapping.pairs.start->key); /* walk_keys saw >= 1 */
	l->pos = vl_yaml_pos(first);
	if ((v = vl_yaml_found_val(&f, W_LINK, "mtu")) && vl_yaml_get_mtu(ld, v, ctx, &l->mtu) < 0)
		return -1;
	if (load_impair(ld, &f, W_LINK, ctx, l->dir, 2) < 0)
		return -1;
	for (int d = 0; d < 2; d++) {
		const char *key = d ? "reverse" : "forward";
		char dctx[96];
		struct found df;

		if (!(v = vl_yaml_found_val(&f, W_LINK, key)))
			continue;
		snprintf(dctx, sizeof(dctx), "%s: %s", ctx, key);
		if (vl_yaml_get_mapping(ld, v, dctx, &v) < 0)
			return -1;
		if (v && (vl_yaml_walk_keys(ld, v, W_DIRECTION, dctx, &df) < 0 ||
		          load_impair(ld, &df, W_DIRECTION, dctx, &l->dir[d], 1) < 0))
			return -1;
	}
	if ((v = vl_yaml_found_val(&f, W_LINK, "engine"))) {
		const char *e;

		if (vl_yaml_get_string(ld, v, "link engine", &e) < 0)
			return -1;
		if (!strcmp(e, "kernel"))
			l->engine = VL_LINK_ENGINE_KERNEL;
		else if (!strcmp(e, "user"))
			l->engine = VL_LINK_ENGINE_USER;
		else if (strcmp(e, "auto"))
			return fail(ld, v, "%s: engine \"%s\": expected auto, kernel or user", ctx,
			            e);
	}
	for (size_t i = 0; i < 2; i++) {
		yaml_node_t *en = vl_yaml_node(ld, eps->data.sequence.items.start[i]);

		if (load_endpoint(ld, en, ctx, i, &l->ep[i]) < 0)
			return -1;
	}
	if (l->ep[0].node == l->ep[1].node) {
		const char *name = ld->t->nodes[l->ep[0].node].name;

		return vl_yaml_fail_at(ld, l->ep[1].pos,
		                       "%s: node %s is linked to itself (%s:%s and %s:%s)", ctx,
		                       name, name, l->ep[0].ifname, name, l->ep[1].ifname);
	}
	for (size_t i = 0; i < 2; i++) {
		struct vl_topo_endpoint *ep = &l->ep[i];
		struct if_slot *prev = if_claim(ld, ep->node, ep->ifname, idx, ep->pos);

		if (prev) {
			const char *name = ld->t->nodes[ep->node].name;

			return vl_yaml_fail_at(
			    ld, ep->pos,
			    "link endpoint \"%s:%s\": interface %s of %s is already used by "
			    "link %zu at %d:%d",
			    name, ep->ifname, ep->ifname, name, prev->link + 1, prev->pos.line,
			    prev->pos.col);
		}
	}
	return 0;
}

static int cmp_mac_pos(const void *pa, const void *pb)
{
	const struct vl_topo_endpoint *a = *(const struct vl_topo_endpoint *const *)pa;
	const struct vl_topo_endpoint *b = *(const struct vl_topo_endpoint *const *)pb;
	int c = memcmp(a->mac, b->mac, sizeof(a->mac));

	if (c)
		return c;
	return a->mac_pos.line != b->mac_pos.line ? a->mac_pos.line - b->mac_pos.line
	                                          : a->mac_pos.col - b->mac_pos.col;
}

/* No two interfaces of the lab with the same MAC (sorted: n log n). */
static int check_macs(struct loader *ld)
{
	const struct vl_topo *t = ld->t;
	cleanup_free const struct vl_topo_endpoint **eps =
	    vl_xcalloc(2 * t->n_links + t->n_host_links + 1, sizeof(*eps));
	size_t n = 0;

	for (size_t i = 0; i < t->n_links; i++)
		for (int e = 0; e < 2; e++)
			if (t->links[i].ep[e].have_mac)
				eps[n++] = &t->links[i].ep[e];
	for (size_t i = 0; i < t->n_host_links; i++)
		if (t->host_links[i].ep.have_mac)
			eps[n++] = &t->host_links[i].ep;
	qsort(eps, n, sizeof(*eps), cmp_mac_pos);
	for (size_t i = 1; i < n; i++) {
		const struct vl_topo_endpoint *a = eps[i - 1], *b = eps[i];
		const uint8_t *m = b->mac;

		if (memcmp(a->mac, m, sizeof(a->mac)))
			continue;
		return vl_yaml_fail_at(ld, b->mac_pos,
		                       "mac %02x:%02x:%02x:%02x:%02x:%02x of %s:%s is %s:%s's too "
		                       "(at %d:%d): each interface needs a MAC of its own",
		                       m[0], m[1], m[2], m[3], m[4], m[5], t->nodes[b->node].name,
		                       b->ifname, t->nodes[a->node].name, a->ifname,
		                       a->mac_pos.line, a->mac_pos.col);
	}
	return 0;
}

/* Addresses go on nodes' interfaces of links between two ends. */
static int check_ipv4(struct loader *ld)
{
	const struct vl_topo *t = ld->t;

	for (size_t i = 0; i < t->n_links; i++)
		for (int e = 0; e < 2; e++) {
			const struct vl_topo_endpoint *ep = &t->links[i].ep[e];

			if (ep->ipv4_prefix && t->nodes[ep->node].kind == VL_KIND_BRIDGE)
				return vl_yaml_fail_at(ld, ep->ipv4_pos,
				                       "%s:%s: ipv4 on a switch's port: a bridge "
				                       "port has no address",
				                       t->nodes[ep->node].name, ep->ifname);
		}
	for (size_t i = 0; i < t->n_host_links; i++)
		if (t->host_links[i].ep.ipv4_prefix)
			return vl_yaml_fail_at(ld, t->host_links[i].ep.ipv4_pos,
			                       "ipv4 on a %s link's endpoint: not supported (set "
			                       "it with an exec line)",
			                       vl_host_link_type_name(t->host_links[i].type));
	return 0;
}

int vl_yaml_check_ipv4_addressing(struct loader *ld)
{
	const struct vl_topo *t = ld->t;

	if (!t->addressing)
		return 0;
	for (size_t i = 0; i < t->n_links; i++)
		for (int e = 0; e < 2; e++)
			if (t->links[i].ep[e].ipv4_prefix)
				return vl_yaml_fail_at(
				    ld, t->links[i].ep[e].ipv4_pos,
				    "%s:%s: ipv4 given in a lab with vnetlab's automatic addresses: "
				    "set topology.defaults.addressing: none to give them yourself",
				    t->nodes[t->links[i].ep[e].node].name, t->links[i].ep[e].ifname);
	return 0;
}

int vl_yaml_load_links(struct loader *ld, yaml_node_t *n)
{
	size_t count;

	if (!n || vl_yaml_is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(ld, n, "topology.links: expected a list of links, got %s",
		            vl_yaml_type_name(n));
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count > VL_TOPO_MAX_LINKS)
		return fail(ld, vl_yaml_node(ld, n->data.sequence.items.start[VL_TOPO_MAX_LINKS]),
		            "topology.links: more than %d links (this is link %d): a lab has at "
		            "most %d",
		            VL_TOPO_MAX_LINKS, VL_TOPO_MAX_LINKS + 1, VL_TOPO_MAX_LINKS);
	for (size_t i = 0; i < count; i++)
		if (load_link(ld, vl_yaml_node(ld, n->data.sequence.items.start[i]), i) < 0)
			return -1;
	return check_macs(ld) < 0 ? -1 : check_ipv4(ld);
}
