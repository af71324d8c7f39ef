/* The lab's files, written at the start of `up`: its id, backend, cgroup
 * manager, which nodes are of another backend, logs/, and the files/ tmpfs
 * bound into the nodes (hosts, hostname/<node>). Touches only the lab's
 * directory. */
#include <errno.h>
#include <sys/mount.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/internal.h"
#include "lab/lab.h"
#include "sys/ns.h"

/* The lab's own files are root's (0600); those bound into nodes (files/)
 * are read there by every user (0644). */
static int write_lab_file(const char *lab, const char *rel, const char *text, struct vl_err *err)
{
	char path[PATH_MAX];

	vl_lab_path(lab, rel, path, sizeof(path));
	return vl_write_file_mode(
	    path, text, strlen(text),
	    strncmp(rel, VL_LAB_FILES "/", strlen(VL_LAB_FILES) + 1) ? 0600 : 0644, err);
}

/* One file per node, named after it, holding its name: its hostname. Many
 * thousands of them cost nothing on the files/ tmpfs. */
static int write_hostnames(const struct vl_plan *p, struct vl_err *err)
{
	char path[PATH_MAX], rel[PATH_MAX + 80];
	cleanup_close int dfd = -1;

	vl_lab_path(p->lab, VL_LAB_FILES "/hostname", path, sizeof(path));
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", path);
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return vl_err_sys(err, errno, "open %s", path);
	for (size_t i = 0; i < p->n_nodes; i++) {
		const char *name = p->nodes[i].name;
		size_t len = strlen(name);
		char line[80];
		cleanup_close int fd =
		    openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);

		snprintf(line, sizeof(line), "%s\n", name);
		if (fd < 0 || write(fd, line, len + 1) != (ssize_t)(len + 1)) {
			snprintf(rel, sizeof(rel), "%s/%s", path, name);
			return vl_err_sys(err, errno, "write %s", rel);
		}
	}
	return 0;
}

/* The lab's id, before any object that carries it (the management
 * bridge is the first): undo and clean act on nothing tagged without it. */
int vl_engine_write_id(const struct vl_plan *p, struct vl_err *err)
{
	return write_lab_file(p->lab, "id", p->id, err);
}

int vl_engine_write_files(struct engine *e, struct vl_err *err)
{
	const struct vl_plan *p = e->plan;
	char path[PATH_MAX];

	if (write_lab_file(p->lab, "backend", vl_backend_name(p->backend), err) < 0 ||
	    (e->cg && write_lab_file(p->lab, "cgroup", e->cg->name, err) < 0) ||
	    vl_node_write_backends(p, err) < 0)
		return -1;
	vl_lab_path(p->lab, "logs", path, sizeof(path));
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", path);
	/* The files bound into nodes live on a small tmpfs of the lab's, which
	 * the template mount namespace keeps, so nodes can bind from it: a
	 * page per file, and the hosts file. */
	vl_lab_path(p->lab, VL_LAB_FILES, path, sizeof(path));
	if (vl_journal_mount(&e->j, path, err) < 0 ||
	    vl_mount_private_dir(path, (p->n_nodes + 16) * 4096 + 2 * strlen(p->hosts), 0755, err) <
	        0 ||
	    write_lab_file(p->lab, VL_LAB_FILES "/hosts", p->hosts, err) < 0)
		return -1;
	if (write_hostnames(p, err) < 0)
		return -1;
	/* the nodes' /tmp: a directory each on one tmpfs of the lab's */
	vl_lab_path(p->lab, VL_LAB_TMP, path, sizeof(path));
	if (vl_journal_mount(&e->j, path, err) < 0)
		return -1;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", path);
	if (mount("vnetlab", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0 ||
	    mount(NULL, path, NULL, MS_PRIVATE, NULL) < 0)
		return vl_err_sys(err, errno, "mount tmpfs on %s", path);
	for (size_t i = 0; i < p->n_nodes; i++) {
		char dir[PATH_MAX];

		if (snprintf(dir, sizeof(dir), "%s/%s", path, p->nodes[i].name) >=
		        (int)sizeof(dir) ||
		    mkdir(dir, 01777) < 0 || chmod(dir, 01777) < 0)
			return vl_err_sys(err, errno, "mkdir %s", dir);
	}
	return 0;
}
