/* The link backends' tables (link.h): kernel and user, and the one way to
 * act on a link end inside its namespace. Touches the interfaces of a
 * link's ends, and signals the lab's own link engine. */
#include "link/link.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "lab/lab.h"
#include "sys/ns.h"
#include "sys/tap.h"

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

/* --- kernel: veth pairs, tbf and fifos ------------------------------------ */

static int kernel_make(struct vl_nl *nl, const struct vl_kl_veth_end *a,
                       const struct vl_kl_veth_end *b, int mtu, struct vl_err *err)
{
	return vl_kl_veth_add(nl, a, b, mtu, err);
}

static int kernel_configure(struct vl_nl *nl, int ifindex, const struct vl_plan_veth *ve, int k,
                            const char *what, struct vl_err *err)
{
	/* the veth was made with its MTU */
	return vl_kl_shape(nl, ifindex, &ve->egress[k], ve->mtu, what, err);
}

struct shape_arg {
	const struct vl_impair *im;
	int mtu;
};

static int do_shape(struct vl_nl *nl, int ifindex, void *data, struct vl_err *err)
{
	const struct shape_arg *a = data;

	if (vl_impair_none(a->im))
		return vl_kl_unshape(nl, ifindex, err);
	return vl_kl_shape(nl, ifindex, a->im, a->mtu, "shape the link", err);
}

static bool needs_netem(const struct vl_impair *im)
{
	return im->delay_ns || im->jitter_ns || im->loss > 0 || im->ge;
}

static int kernel_apply(const char *netns, const char *ifname, const struct vl_impair *im, int mtu,
                        struct vl_err *err)
{
	if (needs_netem(im))
		return vl_err_set(err, ENOTSUP,
		                  "delay, jitter or loss needs netem or vnetlab's user link "
		                  "engine, which this version cannot run in a lab yet");
	return vl_link_in_netns(netns, ifname, do_shape, &(struct shape_arg){im, mtu}, err);
}

static int kernel_commit(const char *lab, struct vl_err *err)
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

/* --- user: TAPs joined by the link engine -------------------------------- */

static int user_make(struct vl_nl *nl, const struct vl_kl_veth_end *a,
                     const struct vl_kl_veth_end *b, int mtu, struct vl_err *err)
{
	/* the engine joins it */
	if (vl_tap_create(a->name, a->ifindex, err) < 0)
		return -1;
	return a->mac ? vl_kl_link_mac(nl, a->ifindex, a->mac, a->name, err) : 0;
}

static int user_configure(struct vl_nl *nl, int ifindex, const struct vl_plan_veth *ve, int k,
                          const char *what, struct vl_err *err)
{
	/* a TAP is made with the default MTU; the engine shapes */
	return ve->mtu ? vl_kl_link_set_mtu(nl, ifindex, ve->mtu, what, err) : 0;
}

static int user_apply(const char *netns, const char *ifname, const struct vl_impair *im, int mtu,
                      struct vl_err *err)
{
	return 0; /* the engine applies it once told (commit) */
}

static int user_commit(const char *lab, struct vl_err *err)
{
	pid_t pid = vl_lab_linkd_pid(lab);

	if (pid <= 0 || kill(pid, SIGHUP) < 0)
		return vl_err_set(err, ESRCH, "the lab's link engine is not running");
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

const struct vl_link_backend *vl_link_backend_of(const struct vl_plan_veth *ve)
{
	return ve->user ? &vl_link_user : &vl_link_kernel;
}

const struct vl_link_backend *vl_link_backend_named(const char *engine)
{
	return engine && !strcmp(engine, "user") ? &vl_link_user : &vl_link_kernel;
}
