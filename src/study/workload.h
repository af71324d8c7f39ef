/* The study's workloads as the runner sees them: one table of built-in
 * ones (vnetlab-work) and real programs (POV-Ray, iperf, iperf3, scp over
 * sshd, NetPIPE). Each says which programs it needs, how to prepare a lab
 * for it, the command lines of an instance's client and server, and how
 * their reports become the instance's figures. The runner (runner.c) does
 * the rest: the lab, the barrier, timeouts, accounting. */
#ifndef VL_STUDY_WORKLOAD_H
#define VL_STUDY_WORKLOAD_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/json.h"
#include "base/util.h"
#include "study/runner.h"

enum {
	VL_WL_NETWORK = 1 << 0,     /* a server node per instance */
	VL_WL_RATE = 1 << 1,        /* judged by bytes/s at the receiver, not 1 / wall time */
	VL_WL_REAL = 1 << 2,        /* a real program, run through `vnetlab-work run` */
	VL_WL_STOP_SERVER = 1 << 3, /* servers run until the runner stops them (SIGTERM) */
	VL_WL_GUEST = 1 << 4,       /* its programs run in vm guests, carried in with their
	                             * libraries (no files of the host's needed) */
};

/* A program (or the default scene) a workload needs, and the Debian
 * package that has it. */
struct vl_wl_need {
	const char *program; /* absolute path */
	const char *package;
	bool scene; /* the default scene, to read: not needed with --scene */
};

/* One run of a workload on one lab. */
struct vl_wl_ctx {
	const struct vl_bench_opts *o;
	const char *lab;
	char dir[PATH_MAX]; /* scratch, in the lab's data directory (nodes see it) */
	size_t n_servers;   /* server nodes of the lab: h<n+1>.. (network workloads) */
	void *priv;         /* the workload's own */
};

/* Default sizes, so that one instance alone runs at least 2 s on a
 * 2-core EPYC host (2.6 s and 2.3 s measured): start-up noise must not
 * decide the shares. scp moves the study's 700 MB. Guests under TCG take
 * 20-30 times as long: give them --bytes. */
#define VL_WL_MIXED_BYTES "1280MiB"
#define VL_WL_SCP_BYTES   (700ull << 20)

struct vl_workload {
	const char *name;
	const char *summary; /* one line, for help */
	unsigned flags;
	const struct vl_wl_need *need; /* ends with {NULL, NULL} */
	/* The options, before any lab is made; may be NULL. */
	int (*check)(const struct vl_bench_opts *o, struct vl_err *err);
	/* Once per lab, after up and before any instance; may be NULL. */
	int (*setup)(struct vl_wl_ctx *c, struct vl_err *err);
	void (*teardown)(struct vl_wl_ctx *c);
	/* The command of an instance (a real workload's program and its
	 * arguments; the runner wraps it); port is the instance's own. */
	void (*client)(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
	               struct vl_argv *a);
	void (*server)(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
	               struct vl_argv *a);
	/* The instance's figures from the reports (either may be NULL); < 0
	 * with err set if they say the work failed or cannot be read. */
	int (*figures)(const struct vl_wl_ctx *c, struct vl_bench_instance *in, json_t *client,
	               json_t *server, struct vl_err *err);
};

const struct vl_workload *vl_workload_find(const char *name);
/* Every workload, in the table's order. */
const struct vl_workload *vl_workload_at(size_t i);
/* NULL if every program w needs (with options o, or the defaults: NULL)
 * is installed; else why not, in buf. */
const char *vl_workload_missing(const struct vl_workload *w, const struct vl_bench_opts *o,
                                char *buf, size_t len);

/* The real programs' adapters (real.c), appended to the table. */
extern const struct vl_workload vl_wl_povray, vl_wl_iperf, vl_wl_iperf3, vl_wl_scp, vl_wl_netpipe;

/* An instance's client and server command lines, as the runner starts
 * them (runner.c): a real program wrapped in `vnetlab-work run`, the
 * client given the barrier at (CLOCK_REALTIME ns; 0: none). */
void vl_bench_client_cmd(const struct vl_wl_ctx *c, const struct vl_workload *w,
                         const struct vl_bench_instance *in, int port, uint64_t at,
                         struct vl_argv *a);
void vl_bench_server_cmd(const struct vl_wl_ctx *c, const struct vl_workload *w,
                         const struct vl_bench_instance *in, int port, struct vl_argv *a);

/* Helpers the adapters share (workload.c). */
/* Fill wall/user/sys from a report of vnetlab-work (either kind). */
void vl_wl_times(struct vl_bench_instance *in, json_t *client);
/* < 0 with err set if a report says its program failed. */
int vl_wl_check(json_t *report, const char *role, struct vl_err *err);

#endif
