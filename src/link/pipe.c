/* The link model: see pipe.h for the semantics. Pure: no syscalls. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "link/pipe.h"

#define RING_MIN_BYTES (256u * 1024)
#define SLOTS_MIN      64u
#define NS_PER_S       1000000000ull

/* --- PRNG: xoshiro256** (Blackman, Vigna), seeded with splitmix64 -------- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void vl_rng_seed(struct vl_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t vl_rng_next(struct vl_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double vl_rng_double(struct vl_rng *r)
{
	return (double)(vl_rng_next(r) >> 11) * 0x1.0p-53;
}

/* --- setup --------------------------------------------------------------- */

static uint32_t queue_limit(const struct vl_impair *im)
{
	return im->queue_packets ? im->queue_packets : VL_PIPE_DEFAULT_QUEUE;
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t c = SLOTS_MIN;

	while (c < n && c < (1u << 31))
		c <<= 1;
	return c;
}

void vl_pipe_init(struct vl_pipe *p, const struct vl_impair *im, uint64_t seed)
{
	uint32_t nslots;

	memset(p, 0, sizeof(*p));
	if (im)
		p->im = *im;
	vl_rng_seed(&p->rng, seed);
	/* Room for the whole default queue at once; larger limits grow on use. */
	nslots = pow2_at_least(queue_limit(&p->im) < 1024 ? queue_limit(&p->im) : 1024);
	p->slot = vl_xcalloc(nslots, sizeof(*p->slot));
	p->mask = nslots - 1;
	p->cap = RING_MIN_BYTES;
	p->buf = vl_xmalloc(p->cap);
}

void vl_pipe_free(struct vl_pipe *p)
{
	free(p->slot);
	free(p->buf);
	p->slot = NULL;
	p->buf = NULL;
	p->count = 0;
}

void vl_pipe_set(struct vl_pipe *p, const struct vl_impair *im)
{
	static const struct vl_impair none;

	p->im = im ? *im : none;
	if (!p->im.ge)
		p->ge_bad = false;
}

/* --- rings --------------------------------------------------------------- */

static inline struct vl_pipe_slot *slot_at(const struct vl_pipe *p, uint32_t i)
{
	return &p->slot[(p->head + i) & p->mask];
}

static void grow_slots(struct vl_pipe *p)
{
	uint32_t n = p->mask + 1;
	struct vl_pipe_slot *s = vl_xcalloc((size_t)n * 2, sizeof(*s));

	for (uint32_t i = 0; i < p->count; i++)
		s[i] = *slot_at(p, i);
	free(p->slot);
	p->slot = s;
	p->head = 0;
	p->mask = n * 2 - 1;
}

/* Copy the held frames, in order, to the start of a bigger byte ring. */
static void grow_bytes(struct vl_pipe *p, size_t need)
{
	size_t cap = p->cap * 2, off = 0;
	unsigned char *b;

	while (cap < p->cap + need)
		cap *= 2;
	b = vl_xmalloc(cap);
	for (uint32_t i = 0; i < p->count; i++) {
		struct vl_pipe_slot *s = slot_at(p, i);
		size_t sz = (s->len + 7u) & ~(size_t)7;

		memcpy(b + off, p->buf + s->off, s->len);
		s->off = (uint32_t)off;
		off += sz ? sz : 8;
	}
	free(p->buf);
	p->buf = b;
	p->cap = cap;
	p->tail = off;
}

/* Where a frame of need bytes (a multiple of 8, > 0) goes. Frames are
 * contiguous; the space at the end is skipped when a frame does not fit. */
static size_t place(struct vl_pipe *p, size_t need)
{
	size_t h, off;

	if (p->count == 0) {
		p->tail = 0;
		if (need > p->cap)
			grow_bytes(p, need);
		off = 0;
	} else {
		h = slot_at(p, 0)->off;
		if (p->tail > h) { /* not wrapped: [h, tail) in use */
			if (p->cap - p->tail >= need)
				off = p->tail;
			else if (h >= need)
				off = 0;
			else {
				grow_bytes(p, need);
				off = p->tail;
			}
		} else { /* wrapped: [h, end) and [0, tail) in use */
			if (h - p->tail >= need)
				off = p->tail;
			else {
				grow_bytes(p, need);
				off = p->tail;
			}
		}
	}
	p->tail = off + need;
	return off;
}

/* --- model --------------------------------------------------------------- */

static bool lost(struct vl_pipe *p)
{
	const struct vl_impair *im = &p->im;

	if (im->ge) {
		double u = vl_rng_double(&p->rng);

		if (p->ge_bad ? u < im->ge_r : u < im->ge_p)
			p->ge_bad = !p->ge_bad;
		u = vl_rng_double(&p->rng);
		return u < 1.0 - (p->ge_bad ? im->ge_h : im->ge_k);
	}
	if (im->loss > 0)
		return vl_rng_double(&p->rng) < im->loss;
	return false;
}

/* Offset in ns (may be negative) drawn around 0 with spread jitter. */
static double jitter_offset(struct vl_pipe *p)
{
	double j = (double)p->im.jitter_ns, u, v;

	switch (p->im.dist) {
	case VL_DIST_NORMAL:
		/* Box–Muller; both draws every time, so the stream stays simple. */
		u = vl_rng_double(&p->rng);
		v = vl_rng_double(&p->rng);
		return j * sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
	case VL_DIST_PARETO:
		/* P = (1-u)^(-1/3): Pareto x_m = 1, shape 3; mean 1.5, sd sqrt(3)/2 */
		u = vl_rng_double(&p->rng);
		return j * (pow(1.0 - u, -1.0 / 3.0) - 1.5) / (sqrt(3.0) / 2.0);
	case VL_DIST_UNIFORM:
	default:
		u = vl_rng_double(&p->rng);
		return j * (2.0 * u - 1.0);
	}
}

int vl_pipe_enqueue(struct vl_pipe *p, uint64_t now_ns, const void *frame, size_t len)
{
	const struct vl_impair *im = &p->im;
	uint64_t dep = now_ns, rel;
	struct vl_pipe_slot *s;
	size_t need;

	if (len > VL_PIPE_MAX_FRAME || p->count >= queue_limit(im) ||
	    (im->queue_bytes && p->held_bytes + len > im->queue_bytes)) {
		p->st.dropped_queue++;
		return VL_PIPE_DROP_QUEUE;
	}
	if (lost(p)) {
		p->st.dropped_loss++;
		return VL_PIPE_DROP_LOSS;
	}
	if (im->rate_bps) {
		uint64_t num;

		if (now_ns > p->busy_until) {
			p->busy_until = now_ns;
			p->frac = 0;
		}
		num = (uint64_t)(len > p->hdr_len ? len - p->hdr_len : 0) * 8 * NS_PER_S + p->frac;
		dep = p->busy_until + num / im->rate_bps;
		p->frac = num % im->rate_bps;
		p->busy_until = dep;
	}
	rel = dep + im->delay_ns;
	if (im->jitter_ns) {
		double d = (double)im->delay_ns + jitter_offset(p);

		rel = dep + (d > 0 ? (uint64_t)llround(d) : 0);
	}
	if (rel < p->last_release)
		rel = p->last_release;
	p->last_release = rel;

	if (p->count > p->mask)
		grow_slots(p);
	need = (len + 7) & ~(size_t)7;
	s = slot_at(p, p->count);
	s->off = (uint32_t)place(p, need ? need : 8);
	s->len = (uint32_t)len;
	s->release_ns = rel;
	if (len)
		memcpy(p->buf + s->off, frame, len);
	p->count++;
	p->held_bytes += len;
	p->st.enqueued++;
	p->st.bytes_in += len;
	return VL_PIPE_QUEUED;
}

size_t vl_pipe_dequeue(struct vl_pipe *p, uint64_t now_ns, vl_pipe_out_fn out, void *ctx)
{
	size_t n = 0;

	while (p->count) {
		struct vl_pipe_slot *s = slot_at(p, 0);

		if (s->release_ns > now_ns || out(ctx, p->buf + s->off, s->len) < 0)
			break;
		p->st.sent++;
		p->st.bytes += s->len;
		p->held_bytes -= s->len;
		p->head = (p->head + 1) & p->mask;
		p->count--;
		n++;
	}
	if (!p->count) {
		p->head = 0;
		p->tail = 0;
	}
	return n;
}
