/* iperf 2's CSV, -y C (see parse.h). */
#include "study/parse.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "study/parse_impl.h"

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
	                  field + 1, ip_field_name[field], want, vl_excerpt(ex, val));
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
			f[n] = vl_trim(s);
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
		if (!vl_tok_u64(f[k + 1], &u) || u > 65535)
			return ip_bad(err, lineno, k + 1, f[k + 1], "a port number 0-65535");
		*(k == 1 ? &r->src_port : &r->dst_port) = (unsigned)u;
	}
	if (!vl_tok_i64(f[5], &i) || i < INT_MIN || i > INT_MAX)
		return ip_bad(err, lineno, 5, f[5], "a transfer id (an integer)");
	r->id = (int)i;
	p = f[6];
	if (!vl_eat_dec(&p, &r->start) || *p++ != '-' || !vl_eat_dec(&p, &r->end) ||
	    !vl_at_end(&p) || r->end < r->start)
		return ip_bad(err, lineno, 6, f[6],
		              "an interval \"START-END\" in seconds, START <= END");
	if (!vl_tok_u64(f[7], &r->bytes))
		return ip_bad(err, lineno, 7, f[7], "a number of bytes");
	if (!vl_tok_u64(f[8], &r->bits_per_second))
		return ip_bad(err, lineno, 8, f[8], "bits per second (an integer)");
	if (n != IPERF_UDP_FIELDS)
		return 0;
	r->udp = true;
	if (!vl_tok_dec(f[9], &r->jitter_ms))
		return ip_bad(err, lineno, 9, f[9], "milliseconds");
	if (!vl_tok_i64(f[10], &r->lost))
		return ip_bad(err, lineno, 10, f[10], "a count of datagrams");
	if (!vl_tok_i64(f[11], &r->datagrams))
		return ip_bad(err, lineno, 11, f[11], "a count of datagrams");
	p = f[12];
	if (*p == '-')
		p++; /* iperf prints a negative loss when datagrams were duplicated */
	if (!vl_tok_dec(p, &r->loss_percent))
		return ip_bad(err, lineno, 12, f[12], "a percentage");
	if (p != f[12])
		r->loss_percent = -r->loss_percent;
	if (!vl_tok_i64(f[13], &r->out_of_order))
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
	cleanup_free struct ip_rec *rec = NULL;
	cleanup_free struct ip_group *grp = NULL;
	size_t nrec = 0, caprec = 0, ngrp = 0, capgrp = 0, sum_group = SIZE_MAX;
	unsigned first_skipped = 0;
	char first_text[72] = "";
	struct vl_lines l;
	char *line;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (!text || vl_only_blank(text))
		return vl_err_set(err, 0, "no output (expected iperf's -y C lines)");
	vl_lines_init(&l, text);
	while ((line = vl_lines_next(&l))) {
		char *t = vl_trim(line);
		size_t g;

		if (!*t)
			continue;
		if (!isdigit((unsigned char)*t)) {
			/* a header, a warning, or not CSV at all */
			if (!out->nskipped++) {
				first_skipped = l.lineno;
				vl_excerpt(first_text, t);
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
	vl_lines_free(&l);
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
	if (r < 0)
		vl_iperf_free(out);
	return r;
}

static json_t *ip_row_json(const struct vl_iperf_row *r)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	vl_set_str(o, "stamp", r->stamp);
	vl_set_str(o, "src_addr", r->src_addr);
	vl_set_int(o, "src_port", r->src_port);
	vl_set_str(o, "dst_addr", r->dst_addr);
	vl_set_int(o, "dst_port", r->dst_port);
	vl_set_int(o, "id", r->id);
	vl_set_real(o, "start", r->start);
	vl_set_real(o, "end", r->end);
	vl_set_u64(o, "bytes", r->bytes);
	vl_set_u64(o, "bits_per_second", r->bits_per_second);
	if (r->udp) {
		vl_set_real(o, "jitter_ms", r->jitter_ms);
		vl_set_int(o, "lost", r->lost);
		vl_set_int(o, "datagrams", r->datagrams);
		vl_set_real(o, "loss_percent", r->loss_percent);
		vl_set_int(o, "out_of_order", r->out_of_order);
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
			vl_set_int(c, "intervals", (int64_t)ip->conns[i].nintervals);
		json_array_append_new(a, c);
	}
	json_object_set_new(o, "connections", a);
	if (ip->has_sum)
		json_object_set_new(o, "sum", ip_row_json(&ip->sum));
	vl_set_u64(o, "bytes", ip->bytes);
	vl_set_real(o, "bits_per_second", ip->bps);
	vl_set_int(o, "records", (int64_t)ip->nrecords);
	vl_set_int(o, "skipped", (int64_t)ip->nskipped);
	return o;
}

void vl_iperf_free(struct vl_iperf *ip)
{
	if (!ip)
		return;
	free(ip->conns);
	memset(ip, 0, sizeof(*ip));
}
