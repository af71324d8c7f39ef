/* NetPIPE's results: NPtcp's log or its np.out (see parse.h). */
#include "study/parse.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "study/parse_impl.h"

/* NetPIPE's 'Mbps': bits / (seconds × 1024 × 1024). */
#define NP_MBIT 1048576.0

/* A line that is not a data point but says something went wrong. */
static bool np_alarming(const char *t)
{
	return strcasestr(t, "error") || strcasestr(t, "cannot") || strcasestr(t, "failed");
}

static int np_point(char *t, unsigned lineno, int *form, struct vl_netpipe_point *pt, size_t index,
                    struct vl_err *err)
{
	const char *p = t;
	uint64_t idx;
	double secs;
	char ex[72];
	int this_form;

	/* the log's "  3:       4 bytes   6405 times -->      2.68 Mbps in      11.40 usec" */
	this_form = vl_eat_u64(&p, &idx) && vl_eat(&p, ":") ? 1 : 2;
	if (*form && this_form != *form)
		return vl_err_set(err, 0,
		                  "line %u: %s among %s: one of NPtcp's log or np.out expected, "
		                  "not both",
		                  lineno, this_form == 1 ? "a log line" : "an np.out line",
		                  *form == 1 ? "log lines" : "np.out lines");
	*form = this_form;
	if (this_form == 1) {
		bool head = vl_eat_u64(&p, &pt->bytes) && vl_eat(&p, "bytes") &&
		            vl_eat_u64(&p, &pt->repeats) && vl_eat(&p, "times") &&
		            vl_eat(&p, "-->");

		if (head && vl_at_end(&p))
			return vl_err_set(
			    err, 0,
			    "line %u: a cut-off data point (the run was interrupted?): "
			    "\"%s\"",
			    lineno, vl_excerpt(ex, t));
		if (!head || !vl_eat_dec(&p, &pt->mbps) || !vl_eat(&p, "Mbps") ||
		    !vl_eat(&p, "in") || !vl_eat_dec(&p, &pt->usec) || !vl_eat(&p, "usec") ||
		    !vl_at_end(&p))
			return vl_err_set(
			    err, 0,
			    "line %u: expected \"N: BYTES bytes REPEATS times --> X Mbps in "
			    "Y usec\", found \"%s\"",
			    lineno, vl_excerpt(ex, t));
		if (idx != index)
			return vl_err_set(err, 0,
			                  "line %u: data point %" PRIu64
			                  ", expected %zu (lines missing?)",
			                  lineno, idx, index);
	} else {
		uint64_t second;

		p = t;
		if (vl_eat_u64(&p, &pt->bytes) && vl_eat_u64(&p, &second) && vl_at_end(&p))
			return vl_err_set(
			    err, 0,
			    "line %u: two columns, as np.out of an integrity check (-i) has: "
			    "no timings",
			    lineno);
		p = t;
		if (!vl_eat_u64(&p, &pt->bytes) || !vl_eat_dec(&p, &pt->mbps) ||
		    !vl_eat_dec(&p, &secs) || !vl_at_end(&p))
			return vl_err_set(
			    err, 0,
			    "line %u: expected np.out's \"BYTES MBPS SECONDS\", found \"%s\"",
			    lineno, vl_excerpt(ex, t));
		pt->usec = secs * 1e6;
	}
	if (!pt->bytes || pt->usec <= 0)
		return vl_err_set(err, 0, "line %u: %s, expected > 0: \"%s\"", lineno,
		                  !pt->bytes ? "0 bytes" : "a time of 0", vl_excerpt(ex, t));
	return 0;
}

int vl_parse_netpipe(const char *text, struct vl_netpipe *out, struct vl_err *err)
{
	size_t cap = 0;
	int form = 0, r = 0;
	struct vl_lines l;
	char *line, ex[72];

	memset(out, 0, sizeof(*out));
	if (!text || vl_only_blank(text))
		return vl_err_set(err, 0,
		                  "no output (expected NPtcp's log on stderr or its np.out)");
	vl_lines_init(&l, text);
	while (r == 0 && (line = vl_lines_next(&l))) {
		char *t = vl_trim(line);

		if (!*t)
			continue;
		if (!isdigit((unsigned char)*t)) {
			if (np_alarming(t))
				r = vl_err_set(err, 0, "line %u: NetPIPE says \"%s\"", l.lineno,
				               vl_excerpt(ex, t));
			continue; /* "Send and receive buffers are ...", "Now starting ..." */
		}
		vl_grow(&out->points, &cap, out->npoints, sizeof(*out->points));
		r = np_point(t, l.lineno, &form, &out->points[out->npoints], out->npoints, err);
		if (r == 0)
			out->npoints++;
	}
	vl_lines_free(&l);
	if (r == 0 && !out->npoints)
		r = vl_err_set(err, 0,
		               "no data point (expected NPtcp's log on stderr or its np.out)");
	if (r < 0) {
		vl_netpipe_free(out);
		return r;
	}
	out->from_log = form == 1;
	for (size_t i = 0; i < out->npoints; i++) {
		const struct vl_netpipe_point *pt = &out->points[i];

		if (i == 0 || pt->bytes < out->latency_bytes) {
			out->latency_bytes = pt->bytes;
			out->latency_usec = pt->usec;
		}
		if (i == 0 || pt->mbps > out->peak_mbps) {
			out->peak_mbps = pt->mbps;
			out->peak_bytes = pt->bytes;
		}
	}
	out->peak_bps = out->peak_mbps * NP_MBIT;
	return 0;
}

json_t *vl_netpipe_json(const struct vl_netpipe *np)
{
	json_t *o = json_object(), *a = json_array();

	if (!o || !a) {
		json_decref(o);
		json_decref(a);
		return NULL;
	}
	for (size_t i = 0; i < np->npoints; i++) {
		json_t *p = json_object();

		if (!p)
			continue;
		vl_set_u64(p, "bytes", np->points[i].bytes);
		vl_set_real(p, "mbps", np->points[i].mbps);
		vl_set_real(p, "usec", np->points[i].usec);
		if (np->from_log)
			vl_set_u64(p, "repeats", np->points[i].repeats);
		json_array_append_new(a, p);
	}
	json_object_set_new(o, "points", a);
	json_object_set_new(o, "from_log", json_boolean(np->from_log));
	vl_set_real(o, "latency_usec", np->latency_usec);
	vl_set_u64(o, "latency_bytes", np->latency_bytes);
	vl_set_real(o, "peak_mbps", np->peak_mbps);
	vl_set_u64(o, "peak_bytes", np->peak_bytes);
	vl_set_real(o, "peak_bits_per_second", np->peak_bps);
	return o;
}

void vl_netpipe_free(struct vl_netpipe *np)
{
	if (!np)
		return;
	free(np->points);
	memset(np, 0, sizeof(*np));
}
