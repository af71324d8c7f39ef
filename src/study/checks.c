/* A run's verdict as named checks (see checks.h). */
#include "study/checks.h"

#include <stdio.h>
#include <string.h>

#define OUTSIDE_MAX 0.10
#define STEAL_MAX   0.05
#define SPREAD_REL  0.05
#define SPREAD_MIN  0.01
#define RETRANS_MAX 0.01
#define DRIFT_MAX   0.05

static struct vl_check *add(struct vl_check *out, size_t *k, const char *name, bool ok,
                            double figure)
{
	struct vl_check *c = &out[(*k)++];

	c->name = name;
	c->ok = ok;
	c->figure = figure;
	c->says[0] = '\0';
	return c;
}

#define SAY(c, ...) snprintf((c)->says, sizeof((c)->says), __VA_ARGS__)

size_t vl_checks_judge(const struct vl_check_in *in, struct vl_check *out)
{
	struct vl_check *c;
	size_t k = 0;
	double outside = in->lab_busy < 0 ? -1 : in->host_busy - in->lab_busy;

	c = add(out, &k, "finished", in->starved == 0, (double)(in->n - in->starved));
	if (c->ok)
		SAY(c, "every instance finished");
	else
		SAY(c, "%zu of %zu instances did not finish within %g s", in->starved, in->n,
		    in->timeout_s);

	/* real machines that are one machine: nothing else matters as much */
	if (in->hosts) {
		c = add(out, &k, "real_machines", in->machines == in->hosts, (double)in->machines);
		if (c->ok)
			SAY(c, "the %zu hosts are %zu machines", in->hosts, in->machines);
		else
			SAY(c,
			    "the %zu hosts are %zu machine%s (%s and %s have one boot id): they "
			    "share its CPUs, so this is no comparison with real machines",
			    in->hosts, in->machines, in->machines == 1 ? "" : "s",
			    in->same_machine[0] ? in->same_machine[0] : "?",
			    in->same_machine[1] ? in->same_machine[1] : "?");
	}

	if (in->lab_busy >= 0 && outside < 0)
		outside = 0; /* the two windows differ by a tick */
	c = add(out, &k, "host_saturation", in->lab_busy < 0 || outside <= OUTSIDE_MAX, outside);
	if (in->lab_busy < 0)
		SAY(c, "work outside the lab unknown (its nodes have no cgroups)");
	else if (c->ok)
		SAY(c, "work outside the lab took %.0f%% of the host's CPUs", 100 * outside);
	else
		SAY(c, "work outside the lab took %.0f%% of the host's CPUs, competing with it",
		    100 * outside);

	c = add(out, &k, "emulated_cpu", !in->emulated, in->emulated ? 1 : 0);
	SAY(c, "%s", in->emulated ? "guests run on emulated CPUs (TCG): compare shares, not times"
	                          : "no emulated CPUs");

	c = add(out, &k, "steal", in->steal < 0 || in->steal <= STEAL_MAX, in->steal);
	if (in->steal < 0)
		SAY(c, "steal time unknown");
	else
		SAY(c, "%s%.1f%% of the host's CPU time was stolen by its own hypervisor",
		    c->ok ? "" : "this host is a VM: ", 100 * in->steal);

	c = add(out, &k, "throttling", in->throttled == 0, (double)in->throttled);
	if (c->ok)
		SAY(c, "no node's CPU limit throttled it");
	else
		SAY(c, "CPU limits throttled nodes %llu times", (unsigned long long)in->throttled);

	c = add(out, &k, "late_start",
	        !in->together || in->n < 2 || in->start_spread_s <= SPREAD_MIN ||
	            in->start_spread_s <= SPREAD_REL * in->mean_wall_s,
	        in->start_spread_s);
	if (c->ok)
		SAY(c, "instances started within %.0f ms of each other", 1e3 * in->start_spread_s);
	else
		SAY(c, "starts were %.0f ms apart (%.0f%% of a run)", 1e3 * in->start_spread_s,
		    in->mean_wall_s > 0 ? 100 * in->start_spread_s / in->mean_wall_s : 100.0);

	c = add(out, &k, "drops", in->drops == 0, (double)in->drops);
	if (c->ok)
		SAY(c, "no packet dropped on the nodes' interfaces");
	else
		SAY(c, "%llu packets were dropped on the nodes' interfaces (%llu on %s)",
		    (unsigned long long)in->drops, (unsigned long long)in->drops_worst,
		    in->drops_node ? in->drops_node : "?");

	c = add(out, &k, "retransmits", in->retrans < 0 || in->retrans <= RETRANS_MAX, in->retrans);
	if (in->retrans < 0)
		SAY(c, "TCP retransmits not measured");
	else
		SAY(c, "%s retransmitted %.2f%% of its TCP segments%s",
		    in->retrans_node ? in->retrans_node : "no node", 100 * in->retrans,
		    c->ok ? "" : ": the network lost packets");

	c = add(out, &k, "clock_drift", in->drift_s < 0 || in->drift_s <= DRIFT_MAX, in->drift_s);
	if (in->drift_s < 0)
		SAY(c, "the nodes keep the host's clock");
	else
		SAY(c, "%s's clock is %.0f ms or more off the host's", in->drift_node ? in->drift_node : "a guest",
		    1e3 * in->drift_s);
	return k;
}

bool vl_checks_ok(const struct vl_check *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!c[i].ok)
			return false;
	return true;
}

void vl_checks_line(const struct vl_check *c, size_t n, bool saturated, char *buf, size_t len)
{
	const char *sep = ": ";
	size_t at;

	snprintf(buf, len, "%s", vl_checks_ok(c, n) ? "trustworthy: every check passed"
	                                             : "not trustworthy");
	for (size_t i = 0; i < n; i++) {
		at = strlen(buf);
		if (!c[i].ok && at < len) {
			snprintf(buf + at, len - at, "%s%s", sep, c[i].says);
			sep = "; ";
		}
	}
	at = strlen(buf);
	if (saturated && at < len)
		snprintf(buf + at, len - at,
		         "; the host's CPUs were saturated, so this measures how the nodes share "
		         "them");
}
