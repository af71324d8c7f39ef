/* The YAML loader's node settings beyond resources (see topo_yaml.h):
 * containerlab's exec (commands run in the node once the lab is up), env
 * (their environment) and labels (kept, shown by status), at every level
 * a node inherits from, and sysctls (set in the node before its exec
 * lines). */
#include "topo/topo.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "topo/topo_yaml.h"

#define EXEC_MAX_LINES 256
#define EXEC_MAX_LEN   4096

/* An environment variable's name: a letter or _, then letters, digits, _. */
static bool env_name_ok(const char *s)
{
	if (!*s || !(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* A label's key: what containerlab allows, no '=' or control characters. */
static bool label_key_ok(const char *s)
{
	if (!*s || strlen(s) > 255)
		return false;
	for (; *s; s++)
		if (*s == '=' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

/* A sysctl's name: dotted (or slashed) words of letters, digits, _ and -. */
static bool sysctl_key_ok(const char *s)
{
	bool dot = true;

	if (!*s || strlen(s) > 200)
		return false;
	for (; *s; s++) {
		if (*s == '.' || *s == '/') {
			if (dot)
				return false; /* empty word: "..", a leading dot */
			dot = true;
			continue;
		}
		if (!(*s == '_' || *s == '-' || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
		dot = false;
	}
	return !dot;
}

static int load_exec(struct loader *ld, yaml_node_t *v, const char *ctx, struct vl_topo_settings *s)
{
	char what[192];

	snprintf(what, sizeof(what), "%s: exec", ctx);
	s->have_exec = true;
	s->exec_pos = vl_yaml_pos(v);
	if (vl_yaml_is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return fail(ld, v, "%s: expected a list of commands, got %s", what,
		            vl_yaml_type_name(v));
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *c = vl_yaml_node(ld, *it);
		const char *line, *why;
		char **words;
		size_t n;

		if (s->n_exec == EXEC_MAX_LINES)
			return fail(ld, c, "%s: more than %d commands", what, EXEC_MAX_LINES);
		if (vl_yaml_get_string(ld, c, what, &line) < 0)
			return -1;
		if (strlen(line) > EXEC_MAX_LEN)
			return fail(ld, c, "%s: a command longer than %d bytes", what,
			            EXEC_MAX_LEN);
		if ((why = vl_split_words(line, &words, &n)))
			return fail(ld, c, "%s: \"%s\": %s", what, line, why);
		vl_words_free(words);
		s->exec = realloc(s->exec, (s->n_exec + 2) * sizeof(*s->exec));
		if (!s->exec)
			abort();
		s->exec[s->n_exec++] = vl_xstrdup(line);
		s->exec[s->n_exec] = NULL;
	}
	return 0;
}

enum map_kind { MAP_ENV, MAP_LABELS, MAP_SYSCTLS };

/* env, labels and sysctls: a mapping of names to scalar values. */
static int load_map(struct loader *ld, yaml_node_t *v, const char *ctx, const char *key,
                    enum map_kind kind, char ***list, size_t *n)
{
	char what[192];

	snprintf(what, sizeof(what), "%s: %s", ctx, key);
	if (vl_yaml_get_mapping(ld, v, what, &v) < 0)
		return -1;
	for (yaml_node_pair_t *p = v ? v->data.mapping.pairs.start : NULL;
	     v && p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = vl_yaml_node(ld, p->key), *val = vl_yaml_node(ld, p->value);
		const char *name, *value = "";

		if (vl_yaml_get_string(ld, k, what, &name) < 0)
			return -1;
		if (kind == MAP_ENV && !env_name_ok(name))
			return fail(
			    ld, k,
			    "%s: \"%s\" is not a variable name (a letter or _, then letters, "
			    "digits and _)",
			    what, name);
		if (kind == MAP_LABELS && !label_key_ok(name))
			return fail(
			    ld, k,
			    "%s: \"%s\" is not a label key (no '=' or control characters, at "
			    "most 255 bytes)",
			    what, name);
		if (kind == MAP_SYSCTLS && !sysctl_key_ok(name))
			return fail(ld, k,
			            "%s: \"%s\" is not a sysctl name (such as net.ipv4.ip_forward)",
			            what, name);
		if (!vl_yaml_is_null(val) && vl_yaml_get_string(ld, val, what, &value) < 0)
			return -1;
		if (strchr(value, '\n') && kind != MAP_ENV)
			return fail(ld, val, "%s: %s: the value is one line", what, name);
		if (kind == MAP_SYSCTLS && !*value)
			return fail(ld, val ? val : k, "%s: %s: no value", what, name);
		vl_topo_kv_set(list, n, name, value);
	}
	return 0;
}

/* A node path for a bind: absolute, no "." or ".." component, no '=' or
 * ':', not / itself nor under /proc, /sys or /dev (the node's own). */
static const char *node_path_bad(const char *s)
{
	static const char *const own[] = {"/proc", "/sys", "/dev"};

	if (*s != '/')
		return "the node's path must be absolute";
	if (!s[1])
		return "the node's / cannot be bound over";
	if (strpbrk(s, "=:\n"))
		return "the node's path may not hold '=', ':' or a newline";
	for (const char *c = s; *c; c++)
		if (*c == '/' && (!strncmp(c, "/./", 3) || !strcmp(c, "/.") ||
		                  !strncmp(c, "/../", 4) || !strcmp(c, "/..") || c[1] == '/'))
			return "the node's path may not hold \".\", \"..\" or \"//\"";
	for (size_t i = 0; i < VL_ARRAY_SIZE(own); i++) {
		size_t n = strlen(own[i]);

		if (!strncmp(s, own[i], n) && (s[n] == '\0' || s[n] == '/'))
			return "/proc, /sys and /dev are the node's own";
	}
	return NULL;
}

/* binds: "host:node[:ro|rw]", the host path relative to the file's
 * directory; it must exist now. */
static int load_binds(struct loader *ld, yaml_node_t *v, const char *ctx,
                      struct vl_topo_settings *s)
{
	char what[192], base[PATH_MAX];
	const char *slash = strrchr(ld->file, '/');
	cleanup_free struct vl_pos *at = NULL; /* where this list's binds are */
	size_t first = s->n_binds, cap = 0;

	snprintf(what, sizeof(what), "%s: binds", ctx);
	snprintf(base, sizeof(base), "%.*s", slash ? (int)(slash - ld->file) : 1,
	         slash ? ld->file : ".");
	if (vl_yaml_is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return fail(ld, v, "%s: expected a list of host:node[:ro], got %s", what,
		            vl_yaml_type_name(v));
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *c = vl_yaml_node(ld, *it);
		const char *b, *why;
		char host[PATH_MAX], real[PATH_MAX], *node, *mode, *val;
		struct stat st;

		if (vl_yaml_get_string(ld, c, what, &b) < 0)
			return -1;
		if (strlen(b) >= sizeof(host) - 1)
			return fail(ld, c, "%s: \"%.40s...\": too long", what, b);
		snprintf(host, sizeof(host), "%s", b);
		if (!(node = strchr(host, ':')))
			return fail(ld, c, "%s: \"%s\": expected host:node[:ro]", what, b);
		*node++ = '\0';
		mode = strchr(node, ':');
		if (mode)
			*mode++ = '\0';
		if (mode && strcmp(mode, "ro") && strcmp(mode, "rw"))
			return fail(ld, c, "%s: \"%s\": the mode is ro or rw, not \"%s\"", what, b,
			            mode);
		if (!*host)
			return fail(ld, c, "%s: \"%s\": no host path", what, b);
		if ((why = node_path_bad(node)))
			return fail(ld, c, "%s: \"%s\": %s", what, b, why);
		for (size_t len = strlen(node); node[len - 1] == '/'; len--)
			node[len - 1] = '\0'; /* /etc/x/ is /etc/x */
		for (size_t k = first; k < s->n_binds; k++) {
			size_t len = strlen(node);

			if (!strncmp(s->binds[k], node, len) && s->binds[k][len] == '=')
				return fail(
				    ld, c,
				    "%s: \"%s\": the node's %s is bound at %d:%d already (a "
				    "path takes one bind)",
				    what, b, node, at[k - first].line, at[k - first].col);
		}
		vl_grow(&at, &cap, s->n_binds - first + 1, sizeof(*at));
		at[s->n_binds - first] = vl_yaml_pos(c);
		val = host[0] == '/' ? vl_xstrdup(host) : vl_xasprintf("%s/%s", base, host);
		if (!realpath(val, real) || stat(real, &st) < 0) {
			int e = errno;

			fail(ld, c, "%s: \"%s\": %s: %s", what, b, val, strerror(e));
			free(val);
			return -1;
		}
		free(val);
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
			return fail(ld, c, "%s: \"%s\": %s is neither a file nor a directory", what,
			            b, real);
		if (strpbrk(real, "\n"))
			return fail(ld, c, "%s: \"%s\": a newline in the host path", what, b);
		val = vl_xasprintf("%s:%s", real, mode ? mode : "rw");
		vl_topo_kv_set(&s->binds, &s->n_binds, node, val);
		free(val);
	}
	return 0;
}

/* cmd and entrypoint: one command line, split into words when it runs. */
static int load_command(struct loader *ld, yaml_node_t *v, const char *what, char **out)
{
	const char *line, *why;
	char **words;
	size_t n;

	if (vl_yaml_get_string(ld, v, what, &line) < 0)
		return -1;
	if (strlen(line) > EXEC_MAX_LEN)
		return fail(ld, v, "%s: longer than %d bytes", what, EXEC_MAX_LEN);
	if ((why = vl_split_words(line, &words, &n)))
		return fail(ld, v, "%s: \"%s\": %s", what, line, why);
	vl_words_free(words);
	free(*out);
	*out = vl_xstrdup(line);
	return 0;
}

static int load_wait_for(struct loader *ld, yaml_node_t *v, const char *what,
                         struct vl_topo_settings *s)
{
	s->have_wait_for = true;
	s->wait_pos = vl_yaml_pos(v);
	if (vl_yaml_is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return fail(ld, v, "%s: expected a list of node names, got %s", what,
		            vl_yaml_type_name(v));
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *c = vl_yaml_node(ld, *it);
		const char *name, *why;

		if (vl_yaml_get_string(ld, c, what, &name) < 0)
			return -1;
		if ((why = vl_name_invalid(name)))
			return fail(ld, c, "%s: node name \"%s\" %s", what, name, why);
		s->wait_for = realloc(s->wait_for, (s->n_wait_for + 2) * sizeof(*s->wait_for));
		if (!s->wait_for)
			abort();
		s->wait_for[s->n_wait_for++] = vl_xstrdup(name);
		s->wait_for[s->n_wait_for] = NULL;
	}
	return 0;
}

/* startup-config: a file, relative to the topology file's directory;
 * checked once the node is known to be an FRR router (vl_yaml_check_startup). */
static int load_startup(struct loader *ld, yaml_node_t *v, const char *what,
                        struct vl_topo_settings *s)
{
	const char *p, *slash = strrchr(ld->file, '/');

	if (vl_yaml_get_string(ld, v, what, &p) < 0)
		return -1;
	free(s->startup_config);
	s->startup_config = p[0] == '/' ? vl_xstrdup(p)
	                    : slash ? vl_xasprintf("%.*s/%s", (int)(slash - ld->file), ld->file, p)
	                            : vl_xasprintf("./%s", p);
	s->startup_pos = vl_yaml_pos(v);
	return 0;
}

int vl_yaml_check_startup(struct loader *ld, const char *ctx, struct vl_topo_settings *s)
{
	char real[PATH_MAX];
	struct stat st;

	if (!s->startup_config)
		return 0;
	if (!realpath(s->startup_config, real) || stat(real, &st) < 0)
		return vl_yaml_fail_at(ld, s->startup_pos, "%s: startup-config: %s: %s", ctx,
		                       s->startup_config, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return vl_yaml_fail_at(ld, s->startup_pos, "%s: startup-config: %s is not a file",
		                       ctx, real);
	free(s->startup_config);
	s->startup_config = vl_xstrdup(real);
	return 0;
}

int vl_yaml_load_settings(struct loader *ld, const struct found *f, enum where w, const char *ctx,
                          struct vl_topo_settings *s)
{
	yaml_node_t *v;

	if ((v = vl_yaml_found_val(f, w, "exec")) && load_exec(ld, v, ctx, s) < 0)
		return -1;
	if ((v = vl_yaml_found_val(f, w, "env")) &&
	    load_map(ld, v, ctx, "env", MAP_ENV, &s->env, &s->n_env) < 0)
		return -1;
	if ((v = vl_yaml_found_val(f, w, "labels")) &&
	    load_map(ld, v, ctx, "labels", MAP_LABELS, &s->labels, &s->n_labels) < 0)
		return -1;
	if ((v = vl_yaml_found_val(f, w, "binds")) && load_binds(ld, v, ctx, s) < 0)
		return -1;
	char what[192];

	snprintf(what, sizeof(what), "%s: cmd", ctx);
	if ((v = vl_yaml_found_val(f, w, "cmd")) && load_command(ld, v, what, &s->cmd) < 0)
		return -1;
	snprintf(what, sizeof(what), "%s: entrypoint", ctx);
	if ((v = vl_yaml_found_val(f, w, "entrypoint")) &&
	    load_command(ld, v, what, &s->entrypoint) < 0)
		return -1;
	snprintf(what, sizeof(what), "%s: startup-delay", ctx);
	if ((v = vl_yaml_found_val(f, w, "startup-delay"))) {
		const char *t;

		if (vl_yaml_get_string(ld, v, what, &t) < 0)
			return -1;
		if (vl_parse_number(t, 0, 3600, &s->startup_delay) < 0)
			return fail(ld, v, "%s: \"%s\": expected seconds, 0 to 3600", what, t);
	}
	snprintf(what, sizeof(what), "%s: startup-config", ctx);
	if ((v = vl_yaml_found_val(f, w, "startup-config")) && load_startup(ld, v, what, s) < 0)
		return -1;
	snprintf(what, sizeof(what), "%s: wait-for", ctx);
	if ((v = vl_yaml_found_val(f, w, "wait-for")) && load_wait_for(ld, v, what, s) < 0)
		return -1;
	if ((v = vl_yaml_found_val(f, w, "sysctls")) &&
	    load_map(ld, v, ctx, "sysctls", MAP_SYSCTLS, &s->sysctls, &s->n_sysctls) < 0)
		return -1;
	return 0;
}

/* Every wait-for names a node of the file, and none waits, however
 * indirectly, for itself. */
int vl_yaml_check_wait_for(struct loader *ld)
{
	struct vl_topo *t = ld->t;
	int *state = vl_xcalloc(t->n_nodes + 1, sizeof(*state)); /* 0 new, 1 on the path, 2 done */
	size_t *stack = vl_xcalloc(t->n_nodes + 1, sizeof(*stack)),
	       *next = vl_xcalloc(t->n_nodes + 1, sizeof(*next));
	int r = 0;

	for (size_t i = 0; i < t->n_nodes && r == 0; i++)
		for (size_t k = 0; k < t->nodes[i].set.n_wait_for && r == 0; k++) {
			const char *w = t->nodes[i].set.wait_for[k];

			if (vl_topo_find_node(t, w) < 0)
				r = vl_yaml_fail_at(ld, t->nodes[i].set.wait_pos,
				                    "node \"%s\": wait-for: no node \"%s\"",
				                    t->nodes[i].name, w);
			else if (!strcmp(w, t->nodes[i].name))
				r = vl_yaml_fail_at(
				    ld, t->nodes[i].set.wait_pos,
				    "node \"%s\": wait-for: a node cannot wait for itself",
				    t->nodes[i].name);
		}
	/* depth first, iteratively: a node met again on the path is a cycle */
	for (size_t s0 = 0; s0 < t->n_nodes && r == 0; s0++) {
		size_t sp = 0;

		if (state[s0])
			continue;
		stack[sp++] = s0;
		state[s0] = 1;
		next[s0] = 0;
		while (sp && r == 0) {
			size_t u = stack[sp - 1];
			const struct vl_topo_settings *su = &t->nodes[u].set;

			if (next[u] == su->n_wait_for) {
				state[u] = 2;
				sp--;
				continue;
			}
			size_t v = (size_t)vl_topo_find_node(t, su->wait_for[next[u]++]);

			if (state[v] == 1)
				r = vl_yaml_fail_at(
				    ld, su->wait_pos,
				    "node \"%s\": wait-for \"%s\" makes a cycle (\"%s\" waits, "
				    "directly or not, for \"%s\")",
				    t->nodes[u].name, t->nodes[v].name, t->nodes[v].name,
				    t->nodes[u].name);
			else if (state[v] == 0) {
				state[v] = 1;
				next[v] = 0;
				stack[sp++] = v;
			}
		}
	}
	free(state);
	free(stack);
	free(next);
	return r;
}

const struct yaml_group *vl_yaml_group(const struct loader *ld, const char *name)
{
	for (size_t g = 0; g < ld->n_groups; g++)
		if (!strcmp(ld->groups[g].name, name))
			return &ld->groups[g];
	return NULL;
}
