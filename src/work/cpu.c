/* cpu: a small ray tracer in the spirit of the study's POV-Ray render. A
 * checkered, slightly mirroring floor, five spheres (two of them mirrors),
 * one point light with hard shadows, Blinn-Phong highlights, reflections up
 * to MAX_DEPTH deep and 2x2 supersampling, rendered into an NxN RGB image in
 * memory. It reports the image's FNV-1a 64 checksum.
 *
 * Deterministic on every run and machine: only +, -, *, / and sqrt on
 * doubles, which IEEE 754 rounds exactly, in the order written (no
 * -ffast-math, and floating-point contraction into fused multiply-adds is
 * switched off below: aarch64 and clang would otherwise fuse). No libm
 * function whose result may differ between libraries (pow, sin, exp): the
 * specular power is repeated squaring, the checkerboard a cast to integer.
 * The scene has no randomness. Needs FLT_EVAL_METHOD 0 (SSE2 or any
 * 64-bit target); x87 excess precision would change the last bits. */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/util.h"
#include "work/work.h"

#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#if FLT_EVAL_METHOD != 0
#warning "cpu workload: excess floating-point precision, checksums will differ from other machines"
#endif

#define MAX_DEPTH 5
#define EPS       1e-6
#define MAX_SIZE  16384

struct vec {
	double x, y, z;
};

static struct vec v(double x, double y, double z)
{
	return (struct vec){x, y, z};
}
static struct vec add(struct vec a, struct vec b)
{
	return v(a.x + b.x, a.y + b.y, a.z + b.z);
}
static struct vec sub(struct vec a, struct vec b)
{
	return v(a.x - b.x, a.y - b.y, a.z - b.z);
}
static struct vec mul(struct vec a, double s)
{
	return v(a.x * s, a.y * s, a.z * s);
}
static struct vec vmul(struct vec a, struct vec b)
{
	return v(a.x * b.x, a.y * b.y, a.z * b.z);
}
static double dot(struct vec a, struct vec b)
{
	return a.x * b.x + a.y * b.y + a.z * b.z;
}
static struct vec norm(struct vec a)
{
	return mul(a, 1.0 / __builtin_sqrt(dot(a, a)));
}

struct sphere {
	struct vec c;
	double r;
	struct vec color;
	double refl;
};

static const struct sphere spheres[] = {
    {{0.0, 1.0, 3.0}, 1.0, {0.9, 0.9, 0.9}, 0.8}, /* the mirror ball */
    {{-2.2, 0.7, 4.2}, 0.7, {0.9, 0.2, 0.2}, 0.1},
    {{2.1, 0.8, 3.6}, 0.8, {0.2, 0.4, 0.95}, 0.3},
    {{-0.9, 0.35, 1.4}, 0.35, {0.2, 0.85, 0.3}, 0.05},
    {{1.0, 0.3, 1.2}, 0.3, {0.95, 0.8, 0.2}, 0.6},
};

static const struct vec light = {-4.0, 8.0, -3.0};
static const struct vec camera = {0.0, 1.6, -3.5};

struct hit {
	double t;
	struct vec p, n, color;
	double refl;
};

struct tracer {
	uint64_t rays;
};

/* Nearest intersection along o + t d (d unit length) with t > EPS. */
static bool intersect(struct vec o, struct vec d, struct hit *h)
{
	bool any = false;

	h->t = 1e30;
	for (size_t i = 0; i < VL_ARRAY_SIZE(spheres); i++) {
		const struct sphere *s = &spheres[i];
		struct vec oc = sub(o, s->c);
		double b = dot(oc, d), c = dot(oc, oc) - s->r * s->r, disc = b * b - c, q, t;

		if (disc < 0)
			continue;
		q = __builtin_sqrt(disc);
		t = -b - q;
		if (t <= EPS)
			t = -b + q;
		if (t <= EPS || t >= h->t)
			continue;
		h->t = t;
		h->p = add(o, mul(d, t));
		h->n = mul(sub(h->p, s->c), 1.0 / s->r);
		h->color = s->color;
		h->refl = s->refl;
		any = true;
	}
	/* The floor, y = 0, a checkerboard of unit squares. */
	if (d.y < -EPS) {
		double t = -o.y / d.y;

		if (t > EPS && t < h->t) {
			struct vec p = add(o, mul(d, t));
			long long cx = (long long)(p.x + 1000.0), cz = (long long)(p.z + 1000.0);
			bool dark = ((cx + cz) & 1) != 0;

			h->t = t;
			h->p = p;
			h->n = v(0, 1, 0);
			h->color = dark ? v(0.15, 0.15, 0.18) : v(0.85, 0.85, 0.8);
			h->refl = 0.25;
			any = true;
		}
	}
	return any;
}

static bool in_shadow(struct vec p, struct vec to_light, double dist)
{
	struct hit h;

	return intersect(p, to_light, &h) && h.t < dist;
}

static struct vec sky(struct vec d)
{
	double t = 0.5 * (d.y + 1.0);

	return add(mul(v(1.0, 1.0, 1.0), 1.0 - t), mul(v(0.45, 0.65, 1.0), t));
}

static struct vec trace(struct tracer *tr, struct vec o, struct vec d, int depth)
{
	struct vec l, lv, hv, c;
	double dist, diff, spec;
	struct hit h;

	tr->rays++;
	if (!intersect(o, d, &h))
		return sky(d);
	lv = sub(light, h.p);
	dist = __builtin_sqrt(dot(lv, lv));
	l = mul(lv, 1.0 / dist);
	c = mul(h.color, 0.1); /* ambient */
	diff = dot(h.n, l);
	if (diff > 0) {
		tr->rays++;
		if (!in_shadow(h.p, l, dist)) {
			hv = norm(sub(l, d));
			spec = dot(h.n, hv);
			spec = spec > 0 ? spec : 0;
			for (int i = 0; i < 6; i++) /* spec^64 */
				spec = spec * spec;
			c = add(c, add(mul(h.color, diff * 0.9), mul(v(1, 1, 1), spec * 0.6)));
		}
	}
	if (h.refl > 0 && depth < MAX_DEPTH) {
		struct vec r = sub(d, mul(h.n, 2.0 * dot(d, h.n)));

		c = add(mul(c, 1.0 - h.refl),
		        vmul(mul(trace(tr, h.p, r, depth + 1), h.refl), v(1, 1, 1)));
	}
	return c;
}

static unsigned char to8(double x)
{
	if (!(x > 0))
		return 0;
	if (x >= 1)
		return 255;
	return (unsigned char)(x * 255.0 + 0.5);
}

/* Render n x n RGB pixels into img (3 n n bytes). */
static void render(struct tracer *tr, unsigned char *img, unsigned n)
{
	const struct vec fwd = norm(v(0.0, -0.2, 1.0));
	const struct vec right = v(1.0, 0.0, 0.0);
	const struct vec up = norm(sub(v(0.0, 1.0, 0.0), mul(fwd, dot(v(0.0, 1.0, 0.0), fwd))));
	const double inv = 1.0 / (double)n;

	for (unsigned y = 0; y < n; y++) {
		for (unsigned x = 0; x < n; x++) {
			struct vec sum = v(0, 0, 0);

			for (int s = 0; s < 4; s++) {
				double px = ((double)x + 0.25 + 0.5 * (s & 1)) * inv * 2.0 - 1.0;
				double py = 1.0 - ((double)y + 0.25 + 0.5 * (s >> 1)) * inv * 2.0;
				struct vec d =
				    norm(add(fwd, add(mul(right, px * 0.8), mul(up, py * 0.8))));

				sum = add(sum, trace(tr, camera, d, 0));
			}
			sum = mul(sum, 0.25);
			img[(y * n + x) * 3 + 0] = to8(sum.x);
			img[(y * n + x) * 3 + 1] = to8(sum.y);
			img[(y * n + x) * 3 + 2] = to8(sum.z);
		}
	}
}

static uint64_t fnv1a64(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

int work_cpu(const struct work_opts *o, struct work_meter *m, json_t *out, struct vl_err *err)
{
	unsigned long n = VL_WORK_CPU_DEFAULT_SIZE;
	struct tracer tr = {0};
	cleanup_free unsigned char *img = NULL;
	char sum[24];

	if (o->size && vl_parse_uint(o->size, 1, MAX_SIZE, &n) < 0) {
		vl_err_set(err, 0, "--size '%s': expected an image side of 1..%d pixels", o->size,
		           MAX_SIZE);
		return WORK_BAD_OPTION;
	}
	img = vl_xmalloc((size_t)n * n * 3);
	if (work_begin(m, err) < 0)
		return -1;
	render(&tr, img, (unsigned)n);
	work_end(m);
	snprintf(sum, sizeof(sum), "%016llx", (unsigned long long)fnv1a64(img, (size_t)n * n * 3));
	work_set(out, "size", json_integer((json_int_t)n));
	work_set(out, "pixels", json_integer((json_int_t)(n * n)));
	work_set(out, "rays", json_integer((json_int_t)tr.rays));
	work_set(out, "checksum", json_string(sum));
	return 0;
}
