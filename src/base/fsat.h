/* Files beneath a directory descriptor, with no symbolic link followed on
 * any component: for what root reads and writes in places a node, a guest
 * or another user can write (a router's /etc/frr, the lab's directory, a
 * lab's output directory). openat2(2) with RESOLVE_NO_SYMLINKS |
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS where the kernel has it, else
 * each component opened with O_NOFOLLOW from the one before. Paths
 * beneath a descriptor are relative, without "..": an absolute path or a
 * ".." is refused, as is a symbolic link anywhere, with a message naming
 * the component and what it is. A file is a regular file (a FIFO, device,
 * socket or directory is refused, and never opened for reading or
 * writing); a directory a directory. Every descriptor is O_CLOEXEC.
 * Pure user space: touches only the files it is asked to. */
#ifndef VL_BASE_FSAT_H
#define VL_BASE_FSAT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/err.h"

/* For the tests: resolve by walking components even where the kernel has
 * openat2. */
extern bool vl_fsat_walk_only;

/* The directory at path (absolute, or relative to the working directory),
 * with no symbolic link on any component of it: an O_RDONLY|O_DIRECTORY
 * descriptor, for the other calls and for fsync. */
int vl_dir_open(const char *path, struct vl_err *err);
/* The directory rel beneath dirfd ("." is dirfd's own), likewise. */
int vl_at_dir(int dirfd, const char *rel, struct vl_err *err);
/* Make directory rel beneath dirfd with mode (its parent must exist), or
 * take the directory already there; opened as vl_at_dir. */
int vl_at_mkdir(int dirfd, const char *rel, mode_t mode, struct vl_err *err);
/* An existing regular file: flags among O_RDONLY, O_WRONLY, O_RDWR,
 * O_APPEND, O_NONBLOCK (not O_CREAT or O_TRUNC). Anything else there is
 * looked at (O_PATH), not opened. */
int vl_at_open(int dirfd, const char *rel, int flags, struct vl_err *err);
/* A new regular file (O_CREAT|O_EXCL: refused if anything has its name),
 * opened with flags (O_WRONLY, O_RDWR, O_APPEND), its mode exactly mode. */
int vl_at_create(int dirfd, const char *rel, int flags, mode_t mode, struct vl_err *err);
/* A whole regular file of at most max bytes, NUL-terminated, into *out
 * (the caller's to free); *len its length and *st its stat, if not NULL. */
int vl_at_read(int dirfd, const char *rel, size_t max, char **out, size_t *len, struct stat *st,
               struct vl_err *err);
/* Write a whole file atomically: a new temporary file beside it with mode
 * (exactly), written, fsync'd and renamed over rel, the directory fsync'd.
 * Refused if rel names anything but a regular file (a symbolic link there
 * is named, never written through nor replaced). */
int vl_at_write(int dirfd, const char *rel, const void *data, size_t len, mode_t mode,
                struct vl_err *err);

#endif
