/* vnetlab-mpi mg: multigrid V-cycles, in the spirit of NAS MG.
 *
 * The problem: -Laplace(u) = f on the periodic n x n x n grid (7-point
 * stencil, h = 1/n), f zero but for +1 at 10 and -1 at 10 grid points drawn
 * from NAS's generator, so that it sums to zero. A fixed number of V-cycles
 * from u = 0: on every level two weighted-Jacobi sweeps (omega 0.8) before
 * and after the coarse-grid correction, full-weighting restriction, trilinear
 * prolongation, down to 2 x 2 x 2 where MG_COARSE_SWEEPS sweeps stand in for
 * a solve.
 *
 * The grids of MG_AGG_N points a side and finer are distributed in slabs of
 * z-planes, aligned across levels (a rank owns the coarse planes under its
 * fine ones), every sweep exchanging one halo plane with the ranks above and
 * below (MPI_Isend/Irecv, periodic); coarser grids are gathered to every rank
 * (MPI_Allgatherv) and solved there redundantly. So every grid value is
 * computed by the same formula from the same inputs for any rank count, and
 * the norms are summed per plane and then in plane order (MPI_Allgatherv of
 * the plane sums): the run is bit for bit that of a sequential one.
 *
 * Verified: the residual norm fell by the class's factor and equals the
 * reference computed once with one rank (within 1e-6, relative). mops: NAS MG's
 * count, 58 floating point operations per fine grid point and V-cycle, in
 * millions per second. Setup is not timed. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mpibench.h"

#define MG_AGG_N         32 /* finest grid that is gathered: MG_AGG_N / 2 */
#define MG_OMEGA         0.8
#define MG_PRE           2
#define MG_POST          2
#define MG_COARSE_SWEEPS 8
#define MG_CHARGES       10
#define MG_A             UINT64_C(1220703125)
#define MG_SEED          UINT64_C(314159265)
#define TAG_MG_UP        300
#define TAG_MG_DOWN      301
/* Runs are bit for bit alike here; the slack is for other compilers (class
 * A's residual is near the rounding floor). */
#define MG_TOLERANCE 1e-6

struct mg_class {
	int log_n, iterations;
	double reduction; /* final / initial residual norm must be below */
	double rnorm;     /* reference final residual norm */
};

static const struct mg_class mg_classes[MB_NCLASSES] = {
    [MB_CLASS_S] = {5, 4, 1e-2, 1.993065037234e-05},
    [MB_CLASS_W] = {7, 8, 1e-4, 1.41598767893719e-08},
    [MB_CLASS_A] = {8, 12, 1e-4, 3.04590824687604e-11},
};

/* One level: planes [z0, z0 + nz) with a halo plane on either side, as
 * plane 0 and plane nz + 1 of each array. */
struct level {
	int n, z0, nz;
	bool dist; /* slabs over the ranks; else all planes on every rank */
	long nxy;
	double *u, *f, *r;
	int *xm, *xp; /* periodic neighbours along x and y */
};

struct mg {
	int rank, size, nlevels;
	struct level *lv;
	double *gather;       /* restriction into the first gathered level */
	int *counts, *displs; /* its Allgatherv layout */
	double *partial, *all;
	int *pcounts, *pdispls; /* per-plane sums of the finest level */
};

/* Fill the halo planes of a: from the ranks below and above (all four
 * transfers at once), or from our own planes when we have them all. */
static void halo(const struct mg *g, const struct level *l, double *a)
{
	double *bottom = a + l->nxy, *top = a + (long)l->nz * l->nxy;
	double *below = a, *above = a + (long)(l->nz + 1) * l->nxy;
	int up = (g->rank + 1) % g->size, down = (g->rank + g->size - 1) % g->size;
	int cnt = (int)l->nxy;
	MPI_Request req[4];
	MPI_Status st[4];

	if (!l->dist || g->size == 1) {
		memcpy(below, top, (size_t)l->nxy * sizeof(double));
		memcpy(above, bottom, (size_t)l->nxy * sizeof(double));
		return;
	}
	MPI_Irecv(below, cnt, MPI_DOUBLE, down, TAG_MG_UP, MPI_COMM_WORLD, &req[0]);
	MPI_Irecv(above, cnt, MPI_DOUBLE, up, TAG_MG_DOWN, MPI_COMM_WORLD, &req[1]);
	MPI_Isend(top, cnt, MPI_DOUBLE, up, TAG_MG_UP, MPI_COMM_WORLD, &req[2]);
	MPI_Isend(bottom, cnt, MPI_DOUBLE, down, TAG_MG_DOWN, MPI_COMM_WORLD, &req[3]);
	MPI_Waitall(4, req, st);
}

/* r = f - A u on our planes; u's halo must be filled. */
static void residual_planes(const struct level *l)
{
	const int n = l->n;
	const double h2inv = (double)n * n;

	for (int z = 1; z <= l->nz; z++) {
		for (int y = 0; y < n; y++) {
			long c = z * l->nxy + (long)y * n;
			const double *u = l->u + c, *ym = l->u + z * l->nxy + (long)l->xm[y] * n;
			const double *yp = l->u + z * l->nxy + (long)l->xp[y] * n;
			const double *zm = u - l->nxy, *zp = u + l->nxy, *f = l->f + c;
			double *r = l->r + c;

			for (int x = 0; x < n; x++) {
				double s =
				    u[l->xm[x]] + u[l->xp[x]] + ym[x] + yp[x] + zm[x] + zp[x];

				r[x] = f[x] - h2inv * (6.0 * u[x] - s);
			}
		}
	}
}

static void residual(const struct mg *g, struct level *l)
{
	halo(g, l, l->u);
	residual_planes(l);
}

static void smooth(const struct mg *g, struct level *l, int sweeps)
{
	const double w = MG_OMEGA / (6.0 * l->n * l->n);
	const long first = l->nxy, end = (long)(l->nz + 1) * l->nxy;

	for (int s = 0; s < sweeps; s++) {
		residual(g, l);
		for (long i = first; i < end; i++)
			l->u[i] += w * l->r[i];
	}
}

/* The full-weighting restriction of fine's residual at coarse point (Z, Y,
 * X), Z given as fine's local plane 2Z. */
static double restrict_at(const struct level *fn, int zf, int yc, int xc)
{
	static const double w[3] = {0.25, 0.5, 0.25};
	const int n = fn->n, yf = 2 * yc, xf = 2 * xc;
	const int ys[3] = {fn->xm[yf], yf, fn->xp[yf]}, xs[3] = {fn->xm[xf], xf, fn->xp[xf]};
	double s = 0;

	for (int dz = 0; dz < 3; dz++) {
		const double *p = fn->r + (long)(zf - 1 + dz) * fn->nxy;

		for (int dy = 0; dy < 3; dy++) {
			const double *row = p + (long)ys[dy] * n;

			s += w[dz] * w[dy] *
			     (w[0] * row[xs[0]] + w[1] * row[xs[1]] + w[2] * row[xs[2]]);
		}
	}
	return s;
}

/* coarse->f = R fine->r; fine->r's halo is exchanged here. */
static void restrict_to(const struct mg *g, struct level *fn, struct level *co)
{
	const int nc = co->n;
	const long ncxy = co->nxy;

	halo(g, fn, fn->r);
	if (co->dist || !fn->dist) {
		/* aligned slabs (or all planes): coarse plane Z under fine 2Z */
		for (int z = 1; z <= co->nz; z++) {
			int zf = 2 * (co->z0 + z - 1) - fn->z0 + 1;

			for (int y = 0; y < nc; y++)
				for (int x = 0; x < nc; x++)
					co->f[z * ncxy + (long)y * nc + x] =
					    restrict_at(fn, zf, y, x);
		}
		return;
	}
	/* Into a gathered level: our coarse planes (Z with 2Z ours), then
	 * everybody's. */
	int zc0 = (fn->z0 + 1) / 2, zc1 = (fn->z0 + fn->nz + 1) / 2;

	for (int z = zc0; z < zc1; z++) {
		int zf = 2 * z - fn->z0 + 1;

		for (int y = 0; y < nc; y++)
			for (int x = 0; x < nc; x++)
				g->gather[(z - zc0) * ncxy + (long)y * nc + x] =
				    restrict_at(fn, zf, y, x);
	}
	MPI_Allgatherv(g->gather, (int)((zc1 - zc0) * ncxy), MPI_DOUBLE, co->f + ncxy, g->counts,
	               g->displs, MPI_DOUBLE, MPI_COMM_WORLD);
}

/* fine->u += P coarse->u (trilinear); coarse->u's halo is exchanged here. */
static void prolong_add(const struct mg *g, const struct level *co, struct level *fn)
{
	const int n = fn->n, nc = co->n;

	halo(g, co, co->u);
	for (int z = 1; z <= fn->nz; z++) {
		int zg = fn->z0 + z - 1, zc = zg / 2 - co->z0 + 1;
		const double *c0 = co->u + (long)zc * co->nxy;
		const double *c1 = zg % 2 ? c0 + co->nxy : c0;

		for (int y = 0; y < n; y++) {
			int y0 = y / 2, y1 = y % 2 ? (y0 + 1) % nc : y0;
			double *u = fn->u + z * fn->nxy + (long)y * n;

			for (int x = 0; x < n; x++) {
				int x0 = x / 2, x1 = x % 2 ? (x0 + 1) % nc : x0;
				double a = c0[(long)y0 * nc + x0] + c0[(long)y0 * nc + x1] +
				           c0[(long)y1 * nc + x0] + c0[(long)y1 * nc + x1];
				double b = c1[(long)y0 * nc + x0] + c1[(long)y0 * nc + x1] +
				           c1[(long)y1 * nc + x0] + c1[(long)y1 * nc + x1];

				u[x] += 0.125 * (a + b);
			}
		}
	}
}

static void vcycle(const struct mg *g, int k)
{
	struct level *l = &g->lv[k], *co;

	if (k == g->nlevels - 1) {
		smooth(g, l, MG_COARSE_SWEEPS);
		return;
	}
	co = &g->lv[k + 1];
	smooth(g, l, MG_PRE);
	residual(g, l);
	restrict_to(g, l, co);
	memset(co->u, 0, (size_t)(co->nz + 2) * co->nxy * sizeof(double));
	vcycle(g, k + 1);
	prolong_add(g, co, l);
	smooth(g, l, MG_POST);
}

/* ||r||_2 / sqrt(n^3) of the finest level, summed per plane, then in plane
 * order over all planes: the same for every rank count. */
static double rnorm(const struct mg *g)
{
	const struct level *l = &g->lv[0];
	double s = 0;

	for (int z = 0; z < l->nz; z++) {
		const double *r = l->r + (long)(z + 1) * l->nxy;
		double t = 0;

		for (long i = 0; i < l->nxy; i++)
			t += r[i] * r[i];
		g->partial[z] = t;
	}
	MPI_Allgatherv(g->partial, l->nz, MPI_DOUBLE, g->all, g->pcounts, g->pdispls, MPI_DOUBLE,
	               MPI_COMM_WORLD);
	for (int z = 0; z < l->n; z++)
		s += g->all[z];
	return sqrt(s / ((double)l->n * l->n * l->n));
}

static void level_init(struct level *l, int n, int z0, int nz, bool dist)
{
	size_t len;

	l->n = n;
	l->z0 = z0;
	l->nz = nz;
	l->dist = dist;
	l->nxy = (long)n * n;
	len = (size_t)(nz + 2) * (size_t)l->nxy;
	l->u = mb_alloc(len, sizeof(double));
	l->f = mb_alloc(len, sizeof(double));
	l->r = mb_alloc(len, sizeof(double));
	memset(l->u, 0, len * sizeof(double));
	memset(l->f, 0, len * sizeof(double));
	memset(l->r, 0, len * sizeof(double));
	l->xm = mb_alloc((size_t)n, sizeof(int));
	l->xp = mb_alloc((size_t)n, sizeof(int));
	for (int i = 0; i < n; i++) {
		l->xm[i] = (i + n - 1) % n;
		l->xp[i] = (i + 1) % n;
	}
}

static void level_free(struct level *l)
{
	free(l->xp);
	free(l->xm);
	free(l->r);
	free(l->f);
	free(l->u);
}

bool mb_mg(const struct mb_opts *o, struct mb_meter *m, json_t *out)
{
	const struct mg_class *cl = &mg_classes[o->cls];
	const int n = 1 << cl->log_n, p = o->size;
	const int agg = n < MG_AGG_N ? n : MG_AGG_N; /* coarsest distributed level's n */
	struct mg g = {.rank = o->rank, .size = p, .nlevels = cl->log_n};
	double r0, r1, wall;
	uint64_t x = MG_SEED;
	struct level *l0;
	bool ok = true;
	char size[64];

	if (p > agg)
		mb_die_all("mg class %s splits %d planes: at most %d ranks", mb_class_name(o->cls),
		           agg, agg);
	/* Levels n, n/2 .. 2; slabs from the split of agg planes, scaled up. */
	g.lv = mb_alloc((size_t)g.nlevels, sizeof(*g.lv));
	for (int k = 0; k < g.nlevels; k++) {
		int nk = n >> k, scale = nk / agg;

		if (nk >= agg)
			level_init(&g.lv[k], nk, agg * o->rank / p * scale,
			           (agg * (o->rank + 1) / p - agg * o->rank / p) * scale, true);
		else
			level_init(&g.lv[k], nk, 0, nk, false);
	}
	if (agg / 2 >= 2) {
		long ncxy = (long)(agg / 2) * (agg / 2);

		g.counts = mb_alloc((size_t)p, sizeof(int));
		g.displs = mb_alloc((size_t)p, sizeof(int));
		for (int rk = 0; rk < p; rk++) {
			int zc0 = (agg * rk / p + 1) / 2, zc1 = (agg * (rk + 1) / p + 1) / 2;

			g.counts[rk] = (int)((zc1 - zc0) * ncxy);
			g.displs[rk] = (int)(zc0 * ncxy);
		}
	}
	l0 = &g.lv[0];
	g.gather = mb_alloc((size_t)(l0->nz + 2) * (size_t)l0->nxy / 8 + 1, sizeof(double));
	g.partial = mb_alloc((size_t)l0->nz, sizeof(double));
	g.all = mb_alloc((size_t)n, sizeof(double));
	g.pcounts = mb_alloc((size_t)p, sizeof(int));
	g.pdispls = mb_alloc((size_t)p, sizeof(int));
	for (int rk = 0; rk < p; rk++) {
		int scale = n / agg;

		g.pdispls[rk] = agg * rk / p * scale;
		g.pcounts[rk] = (agg * (rk + 1) / p - agg * rk / p) * scale;
	}

	/* The charges: the same draws on every rank, each sets its own. */
	for (int c = 0; c < 2 * MG_CHARGES; c++) {
		int zc = (int)(mb_lcg_next(&x, MG_A) * n), yc = (int)(mb_lcg_next(&x, MG_A) * n);
		int xc = (int)(mb_lcg_next(&x, MG_A) * n);

		if (zc >= l0->z0 && zc < l0->z0 + l0->nz)
			l0->f[(long)(zc - l0->z0 + 1) * l0->nxy + (long)yc * n + xc] +=
			    c < MG_CHARGES ? 1.0 : -1.0;
	}
	residual(&g, l0);
	r0 = rnorm(&g);

	mb_begin(m);
	for (int it = 0; it < cl->iterations; it++)
		vcycle(&g, 0);
	residual(&g, l0);
	r1 = rnorm(&g);
	mb_end(m);
	wall = mb_wall_max(m);

	if (!(r1 <= cl->reduction * r0))
		ok = false;
	if (!(fabs(r1 - cl->rnorm) <= MG_TOLERANCE * cl->rnorm))
		ok = false;

	snprintf(size, sizeof(size), "%dx%dx%d periodic grid, %d levels", n, n, n, g.nlevels);
	mb_set(out, "size", json_string(size));
	mb_set(out, "iterations", json_integer(cl->iterations));
	mb_set(out, "mops",
	       json_real(wall > 0 ? 58.0 * cl->iterations * n * n * (double)n / wall / 1e6 : 0));
	mb_set(out, "checksum", json_real(r1));
	mb_set(out, "residual0", json_real(r0));
	mb_set(out, "reduction", json_real(r0 > 0 ? r1 / r0 : 0));
	for (int k = 0; k < g.nlevels; k++)
		level_free(&g.lv[k]);
	free(g.lv);
	free(g.pdispls);
	free(g.pcounts);
	free(g.all);
	free(g.partial);
	free(g.gather);
	free(g.displs);
	free(g.counts);
	return ok;
}
