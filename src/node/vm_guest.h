/* The vm backend's private header (src/node/vm.c and vm_guest.c only):
 * what a lab's guests share, and who each guest is. */
#ifndef VL_NODE_VM_GUEST_H
#define VL_NODE_VM_GUEST_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"
#include "node/node.h"
#include "vm/qemu.h"
#include "vm/template.h"

/* A shape of guest (vm/template.h) the lab has, and its template. */
#define VM_MAX_SHAPES 32
struct vm_shape {
	uint64_t ram;
	unsigned vcpus;
	size_t n_ifs;
	bool cloned; /* its template could be made: its guests are its clones */
	struct vl_vm_template t;
};

/* What every guest of a lab boots: kernel, accelerator, image, the
 * kernel command line (the same for all: a guest's identity comes by
 * SETUP), and the templates its guests are cloned from. */
struct vl_vm_lab {
	struct vl_vm_kernel kernel;
	enum vl_vm_machine machine;
	bool kvm;
	char why_tcg[256];
	char image[PATH_MAX];
	char cmdline[1024];
	/* the guests' 9p exports: their view of the host's root, built on
	 * stage (vm/view.h) with exports shown, and the lab's data directory */
	char stage[PATH_MAX], root[PATH_MAX + 8], share[PATH_MAX];
	const char *const *exports;
	size_t n_exports;
	struct vm_shape shapes[VM_MAX_SHAPES];
	size_t n_shapes;
	int go[2]; /* the start barrier (vm/vmd.h): the write end closed in wait() */
};

/* Interface j's MAC address in node i's guest. */
void vl_vmg_mac(const struct vl_plan *p, size_t node, size_t j, uint8_t mac[6]);
/* The guest's RAM (whole MiB; at least its kernel's minimum if vl) and vCPUs. */
uint64_t vl_vmg_ram(const struct vl_plan_node *n, const struct vl_vm_lab *vl);
unsigned vl_vmg_vcpus(const struct vl_plan_node *n);
/* Guests run on the host's root (read-only, over virtio-9p, under a
 * private tmpfs layer) unless VNETLAB_VM_HOST_ROOT=0 keeps them on their
 * initramfs alone. */
bool vl_vmg_host_root(void);

/* vl->cmdline, the kernel command line of every guest of the lab. */
void vl_vmg_cmdline(struct vl_vm_lab *vl);
/* The guest of node n as a QEMU spec (its shape: kernel, image, command
 * line, machine, vcpus, ram, 9p exports, interfaces), without its fds. */
void vl_vmg_spec(const struct vl_vm_lab *vl, const struct vl_plan_node *n, struct vl_vm_spec *s);
/* The shapes of the lab's guests, each with its template found or made
 * (unless cloning is off); a shape whose template cannot be made boots
 * its guests, and is said on stderr with the reason. */
void vl_vmg_templates(const struct vl_node_lab *l, struct vl_vm_lab *vl);
/* Node n's shape, or NULL if it has none with a template. */
const struct vm_shape *vl_vmg_shape(const struct vl_vm_lab *vl, const struct vl_plan_node *n);
/* Node i's identity, SETUP's settings: hostname, the host's root and the
 * lab's data directory, forwarding, interfaces (found by the template's MAC
 * addresses if cloned, else by their own) and routes. */
int vl_vmg_settings(const struct vl_plan *p, size_t i, bool cloned, struct vl_buf *b,
                    struct vl_err *err);

#endif
