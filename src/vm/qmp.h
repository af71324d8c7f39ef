/* QEMU's machine protocol (QMP) over a connected stream socket, as far as
 * guest templates need it: the greeting and capabilities handshake,
 * commands with their replies (events are skipped), and the two sequences
 * of vm/template.h: saving a stopped guest's device state to a descriptor
 * QEMU holds, and loading it into a guest started with -incoming defer.
 * Blocking, each call bounded by a deadline (vl_now() seconds). */
#ifndef VL_VM_QMP_H
#define VL_VM_QMP_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"

struct vl_qmp {
	int fd;
	size_t len;
	char buf[16384];
};

/* The greeting, then qmp_capabilities. q->fd stays the caller's. */
int vl_qmp_open(struct vl_qmp *q, int fd, double deadline, struct vl_err *err);

/* One command; args (may be NULL) is taken. *ret, if ret, gets the reply's
 * "return" (a new reference); QEMU's error comes back in err. */
int vl_qmp_call(struct vl_qmp *q, const char *cmd, json_t *args, json_t **ret, double deadline,
                struct vl_err *err);

/* Stop the guest and save its device state (its RAM is in a shared
 * memory-backend-file and is not written: x-ignore-shared) to fd, passed
 * to QEMU over the socket, until the migration completed. */
int vl_qmp_save(struct vl_qmp *q, int fd, double deadline, struct vl_err *err);

/* Load the device state from QEMU's fd qemu_fd into a guest started with
 * -incoming defer, and let it run. */
int vl_qmp_restore(struct vl_qmp *q, int qemu_fd, double deadline, struct vl_err *err);

#endif
