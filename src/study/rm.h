/* The study's third environment: real machines (rm). N instances of a
 * workload, one per host of a hosts table (host/host.h: ssh or Slurm), each
 * a plain process on its own machine; a network workload's instance i sends
 * to the server on host (i + 1) mod N, at that host's underlay address.
 * Every figure is measured on the host where it ran (`vnetlab-work host`
 * there: the programs' reports, their wait4 CPU time, the host's CPU busy
 * and its underlay's bytes); the coordinator only starts them and reads.
 * A workload's files (its setup: POV-Ray's scene, scp's keys and data) are
 * made here in a scratch directory, carried to the same path on every host
 * with their modes, and removed from all of them after the run.
 *
 * The barrier: one start time in the future, CLOCK_REALTIME, given to every
 * host. The hosts are expected on one clock (NTP, or one machine's), and
 * checked: each host's offset is measured before the run over the shortest
 * of three round trips (`vnetlab-work clock`); where it is beyond that measurement's uncertainty
 * the host's barrier is moved by it, and the run's clock_drift check
 * reports the worst offset. Hosts that report one boot id are one machine
 * (simulated hosts): the real_machines check fails and says so. */
#ifndef VL_STUDY_RM_H
#define VL_STUDY_RM_H

#include <stddef.h>

#include "base/err.h"
#include "base/util.h"
#include "host/host.h"
#include "study/runner.h"

/* o can run on real machines (its hosts, its N, its workload, no lab
 * options): 0, or -1 with err saying why not (a usage error). */
int vl_rm_check(const struct vl_bench_opts *o, struct vl_err *err);
/* The N instances of o on o->hosts at once (o->n <= the hosts: the first
 * o->n of them). < 0 with err when the run cannot be made (bad options,
 * a host that cannot be asked); an instance that fails is a result. */
int vl_rm_run(const struct vl_bench_opts *o, struct vl_bench_run *run, struct vl_err *err);

/* A different command on each of hosts 0..n-1 at once (the hosts table
 * runs one and waits for it): each in a thread of its own, started by
 * vl_rm_batch_start and waited for by vl_rm_batch_wait, while the caller
 * does what goes with them (the MPI launcher whose proxies they are). */
struct vl_rm_cmd {
	struct vl_argv argv; /* the caller's */
	struct vl_host_result r;
	struct vl_err err;
	int rc;                /* vl_hosts_run's */
	uint64_t t0_ns, t1_ns; /* CLOCK_REALTIME here around it */
	struct vl_hosts *hs;
	size_t i;
};
struct vl_rm_batch {
	void *t; /* the threads */
	size_t started;
};
int vl_rm_batch_start(struct vl_rm_batch *b, struct vl_hosts *hs, struct vl_rm_cmd *const *c,
                      size_t n, struct vl_err *err);
void vl_rm_batch_wait(struct vl_rm_batch *b);

#endif
