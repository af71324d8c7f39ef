/* The host's links that labs made (hostlinks.h). Touches only the links
 * its caller's match names. */
#include "engine/hostlinks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "sys/netlink.h"
#include "sys/rtnl_link.h"

bool vl_mgmt_link_name(const char *name, char id[5])
{
	const char *s = name + 2 + VL_LAB_ID_LEN;

	if (strlen(name) < 2 + VL_LAB_ID_LEN + 2 || strncmp(name, "vl", 2) ||
	    strspn(name + 2, "0123456789abcdef") < VL_LAB_ID_LEN || *s != 'm')
		return false;
	memcpy(id, name + 2, VL_LAB_ID_LEN);
	id[VL_LAB_ID_LEN] = '\0';
	return !strcmp(s, "mgmt") || (s[1] && strspn(s + 1, "0123456789") == strlen(s + 1));
}

int vl_host_links_delete(bool (*match)(const char *name, void *data), void *data,
                         struct vl_err *err)
{
	char **names = NULL;
	size_t n = 0, gone = 0;
	struct vl_nl nl;
	int r;

	if (vl_nl_open(&nl, err) < 0)
		return -1;
	r = vl_rtnl_link_names(&nl, &names, &n, err);
	for (size_t i = 0; i < n; i++) {
		if (r == 0 && match(names[i], data) &&
		    (r = vl_rtnl_link_del_name(&nl, names[i], err)) == 0)
			gone++;
		free(names[i]);
	}
	free(names);
	if (r == 0 && gone) {
		struct vl_err e = {0};

		/* a port gone with its bridge, or with its node, is no failure */
		if ((r = vl_nl_flush(&nl, &e)) < 0 && e.code == ENODEV)
			r = 0;
		else if (r < 0 && err)
			*err = e;
	}
	vl_nl_close(&nl);
	return r;
}
