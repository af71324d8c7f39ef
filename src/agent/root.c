/* The guest's root on the host's: with vl.root=9p on the kernel command
 * line, the host's / (exported read-only by QEMU over virtio-9p, tag
 * "vlroot") becomes the lower layer of an overlay whose upper layer is a
 * tmpfs of the guest's own, so that the host's programs run unmodified and
 * a guest's writes reach neither the host nor another guest. What the
 * host shows of its / is the view of vm/view.h: its secrets and vnetlab's
 * state are covered. The lab's data directory (tag "vlshare", read-write)
 * is mounted at its host path (vl.share=PATH, in the guest's own /run), so
 * paths the host gives a workload there mean the same in the guest; the
 * rest of the lab's directory is the host's alone. The initramfs's
 * /etc/hosts (the lab's names) and its programs (/usr/bin: the built-in
 * workloads) are kept: the first copied into the new /etc, the second
 * bound at AG_GUEST_BIN, which PATH ends with; its busybox at
 * AG_GUEST_BUSYBOX, whose poweroff, reboot and halt (which signal PID 1)
 * replace the host's systemd ones.
 *
 * If anything fails the guest stays on its initramfs, with a note saying
 * why (the host's programs are then not there).
 *
 * Touches: as PID 1, the guest's mounts and root. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "base/util.h"

#define NEW     "/vl/root"
#define LOWER   "/vl/host"
#define RW      "/vl/rw"
#define P9_OPTS "trans=virtio,version=9p2000.L,msize=512000,access=any"

/* The value of key (as "key=value") on the command line, or NULL. */
static char *cmdline_value(const char *cmdline, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = cmdline; (p = strstr(p, key)); p += kl) {
		size_t n;

		if ((p != cmdline && p[-1] != ' ') || p[kl] != '=')
			continue;
		n = strcspn(p + kl + 1, " \t\n");
		if (n >= len)
			return NULL;
		memcpy(buf, p + kl + 1, n);
		buf[n] = '\0';
		return buf;
	}
	return NULL;
}

static int mkdirs(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(tmp, mode) < 0 && errno != EEXIST ? -1 : 0;
}

static int do_mount(const char *src, const char *dir, const char *type, unsigned long flags,
                    const char *data, struct vl_err *err)
{
	if (mkdirs(dir, 0755) < 0)
		return vl_err_sys(err, errno, "mkdir %s", dir);
	if (mount(src, dir, type, flags, data) < 0)
		return vl_err_sys(err, errno, "mount %s (%s) on %s", src, type ? type : "bind",
		                  dir);
	return 0;
}

/* The initramfs's file at path, copied to the new root's. */
static int keep_file(const char *path, struct vl_err *err)
{
	cleanup_free char *data = NULL, *dst = vl_xasprintf(NEW "%s", path);
	size_t len;

	if (vl_read_file(path, &data, &len, err) < 0)
		return -1;
	unlink(dst); /* a symlink into the host's tree must not be written through */
	return vl_write_file(dst, data, len, err);
}

static int build_root(const char *share, struct vl_err *err)
{
	static const char *const moved[] = {"/dev", "/proc", "/sys", "/run", "/tmp"};
	static const char *const power[] = {"poweroff", "reboot", "halt"};
	static const struct {
		const char *path;
		mode_t mode;
	} run_dirs[] = {{"/run/sshd", 0755}, {"/run/lock", 01777}, {"/run/user", 0755}};
	cleanup_free char *sharedir = NULL;

	if (do_mount("vlroot", LOWER, "9p", MS_RDONLY, P9_OPTS ",cache=loose", err) < 0 ||
	    do_mount("tmpfs", RW, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", err) < 0)
		return -1;
	if (mkdirs(RW "/upper", 0755) < 0 || mkdirs(RW "/work", 0755) < 0)
		return vl_err_sys(err, errno, "mkdir " RW "/upper");
	if (do_mount("overlay", NEW, "overlay", 0,
	             "lowerdir=" LOWER ",upperdir=" RW "/upper,workdir=" RW "/work", err) < 0)
		return -1;
	for (size_t i = 0; i < VL_ARRAY_SIZE(moved); i++) {
		cleanup_free char *dst = vl_xasprintf(NEW "%s", moved[i]);

		if (do_mount(moved[i], dst, NULL, MS_MOVE, NULL, err) < 0)
			return -1;
	}
	/* the initramfs's programs, after the host's on PATH; its busybox */
	if (do_mount("/usr/bin", NEW AG_GUEST_BIN, NULL, MS_BIND, NULL, err) < 0 ||
	    do_mount("/bin", NEW AG_GUEST_BUSYBOX, NULL, MS_BIND, NULL, err) < 0)
		return -1;
	/* power off as the agent (PID 1) understands it, not systemd's way */
	for (size_t i = 0; i < VL_ARRAY_SIZE(power); i++) {
		cleanup_free char *dst = vl_xasprintf(NEW "/usr/sbin/%s", power[i]);

		unlink(dst);
		if (symlink(AG_GUEST_BUSYBOX "/busybox", dst) < 0)
			return vl_err_sys(err, errno, "symlink %s", dst);
	}
	if (share) {
		sharedir = vl_xasprintf(NEW "%s", share);
		if (do_mount("vlshare", sharedir, "9p", MS_NOSUID | MS_NODEV, P9_OPTS ",cache=none",
		             err) < 0)
			return -1;
	}
	/* what the host's tmpfiles.d make in its /run at boot and the host's
	 * daemons expect (sshd refuses to start without its privilege
	 * separation directory) */
	for (size_t i = 0; i < VL_ARRAY_SIZE(run_dirs); i++) {
		cleanup_free char *d = vl_xasprintf(NEW "%s", run_dirs[i].path);

		if (mkdirs(d, run_dirs[i].mode) < 0 || chmod(d, run_dirs[i].mode) < 0)
			return vl_err_sys(err, errno, "mkdir %s", d);
	}
	if (keep_file("/etc/hosts", err) < 0)
		return -1;
	return 0;
}

void ag_root_setup(const char *cmdline)
{
	char root[16], share[PATH_MAX];
	const char *sharep;
	struct vl_err err;

	if (!cmdline_value(cmdline, "vl.root", root, sizeof(root)) || strcmp(root, "9p"))
		return;
	sharep = cmdline_value(cmdline, "vl.share", share, sizeof(share));
	if (sharep && (sharep[0] != '/' || strstr(sharep, "..")))
		sharep = NULL;
	if (build_root(sharep, &err) < 0) {
		ag_note("the host's root: %s (the guest keeps its initramfs)", err.msg);
		return;
	}
	/* switch_root: the new root over the initramfs, which stays (the
	 * agent runs from it, and AG_GUEST_BIN is bound from it) */
	if (chdir(NEW) < 0 || mount(NEW, "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0) {
		ag_note("switch to the host's root: %s", strerror(errno));
		return;
	}
	ag.host_root = true;
}
