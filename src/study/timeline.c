/* A run over time (see timeline.h). */
#include "study/timeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "study/metrics.h"
#include "study/spawn.h"
#include "lab/lab.h"
#include "sys/cgroup.h"

static int figures_of(const struct vl_timeline *tl, const double *vals,
                      struct vl_timeline_figures *f)
{
	cleanup_free double *jain = vl_xcalloc(tl->n_win + 1, sizeof(double));
	cleanup_free double *prog = vl_xcalloc(tl->n_win + 1, sizeof(double));
	double busiest = 0;

	memset(f, 0, sizeof(*f));
	f->jain_worst = 1;
	f->progress_min = tl->n;
	for (size_t w = 0; w < tl->n_win; w++) {
		double sum = 0;

		for (size_t i = 0; i < tl->n; i++)
			sum += vals[w * tl->n + i];
		if (sum > busiest)
			busiest = sum;
	}
	if (busiest <= 0 || !tl->n)
		return -1;
	bool span = false;

	for (size_t w = 0; w < tl->n_win && tl->to_s > tl->from_s; w++)
		span |= tl->t[w] - tl->interval_s >= tl->from_s && tl->t[w] <= tl->to_s;
	for (size_t w = 0; w < tl->n_win; w++) {
		const double *v = &vals[w * tl->n];
		double sum = 0, sq = 0;
		size_t moving = 0;

		if (span && (tl->t[w] - tl->interval_s < tl->from_s || tl->t[w] > tl->to_s))
			continue;

		for (size_t i = 0; i < tl->n; i++) {
			sum += v[i];
			sq += v[i] * v[i];
		}
		if (sum < 0.1 * busiest)
			continue; /* before the barrier, after the end */
		for (size_t i = 0; i < tl->n; i++)
			moving += v[i] >= VL_TIMELINE_PROGRESS * sum / (double)tl->n;
		jain[f->busy] = sum * sum / ((double)tl->n * sq);
		prog[f->busy] = (double)moving;
		if (jain[f->busy] < f->jain_worst) {
			f->jain_worst = jain[f->busy];
			f->worst_window = w;
		}
		if (moving < f->progress_min)
			f->progress_min = moving;
		f->busy++;
	}
	/* no window busy enough within the span (a run shorter than the
	 * sampling): no figures, rather than a median of nothing */
	if (!f->busy)
		return -1;
	f->jain_median = vl_metrics_median(jain, f->busy);
	f->progress_median = vl_metrics_median(prog, f->busy);
	return 0;
}

int vl_timeline_figures(const struct vl_timeline *tl, struct vl_timeline_figures *f)
{
	return figures_of(tl, tl->cpu, f);
}

int vl_timeline_figures_rx(const struct vl_timeline *tl, struct vl_timeline_figures *f)
{
	if (!tl->rx) {
		memset(f, 0, sizeof(*f));
		return -1;
	}
	return figures_of(tl, tl->rx, f);
}

void vl_timeline_free(struct vl_timeline *tl)
{
	free(tl->t);
	free(tl->cpu);
	free(tl->rx);
	tl->t = tl->cpu = tl->rx = NULL;
	tl->n_win = 0;
}

/* A timeline's figures (of CPU, or of bytes) under keys jain and prog of o. */
static void figures_json(json_t *o, const char *jain, const char *prog,
                         const struct vl_timeline_figures *f, size_t n)
{
	json_object_set_new(o, jain,
	                    json_pack("{s:f, s:f, s:I, s:I}", "median", f->jain_median, "worst",
	                              f->jain_worst, "worst_window", (json_int_t)f->worst_window,
	                              "busy_windows", (json_int_t)f->busy));
	json_object_set_new(o, prog,
	                    json_pack("{s:f, s:I, s:I}", "median", f->progress_median, "min",
	                              (json_int_t)f->progress_min, "of", (json_int_t)n));
}

json_t *vl_timeline_json(const struct vl_timeline *tl)
{
	struct vl_timeline_figures f;
	json_t *wins = json_array(), *o;

	for (size_t w = 0; w < tl->n_win; w++) {
		json_t *c = json_array();

		for (size_t i = 0; i < tl->n; i++)
			json_array_append_new(c, json_real(tl->cpu[w * tl->n + i]));
		json_t *win = json_pack("{s:f, s:o}", "t", tl->t[w], "cpu_s", c);

		if (tl->rx) {
			json_t *r = json_array();

			for (size_t i = 0; i < tl->n; i++)
				json_array_append_new(r, json_real(tl->rx[w * tl->n + i]));
			json_object_set_new(win, "rx_bytes", r);
		}
		json_array_append_new(wins, win);
	}
	o = json_pack("{s:f, s:f, s:f, s:o}", "interval_s", tl->interval_s, "judged_from_s",
	              tl->from_s, "judged_to_s", tl->to_s, "windows", wins);
	if (vl_timeline_figures(tl, &f) == 0)
		figures_json(o, "windowed_jain", "progress", &f, tl->n);
	if (vl_timeline_figures_rx(tl, &f) == 0)
		figures_json(o, "windowed_jain_rx", "progress_rx", &f, tl->n);
	return o;
}

/* One sample: every instance's CPU seconds so far (its nodes' cgroups). */
static void sample(struct vl_timeline_sampler *s, double *now, double *now_rx)
{
	const struct vl_cgroup_manager *cg = s->cg;

	for (size_t i = 0; i < s->tl.n; i++) {
		struct vl_cg_stats st;
		double v = 0;

		if (cg->stats(s->paths[i], &st, NULL) == 0)
			v += (double)st.cpu_usec / 1e6;
		if (s->paths2 && s->paths2[i][0] && cg->stats(s->paths2[i], &st, NULL) == 0)
			v += (double)st.cpu_usec / 1e6;
		now[i] = v;
	}
	for (size_t i = 0; s->be && i < s->tl.n; i++) {
		const struct vl_node_backend *be = s->be;
		struct vl_node_stats st = {0};
		double rx = 0;

		if (s->netns[i][0] && be->if_stats(s->netns[i], &st, NULL) == 0)
			for (size_t k = 0; k < st.n_ifs; k++)
				rx += (double)st.ifs[k].rx_bytes;
		free(st.ifs);
		now_rx[i] = rx;
	}
}

static void *run(void *arg)
{
	struct vl_timeline_sampler *s = arg;
	struct vl_timeline *tl = &s->tl;
	cleanup_free double *now = vl_xcalloc(tl->n, sizeof(double));
	cleanup_free double *now_rx = vl_xcalloc(tl->n, sizeof(double));
	double t0 = vl_now(), next = t0;
	struct timespec ts;

	tl->t0_real = (double)vl_realtime_ns() / 1e9;
	sample(s, s->last, s->last_rx);
	while (!s->stop) {
		next += tl->interval_s;
		ts.tv_sec = (time_t)next;
		ts.tv_nsec = (long)((next - (double)ts.tv_sec) * 1e9);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0 && !s->stop)
			;
		sample(s, now, now_rx);
		if (tl->n_win == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 64;
			tl->t = realloc(tl->t, s->cap * sizeof(*tl->t));
			tl->cpu = realloc(tl->cpu, s->cap * tl->n * sizeof(*tl->cpu));
			if (s->be)
				tl->rx = realloc(tl->rx, s->cap * tl->n * sizeof(*tl->rx));
			if (!tl->t || !tl->cpu || (s->be && !tl->rx))
				abort();
		}
		tl->t[tl->n_win] = vl_now() - t0;
		for (size_t i = 0; i < tl->n; i++) {
			tl->cpu[tl->n_win * tl->n + i] =
			    now[i] > s->last[i] ? now[i] - s->last[i] : 0;
			s->last[i] = now[i];
			if (s->be) {
				tl->rx[tl->n_win * tl->n + i] =
				    now_rx[i] > s->last_rx[i] ? now_rx[i] - s->last_rx[i] : 0;
				s->last_rx[i] = now_rx[i];
			}
		}
		tl->n_win++;
	}
	return NULL;
}

int vl_timeline_start(struct vl_timeline_sampler *s, const char *lab, char node[][16],
                      char server[][16], size_t n, double interval_s,
                      const struct vl_node_backend *be, char netns[][64])
{
	memset(s, 0, sizeof(*s));
	if (!(s->cg = vl_lab_cgroups(lab)) || !n || interval_s <= 0)
		return -1;
	s->tl.n = n;
	s->tl.interval_s = interval_s;
	s->paths = vl_xcalloc(n, sizeof(*s->paths));
	s->paths2 = server ? vl_xcalloc(n, sizeof(*s->paths2)) : NULL;
	s->last = vl_xcalloc(n, sizeof(double));
	s->last_rx = vl_xcalloc(n, sizeof(double));
	if (be && be->if_stats && netns) {
		s->be = be;
		s->netns = vl_xcalloc(n, sizeof(*s->netns));
		memcpy(s->netns, netns, n * sizeof(*s->netns));
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(s->paths[i], sizeof(s->paths[i]), "vnetlab/%s/%s", lab, node[i]);
		if (server && server[i][0])
			snprintf(s->paths2[i], sizeof(s->paths2[i]), "vnetlab/%s/%s", lab,
			         server[i]);
	}
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		free(s->paths);
		free(s->paths2);
		free(s->last);
		free(s->last_rx);
		free(s->netns);
		return -1;
	}
	s->running = true;
	return 0;
}

void vl_timeline_stop(struct vl_timeline_sampler *s)
{
	if (!s->running)
		return;
	s->stop = true;
	pthread_join(s->thread, NULL);
	s->running = false;
	free(s->paths);
	free(s->paths2);
	free(s->last);
	free(s->last_rx);
	free(s->netns);
	s->paths = s->paths2 = NULL;
	s->last = s->last_rx = NULL;
	s->netns = NULL;
}
