/* The workloads table and the built-in workloads (vnetlab-work's cpu,
 * stream, bandwidth and mixed). See workload.h. */
#include "study/workload.h"

#include "base/json.h"

#include <string.h>
#include <unistd.h>

static const struct vl_wl_need no_need[] = {{NULL, NULL, false}};

void vl_wl_times(struct vl_bench_instance *in, json_t *client)
{
	in->wall_s = vl_json_num(client, "wall_s");
	in->user_s = vl_json_num(client, "user_s");
	in->sys_s = vl_json_num(client, "sys_s");
}

int vl_wl_check(json_t *report, const char *role, struct vl_err *err)
{
	const char *exit = json_string_value(json_object_get(report, "exit"));
	const char *e = json_string_value(json_object_get(report, "error"));

	if (!report)
		return vl_err_set(err, 0, "the %s reported nothing", role);
	if (!exit || strcmp(exit, "ok") != 0) {
		/* the program's last words say more than its status (ssh's
		 * "Unknown cipher" comes before scp's "lost connection") */
		cleanup_buf struct vl_buf b = {0};

		vl_buf_tail(&b, vl_json_str(report, "stderr"), 3, 300);
		vl_err_set(err, 0, "%s: %s%s%s", role, e ? e : "failed", b.len ? ": " : "",
		           b.len ? b.s : "");
		return -1;
	}
	return 0;
}

/* --- built-in workloads ---------------------------------------------------- */

static void builtin_client(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
                           struct vl_argv *a)
{
	const struct vl_bench_opts *o = c->o;
	const char *w = o->workload;

	vl_argv_add(a, o->work);
	if (!strcmp(w, "cpu")) {
		vl_argv_add(a, "cpu");
		if (o->size) {
			vl_argv_add(a, "--size");
			vl_argv_add(a, o->size);
		}
		return;
	}
	if (!strcmp(w, "mixed")) {
		vl_argv_add(a, "mixed");
		vl_argv_add(a, "--bytes");
		vl_argv_add(a, o->bytes ? o->bytes : VL_WL_MIXED_BYTES);
		if (o->cipher) {
			vl_argv_add(a, "--cipher");
			vl_argv_add(a, o->cipher);
		}
	} else {
		vl_argv_add(a, "stream");
		vl_argv_add(a, "--seconds");
		vl_argv_addf(a, "%g", o->seconds);
	}
	vl_argv_add(a, "--to");
	vl_argv_add(a, in->server);
	vl_argv_add(a, "--port");
	vl_argv_addf(a, "%d", port);
}

static void builtin_server(const struct vl_wl_ctx *c, const struct vl_bench_instance *in, int port,
                           struct vl_argv *a)
{
	const char *w = c->o->workload;

	(void)in;
	vl_argv_add(a, c->o->work);
	vl_argv_add(a, !strcmp(w, "mixed")       ? "mixed-sink"
	               : !strcmp(w, "bandwidth") ? "bandwidth-sink"
	                                         : "stream-sink");
	vl_argv_add(a, "--port");
	vl_argv_addf(a, "%d", port);
}

static int builtin_figures(const struct vl_wl_ctx *c, struct vl_bench_instance *in, json_t *client,
                           json_t *server, struct vl_err *err)
{
	vl_wl_times(in, client);
	if (vl_wl_check(client, "client", err) < 0)
		return -1;
	if (c->o->workload && strcmp(c->o->workload, "cpu") != 0) {
		/* measured at the receiving side, as the study did */
		if (vl_wl_check(server, "server", err) < 0)
			return -1;
		in->bytes = vl_json_num(server, "bytes");
		in->bps = vl_json_num(server, "throughput_bps");
	}
	return 0;
}

static const struct vl_workload wl_cpu = {
    .name = "cpu",
    .summary = "ray-trace an image in memory (vnetlab-work; POV-Ray's part of the study)",
    .need = no_need,
    .client = builtin_client,
    .figures = builtin_figures,
};
static const struct vl_workload wl_stream = {
    .name = "stream",
    .summary = "one TCP stream per instance for --seconds (vnetlab-work; netperf's part)",
    .flags = VL_WL_NETWORK | VL_WL_RATE,
    .need = no_need,
    .client = builtin_client,
    .server = builtin_server,
    .figures = builtin_figures,
};
static const struct vl_workload wl_bandwidth = {
    .name = "bandwidth",
    .summary = "TCP bandwidth per interval at the receiver (vnetlab-work; iperf's part)",
    .flags = VL_WL_NETWORK | VL_WL_RATE,
    .need = no_need,
    .client = builtin_client,
    .server = builtin_server,
    .figures = builtin_figures,
};
static const struct vl_workload wl_mixed = {
    .name = "mixed",
    .summary = "encrypt and send --bytes, decrypt and verify (vnetlab-work; scp's part)",
    .flags = VL_WL_NETWORK,
    .need = no_need,
    .client = builtin_client,
    .server = builtin_server,
    .figures = builtin_figures,
};

static const struct vl_workload *const table[] = {
    &wl_cpu,      &wl_stream,    &wl_bandwidth, &wl_mixed,      &vl_wl_povray,
    &vl_wl_iperf, &vl_wl_iperf3, &vl_wl_scp,    &vl_wl_netpipe,
};

const struct vl_workload *vl_workload_at(size_t i)
{
	return i < VL_ARRAY_SIZE(table) ? table[i] : NULL;
}

const struct vl_workload *vl_workload_find(const char *name)
{
	for (size_t i = 0; i < VL_ARRAY_SIZE(table); i++)
		if (!strcmp(table[i]->name, name))
			return table[i];
	return NULL;
}

const char *vl_workload_missing(const struct vl_workload *w, const struct vl_bench_opts *o,
                                char *buf, size_t len)
{
	for (const struct vl_wl_need *n = w->need; n && n->program; n++)
		if (!(n->scene && o && o->scene) &&
		    access(n->program, n->scene ? R_OK : X_OK) != 0) {
			snprintf(buf, len, "%s is not installed (Debian package %s)", n->program,
			         n->package);
			return buf;
		}
	return NULL;
}
