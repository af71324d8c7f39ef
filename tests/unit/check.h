/* What the C unit tests share: one line per case ("ok NAME: ..." or
 * "FAIL NAME: ..."), counted for their closing "N passed, M failed,
 * K skipped" line; the reasons a data-driven case fails; open fds.
 * Each test is a program of its own that includes this once. */
#ifndef VL_TESTS_CHECK_H
#define VL_TESTS_CHECK_H

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

static int npass, nfail, nskip __attribute__((unused));

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

/* A data-driven case: it passes when why (the reasons it does not) is
 * empty. */
static inline void report(const char *name, const struct vl_buf *why)
{
	if (why->len)
		result(name, 0, "%s", why->s);
	else
		result(name, 1, "as expected");
}

/* Append "; <formatted>" (or just it, first) to why. */
static inline void why_add(struct vl_buf *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void why_add(struct vl_buf *why, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (why->len)
		vl_buf_add(why, "; ", 2);
	vl_buf_add(why, s, strlen(s));
	free(s);
}

/* For a case that needs root: go into a network namespace of the test's
 * own (gone with the process). false, the case said skipped or failed, if
 * it cannot. */
static inline bool own_netns(const char *name)
{
	if (geteuid() != 0) {
		printf("skip %s: needs root\n", name);
		nskip++;
		return false;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		result(name, 0, "a network namespace: %s", strerror(errno));
		return false;
	}
	return true;
}

/* How many file descriptors this process has open (a leak shows). */
static inline int open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n - 1; /* the DIR's own fd */
}

#endif
