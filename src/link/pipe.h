/* One direction of one link, as a deterministic model: frames go in with
 * their arrival time, come out at their release time, or are dropped. No
 * syscalls, no clock: the caller passes the time (ns, any monotonic
 * origin), so the same seed and the same input give exactly the same drops
 * and the same release times. linkd drives it with real fds and a timer.
 *
 * What happens to a frame of L bytes offered at time t, in this order:
 *
 *  1. queue: drop-tail. If the pipe already holds queue_packets frames
 *     (0: 1000) or would hold more than queue_bytes bytes (0: no limit),
 *     the frame is dropped (VL_PIPE_DROP_QUEUE). As netem's "limit", this
 *     counts every frame held, those being serialized and those in the
 *     delay line: raise it for large bandwidth-delay products. Frames
 *     longer than VL_PIPE_MAX_FRAME are dropped the same way.
 *  2. loss (one or two draws of the PRNG): independent, probability loss;
 *     or Gilbert–Elliott when ge is set: per frame the state first moves
 *     (good→bad with probability ge_p, bad→good with ge_r), then the frame
 *     is lost with probability 1-ge_h in the bad state, 1-ge_k in the good
 *     one. Average loss π_b(1-h) + π_g(1-k), π_b = p/(p+r); mean burst
 *     length 1/r when h = 0 and k = 1. Lost frames take no link time
 *     (VL_PIPE_DROP_LOSS), as in netem.
 *  3. rate (rate_bps > 0): serialization. The frame starts when the link is
 *     free (max(t, departure of the previous frame)) and departs L*8/rate
 *     later; sub-ns remainders carry over while the link stays busy, so
 *     back-to-back frames are spaced exactly. No burst: an idle link sends
 *     the next frame after its own serialization time, never earlier.
 *     Without rate, departure = t.
 *  4. delay and jitter (one draw when jitter_ns > 0): offset from departure
 *     d = delay, plus
 *       uniform: U(-jitter, +jitter);
 *       normal:  N(0, jitter) (jitter is the standard deviation);
 *       pareto:  jitter * (P - 1.5) / 0.866 with P plain Pareto, x_m = 1,
 *                shape 3 (mean 1.5, sd 0.866): mean offset 0, sd jitter,
 *                bounded below at delay - 0.577 jitter, heavy right tail;
 *     an offset below 0 counts as 0 (the distribution is truncated at 0).
 *  5. order: release = max(departure + d, release of the previous frame):
 *     a FIFO link never reorders; jitter only stretches gaps.
 *
 * vl_pipe_set() changes the parameters at run time. They apply to frames
 * offered from then on; frames already held keep their release times
 * (order still holds, by 5). A smaller queue limit never drops what is
 * already held: new frames are refused until the pipe is under the limit.
 * The link's busy-until time and the Gilbert–Elliott state carry over.
 *
 * Memory: frames are copied into a byte ring and a ring of descriptors,
 * allocated at init and grown (amortized, doubling) only when the queue
 * needs more than it ever did; nothing is allocated per frame. */
#ifndef VL_LINK_PIPE_H
#define VL_LINK_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topo/impair.h"

/* a 64 KiB GSO segment with its Ethernet and virtio-net headers */
#define VL_PIPE_MAX_FRAME     (65536u + 256u)
#define VL_PIPE_DEFAULT_QUEUE 1000u

enum vl_pipe_verdict {
	VL_PIPE_QUEUED = 0,
	VL_PIPE_DROP_LOSS = 1,
	VL_PIPE_DROP_QUEUE = 2,
};

struct vl_pipe_stats {
	uint64_t enqueued;      /* accepted */
	uint64_t sent;          /* handed out by vl_pipe_dequeue */
	uint64_t dropped_loss;  /* lost by the loss model */
	uint64_t dropped_queue; /* refused by the queue limit (or too long) */
	uint64_t bytes;         /* bytes sent */
	uint64_t bytes_in;      /* bytes accepted */
};

struct vl_pipe_slot {
	uint64_t release_ns;
	uint32_t off, len; /* in the byte ring */
};

/* PRNG state: xoshiro256**, seeded through splitmix64. */
struct vl_rng {
	uint64_t s[4];
};

struct vl_pipe {
	struct vl_impair im;
	struct vl_rng rng;
	/* descriptor ring: slot[(head + i) & mask] for i < count */
	struct vl_pipe_slot *slot;
	uint32_t mask, head, count;
	/* byte ring */
	unsigned char *buf;
	size_t cap, tail; /* next write offset */
	uint64_t held_bytes;
	/* model state */
	uint64_t busy_until; /* departure of the last frame (rate) */
	uint64_t frac;       /* carried serialization remainder, in 1/rate ns */
	uint64_t last_release;
	bool ge_bad;
	/* bytes at the start of every frame that are not on the wire (a
	 * virtio-net header from a TAP): not charged for the rate */
	uint32_t hdr_len;
	struct vl_pipe_stats st;
};

void vl_rng_seed(struct vl_rng *r, uint64_t seed);
uint64_t vl_rng_next(struct vl_rng *r);
/* Uniform in [0, 1), 53 bits. */
double vl_rng_double(struct vl_rng *r);

/* im NULL: no impairment. Allocates the rings (aborts on exhaustion, like
 * vl_xmalloc). vl_pipe_free releases them; the pipe may be re-initialized. */
void vl_pipe_init(struct vl_pipe *p, const struct vl_impair *im, uint64_t seed);
void vl_pipe_free(struct vl_pipe *p);
void vl_pipe_set(struct vl_pipe *p, const struct vl_impair *im);

/* Offer a frame arriving at now_ns (now_ns must not go backwards).
 * Returns enum vl_pipe_verdict; the frame is copied when queued. */
int vl_pipe_enqueue(struct vl_pipe *p, uint64_t now_ns, const void *frame, size_t len);

/* Called for each released frame in order. Return 0 to consume it, < 0 to
 * stop with the frame kept at the head (e.g. the output would block). */
typedef int (*vl_pipe_out_fn)(void *ctx, const void *frame, size_t len);
/* Hand out, in order, every held frame whose release time is <= now_ns,
 * until out refuses one. Returns the number consumed. */
size_t vl_pipe_dequeue(struct vl_pipe *p, uint64_t now_ns, vl_pipe_out_fn out, void *ctx);

/* Release time of the head frame; UINT64_MAX if empty. */
static inline uint64_t vl_pipe_next(const struct vl_pipe *p)
{
	return p->count ? p->slot[p->head & p->mask].release_ns : UINT64_MAX;
}
static inline uint32_t vl_pipe_held(const struct vl_pipe *p)
{
	return p->count;
}

#endif
