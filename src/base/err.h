/* Errors travel up as values: a failing function returns a negative number
 * and fills a struct vl_err; callers add context on the way up with
 * vl_err_wrap(); only main() prints. */
#ifndef VL_BASE_ERR_H
#define VL_BASE_ERR_H

#include <stdarg.h>

struct vl_err {
	int code;       /* errno value, 0 when not an OS error */
	char msg[1024]; /* human text, already with context */
};

/* Set err to "<formatted>" with errno code (0 for none). Returns -1. */
int vl_err_set(struct vl_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, and append ": strerror(code)". Returns -1. */
int vl_err_sys(struct vl_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prepend "<formatted>: " to the message already in err. Returns -1. */
int vl_err_wrap(struct vl_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vl_err_clear(struct vl_err *err);

#endif
