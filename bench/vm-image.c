/* vm-image: the guest initramfs bench/vm-boot.sh boots, made with the vm
 * backend's own writer (src/vm/initramfs.c): busybox with links for the
 * applets named, an /init script, /dev/console and /dev/null, and for a
 * kernel that needs them the modules of a directory with its load-order
 * file (scripts/vm-kernel.sh --debian makes both).
 *
 *   vm-image OUT INIT BUSYBOX MODULE_DIR|- APPLET...
 *
 * Built by vm-boot.sh with -Isrc and src/base; not part of vnetlab. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "vm/initramfs.h"

int main(int argc, char **argv)
{
	struct vl_initramfs *ir;
	struct vl_err err = {0};

	if (argc < 5) {
		fprintf(stderr, "usage: vm-image OUT INIT BUSYBOX MODULE_DIR|- APPLET...\n");
		return 2;
	}
	ir = vl_initramfs_new();
	vl_initramfs_file(ir, "init", argv[2], 0755);
	vl_initramfs_file(ir, "bin/busybox", argv[3], 0755);
	for (int i = 5; i < argc; i++) {
		cleanup_free char *p = vl_xasprintf("bin/%s", argv[i]);

		if (strcmp(argv[i], "busybox") != 0)
			vl_initramfs_link(ir, p, "busybox");
	}
	vl_initramfs_link(ir, "sbin", "bin");
	vl_initramfs_dir(ir, "dev", 0755);
	vl_initramfs_node(ir, "dev/console", S_IFCHR | 0600, 5, 1);
	vl_initramfs_node(ir, "dev/null", S_IFCHR | 0666, 1, 3);
	vl_initramfs_dir(ir, "proc", 0555);
	vl_initramfs_dir(ir, "sys", 0555);
	vl_initramfs_dir(ir, "tmp", 01777);
	if (strcmp(argv[4], "-") != 0) {
		struct dirent **names;
		int n = scandir(argv[4], &names, NULL, alphasort);

		if (n < 0) {
			perror(argv[4]);
			return 1;
		}
		vl_initramfs_dir(ir, "lib/modules", 0755);
		for (int i = 0; i < n; i++) {
			cleanup_free char *src = vl_xasprintf("%s/%s", argv[4], names[i]->d_name);
			cleanup_free char *dst = vl_xasprintf("lib/modules/%s", names[i]->d_name);

			if (names[i]->d_name[0] != '.')
				vl_initramfs_file(ir, dst, src, 0644);
			free(names[i]);
		}
		free(names);
	}
	if (vl_initramfs_write(ir, argv[1], &err) < 0) {
		fprintf(stderr, "vm-image: %s\n", err.msg);
		vl_initramfs_free(ir);
		return 1;
	}
	vl_initramfs_free(ir);
	return 0;
}
