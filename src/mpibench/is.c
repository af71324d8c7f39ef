/* vnetlab-mpi is: integer sort, in the spirit of NAS IS.
 *
 * N keys in [0, B) from NAS's generator (a = 5^13, seed 314159265; a key is
 * B/4 times the sum of four uniform numbers, so they cluster in the middle),
 * block-distributed over the ranks; each rank starts its block of the one
 * random stream by jump-ahead, so the keys do not depend on the rank count.
 * Each iteration changes two keys as NAS does (key[i] = i and
 * key[i + iterations] = B - i), then sorts all keys afresh: every rank splits
 * its keys into one bucket per rank by value (rank r gets [rB/P, (r+1)B/P)),
 * the bucket sizes go out with MPI_Alltoall, the keys with MPI_Alltoallv, and
 * each rank counting-sorts what it received. Key generation is not timed.
 *
 * Verified, after the last iteration: every rank's keys are sorted and
 * below the next rank's, no key is lost or made up (count, sum and sum of
 * squares of the keys before and after), and the position checksum
 * sum(key[p] * (p mod 1021 + 1)) over the global sorted order equals the
 * reference computed once with one rank. mops: keys sorted per second, in
 * millions (N * iterations / time), as NAS counts them. */
#include <stdio.h>
#include <string.h>

#include "mpibench.h"

#define IS_A    UINT64_C(1220703125)
#define IS_SEED UINT64_C(314159265)

struct is_class {
	int log_keys, log_max_key, iterations;
	uint64_t checksum; /* reference position checksum */
};

static const struct is_class is_classes[MB_NCLASSES] = {
    [MB_CLASS_S] = {18, 14, 10, UINT64_C(1096361254899)},
    [MB_CLASS_W] = {24, 20, 10, UINT64_C(4494979094702914)},
    [MB_CLASS_A] = {25, 21, 20, UINT64_C(17979528938347291)},
};

bool mb_is(const struct mb_opts *o, struct mb_meter *m, json_t *out)
{
	const struct is_class *c = &is_classes[o->cls];
	const long nkeys = 1L << c->log_keys, bmax = 1L << c->log_max_key;
	const int p = o->size, niter = c->iterations;
	long i0 = nkeys * o->rank / p, i1 = nkeys * (o->rank + 1) / p, n = i1 - i0;
	long lo = (o->rank * bmax + p - 1) / p, hi = ((o->rank + 1) * bmax + p - 1) / p;
	long cap = n + n / 4 + 1024, nrecv = 0, bad = 0, offset = 0, total = 0;
	int *keys, *sendbuf, *recvbuf, *sorted, *hist, *alledges, edges[3];
	int *scount, *sdispl, *rcount, *rdispl, *fill;
	uint64_t x, sums[3] = {0}, gsums[3], check = 0, gcheck = 0;
	bool ok = true;
	double wall;
	char size[64];

	keys = mb_alloc((size_t)n, sizeof(int));
	sendbuf = mb_alloc((size_t)n, sizeof(int));
	recvbuf = mb_alloc((size_t)cap, sizeof(int)); /* grows when a bucket is larger */
	sorted = mb_alloc((size_t)cap, sizeof(int));
	hist = mb_alloc((size_t)(hi - lo), sizeof(int));
	alledges = mb_alloc((size_t)p, sizeof(edges));
	scount = mb_alloc((size_t)p, sizeof(int));
	sdispl = mb_alloc((size_t)p, sizeof(int));
	rcount = mb_alloc((size_t)p, sizeof(int));
	rdispl = mb_alloc((size_t)p, sizeof(int));
	fill = mb_alloc((size_t)p, sizeof(int));

	/* The keys of [i0, i1): four numbers per key from the start of the block. */
	x = (IS_SEED * mb_lcg_pow(IS_A, 4 * (uint64_t)i0)) & MB_LCG_MASK;
	for (long i = 0; i < n; i++) {
		double r = mb_lcg_next(&x, IS_A);

		r += mb_lcg_next(&x, IS_A);
		r += mb_lcg_next(&x, IS_A);
		r += mb_lcg_next(&x, IS_A);
		keys[i] = (int)((double)(bmax / 4) * r);
	}

	mb_begin(m);
	for (int it = 1; it <= niter; it++) {
		long sends = 0;

		if (it >= i0 && it < i1)
			keys[it - i0] = it;
		if (it + niter >= i0 && it + niter < i1)
			keys[it + niter - i0] = (int)(bmax - it);

		/* Buckets: sizes, then the keys, in bucket order. */
		memset(scount, 0, (size_t)p * sizeof(int));
		for (long i = 0; i < n; i++)
			scount[((long)keys[i] * p) >> c->log_max_key]++;
		for (int r = 0; r < p; r++) {
			sdispl[r] = (int)sends;
			fill[r] = (int)sends;
			sends += scount[r];
		}
		for (long i = 0; i < n; i++)
			sendbuf[fill[((long)keys[i] * p) >> c->log_max_key]++] = keys[i];

		MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, MPI_COMM_WORLD);
		nrecv = 0;
		for (int r = 0; r < p; r++) {
			rdispl[r] = (int)nrecv;
			nrecv += rcount[r];
		}
		if (nrecv > cap) {
			free(recvbuf);
			free(sorted);
			cap = nrecv;
			recvbuf = mb_alloc((size_t)cap, sizeof(int));
			sorted = mb_alloc((size_t)cap, sizeof(int));
		}
		MPI_Alltoallv(sendbuf, scount, sdispl, MPI_INT, recvbuf, rcount, rdispl, MPI_INT,
		              MPI_COMM_WORLD);

		/* Counting sort of [lo, hi). */
		memset(hist, 0, (size_t)(hi - lo) * sizeof(int));
		for (long i = 0; i < nrecv; i++) {
			long k = recvbuf[i] - lo;

			if (k < 0 || k >= hi - lo)
				bad++;
			else
				hist[k]++;
		}
		for (long k = 0, at = 0; k < hi - lo; k++) {
			for (int j = 0; j < hist[k]; j++)
				sorted[at++] = (int)(lo + k);
		}
	}
	mb_end(m);
	wall = mb_wall_max(m);

	if (bad)
		ok = false; /* keys that arrived at the wrong rank */
	/* The multiset: count, sum and sum of squares before and after. */
	for (long i = 0; i < n; i++) {
		sums[0] += 1;
		sums[1] += (uint64_t)keys[i];
		sums[2] += (uint64_t)keys[i] * (uint64_t)keys[i];
	}
	for (long i = 0; i < nrecv; i++) {
		sums[0] -= 1;
		sums[1] -= (uint64_t)sorted[i];
		sums[2] -= (uint64_t)sorted[i] * (uint64_t)sorted[i];
	}
	MPI_Allreduce(sums, gsums, 3, MPI_UNSIGNED_LONG, MPI_SUM, MPI_COMM_WORLD);
	if (gsums[0] || gsums[1] || gsums[2])
		ok = false;
	/* Sorted within the rank, and every rank below the next. */
	for (long i = 1; i < nrecv; i++)
		if (sorted[i - 1] > sorted[i])
			ok = false;
	edges[0] = (int)nrecv;
	edges[1] = nrecv ? sorted[0] : 0;
	edges[2] = nrecv ? sorted[nrecv - 1] : 0;
	MPI_Allgather(edges, 3, MPI_INT, alledges, 3, MPI_INT, MPI_COMM_WORLD);
	for (int r = 0, last = -1; r < p; r++) {
		int cnt = alledges[3 * r], first = alledges[3 * r + 1];

		if (r < o->rank)
			offset += cnt;
		total += cnt;
		if (cnt == 0)
			continue;
		if (first < last)
			ok = false;
		last = alledges[3 * r + 2];
	}
	if (total != nkeys)
		ok = false;
	for (long i = 0; i < nrecv; i++)
		check += (uint64_t)sorted[i] * (uint64_t)((offset + i) % 1021 + 1);
	MPI_Allreduce(&check, &gcheck, 1, MPI_UNSIGNED_LONG, MPI_SUM, MPI_COMM_WORLD);
	if (gcheck != c->checksum)
		ok = false;

	snprintf(size, sizeof(size), "2^%d keys in [0, 2^%d)", c->log_keys, c->log_max_key);
	mb_set(out, "size", json_string(size));
	mb_set(out, "iterations", json_integer(niter));
	mb_set(out, "mops", json_real(wall > 0 ? (double)nkeys * niter / wall / 1e6 : 0));
	mb_set(out, "checksum", json_integer((json_int_t)gcheck));
	mb_set(out, "keys", json_integer(total));
	free(alledges);
	free(sorted);
	free(recvbuf);
	free(hist);
	free(fill);
	free(rdispl);
	free(rcount);
	free(sdispl);
	free(scount);
	free(sendbuf);
	free(keys);
	return ok;
}
