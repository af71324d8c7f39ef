/* The link backends' tables (link/link.h) called as the engine calls them,
 * with what they need of a link passed in and no plan: which impairments
 * need netem (topo/impair.h, shared with the plan's choice), and, as root
 * in a network namespace of the test's own, the kernel backend's veth
 * pair with each end's egress shaped as asked (read back from the
 * kernel's qdiscs) and the user backend's MTU on an existing end. */
#include <errno.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "link/link.h"

static void netem_cases(void)
{
	static const struct {
		const char *text;
		bool want;
	} c[] = {
	    {"none", false},
	    {"rate 10Mbit", false},
	    {"queue 50", false},
	    {"delay 5ms", true},
	    {"jitter 1ms", true},
	    {"loss 1%", true},
	    {"loss-model gemodel 1% 10% 100% 0%", true},
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct vl_impair im;
		const char *why = vl_impair_parse(&im, c[i].text);

		result(c[i].text, !why && vl_impair_needs_netem(&im) == c[i].want,
		       "needs netem: %d, want %d (%s)", why ? -1 : vl_impair_needs_netem(&im),
		       c[i].want, why ? why : "parsed");
	}
}

struct root_kind {
	int ifindex;
	char kind[16];
};

static int qdisc_cb(const struct nlmsghdr *nlh, void *data)
{
	struct root_kind *rk = data;
	const struct tcmsg *tc = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (tc->tcm_ifindex != rk->ifindex || tc->tcm_parent != TC_H_ROOT)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*tc))
	{
		if (mnl_attr_get_type(a) == TCA_KIND &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(rk->kind, sizeof(rk->kind), "%s", mnl_attr_get_str(a));
	}
	return MNL_CB_OK;
}

/* The kind of ifindex's root qdisc, "" for none found. */
static const char *root_kind(struct vl_nl *nl, int ifindex, struct root_kind *rk)
{
	struct tcmsg tc = {.tcm_family = AF_UNSPEC};
	struct vl_err err = {0};

	*rk = (struct root_kind){.ifindex = ifindex};
	if (vl_nl_dump(nl, RTM_GETQDISC, sizeof(tc), &tc, qdisc_cb, rk, &err) < 0)
		snprintf(rk->kind, sizeof(rk->kind), "?%d", err.code);
	return rk->kind;
}

static int mtu_of(const char *name)
{
	struct ifreq ifr = {0};
	cleanup_close int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	return s >= 0 && ioctl(s, SIOCGIFMTU, &ifr) == 0 ? ifr.ifr_mtu : -1;
}

static void backend_case(void)
{
	const char *name = "kernel and user tables: made, shaped, MTU";
	const struct vl_link_backend *kl = vl_link_backend_for(false),
	                             *ul = vl_link_backend_named("user");
	struct vl_rtnl_veth_end a = {.name = "vta", .ifindex = 10, .ns_fd = -1, .up = true},
	                        b = {.name = "vtb", .ifindex = 11, .ns_fd = -1};
	struct vl_impair rate = {0}, queue = {0}, none = {0};
	struct vl_err err = {0};
	struct root_kind ra, rb;
	struct vl_nl nl;

	if (!own_netns(name))
		return;
	vl_impair_set(&rate, "rate", "10Mbit");
	vl_impair_set(&queue, "queue", "50");
	if (vl_nl_open(&nl, &err) < 0 || kl->make(&nl, &a, &b, 1400, &err) < 0 ||
	    vl_nl_flush(&nl, &err) < 0 ||
	    kl->configure(&nl, a.ifindex, &rate, 1400, "shape vta", &err) < 0 ||
	    kl->configure(&nl, b.ifindex, &queue, 1400, "shape vtb", &err) < 0 ||
	    vl_nl_flush(&nl, &err) < 0 ||
	    ul->configure(&nl, b.ifindex, &none, 1300, "vtb's MTU", &err) < 0 ||
	    vl_nl_flush(&nl, &err) < 0) {
		result(name, 0, "%s", err.msg);
		vl_nl_close(&nl);
		return;
	}
	root_kind(&nl, a.ifindex, &ra);
	root_kind(&nl, b.ifindex, &rb);
	vl_nl_close(&nl);
	result(name,
	       kl->pair && !ul->pair && !strcmp(ra.kind, "tbf") && !strcmp(rb.kind, "pfifo") &&
	           mtu_of("vta") == 1400 && mtu_of("vtb") == 1300 &&
	           !strcmp(kl->engine((struct vl_impair[2]){rate, none}), "kernel"),
	       "root qdiscs %s and %s (want tbf and pfifo), MTUs %d and %d (want 1400 and 1300)",
	       ra.kind, rb.kind, mtu_of("vta"), mtu_of("vtb"));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	netem_cases();
	backend_case();
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail > 0;
}
