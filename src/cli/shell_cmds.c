/* vnetlab shell: the commands' table and the commands that look at or
 * change the lab, with Mininet's names and output (mininet/cli.py,
 * util.dumpNodeConnections, dumpPorts, Node.__repr__, Link.status). An
 * interface is named NODE-IF where Mininet names one (h1-eth0, s1-p1) and
 * NODE:IF where vnetlab takes an endpoint (link h1:eth0 set ...); the
 * shell's link takes both.
 *
 * Touches: the lab's links (up, down, impairments: through engine/link);
 * runs programs in nodes and, for `sh`, on the host. */
#include "cli/shell.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/span.h"
#include "engine/link.h"
#include "engine/state.h"

/* "NODE:IF" as Mininet writes an interface: "NODE-IF". */
static void mn_name(const char *ep, char *out, size_t len)
{
	const char *colon = strchr(ep, ':');

	if (colon)
		snprintf(out, len, "%.*s-%s", (int)(colon - ep), ep, colon + 1);
	else
		snprintf(out, len, "%s", ep);
}

/* Numbers compared by value, the rest as text: h2 before h10. */
static int natural_cmp(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;

	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			char *ea, *eb;
			unsigned long x = strtoul(a, &ea, 10), y = strtoul(b, &eb, 10);

			if (x != y)
				return x < y ? -1 : 1;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int do_nodes(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	const char **names = vl_xcalloc(sh->n_nodes + 1, sizeof(*names));

	for (size_t i = 0; i < sh->n_nodes; i++)
		names[i] = sh->nodes[i].name;
	qsort(names, sh->n_nodes, sizeof(*names), natural_cmp);
	printf("available nodes are: \n");
	for (size_t i = 0; i < sh->n_nodes; i++)
		printf("%s%s", i ? " " : "", names[i]);
	printf("\n");
	free(names);
	return VL_EXIT_OK;
}

/* Mininet's dumpNodeConnections: each node, each interface and its peer. */
static int do_net(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	for (size_t i = 0; i < sh->n_nodes; i++) {
		const struct vl_sh_node *nd = &sh->nodes[i];

		printf("%s", nd->name);
		for (size_t j = 0; j < nd->n_ifs; j++) {
			char self[160], peer[160];

			snprintf(self, sizeof(self), "%s-%s", nd->name, nd->ifs[j].name);
			mn_name(nd->ifs[j].peer, peer, sizeof(peer));
			printf(" %s:%s", self, nd->ifs[j].peer[0] ? peer : " ");
		}
		printf("\n");
	}
	return VL_EXIT_OK;
}

/* Each link and its ends' states; beyond it, each direction's
 * impairments where there are some. */
static int print_links(const struct vl_state *st)
{
	for (size_t i = 0; i < st->n_links; i++) {
		const struct vl_state_link *l = &st->links[i];
		const char *fw = l->text[0] ?: "none", *rv = l->text[1] ?: "none";
		char a[160], b[160];

		mn_name(l->endpoints[0], a, sizeof(a));
		mn_name(l->endpoints[1], b, sizeof(b));
		printf("%s<->%s (%s %s)", a, b, l->up[0] ? "OK" : "DOWN", l->up[1] ? "OK" : "DOWN");
		if (strcmp(fw, "none") || strcmp(rv, "none")) {
			if (!strcmp(fw, rv))
				printf(" %s", fw);
			else
				printf(" %s / %s", fw, rv);
		}
		printf("\n");
	}
	return VL_EXIT_OK;
}

/* Mininet's links: each link and its ends' states; beyond it, each
 * direction's impairments where there are some. */
static int do_links(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	struct vl_err err = {0};
	struct vl_state st;

	if (sh->span) /* a lab over hosts: its parts as the shell opened them */
		return print_links(&sh->state);
	if (vl_state_load(sh->lab, &st, &err) < 0)
		return vl_cli_fail(&err);
	print_links(&st);
	vl_state_free(&st);
	return VL_EXIT_OK;
}

static int do_intfs(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	for (size_t i = 0; i < sh->n_nodes; i++) {
		printf("%s: ", sh->nodes[i].name);
		for (size_t j = 0; j < sh->nodes[i].n_ifs; j++)
			printf("%s%s", j ? "," : "", sh->nodes[i].ifs[j].name);
		printf("\n");
	}
	return VL_EXIT_OK;
}

/* Mininet's repr(node): "<Host h1: h1-eth0:10.0.0.1 pid=N> "; ours says
 * where the node is instead of a pid. */
static int do_dump(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	for (size_t i = 0; i < sh->n_nodes; i++) {
		const struct vl_sh_node *nd = &sh->nodes[i];
		const char *cls = nd->sw                        ? "LinuxBridge"
		                  : !strcmp(nd->kind, "router") ? "Router"
		                                                : "Host";

		printf("<%s %s: ", cls, nd->name);
		for (size_t j = 0; j < nd->n_ifs; j++)
			printf("%s%s-%s:%s", j ? "," : "", nd->name, nd->ifs[j].name,
			       nd->ifs[j].ip[0] ? nd->ifs[j].ip : "None");
		if (nd->netns)
			printf(" netns=%s", nd->netns);
		if (!nd->sw)
			printf(" backend=%s", nd->backend);
		printf("> \n");
	}
	return VL_EXIT_OK;
}

/* Mininet's dumpPorts: each switch's interfaces and port numbers. */
static int do_ports(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	for (size_t i = sh->n_hosts; i < sh->n_nodes; i++) {
		printf("%s ", sh->nodes[i].name);
		for (size_t j = 0; j < sh->nodes[i].n_ifs; j++)
			printf("%s-%s:%zu ", sh->nodes[i].name, sh->nodes[i].ifs[j].name, j + 1);
		printf("\n");
	}
	return VL_EXIT_OK;
}

/* --- link ---------------------------------------------------------------------------- */

/* An endpoint named NODE:IF, or NODE-IF as the shell prints it: the
 * canonical "NODE:IF" in out, or -1. */
static int endpoint_of(const struct vl_shell *sh, const char *arg, char *out, size_t len)
{
	for (size_t i = 0; i < sh->n_nodes; i++)
		for (size_t j = 0; j < sh->nodes[i].n_ifs; j++) {
			char colon[160], dash[160];

			snprintf(colon, sizeof(colon), "%s:%s", sh->nodes[i].name,
			         sh->nodes[i].ifs[j].name);
			snprintf(dash, sizeof(dash), "%s-%s", sh->nodes[i].name,
			         sh->nodes[i].ifs[j].name);
			if (!strcmp(arg, colon) || !strcmp(arg, dash))
				return snprintf(out, len, "%s", colon) < (int)len ? 0 : -1;
		}
	return -1;
}

/* vnetlab link LAB ARGS..., as if typed: its output and status. */
static int delegate(struct vl_shell *sh, int (*cmd)(int, char **), const char *name,
                    const char *first, char **args, size_t n)
{
	char **av = vl_xcalloc(n + 4, sizeof(*av));
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction old[3];
	int ac = 0, rc;

	/* stats --watch takes SIGINT and SIGTERM for itself: ours after it */
	for (size_t i = 0; i < VL_ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], NULL, &old[i]);

	av[ac++] = (char *)name;
	av[ac++] = sh->lab;
	if (first)
		av[ac++] = (char *)first;
	for (size_t i = 0; i < n; i++)
		av[ac++] = args[i];
	optind = 0; /* getopt starts afresh */
	rc = cmd(ac, av);
	optind = 0;
	for (size_t i = 0; i < VL_ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
	vl_sh_interrupted = 0;
	/* told to stop while the command had the signals: the shell ends too */
	if (rc == 128 + SIGTERM || rc == 128 + SIGHUP)
		vl_sh_stop = rc - 128;
	free(av);
	fflush(stdout);
	return rc;
}

/* Mininet's configLinkStatus: every link between two nodes, both ends. */
static int link_between(struct vl_shell *sh, const char *a, const char *b, bool up)
{
	const struct vl_sh_node *na = vl_sh_node(sh, a);
	struct vl_err err = {0};
	int found = 0, rc = VL_EXIT_OK;

	if (!na) {
		fprintf(stderr, "src not in network: %s\n", a);
		return VL_EXIT_FAIL;
	}
	if (!vl_sh_node(sh, b)) {
		fprintf(stderr, "dst not in network: %s\n", b);
		return VL_EXIT_FAIL;
	}
	for (size_t j = 0; j < na->n_ifs; j++) {
		const char *peer = na->ifs[j].peer;
		size_t len = strlen(b);
		char self[160];

		if (strncmp(peer, b, len) || peer[len] != ':')
			continue;
		found++;
		snprintf(self, sizeof(self), "%s:%s", a, na->ifs[j].name);
		if (sh->span) { /* a lab over hosts: each end on its host */
			char *la[] = {"link", sh->lab, self, up ? "up" : "down", NULL};
			char *lb[] = {"link", sh->lab, (char *)peer, up ? "up" : "down", NULL};

			if (vl_cli_span_link(sh->lab, self, la[3], 4, la) ||
			    vl_cli_span_link(sh->lab, peer, lb[3], 4, lb))
				rc = VL_EXIT_FAIL;
		} else if (vl_link_set_up(sh->lab, self, up, &err) < 0 ||
		           vl_link_set_up(sh->lab, peer, up, &err) < 0) {
			fprintf(stderr, "link %s status change failed: %s\n", self, err.msg);
			rc = VL_EXIT_FAIL;
		}
	}
	if (!found) {
		fprintf(stderr, "src and dst not connected: %s %s\n", a, b);
		return VL_EXIT_FAIL;
	}
	return rc;
}

static int do_link(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	char ep[160];

	if (n >= 1 && endpoint_of(sh, args[0], ep, sizeof(ep)) == 0)
		return delegate(sh, cmd_link, "link", ep, args + 1, n - 1);
	if (n >= 1 && strchr(args[0], ':'))
		return delegate(sh, cmd_link, "link", NULL, args, n); /* its own error */
	if (n != 3) {
		fprintf(stderr, "invalid number of args: link end1 end2 [up down]\n");
		return VL_EXIT_USAGE;
	}
	if (strcmp(args[2], "up") && strcmp(args[2], "down")) {
		fprintf(stderr, "invalid type: link end1 end2 [up down]\n");
		return VL_EXIT_USAGE;
	}
	return link_between(sh, args[0], args[1], !strcmp(args[2], "up"));
}

/* --- programs ------------------------------------------------------------------------ */

/* Shell syntax a line needs /bin/sh for (Mininet's nodes run a shell). */
static bool needs_shell(const char *s)
{
	size_t first = strcspn(s, " \t");

	return strpbrk(s, "|&;<>()$`*?[~\n") || memchr(s, '=', first);
}

int vl_sh_node_cmd(struct vl_shell *sh, const struct vl_sh_node *node, const char *rest)
{
	struct vl_buf text = {0};
	const char *p = rest;
	int rc;

	/* Mininet's substitution: a word that is a node's name becomes its
	 * address (its first, as Mininet's IP()) */
	while (*p) {
		size_t sp = strspn(p, " \t"), w;
		const struct vl_sh_node *o;
		char word[128];

		vl_buf_add(&text, p, sp);
		p += sp;
		w = strcspn(p, " \t");
		if (!w)
			break;
		snprintf(word, sizeof(word), "%.*s", (int)(w < sizeof(word) ? w : 0), p);
		if ((o = vl_sh_node(sh, word)) && o->ip)
			vl_buf_add(&text, o->ip, strlen(o->ip));
		else
			vl_buf_add(&text, p, w);
		p += w;
	}
	if (needs_shell(text.s)) {
		char *argv[] = {"sh", "-c", text.s, NULL};

		rc = vl_sh_run(sh, node, argv);
	} else {
		char **argv = NULL;
		size_t n;
		const char *why = vl_split_words(text.s, &argv, &n);

		if (why) {
			fprintf(stderr, "*** %s: %s\n", node->name, why);
			rc = VL_EXIT_USAGE;
		} else {
			rc = vl_sh_run(sh, node, argv);
		}
		vl_words_free(argv);
	}
	vl_buf_free(&text);
	return rc;
}

static int do_noecho(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	const struct vl_sh_node *node = n ? vl_sh_node(sh, args[0]) : NULL;
	struct termios t, saved;
	bool tty = sh->tty && tcgetattr(STDIN_FILENO, &saved) == 0;
	int rc;

	if (!node || n < 2) {
		fprintf(stderr, "usage: noecho NODE CMD [ARGS...]\n");
		return VL_EXIT_USAGE;
	}
	if (tty) {
		t = saved;
		t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	rc = vl_sh_node_cmd(sh, node,
	                    rest + strlen(args[0]) + strspn(rest + strlen(args[0]), " \t"));
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return rc;
}

static int do_sh(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	/* the user's own command, on the host, through the host's shell */
	char *argv[] = {"/bin/sh", "-c", (char *)rest, NULL};

	if (!*rest) {
		fprintf(stderr, "usage: sh CMD [ARGS...]\n");
		return VL_EXIT_USAGE;
	}
	return vl_sh_run(sh, NULL, argv);
}

static int do_source(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	if (n != 1) {
		fprintf(stderr, "usage: source <file>\n");
		return VL_EXIT_USAGE;
	}
	return vl_sh_source(sh, args[0]);
}

static int do_time(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	double start = vl_now();
	int rc = vl_sh_line(sh, rest);

	printf("*** Elapsed time: %0.6f secs\n", vl_now() - start);
	return rc;
}

static int do_stats(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	return delegate(sh, cmd_stats, "stats", NULL, args, n);
}

static int do_capture(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	return delegate(sh, cmd_capture, "capture", NULL, args, n);
}

static int do_status(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	return delegate(sh, cmd_status, "status", NULL, args, n);
}

static int do_exit(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	sh->done = true;
	return sh->last;
}

static int do_eof(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	putchar('\n');
	return do_exit(sh, args, n, rest);
}

static int do_not_here(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	fprintf(stderr,
	        "*** not in vnetlab: no Python objects or X terminals here; run a command "
	        "in a node (NODE CMD), on the host (sh CMD), or a shell in a node from "
	        "another terminal: vnetlab exec -t %s NODE bash\n",
	        sh->lab);
	return VL_EXIT_FAIL;
}

/* --- tests: the arguments Mininet's commands take --------------------------------------- */

static int do_pingall(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	double timeout = 0;

	if (n > 1 || (n == 1 && vl_parse_number(args[0], 0.001, 3600, &timeout) < 0)) {
		fprintf(stderr, "usage: pingall [TIMEOUT] (seconds each ping waits)\n");
		return VL_EXIT_USAGE;
	}
	return vl_sh_pingall(sh, false, false, timeout);
}

static int do_pingallfull(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	return vl_sh_pingall(sh, true, false, 0);
}

static int do_pingpair(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	return vl_sh_pingall(sh, false, true, 0);
}

static int do_pingpairfull(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	return vl_sh_pingall(sh, true, true, 0);
}

static int two_hosts(struct vl_shell *sh, char **args, const struct vl_sh_node **a,
                     const struct vl_sh_node **b)
{
	int bad = 0;

	for (int k = 0; k < 2; k++) {
		const struct vl_sh_node *nd = vl_sh_node(sh, args[k]);

		if (!nd || nd->sw) {
			fprintf(stderr, "node '%s' not in network\n", args[k]);
			bad = 1;
		}
		*(k ? b : a) = nd;
	}
	return bad ? -1 : 0;
}

static int do_iperf(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	const struct vl_sh_node *a = NULL, *b = NULL;

	if (n != 0 && n != 2) {
		fprintf(stderr, "invalid number of args: iperf src dst\n");
		return VL_EXIT_USAGE;
	}
	if (n == 2 && two_hosts(sh, args, &a, &b) < 0)
		return VL_EXIT_FAIL;
	return vl_sh_iperf(sh, a, b, NULL);
}

/* iperf's -b: bits/s, a number with K, M or G after it (Mininet's 10M);
 * more than 0, at most 100G. */
static bool udp_rate_valid(const char *s)
{
	const char *end;
	double v;

	if (vl_parse_decimal(s, &end, &v) < 0)
		return false;
	if (*end && strchr("kKmMgG", *end) && !end[1])
		v *= tolower((unsigned char)*end) == 'k'   ? 1e3
		     : tolower((unsigned char)*end) == 'm' ? 1e6
		                                           : 1e9;
	else if (*end)
		return false;
	return v >= 1 && v <= 100e9;
}

static int do_iperfudp(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	const struct vl_sh_node *a = NULL, *b = NULL;

	if (n != 0 && n != 1 && n != 3) {
		fprintf(stderr, "invalid number of args: iperfudp bw src dst\nbw examples: 10M\n");
		return VL_EXIT_USAGE;
	}
	if (n && !udp_rate_valid(args[0])) {
		fprintf(stderr,
		        "*** iperfudp: bw \"%s\": expected a rate in bits/s from 1 to 100G, "
		        "such as 10M or 500K\n",
		        args[0]);
		return VL_EXIT_USAGE;
	}
	if (n == 3 && two_hosts(sh, args + 1, &a, &b) < 0)
		return VL_EXIT_FAIL;
	return vl_sh_iperf(sh, a, b, n ? args[0] : "10M");
}

static int do_help(struct vl_shell *sh, char **args, size_t n, const char *rest);

const struct vl_sh_cmd vl_sh_cmds[] = {
    {"help", do_help, "[COMMAND]", "describe the commands, or one", 'c'},
    {"nodes", do_nodes, "", "list all nodes", 0},
    {"net", do_net, "", "list network connections: each node's interfaces and their peers", 0},
    {"links", do_links, "", "report on links: their ends' states and impairments", 0},
    {"intfs", do_intfs, "", "list each node's interfaces", 0},
    {"dump", do_dump, "", "dump node info: interfaces, addresses, where each node is", 0},
    {"ports", do_ports, "", "each switch's interfaces and port numbers", 0},
    {"pingall", do_pingall, "[TIMEOUT]", "ping between all hosts (one ping each way)", 0},
    {"pingallfull", do_pingallfull, "", "ping between all hosts, with every ping's times", 0},
    {"pingpair", do_pingpair, "", "ping between the first two hosts", 0},
    {"pingpairfull", do_pingpairfull, "", "ping between the first two hosts, with times", 0},
    {"iperf", do_iperf, "[SRC DST]",
     "TCP bandwidth between two hosts (default the first and last), 5 s", 'h'},
    {"iperfudp", do_iperfudp, "[BW [SRC DST]]", "UDP bandwidth at BW (e.g. 10M) between two hosts",
     'h'},
    {"link", do_link, "NODE1 NODE2 up|down | NODE:IF [show | set KEY VALUE... | up | down]",
     "take the links between two nodes down or up; show or change one link's "
     "impairments (bw, delay, jitter, distribution, loss, loss-model, queue, clear; "
     "--in, --out), as vnetlab link",
     'e'},
    {"sh", do_sh, "CMD [ARGS...]", "run a command on the host, through /bin/sh", 'f'},
    {"noecho", do_noecho, "NODE CMD [ARGS...]", "run a command in a node, echo off", 'n'},
    {"source", do_source, "FILE", "read commands from a file", 'f'},
    {"time", do_time, "COMMAND", "measure how long a command takes", 'c'},
    {"stats", do_stats, "[--json]", "CPU, memory and interface counters per node (vnetlab stats)",
     0},
    {"status", do_status, "[--json]", "the lab's nodes, addresses and routes", 0},
    {"capture", do_capture, "NODE:IF... [-w FILE] [-c N] [FILTER]",
     "packets of interfaces, tcpdump's text or a pcap file (vnetlab capture); Ctrl-C stops", 0},
    {"exit", do_exit, "", "leave the shell", 0},
    {"quit", do_exit, "", "leave the shell", 0},
    {"EOF", do_eof, "", "leave the shell (Ctrl-D)", 0},
    {"py", do_not_here, "", "(Mininet's Python: not in vnetlab)", 0},
    {"px", do_not_here, "", "(Mininet's Python: not in vnetlab)", 0},
    {"xterm", do_not_here, "", "(use vnetlab exec -t LAB NODE bash in a terminal)", 'n'},
    {"gterm", do_not_here, "", "(use vnetlab exec -t LAB NODE bash in a terminal)", 'n'},
    {"x", do_not_here, "", "(use vnetlab exec -t LAB NODE bash in a terminal)", 'n'},
    {NULL, NULL, NULL, NULL, 0},
};

const struct vl_sh_cmd *vl_sh_cmd_find(const char *name)
{
	for (const struct vl_sh_cmd *c = vl_sh_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int do_help(struct vl_shell *sh, char **args, size_t n, const char *rest)
{
	const char *names[64];
	size_t k = 0, rows;

	if (n == 1) {
		const struct vl_sh_cmd *c = vl_sh_cmd_find(args[0]);

		if (!c) {
			fprintf(stderr, "*** No help on %s\n", args[0]);
			return VL_EXIT_FAIL;
		}
		printf("%s %s\n  %s\n", c->name, c->usage, c->help);
		return VL_EXIT_OK;
	}
	printf("\nDocumented commands (type help <topic>):\n"
	       "========================================\n");
	for (const struct vl_sh_cmd *c = vl_sh_cmds; c->name && k < VL_ARRAY_SIZE(names); c++)
		names[k++] = c->name;
	qsort(names, k, sizeof(*names), natural_cmp);
	rows = (k + 5) / 6;
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < 6 && r + c * rows < k; c++)
			printf("%-14s", names[r + c * rows]);
		printf("\n");
	}
	printf("\nYou may also send a command to a node using:\n"
	       "  <node> command {args}\n"
	       "For example:\n"
	       "  vnetlab:%s> h1 ip addr\n"
	       "\n"
	       "The interpreter automatically substitutes IP addresses\n"
	       "for node names, so commands like\n"
	       "  vnetlab:%s> h2 ping h3\n"
	       "should work. A command with shell syntax (| ; & > $ ...) runs\n"
	       "through /bin/sh in the node; others run as programs.\n"
	       "\n"
	       "Beyond Mininet: link NODE:IF set delay 10ms loss 1%% changes a\n"
	       "link at runtime; Tab completes commands, nodes and interfaces;\n"
	       "Ctrl-C stops the running command, Ctrl-D leaves.\n\n",
	       sh->lab, sh->lab);
	return VL_EXIT_OK;
}
