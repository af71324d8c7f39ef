/* The node backends' registry (node.h): which table serves a node, finding
 * a node of a running lab, and the entry points every caller uses to run a
 * program in a node. Touches nothing itself: the tables do. */
#include "node/node.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "lab/lab.h"

/* Every backend, by enum vl_backend. */
static const struct vl_node_backend *const backends[] = {
    [VL_BACKEND_NS] = &vl_node_ns,
    [VL_BACKEND_PROC] = &vl_node_proc,
    [VL_BACKEND_VM] = &vl_node_vm,
};

const struct vl_node_backend *vl_node_backend_for(enum vl_backend b)
{
	return (size_t)b < VL_ARRAY_SIZE(backends) ? backends[b] : &vl_node_ns;
}

const struct vl_node_backend *vl_node_backend_of(const struct vl_plan *p, size_t i)
{
	if (p->nodes[i].res.vm)
		return &vl_node_vm;
	return p->backend == VL_BACKEND_PROC ? &vl_node_proc : &vl_node_ns;
}

const struct vl_node_backend *vl_node_backend_named(const char *name)
{
	for (size_t b = 0; name && b < VL_ARRAY_SIZE(backends); b++)
		if (!strcmp(backends[b]->name, name))
			return backends[b];
	return NULL;
}

int vl_node_clean(bool dry_run, bool caches, void (*say)(bool removed, const char *what, void *),
                  void *data, struct vl_err *err)
{
	int r = 0;

	for (size_t b = 0; b < VL_ARRAY_SIZE(backends); b++)
		if (backends[b]->clean &&
		    backends[b]->clean(dry_run, caches, say, data, r ? NULL : err) < 0)
			r = -1;
	return r;
}

/* The lab's nodes of another backend than its own, "NODE BACKEND" a line:
 * what the plan said of each node, kept for the commands that come later. */
int vl_node_write_backends(const struct vl_plan *p, struct vl_err *err)
{
	const struct vl_node_backend *lab_be = vl_node_backend_for(p->backend);
	struct vl_buf b = {0};
	char path[PATH_MAX];
	int r;

	for (size_t i = 0; i < p->n_nodes; i++)
		if (vl_node_backend_of(p, i) != lab_be)
			vl_buf_printf(&b, "%s %s\n", p->nodes[i].name,
			              vl_node_backend_of(p, i)->name);
	vl_lab_path(p->lab, "backends", path, sizeof(path));
	r = vl_write_file_mode(path, b.s ? b.s : "", b.len, 0600, err);
	vl_buf_free(&b);
	return r;
}

static int node_exception(const char *lab, const char *node, const struct vl_node_backend **be,
                          struct vl_err *err)
{
	cleanup_free char *s = NULL;
	char path[PATH_MAX], *line, *save = NULL;
	size_t len = strlen(node);

	vl_lab_path(lab, "backends", path, sizeof(path));
	if (vl_read_file(path, &s, NULL, NULL) < 0)
		return 0;
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, node, len) || line[len] != ' ')
			continue;
		if (!(*be = vl_node_backend_named(line + len + 1)))
			return vl_err_set(err, EINVAL, "%s: node %s: no backend \"%s\"", path, node,
			                  line + len + 1);
		return 0;
	}
	return 0;
}

int vl_node_find(const char *lab, const char *node, struct vl_node_ref *ref, struct vl_err *err)
{
	char path[PATH_MAX];
	const char *why;
	int b;

	memset(ref, 0, sizeof(*ref));
	if ((why = vl_name_invalid(lab)))
		return vl_err_set(err, EINVAL, "lab name \"%s\" %s", lab, why);
	if ((why = vl_name_invalid(node)))
		return vl_err_set(err, EINVAL, "node name \"%s\" %s", node, why);
	if (!vl_lab_exists(lab))
		return vl_err_set(err, ENOENT, "no lab named %s", lab);
	vl_lab_pathf(lab, path, sizeof(path), "ns/%s.mnt", node);
	if (access(path, F_OK) < 0)
		return vl_err_set(err, ENOENT, "lab %s has no node %s", lab, node);
	if (vl_lab_own_id(lab, ref->id, err) < 0 || (b = vl_lab_backend(lab, err)) < 0)
		return -1;
	snprintf(ref->lab, sizeof(ref->lab), "%s", lab);
	snprintf(ref->node, sizeof(ref->node), "%s", node);
	ref->be = vl_node_backend_for((enum vl_backend)b);
	return node_exception(lab, node, &ref->be, err);
}

void vl_node_host(struct vl_node_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	snprintf(ref->node, sizeof(ref->node), "host");
	ref->be = &vl_node_proc;
}

int vl_node_spawn(const struct vl_node_ref *n, const struct vl_spawn *s, struct vl_child *c,
                  struct vl_err *err)
{
	memset(c, 0, sizeof(*c));
	c->ru_fd = -1;
	if (s->tty && s->how != VL_SPAWN_REPLACE)
		return vl_err_set(err, EINVAL, "a pseudo-terminal only for a program run in place");
	return n->be->spawn(n, s, c, err);
}

pid_t vl_child_reap(struct vl_child *c, int options, int *status, struct rusage *ru)
{
	struct rusage own;
	pid_t r;

	if (!ru)
		ru = &own;
	while ((r = wait4(c->pid, status, options, ru)) < 0 && errno == EINTR)
		;
	if (r != c->pid)
		return r;
	if (c->ru_fd >= 0) {
		/* a guest's command: its own rusage, as the guest counted it */
		uint64_t g[3];

		memset(ru, 0, sizeof(*ru));
		if (read(c->ru_fd, g, sizeof(g)) == (ssize_t)sizeof(g)) {
			ru->ru_utime.tv_sec = (time_t)(g[0] / 1000000);
			ru->ru_utime.tv_usec = (suseconds_t)(g[0] % 1000000);
			ru->ru_stime.tv_sec = (time_t)(g[1] / 1000000);
			ru->ru_stime.tv_usec = (suseconds_t)(g[1] % 1000000);
			ru->ru_maxrss = (long)g[2];
		}
		close(c->ru_fd);
		c->ru_fd = -1;
	}
	return r;
}
