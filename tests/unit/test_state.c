/* test_state [DIR]: state.json's reader, as data.
 *
 * DIR (default tests/state) holds state files (*.json) and cases
 * (*.case). A case names a file, changes it, and says what the reader
 * makes of it, one directive a line ('#' starts a comment):
 *   file NAME.json            the file (default base.json)
 *   set /POINTER JSON         member or element at POINTER set to JSON
 *   del /POINTER              member at POINTER removed
 *   expect ok                 it loads
 *   expect error: MESSAGE     it is refused with exactly MESSAGE
 *   end I K error: MESSAGE    it loads; acting on end K of link I is refused
 *                             with exactly MESSAGE
 * The file is read as "state.json" (messages name it so), its namespaces
 * checked against its own id.
 *
 * Then, for plans of several topologies, the state `up` writes loads and
 * says what the plan says; and a change to a link is written back in the
 * same keys. Prints "ok NAME" or "FAIL NAME: ...", then "N passed, M
 * failed, K skipped"; exit status 1 iff M > 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/state.h"
#include "topo/topo.h"

/* The parent of the value at pointer p ("/nodes/0/name") and its last
 * step, or NULL. */
static json_t *parent_of(json_t *doc, const char *p, char *last, size_t len)
{
	char *copy = vl_xstrdup(p), *save = NULL, *tok, *next;
	json_t *v = doc;

	tok = strtok_r(copy, "/", &save);
	while (tok && v) {
		next = strtok_r(NULL, "/", &save);
		if (!next) {
			snprintf(last, len, "%s", tok);
			break;
		}
		v = json_is_array(v) ? json_array_get(v, strtoul(tok, NULL, 10))
		                     : json_object_get(v, tok);
		tok = next;
	}
	free(copy);
	return tok ? v : NULL;
}

static int patch(json_t *doc, const char *p, const char *value, struct vl_buf *why)
{
	char last[64];
	json_t *parent = parent_of(doc, p, last, sizeof(last)), *v = NULL;
	json_error_t je;

	if (value && !(v = json_loads(value, JSON_DECODE_ANY, &je))) {
		vl_buf_printf(why, "bad JSON %s: %s; ", value, je.text);
		return -1;
	}
	if (!parent) {
		vl_buf_printf(why, "no %s; ", p);
		json_decref(v);
		return -1;
	}
	if (json_is_array(parent) && v)
		return json_array_set_new(parent, strtoul(last, NULL, 10), v);
	if (json_is_array(parent))
		return json_array_remove(parent, strtoul(last, NULL, 10));
	return v ? json_object_set_new(parent, last, v) : json_object_del(parent, last);
}

/* An "end I K error: MSG" directive against the loaded state. */
static void check_end(const struct vl_state *st, const char *arg, struct vl_buf *why)
{
	unsigned i, k;
	int at = 0;
	const char *netns, *ifname;
	struct vl_err err = {0};

	if (sscanf(arg, "%u %u error: %n", &i, &k, &at) < 2 || !at || i >= st->n_links || k > 1) {
		vl_buf_printf(why, "bad end directive \"%s\"; ", arg);
		return;
	}
	if (vl_state_link_end(st, i, (int)k, &netns, &ifname, &err) == 0)
		vl_buf_printf(why, "end %u %u acted on; ", i, k);
	else if (strcmp(err.msg, arg + at))
		vl_buf_printf(why, "end %u %u: got \"%s\"; ", i, k, err.msg);
}

/* Load the case's file with its changes; check what it expects. */
static void run_case(const char *dir, const char *name, char *text)
{
	struct vl_buf why = {0};
	char path[4096], *save = NULL, *line, *ends = NULL;
	const char *expect = NULL;
	json_t *doc = NULL;
	json_error_t je;
	struct vl_err err = {0};
	struct vl_state st;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (line[0] == '#' || !sp)
			continue;
		*sp++ = '\0';
		if (!doc) {
			snprintf(path, sizeof(path), "%s/%s", dir,
			         !strcmp(line, "file") ? sp : "base.json");
			if (!(doc = json_load_file(path, 0, &je)))
				vl_buf_printf(&why, "%s: %s; ", path, je.text);
		}
		if (!strcmp(line, "set") || !strcmp(line, "del")) {
			char *val = strchr(sp, ' ');

			if (val)
				*val++ = '\0';
			if (doc && patch(doc, sp, line[0] == 's' ? val : NULL, &why) < 0)
				vl_buf_printf(&why, "cannot %s %s; ", line, sp);
		} else if (!strcmp(line, "expect")) {
			expect = sp;
		} else if (!strcmp(line, "end")) {
			ends = sp;
		}
	}
	if (!why.len && !expect)
		vl_buf_printf(&why, "no expect line; ");
	if (!why.len) {
		int r = vl_state_parse(doc, "state.json", &st, &err);

		doc = NULL;
		if (r == 0 && strcmp(expect, "ok"))
			vl_buf_printf(&why, "loaded, expected %s; ", expect);
		else if (r < 0 && strcmp(expect, "ok") && strcmp(err.msg, expect + 7))
			vl_buf_printf(&why, "got \"%s\"; ", err.msg);
		else if (r < 0 && !strcmp(expect, "ok"))
			vl_buf_printf(&why, "refused: %s; ", err.msg);
		if (r == 0 && ends)
			check_end(&st, ends, &why);
		if (r == 0)
			vl_state_free(&st);
	}
	json_decref(doc);
	report(name, &why);
	vl_buf_free(&why);
}

static void run_cases(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	if (n < 0) {
		result(dir, 0, "cannot read: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t len = strlen(nm);
		char path[4096], *text = NULL;

		if (len > 5 && !strcmp(nm + len - 5, ".case")) {
			snprintf(path, sizeof(path), "%s/%s", dir, nm);
			if (vl_read_file(path, &text, NULL, NULL) < 0)
				result(nm, 0, "cannot read %s", path);
			else
				run_case(dir, nm, text);
			free(text);
		}
		free(ents[i]);
	}
	free(ents);
}

/* The state of spec's plan loads and says what the plan says. */
static void from_plan(const char *spec, enum vl_backend be)
{
	struct vl_topo *t = NULL;
	struct vl_plan *p = NULL;
	struct vl_state st = {0};
	struct vl_err err = {0};
	struct vl_buf why = {0};

	if (vl_topo_generate(spec, &t, &err) < 0 ||
	    vl_plan_build(t, "t", "00a1", be, &p, &err) < 0 || vl_state_of_plan(p, &st, &err) < 0) {
		vl_buf_printf(&why, "%s; ", err.msg);
		goto out;
	}
	if (st.n_nodes != p->n_nodes || strcmp(st.id, "00a1") || strcmp(st.lab, "t"))
		vl_buf_printf(&why, "%zu nodes of %zu, id %s; ", st.n_nodes, p->n_nodes, st.id);
	for (size_t i = 0; i < st.n_nodes && i < p->n_nodes; i++) {
		if (strcmp(st.nodes[i].name, p->nodes[i].name) ||
		    st.nodes[i].n_ifs != p->nodes[i].n_ifs)
			vl_buf_printf(&why, "node %zu: %s; ", i, st.nodes[i].name);
		if (be == VL_BACKEND_NS &&
		    (!st.nodes[i].netns || strcmp(st.nodes[i].netns, p->nodes[i].netns)))
			vl_buf_printf(&why, "node %s: netns %s; ", st.nodes[i].name,
			              st.nodes[i].netns ?: "none");
	}
	for (size_t i = 0; i < st.n_links; i++)
		for (int k = 0; k < 2; k++)
			if (!st.links[i].has_ends || !st.links[i].ends[k].own)
				vl_buf_printf(&why, "link %s: end %d not its own; ",
				              st.links[i].endpoints[0], k);
out:
	report(spec, &why);
	vl_buf_free(&why);
	vl_state_free(&st);
	vl_plan_free(p);
	vl_topo_free(t);
}

/* A link's new impairments and state are written in its own keys. */
static void writes_back(void)
{
	struct vl_topo *t = NULL;
	struct vl_plan *p = NULL;
	struct vl_state st = {0}, again = {0};
	struct vl_err err = {0};
	struct vl_buf why = {0};
	struct vl_impair im = {.rate_bps = 10000000};
	json_t *l;

	if (vl_topo_generate("linear,2", &t, &err) < 0 ||
	    vl_plan_build(t, "t", "00a1", VL_BACKEND_NS, &p, &err) < 0 ||
	    vl_state_of_plan(p, &st, &err) < 0 || !st.n_links) {
		vl_buf_printf(&why, "%s; ", err.msg);
		goto out;
	}
	vl_state_set_impair(&st, 0, 1, &im);
	vl_state_set_engine(&st, 0, "kernel");
	vl_state_set_up(&st, 0, 0, false);
	l = json_array_get(json_object_get(st.doc, "links"), 0);
	if (strcmp(json_string_value(json_object_get(l, "reverse")), "rate 10Mbit") ||
	    strcmp(json_string_value(json_object_get(l, "engine")), "kernel") ||
	    !json_is_false(json_object_get(l, "forward_up")) || json_object_get(l, "reverse_up"))
		vl_buf_printf(&why, "the link's keys not as written; ");
	if (vl_state_parse(json_deep_copy(st.doc), "again", &again, &err) < 0)
		vl_buf_printf(&why, "reread: %s; ", err.msg);
	else if (again.links[0].dir[1].rate_bps != im.rate_bps || again.links[0].up[0] ||
	         !again.links[0].up[1] || strcmp(again.links[0].text[1], st.links[0].text[1]))
		vl_buf_printf(&why, "reread: not the change; ");
out:
	report("writes back", &why);
	vl_buf_free(&why);
	vl_state_free(&again);
	vl_state_free(&st);
	vl_plan_free(p);
	vl_topo_free(t);
}

int main(int argc, char **argv)
{
	run_cases(argc > 1 ? argv[1] : "tests/state");
	from_plan("single,3", VL_BACKEND_NS);
	from_plan("linear,4", VL_BACKEND_NS);
	from_plan("tree,2,2", VL_BACKEND_NS);
	from_plan("ring,5", VL_BACKEND_PROC);
	writes_back();
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
