/* test_parse [DIR]: data-driven tests of src/study/parse.
 *
 * Each DIR/<prog>-<case>.in (DIR defaults to tests/parse) is what a program
 * printed, captured from the real program or made by hand; <prog> is one of
 * povray, iperf, iperf3, netpipe and names the parser. Next to it,
 * <prog>-<case>.expect holds either the figures, as the JSON vl_<prog>_json()
 * returns (every key, numbers within 1e-9 relative), or one line
 * "error: <message>", the exact error. VL_UPDATE_EXPECT=1 rewrites the
 * .expect files from what the parsers return: review the diff.
 *
 * A parse that succeeds must also agree with the program's own arithmetic
 * (iperf: bits/s = bytes × 8 / seconds; NetPIPE: Mbps = bytes × 8 / time /
 * 2^20 within the printed digits; POV-Ray: total = Σ phases), which checks
 * the column meanings on the real captures. Built-in checks follow: no
 * input, and every prefix and random mutations of every .in must parse or
 * fail cleanly (run it under ASan+UBSan: `make check` does).
 *
 * Prints "ok NAME" or "FAIL NAME: ..." per case, then exactly
 * "N passed, M failed, K skipped"; exit status 1 iff M > 0. */
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "study/parse.h"
#include "check.h"

#define REL_TOL 1e-9

static bool close_rel(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fmax(fabs(want), 1e-300) || got == want;
}

/* --- the parsers, behind one shape ------------------------------------------- */

/* Parse text; on success *out is the JSON of the figures and check() has
 * added to why what disagrees with the program's arithmetic. */
struct parser {
	const char *prog;
	int (*run)(const char *text, json_t **out, struct vl_buf *why, struct vl_err *err);
};

static int run_povray(const char *text, json_t **out, struct vl_buf *why, struct vl_err *err)
{
	struct vl_povray pv;
	double w, c;

	if (vl_parse_povray(text, &pv, err) < 0)
		return -1;
	w = pv.parse_wall_s + pv.bounding_wall_s + pv.photon_wall_s + pv.radiosity_wall_s +
	    pv.trace_wall_s;
	c = pv.parse_cpu_s + pv.bounding_cpu_s + pv.photon_cpu_s + pv.radiosity_cpu_s +
	    pv.trace_cpu_s;
	if (why && (!close_rel(pv.total_wall_s, w, 1e-12) || !close_rel(pv.total_cpu_s, c, 1e-12)))
		why_add(why, "totals %g/%g are not the sums %g/%g", pv.total_wall_s, pv.total_cpu_s,
		        w, c);
	if (why && pv.pixels && pv.pixels < (uint64_t)pv.width * pv.height)
		why_add(why, "%" PRIu64 " pixels for %ux%u", pv.pixels, pv.width, pv.height);
	if (why && pv.threads < 1)
		why_add(why, "threads %d", pv.threads);
	*out = vl_povray_json(&pv);
	return 0;
}

/* iperf's bits/s use the exact duration; the interval is printed to 0.1 s. */
static void iperf_check_row(struct vl_buf *why, const struct vl_iperf_row *r)
{
	double secs = r->end - r->start, lo, hi;

	if (secs <= 0)
		return;
	lo = (double)r->bytes * 8 / (secs + 0.05);
	hi = secs > 0.05 ? (double)r->bytes * 8 / (secs - 0.05) : INFINITY;
	if ((double)r->bits_per_second < lo * 0.999 || (double)r->bits_per_second > hi * 1.001)
		why_add(why, "id %d: %" PRIu64 " bit/s is not %" PRIu64 " bytes over %.1f-%.1f s",
		        r->id, r->bits_per_second, r->bytes, r->start, r->end);
}

static int run_iperf(const char *text, json_t **out, struct vl_buf *why, struct vl_err *err)
{
	struct vl_iperf ip;
	uint64_t bytes = 0;

	if (vl_parse_iperf_csv(text, &ip, err) < 0)
		return -1;
	for (size_t i = 0; why && i < ip.nconns; i++) {
		iperf_check_row(why, &ip.conns[i].total);
		bytes += ip.conns[i].total.bytes;
	}
	if (why && ip.has_sum)
		iperf_check_row(why, &ip.sum);
	if (why && bytes != ip.bytes)
		why_add(why, "bytes %" PRIu64 " is not the sum %" PRIu64, ip.bytes, bytes);
	*out = vl_iperf_json(&ip);
	vl_iperf_free(&ip);
	return 0;
}

static int run_iperf3(const char *text, json_t **out, struct vl_buf *why, struct vl_err *err)
{
	struct vl_iperf3 ip;

	if (vl_parse_iperf3(text, &ip, err) < 0) {
		/* iperf3's own error text is kept, and is the message's end */
		size_t n = strlen(ip.error), m = strlen(err->msg);

		if (why && *ip.error && (m < n || strcmp(err->msg + m - n, ip.error)))
			why_add(why, "error \"%s\" is not the end of \"%s\"", ip.error, err->msg);
		return -1;
	}
	if (why && ip.received_seconds > 0 &&
	    !close_rel(ip.received_bps, (double)ip.received_bytes * 8 / ip.received_seconds, 1e-6))
		why_add(why, "received %g bit/s is not %" PRIu64 " bytes in %g s", ip.received_bps,
		        ip.received_bytes, ip.received_seconds);
	if (why && *ip.error)
		why_add(why, "succeeded with an error \"%s\"", ip.error);
	*out = vl_iperf3_json(&ip);
	return 0;
}

/* NetPIPE's Mbps are bits / time / 2^20, rounded as printed: np.out has the
 * time to 1e-8 s and 6 decimals of Mbps, the log 0.01 usec and 0.01 Mbps. */
static void netpipe_check(struct vl_buf *why, const struct vl_netpipe *np)
{
	for (size_t i = 0; i < np->npoints; i++) {
		const struct vl_netpipe_point *p = &np->points[i];
		double dt = 0.005, dm = np->from_log ? 0.005 : 5e-7;
		double want = (double)p->bytes * 8 / (p->usec * 1e-6) / 1048576;
		double tol = want * dt / p->usec * 1.01 + dm + want * 1e-12;

		if (fabs(p->mbps - want) > tol) {
			why_add(why, "point %zu: %g Mbps is not %" PRIu64 " bytes in %g usec (%g)",
			        i, p->mbps, p->bytes, p->usec, want);
			return;
		}
	}
	if (!close_rel(np->peak_bps, np->peak_mbps * 1048576, 1e-12))
		why_add(why, "peak_bps %g is not peak_mbps × 2^20", np->peak_bps);
}

static int run_netpipe(const char *text, json_t **out, struct vl_buf *why, struct vl_err *err)
{
	struct vl_netpipe np;

	if (vl_parse_netpipe(text, &np, err) < 0)
		return -1;
	if (why)
		netpipe_check(why, &np);
	*out = vl_netpipe_json(&np);
	vl_netpipe_free(&np);
	vl_netpipe_free(&np); /* twice is safe */
	return 0;
}

static const struct parser parsers[] = {
    {"povray", run_povray},
    {"iperf", run_iperf},
    {"iperf3", run_iperf3},
    {"netpipe", run_netpipe},
};

static const struct parser *parser_for(const char *file)
{
	size_t n = strcspn(file, "-");

	for (size_t i = 0; i < VL_ARRAY_SIZE(parsers); i++)
		if (strlen(parsers[i].prog) == n && !strncmp(parsers[i].prog, file, n))
			return &parsers[i];
	return NULL;
}

/* --- comparing JSON ------------------------------------------------------- */

/* Add to why where got differs from want, up to a few places. */
static void jcmp(struct vl_buf *why, int *left, const char *path, json_t *got, json_t *want)
{
	const char *key;
	json_t *v;
	size_t i;

	if (*left <= 0)
		return;
	if (json_is_number(got) && json_is_number(want)) {
		if (!close_rel(json_number_value(got), json_number_value(want), REL_TOL)) {
			why_add(why, "%s: got %.17g, want %.17g", path, json_number_value(got),
			        json_number_value(want));
			--*left;
		}
		return;
	}
	if (json_typeof(got) != json_typeof(want)) {
		cleanup_free char *g = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT);
		cleanup_free char *w = json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT);

		why_add(why, "%s: got %.80s, want %.80s", path, g ? g : "?", w ? w : "?");
		--*left;
		return;
	}
	if (json_is_object(want)) {
		json_object_foreach(want, key, v)
		{
			cleanup_free char *p = vl_xasprintf("%s.%s", path, key);
			json_t *g = json_object_get(got, key);

			if (!g) {
				why_add(why, "%s: missing", p);
				--*left;
			} else {
				jcmp(why, left, p, g, v);
			}
		}
		json_object_foreach(got, key, v)
		{
			if (!json_object_get(want, key) && *left > 0) {
				why_add(why, "%s.%s: not expected", path, key);
				--*left;
			}
		}
		return;
	}
	if (json_is_array(want)) {
		if (json_array_size(got) != json_array_size(want)) {
			why_add(why, "%s: %zu elements, want %zu", path, json_array_size(got),
			        json_array_size(want));
			--*left;
			return;
		}
		json_array_foreach(want, i, v)
		{
			cleanup_free char *p = vl_xasprintf("%s[%zu]", path, i);

			jcmp(why, left, p, json_array_get(got, i), v);
		}
		return;
	}
	if (!json_equal(got, want)) {
		cleanup_free char *g = json_dumps(got, JSON_ENCODE_ANY);
		cleanup_free char *w = json_dumps(want, JSON_ENCODE_ANY);

		why_add(why, "%s: got %.80s, want %.80s", path, g ? g : "?", w ? w : "?");
		--*left;
	}
}

/* --- the cases ------------------------------------------------------------- */

static char *strip_nl(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static void update_expect(const char *path, int rc, json_t *got, const struct vl_err *err,
                          struct vl_buf *why)
{
	cleanup_free char *text = NULL;
	struct vl_err werr = {0};

	if (rc < 0)
		text = vl_xasprintf("error: %s\n", err->msg);
	else {
		cleanup_free char *j =
		    json_dumps(got, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));

		text = vl_xasprintf("%s\n", j ? j : "null");
	}
	if (vl_write_file(path, text, strlen(text), &werr) < 0)
		why_add(why, "%s", werr.msg);
}

static void run_case(const char *dir, const char *file)
{
	cleanup_free char *in_path = vl_xasprintf("%s/%s", dir, file);
	cleanup_free char *name = vl_xstrdup(file);
	cleanup_free char *exp_path = NULL;
	cleanup_free char *text = NULL, *expect = NULL;
	const struct parser *ps = parser_for(file);
	struct vl_buf why = {0};
	struct vl_err err = {0};
	json_t *got = NULL;
	int rc;

	name[strlen(name) - strlen(".in")] = '\0';
	exp_path = vl_xasprintf("%s/%s.expect", dir, name);
	if (!ps) {
		why_add(&why, "no parser for \"%.*s\" (povray-, iperf-, iperf3-, netpipe-)",
		        (int)strcspn(file, "-"), file);
		goto out;
	}
	if (vl_read_file(in_path, &text, NULL, &err) < 0) {
		why_add(&why, "%s", err.msg);
		goto out;
	}
	rc = ps->run(text, &got, &why, &err);
	if (rc == 0 && !got)
		why_add(&why, "vl_%s_json returned NULL", ps->prog);
	if (rc < 0 && !*err.msg)
		why_add(&why, "failed with an empty message");
	if (getenv("VL_UPDATE_EXPECT") && !strcmp(getenv("VL_UPDATE_EXPECT"), "1"))
		update_expect(exp_path, rc, got, &err, &why);
	if (vl_read_file(exp_path, &expect, NULL, &err) < 0) {
		printf("skip %s: %s\n", name, err.msg);
		nskip++;
		json_decref(got);
		vl_buf_free(&why);
		return;
	}
	strip_nl(expect);
	if (!strncmp(expect, "error: ", 7)) {
		if (rc == 0)
			why_add(&why, "succeeded, want error \"%s\"", expect + 7);
		else if (strcmp(err.msg, expect + 7))
			why_add(&why, "error \"%s\", want \"%s\"", err.msg, expect + 7);
	} else {
		json_error_t je;
		json_t *want = json_loads(expect, 0, &je);
		int left = 5;

		if (!want)
			why_add(&why, "%s.expect: line %d: %s", name, je.line, je.text);
		else if (rc < 0)
			why_add(&why, "error: %s", err.msg);
		else
			jcmp(&why, &left, "", got, want);
		json_decref(want);
	}
out:
	report(name, &why);
	json_decref(got);
	vl_buf_free(&why);
}

static int is_in(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return len > 3 && d->d_name[0] != '.' && !strcmp(d->d_name + len - 3, ".in");
}

/* The .in files of dir, sorted; *n of them. */
static struct dirent **list_dir(const char *dir, int *n)
{
	struct dirent **list = NULL;

	*n = scandir(dir, &list, is_in, alphasort);
	return list;
}

static void free_list(struct dirent **list, int n)
{
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static void run_dir(const char *dir, struct dirent **list, int n)
{
	struct vl_buf why = {0};

	if (n <= 0) {
		why_add(&why, "%s: %s", dir, n < 0 ? "cannot read the directory" : "no *.in");
		report("cases", &why);
		vl_buf_free(&why);
		return;
	}
	for (int i = 0; i < n; i++)
		run_case(dir, list[i]->d_name);
}

/* --- built-in checks ------------------------------------------------------- */

static void test_no_input(void)
{
	static const char *const want[] = {
	    "no output (expected POV-Ray 3.7's messages on stderr)",
	    "no output (expected iperf's -y C lines)",
	    "no output (expected iperf3's -J JSON)",
	    "no output (expected NPtcp's log on stderr or its np.out)",
	};
	static const char *const texts[] = {NULL, "", " \n\r\n\t\n"};
	struct vl_buf why = {0};

	for (size_t i = 0; i < VL_ARRAY_SIZE(parsers); i++)
		for (size_t k = 0; k < VL_ARRAY_SIZE(texts); k++) {
			struct vl_err err = {0};
			json_t *got = NULL;

			if (parsers[i].run(texts[k], &got, NULL, &err) == 0) {
				why_add(&why, "%s: input %zu parsed", parsers[i].prog, k);
				json_decref(got);
			} else if (strcmp(err.msg, want[i])) {
				why_add(&why, "%s: input %zu: \"%s\"", parsers[i].prog, k, err.msg);
			}
		}
	vl_iperf_free(NULL);
	vl_netpipe_free(NULL);
	report("builtin/no-input", &why);
	vl_buf_free(&why);
}

/* vnetlab's own number and CPU list syntax: decimal only. */
static void test_numbers(void)
{
	static const struct {
		const char *s;
		double want; /* NAN: refused */
	} nums[] = {
	    {"2", 2},     {"0.5", 0.5}, {".5", 0.5},  {"1e3", 1000}, {"1.5E-2", 0.015}, {"007", 7},
	    {"0x1", NAN}, {"inf", NAN}, {"nan", NAN}, {" 1", NAN},   {"1 ", NAN},       {"+1", NAN},
	    {"-1", NAN},  {"", NAN},    {".", NAN},   {"1e", NAN},   {"1e999", NAN},    {"0x", NAN},
	};
	static const struct {
		const char *s;
		int ok;
		unsigned first, last; /* the lowest and highest CPU set */
	} lists[] = {
	    {"0", 1, 0, 0},     {"0-3", 1, 0, 3},
	    {"1,3-4", 1, 1, 4}, {"4095", 1, 4095, 4095},
	    {"4096", 0, 0, 0},  {"0-4096", 0, 0, 0},
	    {"3-1", 0, 0, 0},   {"0-18446744073709551616", 0, 0, 0},
	    {"", 0, 0, 0},      {"1,", 0, 0, 0},
	    {"-1", 0, 0, 0},    {"0x1", 0, 0, 0},
	};
	struct vl_buf why = {0};

	for (size_t i = 0; i < VL_ARRAY_SIZE(nums); i++) {
		double v = -1;
		int r = vl_parse_number(nums[i].s, 0, 1e6, &v);

		if (isnan(nums[i].want) ? r == 0 : (r < 0 || v != nums[i].want))
			why_add(&why, "\"%s\": %s %g", nums[i].s, r < 0 ? "refused" : "read", v);
	}
	for (size_t i = 0; i < VL_ARRAY_SIZE(lists); i++) {
		uint64_t set[VL_MAX_CPUS / 64];
		int r = vl_parse_cpulist(lists[i].s, set), first = -1, last = -1;

		for (int c = 0; r == 0 && c < VL_MAX_CPUS; c++)
			if (set[c / 64] >> (c % 64) & 1) {
				if (first < 0)
					first = c;
				last = c;
			}
		if ((r == 0) != lists[i].ok ||
		    (r == 0 && (first != (int)lists[i].first || last != (int)lists[i].last)))
			why_add(&why, "cpu list \"%s\": %s %d-%d", lists[i].s,
			        r < 0 ? "refused" : "read", first, last);
	}
	report("builtin/numbers", &why);
	vl_buf_free(&why);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void) /* xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/* Parse text (len bytes, NUL-terminated copy made here); a crash is the
 * failure this is after (ASan), beyond a clean result either way. */
static void robust_one(const struct parser *ps, const char *text, size_t len, const char *what,
                       struct vl_buf *why)
{
	cleanup_free char *copy = vl_xmalloc(len + 1);
	struct vl_err err = {0};
	json_t *got = NULL;

	memcpy(copy, text, len);
	copy[len] = '\0';
	if (ps->run(copy, &got, NULL, &err) == 0) {
		if (!got)
			why_add(why, "%s: no JSON", what);
	} else if (!*err.msg) {
		why_add(why, "%s: an empty message", what);
	}
	json_decref(got);
}

static void mutate(char *s, size_t *len, size_t cap)
{
	static const char alphabet[] = "0123456789,.-:x \t\n\r{}[]\"e";
	size_t at = *len ? (size_t)(rnd() % *len) : 0, span = 1 + (size_t)(rnd() % 8);

	switch (rnd() % 4) {
	case 0: /* replace a byte */
		if (*len)
			s[at] = rnd() % 4 ? alphabet[rnd() % (sizeof(alphabet) - 1)]
			                  : (char)(1 + rnd() % 255);
		break;
	case 1: /* delete a span */
		if (at + span > *len)
			span = *len - at;
		memmove(s + at, s + at + span, *len - at - span);
		*len -= span;
		break;
	case 2: /* duplicate a span */
		if (at + span > *len)
			span = *len - at;
		if (*len + span <= cap) {
			memmove(s + at + span, s + at, *len - at);
			*len += span;
		}
		break;
	default: /* a digit run: big numbers */
		if (*len + 24 <= cap) {
			memmove(s + at + 24, s + at, *len - at);
			for (int i = 0; i < 24; i++)
				s[at + i] = (char)('0' + rnd() % 10);
			*len += 24;
		}
		break;
	}
}

static void test_robust(const char *dir, struct dirent **list, int n)
{
	unsigned long rounds = 150;

	/* VL_PARSE_FUZZ=N: N mutations per file instead, for a longer hunt */
	if (getenv("VL_PARSE_FUZZ") &&
	    vl_parse_uint(getenv("VL_PARSE_FUZZ"), 0, 100000000, &rounds) < 0)
		rounds = 150;
	for (size_t k = 0; k < VL_ARRAY_SIZE(parsers); k++) {
		cleanup_free char *name = vl_xasprintf("builtin/robust-%s", parsers[k].prog);
		struct vl_buf why = {0};
		int files = 0;

		for (int i = 0; i < n && why.len == 0; i++) {
			cleanup_free char *path = vl_xasprintf("%s/%s", dir, list[i]->d_name);
			cleanup_free char *text = NULL, *buf = NULL;
			struct vl_err err = {0};
			size_t len, step, cap;

			if (parser_for(list[i]->d_name) != &parsers[k])
				continue;
			if (vl_read_file(path, &text, &len, &err) < 0) {
				why_add(&why, "%s", err.msg);
				break;
			}
			files++;
			step = len / 200 + 1;
			for (size_t cut = 0; cut <= len; cut += step) {
				char what[320];

				snprintf(what, sizeof(what), "%s cut at %zu", list[i]->d_name, cut);
				robust_one(&parsers[k], text, cut, what, &why);
			}
			cap = len * 2 + 64;
			buf = vl_xmalloc(cap);
			for (unsigned long round = 0; round < rounds; round++) {
				char what[320];
				size_t blen = len;

				memcpy(buf, text, len);
				for (int m = 1 + (int)(rnd() % 4); m > 0; m--)
					mutate(buf, &blen, cap);
				snprintf(what, sizeof(what), "%s mutation %lu", list[i]->d_name,
				         round);
				robust_one(&parsers[k], buf, blen, what, &why);
			}
		}
		if (!files)
			why_add(&why, "no %s-*.in to mutate", parsers[k].prog);
		report(name, &why);
		vl_buf_free(&why);
	}
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/parse";
	struct dirent **list;
	int n;

	list = list_dir(dir, &n);
	run_dir(dir, list, n);
	test_no_input();
	test_numbers();
	test_robust(dir, list, n);
	if (n > 0)
		free_list(list, n);
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
