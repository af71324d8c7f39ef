#include "sys/ifstate.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

int vl_ifstate_socket(struct vl_err *err)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return vl_err_sys(err, errno, "socket");
	return fd;
}

int vl_ifstate_running(int sock, const char *name, struct vl_err *err)
{
	struct ethtool_value ev = {.cmd = ETHTOOL_GLINK};
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (char *)&ev;
	/* Only for its side effect; a device without it is still judged by
	 * its flags. */
	if (ioctl(sock, SIOCETHTOOL, &ifr) < 0 && errno == ENODEV)
		return vl_err_set(err, ENODEV, "interface %s is gone", name);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return vl_err_sys(err, errno, "interface %s", name);
	return (ifr.ifr_flags & IFF_RUNNING) != 0;
}
