/* The kernel command line's vl.* settings, applied in order: hostname and
 * forwarding, the loopback, each interface (renamed by its MAC address,
 * MTU, up, address), then the routes:
 *
 *   vl.hostname=NAME  vl.forward=0|1
 *   vl.if=IF,ADDR/LEN[,MTU][,mac=MAC][,from=MAC]   (repeatable)
 *   vl.route=DEST/LEN|default,[via,]GW[,dev,IF] or DEST/LEN,dev,IF
 *   vl.gw=GW                                 (vl.route=default,via,GW)
 *
 * An interface is found by its MAC address (mac=), or, with from=, by that
 * one (a cloned guest's, which its template had) and then given mac=.
 * As PID 1 it waits up to 3 s for each interface to appear. Every problem
 * is a note (logged, and in READY) and the other settings still apply.
 * Interfaces are renamed, raised and given their MTU through ioctl;
 * addresses and routes through rtnetlink, a request at a time, each
 * acknowledged, with the kernel's reason (extended ACK) in the note.
 *
 * Its own few lines of rtnetlink, not the project's netlink layer
 * (sys/netlink.c, sys/rtnl_*.c): that is built on libmnl, of which
 * Debian ships no static library, and a dynamic /init costs every boot
 * for the few requests a guest makes (measured under TCG: its first run
 * 68 ms against the static build's 31 ms; the image 1.36 MB larger with
 * the loader, libc and libmnl).
 *
 * Touches: the hostname, ip_forward, interfaces, addresses and routes of
 * the network namespace it runs in. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/agent.h"
#include "base/util.h"

/* --- ioctl: names, flags, MTU ------------------------------------------------- */

/* A socket for interface ioctls, kept for the agent's life. */
static int ctl_sock(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return fd;
}

static int if_flags(const char *name, short set, short clear, const char *what, struct vl_err *err)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(ctl_sock(), SIOCGIFFLAGS, &ifr) < 0)
		return vl_err_sys(err, errno, "%s", what);
	ifr.ifr_flags = (short)((ifr.ifr_flags | set) & ~clear);
	if (ioctl(ctl_sock(), SIOCSIFFLAGS, &ifr) < 0)
		return vl_err_sys(err, errno, "%s", what);
	return 0;
}

static int if_set_mtu(const char *name, int mtu, struct vl_err *err)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_mtu = mtu;
	if (ioctl(ctl_sock(), SIOCSIFMTU, &ifr) < 0)
		return vl_err_sys(err, errno, "MTU %d", mtu);
	return 0;
}

/* Rename the interface whose address is mac to name; err's code is
 * ENODEV when there is none (yet). */
static int rename_by_mac(const unsigned char mac[6], const char *name, struct vl_err *err)
{
	struct if_nameindex *ni = if_nameindex(), *p;
	int r = vl_err_set(err, ENODEV, "%s", strerror(ENODEV));

	if (!ni)
		return vl_err_set(err, errno, "%s", strerror(errno));
	for (p = ni; p->if_index; p++) {
		struct ifreq ifr = {0};

		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", p->if_name);
		if (ioctl(ctl_sock(), SIOCGIFHWADDR, &ifr) < 0 ||
		    memcmp(ifr.ifr_hwaddr.sa_data, mac, 6) != 0)
			continue;
		r = 0;
		if (!strcmp(p->if_name, name))
			break;
		if_flags(p->if_name, 0, IFF_UP, "down", NULL);
		/* the name may be another interface's still (eth0 becomes eth1 while
		 * the kernel's eth1 waits to become eth2): move that one aside; it
		 * is found by its own MAC when its turn comes */
		unsigned other = if_nametoindex(name);

		if (other && other != p->if_index) {
			struct ifreq o = {0};

			snprintf(o.ifr_name, IFNAMSIZ, "%s", name);
			snprintf(o.ifr_newname, IFNAMSIZ, "vlt%u", other);
			if_flags(name, 0, IFF_UP, "down", NULL);
			if (ioctl(ctl_sock(), SIOCSIFNAME, &o) < 0) {
				r = vl_err_set(err, errno, "move %s aside: %s", name,
				               strerror(errno));
				break;
			}
		}
		snprintf(ifr.ifr_newname, IFNAMSIZ, "%s", name);
		if (ioctl(ctl_sock(), SIOCSIFNAME, &ifr) < 0)
			r = vl_err_set(err, errno, "%s", strerror(errno));
		break;
	}
	if_freenameindex(ni);
	return r;
}

/* --- rtnetlink: addresses and routes ---------------------------------------------- */

/* The kernel's own reason for a failed request (NETLINK_EXT_ACK's
 * "Error: ..."), or NULL. */
static const char *ext_ack_msg(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = sizeof(*e), end = h->nlmsg_len - NLMSG_HDRLEN;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN; /* the request, echoed */
	while (off + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)((const char *)e + off);
		const char *v = (const char *)a + NLA_HDRLEN;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > end)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && a->nla_len > NLA_HDRLEN &&
		    memchr(v, 0, a->nla_len - NLA_HDRLEN))
			return v;
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/* The agent's rtnetlink socket, opened on first use: acks small (the
 * request is not echoed) and with the kernel's reason when one fails. */
static int nl_sock(struct vl_err *err)
{
	static int fd = -1;
	int one = 1;

	if (fd >= 0)
		return fd;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return vl_err_sys(err, errno, "rtnetlink socket");
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

/* One request, acknowledged: 0, or err with "what: <the kernel's error>"
 * and the kernel's reason when it gives one. */
static int nl_talk(struct nlmsghdr *n, const char *what, struct vl_err *err)
{
	static uint32_t seq;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	char buf[4096];
	ssize_t r;
	int fd = nl_sock(err);

	if (fd < 0)
		return vl_err_wrap(err, "%s", what);
	n->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	n->nlmsg_seq = ++seq;
	if (sendto(fd, n, n->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return vl_err_sys(err, errno, "%s", what);
	for (;;) {
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		r = recv(fd, buf, sizeof(buf), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return vl_err_sys(err, errno, "%s", what);
		for (; NLMSG_OK(h, (size_t)r); h = NLMSG_NEXT(h, r)) {
			const char *why;
			int e;

			if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				continue;
			e = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (!e)
				return 0;
			if ((why = ext_ack_msg(h)))
				return vl_err_set(err, e, "%s: %s (kernel: %s)", what, strerror(e),
				                  why);
			return vl_err_sys(err, e, "%s", what);
		}
	}
}

static void nl_attr(struct nlmsghdr *n, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* A zeroed request of type (create or replace) in a buffer of size
 * bytes, with a family header of hdrlen: the header, to fill in. */
static void *nl_new(struct nlmsghdr *n, size_t size, uint16_t type, size_t hdrlen)
{
	memset(n, 0, size);
	n->nlmsg_len = NLMSG_LENGTH(hdrlen);
	n->nlmsg_type = type;
	n->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	return NLMSG_DATA(n);
}

/* addr/prefix (host byte order) on ifindex, replacing what is there; a
 * broadcast address below /31. */
static int addr_add(int ifindex, uint32_t addr, int prefix, const char *what, struct vl_err *err)
{
	union {
		struct nlmsghdr n;
		char buf[256];
	} req;
	struct ifaddrmsg *ifa;
	uint32_t a = htonl(addr);

	ifa = nl_new(&req.n, sizeof(req), RTM_NEWADDR, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)ifindex;
	nl_attr(&req.n, IFA_LOCAL, &a, 4);
	nl_attr(&req.n, IFA_ADDRESS, &a, 4);
	if (prefix < 31) {
		uint32_t brd = htonl(addr | (0xffffffffu >> prefix));

		nl_attr(&req.n, IFA_BROADCAST, &brd, 4);
	}
	return nl_talk(&req.n, what, err);
}

/* dst/prefix (host byte order; prefix 0: default) via gw (if has_gw) or
 * on the link oif (if nonzero), replacing what is there. */
static int route_add(uint32_t dst, int prefix, bool has_gw, uint32_t gw, int oif, const char *what,
                     struct vl_err *err)
{
	union {
		struct nlmsghdr n;
		char buf[256];
	} req;
	struct rtmsg *rt;
	uint32_t d = htonl(dst), g = htonl(gw);

	rt = nl_new(&req.n, sizeof(req), RTM_NEWROUTE, sizeof(*rt));
	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = (unsigned char)prefix;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rt->rtm_type = RTN_UNICAST;
	if (prefix)
		nl_attr(&req.n, RTA_DST, &d, 4);
	if (has_gw)
		nl_attr(&req.n, RTA_GATEWAY, &g, 4);
	if (oif)
		nl_attr(&req.n, RTA_OIF, &oif, 4);
	return nl_talk(&req.n, what, err);
}

/* --- the settings ---------------------------------------------------------------- */

static int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned v[6];
	char c;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &c) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -1;
		mac[i] = (unsigned char)v[i];
	}
	return 0;
}

/* The next comma-separated field of *s (cut out in place), NULL at the end. */
static char *split(char **s)
{
	char *t = *s;

	if (!t)
		return NULL;
	*s = strchr(t, ',');
	if (*s)
		*(*s)++ = 0;
	return t;
}

struct if_conf {
	const char *name;
	uint32_t addr; /* host byte order */
	int prefix;    /* -1: no address */
	unsigned long mtu;
	unsigned char mac[6], from[6];
	bool have_mac, have_from;
};

/* vl.if=NAME,ADDR/LEN[,MTU][,mac=MAC][,from=MAC] (v is cut up in place) */
static int parse_if(char *v, struct if_conf *c, struct vl_err *err)
{
	char *name = split(&v), *t;

	memset(c, 0, sizeof(*c));
	c->prefix = -1;
	if (!name || !*name || strlen(name) >= IFNAMSIZ || strchr(name, '/'))
		return vl_err_set(err, EINVAL, "vl.if: bad interface name \"%s\"",
		                  name ? name : "");
	c->name = name;
	while ((t = split(&v))) {
		if (!strncmp(t, "mac=", 4)) {
			if (parse_mac(t + 4, c->mac) < 0)
				return vl_err_set(err, EINVAL, "vl.if=%s: bad MAC address \"%s\"",
				                  name, t + 4);
			c->have_mac = true;
		} else if (!strncmp(t, "from=", 5)) {
			if (parse_mac(t + 5, c->from) < 0)
				return vl_err_set(err, EINVAL, "vl.if=%s: bad MAC address \"%s\"",
				                  name, t + 5);
			c->have_from = true;
		} else if (strchr(t, '/')) {
			if (vl_parse_cidr(t, &c->addr, &c->prefix) < 0)
				return vl_err_set(err, EINVAL,
				                  "vl.if=%s: bad address \"%s\" (want a.b.c.d/len)",
				                  name, t);
		} else if (vl_parse_uint(t, 68, 65535, &c->mtu) < 0) {
			return vl_err_set(
			    err, EINVAL,
			    "vl.if=%s: \"%s\" is neither ADDR/LEN, an MTU (68..65535) nor mac=MAC",
			    name, t);
		}
	}
	if (c->have_from && !c->have_mac)
		return vl_err_set(err, EINVAL, "vl.if=%s: from= without mac=", name);
	return 0;
}

/* The interface's MAC address set to mac (down: not every driver changes
 * it while up; virtio-net tells the device, whose filter follows). */
static int if_set_mac(const char *name, const unsigned char mac[6], struct vl_err *err)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(ctl_sock(), SIOCGIFHWADDR, &ifr) < 0)
		return vl_err_sys(err, errno, "its MAC address");
	if (!memcmp(ifr.ifr_hwaddr.sa_data, mac, 6))
		return 0;
	if (if_flags(name, 0, IFF_UP, "down", err) < 0)
		return -1;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	if (ioctl(ctl_sock(), SIOCSIFHWADDR, &ifr) < 0)
		return vl_err_sys(err, errno, "set its MAC address");
	return 0;
}

static void conf_if(char *v)
{
	struct if_conf c;
	struct vl_err err;
	char what[64];
	const unsigned char *find;
	int ifindex;

	if (parse_if(v, &c, &err) < 0) {
		ag_note("%s", err.msg);
		return;
	}
	find = c.have_from ? c.from : c.mac;
	/* In a booting guest a device may still be on its way: wait a little. */
	for (int tries = 0; ag.init && tries < 150; tries++) {
		if (c.have_mac ? rename_by_mac(find, c.name, &err) == 0 || err.code != ENODEV
		               : if_nametoindex(c.name) != 0)
			break;
		usleep(20000);
	}
	if (c.have_mac && rename_by_mac(find, c.name, &err) < 0) {
		ag_note(
		    "vl.if=%s: no interface with MAC %02x:%02x:%02x:%02x:%02x:%02x to rename: %s",
		    c.name, find[0], find[1], find[2], find[3], find[4], find[5], err.msg);
		return;
	}
	if (c.have_from && if_set_mac(c.name, c.mac, &err) < 0) {
		ag_note("vl.if=%s: %s", c.name, err.msg);
		return;
	}
	ifindex = (int)if_nametoindex(c.name);
	if (!ifindex) {
		ag_note("vl.if=%s: no such interface", c.name);
		return;
	}
	if (c.mtu && if_set_mtu(c.name, (int)c.mtu, &err) < 0)
		ag_note("vl.if=%s: %s", c.name, err.msg);
	if (if_flags(c.name, IFF_UP, 0, "up", &err) < 0)
		ag_note("vl.if=%s: %s", c.name, err.msg);
	snprintf(what, sizeof(what), "vl.if=%s: address", c.name);
	if (c.prefix >= 0 && addr_add(ifindex, c.addr, c.prefix, what, &err) < 0)
		ag_note("%s", err.msg);
}

struct route_conf {
	uint32_t dst, gw; /* host byte order */
	int prefix, oif;
	bool have_gw;
};

/* DEST/LEN|default,[via,]GW[,dev,IF] or DEST/LEN,dev,IF (v is cut up in
 * place; *dst is its first field) */
static int parse_route(const char *key, char *v, char **dst, struct route_conf *r,
                       struct vl_err *err)
{
	char *t;
	struct in_addr gw;

	memset(r, 0, sizeof(*r));
	*dst = split(&v);
	if (*dst && !strcmp(*dst, "default")) {
		r->dst = 0;
		r->prefix = 0;
	} else if (!*dst || vl_parse_cidr(*dst, &r->dst, &r->prefix) < 0) {
		return vl_err_set(err, EINVAL,
		                  "%s: bad destination \"%s\" (want a.b.c.d/len or default)", key,
		                  *dst ? *dst : "");
	}
	while ((t = split(&v))) {
		if (!strcmp(t, "via")) {
			t = split(&v);
		} else if (!strcmp(t, "dev")) {
			t = split(&v);
			r->oif = t ? (int)if_nametoindex(t) : 0;
			if (!r->oif)
				return vl_err_set(err, ENODEV, "%s=%s: no interface \"%s\"", key,
				                  *dst, t ? t : "");
			continue;
		}
		if (!t || inet_pton(AF_INET, t, &gw) != 1)
			return vl_err_set(err, EINVAL, "%s=%s: bad gateway \"%s\"", key, *dst,
			                  t ? t : "");
		r->gw = ntohl(gw.s_addr);
		r->have_gw = true;
	}
	if (!r->have_gw && !r->oif)
		return vl_err_set(err, EINVAL, "%s=%s: needs a gateway or a device", key, *dst);
	return 0;
}

static void conf_route(const char *key, char *v)
{
	struct route_conf r;
	struct vl_err err;
	char *dst, what[80];

	if (parse_route(key, v, &dst, &r, &err) < 0) {
		ag_note("%s", err.msg);
		return;
	}
	snprintf(what, sizeof(what), "%s=%s", key, dst);
	if (route_add(r.dst, r.prefix, r.have_gw, r.gw, r.oif, what, &err) < 0)
		ag_note("%s", err.msg);
}

static int conf_write(const char *path, const char *s, struct vl_err *err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || vl_write_all(fd, s, strlen(s)) < 0)
		return vl_err_sys(err, errno, "write %s", path);
	return 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* One pass over the command line: 0 hostname, forwarding (and unknown
 * settings), 1 interfaces, 2 routes. */
static void configure_pass(const char *cmdline, int pass)
{
	cleanup_free char *work = strdup(cmdline);
	char *save = NULL, *tok;
	struct vl_err err;

	if (!work)
		return;
	for (tok = strtok_r(work, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		if (pass == 0 && has_prefix(tok, "vl.hostname=")) {
			if (sethostname(tok + 12, strlen(tok + 12)) < 0)
				ag_note("hostname %s: %s", tok + 12, strerror(errno));
		} else if (pass == 0 && has_prefix(tok, "vl.forward=")) {
			if (conf_write("/proc/sys/net/ipv4/ip_forward",
			               strcmp(tok + 11, "0") ? "1\n" : "0\n", &err) < 0)
				ag_note("%s", err.msg);
		} else if (pass == 1 && has_prefix(tok, "vl.if=")) {
			conf_if(tok + 6);
		} else if (pass == 2 && has_prefix(tok, "vl.route=")) {
			conf_route("vl.route", tok + 9);
		} else if (pass == 2 && has_prefix(tok, "vl.gw=")) {
			char route[64];

			snprintf(route, sizeof(route), "default,via,%s", tok + 6);
			conf_route("vl.gw", route);
		} else if (pass == 0 && has_prefix(tok, "vl.") && !has_prefix(tok, "vl.if=") &&
		           !has_prefix(tok, "vl.route=") && !has_prefix(tok, "vl.gw=") &&
		           !has_prefix(tok, "vl.root=") && !has_prefix(tok, "vl.share=")) {
			ag_note("unknown setting %s", tok);
		}
	}
}

void ag_configure(const char *cmdline)
{
	struct vl_err err;

	if (if_flags("lo", IFF_UP, 0, "lo up", &err) < 0)
		ag_note("%s", err.msg);
	for (int pass = 0; pass < 3; pass++)
		configure_pass(cmdline, pass);
}
