/* A lab's picture. See graph.h. */
#include "engine/graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/state.h"

/* A node of the picture: a state node or a switch. */
struct gnode {
	const char *name, *kind, *backend;
	const struct vl_state_node *node; /* NULL for a switch */
	const char *mgmt;                 /* its management address, or NULL */
	const char *host;                 /* a lab over hosts: the host it is on */
};

/* Text inside a DOT or Mermaid double-quoted label: quotes and
 * backslashes escaped (DOT), or as entities (Mermaid); newlines as each
 * one breaks a line. Names and addresses are validated before they are
 * in a state, but interface labels from a file may hold anything. */
static void esc(struct vl_buf *b, const char *s, enum vl_graph_format f)
{
	for (; s && *s; s++) {
		if (*s == '"')
			vl_buf_printf(b, f == VL_GRAPH_DOT ? "\\\"" : "#quot;");
		else if (*s == '\\')
			vl_buf_printf(b, f == VL_GRAPH_DOT ? "\\\\" : "#92;");
		else if (*s == '\n')
			vl_buf_printf(b, f == VL_GRAPH_DOT ? "\\n" : "<br/>");
		else if (f == VL_GRAPH_MERMAID && (*s == '<' || *s == '>' || *s == '|'))
			vl_buf_printf(b, "#%d;", *s);
		else if ((unsigned char)*s >= 0x20)
			vl_buf_add(b, s, 1);
	}
}

static size_t find(const struct gnode *g, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(g[i].name) == len && !strncmp(g[i].name, name, len))
			return i;
	return n;
}

static const char *addr_of(const struct gnode *g, const char *ifname)
{
	for (size_t k = 0; k < g->node->n_ifs; k++)
		if (!strcmp(g->node->ifs[k].name, ifname) && g->node->ifs[k].address)
			return g->node->ifs[k].address;
	return NULL;
}

static void node_label(struct vl_buf *l, const struct gnode *g)
{
	vl_buf_printf(l, "%s\n%s", g->name, g->kind);
	if (g->backend)
		vl_buf_printf(l, " (%s)", g->backend);
	if (g->mgmt)
		vl_buf_printf(l, "\nmgmt %s", g->mgmt);
	if (g->host)
		vl_buf_printf(l, "\non %s", g->host);
}

/* The label of end e of a link: its interface, and the address on it. */
static void end_label(struct vl_buf *l, const struct gnode *g, const char *ifname, const char *sep)
{
	const char *a = g ? addr_of(g, ifname) : NULL;

	vl_buf_printf(l, "%s%s%s", ifname, a ? sep : "", a ? a : "");
}

/* The impairments: once when both directions have the same, else each
 * with its arrow; nothing when neither has any. */
static void link_label(struct vl_buf *l, const struct vl_state_link *link)
{
	const char *fw = link->text[0] ?: "", *rv = link->text[1] ?: "";
	bool nf = !*fw || !strcmp(fw, "none"), nr = !*rv || !strcmp(rv, "none");

	if (nf && nr)
		return;
	if (!strcmp(fw, rv))
		vl_buf_printf(l, "%s", fw);
	else
		vl_buf_printf(l, "→ %s\n← %s", nf ? "none" : fw, nr ? "none" : rv);
}

static const char *dot_shape(const char *kind)
{
	return !strcmp(kind, "router") ? "ellipse" : !strcmp(kind, "switch") ? "box3d" : "box";
}

static const char *mermaid_open(const char *kind, bool close)
{
	if (!strcmp(kind, "router"))
		return close ? "\"])" : "([\"";
	if (!strcmp(kind, "switch"))
		return close ? "\"]]" : "[[\"";
	return close ? "\")" : "(\"";
}

void vl_graph_write(const struct vl_state *st, const char *lab, enum vl_graph_format f,
                    struct vl_buf *out)
{
	size_t n = 0;
	struct gnode *g = vl_xcalloc(st->n_nodes + st->n_switches + 1, sizeof(*g));
	struct vl_buf l = {0};
	const char *title = lab;
	char *withmg = NULL;

	for (size_t k = 0; k < st->n_nodes; k++) {
		const struct vl_state_node *x = &st->nodes[k];

		g[n++] = (struct gnode){x->name, x->kind ?: "", x->backend ?: "", x, x->mgmt_ipv4,
		                        x->host};
	}
	/* the management network under the lab's name */
	if (st->has_mgmt)
		title = withmg =
		    vl_xasprintf("%s\nmanagement %s%s", lab, st->mgmt.ipv4_subnet ?: "",
		                 st->mgmt.nat ? ", NAT" : "");
	for (size_t k = 0; k < st->n_switches; k++)
		g[n++] = (struct gnode){st->switches[k].name, "switch", NULL, NULL, NULL,
		                        st->switches[k].host};
	if (f == VL_GRAPH_DOT) {
		vl_buf_printf(out, "graph \"");
		esc(out, lab, f);
		vl_buf_printf(out, "\" {\n\tgraph [rankdir=LR, fontname=\"Helvetica\", label=\"");
		esc(out, title, f);
		vl_buf_printf(out, "\", labelloc=t];\n\tnode [fontname=\"Helvetica\", "
		                   "fontsize=11];\n\tedge [fontname=\"Helvetica\", fontsize=9];\n");
	} else {
		vl_buf_printf(out, "---\ntitle: ");
		esc(out, lab, f);
		vl_buf_printf(out, "\n---\nflowchart LR\n");
	}
	for (size_t i = 0; i < n; i++) {
		l.len = 0;
		if (l.s)
			l.s[0] = '\0';
		node_label(&l, &g[i]);
		if (f == VL_GRAPH_DOT) {
			vl_buf_printf(out, "\tn%zu [shape=%s%s, label=\"", i, dot_shape(g[i].kind),
			              !strcmp(g[i].kind, "linux") ? ", style=rounded" : "");
			esc(out, l.s, f);
			vl_buf_printf(out, "\"];\n");
		} else {
			vl_buf_printf(out, "\tn%zu%s", i, mermaid_open(g[i].kind, false));
			esc(out, l.s, f);
			vl_buf_printf(out, "%s\n", mermaid_open(g[i].kind, true));
		}
	}
	for (size_t k = 0; k < st->n_links; k++) {
		const struct vl_state_link *lk = &st->links[k];
		const char *ep[2];
		size_t at[2], col[2];

		for (int e = 0; e < 2; e++) {
			const char *s = lk->endpoints[e];
			const char *c = strchr(s, ':');

			ep[e] = c ? c + 1 : "";
			col[e] = c ? (size_t)(c - s) : 0;
			at[e] = c ? find(g, n, s, col[e]) : n;
		}
		if (at[0] == n || at[1] == n)
			continue;
		if (f == VL_GRAPH_DOT) {
			vl_buf_printf(out, "\tn%zu -- n%zu [", at[0], at[1]);
			for (int e = 0; e < 2; e++) {
				l.len = 0;
				if (l.s)
					l.s[0] = '\0';
				end_label(&l, g[at[e]].node ? &g[at[e]] : NULL, ep[e], "\n");
				vl_buf_printf(out, "%s=\"", e ? ", headlabel" : "taillabel");
				esc(out, l.s, f);
				vl_buf_printf(out, "\"");
			}
			l.len = 0;
			if (l.s)
				l.s[0] = '\0';
			link_label(&l, lk);
			if (l.len) {
				vl_buf_printf(out, ", label=\"");
				esc(out, l.s, f);
				vl_buf_printf(out, "\"");
			}
			vl_buf_printf(out, "];\n");
		} else {
			l.len = 0;
			if (l.s)
				l.s[0] = '\0';
			end_label(&l, g[at[0]].node ? &g[at[0]] : NULL, ep[0], " ");
			vl_buf_printf(&l, " — ");
			end_label(&l, g[at[1]].node ? &g[at[1]] : NULL, ep[1], " ");
			size_t mark = l.len;

			link_label(&l, lk);
			if (l.len > mark) {
				/* the impairments on a line of their own */
				char *imp = vl_xstrdup(l.s + mark);

				l.len = mark;
				l.s[mark] = '\0';
				vl_buf_printf(&l, "\n%s", imp);
				free(imp);
			}
			vl_buf_printf(out, "\tn%zu ---|\"", at[0]);
			esc(out, l.s, f);
			vl_buf_printf(out, "\"| n%zu\n", at[1]);
		}
	}
	if (f == VL_GRAPH_DOT)
		vl_buf_printf(out, "}\n");
	vl_buf_free(&l);
	free(withmg);
	free(g);
}
