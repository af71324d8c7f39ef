/* The state of a lab over several hosts, seen from where up ran: every
 * host's part (its status --json) merged into one state.json document —
 * every node and switch, each with the host it is on, and every link once
 * (a link across hosts is in both parts, each knowing its own end). What
 * shell and graph read; nothing acts on it here. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/span.h"

/* Append part's array key to into, each element tagged with the host. */
static void concat(json_t *into, json_t *part, const char *key, const char *host)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(part, key), i, v)
	{
		json_t *c = json_deep_copy(v);

		json_object_set_new(c, "host", json_string(host));
		json_array_append_new(into, c);
	}
}

static bool same_link(json_t *a, json_t *b)
{
	json_t *ea = json_object_get(a, "endpoints"), *eb = json_object_get(b, "endpoints");

	return json_equal(ea, eb);
}

/* A link of part, unless already there from another part: then the end
 * that other part knew only as remote is this one's. */
static void merge_link(json_t *links, json_t *l, const char *host)
{
	size_t i;
	json_t *have;

	json_array_foreach(links, i, have)
	{
		if (!same_link(have, l))
			continue;
		for (size_t k = 0; k < 2; k++) {
			json_t *he = json_array_get(json_object_get(have, "ends"), k);
			json_t *le = json_array_get(json_object_get(l, "ends"), k);
			const char *ns = json_string_value(json_object_get(he, "netns"));

			if (ns && !strcmp(ns, "remote") && le)
				json_array_set(json_object_get(have, "ends"), k, le);
		}
		return;
	}
	json_array_append_new(links, json_deep_copy(l));
	json_object_set_new(json_array_get(links, json_array_size(links) - 1), "host",
	                    json_string(host));
}

json_t *vl_cli_span_doc(const struct vl_span *s, const struct vl_hosts *hs,
                        struct vl_host_result *r, struct vl_err *err)
{
	json_t *doc = NULL, *nodes = json_array(), *sws = json_array(), *links = json_array();

	for (size_t h = 0; h < hs->n; h++) {
		json_t *part = r[h].status == 0 ? json_loads(r[h].out.s, 0, NULL) : NULL;
		size_t i;
		json_t *l;

		if (!json_is_object(part)) {
			json_decref(part);
			json_decref(doc);
			json_decref(nodes);
			json_decref(sws);
			json_decref(links);
			return vl_err_set(err, EIO, "lab %s: host %s: %s", s->lab, hs->h[h].name,
			                  r[h].status < 0 ? "no answer in time" : r[h].out.s),
			       NULL;
		}
		if (!doc)
			doc = json_deep_copy(part);
		concat(nodes, part, "nodes", hs->h[h].name);
		concat(sws, part, "switches", hs->h[h].name);
		json_array_foreach(json_object_get(part, "links"), i, l)
			merge_link(links, l, hs->h[h].name);
		json_decref(part);
	}
	json_object_set_new(doc, "nodes", nodes);
	json_object_set_new(doc, "switches", sws);
	json_object_set_new(doc, "links", links);
	json_object_del(doc, "part");
	json_object_set_new(doc, "hosts_spec", json_string(s->hosts));
	return doc;
}

int vl_cli_span_state(const char *lab, struct vl_span *s, struct vl_hosts *hs,
                      struct vl_state *st, struct vl_err *err)
{
	cleanup_free struct vl_host_result *r = NULL;
	cleanup_argv struct vl_argv a = {0};
	json_t *doc;
	int rc;

	if (vl_span_read(lab, s, err) < 0)
		return -1;
	if (vl_cli_span_open(s, hs, err) < 0) {
		vl_hosts_close(hs);
		vl_span_free(s);
		return -1;
	}
	r = vl_xcalloc(hs->n, sizeof(*r));
	hs->keep = true; /* the lab's connections, until its down */
	vl_cli_part_argv(hs, &a);
	vl_argv_addl(&a, "status", "--json", lab, NULL);
	rc = vl_hosts_run_all(hs, a.v, r, err);
	doc = rc == 0 ? vl_cli_span_doc(s, hs, r, err) : NULL;
	vl_host_results_free(r, hs->n);
	if (doc && vl_state_parse(doc, "the lab's parts", st, err) == 0)
		return 0;
	vl_hosts_close(hs);
	vl_span_free(s);
	return -1;
}

int vl_cli_spanned_open(const char *lab, struct vl_cli_spanned_lab **out, struct vl_state *st,
                        struct vl_err *err)
{
	struct vl_cli_spanned_lab *sl = vl_xcalloc(1, sizeof(*sl));

	if (vl_cli_span_state(lab, &sl->s, &sl->hs, st, err) < 0) {
		free(sl);
		return -1;
	}
	*out = sl;
	return 0;
}

void vl_cli_spanned_close(struct vl_cli_spanned_lab *sl)
{
	if (!sl)
		return;
	vl_hosts_close(&sl->hs);
	vl_span_free(&sl->s);
	free(sl);
}

/* In the node, with our end of its stdin: the program in the
 * background (SIGINT as the default again: a shell's background job
 * ignores it), SIGINT once stdin ends, its status. */
#define STOPPABLE                                                                            \
	"exec 3<&0 0</dev/null; env --default-signal=INT \"$@\" & p=$!; "                     \
	"{ cat <&3 >/dev/null 2>&1; kill -INT $p 2>/dev/null; } >/dev/null 2>&1 & w=$!; "        \
	"exec 3<&-; wait $p; s=$?; kill $w 2>/dev/null; exit $s"

int vl_cli_spanned_spawn(struct vl_cli_spanned_lab *sl, const char *node, char *const *argv,
                         bool tty, int out, int *stop, pid_t *pid, struct vl_err *err)
{
	int in[2] = {-1, -1};
	extern char **environ;
	cleanup_argv struct vl_argv a = {0}, w = {0};
	posix_spawnattr_t at;
	posix_spawn_file_actions_t fa;
	int h = vl_span_host_of(&sl->s, node), r;

	if (h < 0)
		return vl_err_set(err, ENOENT, "lab %s has no node %s", sl->s.lab, node);
	vl_cli_part_argv(&sl->hs, &a);
	vl_argv_addl(&a, "exec", NULL);
	if (tty)
		vl_argv_add(&a, "-t");
	vl_argv_addl(&a, sl->s.lab, node, "--", NULL);
	if (stop)
		vl_argv_addl(&a, "sh", "-c", STOPPABLE, "sh", NULL);
	for (size_t k = 0; argv[k]; k++)
		vl_argv_add(&a, argv[k]);
	sl->hs.tty = tty;
	vl_hosts_wrap(&sl->hs, (size_t)h, a.v, &w);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawn_file_actions_init(&fa);
	if (stop && pipe2(in, O_CLOEXEC) < 0)
		return vl_err_sys(err, errno, "pipe");
	if (stop)
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	else if (!tty) /* not on a terminal: the commands' lines are the shell's */
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out >= 0) {
		posix_spawn_file_actions_adddup2(&fa, out, 1);
		posix_spawn_file_actions_adddup2(&fa, out, 2);
	}
	fflush(NULL);
	r = posix_spawnp(pid, w.v[0], &fa, &at, w.v, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (stop) {
		close(in[0]);
		*stop = r ? (close(in[1]), -1) : in[1];
	}
	return r ? vl_err_sys(err, r, "run %s", w.v[0]) : 0;
}
