/* iperf3's JSON, -J (see parse.h). */
#include "study/parse.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "study/parse_impl.h"

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
	if (!text || vl_only_blank(text))
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
		vl_set_str(o, "error", ip->error);
	vl_set_str(o, "version", ip->version);
	vl_set_str(o, "protocol", ip->protocol);
	json_object_set_new(o, "server", json_boolean(ip->server));
	json_object_set_new(o, "reverse", json_boolean(ip->reverse));
	vl_set_int(o, "streams", ip->streams);
	vl_set_real(o, "duration", ip->duration);
	vl_set_real(o, "sent_seconds", ip->sent_seconds);
	vl_set_u64(o, "sent_bytes", ip->sent_bytes);
	vl_set_real(o, "sent_bits_per_second", ip->sent_bps);
	if (ip->retransmits >= 0)
		vl_set_int(o, "retransmits", ip->retransmits);
	vl_set_real(o, "received_seconds", ip->received_seconds);
	vl_set_u64(o, "received_bytes", ip->received_bytes);
	vl_set_real(o, "received_bits_per_second", ip->received_bps);
	if (!strcmp(ip->protocol, "UDP")) {
		vl_set_real(o, "jitter_ms", ip->jitter_ms);
		vl_set_int(o, "lost_packets", ip->lost_packets);
		vl_set_int(o, "packets", ip->packets);
		vl_set_real(o, "lost_percent", ip->lost_percent);
	}
	vl_set_real(o, "cpu_host_total", ip->cpu_host_total);
	vl_set_real(o, "cpu_host_user", ip->cpu_host_user);
	vl_set_real(o, "cpu_host_system", ip->cpu_host_system);
	vl_set_real(o, "cpu_remote_total", ip->cpu_remote_total);
	vl_set_real(o, "cpu_remote_user", ip->cpu_remote_user);
	vl_set_real(o, "cpu_remote_system", ip->cpu_remote_system);
	return o;
}
