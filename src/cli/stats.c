/* vnetlab stats: what each node used (its cgroup) and moved (its links). */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vm/proto.h"
#include "base/util.h"
#include "cli/cli.h"
#include "cli/span.h"
#include "engine/stats.h"

static const struct option stats_opts[] = {
    {"json", no_argument, NULL, 'j'},
    {"watch", optional_argument, NULL, 'w'},
    {"count", required_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	stop = sig;
}

static json_t *cgroup_json(const struct vl_cg_stats *c, const struct vl_node_stats *prev, double dt)
{
	json_t *cg = json_object();

	if (c->have_cpu)
		json_object_set_new(cg, "cpu_usec", json_integer((json_int_t)c->cpu_usec));
	if (c->have_user_system) {
		json_object_set_new(cg, "user_usec", json_integer((json_int_t)c->user_usec));
		json_object_set_new(cg, "system_usec", json_integer((json_int_t)c->system_usec));
	}
	if (c->have_throttle) {
		json_object_set_new(cg, "nr_periods", json_integer((json_int_t)c->nr_periods));
		json_object_set_new(cg, "nr_throttled", json_integer((json_int_t)c->nr_throttled));
		json_object_set_new(cg, "throttled_usec",
		                    json_integer((json_int_t)c->throttled_usec));
	}
	if (c->have_memory)
		json_object_set_new(cg, "memory_bytes", json_integer((json_int_t)c->mem_current));
	if (c->have_peak)
		json_object_set_new(cg, "memory_peak_bytes", json_integer((json_int_t)c->mem_peak));
	if (c->have_oom) {
		json_object_set_new(cg, "oom_kills", json_integer((json_int_t)c->oom_kills));
		json_object_set_new(cg, "oom_events", json_integer((json_int_t)c->oom_events));
	}
	if (c->have_pids)
		json_object_set_new(cg, "pids", json_integer((json_int_t)c->pids_current));
	if (prev && prev->have_cgroup && dt > 0 && c->have_cpu)
		json_object_set_new(
		    cg, "cpu_percent",
		    json_real(100.0 * (double)(c->cpu_usec - prev->cg.cpu_usec) / (dt * 1e6)));
	return cg;
}

static json_t *ifs_json(const struct vl_node_stats *n, const struct vl_node_stats *prev, double dt)
{
	json_t *ifs = json_array();

	for (size_t k = 0; k < n->n_ifs; k++) {
		const struct vl_if_stats *f = &n->ifs[k];
		json_t *ji = json_pack(
		    "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "name", f->name, "rx_bytes",
		    (json_int_t)f->rx_bytes, "rx_packets", (json_int_t)f->rx_packets, "rx_dropped",
		    (json_int_t)f->rx_dropped, "rx_errors", (json_int_t)f->rx_errors, "tx_bytes",
		    (json_int_t)f->tx_bytes, "tx_packets", (json_int_t)f->tx_packets, "tx_dropped",
		    (json_int_t)f->tx_dropped, "tx_errors", (json_int_t)f->tx_errors);

		if (prev && dt > 0 && k < prev->n_ifs && !strcmp(prev->ifs[k].name, f->name)) {
			json_object_set_new(
			    ji, "rx_bps",
			    json_real(8.0 * (double)(f->rx_bytes - prev->ifs[k].rx_bytes) / dt));
			json_object_set_new(
			    ji, "tx_bps",
			    json_real(8.0 * (double)(f->tx_bytes - prev->ifs[k].tx_bytes) / dt));
		}
		json_array_append_new(ifs, ji);
	}
	return ifs;
}

/* A guest's CPU time that was not idle, in ms. */
static uint64_t guest_busy(const struct vl_ag_stats *g)
{
	uint64_t total = 0;

	for (int k = 0; k < VL_AG_CPU_N; k++)
		total += g->cpu_ms[k];
	return total - g->cpu_ms[VL_AG_CPU_IDLE] - g->cpu_ms[VL_AG_CPU_IOWAIT];
}

static json_t *guest_json(const struct vl_ag_stats *g, const struct vl_ag_stats *prev, double dt)
{
	uint64_t busy = guest_busy(g);
	json_t *gj = json_object();

	json_object_set_new(gj, "uptime_ms", json_integer((json_int_t)g->uptime_ms));
	json_object_set_new(gj, "cpus", json_integer((json_int_t)g->ncpu));
	json_object_set_new(gj, "cpu_busy_ms", json_integer((json_int_t)busy));
	json_object_set_new(gj, "cpu_user_ms", json_integer((json_int_t)g->cpu_ms[VL_AG_CPU_USER]));
	json_object_set_new(gj, "cpu_system_ms",
	                    json_integer((json_int_t)g->cpu_ms[VL_AG_CPU_SYSTEM]));
	json_object_set_new(gj, "cpu_steal_ms",
	                    json_integer((json_int_t)g->cpu_ms[VL_AG_CPU_STEAL]));
	json_object_set_new(gj, "memory_total_kb", json_integer((json_int_t)g->mem_total_kb));
	json_object_set_new(gj, "memory_available_kb", json_integer((json_int_t)g->mem_avail_kb));
	if (prev && dt > 0)
		json_object_set_new(
		    gj, "cpu_percent",
		    json_real(100.0 * (double)(busy - guest_busy(prev)) / (dt * 1e3)));
	return gj;
}

static json_t *node_json(const struct vl_node_stats *n, const struct vl_node_stats *prev, double dt)
{
	json_t *j = json_object();

	json_object_set_new(j, "name", json_string(n->name));
	if (n->have_cgroup)
		json_object_set_new(j, "cgroup", cgroup_json(&n->cg, prev, dt));
	json_object_set_new(j, "interfaces", ifs_json(n, prev, dt));
	if (n->guest)
		json_object_set_new(j, "guest",
		                    guest_json(n->guest, prev ? prev->guest : NULL, dt));
	return j;
}

static void print_json(const struct vl_lab_stats *s, const struct vl_lab_stats *prev, int lines)
{
	json_t *root = json_object(), *nodes = json_array();
	double dt = prev ? s->when - prev->when : 0;

	json_object_set_new(root, "lab", json_string(s->lab));
	json_object_set_new(root, "backend", json_string(s->backend));
	json_object_set_new(root, "cgroup", json_string(s->cgroup));
	json_object_set_new(root, "time", json_integer((json_int_t)time(NULL)));
	for (size_t i = 0; i < s->n_nodes; i++)
		json_array_append_new(
		    nodes, node_json(&s->nodes[i],
		                     prev && i < prev->n_nodes ? &prev->nodes[i] : NULL, dt));
	json_object_set_new(root, "nodes", nodes);
	json_dumpf(root, stdout, lines ? JSON_COMPACT : JSON_INDENT(1));
	putchar('\n');
	fflush(stdout);
	json_decref(root);
}

static void human_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)b;
	int k = 0;

	while (v >= 1024 && k < 4) {
		v /= 1024;
		k++;
	}
	snprintf(buf, len, k ? "%.1f%s" : "%.0f%s", v, u[k]);
}

/* The node's cgroup columns (those it has; "-" for the others). */
struct cg_cells {
	char user[16], sys[16], pct[16], mem[16], peak[16], oom[16], pids[16];
};

static void cg_cells(const struct vl_node_stats *n, const struct vl_node_stats *p, double dt,
                     struct cg_cells *o)
{
	const struct vl_cg_stats *c = &n->cg;

	*o = (struct cg_cells){"-", "-", "", "-", "-", "-", "-"};
	if (!n->have_cgroup)
		return;
	if (c->have_user_system) {
		snprintf(o->user, sizeof(o->user), "%.2f", (double)c->user_usec / 1e6);
		snprintf(o->sys, sizeof(o->sys), "%.2f", (double)c->system_usec / 1e6);
	} else if (c->have_cpu) {
		snprintf(o->user, sizeof(o->user), "%.2f", (double)c->cpu_usec / 1e6);
	}
	if (p && p->have_cgroup && dt > 0 && c->have_cpu)
		snprintf(o->pct, sizeof(o->pct), "%.1f",
		         100.0 * (double)(c->cpu_usec - p->cg.cpu_usec) / (dt * 1e6));
	if (c->have_memory)
		human_bytes(c->mem_current, o->mem, sizeof(o->mem));
	if (c->have_peak)
		human_bytes(c->mem_peak, o->peak, sizeof(o->peak));
	if (c->have_oom)
		snprintf(o->oom, sizeof(o->oom), "%llu", (unsigned long long)c->oom_kills);
	if (c->have_pids)
		snprintf(o->pids, sizeof(o->pids), "%llu", (unsigned long long)c->pids_current);
}

/* "eth0 1.2KiB/3.4KiB, eth1 ..." (rates in Mb/s between two samples). */
static void if_cells(const struct vl_node_stats *n, const struct vl_node_stats *p, double dt,
                     struct vl_buf *ifs)
{
	for (size_t k = 0; k < n->n_ifs; k++) {
		const struct vl_if_stats *f = &n->ifs[k];
		char rx[16], tx[16];

		if (p && dt > 0 && k < p->n_ifs) {
			snprintf(rx, sizeof(rx), "%.1fMb/s",
			         8.0 * (double)(f->rx_bytes - p->ifs[k].rx_bytes) / dt / 1e6);
			snprintf(tx, sizeof(tx), "%.1fMb/s",
			         8.0 * (double)(f->tx_bytes - p->ifs[k].tx_bytes) / dt / 1e6);
		} else {
			human_bytes(f->rx_bytes, rx, sizeof(rx));
			human_bytes(f->tx_bytes, tx, sizeof(tx));
		}
		vl_buf_printf(ifs, "%s%s %s/%s", k ? ", " : "", f->name, rx, tx);
		if (f->rx_dropped || f->tx_dropped)
			vl_buf_printf(ifs, " drop %llu/%llu", (unsigned long long)f->rx_dropped,
			              (unsigned long long)f->tx_dropped);
	}
}

/* The guest's own view, beside QEMU's cgroup above. */
static void print_guest(const struct vl_ag_stats *g)
{
	uint64_t used =
	    g->mem_total_kb > g->mem_avail_kb ? (g->mem_total_kb - g->mem_avail_kb) * 1024 : 0;
	char gu[16], gs[16], gm[16], gt[16];

	snprintf(gu, sizeof(gu), "%.2f", (double)g->cpu_ms[VL_AG_CPU_USER] / 1e3);
	snprintf(gs, sizeof(gs), "%.2f", (double)g->cpu_ms[VL_AG_CPU_SYSTEM] / 1e3);
	human_bytes(used, gm, sizeof(gm));
	human_bytes(g->mem_total_kb * 1024, gt, sizeof(gt));
	printf("%-14s %9s %9s %7s %9s %9s %4s %5s  up %.0f s, %u vCPU\n", "  (guest)", gu, gs, "",
	       gm, gt, "", "", (double)g->uptime_ms / 1e3, g->ncpu);
}

static void print_table(const struct vl_lab_stats *s, const struct vl_lab_stats *prev)
{
	double dt = prev ? s->when - prev->when : 0;

	printf("lab %s (backend %s, cgroup %s)%s\n", s->lab, s->backend,
	       s->cgroup[0] ? s->cgroup : "none", prev ? "" : "  totals since up");
	printf("%-14s %9s %9s %7s %9s %9s %4s %5s  %s\n", "NODE", "USER s", "SYS s",
	       prev ? "CPU%" : "", "MEM", "PEAK", "OOM", "PIDS", "INTERFACES rx/tx");
	for (size_t i = 0; i < s->n_nodes; i++) {
		const struct vl_node_stats *n = &s->nodes[i];
		const struct vl_node_stats *p = prev && i < prev->n_nodes ? &prev->nodes[i] : NULL;
		struct cg_cells c;
		struct vl_buf ifs = {0};

		cg_cells(n, p, dt, &c);
		if_cells(n, p, dt, &ifs);
		printf("%-14s %9s %9s %7s %9s %9s %4s %5s  %s\n", n->name, c.user, c.sys, c.pct,
		       c.mem, c.peak, c.oom, c.pids, ifs.s ? ifs.s : "-");
		vl_buf_free(&ifs);
		if (n->guest)
			print_guest(n->guest);
	}
	{
		bool mem = false, tasks = false, cg = false;

		for (size_t i = 0; i < s->n_nodes; i++) {
			cg |= s->nodes[i].have_cgroup;
			mem |= s->nodes[i].cg.have_memory;
			tasks |= s->nodes[i].cg.have_pids;
		}
		if (cg && (!mem || !tasks))
			printf("(%s%s%s not measured: up --accounting all measures them)\n",
			       mem ? "" : "MEM", !mem && !tasks ? " and " : "",
			       tasks ? "" : "PIDS");
	}
	fflush(stdout);
}

int cmd_stats(int argc, char **argv)
{
	struct vl_lab_stats cur = {0}, prev = {0};
	struct vl_err err = {0};
	int opt, json = 0, watch = 0, tty = isatty(STDOUT_FILENO);
	double every = 1.0;
	unsigned long count = 0;

	while ((opt = getopt_long(argc, argv, "jw::c:h", stats_opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		case 'w':
			watch = 1;
			if (optarg) {
				if (vl_parse_number(optarg, 0.1, 3600, &every) < 0)
					return vl_cli_usage("stats",
					                    "--watch takes seconds (0.1 to 3600)");
			}
			break;
		case 'c':
			if (vl_parse_uint(optarg, 1, 1u << 30, &count) < 0)
				return vl_cli_usage("stats", "--count takes a number of refreshes");
			watch = 1;
			break;
		case 'h':
			return vl_cli_help("stats");
		default:
			return vl_cli_usage("stats", "bad option");
		}
	}
	if (argc - optind != 1)
		return vl_cli_usage("stats", "name one lab");
	if (vl_cli_spanned(argv[optind])) /* a lab over hosts: each host's part */
		return watch ? vl_cli_usage("stats", "--watch: on each host of a lab over hosts")
		             : vl_cli_span_stats(argv[optind], json);
	if (vl_lab_stats_get(argv[optind], &cur, &err) < 0)
		return vl_cli_fail(&err);
	if (!watch) {
		if (json)
			print_json(&cur, NULL, 0);
		else
			print_table(&cur, NULL);
		vl_lab_stats_free(&cur);
		return VL_EXIT_OK;
	}
	stop = 0; /* a watch before this one in the shell */
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGHUP, on_stop);
	for (unsigned long k = 0; !stop && (!count || k < count); k++) {
		struct timespec ts = {(time_t)every, (long)((every - floor(every)) * 1e9)};

		nanosleep(&ts, NULL);
		if (stop)
			break;
		vl_lab_stats_free(&prev);
		prev = cur;
		if (vl_lab_stats_get(argv[optind], &cur, &err) < 0) {
			vl_lab_stats_free(&prev);
			return vl_cli_fail(&err);
		}
		if (json) {
			print_json(&cur, &prev, 1);
		} else {
			if (tty)
				fputs("\033[H\033[2J", stdout);
			print_table(&cur, &prev);
		}
	}
	vl_lab_stats_free(&prev);
	vl_lab_stats_free(&cur);
	/* Ctrl-C is how a watch ends; told to stop, it says so */
	return stop && stop != SIGINT ? 128 + stop : VL_EXIT_OK;
}
