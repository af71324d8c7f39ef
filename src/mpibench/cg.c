/* vnetlab-mpi cg: conjugate gradient, in the spirit of NAS CG.
 *
 * The matrix: a 7-point operator on an n x n x n grid with Dirichlet
 * boundaries, an irregular Laplacian: the edge between neighbours u < v has
 * the weight -(1 + h/2), h in [0, 1) a hash of the edge, and the diagonal is
 * the sum of the weights of the six edges (1 for an edge leaving the grid), so
 * it is symmetric, irreducibly diagonally dominant, positive definite. Rows
 * are distributed in slabs of z-planes, stored in CSR form with the columns
 * pointing into a local vector that has one halo plane on either side. The
 * right-hand side is b = A x* for a known x* (hashed values in [0, 1)).
 *
 * A fixed number of plain CG iterations from x = 0. Each iteration exchanges
 * the halo planes of p with the slabs above and below (MPI_Isend/Irecv) and
 * computes two dot products. The dot products do not depend on the rank
 * count: each rank sums its planes one by one, the per-plane sums are
 * gathered (MPI_Allgatherv) and every rank adds them up in plane order. So
 * the whole iteration is bit for bit that of a sequential run.
 *
 * Verified: the residual fell below the class's bound, the recurrence
 * residual agrees with the true one ||b - A x|| (recomputed afterwards), and
 * the checksum ||x||_2 equals the one computed once with one rank (within
 * 1e-8, relative). mops: millions of floating point operations per second, counted
 * as 2 per nonzero in the matrix-vector product plus 10 per row for the dot
 * products and vector updates, per iteration. Setup is not timed. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mpibench.h"

#define TAG_CG_UP   200
#define TAG_CG_DOWN 201
/* Runs are bit for bit alike here; the slack is for other compilers. */
#define CG_TOLERANCE 1e-8

struct cg_class {
	int n, iterations;
	double resid_max; /* ||r|| / ||b|| must end below this */
	double checksum;  /* reference ||x||_2 */
};

static const struct cg_class cg_classes[MB_NCLASSES] = {
    [MB_CLASS_S] = {32, 15, 0.05, 79.5885397505379},
    [MB_CLASS_W] = {64, 50, 0.01, 266.566832926878},
    [MB_CLASS_A] = {128, 200, 1e-4, 835.923188067756},
};

struct cg {
	int n, rank, size, planes, z0;
	long nxy, nloc;        /* points per plane, rows here */
	int *counts, *displs;  /* planes per rank, first plane per rank */
	double *partial, *all; /* per-plane sums: ours, everybody's */
	long *rowptr;
	int *col;
	double *val;
};

static uint64_t mix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static double hash01(uint64_t x)
{
	return (double)(mix64(x) >> 11) * 0x1p-53;
}

/* The weight of the edge from global point g in direction d (0..2 = +x, +y,
 * +z); an edge is always named from its lower end. */
static double edge_weight(long g, int d)
{
	return 1.0 + 0.5 * hash01((uint64_t)g * 3 + (uint64_t)d);
}

static void cg_build(struct cg *c)
{
	const int n = c->n;
	long k = 0;

	c->rowptr = mb_alloc((size_t)c->nloc + 1, sizeof(long));
	c->col = mb_alloc((size_t)c->nloc * 7, sizeof(int));
	c->val = mb_alloc((size_t)c->nloc * 7, sizeof(double));
	for (int z = c->z0; z < c->z0 + c->planes; z++) {
		for (int y = 0; y < n; y++) {
			for (int x = 0; x < n; x++) {
				long g = ((long)z * n + y) * n + x, row = g - (long)c->z0 * c->nxy;
				long v = c->nxy + row; /* our index in a halo vector */
				/* neighbours: -x +x -y +y -z +z */
				const int exists[6] = {x > 0, x<n - 1, y> 0, y<n - 1, z> 0,
				                       z < n - 1};
				const long step[3] = {1, n, c->nxy};
				double diag = 0;
				long dk;

				c->rowptr[row] = k;
				dk = k++;
				for (int j = 0; j < 6; j++) {
					int d = j / 2;
					long s = j % 2 ? step[d] : -step[d];
					double w;

					if (!exists[j]) {
						diag += 1.0;
						continue;
					}
					w = edge_weight(j % 2 ? g : g + s, d);
					diag += w;
					c->col[k] = (int)(v + s);
					c->val[k++] = -w;
				}
				c->col[dk] = (int)v;
				c->val[dk] = diag;
			}
		}
	}
	c->rowptr[c->nloc] = k;
}

/* Fill the halo planes of v (planes + 2 planes, ours in the middle): our
 * top plane goes up, our bottom plane down, all four transfers at once. */
static void cg_halo(const struct cg *c, double *v)
{
	int up = c->rank + 1 < c->size ? c->rank + 1 : MPI_PROC_NULL;
	int down = c->rank > 0 ? c->rank - 1 : MPI_PROC_NULL;
	int cnt = (int)c->nxy;
	MPI_Request req[4];
	MPI_Status st[4];

	if (down == MPI_PROC_NULL)
		memset(v, 0, (size_t)c->nxy * sizeof(double));
	if (up == MPI_PROC_NULL)
		memset(v + c->nxy + c->nloc, 0, (size_t)c->nxy * sizeof(double));
	MPI_Irecv(v, cnt, MPI_DOUBLE, down, TAG_CG_UP, MPI_COMM_WORLD, &req[0]);
	MPI_Irecv(v + c->nxy + c->nloc, cnt, MPI_DOUBLE, up, TAG_CG_DOWN, MPI_COMM_WORLD, &req[1]);
	MPI_Isend(v + c->nloc, cnt, MPI_DOUBLE, up, TAG_CG_UP, MPI_COMM_WORLD, &req[2]);
	MPI_Isend(v + c->nxy, cnt, MPI_DOUBLE, down, TAG_CG_DOWN, MPI_COMM_WORLD, &req[3]);
	MPI_Waitall(4, req, st);
}

/* q = A v; v is a halo vector with its halo filled. */
static void cg_matvec(const struct cg *c, const double *v, double *q)
{
	for (long i = 0; i < c->nloc; i++) {
		double s = 0;

		for (long k = c->rowptr[i]; k < c->rowptr[i + 1]; k++)
			s += c->val[k] * v[c->col[k]];
		q[i] = s;
	}
}

/* The dot product of a and b (our rows), the same on every rank and for
 * every rank count: summed per plane, the planes then in order. */
static double cg_dot(const struct cg *c, const double *a, const double *b)
{
	double s = 0;

	for (int z = 0; z < c->planes; z++) {
		const double *pa = a + z * c->nxy, *pb = b + z * c->nxy;
		double t = 0;

		for (long i = 0; i < c->nxy; i++)
			t += pa[i] * pb[i];
		c->partial[z] = t;
	}
	MPI_Allgatherv(c->partial, c->planes, MPI_DOUBLE, c->all, c->counts, c->displs, MPI_DOUBLE,
	               MPI_COMM_WORLD);
	for (int z = 0; z < c->n; z++)
		s += c->all[z];
	return s;
}

bool mb_cg(const struct mb_opts *o, struct mb_meter *m, json_t *out)
{
	const struct cg_class *cl = &cg_classes[o->cls];
	struct cg c = {.n = cl->n, .rank = o->rank, .size = o->size};
	double *x, *r, *p, *q, *xs, rho, rho0, bnorm, xnorm, err, true_res, wall;
	double rows, nnz, flops;
	bool ok = true;
	char size[64];

	if (o->size > c.n)
		mb_die_all("cg class %s has %d planes: at most %d ranks", mb_class_name(o->cls),
		           c.n, c.n);
	c.nxy = (long)c.n * c.n;
	c.z0 = (int)((long)c.n * o->rank / o->size);
	c.planes = (int)((long)c.n * (o->rank + 1) / o->size) - c.z0;
	c.nloc = c.planes * c.nxy;
	c.counts = mb_alloc((size_t)o->size, sizeof(int));
	c.displs = mb_alloc((size_t)o->size, sizeof(int));
	for (int rk = 0; rk < o->size; rk++) {
		c.displs[rk] = (int)((long)c.n * rk / o->size);
		c.counts[rk] = (int)((long)c.n * (rk + 1) / o->size) - c.displs[rk];
	}
	c.partial = mb_alloc((size_t)c.planes, sizeof(double));
	c.all = mb_alloc((size_t)c.n, sizeof(double));
	cg_build(&c);

	x = mb_alloc((size_t)c.nloc, sizeof(double));
	r = mb_alloc((size_t)c.nloc, sizeof(double));
	q = mb_alloc((size_t)c.nloc, sizeof(double));
	p = mb_alloc((size_t)(c.nloc + 2 * c.nxy), sizeof(double)); /* with halo */
	xs = mb_alloc((size_t)(c.nloc + 2 * c.nxy), sizeof(double));

	/* b = A x*, kept in r; x = 0. */
	for (long i = 0; i < c.nloc; i++)
		xs[c.nxy + i] = hash01(UINT64_C(1) << 40 | (uint64_t)((long)c.z0 * c.nxy + i));
	cg_halo(&c, xs);
	cg_matvec(&c, xs, r);
	memset(x, 0, (size_t)c.nloc * sizeof(double));
	memcpy(p + c.nxy, r, (size_t)c.nloc * sizeof(double));
	rho0 = rho = cg_dot(&c, r, r);
	bnorm = sqrt(rho0);

	mb_begin(m);
	for (int it = 0; it < cl->iterations; it++) {
		double *pp = p + c.nxy, alpha, beta, rho_new;

		cg_halo(&c, p);
		cg_matvec(&c, p, q);
		alpha = rho / cg_dot(&c, pp, q);
		for (long i = 0; i < c.nloc; i++) {
			x[i] += alpha * pp[i];
			r[i] -= alpha * q[i];
		}
		rho_new = cg_dot(&c, r, r);
		beta = rho_new / rho;
		for (long i = 0; i < c.nloc; i++)
			pp[i] = r[i] + beta * pp[i];
		rho = rho_new;
	}
	mb_end(m);
	wall = mb_wall_max(m);

	/* The true residual b - A x, and the error against x*. */
	memcpy(p + c.nxy, x, (size_t)c.nloc * sizeof(double));
	cg_halo(&c, p);
	cg_matvec(&c, p, q);
	cg_matvec(&c, xs, r); /* b again */
	for (long i = 0; i < c.nloc; i++) {
		r[i] -= q[i];
		q[i] = x[i] - xs[c.nxy + i];
	}
	true_res = sqrt(cg_dot(&c, r, r)) / bnorm;
	err = sqrt(cg_dot(&c, q, q)) / sqrt(cg_dot(&c, xs + c.nxy, xs + c.nxy));
	xnorm = sqrt(cg_dot(&c, x, x));
	if (!(sqrt(rho) / bnorm <= cl->resid_max) || !(true_res <= cl->resid_max))
		ok = false;
	if (!(fabs(true_res - sqrt(rho) / bnorm) <= 1e-3 * true_res + 1e-12))
		ok = false;
	if (!(fabs(xnorm - cl->checksum) <= CG_TOLERANCE * cl->checksum))
		ok = false;

	rows = (double)c.n * c.n * c.n;
	nnz = 7 * rows - 6.0 * c.n * c.n;
	flops = cl->iterations * (2 * nnz + 10 * rows);
	snprintf(size, sizeof(size), "%dx%dx%d grid, 7-point, %.0f nonzeros", c.n, c.n, c.n, nnz);
	mb_set(out, "size", json_string(size));
	mb_set(out, "iterations", json_integer(cl->iterations));
	mb_set(out, "mops", json_real(wall > 0 ? flops / wall / 1e6 : 0));
	mb_set(out, "checksum", json_real(xnorm));
	mb_set(out, "residual", json_real(sqrt(rho) / bnorm));
	mb_set(out, "true_residual", json_real(true_res));
	mb_set(out, "error", json_real(err));
	free(xs);
	free(p);
	free(q);
	free(r);
	free(x);
	free(c.val);
	free(c.col);
	free(c.rowptr);
	free(c.all);
	free(c.partial);
	free(c.displs);
	free(c.counts);
	return ok;
}
