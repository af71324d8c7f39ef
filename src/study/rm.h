/* The study's third environment: real machines (rm). N instances of a
 * workload, one per host of a hosts table (host/host.h: ssh or Slurm), each
 * a plain process on its own machine; a network workload's instance i sends
 * to the server on host (i + 1) mod N, at that host's underlay address.
 * Every figure is measured on the host where it ran (`vnetlab-work host`
 * there: the programs' reports, their wait4 CPU time, the host's CPU busy
 * and its underlay's bytes); the coordinator only starts them and reads.
 *
 * The barrier: one start time in the future, CLOCK_REALTIME, given to every
 * host. The hosts are expected on one clock (NTP, or one machine's), and
 * checked: each host's offset is measured over a round trip before the run
 * (`vnetlab-work clock`); where it is beyond that measurement's uncertainty
 * the host's barrier is moved by it, and the run's clock_drift check
 * reports the worst offset. Hosts that report one boot id are one machine
 * (simulated hosts): the real_machines check fails and says so. */
#ifndef VL_STUDY_RM_H
#define VL_STUDY_RM_H

#include "base/err.h"
#include "study/runner.h"

struct vl_workload;

/* NULL if workload w can run on real machines; else why not. */
const char *vl_rm_unsupported(const struct vl_workload *w);
/* o can run on real machines (its hosts, its N, its workload, no lab
 * options): 0, or -1 with err saying why not (a usage error). */
int vl_rm_check(const struct vl_bench_opts *o, struct vl_err *err);
/* The N instances of o on o->hosts at once (o->n <= the hosts: the first
 * o->n of them). < 0 with err when the run cannot be made (bad options,
 * a host that cannot be asked); an instance that fails is a result. */
int vl_rm_run(const struct vl_bench_opts *o, struct vl_bench_run *run, struct vl_err *err);

#endif
