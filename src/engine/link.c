/* Runtime changes to a lab's links, through its state.json (which says
 * where each end of each link is) and the kernel link path. */
#include "engine/link.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/util.h"
#include "lab/lab.h"
#include "engine/state.h"
#include "link/link.h"
#include "sys/netlink.h"

static void fill_info(const struct vl_state_link *l, int mine, struct vl_link_info *info)
{
	memset(info, 0, sizeof(*info));
	info->mine = mine;
	for (int k = 0; k < 2; k++) {
		snprintf(info->endpoints[k], sizeof(info->endpoints[k]), "%s", l->endpoints[k]);
		info->dir[k] = l->dir[k];
	}
	snprintf(info->engine, sizeof(info->engine), "%s", l->engine ?: "none");
	info->up = l->up[mine];
}

static int do_state(struct vl_nl *nl, int ifindex, void *data, struct vl_err *err)
{
	return vl_rtnl_link_set_up(nl, ifindex, *(bool *)data, "set the link state", err);
}

/* The lab's state, locked, with its id checked to be the lab's own (no
 * other lab claims it): what its link ends are tagged with. */
static int load_locked(const char *lab, struct vl_state *st, struct vl_err *err)
{
	char id[VL_LAB_ID_LEN + 1];
	int lock;

	if ((lock = vl_lab_lock(lab, 1, err)) < 0)
		return -1;
	if (vl_state_load(lab, st, err) < 0 || vl_lab_own_id(lab, id, err) < 0) {
		vl_state_free(st);
		close(lock);
		return -1;
	}
	return lock;
}

int vl_link_get(const char *lab, const char *endpoint, struct vl_link_info *info,
                struct vl_err *err)
{
	struct vl_state st;
	int mine, i;

	if (vl_state_load(lab, &st, err) < 0)
		return -1;
	if ((i = vl_state_find_link(&st, endpoint, &mine, err)) >= 0)
		fill_info(&st.links[i], mine, info);
	vl_state_free(&st);
	return i < 0 ? -1 : 0;
}

/* Direction k of link i with the settings kv (n of them) applied. */
static int apply_dir(struct vl_state *st, size_t i, int k, char *const *kv, size_t n,
                     const struct vl_link_backend *lb, const char *endpoint, struct vl_err *err)
{
	struct vl_impair im = st->links[i].dir[k];
	const char *why, *netns, *ifname;

	for (size_t j = 0; j + 1 < n || (j < n && !strcmp(kv[j], "clear")); j += 2) {
		if (!strcmp(kv[j], "clear")) {
			memset(&im, 0, sizeof(im));
			j--; /* a key without a value */
			continue;
		}
		if ((why = vl_impair_set(&im, kv[j], kv[j + 1])))
			return vl_err_set(err, EINVAL, "%s \"%s\": %s", kv[j], kv[j + 1], why);
	}
	/* a link across hosts: that end is the other host's to shape (its
	 * own vnetlab link does), here only recorded */
	if (st->links[i].has_ends && !strcmp(st->links[i].ends[k].netns, "remote")) {
		vl_state_set_impair(st, i, k, &im);
		return 0;
	}
	if (vl_state_link_end(st, i, k, &netns, &ifname, err) < 0 ||
	    lb->apply(netns, ifname, &im, (int)st->links[i].mtu, err) < 0)
		return vl_err_wrap(err, "link %s", endpoint);
	vl_state_set_impair(st, i, k, &im);
	return 0;
}

int vl_link_set(const char *lab, const char *endpoint, int dirs, char *const *kv, size_t n,
                struct vl_err *err)
{
	struct vl_state st;
	const struct vl_link_backend *lb;
	int lock, mine, i, r = -1;

	if ((lock = load_locked(lab, &st, err)) < 0)
		return -1;
	if ((i = vl_state_find_link(&st, endpoint, &mine, err)) < 0)
		goto out;
	lb = vl_link_backend_named(st.links[i].engine ?: "none");
	for (int d = 0; d < 2; d++) {
		/* OUT: what leaves the named end; IN: what leaves the other */
		int k = d == 0 ? mine : !mine;

		if (!(dirs & (d == 0 ? VL_LINK_OUT : VL_LINK_IN)))
			continue;
		if (apply_dir(&st, (size_t)i, k, kv, n, lb, endpoint, err) < 0)
			goto out;
	}
	vl_state_set_engine(&st, (size_t)i, lb->engine(st.links[i].dir));
	r = vl_state_save(lab, &st, err);
	if (r == 0)
		r = lb->commit(vl_lab_linkd_pid(lab), err);
out:
	vl_state_free(&st);
	close(lock);
	return r;
}

int vl_link_set_up(const char *lab, const char *endpoint, bool up, struct vl_err *err)
{
	struct vl_state st;
	const char *netns, *ifname;
	int lock, mine, i, r = -1;

	if ((lock = load_locked(lab, &st, err)) < 0)
		return -1;
	if ((i = vl_state_find_link(&st, endpoint, &mine, err)) >= 0) {
		r = vl_state_link_end(&st, (size_t)i, mine, &netns, &ifname, err);
		if (r == 0)
			r = vl_link_in_netns(netns, ifname, do_state, &up, err);
		if (r == 0) {
			vl_state_set_up(&st, (size_t)i, mine, up);
			r = vl_state_save(lab, &st, err);
		} else {
			vl_err_wrap(err, "link %s", endpoint);
		}
	}
	vl_state_free(&st);
	close(lock);
	return r;
}
