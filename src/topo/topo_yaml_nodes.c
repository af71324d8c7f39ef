/* The YAML loader's nodes (see topo_yaml.h): topology.defaults,
 * topology.kinds and topology.nodes, with the resources each may set. */
#include "topo/topo.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "topo/topo_yaml.h"

/* The resource keys of a mapping (defaults, kinds.K or a node) into r. */
static int load_res(struct loader *ld, const struct found *f, enum where w, const char *ctx,
                    struct vl_topo_res *r)
{
	static const struct {
		const char *key, *alias;
	} keys[] = {{"cpus", "cpu"}, {"cpu-weight", NULL}, {"cpuset", "cpu-set"}, {"memory", NULL},
	            {"pids", NULL},  {"rootfs", NULL},     {"backend", NULL}};
	yaml_node_t *v;
	const char *s, *why;
	char what[192];
	int failed = 0;

	for (size_t i = 0; i < vl_yaml_key_tables[w].n_ours; i++)
		if (f->key[i] && !r->pos.line && strcmp(vl_yaml_key_tables[w].ours[i], "kind") &&
		    strcmp(vl_yaml_key_tables[w].ours[i], "ipv6") &&
		    strcmp(vl_yaml_key_tables[w].ours[i], "host"))
			r->pos = vl_yaml_pos(f->key[i]);
	for (size_t k = 0; k < VL_ARRAY_SIZE(keys); k++) {
		if (keys[k].alias)
			v = vl_yaml_either(ld, f, w, keys[k].key, keys[k].alias, ctx, &failed);
		else
			v = vl_yaml_found_val(f, w, keys[k].key);
		if (failed)
			return -1;
		if (!v)
			continue;
		snprintf(what, sizeof(what), "%s: %s", ctx, keys[k].key);
		if (vl_yaml_get_string(ld, v, what, &s) < 0)
			return -1;
		if ((why = vl_topo_res_set(r, keys[k].key, s)))
			return fail(ld, v, "%s \"%s\": %s", what, s, why);
	}
	if ((v = vl_yaml_found_val(f, w, "pid-namespace"))) {
		snprintf(what, sizeof(what), "%s: pid-namespace", ctx);
		if (vl_yaml_get_bool(ld, v, what, &r->pid_ns) < 0)
			return -1;
	}
	return 0;
}

int vl_yaml_load_defaults(struct loader *ld, yaml_node_t *n)
{
	const char *ctx = "topology.defaults", *s;
	struct found f;
	yaml_node_t *v;
	int mtu;

	if (vl_yaml_get_mapping(ld, n, ctx, &n) < 0)
		return -1;
	if (!n)
		return 0;
	if (vl_yaml_walk_keys(ld, n, W_DEFAULTS, ctx, &f) < 0)
		return -1;
	if ((v = vl_yaml_found_val(&f, W_DEFAULTS, "kind")) &&
	    vl_yaml_get_kind(ld, v, ctx, &ld->def_kind) < 0)
		return -1;
	if (load_res(ld, &f, W_DEFAULTS, ctx, &ld->t->defaults) < 0 ||
	    vl_yaml_load_settings(ld, &f, W_DEFAULTS, ctx, &ld->def_set) < 0)
		return -1;
	if ((v = vl_yaml_found_val(&f, W_DEFAULTS, "profile"))) {
		int p;

		if (vl_yaml_get_string(ld, v, "topology.defaults: profile", &s) < 0)
			return -1;
		if ((p = vl_profile_parse(s)) < 0)
			return fail(ld, v, "profile \"%s\" is not known (expected study or none)",
			            s);
		ld->t->profile = (enum vl_profile)p;
	}
	if ((v = vl_yaml_found_val(&f, W_DEFAULTS, "ipv6"))) {
		if (vl_yaml_get_bool(ld, v, "topology.defaults: ipv6", &ld->def_ipv6) < 0)
			return -1;
		ld->t->ipv6 = ld->def_ipv6;
	}
	if ((v = vl_yaml_found_val(&f, W_DEFAULTS, "addressing"))) {
		if (vl_yaml_get_string(ld, v, "topology.defaults: addressing", &s) < 0)
			return -1;
		if (strcmp(s, "auto") && strcmp(s, "none"))
			return fail(ld, v, "addressing \"%s\": expected auto or none", s);
		ld->t->addressing = !strcmp(s, "auto");
	}
	if ((v = vl_yaml_found_val(&f, W_DEFAULTS, "mtu"))) {
		if (vl_yaml_get_mtu(ld, v, ctx, &mtu) < 0)
			return -1;
		ld->t->mtu = mtu;
	}
	if ((v = vl_yaml_found_val(&f, W_DEFAULTS, "pool"))) {
		uint32_t addr, mask;
		int prefix;
		char ip[16];

		if (vl_yaml_get_string(ld, v, "topology.defaults: pool", &s) < 0)
			return -1;
		if (vl_parse_cidr(s, &addr, &prefix) < 0)
			return fail(ld, v, "pool \"%s\": expected an IPv4 network like 10.0.0.0/8",
			            s);
		if (prefix < 1 || prefix > 30)
			return fail(ld, v, "pool \"%s\": prefix length must be between 1 and 30",
			            s);
		mask = ~0u << (32 - prefix);
		if (addr & ~mask) {
			vl_fmt_ip(addr & mask, ip);
			return fail(ld, v, "pool \"%s\": host bits set (did you mean %s/%d?)", s,
			            ip, prefix);
		}
		ld->t->pool_addr = addr;
		ld->t->pool_prefix = prefix;
	}
	return 0;
}

/* host: of mapping f (table w, named ctx): pins the node(s) to a host. */
static int load_pin(struct loader *ld, const struct found *f, enum where w, const char *ctx,
                    struct vl_topo_pin *pin)
{
	yaml_node_t *v = vl_yaml_found_val(f, w, "host");
	unsigned long h;
	const char *s;
	char what[192];

	if (!v)
		return 0;
	snprintf(what, sizeof(what), "%s: host", ctx);
	if (vl_yaml_get_string(ld, v, what, &s) < 0)
		return -1;
	if (vl_parse_uint(s, 0, VL_TOPO_MAX_HOSTS - 1, &h) < 0)
		return fail(ld, v,
		            "%s \"%s\": expected a host's number, 0 to %d (0 is the first host)",
		            what, s, VL_TOPO_MAX_HOSTS - 1);
	*pin = (struct vl_topo_pin){.on = true, .host = (int)h, .pos = vl_yaml_pos(v)};
	return 0;
}

/* A level a node inherits from (kinds.K, groups.G): its mapping vn walked
 * against table w into *f, and its ipv6, host, resources and settings. *f
 * is left empty (f->key[] all NULL) for an empty level. */
static int load_level(struct loader *ld, yaml_node_t *vn, enum where w, const char *ctx,
                      struct found *f, int *ipv6, struct vl_topo_pin *pin, struct vl_topo_res *res,
                      struct vl_topo_settings *set)
{
	yaml_node_t *v;

	memset(f, 0, sizeof(*f));
	if (vl_yaml_get_mapping(ld, vn, ctx, &vn) < 0)
		return -1;
	if (!vn)
		return 0;
	if (vl_yaml_walk_keys(ld, vn, w, ctx, f) < 0)
		return -1;
	if ((v = vl_yaml_found_val(f, w, "ipv6"))) {
		char what[192];

		snprintf(what, sizeof(what), "%s: ipv6", ctx);
		if (vl_yaml_get_bool(ld, v, what, ipv6) < 0)
			return -1;
	}
	if (load_pin(ld, f, w, ctx, pin) < 0 || load_res(ld, f, w, ctx, res) < 0 ||
	    vl_yaml_load_settings(ld, f, w, ctx, set) < 0)
		return -1;
	return 0;
}

int vl_yaml_load_kinds(struct loader *ld, yaml_node_t *n)
{
	yaml_node_t *seen[3] = {0};

	if (vl_yaml_get_mapping(ld, n, "topology.kinds", &n) < 0)
		return -1;
	if (!n)
		return 0;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = vl_yaml_node(ld, p->key), *vn = vl_yaml_node(ld, p->value);
		char ctx[128];
		enum vl_kind kind;
		struct found f;
		bool frr;

		if (vl_yaml_get_kind_frr(ld, kn, "topology.kinds", &kind, &frr) < 0)
			return -1;
		/* kinds.frr: a slot of its own, for nodes of kind frr */
		if (frr) {
			if (load_level(ld, vn, W_KINDS, "topology.kinds.frr", &f, &ld->frr_ipv6,
			               &ld->frr_pin, &ld->frr_res, &ld->frr_set) < 0)
				return -1;
			continue;
		}
		if (seen[kind]) {
			struct vl_pos first = vl_yaml_pos(seen[kind]);

			return fail(ld, kn,
			            "duplicate key \"%s\" in topology.kinds (first at %d:%d)",
			            vl_kind_name(kind), first.line, first.col);
		}
		seen[kind] = kn;
		snprintf(ctx, sizeof(ctx), "topology.kinds.%s", vl_kind_name(kind));
		if (load_level(ld, vn, W_KINDS, ctx, &f, &ld->kind_ipv6[kind], &ld->kind_pin[kind],
		               &ld->kind_res[kind], &ld->kind_set[kind]) < 0)
			return -1;
	}
	return 0;
}

int vl_yaml_load_groups(struct loader *ld, yaml_node_t *n)
{
	if (vl_yaml_get_mapping(ld, n, "topology.groups", &n) < 0)
		return -1;
	if (!n)
		return 0;
	ld->groups =
	    vl_xcalloc((size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start) + 1,
	               sizeof(*ld->groups));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = vl_yaml_node(ld, p->key), *vn = vl_yaml_node(ld, p->value), *v;
		struct yaml_group *g = &ld->groups[ld->n_groups];
		const struct yaml_group *dup;
		const char *name;
		char ctx[160];
		struct found f;

		if (vl_yaml_get_string(ld, kn, "topology.groups: a group's name", &name) < 0)
			return -1;
		if ((dup = vl_yaml_group(ld, name)))
			return fail(ld, kn, "duplicate group \"%s\" (first at %d:%d)", name,
			            dup->pos.line, dup->pos.col);
		*g = (struct yaml_group){.name = name, .ipv6 = VL_UNSET, .pos = vl_yaml_pos(kn)};
		vl_topo_res_init(&g->res);
		vl_topo_settings_init(&g->set);
		ld->n_groups++;
		snprintf(ctx, sizeof(ctx), "topology.groups.%s", name);
		if (load_level(ld, vn, W_GROUP, ctx, &f, &g->ipv6, &g->pin, &g->res, &g->set) < 0)
			return -1;
		if ((v = vl_yaml_found_val(&f, W_GROUP, "kind"))) {
			if (vl_yaml_get_kind_frr(ld, v, ctx, &g->kind, &g->frr) < 0)
				return -1;
			g->have_kind = true;
		}
	}
	return 0;
}

static int load_node(struct loader *ld, yaml_node_t *kn, yaml_node_t *vn)
{
	const char *name, *why;
	struct vl_topo_node *node;
	enum vl_kind kind = ld->def_kind;
	bool frr = false;
	int ipv6 = VL_UNSET;
	char ctx[128];
	struct found f;
	yaml_node_t *v;
	struct vl_topo_res res;
	struct vl_topo_settings set;
	struct vl_topo_pin pin = {0};
	const struct yaml_group *group = NULL;

	vl_topo_res_init(&res);
	vl_topo_settings_init(&set);
	if (kn->type != YAML_SCALAR_NODE || vl_yaml_is_null(kn))
		return fail(ld, kn, "topology.nodes: expected a node name, got %s",
		            vl_yaml_type_name(kn));
	if (vl_yaml_get_string(ld, kn, "node name", &name) < 0)
		return -1;
	if ((why = vl_name_invalid(name)))
		return fail(ld, kn, "node name \"%s\" %s", name, why);
	if (vl_topo_find_node_nocase(ld->t, name) >= 0) {
		const struct vl_topo_node *first =
		    &ld->t->nodes[vl_topo_find_node_nocase(ld->t, name)];

		if (!strcmp(first->name, name))
			return fail(ld, kn, "duplicate node \"%s\" (first at %d:%d)", name,
			            first->pos.line, first->pos.col);
		return fail(ld, kn,
		            "node \"%s\" differs from node \"%s\" (at %d:%d) only in case: names "
		            "resolve without regard to case, so each must differ in more",
		            name, first->name, first->pos.line, first->pos.col);
	}
	snprintf(ctx, sizeof(ctx), "node \"%s\"", name);
	if (vl_yaml_get_mapping(ld, vn, ctx, &vn) < 0)
		return -1;
	if (vn) {
		if (vl_yaml_walk_keys(ld, vn, W_NODE, ctx, &f) < 0)
			return -1;
		/* node > group > kind > defaults */
		if ((v = vl_yaml_found_val(&f, W_NODE, "group"))) {
			const char *g;

			if (vl_yaml_get_string(ld, v, ctx, &g) < 0)
				return -1;
			if (!(group = vl_yaml_group(ld, g)))
				return fail(ld, v, "%s: group \"%s\" is not in topology.groups",
				            ctx, g);
			if (group->have_kind) {
				kind = group->kind;
				frr = group->frr;
			}
		}
		if ((v = vl_yaml_found_val(&f, W_NODE, "kind")) &&
		    vl_yaml_get_kind_frr(ld, v, ctx, &kind, &frr) < 0)
			return -1;
		if ((v = vl_yaml_found_val(&f, W_NODE, "ipv6"))) {
			char what[160];

			snprintf(what, sizeof(what), "%s: ipv6", ctx);
			if (vl_yaml_get_bool(ld, v, what, &ipv6) < 0)
				return -1;
		}
		if (load_pin(ld, &f, W_NODE, ctx, &pin) < 0 ||
		    load_res(ld, &f, W_NODE, ctx, &res) < 0 ||
		    vl_yaml_load_settings(ld, &f, W_NODE, ctx, &set) < 0) {
			vl_topo_res_free(&res);
			vl_topo_settings_free(&set);
			return -1;
		}
	}
	if (group) {
		vl_topo_res_inherit(&res, &group->res);
		vl_topo_settings_inherit(&set, &group->set);
		if (ipv6 == VL_UNSET)
			ipv6 = group->ipv6;
		if (!pin.on)
			pin = group->pin;
	}
	if (!pin.on)
		pin = frr ? ld->frr_pin : ld->kind_pin[kind];
	vl_topo_res_inherit(&res, frr ? &ld->frr_res : &ld->kind_res[kind]);
	vl_topo_settings_inherit(&set, frr ? &ld->frr_set : &ld->kind_set[kind]);
	vl_topo_settings_inherit(&set, &ld->def_set);
	if (ipv6 == VL_UNSET)
		ipv6 = frr ? ld->frr_ipv6 : ld->kind_ipv6[kind];
	/* containerlab's older form: kind linux, an FRR image, FRR's files
	 * bound into /etc/frr. It routes. */
	for (size_t k = 0; k < set.n_binds && !frr; k++)
		frr = !strncmp(set.binds[k], "/etc/frr=", 9) ||
		      !strncmp(set.binds[k], "/etc/frr/", 9);
	if (frr) {
		set.frr = true;
		kind = VL_KIND_ROUTER;
		if (vl_yaml_check_startup(ld, ctx, &set) < 0) {
			vl_topo_res_free(&res);
			vl_topo_settings_free(&set);
			return -1;
		}
	} else if (set.startup_config) {
		vl_topo_add_warning(ld->t,
		                    "%s:%d:%d: %s: startup-config ignored (only FRR nodes take "
		                    "one here)",
		                    ld->file, set.startup_pos.line, set.startup_pos.col, ctx);
		free(set.startup_config);
		set.startup_config = NULL;
	}
	if (ipv6 == VL_UNSET)
		ipv6 = ld->def_ipv6;
	node = vl_topo_add_node(ld->t, name, vl_yaml_pos(kn));
	if (!node)
		abort(); /* checked above */
	node->kind = kind;
	node->ipv6 = ipv6;
	node->res = res;
	node->set = set;
	node->pin = pin;
	return vn ? vl_yaml_load_node_mgmt(ld, &f, ctx, node) : 0;
}

int vl_yaml_load_nodes(struct loader *ld, yaml_node_t *topology_key, yaml_node_t *key,
                       yaml_node_t *n)
{
	if (!n)
		return fail(ld, topology_key, "topology: missing key \"nodes\"");
	if (vl_yaml_is_null(n))
		return fail(ld, key, "topology.nodes: no nodes defined");
	if ((n->type == YAML_MAPPING_NODE &&
	     n->data.mapping.pairs.start == n->data.mapping.pairs.top))
		return fail(ld, n, "topology.nodes: no nodes defined");
	if (n->type != YAML_MAPPING_NODE)
		return fail(ld, n, "topology.nodes: expected a mapping of node names, got %s",
		            vl_yaml_type_name(n));
	if (n->data.mapping.pairs.top - n->data.mapping.pairs.start > VL_TOPO_MAX_NODES)
		return fail(ld,
		            vl_yaml_node(ld, n->data.mapping.pairs.start[VL_TOPO_MAX_NODES].key),
		            "topology.nodes: more than %d nodes (this is node %d): a lab has at "
		            "most %d",
		            VL_TOPO_MAX_NODES, VL_TOPO_MAX_NODES + 1, VL_TOPO_MAX_NODES);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
		if (load_node(ld, vl_yaml_node(ld, p->key), vl_yaml_node(ld, p->value)) < 0)
			return -1;
	return vl_yaml_check_wait_for(ld);
}
