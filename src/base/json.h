/* Reading figures out of JSON documents (jansson) without a check at every
 * step: a missing key or a value of another type reads as 0 or "". */
#ifndef VL_BASE_JSON_H
#define VL_BASE_JSON_H

#include <jansson.h>

double vl_json_num(json_t *obj, const char *key);
const char *vl_json_str(json_t *obj, const char *key);
/* The last line of text (NULL: none) that parses as a JSON object with key
 * (NULL: any object), or NULL: what a program reports after its output. */
json_t *vl_json_last_line(const char *text, const char *key);

#endif
