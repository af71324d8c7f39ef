/* A run over time: every instance's CPU time (its node's cgroup, and its
 * server node's for network workloads) sampled at a fixed interval while
 * the instances run, and what the windows say that a whole-run share
 * hides: how fair each window was (Jain's index across the instances)
 * and how many instances made progress in it (the study saw in xentop
 * that "only two to three guests were found to be actively working at a
 * given instant"). The figures are pure (tests/unit/test_timeline.c); the
 * sampler is a thread reading the lab's cgroups. */
#ifndef VL_STUDY_TIMELINE_H
#define VL_STUDY_TIMELINE_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "node/node.h"

struct vl_timeline {
	double interval_s;
	size_t n;       /* instances */
	size_t n_win;   /* windows */
	double *t;      /* each window's end, s since sampling began */
	double *cpu;    /* cpu[w * n + i]: CPU seconds instance i used in window w */
	double *rx;     /* rx[w * n + i]: bytes its receiving node took in (NULL: not sampled) */
	double t0_real; /* when sampling began, CLOCK_REALTIME s */
	/* the span judged, s since sampling began: every instance started and
	 * none ended yet (0, 0: every busy window) */
	double from_s, to_s;
};

/* An instance made progress in a window when it used at least this
 * fraction of a fair share of what all used in it. */
#define VL_TIMELINE_PROGRESS 0.10

struct vl_timeline_figures {
	size_t busy; /* windows in which anything ran (the rest are not judged) */
	double jain_median, jain_worst;
	size_t worst_window;
	double progress_median; /* instances making progress in a window */
	size_t progress_min;
};

/* The figures of tl's busy windows (a window is busy when the instances
 * used at least a tenth of what its busiest window saw) within the span
 * judged, if a window lies wholly in it. 0, or -1 if no window was busy. */
int vl_timeline_figures(const struct vl_timeline *tl, struct vl_timeline_figures *f);
/* The same of the bytes received per window (-1 if not sampled). */
int vl_timeline_figures_rx(const struct vl_timeline *tl, struct vl_timeline_figures *f);
void vl_timeline_free(struct vl_timeline *tl);
/* {"interval_s", "windows": [{"t", "cpu_s": [...]}], "windowed_jain":
 * {median, worst, worst_window}, "progress": {median, min, of}} */
json_t *vl_timeline_json(const struct vl_timeline *tl);

/* The sampler: a thread reading cgroup paths[i] (and paths2[i], if not
 * NULL) every interval until stopped. */
struct vl_timeline_sampler {
	pthread_t thread;
	bool running;
	volatile bool stop;
	char (*paths)[160], (*paths2)[160];
	const void *cg; /* const struct vl_cgroup_manager * */
	struct vl_timeline tl;
	size_t cap;
	double *last, *last_rx;
	const struct vl_node_backend *be; /* rx: its if_stats on netns[i], or NULL */
	char (*netns)[64];
};
/* be and netns (may be NULL): also the bytes received by the node whose
 * network namespace is netns[i] (netns[i][0] == 0: none), through be's
 * if_stats. */
int vl_timeline_start(struct vl_timeline_sampler *s, const char *lab, char node[][16],
                      char server[][16], size_t n, double interval_s,
                      const struct vl_node_backend *be, char netns[][64]);
/* Stop it; its timeline (s->tl) is then the caller's. */
void vl_timeline_stop(struct vl_timeline_sampler *s);

#endif
