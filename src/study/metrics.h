/* How fairly N identical instances shared the machine: the figures of the
 * study vnetlab reproduces, which compared each instance's "percentage
 * share" of CPU time or bandwidth between N Xen guests, N processes and N
 * real machines. Pure functions: no I/O, no syscalls, no global state.
 *
 * Input is one value per instance, x[0..n-1] (CPU seconds, bytes/s, ...),
 * all in the same unit, and optionally whether each instance finished.
 * Instances are numbered from 0 in every message, as x[] is.
 *
 * Precision: values are first divided by their maximum (every ratio below
 * is scale-free, so nothing overflows even near DBL_MAX), then summed in
 * long double with Neumaier's compensated summation; the spread uses two
 * passes (mean, then squared deviations) rather than Σx² − N·mean². */
#ifndef VL_STUDY_METRICS_H
#define VL_STUDY_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Fairness-word thresholds on Jain's index (see vl_metrics_fairness_word). */
#define VL_METRICS_FAIR        0.95
#define VL_METRICS_MOSTLY_FAIR 0.85

/* A share within this relative distance of 1/n counts as exactly 1/n when
 * shares are sorted below, at or above the ideal: decimal input
 * such as 0.1 0.2 0.3 makes 0.2 exactly a third on paper but not in binary,
 * and that rounding must not move an instance across the step. */
#define VL_METRICS_TIE_REL 1e-12

struct vl_metrics {
	size_t n;        /* instances */
	size_t nstarved; /* instances that did not finish (finished[i] false) */

	/* False iff every value is 0: nothing was measured. The ratios below
	 * are then those of n equal values (the limit as all x -> same c):
	 * share = 1/n, jain = 1, cv = 0, worst_share = 1, maxmin = 1, so that nothing
	 * is NaN; a report should say "nothing measured" instead of "fair". */
	bool measured;

	/* In the input's unit. sum is +HUGE_VAL only if Σx exceeds DBL_MAX;
	 * the ratios are unaffected. stddev is the population one (÷ n). */
	double sum, mean, min, max, stddev;

	/* share[i] = x[i] / sum, in input order: the study's percentage share
	 * divided by 100. Σ share = 1. ideal_share = 1/n. */
	double *share;
	double ideal_share;

	/* The cumulative distribution of shares: cdf[k] is the (k+1)-th
	 * smallest share, so the empirical CDF has the points
	 * (cdf[k], (k+1)/n) for k = 0..n-1 (equal shares give one point each;
	 * the CDF at a value is the highest of them). The ideal CDF is the
	 * step 0 below 1/n, 1 at and above it. */
	double *cdf;
	size_t nbelow, nabove; /* shares strictly below / above 1/n */

	/* Jain's fairness index (Σx)² / (n·Σx²) = 1 / (1 + cv²): 1 when all
	 * equal, 1/n when one instance has everything. */
	double jain;
	/* max / min: +HUGE_VAL (maxmin_infinite set) when min is 0 and max is
	 * not, or when the ratio exceeds DBL_MAX. 1 when all values are 0. */
	double maxmin;
	bool maxmin_infinite;
	/* Coefficient of variation: population stddev / mean. */
	double cv;
	/* The worst-off instance's share as a fraction of a fair one:
	 * min share / (1/n) = min / mean, in [0, 1]; 1 when all are equal
	 * ("the slowest instance got 62 % of a fair share"). */
	double worst_share;
};

/* Compute every figure for x[0..n-1]. finished may be NULL (all
 * finished); an instance that did not finish still counts with the work it
 * did (its x), and is counted in nstarved. out is overwritten; on success
 * it owns share[] and cdf[]: release them with vl_metrics_free(). On
 * failure out is zeroed and owns nothing. Errors: n = 0; x NULL; a value
 * negative or not finite (the message names the instance). */
int vl_metrics_compute(const double *x, const bool *finished, size_t n, struct vl_metrics *out,
                       struct vl_err *err);
/* Free what vl_metrics_compute() allocated; safe on a zeroed struct and
 * twice. */
void vl_metrics_free(struct vl_metrics *m);

/* Slowdown: t_emulated / t_reference, e.g. a run on the vm backend against
 * the same run on proc, or N instances against a solo run. 1 = as fast;
 * 2 = took twice as long. t_emulated must be finite and >= 0, t_reference
 * finite and > 0. */
int vl_metrics_slowdown(double t_emulated, double t_reference, double *out, struct vl_err *err);

/* The study's scale factor for n instances run at once:
 * t_emulated / (n × t_solo), where t_emulated is the wall time until all n
 * finished and t_solo that of one instance alone. On one CPU, perfect time
 * sharing without overhead gives 1; above 1 is the cost of running them
 * together (switching, contention); below 1 means the instances ran in
 * parallel (several CPUs). Same checks as the slowdown, and n >= 1. */
int vl_metrics_scale(double t_emulated, size_t n, double t_solo, double *out, struct vl_err *err);

/* Utilisation: aggregate / capacity, e.g. the instances' summed bytes/s
 * against the link's rate, or summed CPU seconds against cpus × wall time.
 * aggregate finite and >= 0, capacity finite and > 0. Not clamped to 1:
 * above 1 means the capacity was wrong (or bursts exceeded it). */
int vl_metrics_utilisation(double aggregate, double capacity, double *out, struct vl_err *err);

/* Least squares of y = a + b·x over n points (n >= 2, x not all equal):
 * intercept a, slope b, and r2 the fraction of y's variance the line
 * explains (1 when exact; 1 also when y is constant). */
int vl_metrics_linear_fit(const double *x, const double *y, size_t n, double *a, double *b,
                          double *r2, struct vl_err *err);

/* The median of v[0..n), sorting v in place; NaN for n = 0. */
double vl_metrics_median(double *v, size_t n);

/* Isolation: how much a neighbour slowed each instance. base[i] and
 * with[i] are instance i's value (higher is better: completion rate,
 * bytes/s) in a run without and with the neighbour; slow[i] = base[i] /
 * with[i] (1: untouched, 2: half as fast; +HUGE_VAL when it did nothing
 * with the neighbour but did without). median and worst (the largest)
 * over all n. Errors: n = 0; a value negative or not finite; base[i] = 0
 * (nothing to compare with; the message names the instance). */
int vl_metrics_isolation(const double *base, const double *with, size_t n, double *slow,
                         double *median, double *worst, struct vl_err *err);

/* A word for Jain's index: "fair" at or above VL_METRICS_FAIR (0.95),
 * "mostly fair" at or above VL_METRICS_MOSTLY_FAIR (0.85), "unfair" below,
 * "unknown" for NaN. Say "nothing measured" instead when !measured. */
const char *vl_metrics_fairness_word(double jain);

#endif
