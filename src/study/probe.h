/* What a run's checks (checks.h) need measured inside its nodes: their TCP
 * segment counters (/proc/net/snmp in each node's network namespace, or
 * guest) and how far a node's own clock (a guest's) is from the host's. */
#ifndef VL_STUDY_PROBE_H
#define VL_STUDY_PROBE_H

#include <stddef.h>
#include <stdint.h>

struct vl_tcp_counts {
	uint64_t out_segs, retrans_segs;
	int ok; /* read */
};

/* Each node's TCP counters, all nodes at once. */
void vl_probe_tcp(const char *lab, char node[][32], size_t n, struct vl_tcp_counts *out);
/* "Tcp:" header and value lines of /proc/net/snmp: 0, or -1 if absent. */
int vl_probe_parse_snmp(const char *text, struct vl_tcp_counts *c);
/* How far node's clock is from the host's, at least (the time a
 * `date` there takes to come back is what cannot be told): seconds, or
 * -1 if it could not be read. */
double vl_probe_drift(const char *lab, const char *node);

#endif
