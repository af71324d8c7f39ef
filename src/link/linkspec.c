/* Mininet's --link option, parsed into vl_impair settings. See linkspec.h. */
#include "link/linkspec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Mininet's TCLink settings that only choose tc's machinery. */
static const char *const tc_only[] = {"use_htb",    "use_tbf", "use_hfsc", "enable_ecn",
                                      "enable_red", "speedup", "r2q",      "latency_ms"};

/* A number with nothing after it: Mininet's unitless bw and loss. */
static bool bare_number(const char *s)
{
	const char *end;
	double v;

	return vl_parse_decimal(s, &end, &v) == 0 && !*end;
}

static int add(struct vl_link_spec *ls, const char *key, const char *value, const char *given,
               struct vl_err *err)
{
	struct vl_impair scratch = {0};
	const char *why;

	if (ls->n == VL_LINK_SPEC_MAX)
		return vl_err_set(err, EINVAL, "--link: at most %d settings", VL_LINK_SPEC_MAX);
	if ((why = vl_impair_set(&scratch, key, value)))
		return vl_err_set(err, EINVAL, "--link: %s=%s: %s", key, given, why);
	for (size_t i = 0; i < ls->n; i++)
		if (!strcmp(ls->keys[i], key))
			return vl_err_set(err, EINVAL, "--link: %s given twice", key);
	ls->keys[ls->n] = vl_xstrdup(key);
	ls->values[ls->n++] = vl_xstrdup(value);
	return 0;
}

static int parse_one(struct vl_link_spec *ls, const char *key, const char *value,
                     struct vl_err *err)
{
	cleanup_free char *v = NULL;
	const char *given = value;

	for (size_t i = 0; i < VL_ARRAY_SIZE(tc_only); i++)
		if (!strcmp(key, tc_only[i])) {
			if (ls->n_ignored < VL_LINK_SPEC_MAX)
				ls->ignored[ls->n_ignored++] = vl_xstrdup(key);
			return 0;
		}
	if (!strcmp(key, "max_queue_size"))
		key = "queue";
	if ((!strcmp(key, "bw") || !strcmp(key, "rate")) && bare_number(value))
		value = v = vl_xasprintf("%sMbit", value);
	else if (!strcmp(key, "loss") && bare_number(value))
		value = v = vl_xasprintf("%s%%", value);
	if (strcmp(key, "bw") && strcmp(key, "rate") && strcmp(key, "delay") &&
	    strcmp(key, "jitter") && strcmp(key, "loss") && strcmp(key, "queue") &&
	    strcmp(key, "distribution") && strcmp(key, "loss-model"))
		return vl_err_set(err, EINVAL,
		                  "--link: unknown setting \"%s\" (bw, delay, jitter, loss, queue "
		                  "or max_queue_size, distribution, loss-model)",
		                  key);
	return add(ls, key, value, given, err);
}

int vl_link_spec_parse(const char *spec, struct vl_link_spec *ls, struct vl_err *err)
{
	cleanup_free char *copy = vl_xstrdup(spec);
	char *item = copy, *next;
	bool first = true;

	memset(ls, 0, sizeof(*ls));
	for (size_t k = 1; item; item = next, k++) {
		char *eq;

		if ((next = strchr(item, ',')))
			*next++ = '\0';
		if (!*item) {
			vl_link_spec_free(ls);
			return vl_err_set(err, EINVAL,
			                  "--link \"%s\": setting %zu is empty (settings are "
			                  "KEY=VALUE, one comma between two: e.g. --link "
			                  "bw=10Mbit,delay=5ms)",
			                  spec, k);
		}
		if (!(eq = strchr(item, '='))) {
			/* Mininet's link class first: tc (TCLink), tcu, default */
			if (first && (!strcmp(item, "tc") || !strcmp(item, "tcu") ||
			              !strcmp(item, "default"))) {
				first = false;
				continue;
			}
			vl_link_spec_free(ls);
			return vl_err_set(
			    err, EINVAL,
			    "--link: \"%s\" is not KEY=VALUE (e.g. --link "
			    "bw=10Mbit,delay=5ms, or Mininet's --link tc,bw=10,delay=5ms)",
			    item);
		}
		first = false;
		if (eq == item) {
			vl_link_spec_free(ls);
			return vl_err_set(err, EINVAL,
			                  "--link: \"%s\" has no KEY before its = (e.g. --link "
			                  "bw=10Mbit,delay=5ms)",
			                  item);
		}
		*eq = '\0';
		if (parse_one(ls, item, eq + 1, err) < 0) {
			vl_link_spec_free(ls);
			return -1;
		}
	}
	return 0;
}

void vl_link_spec_apply(const struct vl_link_spec *ls, struct vl_impair *im)
{
	for (size_t i = 0; i < ls->n; i++)
		vl_impair_set(im, ls->keys[i], ls->values[i]);
}

void vl_link_spec_free(struct vl_link_spec *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		free(ls->keys[i]);
		free(ls->values[i]);
	}
	for (size_t i = 0; i < ls->n_ignored; i++)
		free(ls->ignored[i]);
	memset(ls, 0, sizeof(*ls));
}
