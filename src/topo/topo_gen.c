/* One-line topology generators with Mininet's meanings and names:
 * single,N  linear,K[,N]  tree,DEPTH,FANOUT  ring,N  torus,X,Y[,N]  minimal.
 *
 * Ports follow Mininet's Topo.addPort(): a host's ports count from 0
 * (eth0), a switch's from 1 (p1), each node numbering its ports in the
 * order its links are added. Nodes are stored hosts first, then switches,
 * each in number order. */
#include "topo/topo.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define GEN_MAX 100000UL /* hosts, and switches, per topology */
/* Routers of a ring: the plan searches the whole ring once per router to
 * find its routes (all pairs: N^2 steps), about a second at this size. */
#define RING_MAX 10000UL

struct gen {
	struct vl_topo *t;
	size_t n_hosts;  /* switches start at this index */
	unsigned *ports; /* next port number per node */
};

/* Append prefix and the decimal number n at p; returns the new end (NUL
 * written). snprintf is most of the time of a 100000-node generator. */
static char *put_num(char *p, const char *prefix, size_t n)
{
	char digits[24];
	size_t len = 0;

	while (*prefix)
		*p++ = *prefix++;
	do {
		digits[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (len)
		*p++ = digits[--len];
	*p = '\0';
	return p;
}

static void gen_node(struct gen *g, const char *name, enum vl_kind kind)
{
	struct vl_topo_node *n = vl_topo_add_node(g->t, name, (struct vl_pos){0, 0});

	if (!n)
		abort(); /* generated names are unique */
	n->kind = kind;
}

/* A new port on node i: "ethN" on a host or router, "pN" on a switch. */
static char *gen_port(struct gen *g, size_t i)
{
	char buf[32];

	put_num(buf, g->t->nodes[i].kind == VL_KIND_BRIDGE ? "p" : "eth", g->ports[i]++);
	return vl_xstrdup(buf);
}

static void gen_link(struct gen *g, size_t a, size_t b)
{
	struct vl_topo_link *l = vl_topo_add_link(g->t);

	l->ep[0].node = a;
	l->ep[0].ifname = gen_port(g, a);
	l->ep[1].node = b;
	l->ep[1].ifname = gen_port(g, b);
}

/* Create n_hosts hosts h1.. (or h<j>s<i> with per_switch > 1) and
 * n_switches switches s1.., room for n_links links, and the per-node port
 * counters. */
static void gen_nodes(struct gen *g, size_t n_hosts, size_t n_switches, size_t n_links,
                      enum vl_kind host_kind, unsigned long per_switch)
{
	char buf[64];

	vl_topo_reserve(g->t, n_hosts + n_switches, n_links);
	g->n_hosts = n_hosts;
	for (size_t i = 0; i < n_hosts; i++) {
		if (per_switch > 1) /* Mininet's LinearTopo: h<j>s<i> */
			put_num(put_num(buf, "h", i % per_switch + 1), "s", i / per_switch + 1);
		else
			put_num(buf, "h", i + 1);
		gen_node(g, buf, host_kind);
	}
	for (size_t i = 0; i < n_switches; i++) {
		put_num(buf, "s", i + 1);
		gen_node(g, buf, VL_KIND_BRIDGE);
	}
	g->ports = vl_xcalloc(n_hosts + n_switches, sizeof(*g->ports));
	for (size_t i = n_hosts; i < n_hosts + n_switches; i++)
		g->ports[i] = 1;
}

static void gen_single(struct gen *g, unsigned long n)
{
	gen_nodes(g, n, 1, n, VL_KIND_LINUX, 1);
	for (size_t i = 0; i < n; i++)
		gen_link(g, i, g->n_hosts);
}

/* Mininet's LinearTopo: for each switch, its hosts, then the link to the
 * previous switch (written lower-numbered switch first). */
static void gen_linear(struct gen *g, unsigned long k, unsigned long n)
{
	gen_nodes(g, k * n, k, k * n + k - 1, VL_KIND_LINUX, n);
	for (size_t i = 0; i < k; i++) {
		size_t sw = g->n_hosts + i;

		for (size_t j = 0; j < n; j++)
			gen_link(g, i * n + j, sw);
		if (i > 0) {
			/* Mininet adds (s_i, s_i-1): the new switch's port first. */
			struct vl_topo_link *l;
			char *hi = gen_port(g, sw);
			char *lo = gen_port(g, sw - 1);

			l = vl_topo_add_link(g->t);
			l->ep[0].node = sw - 1;
			l->ep[0].ifname = lo;
			l->ep[1].node = sw;
			l->ep[1].ifname = hi;
		}
	}
}

/* Mininet's TreeTopo.addTree(), without recursion: a switch creates its
 * children in order; a host child is linked at once, a switch child after
 * its whole subtree (so its uplink is its last port). */
static void gen_tree(struct gen *g, unsigned long depth, unsigned long fanout, size_t n_hosts,
                     size_t n_switches)
{
	struct frame {
		size_t sw;
		unsigned long depth, done;
	} *stack = vl_xcalloc(depth, sizeof(*stack));
	size_t top = 0, next_host = 0, next_sw = 0;

	gen_nodes(g, n_hosts, n_switches, n_hosts + n_switches - 1, VL_KIND_LINUX, 1);
	stack[top++] = (struct frame){g->n_hosts + next_sw++, depth, 0};
	while (top > 0) {
		struct frame *f = &stack[top - 1];

		if (f->done < fanout) {
			if (f->depth > 1) {
				stack[top++] =
				    (struct frame){g->n_hosts + next_sw++, f->depth - 1, 0};
			} else {
				gen_link(g, f->sw, next_host++);
				f->done++;
			}
		} else {
			size_t child = f->sw;

			top--;
			if (top > 0) {
				gen_link(g, stack[top - 1].sw, child);
				stack[top - 1].done++;
			}
		}
	}
	free(stack);
}

/* Routers in a circle: each one's eth0 leads to the next, eth1 to the
 * previous; the last link closes the ring back to h1. */
static void gen_ring(struct gen *g, unsigned long n)
{
	gen_nodes(g, n, 0, n, VL_KIND_ROUTER, 1);
	for (size_t i = 0; i < n; i++) {
		struct vl_topo_link *l = vl_topo_add_link(g->t);

		l->ep[0].node = i;
		l->ep[0].ifname = vl_xstrdup("eth0");
		l->ep[1].node = (i + 1) % n;
		l->ep[1].ifname = vl_xstrdup("eth1");
	}
}

/* Mininet's TorusTopo: an X by Y grid of switches s<i>x<j>, each with n
 * hosts (h<i>x<j>, or h<i>x<j>x<k> for n > 1), every switch linked to the
 * next in its row and in its column, wrapping around. Its loops need the
 * switches to run STP (t->stp), as Mininet's torus needs --switch
 * lxbr,stp=1. */
static void gen_torus(struct gen *g, unsigned long x, unsigned long y, unsigned long n)
{
	char buf[96];
	size_t n_sw = x * y;

	vl_topo_reserve(g->t, n_sw * n + n_sw, n_sw * n + 2 * n_sw);
	g->n_hosts = n_sw * n;
	for (size_t i = 0; i < x; i++)
		for (size_t j = 0; j < y; j++)
			for (size_t k = 0; k < n; k++) {
				char *e = put_num(put_num(buf, "h", i + 1), "x", j + 1);

				if (n > 1)
					put_num(e, "x", k + 1);
				gen_node(g, buf, VL_KIND_LINUX);
			}
	for (size_t i = 0; i < x; i++)
		for (size_t j = 0; j < y; j++) {
			put_num(put_num(buf, "s", i + 1), "x", j + 1);
			gen_node(g, buf, VL_KIND_BRIDGE);
		}
	g->ports = vl_xcalloc(g->n_hosts + n_sw, sizeof(*g->ports));
	for (size_t i = g->n_hosts; i < g->n_hosts + n_sw; i++)
		g->ports[i] = 1;
	for (size_t s = 0; s < n_sw; s++)
		for (size_t k = 0; k < n; k++)
			gen_link(g, s * n + k, g->n_hosts + s);
	for (size_t i = 0; i < x; i++)
		for (size_t j = 0; j < y; j++) {
			gen_link(g, g->n_hosts + i * y + j, g->n_hosts + i * y + (j + 1) % y);
			gen_link(g, g->n_hosts + i * y + j, g->n_hosts + ((i + 1) % x) * y + j);
		}
	g->t->stp = 1;
}

/* Number of hosts of tree,depth,fanout (fanout^depth) and its switches
 * (sum of fanout^k, k < depth), or -1 if either exceeds GEN_MAX. */
static int tree_size(unsigned long depth, unsigned long fanout, size_t *hosts, size_t *switches)
{
	size_t level = 1, sw = 0;

	for (unsigned long d = 0; d < depth; d++) {
		sw += level;
		if (sw > GEN_MAX)
			return -1;
		level *= fanout;
		if (level > GEN_MAX)
			return -1;
	}
	*hosts = level;
	*switches = sw;
	return 0;
}

static int parse_arg(const char *spec, const char *s, const char *what, unsigned long min,
                     unsigned long max, unsigned long *out, struct vl_err *err)
{
	if (vl_parse_uint(s, min, max, out) < 0)
		return vl_err_set(err, 0, "--topo %s: %s must be between %lu and %lu", spec, what,
		                  min, max);
	return 0;
}

int vl_topo_generate(const char *spec, struct vl_topo **out, struct vl_err *err)
{
	cleanup_free char *copy = vl_xstrdup(spec);
	cleanup_free char *source = vl_xasprintf("--topo %s", spec);
	char *args[4], *p = copy;
	size_t n_args = 0;
	unsigned long a = 0, b = 1;
	struct gen g = {0};

	/* Split on ','; a fourth field means too many; empty fields are
	 * rejected by the number parser. */
	while (n_args < VL_ARRAY_SIZE(args)) {
		char *comma = strchr(p, ',');

		args[n_args++] = p;
		if (!comma)
			break;
		*comma = '\0';
		p = comma + 1;
	}

	if (!strcmp(args[0], "single")) {
		if (n_args != 2)
			return vl_err_set(err, 0, "--topo %s: expected single,N", spec);
		if (parse_arg(spec, args[1], "N", 1, GEN_MAX, &a, err) < 0)
			return -1;
		g.t = vl_topo_new(source);
		gen_single(&g, a);
	} else if (!strcmp(args[0], "linear")) {
		if (n_args != 2 && n_args != 3)
			return vl_err_set(err, 0, "--topo %s: expected linear,K[,N]", spec);
		if (parse_arg(spec, args[1], "K", 1, GEN_MAX, &a, err) < 0)
			return -1;
		if (n_args == 3 && parse_arg(spec, args[2], "N", 1, GEN_MAX, &b, err) < 0)
			return -1;
		if (a * b > GEN_MAX)
			return vl_err_set(err, 0, "--topo %s: %lu hosts, at most %lu", spec, a * b,
			                  GEN_MAX);
		g.t = vl_topo_new(source);
		gen_linear(&g, a, b);
	} else if (!strcmp(args[0], "tree")) {
		size_t hosts, switches;

		if (n_args != 3)
			return vl_err_set(err, 0, "--topo %s: expected tree,DEPTH,FANOUT", spec);
		if (parse_arg(spec, args[1], "DEPTH", 1, GEN_MAX, &a, err) < 0 ||
		    parse_arg(spec, args[2], "FANOUT", 1, GEN_MAX, &b, err) < 0)
			return -1;
		if (tree_size(a, b, &hosts, &switches) < 0)
			return vl_err_set(
			    err, 0,
			    "--topo %s: more than %lu hosts or switches (FANOUT^DEPTH "
			    "hosts)",
			    spec, GEN_MAX);
		g.t = vl_topo_new(source);
		gen_tree(&g, a, b, hosts, switches);
	} else if (!strcmp(args[0], "ring")) {
		if (n_args != 2)
			return vl_err_set(err, 0, "--topo %s: expected ring,N", spec);
		if (vl_parse_uint(args[1], 3, ULONG_MAX, &a) < 0)
			return parse_arg(spec, args[1], "N", 3, RING_MAX, &a, err);
		if (a > RING_MAX)
			return vl_err_set(err, 0,
			                  "--topo %s: %lu routers, at most %lu (each router's "
			                  "routes come from a search of the whole ring)",
			                  spec, a, RING_MAX);
		g.t = vl_topo_new(source);
		gen_ring(&g, a);
	} else if (!strcmp(args[0], "torus")) {
		unsigned long n = 1;

		if (n_args != 3 && n_args != 4)
			return vl_err_set(err, 0, "--topo %s: expected torus,X,Y[,N]", spec);
		/* Mininet's bound: 3x3 or greater */
		if (parse_arg(spec, args[1], "X", 3, GEN_MAX, &a, err) < 0 ||
		    parse_arg(spec, args[2], "Y", 3, GEN_MAX, &b, err) < 0 ||
		    (n_args == 4 && parse_arg(spec, args[3], "N", 1, GEN_MAX, &n, err) < 0))
			return -1;
		if (a * b > GEN_MAX || a * b * n > GEN_MAX)
			return vl_err_set(err, 0, "--topo %s: more than %lu hosts or switches",
			                  spec, GEN_MAX);
		g.t = vl_topo_new(source);
		gen_torus(&g, a, b, n);
	} else if (!strcmp(args[0], "minimal")) {
		/* Mininet's MinimalTopo (mn's default): h1, h2, one switch */
		if (n_args != 1)
			return vl_err_set(err, 0, "--topo %s: minimal takes no arguments", spec);
		g.t = vl_topo_new(source);
		gen_single(&g, 2);
	} else {
		return vl_err_set(
		    err, 0,
		    "--topo %s: unknown topology \"%s\" (expected single, linear, tree, "
		    "ring, torus or minimal)",
		    spec, args[0]);
	}
	free(g.ports);
	*out = g.t;
	return 0;
}
