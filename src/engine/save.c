/* vnetlab save. See save.h. */
#include "engine/save.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/json.h"
#include "base/util.h"
#include "engine/state.h"
#include "lab/lab.h"
#include "node/node.h"

/* argv in the node, its stdout into out (if not NULL). */
static int in_node(const char *lab, const char *node, char **argv, char **out, struct vl_err *err)
{
	struct vl_node_ref ref;
	struct vl_child c;
	int status = 0, fd = memfd_create("save", MFD_CLOEXEC), r = 0;
	struct vl_spawn s = {
	    .argv = argv, .exe_fd = -1, .in = -1, .out = fd, .err = -1, .how = VL_SPAWN_CHILD};

	if (fd < 0)
		return vl_err_sys(err, errno, "memfd");
	if (vl_node_find(lab, node, &ref, err) < 0 || vl_node_spawn(&ref, &s, &c, err) < 0)
		r = -1;
	else if (vl_child_reap(&c, 0, &status, NULL) < 0)
		r = vl_err_sys(err, errno, "node %s: wait for %s", node, argv[0]);
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		r = vl_err_set(err, 0, "node %s: %s %s failed (status %d)", node, argv[0],
		               argv[1] ? argv[1] : "",
		               WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (r == 0 && out) {
		off_t len = lseek(fd, 0, SEEK_END);

		*out = vl_xcalloc(1, (size_t)(len > 0 ? len : 0) + 1);
		if (len > 0 && pread(fd, *out, (size_t)len, 0) != len)
			r = vl_err_sys(err, errno, "node %s: read %s's output", node, argv[0]);
	}
	close(fd);
	return r;
}

int vl_engine_save(const char *lab, const char *dir,
                   void (*say)(const char *node, const char *path, void *arg), void *arg,
                   struct vl_err *err)
{
	json_t *st = vl_state_load(lab, err), *n;
	size_t i;
	int saved = 0, r = 0;

	if (!st)
		return -1;
	json_array_foreach(json_object_get(st, "nodes"), i, n)
	{
		const char *name = vl_json_str(n, "name");
		char to[PATH_MAX + 80];
		cleanup_free char *conf = NULL;
		size_t len;

		if (!json_is_true(json_object_get(n, "frr")) || r < 0)
			continue;
		if (vl_name_invalid(name)) {
			r = vl_err_set(err, EPERM, "state.json: node \"%s\": not a node name",
			               name);
			break;
		}
		/* written where the router keeps it (the lab's copy, or a file bound
		 * there), then read from there */
		char *wm[] = {"vtysh", "-c", "write memory", NULL};
		char *cat[] = {"cat", "/etc/frr/frr.conf", NULL};

		if (in_node(lab, name, wm, NULL, err) < 0 ||
		    in_node(lab, name, cat, &conf, err) < 0) {
			r = -1;
			break;
		}
		len = strlen(conf);
		if ((mkdir(dir, 0755) < 0 && errno != EEXIST)) {
			r = vl_err_sys(err, errno, "mkdir %s", dir);
			break;
		}
		snprintf(to, sizeof(to), "%s/%s", dir, name);
		if (mkdir(to, 0755) < 0 && errno != EEXIST) {
			r = vl_err_sys(err, errno, "mkdir %s", to);
			break;
		}
		snprintf(to, sizeof(to), "%s/%s/frr.conf", dir, name);
		if (vl_write_file_mode(to, conf, len, 0644, err) < 0) {
			r = -1;
			break;
		}
		if (say)
			say(name, to, arg);
		saved++;
	}
	json_decref(st);
	return r < 0 ? -1 : saved;
}
