/* containerlab's exec lines. See exec_lines.h. */
#include "engine/exec_lines.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "node/node.h"

#define EXEC_WHAT (VL_EXEC_LINE_MAX + 64)

/* The last bytes of what a line printed, on one line for the message. */
static void tail_of(int fd, char *buf, size_t len)
{
	off_t end = lseek(fd, 0, SEEK_END), from = end > (off_t)len - 1 ? end - (off_t)len + 1 : 0;
	ssize_t n = pread(fd, buf, len - 1, from);

	buf[n > 0 ? n : 0] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	for (char *c = buf; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
		else if ((unsigned char)*c < 0x20)
			*c = '?';
}

/* Run argv in the node; what names it in messages: "exec line 2 \"...\"". */
static int run_argv(const struct vl_node_ref *ref, const struct vl_topo_node *tn, char **argv,
                    const char *what, struct vl_err *err)
{
	char out[512];
	struct vl_child c;
	int status = 0, r;
	cleanup_close int fd = memfd_create("exec", MFD_CLOEXEC);
	double end = vl_now() + VL_EXEC_LINE_TIMEOUT;
	pid_t got;

	if (fd < 0)
		return vl_err_sys(err, errno, "memfd");
	struct vl_spawn s = {.argv = argv,
	                     .env = tn->set.env,
	                     .exe_fd = -1,
	                     .in = -1,
	                     .out = fd,
	                     .err = fd,
	                     .own_group = true,
	                     .how = VL_SPAWN_CHILD};

	r = vl_node_spawn(ref, &s, &c, err);
	if (r < 0)
		return vl_err_wrap(err, "node %s: %s", tn->name, what);
	while ((got = vl_child_reap(&c, WNOHANG, &status, NULL)) == 0 && vl_now() < end)
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	if (got == 0) {
		kill(-c.pid, SIGKILL);
		kill(c.pid, SIGKILL);
		vl_child_reap(&c, 0, &status, NULL);
		tail_of(fd, out, sizeof(out));
		return vl_err_set(err, ETIMEDOUT, "node %s: %s still ran after %.0f s; stopped%s%s",
		                  tn->name, what, VL_EXEC_LINE_TIMEOUT, *out ? ": " : "", out);
	}
	if (got < 0)
		return vl_err_sys(err, errno, "node %s: %s: wait", tn->name, what);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	tail_of(fd, out, sizeof(out));
	if (c.exec_errno)
		return vl_err_set(err, c.exec_errno, "node %s: %s: %s: %s", tn->name, what,
		                  strerror(c.exec_errno), out);
	return vl_err_set(err, 0, "node %s: %s %s %d%s%s", tn->name, what,
	                  WIFEXITED(status) ? "exited with status" : "was killed by signal",
	                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
	                  *out ? ": " : "", out);
}

static int run_line(const struct vl_node_ref *ref, const struct vl_topo_node *tn, size_t k,
                    struct vl_err *err)
{
	const char *line = tn->set.exec[k];
	char **argv, what[EXEC_WHAT];
	size_t n;
	int r;

	snprintf(what, sizeof(what), "exec line %zu \"%s\"", k + 1, line);
	if (vl_split_words(line, &argv, &n))
		return vl_err_set(err, EINVAL, "node %s: %s cannot be split", tn->name, what);
	r = run_argv(ref, tn, argv, what, err);
	vl_words_free(argv);
	return r;
}

/* sysctl -w, in the node: its own namespaces' settings (net.* in a
 * namespace node, any in a guest). */
static int set_sysctl(const struct vl_node_ref *ref, const struct vl_topo_node *tn, size_t k,
                      struct vl_err *err)
{
	const char *kv = tn->set.sysctls[k], *own = ref->be->own_sysctls;
	char *argv[] = {"sysctl", "-q", "-w", (char *)kv, NULL}, what[EXEC_WHAT];
	size_t word = strcspn(kv, "./=");

	snprintf(what, sizeof(what), "sysctl %s", kv);
	/* never the host's: only what the node has of its own */
	if (!own || (*own && (strlen(own) != word || strncmp(kv, own, word))))
		return vl_err_set(
		    err, EPERM, "node %s: sysctl %.*s is the host's, not the node's (%s%s%s)",
		    tn->name, (int)strcspn(kv, "="), kv,
		    own ? "a node of this kind has only " : "this node has none of its own",
		    own ? own : "", own ? ".* of its own" : "");
	return run_argv(ref, tn, argv, what, err);
}

int vl_engine_exec_lines(const struct vl_plan *p, struct vl_err *err)
{
	for (size_t i = 0; i < p->n_nodes; i++) {
		const struct vl_topo_node *tn = &p->topo->nodes[p->nodes[i].topo_node];
		struct vl_node_ref ref;

		if (!tn->set.n_exec && !tn->set.n_sysctls)
			continue;
		if (vl_node_find(p->lab, tn->name, &ref, err) < 0)
			return -1;
		for (size_t k = 0; k < tn->set.n_sysctls; k++)
			if (set_sysctl(&ref, tn, k, err) < 0)
				return -1;
		for (size_t k = 0; k < tn->set.n_exec; k++)
			if (run_line(&ref, tn, k, err) < 0)
				return -1;
	}
	return 0;
}
