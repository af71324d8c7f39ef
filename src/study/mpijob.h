/* The study's MPI comparison: one MPI job (vnetlab-mpi, built for MPICH or
 * LAM/MPI) with N ranks, run in one of four environments:
 *   ns    one rank per ns node of a single,N lab, over the emulated links
 *   proc  one rank per proc node (plain processes on loopback)
 *   solo  the N ranks on the host, outside any lab (the MPI's own transports)
 *   one   a single rank on the host doing the whole problem
 *   rm    one rank per host of --hosts (real machines: the study's RM(N)),
 *         MPICH only: hydra runs here with its manual launcher and its
 *         proxies are started on the hosts through the hosts table; the
 *         ranks reach each other over the hosts' own network
 * MPICH is launched by hydra with our remote shell (vnetlab-rsh: enters a
 * node instead of logging in); LAM/MPI, which refuses root, is booted by an
 * unprivileged user over an sshd in every node. Every job is bounded by a
 * timeout; one that printed its result and then hung in MPI_Finalize keeps
 * its result and is reported as such. */
#ifndef VL_STUDY_MPIJOB_H
#define VL_STUDY_MPIJOB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "topo/topo.h"

struct vl_hosts;

/* The unprivileged account LAM/MPI runs as (scripts/deps.sh makes it). */
#define VL_MPI_USER "vnetlab"

struct vl_mpi_opts {
	const char *impl;        /* "mpich" or "lam" */
	const char *bench;       /* a benchmark of vnetlab-mpi: pingpong, ..., ep, is, cg, mg */
	const char *cls;         /* S, W or A for the macro kernels; NULL for micro */
	size_t ranks;            /* >= 1 (micro benchmarks need 2) */
	double timeout;          /* seconds for the whole job */
	const char *bw;          /* shape every link to this rate, or NULL */
	const char *bindir;      /* holds vnetlab-work, vnetlab-rsh and mpi/<impl>/vnetlab-mpi */
	enum vl_profile profile; /* the lab's nodes: the study's guests (1 CPU, 64 MiB), or none */
	struct vl_hosts *hosts;  /* rm: the hosts, opened and probed (host/host.h) */
};

struct vl_mpi_result {
	char env[8];
	size_t ranks;
	bool skipped;       /* the environment cannot run this MPI (error says why) */
	bool finished;      /* a result was printed */
	bool verified;      /* ... and it verified itself */
	bool timed_out;     /* the timeout passed before the job ended */
	bool finalize_hang; /* printed its result, then did not end */
	double wall_s;      /* the benchmark's timed part (max over ranks) */
	double job_s;       /* the whole launch, start to end */
	size_t hosts;       /* distinct host names the ranks ran on */
	double link_bytes;  /* bytes the lab's nodes sent on their interfaces (rm: the
	                     * hosts on their underlay devices, the launch's too) */
	json_t *report;     /* vnetlab-mpi's JSON, or NULL */
	char error[1024];
};

/* NULL if impl is usable here; else why not (missing program or package). */
const char *vl_mpi_missing(const struct vl_mpi_opts *o, char *buf, size_t len);
/* Run the job in env ("ns", "vm", "proc", "solo", "one" or "rm"). < 0 only when the
 * environment could not be made; a job that fails is a result. */
int vl_mpi_run(const struct vl_mpi_opts *o, const char *env, struct vl_mpi_result *res,
               struct vl_err *err);
json_t *vl_mpi_result_json(const struct vl_mpi_result *r);
void vl_mpi_result_free(struct vl_mpi_result *r);

#endif
