/* POV-Ray 3.7's statistics on stderr (see parse.h). */
#include "study/parse.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "study/parse_impl.h"

enum { PH_PARSE, PH_BOUNDING, PH_PHOTON, PH_RADIOSITY, PH_TRACE, PH_N };

static const char *const ph_label[PH_N] = {
    "Parse Time:", "Bounding Time:", "Photon Time:", "Radiosity Time:", "Trace Time:",
};

struct pv_phase {
	unsigned line; /* 0: not seen */
	double wall, cpu;
	int threads;
};

/* "H hours M minutes S seconds (X seconds)" after a phase's label, then on
 * the next line "using N thread(s) with X CPU-seconds total"; or "No
 * photons" alone. */
static int pv_phase(struct vl_lines *l, char *rest, int ph, struct pv_phase *out,
                    struct vl_err *err)
{
	const char *p = rest;
	uint64_t h, m, s, threads;
	double x, cpu;
	char ex[72];
	unsigned line = l->lineno;
	char *next;

	if (vl_eat(&p, "No ")) {
		out->line = line;
		return 0;
	}
	if (!vl_eat_u64(&p, &h) || !vl_eat(&p, "hours") || !vl_eat_u64(&p, &m) ||
	    !vl_eat(&p, "minutes") || !vl_eat_u64(&p, &s) || !vl_eat(&p, "seconds") ||
	    !vl_eat(&p, "(") || !vl_eat_dec(&p, &x) || !vl_eat(&p, "seconds)") || !vl_at_end(&p))
		return vl_err_set(err, 0,
		                  "line %u: \"%s\" expected \"H hours M minutes S seconds (X "
		                  "seconds)\" or \"No ...\", found \"%s\"",
		                  line, ph_label[ph], vl_excerpt(ex, vl_trim(rest)));
	if (h > 1000000 || m > 59 || s > 59 || fabs((double)(h * 3600 + m * 60 + s) - x) > 1.5)
		return vl_err_set(err, 0,
		                  "line %u: \"%s\" %" PRIu64 " hours %" PRIu64 " minutes %" PRIu64
		                  " seconds disagree with (%.3f seconds)",
		                  line, ph_label[ph], h, m, s, x);
	next = vl_lines_next(l);
	p = next ? vl_trim(next) : "";
	if (!next || !vl_eat(&p, "using") || !vl_eat_u64(&p, &threads) ||
	    !vl_eat(&p, "thread(s)") || !vl_eat(&p, "with") || !vl_eat_dec(&p, &cpu) ||
	    !vl_eat(&p, "CPU-seconds") || !vl_eat(&p, "total") || !vl_at_end(&p) || threads < 1 ||
	    threads > 65536)
		return vl_err_set(
		    err, 0,
		    "line %u: expected \"using N thread(s) with X CPU-seconds total\" "
		    "after \"%s\" on line %u, found %s%s%s",
		    next ? l->lineno : line + 1, ph_label[ph], line, next ? "\"" : "",
		    next ? vl_excerpt(ex, vl_trim(next)) : "the end of the text", next ? "\"" : "");
	out->line = line;
	out->wall = x;
	out->cpu = cpu;
	out->threads = (int)threads;
	return 0;
}

static int pv_line(struct vl_lines *l, char *t, struct vl_povray *out, struct pv_phase *ph,
                   struct vl_err *err)
{
	const char *p;
	char ex[72];
	uint64_t a, b;

	if (vl_starts_with(t, "Persistence of Vision(tm) Ray Tracer Version ")) {
		p = t + strlen("Persistence of Vision(tm) Ray Tracer Version ");
		snprintf(out->version, sizeof(out->version), "%.*s", (int)strcspn(p, " \t"), p);
		return 0;
	}
	if (strstr(t, "Warning:") || (vl_starts_with(t, "Possible ") && strstr(t, "Error:")))
		out->warnings++;
	if (vl_starts_with(t, "Image Resolution ")) {
		p = t + strlen("Image Resolution");
		if (!vl_eat_u64(&p, &a) || !vl_eat(&p, "x") || !vl_eat_u64(&p, &b) ||
		    !vl_at_end(&p) || a > UINT_MAX || b > UINT_MAX)
			return vl_err_set(err, 0,
			                  "line %u: expected \"Image Resolution W x H\", found "
			                  "\"%s\"",
			                  l->lineno, vl_excerpt(ex, t));
		out->width = (unsigned)a;
		out->height = (unsigned)b;
		return 0;
	}
	if (vl_starts_with(t, "Pixels:")) {
		p = t + strlen("Pixels:");
		if (!vl_eat_u64(&p, &out->pixels) || !vl_eat(&p, "Samples:") ||
		    !vl_eat_u64(&p, &out->samples) || !vl_eat(&p, "Smpls/Pxl:"))
			return vl_err_set(err, 0,
			                  "line %u: expected \"Pixels: N Samples: N Smpls/Pxl: "
			                  "X\", found \"%s\"",
			                  l->lineno, vl_excerpt(ex, t));
		return 0;
	}
	if (vl_starts_with(t, "Rays:")) {
		p = t + strlen("Rays:");
		if (!vl_eat_u64(&p, &out->rays) || !vl_eat(&p, "Saved:"))
			return vl_err_set(
			    err, 0, "line %u: expected \"Rays: N Saved: N ...\", found \"%s\"",
			    l->lineno, vl_excerpt(ex, t));
		return 0;
	}
	for (int i = 0; i < PH_N; i++) {
		if (!vl_starts_with(t, ph_label[i]))
			continue;
		if (ph[i].line)
			return vl_err_set(err, 0,
			                  "line %u: a second \"%s\" (the first is on line %u): one "
			                  "frame expected, not an animation",
			                  l->lineno, ph_label[i], ph[i].line);
		return pv_phase(l, t + strlen(ph_label[i]), i, &ph[i], err);
	}
	return 0;
}

int vl_parse_povray(const char *text, struct vl_povray *out, struct vl_err *err)
{
	struct pv_phase ph[PH_N];
	char fatal[200] = "", reason[200] = "";
	unsigned fatal_line = 0, reason_line = 0;
	struct vl_lines l;
	char *line;
	int r = 0;

	memset(out, 0, sizeof(*out));
	memset(ph, 0, sizeof(ph));
	if (!text || vl_only_blank(text))
		return vl_err_set(err, 0, "no output (expected POV-Ray 3.7's messages on stderr)");
	vl_lines_init(&l, text);
	while (r == 0 && (line = vl_lines_next(&l))) {
		char *t = vl_trim(line);

		if (!*t)
			continue;
		/* what POV-Ray says when a render fails or is stopped */
		if (!fatal_line &&
		    (vl_starts_with(t, "Fatal error") || vl_starts_with(t, "Render failed") ||
		     vl_starts_with(t, "Render cancelled") ||
		     vl_starts_with(t, "Render aborted"))) {
			fatal_line = l.lineno;
			snprintf(fatal, sizeof(fatal), "%s", t);
		}
		if (!reason_line &&
		    (vl_starts_with(t, "Parse Error:") || vl_starts_with(t, "Render Error:") ||
		     vl_starts_with(t, "Error:") || /* "... Parse" wrapped at 80 columns */
		     vl_starts_with(t, "povray: received signal"))) {
			reason_line = l.lineno;
			snprintf(reason, sizeof(reason), "%s", t);
		}
		r = pv_line(&l, t, out, ph, err);
	}
	vl_lines_free(&l);
	if (r < 0) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	if (fatal_line) {
		memset(out, 0, sizeof(*out));
		if (reason_line)
			return vl_err_set(err, 0, "the render failed: line %u: %s; line %u: %s",
			                  reason_line, reason, fatal_line, fatal);
		return vl_err_set(err, 0, "the render failed: line %u: %s", fatal_line, fatal);
	}
	for (int i = PH_TRACE; i >= 0; i--) {
		if (ph[i].line)
			continue;
		memset(out, 0, sizeof(*out));
		if (i == PH_TRACE)
			return vl_err_set(err, 0,
			                  "no \"Trace Time:\" line: the render did not finish, or "
			                  "POV-Ray's statistics were not on stderr (-GS?)");
		return vl_err_set(err, 0,
		                  "no \"%s\" line, though there is a \"Trace Time:\" (line %u)",
		                  ph_label[i], ph[PH_TRACE].line);
	}
	out->parse_wall_s = ph[PH_PARSE].wall;
	out->parse_cpu_s = ph[PH_PARSE].cpu;
	out->bounding_wall_s = ph[PH_BOUNDING].wall;
	out->bounding_cpu_s = ph[PH_BOUNDING].cpu;
	out->photon_wall_s = ph[PH_PHOTON].wall;
	out->photon_cpu_s = ph[PH_PHOTON].cpu;
	out->radiosity_wall_s = ph[PH_RADIOSITY].wall;
	out->radiosity_cpu_s = ph[PH_RADIOSITY].cpu;
	out->trace_wall_s = ph[PH_TRACE].wall;
	out->trace_cpu_s = ph[PH_TRACE].cpu;
	for (int i = 0; i < PH_N; i++) {
		out->total_wall_s += ph[i].wall;
		out->total_cpu_s += ph[i].cpu;
	}
	out->threads = ph[PH_TRACE].threads;
	return 0;
}

json_t *vl_povray_json(const struct vl_povray *pv)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	vl_set_str(o, "version", pv->version);
	vl_set_real(o, "parse_wall_s", pv->parse_wall_s);
	vl_set_real(o, "parse_cpu_s", pv->parse_cpu_s);
	vl_set_real(o, "bounding_wall_s", pv->bounding_wall_s);
	vl_set_real(o, "bounding_cpu_s", pv->bounding_cpu_s);
	vl_set_real(o, "photon_wall_s", pv->photon_wall_s);
	vl_set_real(o, "photon_cpu_s", pv->photon_cpu_s);
	vl_set_real(o, "radiosity_wall_s", pv->radiosity_wall_s);
	vl_set_real(o, "radiosity_cpu_s", pv->radiosity_cpu_s);
	vl_set_real(o, "trace_wall_s", pv->trace_wall_s);
	vl_set_real(o, "trace_cpu_s", pv->trace_cpu_s);
	vl_set_real(o, "total_wall_s", pv->total_wall_s);
	vl_set_real(o, "total_cpu_s", pv->total_cpu_s);
	vl_set_int(o, "threads", pv->threads);
	vl_set_int(o, "width", pv->width);
	vl_set_int(o, "height", pv->height);
	vl_set_u64(o, "pixels", pv->pixels);
	vl_set_u64(o, "samples", pv->samples);
	vl_set_u64(o, "rays", pv->rays);
	vl_set_int(o, "warnings", pv->warnings);
	return o;
}
