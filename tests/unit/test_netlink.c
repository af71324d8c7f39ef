/* Netlink dumps (sys/netlink.h): what a received datagram adds to a dump
 * (its own messages kept, others' skipped, the end, the error, the
 * kernel's "interrupted" mark), and, as root, in a network namespace of
 * the test's own, link dumps that all succeed and are whole while another
 * process makes and removes links all the while (without the retry, many
 * end "Interrupted system call"). */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "sys/netlink.h"
#include "sys/rtnl_bridge.h"
#include "sys/rtnl_link.h"

/* A datagram being built: messages one after another. */
struct dgram {
	union {
		struct nlmsghdr h;
		char b[4096];
	} u;
	size_t len;
};

static void put(struct dgram *d, uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid,
                const void *payload, size_t plen)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(d->u.b + d->len);

	memset(h, 0, NLMSG_SPACE(plen));
	h->nlmsg_len = (uint32_t)NLMSG_LENGTH(plen);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = seq;
	h->nlmsg_pid = pid;
	memcpy(NLMSG_DATA(h), payload, plen);
	d->len += NLMSG_SPACE(plen);
}

static void put_link(struct dgram *d, uint16_t flags, uint32_t seq)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 7};

	put(d, RTM_NEWLINK, flags | NLM_F_MULTI, seq, 42, &ifi, sizeof(ifi));
}

static void put_end(struct dgram *d, uint16_t type, uint32_t seq, int error)
{
	if (type == NLMSG_ERROR) {
		struct nlmsgerr e = {.error = error};

		put(d, type, 0, seq, 42, &e, sizeof(e));
	} else {
		put(d, type, NLM_F_MULTI, seq, 42, &error, sizeof(error));
	}
}

static void check_take(const char *name, const struct dgram *d, size_t want_len, bool want_done,
                       bool want_intr, int want_error)
{
	struct vl_nl_dump_state st = {0};
	cleanup_buf struct vl_buf out = {0};

	vl_nl_dump_take(d->u.b, d->len, 5, 42, &out, &st);
	result(name,
	       out.len == want_len && st.done == want_done && st.interrupted == want_intr &&
	           st.error == want_error,
	       "kept %zu bytes (want %zu), done %d (%d), interrupted %d (%d), error %d (%d)",
	       out.len, want_len, st.done, want_done, st.interrupted, want_intr, st.error,
	       want_error);
}

static void take_cases(void)
{
	const size_t one = NLMSG_SPACE(sizeof(struct ifinfomsg));
	struct dgram d;

	d = (struct dgram){0};
	put_link(&d, 0, 5);
	put_link(&d, 0, 5);
	check_take("take: a part of a dump", &d, 2 * one, false, false, 0);
	put_end(&d, NLMSG_DONE, 5, 0);
	check_take("take: the last part", &d, 2 * one, true, false, 0);

	d = (struct dgram){0};
	put_link(&d, 0, 4); /* the end of an earlier request */
	put_end(&d, NLMSG_DONE, 4, 0);
	put_link(&d, 0, 5);
	check_take("take: an earlier request's messages skipped", &d, one, false, false, 0);

	d = (struct dgram){0};
	put_link(&d, 0, 5);
	put_link(&d, NLM_F_DUMP_INTR, 5);
	put_end(&d, NLMSG_DONE, 5, 0);
	check_take("take: marked interrupted", &d, 2 * one, true, true, 0);

	d = (struct dgram){0};
	put_end(&d, NLMSG_DONE, 5, -EINTR);
	check_take("take: a dump that ends in EINTR", &d, 0, true, true, 0);

	d = (struct dgram){0};
	put_link(&d, 0, 5);
	put_end(&d, NLMSG_DONE, 5, -ENOBUFS);
	check_take("take: a dump that fails part-way", &d, one, true, false, ENOBUFS);

	d = (struct dgram){0};
	put_end(&d, NLMSG_ERROR, 5, -EOPNOTSUPP);
	check_take("take: a dump refused", &d, 0, true, false, EOPNOTSUPP);

	d = (struct dgram){0};
	put_link(&d, 0, 5);
	d.len -= 4; /* truncated */
	check_take("take: a truncated message ignored", &d, 0, false, false, 0);
}

#define KEEP  120 /* links that stay: a dump of them takes several parts */
#define DUMPS 300

/* Links prefix0.. (bridges: every kernel has them, dummy is a module). */
static int add_links(struct vl_nl *nl, const char *prefix, int n, struct vl_err *err)
{
	char name[16];

	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%d", prefix, i);
		if (vl_rtnl_bridge_add(nl, name, 0, 0, false, err) < 0)
			return -1;
	}
	return vl_nl_flush(nl, err);
}

/* Make and remove a link every 2 ms until killed. */
static void churn(void)
{
	struct vl_nl nl;
	struct vl_err err = {0};

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (vl_nl_open(&nl, &err) < 0)
		_exit(1);
	for (;;) {
		if (add_links(&nl, "churn", 1, &err) < 0 ||
		    vl_rtnl_link_del_name(&nl, "churn0", &err) < 0 || vl_nl_flush(&nl, &err) < 0)
			_exit(2);
		nanosleep(&(struct timespec){0, 2 * 1000 * 1000}, NULL);
	}
}

static void stress_case(void)
{
	const char *name = "dump: whole while links come and go";
	struct vl_nl nl;
	struct vl_err err = {0};
	int failed = 0, short_dumps = 0, status;
	char first[sizeof(err.msg)] = "";
	pid_t pid;

	if (!own_netns(name))
		return;
	if (vl_nl_open(&nl, &err) < 0 || add_links(&nl, "keep", KEEP, &err) < 0) {
		result(name, 0, "a namespace with %d links: %s", KEEP, err.msg);
		vl_nl_close(&nl);
		return;
	}
	if ((pid = fork()) == 0)
		churn();
	for (int i = 0; i < DUMPS; i++) {
		struct vl_nl dn;
		char **names = NULL;
		size_t n = 0, kept = 0;
		int r;

		/* a socket of its own, as down's undo of a bridge has; every
		 * other time the one that made the links (whose reads were
		 * large: the kernel's parts are then up to 32 KiB) */
		if (i % 2)
			r = vl_rtnl_link_names(&nl, &names, &n, &err);
		else if ((r = vl_nl_open(&dn, &err)) == 0) {
			r = vl_rtnl_link_names(&dn, &names, &n, &err);
			vl_nl_close(&dn);
		}
		if (r < 0) {
			if (!failed++)
				snprintf(first, sizeof(first), "%s", err.msg);
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			kept += !strncmp(names[k], "keep", 4);
			free(names[k]);
		}
		free(names);
		short_dumps += kept != KEEP;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	vl_nl_close(&nl);
	result(name, !failed && !short_dumps && WIFSIGNALED(status),
	       "%d of %d dumps failed (first: %s), %d missed links; the churn %s", failed, DUMPS,
	       first, short_dumps, WIFSIGNALED(status) ? "ran" : "stopped early");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	take_cases();
	stress_case();
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail > 0;
}
