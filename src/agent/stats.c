/* STATS: the guest's own view of itself for `vnetlab stats`: uptime, CPU
 * time by kind and the number of CPUs (/proc/stat), memory
 * (/proc/meminfo) and every interface's counters (/proc/net/dev).
 *
 * Touches: nothing; reads /proc only. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "base/util.h"

static void read_cpu(struct vl_ag_stats *st)
{
	cleanup_fclose FILE *f = fopen("/proc/stat", "re");
	long hz = sysconf(_SC_CLK_TCK);
	char line[512];

	if (hz <= 0)
		hz = 100;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long v[VL_AG_CPU_N] = {0};

		if (!strncmp(line, "cpu ", 4)) {
			sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
			       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
			for (int i = 0; i < VL_AG_CPU_N; i++)
				st->cpu_ms[i] = (uint64_t)v[i] * 1000 / (uint64_t)hz;
		} else if (!strncmp(line, "cpu", 3) && line[3] >= '0' && line[3] <= '9') {
			st->ncpu++;
		}
	}
}

static void read_mem(struct vl_ag_stats *st)
{
	cleanup_fclose FILE *f = fopen("/proc/meminfo", "re");
	char line[512];

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "MemTotal: %llu", &v) == 1)
			st->mem_total_kb = v;
		else if (sscanf(line, "MemAvailable: %llu", &v) == 1)
			st->mem_avail_kb = v;
	}
}

static void read_ifs(struct vl_ag_stats *st)
{
	cleanup_fclose FILE *f = fopen("/proc/net/dev", "re");
	char line[512];

	while (f && fgets(line, sizeof(line), f) && st->n_ifs < VL_AG_MAX_IFS) {
		char *colon = strchr(line, ':'), *name = line;
		unsigned long long v[16];
		struct vl_ag_if_stats *s = &st->ifs[st->n_ifs];

		if (!colon)
			continue;
		*colon = 0;
		while (*name == ' ')
			name++;
		if (!*name || strlen(name) > 15)
			continue;
		if (sscanf(colon + 1,
		           "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
		           "%llu %llu %llu %llu",
		           &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
		           &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]) != 16)
			continue;
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->rx_bytes = v[0];
		s->rx_packets = v[1];
		s->rx_errs = v[2];
		s->rx_drop = v[3];
		s->tx_bytes = v[8];
		s->tx_packets = v[9];
		s->tx_errs = v[10];
		s->tx_drop = v[11];
		st->n_ifs++;
	}
}

void ag_stats(uint32_t id)
{
	static struct vl_ag_stats st;

	memset(&st, 0, sizeof(st));
	st.uptime_ms = ag_clock_ms(CLOCK_BOOTTIME);
	read_cpu(&st);
	read_mem(&st);
	read_ifs(&st);
	vl_ag_msg_init(&ag.tx, VL_AG_STATS_REPLY, id);
	vl_ag_stats_put(&ag.tx, &st);
	ag_send(&ag.tx);
}
