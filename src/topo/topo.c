/* struct vl_topo: construction, lookup, freeing and the canonical dump.
 * The loader (topo_yaml.c) and the generators (topo_gen.c) build on the
 * vl_topo_new / vl_topo_add_* functions here. */
#include "topo/topo.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "base/util.h"

/* One slot of the name index: node index + 1 (0: empty) and the name's
 * hash, compared first so that a probe rarely touches the node. */
struct name_slot {
	size_t node1;
	size_t hash;
};

/* Capacities of the growable arrays, and an open-addressing (linear
 * probing) hash of node names, at most half full. */
struct vl_topo_priv {
	size_t nodes_cap, links_cap, warnings_cap;
	struct name_slot *slots;
	size_t n_slots; /* a power of two, or 0 */
	size_t n_indexed;
};

const char *vl_kind_name(enum vl_kind k)
{
	switch (k) {
	case VL_KIND_LINUX:
		return "linux";
	case VL_KIND_ROUTER:
		return "router";
	case VL_KIND_BRIDGE:
		return "bridge";
	}
	return "unknown";
}

static size_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)tolower((unsigned char)*s);
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

struct vl_topo *vl_topo_new(const char *source)
{
	struct vl_topo *t = vl_xcalloc(1, sizeof(*t));

	t->source = vl_xstrdup(source);
	if (vl_parse_cidr(VL_TOPO_DEFAULT_POOL, &t->pool_addr, &t->pool_prefix) < 0)
		abort(); /* a constant: cannot fail */
	t->ipv6 = 0;
	t->mtu = 0;
	t->addressing = VL_UNSET; /* auto, unless a file says otherwise */
	t->mgmt.on = VL_UNSET;
	t->mgmt.nat = VL_UNSET;
	t->mgmt.lab_isolation = VL_UNSET;
	t->mgmt.host_services = VL_UNSET;
	vl_topo_res_init(&t->defaults);
	t->priv = vl_xcalloc(1, sizeof(*t->priv));
	return t;
}

/* The priv of a topology, created for a hand-built one whose arrays are
 * then assumed full (so the next append reallocates). */
static struct vl_topo_priv *priv_of(struct vl_topo *t)
{
	if (!t->priv) {
		t->priv = vl_xcalloc(1, sizeof(*t->priv));
		t->priv->nodes_cap = t->n_nodes;
		t->priv->links_cap = t->n_links;
		t->priv->warnings_cap = t->n_warnings;
	}
	return t->priv;
}

/* The slot for name (of hash name_hash(name)): the one holding it or a name
 * that differs from it only in case, or the empty one that ends its probe
 * sequence. Names are unique without regard to case, as in DNS. */
static struct name_slot *index_slot(const struct vl_topo_priv *p, const struct vl_topo_node *nodes,
                                    const char *name, size_t hash)
{
	size_t mask = p->n_slots - 1, i;

	for (i = hash & mask; p->slots[i].node1; i = (i + 1) & mask)
		if (p->slots[i].hash == hash &&
		    !strcasecmp(nodes[p->slots[i].node1 - 1].name, name))
			break;
	return &p->slots[i];
}

/* Size the index for n nodes at load <= 1/2 and (re)fill it from t. */
static void index_rebuild(struct vl_topo *t, size_t n)
{
	struct vl_topo_priv *p = priv_of(t);
	size_t size = 16;

	while (n * 2 > size)
		size *= 2;
	free(p->slots);
	p->slots = vl_xcalloc(size, sizeof(*p->slots));
	p->n_slots = size;
	p->n_indexed = 0;
	for (size_t i = 0; i < t->n_nodes; i++) {
		size_t hash = name_hash(t->nodes[i].name);
		struct name_slot *slot = index_slot(p, t->nodes, t->nodes[i].name, hash);

		if (!slot->node1) /* a hand-built topology may repeat names */
			*slot = (struct name_slot){i + 1, hash};
		p->n_indexed++;
	}
}

void vl_topo_reserve(struct vl_topo *t, size_t n_nodes, size_t n_links)
{
	struct vl_topo_priv *p = priv_of(t);

	if (n_nodes > 0)
		vl_grow(&t->nodes, &p->nodes_cap, n_nodes - 1, sizeof(*t->nodes));
	if (n_links > 0)
		vl_grow(&t->links, &p->links_cap, n_links - 1, sizeof(*t->links));
	if (n_nodes * 2 > p->n_slots)
		index_rebuild(t, n_nodes);
}

long vl_topo_find_node_nocase(const struct vl_topo *t, const char *name)
{
	const struct vl_topo_priv *p = t->priv;

	if (p && p->n_slots && p->n_indexed == t->n_nodes) {
		const struct name_slot *slot = index_slot(p, t->nodes, name, name_hash(name));

		return slot->node1 ? (long)slot->node1 - 1 : -1;
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].name && !strcasecmp(t->nodes[i].name, name))
			return (long)i;
	return -1;
}

long vl_topo_find_node(const struct vl_topo *t, const char *name)
{
	const struct vl_topo_priv *p = t->priv;
	long i;

	if (!p || !p->n_slots || p->n_indexed != t->n_nodes) {
		for (size_t k = 0; k < t->n_nodes; k++)
			if (t->nodes[k].name && !strcmp(t->nodes[k].name, name))
				return (long)k;
		return -1;
	}
	i = vl_topo_find_node_nocase(t, name);
	return i >= 0 && !strcmp(t->nodes[i].name, name) ? i : -1;
}

struct vl_topo_node *vl_topo_add_node(struct vl_topo *t, const char *name, struct vl_pos pos)
{
	struct vl_topo_priv *p = priv_of(t);
	struct vl_topo_node *n;
	size_t hash = name_hash(name);
	struct name_slot *slot;

	if (p->n_indexed != t->n_nodes || (t->n_nodes + 1) * 2 > p->n_slots)
		index_rebuild(t, (t->n_nodes + 1) * 2);
	slot = index_slot(p, t->nodes, name, hash);
	if (slot->node1)
		return NULL;
	vl_grow(&t->nodes, &p->nodes_cap, t->n_nodes, sizeof(*t->nodes));
	n = &t->nodes[t->n_nodes];
	n->name = vl_xstrdup(name);
	n->kind = VL_KIND_LINUX;
	n->ipv6 = VL_UNSET;
	vl_topo_res_init(&n->res);
	vl_topo_settings_init(&n->set);
	n->pos = pos;
	*slot = (struct name_slot){++t->n_nodes, hash};
	p->n_indexed++;
	return n;
}

struct vl_topo_link *vl_topo_add_link(struct vl_topo *t)
{
	struct vl_topo_priv *p = priv_of(t);
	struct vl_topo_link *l;

	vl_grow(&t->links, &p->links_cap, t->n_links, sizeof(*t->links));
	l = &t->links[t->n_links++];
	memset(l, 0, sizeof(*l));
	return l;
}

void vl_topo_add_warning(struct vl_topo *t, const char *fmt, ...)
{
	struct vl_topo_priv *p = priv_of(t);
	char *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	msg = vl_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	vl_grow(&t->warnings, &p->warnings_cap, t->n_warnings, sizeof(*t->warnings));
	t->warnings[t->n_warnings++] = msg;
}

static size_t kv_find(char **list, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (!strncmp(list[i], name, len) && list[i][len] == '=')
			return i;
	return n;
}

void vl_topo_kv_set(char ***list, size_t *n, const char *name, const char *value)
{
	size_t i = kv_find(*list, *n, name, strlen(name));

	if (i == *n) {
		*list = realloc(*list, (*n + 2) * sizeof(**list));
		if (!*list)
			abort();
		(*n)++;
		(*list)[*n] = NULL;
	} else {
		free((*list)[i]);
	}
	(*list)[i] = vl_xasprintf("%s=%s", name, value);
}

static void kv_inherit(char ***dst, size_t *nd, char **src, size_t ns)
{
	for (size_t i = 0; i < ns; i++) {
		size_t len = strcspn(src[i], "=");

		if (kv_find(*dst, *nd, src[i], len) == *nd) {
			char *name = vl_xasprintf("%.*s", (int)len, src[i]);

			vl_topo_kv_set(dst, nd, name, src[i] + len + 1);
			free(name);
		}
	}
}

void vl_topo_settings_inherit(struct vl_topo_settings *dst, const struct vl_topo_settings *src)
{
	if (!dst->have_exec && src->have_exec) {
		dst->have_exec = true;
		dst->exec_pos = src->exec_pos;
		dst->exec = vl_xcalloc(src->n_exec + 1, sizeof(*dst->exec));
		for (size_t i = 0; i < src->n_exec; i++)
			dst->exec[i] = vl_xstrdup(src->exec[i]);
		dst->n_exec = src->n_exec;
	}
	kv_inherit(&dst->env, &dst->n_env, src->env, src->n_env);
	kv_inherit(&dst->labels, &dst->n_labels, src->labels, src->n_labels);
	kv_inherit(&dst->sysctls, &dst->n_sysctls, src->sysctls, src->n_sysctls);
	kv_inherit(&dst->binds, &dst->n_binds, src->binds, src->n_binds);
	if (!dst->entrypoint && src->entrypoint)
		dst->entrypoint = vl_xstrdup(src->entrypoint);
	if (!dst->cmd && src->cmd)
		dst->cmd = vl_xstrdup(src->cmd);
	if (!dst->startup_config && src->startup_config) {
		dst->startup_config = vl_xstrdup(src->startup_config);
		dst->startup_pos = src->startup_pos;
	}
	if (dst->startup_delay < 0)
		dst->startup_delay = src->startup_delay;
	if (!dst->have_wait_for && src->have_wait_for) {
		dst->have_wait_for = true;
		dst->wait_pos = src->wait_pos;
		dst->wait_for = vl_xcalloc(src->n_wait_for + 1, sizeof(*dst->wait_for));
		for (size_t i = 0; i < src->n_wait_for; i++)
			dst->wait_for[i] = vl_xstrdup(src->wait_for[i]);
		dst->n_wait_for = src->n_wait_for;
	}
}

void vl_topo_settings_init(struct vl_topo_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->startup_delay = -1;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void vl_topo_settings_free(struct vl_topo_settings *s)
{
	strv_free(s->exec, s->n_exec);
	strv_free(s->env, s->n_env);
	strv_free(s->labels, s->n_labels);
	strv_free(s->sysctls, s->n_sysctls);
	strv_free(s->binds, s->n_binds);
	strv_free(s->wait_for, s->n_wait_for);
	free(s->entrypoint);
	free(s->cmd);
	free(s->startup_config);
	vl_topo_settings_init(s);
}

const char *vl_host_link_type_name(enum vl_host_link_type t)
{
	return t == VL_HOST_LINK ? "host" : t == VL_MGMT_LINK ? "mgmt-net" : "dummy";
}

void vl_topo_free(struct vl_topo *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_nodes; i++) {
		free(t->nodes[i].name);
		vl_topo_res_free(&t->nodes[i].res);
		vl_topo_settings_free(&t->nodes[i].set);
	}
	vl_topo_res_free(&t->defaults);
	for (size_t i = 0; i < t->n_links; i++) {
		free(t->links[i].ep[0].ifname);
		free(t->links[i].ep[1].ifname);
	}
	for (size_t i = 0; i < t->n_host_links; i++) {
		free(t->host_links[i].ep.ifname);
		free(t->host_links[i].host_ifname);
	}
	free(t->host_links);
	for (size_t i = 0; i < t->n_warnings; i++)
		free(t->warnings[i]);
	free(t->nodes);
	free(t->links);
	free(t->warnings);
	free(t->name);
	free(t->source);
	free(t->mgmt.prefix_name);
	if (t->priv)
		free(t->priv->slots);
	free(t->priv);
	free(t);
}

const char *vl_link_engine_name(enum vl_link_engine e)
{
	return e == VL_LINK_ENGINE_KERNEL ? "kernel" : e == VL_LINK_ENGINE_USER ? "user" : "auto";
}

const char *vl_profile_name(enum vl_profile p)
{
	return p == VL_PROFILE_STUDY ? "study" : "none";
}

int vl_profile_parse(const char *s)
{
	if (!strcmp(s, "none"))
		return VL_PROFILE_NONE;
	if (!strcmp(s, "study"))
		return VL_PROFILE_STUDY;
	return -1;
}

void vl_topo_res_init(struct vl_topo_res *r)
{
	*r = (struct vl_topo_res){.cpus = VL_UNSET,
	                          .cpu_weight = VL_UNSET,
	                          .memory = VL_UNSET,
	                          .pids = VL_UNSET,
	                          .pid_ns = VL_UNSET,
	                          .vm = VL_UNSET};
}

static void res_copy(struct vl_topo_res *dst, const struct vl_topo_res *src, bool over)
{
#define TAKE(f) (src->f != VL_UNSET && (over || dst->f == VL_UNSET))
	if (TAKE(cpus))
		dst->cpus = src->cpus;
	if (TAKE(cpu_weight))
		dst->cpu_weight = src->cpu_weight;
	if (TAKE(memory))
		dst->memory = src->memory;
	if (TAKE(pids))
		dst->pids = src->pids;
	if (TAKE(pid_ns))
		dst->pid_ns = src->pid_ns;
	if (TAKE(vm))
		dst->vm = src->vm;
#undef TAKE
	if (src->cpuset && (over || !dst->cpuset)) {
		free(dst->cpuset);
		dst->cpuset = vl_xstrdup(src->cpuset);
	}
	if (src->rootfs && (over || !dst->rootfs)) {
		free(dst->rootfs);
		dst->rootfs = vl_xstrdup(src->rootfs);
	}
	if (!dst->pos.line)
		dst->pos = src->pos;
}

void vl_topo_res_inherit(struct vl_topo_res *dst, const struct vl_topo_res *src)
{
	res_copy(dst, src, false);
}

void vl_topo_res_override(struct vl_topo_res *dst, const struct vl_topo_res *src)
{
	res_copy(dst, src, true);
}

void vl_topo_res_free(struct vl_topo_res *r)
{
	free(r->cpuset);
	free(r->rootfs);
	r->cpuset = r->rootfs = NULL;
}

void vl_topo_res_profile(struct vl_topo_res *r, enum vl_profile p)
{
	vl_topo_res_init(r);
	if (p == VL_PROFILE_STUDY) {
		r->cpus = 1;
		r->memory = 64ll << 20;
	}
}

const char *vl_topo_res_set(struct vl_topo_res *r, const char *key, const char *value)
{
	unsigned long u;
	uint64_t bytes;

	if (!strcmp(key, "cpus") || !strcmp(key, "cpu")) {
		double d;

		/* 0.01: the kernel's smallest CFS quota, 1 ms in a 100 ms period */
		if (vl_parse_number(value, 0, 4096, &d) < 0 || (d > 0 && d < 0.01))
			return "expected a number of CPUs from 0.01 to 4096, such as 0.5 or 2 (0: "
			       "no "
			       "limit)";
		r->cpus = d;
	} else if (!strcmp(key, "cpu-weight")) {
		if (vl_parse_uint(value, 1, 10000, &u) < 0)
			return "expected an integer from 1 to 10000 (100 is the default share)";
		r->cpu_weight = (long)u;
	} else if (!strcmp(key, "cpuset") || !strcmp(key, "cpu-set")) {
		uint64_t set[VL_MAX_CPUS / 64];

		if (vl_parse_cpulist(value, set) < 0 || strlen(value) > 63)
			return "expected CPU numbers below 4096 such as 0, 0-3 or 0,2-3";
		free(r->cpuset);
		r->cpuset = vl_xstrdup(value);
	} else if (!strcmp(key, "memory")) {
		if (vl_parse_bytes(value, &bytes) < 0 || bytes > (uint64_t)INT64_MAX ||
		    (bytes && bytes < (4u << 20)))
			return "expected a size of at least 4MiB such as 64MiB or 1G (0: no limit)";
		r->memory = (int64_t)bytes;
	} else if (!strcmp(key, "pids")) {
		if (vl_parse_uint(value, 0, 4194304, &u) < 0)
			return "expected a number of tasks (0: no limit)";
		r->pids = (int64_t)u;
	} else if (!strcmp(key, "rootfs")) {
		if (value[0] != '/' || strstr(value, "/../") || strchr(value, '\n') ||
		    strchr(value, ','))
			return "expected an absolute path to a directory (no \"..\", no commas)";
		free(r->rootfs);
		r->rootfs = vl_xstrdup(value);
	} else if (!strcmp(key, "backend")) {
		if (strcmp(value, "ns") && strcmp(value, "vm"))
			return "expected ns or vm (a node's backend within a lab of namespaces)";
		r->vm = value[0] == 'v';
	} else {
		return "not a resource";
	}
	return NULL;
}

static void dump_res(struct vl_buf *out, const struct vl_topo_res *r)
{
	if (r->cpus != VL_UNSET)
		vl_buf_printf(out, " cpus=%g", r->cpus);
	if (r->cpu_weight != VL_UNSET)
		vl_buf_printf(out, " cpu-weight=%ld", r->cpu_weight);
	if (r->cpuset)
		vl_buf_printf(out, " cpuset=%s", r->cpuset);
	if (r->memory != VL_UNSET)
		vl_buf_printf(out, " memory=%lld", (long long)r->memory);
	if (r->pids != VL_UNSET)
		vl_buf_printf(out, " pids=%lld", (long long)r->pids);
	if (r->rootfs)
		vl_buf_printf(out, " rootfs=%s", r->rootfs);
	if (r->pid_ns != VL_UNSET)
		vl_buf_printf(out, " pid-namespace=%d", r->pid_ns);
	if (r->vm != VL_UNSET)
		vl_buf_printf(out, " backend=%s", r->vm ? "vm" : "ns");
}

/* " pos=L:C", or nothing for generated elements. */
static void dump_pos(struct vl_buf *out, const char *label, struct vl_pos pos)
{
	if (pos.line > 0)
		vl_buf_printf(out, "%s%d:%d", label, pos.line, pos.col);
}

static void dump_ipv6(struct vl_buf *out, int v)
{
	if (v == VL_UNSET)
		vl_buf_printf(out, " ipv6=unset");
	else
		vl_buf_printf(out, " ipv6=%d", v);
}

/* The format, one fact per line, in the topology's order:
 *   source SOURCE
 *   name NAME|-
 *   pool A.B.C.D/P
 *   ipv6 0|1
 *   mtu N
 *   nodes N
 *   [profile NAME]                     (when not none)
 *   [defaults RES]                     (when any is set)
 *   node I NAME kind=K ipv6=unset|0|1 [RES] [pos=L:C]
 * RES: " cpus=X cpu-weight=N cpuset=S memory=BYTES pids=N rootfs=P
 * pid-namespace=0|1 backend=ns|vm", each only
 * when set.
 *   links N
 *   link I NODE:IF[@L:C] NODE:IF[@L:C] mtu=N [pos=L:C]
 *   warnings N
 *   warning TEXT */
void vl_topo_dump(const struct vl_topo *t, struct vl_buf *out)
{
	char ip[16];

	vl_fmt_ip(t->pool_addr, ip);
	vl_buf_printf(out, "source %s\n", t->source ? t->source : "-");
	vl_buf_printf(out, "name %s\n", t->name ? t->name : "-");
	vl_buf_printf(out, "pool %s/%d\n", ip, t->pool_prefix);
	vl_buf_printf(out, "ipv6 %d\n", t->ipv6);
	vl_buf_printf(out, "mtu %d\n", t->mtu);
	if (t->stp)
		vl_buf_printf(out, "stp 1\n");
	if (t->profile != VL_PROFILE_NONE)
		vl_buf_printf(out, "profile %s\n", vl_profile_name(t->profile));
	if (t->mgmt.on != VL_UNSET || t->mgmt.prefix || t->mgmt.nat != VL_UNSET ||
	    t->mgmt.lab_isolation != VL_UNSET || t->mgmt.host_services != VL_UNSET ||
	    t->mgmt.prefix_name) {
		vl_fmt_ip(t->mgmt.net, ip);
		vl_buf_printf(out, "mgmt on=%d subnet=%s/%d", t->mgmt.on, ip, t->mgmt.prefix);
		if (t->mgmt.gw) {
			vl_fmt_ip(t->mgmt.gw, ip);
			vl_buf_printf(out, " gw=%s", ip);
		}
		vl_buf_printf(out, " nat=%d", t->mgmt.nat);
		if (t->mgmt.lab_isolation != VL_UNSET)
			vl_buf_printf(out, " lab-isolation=%d", t->mgmt.lab_isolation);
		if (t->mgmt.host_services != VL_UNSET)
			vl_buf_printf(out, " host-services=%d", t->mgmt.host_services);
		if (t->mgmt.prefix_name)
			vl_buf_printf(out, " prefix=\"%s\"", t->mgmt.prefix_name);
		vl_buf_add(out, "\n", 1);
	}
	{
		cleanup_buf struct vl_buf d = {0};

		dump_res(&d, &t->defaults);
		if (d.len)
			vl_buf_printf(out, "defaults%s\n", d.s);
	}
	vl_buf_printf(out, "nodes %zu\n", t->n_nodes);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct vl_topo_node *n = &t->nodes[i];

		vl_buf_printf(out, "node %zu %s kind=%s", i, n->name, vl_kind_name(n->kind));
		dump_ipv6(out, n->ipv6);
		dump_res(out, &n->res);
		dump_pos(out, " pos=", n->pos);
		vl_buf_add(out, "\n", 1);
		if (n->mgmt_ipv4) {
			vl_fmt_ip(n->mgmt_ipv4, ip);
			vl_buf_printf(out, "  mgmt-ipv4 %s\n", ip);
		}
		if (n->no_mgmt)
			vl_buf_printf(out, "  network-mode none\n");
		if (n->pin.on) {
			vl_buf_printf(out, "  host %d", n->pin.host);
			dump_pos(out, " pos=", n->pin.pos);
			vl_buf_add(out, "\n", 1);
		}
		if (n->set.have_exec)
			vl_buf_printf(out, "  exec %zu\n", n->set.n_exec);
		for (size_t k = 0; k < n->set.n_exec; k++)
			vl_buf_printf(out, "  exec %zu: %s\n", k + 1, n->set.exec[k]);
		for (size_t k = 0; k < n->set.n_env; k++)
			vl_buf_printf(out, "  env %s\n", n->set.env[k]);
		for (size_t k = 0; k < n->set.n_labels; k++)
			vl_buf_printf(out, "  label %s\n", n->set.labels[k]);
		for (size_t k = 0; k < n->set.n_sysctls; k++)
			vl_buf_printf(out, "  sysctl %s\n", n->set.sysctls[k]);
		if (n->set.frr)
			vl_buf_printf(out, "  frr\n");
		if (n->set.startup_config) {
			const char *sc = n->set.startup_config, *rel = sc;
			char cwd[PATH_MAX];

			if (getcwd(cwd, sizeof(cwd)) && !strncmp(sc, cwd, strlen(cwd)) &&
			    sc[strlen(cwd)] == '/')
				rel = sc + strlen(cwd) + 1;
			vl_buf_printf(out, "  startup-config %s\n", rel);
		}
		if (n->set.entrypoint)
			vl_buf_printf(out, "  entrypoint %s\n", n->set.entrypoint);
		if (n->set.cmd)
			vl_buf_printf(out, "  cmd %s\n", n->set.cmd);
		if (n->set.startup_delay >= 0)
			vl_buf_printf(out, "  startup-delay %g\n", n->set.startup_delay);
		for (size_t k = 0; k < n->set.n_wait_for; k++)
			vl_buf_printf(out, "  wait-for %s\n", n->set.wait_for[k]);
		/* host paths under the working directory relative to it, so that
		 * a dump does not depend on where the tree is */
		for (size_t k = 0; k < n->set.n_binds; k++) {
			const char *b = n->set.binds[k], *eq = strchr(b, '=');
			char cwd[PATH_MAX];
			size_t cl;

			if (eq && getcwd(cwd, sizeof(cwd)) && (cl = strlen(cwd)) &&
			    !strncmp(eq + 1, cwd, cl) && eq[1 + cl] == '/')
				vl_buf_printf(out, "  bind %.*s=%s\n", (int)(eq - b), b,
				              eq + 2 + cl);
			else
				vl_buf_printf(out, "  bind %s\n", b);
		}
	}
	if (t->addressing == 0)
		vl_buf_printf(out, "addressing none\n");
	vl_buf_printf(out, "links %zu\n", t->n_links);
	for (size_t i = 0; i < t->n_links; i++) {
		const struct vl_topo_link *l = &t->links[i];

		vl_buf_printf(out, "link %zu", i);
		for (int e = 0; e < 2; e++) {
			const struct vl_topo_endpoint *ep = &l->ep[e];
			const char *node = ep->node < t->n_nodes ? t->nodes[ep->node].name : "?";

			vl_buf_printf(out, " %s:%s", node, ep->ifname ? ep->ifname : "?");
			dump_pos(out, "@", ep->pos);
			if (ep->have_mac)
				vl_buf_printf(out, "/mac=%02x:%02x:%02x:%02x:%02x:%02x", ep->mac[0],
				              ep->mac[1], ep->mac[2], ep->mac[3], ep->mac[4],
				              ep->mac[5]);
			if (ep->ipv4_prefix) {
				char a4[16];

				vl_fmt_ip(ep->ipv4, a4);
				vl_buf_printf(out, "/ipv4=%s/%d", a4, ep->ipv4_prefix);
			}
		}
		vl_buf_printf(out, " mtu=%d", l->mtu);
		for (int d = 0; d < 2; d++) {
			char im[256];

			if (vl_impair_none(&l->dir[d]))
				continue;
			vl_impair_format(&l->dir[d], im, sizeof(im));
			vl_buf_printf(out, " %s=[%s]", d ? "reverse" : "forward", im);
		}
		if (l->engine != VL_LINK_ENGINE_AUTO)
			vl_buf_printf(out, " engine=%s", vl_link_engine_name(l->engine));
		dump_pos(out, " pos=", l->pos);
		vl_buf_add(out, "\n", 1);
	}
	for (size_t i = 0; i < t->n_host_links; i++) {
		const struct vl_topo_host_link *h = &t->host_links[i];

		vl_buf_printf(out, "%s-link %s:%s", vl_host_link_type_name(h->type),
		              t->nodes[h->ep.node].name, h->ep.ifname);
		if (h->host_ifname)
			vl_buf_printf(out, " host-interface=%s", h->host_ifname);
		if (h->ep.have_mac)
			vl_buf_printf(out, " mac=%02x:%02x:%02x:%02x:%02x:%02x", h->ep.mac[0],
			              h->ep.mac[1], h->ep.mac[2], h->ep.mac[3], h->ep.mac[4],
			              h->ep.mac[5]);
		vl_buf_printf(out, " mtu=%d", h->mtu);
		dump_pos(out, " pos=", h->pos);
		vl_buf_add(out, "\n", 1);
	}
	vl_buf_printf(out, "warnings %zu\n", t->n_warnings);
	for (size_t i = 0; i < t->n_warnings; i++)
		vl_buf_printf(out, "warning %s\n", t->warnings[i]);
}
