/* rtnetlink's addresses (rtnl_addr.h): RTM_NEWADDR. */
#include "sys/rtnl_addr.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

int vl_rtnl_addr_add(struct vl_nl *nl, int ifindex, uint32_t addr, int prefix, const char *what,
                     struct vl_err *err)
{
	struct ifaddrmsg ifa = {.ifa_family = AF_INET,
	                        .ifa_prefixlen = (unsigned char)prefix,
	                        .ifa_index = (unsigned)ifindex};
	uint32_t a = htonl(addr);
	struct nlmsghdr *nlh =
	    vl_nl_msg_hdr(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa), what, err);

	if (!nlh)
		return -1;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(a), &a);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	if (prefix <= 30) {
		uint32_t brd = htonl(addr | (0xffffffffu >> prefix));

		mnl_attr_put(nlh, IFA_BROADCAST, sizeof(brd), &brd);
	}
	return 0;
}
