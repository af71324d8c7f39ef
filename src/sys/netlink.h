/* rtnetlink through libmnl: one socket per network namespace, requests
 * batched into large sends, every request acknowledged, and the kernel's
 * extended ACK text ("Error: ...") carried into the error message. */
#ifndef VL_SYS_NETLINK_H
#define VL_SYS_NETLINK_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct vl_buf;

struct vl_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq, first_seq; /* first_seq: seq of the first pending message */
	char *buf;
	size_t off, cap;
	struct nlmsghdr *cur; /* message being built, not yet counted in off */
	char (*what)[80];     /* per pending message: what it does, for errors */
	size_t n_pending, cap_what;
};

/* Open an rtnetlink socket in the calling thread's current netns. */
int vl_nl_open(struct vl_nl *nl, struct vl_err *err);
/* The same in the network namespace bound at /run/netns/<netns>; the
 * caller's own namespace is never left. */
int vl_nl_open_in(struct vl_nl *nl, const char *netns, struct vl_err *err);
void vl_nl_close(struct vl_nl *nl);

/* Start a new request (flags get NLM_F_REQUEST|NLM_F_ACK added) and
 * reserve `hdrlen` zeroed bytes of family header after it. Sends the
 * pending batch first when the buffer is nearly full; an error from that
 * send is returned through err with NULL. `what` names the request in
 * error messages ("create veth vl3fa2p7"). */
struct nlmsghdr *vl_nl_msg(struct vl_nl *nl, uint16_t type, uint16_t flags, size_t hdrlen,
                           const char *what, struct vl_err *err);
/* The same with the family header given (hdrlen bytes of hdr copied in),
 * as iproute2 writes a request: its header one initializer. */
struct nlmsghdr *vl_nl_msg_hdr(struct vl_nl *nl, uint16_t type, uint16_t flags, const void *hdr,
                               size_t hdrlen, const char *what, struct vl_err *err);
/* Send every pending request and wait for all their ACKs. Fails with the
 * first error (naming its request); the others are still consumed. */
int vl_nl_flush(struct vl_nl *nl, struct vl_err *err);

/* A dump request (NLM_F_DUMP) with a family header; cb runs for each
 * reply message of one whole dump. A dump the kernel marks interrupted
 * (NLM_F_DUMP_INTR: the objects changed while it was read) or ends with
 * EINTR is asked for again, up to VL_NL_DUMP_TRIES times in all. */
#define VL_NL_DUMP_TRIES 10
int vl_nl_dump(struct vl_nl *nl, uint16_t type, size_t hdrlen, const void *hdr, mnl_cb_t cb,
               void *data, struct vl_err *err);

/* What one received datagram of a dump adds (exposed for its tests):
 * the messages of request seq (from portid; 0: any) appended to out,
 * their end, an error (positive errno) and whether any was marked
 * interrupted into st. Messages of other requests are skipped. */
struct vl_nl_dump_state {
	bool done, interrupted;
	int error;
};
void vl_nl_dump_take(const void *buf, size_t len, uint32_t seq, uint32_t portid, struct vl_buf *out,
                     struct vl_nl_dump_state *st);

#endif
