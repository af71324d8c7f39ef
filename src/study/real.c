/* The study's real programs as workloads: POV-Ray, iperf (2, the study's),
 * iperf3, scp over an sshd per server node, and NetPIPE. Each runs
 * unmodified in its node through `vnetlab-work run` (barrier, captured
 * output, its own CPU time); parse.c reads what it printed. Measured as the
 * study did: POV-Ray's CPU seconds, iperf at the server, scp's wall time
 * per session with the server's CPU from its node's cgroup. */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "study/parse.h"
#include "study/sshd.h"
#include "study/workload.h"

#define POVRAY       "/usr/bin/povray"
#define POVRAY_SCENE "/usr/share/doc/povray/examples/advanced/wineglass.pov"
#define IPERF        "/usr/bin/iperf"
#define IPERF3       "/usr/bin/iperf3"
#define SCP          "/usr/bin/scp"
#define NPTCP        "/usr/bin/NPtcp"

/* --- POV-Ray --------------------------------------------------------------- */

/* The largest scene read (a scene is text; its includes are read by
 * POV-Ray itself, from the scene's directory). */
#define POVRAY_SCENE_MAX (16u << 20)

static int povray_check(const struct vl_bench_opts *o, struct vl_err *err)
{
	unsigned w, h;
	struct stat st;
	char x;

	if (o->size && (sscanf(o->size, "%u%c%u", &w, &x, &h) != 3 || x != 'x' || !w || !h ||
	                w > 16384 || h > 16384))
		return vl_err_set(
		    err, EINVAL, "povray: --size %s: expected WIDTHxHEIGHT, e.g. 640x480", o->size);
	if (!o->scene)
		return 0;
	if (stat(o->scene, &st) < 0)
		return vl_err_sys(err, errno, "povray: --scene %s", o->scene);
	if (!S_ISREG(st.st_mode) || st.st_size > POVRAY_SCENE_MAX)
		return vl_err_set(err, EINVAL,
		                  "povray: --scene %s: expected a scene file (at most %u MiB)",
		                  o->scene, POVRAY_SCENE_MAX >> 20);
	return 0;
}

/* The scene is copied into the lab's scratch directory, readable by root
 * alone (the user's file may be where nodes cannot see it: their /tmp is
 * their own); its own directory, made absolute, stays on the include path. */
static int povray_setup(struct vl_wl_ctx *c, struct vl_err *err)
{
	const char *scene = c->o->scene ? c->o->scene : POVRAY_SCENE;
	cleanup_free char *real = realpath(scene, NULL), *text = NULL;
	char dst[PATH_MAX + 16], *slash;
	size_t len;
	int r;

	if (!real)
		return vl_err_sys(err, errno, "povray: %s", scene);
	if (vl_read_file(real, &text, &len, err) < 0)
		return vl_err_wrap(err, "povray: the scene");
	snprintf(dst, sizeof(dst), "%s/scene.pov", c->dir);
	r = vl_write_file(dst, text, len, err);
	if (r == 0 && chmod(dst, 0600) < 0)
		r = vl_err_sys(err, errno, "chmod %s", dst);
	slash = strrchr(real, '/');
	*slash = '\0';
	c->priv = real; /* the scene's directory */
	real = NULL;
	return r;
}

static void povray_teardown(struct vl_wl_ctx *c)
{
	free(c->priv);
	c->priv = NULL;
}

static void povray_client(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
                          struct vl_argv *a)
{
	unsigned w = 640, h = 480;

	(void)port;
	if (c->o->size)
		sscanf(c->o->size, "%ux%u", &w, &h);
	vl_argv_add(a, POVRAY);
	vl_argv_addf(a, "+I%s/scene.pov", c->dir);
	/* includes next to the scene, then POV-Ray's own (its povray.ini) */
	vl_argv_addf(a, "+L%s", *(char *)c->priv ? (char *)c->priv : "/");
	/* one image per instance, in the lab's scratch directory (proc nodes
	 * share the host's /tmp), removed with the lab */
	vl_argv_addf(a, "+O%s/povray-%s.png", c->dir, in->node);
	/* the study's options (+v1 and +b1000 are +v and +b in 3.7), one thread */
	vl_argv_add(a, "+a0.300");
	vl_argv_add(a, "+r3");
	vl_argv_add(a, "-q9");
	vl_argv_addf(a, "-w%u", w);
	vl_argv_addf(a, "-h%u", h);
	vl_argv_add(a, "-mv2.0");
	vl_argv_add(a, "+v");
	vl_argv_add(a, "+b");
	vl_argv_add(a, "+WT1");
	vl_argv_add(a, "-D");
}

static int povray_figures(const struct vl_wl_ctx *c, struct vl_bench_instance *in, json_t *client,
                          json_t *server, struct vl_err *err)
{
	struct vl_povray pv;

	(void)c;
	(void)server;
	vl_wl_times(in, client);
	if (vl_wl_check(client, "povray", err) < 0)
		return -1;
	if (vl_parse_povray(vl_json_str(client, "stderr"), &pv, err) < 0)
		return vl_err_wrap(err, "povray's report");
	json_object_set_new(client, "povray", vl_povray_json(&pv));
	return 0;
}

static const struct vl_wl_need povray_need[] = {
    {POVRAY, "povray", false}, {POVRAY_SCENE, "povray-examples", true}, {NULL, NULL, false}};

const struct vl_workload vl_wl_povray = {
    .name = "povray",
    .summary = "render a scene with POV-Ray 3.7 on one thread (the study's skyvase: --scene)",
    .flags = VL_WL_REAL,
    .need = povray_need,
    .check = povray_check,
    .setup = povray_setup,
    .teardown = povray_teardown,
    .client = povray_client,
    .figures = povray_figures,
};

/* --- iperf 2 ---------------------------------------------------------------- */

static void iperf_server(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
                         struct vl_argv *a)
{
	(void)c;
	vl_argv_addl(a, IPERF, "-s", "-y", "C", "-B", in->server, "-p", NULL);
	vl_argv_addf(a, "%d", port);
}

static void iperf_client(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
                         struct vl_argv *a)
{
	vl_argv_addl(a, IPERF, "-c", in->server, "-p", NULL);
	vl_argv_addf(a, "%d", port);
	vl_argv_add(a, "-t");
	vl_argv_addf(a, "%g", c->o->seconds);
	vl_argv_addl(a, "-y", "C", NULL);
}

static int iperf_figures(const struct vl_wl_ctx *c, struct vl_bench_instance *in, json_t *client,
                         json_t *server, struct vl_err *err)
{
	struct vl_iperf ip;

	(void)c;
	vl_wl_times(in, client);
	if (vl_wl_check(client, "iperf client", err) < 0 ||
	    vl_wl_check(server, "iperf server", err) < 0)
		return -1;
	/* at the server, as the study measured */
	if (vl_parse_iperf_csv(vl_json_str(server, "stdout"), &ip, err) < 0)
		return vl_err_wrap(err, "iperf server's report");
	in->bytes = (double)ip.bytes;
	in->bps = ip.bps;
	json_object_set_new(server, "iperf", vl_iperf_json(&ip));
	vl_iperf_free(&ip);
	return 0;
}

static const struct vl_wl_need iperf_need[] = {{IPERF, "iperf", false}, {NULL, NULL, false}};

const struct vl_workload vl_wl_iperf = {
    .name = "iperf",
    .summary = "iperf 2 client per instance against its own server (-y C, at the server)",
    .flags = VL_WL_NETWORK | VL_WL_RATE | VL_WL_REAL | VL_WL_STOP_SERVER | VL_WL_GUEST,
    .need = iperf_need,
    .client = iperf_client,
    .server = iperf_server,
    .figures = iperf_figures,
};

/* --- iperf3 ------------------------------------------------------------------ */

static void iperf3_server(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
                          struct vl_argv *a)
{
	(void)c;
	/* one server per client: iperf3 serves one test at a time */
	vl_argv_addl(a, IPERF3, "-s", "-1", "-J", "-B", in->server, "-p", NULL);
	vl_argv_addf(a, "%d", port);
}

static void iperf3_client(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
                          struct vl_argv *a)
{
	/* iperf3 reads -t as an integer (and 0 as forever): whole seconds */
	vl_argv_addl(a, IPERF3, "-c", in->server, "-p", NULL);
	vl_argv_addf(a, "%d", port);
	vl_argv_add(a, "-t");
	vl_argv_addf(a, "%.0f", ceil(c->o->seconds));
	vl_argv_add(a, "-J");
}

static int iperf3_figures(const struct vl_wl_ctx *c, struct vl_bench_instance *in, json_t *client,
                          json_t *server, struct vl_err *err)
{
	struct vl_iperf3 ip;

	(void)c;
	(void)server;
	vl_wl_times(in, client);
	/* iperf3 -J says why it failed in its JSON; read that first */
	if (vl_parse_iperf3(vl_json_str(client, "stdout"), &ip, err) < 0)
		return vl_err_wrap(err, "iperf3");
	if (vl_wl_check(client, "iperf3 client", err) < 0)
		return -1;
	in->bytes = (double)ip.received_bytes;
	in->bps = ip.received_bps;
	json_object_set_new(client, "iperf3", vl_iperf3_json(&ip));
	return 0;
}

static const struct vl_wl_need iperf3_need[] = {{IPERF3, "iperf3", false}, {NULL, NULL, false}};

const struct vl_workload vl_wl_iperf3 = {
    .name = "iperf3",
    .summary = "iperf3 client per instance, one server each (-J: bytes and CPU of both ends)",
    .flags = VL_WL_NETWORK | VL_WL_RATE | VL_WL_REAL | VL_WL_STOP_SERVER | VL_WL_GUEST,
    .need = iperf3_need,
    .client = iperf3_client,
    .server = iperf3_server,
    .figures = iperf3_figures,
};

/* --- scp over sshd --------------------------------------------------------- */

/* The most scp sends: its file lives in the lab's state directory (in
 * /run, usually memory). */
#define SCP_BYTES_MAX (4ull << 30)

static int scp_check(const struct vl_bench_opts *o, struct vl_err *err)
{
	uint64_t b;

	if (o->bytes && (vl_parse_bytes(o->bytes, &b) < 0 || b == 0 || b > SCP_BYTES_MAX))
		return vl_err_set(err, EINVAL, "scp: --bytes %s: expected a size from 1 to 4GiB",
		                  o->bytes);
	return 0;
}

/* The file every client sends: --bytes of random data (incompressible,
 * though scp does not compress by default), in the lab's scratch directory. */
static int scp_setup(struct vl_wl_ctx *c, struct vl_err *err)
{
	struct passwd *root = getpwuid(0);
	char p[PATH_MAX + 16];
	uint64_t bytes = VL_WL_SCP_BYTES, left;
	char buf[1 << 16];
	cleanup_close int in = -1;
	cleanup_close int out = -1;
	int r = 0;

	if (c->o->bytes)
		vl_parse_bytes(c->o->bytes, &bytes); /* scp_check said it is good */
	snprintf(p, sizeof(p), "%s/ssh", c->dir);
	if (!root)
		return vl_err_sys(err, errno, "no passwd entry for root");
	if (vl_sshd_prepare(p, root, err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/scp.data", c->dir);
	in = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	out = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (in < 0 || out < 0)
		r = vl_err_sys(err, errno, "open %s", in < 0 ? "/dev/urandom" : p);
	for (left = bytes; r == 0 && left > 0;) {
		size_t k = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		ssize_t got = read(in, buf, k);

		if (got <= 0 || vl_write_all(out, buf, (size_t)got) < 0)
			r = vl_err_sys(err, errno, "write %s", p);
		else
			left -= (uint64_t)got;
	}
	return r;
}

static void scp_server(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
                       struct vl_argv *a)
{
	char dir[PATH_MAX + 8];

	snprintf(dir, sizeof(dir), "%s/ssh", c->dir);
	vl_sshd_argv(dir, in->server, port, a);
}

static void scp_client(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
                       struct vl_argv *a)
{
	char dir[PATH_MAX + 8];

	snprintf(dir, sizeof(dir), "%s/ssh", c->dir);
	vl_argv_add(a, SCP);
	vl_argv_add(a, "-O"); /* the legacy protocol, as the study's scp spoke */
	vl_argv_add(a, "-q");
	vl_argv_add(a, "-P");
	vl_argv_addf(a, "%d", port);
	vl_ssh_opts(dir, a);
	if (c->o->cipher) {
		vl_argv_add(a, "-c");
		vl_argv_add(a, c->o->cipher);
	}
	vl_argv_addf(a, "%s/scp.data", c->dir);
	/* what is measured is the encrypted transfer, not the server's disk */
	vl_argv_addf(a, "root@%s:/dev/null", in->server);
}

static int scp_figures(const struct vl_wl_ctx *c, struct vl_bench_instance *in, json_t *client,
                       json_t *server, struct vl_err *err)
{
	char p[PATH_MAX + 16];
	struct stat st;

	(void)server;
	vl_wl_times(in, client);
	if (vl_wl_check(client, "scp", err) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/scp.data", c->dir);
	/* in the lab's data directory, which guests may change: not followed */
	if (lstat(p, &st) < 0)
		return vl_err_sys(err, errno, "stat %s", p);
	if (!S_ISREG(st.st_mode))
		return vl_err_set(err, EINVAL, "%s: not a regular file", p);
	in->bytes = (double)st.st_size;
	in->bps = in->wall_s > 0 ? in->bytes * 8 / in->wall_s : 0;
	return 0;
}

static const struct vl_wl_need scp_need[] = {
    {SCP, "openssh-client", false}, {VL_SSHD, "openssh-server", false}, {NULL, NULL, false}};

const struct vl_workload vl_wl_scp = {
    .name = "scp",
    .summary = "scp -O of --bytes to an sshd of its own per instance (cipher: --cipher)",
    .flags = VL_WL_NETWORK | VL_WL_REAL | VL_WL_STOP_SERVER,
    .need = scp_need,
    .check = scp_check,
    .setup = scp_setup,
    .client = scp_client,
    .server = scp_server,
    .figures = scp_figures,
};

/* --- NetPIPE ------------------------------------------------------------------- */

static int netpipe_check(const struct vl_bench_opts *o, struct vl_err *err)
{
	uint64_t b;

	if (o->bytes && (vl_parse_bytes(o->bytes, &b) < 0 || b < 16 || b > (1u << 30)))
		return vl_err_set(err, EINVAL,
		                  "netpipe: --bytes %s: expected the largest message, 16 to 1GiB",
		                  o->bytes);
	return 0;
}

/* NetPIPE's options, the same on both ends (a mismatch hangs it): sizes up
 * to --bytes (default 1 MiB), no perturbation (a third of the points). */
static void netpipe_opts(const struct vl_wl_ctx *c, int port, struct vl_argv *a)
{
	uint64_t max = 1u << 20;

	if (c->o->bytes)
		vl_parse_bytes(c->o->bytes, &max); /* netpipe_check said it is good */
	vl_argv_add(a, "-P");
	vl_argv_addf(a, "%d", port);
	vl_argv_add(a, "-u");
	vl_argv_addf(a, "%llu", (unsigned long long)max);
	vl_argv_add(a, "-p");
	vl_argv_add(a, "0");
}

static void netpipe_server(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
                           struct vl_argv *a)
{
	(void)in;
	vl_argv_add(a, NPTCP);
	netpipe_opts(c, port, a);
}

static void netpipe_client(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
                           struct vl_argv *a)
{
	vl_argv_add(a, NPTCP);
	vl_argv_add(a, "-h");
	vl_argv_add(a, in->server);
	netpipe_opts(c, port, a);
	vl_argv_add(a, "-o");
	vl_argv_addf(a, "%s/np-%s.out", c->dir, in->node);
}

static int netpipe_figures(const struct vl_wl_ctx *c, struct vl_bench_instance *in, json_t *client,
                           json_t *server, struct vl_err *err)
{
	struct vl_netpipe np;

	(void)c;
	(void)server;
	vl_wl_times(in, client);
	if (vl_wl_check(client, "NPtcp", err) < 0)
		return -1;
	/* the transmitter logs its data points on stderr */
	if (vl_parse_netpipe(vl_json_str(client, "stderr"), &np, err) < 0)
		return vl_err_wrap(err, "NPtcp's report");
	in->bps = np.peak_bps;
	json_object_set_new(client, "netpipe", vl_netpipe_json(&np));
	vl_netpipe_free(&np);
	return 0;
}

static const struct vl_wl_need netpipe_need[] = {{NPTCP, "netpipe-tcp", false},
                                                 {NULL, NULL, false}};

const struct vl_workload vl_wl_netpipe = {
    .name = "netpipe",
    .summary = "NetPIPE (NPtcp): latency and bandwidth over message sizes, per pair",
    .flags = VL_WL_NETWORK | VL_WL_RATE | VL_WL_REAL | VL_WL_STOP_SERVER,
    .need = netpipe_need,
    .check = netpipe_check,
    .client = netpipe_client,
    .server = netpipe_server,
    .figures = netpipe_figures,
};
