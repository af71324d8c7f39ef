/* A lab's picture. See graph.h. */
#include "engine/graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

/* A node of the picture: a state node or a switch. */
struct gnode {
	const char *name, *kind, *backend;
	json_t *ifs;      /* the state node's interfaces, NULL for a switch */
	const char *mgmt; /* its management address, or NULL */
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
	json_t *f;
	size_t k;

	json_array_foreach(g->ifs, k, f) if (!strcmp(vl_json_str(f, "name"), ifname) &&
	                                     json_is_string(json_object_get(
	                                         f, "address"))) return vl_json_str(f, "address");
	return NULL;
}

static void node_label(struct vl_buf *l, const struct gnode *g)
{
	vl_buf_printf(l, "%s\n%s", g->name, g->kind);
	if (g->backend)
		vl_buf_printf(l, " (%s)", g->backend);
	if (g->mgmt)
		vl_buf_printf(l, "\nmgmt %s", g->mgmt);
}

/* The label of end e of a link: its interface, and the address on it. */
static void end_label(struct vl_buf *l, const struct gnode *g, const char *ifname, const char *sep)
{
	const char *a = g ? addr_of(g, ifname) : NULL;

	vl_buf_printf(l, "%s%s%s", ifname, a ? sep : "", a ? a : "");
}

/* The impairments: once when both directions have the same, else each
 * with its arrow; nothing when neither has any. */
static void link_label(struct vl_buf *l, json_t *link)
{
	const char *fw = vl_json_str(link, "forward"), *rv = vl_json_str(link, "reverse");
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

void vl_graph_write(json_t *state, const char *lab, enum vl_graph_format f, struct vl_buf *out)
{
	json_t *nodes = json_object_get(state, "nodes"), *sws = json_object_get(state, "switches");
	json_t *links = json_object_get(state, "links"), *x, *lk;
	size_t n = 0, k;
	struct gnode *g = vl_xcalloc(json_array_size(nodes) + json_array_size(sws) + 1, sizeof(*g));
	struct vl_buf l = {0};

	json_t *mg = json_object_get(state, "mgmt");
	const char *title = lab;
	char *withmg = NULL;

	json_array_foreach(nodes, k, x) g[n++] = (struct gnode){
	    vl_json_str(x, "name"), vl_json_str(x, "kind"), vl_json_str(x, "backend"),
	    json_object_get(x, "interfaces"), json_string_value(json_object_get(x, "mgmt_ipv4"))};
	/* the management network under the lab's name */
	if (mg)
		title = withmg = vl_xasprintf("%s\nmanagement %s%s", lab, vl_json_str(mg, "ipv4_subnet"),
		                              json_is_true(json_object_get(mg, "nat")) ? ", NAT" : "");
	json_array_foreach(sws, k, x) g[n++] =
	    (struct gnode){vl_json_str(x, "name"), "switch", NULL, NULL, NULL};
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
	json_array_foreach(links, k, lk)
	{
		const char *ep[2];
		size_t at[2], col[2];

		for (int e = 0; e < 2; e++) {
			const char *s =
			    json_string_value(json_array_get(json_object_get(lk, "endpoints"), e));
			const char *c = s ? strchr(s, ':') : NULL;

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
				end_label(&l, g[at[e]].ifs ? &g[at[e]] : NULL, ep[e], "\n");
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
			end_label(&l, g[at[0]].ifs ? &g[at[0]] : NULL, ep[0], " ");
			vl_buf_printf(&l, " — ");
			end_label(&l, g[at[1]].ifs ? &g[at[1]] : NULL, ep[1], " ");
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
