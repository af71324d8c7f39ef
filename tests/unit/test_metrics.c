/* test_metrics [DIR]: data-driven tests of src/study/metrics.
 *
 * Each DIR/<case>.case (DIR defaults to tests/metrics) holds lines
 * "key: values"; '#' starts a comment line (the hand arithmetic), blank
 * lines are ignored. Input:
 *   x: 1 2 3 4            the per-instance values (none: N = 0)
 *   starved: 0 0 1 0      optional, 1 = instance did not finish
 * Expected (any subset; numbers compared within an absolute 1e-4, "inf"
 * only equals inf):
 *   jain: worst: maxmin: cv: sum: mean: ideal:   one number
 *   share: cdf:           one number per instance (cdf: shares ascending)
 *   nstarved: 1           the count (a key of its own: "starved:" is input)
 *   measured: 0|1         0 iff every value is 0
 *   word: mostly fair     vl_metrics_fairness_word(jain)
 *   error: <message>      the exact error; no other expectation then
 * A case with no expectation is skipped. Built-in checks follow: the
 * helpers, fairness words, extremes and random inputs against the naive
 * formulas.
 *
 * Prints "ok NAME" or "FAIL NAME: ..." per case, then exactly
 * "N passed, M failed, K skipped"; exit status 1 iff M > 0. */
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "study/metrics.h"
#include "check.h"

#define TOL 1e-4

static bool close_to(double got, double want)
{
	if (isinf(got) || isinf(want))
		return got == want;
	return fabs(got - want) <= TOL;
}

static void expect_num(struct vl_buf *why, const char *key, double got, double want)
{
	if (!close_to(got, want))
		why_add(why, "%s: got %.6g, want %.6g", key, got, want);
}

static void expect_list(struct vl_buf *why, const char *key, const double *got, size_t n,
                        const double *want, size_t nwant)
{
	if (n != nwant) {
		why_add(why, "%s: got %zu values, want %zu", key, n, nwant);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!close_to(got[i], want[i])) {
			why_add(why, "%s[%zu]: got %.6g, want %.6g", key, i, got[i], want[i]);
			return;
		}
}

/* --- case files ---------------------------------------------------------- */

struct list {
	double *v;
	size_t n, cap;
	bool given;
};

struct expect {
	const char *key;
	double want;
	bool given;
};

enum { E_JAIN, E_WORST, E_MAXMIN, E_CV, E_SUM, E_MEAN, E_IDEAL, E_NSTARVED, E_MEASURED, E_COUNT };

struct tcase {
	struct list x, starved, share, cdf;
	struct expect num[E_COUNT];
	char *error, *word;
};

static void case_init(struct tcase *c)
{
	static const char *const keys[E_COUNT] = {"jain", "worst",    "maxmin",   "cv",      "sum",
	                                          "mean", "ideal", "nstarved", "measured"};

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < E_COUNT; i++)
		c->num[i].key = keys[i];
}

static void case_free(struct tcase *c)
{
	free(c->x.v);
	free(c->starved.v);
	free(c->share.v);
	free(c->cdf.v);
	free(c->error);
	free(c->word);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* One number, whole token ("inf" and "nan" as strtod spells them). */
static int parse_num(const char *tok, double *out)
{
	char *end;

	*out = strtod(tok, &end);
	return end == tok || *end ? -1 : 0;
}

static int parse_list(char *s, struct list *l, struct vl_buf *why, const char *key)
{
	char *save = NULL;

	l->given = true;
	for (char *tok = strtok_r(s, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		vl_grow(&l->v, &l->cap, l->n, sizeof(*l->v));
		if (parse_num(tok, &l->v[l->n]) < 0) {
			why_add(why, "case file: %s: bad number \"%s\"", key, tok);
			return -1;
		}
		l->n++;
	}
	return 0;
}

/* Parse text into c; a malformed file is a failure of its own. */
static int parse_case(char *text, struct tcase *c, struct vl_buf *why)
{
	char *save = NULL;
	unsigned lineno = 0;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon, *key, *val;
		struct list *l = NULL;
		int i;

		lineno++;
		line = trim(line);
		if (!*line || *line == '#')
			continue;
		colon = strchr(line, ':');
		if (!colon) {
			why_add(why, "case file: \"%s\": no ':'", line);
			return -1;
		}
		*colon = '\0';
		key = trim(line);
		val = trim(colon + 1);
		if (!strcmp(key, "x"))
			l = &c->x;
		else if (!strcmp(key, "starved"))
			l = &c->starved;
		else if (!strcmp(key, "share"))
			l = &c->share;
		else if (!strcmp(key, "cdf"))
			l = &c->cdf;
		if (l) {
			if (l->given) {
				why_add(why, "case file: %s: given twice", key);
				return -1;
			}
			if (parse_list(val, l, why, key) < 0)
				return -1;
			continue;
		}
		if (!strcmp(key, "error") || !strcmp(key, "word")) {
			char **dst = key[0] == 'e' ? &c->error : &c->word;

			if (*dst) {
				why_add(why, "case file: %s: given twice", key);
				return -1;
			}
			*dst = vl_xstrdup(val);
			continue;
		}
		for (i = 0; i < E_COUNT; i++)
			if (!strcmp(key, c->num[i].key))
				break;
		if (i == E_COUNT) {
			why_add(why, "case file: unknown key \"%s\"", key);
			return -1;
		}
		if (c->num[i].given || parse_num(val, &c->num[i].want) < 0) {
			why_add(why, "case file: %s: given twice or not one number: \"%s\"", key,
			        val);
			return -1;
		}
		c->num[i].given = true;
	}
	if (!c->x.given) {
		why_add(why, "case file: no \"x:\" line");
		return -1;
	}
	if (c->starved.given && c->starved.n != c->x.n) {
		why_add(why, "case file: starved: %zu flags for %zu values", c->starved.n, c->x.n);
		return -1;
	}
	return 0;
}

static bool case_expects(const struct tcase *c)
{
	if (c->share.given || c->cdf.given || c->error || c->word)
		return true;
	for (int i = 0; i < E_COUNT; i++)
		if (c->num[i].given)
			return true;
	return false;
}

static void check_case(const struct tcase *c, struct vl_buf *why)
{
	struct vl_metrics m;
	struct vl_err err = {0};
	cleanup_free bool *finished = NULL;
	double got[E_COUNT];
	int rc;

	if (c->starved.given) {
		finished = vl_xcalloc(c->starved.n ? c->starved.n : 1, sizeof(*finished));
		for (size_t i = 0; i < c->starved.n; i++)
			finished[i] = c->starved.v[i] == 0;
	}
	rc = vl_metrics_compute(c->x.v, finished, c->x.n, &m, &err);
	if (c->error) {
		if (rc == 0)
			why_add(why, "succeeded, want error \"%s\"", c->error);
		else if (strcmp(err.msg, c->error))
			why_add(why, "error \"%s\", want \"%s\"", err.msg, c->error);
		vl_metrics_free(&m);
		return;
	}
	if (rc < 0) {
		why_add(why, "error: %s", err.msg);
		return;
	}
	got[E_JAIN] = m.jain;
	got[E_WORST] = m.worst_share;
	got[E_MAXMIN] = m.maxmin;
	got[E_CV] = m.cv;
	got[E_SUM] = m.sum;
	got[E_MEAN] = m.mean;
	got[E_IDEAL] = m.ideal_share;
	got[E_NSTARVED] = (double)m.nstarved;
	got[E_MEASURED] = m.measured;
	for (int i = 0; i < E_COUNT; i++)
		if (c->num[i].given)
			expect_num(why, c->num[i].key, got[i], c->num[i].want);
	if (c->share.given)
		expect_list(why, "share", m.share, m.n, c->share.v, c->share.n);
	if (c->cdf.given)
		expect_list(why, "cdf", m.cdf, m.n, c->cdf.v, c->cdf.n);
	if (c->word && strcmp(vl_metrics_fairness_word(m.jain), c->word))
		why_add(why, "word: got \"%s\", want \"%s\"", vl_metrics_fairness_word(m.jain),
		        c->word);
	if (m.maxmin_infinite != (bool)isinf(m.maxmin))
		why_add(why, "maxmin_infinite %d but maxmin %g", m.maxmin_infinite, m.maxmin);
	vl_metrics_free(&m);
}

static void run_case(const char *dir, const char *file)
{
	cleanup_free char *path = vl_xasprintf("%s/%s", dir, file);
	cleanup_free char *name = vl_xstrdup(file);
	cleanup_free char *text = NULL;
	struct vl_buf why = {0};
	struct vl_err err = {0};
	struct tcase c;

	name[strlen(name) - strlen(".case")] = '\0';
	case_init(&c);
	if (vl_read_file(path, &text, NULL, &err) < 0)
		why_add(&why, "%s", err.msg);
	else if (parse_case(text, &c, &why) == 0) {
		if (!case_expects(&c)) {
			printf("skip %s: no expected line\n", name);
			nskip++;
			goto out;
		}
		if (c.error && (c.share.given || c.cdf.given || c.word))
			why_add(&why, "case file: error: with other expectations");
		else
			check_case(&c, &why);
	}
	report(name, &why);
out:
	vl_buf_free(&why);
	case_free(&c);
}

static int is_case(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return len > 5 && d->d_name[0] != '.' && !strcmp(d->d_name + len - 5, ".case");
}

static void run_dir(const char *dir)
{
	struct dirent **list = NULL;
	int n = scandir(dir, &list, is_case, alphasort);
	struct vl_buf why = {0};

	if (n <= 0) {
		why_add(&why, "%s: %s", dir, n < 0 ? "cannot read the directory" : "no *.case");
		report("cases", &why);
		vl_buf_free(&why);
		free(list);
		return;
	}
	for (int i = 0; i < n; i++) {
		run_case(dir, list[i]->d_name);
		free(list[i]);
	}
	free(list);
}

/* --- built-in checks ----------------------------------------------------- */

static void test_helpers(void)
{
	struct vl_buf why = {0};
	struct vl_err err = {0};
	double r;

	if (vl_metrics_slowdown(30, 10, &r, &err) < 0 || r != 3)
		why_add(&why, "slowdown 30/10: %g %s", r, err.msg);
	if (vl_metrics_slowdown(0, 10, &r, &err) < 0 || r != 0)
		why_add(&why, "slowdown 0/10: %g %s", r, err.msg);
	if (vl_metrics_slowdown(5, 0, &r, &err) == 0 ||
	    strcmp(err.msg, "reference time 0: must be a finite number > 0"))
		why_add(&why, "slowdown 5/0: \"%s\"", err.msg);
	if (vl_metrics_slowdown(NAN, 1, &r, &err) == 0 ||
	    strcmp(err.msg, "emulated time nan: must be a finite number >= 0"))
		why_add(&why, "slowdown nan/1: \"%s\"", err.msg);
	/* 4 instances took 40 s together, one alone 5 s: 40 / (4 × 5) = 2. */
	if (vl_metrics_scale(40, 4, 5, &r, &err) < 0 || r != 2)
		why_add(&why, "scale 40/(4x5): %g %s", r, err.msg);
	if (vl_metrics_scale(40, 0, 5, &r, &err) == 0 ||
	    strcmp(err.msg, "scale factor: no instances (N = 0)"))
		why_add(&why, "scale N=0: \"%s\"", err.msg);
	if (vl_metrics_scale(40, 4, -1, &r, &err) == 0 ||
	    strcmp(err.msg, "solo time -1: must be a finite number > 0"))
		why_add(&why, "scale solo -1: \"%s\"", err.msg);
	if (vl_metrics_utilisation(900e6, 1e9, &r, &err) < 0 || fabs(r - 0.9) > 1e-12)
		why_add(&why, "utilisation 900M/1G: %g %s", r, err.msg);
	if (vl_metrics_utilisation(1, INFINITY, &r, &err) == 0 ||
	    strcmp(err.msg, "capacity inf: must be a finite number > 0"))
		why_add(&why, "utilisation 1/inf: \"%s\"", err.msg);
	report("builtin/helpers", &why);
	vl_buf_free(&why);
}

static void test_words(void)
{
	static const struct {
		double jain;
		const char *word;
	} t[] = {
	    {1, "fair"},        {0.95, "fair"},  {0.9499, "mostly fair"}, {0.85, "mostly fair"},
	    {0.8499, "unfair"}, {0.1, "unfair"}, {NAN, "unknown"},
	};
	struct vl_buf why = {0};

	for (size_t i = 0; i < VL_ARRAY_SIZE(t); i++)
		if (strcmp(vl_metrics_fairness_word(t[i].jain), t[i].word))
			why_add(&why, "%g: \"%s\", want \"%s\"", t[i].jain,
			        vl_metrics_fairness_word(t[i].jain), t[i].word);
	report("builtin/words", &why);
	vl_buf_free(&why);
}

/* Values near the ends of the double range: nothing overflows or is lost. */
static void test_extremes(void)
{
	const double big[] = {DBL_MAX, DBL_MAX, DBL_MAX};
	const double tiny[] = {4.9406564584124654e-324, 4.9406564584124654e-324};
	const double wide[] = {1e300, 1e-300};
	struct vl_buf why = {0};
	struct vl_err err = {0};
	struct vl_metrics m;

	if (vl_metrics_compute(big, NULL, 3, &m, &err) < 0)
		why_add(&why, "DBL_MAX x3: %s", err.msg);
	else if (m.jain != 1 || m.worst_share != 1 || m.cv != 0 || m.maxmin != 1 ||
	         !close_to(m.share[0], 1.0 / 3) || m.mean != DBL_MAX)
		why_add(&why, "DBL_MAX x3: jain %g worst %g cv %g maxmin %g share %g mean %g", m.jain,
		        m.worst_share, m.cv, m.maxmin, m.share[0], m.mean);
	vl_metrics_free(&m);
	if (vl_metrics_compute(tiny, NULL, 2, &m, &err) < 0)
		why_add(&why, "denormals: %s", err.msg);
	else if (!m.measured || m.jain != 1 || m.share[1] != 0.5 || m.worst_share != 1)
		why_add(&why, "denormals: measured %d jain %g share %g worst %g", m.measured, m.jain,
		        m.share[1], m.worst_share);
	vl_metrics_free(&m);
	if (vl_metrics_compute(wide, NULL, 2, &m, &err) < 0)
		why_add(&why, "1e300/1e-300: %s", err.msg);
	else if (!m.maxmin_infinite || !isinf(m.maxmin) || !close_to(m.jain, 0.5) ||
	         m.share[0] != 1)
		why_add(&why, "1e300/1e-300: maxmin %g (flag %d) jain %g share %g", m.maxmin,
		        m.maxmin_infinite, m.jain, m.share[0]);
	vl_metrics_free(&m);
	vl_metrics_free(&m); /* twice is safe */
	if (vl_metrics_compute(NULL, NULL, 2, &m, &err) == 0 ||
	    strcmp(err.msg, "no values given for 2 instances") || m.share || m.cdf)
		why_add(&why, "NULL x: \"%s\"", err.msg);
	report("builtin/extremes", &why);
	vl_buf_free(&why);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static double rnd(void) /* [0, 1), xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* Random inputs against the naive formulas and the invariants. */
static void test_random(void)
{
	struct vl_buf why = {0};

	for (int round = 0; round < 500 && !why.len; round++) {
		size_t n = 1 + (size_t)(rnd() * 64);
		cleanup_free double *x = vl_xcalloc(n, sizeof(*x));
		cleanup_free bool *fin = vl_xcalloc(n, sizeof(*fin));
		double s = 0, s2 = 0, shares = 0, lo = HUGE_VAL, worst;
		size_t starved = 0;
		struct vl_err err = {0};
		struct vl_metrics m;

		for (size_t i = 0; i < n; i++) {
			/* some zeros, some ties, a wide range of scales */
			double r = rnd();

			x[i] = r < 0.1 ? 0 : r < 0.2 ? 7 : rnd() * pow(10, (int)(rnd() * 12) - 6);
			fin[i] = rnd() < 0.8;
			starved += !fin[i];
			s += x[i];
			s2 += x[i] * x[i];
		}
		if (vl_metrics_compute(x, fin, n, &m, &err) < 0) {
			why_add(&why, "round %d: %s", round, err.msg);
			break;
		}
		if (m.nstarved != starved)
			why_add(&why, "round %d: nstarved %zu, want %zu", round, m.nstarved,
			        starved);
		if (s == 0) {
			if (m.measured || m.jain != 1 || m.worst_share != 1)
				why_add(&why, "round %d: all zero, measured %d", round, m.measured);
			vl_metrics_free(&m);
			continue;
		}
		if (fabs(m.jain - s * s / (n * s2)) > 1e-9)
			why_add(&why, "round %d: jain %.12g, naive %.12g", round, m.jain,
			        s * s / (n * s2));
		if (m.jain < 1.0 / n - 1e-12 || m.jain > 1 + 1e-12)
			why_add(&why, "round %d: jain %g outside [1/n, 1]", round, m.jain);
		if (fabs(m.jain - 1 / (1 + m.cv * m.cv)) > 1e-9)
			why_add(&why, "round %d: jain %g != 1/(1+cv^2)", round, m.jain);
		for (size_t i = 0; i < n; i++) {
			shares += m.share[i];
			if (fabs(m.share[i] - x[i] / s) > 1e-12)
				why_add(&why, "round %d: share[%zu] %g, want %g", round, i,
				        m.share[i], x[i] / s);
			if (i && m.cdf[i] < m.cdf[i - 1])
				why_add(&why, "round %d: cdf not ascending at %zu", round, i);
			if (x[i] < lo)
				lo = x[i];
		}
		worst = lo / (s / n);
		if (fabs(shares - 1) > 1e-12)
			why_add(&why, "round %d: shares sum to %.15g", round, shares);
		if (fabs(m.worst_share - worst) > 1e-9 || m.worst_share < 0 || m.worst_share > 1 + 1e-12)
			why_add(&why, "round %d: worst share %g, want %g", round, m.worst_share, worst);
		vl_metrics_free(&m);
	}
	report("builtin/random", &why);
	vl_buf_free(&why);
}

static void test_fit(void)
{
	static const double x[] = {1, 2, 4, 8}, exact[] = {3, 5, 9, 17}, noisy[] = {1, 3, 2, 4};
	struct vl_buf why = {0};
	double a, b, r2;
	struct vl_err err;

	/* y = 1 + 2x */
	if (vl_metrics_linear_fit(x, exact, 4, &a, &b, &r2, &err) < 0 || fabs(a - 1) > 1e-12 ||
	    fabs(b - 2) > 1e-12 || fabs(r2 - 1) > 1e-12)
		why_add(&why, "exact: a %g b %g r2 %g", a, b, r2);
	/* by hand over x = 1..4, y = 1 3 2 4: mean x 2.5, mean y 2.5, sxx 5,
	 * sxy 4, b 0.8, a 0.5, residuals -0.3 0.9 -0.9 0.3, res 1.8, syy 5,
	 * r2 0.64 */
	if (vl_metrics_linear_fit((const double[]){1, 2, 3, 4}, noisy, 4, &a, &b, &r2, &err) < 0 ||
	    fabs(a - 0.5) > 1e-12 || fabs(b - 0.8) > 1e-12 || fabs(r2 - 0.64) > 1e-12)
		why_add(&why, "noisy: a %g b %g r2 %g", a, b, r2);
	if (vl_metrics_linear_fit(x, exact, 1, &a, &b, &r2, &err) == 0 ||
	    vl_metrics_linear_fit((const double[]){2, 2}, exact, 2, &a, &b, &r2, &err) == 0 ||
	    vl_metrics_linear_fit((const double[]){1, NAN}, exact, 2, &a, &b, &r2, &err) == 0)
		why_add(&why, "one point, equal x or NaN taken");
	report("builtin/linear-fit", &why);
	vl_buf_free(&why);
}

static void test_isolation(void)
{
	/* completion rates without and with a neighbour: 1/2 s -> 1/2.5 s is
	 * 1.25x; 4 -> 2 is 2x; 3 -> 3 untouched; one that did nothing with it */
	static const double base[] = {0.5, 4, 3, 1}, with[] = {0.4, 2, 3, 0};
	struct vl_buf why = {0};
	double slow[4], med, worst;
	struct vl_err err;

	if (vl_metrics_isolation(base, with, 3, slow, &med, &worst, &err) < 0 ||
	    fabs(slow[0] - 1.25) > 1e-12 || fabs(slow[1] - 2) > 1e-12 || slow[2] != 1 ||
	    fabs(med - 1.25) > 1e-12 || fabs(worst - 2) > 1e-12)
		why_add(&why, "three: %g %g %g, median %g worst %g", slow[0], slow[1], slow[2], med,
		        worst);
	/* even n: the median is the mean of the middle two (1.25, 2) */
	if (vl_metrics_isolation(base, with, 4, slow, &med, &worst, &err) < 0 ||
	    !isinf(slow[3]) || !isinf(worst) || fabs(med - 1.625) > 1e-12)
		why_add(&why, "starved: %g, median %g worst %g", slow[3], med, worst);
	if (vl_metrics_isolation(base, with, 0, slow, &med, &worst, &err) == 0 ||
	    vl_metrics_isolation((const double[]){0}, with, 1, slow, &med, &worst, &err) == 0 ||
	    vl_metrics_isolation(base, (const double[]){NAN}, 1, slow, &med, &worst, &err) == 0)
		why_add(&why, "n 0, a zero base or a NaN taken");
	else if (!strstr(err.msg, "instance 0"))
		why_add(&why, "error does not name the instance: %s", err.msg);
	report("builtin/isolation", &why);
	vl_buf_free(&why);
}

int main(int argc, char **argv)
{
	test_fit();
	test_isolation();
	run_dir(argc > 1 ? argv[1] : "tests/metrics");
	test_helpers();
	test_words();
	test_extremes();
	test_random();
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
