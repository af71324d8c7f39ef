/* Guest templates: one guest per shape (kernel, initramfs, kernel command
 * line, machine, accelerator, vCPUs, RAM, interfaces, 9p exports, QEMU),
 * booted until its agent says it is ready and bare (no identity yet, no
 * 9p export mounted: a mounted one blocks migration), then stopped and
 * saved: its RAM stays in a file (memory-backend-file, share=on), its
 * device state is migrated into another (x-ignore-shared: RAM is not
 * copied). A clone maps the same RAM file privately (share=off: the
 * pages it does not write stay shared with every other clone, through
 * the page cache), loads the device state (-incoming defer), and runs on
 * from where the template stopped; its agent then gets its identity
 * (SETUP). The RAM must never change under a clone: a template is made in
 * a directory of its own and renamed into place once complete, and is
 * only ever removed whole.
 *
 * The cache: VL_VM_TEMPLATES (VNETLAB_VM_TEMPLATES overrides), a directory
 * per template named by the SHA-256 of its shape, each holding
 *   ram      the guest's memory      state    its device state
 *   info     the shape, as hashed    console  the template guest's console
 * Templates live in tmpfs (/dev/shm): they are memory, and go with a
 * reboot.
 *
 * Touches: the cache directory; a template's QEMU runs in a network
 * namespace of its own with TAPs of its own, gone when it exits. */
#ifndef VL_VM_TEMPLATE_H
#define VL_VM_TEMPLATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "vm/qemu.h"

#define VL_VM_TEMPLATES "/dev/shm/vnetlab-templates"

struct vl_vm_template {
	char key[65];
	char dir[PATH_MAX];
	char ram[PATH_MAX + 8];
	char state[PATH_MAX + 8];
	bool made;     /* made by this call (else found in the cache) */
	double boot_s; /* when made: from QEMU's start to the agent's READY */
	double save_s; /* and the save */
};

/* The cache directory. */
const char *vl_vm_templates_dir(void);

/* The MAC address interface j of every template (and so every clone, until
 * its agent sets its own) has: locally administered, 0a:76:6c:00:00:j. */
void vl_vm_template_mac(size_t j, uint8_t mac[6]);

/* The template for a guest of shape s (its kernel, initrd, cmdline,
 * machine, accelerator, vcpus, ram, host_root, n_taps; the rest of s is
 * ignored): found in the cache, or made now, booting it for at most
 * timeout seconds. Two callers asking for one shape at once make it once. */
int vl_vm_template_get(const struct vl_vm_spec *s, double timeout, struct vl_vm_template *t,
                       struct vl_err *err);

/* The spec of a clone of t: s with t's RAM file mapped privately, QMP on
 * qmp_fd, -incoming defer, and the template's MAC addresses (macs: room
 * for s->n_taps). */
void vl_vm_clone_spec(struct vl_vm_spec *s, const struct vl_vm_template *t, int qmp_fd,
                      uint8_t (*macs)[6]);

/* The cache, a line each: "KEY BYTES PATH" for a template, "unfinished
 * BYTES PATH" for one whose maker is gone. Returns how many lines. */
int vl_vm_templates_list(char **list, struct vl_err *err);
/* Remove the unfinished ones, and with all every template (clones that
 * run keep their mapping of its RAM). */
int vl_vm_templates_remove(bool all, size_t *n, uint64_t *bytes, struct vl_err *err);

#endif
