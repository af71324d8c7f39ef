/* Interface counters of a node: an RTM_GETLINK dump on a netlink socket
 * opened in its network namespace. Reads only. */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "node/common.h"

struct if_dump {
	struct vl_node_stats *node;
	size_t cap;
	const char *skip;
};

static int link_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= IFLA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct if_dump *d = data;
	const struct nlattr *tb[IFLA_MAX + 1] = {0};
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct vl_if_stats *s;
	struct rtnl_link_stats64 st;

	mnl_attr_parse(nlh, sizeof(*ifi), link_attr, tb);
	if (!tb[IFLA_IFNAME] || !tb[IFLA_STATS64] || ifi->ifi_index == 1)
		return MNL_CB_OK; /* lo is not a link of the lab */
	if (d->skip && !strncmp(mnl_attr_get_str(tb[IFLA_IFNAME]), d->skip, strlen(d->skip)))
		return MNL_CB_OK;
	vl_grow(&d->node->ifs, &d->cap, d->node->n_ifs, sizeof(*d->node->ifs));
	s = &d->node->ifs[d->node->n_ifs++];
	snprintf(s->name, sizeof(s->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	memset(&st, 0, sizeof(st));
	memcpy(&st, mnl_attr_get_payload(tb[IFLA_STATS64]),
	       mnl_attr_get_payload_len(tb[IFLA_STATS64]) < sizeof(st)
	           ? mnl_attr_get_payload_len(tb[IFLA_STATS64])
	           : sizeof(st));
	s->rx_bytes = st.rx_bytes;
	s->rx_packets = st.rx_packets;
	s->rx_dropped = st.rx_dropped;
	s->rx_errors = st.rx_errors;
	s->tx_bytes = st.tx_bytes;
	s->tx_packets = st.tx_packets;
	s->tx_dropped = st.tx_dropped;
	s->tx_errors = st.tx_errors;
	return MNL_CB_OK;
}

int vl_node_if_stats(const char *netns, const char *skip, struct vl_node_stats *st,
                     struct vl_err *err)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct if_dump d = {.node = st, .skip = skip};
	struct vl_nl nl;
	int r;

	if (vl_nl_open_in(&nl, netns, err) < 0)
		return -1;
	r = vl_nl_dump(&nl, RTM_GETLINK, sizeof(ifi), &ifi, link_cb, &d, err);
	vl_nl_close(&nl);
	return r;
}
