/* vm nodes (see node.h): the lab's guest image, each guest's supervisor
 * started inside its node, waiting for the guests' agents, and connecting
 * to one. The node's namespaces are made by the ns backend; the engine
 * adds the TAPs and their redirects while it wires the node. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/lab.h"
#include "node/common.h"
#include "sys/cgroup.h"
#include "sys/tap.h"
#include "vm/client.h"
#include "vm/image.h"
#include "vm/qemu.h"
#include "vm/vmd.h"

struct vl_vm_lab {
	struct vl_vm_kernel kernel;
	enum vl_vm_machine machine;
	bool kvm;
	char why_tcg[256];
	char image[PATH_MAX];
	unsigned long tsc_khz;
};

void vl_node_vm_tap_name(size_t j, char buf[16])
{
	snprintf(buf, 16, "vt%zu", j);
}

void vl_node_vm_mac(const struct vl_plan *p, size_t node, size_t j, uint8_t mac[6])
{
	unsigned long id = strtoul(p->id, NULL, 16);

	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = (uint8_t)(id >> 8);
	mac[2] = (uint8_t)id;
	mac[3] = (uint8_t)(node >> 8);
	mac[4] = (uint8_t)node;
	mac[5] = (uint8_t)j;
}

uint64_t vl_node_vm_ram(const struct vl_plan_node *n)
{
	uint64_t ram = n->res.memory ? n->res.memory : VL_VM_DEFAULT_RAM;

	return ram & ~((1ull << 20) - 1);
}

unsigned vl_node_vm_vcpus(const struct vl_plan_node *n)
{
	unsigned v = n->res.cpus > 0 ? (unsigned)(n->res.cpus + 0.999) : 1;

	return v ? v : 1;
}

int vl_node_vm_prepare(const struct vl_plan *p, const char *want_kernel, const char *machine,
                       const char *const *programs, size_t n_programs, struct vl_vm_lab **out,
                       struct vl_err *err)
{
	struct vl_vm_lab *vl = vl_xcalloc(1, sizeof(*vl));
	char agent[PATH_MAX], work[PATH_MAX], dir[PATH_MAX], info[1024];
	const char *statics[1];
	struct vl_vm_image im = {.busybox = VL_VM_BUSYBOX,
	                         .hosts = p->hosts,
	                         .programs = statics,
	                         .carry = programs,
	                         .n_carry = n_programs};
	int m;

	if (!want_kernel)
		want_kernel = getenv("VNETLAB_VM_KERNEL");
	if (!machine)
		machine = getenv("VNETLAB_VM_MACHINE");
	if (vl_vm_kernel_find(want_kernel, &vl->kernel, err) < 0)
		goto fail;
	if (machine && (m = vl_vm_machine_parse(machine)) < 0) {
		vl_err_set(err, EINVAL, "--vm-machine %s: expected microvm or q35", machine);
		goto fail;
	}
	if (access("/usr/bin/" VL_VM_QEMU, X_OK) < 0 &&
	    access("/usr/local/bin/" VL_VM_QEMU, X_OK) < 0) {
		vl_err_set(err, ENOENT, "vm nodes need %s (Debian package qemu-system-x86)",
		           VL_VM_QEMU);
		goto fail;
	}
	vl->kvm = vl_vm_use_kvm(&vl->kernel, vl->why_tcg, sizeof(vl->why_tcg));
	/* microvm boots fastest, but under TCG and overload a few of its
	 * guests lose their timer for good (measured: 11 of 50 booted at once
	 * here, their sleeps never return); q35's did not (0 of 50) */
	vl->machine = machine ? (enum vl_vm_machine)m : vl->kvm ? VL_VM_MICROVM : VL_VM_Q35;
	for (size_t i = 0; i < p->n_nodes; i++) {
		const struct vl_plan_node *n = &p->nodes[i];

		if (!n->res.vm)
			continue;
		if (n->res.memory && vl_node_vm_ram(n) < vl->kernel.min_ram)
			fprintf(stderr,
			        "vnetlab: node %s: memory %llu MiB is too little for the %s guest "
			        "kernel, which boots in %llu MiB: its guest gets that\n",
			        n->name, (unsigned long long)(n->res.memory >> 20), vl->kernel.kind,
			        (unsigned long long)(vl->kernel.min_ram >> 20));
	}
	vl->tsc_khz = vl_vm_tsc_khz();
	/* the agent and the static workloads, beside this program */
	if (vl_exe_sibling("vnetlab-agent", agent, sizeof(agent)) < 0)
		snprintf(agent, sizeof(agent), "vnetlab-agent");
	if (vl_exe_sibling("vnetlab-work.static", work, sizeof(work)) < 0)
		work[0] = '\0';
	im.agent = agent;
	im.modules = vl->kernel.modules[0] ? vl->kernel.modules : NULL;
	if (access(work, X_OK) == 0)
		statics[im.n_programs++] = work;
	vl_lab_path(p->lab, "vm", dir, sizeof(dir));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		vl_err_sys(err, errno, "mkdir %s", dir);
		goto fail;
	}
	vl_lab_path(p->lab, "vm/initramfs", vl->image, sizeof(vl->image));
	if (vl_vm_image_write(vl->image, &im, err) < 0) {
		vl_err_wrap(err, "guest image");
		goto fail;
	}
	snprintf(info, sizeof(info), "accel %s\nwhy %s\nkernel %s %s\nmachine %s\n",
	         vl->kvm ? "kvm" : "tcg", vl->kvm ? "-" : vl->why_tcg, vl->kernel.kind,
	         vl->kernel.path, vl_vm_machine_name(vl->machine));
	vl_lab_path(p->lab, "vm/info", dir, sizeof(dir));
	if (vl_write_file(dir, info, strlen(info), err) < 0)
		goto fail;
	*out = vl;
	return 0;
fail:
	free(vl);
	return -1;
}

void vl_node_vm_lab_free(struct vl_vm_lab *vl)
{
	free(vl);
}

/* The guest's kernel command line: console, our settings for the agent. */
static int guest_cmdline(const struct vl_plan *p, size_t i, const struct vl_vm_lab *vl,
                         struct vl_buf *b, struct vl_err *err)
{
	const struct vl_plan_node *n = &p->nodes[i];
	char ip[16], gw[16];

	/* tsc=reliable: under TCG the guest's TSC is the host's, the one
	 * good clock it has, but the clocksource watchdog (judging it by
	 * timer ticks that an emulated CPU loses under load) would drop it
	 * for jiffies, and the guest's time would then run slow */
	vl_buf_printf(b, "console=ttyS0 panic=-1 quiet no_timer_check tsc=reliable");
	/* a microvm has no PCI bus (its devices are virtio-mmio); under TCG
	 * it must be told the TSC's rate or it hangs calibrating it */
	if (vl->machine == VL_VM_MICROVM)
		vl_buf_printf(b, " pci=off");
	if (vl->machine == VL_VM_MICROVM && vl->tsc_khz)
		vl_buf_printf(b, " tsc_early_khz=%lu", vl->tsc_khz);
	/* VNETLAB_VM_APPEND: more kernel parameters, for debugging guests */
	if (getenv("VNETLAB_VM_APPEND"))
		vl_buf_printf(b, " %s", getenv("VNETLAB_VM_APPEND"));
	vl_buf_printf(b, " vl.hostname=%s", n->name);
	if (n->forward)
		vl_buf_printf(b, " vl.forward=1");
	for (size_t j = 0; j < n->n_ifs; j++) {
		const struct vl_plan_if *f = &n->ifs[j];
		const struct vl_plan_veth *ve = &p->veths[f->veth];
		uint8_t m[6];

		vl_node_vm_mac(p, i, j, m);
		vl_buf_printf(b, " vl.if=%s", f->name);
		if (f->addr) {
			vl_fmt_ip(f->addr, ip);
			vl_buf_printf(b, ",%s/%d", ip, f->prefix);
		}
		if (ve->mtu)
			vl_buf_printf(b, ",%d", ve->mtu);
		vl_buf_printf(b, ",mac=%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		              m[5]);
	}
	for (size_t k = 0; k < n->n_routes; k++) {
		const struct vl_plan_route *rt = &n->routes[k];

		vl_fmt_ip(rt->dst, ip);
		if (rt->prefix)
			vl_buf_printf(b, " vl.route=%s/%d", ip, rt->prefix);
		else
			vl_buf_printf(b, " vl.route=default");
		if (rt->via) {
			vl_fmt_ip(rt->via, gw);
			vl_buf_printf(b, ",via,%s", gw);
		}
		vl_buf_printf(b, ",dev,%s", n->ifs[rt->oif].name);
	}
	/* x86's COMMAND_LINE_SIZE */
	if (b->len >= 2048)
		return vl_err_set(err, E2BIG,
		                  "node %s: its guest's kernel command line (interfaces and "
		                  "routes) is %zu bytes, over the kernel's 2047",
		                  n->name, b->len);
	return 0;
}

/* Move fds[k] to k + base, in order, whatever numbers they had. */
static int place_fds(int *fds, size_t n, int base)
{
	for (size_t k = 0; k < n; k++) {
		int hi = fcntl(fds[k], F_DUPFD_CLOEXEC, 1024);

		if (hi < 0)
			return -1;
		close(fds[k]);
		fds[k] = hi;
	}
	for (size_t k = 0; k < n; k++) {
		if (dup2(fds[k], base + (int)k) < 0) /* not close-on-exec */
			return -1;
		close(fds[k]);
	}
	return 0;
}

/* In the launcher (a child of the engine, in the node): the descriptors
 * of vmd.h, then exec `vnetlab __vmd`. Never returns. */
static void launch(const struct vl_plan *p, size_t i, const struct vl_vm_lab *vl,
                   const struct vl_cgroup_manager *cg, int ready_w) __attribute__((noreturn));
static void launch(const struct vl_plan *p, size_t i, const struct vl_vm_lab *vl,
                   const struct vl_cgroup_manager *cg, int ready_w)
{
	const struct vl_plan_node *n = &p->nodes[i];
	struct vl_err err = {0};
	char path[PATH_MAX], rel[128], tap[16];
	int fds[VL_VMD_FD_QEMU + 64], nfd = 0, sv[2], pid_ns = -1, lfd, con;
	struct vl_buf cmd = {0};
	struct vl_argv a = {0};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	uint8_t(*macs)[6] = vl_xcalloc(n->n_ifs + 1, sizeof(*macs));
	int tap_fds[64];

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		dprintf(ready_w, "failed " __VA_ARGS__);                                           \
		dprintf(ready_w, "\n");                                                            \
		_exit(1);                                                                          \
	} while (0)

	if (n->n_ifs > 64)
		FAIL("node %s: more than 64 interfaces", n->name);
	if (vl_node_join(p->lab, p->id, n->name, CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWNS, &pid_ns,
	                 &err) < 0)
		FAIL("%s", err.msg);
	if (cg && cg->attach(n->cgroup, 0, &err) < 0)
		FAIL("%s", err.msg);
	snprintf(rel, sizeof(rel), "logs/%s.console", n->name);
	vl_lab_path(p->lab, rel, path, sizeof(path));
	con = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (con < 0)
		FAIL("open %s: %s", path, strerror(errno));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		FAIL("socketpair: %s", strerror(errno));
	/* The socket by a relative name: lab and node names may be longer
	 * than a sockaddr_un holds together. */
	vl_lab_path(p->lab, "vm", path, sizeof(path));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.sock", n->name);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || chdir(path) < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 64) < 0 || chdir("/") < 0)
		FAIL("node %s: socket %s/%s: %s", n->name, path, sa.sun_path, strerror(errno));
	for (size_t j = 0; j < n->n_ifs; j++) {
		vl_node_vm_tap_name(j, tap);
		if ((tap_fds[j] = vl_tap_attach(tap, &err)) < 0)
			FAIL("node %s: %s", n->name, err.msg);
		vl_node_vm_mac(p, i, j, macs[j]);
	}
	if (guest_cmdline(p, i, vl, &cmd, &err) < 0)
		FAIL("%s", err.msg);
	vl_lab_path(p->lab, rel, path, sizeof(path));
	{
		struct vl_vm_spec s = {.name = n->name,
		                       .kernel = &vl->kernel,
		                       .initrd = vl->image,
		                       .cmdline = cmd.s,
		                       .console_log = path,
		                       .machine = vl->machine,
		                       .kvm = vl->kvm,
		                       .vcpus = vl_node_vm_vcpus(n),
		                       .ram = vl_node_vm_ram(n),
		                       .agent_fd = VL_VMD_FD_QEMU,
		                       .n_taps = n->n_ifs,
		                       .tap_fds = (int[64]){0},
		                       .macs = (const uint8_t(*)[6])macs};
		int *qfds = (int *)s.tap_fds;

		if (s.ram < vl->kernel.min_ram)
			s.ram = vl->kernel.min_ram;
		for (size_t j = 0; j < n->n_ifs; j++)
			qfds[j] = VL_VMD_FD_QEMU + 1 + (int)j;
		vl_argv_addl(&a, "vnetlab", "__vmd", n->name, "--", NULL);
		vl_vm_qemu_argv(&s, &a);
	}
	/* a session of its own, and not our child: it outlives up */
	if (setsid() < 0 && errno != EPERM)
		FAIL("setsid: %s", strerror(errno));
	pid_t pid = fork();

	if (pid < 0)
		FAIL("fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	fds[nfd++] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[nfd++] = con;
	fds[nfd++] = dup(con);
	fds[nfd++] = sv[0];
	fds[nfd++] = lfd;
	fds[nfd++] = ready_w;
	fds[nfd++] = sv[1];
	for (size_t j = 0; j < n->n_ifs; j++)
		fds[nfd++] = tap_fds[j];
	if (place_fds(fds, (size_t)nfd, 0) < 0)
		_exit(1);
	/* everything else was close-on-exec, or is closed here */
	for (int fd = nfd; fd < 1024 + nfd; fd++)
		close(fd);
	execv("/proc/self/exe", a.v);
	dprintf(VL_VMD_FD_READY, "failed exec /proc/self/exe: %s\n", strerror(errno));
	_exit(127);
#undef FAIL
}

int vl_node_vm_start(const struct vl_plan *p, size_t i, const struct vl_vm_lab *vl,
                     const struct vl_cgroup_manager *cg, struct vl_err *err)
{
	int pfd[2], status;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return vl_err_sys(err, errno, "pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return vl_err_sys(err, errno, "fork");
	}
	if (pid == 0) {
		close(pfd[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		launch(p, i, vl, cg, pfd[1]);
	}
	close(pfd[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return pfd[0];
}

/* The console log's last lines, for an error. */
static void console_tail(const char *lab, const char *node, struct vl_buf *b)
{
	char rel[128], path[PATH_MAX], *s = NULL;
	size_t len;

	snprintf(rel, sizeof(rel), "logs/%s.console", node);
	vl_lab_path(lab, rel, path, sizeof(path));
	if (vl_read_file(path, &s, &len, NULL) < 0 || !len) {
		vl_buf_printf(b, "; its console (%s) is empty", path);
		free(s);
		return;
	}
	vl_buf_printf(b, "; the last lines of its console (%s): ", path);
	vl_buf_tail(b, s, 8, 900);
	free(s);
}

int vl_node_vm_wait(const struct vl_plan *p, const size_t *nodes, int *ready, size_t n,
                    double timeout, volatile sig_atomic_t *stop, struct vl_err *err)
{
	struct pollfd *pf = vl_xcalloc(n + 1, sizeof(*pf));
	char(*line)[256] = vl_xcalloc(n + 1, sizeof(*line));
	size_t *got = vl_xcalloc(n + 1, sizeof(*got)), left = n;
	double t0 = vl_now(), deadline = t0 + timeout;
	struct vl_buf b = {0}, boot = {0};
	int r = 0;

	for (size_t k = 0; k < n; k++)
		pf[k] = (struct pollfd){.fd = ready[k], .events = POLLIN};
	while (left && r == 0) {
		double now = vl_now();
		int k;

		if (now >= deadline) {
			for (size_t q = 0; q < n; q++)
				if (pf[q].fd >= 0) {
					vl_buf_printf(
					    &b,
					    "node %s: its guest's agent did not answer in "
					    "%.0f s (%zu of %zu guests ready)",
					    p->nodes[nodes[q]].name, timeout, n - left, n);
					console_tail(p->lab, p->nodes[nodes[q]].name, &b);
					break;
				}
			r = vl_err_set(err, ETIMEDOUT, "%s", b.s);
			break;
		}
		k = poll(pf, n, (int)((deadline - now) * 1000) + 1);
		if (k < 0 && errno != EINTR) {
			r = vl_err_sys(err, errno, "poll");
			break;
		}
		if (stop && *stop) {
			r = vl_err_set(err, EINTR,
			               "interrupted by signal %d while %zu of %zu guests "
			               "were booting",
			               (int)*stop, left, n);
			break;
		}
		for (size_t q = 0; q < n && r == 0; q++) {
			ssize_t rd;

			if (pf[q].fd < 0 || !pf[q].revents)
				continue;
			rd = read(pf[q].fd, line[q] + got[q], sizeof(line[q]) - 1 - got[q]);
			if (rd > 0) {
				got[q] += (size_t)rd;
				if (got[q] < sizeof(line[q]) - 1)
					continue;
			}
			line[q][got[q]] = '\0';
			close(pf[q].fd);
			pf[q].fd = -1;
			ready[q] = -1;
			left--;
			if (!strncmp(line[q], "ready ", 6)) {
				/* node, seconds from start to its agent's answer, and
				 * the guest's own count (ms since its kernel started) */
				vl_buf_printf(&boot, "%s %.3f %llu\n", p->nodes[nodes[q]].name,
				              vl_now() - t0, strtoull(line[q] + 6, NULL, 10));
				continue;
			}
			line[q][strcspn(line[q], "\n")] = '\0';
			vl_buf_printf(&b, "node %s: its guest did not come up: %s",
			              p->nodes[nodes[q]].name,
			              !strncmp(line[q], "failed ", 7) ? line[q] + 7
			              : line[q][0]                    ? line[q]
			                                              : "its supervisor died");
			console_tail(p->lab, p->nodes[nodes[q]].name, &b);
			r = vl_err_set(err, EIO, "%s", b.s);
		}
	}
	for (size_t q = 0; q < n; q++)
		if (ready[q] >= 0) {
			close(ready[q]);
			ready[q] = -1;
		}
	if (r == 0) {
		char path[PATH_MAX];

		vl_lab_path(p->lab, "vm/boot", path, sizeof(path));
		r = vl_write_file(path, boot.s ? boot.s : "", boot.len, err);
	}
	vl_buf_free(&boot);
	vl_buf_free(&b);
	free(pf);
	free(line);
	free(got);
	return r;
}

static void sock_name(const char *lab, const char *node, char *buf, size_t len)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "vm/%s.sock", node);
	vl_lab_path(lab, rel, buf, len);
}

bool vl_node_is_vm(const char *lab, const char *node)
{
	char path[PATH_MAX];

	if (vl_name_invalid(lab) || vl_name_invalid(node))
		return false;
	sock_name(lab, node, path, sizeof(path));
	return access(path, F_OK) == 0;
}

int vl_node_vm_connect(const char *lab, const char *node, double timeout, struct vl_err *err)
{
	struct vl_agent_info info;
	char dir[PATH_MAX];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int dfd, fd;

	vl_lab_path(lab, "vm", dir, sizeof(dir));
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return vl_err_sys(err, errno, "open %s", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s.sock", dfd, node);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		close(dfd);
		if (e == ECONNREFUSED || e == ENOENT) {
			char rel[128], log[PATH_MAX];

			snprintf(rel, sizeof(rel), "logs/%s.console", node);
			vl_lab_path(lab, rel, log, sizeof(log));
			return vl_err_set(err, e, "node %s: its guest is not running (see %s)",
			                  node, log);
		}
		return vl_err_sys(err, e, "node %s: connect to its guest's agent", node);
	}
	close(dfd);
	if (vl_agent_hello(fd, &info, timeout, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}
