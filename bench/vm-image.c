/* vm-image: the guest initramfs bench/vm-boot.sh boots, made by the vm
 * backend's own image writer (src/vm/image.c, the one `up` uses) with a
 * throwaway /init in place of the agent, and for a kernel that needs them
 * the modules of a directory with its load-order file (scripts/vm-kernel.sh
 * --debian makes both).
 *
 *   vm-image OUT INIT BUSYBOX MODULE_DIR|-
 *
 * Built by vm-boot.sh with -Isrc and src/base; not part of vnetlab. */
#include <stdio.h>
#include <string.h>

#include "vm/image.h"

int main(int argc, char **argv)
{
	struct vl_err err = {0};
	struct vl_vm_image im = {0};

	if (argc != 5) {
		fprintf(stderr, "usage: vm-image OUT INIT BUSYBOX MODULE_DIR|-\n");
		return 2;
	}
	im.agent = argv[2];
	im.busybox = argv[3];
	im.modules = strcmp(argv[4], "-") ? argv[4] : NULL;
	im.hosts = "127.0.0.1\tlocalhost\n";
	if (vl_vm_image_write(argv[1], &im, &err) < 0) {
		fprintf(stderr, "vm-image: %s\n", err.msg);
		return 1;
	}
	return 0;
}
