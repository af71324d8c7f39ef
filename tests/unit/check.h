/* What the C unit tests share: one line per case ("ok NAME: ..." or
 * "FAIL NAME: ..."), counted for their closing "N passed, M failed" line.
 * Each test is a program of its own that includes this once. */
#ifndef VL_TESTS_CHECK_H
#define VL_TESTS_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int npass, nfail;

static void result(const char *name, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void result(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s: ", ok ? "ok" : "FAIL", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		npass++;
	else
		nfail++;
}

#endif
