/* vnetlab save. See save.h. Touches the routers' /etc/frr (through their
 * FRR) and the directory it is given. */
#include "engine/save.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fsat.h"
#include "base/util.h"
#include "engine/state.h"
#include "lab/lab.h"
#include "node/frr.h"
#include "node/node.h"

/* argv in the node, its output to /dev/null. */
static int in_node(const struct vl_node_ref *ref, char **argv, struct vl_err *err)
{
	struct vl_child c;
	int status = 0;
	struct vl_spawn s = {
	    .argv = argv, .exe_fd = -1, .in = -1, .out = -1, .err = -1, .how = VL_SPAWN_CHILD};

	if (vl_node_spawn(ref, &s, &c, err) < 0)
		return -1;
	if (vl_child_reap(&c, 0, &status, NULL) < 0)
		return vl_err_sys(err, errno, "wait for %s", argv[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return vl_err_set(err, 0, "%s %s %s failed (status %d)", argv[0], argv[1], argv[2],
		                  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

/* The directory the copies go in, made if missing: beneath the directory
 * the caller named it in (that path is the caller's own, followed as
 * given: a home directory that is a link works), and itself never a
 * symbolic link. */
static int open_parent(const char *path, struct vl_err *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? vl_err_sys(err, errno, "open %s", path) : fd;
}

static int open_out(const char *dir, struct vl_err *err)
{
	cleanup_close int parent = -1;
	char path[PATH_MAX];
	size_t len = strlen(dir);
	char *slash;
	int fd;

	if (len == 0 || len >= sizeof(path))
		return vl_err_set(err, EINVAL, "save: \"%s\": not a directory name", dir);
	memcpy(path, dir, len + 1);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	slash = strrchr(path, '/');
	if (slash == path)
		parent = open_parent("/", err);
	else if (slash)
		*slash = '\0', parent = open_parent(path, err);
	else
		parent = open_parent(".", err);
	if (parent < 0)
		return vl_err_wrap(err, "save into %s", dir);
	fd = vl_at_mkdir(parent, slash ? slash + 1 : path, 0755, err);
	if (fd < 0)
		return vl_err_wrap(err, "save into %s", dir);
	return fd;
}

/* One router: `write memory` in it, its frr.conf read there and written
 * into out/NODE/frr.conf (dir: out's name, for messages). */
static int save_router(const char *lab, const char *name, int out, const char *dir,
                       struct vl_err *err)
{
	char *wm[] = {"vtysh", "-c", "write memory", NULL};
	cleanup_close int rdir = -1;
	cleanup_free char *conf = NULL;
	struct vl_node_ref ref;
	struct stat st;
	char rel[128];
	size_t len;

	if (vl_node_find(lab, name, &ref, err) < 0 || in_node(&ref, wm, err) < 0 ||
	    vl_node_frr_read_conf(&ref, VL_READ_FILE_MAX, &conf, &len, &st, err) < 0)
		return -1;
	snprintf(rel, sizeof(rel), "%s/frr.conf", name);
	if ((rdir = vl_at_mkdir(out, name, 0755, err)) < 0 ||
	    vl_at_write(out, rel, conf, len, st.st_mode & 0666, err) < 0)
		return vl_err_wrap(err, "in %s", dir);
	return 0;
}

int vl_engine_save(const char *lab, const char *dir,
                   void (*say)(const char *node, const char *path, const char *why, void *arg),
                   void *arg, struct vl_err *err)
{
	struct vl_state st;
	cleanup_close int out = -1;
	int saved = 0, failed = 0;

	if (vl_state_load(lab, &st, err) < 0)
		return -1;
	if ((out = open_out(dir, err)) < 0) {
		vl_state_free(&st);
		return -1;
	}
	for (size_t i = 0; i < st.n_nodes; i++) {
		const char *name = st.nodes[i].name;
		char to[PATH_MAX + 80];
		struct vl_err e1 = {0};

		if (!st.nodes[i].frr)
			continue;
		if (save_router(lab, name, out, dir, &e1) < 0) {
			failed++;
			if (say)
				say(name, NULL, e1.msg, arg);
			continue;
		}
		snprintf(to, sizeof(to), "%s/%s/frr.conf", dir, name);
		if (say)
			say(name, to, NULL, arg);
		saved++;
	}
	vl_state_free(&st);
	if (failed && !err->msg[0])
		vl_err_set(err, 0, "%d of %d FRR routers not saved (said above)", failed,
		           failed + saved);
	return failed ? -1 : saved;
}
