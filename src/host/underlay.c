/* This machine's underlay, as a host tells it to the one that asks
 * (`vnetlab __hostinfo`): the device that carries the lab's traffic to
 * other hosts, its IPv4 address and its MTU. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/host.h"

/* The device of the default IPv4 route of least metric, from
 * /proc/net/route; 0 if there is none. */
static int default_dev(char dev[16])
{
	cleanup_fclose FILE *f = fopen("/proc/net/route", "re");
	char line[256], name[IFNAMSIZ + 1];
	unsigned dst, gw, flags, mask, metric, best = ~0u;
	int refcnt, use;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%16s %x %x %x %d %d %u %x", name, &dst, &gw, &flags, &refcnt,
		           &use, &metric, &mask) == 8 &&
		    !dst && !mask && (flags & 1) && metric < best && strlen(name) < 16) {
			strcpy(dev, name);
			best = metric;
		}
	return best != ~0u;
}

/* The IPv4 address on dev (in net/prefix if prefix >= 0), or the device
 * with one in net/prefix (dev empty), or the only device up with one, not
 * loopback (dev empty, prefix < 0): 1 with dev and addr, 0 if none, -1 if
 * several answer the last question. */
static int find_addr(char dev[16], uint32_t net, int prefix, char addr[16])
{
	struct ifaddrs *all, *a;
	uint32_t mask = prefix > 0 ? ~0u << (32 - prefix) : 0;
	int found = 0, hinted = dev[0] != 0;

	if (getifaddrs(&all) < 0)
		return 0;
	for (a = all; a; a = a->ifa_next) {
		uint32_t ip;

		if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || strlen(a->ifa_name) >= 16)
			continue;
		ip = ntohl(((struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr);
		if (hinted && strcmp(a->ifa_name, dev) != 0)
			continue;
		if (prefix >= 0 && (ip & mask) != (net & mask))
			continue;
		if (!dev[0] && prefix < 0 &&
		    ((a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP)))
			continue;
		if (found) {
			/* the first address of the first device found stays;
			 * a second device is a question only without a hint */
			if (!strcmp(a->ifa_name, dev) || prefix >= 0 || hinted)
				continue;
			found = -1;
			break;
		}
		vl_fmt_ip(ip, addr);
		strcpy(dev, a->ifa_name);
		found = 1;
	}
	freeifaddrs(all);
	return found;
}

static int dev_mtu(const char *dev, int *mtu, struct vl_err *err)
{
	struct ifreq ifr = {0};
	cleanup_close int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return vl_err_sys(err, errno, "socket");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(s, SIOCGIFMTU, &ifr) < 0)
		return vl_err_sys(err, errno, "the MTU of %s", dev);
	*mtu = ifr.ifr_mtu;
	return 0;
}

int vl_underlay_here(const char *underlay, char addr[16], char dev[16], int *mtu,
                     struct vl_err *err)
{
	uint32_t net = 0;
	int prefix = -1, found;

	dev[0] = 0;
	if (underlay && strchr(underlay, '/')) {
		if (vl_parse_cidr(underlay, &net, &prefix) < 0)
			return vl_err_set(err, EINVAL, "underlay %s: not IFACE or A.B.C.D/N",
			                  underlay);
	} else if (underlay) {
		if (strlen(underlay) >= 16 || !if_nametoindex(underlay))
			return vl_err_set(err, ENODEV, "underlay %s: no such interface here",
			                  underlay);
		strcpy(dev, underlay);
	} else
		default_dev(dev);
	found = find_addr(dev, net, prefix, addr);
	if (found > 0)
		return dev_mtu(dev, mtu, err);
	if (underlay)
		return vl_err_set(err, EADDRNOTAVAIL, "underlay %s: no IPv4 address %s here",
		                  underlay, dev[0] ? "on it" : "in it");
	if (dev[0])
		return vl_err_set(err, EADDRNOTAVAIL,
		                  "the default route's device %s has no IPv4 address: name the "
		                  "underlay with --underlay IFACE|CIDR",
		                  dev);
	return vl_err_set(err, EADDRNOTAVAIL,
	                  "no default route and %s interface up with an IPv4 address: name the "
	                  "underlay with --underlay IFACE|CIDR",
	                  found < 0 ? "more than one" : "no");
}
