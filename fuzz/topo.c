/* libFuzzer target: the topology loader, the plan builder and the
 * generator specs (`make fuzz`).
 *
 * Every input is loaded as a containerlab-style YAML file with
 * vl_topo_load_buffer() (the bytes as they are, not NUL-terminated, so a
 * read past the end is caught); a topology that loads is dumped and
 * planned on each backend as `vnetlab plan` would, and its link engines
 * chosen with and without netem. A short one-line input is also expanded
 * as a `--topo SPEC` generator spec, unless it asks for more than
 * SPEC_MAX hosts or switches: the generators' own limit (100000) is
 * tested by test_topo, and a fuzzer that built that many every iteration
 * would find nothing else. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "plan/plan.h"
#include "topo/topo.h"

#define SPEC_MAX_LEN 64
#define SPEC_MAX     512 /* hosts or switches a fuzzed spec may ask for */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void plan_all(const struct vl_topo *t)
{
	static const enum vl_backend backends[] = {VL_BACKEND_NS, VL_BACKEND_PROC, VL_BACKEND_VM};
	char lab[128], id[VL_LAB_ID_LEN + 1];
	struct vl_buf out = {0};

	/* As vl_cli_load_topo() names a lab from the file. */
	snprintf(lab, sizeof(lab), "%s", t->name ? t->name : "fuzz");
	vl_lab_id_from_name(lab, id);
	for (size_t i = 0; i < VL_ARRAY_SIZE(backends); i++) {
		struct vl_plan *p = NULL;
		struct vl_err err = {0};

		if (vl_plan_build(t, lab, id, backends[i], &p, &err) < 0) {
			if (!err.msg[0])
				abort(); /* a failure must say why */
			continue;
		}
		vl_plan_links_need_probe(p);
		vl_plan_choose_links(p, 1, &err);
		vl_plan_choose_links(p, 0, &err);
		vl_plan_dump(p, &out);
		vl_plan_free(p);
	}
	vl_buf_free(&out);
}

static void dump(const struct vl_topo *t)
{
	struct vl_buf out = {0};

	vl_topo_dump(t, &out);
	vl_buf_free(&out);
}

/* Whether spec asks for at most SPEC_MAX hosts and switches. Fields that
 * are not numbers are left to the generator to reject. */
static int spec_small(const char *spec)
{
	char copy[SPEC_MAX_LEN + 1], *save = NULL, *f;
	unsigned long v[4] = {1, 1, 1, 1};
	int n = 0, tree;

	snprintf(copy, sizeof(copy), "%s", spec);
	tree = !strncmp(copy, "tree,", 5);
	for (f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		unsigned long x;

		if (n == 4)
			break;
		if (vl_parse_uint(f, 0, ULONG_MAX, &x) == 0) {
			if (x > SPEC_MAX)
				return 0;
			v[n] = x;
		}
		n++;
	}
	if (tree) {
		/* fanout^depth hosts */
		unsigned long hosts = 1;

		for (unsigned long d = 0; d < v[1]; d++) {
			hosts *= v[2] ? v[2] : 1;
			if (hosts > SPEC_MAX)
				return 0;
		}
	}
	return v[1] * v[2] <= SPEC_MAX; /* linear,K,N: K*N hosts */
}

static void generate(const uint8_t *data, size_t size)
{
	char spec[SPEC_MAX_LEN + 1];
	struct vl_topo *t = NULL;
	struct vl_err err = {0};

	if (size && data[size - 1] == '\n')
		size--;
	if (size > SPEC_MAX_LEN || memchr(data, '\n', size) || memchr(data, '\0', size))
		return;
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (!spec_small(spec))
		return;
	if (vl_topo_generate(spec, &t, &err) < 0) {
		if (!err.msg[0])
			abort();
		return;
	}
	dump(t);
	plan_all(t);
	vl_topo_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vl_topo *t = NULL;
	struct vl_err err = {0};

	/* A copy of exactly size bytes on the heap, so that ASan sees the end. */
	char *buf = vl_xmalloc(size ? size : 1);

	memcpy(buf, data, size);
	if (vl_topo_load_buffer("fuzz.yml", buf, size, &t, &err) == 0) {
		dump(t);
		plan_all(t);
		vl_topo_free(t);
	} else if (!err.msg[0]) {
		abort();
	}
	free(buf);
	generate(data, size);
	return 0;
}
