/* pingall's echoes from a namespace node, sent by vnetlab itself: one raw
 * ICMP socket made in the node's network namespace (it stays there), an
 * echo request to every destination at once, the replies counted until
 * the last arrives or the deadline. What `ping -c1 -W T` would report for
 * each, without forking a ping into the node for every pair (4,032 of
 * them for 64 hosts). Guests, proc nodes and labs over hosts keep the
 * ping program (shell_test.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/shell.h"
#include "sys/ns.h"

#define ECHO_PAYLOAD 56 /* ping's default: 84 bytes on the wire */

/* A raw ICMP socket in network namespace netns (-1 with errno). */
static int socket_in(const char *netns)
{
	char path[256];
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), ns, s = -1, er;

	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, netns);
	if (self < 0)
		return -1;
	if ((ns = open(path, O_RDONLY | O_CLOEXEC)) >= 0 && setns(ns, CLONE_NEWNET) == 0) {
		s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);
		er = errno;
		if (setns(self, CLONE_NEWNET) < 0)
			abort(); /* the shell must not stay in a node */
		errno = er;
	}
	er = errno;
	if (ns >= 0)
		close(ns);
	close(self);
	errno = er;
	return s;
}

static uint16_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)(b[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void send_echo(int s, uint16_t id, uint16_t seq, const char *ip)
{
	uint8_t pkt[sizeof(struct icmphdr) + ECHO_PAYLOAD] = {0};
	struct icmphdr *h = (struct icmphdr *)pkt;
	struct sockaddr_in to = {.sin_family = AF_INET};

	if (inet_pton(AF_INET, ip, &to.sin_addr) != 1)
		return;
	h->type = ICMP_ECHO;
	h->un.echo.id = htons(id);
	h->un.echo.sequence = htons(seq);
	for (size_t k = sizeof(*h); k < sizeof(pkt); k++)
		pkt[k] = (uint8_t)k;
	h->checksum = checksum(pkt, sizeof(pkt));
	sendto(s, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to));
}

/* A reply of ours from the destination its sequence names: its index. */
static long reply_of(const uint8_t *b, ssize_t len, const struct sockaddr_in *from, uint16_t id,
                     char *const *ips, size_t n)
{
	const struct iphdr *ip = (const struct iphdr *)b;
	const struct icmphdr *h;
	struct in_addr want;
	size_t hl;

	if (len < (ssize_t)sizeof(*ip) || (hl = (size_t)ip->ihl * 4) + sizeof(*h) > (size_t)len)
		return -1;
	h = (const struct icmphdr *)(b + hl);
	if (h->type != ICMP_ECHOREPLY || ntohs(h->un.echo.id) != id ||
	    ntohs(h->un.echo.sequence) >= n || !ips[ntohs(h->un.echo.sequence)])
		return -1;
	if (inet_pton(AF_INET, ips[ntohs(h->un.echo.sequence)], &want) != 1 ||
	    want.s_addr != from->sin_addr.s_addr)
		return -1;
	return ntohs(h->un.echo.sequence);
}

int vl_sh_echo_row(const char *netns, char *const *ips, size_t n, double timeout,
                   struct vl_sh_ping *res)
{
	static uint16_t rows;
	uint16_t id = (uint16_t)(getpid() * 31 + ++rows);
	double t0 = vl_now(), deadline = t0 + timeout;
	size_t want = 0, got = 0;
	int s = socket_in(netns);

	if (s < 0)
		return -1;
	for (size_t j = 0; j < n; j++) {
		memset(&res[j], 0, sizeof(res[j]));
		if (!ips[j])
			continue;
		res[j].sent = 1;
		want++;
		send_echo(s, id, (uint16_t)j, ips[j]);
	}
	while (got < want && vl_now() < deadline && !vl_sh_interrupted && !vl_sh_stop) {
		struct pollfd pf = {.fd = s, .events = POLLIN};
		uint8_t buf[1500];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t len;
		long j;

		if (poll(&pf, 1, (int)((deadline - vl_now()) * 1000) + 1) <= 0)
			continue;
		while ((len = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl)) > 0) {
			if ((j = reply_of(buf, len, &from, id, ips, n)) < 0 || res[j].received)
				continue;
			res[j].received = 1;
			for (int k = 0; k < 3; k++)
				res[j].rtt[k] = (vl_now() - t0) * 1000;
			got++;
			fl = sizeof(from);
		}
	}
	close(s);
	return 0;
}

/* Hidden: `vnetlab __echo LAB NODE TIMEOUT IP...`, the same echoes for the
 * mininet package's ping(): one line "IP RECEIVED RTT_MS" per IP, in order.
 * Exit 3 when NODE is not a namespace node (the caller runs ping there). */
int cmd_echo(int argc, char **argv)
{
	struct vl_shell sh;
	struct vl_err err = {0};
	const struct vl_sh_node *node;
	cleanup_free struct vl_sh_ping *res = NULL;
	double timeout;
	char *end;
	int rc = 0;

	if (argc < 4)
		return vl_cli_usage("__echo", "LAB NODE TIMEOUT IP...");
	timeout = strtod(argv[3], &end);
	if (*end || !(timeout > 0 && timeout <= 60))
		return vl_cli_usage("__echo", "TIMEOUT: seconds in (0, 60], not \"%s\"", argv[3]);
	for (int i = 4; i < argc; i++) {
		struct in_addr a;

		if (inet_pton(AF_INET, argv[i], &a) != 1)
			return vl_cli_usage("__echo", "\"%s\" is not an IPv4 address", argv[i]);
	}
	if (vl_sh_open(&sh, argv[1], &err) < 0)
		return vl_cli_fail(&err);
	node = vl_sh_node(&sh, argv[2]);
	if (!node || !node->netns || sh.span) {
		vl_sh_close(&sh);
		return node ? 3 : vl_cli_usage("__echo", "lab %s has no node %s", argv[1], argv[2]);
	}
	res = vl_xcalloc((size_t)(argc - 4) + 1, sizeof(*res));
	if (vl_sh_echo_row(node->netns, argv + 4, (size_t)(argc - 4), timeout, res) < 0) {
		fprintf(stderr, "vnetlab: __echo: no ICMP socket in %s: %s\n", node->name,
		        strerror(errno));
		rc = 3;
	}
	for (int i = 4; rc == 0 && i < argc; i++)
		printf("%s %d %.3f\n", argv[i], res[i - 4].received, res[i - 4].rtt[0]);
	vl_sh_close(&sh);
	return rc;
}
