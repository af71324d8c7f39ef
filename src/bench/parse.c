/* Parsers for the study's real programs: POV-Ray 3.7's statistics, iperf 2's
 * CSV, iperf3's JSON and NetPIPE's results (see parse.h for what each
 * reads). The text formats are scanned token by token with the small
 * cursor helpers below, numbers by hand (no strtod: no locale, no "inf",
 * no hex), on a private copy of the text cut into lines. */
#include "bench/parse.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* --- lines ------------------------------------------------------------------ */

/* The text, copied, handed out line by line. '\n', "\r\n" and a lone '\r'
 * (POV-Ray's progress) all end a line; only '\n' advances the line number,
 * as an editor counts. */
struct lines {
	char *buf, *p;
	unsigned lineno, next_lineno;
};

static void lines_init(struct lines *l, const char *text)
{
	l->buf = vl_xstrdup(text);
	l->p = l->buf;
	l->lineno = 0;
	l->next_lineno = 1;
}

static char *lines_next(struct lines *l)
{
	char *s = l->p, *e;

	if (!*s)
		return NULL;
	l->lineno = l->next_lineno;
	e = s + strcspn(s, "\r\n");
	if (*e == '\r' && e[1] == '\n') {
		*e = '\0';
		l->p = e + 2;
		l->next_lineno++;
	} else if (*e == '\n') {
		*e = '\0';
		l->p = e + 1;
		l->next_lineno++;
	} else if (*e == '\r') {
		*e = '\0';
		l->p = e + 1;
	} else {
		l->p = e;
	}
	return s;
}

static void lines_free(struct lines *l)
{
	free(l->buf);
	l->buf = l->p = NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static char *trim(char *s)
{
	char *e;

	while (is_blank(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_blank(e[-1]))
		*--e = '\0';
	return s;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool only_blank(const char *s)
{
	while (is_blank(*s) || *s == '\n' || *s == '\r')
		s++;
	return !*s;
}

/* s shortened and made printable for a message: at most 60 characters. */
static const char *excerpt(char buf[72], const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < 60; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	if (s[i])
		memcpy(buf + i - 3, "...", 3);
	buf[i] = '\0';
	return buf;
}

/* --- cursor ------------------------------------------------------------------ */

static void skip_blank(const char **p)
{
	while (is_blank(**p))
		(*p)++;
}

/* Blanks, then exactly word. */
static bool eat(const char **p, const char *word)
{
	size_t n = strlen(word);

	skip_blank(p);
	if (strncmp(*p, word, n))
		return false;
	*p += n;
	return true;
}

static bool at_end(const char **p)
{
	skip_blank(p);
	return !**p;
}

/* Blanks, then decimal digits: a number that fits in 64 bits. */
static bool eat_u64(const char **p, uint64_t *v)
{
	const char *s;
	uint64_t x = 0;

	skip_blank(p);
	s = *p;
	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*p = s;
	*v = x;
	return true;
}

/* Blanks, then an optional '-' and decimal digits. */
static bool eat_i64(const char **p, int64_t *v)
{
	const char *s;
	bool neg;
	uint64_t x;

	skip_blank(p);
	s = *p;
	neg = *s == '-';
	if (neg)
		s++;
	if (!eat_u64(&s, &x) || x > (uint64_t)INT64_MAX + neg)
		return false;
	*v = neg ? (x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x) : (int64_t)x;
	*p = s;
	return true;
}

/* Blanks, then "123", "123.45" or ".5", as printf's %f writes them: no sign,
 * no exponent, at most 18 digits (so that the digits fit an integer and the
 * one division below rounds correctly). */
static bool eat_dec(const char **p, double *v)
{
	const char *s;
	uint64_t mant = 0;
	int digits = 0, frac = -1;

	skip_blank(p);
	for (s = *p;; s++) {
		if (isdigit((unsigned char)*s)) {
			if (++digits > 18)
				return false;
			mant = mant * 10 + (uint64_t)(*s - '0');
			if (frac >= 0)
				frac++;
		} else if (*s == '.' && frac < 0) {
			frac = 0;
		} else {
			break;
		}
	}
	if (!digits)
		return false;
	*v = (double)mant;
	if (frac > 0)
		*v /= pow(10, frac);
	*p = s;
	return true;
}

/* A whole token (already trimmed) as one number. */
static bool tok_u64(const char *s, uint64_t *v)
{
	return eat_u64(&s, v) && at_end(&s);
}

static bool tok_i64(const char *s, int64_t *v)
{
	return eat_i64(&s, v) && at_end(&s);
}

static bool tok_dec(const char *s, double *v)
{
	return eat_dec(&s, v) && at_end(&s);
}

/* --- JSON helpers ----------------------------------------------------------- */

static void set_u64(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(
	    o, key, v <= (uint64_t)INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v));
}

static void set_int(json_t *o, const char *key, int64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

static void set_real(json_t *o, const char *key, double v)
{
	json_object_set_new(o, key, isfinite(v) ? json_real(v) : json_null());
}

static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, json_string(v));
}

/* ============================================================================
 * POV-Ray 3.7
 * ========================================================================= */

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
static int pv_phase(struct lines *l, char *rest, int ph, struct pv_phase *out, struct vl_err *err)
{
	const char *p = rest;
	uint64_t h, m, s, threads;
	double x, cpu;
	char ex[72];
	unsigned line = l->lineno;
	char *next;

	if (eat(&p, "No ")) {
		out->line = line;
		return 0;
	}
	if (!eat_u64(&p, &h) || !eat(&p, "hours") || !eat_u64(&p, &m) || !eat(&p, "minutes") ||
	    !eat_u64(&p, &s) || !eat(&p, "seconds") || !eat(&p, "(") || !eat_dec(&p, &x) ||
	    !eat(&p, "seconds)") || !at_end(&p))
		return vl_err_set(err, 0,
		                  "line %u: \"%s\" expected \"H hours M minutes S seconds (X "
		                  "seconds)\" or \"No ...\", found \"%s\"",
		                  line, ph_label[ph], excerpt(ex, trim(rest)));
	if (h > 1000000 || m > 59 || s > 59 || fabs((double)(h * 3600 + m * 60 + s) - x) > 1.5)
		return vl_err_set(err, 0,
		                  "line %u: \"%s\" %" PRIu64 " hours %" PRIu64 " minutes %" PRIu64
		                  " seconds disagree with (%.3f seconds)",
		                  line, ph_label[ph], h, m, s, x);
	next = lines_next(l);
	p = next ? trim(next) : "";
	if (!next || !eat(&p, "using") || !eat_u64(&p, &threads) || !eat(&p, "thread(s)") ||
	    !eat(&p, "with") || !eat_dec(&p, &cpu) || !eat(&p, "CPU-seconds") ||
	    !eat(&p, "total") || !at_end(&p) || threads < 1 || threads > 65536)
		return vl_err_set(
		    err, 0,
		    "line %u: expected \"using N thread(s) with X CPU-seconds total\" "
		    "after \"%s\" on line %u, found %s%s%s",
		    next ? l->lineno : line + 1, ph_label[ph], line, next ? "\"" : "",
		    next ? excerpt(ex, trim(next)) : "the end of the text", next ? "\"" : "");
	out->line = line;
	out->wall = x;
	out->cpu = cpu;
	out->threads = (int)threads;
	return 0;
}

static int pv_line(struct lines *l, char *t, struct vl_povray *out, struct pv_phase *ph,
                   struct vl_err *err)
{
	const char *p;
	char ex[72];
	uint64_t a, b;

	if (starts_with(t, "Persistence of Vision(tm) Ray Tracer Version ")) {
		p = t + strlen("Persistence of Vision(tm) Ray Tracer Version ");
		snprintf(out->version, sizeof(out->version), "%.*s", (int)strcspn(p, " \t"), p);
		return 0;
	}
	if (strstr(t, "Warning:") || (starts_with(t, "Possible ") && strstr(t, "Error:")))
		out->warnings++;
	if (starts_with(t, "Image Resolution ")) {
		p = t + strlen("Image Resolution");
		if (!eat_u64(&p, &a) || !eat(&p, "x") || !eat_u64(&p, &b) || !at_end(&p) ||
		    a > UINT_MAX || b > UINT_MAX)
			return vl_err_set(err, 0,
			                  "line %u: expected \"Image Resolution W x H\", found "
			                  "\"%s\"",
			                  l->lineno, excerpt(ex, t));
		out->width = (unsigned)a;
		out->height = (unsigned)b;
		return 0;
	}
	if (starts_with(t, "Pixels:")) {
		p = t + strlen("Pixels:");
		if (!eat_u64(&p, &out->pixels) || !eat(&p, "Samples:") ||
		    !eat_u64(&p, &out->samples) || !eat(&p, "Smpls/Pxl:"))
			return vl_err_set(err, 0,
			                  "line %u: expected \"Pixels: N Samples: N Smpls/Pxl: "
			                  "X\", found \"%s\"",
			                  l->lineno, excerpt(ex, t));
		return 0;
	}
	if (starts_with(t, "Rays:")) {
		p = t + strlen("Rays:");
		if (!eat_u64(&p, &out->rays) || !eat(&p, "Saved:"))
			return vl_err_set(
			    err, 0, "line %u: expected \"Rays: N Saved: N ...\", found \"%s\"",
			    l->lineno, excerpt(ex, t));
		return 0;
	}
	for (int i = 0; i < PH_N; i++) {
		if (!starts_with(t, ph_label[i]))
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
	struct lines l;
	char *line;
	int r = 0;

	memset(out, 0, sizeof(*out));
	memset(ph, 0, sizeof(ph));
	if (!text || only_blank(text))
		return vl_err_set(err, 0, "no output (expected POV-Ray 3.7's messages on stderr)");
	lines_init(&l, text);
	while (r == 0 && (line = lines_next(&l))) {
		char *t = trim(line);

		if (!*t)
			continue;
		/* what POV-Ray says when a render fails or is stopped */
		if (!fatal_line &&
		    (starts_with(t, "Fatal error") || starts_with(t, "Render failed") ||
		     starts_with(t, "Render cancelled") || starts_with(t, "Render aborted"))) {
			fatal_line = l.lineno;
			snprintf(fatal, sizeof(fatal), "%s", t);
		}
		if (!reason_line &&
		    (starts_with(t, "Parse Error:") || starts_with(t, "Render Error:") ||
		     starts_with(t, "Error:") || /* "... Parse" wrapped at 80 columns */
		     starts_with(t, "povray: received signal"))) {
			reason_line = l.lineno;
			snprintf(reason, sizeof(reason), "%s", t);
		}
		r = pv_line(&l, t, out, ph, err);
	}
	lines_free(&l);
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
	set_str(o, "version", pv->version);
	set_real(o, "parse_wall_s", pv->parse_wall_s);
	set_real(o, "parse_cpu_s", pv->parse_cpu_s);
	set_real(o, "bounding_wall_s", pv->bounding_wall_s);
	set_real(o, "bounding_cpu_s", pv->bounding_cpu_s);
	set_real(o, "photon_wall_s", pv->photon_wall_s);
	set_real(o, "photon_cpu_s", pv->photon_cpu_s);
	set_real(o, "radiosity_wall_s", pv->radiosity_wall_s);
	set_real(o, "radiosity_cpu_s", pv->radiosity_cpu_s);
	set_real(o, "trace_wall_s", pv->trace_wall_s);
	set_real(o, "trace_cpu_s", pv->trace_cpu_s);
	set_real(o, "total_wall_s", pv->total_wall_s);
	set_real(o, "total_cpu_s", pv->total_cpu_s);
	set_int(o, "threads", pv->threads);
	set_int(o, "width", pv->width);
	set_int(o, "height", pv->height);
	set_u64(o, "pixels", pv->pixels);
	set_u64(o, "samples", pv->samples);
	set_u64(o, "rays", pv->rays);
	set_int(o, "warnings", pv->warnings);
	return o;
}

/* ============================================================================
 * iperf 2, -y C
 * ========================================================================= */

#define IPERF_FIELDS     9
#define IPERF_UDP_FIELDS 14
#define IPERF_MAX_FIELDS 64

/* One record's line number with the row, kept until the rows are grouped. */
struct ip_rec {
	struct vl_iperf_row row;
	unsigned line;
	size_t group;
};

struct ip_group {
	size_t first, nrows; /* first record, number of records */
	double max_end;
	size_t total; /* the whole-run record, SIZE_MAX if none */
};

static bool ip_addr_ok(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(".:%_-", *s))
			return false;
	return true;
}

static const char *const ip_field_name[IPERF_UDP_FIELDS] = {
    "timestamp", "src_addr",  "src_port",     "dst_addr",        "dst_port",
    "id",        "interval",  "bytes",        "bits_per_second", "jitter_ms",
    "lost",      "datagrams", "loss_percent", "out_of_order",
};

static int ip_bad(struct vl_err *err, unsigned line, int field, const char *val, const char *want)
{
	char ex[72];

	return vl_err_set(err, 0, "line %u: field %d (%s): expected %s, found \"%s\"", line,
	                  field + 1, ip_field_name[field], want, excerpt(ex, val));
}

/* Split line on ',' into at most IPERF_MAX_FIELDS trimmed fields; returns
 * the number of fields (which may be more than it stored). */
static size_t ip_split(char *line, char **f)
{
	size_t n = 0;

	for (char *s = line;; n++) {
		char *c = strchr(s, ',');

		if (c)
			*c = '\0';
		if (n < IPERF_MAX_FIELDS)
			f[n] = trim(s);
		if (!c)
			return n + 1;
		s = c + 1;
	}
}

static int ip_record(char *line, unsigned lineno, struct vl_iperf_row *r, struct vl_err *err)
{
	char *f[IPERF_MAX_FIELDS];
	size_t n = ip_split(line, f);
	uint64_t u;
	int64_t i;
	const char *p;

	memset(r, 0, sizeof(*r));
	if (n < IPERF_FIELDS)
		return vl_err_set(err, 0,
		                  "line %u: %zu comma-separated fields, expected %d (%d for UDP): "
		                  "timestamp,src_addr,src_port,dst_addr,dst_port,id,interval,bytes,"
		                  "bits_per_second",
		                  lineno, n, IPERF_FIELDS, IPERF_UDP_FIELDS);
	if (strlen(f[0]) >= sizeof(r->stamp) || strpbrk(f[0], " \t"))
		return ip_bad(err, lineno, 0, f[0], "a timestamp such as 20240101120000");
	strcpy(r->stamp, f[0]);
	for (int k = 1; k <= 3; k += 2) {
		char *dst = k == 1 ? r->src_addr : r->dst_addr;

		if (strlen(f[k]) >= sizeof(r->src_addr) || !ip_addr_ok(f[k]))
			return ip_bad(err, lineno, k, f[k], "an IPv4 or IPv6 address");
		strcpy(dst, f[k]);
		if (!tok_u64(f[k + 1], &u) || u > 65535)
			return ip_bad(err, lineno, k + 1, f[k + 1], "a port number 0-65535");
		*(k == 1 ? &r->src_port : &r->dst_port) = (unsigned)u;
	}
	if (!tok_i64(f[5], &i) || i < INT_MIN || i > INT_MAX)
		return ip_bad(err, lineno, 5, f[5], "a transfer id (an integer)");
	r->id = (int)i;
	p = f[6];
	if (!eat_dec(&p, &r->start) || *p++ != '-' || !eat_dec(&p, &r->end) || !at_end(&p) ||
	    r->end < r->start)
		return ip_bad(err, lineno, 6, f[6],
		              "an interval \"START-END\" in seconds, START <= END");
	if (!tok_u64(f[7], &r->bytes))
		return ip_bad(err, lineno, 7, f[7], "a number of bytes");
	if (!tok_u64(f[8], &r->bits_per_second))
		return ip_bad(err, lineno, 8, f[8], "bits per second (an integer)");
	if (n != IPERF_UDP_FIELDS)
		return 0;
	r->udp = true;
	if (!tok_dec(f[9], &r->jitter_ms))
		return ip_bad(err, lineno, 9, f[9], "milliseconds");
	if (!tok_i64(f[10], &r->lost))
		return ip_bad(err, lineno, 10, f[10], "a count of datagrams");
	if (!tok_i64(f[11], &r->datagrams))
		return ip_bad(err, lineno, 11, f[11], "a count of datagrams");
	p = f[12];
	if (*p == '-')
		p++; /* iperf prints a negative loss when datagrams were duplicated */
	if (!tok_dec(p, &r->loss_percent))
		return ip_bad(err, lineno, 12, f[12], "a percentage");
	if (p != f[12])
		r->loss_percent = -r->loss_percent;
	if (!tok_i64(f[13], &r->out_of_order))
		return ip_bad(err, lineno, 13, f[13], "a count of datagrams");
	return 0;
}

/* Same connection: the id and, for one stream (id >= 0), both ends. */
static bool ip_same(const struct vl_iperf_row *a, const struct vl_iperf_row *b)
{
	if (a->id != b->id)
		return false;
	if (a->id < 0)
		return true;
	return a->src_port == b->src_port && a->dst_port == b->dst_port &&
	       !strcmp(a->src_addr, b->src_addr) && !strcmp(a->dst_addr, b->dst_addr);
}

/* The interval is printed with one decimal: 0.0 is a start at 0. */
#define IP_EPS 1e-6

static int ip_group_total(const struct ip_rec *rec, size_t nrec, size_t g, struct ip_group *gr,
                          struct vl_err *err)
{
	const struct ip_rec *last = NULL;

	gr->total = SIZE_MAX;
	for (size_t k = 0; k < nrec; k++) {
		if (rec[k].group != g)
			continue;
		last = &rec[k];
		if (rec[k].row.start <= IP_EPS && rec[k].row.end >= gr->max_end - IP_EPS)
			gr->total = k;
	}
	if (gr->total != SIZE_MAX)
		return 0;
	if (last->row.id < 0)
		return vl_err_set(
		    err, 0,
		    "the sum (id %d): no line spans the whole run 0.0-%.1f; the last, "
		    "line %u, covers %.1f-%.1f (was the server stopped early?)",
		    last->row.id, gr->max_end, last->line, last->row.start, last->row.end);
	return vl_err_set(err, 0,
	                  "connection %d (%s port %u to %s port %u): no line spans its whole run "
	                  "0.0-%.1f; the last, line %u, covers %.1f-%.1f (was the server stopped "
	                  "early?)",
	                  last->row.id, last->row.src_addr, last->row.src_port, last->row.dst_addr,
	                  last->row.dst_port, gr->max_end, last->line, last->row.start,
	                  last->row.end);
}

int vl_parse_iperf_csv(const char *text, struct vl_iperf *out, struct vl_err *err)
{
	struct ip_rec *rec = NULL;
	struct ip_group *grp = NULL;
	size_t nrec = 0, caprec = 0, ngrp = 0, capgrp = 0, sum_group = SIZE_MAX;
	unsigned first_skipped = 0;
	char first_text[72] = "";
	struct lines l;
	char *line;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (!text || only_blank(text))
		return vl_err_set(err, 0, "no output (expected iperf's -y C lines)");
	lines_init(&l, text);
	while ((line = lines_next(&l))) {
		char *t = trim(line);
		size_t g;

		if (!*t)
			continue;
		if (!isdigit((unsigned char)*t)) {
			/* a header, a warning, or not CSV at all */
			if (!out->nskipped++) {
				first_skipped = l.lineno;
				excerpt(first_text, t);
			}
			continue;
		}
		vl_grow(&rec, &caprec, nrec, sizeof(*rec));
		r = ip_record(t, l.lineno, &rec[nrec].row, err);
		if (r < 0)
			break;
		rec[nrec].line = l.lineno;
		for (g = 0; g < ngrp; g++)
			if (ip_same(&rec[grp[g].first].row, &rec[nrec].row))
				break;
		if (g == ngrp) {
			if (rec[nrec].row.id < 0 && sum_group != SIZE_MAX) {
				r = vl_err_set(
				    err, 0,
				    "line %u: a second sum (id %d; line %u has id %d): one "
				    "run expected",
				    l.lineno, rec[nrec].row.id, rec[grp[sum_group].first].line,
				    rec[grp[sum_group].first].row.id);
				break;
			}
			if (rec[nrec].row.id < 0)
				sum_group = g;
			vl_grow(&grp, &capgrp, ngrp, sizeof(*grp));
			grp[ngrp].first = nrec;
			grp[ngrp].max_end = 0;
			ngrp++;
		}
		rec[nrec].group = g;
		grp[g].nrows++;
		if (rec[nrec].row.end > grp[g].max_end)
			grp[g].max_end = rec[nrec].row.end;
		nrec++;
	}
	lines_free(&l);
	if (r == 0 && !nrec)
		r = vl_err_set(
		    err, 0, "no CSV line among %zu line%s (was iperf given -y C?); line %u: \"%s\"",
		    out->nskipped, out->nskipped == 1 ? "" : "s", first_skipped, first_text);
	for (size_t g = 0; r == 0 && g < ngrp; g++)
		r = ip_group_total(rec, nrec, g, &grp[g], err);
	if (r == 0) {
		out->nrecords = nrec;
		out->conns = vl_xcalloc(ngrp ? ngrp : 1, sizeof(*out->conns));
		for (size_t g = 0; g < ngrp; g++) {
			const struct vl_iperf_row *tot = &rec[grp[g].total].row;

			if (g == sum_group) {
				out->sum = *tot;
				out->has_sum = true;
				continue;
			}
			out->conns[out->nconns].total = *tot;
			out->conns[out->nconns].nintervals = grp[g].nrows - 1;
			out->nconns++;
			out->bytes += tot->bytes;
			out->bps += (double)tot->bits_per_second;
		}
		if (!out->nconns)
			r = vl_err_set(err, 0, "only sum lines (id < 0), no connection's own line");
	}
	free(rec);
	free(grp);
	if (r < 0)
		vl_iperf_free(out);
	return r;
}

static json_t *ip_row_json(const struct vl_iperf_row *r)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	set_str(o, "stamp", r->stamp);
	set_str(o, "src_addr", r->src_addr);
	set_int(o, "src_port", r->src_port);
	set_str(o, "dst_addr", r->dst_addr);
	set_int(o, "dst_port", r->dst_port);
	set_int(o, "id", r->id);
	set_real(o, "start", r->start);
	set_real(o, "end", r->end);
	set_u64(o, "bytes", r->bytes);
	set_u64(o, "bits_per_second", r->bits_per_second);
	if (r->udp) {
		set_real(o, "jitter_ms", r->jitter_ms);
		set_int(o, "lost", r->lost);
		set_int(o, "datagrams", r->datagrams);
		set_real(o, "loss_percent", r->loss_percent);
		set_int(o, "out_of_order", r->out_of_order);
	}
	return o;
}

json_t *vl_iperf_json(const struct vl_iperf *ip)
{
	json_t *o = json_object(), *a = json_array();

	if (!o || !a) {
		json_decref(o);
		json_decref(a);
		return NULL;
	}
	for (size_t i = 0; i < ip->nconns; i++) {
		json_t *c = ip_row_json(&ip->conns[i].total);

		if (c)
			set_int(c, "intervals", (int64_t)ip->conns[i].nintervals);
		json_array_append_new(a, c);
	}
	json_object_set_new(o, "connections", a);
	if (ip->has_sum)
		json_object_set_new(o, "sum", ip_row_json(&ip->sum));
	set_u64(o, "bytes", ip->bytes);
	set_real(o, "bits_per_second", ip->bps);
	set_int(o, "records", (int64_t)ip->nrecords);
	set_int(o, "skipped", (int64_t)ip->nskipped);
	return o;
}

void vl_iperf_free(struct vl_iperf *ip)
{
	if (!ip)
		return;
	free(ip->conns);
	memset(ip, 0, sizeof(*ip));
}

/* ============================================================================
 * iperf3 -J
 * ========================================================================= */

static const char *j_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* obj.key as an object; path names obj in messages. */
static int j_obj(json_t *obj, const char *path, const char *key, json_t **out, struct vl_err *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return vl_err_set(err, 0, "%s%s%s: missing", path, *path ? "." : "", key);
	if (!json_is_object(v))
		return vl_err_set(err, 0, "%s%s%s: expected an object, found %s", path,
		                  *path ? "." : "", key, j_type(v));
	*out = v;
	return 0;
}

/* A finite number >= 0. */
static int j_num(json_t *obj, const char *path, const char *key, double *out, struct vl_err *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return vl_err_set(err, 0, "%s.%s: missing", path, key);
	if (!json_is_number(v))
		return vl_err_set(err, 0, "%s.%s: expected a number, found %s", path, key,
		                  j_type(v));
	*out = json_number_value(v);
	if (!isfinite(*out) || *out < 0)
		return vl_err_set(err, 0, "%s.%s: expected a number >= 0, found %g", path, key,
		                  *out);
	return 0;
}

/* An integer >= 0. */
static int j_count(json_t *obj, const char *path, const char *key, int64_t *out, struct vl_err *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return vl_err_set(err, 0, "%s.%s: missing", path, key);
	if (!json_is_integer(v))
		return vl_err_set(err, 0, "%s.%s: expected an integer, found %s", path, key,
		                  json_is_real(v) ? "a fraction" : j_type(v));
	*out = (int64_t)json_integer_value(v);
	if (*out < 0)
		return vl_err_set(err, 0, "%s.%s: expected an integer >= 0, found %" PRId64, path,
		                  key, *out);
	return 0;
}

static void j_strcpy(char *dst, size_t size, json_t *v)
{
	if (json_is_string(v))
		snprintf(dst, size, "%s", json_string_value(v));
}

static int i3_sum(json_t *end, const char *key, double *seconds, uint64_t *bytes, double *bps,
                  struct vl_err *err)
{
	char path[32];
	json_t *s;
	int64_t b;

	snprintf(path, sizeof(path), "end.%s", key);
	if (j_obj(end, "end", key, &s, err) < 0 || j_num(s, path, "seconds", seconds, err) < 0 ||
	    j_count(s, path, "bytes", &b, err) < 0 ||
	    j_num(s, path, "bits_per_second", bps, err) < 0)
		return -1;
	*bytes = (uint64_t)b;
	return 0;
}

static int i3_fill(json_t *root, struct vl_iperf3 *out, struct vl_err *err)
{
	json_t *start, *ts, *end, *sent, *recv, *cpu, *v;
	double d = 0;

	if (j_obj(root, "", "start", &start, err) < 0)
		return -1;
	j_strcpy(out->version, sizeof(out->version), json_object_get(start, "version"));
	out->server = json_object_get(start, "accepted_connection") != NULL;
	if (j_obj(start, "start", "test_start", &ts, err) < 0)
		return -1;
	v = json_object_get(ts, "protocol");
	if (!json_is_string(v) || !*json_string_value(v))
		return vl_err_set(err, 0, "start.test_start.protocol: expected a string, found %s",
		                  v ? j_type(v) : "nothing");
	j_strcpy(out->protocol, sizeof(out->protocol), v);
	v = json_object_get(ts, "num_streams");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > INT_MAX)
		return vl_err_set(
		    err, 0, "start.test_start.num_streams: expected an integer >= 1, found %s",
		    v ? j_type(v) : "nothing");
	out->streams = (int)json_integer_value(v);
	if (json_object_get(ts, "duration") &&
	    j_num(ts, "start.test_start", "duration", &d, err) < 0)
		return -1;
	out->duration = json_object_get(ts, "duration") ? d : 0;
	v = json_object_get(ts, "reverse");
	out->reverse = json_is_true(v) || (json_is_integer(v) && json_integer_value(v) != 0);

	if (j_obj(root, "", "end", &end, err) < 0 ||
	    i3_sum(end, "sum_sent", &out->sent_seconds, &out->sent_bytes, &out->sent_bps, err) <
	        0 ||
	    i3_sum(end, "sum_received", &out->received_seconds, &out->received_bytes,
	           &out->received_bps, err) < 0)
		return -1;
	sent = json_object_get(end, "sum_sent");
	recv = json_object_get(end, "sum_received");
	out->retransmits = -1;
	if (json_object_get(sent, "retransmits") &&
	    j_count(sent, "end.sum_sent", "retransmits", &out->retransmits, err) < 0)
		return -1;
	if (!strcmp(out->protocol, "UDP") &&
	    (j_num(recv, "end.sum_received", "jitter_ms", &out->jitter_ms, err) < 0 ||
	     j_count(recv, "end.sum_received", "lost_packets", &out->lost_packets, err) < 0 ||
	     j_count(recv, "end.sum_received", "packets", &out->packets, err) < 0 ||
	     j_num(recv, "end.sum_received", "lost_percent", &out->lost_percent, err) < 0))
		return -1;
	if (j_obj(end, "end", "cpu_utilization_percent", &cpu, err) < 0)
		return -1;
	{
		static const char *const keys[6] = {"host_total",   "host_user",   "host_system",
		                                    "remote_total", "remote_user", "remote_system"};
		double *dst[6] = {&out->cpu_host_total,  &out->cpu_host_user,
		                  &out->cpu_host_system, &out->cpu_remote_total,
		                  &out->cpu_remote_user, &out->cpu_remote_system};

		for (int i = 0; i < 6; i++)
			if (j_num(cpu, "end.cpu_utilization_percent", keys[i], dst[i], err) < 0)
				return -1;
	}
	return 0;
}

int vl_parse_iperf3(const char *text, struct vl_iperf3 *out, struct vl_err *err)
{
	json_error_t je;
	json_t *root, *e;
	int r;

	memset(out, 0, sizeof(*out));
	out->retransmits = -1;
	if (!text || only_blank(text))
		return vl_err_set(err, 0, "no output (expected iperf3's -J JSON)");
	/* not JSON_REJECT_DUPLICATES: iperf3 3.12 writes "sock_bufsize" and
	 * "target_bitrate" twice in "start" */
	root = json_loads(text, 0, &je);
	if (!root) {
		if (json_error_code(&je) == json_error_end_of_input_expected)
			return vl_err_set(
			    err, 0,
			    "line %d: a second JSON document follows the first (a server "
			    "without -1 writes one per test)",
			    je.line);
		return vl_err_set(err, 0, "line %d, column %d: %s (expected iperf3's -J JSON)",
		                  je.line, je.column, je.text);
	}
	if (!json_is_object(root)) {
		r = vl_err_set(err, 0, "expected a JSON object (iperf3 -J), found %s",
		               j_type(root));
		json_decref(root);
		return r;
	}
	e = json_object_get(root, "error");
	if (e) {
		struct vl_err ignored;

		if (!json_is_string(e)) {
			r = vl_err_set(err, 0, "error: expected a string, found %s", j_type(e));
			json_decref(root);
			return r;
		}
		/* best effort: what the test did before it failed */
		i3_fill(root, out, &ignored);
		snprintf(out->error, sizeof(out->error), "%s", json_string_value(e));
		r = vl_err_set(err, 0, "the test failed: %s", out->error);
		json_decref(root);
		return r;
	}
	r = i3_fill(root, out, err);
	json_decref(root);
	if (r < 0) {
		memset(out, 0, sizeof(*out));
		out->retransmits = -1;
	}
	return r;
}

json_t *vl_iperf3_json(const struct vl_iperf3 *ip)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (*ip->error)
		set_str(o, "error", ip->error);
	set_str(o, "version", ip->version);
	set_str(o, "protocol", ip->protocol);
	json_object_set_new(o, "server", json_boolean(ip->server));
	json_object_set_new(o, "reverse", json_boolean(ip->reverse));
	set_int(o, "streams", ip->streams);
	set_real(o, "duration", ip->duration);
	set_real(o, "sent_seconds", ip->sent_seconds);
	set_u64(o, "sent_bytes", ip->sent_bytes);
	set_real(o, "sent_bits_per_second", ip->sent_bps);
	if (ip->retransmits >= 0)
		set_int(o, "retransmits", ip->retransmits);
	set_real(o, "received_seconds", ip->received_seconds);
	set_u64(o, "received_bytes", ip->received_bytes);
	set_real(o, "received_bits_per_second", ip->received_bps);
	if (!strcmp(ip->protocol, "UDP")) {
		set_real(o, "jitter_ms", ip->jitter_ms);
		set_int(o, "lost_packets", ip->lost_packets);
		set_int(o, "packets", ip->packets);
		set_real(o, "lost_percent", ip->lost_percent);
	}
	set_real(o, "cpu_host_total", ip->cpu_host_total);
	set_real(o, "cpu_host_user", ip->cpu_host_user);
	set_real(o, "cpu_host_system", ip->cpu_host_system);
	set_real(o, "cpu_remote_total", ip->cpu_remote_total);
	set_real(o, "cpu_remote_user", ip->cpu_remote_user);
	set_real(o, "cpu_remote_system", ip->cpu_remote_system);
	return o;
}

/* ============================================================================
 * NetPIPE
 * ========================================================================= */

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
	this_form = eat_u64(&p, &idx) && eat(&p, ":") ? 1 : 2;
	if (*form && this_form != *form)
		return vl_err_set(err, 0,
		                  "line %u: %s among %s: one of NPtcp's log or np.out expected, "
		                  "not both",
		                  lineno, this_form == 1 ? "a log line" : "an np.out line",
		                  *form == 1 ? "log lines" : "np.out lines");
	*form = this_form;
	if (this_form == 1) {
		bool head = eat_u64(&p, &pt->bytes) && eat(&p, "bytes") &&
		            eat_u64(&p, &pt->repeats) && eat(&p, "times") && eat(&p, "-->");

		if (head && at_end(&p))
			return vl_err_set(
			    err, 0,
			    "line %u: a cut-off data point (the run was interrupted?): "
			    "\"%s\"",
			    lineno, excerpt(ex, t));
		if (!head || !eat_dec(&p, &pt->mbps) || !eat(&p, "Mbps") || !eat(&p, "in") ||
		    !eat_dec(&p, &pt->usec) || !eat(&p, "usec") || !at_end(&p))
			return vl_err_set(
			    err, 0,
			    "line %u: expected \"N: BYTES bytes REPEATS times --> X Mbps in "
			    "Y usec\", found \"%s\"",
			    lineno, excerpt(ex, t));
		if (idx != index)
			return vl_err_set(err, 0,
			                  "line %u: data point %" PRIu64
			                  ", expected %zu (lines missing?)",
			                  lineno, idx, index);
	} else {
		uint64_t second;

		p = t;
		if (eat_u64(&p, &pt->bytes) && eat_u64(&p, &second) && at_end(&p))
			return vl_err_set(
			    err, 0,
			    "line %u: two columns, as np.out of an integrity check (-i) has: "
			    "no timings",
			    lineno);
		p = t;
		if (!eat_u64(&p, &pt->bytes) || !eat_dec(&p, &pt->mbps) || !eat_dec(&p, &secs) ||
		    !at_end(&p))
			return vl_err_set(
			    err, 0,
			    "line %u: expected np.out's \"BYTES MBPS SECONDS\", found \"%s\"",
			    lineno, excerpt(ex, t));
		pt->usec = secs * 1e6;
	}
	if (!pt->bytes || pt->usec <= 0)
		return vl_err_set(err, 0, "line %u: %s, expected > 0: \"%s\"", lineno,
		                  !pt->bytes ? "0 bytes" : "a time of 0", excerpt(ex, t));
	return 0;
}

int vl_parse_netpipe(const char *text, struct vl_netpipe *out, struct vl_err *err)
{
	size_t cap = 0;
	int form = 0, r = 0;
	struct lines l;
	char *line, ex[72];

	memset(out, 0, sizeof(*out));
	if (!text || only_blank(text))
		return vl_err_set(err, 0,
		                  "no output (expected NPtcp's log on stderr or its np.out)");
	lines_init(&l, text);
	while (r == 0 && (line = lines_next(&l))) {
		char *t = trim(line);

		if (!*t)
			continue;
		if (!isdigit((unsigned char)*t)) {
			if (np_alarming(t))
				r = vl_err_set(err, 0, "line %u: NetPIPE says \"%s\"", l.lineno,
				               excerpt(ex, t));
			continue; /* "Send and receive buffers are ...", "Now starting ..." */
		}
		vl_grow(&out->points, &cap, out->npoints, sizeof(*out->points));
		r = np_point(t, l.lineno, &form, &out->points[out->npoints], out->npoints, err);
		if (r == 0)
			out->npoints++;
	}
	lines_free(&l);
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
		set_u64(p, "bytes", np->points[i].bytes);
		set_real(p, "mbps", np->points[i].mbps);
		set_real(p, "usec", np->points[i].usec);
		if (np->from_log)
			set_u64(p, "repeats", np->points[i].repeats);
		json_array_append_new(a, p);
	}
	json_object_set_new(o, "points", a);
	json_object_set_new(o, "from_log", json_boolean(np->from_log));
	set_real(o, "latency_usec", np->latency_usec);
	set_u64(o, "latency_bytes", np->latency_bytes);
	set_real(o, "peak_mbps", np->peak_mbps);
	set_u64(o, "peak_bytes", np->peak_bytes);
	set_real(o, "peak_bits_per_second", np->peak_bps);
	return o;
}

void vl_netpipe_free(struct vl_netpipe *np)
{
	if (!np)
		return;
	free(np->points);
	memset(np, 0, sizeof(*np));
}
