/* A QMP client (see qmp.h). */
#include "vm/qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

/* The next line QEMU sent, parsed; NULL on error (err says why). */
static json_t *read_msg(struct vl_qmp *q, double deadline, struct vl_err *err)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);

		if (nl) {
			json_error_t je;
			size_t n = (size_t)(nl - q->buf) + 1;
			json_t *m = json_loadb(q->buf, n, 0, &je);

			memmove(q->buf, q->buf + n, q->len - n);
			q->len -= n;
			if (!m || !json_is_object(m)) {
				json_decref(m);
				vl_err_set(err, EPROTO, "QMP: a reply that is not a JSON object");
				return NULL;
			}
			return m;
		}
		if (q->len == sizeof(q->buf)) {
			vl_err_set(err, EMSGSIZE, "QMP: a reply over %zu bytes", sizeof(q->buf));
			return NULL;
		}
		double left = deadline - vl_now();
		struct pollfd pfd = {.fd = q->fd, .events = POLLIN};
		int k;

		if (left <= 0) {
			vl_err_set(err, ETIMEDOUT, "QMP: QEMU did not answer in time");
			return NULL;
		}
		k = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			vl_err_sys(err, errno, "QMP: poll");
			return NULL;
		}
		if (k == 0)
			continue;
		ssize_t r = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);

		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			vl_err_set(err, r < 0 ? errno : EPIPE, "QMP: QEMU closed its monitor%s%s",
			           r < 0 ? ": " : " (it exited)", r < 0 ? strerror(errno) : "");
			return NULL;
		}
		q->len += (size_t)r;
	}
}

int vl_qmp_open(struct vl_qmp *q, int fd, double deadline, struct vl_err *err)
{
	json_t *m;

	q->fd = fd;
	q->len = 0;
	if (!(m = read_msg(q, deadline, err)))
		return -1;
	if (!json_object_get(m, "QMP")) {
		json_decref(m);
		return vl_err_set(err, EPROTO, "QMP: no greeting");
	}
	json_decref(m);
	return vl_qmp_call(q, "qmp_capabilities", NULL, NULL, deadline, err);
}

int vl_qmp_call(struct vl_qmp *q, const char *cmd, json_t *args, json_t **ret, double deadline,
                struct vl_err *err)
{
	json_t *req = json_pack("{s:s}", "execute", cmd);
	char *s;
	int r;

	if (ret)
		*ret = NULL;
	if (args)
		json_object_set_new(req, "arguments", args);
	s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	r = s ? vl_write_all(q->fd, s, strlen(s)) : -1;
	free(s);
	if (r < 0)
		return vl_err_sys(err, errno ? errno : EIO, "QMP: send %s", cmd);
	for (;;) {
		json_t *m = read_msg(q, deadline, err), *v;

		if (!m)
			return vl_err_wrap(err, "%s", cmd);
		if (json_object_get(m, "event")) {
			json_decref(m);
			continue;
		}
		if ((v = json_object_get(m, "error"))) {
			const char *desc = json_string_value(json_object_get(v, "desc"));

			vl_err_set(err, EIO, "QMP %s: %s", cmd, desc ? desc : "failed");
			json_decref(m);
			return -1;
		}
		if (ret)
			*ret = json_incref(json_object_get(m, "return"));
		json_decref(m);
		return 0;
	}
}

static json_t *ignore_shared(void)
{
	return json_pack("{s:[{s:s, s:b}]}", "capabilities", "capability", "x-ignore-shared",
	                 "state", 1);
}

/* query-migrate until it says completed (0) or failed (-1). */
static int migration_done(struct vl_qmp *q, double deadline, struct vl_err *err)
{
	for (;;) {
		json_t *st;
		const char *s;

		if (vl_qmp_call(q, "query-migrate", NULL, &st, deadline, err) < 0)
			return -1;
		s = json_string_value(json_object_get(st, "status"));
		if (s && !strcmp(s, "completed")) {
			json_decref(st);
			return 0;
		}
		if (s && (!strcmp(s, "failed") || !strcmp(s, "cancelled"))) {
			const char *why = json_string_value(json_object_get(st, "error-desc"));

			vl_err_set(err, EIO, "the migration %s%s%s", s, why ? ": " : "",
			           why ? why : "");
			json_decref(st);
			return -1;
		}
		json_decref(st);
		if (vl_now() >= deadline)
			return vl_err_set(err, ETIMEDOUT, "the migration did not complete in time");
		nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
	}
}

/* getfd: fd passed to QEMU (SCM_RIGHTS) under name. */
static int pass_fd(struct vl_qmp *q, int fd, const char *name, double deadline, struct vl_err *err)
{
	char *s, ctl[CMSG_SPACE(sizeof(int))];
	json_t *req = json_pack("{s:s, s:{s:s}}", "execute", "getfd", "arguments", "fdname", name);
	struct iovec iov;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
	                    .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c;
	ssize_t w;

	s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!s)
		return vl_err_set(err, ENOMEM, "QMP: getfd");
	iov = (struct iovec){.iov_base = s, .iov_len = strlen(s)};
	memset(ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while ((w = sendmsg(q->fd, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	free(s);
	if (w != (ssize_t)iov.iov_len)
		return vl_err_sys(err, w < 0 ? errno : EIO, "QMP: getfd");
	for (;;) {
		json_t *m = read_msg(q, deadline, err), *v;

		if (!m)
			return vl_err_wrap(err, "getfd");
		if (json_object_get(m, "event")) {
			json_decref(m);
			continue;
		}
		v = json_object_get(m, "error");
		if (v) {
			const char *desc = json_string_value(json_object_get(v, "desc"));

			vl_err_set(err, EIO, "QMP getfd: %s", desc ? desc : "failed");
		}
		json_decref(m);
		return v ? -1 : 0;
	}
}

int vl_qmp_save(struct vl_qmp *q, int fd, double deadline, struct vl_err *err)
{
	const char *uri = "fd:vlstate";

	if (pass_fd(q, fd, "vlstate", deadline, err) < 0 ||
	    vl_qmp_call(q, "stop", NULL, NULL, deadline, err) < 0 ||
	    vl_qmp_call(q, "migrate-set-capabilities", ignore_shared(), NULL, deadline, err) < 0 ||
	    vl_qmp_call(q, "migrate", json_pack("{s:s}", "uri", uri), NULL, deadline, err) < 0)
		return -1;
	return migration_done(q, deadline, err);
}

int vl_qmp_restore(struct vl_qmp *q, int qemu_fd, double deadline, struct vl_err *err)
{
	char uri[32];

	snprintf(uri, sizeof(uri), "fd:%d", qemu_fd);
	if (vl_qmp_call(q, "migrate-set-capabilities", ignore_shared(), NULL, deadline, err) < 0 ||
	    vl_qmp_call(q, "migrate-incoming", json_pack("{s:s}", "uri", uri), NULL, deadline,
	                err) < 0 ||
	    migration_done(q, deadline, err) < 0)
		return -1;
	/* the template was saved stopped, and its clone keeps that state */
	return vl_qmp_call(q, "cont", NULL, NULL, deadline, err);
}
