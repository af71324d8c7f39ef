/* vnetlab shell: Mininet's CLI over a running lab. What its files share:
 * the lab as the shell sees it (nodes, their interfaces and first
 * addresses, links, from state.json), the commands' table, and the one
 * way it runs a program in a node (or on the host) in the foreground.
 *
 *   shell.c       the command itself: the line editor (libedit: history,
 *                 completion), the batch modes (stdin, -c), dispatch;
 *   shell_cmds.c  the commands that look at or change the lab (nodes,
 *                 net, links, intfs, dump, ports, link, sh, source, time,
 *                 stats, NODE CMD);
 *   shell_test.c  the tests (pingall, pingallfull, pingpair, iperf,
 *                 iperfudp), also run by `up --test`;
 *   shell_input.c the lines read from stdin and sourced files, bounded. */
#ifndef VL_CLI_SHELL_H
#define VL_CLI_SHELL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "engine/state.h"

/* What the shell takes: a line of at most VL_SH_LINE_MAX bytes (its
 * newline not counted); a sourced file a regular file of at most
 * VL_SH_FILE_MAX bytes and VL_SH_LINES_MAX lines; sources nested at most
 * VL_SH_DEPTH_MAX deep. */
#define VL_SH_LINE_MAX  65536
#define VL_SH_FILE_MAX  (16 << 20)
#define VL_SH_LINES_MAX 100000
#define VL_SH_DEPTH_MAX 16
/* How long a command told to stop (SIGTERM, or SIGINT not on a terminal)
 * has before it and its process group are killed (SIGKILL). */
#define VL_SH_STOP_GRACE_S 0.5

struct vl_sh_input;

struct vl_sh_if {
	char name[32];  /* in its node (eth0; a switch's port label, p1) */
	char peer[128]; /* the other end, "NODE:IF" ("" if none) */
	char ip[16];    /* its IPv4 address, "" if none */
	int prefix;
	bool mgmt; /* on the lab's management network (never a node's IP()) */
};

struct vl_sh_node {
	const char *name; /* in the state */
	const char *kind; /* linux, router, bridge */
	const char *backend;
	const char *netns; /* NULL for proc nodes and switches */
	bool sw;           /* a switch */
	const char *ip;    /* its first address (Mininet's IP()), or NULL */
	struct vl_sh_if *ifs;
	size_t n_ifs;
};

struct vl_cli_spanned_lab;

struct vl_shell {
	char lab[64];
	struct vl_cli_spanned_lab *span; /* a lab over hosts (cli/span.h), or NULL */
	struct vl_state state;
	/* hosts and routers first (state order), then switches */
	struct vl_sh_node *nodes;
	size_t n_nodes, n_hosts;
	bool tty;  /* stdin is a terminal: commands get it, and its foreground */
	int depth; /* source nesting */
	const struct vl_sh_input *input; /* what lines come from (shell_input.c) */
	bool done;                       /* exit, quit, EOF, or told to stop */
	int last;                        /* the last command's exit status */
	void *el, *hist;                 /* the line editor (shell.c) */
};

/* Set by SIGINT (the running command is told; with none running, reading
 * stops) and SIGTERM/SIGHUP (the shell ends once it has: the signal). */
extern volatile sig_atomic_t vl_sh_interrupted, vl_sh_stop;

/* One pair's ping: sent and received (one each, as ping -c1), and the
 * round trip (min avg max mdev, ms). */
struct vl_sh_ping {
	int sent, received;
	double rtt[4];
};
/* From namespace node netns, an echo to each of ips[0..n) at once (NULL:
 * none), sent by vnetlab itself (shell_echo.c), each answered within
 * timeout s or lost: res[j]. -1 (errno) if no socket could be made there. */
int vl_sh_echo_row(const char *netns, char *const *ips, size_t n, double timeout,
                   struct vl_sh_ping *res);

/* Load the lab (its state.json) into sh. */
int vl_sh_open(struct vl_shell *sh, const char *lab, struct vl_err *err);
void vl_sh_close(struct vl_shell *sh);
/* Run one command line; returns its exit status (also in sh->last). */
int vl_sh_line(struct vl_shell *sh, const char *line);
/* The lab's node called name, or NULL. */
const struct vl_sh_node *vl_sh_node(const struct vl_shell *sh, const char *name);

/* Run argv in node (NULL: on the host) in the foreground: stdin the
 * terminal's (if sh->tty, with the terminal's foreground) or /dev/null,
 * stdout and stderr ours; Ctrl-C stops it, not the shell. Its exit
 * status (128 + N for a signal). */
int vl_sh_run(struct vl_shell *sh, const struct vl_sh_node *node, char *const *argv);

/* A command of the shell: run with the words after its name (and the
 * rest of the line as typed, for those that take it whole). */
struct vl_sh_cmd {
	const char *name;
	int (*run)(struct vl_shell *sh, char **args, size_t n, const char *rest);
	const char *usage; /* after the name */
	const char *help;  /* one line */
	/* what its arguments complete to: 'n' node names, 'h' hosts, 'e'
	 * link endpoints and nodes, 'f' file names, 'c' commands, 0 nothing */
	char complete;
};
extern const struct vl_sh_cmd vl_sh_cmds[];
const struct vl_sh_cmd *vl_sh_cmd_find(const char *name);
/* NODE CMD ARGS...: node names in the arguments become their addresses. */
int vl_sh_node_cmd(struct vl_shell *sh, const struct vl_sh_node *node, const char *rest);

/* Run the commands of stdin, or of the file at path (source), line by
 * line within the limits above; an input that breaks one is said (its
 * name, line and the limit) and its status is VL_EXIT_FAIL; told to stop,
 * 128 + the signal; else the last command's. */
int vl_sh_run_stdin(struct vl_shell *sh);
/* The interactive prompt's text instead of "vnetlab:LAB> " (text kept). */
void vl_sh_set_prompt(const char *text);
int vl_sh_source(struct vl_shell *sh, const char *path);
/* Tell a running child's process group sig, then give it
 * VL_SH_STOP_GRACE_S to end before the group is killed. */
void vl_sh_end_group(pid_t pid, int sig);
/* Block the shell's signals (SIGINT, SIGTERM, SIGHUP), the mask before
 * in old: they are let in only while it waits (ppoll), so that one that
 * comes just before a wait is never missed. */
void vl_sh_block_signals(sigset_t *old);

/* The tests (shell_test.c). timeout: ping's -W in seconds (0: default). */
int vl_sh_pingall(struct vl_shell *sh, bool full, bool pair, double timeout);
/* iperf between a and b (NULL: the first and last hosts); udp_bw NULL
 * for TCP, else the UDP rate asked for ("10M"). */
int vl_sh_iperf(struct vl_shell *sh, const struct vl_sh_node *a, const struct vl_sh_node *b,
                const char *udp_bw);
/* up --test NAME: pingall, pingallfull, pingpair, pingpairfull, iperf,
 * iperfudp, all (pingall and iperf), none or build; 0 if it passed. */
int vl_sh_test(struct vl_shell *sh, const char *name);
/* Is name a test up --test knows? */
bool vl_sh_test_known(const char *name);

/* The interactive or batch shell over lab: reads commands from the
 * terminal (with a prompt), from stdin or from cmds ("CMD; CMD"); or,
 * with test, runs that test only (up --test). Its exit status is the last
 * command's. */
int vl_sh_main(const char *lab, const char *cmds, const char *test);
/* up --test T / --shell: the test, or the shell, then the lab taken down
 * (also when the shell was told to stop); "completed in S seconds" since
 * started (vl_now()) unless quiet. The test's or shell's exit status. */
int vl_sh_up_session(const char *lab, const char *test, bool quiet, double started);

#endif
