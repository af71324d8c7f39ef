/* What the parsers of the study's real programs share (see parse_impl.h;
 * the parsers are parse_povray.c, parse_iperf.c, parse_iperf3.c and
 * parse_netpipe.c). Text is scanned token by token with the cursor below,
 * numbers by hand (no strtod: no locale, no "inf", no hex), on a private
 * copy of the text cut into lines. */
#include "study/parse_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* --- lines ------------------------------------------------------------------ */

void vl_lines_init(struct vl_lines *l, const char *text)
{
	l->buf = vl_xstrdup(text);
	l->p = l->buf;
	l->lineno = 0;
	l->next_lineno = 1;
}

char *vl_lines_next(struct vl_lines *l)
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

void vl_lines_free(struct vl_lines *l)
{
	free(l->buf);
	l->buf = l->p = NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

char *vl_trim(char *s)
{
	char *e;

	while (is_blank(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_blank(e[-1]))
		*--e = '\0';
	return s;
}

bool vl_starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool vl_only_blank(const char *s)
{
	while (is_blank(*s) || *s == '\n' || *s == '\r')
		s++;
	return !*s;
}

/* s shortened and made printable for a message: at most 60 characters. */
const char *vl_excerpt(char buf[72], const char *s)
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
bool vl_eat(const char **p, const char *word)
{
	size_t n = strlen(word);

	skip_blank(p);
	if (strncmp(*p, word, n))
		return false;
	*p += n;
	return true;
}

bool vl_at_end(const char **p)
{
	skip_blank(p);
	return !**p;
}

/* Blanks, then decimal digits: a number that fits in 64 bits. */
bool vl_eat_u64(const char **p, uint64_t *v)
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
bool vl_eat_i64(const char **p, int64_t *v)
{
	const char *s;
	bool neg;
	uint64_t x;

	skip_blank(p);
	s = *p;
	neg = *s == '-';
	if (neg)
		s++;
	if (!vl_eat_u64(&s, &x) || x > (uint64_t)INT64_MAX + neg)
		return false;
	*v = neg ? (x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x) : (int64_t)x;
	*p = s;
	return true;
}

/* Blanks, then "123", "123.45" or ".5", as printf's %f writes them: no sign,
 * no exponent, at most 18 digits (so that the digits fit an integer and the
 * one division below rounds correctly). */
bool vl_eat_dec(const char **p, double *v)
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
bool vl_tok_u64(const char *s, uint64_t *v)
{
	return vl_eat_u64(&s, v) && vl_at_end(&s);
}

bool vl_tok_i64(const char *s, int64_t *v)
{
	return vl_eat_i64(&s, v) && vl_at_end(&s);
}

bool vl_tok_dec(const char *s, double *v)
{
	return vl_eat_dec(&s, v) && vl_at_end(&s);
}

/* --- JSON helpers ----------------------------------------------------------- */

void vl_set_u64(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(
	    o, key, v <= (uint64_t)INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v));
}

void vl_set_int(json_t *o, const char *key, int64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

void vl_set_real(json_t *o, const char *key, double v)
{
	json_object_set_new(o, key, isfinite(v) ? json_real(v) : json_null());
}

void vl_set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, json_string(v));
}
