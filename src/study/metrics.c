/* Fairness figures for N instances: see metrics.h. Pure: no I/O. */
#include "study/metrics.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Neumaier's variant of Kahan summation: the compensation also holds when
 * an addend is larger than the running sum. */
struct ksum {
	long double s, c;
};

static void ksum_add(struct ksum *k, long double v)
{
	long double t = k->s + v;

	if (fabsl(k->s) >= fabsl(v))
		k->c += (k->s - t) + v;
	else
		k->c += (v - t) + k->s;
	k->s = t;
}

static long double ksum_total(const struct ksum *k)
{
	return k->s + k->c;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int check_values(const double *x, size_t n, struct vl_err *err)
{
	if (n == 0)
		return vl_err_set(err, 0, "no instances (N = 0): need at least one value");
	if (!x)
		return vl_err_set(err, 0, "no values given for %zu instances", n);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]))
			return vl_err_set(err, 0, "instance %zu: value %g is not a finite number",
			                  i, x[i]);
		if (x[i] < 0)
			return vl_err_set(err, 0,
			                  "instance %zu: value %g is negative (a time, a byte "
			                  "count or a rate cannot be below 0)",
			                  i, x[i]);
	}
	return 0;
}

/* Nothing measured: the figures of n equal values (see metrics.h). */
static void fill_unmeasured(struct vl_metrics *m)
{
	for (size_t i = 0; i < m->n; i++)
		m->share[i] = m->cdf[i] = m->ideal_share;
	m->measured = false;
	m->jain = 1;
	m->maxmin = 1;
	m->cv = 0;
	m->worst_share = 1;
}

int vl_metrics_compute(const double *x, const bool *finished, size_t n, struct vl_metrics *out,
                       struct vl_err *err)
{
	struct ksum sy = {0}, sdev = {0};
	long double total, my, var, tol;
	double max = 0, min = HUGE_VAL;

	memset(out, 0, sizeof(*out));
	if (check_values(x, n, err) < 0)
		return -1;

	out->n = n;
	out->ideal_share = 1.0 / (double)n;
	for (size_t i = 0; i < n; i++) {
		if (x[i] > max)
			max = x[i];
		if (x[i] < min)
			min = x[i];
		if (finished && !finished[i])
			out->nstarved++;
	}
	out->min = min;
	out->max = max;
	out->share = vl_xcalloc(n, sizeof(*out->share));
	out->cdf = vl_xcalloc(n, sizeof(*out->cdf));
	if (max == 0) {
		fill_unmeasured(out);
		return 0;
	}
	out->measured = true;

	/* Scaled by the maximum: y in [0, 1], Σy in [1, n]. */
	for (size_t i = 0; i < n; i++)
		ksum_add(&sy, (long double)x[i] / max);
	total = ksum_total(&sy);
	my = total / n;
	for (size_t i = 0; i < n; i++) {
		long double d = (long double)x[i] / max - my;

		ksum_add(&sdev, d * d);
	}
	var = ksum_total(&sdev) / n;

	out->sum = (double)(total * max);
	out->mean = (double)(my * max);
	out->stddev = (double)(sqrtl(var) * max);
	out->cv = (double)(sqrtl(var) / my);
	out->jain = (double)(my * my / (my * my + var));
	out->maxmin = max / min; /* +inf when min is 0 or on overflow */
	out->maxmin_infinite = isinf(out->maxmin);

	/* share[i] vs 1/n is x[i]/max·n vs Σy, compared without a division. */
	tol = VL_METRICS_TIE_REL * total;
	for (size_t i = 0; i < n; i++) {
		long double y = (long double)x[i] / max, d = y * n - total;

		out->share[i] = (double)(y / total);
		if (d < -tol)
			out->nbelow++;
		else if (d > tol)
			out->nabove++;
	}
	out->worst_share = (double)((long double)min / max / my);

	memcpy(out->cdf, out->share, n * sizeof(*out->cdf));
	qsort(out->cdf, n, sizeof(*out->cdf), cmp_double);
	return 0;
}

void vl_metrics_free(struct vl_metrics *m)
{
	if (!m)
		return;
	free(m->share);
	free(m->cdf);
	m->share = NULL;
	m->cdf = NULL;
}

/* num / den for the helpers below: num finite >= 0, den finite > 0. */
static int ratio(double num, const char *num_name, double den, const char *den_name, double *out,
                 struct vl_err *err)
{
	*out = 0;
	if (!isfinite(num) || num < 0)
		return vl_err_set(err, 0, "%s %g: must be a finite number >= 0", num_name, num);
	if (!isfinite(den) || den <= 0)
		return vl_err_set(err, 0, "%s %g: must be a finite number > 0", den_name, den);
	*out = num / den;
	return 0;
}

int vl_metrics_slowdown(double t_emulated, double t_reference, double *out, struct vl_err *err)
{
	return ratio(t_emulated, "emulated time", t_reference, "reference time", out, err);
}

int vl_metrics_scale(double t_emulated, size_t n, double t_solo, double *out, struct vl_err *err)
{
	*out = 0;
	if (n == 0)
		return vl_err_set(err, 0, "scale factor: no instances (N = 0)");
	if (!isfinite(t_solo) || t_solo <= 0)
		return vl_err_set(err, 0, "solo time %g: must be a finite number > 0", t_solo);
	return ratio(t_emulated, "emulated time", (double)n * t_solo, "N x solo time", out, err);
}

int vl_metrics_utilisation(double aggregate, double capacity, double *out, struct vl_err *err)
{
	return ratio(aggregate, "aggregate", capacity, "capacity", out, err);
}

int vl_metrics_isolation(const double *base, const double *with, size_t n, double *slow,
                         double *median, double *worst, struct vl_err *err)
{
	cleanup_free double *sorted = NULL;

	*median = *worst = 0;
	if (n == 0)
		return vl_err_set(err, 0, "isolation: no instances (N = 0)");
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(base[i]) || base[i] <= 0)
			return vl_err_set(
			    err, 0,
			    "isolation: instance %zu did nothing without the neighbour (%g)", i,
			    base[i]);
		if (!isfinite(with[i]) || with[i] < 0)
			return vl_err_set(err, 0,
			                  "isolation: instance %zu: value %g with the neighbour", i,
			                  with[i]);
		slow[i] = with[i] > 0 ? base[i] / with[i] : HUGE_VAL;
	}
	sorted = vl_xmalloc(n * sizeof(*sorted));
	memcpy(sorted, slow, n * sizeof(*sorted));
	*median = vl_metrics_median(sorted, n);
	*worst = sorted[n - 1];
	return 0;
}

double vl_metrics_median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

const char *vl_metrics_fairness_word(double jain)
{
	if (isnan(jain))
		return "unknown";
	if (jain >= VL_METRICS_FAIR)
		return "fair";
	if (jain >= VL_METRICS_MOSTLY_FAIR)
		return "mostly fair";
	return "unfair";
}

int vl_metrics_linear_fit(const double *x, const double *y, size_t n, double *a, double *b,
                          double *r2, struct vl_err *err)
{
	long double mx = 0, my = 0, sxx = 0, sxy = 0, syy = 0, res = 0;

	if (n < 2)
		return vl_err_set(err, EINVAL, "a line needs 2 points or more, not %zu", n);
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i]))
			return vl_err_set(err, EINVAL, "point %zu is not finite", i);
		mx += x[i];
		my += y[i];
	}
	mx /= n;
	my /= n;
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
		syy += (y[i] - my) * (y[i] - my);
	}
	if (sxx == 0)
		return vl_err_set(err, EINVAL, "every x is %g: no slope", x[0]);
	*b = (double)(sxy / sxx);
	*a = (double)(my - sxy / sxx * mx);
	for (size_t i = 0; i < n; i++) {
		long double d = y[i] - (*a + *b * x[i]);

		res += d * d;
	}
	*r2 = syy > 0 ? (double)(1 - res / syy) : 1;
	return 0;
}
