/* The study's MPI comparison. See mpi.h. */
#include "study/mpijob.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "base/util.h"
#include "study/rm.h"
#include "study/runner.h"
#include "study/spawn.h"
#include "study/sshd.h"
#include "engine/engine.h"
#include "lab/lab.h"
#include "engine/stats.h"
#include "topo/topo.h"

#define MPIEXEC_MPICH "/usr/bin/mpiexec.mpich"
#define MPIEXEC_LAM   "/usr/bin/mpiexec.lam"
#define LAMBOOT       "/usr/bin/lamboot"
#define RUNUSER       "/usr/sbin/runuser"
#define VM_MPI_RAM    ((int64_t)256 << 20) /* a guest's RAM for a rank */

/* Hydra's environment for ranks in different network namespaces of one
 * host: TCP only. Without these, ranks that share a kernel find each other
 * through shared memory and never touch the emulated links. */
static const char *const mpich_tcp_env[] = {
    "MPIR_CVAR_NOLOCAL=1",     /* no shared-memory path between ranks */
    "MPIR_CVAR_CH4_NOLOCAL=1", /* the same, for the ch4 device */
    "FI_PROVIDER=tcp",         /* libfabric (ch4:ofi): the tcp provider */
    "UCX_TLS=tcp,self",        /* UCX (ch4:ucx): TCP and self only */
    "MPIR_CVAR_CH3_NOLOCAL=1", /* ch3 builds */
};

/* mpiexec's -genv for each of mpich_tcp_env. */
static void mpich_genv(struct vl_argv *a)
{
	for (size_t i = 0; i < VL_ARRAY_SIZE(mpich_tcp_env); i++) {
		const char *eq = strchr(mpich_tcp_env[i], '=');

		vl_argv_add(a, "-genv");
		vl_argv_addf(a, "%.*s", (int)(eq - mpich_tcp_env[i]), mpich_tcp_env[i]);
		vl_argv_add(a, eq + 1);
	}
}

static void prog_path(const struct vl_mpi_opts *o, char *buf, size_t len)
{
	snprintf(buf, len, "%s/mpi/%s/vnetlab-mpi", o->bindir, o->impl);
}

const char *vl_mpi_missing(const struct vl_mpi_opts *o, char *buf, size_t len)
{
	bool lam = !strcmp(o->impl, "lam");
	const char *exe = lam ? MPIEXEC_LAM : MPIEXEC_MPICH;
	char p[PATH_MAX];

	if (strcmp(o->impl, "mpich") && !lam)
		snprintf(buf, len, "unknown MPI '%s' (mpich or lam)", o->impl);
	else if (access(exe, X_OK) != 0)
		snprintf(buf, len, "%s is not installed (Debian package %s)", exe,
		         lam ? "lam-runtime" : "mpich");
	else if (prog_path(o, p, sizeof(p)), access(p, X_OK) != 0)
		snprintf(buf, len, "%s is missing (make builds it when %s is installed)", p,
		         lam ? "mpicc.lam (lam4-dev)" : "mpicc.mpich (libmpich-dev)");
	else if (lam && access(VL_SSHD, X_OK) != 0)
		snprintf(buf, len,
		         "%s is not installed (Debian package openssh-server): LAM/MPI "
		         "boots over ssh",
		         VL_SSHD);
	else if (lam && !getpwnam(VL_MPI_USER))
		snprintf(buf, len,
		         "LAM/MPI refuses to run as root and there is no user '%s' to run it as "
		         "(scripts/deps.sh makes it)",
		         VL_MPI_USER);
	else
		return NULL;
	return buf;
}

/* vnetlab-mpi's own arguments; staged: the copy in the lab's directory. */
static void bench_args(const struct vl_mpi_opts *o, const char *staged, struct vl_argv *a)
{
	char p[PATH_MAX];

	if (staged)
		snprintf(p, sizeof(p), "%s/vnetlab-mpi", staged);
	else
		prog_path(o, p, sizeof(p));
	vl_argv_add(a, p);
	vl_argv_add(a, o->bench);
	if (o->cls) {
		vl_argv_add(a, "--class");
		vl_argv_add(a, o->cls);
	}
}

static void hosts_list(size_t ranks, struct vl_buf *b)
{
	for (size_t i = 0; i < ranks; i++)
		vl_buf_printf(b, "%sh%zu", i ? "," : "", i + 1);
}

/* The job's command line, in node h1 of lab (lab NULL: on the host);
 * staged: where its programs are copied for the nodes to see. Hydra's
 * remote shell is vnetlab-rsh, which enters the nodes from the host, or
 * (over_ssh: in guests, which cannot) ssh to an sshd in every node. */
static void mpich_argv(const struct vl_mpi_opts *o, const char *lab, const char *staged,
                       size_t ranks, bool over_ssh, struct vl_argv *a)
{
	vl_argv_add(a, MPIEXEC_MPICH);
	if (lab) {
		cleanup_buf struct vl_buf hosts = {0};

		hosts_list(ranks, &hosts);
		vl_argv_add(a, "-launcher");
		vl_argv_add(a, "ssh");
		vl_argv_add(a, "-launcher-exec");
		vl_argv_addf(a, "%s/%s", staged, over_ssh ? "ssh" : "vnetlab-rsh");
		vl_argv_add(a, "-hosts");
		vl_argv_add(a, hosts.s);
		/* mpiexec runs in h1; proc nodes keep the host's name, which
		 * the lab's /etc/hosts does not know */
		vl_argv_add(a, "-localhost");
		vl_argv_add(a, "h1");
		mpich_genv(a);
	}
	vl_argv_add(a, "-n");
	vl_argv_addf(a, "%zu", ranks);
	bench_args(o, staged, a);
}

/* LAM's mpiexec runs "mpirun" from PATH, which Debian's alternatives may
 * point at another MPI's: a directory where it is LAM's comes first. A
 * script, not a symlink: guests see no symlink the host makes in the
 * lab's data directory (its links are the guests' own, vm/qemu.h). */
static int lam_path_dir(const char *dir, struct vl_err *err)
{
	static const char script[] = "#!/bin/sh\nexec /usr/bin/mpirun.lam \"$@\"\n";
	char p[PATH_MAX + 16];

	snprintf(p, sizeof(p), "%s/bin", dir);
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", p);
	snprintf(p, sizeof(p), "%s/bin/mpirun", dir);
	return vl_write_file_mode(p, script, sizeof(script) - 1, 0755, err);
}

/* LAM/MPI as VL_MPI_USER: mpiexec -boot boots the daemons on the hosts of
 * the boot schema (over ssh, LAMRSH), runs the job and halts them. */
static void lam_argv(const struct vl_mpi_opts *o, const char *dir, const char *home, size_t ranks,
                     bool lab, struct vl_argv *a)
{
	vl_argv_add(a, RUNUSER);
	vl_argv_add(a, "-u");
	vl_argv_add(a, VL_MPI_USER);
	vl_argv_add(a, "--");
	vl_argv_add(a, "/usr/bin/env");
	vl_argv_addf(a, "HOME=%s", home);
	vl_argv_add(a, "TMPDIR=/tmp");
	vl_argv_addf(a, "PATH=%s/bin:/usr/bin:/bin", dir);
	if (lab) {
		cleanup_argv struct vl_argv ssh = {0};
		cleanup_buf struct vl_buf cmd = {0};

		vl_argv_add(&ssh, VL_SSH);
		vl_argv_add(&ssh, "-x");
		vl_ssh_opts(dir, &ssh);
		for (size_t i = 0; i < ssh.n; i++)
			vl_buf_printf(&cmd, "%s%s", i ? " " : "", ssh.v[i]);
		vl_argv_addf(a, "LAMRSH=%s", cmd.s);
	}
	vl_argv_add(a, MPIEXEC_LAM);
	vl_argv_add(a, "-boot");
	if (lab) {
		vl_argv_add(a, "-machinefile");
		vl_argv_addf(a, "%s/lamhosts", dir);
	}
	vl_argv_add(a, "-n");
	vl_argv_addf(a, "%zu", ranks);
	bench_args(o, lab ? dir : NULL, a);
}

static size_t distinct_hosts(json_t *report)
{
	json_t *hosts = json_object_get(report, "hosts"), *h, *h2;
	size_t i, j, n = 0;

	json_array_foreach(hosts, i, h)
	{
		bool seen = false;

		json_array_foreach(hosts, j, h2)
		{
			if (j >= i)
				break;
			if (json_equal(h, h2))
				seen = true;
		}
		n += !seen;
	}
	return n;
}

static double sent_bytes(const struct vl_lab_stats *s)
{
	double b = 0;

	for (size_t k = 0; k < s->n_nodes; k++)
		for (size_t j = 0; j < s->nodes[k].n_ifs; j++)
			if (strcmp(s->nodes[k].ifs[j].name, "lo") != 0)
				b += (double)s->nodes[k].ifs[j].tx_bytes;
	return b;
}

/* How long a job that printed its result may take to end: MPICH over TCP
 * (UCX) hangs in MPI_Finalize in about a third of runs with 3 ranks or
 * more; LAM's mpiexec halts its daemons after the job (about 3 s). */
#define FINALIZE_GRACE_S "15"

/* vnetlab-work run, which captures the job's output and stops a job that
 * printed its result but does not end. */
static void wrapper(const struct vl_mpi_opts *o, struct vl_argv *a)
{
	vl_argv_addf(a, "%s/vnetlab-work", o->bindir);
	vl_argv_add(a, "run");
	vl_argv_add(a, "--chdir=/tmp");
	vl_argv_add(a, "--result={\"benchmark\"");
	vl_argv_add(a, "--grace=" FINALIZE_GRACE_S);
	vl_argv_add(a, "--");
}

/* Read the wrapper's report of the job into res. */
static void judge(const struct vl_bench_proc *p, double timeout, struct vl_mpi_result *res)
{
	json_error_t je;
	json_t *w = p->text.s ? json_loads(p->text.s, 0, &je) : NULL;
	const char *out = json_string_value(json_object_get(w, "stdout"));
	const char *errs = json_string_value(json_object_get(w, "stderr"));

	res->job_s = json_number_value(json_object_get(w, "wall_s"));
	res->report = out ? vl_json_last_line(out, "benchmark") : NULL;
	res->finished = res->report != NULL;
	res->verified = json_is_true(json_object_get(res->report, "verified"));
	res->timed_out = p->stopped;
	res->finalize_hang =
	    json_is_true(json_object_get(w, "hung_after_result")) || (p->stopped && res->finished);
	res->wall_s = json_number_value(json_object_get(res->report, "wall_s"));
	res->hosts = distinct_hosts(res->report);
	if (!res->finished) {
		cleanup_buf struct vl_buf tail = {0};
		const char *why = json_string_value(json_object_get(w, "error"));

		vl_buf_tail(&tail, errs ? errs : "", 4, 400);
		if (res->timed_out)
			snprintf(res->error, sizeof(res->error), "no result within %g s%s%s",
			         timeout, tail.len ? ": " : "", tail.len ? tail.s : "");
		else
			snprintf(res->error, sizeof(res->error), "%s%s%s", why ? why : "no report",
			         tail.len ? ": " : "", tail.len ? tail.s : "");
	} else if (!res->verified) {
		snprintf(res->error, sizeof(res->error), "the result did not verify");
	}
	json_decref(w);
}

/* The job on the host, outside any lab: N ranks (solo) or one (one). */
static int run_host(const struct vl_mpi_opts *o, size_t ranks, struct vl_mpi_result *res,
                    struct vl_err *err)
{
	cleanup_argv struct vl_argv a = {0};
	struct vl_bench_proc p;
	char home[] = "/tmp/vnetlab-mpi-XXXXXX";
	struct passwd *pw = NULL;
	int r;

	wrapper(o, &a);
	if (!strcmp(o->impl, "lam")) {
		if (!(pw = getpwnam(VL_MPI_USER)))
			return vl_err_set(err, ENOENT, "no user %s for LAM/MPI", VL_MPI_USER);
		if (!mkdtemp(home))
			return vl_err_sys(err, errno, "a home for LAM/MPI's user in /tmp");
		/* bin/ (root's) first, then the home is the user's */
		if (lam_path_dir(home, err) < 0 || chown(home, pw->pw_uid, pw->pw_gid) < 0) {
			struct vl_err e2 = {0};

			if (!err->msg[0])
				vl_err_sys(err, errno, "chown %s", home);
			vl_rmtree(home, &e2);
			return -1;
		}
		lam_argv(o, home, home, ranks, false, &a);
	} else {
		mpich_argv(o, NULL, NULL, ranks, false, &a);
	}
	r = vl_bench_spawn(NULL, NULL, a.v, NULL, &p, err);
	if (r == 0) {
		vl_bench_collect(&p, 1, vl_now() + o->timeout);
		judge(&p, o->timeout, res);
		vl_buf_free(&p.text);
	}
	if (pw) {
		struct vl_err e2 = {0};
		char *wipe[] = {RUNUSER,        "-u", VL_MPI_USER, "--",
		                "/usr/bin/env", NULL, "lamwipe",   NULL};
		char henv[64];

		snprintf(henv, sizeof(henv), "HOME=%s", home);
		wipe[5] = henv;
		vl_spawn_wait(wipe, true, &e2); /* daemons of a job that hung */
		vl_rmtree(home, &e2);
	}
	return r;
}

/* Copy src to dst, mode 0755. */
static int copy_exe(const char *src, const char *dst, struct vl_err *err)
{
	cleanup_free char *data = NULL;
	size_t len;
	int r;

	if (vl_read_file(src, &data, &len, err) < 0)
		return -1;
	r = vl_write_file(dst, data, len, err);
	if (r == 0 && chmod(dst, 0755) < 0)
		r = vl_err_sys(err, errno, "chmod %s", dst);
	return r;
}

/* The programs the nodes run by path (the launcher, the benchmark), copied
 * into the lab's directory: where they were built may be invisible in a
 * node (its /tmp is its own). */
static int stage(const struct vl_mpi_opts *o, const char *dir, struct vl_err *err)
{
	char src[PATH_MAX], dst[PATH_MAX + 16];

	prog_path(o, src, sizeof(src));
	snprintf(dst, sizeof(dst), "%s/vnetlab-mpi", dir);
	if (copy_exe(src, dst, err) < 0)
		return -1;
	if (!strcmp(o->impl, "lam"))
		return 0;
	/* vnetlab itself, under the name that makes it the remote shell */
	snprintf(src, sizeof(src), "%s/vnetlab", o->bindir);
	snprintf(dst, sizeof(dst), "%s/vnetlab-rsh", dir);
	return copy_exe(src, dst, err);
}

/* ssh with the lab's key and options, for hydra's -launcher-exec (which
 * takes a program, not a command line). */
static int ssh_wrapper(const char *dir, struct vl_err *err)
{
	cleanup_argv struct vl_argv ssh = {0};
	cleanup_buf struct vl_buf sh = {0};
	char p[PATH_MAX + 16];

	vl_argv_add(&ssh, VL_SSH);
	vl_argv_add(&ssh, "-x");
	vl_ssh_opts(dir, &ssh);
	vl_buf_printf(&sh, "#!/bin/sh\nexec");
	for (size_t i = 0; i < ssh.n; i++)
		vl_buf_printf(&sh, " '%s'", ssh.v[i]); /* the lab's path: no quotes in it */
	vl_buf_printf(&sh, " \"$@\"\n");
	snprintf(p, sizeof(p), "%s/ssh", dir);
	return vl_write_file_mode(p, sh.s, sh.len, 0755, err);
}

/* An MPI over ssh on a lab: keys, an sshd in every node logging in the
 * job's user (LAM's account, or root for MPICH in guests), and for LAM
 * the boot schema. */
static int ssh_lab_setup(const char *lab, const char *dir, size_t ranks, bool lam,
                         struct vl_bench_proc *sshd, struct vl_err *err)
{
	struct passwd *pw = getpwnam(lam ? VL_MPI_USER : "root");
	cleanup_buf struct vl_buf hosts = {0};
	char p[PATH_MAX + 16];
	int r;

	if (!pw)
		return vl_err_set(err, ENOENT, "no user %s", lam ? VL_MPI_USER : "root");
	if (vl_sshd_prepare(dir, pw, err) < 0)
		return -1;
	if (lam ? lam_path_dir(dir, err) < 0 : ssh_wrapper(dir, err) < 0)
		return -1;
	for (size_t i = 0; lam && i < ranks; i++)
		vl_buf_printf(&hosts, "h%zu\n", i + 1);
	snprintf(p, sizeof(p), "%s/lamhosts", dir);
	r = lam ? vl_write_file(p, hosts.s, hosts.len, err) : 0; /* LAM's boot schema */
	for (size_t i = 0; i < ranks && r == 0; i++) {
		cleanup_argv struct vl_argv a = {0};
		char node[24];

		snprintf(node, sizeof(node), "h%zu", i + 1);
		vl_sshd_argv(dir, node, 22, &a); /* ns nodes only: their own network */
		r = vl_bench_spawn(lab, node, a.v, NULL, &sshd[i], err);
	}
	if (r == 0) /* sshd listens within milliseconds; LAM's first ssh must not miss it */
		nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL);
	return r;
}

static int run_lab(const struct vl_mpi_opts *o, enum vl_backend backend, struct vl_mpi_result *res,
                   struct vl_err *err)
{
	struct vl_topo *t = NULL;
	struct vl_lab_stats before = {0}, after = {0};
	cleanup_free struct vl_bench_proc *sshd = vl_xcalloc(o->ranks, sizeof(*sshd));
	struct vl_bench_proc job;
	cleanup_argv struct vl_argv a = {0};
	char lab[32], dir[PATH_MAX], env[64];
	char *envv[] = {env, NULL};
	bool lam = !strcmp(o->impl, "lam"), over_ssh = lam || backend == VL_BACKEND_VM;
	int r;

	snprintf(lab, sizeof(lab), "mpi-%d", (int)getpid());
	/* a rank of class W's is needs more than the 128 MiB guest's 48 free
	 * (Debian's kernel): killed for memory there; the study's own 64 MiB
	 * guests are --profile study */
	if (vl_bench_lab_up(lab, o->ranks, backend, o->bw, o->profile,
	                    backend == VL_BACKEND_VM && o->profile == VL_PROFILE_NONE ? VM_MPI_RAM
	                                                                              : 0,
	                    NULL, 0, &t, err) < 0)
		return -1;
	r = vl_bench_lab_dir(lab, "mpi", dir, sizeof(dir), err);
	if (r == 0)
		r = stage(o, dir, err);
	if (r == 0 && over_ssh)
		r = ssh_lab_setup(lab, dir, o->ranks, lam, sshd, err);
	wrapper(o, &a);
	if (lam)
		lam_argv(o, dir, "/tmp", o->ranks, true, &a);
	else
		mpich_argv(o, lab, dir, o->ranks, over_ssh, &a);
	snprintf(env, sizeof(env), "VNETLAB_LAB=%s", lab);
	if (r == 0)
		r = vl_lab_stats_get(lab, &before, err);
	if (r == 0 && (r = vl_bench_spawn(lab, "h1", a.v, envv, &job, err)) == 0) {
		vl_bench_collect(&job, 1, vl_now() + o->timeout);
		judge(&job, o->timeout, res);
		vl_buf_free(&job.text);
		if (vl_lab_stats_get(lab, &after, err) == 0)
			res->link_bytes = sent_bytes(&after) - sent_bytes(&before);
	}
	for (size_t i = 0; i < o->ranks; i++)
		if (sshd[i].pid > 0)
			kill(sshd[i].pid, SIGTERM);
	vl_bench_collect(sshd, o->ranks, vl_now() + 3);
	for (size_t i = 0; i < o->ranks; i++)
		vl_buf_free(&sshd[i].text);
	vl_lab_stats_free(&before);
	vl_lab_stats_free(&after);
	return vl_bench_lab_down(lab, t, r, err);
}

/* ---- real machines ----------------------------------------------------------- */

/* This machine's address toward host addr (the one its packets leave
 * from): where hydra's proxies on the hosts reach mpiexec. */
static int local_addr_toward(const char *addr, char out[INET_ADDRSTRLEN], struct vl_err *err)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)}, me;
	socklen_t len = sizeof(me);
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return vl_err_sys(err, errno, "socket");
	if (inet_pton(AF_INET, addr, &to.sin_addr) != 1)
		return vl_err_set(err, EINVAL, "host address \"%s\"", addr);
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&me, &len) < 0)
		return vl_err_sys(err, errno, "no route from here to %s", addr);
	inet_ntop(AF_INET, &me.sin_addr, out, INET_ADDRSTRLEN);
	return 0;
}

/* Does text hold a whole line that starts with needle? */
static bool has_line(const char *text, const char *needle)
{
	const char *at = text ? strstr(text, needle) : NULL;

	return at && strchr(at, '\n');
}

/* Read p's output into its text until it holds a whole line starting
 * with needle (true), or it ends or the deadline (monotonic seconds)
 * passes (false). */
static bool read_until(struct vl_bench_proc *p, const char *needle, double deadline)
{
	char buf[4096];

	while (p->out >= 0 && !has_line(p->text.s, needle)) {
		struct pollfd pf = {.fd = p->out, .events = POLLIN};
		double left = deadline - vl_now();
		ssize_t r;

		if (left <= 0)
			return false;
		if (poll(&pf, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		r = read(p->out, buf, sizeof(buf));
		if (r > 0) {
			vl_buf_add(&p->text, buf, (size_t)r);
		} else if (r == 0 || errno != EINTR) {
			close(p->out);
			p->out = -1;
		}
	}
	return has_line(p->text.s, needle);
}

/* hydra's proxies as its manual launcher prints them: a command a line. */
static size_t proxies(const char *text, struct vl_rm_cmd *c, size_t max)
{
	size_t n = 0;

	for (const char *l = text; l && *l && n < max;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);

		if (!strncmp(l, "HYDRA_LAUNCH: ", 14)) {
			cleanup_free char *line = vl_xmalloc(len - 13);
			char *sv;

			memcpy(line, l + 14, len - 14);
			line[len - 14] = '\0';
			for (char *w = strtok_r(line, " ", &sv); w; w = strtok_r(NULL, " ", &sv))
				vl_argv_add(&c[n].argv, w);
			n += c[n].argv.n > 0;
		}
		l = nl ? nl + 1 : NULL;
	}
	return n;
}

/* The job's mpiexec here, its ranks one per host. */
static void rm_argv(const struct vl_mpi_opts *o, const char *me, struct vl_argv *a)
{
	cleanup_buf struct vl_buf hosts = {0};

	for (size_t i = 0; i < o->ranks; i++)
		vl_buf_printf(&hosts, "%s%s", i ? "," : "", o->hosts->h[i].addr);
	vl_argv_addl(a, MPIEXEC_MPICH, "-launcher", "manual", "-localhost", me, "-hosts", hosts.s,
	             NULL);
	mpich_genv(a);
	vl_argv_add(a, "-n");
	vl_argv_addf(a, "%zu", o->ranks);
	bench_args(o, NULL, a);
}

/* What the job printed, and why it did not finish if it did not. */
static void rm_judge(const struct vl_bench_proc *p, double timeout, struct vl_rm_cmd *c, size_t n,
                     struct vl_mpi_result *res)
{
	res->report = p->text.s ? vl_json_last_line(p->text.s, "benchmark") : NULL;
	res->finished = res->report != NULL;
	res->verified = json_is_true(json_object_get(res->report, "verified"));
	res->timed_out = p->stopped && !res->finished;
	res->finalize_hang = p->stopped && res->finished;
	res->wall_s = json_number_value(json_object_get(res->report, "wall_s"));
	res->hosts = distinct_hosts(res->report);
	if (res->finished) {
		if (!res->verified)
			snprintf(res->error, sizeof(res->error), "the result did not verify");
		return;
	}
	for (size_t i = 0; i < n && !res->error[0]; i++) {
		cleanup_buf struct vl_buf tail = {0};

		if (c[i].rc == 0 && c[i].r.status == 0)
			continue;
		vl_buf_tail(&tail, c[i].r.out.s ? c[i].r.out.s : "", 3, 400);
		snprintf(res->error, sizeof(res->error), "host %s: its proxy: %s (status %d)",
		         c[i].hs->h[i].name,
		         c[i].rc < 0 ? c[i].err.msg
		         : tail.s    ? tail.s
		                     : "",
		         c[i].r.status);
	}
	if (!res->error[0] && p->stopped)
		snprintf(res->error, sizeof(res->error), "no result within %g s", timeout);
	else if (!res->error[0])
		snprintf(res->error, sizeof(res->error), "no report (mpiexec's wait status %d)",
		         p->status);
}

/* The bytes hosts 0..n-1 have sent on their underlay devices, summed
 * (each read there); < 0 if a host could not say. */
static double underlay_sent(struct vl_hosts *hs, size_t n)
{
	cleanup_free struct vl_rm_cmd *c = vl_xcalloc(n, sizeof(*c));
	cleanup_free struct vl_rm_cmd **cp = vl_xcalloc(n, sizeof(*cp));
	struct vl_rm_batch b = {0};
	struct vl_err err = {0};
	double sum = 0;

	for (size_t i = 0; i < n; i++) {
		vl_argv_add(&c[i].argv, "cat");
		vl_argv_addf(&c[i].argv, "/sys/class/net/%s/statistics/tx_bytes", hs->h[i].dev);
		cp[i] = &c[i];
	}
	if (vl_rm_batch_start(&b, hs, cp, n, &err) == 0)
		vl_rm_batch_wait(&b);
	else
		sum = -1;
	for (size_t i = 0; i < n; i++) {
		if (c[i].rc < 0 || c[i].r.status || !c[i].r.out.s)
			sum = -1;
		else if (sum >= 0)
			sum += strtod(c[i].r.out.s, NULL);
		vl_argv_free(&c[i].argv);
		vl_buf_free(&c[i].r.out);
	}
	return sum;
}

/* MPICH over real machines: mpiexec here (manual launcher), a proxy per
 * host through the hosts table, the ranks on the hosts. */
static int run_rm(const struct vl_mpi_opts *o, struct vl_mpi_result *res, struct vl_err *err)
{
	cleanup_argv struct vl_argv a = {0};
	cleanup_free struct vl_rm_cmd *c = vl_xcalloc(o->ranks, sizeof(*c));
	cleanup_free struct vl_rm_cmd **cp = vl_xcalloc(o->ranks, sizeof(*cp));
	struct vl_rm_batch batch = {0};
	struct vl_hosts hs;
	struct vl_bench_proc p;
	char me[INET_ADDRSTRLEN];
	double t0 = vl_now(), end = t0 + o->timeout;
	size_t n = 0;
	int r;

	if (!strcmp(o->impl, "lam")) {
		res->skipped = true;
		snprintf(res->error, sizeof(res->error),
		         "LAM/MPI boots its daemons over ssh between the hosts as user %s: not yet "
		         "on real machines (MPICH is)",
		         VL_MPI_USER);
		return 0;
	}
	if (!o->hosts || o->ranks > o->hosts->n)
		return vl_err_set(err, EINVAL, "rm: %zu ranks on %zu hosts (one rank per host)",
		                  o->ranks, o->hosts ? o->hosts->n : 0);
	if (local_addr_toward(o->hosts->h[0].addr, me, err) < 0)
		return -1;
	double sent0 = underlay_sent(o->hosts, o->ranks);

	rm_argv(o, me, &a);
	if (vl_bench_spawn(NULL, NULL, a.v, NULL, &p, err) < 0)
		return -1;
	/* the proxies' command lines, then each on its host */
	if (read_until(&p, "HYDRA_LAUNCH_END", vl_now() + 30))
		n = proxies(p.text.s, c, o->ranks);
	hs = *o->hosts; /* its own deadline; not closed */
	hs.o.timeout = o->timeout + 30;
	for (size_t i = 0; i < n; i++)
		cp[i] = &c[i];
	r = n == o->ranks ? vl_rm_batch_start(&batch, &hs, cp, n, err)
	                  : vl_err_set(err, EPROTO, "mpiexec printed %zu proxies for %zu hosts: %s",
	                               n, o->ranks, p.text.s ? p.text.s : "nothing");
	/* the result, then a grace to end (MPICH may hang in MPI_Finalize) */
	vl_buf_free(&p.text);
	bool result = r == 0 && read_until(&p, "{\"benchmark\"", end);

	vl_bench_collect(&p, 1, result ? vl_now() + atof(FINALIZE_GRACE_S) : vl_now());
	if (r == 0)
		vl_rm_batch_wait(&batch);
	res->job_s = vl_now() - t0;
	if (r == 0)
		rm_judge(&p, o->timeout, c, n, res);
	double sent1 = r == 0 && sent0 >= 0 ? underlay_sent(o->hosts, o->ranks) : -1;

	if (sent1 >= sent0 && sent0 >= 0)
		res->link_bytes = sent1 - sent0;
	vl_buf_free(&p.text);
	for (size_t i = 0; i < o->ranks; i++) {
		vl_argv_free(&c[i].argv);
		vl_buf_free(&c[i].r.out);
	}
	return r;
}

static int run_env(const struct vl_mpi_opts *o, const char *env, struct vl_mpi_result *res,
                   struct vl_err *err)
{
	memset(res, 0, sizeof(*res));
	snprintf(res->env, sizeof(res->env), "%s", env);
	res->ranks = !strcmp(env, "one") ? 1 : o->ranks;
	if (!strcmp(env, "ns"))
		return run_lab(o, VL_BACKEND_NS, res, err);
	if (!strcmp(env, "vm"))
		return run_lab(o, VL_BACKEND_VM, res, err);
	if (!strcmp(env, "proc") && !strcmp(o->impl, "lam")) {
		res->skipped = true;
		snprintf(
		    res->error, sizeof(res->error),
		    "LAM/MPI refuses loopback addresses for a boot across hosts, and proc nodes "
		    "live on 127.X.0.N");
		return 0;
	}
	if (!strcmp(env, "proc"))
		return run_lab(o, VL_BACKEND_PROC, res, err);
	if (!strcmp(env, "solo") || !strcmp(env, "one"))
		return run_host(o, res->ranks, res, err);
	if (!strcmp(env, "rm"))
		return run_rm(o, res, err);
	return vl_err_set(err, EINVAL, "unknown environment '%s' (ns, vm, proc, solo, one or rm)",
	                  env);
}

int vl_mpi_run(const struct vl_mpi_opts *o, const char *env, struct vl_mpi_result *res,
               struct vl_err *err)
{
	int r = run_env(o, env, res, err);

	if (r < 0)
		vl_mpi_result_free(res);
	return r;
}

json_t *vl_mpi_result_json(const struct vl_mpi_result *r)
{
	return json_pack(
	    "{s:s, s:I, s:b, s:b, s:b, s:b, s:b, s:f, s:f, s:I, s:f, s:s*, s:O*}", "env", r->env,
	    "ranks", (json_int_t)r->ranks, "skipped", r->skipped, "finished", r->finished,
	    "verified", r->verified, "timed_out", r->timed_out, "finalize_hang", r->finalize_hang,
	    "wall_s", r->wall_s, "job_s", r->job_s, "hosts", (json_int_t)r->hosts, "link_bytes",
	    r->link_bytes, "error", r->error[0] ? r->error : NULL, "report", r->report);
}

void vl_mpi_result_free(struct vl_mpi_result *r)
{
	json_decref(r->report);
	r->report = NULL;
}
