/* What the link backends share (link.h): which table serves a link, and
 * the one way to act on a link end inside its namespace. The tables
 * themselves are kernel.c and user.c. */
#include "link/link.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "sys/ns.h"

struct in_netns {
	const char *netns, *ifname;
	vl_link_fn fn;
	void *data;
};

static int in_netns(void *data, struct vl_err *err)
{
	struct in_netns *a = data;
	int ifindex = (int)if_nametoindex(a->ifname), r;
	struct vl_nl nl;

	if (!ifindex)
		return vl_err_sys(err, errno, "interface %s in %s", a->ifname, a->netns);
	if (vl_nl_open(&nl, err) < 0)
		return -1;
	r = a->fn(&nl, ifindex, a->data, err);
	if (r == 0)
		r = vl_nl_flush(&nl, err);
	vl_nl_close(&nl);
	return r;
}

int vl_link_in_netns(const char *netns, const char *ifname, vl_link_fn fn, void *data,
                     struct vl_err *err)
{
	char path[PATH_MAX];
	struct in_netns a = {netns, ifname, fn, data};

	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, netns);
	return vl_netns_run(path, in_netns, &a, err);
}

const struct vl_link_backend *vl_link_backend_for(bool user)
{
	return user ? &vl_link_user : &vl_link_kernel;
}

const struct vl_link_backend *vl_link_backend_named(const char *engine)
{
	return vl_link_backend_for(engine && !strcmp(engine, "user"));
}
