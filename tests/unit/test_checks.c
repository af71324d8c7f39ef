/* A run's verdict as named checks (src/study/checks.h): a quiet run passes
 * every one; each condition fails exactly the check that names it, and
 * the one-line verdict leads with the worst that failed. And the TCP
 * counters a check reads, from /proc/net/snmp's text. */
#include <math.h>

#include "study/checks.h"
#include "study/probe.h"
#include "check.h"

/* A quiet run of 4 instances of 2 s on a host of which the lab used 60 %. */
static struct vl_check_in quiet(void)
{
	return (struct vl_check_in){.n = 4,
	                            .timeout_s = 60,
	                            .together = true,
	                            .host_busy = 0.65,
	                            .lab_busy = 0.60,
	                            .steal = 0.001,
	                            .start_spread_s = 0.004,
	                            .mean_wall_s = 2,
	                            .retrans = 0.0005,
	                            .retrans_node = "h2",
	                            .drift_s = -1};
}

struct flip {
	const char *check; /* the one that must fail */
	void (*set)(struct vl_check_in *in);
	const char *says; /* in the verdict's line */
};

static void starved(struct vl_check_in *in) { in->starved = 1; }
/* two busy loops outside any lab on 2 CPUs: the host all busy, the lab 10 % */
static void hog(struct vl_check_in *in)
{
	in->host_busy = 1.0;
	in->lab_busy = 0.10;
}
static void tcg(struct vl_check_in *in) { in->emulated = true; }
static void stolen(struct vl_check_in *in) { in->steal = 0.12; }
static void throttled(struct vl_check_in *in) { in->throttled = 37; }
static void late(struct vl_check_in *in) { in->start_spread_s = 0.3; }
static void dropped(struct vl_check_in *in)
{
	in->drops = 12;
	in->drops_worst = 9;
	in->drops_node = "h3";
}
static void lossy(struct vl_check_in *in) { in->retrans = 0.04; }
static void drifting(struct vl_check_in *in)
{
	in->drift_s = 0.8;
	in->drift_node = "h4";
}

static const struct flip flips[] = {
    {"finished", starved, "1 of 4 instances did not finish within 60 s"},
    {"host_saturation", hog, "work outside the lab took 90% of the host's CPUs"},
    {"emulated_cpu", tcg, "compare shares, not times"},
    {"steal", stolen, "this host is a VM: 12.0%"},
    {"throttling", throttled, "throttled nodes 37 times"},
    {"late_start", late, "starts were 300 ms apart (15% of a run)"},
    {"drops", dropped, "12 packets were dropped on the nodes' interfaces (9 on h3)"},
    {"retransmits", lossy, "h2 retransmitted 4.00% of its TCP segments"},
    {"clock_drift", drifting, "h4's clock is 800 ms or more off the host's"},
};

static void t_checks(void)
{
	struct vl_check c[VL_CHECKS_MAX];
	struct vl_check_in in = quiet();
	char line[1024];
	size_t n = vl_checks_judge(&in, c);
	struct vl_buf why = {0};

	vl_checks_line(c, n, false, line, sizeof(line));
	if (n != VL_ARRAY_SIZE(flips) || !vl_checks_ok(c, n) ||
	    strcmp(line, "trustworthy: every check passed"))
		why_add(&why, "a quiet run: %zu checks, line [%s]", n, line);
	for (size_t i = 0; i < n; i++)
		if (!c[i].ok)
			why_add(&why, "a quiet run fails %s: %s", c[i].name, c[i].says);
	report("checks/quiet", &why);
	vl_buf_free(&why);

	for (size_t f = 0; f < VL_ARRAY_SIZE(flips); f++) {
		char name[64];

		in = quiet();
		flips[f].set(&in);
		n = vl_checks_judge(&in, c);
		vl_checks_line(c, n, false, line, sizeof(line));
		for (size_t i = 0; i < n; i++)
			if (c[i].ok == !strcmp(c[i].name, flips[f].check))
				why_add(&why, "%s %s", c[i].name, c[i].ok ? "passed" : "failed");
		if (strncmp(line, "not trustworthy: ", 17) || !strstr(line, flips[f].says))
			why_add(&why, "line [%s], want it to say [%s]", line, flips[f].says);
		snprintf(name, sizeof(name), "checks/%s", flips[f].check);
		report(name, &why);
		vl_buf_free(&why);
	}

	/* several at once: the worst first; a saturated host is said */
	in = quiet();
	tcg(&in);
	starved(&in);
	n = vl_checks_judge(&in, c);
	vl_checks_line(c, n, true, line, sizeof(line));
	if (strncmp(line, "not trustworthy: 1 of 4 instances did not finish", 48) ||
	    !strstr(line, "; guests run on emulated CPUs") || !strstr(line, "saturated"))
		why_add(&why, "line [%s]", line);
	report("checks/worst-first", &why);
	vl_buf_free(&why);

	/* unknowns pass, saying so */
	in = quiet();
	in.lab_busy = in.steal = in.retrans = -1;
	in.host_busy = 1;
	n = vl_checks_judge(&in, c);
	if (!vl_checks_ok(c, n) || !strstr(c[1].says, "unknown"))
		why_add(&why, "unknowns: %s %s", c[1].name, c[1].says);
	report("checks/unknown", &why);
	vl_buf_free(&why);
}

/* Real machines (rm): the check is there only for an rm run; hosts that
 * are one machine fail it, naming two of them, before anything else. */
static void t_real_machines(void)
{
	struct vl_check c[VL_CHECKS_MAX];
	struct vl_check_in in = quiet();
	struct vl_buf why = {0};
	char line[1024];
	size_t n = vl_checks_judge(&in, c);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].name, "real_machines"))
			why_add(&why, "a lab's run has the real_machines check");
	in.hosts = 3;
	in.machines = 3;
	n = vl_checks_judge(&in, c);
	if (n != VL_ARRAY_SIZE(flips) + 1 || strcmp(c[1].name, "real_machines") || !c[1].ok ||
	    c[1].figure != 3 || strcmp(c[1].says, "the 3 hosts are 3 machines"))
		why_add(&why, "3 machines: %zu checks, [%s] %d [%s]", n, c[1].name, c[1].ok,
		        c[1].says);
	in.machines = 1;
	in.same_machine[0] = "sim1";
	in.same_machine[1] = "sim2";
	n = vl_checks_judge(&in, c);
	vl_checks_line(c, n, false, line, sizeof(line));
	if (c[1].ok || c[1].figure != 1 ||
	    strcmp(line, "not trustworthy: the 3 hosts are 1 machine (sim1 and sim2 have one boot "
	                 "id): they share its CPUs, so this is no comparison with real machines"))
		why_add(&why, "one machine: line [%s]", line);
	report("checks/real_machines", &why);
	vl_buf_free(&why);
}

static void t_snmp(void)
{
	static const char text[] =
	    "Ip: Forwarding DefaultTTL InReceives\nIp: 1 64 1000\n"
	    "Icmp: InMsgs InErrors\nIcmp: 3 0\n"
	    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails "
	    "EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
	    "Tcp: 1 200 120000 -1 10 9 0 0 2 51234 48001 17 0 3 0\n"
	    "Udp: InDatagrams NoPorts\nUdp: 5 0\n";
	struct vl_tcp_counts c;
	struct vl_buf why = {0};

	if (vl_probe_parse_snmp(text, &c) < 0 || !c.ok || c.out_segs != 48001 ||
	    c.retrans_segs != 17)
		why_add(&why, "parsed ok %d out %llu retrans %llu", c.ok,
		        (unsigned long long)c.out_segs, (unsigned long long)c.retrans_segs);
	if (vl_probe_parse_snmp("Ip: 1 2\nTcp: OutSegs\n", &c) == 0 ||
	    vl_probe_parse_snmp("", &c) == 0 || c.ok)
		why_add(&why, "a text without Tcp's two lines was taken");
	report("snmp", &why);
	vl_buf_free(&why);
}

int main(void)
{
	t_checks();
	t_real_machines();
	t_snmp();
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail ? 1 : 0;
}
