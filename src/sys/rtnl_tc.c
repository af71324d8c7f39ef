/* rtnetlink's traffic control (rtnl_tc.h): RTM_NEWQDISC, RTM_DELQDISC,
 * RTM_NEWTFILTER. */
#include "sys/rtnl_tc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>

static struct nlmsghdr *qdisc_msg(struct vl_nl *nl, uint16_t type, uint16_t flags, int ifindex,
                                  const char *kind, const char *what, struct vl_err *err)
{
	struct nlmsghdr *nlh = vl_nl_msg(nl, type, flags, sizeof(struct tcmsg), what, err);
	struct tcmsg *tc;

	if (!nlh)
		return NULL;
	tc = mnl_nlmsg_get_payload(nlh);
	tc->tcm_family = AF_UNSPEC;
	tc->tcm_ifindex = ifindex;
	tc->tcm_handle = 0x10000; /* 1: */
	tc->tcm_parent = TC_H_ROOT;
	if (kind)
		mnl_attr_put_strz(nlh, TCA_KIND, kind);
	return nlh;
}

int vl_rtnl_tc_shape(struct vl_nl *nl, int ifindex, const struct vl_rtnl_tc_shape *s, int mtu,
                     const char *what, struct vl_err *err)
{
	uint32_t frame = (uint32_t)(mtu ? mtu : 1500) + 14;
	struct nlmsghdr *nlh;
	struct nlattr *opts;

	if (s->rate_bps) {
		uint64_t bytes_ps = s->rate_bps / 8;
		/* a burst of 1 ms of traffic, at least two frames; a queue of
		 * what was asked, else 50 ms of traffic */
		uint64_t burst = bytes_ps / 1000 > 2 * frame ? bytes_ps / 1000 : 2 * frame;
		uint64_t limit = s->queue_bytes     ? s->queue_bytes
		                 : s->queue_packets ? (uint64_t)s->queue_packets * frame
		                                    : burst + bytes_ps / 20;
		struct tc_tbf_qopt q = {0};

		if (limit < burst)
			limit = burst;
		if (limit > UINT32_MAX)
			limit = UINT32_MAX;
		q.rate.rate = bytes_ps > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes_ps;
		q.limit = (uint32_t)limit;
		nlh = qdisc_msg(nl, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, "tbf",
		                what, err);
		if (!nlh)
			return -1;
		opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
		mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(q), &q);
		if (bytes_ps > UINT32_MAX)
			mnl_attr_put_u64(nlh, TCA_TBF_RATE64, bytes_ps);
		mnl_attr_put_u32(nlh, TCA_TBF_BURST, (uint32_t)burst);
		mnl_attr_nest_end(nlh, opts);
		return 0;
	}
	if (s->queue_packets || s->queue_bytes) {
		struct tc_fifo_qopt q = {.limit = s->queue_bytes ? (uint32_t)s->queue_bytes
		                                                 : s->queue_packets};

		nlh = qdisc_msg(nl, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex,
		                s->queue_bytes ? "bfifo" : "pfifo", what, err);
		if (!nlh)
			return -1;
		mnl_attr_put(nlh, TCA_OPTIONS, sizeof(q), &q);
	}
	return 0;
}

int vl_rtnl_tc_unshape(struct vl_nl *nl, int ifindex, struct vl_err *err)
{
	struct vl_err e2 = {0};

	if (!qdisc_msg(nl, RTM_DELQDISC, 0, ifindex, NULL, "remove the root qdisc", err))
		return -1;
	if (vl_nl_flush(nl, &e2) < 0 && e2.code != ENOENT && e2.code != EINVAL) {
		*err = e2;
		return -1;
	}
	return 0;
}

int vl_rtnl_tc_redirect(struct vl_nl *nl, int from, int to, const char *what, struct vl_err *err)
{
	struct {
		struct tc_u32_sel sel;
		struct tc_u32_key key; /* offset 0, mask 0: matches every frame */
	} u = {.sel = {.flags = TC_U32_TERMINAL, .nkeys = 1}};
	struct tc_mirred m = {
	    .action = TC_ACT_STOLEN, .eaction = TCA_EGRESS_REDIR, .ifindex = (uint32_t)to};
	struct nlattr *opts, *acts, *act, *aopts;
	struct nlmsghdr *nlh;
	struct tcmsg *tc;

	nlh = qdisc_msg(nl, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, from, "clsact", what, err);
	if (!nlh)
		return -1;
	tc = mnl_nlmsg_get_payload(nlh);
	tc->tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
	tc->tcm_parent = TC_H_CLSACT;
	nlh = vl_nl_msg(nl, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, sizeof(*tc), what, err);
	if (!nlh)
		return -1;
	tc = mnl_nlmsg_get_payload(nlh);
	tc->tcm_family = AF_UNSPEC;
	tc->tcm_ifindex = from;
	tc->tcm_parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
	tc->tcm_info = TC_H_MAKE(1u << 16, htons(ETH_P_ALL)); /* priority 1, all protocols */
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_U32_SEL, sizeof(u), &u);
	acts = mnl_attr_nest_start(nlh, TCA_U32_ACT);
	act = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "mirred");
	aopts = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
	mnl_attr_put(nlh, TCA_MIRRED_PARMS, sizeof(m), &m);
	mnl_attr_nest_end(nlh, aopts);
	mnl_attr_nest_end(nlh, act);
	mnl_attr_nest_end(nlh, acts);
	mnl_attr_nest_end(nlh, opts);
	return 0;
}

int vl_rtnl_tc_probe_netem(struct vl_nl *nl, int ifindex, struct vl_err *err)
{
	struct tc_netem_qopt q = {.limit = 1000, .latency = 1000};
	struct nlmsghdr *nlh;
	struct vl_err e2 = {0};

	nlh = qdisc_msg(nl, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, "netem",
	                "probe netem", err);
	if (!nlh)
		return -1;
	mnl_attr_put(nlh, TCA_OPTIONS, sizeof(q), &q);
	if (vl_nl_flush(nl, &e2) < 0) {
		/* no such qdisc: ENOENT (module missing), EOPNOTSUPP */
		if (e2.code == ENOENT || e2.code == EOPNOTSUPP || e2.code == EINVAL)
			return 0;
		*err = e2;
		return -1;
	}
	nlh = qdisc_msg(nl, RTM_DELQDISC, 0, ifindex, NULL, "remove the netem probe", err);
	if (!nlh || vl_nl_flush(nl, err) < 0)
		return -1;
	return 1;
}
