/* libFuzzer target: the string parsers kept in the tree (`make fuzz`).
 *
 * The first byte of an input chooses the parser, the rest is its text:
 *
 *   p  POV-Ray's statistics     vl_parse_povray
 *   i  iperf 2's CSV            vl_parse_iperf_csv
 *   3  iperf3's JSON            vl_parse_iperf3
 *   n  NetPIPE's log or np.out  vl_parse_netpipe
 *   u  numbers                  vl_parse_uint (whole range, and 1..1000)
 *   b  sizes                    vl_parse_bytes
 *   c  IPv4 prefixes            vl_parse_cidr, vl_fmt_ip
 *   l  one link setting         vl_impair_set "KEY VALUE" (rates, times, loss, queues)
 *   L  a link's settings        vl_impair_parse (`vnetlab link`, the lab's state)
 *   r  one node resource        vl_topo_res_set "KEY VALUE" (cpus, memory, cpuset, ...)
 *   N  names                    vl_name_invalid, vl_ifname_invalid, lab ids, backends
 *   m  fairness metrics         vl_metrics_* on "x: ..." / "starved: ..." lines
 *   a  the guest agent's stream vl_ag_reader_* frames, vl_ag_stats_get
 *
 * Any other first byte picks one of these by its value. The corpus seeds
 * (scripts/fuzz.sh) are the tree's test data with that byte in front.
 *
 * Besides the sanitizers, a few properties are checked (abort() if not):
 * a failing parse says why; what vl_impair_format() prints parses back
 * to the same text; the agent's reader hands out frames within what it
 * was given. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "study/metrics.h"
#include "study/parse.h"
#include "topo/impair.h"
#include "plan/plan.h"
#include "topo/topo.h"
#include "vm/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(bool ok)
{
	if (!ok)
		abort();
}

/* --- the benchmarks' output ---------------------------------------------- */

static void povray(const char *text)
{
	struct vl_povray pv;
	struct vl_err err = {0};

	if (vl_parse_povray(text, &pv, &err) < 0) {
		must(err.msg[0]);
		return;
	}
	json_decref(vl_povray_json(&pv));
}

static void iperf(const char *text)
{
	struct vl_iperf ip;
	struct vl_err err = {0};

	if (vl_parse_iperf_csv(text, &ip, &err) < 0) {
		must(err.msg[0]);
		return;
	}
	json_decref(vl_iperf_json(&ip));
	vl_iperf_free(&ip);
	vl_iperf_free(&ip); /* idempotent */
}

static void iperf3(const char *text)
{
	struct vl_iperf3 ip;
	struct vl_err err = {0};

	if (vl_parse_iperf3(text, &ip, &err) < 0) {
		must(err.msg[0]);
		return;
	}
	json_decref(vl_iperf3_json(&ip));
}

static void netpipe(const char *text)
{
	struct vl_netpipe np;
	struct vl_err err = {0};

	if (vl_parse_netpipe(text, &np, &err) < 0) {
		must(err.msg[0]);
		return;
	}
	json_decref(vl_netpipe_json(&np));
	vl_netpipe_free(&np);
	vl_netpipe_free(&np);
}

/* --- numbers, sizes, prefixes, names -------------------------------------- */

/* Decimal only: what is read is finite, non-negative, and made of the
 * characters of a plain decimal number. */
static void decimals(const char *text)
{
	const char *end;
	double d;

	if (vl_parse_decimal(text, &end, &d) == 0) {
		must(end > text && isfinite(d) && d >= 0);
		for (const char *p = text; p < end; p++)
			must(strchr("0123456789.eE+-", *p) != NULL);
		must(vl_parse_number(text, 0, 1e308, &d) == (*end ? -1 : 0));
	} else {
		must(vl_parse_number(text, 0, 1e308, &d) < 0);
	}
}

/* A CPU list read is non-empty and within VL_MAX_CPUS. */
static void cpulist(const char *text)
{
	uint64_t set[VL_MAX_CPUS / 64];
	uint64_t any = 0;

	if (vl_parse_cpulist(text, set) == 0) {
		for (size_t w = 0; w < VL_MAX_CPUS / 64; w++)
			any |= set[w];
		must(any != 0);
	}
}

static void numbers(const char *text)
{
	unsigned long v;

	if (vl_parse_uint(text, 0, ULONG_MAX, &v) == 0 && v >= 1 && v <= 1000) {
		must(vl_parse_uint(text, 1, 1000, &v) == 0);
	} else {
		vl_parse_uint(text, 1, 1000, &v);
	}
	decimals(text);
	cpulist(text);
}

static void bytes(const char *text)
{
	uint64_t v;

	vl_parse_bytes(text, &v);
}

static void cidr(const char *text)
{
	uint32_t addr;
	int prefix;
	char ip[16];

	if (vl_parse_cidr(text, &addr, &prefix) == 0) {
		must(prefix >= 0 && prefix <= 32);
		vl_fmt_ip(addr, ip);
	}
}

static void names(const char *text)
{
	char id[VL_LAB_ID_LEN + 1];

	vl_name_invalid(text);
	vl_ifname_invalid(text);
	vl_lab_id_from_name(text, id);
	must(strlen(id) == VL_LAB_ID_LEN);
	vl_lab_id_next(id);
	must(strlen(id) == VL_LAB_ID_LEN);
	vl_backend_parse(text);
	vl_profile_parse(text);
}

/* --- link settings and node resources ------------------------------------- */

/* What im prints must read back as the same settings. */
static void impair_round_trip(const struct vl_impair *im)
{
	struct vl_impair back;
	char a[512], b[512];

	vl_impair_format(im, a, sizeof(a));
	must(vl_impair_parse(&back, a) == NULL);
	vl_impair_format(&back, b, sizeof(b));
	must(!strcmp(a, b));
}

/* "KEY VALUE": split at the first blank (KEY may be empty). */
static void split(char *text, const char **key, const char **value)
{
	char *sp = strchr(text, ' ');

	*key = text;
	*value = "";
	if (sp) {
		*sp = '\0';
		*value = sp + 1;
	}
}

static void impair_set(char *text)
{
	struct vl_impair im = {0};
	const char *key, *value;

	split(text, &key, &value);
	if (vl_impair_set(&im, key, value) == NULL)
		impair_round_trip(&im);
}

static void impair_parse(const char *text)
{
	struct vl_impair im;

	if (vl_impair_parse(&im, text) == NULL)
		impair_round_trip(&im);
}

static void res_set(char *text)
{
	struct vl_topo_res r, copy;
	const char *key, *value;

	vl_topo_res_init(&r);
	split(text, &key, &value);
	vl_topo_res_set(&r, key, value);
	vl_topo_res_init(&copy);
	vl_topo_res_inherit(&copy, &r);
	vl_topo_res_override(&copy, &r);
	vl_topo_res_free(&copy);
	vl_topo_res_free(&r);
}

/* --- fairness metrics ----------------------------------------------------- */

#define METRICS_MAX 256

/* The values after "KEY:" on the lines of text that start with it. */
static size_t values(const char *text, const char *key, double *v, size_t max)
{
	size_t n = 0, klen = strlen(key);

	for (const char *line = text; line; line = strchr(line, '\n')) {
		const char *p;

		if (*line == '\n')
			line++;
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		p = line + klen + 1;
		while (n < max) {
			char *end;
			double x = strtod(p, &end);

			if (end == p)
				break;
			v[n++] = x;
			p = end;
		}
	}
	return n;
}

static void metrics(const char *text)
{
	static double x[METRICS_MAX], st[METRICS_MAX];
	static bool finished[METRICS_MAX];
	struct vl_metrics m;
	struct vl_err err = {0};
	size_t n = values(text, "x", x, METRICS_MAX);
	size_t ns = values(text, "starved", st, METRICS_MAX);
	double r;

	for (size_t i = 0; i < n; i++)
		finished[i] = !(i < ns && st[i] != 0);
	if (vl_metrics_compute(x, ns ? finished : NULL, n, &m, &err) == 0) {
		must(m.n == n);
		vl_metrics_fairness_word(m.jain);
		vl_metrics_free(&m);
		vl_metrics_free(&m);
	} else {
		must(err.msg[0]);
	}
	if (n >= 2) {
		vl_metrics_slowdown(x[0], x[1], &r, &err);
		vl_metrics_scale(x[0], n, x[1], &r, &err);
		vl_metrics_utilisation(x[0], x[1], &r, &err);
	}
}

/* --- the guest agent's frames --------------------------------------------- */

/* The payload of any frame, read as each kind of field. */
static void payload_fields(const struct vl_ag_hdr *h, const uint8_t *p)
{
	struct vl_ag_stats st;
	struct vl_ag_cur c;
	char name[16];

	vl_ag_type_name(h->type, name);
	if (vl_ag_stats_get(p, h->len, &st) == 0)
		must(st.n_ifs <= VL_AG_MAX_IFS);
	vl_ag_cur_init(&c, p, h->len);
	vl_ag_get_u32(&c);
	vl_ag_get_u16(&c);
	vl_ag_get_u64(&c);
	vl_ag_get_str(&c, 15);
	vl_ag_get_str(&c, 0);
	vl_ag_get_bytes(&c, 3);
	vl_ag_cur_done(&c);
}

/* The stream in chunks of a size given by its first byte (0: all at once). */
static void agent(const uint8_t *data, size_t size)
{
	static struct vl_ag_reader r;
	size_t chunk = size ? data[0] : 0;

	if (size) {
		data++;
		size--;
	}
	vl_ag_reader_reset(&r);
	while (size) {
		size_t room, k;
		uint8_t *space = vl_ag_reader_space(&r, &room);
		struct vl_ag_hdr h;
		const uint8_t *p;
		int e;

		must(room > 0 && space + room <= r.buf + sizeof(r.buf));
		k = chunk && chunk < size ? chunk : size;
		k = k < room ? k : room;
		memcpy(space, data, k);
		vl_ag_reader_fill(&r, k);
		data += k;
		size -= k;
		while ((e = vl_ag_reader_next(&r, &h, &p)) != 0) {
			if (e < 0) {
				must(e == -EBADMSG || e == -EMSGSIZE || e == -EPROTONOSUPPORT);
				continue;
			}
			must(h.len <= VL_AG_MAX_PAYLOAD);
			must(p >= r.buf && p + h.len <= r.buf + r.end);
			payload_fields(&h, p);
		}
	}
}

/* --- dispatch ------------------------------------------------------------- */

static const char modes[] = "pi3nubclLrNma";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *m;
	char *text;

	if (!size)
		return 0;
	m = memchr(modes, data[0], sizeof(modes) - 1);
	if (!m)
		m = &modes[data[0] % (sizeof(modes) - 1)];
	if (*m == 'a') {
		agent(data + 1, size - 1);
		return 0;
	}
	/* NUL-terminated text, in a heap block of just that size */
	text = vl_xmalloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (*m) {
	case 'p':
		povray(text);
		break;
	case 'i':
		iperf(text);
		break;
	case '3':
		iperf3(text);
		break;
	case 'n':
		netpipe(text);
		break;
	case 'u':
		numbers(text);
		break;
	case 'b':
		bytes(text);
		break;
	case 'c':
		cidr(text);
		break;
	case 'l':
		impair_set(text);
		break;
	case 'L':
		impair_parse(text);
		break;
	case 'r':
		res_set(text);
		break;
	case 'N':
		names(text);
		break;
	case 'm':
		metrics(text);
		break;
	}
	free(text);
	return 0;
}
