/* Link impairments: what each asks for, their text and back. */
#include "topo/impair.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

bool vl_impair_none(const struct vl_impair *im)
{
	return !im->rate_bps && !im->delay_ns && !im->jitter_ns && !(im->loss > 0) && !im->ge &&
	       !im->queue_packets && !im->queue_bytes;
}

bool vl_impair_needs_netem(const struct vl_impair *im)
{
	return im->delay_ns || im->jitter_ns || im->loss > 0 || im->ge;
}

/* A number with a unit suffix from units (matched case-insensitively,
 * longest first by table order); mult gives the scale. */
struct unit {
	const char *suffix;
	double mult;
};

static int parse_unit(const char *s, const struct unit *units, size_t n, double *out)
{
	const char *end;
	double v;

	if (vl_parse_decimal(s, &end, &v) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!strcasecmp(end, units[i].suffix)) {
			*out = v * units[i].mult;
			return 0;
		}
	}
	return -1;
}

static const struct unit time_units[] = {
    {"s", 1e9}, {"ms", 1e6}, {"us", 1e3}, {"ns", 1}, {"sec", 1e9}, {"msec", 1e6}, {"usec", 1e3},
};

static const struct unit rate_units[] = {
    {"bit", 1},    {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9}, {"bps", 1}, {"kbps", 1e3},
    {"mbps", 1e6}, {"gbps", 1e9}, {"k", 1e3},    {"m", 1e6},    {"g", 1e9}, {"", 1},
};

static int parse_percent(const char *s, double *out)
{
	const char *end;
	double v;

	if (vl_parse_decimal(s, &end, &v) < 0)
		return -1;
	if (!strcmp(end, "%"))
		v /= 100;
	else if (*end)
		return -1;
	if (v > 1)
		return -1;
	*out = v;
	return 0;
}

const char *vl_impair_set(struct vl_impair *im, const char *key, const char *value)
{
	double v;

	if (!strcmp(key, "bw") || !strcmp(key, "rate")) {
		if (parse_unit(value, rate_units, VL_ARRAY_SIZE(rate_units), &v) < 0 || v > 1e12 ||
		    (v && v < 8000))
			return "expected a rate of at least 8kbit such as 10Mbit or 1Gbit (0: no "
			       "limit)";
		im->rate_bps = (uint64_t)v;
	} else if (!strcmp(key, "delay")) {
		if (parse_unit(value, time_units, VL_ARRAY_SIZE(time_units), &v) < 0 || v > 60e9)
			return "expected a time up to 60s such as 20ms or 150us";
		im->delay_ns = (uint64_t)llround(v);
	} else if (!strcmp(key, "jitter")) {
		if (parse_unit(value, time_units, VL_ARRAY_SIZE(time_units), &v) < 0 || v > 60e9)
			return "expected a time up to 60s such as 2ms";
		im->jitter_ns = (uint64_t)llround(v);
	} else if (!strcmp(key, "distribution")) {
		if (!strcmp(value, "uniform"))
			im->dist = VL_DIST_UNIFORM;
		else if (!strcmp(value, "normal"))
			im->dist = VL_DIST_NORMAL;
		else if (!strcmp(value, "pareto"))
			im->dist = VL_DIST_PARETO;
		else
			return "expected uniform, normal or pareto";
	} else if (!strcmp(key, "loss")) {
		if (parse_percent(value, &im->loss) < 0)
			return "expected a probability such as 1% or 0.01";
	} else if (!strcmp(key, "loss-model")) {
		/* "gemodel P R [1-H [1-K]]", percentages as netem takes them */
		char model[16];
		double x[4] = {0, 0, 100, 0};
		int n = sscanf(value, "%15s %lf%% %lf%% %lf%% %lf%%", model, &x[0], &x[1], &x[2],
		               &x[3]);

		if (n < 2 || strcmp(model, "gemodel"))
			return "expected \"gemodel P R [1-H [1-K]]\" in percent (netem's Gilbert-"
			       "Elliott model)";
		if (n == 2)
			x[1] = 100 - x[0]; /* netem: r defaults to 1-p */
		for (int i = 0; i < 4; i++)
			if (x[i] < 0 || x[i] > 100)
				return "Gilbert-Elliott probabilities are percentages from 0 to "
				       "100";
		im->ge = true;
		im->ge_p = x[0] / 100;
		im->ge_r = x[1] / 100;
		im->ge_h = 1 - x[2] / 100;
		im->ge_k = 1 - x[3] / 100;
	} else if (!strcmp(key, "queue")) {
		unsigned long u;
		uint64_t b;

		if (vl_parse_uint(value, 1, 1000000, &u) == 0) {
			im->queue_packets = (uint32_t)u;
		} else if (vl_parse_bytes(value, &b) == 0 && b >= 1500 && b <= (1ull << 32)) {
			im->queue_bytes = b;
		} else {
			return "expected a number of packets (100) or a size of at least 1500 "
			       "bytes "
			       "(64KiB)";
		}
	} else {
		return "not a link setting";
	}
	return NULL;
}

static void fmt_time(uint64_t ns, char *buf, size_t len)
{
	if (ns % 1000000 == 0)
		snprintf(buf, len, "%llums", (unsigned long long)(ns / 1000000));
	else if (ns % 1000 == 0)
		snprintf(buf, len, "%lluus", (unsigned long long)(ns / 1000));
	else
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
}

void vl_impair_format(const struct vl_impair *im, char *buf, size_t len)
{
	static const char *const dists[] = {"uniform", "normal", "pareto"};
	struct vl_buf b = {0};
	char t[32];

	if (im->rate_bps) {
		uint64_t r = im->rate_bps;

		if (r % 1000000000 == 0)
			vl_buf_printf(&b, " rate %lluGbit", (unsigned long long)(r / 1000000000));
		else if (r % 1000000 == 0)
			vl_buf_printf(&b, " rate %lluMbit", (unsigned long long)(r / 1000000));
		else if (r % 1000 == 0)
			vl_buf_printf(&b, " rate %llukbit", (unsigned long long)(r / 1000));
		else
			vl_buf_printf(&b, " rate %llubit", (unsigned long long)r);
	}
	if (im->delay_ns) {
		fmt_time(im->delay_ns, t, sizeof(t));
		vl_buf_printf(&b, " delay %s", t);
	}
	if (im->jitter_ns) {
		fmt_time(im->jitter_ns, t, sizeof(t));
		vl_buf_printf(&b, " jitter %s/%s", t, dists[im->dist]);
	}
	if (im->loss > 0)
		vl_buf_printf(&b, " loss %g%%", im->loss * 100);
	if (im->ge)
		vl_buf_printf(&b, " loss-model gemodel %g%% %g%% %g%% %g%%", im->ge_p * 100,
		              im->ge_r * 100, (1 - im->ge_h) * 100, (1 - im->ge_k) * 100);
	if (im->queue_packets)
		vl_buf_printf(&b, " queue %u", im->queue_packets);
	if (im->queue_bytes)
		vl_buf_printf(&b, " queue %lluB", (unsigned long long)im->queue_bytes);
	snprintf(buf, len, "%s", b.s ? b.s + 1 : "none");
	vl_buf_free(&b);
}

const char *vl_impair_parse(struct vl_impair *im, const char *text)
{
	char *copy = vl_xstrdup(text), *save = NULL, *key, *val;
	const char *why = NULL;

	memset(im, 0, sizeof(*im));
	if (!strcmp(text, "none")) {
		free(copy);
		return NULL;
	}
	for (key = strtok_r(copy, " ", &save); key && !why; key = strtok_r(NULL, " ", &save)) {
		char buf[128];

		if (!(val = strtok_r(NULL, " ", &save))) {
			why = "a setting without a value";
			break;
		}
		if (!strcmp(key, "loss-model")) {
			/* "gemodel P R 1-H 1-K": five words */
			char *w[4];

			for (int i = 0; i < 4; i++)
				w[i] = strtok_r(NULL, " ", &save);
			if (!w[3]) {
				why = "a short loss-model";
				break;
			}
			if ((size_t)snprintf(buf, sizeof(buf), "%s %s %s %s %s", val, w[0], w[1],
			                     w[2], w[3]) >= sizeof(buf)) {
				why = "a loss-model too long";
				break;
			}
			why = vl_impair_set(im, key, buf);
		} else if (!strcmp(key, "jitter") && strchr(val, '/')) {
			/* "2ms/normal": the time, then the distribution */
			char *slash = strchr(val, '/');

			*slash = '\0';
			why = vl_impair_set(im, key, val);
			if (!why)
				why = vl_impair_set(im, "distribution", slash + 1);
		} else {
			why = vl_impair_set(im, key, val);
		}
	}
	free(copy);
	return why;
}
