/* The `vm` node backend: a node is an ns node (its namespaces and cgroup
 * are the host side of a guest: QEMU and its supervisor run there) whose
 * interfaces each get a TAP, "vt<j>", joined to the node's own interface j
 * by tc redirects both ways; the guest's virtio-net device sits on the TAP.
 * So a guest's frames leave through the very interface an ns node's would,
 * with the same shaping, bridge port, peer or linkd behind it.
 * Here: the lab's guest image, each guest's supervisor started inside its
 * node, waiting for the guests' agents, and running programs in a guest
 * through its agent. Touches the node's namespaces, cgroup and TAPs, the
 * lab's vm/, logs/ and share/ (made empty: the guests' data directory),
 * and QEMU processes of its own, each in a mount namespace of its own
 * whose vm/view holds its guest's view of the host's root (vm/view.h). */
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
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lab/lab.h"
#include "link/link.h"
#include "node/common.h"
#include "sys/cgroup.h"
#include "sys/proc.h"
#include "sys/rtnl_link.h"
#include "sys/rtnl_tc.h"
#include "sys/tap.h"
#include "vm/client.h"
#include "vm/image.h"
#include "vm/qemu.h"
#include "node/vm_guest.h"
#include "vm/view.h"
#include "vm/vmd.h"

/* Host memory a guest costs beyond its RAM (QEMU, its 16 MiB translation
 * cache, the supervisor): added to a vm node's cgroup memory limit. */
#define VM_OVERHEAD (128ull << 20)

static void vm_tap_name(size_t j, char buf[16])
{
	snprintf(buf, 16, "vt%u", (unsigned)j);
}

/* Before any guest starts: find the kernel, choose KVM or TCG and the
 * machine type, and write the lab's initramfs (with the programs asked
 * for, at their paths, and their libraries) and vm/info. */
static int vm_prepare(struct vl_node_lab *l, struct vl_err *err)
{
	const struct vl_plan *p = l->plan;
	const char *want_kernel = l->opts->vm_kernel, *machine = l->opts->vm_machine;
	const char *const *programs = l->opts->vm_programs;
	size_t n_programs = l->opts->n_vm_programs;
	struct vl_vm_lab *vl = vl_xcalloc(1, sizeof(*vl));
	char agent[PATH_MAX], work[PATH_MAX], dir[PATH_MAX], info[4096];
	const char *statics[1];
	/* lab-independent (templates are shared between labs): the lab's
	 * /etc/hosts reaches each guest with its identity */
	struct vl_vm_image im = {.busybox = VL_VM_BUSYBOX,
	                         .hosts = "127.0.0.1\tlocalhost\n",
	                         .programs = statics,
	                         .carry = programs,
	                         /* the host's root has them, at their paths */
	                         .n_carry = vl_vmg_host_root() ? 0 : n_programs};
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
		if (n->res.memory && vl_vmg_ram(n, NULL) < vl->kernel.min_ram)
			fprintf(stderr,
			        "vnetlab: node %s: memory %llu MiB is too little for the %s guest "
			        "kernel, which needs %llu MiB: its guest gets that\n",
			        n->name, (unsigned long long)(n->res.memory >> 20), vl->kernel.kind,
			        (unsigned long long)(vl->kernel.min_ram >> 20));
	}
	vl_vmg_cmdline(vl);
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
	vl_lab_path(p->lab, "vm/view", vl->stage, sizeof(vl->stage));
	snprintf(vl->root, sizeof(vl->root), "%s/" VL_VM_VIEW_ROOT, vl->stage);
	vl_lab_path(p->lab, VL_LAB_SHARE, vl->share, sizeof(vl->share));
	vl->exports = l->opts->vm_exports;
	vl->n_exports = l->opts->n_vm_exports;
	if (mkdir(vl->stage, 0700) < 0 && errno != EEXIST) {
		vl_err_sys(err, errno, "mkdir %s", vl->stage);
		goto fail;
	}
	if (mkdir(vl->share, 0755) < 0 && errno != EEXIST) {
		vl_err_sys(err, errno, "mkdir %s", vl->share);
		goto fail;
	}
	if (vl_vm_image_write(vl->image, &im, err) < 0) {
		vl_err_wrap(err, "guest image");
		goto fail;
	}
	vl_vmg_templates(l, vl);
	snprintf(info, sizeof(info), "accel %s\nwhy %s\nkernel %s %s\nmachine %s\n",
	         vl->kvm ? "kvm" : "tcg", vl->kvm ? "-" : vl->why_tcg, vl->kernel.kind,
	         vl->kernel.path, vl_vm_machine_name(vl->machine));
	for (size_t k = 0; k < vl->n_shapes; k++) {
		const struct vm_shape *sh = &vl->shapes[k];
		size_t len = strlen(info);

		if (sh->cloned)
			snprintf(info + len, sizeof(info) - len,
			         "template%zu %s %s %.3f %u %llu %zu\n", k, sh->t.key,
			         sh->t.made ? "made" : "cached", sh->t.made ? sh->t.boot_s : 0.0,
			         sh->vcpus, (unsigned long long)sh->ram, sh->n_ifs);
	}
	vl_lab_path(p->lab, "vm/info", dir, sizeof(dir));
	if (vl_write_file_mode(dir, info, strlen(info), 0600, err) < 0)
		goto fail;
	if (pipe2(vl->go, O_CLOEXEC) < 0) {
		vl_err_sys(err, errno, "pipe");
		goto fail;
	}
	l->priv = vl;
	return 0;
fail:
	free(vl);
	return -1;
}

static void vm_release(struct vl_node_lab *l)
{
	struct vl_vm_lab *vl = l->priv;

	if (vl) {
		vl_closep(&vl->go[0]);
		vl_closep(&vl->go[1]);
	}
	free(l->priv);
	l->priv = NULL;
}

/* A guest's memory is its RAM; QEMU's own comes on top. */
static void vm_limits(const struct vl_plan_node *n, struct vl_cg_limits *lim)
{
	vl_node_limits(n, lim);
	if (n->res.memory)
		lim->memory = vl_vmg_ram(n, NULL) + VM_OVERHEAD;
}

static int vm_create(struct vl_node_ctx *ctx, size_t i, struct vl_err *err)
{
	const struct vl_plan_node *n = &ctx->plan->nodes[i];

	/* the guest sees the host's root over 9p, not the host side's mounts */
	if (ctx->plan->topo->nodes[n->topo_node].set.frr)
		return vl_err_set(err, EINVAL,
		                  "node %s: FRR routers are namespace nodes (backend ns); a guest has "
		                  "no private /etc/frr of its own yet",
		                  n->name);
	if (ctx->plan->topo->nodes[n->topo_node].set.n_binds)
		return vl_err_set(err, EINVAL,
		                  "node %s: binds are for namespace and proc nodes; a guest sees the "
		                  "host's files over 9p, read-only, but for what is hidden from "
		                  "guests (up --vm-export PATH shows it), and the lab's data "
		                  "directory %s/%s/" VL_LAB_SHARE " read-write: put what it needs "
		                  "there",
		                  n->name, VL_RUN_DIR, ctx->plan->lab);
	return vl_node_ns.create(ctx, i, err); /* the host side is an ns node */
}

/* A TAP per interface for the guest, after the node's own. */
static int vm_wire(const struct vl_plan *p, size_t i, struct vl_err *err)
{
	const struct vl_plan_node *n = &p->nodes[i];
	char tap[16];

	for (size_t j = 0; j < n->n_ifs; j++) {
		vm_tap_name(j, tap);
		if (vl_tap_create(tap, vl_plan_node_ifindex((int)(n->n_ifs + j)), err) < 0)
			return -1;
	}
	return 0;
}

/* Each TAP (the guest's) and the node's own interface j forward to each
 * other; addresses and routes are the guest's, set by its agent from the
 * kernel command line. */
static int vm_configure(const struct vl_node_lab *l, struct vl_nl *nl, size_t i, struct vl_err *err)
{
	const struct vl_plan_node *n = &l->plan->nodes[i];
	char what[96];

	for (size_t j = 0; j < n->n_ifs; j++) {
		const struct vl_plan_veth *ve = &l->plan->veths[n->ifs[j].veth];
		int own = vl_plan_node_ifindex((int)j),
		    tap = vl_plan_node_ifindex((int)(n->n_ifs + j));

		snprintf(what, sizeof(what), "node %s: switch IPv6 off on %s and its TAP", n->name,
		         n->ifs[j].name);
		if (l->have_ipv6 && (vl_rtnl_link_ipv6_off(nl, own, what, err) < 0 ||
		                     vl_rtnl_link_ipv6_off(nl, tap, what, err) < 0))
			return -1;
		snprintf(what, sizeof(what), "node %s: shape %s", n->name, n->ifs[j].name);
		if (vl_link_backend_for(ve->user)->configure(nl, own, &ve->egress[n->ifs[j].end],
		                                             ve->mtu, what, err) < 0 ||
		    (ve->mtu && vl_rtnl_link_set_mtu(nl, tap, ve->mtu, what, err) < 0))
			return -1;
		snprintf(what, sizeof(what), "node %s: join %s to its guest's TAP", n->name,
		         n->ifs[j].name);
		if (vl_rtnl_tc_redirect(nl, own, tap, what, err) < 0 ||
		    vl_rtnl_tc_redirect(nl, tap, own, what, err) < 0)
			return -1;
		snprintf(what, sizeof(what), "node %s: set %s and its TAP up", n->name,
		         n->ifs[j].name);
		if (vl_rtnl_link_set_up(nl, own, true, what, err) < 0 ||
		    vl_rtnl_link_set_up(nl, tap, true, what, err) < 0)
			return -1;
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
	int fds[VL_VMD_FD_QEMU + 3 + 64], nfd = 0, sv[2], qm[2] = {-1, -1}, pid_ns = -1, lfd, con,
	                                  idfd = -1, state = -1;
	struct vl_buf cmd = {0};
	struct vl_argv a = {0};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	uint8_t(*macs)[6] = vl_xcalloc(n->n_ifs + 1, sizeof(*macs)),
	(*tmacs)[6] = vl_xcalloc(n->n_ifs + 1, sizeof(*tmacs));
	const struct vm_shape *sh = vl_vmg_shape(vl, n);
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
	con = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
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
		vm_tap_name(j, tap);
		if ((tap_fds[j] = vl_tap_attach(tap, &err)) < 0)
			FAIL("node %s: %s", n->name, err.msg);
		vl_vmg_mac(p, i, j, macs[j]);
	}
	/* who the guest is: its settings and the lab's hosts, for SETUP */
	if (vl_vmg_settings(p, i, sh != NULL, &cmd, &err) < 0)
		FAIL("%s", err.msg);
	{
		uint32_t len = (uint32_t)cmd.len;
		const char *hosts = p->hosts ? p->hosts : "";

		if ((idfd = memfd_create("vnetlab-guest", MFD_CLOEXEC)) < 0 ||
		    vl_write_all(idfd, &len, 4) < 0 || vl_write_all(idfd, cmd.s, cmd.len) < 0 ||
		    vl_write_all(idfd, hosts, strlen(hosts)) < 0)
			FAIL("node %s: its settings: %s", n->name, strerror(errno));
	}
	if (sh && (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qm) < 0 ||
	           (state = open(sh->t.state, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0))
		FAIL("node %s: its template %s: %s", n->name, sh->t.dir, strerror(errno));
	vl_lab_path(p->lab, rel, path, sizeof(path));
	{
		/* QEMU's fds: the agent's end, for a clone QMP's end and the
		 * template's state, then the TAPs */
		int first_tap = VL_VMD_FD_QEMU + (sh ? 3 : 1);
		struct vl_vm_spec s;
		int *qfds = vl_xcalloc(n->n_ifs + 1, sizeof(int));

		vl_vmg_spec(vl, n, &s);
		s.console_log = path;
		s.agent_fd = VL_VMD_FD_QEMU;
		s.tap_fds = qfds;
		s.macs = (const uint8_t(*)[6])macs;
		for (size_t j = 0; j < n->n_ifs; j++)
			qfds[j] = first_tap + (int)j;
		vl_argv_addl(&a, "vnetlab", "__vmd", n->name, NULL);
		if (sh) {
			vl_vm_clone_spec(&s, &sh->t, VL_VMD_FD_QEMU + 1, tmacs);
			vl_argv_add(&a, "--incoming");
			vl_argv_addf(&a, "%d", VL_VMD_FD_QEMU + 2);
		}
		vl_argv_add(&a, "--");
		vl_vm_qemu_argv(&s, &a);
	}
	/* QEMU (and its supervisor) see the host's / whole; the guest, what
	 * QEMU serves of it: the view */
	if (vl_vmg_host_root()) {
		struct vl_vm_view view = {
		    .stage = vl->stage, .exports = vl->exports, .n_exports = vl->n_exports};

		if (vl_vm_view_make(&view, &err) < 0)
			FAIL("node %s: %s", n->name, err.msg);
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
	fds[nfd++] = idfd;
	fds[nfd++] = sh ? qm[0] : open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[nfd++] = vl->go[0];
	fds[nfd++] = sv[1];
	if (sh) {
		fds[nfd++] = qm[1];
		fds[nfd++] = state;
	}
	for (size_t j = 0; j < n->n_ifs; j++)
		fds[nfd++] = tap_fds[j];
	if (vl_fds_place(fds, (size_t)nfd, 0) < 0)
		_exit(1);
	/* everything else was close-on-exec, or is closed here */
	for (int fd = nfd; fd < 1024 + nfd; fd++)
		close(fd);
	execv("/proc/self/exe", a.v);
	dprintf(VL_VMD_FD_READY, "failed exec /proc/self/exe: %s\n", strerror(errno));
	_exit(127);
#undef FAIL
}

/* Start the guest of node i: its supervisor, in the background. Returns
 * the read end of its ready pipe. */
static int vm_start(const struct vl_node_lab *l, size_t i, struct vl_err *err)
{
	const struct vl_plan *p = l->plan;
	const struct vl_vm_lab *vl = l->priv;
	const struct vl_cgroup_manager *cg = l->cg;
	int fd, status;
	pid_t pid;

	if ((pid = vl_fork_pipe(&fd, err)) < 0)
		return -1;
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		launch(p, i, vl, cg, fd);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return fd;
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

/* Wait until every started guest's agent answered (ready[k] for node
 * nodes[k]), at most --vm-timeout seconds (60 s + 3 s per guest), or until
 * *stop is set; on failure the error names the node and ends with its
 * console's last lines. */
static int vm_wait(const struct vl_node_lab *l, const size_t *nodes, int *ready, size_t n,
                   volatile sig_atomic_t *stop, struct vl_err *err)
{
	const struct vl_plan *p = l->plan;
	double timeout = l->opts->vm_timeout > 0 ? l->opts->vm_timeout : 60 + 3.0 * (double)n;
	struct pollfd *pf = vl_xcalloc(n + 1, sizeof(*pf));
	char(*line)[256] = vl_xcalloc(n + 1, sizeof(*line));
	size_t *got = vl_xcalloc(n + 1, sizeof(*got)), left = n;
	double t0 = vl_now(), deadline = t0 + timeout;
	struct vl_buf b = {0}, boot = {0};
	const struct vm_shape *sh;
	int r = 0;

	/* every guest is launched: let them all start */
	vl_closep(&((struct vl_vm_lab *)l->priv)->go[1]);
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
				vl_buf_printf(&boot, "%s %.3f %llu %s\n", p->nodes[nodes[q]].name,
				              vl_now() - t0, strtoull(line[q] + 6, NULL, 10),
				              vl_vmg_shape(l->priv, &p->nodes[nodes[q]]) ? "clone"
				                                                         : "boot");
				continue;
			}
			line[q][strcspn(line[q], "\n")] = '\0';
			vl_buf_printf(&b, "node %s: its guest did not come up: %s",
			              p->nodes[nodes[q]].name,
			              !strncmp(line[q], "failed ", 7) ? line[q] + 7
			              : line[q][0]                    ? line[q]
			                                              : "its supervisor died");
			if ((sh = vl_vmg_shape(l->priv, &p->nodes[nodes[q]])))
				vl_buf_printf(
				    &b,
				    " (a clone of the template %s: `vnetlab clean "
				    "--templates` removes it, --vm-clone off boots instead)",
				    sh->t.dir);
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
		r = vl_write_file_mode(path, boot.s ? boot.s : "", boot.len, 0600, err);
	}
	vl_buf_free(&boot);
	vl_buf_free(&b);
	free(pf);
	free(line);
	free(got);
	return r;
}

/* Connect to node's agent (through its supervisor) and wait up to
 * timeout seconds for its READY: a stream for vm/client.h. */
static int vm_connect(const char *lab, const char *node, double timeout, struct vl_err *err)
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

/* The lab's guests: accelerator (and why not KVM), kernel, machine, from
 * vm/info (written when the guests were prepared); NULL if it has none. */
static json_t *vm_info(const struct vl_plan *p)
{
	char path[PATH_MAX], *s = NULL, *line, *save = NULL;
	json_t *o;

	vl_lab_path(p->lab, "vm/info", path, sizeof(path));
	if (vl_read_file(path, &s, NULL, NULL) < 0)
		return NULL;
	o = json_object();
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (!sp)
			continue;
		*sp++ = '\0';
		if (!strcmp(line, "kernel")) {
			char *path2 = strchr(sp, ' ');

			if (path2) {
				*path2++ = '\0';
				json_object_set_new(o, "kernel_path", json_string(path2));
			}
		}
		if (!strcmp(line, "why") && !strcmp(sp, "-"))
			continue;
		if (!strncmp(line, "template", 8)) {
			char key[65], how[8];
			double boot;
			unsigned vcpus;
			unsigned long long ram;
			size_t nif;
			json_t *ts = json_object_get(o, "templates");

			if (sscanf(sp, "%64s %7s %lf %u %llu %zu", key, how, &boot, &vcpus, &ram,
			           &nif) != 6)
				continue;
			if (!ts)
				json_object_set_new(o, "templates", ts = json_array());
			json_array_append_new(
			    ts, json_pack("{s:s, s:b, s:f, s:i, s:I, s:I}", "key", key, "made",
			                  !strcmp(how, "made"), "boot_s", boot, "vcpus", (int)vcpus,
			                  "ram", (json_int_t)ram, "interfaces", (json_int_t)nif));
			continue;
		}
		json_object_set_new(o, !strcmp(line, "why") ? "why_not_kvm" : line,
		                    json_string(sp));
	}
	free(s);
	return o;
}

/* From vm/boot (one line per guest: node, seconds from start to its
 * agent's answer, the guest's own ms since its kernel started, clone or
 * boot): per node, {"boot_s", "guest_boot_s", "clone"}. */
static json_t *vm_boots(const struct vl_plan *p)
{
	char path[PATH_MAX], *s = NULL, *line, *save = NULL, name[64], how[8] = "";
	json_t *o = json_object();
	unsigned long long ms;
	double secs;

	vl_lab_path(p->lab, "vm/boot", path, sizeof(path));
	if (vl_read_file(path, &s, NULL, NULL) < 0)
		return o;
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%63s %lf %llu %7s", name, &secs, &ms, how) >= 3)
			json_object_set_new(o, name,
			                    json_pack("{s:f, s:f, s:b}", "boot_s", secs,
			                              "guest_boot_s", (double)ms / 1000, "clone",
			                              !strcmp(how, "clone")));
	free(s);
	return o;
}

/* state.json: the lab's guests (accelerator, kernel, machine), and per
 * guest its vCPUs, RAM, boot times and its interfaces' MACs. */
static void vm_describe_lab(const struct vl_plan *p, json_t *root)
{
	json_t *info = vm_info(p), *boots = vm_boots(p), *nodes = json_object_get(root, "nodes");

	if (info)
		json_object_set_new(root, "vm", info);
	for (size_t i = 0; i < p->n_nodes; i++) {
		const struct vl_plan_node *n = &p->nodes[i];
		json_t *jn = json_array_get(nodes, i), *ifs = json_object_get(jn, "interfaces"),
		       *jv;

		if (vl_node_backend_of(p, i) != &vl_node_vm)
			continue;
		jv = json_pack("{s:i, s:I, s:f, s:f}", "vcpus", (int)vl_vmg_vcpus(n), "ram",
		               (json_int_t)vl_vmg_ram(n, NULL), "boot_s", 0.0, "guest_boot_s", 0.0);
		json_object_update(jv, json_object_get(boots, n->name));
		json_object_set_new(jn, "vm", jv);
		for (size_t j = 0; j < n->n_ifs; j++) {
			uint8_t m[6];
			char mac[18];

			vl_vmg_mac(p, i, j, m);
			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
			         m[2], m[3], m[4], m[5]);
			json_object_set_new(json_array_get(ifs, j), "mac", json_string(mac));
		}
	}
	json_decref(boots);
}

/* The guest's argv: the built-in workloads run as the static build the
 * image carries; a program the caller opened on the host runs at its own
 * path on the host's root (sshd insists on an absolute one), or by its
 * base name from the initramfs's PATH when guests have no host root. */
static void guest_argv(const struct vl_spawn *s, struct vl_argv *a, struct vl_argv *e)
{
	const char *base = strrchr(s->argv[0], '/');

	base = base ? base + 1 : s->argv[0];
	if (!strcmp(base, "vnetlab-work") && s->exe_fd >= 0)
		vl_argv_add(a, "vnetlab-work.static");
	else if (s->exe_fd >= 0 && !(vl_vmg_host_root() && s->argv[0][0] == '/'))
		vl_argv_add(a, base);
	else
		vl_argv_add(a, s->argv[0]);
	for (size_t i = 1; s->argv[i]; i++)
		vl_argv_add(a, s->argv[i]);
	if (s->env) {
		vl_argv_addl(e, "PATH=/usr/bin:/bin:/usr/sbin:/sbin:/run/vl/bin", "HOME=/root",
		             NULL);
		for (char *const *p = s->env; *p; p++)
			vl_argv_add(e, *p);
	}
}

static int start_failed(const struct vl_node_ref *n, const char *cmd,
                        const struct vl_agent_exit *ex, struct vl_child *c, struct vl_err *err)
{
	c->exec_errno = ex->start_errno;
	if (ex->start_errno)
		return vl_err_set(err, ex->start_errno, "%s: %s: %s", n->node, cmd,
		                  ex->start_errno == ENOENT ? "command not found"
		                                            : strerror(ex->start_errno));
	return -1;
}

/* In this process: the command in the guest until it ends (REPLACE), or
 * the shell that starts it in the background there (DETACH). */
static int run_here(const struct vl_node_ref *n, const struct vl_spawn *s, struct vl_child *c,
                    struct vl_err *err)
{
	struct vl_agent_exit ex = {0};
	struct termios saved, raw;
	bool raw_mode = false, detach = s->how == VL_SPAWN_DETACH;
	cleanup_argv struct vl_argv a = {0}, e = {0}, d = {0};
	cleanup_close int fd = -1, mfd = -1;
	int in = detach ? -1 : s->in, out = s->out, r;

	guest_argv(s, &a, &e);
	if (detach) {
		/* the shell starts it in a session of its own and says where */
		vl_argv_addl(&d, "/bin/sh", "-c",
		             "log=/tmp/$(basename \"$1\")-$$.log; "
		             "setsid \"$@\" </dev/null >\"$log\" 2>&1 & "
		             "echo \"pid $! (in the guest), log $log (in the guest)\"",
		             "sh", NULL);
		for (char **p = a.v; *p; p++)
			vl_argv_add(&d, *p);
		if ((mfd = memfd_create("where", MFD_CLOEXEC)) < 0)
			return vl_err_sys(err, errno, "memfd");
		out = mfd;
	}
	if ((fd = vm_connect(n->lab, n->node, 30, err)) < 0)
		return -1;
	if (s->tty && isatty(in) && tcgetattr(in, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		raw_mode = tcsetattr(in, TCSANOW, &raw) == 0;
	}
	r = vl_agent_exec(fd, detach ? d.v : a.v, s->env ? e.v : NULL, NULL, in, out, s->err,
	                  s->tty, &ex, err);
	if (raw_mode)
		tcsetattr(in, TCSANOW, &saved);
	if (r < 0)
		return start_failed(n, a.v[0], &ex, c, err);
	c->status = ex.status;
	if (detach) {
		ssize_t k = pread(mfd, c->where, sizeof(c->where) - 1, 0);

		c->where[k > 0 ? k : 0] = '\0';
		c->where[strcspn(c->where, "\n")] = '\0';
	}
	return 0;
}

/* A CHILD: a relay that runs the command in the guest, passes SIGTERM on
 * (its agent client does), exits with the command's status, and reports
 * the command's own rusage (the guest's wait4) on ru_fd. */
static int run_relay(const struct vl_node_ref *n, const struct vl_spawn *s, struct vl_child *c,
                     struct vl_err *err)
{
	pid_t parent = getpid();
	int fd;

	if ((c->pid = vl_fork_pipe(&fd, err)) < 0)
		return -1;
	if (c->pid == 0) {
		struct vl_agent_exit ex = {0};
		struct vl_err e2 = {0};
		struct vl_argv a = {0}, e = {0};
		int agent;

		if (s->own_group) {
			setpgid(0, 0);
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				_exit(125);
		}
		guest_argv(s, &a, &e);
		if ((agent = vm_connect(n->lab, n->node, 30, &e2)) < 0 ||
		    vl_agent_exec(agent, a.v, s->env ? e.v : NULL, NULL, s->in, s->out, s->err,
		                  false, &ex, &e2) < 0) {
			fprintf(stderr, "vnetlab: node %s: %s\n", n->node, e2.msg);
			_exit(ex.start_errno == ENOENT ? 127 : ex.start_errno ? 126 : 125);
		}
		uint64_t g[3] = {ex.utime_us, ex.stime_us, ex.maxrss_kb};
		ssize_t w = write(fd, g, sizeof(g));

		(void)w;
		_exit(vl_agent_exit_code(ex.status));
	}
	c->ru_fd = fd;
	return 0;
}

static int vm_spawn(const struct vl_node_ref *n, const struct vl_spawn *s, struct vl_child *c,
                    struct vl_err *err)
{
	return s->how == VL_SPAWN_CHILD ? run_relay(n, s, c, err) : run_here(n, s, c, err);
}

/* The node's interfaces but the guests' TAPs (mirrors of them). */
static int vm_if_stats(const char *netns, struct vl_node_stats *st, struct vl_err *err)
{
	return vl_node_if_stats(netns, "vt", st, err);
}

/* Those, and the guest's own figures from its agent (none if it does not
 * answer). */
static int vm_stats(const struct vl_node_ref *n, const char *netns, struct vl_node_stats *st,
                    struct vl_err *err)
{
	int fd;

	if (vm_if_stats(netns, st, err) < 0)
		return -1;
	if ((fd = vm_connect(n->lab, n->node, 5, NULL)) < 0)
		return 0;
	st->guest = vl_xcalloc(1, sizeof(*st->guest));
	if (vl_agent_stats(fd, st->guest, 5, NULL) < 0) {
		free(st->guest);
		st->guest = NULL;
	}
	close(fd);
	return 0;
}

/* The guests' templates: unfinished ones (their maker crashed) always,
 * the cache with caches. */
static int vm_clean(bool dry_run, bool caches, void (*say)(bool, const char *, void *), void *data,
                    struct vl_err *err)
{
	cleanup_free char *list = NULL;
	char *line, *save = NULL;
	size_t n;
	uint64_t bytes;

	if (vl_vm_templates_list(&list, err) < 0)
		return -1;
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char what[PATH_MAX + 96], key[80], path[PATH_MAX];
		unsigned long long b;

		if (sscanf(line, "%79s %llu %4095s", key, &b, path) != 3 ||
		    (!caches && strcmp(key, "unfinished")))
			continue;
		snprintf(what, sizeof(what), "%s guest template %s (%.0f MiB)",
		         strcmp(key, "unfinished") ? "the" : "an unfinished", path,
		         (double)b / (1 << 20));
		say(true, what, data);
	}
	return dry_run ? 0 : vl_vm_templates_remove(caches, &n, &bytes, err);
}

/* The lab's guests run under TCG (vm/info, written when they were
 * prepared). */
static bool vm_emulated(const char *lab)
{
	char path[PATH_MAX];
	cleanup_free char *s = NULL;

	vl_lab_path(lab, "vm/info", path, sizeof(path));
	return vl_read_file(path, &s, NULL, NULL) == 0 && !strncmp(s, "accel tcg", 9);
}

/* Guests can boot here: QEMU and a kernel for them. */
static int vm_usable(struct vl_err *err)
{
	struct vl_vm_kernel k;

	if (access("/usr/bin/" VL_VM_QEMU, X_OK) < 0 &&
	    access("/usr/local/bin/" VL_VM_QEMU, X_OK) < 0)
		return vl_err_set(err, ENOENT,
		                  "%s is not installed (Debian package qemu-system-x86)",
		                  VL_VM_QEMU);
	return vl_vm_kernel_find(NULL, &k, err);
}

const struct vl_node_backend vl_node_vm = {
    .name = "vm",
    .own_netns = true,
    .own_sysctls = "",
    .nodes_are = " (virtual machines)",
    /* QEMU translates a program's code and its libraries' at its first
     * run (measured 1.2 s for vnetlab-work under TCG, 0.1 s after);
     * starting one takes a round trip to the agent and 0.1 s under TCG,
     * more when loaded */
    .cold_start = true,
    .start_lead_s = 0.2,
    .start_lead_each_s = 0.1,
    .own_clock = true,
    .emulated = vm_emulated,
    .usable = vm_usable,
    .prepare = vm_prepare,
    .release = vm_release,
    .limits = vm_limits,
    .worker_init = vl_node_worker_init,
    .worker_fini = vl_node_worker_fini,
    .create = vm_create,
    .wire = vm_wire,
    .configure = vm_configure,
    .start = vm_start,
    .wait = vm_wait,
    .describe_lab = vm_describe_lab,
    .spawn = vm_spawn,
    .stats = vm_stats,
    .if_stats = vm_if_stats,
    .clean = vm_clean,
};
