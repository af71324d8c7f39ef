/* rtnetlink's routes (rtnl_route.h): RTM_NEWROUTE. */
#include "sys/rtnl_route.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

int vl_rtnl_route_add(struct vl_nl *nl, uint32_t dst, int prefix, uint32_t via, int oif,
                      const char *what, struct vl_err *err)
{
	struct rtmsg rtm = {.rtm_family = AF_INET,
	                    .rtm_dst_len = (unsigned char)prefix,
	                    .rtm_table = RT_TABLE_MAIN,
	                    .rtm_protocol = RTPROT_STATIC,
	                    .rtm_scope = RT_SCOPE_UNIVERSE,
	                    .rtm_type = RTN_UNICAST};
	uint32_t d = htonl(dst), g = htonl(via);
	struct nlmsghdr *nlh = vl_nl_msg_hdr(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm,
	                                     sizeof(rtm), what, err);

	if (!nlh)
		return -1;
	if (prefix)
		mnl_attr_put(nlh, RTA_DST, sizeof(d), &d);
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(g), &g);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	return 0;
}
