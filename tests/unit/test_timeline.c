/* A run over time (src/study/timeline.h): windowed Jain and how many
 * instances made progress per window, on hand-computed timelines. */
#include <math.h>

#include "study/timeline.h"
#include "check.h"

static void t_figures(void)
{
	/* 2 instances, 3 windows of 100 ms:
	 *   w0: 0 0        idle (before the barrier): not judged
	 *   w1: 0.1 0.1    Jain 1, both progress
	 *   w2: 0.2 0      Jain 0.2^2 / (2 * 0.04) = 0.5; the second used 0,
	 *                  under 10 % of a fair share (0.01): one progresses
	 * busy 2, Jain median 0.75, worst 0.5 (window 2), progress median 1.5,
	 * fewest 1 */
	double t[] = {0.1, 0.2, 0.3}, cpu[] = {0, 0, 0.1, 0.1, 0.2, 0};
	struct vl_timeline tl = {.interval_s = 0.1, .n = 2, .n_win = 3, .t = t, .cpu = cpu};
	struct vl_timeline_figures f;
	struct vl_buf why = {0};

	if (vl_timeline_figures(&tl, &f) < 0 || f.busy != 2 || fabs(f.jain_median - 0.75) > 1e-12 ||
	    fabs(f.jain_worst - 0.5) > 1e-12 || f.worst_window != 2 ||
	    fabs(f.progress_median - 1.5) > 1e-12 || f.progress_min != 1)
		why_add(&why, "busy %zu jain %g/%g@%zu progress %g/%zu", f.busy, f.jain_median,
		        f.jain_worst, f.worst_window, f.progress_median, f.progress_min);
	report("timeline/two-windows", &why);
	vl_buf_free(&why);

	/* judged only from 0.1 s to 0.2 s: window 1 alone */
	tl.from_s = 0.1;
	tl.to_s = 0.2;
	if (vl_timeline_figures(&tl, &f) < 0 || f.busy != 1 || f.jain_worst != 1 ||
	    f.progress_min != 2)
		why_add(&why, "span: busy %zu worst %g fewest %zu", f.busy, f.jain_worst,
		        f.progress_min);
	report("timeline/span", &why);
	vl_buf_free(&why);

	/* judged from 0 s to 0.1 s, where nothing ran yet (a run shorter than
	 * its windows): no figures, not a median of no windows */
	tl.from_s = 0;
	tl.to_s = 0.1;
	result("timeline/span-idle", vl_timeline_figures(&tl, &f) < 0,
	       "no busy window in the span: no figures");

	/* "two or three at a time": 4 instances, one window where two ran */
	double t4[] = {0.1}, c4[] = {0.05, 0.05, 0.001, 0};
	struct vl_timeline t2 = {.interval_s = 0.1, .n = 4, .n_win = 1, .t = t4, .cpu = c4};

	/* fair share 0.101 / 4 = 0.02525; 10 % of it 0.0025: the third's
	 * 0.001 is not progress. Jain 0.101^2 / (4 * 0.005001) = 0.50995 */
	if (vl_timeline_figures(&t2, &f) < 0 || f.progress_min != 2 ||
	    fabs(f.jain_worst - 0.101 * 0.101 / (4 * 0.005001)) > 1e-9)
		why_add(&why, "fewest %zu worst %g", f.progress_min, f.jain_worst);
	report("timeline/two-of-four", &why);
	vl_buf_free(&why);

	double z[] = {0, 0};
	struct vl_timeline t3 = {.interval_s = 0.1, .n = 2, .n_win = 1, .t = t4, .cpu = z};

	result("timeline/idle", vl_timeline_figures(&t3, &f) < 0, "nothing ran: no figures");
	result("timeline/no-bytes", vl_timeline_figures_rx(&t3, &f) < 0, "bytes were not sampled");

	/* bytes received are judged the same way, apart from the CPU: the CPU
	 * fair, the bytes all to the first (Jain 1/2, one progresses) */
	double c5[] = {0.1, 0.1}, rx[] = {1e6, 0};
	struct vl_timeline t5 = {
	    .interval_s = 0.1, .n = 2, .n_win = 1, .t = t4, .cpu = c5, .rx = rx};

	if (vl_timeline_figures(&t5, &f) < 0 || f.jain_worst != 1 ||
	    vl_timeline_figures_rx(&t5, &f) < 0 || fabs(f.jain_worst - 0.5) > 1e-12 ||
	    f.progress_min != 1)
		why_add(&why, "bytes: worst %g fewest %zu", f.jain_worst, f.progress_min);
	report("timeline/bytes", &why);
	vl_buf_free(&why);
}

int main(void)
{
	t_figures();
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
