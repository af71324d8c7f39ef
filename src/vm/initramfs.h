/* A guest's initramfs, written directly as a "newc" cpio archive (the
 * format the kernel unpacks into its root file system), uncompressed: no
 * cpio program at run time. Entries are collected first, then written in
 * the order they were added, every missing parent directory before its
 * children; regular files are copied from host paths only while writing.
 *
 * The adders never fail loudly: a bad entry (invalid path, a duplicate,
 * a mode that does not fit) returns -1 and is remembered, and
 * vl_initramfs_write() then fails with the first such error, so a caller
 * can add a whole image and check once.
 *
 * Paths in the archive are relative to its root: "/bin/sh" and "bin/sh"
 * are the same entry; "", ".", ".." and empty components are refused.
 * Every entry is owned by root:root with mtime 0, so the same inputs give
 * the same bytes. */
#ifndef VL_VM_INITRAMFS_H
#define VL_VM_INITRAMFS_H

#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"

struct vl_initramfs;

struct vl_initramfs *vl_initramfs_new(void);
void vl_initramfs_free(struct vl_initramfs *ir);

/* A directory with permission bits mode (e.g. 0755). A directory that was
 * only implied by a child so far takes this mode. */
int vl_initramfs_dir(struct vl_initramfs *ir, const char *path, mode_t mode);
/* A regular file copied from host_path when the archive is written, with
 * permission bits mode (e.g. 0755 for a program). */
int vl_initramfs_file(struct vl_initramfs *ir, const char *path, const char *host_path,
                      mode_t mode);
/* A regular file with the given contents (copied now). */
int vl_initramfs_data(struct vl_initramfs *ir, const char *path, const void *data, size_t len,
                      mode_t mode);
/* A symbolic link to target (kept as given: relative or absolute). */
int vl_initramfs_link(struct vl_initramfs *ir, const char *path, const char *target);
/* A device node or FIFO: mode is S_IFCHR, S_IFBLK or S_IFIFO with
 * permission bits, e.g. vl_initramfs_node(ir, "dev/console", S_IFCHR |
 * 0600, 5, 1). */
int vl_initramfs_node(struct vl_initramfs *ir, const char *path, mode_t mode, unsigned major,
                      unsigned minor);

/* Write the archive to out (atomically: a temporary file beside it, then
 * rename; mode 0644), or to an open fd. */
int vl_initramfs_write(struct vl_initramfs *ir, const char *out, struct vl_err *err);
int vl_initramfs_write_fd(struct vl_initramfs *ir, int fd, struct vl_err *err);

#endif
