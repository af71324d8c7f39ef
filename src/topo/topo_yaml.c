/* The containerlab-style YAML loader, on libyaml's document API: the key
 * tables, the walk over a mapping's keys, typed values, and the top level.
 * A node's settings are read in topo_yaml_nodes.c, links in
 * topo_yaml_links.c (see topo_yaml.h).
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
#include "topo/topo_yaml.h"

/* Containerlab node keys we accept and ignore: our nodes are namespaces
 * on the host's filesystem, not containers. */
static const char *const clab_node_keys[] = {
    "image",
    "enforce-startup-config",
    "suppress-startup-config",
    "license",
    "ports",
    "mgmt-ipv4",
    "mgmt_ipv4",
    "mgmt-ipv6",
    "mgmt_ipv6",
    "env-files",
    "user",
    "type",
    "network-mode",
    "publish",
    "extras",
    "dns",
    "certificate",
    "healthcheck",
    "stages",
    "restart-policy",
    "image-pull-policy",
    "runtime",
    "auto-remove",
    "config",
    "components",
    "shm-size",
    "devices",
    "cap-add",
    "aliases",
};
static const char *const clab_top_keys[] = {"settings"};
/* containerlab's mgmt: keys that do not apply here */
static const char *const clab_mgmt_keys[] = {
    "bridge",  "ipv4-range", "ipv4_range", "ipv6-subnet",     "ipv6_subnet", "ipv6-gw",
    "ipv6_gw", "ipv6-range", "ipv6_range", "external-access", "driver-opts", "mtu"};
static const char *const clab_link_keys[] = {"vars", "labels"};
static const char *const clab_endpoint_keys[] = {"vars"};

_Static_assert(VL_ARRAY_SIZE(clab_node_keys) <= MAX_KEYS, "MAX_KEYS too small");

static const char *const top_keys[] = {"name", "topology", "mgmt", "prefix"};
static const char *const mgmt_keys[] = {"network", "ipv4-subnet", "ipv4_subnet",   "ipv4-gw",
                                        "ipv4_gw", "nat",         "lab-isolation", "host-services"};
static const char *const topology_keys[] = {"defaults", "kinds", "groups", "nodes", "links"};
/* Resource keys (with containerlab's names for the same things: cpu,
 * cpu-set, memory) are accepted wherever a node's settings are. */
#define RES_KEYS                                                                                   \
	"cpus", "cpu", "cpu-weight", "cpuset", "cpu-set", "memory", "pids", "rootfs",              \
	    "pid-namespace", "backend"
/* What a node runs and with what (exec, env, labels): at every level. */
#define SETTINGS_KEYS                                                                              \
	"exec", "env", "labels", "sysctls", "binds", "cmd", "entrypoint", "startup-delay",         \
	    "wait-for", "startup-config"
static const char *const defaults_keys[] = {"kind",       "ipv6",    "pool",   "mtu",
                                            "addressing", "profile", RES_KEYS, SETTINGS_KEYS};
/* host: pins a node (of a kind, of a group) to a host of a placed lab. */
static const char *const kinds_keys[] = {"ipv6", "host", RES_KEYS, SETTINGS_KEYS};
static const char *const groups_keys[] = {"kind", "ipv6", "host", RES_KEYS, SETTINGS_KEYS};
static const char *const node_keys[] = {"kind",      "group",     "ipv6",
                                        "host",      RES_KEYS,    SETTINGS_KEYS,
                                        "mgmt-ipv4", "mgmt_ipv4", "network-mode"};
/* Impairments (IMPAIR_KEYS): on a link, for both directions; under forward: (from the
 * first endpoint to the second) or reverse:, for one. */
static const char *const link_keys[] = {"endpoints", "mtu",      "type",
                                        "engine",    "forward",  "reverse",
                                        IMPAIR_KEYS, "endpoint", "host-interface"};
static const char *const direction_keys[] = {IMPAIR_KEYS};
static const char *const endpoint_keys[] = {"node", "interface", "mac", "ipv4"};

#define KEYS(o, i, w)                                                                              \
	{                                                                                          \
		o, VL_ARRAY_SIZE(o), i, VL_ARRAY_SIZE(i), w                                        \
	}
static const char ns_why[] = "nodes are namespaces on the host's filesystem";
static const char clab_why[] = "containerlab setting that vnetlab does not use";
static const char mgmt_why[] = "the management network here is IPv4, on a bridge of the lab's";

const struct keys vl_yaml_key_tables[] = {
    [W_TOP] = KEYS(top_keys, clab_top_keys, clab_why),
    [W_TOPOLOGY] = {topology_keys, VL_ARRAY_SIZE(topology_keys), NULL, 0, NULL},
    [W_DEFAULTS] = KEYS(defaults_keys, clab_node_keys, ns_why),
    [W_KINDS] = KEYS(kinds_keys, clab_node_keys, ns_why),
    [W_NODE] = KEYS(node_keys, clab_node_keys, ns_why),
    [W_GROUP] = KEYS(groups_keys, clab_node_keys, ns_why),
    [W_LINK] = KEYS(link_keys, clab_link_keys, clab_why),
    [W_ENDPOINT] = KEYS(endpoint_keys, clab_endpoint_keys, clab_why),
    [W_DIRECTION] = {direction_keys, VL_ARRAY_SIZE(direction_keys), NULL, 0, NULL},
    [W_MGMT] = KEYS(mgmt_keys, clab_mgmt_keys, mgmt_why),
};

/* Plural noun for the "ignored on N more ..." summary. */
static const char *const where_plural[] = {
    [W_TOP] = "files",          [W_TOPOLOGY] = "topologies",
    [W_DEFAULTS] = "defaults",  [W_KINDS] = "kinds",
    [W_NODE] = "nodes",         [W_LINK] = "links",
    [W_ENDPOINT] = "endpoints", [W_DIRECTION] = "directions",
    [W_GROUP] = "groups",       [W_MGMT] = "management networks",
};

#define WARN_KEEP 3 /* warnings kept per (where, key); then one summary */

struct warn_count {
	enum where where;
	const char *key; /* static string from a key table */
	size_t count;
	struct vl_pos first_dropped;
};

struct vl_pos vl_yaml_pos(const yaml_node_t *n)
{
	return (struct vl_pos){(int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
}

int vl_yaml_fail_at(struct loader *ld, struct vl_pos pos, const char *fmt, ...)
{
	char msg[sizeof(ld->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vl_err_set(ld->err, 0, "%s:%d:%d: %s", ld->file, pos.line, pos.col, msg);
}

yaml_node_t *vl_yaml_node(struct loader *ld, int id)
{
	return yaml_document_get_node(ld->doc, id);
}

bool vl_yaml_is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

/* "a mapping", "a list", "nothing" or "a string", for messages. */
const char *vl_yaml_type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return vl_yaml_is_null(n) ? "nothing" : "a string";
	}
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* The text of a scalar that must hold a value; what names it in errors. */
int vl_yaml_get_string(struct loader *ld, const yaml_node_t *n, const char *what, const char **out)
{
	if (n->type != YAML_SCALAR_NODE || vl_yaml_is_null(n))
		return fail(ld, n, "%s: expected a string, got %s", what, vl_yaml_type_name(n));
	if (strlen(scalar(n)) != n->data.scalar.length)
		return fail(ld, n, "%s: NUL character in string", what);
	*out = scalar(n);
	return 0;
}

int vl_yaml_get_bool(struct loader *ld, const yaml_node_t *n, const char *what, int *out)
{
	static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no",
	                                                                       "off"};

	if (n->type == YAML_SCALAR_NODE && !vl_yaml_is_null(n)) {
		for (size_t i = 0; i < VL_ARRAY_SIZE(yes); i++) {
			if (!strcasecmp(scalar(n), yes[i]))
				return *out = 1, 0;
			if (!strcasecmp(scalar(n), no[i]))
				return *out = 0, 0;
		}
		return fail(ld, n, "%s: expected true or false, got \"%s\"", what, scalar(n));
	}
	return fail(ld, n, "%s: expected true or false, got %s", what, vl_yaml_type_name(n));
}

int vl_yaml_get_mtu(struct loader *ld, const yaml_node_t *n, const char *what, int *out)
{
	unsigned long v;

	if (n->type != YAML_SCALAR_NODE || vl_yaml_is_null(n))
		return fail(ld, n, "%s: mtu: expected an integer between 68 and 65535, got %s",
		            what, vl_yaml_type_name(n));
	if (vl_parse_uint(scalar(n), 68, 65535, &v) < 0)
		return fail(ld, n, "%s: mtu \"%s\": expected an integer between 68 and 65535", what,
		            scalar(n));
	*out = (int)v;
	return 0;
}

int vl_yaml_get_kind_frr(struct loader *ld, const yaml_node_t *n, const char *what,
                         enum vl_kind *out, bool *frr)
{
	static const enum vl_kind kinds[] = {VL_KIND_LINUX, VL_KIND_ROUTER, VL_KIND_BRIDGE};
	const char *s;

	*frr = false;
	if (n->type != YAML_SCALAR_NODE || vl_yaml_is_null(n))
		return fail(ld, n, "%s: kind: expected linux, router, bridge or frr, got %s", what,
		            vl_yaml_type_name(n));
	s = scalar(n);
	for (size_t i = 0; i < VL_ARRAY_SIZE(kinds); i++)
		if (!strcmp(s, vl_kind_name(kinds[i])))
			return *out = kinds[i], 0;
	/* containerlab's FRR kind: a router that runs the host's FRR */
	if (!strcmp(s, "frr") || !strcmp(s, "frrouting")) {
		*frr = true;
		*out = VL_KIND_ROUTER;
		return 0;
	}
	return fail(ld, n,
	            "%s: kind \"%s\" is not supported (expected linux, router, bridge or frr)",
	            what, s);
}

int vl_yaml_get_kind(struct loader *ld, const yaml_node_t *n, const char *what, enum vl_kind *out)
{
	bool frr;

	if (vl_yaml_get_kind_frr(ld, n, what, out, &frr) < 0)
		return -1;
	if (frr)
		return fail(ld, n, "%s: kind frr is a node's, not a switch's or the lab's default",
		            what);
	return 0;
}

/* Record a warning for an ignored key; past WARN_KEEP per (where, key),
 * only count it for the summary added at the end. */
static void warn_ignored(struct loader *ld, enum where w, const char *key, const yaml_node_t *kn,
                         const char *ctx)
{
	struct warn_count *wc = NULL;
	struct vl_pos pos = vl_yaml_pos(kn);

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
		                    vl_yaml_key_tables[w].why);
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
int vl_yaml_walk_keys(struct loader *ld, const yaml_node_t *n, enum where w, const char *ctx,
                      struct found *f)
{
	const struct keys *k = &vl_yaml_key_tables[w];
	yaml_node_t *ign[MAX_KEYS] = {0};

	memset(f, 0, sizeof(*f));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = vl_yaml_node(ld, p->key), *vn = vl_yaml_node(ld, p->value);
		yaml_node_t **slot = NULL;
		const char *key, *static_key = NULL;
		char expected[512];

		if (kn->type != YAML_SCALAR_NODE || vl_yaml_is_null(kn))
			return fail(ld, kn, "%s: expected a key, got %s", ctx,
			            vl_yaml_type_name(kn));
		if (vl_yaml_get_string(ld, kn, ctx, &key) < 0)
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
			struct vl_pos first = vl_yaml_pos(*slot);

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
	const struct keys *k = &vl_yaml_key_tables[w];

	for (size_t i = 0; i < k->n_ours; i++)
		if (!strcmp(k->ours[i], name))
			return i;
	abort();
}

yaml_node_t *vl_yaml_found_val(const struct found *f, enum where w, const char *name)
{
	return f->val[key_index(w, name)];
}

static yaml_node_t *found_key(const struct found *f, enum where w, const char *name)
{
	return f->key[key_index(w, name)];
}

/* A mapping, or null meaning an empty one (*out NULL then). */
int vl_yaml_get_mapping(struct loader *ld, yaml_node_t *n, const char *what, yaml_node_t **out)
{
	*out = NULL;
	if (vl_yaml_is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return fail(ld, n, "%s: expected a mapping, got %s", what, vl_yaml_type_name(n));
	*out = n;
	return 0;
}

/* Either of two names for one setting (ours and containerlab's); both
 * given is an error. */
yaml_node_t *vl_yaml_either(struct loader *ld, const struct found *f, enum where w, const char *a,
                            const char *b, const char *ctx, int *failed)
{
	yaml_node_t *va = vl_yaml_found_val(f, w, a), *vb = vl_yaml_found_val(f, w, b);

	if (va && vb) {
		*failed = fail(ld, found_key(f, w, b), "%s: give %s or %s, not both", ctx, a, b);
		return NULL;
	}
	return va ? va : vb;
}

static int load_root(struct loader *ld, yaml_node_t *root)
{
	yaml_node_t *v, *topo, *topo_key;
	struct found f, tf;
	const char *why;

	if (!root)
		return vl_yaml_fail_at(
		    ld, (struct vl_pos){1, 1},
		    "the file is empty (expected a mapping with topology.nodes)");
	if (root->type != YAML_MAPPING_NODE)
		return fail(ld, root, "expected a mapping with topology.nodes at the top, got %s",
		            vl_yaml_type_name(root));
	if (vl_yaml_walk_keys(ld, root, W_TOP, "the top-level mapping", &f) < 0)
		return -1;
	if ((v = vl_yaml_found_val(&f, W_TOP, "name"))) {
		const char *name;

		if (vl_yaml_get_string(ld, v, "name", &name) < 0)
			return -1;
		if ((why = vl_name_invalid(name)))
			return fail(ld, v, "lab name \"%s\" %s", name, why);
		ld->t->name = vl_xstrdup(name);
	}
	if ((v = vl_yaml_found_val(&f, W_TOP, "mgmt")) && vl_yaml_load_mgmt(ld, v) < 0)
		return -1;
	if ((v = vl_yaml_found_val(&f, W_TOP, "prefix")) && vl_yaml_load_prefix(ld, v) < 0)
		return -1;
	topo = vl_yaml_found_val(&f, W_TOP, "topology");
	topo_key = found_key(&f, W_TOP, "topology");
	if (!topo)
		return fail(ld, root, "missing key \"topology\" (expected topology.nodes)");
	if (vl_yaml_is_null(topo))
		return fail(ld, topo_key, "topology: no nodes defined");
	if (topo->type != YAML_MAPPING_NODE)
		return fail(ld, topo, "topology: expected a mapping, got %s",
		            vl_yaml_type_name(topo));
	if (vl_yaml_walk_keys(ld, topo, W_TOPOLOGY, "topology", &tf) < 0)
		return -1;
	if ((v = vl_yaml_found_val(&tf, W_TOPOLOGY, "defaults")) &&
	    vl_yaml_load_defaults(ld, v) < 0)
		return -1;
	if ((v = vl_yaml_found_val(&tf, W_TOPOLOGY, "kinds")) && vl_yaml_load_kinds(ld, v) < 0)
		return -1;
	if ((v = vl_yaml_found_val(&tf, W_TOPOLOGY, "groups")) && vl_yaml_load_groups(ld, v) < 0)
		return -1;
	if (vl_yaml_load_nodes(ld, topo_key, found_key(&tf, W_TOPOLOGY, "nodes"),
	                       vl_yaml_found_val(&tf, W_TOPOLOGY, "nodes")) < 0)
		return -1;
	if (vl_yaml_load_links(ld, vl_yaml_found_val(&tf, W_TOPOLOGY, "links")) < 0 ||
	    vl_yaml_check_mgmt(ld) < 0)
		return -1;
	/* containerlab's files (*.clab.yml) leave addresses to exec and FRR,
	 * and have a management network */
	{
		size_t n = strlen(ld->file);
		bool clab = (n > 9 && !strcmp(ld->file + n - 9, ".clab.yml")) ||
		            (n > 10 && !strcmp(ld->file + n - 10, ".clab.yaml"));

		if (ld->t->addressing == VL_UNSET)
			ld->t->addressing = !clab;
		if (ld->t->mgmt.on == VL_UNSET && clab)
			ld->t->mgmt.on = 1;
	}
	if (vl_yaml_check_ipv4_addressing(ld) < 0)
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
			return vl_yaml_fail_at(ld, pos, "%s (byte 0x%02x)", problem,
			                       p->problem_value);
		return vl_yaml_fail_at(ld, pos, "%s", problem);
	default:
		break;
	}
	if (p->context)
		return vl_yaml_fail_at(ld, pos, "%s (%s at %d:%d)", problem, p->context,
		                       (int)p->context_mark.line + 1,
		                       (int)p->context_mark.column + 1);
	return vl_yaml_fail_at(ld, pos, "%s", problem);
}

static void parser_deletep(yaml_parser_t *p)
{
	yaml_parser_delete(p);
}

static void event_deletep(yaml_event_t *e)
{
	yaml_event_delete(e);
}

/* A first pass over the events, before libyaml builds the document: a
 * mapping or list nested deeper than VL_TOPO_MAX_DEPTH is an error where it
 * opens, found before the cost of deep nesting is paid, and so is a file of
 * more than VL_TOPO_MAX_VALUES values, before their memory is. Syntax errors are
 * left to the second pass, which reports them. */
static int check_depth(struct loader *ld, const char *data, size_t len)
{
	__attribute__((cleanup(parser_deletep))) yaml_parser_t parser;
	int depth = 0;
	size_t values = 0;

	if (!yaml_parser_initialize(&parser))
		abort(); /* only fails for lack of memory */
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	for (;;) {
		__attribute__((cleanup(event_deletep))) yaml_event_t ev = {0};

		if (!yaml_parser_parse(&parser, &ev))
			return 0;
		if ((ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT ||
		     ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) &&
		    ++values > VL_TOPO_MAX_VALUES)
			return vl_yaml_fail_at(
			    ld,
			    (struct vl_pos){(int)ev.start_mark.line + 1,
			                    (int)ev.start_mark.column + 1},
			    "more than %d YAML values (keys, scalars, lists and mappings): a "
			    "topology has at most %d",
			    VL_TOPO_MAX_VALUES, VL_TOPO_MAX_VALUES);
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > VL_TOPO_MAX_DEPTH)
				return vl_yaml_fail_at(
				    ld,
				    (struct vl_pos){(int)ev.start_mark.line + 1,
				                    (int)ev.start_mark.column + 1},
				    "%s nested %d deep: a topology nests at most %d deep",
				    ev.type == YAML_SEQUENCE_START_EVENT ? "a list" : "a mapping",
				    depth, VL_TOPO_MAX_DEPTH);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			return 0;
		default:
			break;
		}
	}
}

/* What the loader holds, a topology it has not handed out among it. */
static void loader_free(struct loader *ld)
{
	for (int k = 0; k < 3; k++) {
		vl_topo_res_free(&ld->kind_res[k]);
		vl_topo_settings_free(&ld->kind_set[k]);
	}
	vl_topo_res_free(&ld->frr_res);
	vl_topo_settings_free(&ld->frr_set);
	vl_topo_settings_free(&ld->def_set);
	for (size_t g = 0; g < ld->n_groups; g++) {
		vl_topo_res_free(&ld->groups[g].res);
		vl_topo_settings_free(&ld->groups[g].set);
	}
	free(ld->groups);
	free(ld->warns);
	free(ld->ifs);
	vl_topo_free(ld->t);
}

int vl_topo_load_buffer(const char *name, const char *data, size_t len, struct vl_topo **out,
                        struct vl_err *err)
{
	__attribute__((cleanup(parser_deletep))) yaml_parser_t parser;
	__attribute__((cleanup(loader_free))) struct loader ld = {
	    .file = name,
	    .err = err,
	    .def_kind = VL_KIND_LINUX,
	    .def_ipv6 = VL_UNSET,
	    .kind_ipv6 = {VL_UNSET, VL_UNSET, VL_UNSET},
	    .frr_ipv6 = VL_UNSET};
	yaml_document_t doc, extra;
	int r;

	if (!yaml_parser_initialize(&parser))
		abort(); /* only fails for lack of memory */
	if (len > VL_TOPO_MAX_FILE)
		return vl_err_set(err, EFBIG,
		                  "%s: %zu MiB, larger than the %zu MiB a topology may be", name,
		                  len >> 20, VL_TOPO_MAX_FILE >> 20);
	if (check_depth(&ld, data, len) < 0)
		return -1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &doc))
		return yaml_error(&ld, &parser, data, len);
	ld.doc = &doc;
	ld.t = vl_topo_new(name);
	for (int k = 0; k < 3; k++) {
		vl_topo_res_init(&ld.kind_res[k]);
		vl_topo_settings_init(&ld.kind_set[k]);
	}
	vl_topo_res_init(&ld.frr_res);
	vl_topo_settings_init(&ld.frr_set);
	vl_topo_settings_init(&ld.def_set);
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
	if (r < 0)
		return -1;
	*out = ld.t;
	ld.t = NULL;
	return 0;
}

int vl_topo_load_file(const char *path, struct vl_topo **out, struct vl_err *err)
{
	cleanup_free char *data = NULL;
	size_t len;

	if (vl_read_file_max(path, VL_TOPO_MAX_FILE, &data, &len, err) < 0)
		return -1;
	return vl_topo_load_buffer(path, data, len, out, err);
}
