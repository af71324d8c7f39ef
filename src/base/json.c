/* Reading figures out of JSON documents. See json.h. */
#include "base/json.h"

#include <string.h>

double vl_json_num(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : 0;
}

const char *vl_json_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

json_t *vl_json_last_line(const char *text, const char *key)
{
	json_t *found = NULL;

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		json_t *j = len && line[0] == '{' ? json_loadb(line, len, 0, NULL) : NULL;

		if (json_is_object(j) && (!key || json_object_get(j, key))) {
			json_decref(found);
			found = j;
		} else {
			json_decref(j);
		}
		line = nl ? nl + 1 : NULL;
	}
	return found;
}
