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

/* The node's long-running process (entrypoint, then cmd), detached and
 * logged under the lab's logs/; down stops it with the node. */
static int start_cmd(const struct vl_node_ref *ref, const struct vl_topo_node *tn,
                     struct vl_err *err)
{
	char **ep = NULL, **cmd = NULL, **argv;
	size_t ne = 0, nc = 0, k = 0;
	struct vl_child c;
	int r;

	if ((tn->set.entrypoint && vl_split_words(tn->set.entrypoint, &ep, &ne)) ||
	    (tn->set.cmd && vl_split_words(tn->set.cmd, &cmd, &nc))) {
		vl_words_free(ep);
		return vl_err_set(err, EINVAL, "node %s: cmd cannot be split", tn->name);
	}
	argv = vl_xcalloc(ne + nc + 1, sizeof(*argv));
	for (size_t i = 0; i < ne; i++)
		argv[k++] = ep[i];
	for (size_t i = 0; i < nc; i++)
		argv[k++] = cmd[i];
	struct vl_spawn s = {.argv = argv,
	                     .env = tn->set.env,
	                     .exe_fd = -1,
	                     .in = -1,
	                     .out = -1,
	                     .err = -1,
	                     .how = VL_SPAWN_DETACH};

	r = vl_node_spawn(ref, &s, &c, err);
	if (r < 0)
		vl_err_wrap(err, "node %s: cmd \"%s%s%s\"", tn->name, tn->set.entrypoint ?: "",
		            tn->set.entrypoint && tn->set.cmd ? " " : "", tn->set.cmd ?: "");
	free(argv);
	vl_words_free(ep);
	vl_words_free(cmd);
	return r;
}

/* Nodes in the order their stages run: each after those it waits for,
 * else in the file's order (the loader refused cycles). */
static void stage_order(const struct vl_plan *p, size_t *order)
{
	const struct vl_topo *t = p->topo;
	bool *done = vl_xcalloc(t->n_nodes + 1, sizeof(*done));
	size_t *stack = vl_xcalloc(t->n_nodes + 1, sizeof(*stack)),
	       *next = vl_xcalloc(t->n_nodes + 1, sizeof(*next));
	long *plan_of = vl_xcalloc(t->n_nodes + 1, sizeof(*plan_of));
	size_t n = 0;

	for (size_t i = 0; i < t->n_nodes; i++)
		plan_of[i] = -1;
	for (size_t i = 0; i < p->n_nodes; i++)
		plan_of[p->nodes[i].topo_node] = (long)i;
	for (size_t i = 0; i < p->n_nodes; i++) {
		size_t sp = 0, root = (size_t)p->nodes[i].topo_node;

		if (done[root])
			continue;
		stack[sp++] = root;
		next[root] = 0;
		while (sp) {
			size_t u = stack[sp - 1];
			const struct vl_topo_settings *su = &t->nodes[u].set;

			if (next[u] < su->n_wait_for) {
				long v = vl_topo_find_node(t, su->wait_for[next[u]++]);

				if (v >= 0 && !done[v] && sp <= t->n_nodes) {
					next[v] = 0;
					stack[sp++] = (size_t)v;
				}
				continue;
			}
			sp--;
			if (!done[u] && plan_of[u] >= 0)
				order[n++] = (size_t)plan_of[u];
			done[u] = true;
		}
	}
	free(done);
	free(stack);
	free(next);
	free(plan_of);
}

static bool has_stage(const struct vl_topo_node *tn)
{
	return tn->set.n_exec || tn->set.n_sysctls || tn->set.cmd || tn->set.entrypoint ||
	       tn->set.frr;
}

/* Has every node tn waits for had its stage? (a node without one has) */
static bool deps_done(const struct vl_plan *p, const struct vl_topo_node *tn, const bool *done_topo)
{
	for (size_t k = 0; k < tn->set.n_wait_for; k++) {
		long v = vl_topo_find_node(p->topo, tn->set.wait_for[k]);

		if (v >= 0 && has_stage(&p->topo->nodes[v]) && !done_topo[v])
			return false;
	}
	return true;
}

int vl_engine_exec_lines(const struct vl_plan *p, struct vl_err *err)
{
	size_t *order = vl_xcalloc(p->n_nodes + 1, sizeof(*order)), n = 0;
	bool *done = vl_xcalloc(p->topo->n_nodes + 1, sizeof(*done));
	double t0 = vl_now();
	int r = 0;

	stage_order(p, order);
	/* only the nodes with a stage, in that order */
	for (size_t o = 0; o < p->n_nodes; o++)
		if (has_stage(&p->topo->nodes[p->nodes[order[o]].topo_node]))
			order[n++] = order[o];
	/* each time, of the nodes whose waits are over, the one due first */
	for (size_t left = n; left && r == 0; left--) {
		size_t best = n;
		double best_at = 0;

		for (size_t o = 0; o < n; o++) {
			const struct vl_topo_node *tn =
			    &p->topo->nodes[p->nodes[order[o]].topo_node];
			double at = t0 + (tn->set.startup_delay > 0 ? tn->set.startup_delay : 0);

			if (done[p->nodes[order[o]].topo_node] || !deps_done(p, tn, done))
				continue;
			if (best == n || at < best_at) {
				best = o;
				best_at = at;
			}
		}
		if (best == n)
			break; /* the loader refused cycles */
		const struct vl_topo_node *tn = &p->topo->nodes[p->nodes[order[best]].topo_node];
		struct vl_node_ref ref;

		done[p->nodes[order[best]].topo_node] = true;
		/* startup-delay: counted from when the lab was up */
		while (vl_now() < best_at) {
			double w = best_at - vl_now();

			nanosleep(
			    &(struct timespec){(time_t)w, (long)((w - (double)(time_t)w) * 1e9)},
			    NULL);
		}
		if ((r = vl_node_find(p->lab, tn->name, &ref, err)) < 0)
			break;
		for (size_t k = 0; k < tn->set.n_sysctls && r == 0; k++)
			r = set_sysctl(&ref, tn, k, err);
		/* an FRR router: its daemons, as FRR's own init script starts them */
		if (r == 0 && tn->set.frr) {
			char *frr[] = {"/usr/lib/frr/frrinit.sh", "start", NULL};

			r = run_argv(&ref, tn, frr, "FRR (frrinit.sh start)", err);
		}
		if (r == 0 && (tn->set.cmd || tn->set.entrypoint))
			r = start_cmd(&ref, tn, err);
		for (size_t k = 0; k < tn->set.n_exec && r == 0; k++)
			r = run_line(&ref, tn, k, err);
	}
	free(order);
	free(done);
	return r;
}
