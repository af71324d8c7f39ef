/* Private to src/topo/topo_yaml*.c, the containerlab-style YAML loader:
 * the walk over libyaml's document with its key tables and typed getters
 * (topo_yaml.c), a node's settings and resources at every level — defaults,
 * kinds, nodes (topo_yaml_nodes.c) — and links with their endpoints and
 * impairments (topo_yaml_links.c). Every error is "FILE:LINE:COL: what",
 * set in the loader's err; each function returns < 0 on the first. */
#ifndef VL_TOPO_TOPO_YAML_H
#define VL_TOPO_TOPO_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "topo/topo.h"

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
	W_GROUP,
	W_MGMT,
};

#define MAX_KEYS 64 /* keys ours + ignored in any one table */

struct keys {
	const char *const *ours;
	size_t n_ours;
	const char *const *ignored;
	size_t n_ignored;
	const char *why; /* reason in the warning for an ignored key */
};

/* The keys of each place, by enum where. */
extern const struct keys vl_yaml_key_tables[];

/* The impairment keys, on a link and under forward: or reverse:. */
#define IMPAIR_KEYS "bw", "rate", "delay", "jitter", "distribution", "loss", "loss-model", "queue"

struct warn_count;
struct if_slot;

/* A group of topology.groups: what a node of it inherits (node > group >
 * kind > defaults). */
struct yaml_group {
	const char *name; /* the document's */
	enum vl_kind kind;
	bool have_kind, frr;
	int ipv6; /* VL_UNSET if not given */
	struct vl_topo_res res;
	struct vl_topo_settings set;
	struct vl_topo_pin pin;
	struct vl_pos pos;
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
	struct vl_topo_settings def_set, kind_set[3];
	/* kinds.frr (a router running FRR): its own settings */
	struct vl_topo_res frr_res;
	struct vl_topo_settings frr_set;
	int frr_ipv6;
	struct vl_topo_pin kind_pin[3], frr_pin; /* host: of kinds.K, kinds.frr */
	struct yaml_group *groups;               /* topology.groups, in the file's order */
	size_t n_groups;

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

/* --- the walk (topo_yaml.c) ------------------------------------------------- */

struct vl_pos vl_yaml_pos(const yaml_node_t *n);
/* Set ld->err to "FILE:LINE:COL: <formatted>" at pos. Returns -1. */
int vl_yaml_fail_at(struct loader *ld, struct vl_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same, at YAML node `node`. */
#define fail(ld, node, ...) vl_yaml_fail_at(ld, vl_yaml_pos(node), __VA_ARGS__)

yaml_node_t *vl_yaml_node(struct loader *ld, int id);
/* A plain "", "~" or "null" (in any of YAML's spellings). */
bool vl_yaml_is_null(const yaml_node_t *n);
/* "a mapping", "a list", "nothing" or "a string", for messages. */
const char *vl_yaml_type_name(const yaml_node_t *n);

/* Typed values; `what` names n in errors. */
/* The text of a scalar that must hold a value. */
int vl_yaml_get_string(struct loader *ld, const yaml_node_t *n, const char *what, const char **out);
/* true/yes/on or false/no/off, in any case: 1 or 0. */
int vl_yaml_get_bool(struct loader *ld, const yaml_node_t *n, const char *what, int *out);
/* An MTU, 68..65535. */
int vl_yaml_get_mtu(struct loader *ld, const yaml_node_t *n, const char *what, int *out);
/* linux, router or bridge. */
int vl_yaml_get_kind(struct loader *ld, const yaml_node_t *n, const char *what, enum vl_kind *out);
/* The same, or frr (frrouting): a router, *frr set. */
int vl_yaml_get_kind_frr(struct loader *ld, const yaml_node_t *n, const char *what,
                         enum vl_kind *out, bool *frr);
/* A mapping, or null meaning an empty one (*out NULL then). */
int vl_yaml_get_mapping(struct loader *ld, yaml_node_t *n, const char *what, yaml_node_t **out);

/* Walk mapping n against table w: fill f with the keys we use, warn for
 * ignored containerlab keys, fail on unknown or duplicate keys. ctx names
 * the mapping in messages ("node \"h1\""). */
int vl_yaml_walk_keys(struct loader *ld, const yaml_node_t *n, enum where w, const char *ctx,
                      struct found *f);
/* The value found for key name of table w, NULL if not given. */
yaml_node_t *vl_yaml_found_val(const struct found *f, enum where w, const char *name);
/* Either of two names for one setting (ours and containerlab's); both
 * given is an error (*failed < 0 then). */
yaml_node_t *vl_yaml_either(struct loader *ld, const struct found *f, enum where w, const char *a,
                            const char *b, const char *ctx, int *failed);

/* --- nodes (topo_yaml_nodes.c) ---------------------------------------------- */

/* topology.defaults, topology.kinds: into ld (and ld->t's settings). */
int vl_yaml_load_defaults(struct loader *ld, yaml_node_t *n);
int vl_yaml_load_kinds(struct loader *ld, yaml_node_t *n);
/* topology.nodes (n, at key; topology_key for a missing one), after
 * defaults and kinds. */
int vl_yaml_load_nodes(struct loader *ld, yaml_node_t *topology_key, yaml_node_t *key,
                       yaml_node_t *n);

/* --- a node's settings (topo_yaml_settings.c) -------------------------------- */

/* exec, env and labels of mapping f (table w, named ctx) into s. */
int vl_yaml_load_settings(struct loader *ld, const struct found *f, enum where w, const char *ctx,
                          struct vl_topo_settings *s);
/* topology.groups, after kinds. */
int vl_yaml_load_groups(struct loader *ld, yaml_node_t *n);
/* An FRR node's startup-config: it exists, made absolute. */
int vl_yaml_check_startup(struct loader *ld, const char *ctx, struct vl_topo_settings *s);
/* After the nodes: wait-for names nodes, and makes no cycle. */
int vl_yaml_check_wait_for(struct loader *ld);
/* The group named name, or NULL. */
const struct yaml_group *vl_yaml_group(const struct loader *ld, const char *name);

/* --- the management network (topo_yaml_mgmt.c) ------------------------------ */

/* The top-level mgmt: and prefix:. */
int vl_yaml_load_mgmt(struct loader *ld, yaml_node_t *n);
int vl_yaml_load_prefix(struct loader *ld, yaml_node_t *v);
/* A node's mgmt-ipv4 (mgmt_ipv4) and network-mode, of its mapping f. */
int vl_yaml_load_node_mgmt(struct loader *ld, const struct found *f, const char *ctx,
                           struct vl_topo_node *node);
/* After the nodes: mgmt-ipv4 addresses in the subnet, none taken twice. */
int vl_yaml_check_mgmt(struct loader *ld);

/* --- links (topo_yaml_links.c) ---------------------------------------------- */

/* topology.links (n may be NULL or null: no links), after the nodes. */
int vl_yaml_load_links(struct loader *ld, yaml_node_t *n);
/* An endpoint's ipv4 only where addressing is none (after it is known). */
int vl_yaml_check_ipv4_addressing(struct loader *ld);

#endif
