/* Kernel choice, the KVM probe, and QEMU command lines (see qemu.h). */
#include "vm/qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024ull * 1024)

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A kernel directory of scripts/vm-kernel.sh: vmlinux (preferred: QEMU
 * boots its PVH entry, skipping the decompressor), else bzImage/vmlinuz. */
static int from_cache(const char *which, struct vl_vm_kernel *k)
{
	static const char *const images[] = {"vmlinux", "bzImage", "vmlinuz"};
	char dir[512], mods[600];

	snprintf(dir, sizeof(dir), "%s/%s", VL_VM_KERNEL_CACHE, which);
	for (size_t i = 0; i < VL_ARRAY_SIZE(images); i++) {
		snprintf(k->path, sizeof(k->path), "%s/%s", dir, images[i]);
		if (!is_file(k->path))
			continue;
		snprintf(mods, sizeof(mods), "%s/modules/load-order", dir);
		k->modules[0] = '\0';
		if (is_file(mods))
			snprintf(k->modules, sizeof(k->modules), "%s/modules", dir);
		snprintf(k->kind, sizeof(k->kind), "%s", which);
		return 0;
	}
	return -1;
}

int vl_vm_kernel_find(const char *want, struct vl_vm_kernel *k, struct vl_err *err)
{
	memset(k, 0, sizeof(*k));
	if (!want || !want[0]) {
		if (from_cache("small", k) == 0 || from_cache("debian", k) == 0)
			goto found;
		return vl_err_set(
		    err, ENOENT,
		    "no guest kernel for vm nodes: run `make vm-kernel` (a small "
		    "kernel from Debian's linux-source, about 6 minutes, the default) "
		    "or `scripts/vm-kernel.sh --debian` (Debian's own, unpacked), or "
		    "give --vm-kernel PATH");
	}
	if (!strcmp(want, "small") || !strcmp(want, "debian")) {
		if (from_cache(want, k) == 0)
			goto found;
		return vl_err_set(
		    err, ENOENT, "no %s guest kernel in %s: run %s", want, VL_VM_KERNEL_CACHE,
		    !strcmp(want, "small") ? "make vm-kernel" : "scripts/vm-kernel.sh --debian");
	}
	if (want[0] != '/' || strchr(want, ',') || strlen(want) >= sizeof(k->path))
		return vl_err_set(err, EINVAL,
		                  "--vm-kernel %s: expected small, debian or an absolute path "
		                  "(without commas)",
		                  want);
	if (!is_file(want))
		return vl_err_set(err, ENOENT, "--vm-kernel %s: not a regular file", want);
	snprintf(k->path, sizeof(k->path), "%s", want);
	snprintf(k->kind, sizeof(k->kind), "user");
	{
		char mods[PATH_MAX + 32], *slash;

		if (strlen(want) + 20 >= sizeof(k->modules))
			goto found;
		snprintf(mods, sizeof(mods), "%s", want);
		slash = strrchr(mods, '/');
		snprintf(slash + 1, sizeof(mods) - (size_t)(slash + 1 - mods),
		         "modules/load-order");
		if (is_file(mods)) {
			*strrchr(mods, '/') = '\0';
			memcpy(k->modules, mods, strlen(mods) + 1);
		}
	}
found:
	/* Measured: the small kernel boots our initramfs in 40 MiB, Debian's
	 * generic one needs 88-96 MiB (it loads its virtio modules first), and
	 * leaves 14 MiB of 96 to programs on the host's root: an MPI rank's
	 * pingpong is killed for memory there, and runs in 128 MiB. */
	k->min_ram = k->modules[0] || !strcmp(k->kind, "debian") ? 128 * MIB : 48 * MIB;
	/* a 16 MiB translation cache holds the small kernel's hot code, a
	 * generic kernel's needs 32 (else TCG keeps retranslating) */
	k->tb_mib = strcmp(k->kind, "small") ? 32 : 16;
	return 0;
}

int vl_vm_machine_parse(const char *s)
{
	if (!strcmp(s, "microvm"))
		return VL_VM_MICROVM;
	if (!strcmp(s, "q35"))
		return VL_VM_Q35;
	return -1;
}

const char *vl_vm_machine_name(enum vl_vm_machine m)
{
	return m == VL_VM_Q35 ? "q35" : "microvm";
}

unsigned long vl_vm_tsc_khz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256];
	double mhz = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "cpu MHz : %lf", &mhz) == 1 ||
		    sscanf(line, "cpu MHz\t: %lf", &mhz) == 1)
			break;
	fclose(f);
	return (unsigned long)(mhz * 1000);
}

/* Boot k under KVM with no root: a kernel that runs panics, and with
 * panic=-1 and -no-reboot QEMU then exits 0. A broken KVM makes QEMU
 * abort ("KVM internal error") or hang. */
static bool kvm_boots(const struct vl_vm_kernel *k, char *why, size_t len)
{
	extern char **environ;
	struct vl_argv a = {0};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = 0, r;
	double deadline = vl_now() + 30;

	vl_argv_addl(&a, VL_VM_QEMU, "-M", "microvm", "-accel", "kvm", "-cpu", "host", "-m", "128",
	             "-smp", "1", "-nodefaults", "-no-user-config", "-display", "none",
	             "-no-reboot", "-monitor", "none", "-kernel", k->path, "-append",
	             "panic=-1 rdinit=/none root=/dev/none", NULL);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, a.v[0], &fa, NULL, a.v, environ);
	posix_spawn_file_actions_destroy(&fa);
	vl_argv_free(&a);
	if (r != 0) {
		snprintf(why, len, "cannot run %s: %s", VL_VM_QEMU, strerror(r));
		return false;
	}
	while ((r = waitpid(pid, &status, WNOHANG)) == 0 && vl_now() < deadline)
		nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		snprintf(why, len, "a test boot under KVM did not finish in 30 s");
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	snprintf(why, len, "a test boot under KVM failed (QEMU %s %d)",
	         WIFEXITED(status) ? "exit" : "signal",
	         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return false;
}

bool vl_vm_use_kvm(const struct vl_vm_kernel *k, char *why, size_t len)
{
	const char *env = getenv("VNETLAB_VM_ACCEL");
	const char *cache = "/run/vnetlab-vm-accel";
	char *s = NULL;
	bool kvm;
	int fd;

	why[0] = '\0';
	if (env && (!strcmp(env, "kvm") || !strcmp(env, "tcg"))) {
		if (env[0] == 't')
			snprintf(why, len, "VNETLAB_VM_ACCEL=tcg");
		return env[0] == 'k';
	}
	if (vl_read_file(cache, &s, NULL, NULL) == 0) {
		s[strcspn(s, "\n")] = '\0';
		kvm = !strcmp(s, "kvm");
		if (!kvm)
			snprintf(why, len, "%s", strncmp(s, "tcg ", 4) ? s : s + 4);
		free(s);
		return kvm;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "cannot open /dev/kvm: %s", strerror(errno));
		kvm = false;
	} else {
		close(fd);
		if (access("/sys/module/kvm_pvm", F_OK) == 0) {
			snprintf(why, len,
			         "/dev/kvm is kvm_pvm, a paravirtual KVM that runs only kernels "
			         "built for it");
			kvm = false;
		} else {
			kvm = kvm_boots(k, why, len);
		}
	}
	{
		char line[320];

		snprintf(line, sizeof(line), "%s%s\n", kvm ? "kvm" : "tcg ", kvm ? "" : why);
		vl_write_file(cache, line, strlen(line), NULL);
	}
	return kvm;
}

void vl_vm_qemu_argv(const struct vl_vm_spec *s, struct vl_argv *a)
{
	bool micro = s->machine == VL_VM_MICROVM;

	vl_argv_addl(a, VL_VM_QEMU, "-name", s->name, "-M", NULL);
	if (s->mem_path) {
		vl_argv_addf(a, "%s,memory-backend=mem0", micro ? "microvm" : "q35");
		vl_argv_add(a, "-object");
		vl_argv_addf(a, "memory-backend-file,id=mem0,size=%lluM,mem-path=%s,share=%s",
		             (unsigned long long)(s->ram >> 20), s->mem_path,
		             s->mem_share ? "on" : "off");
	} else {
		vl_argv_add(a, micro ? "microvm" : "q35");
	}
	if (s->kvm) {
		vl_argv_addl(a, "-accel", "kvm", "-cpu", "host", NULL);
	} else {
		/* a small translation cache (QEMU's default is 1/4 of RAM,
		 * at least 32 MiB: most of a small guest's host memory);
		 * -cpu max keeps an idle TCG guest's ticks cheap */
		vl_argv_add(a, "-accel");
		vl_argv_addf(a, "tcg,tb-size=%u", s->kernel->tb_mib ? s->kernel->tb_mib : 16);
		vl_argv_addl(a, "-cpu", "max", NULL);
	}
	vl_argv_add(a, "-m");
	vl_argv_addf(a, "%lluM", (unsigned long long)(s->ram >> 20));
	vl_argv_add(a, "-smp");
	vl_argv_addf(a, "%u", s->vcpus ? s->vcpus : 1);
	vl_argv_addl(a, "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
	             "-monitor", "none", "-kernel", s->kernel->path, "-initrd", s->initrd,
	             "-append", s->cmdline, "-chardev", NULL);
	vl_argv_addf(a, "file,id=con,path=%s,append=on", s->console_log);
	vl_argv_addl(a, "-serial", "chardev:con", "-chardev", NULL);
	vl_argv_addf(a, "socket,id=ag,fd=%d", s->agent_fd);
	vl_argv_addl(a, "-device", micro ? "virtio-serial-device" : "virtio-serial-pci", "-device",
	             "virtserialport,chardev=ag,name=vnetlab.agent", NULL);
	if (s->qmp) {
		vl_argv_add(a, "-chardev");
		vl_argv_addf(a, "socket,id=qmp,fd=%d", s->qmp_fd);
		vl_argv_addl(a, "-mon", "chardev=qmp,mode=control", NULL);
	}
	if (s->incoming)
		vl_argv_addl(a, "-incoming", "defer", NULL);
	if (s->host_root) {
		/* multidevs=remap: the host's mounts below / keep their inode
		 * numbers apart in the guest */
		vl_argv_add(a, "-fsdev");
		vl_argv_addf(
		    a, "local,id=vlroot,path=%s,security_model=none,readonly=on,multidevs=remap",
		    s->root_dir);
		vl_argv_add(a, "-device");
		vl_argv_addf(a, "%s,fsdev=vlroot,mount_tag=vlroot",
		             micro ? "virtio-9p-device" : "virtio-9p-pci");
	}
	if (s->host_root && s->share_dir) {
		vl_argv_add(a, "-fsdev");
		vl_argv_addf(a, "local,id=vlshare,path=%s,security_model=mapped-file,multidevs=remap",
		             s->share_dir);
		vl_argv_add(a, "-device");
		vl_argv_addf(a, "%s,fsdev=vlshare,mount_tag=vlshare",
		             micro ? "virtio-9p-device" : "virtio-9p-pci");
	}
	for (size_t i = 0; i < s->n_taps; i++) {
		const uint8_t *m = s->macs[i];

		vl_argv_add(a, "-netdev");
		vl_argv_addf(a, "tap,id=n%zu,fd=%d", i, s->tap_fds[i]);
		vl_argv_add(a, "-device");
		vl_argv_addf(a, "%s,netdev=n%zu,mac=%02x:%02x:%02x:%02x:%02x:%02x%s",
		             micro ? "virtio-net-device" : "virtio-net-pci", i, m[0], m[1], m[2],
		             m[3], m[4], m[5], micro ? "" : ",romfile=");
	}
}
