/* linkd: the user-space link engine. One thread serves many links: each
 * link joins two fds that deliver one frame per read() and take one per
 * write() (TAP devices; SOCK_SEQPACKET or SOCK_DGRAM sockets in tests),
 * and runs every frame through a struct vl_pipe per direction.
 *
 * The loop: epoll, level-triggered, EPOLLIN on every link fd; each ready
 * fd is read until EAGAIN or a budget of frames (for fairness between
 * links); frames are offered to the pipe with a CLOCK_MONOTONIC time
 * stamp. One timerfd, armed (absolute, CLOCK_MONOTONIC) at the earliest
 * release time of all pipes, kept in a min-heap. No busy loop, no sleeps.
 *
 * Back-pressure: when a write to the out fd would block (EAGAIN) the frame
 * stays at the head of its pipe, the engine waits for EPOLLOUT on that fd
 * and stops reading the fd that feeds the pipe until the frame is out (the
 * sender then sees its own fd fill up, as a full TAP queue would). Other
 * write errors drop the frame (counted in tx_errors): EPIPE when the peer
 * closed, EIO when a TAP is down, EMSGSIZE. A socket peer that hangs up
 * (read returns 0 with EPOLLHUP/EPOLLRDHUP) is no longer read.
 *
 * The engine does not own the fds: it sets O_NONBLOCK on them, and the
 * caller closes them after vl_linkd_free(). Not thread-safe: call
 * everything from one thread (vl_linkd_set between runs, or from the
 * thread that runs the loop). Nothing is printed. */
#ifndef VL_LINK_LINKD_H
#define VL_LINK_LINKD_H

#include <stdint.h>

#include "base/err.h"
#include "topo/impair.h"
#include "link/pipe.h"

struct vl_linkd;

enum vl_linkd_dir {
	VL_LINKD_A_TO_B = 0,
	VL_LINKD_B_TO_A = 1,
};

struct vl_linkd_stats {
	struct vl_pipe_stats pipe; /* enqueued, sent, dropped_loss, dropped_queue, bytes */
	uint64_t rx_frames;        /* frames read from the in fd */
	uint64_t tx_errors;        /* frames dropped by a failed write */
	uint64_t tx_blocked;       /* times the out fd would block */
	uint32_t held;             /* frames in the pipe now */
};

struct vl_linkd *vl_linkd_new(struct vl_err *err);
void vl_linkd_free(struct vl_linkd *d);

/* Join fd_a and fd_b (distinct, not yet in this engine). a_to_b/b_to_a:
 * impairments of each direction, NULL for none. Each direction gets its
 * own PRNG stream derived from seed. Returns the link id (>= 0). */
int vl_linkd_add_link(struct vl_linkd *d, int fd_a, int fd_b, const struct vl_impair *a_to_b,
                      const struct vl_impair *b_to_a, uint64_t seed, struct vl_err *err);
/* Change one direction's impairments (see vl_pipe_set). */
int vl_linkd_set(struct vl_linkd *d, int id, enum vl_linkd_dir dir, const struct vl_impair *im,
                 struct vl_err *err);
/* Frames of link id start with `bytes` that are not on the wire (the
 * virtio-net header of a TAP opened with IFF_VNET_HDR): the rate does not
 * charge them. */
int vl_linkd_set_frame_header(struct vl_linkd *d, int id, uint32_t bytes, struct vl_err *err);
int vl_linkd_stats(const struct vl_linkd *d, int id, enum vl_linkd_dir dir,
                   struct vl_linkd_stats *out, struct vl_err *err);

/* Run until stop_fd is readable (it is not read: an eventfd or a pipe the
 * caller owns). Returns 0 then, < 0 with err on a failure of the loop
 * itself (epoll, timerfd). Frames still held stay in the pipes; a later
 * run carries on with them. */
int vl_linkd_run(struct vl_linkd *d, int stop_fd, struct vl_err *err);

#endif
