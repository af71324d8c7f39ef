/* vnetlab __rsh: a remote shell for MPI launchers (hidden command).
 *
 * Launchers start their daemons with `ssh [OPTION...] HOST WORD...` (MPICH's
 * hydra: `-launcher ssh -launcher-exec PATH` runs PATH -x HOST "PROXY" ARG...).
 * __rsh takes that argv, maps HOST to a node of the lab named by the
 * environment variable VNETLAB_LAB (a node name, NODE.LAB, or an address of
 * one of the node's interfaces), enters the node exactly as `vnetlab exec`
 * does (by running it), and runs the words, joined with spaces as ssh joins
 * them, through /bin/sh -c. stdin, stdout, stderr and the exit status are
 * the command's; __rsh's own failures exit 255, as ssh's do. Like a remote
 * command, it gets only stdin, stdout and stderr of the caller's files.
 *
 * A launcher usually runs inside a node (mpiexec in h1), whose mount
 * namespace does not hold the lab's namespace files: __rsh then first goes
 * back to the mount namespace of its nearest ancestor that sees them (the
 * shell that ran `vnetlab exec`). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "lab/lab.h"
#include "engine/state.h"

#define RSH_FAIL 255 /* ssh's status for its own errors */

/* ssh's options: those that take an argument, those that do not. */
#define OPTS_ARG  "BbcDEeFIiJLlmOopPQRSWw"
#define OPTS_FLAG "46AaCfGgKkMNnqsTtVvXxYy"
/* Accepted: meaningless here (-x, -o ..., -i ...) or honoured (-n, -l). */
#define OPTS_OK "46AaCgKkqTtvXxYyBbcEeFIimoPpnl"

struct rsh {
	const char *host;
	const char *user; /* -l USER or USER@HOST */
	int null_stdin;   /* -n */
	char **cmd;       /* the command words */
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("vnetlab __rsh: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return RSH_FAIL;
}

/* One option word (argv[*i] starts with '-'); may take the next word. */
static int parse_opt(int argc, char **argv, int *i, struct rsh *r)
{
	const char *w = argv[*i];

	for (const char *c = w + 1; *c; c++) {
		const char *arg = NULL;

		if (!strchr(OPTS_ARG OPTS_FLAG, *c))
			return fail("unknown option -%c (usage: vnetlab __rsh [-n] [-l USER] "
			            "[ssh options] HOST COMMAND...)",
			            *c);
		if (!strchr(OPTS_OK, *c))
			return fail("option -%c is not supported (no forwarding, control "
			            "sockets or background)",
			            *c);
		if (strchr(OPTS_ARG, *c)) {
			if (c[1])
				arg = c + 1;
			else if (*i + 1 < argc)
				arg = argv[++*i];
			else
				return fail("option -%c needs an argument", *c);
		}
		if (*c == 'n')
			r->null_stdin = 1;
		else if (*c == 'l')
			r->user = arg;
		if (arg)
			break;
	}
	return 0;
}

/* ssh's command line: options, HOST, options again, then the command. */
static int parse(int argc, char **argv, struct rsh *r)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			if (parse_opt(argc, argv, &i, r))
				return -1;
		} else if (!r->host) {
			r->host = argv[i];
		} else {
			break;
		}
	}
	if (!r->host && i < argc)
		r->host = argv[i++];
	if (!r->host)
		return fail("no host (usage: vnetlab __rsh [ssh options] HOST COMMAND...)"), -1;
	if (i >= argc)
		return fail("%s: no command: __rsh runs commands, not login shells", r->host), -1;
	r->cmd = argv + i;
	return 0;
}

/* We run commands as ourselves: a login as someone else is refused. */
static int check_user(struct rsh *r)
{
	const char *at = strrchr(r->host, '@');
	struct passwd *pw = getpwuid(geteuid());
	const char *me = pw ? pw->pw_name : "?";
	size_t ul;

	if (at) {
		ul = (size_t)(at - r->host);
		r->host = at + 1;
		if (!r->user && (strlen(me) != ul || strncmp(me, at - ul, ul)))
			return fail("%s: cannot log in as %.*s: commands run as the caller (%s)",
			            r->host, (int)ul, at - ul, me);
	}
	if (r->user && strcmp(me, r->user))
		return fail("%s: cannot log in as %s: commands run as the caller (%s)", r->host,
		            r->user, me);
	return 0;
}

/* The node HOST names in the lab's state: the node's name, NAME.LAB, or an
 * address of one of its interfaces (without the prefix length). */
static const char *find_node(const struct vl_state *st, const char *lab, const char *host)
{
	for (size_t i = 0; i < st->n_nodes; i++) {
		const struct vl_state_node *n = &st->nodes[i];
		size_t nl = strlen(n->name);

		if (!strcasecmp(host, n->name) ||
		    (!strncasecmp(host, n->name, nl) && host[nl] == '.' &&
		     !strcasecmp(host + nl + 1, lab)))
			return n->name;
		for (size_t k = 0; k < n->n_ifs; k++) {
			const char *a = n->ifs[k].address;
			size_t al = a ? strcspn(a, "/") : 0;

			if (a && al == strlen(host) && !strncasecmp(a, host, al))
				return n->name;
		}
	}
	return NULL;
}

/* The ppid of pid, from /proc/PID/stat ("pid (comm) state ppid ..."). */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (!(p = strrchr(buf, ')')) || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

/* Be in a mount namespace that holds the node's namespace files: ours, or
 * that of the nearest ancestor which sees them (pid 1 is not asked). */
static int reach_lab_ns(const char *lab, const char *node)
{
	char rel[128], file[PATH_MAX], path[PATH_MAX + 64];
	int fd;

	snprintf(rel, sizeof(rel), "ns/%s.mnt", node);
	vl_lab_path(lab, rel, file, sizeof(file));
	if (access(file, F_OK) == 0)
		return 0;
	for (pid_t pid = getppid(); pid > 1; pid = parent_of(pid)) {
		/* /proc/PID/root: paths resolved in that process's mounts */
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, file);
		if (access(path, F_OK) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		if (setns(fd, CLONE_NEWNS) < 0) {
			int e = errno;

			close(fd);
			return fail("enter the mount namespace of pid %d: %s", (int)pid,
			            strerror(e));
		}
		close(fd);
		return 0;
	}
	return fail("%s: the lab's namespace files are not visible here nor from any "
	            "ancestor process (run the launcher with `vnetlab exec LAB NODE`, not "
	            "-d, and not in a node with a pid namespace)",
	            node);
}

/* Nothing of ours but stdin, stdout and stderr reaches the command. */
static void cloexec_all(void)
{
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	for (int fd = 3; fd < 1024; fd++) {
		int fl = fcntl(fd, F_GETFD);

		if (fl >= 0)
			fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	}
}

int cmd_rsh(int argc, char **argv)
{
	struct vl_err err = {0};
	struct rsh r = {0};
	struct vl_buf line = {0};
	const char *lab = getenv("VNETLAB_LAB"), *why, *node;
	char cwd[PATH_MAX], node_name[64], *xargv[8];
	int have_cwd, fd, rc;
	struct vl_state state;

	if (parse(argc, argv, &r) < 0 || check_user(&r))
		return RSH_FAIL;
	if (geteuid() != 0)
		return fail(
		    "%s: entering a node needs root (an unprivileged launcher needs an sshd "
		    "in the nodes)",
		    r.host);
	if (!lab || !*lab)
		return fail("%s: set VNETLAB_LAB to the lab whose nodes are the hosts", r.host);
	if ((why = vl_name_invalid(lab)))
		return fail("VNETLAB_LAB: lab name \"%s\" %s", lab, why);
	if (vl_state_load(lab, &state, &err) < 0)
		return fail("VNETLAB_LAB: %s", err.msg);
	node = find_node(&state, lab, r.host);
	if (node)
		snprintf(node_name, sizeof(node_name), "%s", node);
	vl_state_free(&state);
	if (!node)
		return fail("%s: unknown host: not a node (nor a node's address) of lab %s", r.host,
		            lab);
	/* Start in the directory of the same path, as exec does, if the
	 * mount namespace we may go back to has it. */
	have_cwd = getcwd(cwd, sizeof(cwd)) != NULL;
	if (reach_lab_ns(lab, node_name))
		return RSH_FAIL;
	if ((!have_cwd || chdir(cwd) < 0) && chdir("/") < 0)
		return fail("chdir /: %s", strerror(errno));
	if (r.null_stdin) {
		if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
		    dup2(fd, STDIN_FILENO) < 0)
			return fail("/dev/null: %s", strerror(errno));
		close(fd);
	}
	for (int i = 0; r.cmd[i]; i++) {
		if (i)
			vl_buf_add(&line, " ", 1);
		vl_buf_add(&line, r.cmd[i], strlen(r.cmd[i]));
	}
	cloexec_all();
	fflush(NULL);
	xargv[0] = "exec";
	xargv[1] = (char *)lab;
	xargv[2] = node_name;
	xargv[3] = "--";
	xargv[4] = "/bin/sh";
	xargv[5] = "-c";
	xargv[6] = line.s;
	xargv[7] = NULL;
	rc = cmd_exec(7, xargv);

	vl_buf_free(&line);
	return rc;
}
