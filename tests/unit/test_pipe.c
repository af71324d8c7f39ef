/* test_pipe: the link model (src/link/pipe.c) on data alone. Every case
 * uses fixed seeds, so the statistical bounds are checked against one
 * deterministic sample: they cannot flake, and they are still the bounds a
 * random sample would meet (99 % binomial intervals and the like).
 *
 * Prints "ok <case>: <figures>" or "FAIL <case>: <why>" per case and last
 * exactly "N passed, M failed, K skipped"; exit status 1 iff M > 0. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo/impair.h"
#include "link/pipe.h"

#define MS 1000000ull

#include "check.h"

static int drop_out(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	(void)frame;
	(void)len;
	return 0;
}

/* Offer n frames of len bytes, one every gap ns (first at t0), draining
 * released frames as time goes. Records verdicts and release times of the
 * queued frames when the arrays are given. Returns the number lost. */
static size_t run(struct vl_pipe *p, size_t n, size_t len, uint64_t t0, uint64_t gap,
                  unsigned char *verdict, uint64_t *rel)
{
	static unsigned char frame[VL_PIPE_MAX_FRAME];
	size_t lostn = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t now = t0 + i * gap;
		int v;

		vl_pipe_dequeue(p, now, drop_out, NULL);
		v = vl_pipe_enqueue(p, now, frame, len);
		if (verdict)
			verdict[i] = (unsigned char)v;
		if (rel)
			rel[i] = v == VL_PIPE_QUEUED ? p->last_release : 0;
		lostn += v == VL_PIPE_DROP_LOSS;
	}
	vl_pipe_dequeue(p, UINT64_MAX, drop_out, NULL);
	return lostn;
}

/* --- determinism ------------------------------------------------------------ */

static void test_determinism(void)
{
	enum { N = 20000 };
	struct vl_impair im = {.rate_bps = 100000000,
	                       .delay_ns = 10 * MS,
	                       .jitter_ns = 3 * MS,
	                       .dist = VL_DIST_NORMAL,
	                       .loss = 0.05};
	static unsigned char v1[N], v2[N], v3[N];
	static uint64_t r1[N], r2[N], r3[N];
	struct vl_pipe p;

	vl_pipe_init(&p, &im, 42);
	run(&p, N, 1000, 0, 50000, v1, r1);
	vl_pipe_free(&p);
	vl_pipe_init(&p, &im, 42);
	run(&p, N, 1000, 0, 50000, v2, r2);
	vl_pipe_free(&p);
	vl_pipe_init(&p, &im, 43);
	run(&p, N, 1000, 0, 50000, v3, r3);
	vl_pipe_free(&p);
	result("same seed, same drops and release times",
	       !memcmp(v1, v2, sizeof(v1)) && !memcmp(r1, r2, sizeof(r1)), "%d frames", N);
	result("other seed, other drops and release times",
	       memcmp(v1, v3, sizeof(v1)) && memcmp(r1, r3, sizeof(r1)), "%d frames", N);
}

/* --- loss ------------------------------------------------------------------- */

static void test_random_loss(void)
{
	static const struct {
		double loss;
		size_t n;
		uint64_t seed;
	} cases[] = {
	    {0.01, 200000, 1},  {0.01, 200000, 7}, {0.10, 200000, 1},
	    {0.10, 100000, 99}, {0.0, 100000, 1},  {1.0, 1000, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vl_impair im = {.loss = cases[i].loss};
		double n = (double)cases[i].n, mu = n * im.loss;
		double half = 2.576 * sqrt(n * im.loss * (1 - im.loss));
		struct vl_pipe p;
		size_t lostn;
		char name[96];

		vl_pipe_init(&p, &im, cases[i].seed);
		lostn = run(&p, cases[i].n, 100, 0, 1000, NULL, NULL);
		snprintf(name, sizeof(name), "loss %g over %zu frames (seed %llu)", im.loss,
		         cases[i].n, (unsigned long long)cases[i].seed);
		result(name,
		       (double)lostn >= floor(mu - half) && (double)lostn <= ceil(mu + half) &&
		           p.st.dropped_loss == lostn && p.st.sent + lostn == cases[i].n,
		       "%zu lost, 99%% interval [%.0f, %.0f]", lostn, floor(mu - half),
		       ceil(mu + half));
		vl_pipe_free(&p);
	}
}

static void test_gilbert_elliott(void)
{
	static const struct {
		double p, r, h, k;
	} cases[] = {
	    {0.01, 0.20, 0.0, 1.0}, /* Gilbert: all lost in bad, none in good */
	    {0.05, 0.50, 0.0, 1.0},
	    {0.02, 0.10, 0.3, 0.99},
	};
	enum { N = 1000000 };
	static unsigned char v[N];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vl_impair im = {.ge = true,
		                       .ge_p = cases[i].p,
		                       .ge_r = cases[i].r,
		                       .ge_h = cases[i].h,
		                       .ge_k = cases[i].k};
		double pib = im.ge_p / (im.ge_p + im.ge_r);
		double want = pib * (1 - im.ge_h) + (1 - pib) * (1 - im.ge_k), got;
		size_t lostn, bursts = 0, inburst = 0;
		struct vl_pipe p;
		char name[96];
		int ok;

		vl_pipe_init(&p, &im, 1000 + i);
		lostn = run(&p, N, 60, 0, 1000, v, NULL);
		vl_pipe_free(&p);
		got = (double)lostn / N;
		ok = fabs(got - want) <= 0.05 * want;
		for (size_t j = 0; j < N; j++) {
			if (v[j] == VL_PIPE_DROP_LOSS && (j == 0 || v[j - 1] != VL_PIPE_DROP_LOSS))
				bursts++;
			inburst += v[j] == VL_PIPE_DROP_LOSS;
		}
		snprintf(name, sizeof(name), "gemodel p %g r %g h %g k %g", im.ge_p, im.ge_r,
		         im.ge_h, im.ge_k);
		if (im.ge_h == 0 && im.ge_k == 1) {
			double mb = (double)inburst / (double)bursts;

			ok = ok && fabs(mb - 1 / im.ge_r) <= 0.05 / im.ge_r;
			result(name, ok, "loss %.4f (stationary %.4f), mean burst %.2f (1/r %.2f)",
			       got, want, mb, 1 / im.ge_r);
		} else {
			/* bursty: more consecutive losses than independent loss gives */
			double mb = (double)inburst / (double)bursts, indep = 1 / (1 - want);

			ok = ok && mb > 1.2 * indep;
			result(name, ok,
			       "loss %.4f (stationary %.4f), mean burst %.2f (independent %.2f)",
			       got, want, mb, indep);
		}
	}
}

/* --- rate ------------------------------------------------------------------- */

static void test_rate(void)
{
	static const struct {
		uint64_t rate;
		size_t len;
	} cases[] = {
	    {8000000, 1000},
	    {7000000, 1500},
	    {1000000000, 64},
	    {10000000, 1514},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vl_impair im = {.rate_bps = cases[i].rate};
		static unsigned char frame[2000];
		struct vl_pipe p;
		char name[96];
		int ok = 1;
		size_t bad = 0;

		/* all offered at t = 0: back to back */
		vl_pipe_init(&p, &im, 1);
		for (size_t n = 1; n <= 1000; n++) {
			uint64_t want =
			    (uint64_t)(n * cases[i].len * 8 * 1000000000ull / cases[i].rate);

			vl_pipe_enqueue(&p, 0, frame, cases[i].len);
			if (p.last_release != want && !bad++)
				ok = 0;
		}
		vl_pipe_free(&p);
		snprintf(name, sizeof(name), "rate %llu bit/s, %zu-byte frames back to back",
		         (unsigned long long)cases[i].rate, cases[i].len);
		result(name, ok, "frame n departs at exactly floor(n*L*8/rate); %zu off", bad);
	}

	/* idle link: a frame arriving after the link is idle departs after its
	 * own serialization, no burst credit */
	{
		struct vl_impair im = {.rate_bps = 8000000};
		static unsigned char frame[1000];
		struct vl_pipe p;
		uint64_t r1, r2, r3;

		vl_pipe_init(&p, &im, 1);
		vl_pipe_enqueue(&p, 0, frame, 1000);
		r1 = p.last_release;
		vl_pipe_enqueue(&p, 100 * MS, frame, 1000);
		r2 = p.last_release;
		vl_pipe_enqueue(&p, 100 * MS, frame, 1000);
		r3 = p.last_release;
		vl_pipe_free(&p);
		result("rate: idle link gives no burst",
		       r1 == MS && r2 == 101 * MS && r3 == 102 * MS, "%llu %llu %llu ns",
		       (unsigned long long)r1, (unsigned long long)r2, (unsigned long long)r3);
	}
}

/* --- delay and jitter ----------------------------------------------------------- */

static void test_delay(void)
{
	struct vl_impair im = {.delay_ns = 20 * MS};
	static unsigned char frame[100];
	struct vl_pipe p;
	uint64_t t = 0, x = 12345;
	size_t bad = 0;

	vl_pipe_init(&p, &im, 1);
	for (int i = 0; i < 10000; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		t += (x >> 40) % 5000000; /* 0..5 ms apart */
		vl_pipe_dequeue(&p, t, drop_out, NULL);
		if (vl_pipe_enqueue(&p, t, frame, sizeof(frame)) != VL_PIPE_QUEUED ||
		    p.last_release != t + 20 * MS)
			bad++;
	}
	vl_pipe_free(&p);
	result("delay 20ms, no jitter: release = arrival + 20ms exactly", !bad,
	       "10000 frames, %zu off", bad);
}

struct moments {
	double mean, sd, min, max;
};

/* Offsets release - arrival of n frames spaced far enough apart (1 s) that
 * the no-reordering rule never moves one. */
static struct moments offsets(const struct vl_impair *im, size_t n, uint64_t seed)
{
	static unsigned char frame[64];
	struct moments m = {0, 0, INFINITY, -INFINITY};
	double s = 0, s2 = 0;
	struct vl_pipe p;

	vl_pipe_init(&p, im, seed);
	for (size_t i = 0; i < n; i++) {
		uint64_t t = (uint64_t)(i + 1) * 1000 * MS;
		double d;

		vl_pipe_dequeue(&p, t, drop_out, NULL);
		vl_pipe_enqueue(&p, t, frame, sizeof(frame));
		d = (double)(p.last_release - t) / 1e6;
		s += d;
		s2 += d * d;
		m.min = d < m.min ? d : m.min;
		m.max = d > m.max ? d : m.max;
	}
	vl_pipe_free(&p);
	m.mean = s / (double)n;
	m.sd = sqrt(s2 / (double)n - m.mean * m.mean);
	return m;
}

static void test_jitter(void)
{
	enum { N = 200000 };
	struct vl_impair im = {.delay_ns = 20 * MS, .jitter_ns = 5 * MS};
	struct moments m;

	im.dist = VL_DIST_UNIFORM;
	m = offsets(&im, N, 5);
	result("uniform 20ms ± 5ms",
	       m.min >= 15 && m.max <= 25 && fabs(m.mean - 20) < 0.05 &&
	           fabs(m.sd - 5 / sqrt(3)) < 0.05,
	       "min %.3f max %.3f mean %.4f sd %.4f (ideal 2.8868) ms", m.min, m.max, m.mean, m.sd);

	im.delay_ns = 50 * MS;
	im.dist = VL_DIST_NORMAL;
	m = offsets(&im, N, 6);
	result("normal N(50ms, 5ms)", fabs(m.mean - 50) < 0.05 && fabs(m.sd - 5) < 0.1,
	       "mean %.4f sd %.4f ms", m.mean, m.sd);

	/* truncated at 0: N(1ms, 5ms) never gives a negative delay */
	im.delay_ns = 1 * MS;
	m = offsets(&im, N, 7);
	result("normal N(1ms, 5ms) truncated at 0", m.min >= 0 && m.mean > 1,
	       "min %.3f mean %.3f ms", m.min, m.mean);

	im.delay_ns = 50 * MS;
	im.dist = VL_DIST_PARETO;
	m = offsets(&im, N, 8);
	result("pareto 50ms, 5ms",
	       fabs(m.mean - 50) < 0.1 && m.min >= 50 - 0.5774 * 5 && m.sd > 3.5 && m.sd < 6.5 &&
	           m.max > 50 + 5 * 5,
	       "mean %.4f sd %.3f min %.3f max %.1f ms", m.mean, m.sd, m.min, m.max);
}

/* --- order, queue, contents, set() ------------------------------------------------ */

struct collect {
	uint32_t next;
	size_t bad, n;
	uint64_t seed;
};

static int check_out(void *ctx, const void *frame, size_t len)
{
	struct collect *c = ctx;
	const unsigned char *b = frame;
	uint32_t seq;

	if (len < 4) {
		c->bad++;
		return 0;
	}
	memcpy(&seq, b, 4);
	if (seq != c->next)
		c->bad++;
	for (size_t i = 4; i < len; i++)
		if (b[i] != (unsigned char)(seq * 31 + i)) {
			c->bad++;
			break;
		}
	c->next = seq + 1;
	c->n++;
	return 0;
}

static size_t fill(unsigned char *b, uint32_t seq, size_t len)
{
	memcpy(b, &seq, 4);
	for (size_t i = 4; i < len; i++)
		b[i] = (unsigned char)(seq * 31 + i);
	return len;
}

static void test_order_and_contents(void)
{
	struct vl_impair im = {.delay_ns = 5 * MS,
	                       .jitter_ns = 10 * MS,
	                       .dist = VL_DIST_UNIFORM,
	                       .queue_packets = 100000};
	static unsigned char frame[VL_PIPE_MAX_FRAME];
	struct collect c = {0};
	struct vl_pipe p;
	uint64_t x = 99, prev = 0;
	size_t nonmono = 0, clamped = 0;

	vl_pipe_init(&p, &im, 3);
	for (uint32_t i = 0; i < 50000; i++) {
		uint64_t t = (uint64_t)i * MS / 4;
		size_t len;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		/* mostly small, sometimes up to 64 KiB: wraps and grows the ring */
		len = (x >> 33) % 100 < 3 ? 4 + (x >> 20) % (VL_PIPE_MAX_FRAME - 3)
		                          : 4 + (x >> 20) % 1600;
		if (i % 7 == 0)
			vl_pipe_dequeue(&p, t, check_out, &c);
		vl_pipe_enqueue(&p, t, frame, fill(frame, i, len));
		nonmono += p.last_release < prev;
		clamped += p.last_release == prev;
		prev = p.last_release;
	}
	vl_pipe_dequeue(&p, UINT64_MAX, check_out, &c);
	result("no reordering, frames unchanged through ring wrap and growth",
	       !c.bad && !nonmono && c.n == 50000 && p.st.sent == 50000 && vl_pipe_held(&p) == 0,
	       "%zu out in order, %zu held back by FIFO order, ring %zu bytes", c.n, clamped,
	       p.cap);
	vl_pipe_free(&p);
}

static void test_queue(void)
{
	static const struct {
		uint32_t qp;
		uint64_t qb;
		size_t len, offer, want;
	} cases[] = {
	    {10, 0, 100, 15, 10},    {0, 0, 100, 1500, 1000}, {0, 5000, 1000, 20, 5},
	    {100, 4500, 1000, 8, 4}, {3, 0, 0, 5, 3},
	};
	static unsigned char frame[2000];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vl_impair im = {
		    .delay_ns = 10 * MS, .queue_packets = cases[i].qp, .queue_bytes = cases[i].qb};
		struct vl_pipe p;
		size_t q = 0, d;
		char name[96];
		int after;

		vl_pipe_init(&p, &im, 1);
		for (size_t j = 0; j < cases[i].offer; j++)
			q += vl_pipe_enqueue(&p, 0, frame, cases[i].len) == VL_PIPE_QUEUED;
		d = vl_pipe_dequeue(&p, 10 * MS, drop_out, NULL);
		after = vl_pipe_enqueue(&p, 10 * MS, frame, cases[i].len);
		snprintf(name, sizeof(name), "queue %u packets %llu bytes, %zu x %zu bytes",
		         cases[i].qp, (unsigned long long)cases[i].qb, cases[i].offer,
		         cases[i].len);
		result(name,
		       q == cases[i].want && p.st.dropped_queue == cases[i].offer - cases[i].want &&
		           d == q && after == VL_PIPE_QUEUED,
		       "%zu queued, %llu dropped, room again after release", q,
		       (unsigned long long)p.st.dropped_queue);
		vl_pipe_free(&p);
	}
}

static void test_set(void)
{
	struct vl_impair im = {.delay_ns = 10 * MS};
	static unsigned char frame[1000];
	struct vl_pipe p;
	uint64_t a, b, c, e;
	size_t q = 0, n;

	vl_pipe_init(&p, &im, 1);
	vl_pipe_enqueue(&p, 0, frame, 100);
	a = p.last_release;
	im.delay_ns = 1 * MS;
	vl_pipe_set(&p, &im);
	vl_pipe_enqueue(&p, 1 * MS, frame, 100);
	b = p.last_release;
	vl_pipe_dequeue(&p, 20 * MS, drop_out, NULL);
	vl_pipe_enqueue(&p, 20 * MS, frame, 100);
	c = p.last_release;
	im.rate_bps = 8000000;
	vl_pipe_set(&p, &im);
	vl_pipe_enqueue(&p, 30 * MS, frame, 1000);
	e = p.last_release;
	result("set: delay and rate apply to later frames, held ones keep order",
	       a == 10 * MS && b == 10 * MS && c == 21 * MS && e == 32 * MS,
	       "releases %.1f %.1f %.1f %.1f ms", a / 1e6, b / 1e6, c / 1e6, e / 1e6);
	vl_pipe_dequeue(&p, UINT64_MAX, drop_out, NULL);

	/* a smaller limit keeps what is held and refuses new frames */
	im = (struct vl_impair){.delay_ns = 10 * MS, .queue_packets = 10};
	vl_pipe_set(&p, &im);
	for (int i = 0; i < 10; i++)
		q += vl_pipe_enqueue(&p, 40 * MS, frame, 100) == VL_PIPE_QUEUED;
	im.queue_packets = 5;
	vl_pipe_set(&p, &im);
	q += vl_pipe_enqueue(&p, 40 * MS, frame, 100) == VL_PIPE_QUEUED;
	n = vl_pipe_dequeue(&p, 50 * MS, drop_out, NULL);
	result("set: smaller queue limit keeps held frames, refuses new ones",
	       q == 10 && n == 10 && p.st.dropped_queue == 1, "%zu queued, %zu released", q, n);

	/* loss switched on and off */
	im = (struct vl_impair){.loss = 1.0};
	vl_pipe_set(&p, &im);
	q = vl_pipe_enqueue(&p, 60 * MS, frame, 100);
	vl_pipe_set(&p, NULL);
	result("set: loss on, then off",
	       q == VL_PIPE_DROP_LOSS && vl_pipe_enqueue(&p, 60 * MS, frame, 100) == VL_PIPE_QUEUED,
	       "dropped then queued");
	vl_pipe_free(&p);
}

/* The settings' text form (the lab's state, linkd's arguments): what
 * vl_impair_format() prints parses back; long words are not cut short
 * (a jitter of more than 127 characters once crashed the parser: found by
 * fuzz/parse.c). */
static void test_text(void)
{
	static const char canonical[] = "rate 10Mbit delay 20ms jitter 2ms/normal loss 1% "
	                                "loss-model gemodel 1% 10% 70% 0.1% queue 100";
	struct vl_impair im;
	char zeros[201], text[512], back[512];
	const char *why;

	why = vl_impair_parse(&im, canonical);
	if (!why)
		vl_impair_format(&im, back, sizeof(back));
	result("text: the canonical form parses back to itself", !why && !strcmp(back, canonical),
	       "%s", why ? why : back);

	memset(zeros, '0', sizeof(zeros) - 1);
	zeros[sizeof(zeros) - 1] = '\0';
	snprintf(text, sizeof(text), "jitter %s2ms/pareto", zeros);
	why = vl_impair_parse(&im, text);
	result("text: a long jitter with its distribution",
	       !why && im.jitter_ns == 2 * MS && im.dist == VL_DIST_PARETO, "%s",
	       why ? why : "2ms/pareto");

	snprintf(text, sizeof(text), "jitter %s2ms", zeros);
	why = vl_impair_parse(&im, text);
	result("text: a long jitter without one", !why && im.jitter_ns == 2 * MS, "%s",
	       why ? why : "2ms");

	snprintf(text, sizeof(text), "loss-model gemodel 1%% 10%% 70%% 0.%s1%%", zeros);
	why = vl_impair_parse(&im, text);
	result("text: a loss-model too long is refused, not cut short",
	       why && !strcmp(why, "a loss-model too long"), "%s", why ? why : "accepted");
}

int main(void)
{
	test_determinism();
	test_random_loss();
	test_gilbert_elliott();
	test_rate();
	test_delay();
	test_jitter();
	test_order_and_contents();
	test_queue();
	test_set();
	test_text();
	printf("%d passed, %d failed, 0 skipped\n", npass, nfail);
	return nfail ? 1 : 0;
}
