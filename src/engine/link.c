/* Runtime changes to a lab's links, through its state.json (which says
 * where each end of each link is) and the kernel link path. */
#include "engine/link.h"

#include <errno.h>
#include <jansson.h>
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

/* The link with endpoint "node:if" in the state, and which end it is. */
static json_t *find_link(json_t *st, const char *endpoint, int *mine, struct vl_err *err)
{
	json_t *links = json_object_get(st, "links"), *l;
	size_t i;

	json_array_foreach(links, i, l)
	{
		json_t *eps = json_object_get(l, "endpoints");

		for (int k = 0; k < 2; k++) {
			const char *e = json_string_value(json_array_get(eps, (size_t)k));

			if (e && !strcmp(e, endpoint)) {
				*mine = k;
				return l;
			}
		}
	}
	vl_err_set(err, ENOENT, "no link has the endpoint %s", endpoint);
	return NULL;
}

static int fill_info(json_t *l, int mine, struct vl_link_info *info, struct vl_err *err)
{
	json_t *eps = json_object_get(l, "endpoints");
	const char *why;

	memset(info, 0, sizeof(*info));
	info->mine = mine;
	for (int k = 0; k < 2; k++) {
		const char *text = json_string_value(json_object_get(l, k ? "reverse" : "forward"));

		snprintf(info->endpoints[k], sizeof(info->endpoints[k]), "%s",
		         json_string_value(json_array_get(eps, (size_t)k)) ?: "?");
		if ((why = vl_impair_parse(&info->dir[k], text ? text : "none")))
			return vl_err_set(err, EINVAL, "state.json: link %s: \"%s\": %s",
			                  info->endpoints[0], text ? text : "", why);
	}
	snprintf(info->engine, sizeof(info->engine), "%s",
	         json_string_value(json_object_get(l, "engine")) ?: "none");
	return 0;
}

static int do_state(struct vl_nl *nl, int ifindex, void *data, struct vl_err *err)
{
	return vl_rtnl_link_set_up(nl, ifindex, *(bool *)data, "set the link state", err);
}

/* The lab's state, locked, and its own id: what its link ends must be
 * tagged with. */
static json_t *load_locked(const char *lab, int *lock, char id[VL_LAB_ID_LEN + 1],
                           struct vl_err *err)
{
	json_t *st;

	if ((*lock = vl_lab_lock(lab, 1, err)) < 0)
		return NULL;
	if (!(st = vl_state_load(lab, err)) || vl_lab_own_id(lab, id, err) < 0) {
		json_decref(st);
		close(*lock);
		*lock = -1;
		return NULL;
	}
	return st;
}

static int save(const char *lab, json_t *st, struct vl_err *err)
{
	char path[PATH_MAX];
	char *s = json_dumps(st, JSON_INDENT(1));
	int r;

	if (!s)
		return vl_err_set(err, ENOMEM, "encode state.json");
	vl_lab_path(lab, "state.json", path, sizeof(path));
	r = vl_write_file_mode(path, s, strlen(s), 0600, err);
	free(s);
	return r;
}

int vl_link_get(const char *lab, const char *endpoint, struct vl_link_info *info,
                struct vl_err *err)
{
	json_t *st = vl_state_load(lab, err), *l;
	int mine, r = -1;

	if (!st)
		return -1;
	if ((l = find_link(st, endpoint, &mine, err)) && fill_info(l, mine, info, err) == 0) {
		json_t *up = json_object_get(l, mine ? "reverse_up" : "forward_up");

		info->up = !json_is_false(up);
		r = 0;
	}
	json_decref(st);
	return r;
}

int vl_link_set(const char *lab, const char *endpoint, int dirs, char *const *kv, size_t n,
                struct vl_err *err)
{
	struct vl_link_info info;
	int lock, mine, r = -1;
	char id[VL_LAB_ID_LEN + 1];
	json_t *st = load_locked(lab, &lock, id, err), *l;
	const struct vl_link_backend *lb;
	char text[256];

	if (!st)
		return -1;
	if (!(l = find_link(st, endpoint, &mine, err)) || fill_info(l, mine, &info, err) < 0)
		goto out;
	lb = vl_link_backend_named(info.engine);
	for (int d = 0; d < 2; d++) {
		/* OUT: what leaves the named end; IN: what leaves the other */
		int k = d == 0 ? mine : !mine;
		struct vl_impair im = info.dir[k];
		const char *why, *netns, *ifname;

		if (!(dirs & (d == 0 ? VL_LINK_OUT : VL_LINK_IN)))
			continue;
		for (size_t i = 0; i + 1 < n || (i < n && !strcmp(kv[i], "clear")); i += 2) {
			if (!strcmp(kv[i], "clear")) {
				memset(&im, 0, sizeof(im));
				i--; /* a key without a value */
				continue;
			}
			if ((why = vl_impair_set(&im, kv[i], kv[i + 1]))) {
				vl_err_set(err, EINVAL, "%s \"%s\": %s", kv[i], kv[i + 1], why);
				goto out;
			}
		}
		if (vl_state_link_end(l, k, id, &netns, &ifname, err) < 0 ||
		    lb->apply(netns, ifname, &im,
		              (int)json_integer_value(json_object_get(l, "mtu")), err) < 0) {
			vl_err_wrap(err, "link %s", endpoint);
			goto out;
		}
		vl_impair_format(&im, text, sizeof(text));
		json_object_set_new(l, k ? "reverse" : "forward", json_string(text));
		info.dir[k] = im;
	}
	json_object_set_new(l, "engine", json_string(lb->engine(info.dir)));
	r = save(lab, st, err);
	if (r == 0)
		r = lb->commit(vl_lab_linkd_pid(lab), err);
out:
	json_decref(st);
	close(lock);
	return r;
}

int vl_link_set_up(const char *lab, const char *endpoint, bool up, struct vl_err *err)
{
	int lock, mine, r = -1;
	char id[VL_LAB_ID_LEN + 1];
	json_t *st = load_locked(lab, &lock, id, err), *l;

	if (!st)
		return -1;
	if ((l = find_link(st, endpoint, &mine, err))) {
		const char *netns, *ifname;

		r = vl_state_link_end(l, mine, id, &netns, &ifname, err);
		if (r == 0)
			r = vl_link_in_netns(netns, ifname, do_state, &up, err);
		if (r == 0) {
			json_object_set_new(l, mine ? "reverse_up" : "forward_up",
			                    json_boolean(up));
			r = save(lab, st, err);
		} else {
			vl_err_wrap(err, "link %s", endpoint);
		}
	}
	json_decref(st);
	close(lock);
	return r;
}
