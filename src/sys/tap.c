#include "sys/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef TUNSETIFINDEX
#define TUNSETIFINDEX _IOW('T', 218, unsigned int)
#endif

static int tun_open(const char *name, struct ifreq *ifr, struct vl_err *err)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return vl_err_sys(err, errno, "open /dev/net/tun%s",
		                  errno == ENOENT ? " (no TUN/TAP support: modprobe tun)" : "");
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	ifr->ifr_flags = IFF_TAP | IFF_NO_PI;
	return fd;
}

int vl_tap_create(const char *name, int ifindex, struct vl_err *err)
{
	struct ifreq ifr;
	unsigned int idx = (unsigned int)ifindex;
	int fd = tun_open(name, &ifr, err);

	if (fd < 0)
		return -1;
	if (ifindex > 0 && ioctl(fd, TUNSETIFINDEX, &idx) < 0) {
		int e = errno;

		close(fd);
		return vl_err_sys(err, e, "TAP %s: set ifindex %d", name, ifindex);
	}
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0) {
		int e = errno;

		close(fd);
		return vl_err_sys(err, e, "create TAP %s", name);
	}
	close(fd);
	return 0;
}

int vl_tap_attach(const char *name, struct vl_err *err)
{
	struct ifreq ifr;
	int hdr = VL_TAP_VNET_HDR;
	int fd = tun_open(name, &ifr, err);

	if (fd < 0)
		return -1;
	ifr.ifr_flags |= IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		int e = errno;

		close(fd);
		return vl_err_sys(err, e, "attach to TAP %s", name);
	}
	return fd;
}

int vl_tap_offload(int fd, int on, struct vl_err *err)
{
	unsigned long f = on ? TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN : 0;

	if (ioctl(fd, TUNSETOFFLOAD, f) < 0)
		return vl_err_sys(err, errno, "TAP offloads");
	return 0;
}
