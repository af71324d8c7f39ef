/* The containerlab-style YAML loader, on libyaml's document API.
 *
 * Every error is "FILE:LINE:COL: what", at the node or key at fault; the
 * first error stops the load. Containerlab keys that make no sense for
 * namespace nodes are accepted with a warning; any other key is an error
 * that lists the keys expected there. Everything is O(size of the file):
 * node names and used interfaces go through hash tables. */
#include "topo/topo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "base/util.h"

/* Where a key may appear, for the key tables and the warning summaries. */
enum where {
	W_TOP,
	W_TOPOLOGY,
	W_DEFAULTS,
	W_KINDS,
	W_NODE,
	W_LINK,
	W_ENDPOINT,
	W_DIRECTION,
};

/* Containerlab node keys we accept and ignore: our nodes are namespaces
 * on the host's filesystem, not containers. */
static const char *const clab_node_keys[] = {
    "image",
    "startup-config",
    "enforce-startup-config",
    "suppress-startup-config",
    "license",
    "binds",
    "ports",
    "mgmt-ipv4",
    "mgmt-ipv6",
    "env",
    "env-files",
    "user",
    "entrypoint",
    "cmd",
    "exec",
    "labels",
    "group",
    "type",
    "network-mode",
    "sysctls",
    "publish",
    "extras",
    "wait-for",
    "dns",
    "certificate",
    "healthcheck",
    "stages",
    "restart-policy",
    "image-pull-policy",
    "runtime",
    "auto-remove",
    "startup-delay",
    "config",
    "components",
    "shm-size",
    "devices",
    "cap-add",
    "aliases",
};
static const char *const clab_top_keys[] = {"prefix", "mgmt"};
static const char *const clab_link_keys[] = {"vars", "labels"};
static const char *const clab_endpoint_keys[] = {"mac"};

#define MAX_KEYS 64 /* keys ours + ignored in any one table */
_Static_assert(VL_ARRAY_SIZE(clab_node_keys) <= MAX_KEYS, "MAX_KEYS too small");

struct keys {
	const char *const *ours;
	size_t n_ours;
	const char *const *ignored;
	size_t n_ignored;
	const char *why; /* reason in the warning for an ignored key */
};

static const char *const top_keys[] = {"name", "topology"};
static const char *const topology_keys[] = {"defaults", "kinds", "nodes", "links"};
/* Resource keys (with containerlab's names for the same things: cpu,
 * cpu-set, memory) are accepted wherever a node's settings are. */
#define RES_KEYS                                                                                   \
	"cpus", "cpu", "cpu-weight", "cpuset", "cpu-set", "memory", "pids", "rootfs",              \
	    "pid-namespace", "backend"
static const char *const defaults_keys[] = {"kind", "ipv6", "pool", "mtu", "profile", RES_KEYS};
static const char *const kinds_keys[] = {"ipv6", RES_KEYS};
static const char *const node_keys[] = {"kind", "ipv6", RES_KEYS};
/* Impairments: on a link, for both directions; under forward: (from the
 * first endpoint to the second) or reverse:, for one. */
#define IMPAIR_KEYS "bw", "rate", "delay", "jitter", "distribution", "loss", "loss-model", "queue"
static const char *const link_keys[] = {"endpoints", "mtu",     "type",     "engine",
                                        "forward",   "reverse", IMPAIR_KEYS};
static const char *const direction_keys[] = {IMPAIR_KEYS};
static const char *const endpoint_keys[] = {"node", "interface"};

#define KEYS(o, i, w)                                                                              \
	{                                                                                          \
		o, VL_ARRAY_SIZE(o), i, VL_ARRAY_SIZE(i), w                                        \
	}
static const char ns_why[] = "nodes are namespaces on the host's filesystem";
static const char clab_why[] = "containerlab setting that vnetlab does not use";

static const struct keys key_tables[] = {
    [W_TOP] = KEYS(top_keys, clab_top_keys, clab_why),
    [W_TOPOLOGY] = {topology_keys, VL_ARRAY_SIZE(topology_keys), NULL, 0, NULL},
    [W_DEFAULTS] = KEYS(defaults_keys, clab_node_keys, ns_why),
    [W_KINDS] = KEYS(kinds_keys, clab_node_keys, ns_why),
    [W_NODE] = KEYS(node_keys, clab_node_keys, ns_why),
    [W_LINK] = KEYS(link_keys, clab_link_keys, clab_why),
    [W_ENDPOINT] = KEYS(endpoint_keys, clab_endpoint_keys, clab_why),
    [W_DIRECTION] = {direction_keys, VL_ARRAY_SIZE(direction_keys), NULL, 0, NULL},
};

/* Plural noun for the "ignored on N more ..." summary. */
static const char *const where_plural[] = {
    [W_TOP] = "files",          [W_TOPOLOGY] = "topologies",  [W_DEFAULTS] = "defaults",
    [W_KINDS] = "kinds",        [W_NODE] = "nodes",           [W_LINK] = "links",
    [W_ENDPOINT] = "endpoints", [W_DIRECTION] = "directions",
};

#define WARN_KEEP 3 /* warnings kept per (where, key); then one summary */

struct warn_count {
	enum where where;
	const char *key; /* static string from a key table */
	size_t count;
	struct vl_pos first_dropped;
};

/* An interface in use: node index and name, by which link, where. */
struct if_slot {
	size_t node;
	const char *ifname; /* owned by the topology's link */
	size_t link;
	struct vl_pos pos;
	bool used;
};

struct loader {
	const char *file;
	yaml_document_t *doc;
	struct vl_topo *t;
	struct vl_err *err;

	enum vl_kind def_kind;
	int def_ipv6;     /* VL_UNSET if not given */
	int kind_ipv6[3]; /* per kind, VL_UNSET if not given */
	struct vl_topo_res kind_res[3];

	struct warn_count *warns;
	size_t n_warns, warns_cap;

	struct if_slot *ifs;
	size_t n_ifs, ifs_cap; /* ifs_cap: a power of two */
};

/* The values found in one mapping for the keys we use, by table index. */
struct found {
	yaml_node_t *key[MAX_KEYS];
	yaml_node_t *val[MAX_KEYS];
};

static struct vl_pos pos_of(const yaml_node_t *n)
{
	return (struct vl_pos){(int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
}

static int fail_at(struct loader *ld, struct vl_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(struct loader *ld, struct vl_pos pos, const char *fmt, ...)
{
	char msg[sizeof(ld->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vl_err_set(ld->err, 0, "%s:%d:%d: %s", ld->file, pos.line, pos.col, msg);
}

#define fail(ld, node, ...) fail_at(ld, pos_of(node), __VA_ARGS__)

static yaml_node_t *node_get(struct loader *ld, int id)
{
	return yaml_document_get_node(ld->doc, id);
}

static bool is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

/* "a mapping", "a list", "nothing" or "a string", for messages. */
static const char *type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return is_null(n) ? "nothing" : "a string";
	}
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* The text of a scalar that must hold a value; what names it in errors. */
static int get_string(struct loader *ld, const yaml_node_t *n, const char *what, const char **out)
{
	if (n->type != YAML_SCALAR_NODE || is_null(n))
		return fail(ld, n, "%s: expected a string, got %s", what, type_name(n));
	if (strlen(scalar(n)) != n->data.scalar.length)
		return fail(ld, n, "%s: NUL character in string", what);
	*out = scalar(n);
	return 0;
}

static int get_bool(struct loader *ld, const yaml_node_t *n, const char *what, int *out)
{
	static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no",
	                                                                       "off"};

	if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
		for (size_t i = 0; i < VL_ARRAY_SIZE(yes); i++) {
			if (!strcasecmp(scalar(n), yes[i]))
				return *out = 1, 0;
			if (!strcasecmp(scalar(n), no[i]))
				return *out = 0, 0;
		}
		return fail(ld, n, "%s: expected true or false, got \"%s\"", what, scalar(n));
	}
	return fail(ld, n, "%s: expected true or false, got %s", what, type_name(n));
}

static int get_mtu(struct loader *ld, const yaml_node_t *n, const char *what, int *out)
{
	unsigned long v;

	if (n->type != YAML_SCALAR_NODE || is_null(n))
		return fail(ld, n, "%s: mtu: expected an integer between 68 and 65535, got %s",
		            what, type_name(n));
	if (vl_parse_uint(scalar(n), 68, 65535, &v) < 0)
		return fail(ld, n, "%s: mtu \"%s\": expected an integer between 68 and 65535", what,
		            scalar(n));
	*out = (int)v;
	return 0;
}

static int parse_kind(struct loader *ld, const yaml_node_t *n, const char *what, enum vl_kind *out)
{
	static const enum vl_kind kinds[] = {VL_KIND_LINUX, VL_KIND_ROUTER, VL_KIND_BRIDGE};
	const char *s;

	if (n->type != YAML_SCALAR_NODE || is_null(n))
		return fail(ld, n, "%s: kind: expected linux, router or bridge, got %s", what,
		            type_name(n));
	s = scalar(n);
	for (size_t i = 0; i < VL_ARRAY_SIZE(kinds); i++)
		if (!strcmp(s, vl_kind_name(kinds[i])))
			return *out = kinds[i], 0;
	return fail(ld, n, "%s: kind \"%s\" is not supported (expected linux, router or bridge)",
	            what, s);
}

/* Record a warning for an ignored key; past WARN_KEEP per (where, key),
 * only count it for the summary added at the end. */
static void warn_ignored(struct loader *ld, enum where w, const char *key, const yaml_node_t *kn,
                         const char *ctx)
{
	struct warn_count *wc = NULL;
	struct vl_pos pos = pos_of(kn);

	for (size_t i = 0; i < ld->n_warns; i++)
		if (ld->warns[i].where == w && ld->warns[i].key == key)
			wc = &ld->warns[i];
	if (!wc) {
		vl_grow(&ld->warns, &ld->warns_cap, ld->n_warns, sizeof(*ld->warns));
		wc = &ld->warns[ld->n_warns++];
		wc->where = w;
		wc->key = key;
	}
	if (wc->count++ < WARN_KEEP) {
		vl_topo_add_warning(ld->t, "%s:%d:%d: %s%s%s ignored (%s)", ld->file, pos.line,
		                    pos.col, w == W_TOP ? "" : ctx, w == W_TOP ? "" : ": ", key,
		                    key_tables[w].why);
		return;
	}
	if (wc->count == WARN_KEEP + 1)
		wc->first_dropped = pos;
}

static void warn_summaries(struct loader *ld)
{
	for (size_t i = 0; i < ld->n_warns; i++) {
		struct warn_count *wc = &ld->warns[i];

		if (wc->count <= WARN_KEEP)
			continue;
		vl_topo_add_warning(ld->t, "%s:%d:%d: %s ignored on %zu more %s", ld->file,
		                    wc->first_dropped.line, wc->first_dropped.col, wc->key,
		                    wc->count - WARN_KEEP, where_plural[wc->where]);
	}
}

/* The expected keys of a table, "a, b, c", for messages. */
static void list_keys(const struct keys *k, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < k->n_ours && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", k->ours[i]);
}

/* Walk mapping n against table w: fill f with the keys we use, warn for
 * ignored containerlab keys, fail on unknown or duplicate keys. ctx names
 * the mapping in messages ("node \"h1\""). */
static int walk_keys(struct loader *ld, const yaml_node_t *n, enum where w, const char *ctx,
                     struct found *f)
{
	const struct keys *k = &key_tables[w];
	yaml_node_t *ign[MAX_KEYS] = {0};

	memset(f, 0, sizeof(*f));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = node_get(ld, p->key), *vn = node_get(ld, p->value);
		yaml_node_t **slot = NULL;
		const char *key, *static_key = NULL;
		char expected[512];

		if (kn->type != YAML_SCALAR_NODE || is_null(kn))
			return fail(ld, kn, "%s: expected a key, got %s", ctx, type_name(kn));
		if (get_string(ld, kn, ctx, &key) < 0)
			return -1;
		for (size_t i = 0; i < k->n_ours && !slot; i++)
			if (!strcmp(key, k->ours[i])) {
				slot = &f->key[i];
				f->val[i] = vn;
			}
		for (size_t i = 0; i < k->n_ignored && !slot; i++)
			if (!strcmp(key, k->ignored[i])) {
				slot = &ign[i];
				static_key = k->ignored[i];
			}
		if (!slot) {
			list_keys(k, expected, sizeof(expected));
			return fail(ld, kn, "unknown key \"%s\" in %s (expected one of: %s)", key,
			            ctx, expected);
		}
		if (*slot) {
			struct vl_pos first = pos_of(*slot);

			return fail(ld, kn, "duplicate key \"%s\" in %s (first at %d:%d)", key, ctx,
			            first.line, first.col);
		}
		*slot = kn;
		if (static_key)
			warn_ignored(ld, w, static_key, kn, ctx);
	}
	return 0;
}

/* Index of key name in table w's keys we use (a constant lookup). */
static size_t key_index(enum where w, const char *name)
{
	const struct keys *k = &key_tables[w];

	for (size_t i = 0; i < k->n_ours; i++)
		if (!strcmp(k->ours[i], name))
			return i;
	abort();
}

static yaml_node_t *found_val(const struct found *f, enum where w, const char *name)
{
	return f->val[key_index(w, name)];
}

static yaml_node_t *found_key(const struct found *f, enum where w, const char *name)
{
	return f->key[key_index(w, name)];
}

/* A mapping, or null meaning an empty one (*out NULL then). */
static int get_mapping(struct loader *ld, yaml_node_t *n, const char *what, yaml_node_t **out)
{
	*out = NULL;
	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return fail(ld, n, "%s: expected a mapping, got %s", what, type_name(n));
	*out = n;
	return 0;
}

/* Either of two names for one setting (ours and containerlab's); both
 * given is an error. */
static yaml_node_t *either(struct loader *ld, const struct found *f, enum where w, const char *a,
                           const char *b, const char *ctx, int *failed)
{
	yaml_node_t *va = found_val(f, w, a), *vb = found_val(f, w, b);

	if (va && vb) {
		*failed = fail(ld, found_key(f, w, b), "%s: give %s or %s, not both", ctx, a, b);
		return NULL;
	}
	return va ? va : vb;
}

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

	for (size_t i = 0; i < key_tables[w].n_ours; i++)
		if (f->key[i] && !r->pos.line && strcmp(key_tables[w].ours[i], "kind") &&
		    strcmp(key_tables[w].ours[i], "ipv6"))
			r->pos = pos_of(f->key[i]);
	for (size_t k = 0; k < VL_ARRAY_SIZE(keys); k++) {
		if (keys[k].alias)
			v = either(ld, f, w, keys[k].key, keys[k].alias, ctx, &failed);
		else
			v = found_val(f, w, keys[k].key);
		if (failed)
			return -1;
		if (!v)
			continue;
		snprintf(what, sizeof(what), "%s: %s", ctx, keys[k].key);
		if (get_string(ld, v, what, &s) < 0)
			return -1;
		if ((why = vl_topo_res_set(r, keys[k].key, s)))
			return fail(ld, v, "%s \"%s\": %s", what, s, why);
	}
	if ((v = found_val(f, w, "pid-namespace"))) {
		snprintf(what, sizeof(what), "%s: pid-namespace", ctx);
		if (get_bool(ld, v, what, &r->pid_ns) < 0)
			return -1;
	}
	return 0;
}

static int load_defaults(struct loader *ld, yaml_node_t *n)
{
	const char *ctx = "topology.defaults", *s;
	struct found f;
	yaml_node_t *v;
	int mtu;

	if (get_mapping(ld, n, ctx, &n) < 0)
		return -1;
	if (!n)
		return 0;
	if (walk_keys(ld, n, W_DEFAULTS, ctx, &f) < 0)
		return -1;
	if ((v = found_val(&f, W_DEFAULTS, "kind")) && parse_kind(ld, v, ctx, &ld->def_kind) < 0)
		return -1;
	if (load_res(ld, &f, W_DEFAULTS, ctx, &ld->t->defaults) < 0)
		return -1;
	if ((v = found_val(&f, W_DEFAULTS, "profile"))) {
		int p;

		if (get_string(ld, v, "topology.defaults: profile", &s) < 0)
			return -1;
		if ((p = vl_profile_parse(s)) < 0)
			return fail(ld, v, "profile \"%s\" is not known (expected study or none)",
			            s);
		ld->t->profile = (enum vl_profile)p;
	}
	if ((v = found_val(&f, W_DEFAULTS, "ipv6"))) {
		if (get_bool(ld, v, "topology.defaults: ipv6", &ld->def_ipv6) < 0)
			return -1;
		ld->t->ipv6 = ld->def_ipv6;
	}
	if ((v = found_val(&f, W_DEFAULTS, "mtu"))) {
		if (get_mtu(ld, v, ctx, &mtu) < 0)
			return -1;
		ld->t->mtu = mtu;
	}
	if ((v = found_val(&f, W_DEFAULTS, "pool"))) {
		uint32_t addr, mask;
		int prefix;
		char ip[16];

		if (get_string(ld, v, "topology.defaults: pool", &s) < 0)
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

static int load_kinds(struct loader *ld, yaml_node_t *n)
{
	yaml_node_t *seen[3] = {0};

	if (get_mapping(ld, n, "topology.kinds", &n) < 0)
		return -1;
	if (!n)
		return 0;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = node_get(ld, p->key), *vn = node_get(ld, p->value);
		char ctx[128];
		enum vl_kind kind;
		struct found f;
		yaml_node_t *v;

		if (parse_kind(ld, kn, "topology.kinds", &kind) < 0)
			return -1;
		if (seen[kind]) {
			struct vl_pos first = pos_of(seen[kind]);

			return fail(ld, kn,
			            "duplicate key \"%s\" in topology.kinds (first at %d:%d)",
			            vl_kind_name(kind), first.line, first.col);
		}
		seen[kind] = kn;
		snprintf(ctx, sizeof(ctx), "topology.kinds.%s", vl_kind_name(kind));
		if (get_mapping(ld, vn, ctx, &vn) < 0)
			return -1;
		if (!vn)
			continue;
		if (walk_keys(ld, vn, W_KINDS, ctx, &f) < 0)
			return -1;
		if ((v = found_val(&f, W_KINDS, "ipv6"))) {
			char what[160];

			snprintf(what, sizeof(what), "%s: ipv6", ctx);
			if (get_bool(ld, v, what, &ld->kind_ipv6[kind]) < 0)
				return -1;
		}
		if (load_res(ld, &f, W_KINDS, ctx, &ld->kind_res[kind]) < 0)
			return -1;
	}
	return 0;
}

static int load_node(struct loader *ld, yaml_node_t *kn, yaml_node_t *vn)
{
	const char *name, *why;
	struct vl_topo_node *node;
	enum vl_kind kind = ld->def_kind;
	int ipv6 = VL_UNSET;
	char ctx[128];
	struct found f;
	yaml_node_t *v;
	struct vl_topo_res res;

	vl_topo_res_init(&res);
	if (kn->type != YAML_SCALAR_NODE || is_null(kn))
		return fail(ld, kn, "topology.nodes: expected a node name, got %s", type_name(kn));
	if (get_string(ld, kn, "node name", &name) < 0)
		return -1;
	if ((why = vl_name_invalid(name)))
		return fail(ld, kn, "node name \"%s\" %s", name, why);
	if (vl_topo_find_node(ld->t, name) >= 0) {
		struct vl_pos first = ld->t->nodes[vl_topo_find_node(ld->t, name)].pos;

		return fail(ld, kn, "duplicate node \"%s\" (first at %d:%d)", name, first.line,
		            first.col);
	}
	snprintf(ctx, sizeof(ctx), "node \"%s\"", name);
	if (get_mapping(ld, vn, ctx, &vn) < 0)
		return -1;
	if (vn) {
		if (walk_keys(ld, vn, W_NODE, ctx, &f) < 0)
			return -1;
		if ((v = found_val(&f, W_NODE, "kind")) && parse_kind(ld, v, ctx, &kind) < 0)
			return -1;
		if ((v = found_val(&f, W_NODE, "ipv6"))) {
			char what[160];

			snprintf(what, sizeof(what), "%s: ipv6", ctx);
			if (get_bool(ld, v, what, &ipv6) < 0)
				return -1;
		}
		if (load_res(ld, &f, W_NODE, ctx, &res) < 0) {
			vl_topo_res_free(&res);
			return -1;
		}
	}
	vl_topo_res_inherit(&res, &ld->kind_res[kind]);
	if (ipv6 == VL_UNSET)
		ipv6 = ld->kind_ipv6[kind];
	if (ipv6 == VL_UNSET)
		ipv6 = ld->def_ipv6;
	node = vl_topo_add_node(ld->t, name, pos_of(kn));
	if (!node)
		abort(); /* checked above */
	node->kind = kind;
	node->ipv6 = ipv6;
	node->res = res;
	return 0;
}

static int load_nodes(struct loader *ld, yaml_node_t *topology_key, yaml_node_t *key,
                      yaml_node_t *n)
{
	if (!n)
		return fail(ld, topology_key, "topology: missing key \"nodes\"");
	if (is_null(n))
		return fail(ld, key, "topology.nodes: no nodes defined");
	if ((n->type == YAML_MAPPING_NODE &&
	     n->data.mapping.pairs.start == n->data.mapping.pairs.top))
		return fail(ld, n, "topology.nodes: no nodes defined");
	if (n->type != YAML_MAPPING_NODE)
		return fail(ld, n, "topology.nodes: expected a mapping of node names, got %s",
		            type_name(n));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
		if (load_node(ld, node_get(ld, p->key), node_get(ld, p->value)) < 0)
			return -1;
	return 0;
}

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

		if (walk_keys(ld, n, W_ENDPOINT, ctx, &f) < 0)
			return -1;
		node_n = found_val(&f, W_ENDPOINT, "node");
		if_n = found_val(&f, W_ENDPOINT, "interface");
		if (!node_n)
			return fail(ld, n, "%s: missing key \"node\"", ctx);
		if (!if_n)
			return fail(ld, n, "%s: missing key \"interface\"", ctx);
		if (get_string(ld, node_n, ctx, &s) < 0 || get_string(ld, if_n, ctx, &if_s) < 0)
			return -1;
		node_s = vl_xstrdup(s);
		text = vl_xasprintf("%s:%s", s, if_s);
		ep->pos = pos_of(node_get(ld, n->data.mapping.pairs.start->key));
	} else {
		const char *colon;

		if (n->type != YAML_SCALAR_NODE || is_null(n))
			return fail(ld, n, "%s: expected \"node:interface\", got %s", ctx,
			            type_name(n));
		if (get_string(ld, n, ctx, &s) < 0)
			return -1;
		colon = strchr(s, ':');
		if (!colon || colon == s || !colon[1] || strchr(colon + 1, ':'))
			return fail(ld, n, "link endpoint \"%s\": expected \"node:interface\"", s);
		node_s = vl_xasprintf("%.*s", (int)(colon - s), s);
		if_s = colon + 1;
		text = vl_xstrdup(s);
		node_n = if_n = n;
		ep->pos = pos_of(n);
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
		v = !strcmp(keys[k], "bw") ? either(ld, f, w, "bw", "rate", ctx, &failed)
		                           : found_val(f, w, keys[k]);
		if (failed)
			return -1;
		if (!v)
			continue;
		snprintf(what, sizeof(what), "%s: %s", ctx, keys[k]);
		if (get_string(ld, v, what, &s) < 0)
			return -1;
		for (size_t d = 0; d < n_dirs; d++)
			if ((why = vl_impair_set(&dirs[d], keys[k], s)))
				return fail(ld, v, "%s \"%s\": %s", what, s, why);
	}
	return 0;
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
		            type_name(n));
	if (walk_keys(ld, n, W_LINK, ctx, &f) < 0)
		return -1;
	if ((v = found_val(&f, W_LINK, "type"))) {
		const char *type;

		if (get_string(ld, v, "link type", &type) < 0)
			return -1;
		if (strcmp(type, "veth"))
			return fail(ld, v, "%s: type \"%s\" is not supported (expected veth)", ctx,
			            type);
	}
	eps = found_val(&f, W_LINK, "endpoints");
	if (!eps)
		return fail(ld, n, "%s: missing key \"endpoints\"", ctx);
	if (eps->type != YAML_SEQUENCE_NODE)
		return fail(ld, eps, "%s: endpoints: expected a list of 2 endpoints, got %s", ctx,
		            type_name(eps));
	n_eps = (size_t)(eps->data.sequence.items.top - eps->data.sequence.items.start);
	if (n_eps != 2)
		return fail(ld, eps, "%s: expected 2 endpoints, got %zu", ctx, n_eps);

	l = vl_topo_add_link(ld->t);
	first = node_get(ld, n->data.mapping.pairs.start->key); /* walk_keys saw >= 1 */
	l->pos = pos_of(first);
	if ((v = found_val(&f, W_LINK, "mtu")) && get_mtu(ld, v, ctx, &l->mtu) < 0)
		return -1;
	if (load_impair(ld, &f, W_LINK, ctx, l->dir, 2) < 0)
		return -1;
	for (int d = 0; d < 2; d++) {
		const char *key = d ? "reverse" : "forward";
		char dctx[96];
		struct found df;

		if (!(v = found_val(&f, W_LINK, key)))
			continue;
		snprintf(dctx, sizeof(dctx), "%s: %s", ctx, key);
		if (get_mapping(ld, v, dctx, &v) < 0)
			return -1;
		if (v && (walk_keys(ld, v, W_DIRECTION, dctx, &df) < 0 ||
		          load_impair(ld, &df, W_DIRECTION, dctx, &l->dir[d], 1) < 0))
			return -1;
	}
	if ((v = found_val(&f, W_LINK, "engine"))) {
		const char *e;

		if (get_string(ld, v, "link engine", &e) < 0)
			return -1;
		if (!strcmp(e, "kernel"))
			l->engine = VL_ENGINE_KERNEL;
		else if (!strcmp(e, "user"))
			l->engine = VL_ENGINE_USER;
		else if (strcmp(e, "auto"))
			return fail(ld, v, "%s: engine \"%s\": expected auto, kernel or user", ctx,
			            e);
	}
	for (size_t i = 0; i < 2; i++) {
		yaml_node_t *en = node_get(ld, eps->data.sequence.items.start[i]);

		if (load_endpoint(ld, en, ctx, i, &l->ep[i]) < 0)
			return -1;
	}
	if (l->ep[0].node == l->ep[1].node) {
		const char *name = ld->t->nodes[l->ep[0].node].name;

		return fail_at(ld, l->ep[1].pos,
		               "%s: node %s is linked to itself (%s:%s and %s:%s)", ctx, name, name,
		               l->ep[0].ifname, name, l->ep[1].ifname);
	}
	for (size_t i = 0; i < 2; i++) {
		struct vl_topo_endpoint *ep = &l->ep[i];
		struct if_slot *prev = if_claim(ld, ep->node, ep->ifname, idx, ep->pos);

		if (prev) {
			const char *name = ld->t->nodes[ep->node].name;

			return fail_at(
			    ld, ep->pos,
			    "link endpoint \"%s:%s\": interface %s of %s is already used by "
			    "link %zu at %d:%d",
			    name, ep->ifname, ep->ifname, name, prev->link + 1, prev->pos.line,
			    prev->pos.col);
		}
	}
	return 0;
}

static int load_links(struct loader *ld, yaml_node_t *n)
{
	size_t count;

	if (!n || is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(ld, n, "topology.links: expected a list of links, got %s",
		            type_name(n));
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	for (size_t i = 0; i < count; i++)
		if (load_link(ld, node_get(ld, n->data.sequence.items.start[i]), i) < 0)
			return -1;
	return 0;
}

static int load_root(struct loader *ld, yaml_node_t *root)
{
	yaml_node_t *v, *topo, *topo_key;
	struct found f, tf;
	const char *why;

	if (!root)
		return fail_at(ld, (struct vl_pos){1, 1},
		               "the file is empty (expected a mapping with topology.nodes)");
	if (root->type != YAML_MAPPING_NODE)
		return fail(ld, root, "expected a mapping with topology.nodes at the top, got %s",
		            type_name(root));
	if (walk_keys(ld, root, W_TOP, "the top-level mapping", &f) < 0)
		return -1;
	if ((v = found_val(&f, W_TOP, "name"))) {
		const char *name;

		if (get_string(ld, v, "name", &name) < 0)
			return -1;
		if ((why = vl_name_invalid(name)))
			return fail(ld, v, "lab name \"%s\" %s", name, why);
		ld->t->name = vl_xstrdup(name);
	}
	topo = found_val(&f, W_TOP, "topology");
	topo_key = found_key(&f, W_TOP, "topology");
	if (!topo)
		return fail(ld, root, "missing key \"topology\" (expected topology.nodes)");
	if (is_null(topo))
		return fail(ld, topo_key, "topology: no nodes defined");
	if (topo->type != YAML_MAPPING_NODE)
		return fail(ld, topo, "topology: expected a mapping, got %s", type_name(topo));
	if (walk_keys(ld, topo, W_TOPOLOGY, "topology", &tf) < 0)
		return -1;
	if ((v = found_val(&tf, W_TOPOLOGY, "defaults")) && load_defaults(ld, v) < 0)
		return -1;
	if ((v = found_val(&tf, W_TOPOLOGY, "kinds")) && load_kinds(ld, v) < 0)
		return -1;
	if (load_nodes(ld, topo_key, found_key(&tf, W_TOPOLOGY, "nodes"),
	               found_val(&tf, W_TOPOLOGY, "nodes")) < 0)
		return -1;
	if (load_links(ld, found_val(&tf, W_TOPOLOGY, "links")) < 0)
		return -1;
	warn_summaries(ld);
	return 0;
}

/* libyaml's own error as "FILE:LINE:COL: problem (context at L:C)". */
static int yaml_error(struct loader *ld, const yaml_parser_t *p, const char *data, size_t len)
{
	struct vl_pos pos = {(int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1};
	const char *problem = p->problem ? p->problem : "invalid YAML";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return vl_err_set(ld->err, ENOMEM, "%s: out of memory parsing YAML", ld->file);
	case YAML_READER_ERROR:
		/* Marks are not kept for reader errors: count to the offset. */
		pos = (struct vl_pos){1, 1};
		for (size_t i = 0; i < p->problem_offset && i < len; i++) {
			if (data[i] == '\n')
				pos = (struct vl_pos){pos.line + 1, 1};
			else if (((unsigned char)data[i] & 0xc0) != 0x80)
				pos.col++;
		}
		if (p->problem_value != -1)
			return fail_at(ld, pos, "%s (byte 0x%02x)", problem, p->problem_value);
		return fail_at(ld, pos, "%s", problem);
	default:
		break;
	}
	if (p->context)
		return fail_at(ld, pos, "%s (%s at %d:%d)", problem, p->context,
		               (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
	return fail_at(ld, pos, "%s", problem);
}

static void parser_deletep(yaml_parser_t *p)
{
	yaml_parser_delete(p);
}

int vl_topo_load_buffer(const char *name, const char *data, size_t len, struct vl_topo **out,
                        struct vl_err *err)
{
	__attribute__((cleanup(parser_deletep))) yaml_parser_t parser;
	struct loader ld = {.file = name,
	                    .err = err,
	                    .def_kind = VL_KIND_LINUX,
	                    .def_ipv6 = VL_UNSET,
	                    .kind_ipv6 = {VL_UNSET, VL_UNSET, VL_UNSET}};
	yaml_document_t doc, extra;
	int r;

	if (!yaml_parser_initialize(&parser))
		abort(); /* only fails for lack of memory */
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &doc))
		return yaml_error(&ld, &parser, data, len);
	ld.doc = &doc;
	ld.t = vl_topo_new(name);
	for (int k = 0; k < 3; k++)
		vl_topo_res_init(&ld.kind_res[k]);
	r = load_root(&ld, yaml_document_get_root_node(&doc));
	if (r == 0) {
		/* One document per file: a second one is an error. */
		if (!yaml_parser_load(&parser, &extra)) {
			r = yaml_error(&ld, &parser, data, len);
		} else {
			yaml_node_t *root2 = yaml_document_get_root_node(&extra);

			if (root2)
				r = fail(&ld, root2,
				         "a second YAML document: expected one "
				         "topology per file");
			yaml_document_delete(&extra);
		}
	}
	yaml_document_delete(&doc);
	for (int k = 0; k < 3; k++)
		vl_topo_res_free(&ld.kind_res[k]);
	free(ld.warns);
	free(ld.ifs);
	if (r < 0) {
		vl_topo_free(ld.t);
		return -1;
	}
	*out = ld.t;
	return 0;
}

int vl_topo_load_file(const char *path, struct vl_topo **out, struct vl_err *err)
{
	cleanup_free char *data = NULL;
	size_t len;

	if (vl_read_file(path, &data, &len, err) < 0)
		return -1;
	return vl_topo_load_buffer(path, data, len, out, err);
}
