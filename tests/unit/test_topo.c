/* test_topo DIR: data-driven tests of src/topo.
 *
 * Each DIR/<case>.yml is loaded and each DIR/<case>.topo (one line, a
 * generator spec) is expanded; the result, vl_topo_dump() or one line
 * "error: <message>", must equal DIR/<case>.expect. Files are opened from
 * inside DIR, so messages read "<case>.yml:LINE:COL: ...". A few built-in
 * checks follow (scale, lookups, robustness on truncated input).
 *
 * VL_UPDATE_EXPECT=1 (re)writes the .expect files: review them by hand. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "topo/topo.h"

struct stats {
	int passed, failed;
	bool update;
};

static void check(struct stats *st, bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void check(struct stats *st, bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		st->passed++;
		return;
	}
	st->failed++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Split s into lines (s is modified). */
static char **split_lines(char *s, size_t *n)
{
	char **lines = NULL;
	size_t cap = 0;

	*n = 0;
	while (*s) {
		char *nl = strchr(s, '\n');

		vl_grow(&lines, &cap, *n, sizeof(*lines));
		lines[(*n)++] = s;
		if (!nl)
			break;
		*nl = '\0';
		s = nl + 1;
	}
	return lines;
}

/* A unified-ish diff: the common head and tail are skipped, the middle is
 * shown as -expected / +actual with a little context. */
static void print_diff(const char *expected, const char *actual)
{
	cleanup_free char *e = vl_xstrdup(expected), *a = vl_xstrdup(actual);
	size_t ne, na, head = 0, tail = 0;
	cleanup_free char **el = split_lines(e, &ne);
	cleanup_free char **al = split_lines(a, &na);

	while (head < ne && head < na && !strcmp(el[head], al[head]))
		head++;
	while (tail < ne - head && tail < na - head &&
	       !strcmp(el[ne - 1 - tail], al[na - 1 - tail]))
		tail++;
	printf("  @@ line %zu @@\n", head + 1);
	for (size_t i = head >= 2 ? head - 2 : 0; i < head; i++)
		printf("   %s\n", el[i]);
	for (size_t i = head; i < ne - tail; i++)
		printf("  -%s\n", el[i]);
	for (size_t i = head; i < na - tail; i++)
		printf("  +%s\n", al[i]);
	for (size_t i = ne - tail; i < ne && i < ne - tail + 2; i++)
		printf("   %s\n", el[i]);
}

/* The dump of a loaded topology, or "error: ..."; into out. */
static void result_text(int r, struct vl_topo *t, const struct vl_err *err, struct vl_buf *out)
{
	if (r < 0)
		vl_buf_printf(out, "error: %s\n", err->msg);
	else
		vl_topo_dump(t, out);
	vl_topo_free(r < 0 ? NULL : t);
}

static void run_case(struct stats *st, const char *file)
{
	const char *dot = strrchr(file, '.');
	cleanup_free char *stem = vl_xasprintf("%.*s", (int)(dot - file), file);
	cleanup_free char *expect_path = vl_xasprintf("%s.expect", stem);
	cleanup_free char *expected = NULL;
	struct vl_buf actual = {0};
	struct vl_topo *t = NULL;
	struct vl_err err = {0};
	int r;

	if (!strcmp(dot, ".topo")) {
		cleanup_free char *spec = NULL;
		size_t len;

		if (vl_read_file(file, &spec, &len, &err) < 0) {
			check(st, false, stem, "%s", err.msg);
			return;
		}
		while (len > 0 && (spec[len - 1] == '\n' || spec[len - 1] == '\r'))
			spec[--len] = '\0';
		r = vl_topo_generate(spec, &t, &err);
	} else {
		r = vl_topo_load_file(file, &t, &err);
	}
	result_text(r, t, &err, &actual);

	if (st->update) {
		struct vl_err werr;

		if (vl_write_file(expect_path, actual.s, actual.len, &werr) < 0)
			check(st, false, stem, "%s", werr.msg);
		else
			check(st, true, stem, " ");
		vl_buf_free(&actual);
		return;
	}
	if (vl_read_file(expect_path, &expected, NULL, &err) < 0) {
		check(st, false, stem, "%s (VL_UPDATE_EXPECT=1 writes it)", err.msg);
	} else if (strcmp(expected, actual.s)) {
		check(st, false, stem, "output differs from %s", expect_path);
		print_diff(expected, actual.s);
	} else {
		check(st, true, stem, " ");
	}
	vl_buf_free(&actual);
}

static int case_filter(const struct dirent *d)
{
	const char *dot = strrchr(d->d_name, '.');

	return dot && dot != d->d_name && (!strcmp(dot, ".yml") || !strcmp(dot, ".topo"));
}

/* ---- built-in checks ---- */

static void test_generate_large(struct stats *st)
{
	struct vl_topo *t = NULL;
	struct vl_err err = {0};
	char name[32];
	bool ok = true;

	if (vl_topo_generate("single,100000", &t, &err) < 0) {
		check(st, false, "builtin-single-100000", "%s", err.msg);
		return;
	}
	ok = t->n_nodes == 100001 && t->n_links == 100000;
	for (size_t i = 0; ok && i < 100000; i += 997) {
		snprintf(name, sizeof(name), "h%zu", i + 1);
		ok = vl_topo_find_node(t, name) == (long)i;
	}
	ok = ok && vl_topo_find_node(t, "s1") == 100000 && vl_topo_find_node(t, "h0") == -1 &&
	     vl_topo_find_node(t, "h100001") == -1;
	ok = ok && !strcmp(t->links[99999].ep[1].ifname, "p100000");
	check(st, ok, "builtin-single-100000", "wrong nodes, links or lookups");
	vl_topo_free(t);

	/* The largest trees are accepted, one more level is not. */
	ok = vl_topo_generate("tree,16,2", &t, &err) == 0 && t->n_nodes == 65536 + 65535 &&
	     t->n_links == t->n_nodes - 1;
	check(st, ok, "builtin-tree-16-2", "%s", err.msg);
	if (ok)
		vl_topo_free(t);
	ok = vl_topo_generate("tree,100000,1", &t, &err) == 0 && t->n_links == 100000;
	check(st, ok, "builtin-tree-100000-1", "%s", err.msg);
	if (ok)
		vl_topo_free(t);
	ok = vl_topo_generate("tree,17,2", &t, &err) < 0;
	check(st, ok, "builtin-tree-17-2", "accepted");
}

/* A 5000-node containerlab file, each node with an image: loads (in linear
 * time), with 3 warnings and one summary. */
static void test_load_large(struct stats *st)
{
	struct vl_buf b = {0};
	struct vl_topo *t = NULL;
	struct vl_err err = {0};
	const size_t n = 5000;
	bool ok;

	vl_buf_printf(&b, "name: big\ntopology:\n  nodes:\n");
	for (size_t i = 0; i < n; i++)
		vl_buf_printf(&b, "    n%zu: {image: alpine}\n", i);
	vl_buf_printf(&b, "  links:\n");
	for (size_t i = 1; i < n; i++)
		vl_buf_printf(&b, "    - endpoints: [\"n%zu:eth%zu\", \"n%zu:eth0\"]\n", i / 2,
		              i % 2 + 1, i);
	if (vl_topo_load_buffer("big.yml", b.s, b.len, &t, &err) < 0) {
		check(st, false, "builtin-load-5000", "%s", err.msg);
		vl_buf_free(&b);
		return;
	}
	ok = t->n_nodes == n && t->n_links == n - 1 && t->n_warnings == 4 &&
	     !strcmp(t->warnings[3], "big.yml:7:10: image ignored on 4997 more nodes") &&
	     vl_topo_find_node(t, "n4999") == 4999;
	check(st, ok, "builtin-load-5000", "%zu nodes, %zu links, %zu warnings, last: %s",
	      t->n_nodes, t->n_links, t->n_warnings,
	      t->n_warnings ? t->warnings[t->n_warnings - 1] : "-");
	vl_topo_free(t);
	vl_buf_free(&b);
}

/* Every prefix of a valid file loads or fails with "t.yml:L:C: ...";
 * nothing crashes or leaks (under ASan). */
static void test_truncated(struct stats *st)
{
	static const char text[] =
	    "name: lab1\n"
	    "prefix: x\n"
	    "topology:\n"
	    "  defaults: {kind: linux, ipv6: no, pool: 10.1.0.0/16, mtu: 1500, image: a}\n"
	    "  kinds:\n"
	    "    router: {ipv6: yes}\n"
	    "  nodes:\n"
	    "    h1: {image: alpine}\n"
	    "    r1:\n"
	    "      kind: router\n"
	    "    s1: {kind: bridge}\n"
	    "  links:\n"
	    "    - endpoints: [\"h1:eth1\", \"s1:p1\"]\n"
	    "      mtu: 9000\n"
	    "    - type: veth\n"
	    "      endpoints:\n"
	    "        - {node: r1, interface: eth1}\n"
	    "        - node: s1\n"
	    "          interface: p2\n";
	int bad = 0;
	size_t len = strlen(text);

	for (size_t i = 0; i <= len; i++) {
		struct vl_topo *t = NULL;
		struct vl_err err = {0};
		int line, col;

		if (vl_topo_load_buffer("t.yml", text, i, &t, &err) == 0) {
			vl_topo_free(t);
			continue;
		}
		if (sscanf(err.msg, "t.yml:%d:%d: ", &line, &col) != 2 || line < 1 || col < 1) {
			if (bad++ < 3)
				printf("  prefix %zu: %s\n", i, err.msg);
		}
	}
	check(st, bad == 0, "builtin-truncated", "%d malformed messages", bad);
}

static void test_misc(struct stats *st)
{
	struct vl_topo *t = NULL;
	struct vl_err err = {0};
	struct vl_topo_node nodes[2] = {{.name = "a"}, {.name = "b"}};
	struct vl_topo hand = {.nodes = nodes, .n_nodes = 2};
	static const char nul[] = "topology:\n  nodes:\n    \"a\\0b\":\n";
	static const char raw[] = "topology:\n  nodes: {a: }\0junk";
	bool ok;

	ok = vl_topo_load_file("does-not-exist.yml", &t, &err) < 0 &&
	     strstr(err.msg, "does-not-exist.yml");
	check(st, ok, "builtin-missing-file", "%s", err.msg);

	ok = vl_topo_load_buffer("nul.yml", nul, sizeof(nul) - 1, &t, &err) < 0 &&
	     !strcmp(err.msg, "nul.yml:3:5: node name: NUL character in string");
	check(st, ok, "builtin-nul-in-name", "%s", err.msg);

	ok = vl_topo_load_buffer("raw.yml", raw, sizeof(raw) - 1, &t, &err) < 0;
	check(st, ok, "builtin-nul-byte", "accepted a NUL byte");

	ok = !strcmp(vl_kind_name(VL_KIND_LINUX), "linux") &&
	     !strcmp(vl_kind_name(VL_KIND_ROUTER), "router") &&
	     !strcmp(vl_kind_name(VL_KIND_BRIDGE), "bridge");
	check(st, ok, "builtin-kind-names", "wrong names");

	ok = vl_topo_find_node(&hand, "b") == 1 && vl_topo_find_node(&hand, "c") == -1;
	check(st, ok, "builtin-hand-built", "lookup without an index");
}

/* The loader's bounds: node and value counts, file size, what kind of file
 * it reads; each refused at once with a precise message. */
static void test_limits(struct stats *st)
{
	struct vl_buf b = {0};
	struct vl_topo *t = NULL;
	struct vl_err err = {0};
	char dir[] = "/tmp/vl-topo-XXXXXX", fifo[64];
	bool ok;

	vl_buf_printf(&b, "topology:\n  nodes:\n");
	for (int i = 0; i <= VL_TOPO_MAX_NODES; i++)
		vl_buf_printf(&b, "    n%d:\n", i);
	ok = vl_topo_load_buffer("many.yml", b.s, b.len, &t, &err) < 0 &&
	     !strcmp(err.msg, "many.yml:100003:5: topology.nodes: more than 100000 nodes "
	                      "(this is node 100001): a lab has at most 100000");
	check(st, ok, "builtin-too-many-nodes", "%s", err.msg);
	vl_buf_free(&b);

	vl_buf_printf(&b, "topology:\n  nodes: {h1: }\n  links: [");
	for (int i = 0; i < VL_TOPO_MAX_VALUES; i++)
		vl_buf_add(&b, "a,", 2);
	vl_buf_printf(&b, "]\n");
	ok = vl_topo_load_buffer("wide.yml", b.s, b.len, &t, &err) < 0 &&
	     strstr(err.msg, "wide.yml:3:") && strstr(err.msg, "more than 2000000 YAML values");
	check(st, ok, "builtin-too-many-values", "%s", err.msg);
	vl_buf_free(&b);

	b.s = vl_xcalloc(1, VL_TOPO_MAX_FILE + 2);
	memset(b.s, ' ', VL_TOPO_MAX_FILE + 1);
	ok = vl_topo_load_buffer("huge.yml", b.s, VL_TOPO_MAX_FILE + 1, &t, &err) < 0 &&
	     !strcmp(err.msg, "huge.yml: 16 MiB, larger than the 16 MiB a topology may be");
	check(st, ok, "builtin-too-large-buffer", "%s", err.msg);
	if (mkdtemp(dir)) {
		char big[64];

		snprintf(big, sizeof(big), "%s/big.yml", dir);
		ok = vl_write_file(big, b.s, VL_TOPO_MAX_FILE + 1, &err) == 0 &&
		     vl_topo_load_file(big, &t, &err) < 0 && strstr(err.msg, "big.yml: 16 MiB") &&
		     strstr(err.msg, "larger than the 16 MiB it may be");
		check(st, ok, "builtin-too-large-file", "%s", err.msg);
		unlink(big);
		snprintf(fifo, sizeof(fifo), "%s/fifo.yml", dir);
		/* a FIFO nobody writes: refused, not waited on */
		ok = mkfifo(fifo, 0600) == 0 && vl_topo_load_file(fifo, &t, &err) < 0 &&
		     strstr(err.msg, "fifo.yml: a FIFO, not a regular file");
		check(st, ok, "builtin-fifo", "%s", err.msg);
		unlink(fifo);
		ok = vl_topo_load_file(dir, &t, &err) < 0 &&
		     strstr(err.msg, ": a directory, not a regular file");
		check(st, ok, "builtin-directory", "%s", err.msg);
		rmdir(dir);
	} else {
		check(st, false, "builtin-too-large-file", "mkdtemp: %s", strerror(errno));
	}
	free(b.s);
	ok = vl_topo_load_file("/dev/zero", &t, &err) < 0 &&
	     !strcmp(err.msg, "/dev/zero: a character device, not a regular file");
	check(st, ok, "builtin-dev-zero", "%s", err.msg);
}

int main(int argc, char **argv)
{
	struct stats st = {0};
	struct dirent **ents = NULL;
	const char *up = getenv("VL_UPDATE_EXPECT");
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	st.update = up && !strcmp(up, "1");
	if (chdir(argv[1]) < 0) {
		perror(argv[1]);
		return 2;
	}
	n = scandir(".", &ents, case_filter, alphasort);
	if (n < 0) {
		perror(argv[1]);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		run_case(&st, ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);

	test_generate_large(&st);
	test_load_large(&st);
	test_truncated(&st);
	test_misc(&st);
	test_limits(&st);

	printf("%d passed, %d failed\n", st.passed, st.failed);
	return st.failed ? 1 : 0;
}
