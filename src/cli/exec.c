/* vnetlab exec: run a command inside a node, through the node's backend
 * (node.h's spawn: the one way into a node, also for bench and MPI).
 *
 * Plain: the command runs as this process (exec'd in place where the node
 * allows), so that stdin/stdout/stderr, signals and the exit status are
 * the command's own. -t: the command gets a pseudo-terminal, relayed. -d:
 * the command is detached, its output logged. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/span.h"
#include "engine/state.h"
#include "node/node.h"

static const struct option exec_opts[] = {
    {"detach", no_argument, NULL, 'd'},
    {"tty", no_argument, NULL, 't'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return VL_EXIT_FAIL;
}

/* "NAME=value" of the node's env (NULL-terminated, one block), or NULL. */
static char **node_env(const char *lab, const char *node)
{
	struct vl_state st;
	char **env;

	if (vl_state_load(lab, &st, NULL) < 0)
		return NULL;
	env = vl_state_env(&st, node);
	vl_state_free(&st);
	return env;
}

int cmd_exec(int argc, char **argv)
{
	struct vl_err err = {0};
	struct vl_node_ref ref;
	struct vl_child c;
	int opt, detach = 0, tty = 0;
	const char *lab, *node;
	char **cmd;

	while ((opt = getopt_long(argc, argv, "+dth", exec_opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			detach = 1;
			break;
		case 't':
			tty = 1;
			break;
		case 'h':
			return vl_cli_help("exec");
		default:
			return vl_cli_usage("exec", "bad option");
		}
	}
	if (argc - optind < 2)
		return vl_cli_usage("exec", "name a lab and a node");
	lab = argv[optind];
	node = argv[optind + 1];
	cmd = argv + optind + 2;
	if (*cmd && !strcmp(*cmd, "--"))
		cmd++;
	if (!*cmd)
		return vl_cli_usage("exec", "no command to run");
	if (detach && tty)
		return vl_cli_usage("exec", "-d and -t do not go together");
	if (vl_cli_spanned(lab)) /* a lab over hosts: on the node's host */
		return vl_cli_span_exec(lab, node, argc, argv, tty);
	if (vl_node_find(lab, node, &ref, &err) < 0) {
		vl_cli_fail(&err);
		return VL_EXIT_EXEC_FAIL;
	}
	/* the node's env (containerlab's), as its exec lines had it */
	cleanup_free char **env = node_env(lab, node);
	struct vl_spawn s = {.argv = cmd,
	                     .env = env,
	                     .exe_fd = -1,
	                     .in = STDIN_FILENO,
	                     .out = STDOUT_FILENO,
	                     .err = STDERR_FILENO,
	                     .tty = tty,
	                     .how = detach ? VL_SPAWN_DETACH : VL_SPAWN_REPLACE};

	if (vl_node_spawn(&ref, &s, &c, &err) < 0) {
		vl_cli_fail(&err);
		return c.exec_errno == ENOENT ? VL_EXIT_NOT_FOUND
		       : c.exec_errno         ? VL_EXIT_CANNOT_EXEC
		                              : VL_EXIT_EXEC_FAIL;
	}
	if (detach) {
		printf("%s: started %s, %s\n", node, cmd[0], c.where);
		return VL_EXIT_OK;
	}
	return status_code(c.status);
}
