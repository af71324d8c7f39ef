#include "link/kernel.h"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_sched.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/veth.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Start an RTM_NEWLINK that creates link `name` (ifindex 0: the kernel's
 * choice) of MTU mtu (0: the default), up when asked. */
static struct nlmsghdr *new_link(struct vl_nl *nl, const char *name, int ifindex, int mtu, bool up,
                                 const char *what, struct vl_err *err)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = vl_nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi), what, err);
	if (!nlh)
		return NULL;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (up)
		ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	return nlh;
}

static struct nlmsghdr *bridge_msg(struct vl_nl *nl, const char *name, int ifindex, int mtu,
                                   bool stp, struct vl_err *err)
{
	char what[64];
	struct nlmsghdr *nlh;
	struct nlattr *li, *data;

	snprintf(what, sizeof(what), "create bridge %s", name);
	if (!(nlh = new_link(nl, name, ifindex, mtu, true, what, err)))
		return NULL;
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* STP only where the topology has loops (a torus), then as fast as the
	 * kernel allows: forward delay 2 s, hello 1 s, max age 6 s */
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, stp);
	if (stp) {
		mnl_attr_put_u32(nlh, IFLA_BR_FORWARD_DELAY, VL_KL_STP_FORWARD_DELAY_CS);
		mnl_attr_put_u32(nlh, IFLA_BR_HELLO_TIME, 100);
		mnl_attr_put_u32(nlh, IFLA_BR_MAX_AGE, 600);
	}
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return nlh;
}

int vl_kl_bridge_add_stp(struct vl_nl *nl, const char *name, int ifindex, int mtu, bool stp,
                         struct vl_err *err)
{
	return bridge_msg(nl, name, ifindex, mtu, stp, err) ? 0 : -1;
}

int vl_kl_bridge_add(struct vl_nl *nl, const char *name, int ifindex, int mtu, struct vl_err *err)
{
	return vl_kl_bridge_add_stp(nl, name, ifindex, mtu, false, err);
}

int vl_kl_bridge_add_group(struct vl_nl *nl, const char *name, uint32_t group, struct vl_err *err)
{
	struct nlmsghdr *nlh = bridge_msg(nl, name, 0, 0, false, err);

	if (!nlh)
		return -1;
	mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	return 0;
}

int vl_kl_veth_add(struct vl_nl *nl, const struct vl_kl_veth_end *a, const struct vl_kl_veth_end *b,
                   int mtu, struct vl_err *err)
{
	char what[80];
	struct nlmsghdr *nlh;
	struct ifinfomsg *peer;
	struct nlattr *li, *data, *pn;

	snprintf(what, sizeof(what), "create veth %s/%s", a->name, b->name);
	if (!(nlh = new_link(nl, a->name, a->ifindex, mtu, a->up, what, err)))
		return -1;
	if (a->ns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)a->ns_fd);
	if (a->master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)a->master);
	if (a->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, a->mac);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pn = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer = (struct ifinfomsg *)mnl_nlmsg_get_payload_tail(nlh);
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*peer));
	memset(peer, 0, sizeof(*peer));
	peer->ifi_family = AF_UNSPEC;
	peer->ifi_index = b->ifindex;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, b->name);
	if (b->ns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)b->ns_fd);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	if (b->mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, b->mac);
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return 0;
}

/* Start an RTM_NEWLINK request that changes the existing link ifindex. */
static struct nlmsghdr *setlink(struct vl_nl *nl, int ifindex, unsigned flags, const char *what,
                                struct vl_err *err)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = vl_nl_msg(nl, RTM_NEWLINK, 0, sizeof(*ifi), what, err);
	if (!nlh)
		return NULL;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = ifi->ifi_change = flags;
	return nlh;
}

int vl_kl_link_ipv6_off(struct vl_nl *nl, int ifindex, const char *what, struct vl_err *err)
{
	struct nlmsghdr *nlh = setlink(nl, ifindex, 0, what, err);
	struct nlattr *spec, *in6;

	if (!nlh)
		return -1;
	spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	in6 = mnl_attr_nest_start(nlh, AF_INET6);
	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(nlh, in6);
	mnl_attr_nest_end(nlh, spec);
	return 0;
}

int vl_kl_link_up(struct vl_nl *nl, int ifindex, const char *what, struct vl_err *err)
{
	return setlink(nl, ifindex, IFF_UP, what, err) ? 0 : -1;
}

int vl_kl_link_mac(struct vl_nl *nl, int ifindex, const uint8_t mac[6], const char *what,
                   struct vl_err *err)
{
	struct nlmsghdr *nlh = setlink(nl, ifindex, 0, what, err);

	if (!nlh)
		return -1;
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return 0;
}

int vl_kl_link_set_master(struct vl_nl *nl, int ifindex, int master, const char *what,
                          struct vl_err *err)
{
	struct nlmsghdr *nlh = setlink(nl, ifindex, IFF_UP, what, err);

	if (!nlh)
		return -1;
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return 0;
}

int vl_kl_addr_add(struct vl_nl *nl, int ifindex, uint32_t addr, int prefix, const char *what,
                   struct vl_err *err)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	uint32_t a = htonl(addr);

	nlh = vl_nl_msg(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa), what, err);
	if (!nlh)
		return -1;
	ifa = mnl_nlmsg_get_payload(nlh);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(a), &a);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	if (prefix <= 30) {
		uint32_t brd = htonl(addr | (0xffffffffu >> prefix));

		mnl_attr_put(nlh, IFA_BROADCAST, sizeof(brd), &brd);
	}
	return 0;
}

int vl_kl_route_add(struct vl_nl *nl, uint32_t dst, int prefix, uint32_t via, int oif,
                    const char *what, struct vl_err *err)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	uint32_t d = htonl(dst), g = htonl(via);

	nlh = vl_nl_msg(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rtm), what, err);
	if (!nlh)
		return -1;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (unsigned char)prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (prefix)
		mnl_attr_put(nlh, RTA_DST, sizeof(d), &d);
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(g), &g);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	return 0;
}

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

int vl_kl_shape(struct vl_nl *nl, int ifindex, const struct vl_impair *im, int mtu,
                const char *what, struct vl_err *err)
{
	uint32_t frame = (uint32_t)(mtu ? mtu : 1500) + 14;
	struct nlmsghdr *nlh;
	struct nlattr *opts;

	if (im->rate_bps) {
		uint64_t bytes_ps = im->rate_bps / 8;
		/* a burst of 1 ms of traffic, at least two frames; a queue of
		 * what was asked, else 50 ms of traffic */
		uint64_t burst = bytes_ps / 1000 > 2 * frame ? bytes_ps / 1000 : 2 * frame;
		uint64_t limit = im->queue_bytes     ? im->queue_bytes
		                 : im->queue_packets ? (uint64_t)im->queue_packets * frame
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
	if (im->queue_packets || im->queue_bytes) {
		struct tc_fifo_qopt q = {.limit = im->queue_bytes ? (uint32_t)im->queue_bytes
		                                                  : im->queue_packets};

		nlh = qdisc_msg(nl, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex,
		                im->queue_bytes ? "bfifo" : "pfifo", what, err);
		if (!nlh)
			return -1;
		mnl_attr_put(nlh, TCA_OPTIONS, sizeof(q), &q);
	}
	return 0;
}

int vl_kl_redirect(struct vl_nl *nl, int from, int to, const char *what, struct vl_err *err)
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

int vl_kl_probe_netem(struct vl_nl *nl, int ifindex, struct vl_err *err)
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

int vl_kl_unshape(struct vl_nl *nl, int ifindex, struct vl_err *err)
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

int vl_kl_link_set_state(struct vl_nl *nl, int ifindex, bool up, const char *what,
                         struct vl_err *err)
{
	struct nlmsghdr *nlh = vl_nl_msg(nl, RTM_NEWLINK, 0, sizeof(struct ifinfomsg), what, err);
	struct ifinfomsg *ifi;

	if (!nlh)
		return -1;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return 0;
}

int vl_kl_link_set_mtu(struct vl_nl *nl, int ifindex, int mtu, const char *what, struct vl_err *err)
{
	struct nlmsghdr *nlh = setlink(nl, ifindex, 0, what, err);

	if (!nlh)
		return -1;
	mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	return 0;
}

int vl_kl_link_del_name(struct vl_nl *nl, const char *name, struct vl_err *err)
{
	char what[64];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	snprintf(what, sizeof(what), "delete %s", name);
	nlh = vl_nl_msg(nl, RTM_DELLINK, 0, sizeof(*ifi), what, err);
	if (!nlh)
		return -1;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return 0;
}

int vl_kl_link_set_master_name(struct vl_nl *nl, const char *name, int master, const char *what,
                               struct vl_err *err)
{
	struct nlmsghdr *nlh = setlink(nl, 0, IFF_UP, what, err);

	if (!nlh)
		return -1;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return 0;
}

struct names {
	char **v;
	size_t n, cap;
};

static int name_cb(const struct nlmsghdr *nlh, void *data)
{
	struct names *d = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(*ifi))
	{
		if (mnl_attr_get_type(a) != IFLA_IFNAME ||
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			continue;
		vl_grow(&d->v, &d->cap, d->n, sizeof(*d->v));
		d->v[d->n++] = vl_xstrdup(mnl_attr_get_str(a));
	}
	return MNL_CB_OK;
}

int vl_kl_link_names(struct vl_nl *nl, char ***names, size_t *n, struct vl_err *err)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct names d = {0};

	if (vl_nl_dump(nl, RTM_GETLINK, sizeof(ifi), &ifi, name_cb, &d, err) < 0) {
		for (size_t i = 0; i < d.n; i++)
			free(d.v[i]);
		free(d.v);
		return -1;
	}
	*names = d.v;
	*n = d.n;
	return 0;
}

int vl_kl_dummy_add(struct vl_nl *nl, const char *name, int ifindex, int mtu, const uint8_t *mac,
                    struct vl_err *err)
{
	char what[64];
	struct nlmsghdr *nlh;
	struct nlattr *li;

	snprintf(what, sizeof(what), "create dummy %s", name);
	if (!(nlh = new_link(nl, name, ifindex, mtu, false, what, err)))
		return -1;
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "dummy");
	mnl_attr_nest_end(nlh, li);
	return 0;
}
