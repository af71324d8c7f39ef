/* Link impairments, one direction of a link: rate, delay, jitter, loss and
 * queue limits, as pure data and their text (a topology's link settings,
 * `vnetlab link`, state.json). Below the plan and the link backends, which
 * both read them: linkd applies them to frames; the
 * kernel link backend turns rate and queues into qdiscs. Touches nothing. */
#ifndef VL_TOPO_IMPAIR_H
#define VL_TOPO_IMPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum vl_jitter_dist {
	VL_DIST_UNIFORM, /* delay ± jitter, uniformly */
	VL_DIST_NORMAL,  /* mean delay, standard deviation jitter */
	VL_DIST_PARETO,  /* heavy tail, scale jitter */
};

struct vl_impair {
	uint64_t rate_bps; /* 0: unlimited */
	uint64_t delay_ns;
	uint64_t jitter_ns;
	enum vl_jitter_dist dist;
	double loss; /* random loss, probability 0..1 */
	/* Gilbert–Elliott burst loss (netem's "loss gemodel p r 1-h 1-k"):
	 * p: good→bad, r: bad→good transition probabilities per packet; in the
	 * bad state a packet is lost with probability 1-h, in the good state
	 * with 1-k. ge false: not used. */
	bool ge;
	double ge_p, ge_r, ge_h, ge_k;
	uint32_t queue_packets; /* drop-tail limit in packets; 0: default 1000 */
	uint64_t queue_bytes;   /* drop-tail limit in bytes; 0: none */
};

/* true if nothing is impaired. */
bool vl_impair_none(const struct vl_impair *im);
/* true if im delays or drops frames (delay, jitter, loss): what the
 * kernel can do only with netem, and linkd always. */
bool vl_impair_needs_netem(const struct vl_impair *im);
/* Parse one "key value" setting into im: bw/rate (e.g. 10Mbit, 1Gbit,
 * 500kbit, bits per second), delay (20ms, 1.5ms, 100us), jitter (5ms),
 * distribution (uniform|normal|pareto), loss (1%, 0.01), loss-model
 * ("gemodel P R [1-H [1-K]]" in percent, as netem), queue (100 = packets,
 * "64KiB"/"100kB" = bytes). NULL, or what was expected. */
const char *vl_impair_set(struct vl_impair *im, const char *key, const char *value);
/* Canonical text ("rate 10Mbit delay 20ms jitter 2ms/normal loss 1%"),
 * "none" when nothing is impaired. */
void vl_impair_format(const struct vl_impair *im, char *buf, size_t len);
/* Parse that text back. NULL, or what was wrong. */
const char *vl_impair_parse(struct vl_impair *im, const char *text);

#endif
