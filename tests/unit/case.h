/* What the data-driven unit tests share: a case passes or fails with the
 * reasons gathered in a buffer, and the counts end the run in the line
 * tests/run.sh reads ("N passed, M failed, K skipped"). Header only: each
 * test is one file. */
#ifndef VL_TESTS_CASE_H
#define VL_TESTS_CASE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static int npass, nfail, nskip;

static inline void report(const char *name, const struct vl_buf *why)
{
	if (why->len) {
		printf("FAIL %s: %s\n", name, why->s);
		nfail++;
	} else {
		printf("ok %s\n", name);
		npass++;
	}
	fflush(stdout);
}

/* Append "; <formatted>" (or just it, first) to why. */
static inline void why_add(struct vl_buf *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void why_add(struct vl_buf *why, const char *fmt, ...)
{
	cleanup_free char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (why->len)
		vl_buf_add(why, "; ", 2);
	vl_buf_add(why, s, strlen(s));
}

#endif
