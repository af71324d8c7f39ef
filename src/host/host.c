/* The hosts' table (host.h): a --hosts spec read into a backend and its
 * hosts, commands run on them with a deadline, files carried, each host
 * asked for its underlay. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/json.h"
#include "host/host.h"

#define VL_HOST_TIMEOUT 30.0 /* seconds, when the options give none */
#define VL_HOST_OUT_MAX (1 << 20)

void vl_hosts_add(struct vl_hosts *hs, const char *name)
{
	vl_grow(&hs->h, &hs->cap, hs->n, sizeof(*hs->h));
	hs->h[hs->n++].name = vl_xstrdup(name);
}

const char *vl_host_name_invalid(const char *name)
{
	size_t len = strlen(name);

	if (!len)
		return "empty";
	if (len > 253)
		return "longer than 253 characters";
	if (name[0] == '-')
		return "starts with '-'";
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
	    len)
		return "has a character other than letters, digits, '.', '_' and '-'";
	return NULL;
}

void vl_shell_quote(struct vl_buf *b, const char *s)
{
	vl_buf_add(b, "'", 1);
	for (const char *q; (q = strchr(s, '\'')); s = q + 1) {
		vl_buf_add(b, s, (size_t)(q - s));
		vl_buf_add(b, "'\\''", 4);
	}
	vl_buf_add(b, s, strlen(s));
	vl_buf_add(b, "'", 1);
}

int vl_hosts_parse(struct vl_hosts *hs, const char *spec, const struct vl_hosts_opts *o,
                   struct vl_err *err)
{
	static const struct vl_host_backend *const all[] = {&vl_host_local, &vl_host_ssh,
	                                                    &vl_host_slurm};
	const char *arg = NULL;
	char self[PATH_MAX];
	ssize_t len;

	memset(hs, 0, sizeof(*hs));
	hs->o = *o;
	if (hs->o.timeout <= 0)
		hs->o.timeout = VL_HOST_TIMEOUT;
	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		return vl_err_sys(err, errno, "read /proc/self/exe");
	self[len] = 0;
	hs->vnetlab = vl_xstrdup(getenv("VNETLAB_HOSTS_VNETLAB") ?: self);
	spec = spec ?: "local";
	if (spec[0] == '@') {
		hs->be = &vl_host_ssh;
		arg = spec;
	}
	for (size_t k = 0; !hs->be && k < VL_ARRAY_SIZE(all); k++) {
		size_t n = strlen(all[k]->name);

		if (!strncmp(spec, all[k]->name, n) && (!spec[n] || spec[n] == ':')) {
			hs->be = all[k];
			arg = spec[n] ? spec + n + 1 : "";
		}
	}
	if (!hs->be)
		return vl_err_set(err, EINVAL,
		                  "hosts \"%s\": not local, slurm, ssh:H1,H2,... or @FILE", spec);
	if (hs->be->parse(hs, arg, err) < 0)
		return vl_err_wrap(err, "hosts \"%s\"", spec);
	return 0;
}

int vl_hosts_open(struct vl_hosts *hs, struct vl_err *err)
{
	return hs->be->open ? hs->be->open(hs, err) : 0;
}

void vl_hosts_close(struct vl_hosts *hs)
{
	if (hs->be && hs->be->close)
		hs->be->close(hs);
	for (size_t i = 0; i < hs->n; i++) {
		free(hs->h[i].name);
		free(hs->h[i].version);
		free(hs->h[i].labs);
	}
	free(hs->h);
	free(hs->dir);
	free(hs->config);
	free(hs->vnetlab);
	memset(hs, 0, sizeof(*hs));
}

void vl_hosts_truncate(struct vl_hosts *hs, size_t n)
{
	struct vl_hosts rest;

	if (n >= hs->n)
		return;
	/* the rest's connections closed, the directory left to close */
	rest = *hs;
	rest.h = hs->h + n;
	rest.n = hs->n - n;
	rest.keep = false;
	rest.dir_fd = -1;
	if (hs->be && hs->be->close)
		hs->be->close(&rest);
	for (size_t i = n; i < hs->n; i++) {
		free(hs->h[i].name);
		free(hs->h[i].version);
		free(hs->h[i].labs);
	}
	hs->n = n;
}

void vl_host_results_free(struct vl_host_result *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vl_buf_free(&r[i].out);
}

/* A command started: its pid and the read end of its stdout and stderr. */
struct job {
	pid_t pid;
	int fd;
};

static int job_start(char *const argv[], const char *in, struct job *j, struct vl_err *err)
{
	extern char **environ;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int p[2], r;

	if (pipe2(p, O_CLOEXEC) < 0)
		return vl_err_sys(err, errno, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in ? in : "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	/* a process group of its own: a terminal's Ctrl-C is ours to act on
	 * (a command half run on a host would be left behind) */
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	fflush(NULL);
	r = posix_spawnp(&j->pid, argv[0], &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (r) {
		close(p[0]);
		return vl_err_sys(err, r, "run %s", argv[0]);
	}
	j->fd = p[0];
	return 0;
}

/* Wait for pid until the deadline, then kill it (*late set): its exit
 * status, or 128 + the signal that ended it. */
static int reap(pid_t pid, double end, bool *late)
{
	pid_t w;
	int st = 0;

	while ((w = waitpid(pid, &st, WNOHANG)) == 0 || (w < 0 && errno == EINTR)) {
		if (w == 0 && !*late && vl_now() >= end) {
			kill(pid, SIGKILL);
			*late = true;
		}
		usleep(10000);
	}
	if (w < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Read every job's output until each closes it or the deadline passes;
 * then kill what is left and reap them all. */
static void jobs_wait(struct job *j, struct vl_host_result *r, size_t n, double timeout)
{
	cleanup_free struct pollfd *pf = vl_xcalloc(n ? n : 1, sizeof(*pf));
	double end = vl_now() + timeout;
	size_t open = n;
	char buf[4096];

	for (size_t i = 0; i < n; i++)
		pf[i] = (struct pollfd){.fd = j[i].fd, .events = POLLIN};
	while (open && vl_now() < end) {
		if (poll(pf, n, (int)((end - vl_now()) * 1000) + 1) < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < n; i++) {
			ssize_t got;

			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			got = read(pf[i].fd, buf, sizeof(buf));
			if (got > 0 && r[i].out.len < VL_HOST_OUT_MAX)
				vl_buf_add(&r[i].out, buf, (size_t)got);
			if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open--;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		bool late = pf[i].fd >= 0;

		if (late) {
			close(pf[i].fd);
			kill(j[i].pid, SIGKILL);
		}
		r[i].status = reap(j[i].pid, end, &late);
		if (late) {
			r[i].status = -1;
			vl_buf_printf(&r[i].out, "no answer within %.0f s\n", timeout);
		}
	}
}

/* Run argv (or argvs[i], for host first + i) on hosts [first, first + n)
 * at once, stdin from file in. */
static int run_some(struct vl_hosts *hs, size_t first, size_t n, char *const argv[],
                    char **const argvs[], const char *in, struct vl_host_result *r,
                    struct vl_err *err)
{
	cleanup_free struct job *j = vl_xcalloc(n ? n : 1, sizeof(*j));
	cleanup_free size_t *which = vl_xcalloc(n ? n : 1, sizeof(*which));
	size_t started = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		r[i] = (struct vl_host_result){.status = -1};
		vl_buf_add(&r[i].out, "", 0);
	}
	for (size_t i = 0; i < n; i++) {
		cleanup_argv struct vl_argv a = {0};

		if (argvs && !argvs[i]) {
			r[i].status = 0;
			continue;
		}
		hs->be->wrap(hs, first + i, argvs ? argvs[i] : argv, &a);
		if ((rc = job_start(a.v, in, &j[started], err)) < 0) {
			vl_err_wrap(err, "host %s", hs->h[first + i].name);
			break;
		}
		which[started++] = i;
	}
	{
		cleanup_free struct vl_host_result *got =
		    vl_xcalloc(started ? started : 1, sizeof(*got));

		for (size_t q = 0; q < started; q++)
			got[q] = r[which[q]];
		jobs_wait(j, got, started, hs->o.timeout);
		for (size_t q = 0; q < started; q++)
			r[which[q]] = got[q];
	}
	return rc;
}

int vl_hosts_run_each(struct vl_hosts *hs, char **const argvs[], struct vl_host_result *r,
                      struct vl_err *err)
{
	return run_some(hs, 0, hs->n, NULL, argvs, NULL, r, err);
}

void vl_hosts_wrap(const struct vl_hosts *hs, size_t i, char *const argv[], struct vl_argv *out)
{
	hs->be->wrap(hs, i, argv, out);
}

int vl_hosts_run(struct vl_hosts *hs, size_t i, char *const argv[], struct vl_host_result *r,
                 struct vl_err *err)
{
	return run_some(hs, i, 1, argv, NULL, NULL, r, err);
}

int vl_hosts_run_all(struct vl_hosts *hs, char *const argv[], struct vl_host_result *r,
                     struct vl_err *err)
{
	return run_some(hs, 0, hs->n, argv, NULL, NULL, r, err);
}

int vl_hosts_carry(struct vl_hosts *hs, size_t i, const char *from, const char *to,
                   struct vl_err *err)
{
	return hs->be->carry(hs, i, from, to, err);
}

/* The last line of a command's output, for an error message. */
static const char *last_line(struct vl_buf *b)
{
	char *s = b->s;
	size_t len = b->len;

	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = 0;
	for (size_t k = len; k; k--)
		if (s[k - 1] == '\n')
			return s + k;
	return len ? s : "no output";
}

int vl_host_carry_cat(struct vl_hosts *hs, size_t i, const char *from, const char *to,
                      struct vl_err *err)
{
	/* into a file beside, renamed over: `to` may be `from` itself (a
	 * file system the hosts share); its directory made if need be */
	char *argv[] = {"sh",
	                "-c",
	                "t=\"$1.vnetlab-carry.$$\"; mkdir -p -- \"$(dirname -- \"$1\")\" && "
	                "cat > \"$t\" && mv -f -- \"$t\" \"$1\" || { rm -f -- \"$t\"; exit 1; }",
	                "sh",
	                (char *)to,
	                NULL};
	struct vl_host_result r;
	int fd = open(from, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return vl_err_sys(err, errno, "carry %s to host %s", from, hs->h[i].name);
	close(fd);
	if (run_some(hs, i, 1, argv, NULL, from, &r, err) < 0)
		return vl_err_wrap(err, "carry %s", from);
	if (r.status)
		vl_err_set(err, 0, "host %s: carry %s to %s: %s (exit status %d)", hs->h[i].name,
		           from, to, last_line(&r.out), r.status);
	vl_buf_free(&r.out);
	return r.status ? -1 : 0;
}

/* The labs a host has (its __hostinfo's "labs": [[NAME, ID]...], absent
 * from an older vnetlab): names and ids checked. */
static int probe_labs(struct vl_host *h, json_t *labs, struct vl_err *err)
{
	struct vl_buf b = {0};
	size_t i;
	json_t *l;

	json_array_foreach(labs, i, l)
	{
		const char *name = json_string_value(json_array_get(l, 0));
		const char *id = json_string_value(json_array_get(l, 1));

		if (!name || !id || vl_name_invalid(name) || strlen(id) != 4 ||
		    strspn(id, "0123456789abcdef") != 4) {
			vl_buf_free(&b);
			return vl_err_set(err, EPROTO, "host %s: a lab that is not a name and an id",
			                  h->name);
		}
		vl_buf_printf(&b, "%s %s\n", name, id);
	}
	free(h->labs);
	h->labs = b.s ? b.s : vl_xstrdup("");
	return 0;
}

/* One host's answer to __hostinfo: {"addr","dev","mtu","version","labs"}. */
static int probe_read(struct vl_host *h, const char *vnetlab, struct vl_host_result *r,
                      struct vl_err *err)
{
	json_t *j, *addr, *dev, *mtu, *ver;
	int rc = 0;

	if (r->status == 127 || r->status == 126)
		return vl_err_set(err, ENOENT,
		                  "host %s: cannot run vnetlab at %s there: %s (install it there, "
		                  "or name its path in VNETLAB_HOSTS_VNETLAB)",
		                  h->name, vnetlab, last_line(&r->out));
	if (r->status < 0)
		return vl_err_set(err, ETIMEDOUT, "host %s: %s", h->name, last_line(&r->out));
	if (r->status) {
		const char *why = last_line(&r->out);

		if (!strncmp(why, "vnetlab: ", 9))
			why += 9;
		return vl_err_set(err, 0, "host %s: %s (exit status %d)", h->name, why, r->status);
	}
	/* its last line: what ssh may say around it (a multiplexing master's
	 * words on the same stream) is not the answer */
	j = vl_json_last_line(r->out.s, "addr");
	addr = json_object_get(j, "addr");
	dev = json_object_get(j, "dev");
	mtu = json_object_get(j, "mtu");
	ver = json_object_get(j, "version");
	if (!json_is_string(addr) || !json_is_string(dev) || !json_is_integer(mtu) ||
	    !json_is_string(ver) || strlen(json_string_value(addr)) >= sizeof(h->addr) ||
	    strlen(json_string_value(dev)) >= sizeof(h->dev))
		rc = vl_err_set(err, EPROTO, "host %s: vnetlab __hostinfo said \"%s\"", h->name,
		                last_line(&r->out));
	else {
		strcpy(h->addr, json_string_value(addr));
		strcpy(h->dev, json_string_value(dev));
		h->mtu = (int)json_integer_value(mtu);
		free(h->version);
		h->version = vl_xstrdup(json_string_value(ver));
		rc = probe_labs(h, json_object_get(j, "labs"), err);
	}
	json_decref(j);
	return rc;
}

int vl_hosts_probe(struct vl_hosts *hs, struct vl_err *err)
{
	cleanup_free struct vl_host_result *r = vl_xcalloc(hs->n ? hs->n : 1, sizeof(*r));
	char *argv[] = {hs->vnetlab, "__hostinfo", "--underlay", (char *)hs->o.underlay, NULL};
	int rc;

	if (!hs->o.underlay)
		argv[2] = NULL;
	rc = vl_hosts_run_all(hs, argv, r, err);
	for (size_t i = 0; rc == 0 && i < hs->n; i++)
		rc = probe_read(&hs->h[i], hs->vnetlab, &r[i], err);
	vl_host_results_free(r, hs->n);
	return rc;
}
