/* state.json's one reader: the file into struct vl_state, every value
 * checked once, here, before any command acts on it. See state.h.
 * Touches only the lab's state.json (read) and, for a link end about to be
 * acted on, the namespace it names (its identity, never its contents). */
#include "engine/state.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "lab/lab.h"
#include "sys/ns.h"

/* Where the reader is: the file, and the value ("nodes[2].interfaces[0]"). */
struct rd {
	const char *file, *id;
	char at[96];
	struct vl_err *err;
};

static int bad(const struct rd *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(const struct rd *r, const char *key, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!*r->at && !key)
		return vl_err_set(r->err, EINVAL, "%s: %s", r->file, why);
	return vl_err_set(r->err, EINVAL, "%s: %s%s%s: %s", r->file, r->at,
	                  *r->at && key ? "." : "", key ? key : "", why);
}

/* Step into member key (index i if i >= 0) of the value at r->at; the
 * length to step back to. */
static size_t step(struct rd *r, const char *key, long i)
{
	size_t len = strlen(r->at), n = sizeof(r->at) - len;

	if (i < 0)
		snprintf(r->at + len, n, "%s%s", len ? "." : "", key);
	else
		snprintf(r->at + len, n, "%s%s[%ld]", len ? "." : "", key, i);
	return len;
}

static const char *type_name(const json_t *v)
{
	static const char *const names[] = {"an object", "an array", "a string", "an integer",
	                                    "a number",  "true",     "false",    "null"};

	return names[json_typeof(v)];
}

/* --- fields by table ------------------------------------------------------------ */

enum kind {
	F_STR,      /* a string */
	F_STR_NULL, /* a string or null */
	F_NAME,     /* a node's name: a path component and part of a namespace's */
	F_IFNAME,   /* an interface's name, as the kernel takes it */
	F_BOOL,
	F_INT,
	F_NUM,
};

struct field {
	const char *key;
	enum kind kind;
	size_t off;
	bool required;
};

#define REQ(T, key, kind, m)                                                                       \
	{                                                                                          \
		key, kind, offsetof(T, m), true                                                    \
	}
#define OPT(T, key, kind, m)                                                                       \
	{                                                                                          \
		key, kind, offsetof(T, m), false                                                   \
	}

/* The kernel's rule (dev_valid_name): 1..15 bytes, not . or .., no '/',
 * ':' or white space. */
static const char *ifname_invalid(const char *s)
{
	if (!*s || strlen(s) >= IFNAMSIZ)
		return "not 1 to 15 bytes long";
	if (!strcmp(s, ".") || !strcmp(s, "..") || strpbrk(s, "/: \t\n\r\v\f"))
		return "holds '/', ':' or white space, or is . or ..";
	return NULL;
}

static int field(struct rd *r, json_t *v, const struct field *f, char *out)
{
	bool str = f->kind == F_STR || f->kind == F_NAME || f->kind == F_IFNAME;
	const char *why;

	if ((str || f->kind == F_STR_NULL) && (json_is_string(v) || json_is_null(v))) {
		if (json_is_null(v) && f->kind != F_STR_NULL)
			return bad(r, f->key, "a string expected, not null");
		*(const char **)(out + f->off) = json_string_value(v);
		if (f->kind == F_NAME && (why = vl_name_invalid(json_string_value(v))))
			return bad(r, f->key, "\"%s\": not a node name: %s; refused",
			           json_string_value(v), why);
		if (f->kind == F_IFNAME && (why = ifname_invalid(json_string_value(v))))
			return bad(r, f->key, "\"%s\": not an interface name: %s; refused",
			           json_string_value(v), why);
	} else if (f->kind == F_BOOL && json_is_boolean(v)) {
		*(bool *)(out + f->off) = json_is_true(v);
	} else if (f->kind == F_INT && json_is_integer(v)) {
		*(long long *)(out + f->off) = json_integer_value(v);
	} else if (f->kind == F_NUM && json_is_number(v)) {
		*(double *)(out + f->off) = json_number_value(v);
	} else {
		static const char *const want[] = {"a string", "a string or null", "a string",
		                                   "a string", "true or false",    "an integer",
		                                   "a number"};

		return bad(r, f->key, "%s expected, not %s", want[f->kind], type_name(v));
	}
	return 0;
}

/* The fields of object o into out; a required one missing is refused. */
static int fields(struct rd *r, json_t *o, const struct field *f, size_t n, void *out)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(o, f[i].key);

		if (!v && f[i].required)
			return bad(r, f[i].key, "missing");
		if (v && field(r, v, &f[i], out) < 0)
			return -1;
	}
	return 0;
}

/* Member key of o: NULL if absent (and not required), else of type t. */
static int member(struct rd *r, json_t *o, const char *key, json_type t, bool required,
                  json_t **out)
{
	static const char *const names[] = {"an object", "an array"};

	*out = json_object_get(o, key);
	if (!*out && required)
		return bad(r, key, "missing");
	if (*out && json_typeof(*out) != t)
		return bad(r, key, "%s expected, not %s", names[t == JSON_ARRAY], type_name(*out));
	return 0;
}

/* The optional object member key of o: its fields into out, *has if it is
 * there. */
static int object(struct rd *r, json_t *o, const char *key, const struct field *f, size_t n,
                  void *out, bool *has)
{
	json_t *m;
	size_t back;
	int rc;

	if (member(r, o, key, JSON_OBJECT, false, &m) < 0)
		return -1;
	*has = m != NULL;
	if (!m)
		return 0;
	back = step(r, key, -1);
	rc = fields(r, m, f, n, out);
	r->at[back] = '\0';
	return rc;
}

/* An array member as n elements of size esz, each read by fn. */
static int array(struct rd *r, json_t *o, const char *key, bool required, void *arr, size_t *n,
                 size_t esz, int (*fn)(struct rd *r, json_t *v, void *out))
{
	json_t *a, *v;
	size_t i, back;

	if (member(r, o, key, JSON_ARRAY, required, &a) < 0)
		return -1;
	*n = json_array_size(a);
	*(void **)arr = vl_xcalloc(*n + 1, esz);
	json_array_foreach(a, i, v)
	{
		back = step(r, key, (long)i);
		if (fn(r, v, (char *)*(void **)arr + i * esz) < 0)
			return -1;
		r->at[back] = '\0';
	}
	return 0;
}

static int string_el(struct rd *r, json_t *v, void *out)
{
	if (!json_is_string(v))
		return bad(r, NULL, "a string expected, not %s", type_name(v));
	*(const char **)out = json_string_value(v);
	return 0;
}

static int object_el(struct rd *r, json_t *v)
{
	return json_is_object(v) ? 0 : bad(r, NULL, "an object expected, not %s", type_name(v));
}

/* An object of strings (labels, env) as key=value pairs. */
static int kvs(struct rd *r, json_t *o, const char *key, struct vl_state_kv **out, size_t *n)
{
	const char *k;
	json_t *obj, *v;
	size_t back;

	if (member(r, o, key, JSON_OBJECT, false, &obj) < 0)
		return -1;
	*n = 0;
	*out = vl_xcalloc(json_object_size(obj) + 1, sizeof(**out));
	back = step(r, key, -1);
	json_object_foreach(obj, k, v)
	{
		if (!*k || strchr(k, '='))
			return bad(r, NULL, "\"%s\": not a variable's name", k);
		if (!json_is_string(v))
			return bad(r, k, "a string expected, not %s", type_name(v));
		(*out)[(*n)++] = (struct vl_state_kv){k, json_string_value(v)};
	}
	r->at[back] = '\0';
	return 0;
}

/* --- the lab's parts --------------------------------------------------------------- */

static int read_if(struct rd *r, json_t *v, void *out)
{
	static const struct field fs[] = {
	    REQ(struct vl_state_if, "name", F_IFNAME, name),
	    OPT(struct vl_state_if, "address", F_STR_NULL, address),
	    OPT(struct vl_state_if, "mac", F_STR, mac),
	};
	/* what the far end is: the first of these the file has */
	static const struct field peers[] = {
	    OPT(struct vl_state_if, "peer_node", F_STR, to),
	    OPT(struct vl_state_if, "switch", F_STR, to),
	    OPT(struct vl_state_if, "host_link", F_STR, to),
	    OPT(struct vl_state_if, "management", F_STR, to),
	};
	static const struct field peer_ifs[] = {
	    OPT(struct vl_state_if, "peer_ifname", F_STR, peer_if),
	    OPT(struct vl_state_if, "host_ifname", F_STR, peer_if),
	};
	struct vl_state_if *f = out;

	if (object_el(r, v) < 0 || fields(r, v, fs, VL_ARRAY_SIZE(fs), f) < 0)
		return -1;
	for (size_t k = 0; k < VL_ARRAY_SIZE(peers) && !f->to; k++) {
		if (fields(r, v, &peers[k], 1, f) < 0)
			return -1;
		f->peer = f->to ? (enum vl_state_peer)(VL_STATE_PEER_NODE + k) : VL_STATE_PEER_NONE;
	}
	for (size_t k = 0; k < VL_ARRAY_SIZE(peer_ifs) && !f->peer_if; k++)
		if (fields(r, v, &peer_ifs[k], 1, f) < 0)
			return -1;
	return 0;
}

static int read_route(struct rd *r, json_t *v, void *out)
{
	static const struct field fs[] = {
	    REQ(struct vl_state_route, "dst", F_STR_NULL, dst),
	    REQ(struct vl_state_route, "via", F_STR, via),
	    REQ(struct vl_state_route, "dev", F_IFNAME, dev),
	};

	return object_el(r, v) < 0 ? -1 : fields(r, v, fs, VL_ARRAY_SIZE(fs), out);
}

static const struct field limits_fields[] = {
    REQ(struct vl_state_limits, "cpus", F_NUM, cpus),
    REQ(struct vl_state_limits, "cpu_weight", F_INT, cpu_weight),
    REQ(struct vl_state_limits, "cpuset", F_STR, cpuset),
    REQ(struct vl_state_limits, "memory", F_INT, memory),
    REQ(struct vl_state_limits, "pids", F_INT, pids),
    OPT(struct vl_state_limits, "rootfs", F_STR_NULL, rootfs),
    OPT(struct vl_state_limits, "pid_namespace", F_BOOL, pid_namespace),
};

static const struct field guest_fields[] = {
    OPT(struct vl_state_guest, "vcpus", F_INT, vcpus),
    OPT(struct vl_state_guest, "ram", F_INT, ram),
    OPT(struct vl_state_guest, "boot_s", F_NUM, boot_s),
    OPT(struct vl_state_guest, "guest_boot_s", F_NUM, guest_boot_s),
    OPT(struct vl_state_guest, "clone", F_BOOL, clone),
};

/* A node: its namespace, if it has one, the lab's and its own. */
static int read_node(struct rd *r, json_t *v, void *out)
{
	static const struct field fs[] = {
	    REQ(struct vl_state_node, "name", F_NAME, name),
	    OPT(struct vl_state_node, "kind", F_STR, kind),
	    OPT(struct vl_state_node, "backend", F_STR, backend),
	    OPT(struct vl_state_node, "netns", F_STR, netns),
	    OPT(struct vl_state_node, "forward", F_BOOL, forward),
	    OPT(struct vl_state_node, "frr", F_BOOL, frr),
	    OPT(struct vl_state_node, "cgroup", F_STR, cgroup),
	    OPT(struct vl_state_node, "address", F_STR_NULL, address),
	    OPT(struct vl_state_node, "ipv6", F_BOOL, ipv6),
	    OPT(struct vl_state_node, "mgmt_ipv4", F_STR, mgmt_ipv4),
	    OPT(struct vl_state_node, "mgmt_name", F_STR, mgmt_name),
	    OPT(struct vl_state_node, "host", F_STR, host),
	};
	struct vl_state_node *n = out;

	if (object_el(r, v) < 0 || fields(r, v, fs, VL_ARRAY_SIZE(fs), n) < 0)
		return -1;
	if (n->netns &&
	    (!vl_lab_tagged(r->id, n->netns) || strcmp(n->netns + 2 + VL_LAB_ID_LEN + 1, n->name)))
		return vl_err_set(r->err, EPERM, "%s: node %s in %s: not the lab's own; refused",
		                  r->file, n->name, n->netns);
	if (object(r, v, "limits", limits_fields, VL_ARRAY_SIZE(limits_fields), &n->limits,
	           &n->has_limits) < 0 ||
	    object(r, v, "vm", guest_fields, VL_ARRAY_SIZE(guest_fields), &n->guest, &n->is_guest) <
	        0 ||
	    kvs(r, v, "labels", &n->labels, &n->n_labels) < 0 ||
	    kvs(r, v, "env", &n->env, &n->n_env) < 0)
		return -1;
	if (array(r, v, "interfaces", true, &n->ifs, &n->n_ifs, sizeof(*n->ifs), read_if) < 0)
		return -1;
	return array(r, v, "routes", false, &n->routes, &n->n_routes, sizeof(*n->routes),
	             read_route);
}

static int read_switch(struct rd *r, json_t *v, void *out)
{
	static const struct field fs[] = {
	    REQ(struct vl_state_switch, "name", F_NAME, name),
	    OPT(struct vl_state_switch, "subnet", F_STR_NULL, subnet),
	    OPT(struct vl_state_switch, "host", F_STR, host),
	};
	struct vl_state_switch *s = out;

	if (object_el(r, v) < 0 || fields(r, v, fs, VL_ARRAY_SIZE(fs), s) < 0)
		return -1;
	return array(r, v, "bridges", false, &s->bridges, &s->n_bridges, sizeof(*s->bridges),
	             string_el);
}

/* Is end k of link l the lab's own, as the file says? The switches' side:
 * one of the lab's infra namespaces, an interface tagged with its id; a
 * node's side: the node's namespace, the endpoint's interface. */
static bool end_own(const struct rd *r, const struct vl_state_link *l, int k)
{
	const struct vl_state_end *e = &l->ends[k];
	const char *ep = l->endpoints[k], *colon = strchr(ep, ':');
	size_t tag = 2 + VL_LAB_ID_LEN, nl = colon ? (size_t)(colon - ep) : 0;
	char want[IFNAMSIZ + 16];

	snprintf(want, sizeof(want), "vl%s", r->id);
	if (!colon)
		return false;
	if (!strncmp(e->netns, want, tag) && vl_lab_infra_suffix(e->netns + tag))
		return !strncmp(e->ifname, want, tag) && strlen(e->ifname) < IFNAMSIZ &&
		       !strchr(e->ifname, '/');
	return vl_lab_tagged(r->id, e->netns) && !strncmp(e->netns + tag + 1, ep, nl) &&
	       e->netns[tag + 1 + nl] == '\0' && !strcmp(e->ifname, colon + 1);
}

static int read_end(struct rd *r, json_t *v, void *out)
{
	static const struct field fs[] = {
	    REQ(struct vl_state_end, "netns", F_STR, netns),
	    REQ(struct vl_state_end, "ifname", F_STR, ifname),
	};

	return object_el(r, v) < 0 ? -1 : fields(r, v, fs, VL_ARRAY_SIZE(fs), out);
}

/* Two of them, or none (a link of the first labs); elements read by fn. */
static int pair(struct rd *r, json_t *v, const char *key, bool required, void *two, size_t esz,
                int (*fn)(struct rd *r, json_t *v, void *out))
{
	void *arr = NULL;
	size_t n = 0;
	int rc = array(r, v, key, required, &arr, &n, esz, fn);

	if (rc == 0 && json_object_get(v, key) && n != 2)
		rc = bad(r, key, "two expected, not %zu", n);
	if (rc == 0 && n == 2)
		memcpy(two, arr, 2 * esz);
	free(arr);
	return rc;
}

static int read_link(struct rd *r, json_t *v, void *out)
{
	static const struct field fs[] = {
	    OPT(struct vl_state_link, "mtu", F_INT, mtu),
	    OPT(struct vl_state_link, "forward", F_STR, text[0]),
	    OPT(struct vl_state_link, "reverse", F_STR, text[1]),
	    OPT(struct vl_state_link, "engine", F_STR, engine),
	    OPT(struct vl_state_link, "forward_up", F_BOOL, up[0]),
	    OPT(struct vl_state_link, "reverse_up", F_BOOL, up[1]),
	};
	struct vl_state_link *l = out;
	const char *why;

	l->up[0] = l->up[1] = true;
	if (object_el(r, v) < 0 || fields(r, v, fs, VL_ARRAY_SIZE(fs), l) < 0 ||
	    pair(r, v, "endpoints", true, l->endpoints, sizeof(*l->endpoints), string_el) < 0 ||
	    pair(r, v, "ends", false, l->ends, sizeof(*l->ends), read_end) < 0)
		return -1;
	l->has_ends = l->ends[0].netns != NULL;
	for (int k = 0; k < 2; k++) {
		if ((why = vl_impair_parse(&l->dir[k], l->text[k] ? l->text[k] : "none")))
			return bad(r, k ? "reverse" : "forward", "link %s: \"%s\": %s",
			           l->endpoints[0], l->text[k], why);
		if (l->has_ends)
			l->ends[k].own = end_own(r, l, k);
	}
	return 0;
}

static int read_mgmt(struct rd *r, json_t *root, struct vl_state *st)
{
	static const struct field fs[] = {
	    REQ(struct vl_state_mgmt, "bridge", F_IFNAME, bridge),
	    OPT(struct vl_state_mgmt, "ipv4_subnet", F_STR_NULL, ipv4_subnet),
	    OPT(struct vl_state_mgmt, "ipv4_gw", F_STR, ipv4_gw),
	    OPT(struct vl_state_mgmt, "nat", F_BOOL, nat),
	    OPT(struct vl_state_mgmt, "lab_isolation", F_BOOL, lab_isolation),
	    OPT(struct vl_state_mgmt, "host_services", F_BOOL, host_services),
	};
	static const struct field vm[] = {
	    OPT(struct vl_state_vm, "accel", F_STR, accel),
	    OPT(struct vl_state_vm, "kernel", F_STR, kernel),
	    OPT(struct vl_state_vm, "kernel_path", F_STR, kernel_path),
	    OPT(struct vl_state_vm, "machine", F_STR, machine),
	    OPT(struct vl_state_vm, "why_not_kvm", F_STR, why_not_kvm),
	};
	return object(r, root, "mgmt", fs, VL_ARRAY_SIZE(fs), &st->mgmt, &st->has_mgmt) < 0 ||
	               object(r, root, "vm", vm, VL_ARRAY_SIZE(vm), &st->vm, &st->has_vm) < 0
	           ? -1
	           : 0;
}

/* The switches' namespaces: "vl<id>.sw", "vl<id>.sw1"... */
static int read_infra(struct rd *r, json_t *root, struct vl_state *st)
{
	size_t tag = 2 + VL_LAB_ID_LEN;

	if (array(r, root, "infra_netns_all", false, &st->infra_all, &st->n_infra,
	          sizeof(*st->infra_all), string_el) < 0)
		return -1;
	for (size_t k = 0; k <= st->n_infra; k++) {
		const char *ns = k < st->n_infra ? st->infra_all[k] : st->infra_netns;

		if (ns && (strncmp(ns, "vl", 2) || strncmp(ns + 2, r->id, VL_LAB_ID_LEN) ||
		           strlen(ns) < tag || !vl_lab_infra_suffix(ns + tag)))
			return vl_err_set(r->err, EPERM,
			                  "%s: the switches' namespace %s: not the lab's own; "
			                  "refused",
			                  r->file, ns);
	}
	return 0;
}

static int read_root(struct rd *r, json_t *root, struct vl_state *st)
{
	static const struct field fs[] = {
	    REQ(struct vl_state, "lab", F_STR, lab),
	    REQ(struct vl_state, "id", F_STR, id),
	    REQ(struct vl_state, "source", F_STR, source),
	    REQ(struct vl_state, "backend", F_STR, backend),
	    OPT(struct vl_state, "created", F_INT, created),
	    OPT(struct vl_state, "up_seconds", F_NUM, up_seconds),
	    OPT(struct vl_state, "infra_netns", F_STR, infra_netns),
	    OPT(struct vl_state, "ipv6", F_BOOL, ipv6),
	};
	char tag[VL_LAB_ID_LEN + 1];
	char *probe;

	if (!json_is_object(root))
		return bad(r, NULL, "an object expected, not %s", type_name(root));
	if (fields(r, root, fs, VL_ARRAY_SIZE(fs), st) < 0)
		return -1;
	probe = vl_xasprintf("vl%s-x", st->id);
	if (!vl_lab_tag(probe, tag) || strlen(st->id) != VL_LAB_ID_LEN)
		st->id = NULL;
	free(probe);
	if (!st->id)
		return bad(r, "id", "not a lab's id (%d hex digits)", VL_LAB_ID_LEN);
	r->id = st->id;
	return read_infra(r, root, st) || read_mgmt(r, root, st) ||
	               array(r, root, "nodes", true, &st->nodes, &st->n_nodes, sizeof(*st->nodes),
	                     read_node) ||
	               array(r, root, "switches", true, &st->switches, &st->n_switches,
	                     sizeof(*st->switches), read_switch) ||
	               array(r, root, "links", true, &st->links, &st->n_links, sizeof(*st->links),
	                     read_link)
	           ? -1
	           : 0;
}

int vl_state_parse(json_t *doc, const char *where, struct vl_state *st, struct vl_err *err)
{
	struct vl_err scratch = {0};
	struct rd r = {.file = where, .err = err ? err : &scratch};

	memset(st, 0, sizeof(*st));
	st->doc = doc;
	if (read_root(&r, doc, st) < 0) {
		vl_state_free(st);
		return -1;
	}
	return 0;
}

int vl_state_load(const char *lab, struct vl_state *st, struct vl_err *err)
{
	char path[PATH_MAX], id[VL_LAB_ID_LEN + 1];
	json_error_t je;
	json_t *root;

	memset(st, 0, sizeof(*st));
	vl_lab_path(lab, "state.json", path, sizeof(path));
	root = json_load_file(path, 0, &je);
	if (!root) {
		if (!vl_lab_exists(lab))
			return vl_err_set(err, ENOENT,
			                  "no lab named %s (vnetlab status lists labs)", lab);
		if (access(path, F_OK) < 0)
			return vl_err_set(
			    err, ENOENT,
			    "lab %s is not up (being created, or its up failed: vnetlab clean)",
			    lab);
		return vl_err_set(err, EINVAL, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	}
	if (vl_state_parse(root, path, st, err) < 0 || vl_lab_read_id(lab, id, err) < 0)
		goto fail;
	if (strcmp(st->lab, lab) || strcmp(st->id, id)) {
		vl_err_set(err, EPERM,
		           "%s: lab %s, id %s: not lab %s's own (its id is %s); refused", path,
		           st->lab, st->id, lab, id);
		goto fail;
	}
	return 0;
fail:
	vl_state_free(st);
	return -1;
}

void vl_state_free(struct vl_state *st)
{
	for (size_t i = 0; st->nodes && i < st->n_nodes; i++) {
		struct vl_state_node *n = &st->nodes[i];

		free(n->labels);
		free(n->env);
		free(n->ifs);
		free(n->routes);
	}
	for (size_t i = 0; st->switches && i < st->n_switches; i++)
		free(st->switches[i].bridges);
	free(st->nodes);
	free(st->switches);
	free(st->links);
	free(st->infra_all);
	json_decref(st->doc);
	memset(st, 0, sizeof(*st));
}

/* --- what commands ask of it ---------------------------------------------------------- */

const struct vl_state_node *vl_state_node(const struct vl_state *st, const char *name)
{
	for (size_t i = 0; i < st->n_nodes; i++)
		if (!strcmp(st->nodes[i].name, name))
			return &st->nodes[i];
	return NULL;
}

int vl_state_find_link(const struct vl_state *st, const char *endpoint, int *end,
                       struct vl_err *err)
{
	for (size_t i = 0; i < st->n_links; i++)
		for (int k = 0; k < 2; k++)
			if (!strcmp(st->links[i].endpoints[k], endpoint)) {
				*end = k;
				return (int)i;
			}
	return vl_err_set(err, ENOENT, "no link has the endpoint %s", endpoint);
}

int vl_state_link_end(const struct vl_state *st, size_t i, int k, const char **netns,
                      const char **ifname, struct vl_err *err)
{
	const struct vl_state_link *l = &st->links[i];
	char path[PATH_MAX];
	struct vl_ns_id nsid;
	bool ok;

	if (!l->has_ends)
		return vl_err_set(err, EINVAL, "state.json: a link end without netns and ifname");
	*netns = l->ends[k].netns;
	*ifname = l->ends[k].ifname;
	ok = l->ends[k].own;
	if (ok) {
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, *netns);
		nsid = vl_ns_id_of(path);
		ok = nsid.ino && !vl_netns_is_host(nsid);
	}
	if (!ok)
		return vl_err_set(err, EPERM,
		                  "state.json: end %s of a link is in %s, %s: not the lab's own; "
		                  "refused",
		                  l->endpoints[k], *netns, *ifname);
	return 0;
}

char **vl_state_env(const struct vl_state *st, const char *node)
{
	const struct vl_state_node *n = vl_state_node(st, node);
	size_t bytes = 0;
	char **out, *p;

	if (!n || !n->n_env)
		return NULL;
	for (size_t k = 0; k < n->n_env; k++)
		bytes += strlen(n->env[k].key) + strlen(n->env[k].value) + 2;
	out = vl_xcalloc(1, (n->n_env + 1) * sizeof(*out) + bytes);
	p = (char *)(out + n->n_env + 1);
	for (size_t k = 0; k < n->n_env; k++) {
		out[k] = p;
		p += sprintf(p, "%s=%s", n->env[k].key, n->env[k].value) + 1;
	}
	return out;
}
