/* Measurements inside a run's nodes for its checks (see probe.h). */
#include "study/probe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "study/spawn.h"

int vl_probe_parse_snmp(const char *text, struct vl_tcp_counts *c)
{
	const char *h = text;

	memset(c, 0, sizeof(*c));
	/* the header line "Tcp: RtoAlgorithm ..." is followed by "Tcp: 1 ..." */
	while ((h = strstr(h, "Tcp:"))) {
		const char *v = strchr(h, '\n');
		char names[1024], vals[1024], *sn = NULL, *sv = NULL, *a, *b;
		size_t hn, vn;

		if (!v || strncmp(v + 1, "Tcp:", 4))
			return -1;
		v++;
		hn = (size_t)(strchr(h, '\n') - h);
		vn = strcspn(v, "\n");
		if (hn >= sizeof(names) || vn >= sizeof(vals))
			return -1;
		memcpy(names, h, hn);
		names[hn] = '\0';
		memcpy(vals, v, vn);
		vals[vn] = '\0';
		for (a = strtok_r(names, " ", &sn), b = strtok_r(vals, " ", &sv); a && b;
		     a = strtok_r(NULL, " ", &sn), b = strtok_r(NULL, " ", &sv)) {
			if (!strcmp(a, "OutSegs"))
				c->out_segs = strtoull(b, NULL, 10);
			else if (!strcmp(a, "RetransSegs"))
				c->retrans_segs = strtoull(b, NULL, 10);
		}
		c->ok = 1;
		return 0;
	}
	return -1;
}

void vl_probe_tcp(const char *lab, char node[][32], size_t n, struct vl_tcp_counts *out)
{
	cleanup_free struct vl_bench_proc *ps = vl_xcalloc(n ? n : 1, sizeof(*ps));
	char *argv[] = {"/bin/cat", "/proc/net/snmp", NULL};

	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (vl_bench_spawn(lab, node[i], argv, NULL, &ps[i], NULL) < 0)
			ps[i].pid = 0;
	}
	vl_bench_collect(ps, n, vl_now() + 30);
	for (size_t i = 0; i < n; i++) {
		if (ps[i].done && ps[i].text.s)
			vl_probe_parse_snmp(ps[i].text.s, &out[i]);
		vl_buf_free(&ps[i].text);
	}
}

double vl_probe_drift(const char *lab, const char *node)
{
	struct vl_bench_proc p = {0};
	char *argv[] = {"/bin/date", "+%s.%N", NULL};
	double before, after, there, off;

	before = (double)vl_realtime_ns() / 1e9;
	if (vl_bench_spawn(lab, node, argv, NULL, &p, NULL) < 0)
		return -1;
	vl_bench_collect(&p, 1, vl_now() + 30);
	after = (double)vl_realtime_ns() / 1e9;
	there = p.done && p.text.s ? strtod(p.text.s, NULL) : 0;
	vl_buf_free(&p.text);
	if (there <= 0)
		return -1;
	/* its date ran between before and after: at least this far off */
	off = there < before ? before - there : there > after ? there - after : 0;
	return off;
}
