#include "link/kernel.h"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>

int vl_kl_bridge_add(struct vl_nl *nl, const char *name, int ifindex, int mtu, struct vl_err *err)
{
	char what[64];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *li, *data;

	snprintf(what, sizeof(what), "create bridge %s", name);
	nlh = vl_nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi), what, err);
	if (!nlh)
		return -1;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, 0);
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return 0;
}

int vl_kl_veth_add(struct vl_nl *nl, const struct vl_kl_veth_end *a, const struct vl_kl_veth_end *b,
                   int mtu, struct vl_err *err)
{
	char what[80];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi, *peer;
	struct nlattr *li, *data, *pn;

	snprintf(what, sizeof(what), "create veth %s/%s", a->name, b->name);
	nlh = vl_nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi), what, err);
	if (!nlh)
		return -1;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = a->ifindex;
	if (a->up)
		ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, a->name);
	if (a->ns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)a->ns_fd);
	if (a->master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)a->master);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
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
