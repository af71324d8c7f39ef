/* The management network's host side, in phases of up: its subnet (the
 * default moved aside to the next free /24 when this host already routes
 * into it), its bridge in the host's network namespace with the gateway's
 * address and the lab's table in nftables (other labs' nodes kept off;
 * when asked, the host's own services too, and NAT out), then the nodes'
 * names in the host's /etc/hosts and, with NAT, forwarding held on while
 * a lab needs it. Each journalled before it is made. Touches the host's
 * namespace only through the lab's bridge vl<id>mgmt, its table vl<id>nat,
 * its block of /etc/hosts and net.ipv4.ip_forward. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/internal.h"
#include "lab/etc_hosts.h"
#include "lab/host.h"
#include "sys/nft.h"
#include "sys/ns.h"
#include "sys/rtnl_addr.h"
#include "sys/rtnl_bridge.h"

#define FORWARD_KEY "net/ipv4/ip_forward"
/* Every lab's management bridge is in this interface group ("vl"): what
 * each lab's forward rules know the other labs' by, whenever they came. */
#define MGMT_IFGROUP 0x766c

/* Does the host route anything into net/prefix (not counting default
 * routes)? The first such route's device into dev. */
static bool host_routes_into(uint32_t net, int prefix, char *dev, size_t len)
{
	FILE *f = fopen("/proc/net/route", "re");
	char line[256], ifname[32];
	unsigned dst, gw, flags, refcnt, use, metric, mask;
	bool hit = false;

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f)) { /* the header */
		fclose(f);
		return false;
	}
	while (!hit && fgets(line, sizeof(line), f)) {
		uint32_t d, m, mm;

		if (sscanf(line, "%31s %x %x %x %u %u %u %x", ifname, &dst, &gw, &flags, &refcnt,
		           &use, &metric, &mask) != 8 ||
		    !mask)
			continue;
		/* the kernel writes them in network order, as read on this host */
		d = __builtin_bswap32(dst);
		m = __builtin_bswap32(mask);
		mm = m & (~0u << (32 - prefix));
		if (((d ^ net) & mm) == 0) {
			hit = true;
			snprintf(dev, len, "%s", ifname);
		}
	}
	fclose(f);
	return hit;
}

/* The subnet: the file's as given (an error if the host routes into
 * it), or the default, moved up /24 by /24 past what the host routes. */
static int choose_subnet(struct engine *e, struct vl_err *err)
{
	struct vl_plan *p = (struct vl_plan *)e->plan; /* the engine owns it */
	uint32_t net = p->mgmt.net;
	char dev[32], ip[16];
	bool given_addr = false;

	for (size_t i = 0; i < p->n_nodes; i++)
		given_addr |= p->topo->nodes[p->nodes[i].topo_node].mgmt_ipv4 != 0;
	if (!host_routes_into(net, p->mgmt.prefix, dev, sizeof(dev)))
		return 0;
	vl_fmt_ip(net, ip);
	if (p->mgmt.given || given_addr)
		return vl_err_set(err, EADDRINUSE,
		                  "the management subnet %s/%d is routed here already (dev %s)%s",
		                  ip, p->mgmt.prefix, dev,
		                  p->mgmt.given ? ": choose another mgmt.ipv4-subnet (or --mgmt)"
		                                : ", and nodes have mgmt-ipv4 in it: set "
		                                  "mgmt.ipv4-subnet to a free one");
	for (uint32_t n = net + 256; (n & 0xffff0000u) == (net & 0xffff0000u); n += 256)
		if (!host_routes_into(n, p->mgmt.prefix, dev, sizeof(dev))) {
			char to[16];

			vl_fmt_ip(n, to);
			fprintf(
			    stderr,
			    "vnetlab: management network %s/%d (%s/%d is routed here already)\n",
			    to, p->mgmt.prefix, ip, p->mgmt.prefix);
			vl_plan_mgmt_move(p, n, p->mgmt.prefix);
			return 0;
		}
	return vl_err_set(err, EADDRINUSE,
	                  "no free /24 for the management network from %s up: set "
	                  "mgmt.ipv4-subnet (or --mgmt SUBNET)",
	                  ip);
}

/* The host ends of host and mgmt-net links, journalled before the nodes
 * that make them. */
static int journal_host_ifs(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;

	for (size_t v = 0; v < p->n_veths; v++)
		if (p->veths[v].host_link >= 0 && p->veths[v].end[1].ns == VL_PLAN_HOST &&
		    vl_journal_hostif(&e->j, p->veths[v].end[1].ifname, err) < 0)
			return -1;
	return 0;
}

/* The lab's table: traffic between its bridge and any other lab's
 * dropped (the kernel routes between them once any lab's NAT turned
 * forwarding on); with host-services off, new connections from its nodes
 * to the host dropped (replies to the host's own, and ping of the
 * gateway, pass: ARP is not IP); with NAT, what leaves the subnet for
 * anywhere else goes out as the host. Empty when none applies. */
static void table_text(const struct vl_plan_mgmt *m, const char *table, struct vl_buf *out)
{
	cleanup_buf struct vl_buf chains = {0};
	struct vl_buf *b = &chains;
	const char *br = m->bridge;
	char net[16], gw[16];

	vl_fmt_ip(m->net, net);
	vl_fmt_ip(m->gw, gw);
	if (m->isolated)
		vl_buf_printf(b,
		              "  chain forward {\n"
		              "    type filter hook forward priority filter; policy accept;\n"
		              "    iifname \"%s\" oifgroup %d oifname != \"%s\" drop\n"
		              "    oifname \"%s\" iifgroup %d iifname != \"%s\" drop\n"
		              "  }\n",
		              br, MGMT_IFGROUP, br, br, MGMT_IFGROUP, br);
	if (!m->host_services)
		vl_buf_printf(b,
		              "  chain input {\n"
		              "    type filter hook input priority filter; policy accept;\n"
		              "    iifname \"%s\" ct state established,related accept\n"
		              "    iifname \"%s\" ip daddr %s icmp type echo-request accept\n"
		              "    iifname \"%s\" drop\n"
		              "  }\n",
		              br, br, gw, br);
	if (m->nat)
		vl_buf_printf(b,
		              "  chain postrouting {\n"
		              "    type nat hook postrouting priority srcnat; policy accept;\n"
		              "    ip saddr %s/%d ip daddr != %s/%d masquerade\n"
		              "  }\n",
		              net, m->prefix, net, m->prefix);
	if (chains.len)
		vl_buf_printf(out, "table ip %s {\n%s}\n", table, chains.s);
}

/* The lab's table, and with host-services off no IPv6 on its bridge (the
 * table is IPv4's: a node would reach the host's services over the
 * bridge's link-local address). */
static int mgmt_firewall(struct engine *e, struct vl_err *err)
{
	const struct vl_plan_mgmt *m = &e->plan->mgmt;
	cleanup_buf struct vl_buf cmds = {0};
	char table[32], key[64];

	snprintf(table, sizeof(table), "vl%snat", e->plan->id);
	table_text(m, table, &cmds);
	if (cmds.len && vl_journal_nft(&e->j, table, err) < 0)
		return -1;
	if (cmds.len && vl_nft_run(cmds.s, err) < 0) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		if (!m->nat && m->host_services) /* only the other labs kept off */
			vl_err_set(err, err->code,
			           "%s (where nftables cannot be had, mgmt: lab-isolation: false "
			           "runs the lab without it, open to other labs' nodes)",
			           why);
		return vl_err_wrap(err, "the management network's table %s", table);
	}
	snprintf(key, sizeof(key), "net/ipv6/conf/%s/disable_ipv6", m->bridge);
	if (!m->host_services && vl_sysctl_write(key, "1", err) < 0) {
		if (err->code != ENOENT) /* a host without IPv6 */
			return vl_err_wrap(err, "management bridge %s: IPv6 off", m->bridge);
		vl_err_clear(err);
	}
	return 0;
}

int vl_engine_mgmt_bridge(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	const struct vl_plan_mgmt *m = &p->mgmt;
	struct vl_nl nl = {0};
	char what[96], ip[16];
	int lock, r, idx;

	if (journal_host_ifs(e, err) < 0)
		return -1;
	if (!m->on)
		return 0;
	/* two ups choosing at once would choose the same subnet */
	if ((lock = vl_host_lock(err)) < 0)
		return -1;
	r = choose_subnet(e, err);
	if (r == 0)
		r = vl_journal_hostlink(&e->j, m->bridge, err);
	if (r == 0)
		r = vl_nl_open(&nl, err);
	if (r == 0 && (r = vl_rtnl_bridge_add_group(&nl, m->bridge, MGMT_IFGROUP, err)) == 0)
		r = vl_nl_flush(&nl, err);
	close(lock);
	if (r == 0 && (idx = (int)if_nametoindex(m->bridge)) <= 0)
		r = vl_err_sys(err, errno, "management bridge %s", m->bridge);
	if (r == 0) {
		e->mgmt_ifindex = idx;
		vl_fmt_ip(m->gw, ip);
		snprintf(what, sizeof(what), "management bridge %s: add address %s/%d", m->bridge,
		         ip, m->prefix);
		if (r == 0)
			r = vl_rtnl_addr_add(&nl, idx, m->gw, m->prefix, what, err);
		if (r == 0)
			r = vl_nl_flush(&nl, err);
	}
	if (nl.sock)
		vl_nl_close(&nl);
	return r < 0 ? r : mgmt_firewall(e, err);
}

/* Forwarding on while a lab needs NAT (held as lab/host.h says). */
static int hold_forwarding(struct engine *e, struct vl_err *err)
{
	unsigned long base;
	int lock, r;

	if ((lock = vl_host_lock(err)) < 0)
		return -1;
	r = vl_host_base(FORWARD_KEY, &base, err);
	if (r == 0)
		r = vl_journal_sysctl(&e->j, FORWARD_KEY, base, 1, err);
	if (r == 0)
		r = vl_host_raise(FORWARD_KEY, 1, err);
	close(lock);
	return r;
}

int vl_engine_mgmt_host(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	const struct vl_plan_mgmt *m = &p->mgmt;
	int lock, r;

	if (!m->on)
		return 0;
	if (vl_journal_etc_hosts(&e->j, p->lab, err) < 0 || (lock = vl_host_lock(err)) < 0)
		return -1;
	r = vl_etc_hosts_set(p->lab, m->hosts, err);
	close(lock);
	if (r > 0) {
		fprintf(stderr, "vnetlab: warning: lab %s: %s\n", p->lab, err->msg);
		vl_err_clear(err);
		r = 0;
	}
	if (r < 0 || !m->nat)
		return r;
	return hold_forwarding(e, err);
}
