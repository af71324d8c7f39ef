/* The `local` hosts backend: this machine alone, today's vnetlab;
 * commands run here directly. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"

static int local_parse(struct vl_hosts *hs, const char *arg, struct vl_err *err)
{
	char name[HOST_NAME_MAX + 1];

	if (arg[0])
		return vl_err_set(err, EINVAL, "local takes nothing after it");
	if (gethostname(name, sizeof(name)) < 0)
		return vl_err_sys(err, errno, "this machine's name");
	name[sizeof(name) - 1] = 0;
	vl_hosts_add(hs, name);
	return 0;
}

static void local_wrap(const struct vl_hosts *hs, size_t i, char *const argv[], struct vl_argv *out)
{
	for (size_t k = 0; argv[k]; k++)
		vl_argv_add(out, argv[k]);
}

/* The file is already here: copied only to another path. */
static int local_carry(struct vl_hosts *hs, size_t i, const char *from, const char *to,
                       struct vl_err *err)
{
	cleanup_free char *a = realpath(from, NULL);
	cleanup_free char *b = realpath(to, NULL);

	if (a && b && !strcmp(a, b))
		return 0;
	return vl_host_carry_cat(hs, i, from, to, err);
}

const struct vl_host_backend vl_host_local = {
    .name = "local",
    .parse = local_parse,
    .wrap = local_wrap,
    .carry = local_carry,
};
