/* The kernel link backend (link.h): a veth pair, made whole from one side,
 * whose ends' egress is shaped by tbf and fifos (sys/rtnl_tc.h). Delay,
 * jitter and loss would need netem, which this version does not use yet:
 * the plan gives such links to linkd. Touches the
 * interfaces of a link's ends. */
#include <errno.h>

#include "link/link.h"
#include "sys/rtnl_tc.h"

/* What of im the kernel path does: rate and queues. */
static int shape(struct vl_nl *nl, int ifindex, const struct vl_impair *im, int mtu,
                 const char *what, struct vl_err *err)
{
	struct vl_rtnl_tc_shape s = {
	    .rate_bps = im->rate_bps,
	    .queue_packets = im->queue_packets,
	    .queue_bytes = im->queue_bytes,
	};

	return vl_rtnl_tc_shape(nl, ifindex, &s, mtu, what, err);
}

static int kernel_make(struct vl_nl *nl, const struct vl_rtnl_veth_end *a,
                       const struct vl_rtnl_veth_end *b, int mtu, struct vl_err *err)
{
	return vl_rtnl_link_add_veth(nl, a, b, mtu, err);
}

static int kernel_configure(struct vl_nl *nl, int ifindex, const struct vl_impair *egress, int mtu,
                            const char *what, struct vl_err *err)
{
	/* the veth was made with its MTU */
	return shape(nl, ifindex, egress, mtu, what, err);
}

struct shape_arg {
	const struct vl_impair *im;
	int mtu;
};

static int do_shape(struct vl_nl *nl, int ifindex, void *data, struct vl_err *err)
{
	const struct shape_arg *a = data;

	if (vl_impair_none(a->im))
		return vl_rtnl_tc_unshape(nl, ifindex, err);
	return shape(nl, ifindex, a->im, a->mtu, "shape the link", err);
}

static int kernel_apply(const char *netns, const char *ifname, const struct vl_impair *im, int mtu,
                        struct vl_err *err)
{
	if (vl_impair_needs_netem(im))
		return vl_err_set(err, ENOTSUP,
		                  "delay, jitter or loss needs netem or vnetlab's user link "
		                  "engine, which this version cannot run in a lab yet");
	return vl_link_in_netns(netns, ifname, do_shape, &(struct shape_arg){im, mtu}, err);
}

static int kernel_commit(pid_t linkd, struct vl_err *err)
{
	return 0;
}

static const char *kernel_engine(const struct vl_impair dir[2])
{
	return vl_impair_none(&dir[0]) && vl_impair_none(&dir[1]) ? "none" : "kernel";
}

const struct vl_link_backend vl_link_kernel = {
    .name = "kernel",
    .pair = true,
    .make = kernel_make,
    .configure = kernel_configure,
    .apply = kernel_apply,
    .commit = kernel_commit,
    .engine = kernel_engine,
};
