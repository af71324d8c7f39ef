/* rtnetlink's links (rtnl_link.h): RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK. */
#include "sys/rtnl_link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

struct nlmsghdr *vl_rtnl_link_new(struct vl_nl *nl, const char *name, int ifindex, int mtu, bool up,
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

/* What a new link may carry before its kind: the namespace it goes to
 * (-1: none), its MAC address (NULL: the kernel's). */
static void put_where(struct nlmsghdr *nlh, int ns_fd, const uint8_t *mac)
{
	if (ns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)ns_fd);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
}

int vl_rtnl_link_add_veth(struct vl_nl *nl, const struct vl_rtnl_veth_end *a,
                          const struct vl_rtnl_veth_end *b, int mtu, struct vl_err *err)
{
	char what[80];
	struct nlmsghdr *nlh;
	struct ifinfomsg *peer;
	struct nlattr *li, *data, *pn;

	snprintf(what, sizeof(what), "create veth %s/%s", a->name, b->name);
	if (!(nlh = vl_rtnl_link_new(nl, a->name, a->ifindex, mtu, a->up, what, err)))
		return -1;
	put_where(nlh, a->ns_fd, a->mac);
	if (a->master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)a->master);
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

int vl_rtnl_link_add_dummy(struct vl_nl *nl, const char *name, int ifindex, int mtu,
                           const uint8_t *mac, struct vl_err *err)
{
	char what[64];
	struct nlmsghdr *nlh;
	struct nlattr *li;

	snprintf(what, sizeof(what), "create dummy %s", name);
	if (!(nlh = vl_rtnl_link_new(nl, name, ifindex, mtu, false, what, err)))
		return -1;
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "dummy");
	mnl_attr_nest_end(nlh, li);
	return 0;
}

int vl_rtnl_link_add_vxlan(struct vl_nl *nl, const struct vl_rtnl_vxlan *v, struct vl_err *err)
{
	char what[80];
	struct nlmsghdr *nlh;
	struct nlattr *li, *data;

	if (!v->vni || v->vni >= 1u << 24)
		return vl_err_set(err, EINVAL, "vxlan %s: VNI %u: expected 1 to %u", v->name,
		                  v->vni, (1u << 24) - 1);
	snprintf(what, sizeof(what), "create vxlan %s (VNI %u)", v->name, v->vni);
	if (!(nlh = vl_rtnl_link_new(nl, v->name, v->ifindex, v->mtu, false, what, err)))
		return -1;
	put_where(nlh, v->ns_fd, v->mac);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vxlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, v->vni);
	mnl_attr_put(nlh, IFLA_VXLAN_GROUP, sizeof(v->remote), &v->remote);
	if (v->local)
		mnl_attr_put(nlh, IFLA_VXLAN_LOCAL, sizeof(v->local), &v->local);
	if (v->underlay)
		mnl_attr_put_u32(nlh, IFLA_VXLAN_LINK, (uint32_t)v->underlay);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(v->port));
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 0);
	mnl_attr_put_u8(nlh, IFLA_VXLAN_TTL, 64);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return 0;
}

int vl_vxlan_inner_mtu(int underlay, int asked, struct vl_err *err)
{
	int most = underlay - VL_VXLAN_OVERHEAD;

	if (most < 68)
		return vl_err_set(
		    err, EINVAL,
		    "an underlay MTU of %d leaves %d for a link across hosts: at least "
		    "%d is needed (IPv4's 68 plus VXLAN's %d)",
		    underlay, most, 68 + VL_VXLAN_OVERHEAD, VL_VXLAN_OVERHEAD);
	if (asked > most)
		return vl_err_set(
		    err, EMSGSIZE,
		    "MTU %d: the underlay's %d carries at most %d across hosts (VXLAN "
		    "takes %d)",
		    asked, underlay, most, VL_VXLAN_OVERHEAD);
	return asked > 0 ? asked : most;
}

/* Start an RTM_NEWLINK request that changes the existing link ifindex
 * (0: the one its IFLA_IFNAME names), setting flags. */
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

int vl_rtnl_link_set_up(struct vl_nl *nl, int ifindex, bool up, const char *what,
                        struct vl_err *err)
{
	struct nlmsghdr *nlh = setlink(nl, ifindex, IFF_UP, what, err);
	struct ifinfomsg *ifi;

	if (!nlh)
		return -1;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_flags = up ? IFF_UP : 0;
	return 0;
}

int vl_rtnl_link_set_mtu(struct vl_nl *nl, int ifindex, int mtu, const char *what,
                         struct vl_err *err)
{
	struct nlmsghdr *nlh = setlink(nl, ifindex, 0, what, err);

	if (!nlh)
		return -1;
	mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)mtu);
	return 0;
}

int vl_rtnl_link_set_mac(struct vl_nl *nl, int ifindex, const uint8_t mac[6], const char *what,
                         struct vl_err *err)
{
	struct nlmsghdr *nlh = setlink(nl, ifindex, 0, what, err);

	if (!nlh)
		return -1;
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return 0;
}

int vl_rtnl_link_set_master(struct vl_nl *nl, int ifindex, int master, const char *what,
                            struct vl_err *err)
{
	struct nlmsghdr *nlh = setlink(nl, ifindex, IFF_UP, what, err);

	if (!nlh)
		return -1;
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return 0;
}

int vl_rtnl_link_set_master_name(struct vl_nl *nl, const char *name, int master, const char *what,
                                 struct vl_err *err)
{
	struct nlmsghdr *nlh = setlink(nl, 0, IFF_UP, what, err);

	if (!nlh)
		return -1;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return 0;
}

int vl_rtnl_link_ipv6_off(struct vl_nl *nl, int ifindex, const char *what, struct vl_err *err)
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

int vl_rtnl_link_names(struct vl_nl *nl, char ***names, size_t *n, struct vl_err *err)
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

int vl_rtnl_link_del_name(struct vl_nl *nl, const char *name, struct vl_err *err)
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
