/* Private to src/study/parse*.c: what the four parsers share (parse.c) —
 * the text cut into lines, a cursor that reads it token by token, numbers
 * read by hand (no strtod: no locale, no "inf", no hex), and setters for
 * the figures' JSON objects. One file per program: parse_povray.c,
 * parse_iperf.c (iperf 2's CSV), parse_iperf3.c (iperf3's JSON),
 * parse_netpipe.c. */
#ifndef VL_STUDY_PARSE_IMPL_H
#define VL_STUDY_PARSE_IMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* --- lines ------------------------------------------------------------------ */

/* The text, copied, handed out line by line. '\n', "\r\n" and a lone '\r'
 * (POV-Ray's progress) all end a line; only '\n' advances the line number,
 * as an editor counts. */
struct vl_lines {
	char *buf, *p;
	unsigned lineno, next_lineno;
};

void vl_lines_init(struct vl_lines *l, const char *text);
/* The next line, NUL-terminated in the copy; NULL at the end. */
char *vl_lines_next(struct vl_lines *l);
void vl_lines_free(struct vl_lines *l);

/* s without leading and trailing blanks (cut in place). */
char *vl_trim(char *s);
bool vl_starts_with(const char *s, const char *prefix);
/* Nothing but blanks and line ends. */
bool vl_only_blank(const char *s);
/* s shortened and made printable for a message: at most 60 characters. */
const char *vl_excerpt(char buf[72], const char *s);

/* --- cursor ------------------------------------------------------------------ */

/* Each skips blanks first, then reads what it names and moves *p past
 * it; on false, *p is left after the blanks. */
/* Exactly word. */
bool vl_eat(const char **p, const char *word);
/* Nothing more on the line. */
bool vl_at_end(const char **p);
/* Decimal digits: a number that fits in 64 bits. */
bool vl_eat_u64(const char **p, uint64_t *v);
/* An optional '-' and decimal digits. */
bool vl_eat_i64(const char **p, int64_t *v);
/* "123", "123.45" or ".5", as printf's %f writes them: no sign, no
 * exponent, at most 18 digits. */
bool vl_eat_dec(const char **p, double *v);

/* A whole token (already trimmed) as one number. */
bool vl_tok_u64(const char *s, uint64_t *v);
bool vl_tok_i64(const char *s, int64_t *v);
bool vl_tok_dec(const char *s, double *v);

/* --- JSON ------------------------------------------------------------------- */

/* o.key = v; a u64 beyond INT64_MAX as a real, a non-finite real as null. */
void vl_set_u64(json_t *o, const char *key, uint64_t v);
void vl_set_int(json_t *o, const char *key, int64_t v);
void vl_set_real(json_t *o, const char *key, double v);
void vl_set_str(json_t *o, const char *key, const char *v);

#endif
