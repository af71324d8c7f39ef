/* linkd: the user-space link engine's loop. See linkd.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "link/linkd.h"

#define READ_BUDGET 64 /* frames read from one fd per wakeup */
#define MAX_EVENTS  64
#define TAG_STOP    UINT64_MAX
#define TAG_TIMER   (UINT64_MAX - 1)

struct side {
	int fd;
	bool is_sock; /* send(MSG_NOSIGNAL): no SIGPIPE when the peer is gone */
	bool dead;    /* no longer read (peer hung up or read failed) */
	bool in_ep;
	uint32_t events; /* as registered */
};

/* One direction: frames read from side[k] go out on side[1 - k]. */
struct dirn {
	struct vl_pipe pipe;
	bool blocked; /* the out fd said EAGAIN; waiting for EPOLLOUT */
	uint32_t heap_pos;
	uint64_t rx_frames, tx_errors, tx_blocked;
};

struct link {
	struct side side[2];
	struct dirn dir[2];
};

struct vl_linkd {
	int ep, tfd;
	struct link **links;
	size_t nlinks, cap;
	uint32_t *heap; /* pipe ids (link * 2 + dir), min-heap by key() */
	size_t nheap, heap_cap;
	uint64_t armed; /* timer deadline, UINT64_MAX: disarmed */
	unsigned char buf[VL_PIPE_MAX_FRAME];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline struct dirn *dir_of(const struct vl_linkd *d, uint32_t pid)
{
	return &d->links[pid >> 1]->dir[pid & 1];
}

/* --- the heap of pipes by next release ---------------------------------------- */

static inline uint64_t key(const struct vl_linkd *d, uint32_t pid)
{
	const struct dirn *dr = dir_of(d, pid);

	return dr->blocked ? UINT64_MAX : vl_pipe_next(&dr->pipe);
}

static void heap_swap(struct vl_linkd *d, size_t i, size_t j)
{
	uint32_t t = d->heap[i];

	d->heap[i] = d->heap[j];
	d->heap[j] = t;
	dir_of(d, d->heap[i])->heap_pos = (uint32_t)i;
	dir_of(d, d->heap[j])->heap_pos = (uint32_t)j;
}

/* Restore the heap after the key of the pipe at position i changed. */
static void heap_fix(struct vl_linkd *d, size_t i)
{
	uint64_t k = key(d, d->heap[i]);

	while (i > 0 && key(d, d->heap[(i - 1) / 2]) > k) {
		heap_swap(d, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < d->nheap && key(d, d->heap[l]) < key(d, d->heap[m]))
			m = l;
		if (r < d->nheap && key(d, d->heap[r]) < key(d, d->heap[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(d, i, m);
		i = m;
	}
}

/* --- fds ------------------------------------------------------------------ */

/* Register side s of link id for what it needs now: EPOLLIN unless it is
 * dead or the pipe it feeds is blocked, EPOLLOUT while the pipe that
 * writes to it is blocked. */
static int sync_events(struct vl_linkd *d, uint32_t id, int s, struct vl_err *err)
{
	struct link *l = d->links[id];
	struct side *sd = &l->side[s];
	struct epoll_event ev = {.data.u64 = (uint64_t)id * 2 + (uint64_t)s};
	uint32_t want = 0;

	if (!sd->dead && !l->dir[s].blocked)
		want |= EPOLLIN | EPOLLRDHUP;
	if (l->dir[1 - s].blocked)
		want |= EPOLLOUT;
	if (sd->in_ep && want == sd->events)
		return 0;
	ev.events = want;
	if (!want) {
		/* even with no events EPOLLHUP would be reported: leave epoll */
		if (sd->in_ep && epoll_ctl(d->ep, EPOLL_CTL_DEL, sd->fd, NULL) < 0)
			return vl_err_sys(err, errno, "linkd: epoll_ctl DEL fd %d", sd->fd);
		sd->in_ep = false;
	} else if (epoll_ctl(d->ep, sd->in_ep ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, sd->fd, &ev) < 0) {
		return vl_err_sys(err, errno, "linkd: epoll_ctl fd %d", sd->fd);
	} else {
		sd->in_ep = true;
	}
	sd->events = want;
	return 0;
}

struct out_ctx {
	struct side *out;
	struct dirn *dr;
};

static int out_frame(void *ctx, const void *frame, size_t len)
{
	struct out_ctx *c = ctx;
	ssize_t n;

	do {
		if (c->out->is_sock)
			n = send(c->out->fd, frame, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		else
			n = write(c->out->fd, frame, len);
	} while (n < 0 && errno == EINTR);
	if (n >= 0)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		c->dr->blocked = true;
		c->dr->tx_blocked++;
		return -1;
	}
	c->dr->tx_errors++; /* dropped */
	return 0;
}

/* Send what pipe k has released by now; on EAGAIN mark it blocked and
 * switch the fds' events. Keeps the heap in order. */
static int flush(struct vl_linkd *d, uint32_t pid, uint64_t now, struct vl_err *err)
{
	struct link *l = d->links[pid >> 1];
	int k = (int)(pid & 1);
	struct dirn *dr = &l->dir[k];
	struct out_ctx c = {&l->side[1 - k], dr};
	bool was = dr->blocked;

	dr->blocked = false;
	vl_pipe_dequeue(&dr->pipe, now, out_frame, &c);
	heap_fix(d, dr->heap_pos);
	if (was != dr->blocked &&
	    (sync_events(d, pid >> 1, 0, err) < 0 || sync_events(d, pid >> 1, 1, err) < 0))
		return -1;
	return 0;
}

/* Read frames from side s into pipe s until EAGAIN or the budget. */
static int pull(struct vl_linkd *d, uint32_t id, int s, uint32_t ev, struct vl_err *err)
{
	struct link *l = d->links[id];
	struct side *sd = &l->side[s];
	struct dirn *dr = &l->dir[s];
	uint32_t pid = id * 2 + (uint32_t)s;

	for (int budget = READ_BUDGET; budget > 0; budget--) {
		ssize_t n = read(sd->fd, d->buf, sizeof(d->buf));
		/* the frame's arrival: after the read, never before it (a time
		 * taken before the loop would date later frames too early) */
		uint64_t now = mono_ns();

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* a TAP whose device is gone, a reset socket: stop reading */
			sd->dead = true;
			break;
		}
		if (n == 0 && (ev & (EPOLLHUP | EPOLLRDHUP | EPOLLERR))) {
			sd->dead = true;
			break;
		}
		dr->rx_frames++;
		vl_pipe_enqueue(&dr->pipe, now, d->buf, (size_t)n);
		if (vl_pipe_next(&dr->pipe) <= now && !dr->blocked) {
			if (flush(d, pid, now, err) < 0)
				return -1;
			if (dr->blocked)
				break;
		}
	}
	heap_fix(d, dr->heap_pos);
	return sync_events(d, id, s, err);
}

/* --- API ------------------------------------------------------------------ */

struct vl_linkd *vl_linkd_new(struct vl_err *err)
{
	struct vl_linkd *d = vl_xcalloc(1, sizeof(*d));
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_TIMER};

	d->ep = epoll_create1(EPOLL_CLOEXEC);
	d->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->armed = UINT64_MAX;
	if (d->ep < 0 || d->tfd < 0) {
		vl_err_sys(err, errno, "linkd: %s", d->ep < 0 ? "epoll_create1" : "timerfd_create");
		goto fail;
	}
	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, d->tfd, &ev) < 0) {
		vl_err_sys(err, errno, "linkd: epoll_ctl timerfd");
		goto fail;
	}
	return d;
fail:
	vl_linkd_free(d);
	return NULL;
}

void vl_linkd_free(struct vl_linkd *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nlinks; i++) {
		vl_pipe_free(&d->links[i]->dir[0].pipe);
		vl_pipe_free(&d->links[i]->dir[1].pipe);
		free(d->links[i]);
	}
	free(d->links);
	free(d->heap);
	if (d->ep >= 0)
		close(d->ep);
	if (d->tfd >= 0)
		close(d->tfd);
	free(d);
}

static int prepare_fd(struct side *sd, int fd, struct vl_err *err)
{
	int fl = fcntl(fd, F_GETFL), type;
	socklen_t tl = sizeof(type);

	if (fl < 0)
		return vl_err_sys(err, errno, "linkd: fd %d", fd);
	if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return vl_err_sys(err, errno, "linkd: set O_NONBLOCK on fd %d", fd);
	sd->fd = fd;
	sd->is_sock = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0;
	return 0;
}

int vl_linkd_add_link(struct vl_linkd *d, int fd_a, int fd_b, const struct vl_impair *a_to_b,
                      const struct vl_impair *b_to_a, uint64_t seed, struct vl_err *err)
{
	uint32_t id = (uint32_t)d->nlinks;
	struct link *l;

	if (fd_a == fd_b)
		return vl_err_set(err, EINVAL, "linkd: link ends are the same fd %d", fd_a);
	if (d->nlinks >= INT32_MAX / 2)
		return vl_err_set(err, ENOSPC, "linkd: too many links");
	l = vl_xcalloc(1, sizeof(*l));
	if (prepare_fd(&l->side[0], fd_a, err) < 0 || prepare_fd(&l->side[1], fd_b, err) < 0) {
		free(l);
		return -1;
	}
	for (int s = 0; s < 2; s++) {
		struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP,
		                         .data.u64 = (uint64_t)id * 2 + (uint64_t)s};

		if (epoll_ctl(d->ep, EPOLL_CTL_ADD, l->side[s].fd, &ev) < 0) {
			vl_err_sys(err, errno, "linkd: add fd %d to epoll%s", l->side[s].fd,
			           errno == EEXIST ? " (already in a link)" : "");
			if (s)
				epoll_ctl(d->ep, EPOLL_CTL_DEL, l->side[0].fd, NULL);
			free(l);
			return -1;
		}
		l->side[s].in_ep = true;
		l->side[s].events = ev.events;
	}
	vl_pipe_init(&l->dir[0].pipe, a_to_b, seed);
	vl_pipe_init(&l->dir[1].pipe, b_to_a, seed ^ 0x9e3779b97f4a7c15ull);
	vl_grow(&d->links, &d->cap, d->nlinks, sizeof(*d->links));
	d->links[d->nlinks++] = l;
	vl_grow(&d->heap, &d->heap_cap, d->nheap + 1, sizeof(*d->heap));
	for (int k = 0; k < 2; k++) {
		l->dir[k].heap_pos = (uint32_t)d->nheap;
		d->heap[d->nheap++] = id * 2 + (uint32_t)k;
		heap_fix(d, d->nheap - 1);
	}
	return (int)id;
}

static struct dirn *find_dir(const struct vl_linkd *d, int id, enum vl_linkd_dir dir,
                             struct vl_err *err)
{
	if (id < 0 || (size_t)id >= d->nlinks ||
	    (dir != VL_LINKD_A_TO_B && dir != VL_LINKD_B_TO_A)) {
		vl_err_set(err, EINVAL, "linkd: no link %d direction %d", id, (int)dir);
		return NULL;
	}
	return &d->links[id]->dir[dir];
}

int vl_linkd_set_frame_header(struct vl_linkd *d, int id, uint32_t bytes, struct vl_err *err)
{
	for (int k = 0; k < 2; k++) {
		struct dirn *dr = find_dir(d, id, (enum vl_linkd_dir)k, err);

		if (!dr)
			return -1;
		dr->pipe.hdr_len = bytes;
	}
	return 0;
}

int vl_linkd_set(struct vl_linkd *d, int id, enum vl_linkd_dir dir, const struct vl_impair *im,
                 struct vl_err *err)
{
	struct dirn *dr = find_dir(d, id, dir, err);

	if (!dr)
		return -1;
	vl_pipe_set(&dr->pipe, im);
	return 0;
}

int vl_linkd_stats(const struct vl_linkd *d, int id, enum vl_linkd_dir dir,
                   struct vl_linkd_stats *out, struct vl_err *err)
{
	struct dirn *dr = find_dir(d, id, dir, err);

	if (!dr)
		return -1;
	out->pipe = dr->pipe.st;
	out->rx_frames = dr->rx_frames;
	out->tx_errors = dr->tx_errors;
	out->tx_blocked = dr->tx_blocked;
	out->held = vl_pipe_held(&dr->pipe);
	return 0;
}

static int arm(struct vl_linkd *d, uint64_t t, struct vl_err *err)
{
	struct itimerspec its = {0};

	if (t == d->armed)
		return 0;
	if (t != UINT64_MAX) {
		its.it_value.tv_sec = (time_t)(t / 1000000000ull);
		its.it_value.tv_nsec = (long)(t % 1000000000ull);
		if (!t)
			its.it_value.tv_nsec = 1; /* 0 would disarm */
	}
	if (timerfd_settime(d->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return vl_err_sys(err, errno, "linkd: timerfd_settime");
	d->armed = t;
	return 0;
}

static int loop(struct vl_linkd *d, struct vl_err *err)
{
	struct epoll_event evs[MAX_EVENTS];

	for (;;) {
		uint64_t now = mono_ns();
		int n;

		while (d->nheap && key(d, d->heap[0]) <= now)
			if (flush(d, d->heap[0], now, err) < 0)
				return -1;
		if (arm(d, d->nheap ? key(d, d->heap[0]) : UINT64_MAX, err) < 0)
			return -1;
		n = epoll_wait(d->ep, evs, MAX_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return vl_err_sys(err, errno, "linkd: epoll_wait");
		}
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;
			uint32_t e = evs[i].events, id;
			struct link *l;
			int s;

			if (tag == TAG_STOP)
				return 0;
			if (tag == TAG_TIMER) {
				uint64_t ticks;

				if (read(d->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
					return vl_err_sys(err, errno, "linkd: read timerfd");
				d->armed = UINT64_MAX; /* one-shot: fired */
				continue;
			}
			id = (uint32_t)(tag >> 1);
			s = (int)(tag & 1);
			l = d->links[id];
			if ((e & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && l->dir[1 - s].blocked &&
			    flush(d, id * 2 + (uint32_t)(1 - s), mono_ns(), err) < 0)
				return -1;
			if ((e & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) &&
			    !l->side[s].dead && pull(d, id, s, e, err) < 0)
				return -1;
		}
	}
}

int vl_linkd_run(struct vl_linkd *d, int stop_fd, struct vl_err *err)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_STOP};
	int r;

	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, stop_fd, &ev) < 0)
		return vl_err_sys(err, errno, "linkd: epoll_ctl stop fd %d", stop_fd);
	r = loop(d, err);
	epoll_ctl(d->ep, EPOLL_CTL_DEL, stop_fd, NULL);
	return r;
}
