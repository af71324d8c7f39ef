/* What a guest sees of the host's root over 9p: the host's / as it is,
 * but for its secrets and vnetlab's own state, each covered by an empty
 * read-only directory (a tmpfs) or an empty read-only file:
 *   directories  /root /home /run /tmp /var/tmp /proc /sys /dev /var/log
 *                /var/backups /var/cache/vnetlab /etc/ssl/private
 *                /etc/letsencrypt, and the template cache
 *   files        /etc/shadow- /etc/gshadow- (backups),
 *                /etc/security/opasswd, /etc/krb5.keytab,
 *                /etc/ssh/ssh_host_*_key (the public keys stay)
 * and /etc/shadow, /etc/gshadow shown with their accounts but every
 * password "*" ("!" where locked), a copy on the stage.
 * A guest has its own /proc, /sys, /dev, /run and /tmp (its agent mounts
 * them over the host's), and the lab's data directory is a 9p export of
 * its own. Paths given as exports are shown anyway (read-only, like the
 * rest). A hidden path that is a symlink is covered where it leads.
 *
 * Built in a mount namespace of the caller's own (the process that then
 * runs QEMU): a tmpfs on stage, the host's / bound recursively at
 * stage/r (VL_VM_VIEW_ROOT), the covers and exports mounted there. QEMU
 * itself keeps seeing the host's / whole (its kernel, initramfs, console
 * log and template RAM are there), and serves stage/r.
 *
 * Touches: the mounts of the caller's new mount namespace only; nothing
 * of the host's (a missing mount point under a cover is made in the
 * cover's tmpfs). */
#ifndef VL_VM_VIEW_H
#define VL_VM_VIEW_H

#include <stddef.h>

#include "base/err.h"

/* The view's root, below the stage directory. */
#define VL_VM_VIEW_ROOT "r"

struct vl_vm_view {
	const char *stage;          /* an empty directory of ours */
	const char *const *exports; /* absolute host paths shown although hidden */
	size_t n_exports;
};

/* In a process about to run QEMU (single-threaded): a mount namespace of
 * its own, the view at stage/VL_VM_VIEW_ROOT. */
int vl_vm_view_make(const struct vl_vm_view *v, struct vl_err *err);

#endif
