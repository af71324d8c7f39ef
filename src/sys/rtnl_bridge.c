/* rtnetlink's bridges (rtnl_bridge.h): RTM_NEWLINK of kind "bridge". */
#include "sys/rtnl_bridge.h"

#include <linux/if_link.h>
#include <stdio.h>

#include "sys/rtnl_link.h"

static struct nlmsghdr *bridge_msg(struct vl_nl *nl, const char *name, int ifindex, int mtu,
                                   bool stp, struct vl_err *err)
{
	char what[64];
	struct nlmsghdr *nlh;
	struct nlattr *li, *data;

	snprintf(what, sizeof(what), "create bridge %s", name);
	if (!(nlh = vl_rtnl_link_new(nl, name, ifindex, mtu, true, what, err)))
		return NULL;
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* STP only where the topology has loops (a torus), then as fast as the
	 * kernel allows: forward delay 2 s, hello 1 s, max age 6 s */
	mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, stp);
	if (stp) {
		mnl_attr_put_u32(nlh, IFLA_BR_FORWARD_DELAY, VL_RTNL_BRIDGE_STP_FORWARD_DELAY_CS);
		mnl_attr_put_u32(nlh, IFLA_BR_HELLO_TIME, 100);
		mnl_attr_put_u32(nlh, IFLA_BR_MAX_AGE, 600);
	}
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return nlh;
}

int vl_rtnl_bridge_add(struct vl_nl *nl, const char *name, int ifindex, int mtu, bool stp,
                       struct vl_err *err)
{
	return bridge_msg(nl, name, ifindex, mtu, stp, err) ? 0 : -1;
}

int vl_rtnl_bridge_add_group(struct vl_nl *nl, const char *name, uint32_t group, struct vl_err *err)
{
	struct nlmsghdr *nlh = bridge_msg(nl, name, 0, 0, false, err);

	if (!nlh)
		return -1;
	mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	return 0;
}
