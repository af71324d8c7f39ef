/* A link across hosts as the kernel carries it (sys/rtnl_link.h): the
 * inner MTU an underlay allows, and, as root, two "hosts" (network
 * namespaces of the test's own joined by a veth underlay of MTU 1500),
 * each with a VXLAN device made in the host's namespace and moved into a
 * "node" namespace of its own: a ping of the largest inner size with
 * don't-fragment passes between the nodes, one byte more does not leave
 * the node, and frames of the largest size cross in both directions. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/wait.h>

#include "check.h"
#include "sys/rtnl_addr.h"
#include "sys/rtnl_link.h"

static void mtu_cases(void)
{
	static const struct {
		int underlay, asked, want; /* want < 0: an error */
	} c[] = {
	    {1500, 0, 1450}, {1500, 1450, 1450}, {1500, 1400, 1400}, {1500, 1451, -1},
	    {9000, 0, 8950}, {117, 0, -1},       {118, 0, 68},
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct vl_err err = {0};
		char name[64];
		int got = vl_vxlan_inner_mtu(c[i].underlay, c[i].asked, &err);

		snprintf(name, sizeof(name), "inner mtu of %d asked %d", c[i].underlay, c[i].asked);
		result(name, c[i].want < 0 ? got < 0 && err.msg[0] : got == c[i].want,
		       "got %d (%s), want %d", got, err.msg, c[i].want);
	}
}

/* A namespace of the test's own, held by an fd; the caller stays in its own. */
static int new_netns(void)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), fd = -1;

	if (self >= 0 && unshare(CLONE_NEWNET) == 0)
		fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self >= 0 && setns(self, CLONE_NEWNET) < 0)
		abort();
	if (self >= 0)
		close(self);
	return fd;
}

/* A netlink socket in namespace ns (the caller stays where it is). */
static int nl_in(int ns, struct vl_nl *nl, struct vl_err *err)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), r = -1;

	if (self >= 0 && setns(ns, CLONE_NEWNET) == 0) {
		r = vl_nl_open(nl, err);
		if (setns(self, CLONE_NEWNET) < 0)
			abort();
	}
	if (self >= 0)
		close(self);
	return r;
}

/* One host: its end of the underlay (ifindex 10, address ul/24, up), and
 * its VXLAN device to the other host's underlay address, moved into node
 * (ifindex 20, address in/24, up there). */
static int host_side(int host, int node, uint32_t ul, uint32_t peer, uint32_t in,
                     struct vl_err *err)
{
	struct vl_rtnl_vxlan v = {.name = "vx0",
	                          .ifindex = 20,
	                          .ns_fd = node,
	                          .vni = 4242,
	                          .local = htonl(ul),
	                          .remote = htonl(peer),
	                          .port = 14789,
	                          .underlay = 10};
	struct vl_nl nl;
	int r, mtu = vl_vxlan_inner_mtu(1500, 0, err);

	if (mtu < 0 || nl_in(host, &nl, err) < 0)
		return -1;
	v.mtu = mtu;
	r = vl_rtnl_addr_add(&nl, 10, ul, 24, "underlay address", err);
	if (r == 0)
		r = vl_rtnl_link_set_up(&nl, 10, true, "underlay up", err);
	if (r == 0)
		r = vl_rtnl_link_add_vxlan(&nl, &v, err);
	if (r == 0)
		r = vl_nl_flush(&nl, err);
	vl_nl_close(&nl);
	if (r < 0 || nl_in(node, &nl, err) < 0)
		return -1;
	r = vl_rtnl_addr_add(&nl, 20, in, 24, "inner address", err);
	if (r == 0)
		r = vl_rtnl_link_set_up(&nl, 20, true, "vxlan up", err);
	if (r == 0)
		r = vl_nl_flush(&nl, err);
	vl_nl_close(&nl);
	return r;
}

/* ping -M do -s size from namespace ns: its exit status. */
static int ping_from(int ns, const char *to, int size)
{
	char s[16];
	pid_t pid;
	int st;

	snprintf(s, sizeof(s), "%d", size);
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		if (setns(ns, CLONE_NEWNET) < 0)
			_exit(126);
		execlp("ping", "ping", "-q", "-c1", "-W2", "-M", "do", "-s", s, to, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void tunnel_case(void)
{
	struct vl_err err = {0};
	struct vl_nl nl;
	int h1, h2, n1, n2, r;

	if (!own_netns("vxlan between two hosts"))
		return;
	h1 = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	h2 = new_netns();
	n1 = new_netns();
	n2 = new_netns();
	if (h1 < 0 || h2 < 0 || n1 < 0 || n2 < 0) {
		result("vxlan between two hosts", 0, "namespaces: %s", strerror(errno));
		return;
	}
	/* the underlay: a veth pair, ul0 here (host 1), ul1 in host 2 */
	r = vl_nl_open(&nl, &err);
	if (r == 0)
		r = vl_rtnl_link_add_veth(
		    &nl, &(struct vl_rtnl_veth_end){"ul0", 10, -1, 0, false, NULL},
		    &(struct vl_rtnl_veth_end){"ul1", 10, h2, 0, false, NULL}, 1500, &err);
	if (r == 0)
		r = vl_nl_flush(&nl, &err);
	vl_nl_close(&nl);
	if (r == 0)
		r = host_side(h1, n1, 0xc6120001, 0xc6120002, 0x0a090001, &err);
	if (r == 0)
		r = host_side(h2, n2, 0xc6120002, 0xc6120001, 0x0a090002, &err);
	if (r < 0) {
		result("vxlan between two hosts", 0, "%s", err.msg);
		return;
	}
	/* the largest inner frame: 1450 - 20 (IPv4) - 8 (ICMP) */
	result("largest inner size crosses", ping_from(n1, "10.9.0.2", 1422) == 0,
	       "ping -M do -s 1422 from node 1 to node 2");
	result("and back", ping_from(n2, "10.9.0.1", 1422) == 0,
	       "ping -M do -s 1422 from node 2 to node 1");
	result("one byte more does not", ping_from(n1, "10.9.0.2", 1423) != 0,
	       "ping -M do -s 1423 from node 1 to node 2 failed, as it must");
	close(h1);
	close(h2);
	close(n1);
	close(n2);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	mtu_cases();
	tunnel_case();
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail > 0;
}
