/* vnetlab-mpi ep: the NAS EP kernel ("embarrassingly parallel").
 *
 * 2^M pairs of uniform numbers (x, y) in (-1, 1) from NAS's generator
 * (a = 5^13, seed 271828183), in batches of 2^16 pairs; a pair inside the
 * unit circle becomes a pair of Gaussian deviates (X, Y) (Marsaglia's polar
 * method), counted in the square annulus l = floor(max(|X|, |Y|)) and summed
 * into sx and sy. Each rank takes a contiguous block of batches and starts
 * each batch's part of the one random stream by jump-ahead, so the counts are
 * exactly those of a sequential run with any number of ranks, and the sums
 * equal up to rounding. The only communication is the final MPI_Allreduce.
 *
 * Verified: the annulus counts equal the reference counts exactly and sx, sy
 * the reference sums within 1e-8 (relative), as in NAS. Class S is NAS's
 * class S (M = 24) and checks against NAS's published figures; W (M = 27)
 * and A (M = 29) are sized for this project's hosts, their references were
 * computed here once with one rank (M = 30, NAS's class B, matched NAS's
 * figures too). mops: millions of random numbers, 2^(M+1), per second, as
 * NAS counts them. */
#include <math.h>
#include <stdio.h>

#include "mpibench.h"

#define EP_MK   16                   /* log2 of the pairs per batch */
#define EP_NK   (1 << EP_MK)         /* pairs per batch */
#define EP_NQ   10                   /* annuli */
#define EP_A    UINT64_C(1220703125) /* 5^13 */
#define EP_SEED UINT64_C(271828183)
#define EP_EPS  1e-8

struct ep_class {
	int m;           /* 2^m pairs */
	double sx, sy;   /* reference sums */
	double q[EP_NQ]; /* reference counts per annulus */
};

static const struct ep_class ep_classes[MB_NCLASSES] = {
    /* NAS class S: NAS's sums and counts. */
    [MB_CLASS_S] = {24,
                    -3.247834652034740e+03,
                    -6.958407078382297e+03,
                    {6140517, 5865300, 1100361, 68546, 1648, 17}},
    /* Between NAS's W (M = 25) and A (28), and between A and B (30):
     * computed here once, with one rank. */
    [MB_CLASS_W] = {27,
                    9.58167548241474e+03,
                    -7.74264757841837e+03,
                    {49125233, 46918403, 8808842, 554404, 13407, 121}},
    [MB_CLASS_A] = {29,
                    9.86085605698254e+03,
                    -3.28095545650545e+04,
                    {196526576, 187645978, 35226550, 2220575, 52771, 477, 3}},
};

/* One batch: the pairs of batch k of the stream. */
static void ep_batch(uint64_t k, double *x, double q[EP_NQ], double *sx, double *sy)
{
	uint64_t an = mb_lcg_pow(EP_A, 2 * (uint64_t)EP_NK);
	uint64_t seed = (EP_SEED * mb_lcg_pow(an, k)) & MB_LCG_MASK;

	for (int i = 0; i < 2 * EP_NK; i++)
		x[i] = mb_lcg_next(&seed, EP_A);
	for (int i = 0; i < EP_NK; i++) {
		double x1 = 2.0 * x[2 * i] - 1.0, x2 = 2.0 * x[2 * i + 1] - 1.0;
		double t1 = x1 * x1 + x2 * x2;

		if (t1 <= 1.0) {
			double t2 = sqrt(-2.0 * log(t1) / t1);
			double t3 = x1 * t2, t4 = x2 * t2;
			int l = (int)fmax(fabs(t3), fabs(t4));

			q[l] += 1.0;
			*sx += t3;
			*sy += t4;
		}
	}
}

static bool close_to(double v, double ref)
{
	return fabs((v - ref) / ref) <= EP_EPS;
}

bool mb_ep(const struct mb_opts *o, struct mb_meter *m, json_t *out)
{
	const struct ep_class *c = &ep_classes[o->cls];
	uint64_t nbatches = UINT64_C(1) << (c->m - EP_MK);
	uint64_t k0 = nbatches * (uint64_t)o->rank / (uint64_t)o->size;
	uint64_t k1 = nbatches * (uint64_t)(o->rank + 1) / (uint64_t)o->size;
	double *x = mb_alloc(2 * EP_NK, sizeof(double));
	double mine[EP_NQ + 2] = {0}, all[EP_NQ + 2];
	double gc = 0, sx, sy, wall;
	json_t *q = json_array();
	bool ok = true;
	char size[64];

	if (!q)
		mb_die("out of memory building JSON");
	mb_begin(m);
	for (uint64_t k = k0; k < k1; k++)
		ep_batch(k, x, mine, &mine[EP_NQ], &mine[EP_NQ + 1]);
	MPI_Allreduce(mine, all, EP_NQ + 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	mb_end(m);
	wall = mb_wall_max(m);

	sx = all[EP_NQ];
	sy = all[EP_NQ + 1];
	for (int l = 0; l < EP_NQ; l++) {
		gc += all[l];
		mb_append(q, json_integer((json_int_t)all[l]));
		if (all[l] != c->q[l])
			ok = false;
	}
	if (!close_to(sx, c->sx) || !close_to(sy, c->sy))
		ok = false;
	snprintf(size, sizeof(size), "2^%d pairs", c->m);
	mb_set(out, "size", json_string(size));
	mb_set(out, "iterations", json_integer((json_int_t)nbatches));
	mb_set(out, "mops", json_real(wall > 0 ? ldexp(1.0, c->m + 1) / wall / 1e6 : 0));
	mb_set(out, "checksum", json_real(sx + sy));
	mb_set(out, "sx", json_real(sx));
	mb_set(out, "sy", json_real(sy));
	mb_set(out, "gaussian_pairs", json_integer((json_int_t)gc));
	mb_set(out, "counts", q);
	free(x);
	return ok;
}
