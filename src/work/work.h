/* vnetlab-work: the study's built-in workloads, one program run inside
 * nodes. main.c parses the options, drives the table of workloads and
 * prints the one JSON object of a run; each workload lives in a file of its
 * own and fills in its fields. Shared here: the options, the meter that
 * brackets the measured work (barrier, wall clock, getrusage) and the
 * socket helpers of net.c. */
#ifndef VL_WORK_WORK_H
#define VL_WORK_WORK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "base/err.h"

/* cpu: the image side by default, sized for about 2 s on one core here. */
#define VL_WORK_CPU_DEFAULT_SIZE 1900

/* Every option of every workload; the table in main.c says which one a
 * workload takes. Values are already parsed and range-checked. */
struct work_opts {
	uint64_t start_at_ns; /* CLOCK_REALTIME barrier, 0 = none */
	const char *to;       /* sender: peer host name or address */
	unsigned port;        /* 1..65535, 0 = not given */
	double seconds;       /* stream: duration */
	const char *size;     /* raw: cpu image side, or stream/mixed buffer bytes */
	uint64_t bytes;       /* mixed: plaintext bytes */
	const char *cipher;   /* mixed: AEAD name */
	double interval;      /* bandwidth-sink: report interval, seconds */
	const char *chdir;    /* run: the program's working directory */
	char **argv;          /* run: the program and its arguments */
	const char *result;   /* run: a stdout line starting with this is the result */
	double grace;         /* run: after the result, seconds to end before being stopped */
};

/* The measured part of a run: from the barrier (work_begin) to work_end. */
struct work_meter {
	bool begun, ended;
	uint64_t start_at_ns;        /* the barrier asked for, 0 = none */
	uint64_t real0_ns, real1_ns; /* CLOCK_REALTIME at begin and end */
	double mono0, mono1;         /* CLOCK_MONOTONIC seconds */
	struct rusage ru0, ru1;
	int who; /* getrusage's: RUSAGE_SELF (0), or RUSAGE_CHILDREN for run */
};

/* A workload: fills out with its own fields, brackets its work with
 * work_begin()/work_end(); returns < 0 with err set on failure, and
 * WORK_BAD_OPTION for an option value it cannot use (a usage error). */
#define WORK_BAD_OPTION (-2)
typedef int (*work_fn)(const struct work_opts *o, struct work_meter *m, json_t *out,
                       struct vl_err *err);

/* Wait for the barrier (if any), then take the starting time and rusage. */
int work_begin(struct work_meter *m, struct vl_err *err);
void work_end(struct work_meter *m);

double work_mono(void);
/* Bits per second of bytes over secs; 0 when secs is not positive. */
double work_bps(uint64_t bytes, double secs);
/* json helpers that abort on allocation failure, as vl_xmalloc does. */
void work_set(json_t *obj, const char *key, json_t *val);

/* The workloads (one file each). */
int work_cpu(const struct work_opts *o, struct work_meter *m, json_t *out, struct vl_err *err);
int work_stream(const struct work_opts *o, struct work_meter *m, json_t *out, struct vl_err *err);
int work_stream_sink(const struct work_opts *o, struct work_meter *m, json_t *out,
                     struct vl_err *err);
int work_bandwidth_sink(const struct work_opts *o, struct work_meter *m, json_t *out,
                        struct vl_err *err);
int work_mixed(const struct work_opts *o, struct work_meter *m, json_t *out, struct vl_err *err);
int work_mixed_sink(const struct work_opts *o, struct work_meter *m, json_t *out,
                    struct vl_err *err);

/* The noisy neighbour of bench --neighbour (hog.c): until SIGTERM or
 * --seconds. */
int work_hog_cpu(const struct work_opts *o, struct work_meter *m, json_t *out, struct vl_err *err);
int work_hog_memory(const struct work_opts *o, struct work_meter *m, json_t *out,
                    struct vl_err *err);
int work_hog_fork(const struct work_opts *o, struct work_meter *m, json_t *out, struct vl_err *err);

/* `vnetlab-work clock` and `vnetlab-work host ...` (host.c): a host's part
 * of bench --backend rm; returns the exit status. */
int work_host_main(int argc, char **argv);

int work_run(const struct work_opts *o, struct work_meter *m, json_t *out, struct vl_err *err);

/* stream-sink and bandwidth-sink (stream.c): accept one connection, receive
 * until EOF; interval > 0 adds per-interval bytes. */
int work_sink(const struct work_opts *o, struct work_meter *m, json_t *out, double interval,
              struct vl_err *err);

/* --- net.c ------------------------------------------------------------------ */

/* Listen on port on all addresses (IPv6 dual stack, else IPv4), with
 * SO_REUSEADDR; returns the fd. */
int work_listen(unsigned port, struct vl_err *err);
/* Accept one connection (O_CLOEXEC); returns the fd and puts the peer's
 * address text in peer. */
int work_accept_once(int lfd, char *peer, size_t peerlen, struct vl_err *err);
/* What every sink does first: listen on port, accept its one connection,
 * close the listener, and record "port" and "peer" in out; returns the fd. */
int work_sink_accept(unsigned port, json_t *out, struct vl_err *err);
/* Resolve host with getaddrinfo and connect to port, retrying for a while
 * while nothing listens yet (the runner may start sinks and senders
 * together); returns the fd. */
int work_connect(const char *host, unsigned port, struct vl_err *err);
/* Read exactly len bytes: 1 when done, 0 on EOF before any byte, < 0 on
 * error or EOF part-way (err says which). */
int work_read_full(int fd, void *buf, size_t len, const char *what, struct vl_err *err);
/* Send all of buf (MSG_NOSIGNAL). */
int work_send_all(int fd, const void *buf, size_t len, const char *what, struct vl_err *err);
/* After the last byte: shut down our side and wait (bounded) for the peer
 * to close, so that what we sent is known to be received. */
int work_finish_send(int fd, struct vl_err *err);

/* Receive until EOF, as the sinks do. With interval > 0, also records the
 * bytes of each interval (from the first byte) into intervals. */
struct work_recv {
	uint64_t bytes;
	double first_mono, eof_mono; /* first byte and EOF, monotonic seconds */
};
int work_recv_all(int fd, double interval, json_t *intervals, struct work_recv *r,
                  struct vl_err *err);

#endif
