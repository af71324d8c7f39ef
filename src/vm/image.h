/* A lab's guest initramfs: our agent as /init, busybox with links for its
 * common applets, the lab's /etc/hosts, a root user, the kernel's modules
 * (with their load-order) when it needs them, and the programs the study
 * runs in guests (static builds carried in), and any other programs asked
 * for with their shared libraries. One image serves every
 * guest of a lab; each guest's identity comes from its command line. */
#ifndef VL_VM_IMAGE_H
#define VL_VM_IMAGE_H

#include <stddef.h>

#include "base/err.h"

#define VL_VM_BUSYBOX "/bin/busybox" /* Debian's busybox-static */

struct vl_vm_image {
	const char *agent;   /* vnetlab-agent (static) */
	const char *busybox; /* a static busybox */
	const char *modules; /* a directory with load-order, or NULL */
	const char *hosts;   /* /etc/hosts's text */
	/* Extra static programs, put in /usr/bin under their base names. */
	const char *const *programs;
	size_t n_programs;
	/* Dynamic programs, carried at their own paths with the shared
	 * libraries and loader they need (as ldd finds them). */
	const char *const *carry;
	size_t n_carry;
};

int vl_vm_image_write(const char *out, const struct vl_vm_image *im, struct vl_err *err);

#endif
