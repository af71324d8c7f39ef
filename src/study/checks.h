/* A benchmark run's verdict as named checks, each with its figure, pass or
 * fail, and what it says: a run is trustworthy only when every check
 * passes, and its one-line verdict leads with the worst that failed. Pure:
 * the runner measures, this judges (tests/unit/test_checks.c).
 *
 *   finished         every instance ended within the timeout
 *   host_saturation  work outside the lab took > 10 % of the host's CPU
 *   emulated_cpu     the nodes' CPUs are emulated (guests under TCG):
 *                    compare shares, not times
 *   steal            this host is itself a VM and lost > 5 % of its CPU
 *                    time to its hypervisor (/proc/stat steal)
 *   throttling       cgroup CPU limits throttled a node
 *   late_start       starts after the barrier spread over > 5 % of a run
 *                    (and > 10 ms)
 *   drops            packets dropped on the nodes' interfaces
 *   retransmits      a node retransmitted > 1 % of its TCP segments
 *   clock_drift      a node's own clock (a guest's) is > 50 ms off the
 *                    host's, beyond what the measurement cannot tell
 *   real_machines    (rm runs only) the hosts are as many machines: hosts
 *                    with one boot id share one machine's CPUs, and the
 *                    run is then no comparison with real machines */
#ifndef VL_STUDY_CHECKS_H
#define VL_STUDY_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VL_CHECKS_MAX 10

struct vl_check_in {
	size_t n, starved;
	double timeout_s;
	bool together;     /* instances run at once (not solo) */
	bool emulated;     /* guests under TCG */
	double host_busy;  /* fraction of the host's CPU time busy during the run */
	double lab_busy;   /* of it, the lab's nodes' cgroups; < 0: unknown */
	double steal;      /* fraction of the host's CPU time stolen; < 0: unknown */
	uint64_t throttled;
	double start_spread_s, mean_wall_s;
	uint64_t drops, drops_worst;
	const char *drops_node; /* the node that dropped most, or NULL */
	double retrans;         /* the worst node's retransmitted / sent segments; < 0: unknown */
	const char *retrans_node;
	double drift_s; /* the worst own clock's offset, lower bound; < 0: no own clocks */
	const char *drift_node;
	size_t hosts, machines;      /* rm: hosts, and the machines they are; 0: not rm */
	const char *same_machine[2]; /* rm: two hosts of one machine (or NULL) */
};

struct vl_check {
	const char *name;
	bool ok;
	double figure;
	char says[200];
};

/* The checks, in order of how much a failure undermines the run (the
 * first failed one is the worst). Returns how many (VL_CHECKS_MAX). */
size_t vl_checks_judge(const struct vl_check_in *in, struct vl_check *out);
/* True if every check passed. */
bool vl_checks_ok(const struct vl_check *c, size_t n);
/* "trustworthy: every check passed" or "not trustworthy: " and what the
 * failed checks say, worst first; saturated adds that the host's CPUs
 * were saturated (what is measured then is how the nodes share them). */
void vl_checks_line(const struct vl_check *c, size_t n, bool saturated, char *buf, size_t len);

#endif
