#include "sys/netlink.h"

#include <errno.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#include "base/util.h"
#include "sys/ns.h"

#define BATCH_SIZE (96 * 1024) /* below the default netlink sndbuf (~208 KiB) */
#define MSG_ROOM   2048        /* the largest request we build */

int vl_nl_open(struct vl_nl *nl, struct vl_err *err)
{
	int one = 1, rcvbuf = 4 << 20;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return vl_err_sys(err, errno, "open rtnetlink socket");
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return vl_err_sys(err, e, "bind rtnetlink socket");
	}
	/* Best effort: ext ack gives the kernel's reason, cap ack keeps acks small. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	           sizeof(rcvbuf));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = 1;
	nl->cap = BATCH_SIZE + MSG_ROOM;
	nl->buf = vl_xmalloc(nl->cap);
	return 0;
}

void vl_nl_close(struct vl_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl->what);
	memset(nl, 0, sizeof(*nl));
}

static void commit(struct vl_nl *nl)
{
	if (nl->cur) {
		nl->off += NLMSG_ALIGN(nl->cur->nlmsg_len);
		nl->cur = NULL;
	}
}

struct nlmsghdr *vl_nl_msg(struct vl_nl *nl, uint16_t type, uint16_t flags, size_t hdrlen,
                           const char *what, struct vl_err *err)
{
	struct nlmsghdr *nlh;

	commit(nl);
	if (nl->off + MSG_ROOM > BATCH_SIZE && vl_nl_flush(nl, err) < 0)
		return NULL;
	if (nl->n_pending == 0)
		nl->first_seq = nl->seq;
	memset(nl->buf + nl->off, 0, MSG_ROOM);
	nlh = mnl_nlmsg_put_header(nl->buf + nl->off);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags | NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = nl->seq++;
	if (hdrlen)
		mnl_nlmsg_put_extra_header(nlh, hdrlen);
	vl_grow(&nl->what, &nl->cap_what, nl->n_pending, sizeof(*nl->what));
	snprintf(nl->what[nl->n_pending], sizeof(nl->what[0]), "%s", what);
	nl->n_pending++;
	nl->cur = nlh;
	return nlh;
}

struct nlmsghdr *vl_nl_msg_hdr(struct vl_nl *nl, uint16_t type, uint16_t flags, const void *hdr,
                               size_t hdrlen, const char *what, struct vl_err *err)
{
	struct nlmsghdr *nlh = vl_nl_msg(nl, type, flags, hdrlen, what, err);

	if (nlh)
		memcpy(mnl_nlmsg_get_payload(nlh), hdr, hdrlen);
	return nlh;
}

struct ack_state {
	char extack[256];
};

static int extack_cb(const struct nlattr *attr, void *data)
{
	struct ack_state *st = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(st->extack, sizeof(st->extack), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* Parse one error/ack message. Returns the (positive) errno or 0. */
static int parse_ack(const struct nlmsghdr *nlh, struct ack_state *st)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return EBADMSG;
	st->extack[0] = '\0';
	if (e->error && (nlh->nlmsg_flags & NLM_F_ACK_TLVS)) {
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
			mnl_attr_parse(nlh, (unsigned)off, extack_cb, st);
	}
	return -e->error;
}

int vl_nl_flush(struct vl_nl *nl, struct vl_err *err)
{
	char rbuf[64 * 1024];
	size_t acked = 0, n = nl->n_pending;
	uint32_t first = nl->first_seq;
	int first_err = 0;
	size_t err_idx = 0;
	char err_text[256] = "";

	commit(nl);
	if (!n)
		return 0;
	if (mnl_socket_sendto(nl->sock, nl->buf, nl->off) < 0) {
		int e = errno;

		nl->off = 0;
		nl->n_pending = 0;
		return vl_err_sys(err, e, "netlink send (%zu requests)", n);
	}
	nl->off = 0;
	while (acked < n) {
		ssize_t r = mnl_socket_recvfrom(nl->sock, rbuf, sizeof(rbuf));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;

			nl->n_pending = 0;
			return vl_err_sys(err, e, "netlink receive");
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, (int)r);
		     h = mnl_nlmsg_next(h, (int *)&r)) {
			struct ack_state st;
			int e;

			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq < first ||
			    h->nlmsg_seq >= first + n)
				continue;
			acked++;
			e = parse_ack(h, &st);
			if (e && !first_err) {
				first_err = e;
				err_idx = h->nlmsg_seq - first;
				snprintf(err_text, sizeof(err_text), "%s", st.extack);
			}
		}
	}
	nl->n_pending = 0;
	if (first_err) {
		if (err_text[0])
			return vl_err_set(err, first_err, "%s: %s (kernel: %s)", nl->what[err_idx],
			                  strerror(first_err), err_text);
		return vl_err_sys(err, first_err, "%s", nl->what[err_idx]);
	}
	return 0;
}

void vl_nl_dump_take(const void *buf, size_t len, uint32_t seq, uint32_t portid, struct vl_buf *out,
                     struct vl_nl_dump_state *st)
{
	int left = len > INT_MAX ? INT_MAX : (int)len;

	for (const struct nlmsghdr *h = buf; !st->done && mnl_nlmsg_ok(h, left);
	     h = mnl_nlmsg_next(h, &left)) {
		if (h->nlmsg_seq != seq || (portid && h->nlmsg_pid && h->nlmsg_pid != portid))
			continue; /* an earlier request's */
		/* the kernel marks every part sent after the objects changed */
		if (h->nlmsg_flags & NLM_F_DUMP_INTR)
			st->interrupted = true;
		if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE) {
			/* both carry an errno (negative) first, DONE where the
			 * dump failed part-way */
			int e = 0;

			if (mnl_nlmsg_get_payload_len(h) >= sizeof(int))
				memcpy(&e, mnl_nlmsg_get_payload(h), sizeof(int));
			if (e == -EINTR)
				st->interrupted = true;
			else if (e < 0)
				st->error = -e;
			st->done = true;
			continue;
		}
		vl_buf_add(out, (const char *)h, NLMSG_ALIGN(h->nlmsg_len));
	}
}

static const char *dump_what(uint16_t type)
{
	switch (type) {
	case RTM_GETLINK:
		return "links";
	case RTM_GETADDR:
		return "addresses";
	case RTM_GETROUTE:
		return "routes";
	case RTM_GETNEIGH:
		return "neighbours";
	}
	return "rtnetlink objects";
}

/* One dump, whole: its messages into out. */
static int dump_once(struct vl_nl *nl, const struct nlmsghdr *req, char *buf, size_t cap,
                     struct vl_buf *out, struct vl_nl_dump_state *st, struct vl_err *err)
{
	const char *what = dump_what(req->nlmsg_type);

	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return vl_err_sys(err, errno, "netlink dump of %s: request", what);
	while (!st->done) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, cap);

		if (n < 0 && errno == EINTR)
			continue; /* a signal: the dump goes on */
		if (n < 0)
			return vl_err_sys(err, errno, "netlink dump of %s", what);
		vl_nl_dump_take(buf, (size_t)n, req->nlmsg_seq, nl->portid, out, st);
	}
	if (st->error)
		return vl_err_sys(err, st->error, "netlink dump of %s", what);
	return 0;
}

int vl_nl_dump(struct vl_nl *nl, uint16_t type, size_t hdrlen, const void *hdr, mnl_cb_t cb,
               void *data, struct vl_err *err)
{
	/* the kernel's parts grow to 32 KiB once a larger read was asked
	 * for (flush asks for 64 KiB): a smaller buffer would truncate them */
	const size_t cap = 64 * 1024;
	cleanup_free char *buf = NULL;
	union {
		struct nlmsghdr h;
		char b[512];
	} req;
	cleanup_buf struct vl_buf msgs = {0};
	struct nlmsghdr *nlh;

	if (vl_nl_flush(nl, err) < 0)
		return -1;
	if (hdrlen > sizeof(req) - NLMSG_HDRLEN)
		return vl_err_set(err, EINVAL, "netlink dump of %s: header too long",
		                  dump_what(type));
	buf = vl_xmalloc(cap);
	/* A dump that the kernel marks interrupted (the objects changed while
	 * it was read: other labs' links coming and going) is read to its end
	 * and asked for again; the callbacks see only a whole, consistent one. */
	for (int tries = 1;; tries++) {
		struct vl_nl_dump_state st = {0};

		msgs.len = 0;
		nlh = mnl_nlmsg_put_header(req.b);
		nlh->nlmsg_type = type;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		nlh->nlmsg_seq = nl->seq++;
		if (hdrlen)
			memcpy(mnl_nlmsg_put_extra_header(nlh, hdrlen), hdr, hdrlen);
		if (dump_once(nl, nlh, buf, cap, &msgs, &st, err) < 0)
			return -1;
		if (!st.interrupted)
			break;
		if (tries == VL_NL_DUMP_TRIES)
			return vl_err_set(
			    err, EAGAIN,
			    "netlink dump of %s: interrupted by concurrent changes %d "
			    "times running (links or addresses being made or removed "
			    "all the while): try again when they settle",
			    dump_what(type), VL_NL_DUMP_TRIES);
		/* a moment longer each time for a burst of changes to end */
		nanosleep(&(struct timespec){0, tries * 1000 * 1000L}, NULL);
	}
	if (msgs.len && mnl_cb_run(msgs.s, msgs.len, 0, 0, cb, data) < 0)
		return vl_err_sys(err, errno, "netlink dump of %s", dump_what(type));
	return 0;
}

static int open_here(void *nl, struct vl_err *err)
{
	return vl_nl_open(nl, err);
}

int vl_nl_open_in(struct vl_nl *nl, const char *netns, struct vl_err *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, netns);
	return vl_netns_run(path, open_here, nl, err);
}
