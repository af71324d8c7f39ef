/* stream and stream-sink: the study's modified netperf TCP stream. The
 * sender writes as fast as it can for a fixed duration, with getrusage and
 * the wall clock around the send loop only; the loop is ended by a timer
 * (SIGALRM without SA_RESTART), as netperf's is, so that a stalled link
 * cannot stretch it and no clock is read per write. After the loop the
 * sender shuts its side down and waits for the sink to close, so that the
 * bytes it reports are bytes the sink received. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/util.h"
#include "work/work.h"

#define STREAM_DEFAULT_SIZE (64 * 1024)
#define STREAM_MAX_SIZE     (64ull << 20)

static volatile sig_atomic_t stream_done;

static void on_alarm(int sig)
{
	(void)sig;
	stream_done = 1;
}

int work_stream(const struct work_opts *o, struct work_meter *m, json_t *out, struct vl_err *err)
{
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: send returns */
	struct itimerval it = {0};
	uint64_t size = STREAM_DEFAULT_SIZE, bytes = 0, writes = 0;
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	double secs, drain0;

	if (o->size && (vl_parse_bytes(o->size, &size) < 0 || !size || size > STREAM_MAX_SIZE)) {
		vl_err_set(err, 0, "--size '%s': expected a write size of 1 byte to 64MiB",
		           o->size);
		return WORK_BAD_OPTION;
	}
	buf = vl_xmalloc(size);
	/* Not all zeros, so that nothing on the path can compress it. */
	for (uint64_t i = 0; i < size; i++)
		buf[i] = (char)(i * 2654435761u >> 13);
	work_set(out, "to", json_string(o->to));
	work_set(out, "port", json_integer(o->port));
	work_set(out, "seconds", json_real(o->seconds));
	work_set(out, "write_size", json_integer((json_int_t)size));

	fd = work_connect(o->to, o->port, err);
	if (fd < 0)
		return -1;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		return vl_err_sys(err, errno, "sigaction SIGALRM");
	if (work_begin(m, err) < 0)
		return -1;
	it.it_value.tv_sec = (time_t)o->seconds;
	it.it_value.tv_usec = (suseconds_t)((o->seconds - (double)(time_t)o->seconds) * 1e6);
	if (!it.it_value.tv_sec && !it.it_value.tv_usec)
		it.it_value.tv_usec = 1;
	if (setitimer(ITIMER_REAL, &it, NULL) < 0)
		return vl_err_sys(err, errno, "setitimer");
	while (!stream_done) {
		ssize_t w = send(fd, buf, size, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;

			work_end(m);
			work_set(out, "bytes", json_integer((json_int_t)bytes));
			return vl_err_sys(err, e, "send to %s port %u after %llu bytes", o->to,
			                  o->port, (unsigned long long)bytes);
		}
		bytes += (uint64_t)w;
		writes++;
	}
	work_end(m);
	secs = m->mono1 - m->mono0;
	work_set(out, "bytes", json_integer((json_int_t)bytes));
	work_set(out, "writes", json_integer((json_int_t)writes));
	work_set(out, "throughput_bps", json_real(work_bps(bytes, secs)));

	drain0 = work_mono();
	if (work_finish_send(fd, err) < 0)
		return vl_err_wrap(err, "%s port %u", o->to, o->port);
	work_set(out, "drain_s", json_real(work_mono() - drain0));
	return 0;
}

/* The sink's side, shared with bandwidth-sink. */
int work_sink(const struct work_opts *o, struct work_meter *m, json_t *out, double interval,
              struct vl_err *err)
{
	cleanup_close int fd = -1;
	struct work_recv r;
	json_t *intervals = NULL;

	fd = work_sink_accept(o->port, out, err);
	if (fd < 0)
		return -1;
	if (interval > 0) {
		intervals = json_array();
		if (!intervals)
			abort();
		work_set(out, "intervals", intervals);
		work_set(out, "interval_s", json_real(interval));
	}
	if (work_begin(m, err) < 0)
		return -1;
	if (work_recv_all(fd, interval, intervals, &r, err) < 0) {
		work_set(out, "bytes", json_integer((json_int_t)r.bytes));
		return vl_err_wrap(err, "from %s", json_string_value(json_object_get(out, "peer")));
	}
	work_end(m);
	work_set(out, "bytes", json_integer((json_int_t)r.bytes));
	/* First byte to EOF: the time the data actually flowed. */
	work_set(out, "active_s", json_real(r.eof_mono - r.first_mono));
	work_set(out, "throughput_bps", json_real(work_bps(r.bytes, r.eof_mono - r.first_mono)));
	return 0;
}

int work_stream_sink(const struct work_opts *o, struct work_meter *m, json_t *out,
                     struct vl_err *err)
{
	return work_sink(o, m, out, 0, err);
}
