/* The user link backend (link.h): two TAP devices, one made from each
 * side, joined by the lab's linkd (linkd.c), which applies every
 * impairment itself and rereads the lab's state when signalled. Touches
 * the TAPs of a link's ends, and signals the lab's linkd. */
#include <errno.h>
#include <signal.h>

#include "link/link.h"
#include "sys/tap.h"

static int user_make(struct vl_nl *nl, const struct vl_rtnl_veth_end *a,
                     const struct vl_rtnl_veth_end *b, int mtu, struct vl_err *err)
{
	/* the engine joins it */
	if (vl_tap_create(a->name, a->ifindex, err) < 0)
		return -1;
	return a->mac ? vl_rtnl_link_set_mac(nl, a->ifindex, a->mac, a->name, err) : 0;
}

static int user_configure(struct vl_nl *nl, int ifindex, const struct vl_impair *egress, int mtu,
                          const char *what, struct vl_err *err)
{
	/* a TAP is made with the default MTU; the engine shapes */
	return mtu ? vl_rtnl_link_set_mtu(nl, ifindex, mtu, what, err) : 0;
}

static int user_apply(const char *netns, const char *ifname, const struct vl_impair *im, int mtu,
                      struct vl_err *err)
{
	return 0; /* the engine applies it once told (commit) */
}

static int user_commit(pid_t linkd, struct vl_err *err)
{
	if (linkd <= 0 || kill(linkd, SIGHUP) < 0)
		return vl_err_set(err, ESRCH, "the lab's linkd is not running");
	return 0;
}

static const char *user_engine(const struct vl_impair dir[2])
{
	return "user";
}

const struct vl_link_backend vl_link_user = {
    .name = "user",
    .pair = false,
    .make = user_make,
    .configure = user_configure,
    .apply = user_apply,
    .commit = user_commit,
    .engine = user_engine,
};
