/* What a guest boots and how: the kernel (the small one of `make
 * vm-kernel`, Debian's unpacked one, or the user's), the accelerator (KVM
 * where a test boot works, else TCG), and QEMU's command line for a guest
 * whose devices are file descriptors it inherits. No guest is run here
 * but the KVM probe's. */
#ifndef VL_VM_QEMU_H
#define VL_VM_QEMU_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/util.h"

#define VL_VM_KERNEL_CACHE "/var/cache/vnetlab/vm-kernel"
#define VL_VM_QEMU         "qemu-system-x86_64"

struct vl_vm_kernel {
	char path[PATH_MAX];    /* vmlinux (PVH entry) or bzImage */
	char modules[PATH_MAX]; /* a directory with load-order and its modules, "" none */
	char kind[16];          /* "small", "debian", "user" */
	uint64_t min_ram;       /* bytes the kernel needs to boot our initramfs */
	unsigned tb_mib;        /* TCG's translation cache for it, MiB */
};

/* want: NULL or "" (the default: the small kernel if built, else Debian's),
 * "small", "debian", or a path to a kernel image (a "modules" directory
 * beside it is used if it has a load-order file). */
int vl_vm_kernel_find(const char *want, struct vl_vm_kernel *k, struct vl_err *err);

enum vl_vm_machine { VL_VM_MICROVM, VL_VM_Q35 };
int vl_vm_machine_parse(const char *s); /* -1 if neither */
const char *vl_vm_machine_name(enum vl_vm_machine m);

/* KVM or TCG, decided once per host boot and remembered in
 * /run/vnetlab-vm-accel: TCG if /dev/kvm cannot be opened, is a
 * paravirtual KVM (kvm_pvm) that runs only its own kernels, or a test
 * boot of k under KVM fails. VNETLAB_VM_ACCEL=kvm|tcg overrides. why says
 * why TCG ("" for KVM). Returns true for KVM. */
bool vl_vm_use_kvm(const struct vl_vm_kernel *k, char *why, size_t len);

/* One guest's QEMU command line. Its devices are inherited fds: agent_fd
 * a connected stream socket (the virtio-serial port "vnetlab.agent"),
 * tap_fds[i] the TAPs of its interfaces, in order, with macs[i]. */
struct vl_vm_spec {
	const char *name;
	const struct vl_vm_kernel *kernel;
	const char *initrd;
	const char *cmdline;
	const char *console_log; /* the serial console, appended to */
	enum vl_vm_machine machine;
	bool kvm;
	unsigned vcpus;
	uint64_t ram; /* bytes */
	int agent_fd;
	/* virtio-9p exports QEMU serves itself, or none: root_dir read-only
	 * (tag vlroot: the guest's view of the host's root, vm/view.h) and
	 * share_dir read-write (tag vlshare: the lab's data directory), the
	 * latter with security_model=mapped-file: what a guest makes there is
	 * a plain file (or directory) of root's, mode 0600 (0700), on the
	 * host, its owner, mode, type (symlink, device) and link target kept
	 * in .virtfs_metadata files that guests do not see; so the host finds
	 * no symlink, set-user-ID program or device of a guest's there, and
	 * guests see no symlink of the host's; paths without commas */
	bool host_root;
	const char *root_dir, *share_dir;
	size_t n_taps;
	const int *tap_fds;
	const uint8_t (*macs)[6];
	/* Templates and clones (vm/template.h): the guest's RAM in mem_path,
	 * mapped shared (a template's: its writes reach the file) or private
	 * (a clone's: pages it writes are its own copies); QMP on qmp_fd (a
	 * connected stream socket) when qmp; incoming: wait for QMP's
	 * migrate-incoming (-incoming defer). */
	const char *mem_path; /* NULL: anonymous RAM */
	bool mem_share;
	bool qmp;
	int qmp_fd;
	bool incoming;
};
void vl_vm_qemu_argv(const struct vl_vm_spec *s, struct vl_argv *a);

/* The host's TSC in kHz (a microvm guest must be told, or it hangs
 * calibrating under TCG); 0 if unknown. */
unsigned long vl_vm_tsc_khz(void);

#endif
