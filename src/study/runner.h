/* The study's runner: N identical instances of a workload at once, each on
 * its own node (and, for network workloads, against its own server node),
 * started together at a barrier, each bounded by a timeout; per instance
 * what it reported and what its node's cgroup counted. */
#ifndef VL_STUDY_RUNNER_H
#define VL_STUDY_RUNNER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "study/checks.h"
#include "study/neighbour.h"
#include "study/timeline.h"
#include "plan/plan.h"
#include "topo/topo.h"

struct vl_hosts;

enum vl_bench_mode {
	VL_BENCH_TOGETHER, /* N instances at once on one lab */
	VL_BENCH_SOLO,     /* each instance alone, one after the other */
};

struct vl_bench_opts {
	const char *workload; /* a name of the workloads table (workload.h) */
	size_t n;
	enum vl_backend backend;
	enum vl_bench_mode mode;
	double seconds;          /* stream, bandwidth */
	const char *bytes;       /* mixed, e.g. "64MiB" */
	const char *size;        /* cpu image size */
	double timeout;          /* per instance; one that does not end is starved */
	const char *work;        /* the workloads program */
	const char *bw;          /* every link shaped to this rate (e.g. "100Mbit"), or NULL */
	const char *cipher;      /* mixed, scp: the cipher, or NULL for the default */
	const char *scene;       /* povray: the scene file, or NULL for the default */
	enum vl_profile profile; /* every node's resources: the study's guests, or none */
	bool progress;
	double interval;             /* the timeline's sampling interval, s (0: 0.1) */
	enum vl_neighbour neighbour; /* a noisy node beside the instances, or none */
	double cpus;                 /* every node's CPU limit, over the profile's (0: none) */
	struct vl_hosts *hosts;      /* rm: the hosts, opened and probed (host/host.h) */
};

struct vl_bench_instance {
	char node[16], server[16];
	bool finished;                    /* ended, with exit 0 */
	int status;                       /* wait status */
	double wall_s, user_s, sys_s;     /* from the instance (getrusage around its work) */
	double wait4_user_s, wait4_sys_s; /* the whole process, from wait4 */
	double cg_cpu_s;                  /* from its node's cgroup, if any */
	double server_cg_cpu_s;           /* from its server node's cgroup, if any */
	double bytes, bps;                /* network workloads */
	json_t *report;                   /* what the instance printed */
	char error[1024];                 /* why it did not finish, if it did not */
};

/* A host of an rm run (real machines, one instance each): what it said
 * of itself and what was measured there. */
struct vl_bench_host {
	char name[256], addr[16], boot_id[40];
	size_t machine; /* hosts with the same boot id are one machine: its index */
	long cpus;
	double offset_s; /* its clock minus ours, measured over one round trip */
	double rtt_s;    /* that round trip: the offset's uncertainty is half of it */
	bool corrected;  /* its barrier was moved by the offset (beyond the uncertainty) */
	uint64_t at_ns;  /* its barrier, in its own clock */
	double ready_s;  /* its client started this long before the barrier (< 0: after) */
	double busy, programs_busy, steal;  /* its CPUs over the run (fractions) */
	uint64_t rx_bytes, tx_bytes, drops; /* its underlay device's, over the run */
};

/* What says whether a run can be trusted. */
struct vl_bench_fidelity {
	double host_busy;    /* fraction of all CPUs busy while instances ran */
	double max_lag_s;    /* latest start after the barrier */
	double lag_spread_s; /* latest minus earliest start */
	uint64_t throttled;  /* CFS periods throttled, all nodes */
	uint64_t drops;      /* packets dropped on the nodes' interfaces */
	uint64_t sent;       /* bytes the nodes sent on their interfaces (not lo) */
	size_t starved;
	size_t hosts, machines;     /* rm: hosts and the machines they are (else 0) */
	char machines_host[2][256]; /* rm: two hosts of one machine, if any */
	double lab_busy;            /* of host_busy, the lab's nodes' cgroups (< 0: unknown) */
	double steal;               /* fraction of the host's CPU time stolen (< 0: unknown) */
	uint64_t drops_worst;       /* on the node that dropped most */
	char drops_node[256];
	double retrans; /* the worst node's retransmitted / sent TCP segments (< 0: unknown) */
	char retrans_node[32];
	double drift_s; /* the worst own clock's offset, at least (< 0: none) */
	char drift_node[256];
	bool emulated;
	struct vl_check checks[VL_CHECKS_MAX];
	size_t n_checks;
	bool trustworthy; /* every check passed */
	char why[1024];   /* the one-line verdict */
};

struct vl_bench_run {
	char workload[16], backend[8], mode[16];
	bool rate; /* judged by throughput, not by completion rate */
	size_t n;
	double wall_s; /* the whole run */
	struct vl_bench_instance *inst;
	struct vl_bench_fidelity fid;
	struct vl_timeline timeline; /* instances run together: their CPU over time */
	double capacity_bps;         /* network workloads on shaped links: N x the rate; else 0 */
	struct vl_neighbour_run neighbour; /* kind none: there was none */
	struct vl_bench_host *hosts;       /* rm: a host per instance (else NULL) */
	size_t n_hosts, machines;          /* rm: hosts, and the machines they are */
};

/* A lab for a benchmark: single,nodes on backend, every node with profile
 * and (unless 0) memory bytes, every link shaped to bw (or not, NULL), brought up as lab, its
 * guests (backend vm) carrying programs[0..n_programs); *t is its topology, to free after down. */
struct vl_topo;
/* The same in two steps, for a caller that changes the topology between
 * them: vl_bench_lab_topo makes *t (single,nodes, profile, memory, bw);
 * vl_bench_lab_start brings it up (and frees it on failure). */
int vl_bench_lab_topo(size_t nodes, const char *bw, enum vl_profile profile, int64_t memory,
                      struct vl_topo **t, struct vl_err *err);
int vl_bench_lab_start(const char *lab, struct vl_topo **t, enum vl_backend backend,
                       const char *const *programs, size_t n_programs, struct vl_err *err);
int vl_bench_lab_up(const char *lab, size_t nodes, enum vl_backend backend, const char *bw,
                    enum vl_profile profile, int64_t memory, const char *const *programs,
                    size_t n_programs, struct vl_topo **t, struct vl_err *err);
/* A new directory NAME of the lab's data directory (lab/lab.h: the one
 * its guests see too, at the same path; ns and proc nodes see the host's)
 * into buf: where a run puts what its nodes read and write. */
int vl_bench_lab_dir(const char *lab, const char *name, char *buf, size_t len, struct vl_err *err);
/* Take it down and free t; r is the caller's result so far: a failure to
 * come down is reported only if nothing failed before. Returns r or -1. */
int vl_bench_lab_down(const char *lab, struct vl_topo *t, int r, struct vl_err *err);
int vl_bench_run(const struct vl_bench_opts *o, struct vl_bench_run *run, struct vl_err *err);
/* The run's verdict (fid's checks and line) from what was measured. */
void vl_bench_judge(const struct vl_bench_opts *o, struct vl_bench_run *run);
void vl_bench_run_free(struct vl_bench_run *run);
/* The value each instance is judged by: bytes/s received for the rate
 * workloads (stream, bandwidth, iperf, iperf3, netpipe), else its
 * completion rate, 1 / wall time. */
double vl_bench_value(const struct vl_bench_run *run, size_t i);
/* The run as JSON: vl_bench_run_json (compare.h, with the result files' schema). */

#endif
