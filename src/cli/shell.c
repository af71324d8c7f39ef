/* vnetlab shell LAB: Mininet's CLI (mininet/cli.py) over a running lab.
 * On a terminal: a prompt, line editing, history kept per user and
 * completion of commands, node names and interfaces (libedit). Otherwise
 * (stdin not a terminal, or -c 'CMD; CMD'): the commands in turn, no
 * prompt. Either way the exit status is the last command's.
 *
 * Touches: the lab's state.json (read), the user's history file; runs
 * programs in the lab's nodes and, for `sh`, on the host. */
#include "cli/shell.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <histedit.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/span.h"
#include "engine/engine.h"
#include "engine/state.h"
#include "node/node.h"

#define HISTORY_SIZE 1000

volatile sig_atomic_t vl_sh_interrupted, vl_sh_stop;

/* --- the lab as the shell sees it ------------------------------------------------ */

static struct vl_sh_node *add_node(struct vl_shell *sh, size_t *cap)
{
	vl_grow(&sh->nodes, cap, sh->n_nodes + 1, sizeof(*sh->nodes));
	memset(&sh->nodes[sh->n_nodes], 0, sizeof(*sh->nodes));
	return &sh->nodes[sh->n_nodes++];
}

static struct vl_sh_node *node_mut(struct vl_shell *sh, const char *name, size_t len)
{
	for (size_t i = 0; i < sh->n_nodes; i++)
		if (strlen(sh->nodes[i].name) == len && !strncmp(sh->nodes[i].name, name, len))
			return &sh->nodes[i];
	return NULL;
}

const struct vl_sh_node *vl_sh_node(const struct vl_shell *sh, const char *name)
{
	return node_mut((struct vl_shell *)sh, name, strlen(name));
}

static struct vl_sh_if *add_if(struct vl_sh_node *n, size_t *cap, const char *name)
{
	struct vl_sh_if *f;

	vl_grow(&n->ifs, cap, n->n_ifs + 1, sizeof(*n->ifs));
	f = &n->ifs[n->n_ifs++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

/* Each link's ends: a switch's ports in link order (Mininet's port
 * numbers), every end's peer. */
static void wire_links(struct vl_shell *sh)
{
	size_t *caps = vl_xcalloc(sh->n_nodes + 1, sizeof(*caps));

	for (size_t k = 0; k < sh->n_nodes; k++)
		caps[k] = sh->nodes[k].n_ifs;
	for (size_t i = 0; i < sh->state.n_links; i++) {
		const char *const *ep = sh->state.links[i].endpoints;

		if (!strchr(ep[0], ':') || !strchr(ep[1], ':'))
			continue;
		for (int k = 0; k < 2; k++) {
			const char *colon = strchr(ep[k], ':');
			struct vl_sh_node *n = node_mut(sh, ep[k], (size_t)(colon - ep[k]));
			struct vl_sh_if *f = NULL;

			if (!n)
				continue;
			for (size_t j = 0; j < n->n_ifs && !f; j++)
				if (!strcmp(n->ifs[j].name, colon + 1))
					f = &n->ifs[j];
			if (!f)
				f = add_if(n, &caps[n - sh->nodes], colon + 1);
			snprintf(f->peer, sizeof(f->peer), "%s", ep[!k]);
		}
	}
	free(caps);
}

/* A host or router of the state as the shell sees it. */
static void open_node(struct vl_shell *sh, const struct vl_state_node *n, size_t *cap)
{
	struct vl_sh_node *sn = add_node(sh, cap);
	size_t icap = 0;

	sn->name = n->name;
	sn->kind = n->kind ?: "linux";
	sn->backend = n->backend ?: "ns";
	sn->netns = n->netns;
	for (size_t j = 0; j < n->n_ifs; j++) {
		const struct vl_state_if *f = &n->ifs[j];
		struct vl_sh_if *sf = add_if(sn, &icap, f->name);
		char ip[16];
		int prefix = 32;

		sf->mgmt = f->peer == VL_STATE_PEER_MGMT;
		if (f->address && sscanf(f->address, "%15[0-9.]/%d", ip, &prefix) >= 1) {
			snprintf(sf->ip, sizeof(sf->ip), "%s", ip);
			sf->prefix = prefix;
		}
	}
	/* a proc node: one loopback address, no interfaces */
	if (!sn->n_ifs && n->address) {
		struct vl_sh_if *sf = add_if(sn, &icap, "lo");

		sscanf(n->address, "%15[0-9.]", sf->ip);
		sf->prefix = 32;
	}
}

int vl_sh_open(struct vl_shell *sh, const char *lab, struct vl_err *err)
{
	size_t cap = 0;

	memset(sh, 0, sizeof(*sh));
	if (strlen(lab) >= sizeof(sh->lab))
		return vl_err_set(err, EINVAL, "no lab named %s (vnetlab status lists labs)", lab);
	snprintf(sh->lab, sizeof(sh->lab), "%s", lab);
	if (vl_cli_spanned(lab) ? vl_cli_spanned_open(lab, &sh->span, &sh->state, err) < 0
	                        : vl_state_load(lab, &sh->state, err) < 0)
		return -1;
	for (size_t i = 0; i < sh->state.n_nodes; i++)
		open_node(sh, &sh->state.nodes[i], &cap);
	sh->n_hosts = sh->n_nodes;
	for (size_t i = 0; i < sh->state.n_switches; i++) {
		struct vl_sh_node *sn = add_node(sh, &cap);

		sn->name = sh->state.switches[i].name;
		sn->kind = "bridge";
		sn->backend = "kernel";
		sn->sw = true;
	}
	wire_links(sh);
	/* Mininet's IP(): the first address (the arrays are final now) */
	for (size_t k = 0; k < sh->n_hosts; k++) {
		sh->nodes[k].ip = NULL;
		for (size_t m = 0; m < sh->nodes[k].n_ifs && !sh->nodes[k].ip; m++)
			if (sh->nodes[k].ifs[m].ip[0] && !sh->nodes[k].ifs[m].mgmt)
				sh->nodes[k].ip = sh->nodes[k].ifs[m].ip;
	}
	return 0;
}

void vl_sh_close(struct vl_shell *sh)
{
	for (size_t i = 0; i < sh->n_nodes; i++)
		free(sh->nodes[i].ifs);
	free(sh->nodes);
	vl_state_free(&sh->state);
	vl_cli_spanned_close(sh->span);
	sh->span = NULL;
	sh->nodes = NULL;
}

/* --- running a program in the foreground ---------------------------------------- */

void vl_sh_block_signals(sigset_t *old)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, old);
}

void vl_sh_end_group(pid_t pid, int sig)
{
	double end = vl_now() + VL_SH_STOP_GRACE_S;

	kill(-pid, sig);
	while (vl_now() < end) {
		siginfo_t si = {0};

		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == pid)
			break;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	/* what it started and left behind (or what ignored sig): the child
	 * is not reaped yet, so the group's id is still its own */
	kill(-pid, SIGKILL);
}

/* Wait until the child ends; told to stop (or, not on a terminal,
 * interrupted) meanwhile, end it and its group. Not reaped. */
static void wait_child(pid_t pid)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	sigset_t old;

	vl_sh_block_signals(&old);
	for (;;) {
		struct pollfd p = {.fd = pfd, .events = POLLIN};
		siginfo_t si = {0};

		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == pid)
			break;
		if (vl_sh_stop) {
			vl_sh_end_group(pid, SIGTERM);
			break;
		}
		if (vl_sh_interrupted) { /* not on a terminal, or sent to us */
			vl_sh_interrupted = 0;
			vl_sh_end_group(pid, SIGINT);
			break;
		}
		/* the pidfd is readable once the child ends (without one: a
		 * look every 100 ms) */
		ppoll(&p, pfd >= 0, pfd >= 0 ? NULL : &(struct timespec){0, 100 * 1000 * 1000},
		      &old);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pfd >= 0)
		close(pfd);
}

/* A node of a lab over hosts: through its host (vnetlab exec there). */
static int run_spanned(struct vl_shell *sh, const struct vl_sh_node *node, char *const *argv)
{
	struct vl_err err = {0};
	pid_t pid;
	int status = 0;

	if (vl_cli_spanned_spawn(sh->span, node->name, argv, sh->tty, -1, NULL, &pid, &err) < 0) {
		vl_cli_fail(&err);
		return VL_EXIT_EXEC_FAIL;
	}
	if (sh->tty)
		tcsetpgrp(STDIN_FILENO, pid);
	wait_child(pid);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (sh->tty)
		tcsetpgrp(STDIN_FILENO, getpgrp());
	vl_sh_interrupted = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int vl_sh_run(struct vl_shell *sh, const struct vl_sh_node *node, char *const *argv)
{
	struct vl_err err = {0};
	struct vl_node_ref ref;
	struct vl_child c;
	int status = 0;

	if (node && sh->span)
		return run_spanned(sh, node, argv);
	if (!node)
		vl_node_host(&ref);
	else if (vl_node_find(sh->lab, node->name, &ref, &err) < 0) {
		vl_cli_fail(&err);
		return VL_EXIT_EXEC_FAIL;
	}
	cleanup_free char **env = node ? vl_state_env(&sh->state, node->name) : NULL;
	struct vl_spawn s = {.argv = argv,
	                     .env = env,
	                     .exe_fd = -1,
	                     .in = sh->tty ? STDIN_FILENO : -1,
	                     .out = STDOUT_FILENO,
	                     .err = STDERR_FILENO,
	                     .own_group = true,
	                     .how = VL_SPAWN_CHILD};

	fflush(stdout);
	if (vl_node_spawn(&ref, &s, &c, &err) < 0) {
		vl_cli_fail(&err);
		return c.exec_errno == ENOENT ? VL_EXIT_NOT_FOUND
		       : c.exec_errno         ? VL_EXIT_CANNOT_EXEC
		                              : VL_EXIT_EXEC_FAIL;
	}
	/* on a terminal the command is the foreground: Ctrl-C reaches it
	 * (and what it started), never the shell */
	if (sh->tty) {
		setpgid(c.pid, c.pid);
		tcsetpgrp(STDIN_FILENO, c.pid);
	}
	wait_child(c.pid);
	vl_child_reap(&c, 0, &status, NULL);
	if (sh->tty)
		tcsetpgrp(STDIN_FILENO, getpgrp());
	vl_sh_interrupted = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGINT && sh->tty)
			putchar('\n'); /* after the terminal's ^C */
		return 128 + WTERMSIG(status);
	}
	return VL_EXIT_FAIL;
}

/* --- one line ------------------------------------------------------------------ */

int vl_sh_line(struct vl_shell *sh, const char *line)
{
	const char *p = line, *end;
	const struct vl_sh_cmd *cmd;
	const struct vl_sh_node *node;
	char first[128], *rest;
	size_t len;
	int rc;

	/* stdin's and sourced files' lines are bounded as they are read
	 * (shell_input.c, which says where); -c's and the terminal's here */
	if (strlen(line) > VL_SH_LINE_MAX) {
		fprintf(stderr,
		        "vnetlab: a line longer than %d bytes, the most the shell takes: not run\n",
		        VL_SH_LINE_MAX);
		return sh->last = VL_EXIT_USAGE;
	}
	while (isspace((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p == end || *p == '#')
		return sh->last;
	len = strcspn(p, " \t\r\n");
	if (len > (size_t)(end - p))
		len = (size_t)(end - p);
	snprintf(first, sizeof(first), "%.*s", (int)(len < sizeof(first) ? len : 0), p);
	rest = vl_xasprintf("%.*s", (int)(end - p - (ptrdiff_t)len), p + len);
	{
		char *r = rest;

		while (isspace((unsigned char)*r))
			r++;
		memmove(rest, r, strlen(r) + 1);
	}
	if ((cmd = vl_sh_cmd_find(first))) {
		char **args = NULL;
		size_t n = 0;
		const char *why = *rest ? vl_split_words(rest, &args, &n) : NULL;

		if (why) {
			fprintf(stderr, "*** %s: %s\n", first, why);
			rc = VL_EXIT_USAGE;
		} else {
			char *none[] = {NULL};

			rc = cmd->run(sh, args ? args : none, n, rest);
		}
		vl_words_free(args);
	} else if ((node = vl_sh_node(sh, first))) {
		if (!*rest) {
			fprintf(stderr, "*** Please enter a command for node: %s <cmd>\n", first);
			rc = VL_EXIT_USAGE;
		} else {
			rc = vl_sh_node_cmd(sh, node, rest);
		}
	} else {
		fprintf(stderr, "*** Unknown command: %.*s\n", (int)(end - p), p);
		rc = VL_EXIT_NOT_FOUND;
	}
	free(rest);
	fflush(stdout);
	return sh->last = rc;
}

/* --- completion ------------------------------------------------------------------- */

struct matches {
	char **v;
	size_t n, cap;
};

static void match_add(struct matches *m, const char *word, const char *cand)
{
	if (strncmp(cand, word, strlen(word)))
		return;
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i], cand))
			return;
	vl_grow(&m->v, &m->cap, m->n + 1, sizeof(*m->v));
	m->v[m->n++] = vl_xstrdup(cand);
}

static void match_nodes(const struct vl_shell *sh, struct matches *m, const char *word,
                        bool hosts_only)
{
	for (size_t i = 0; i < (hosts_only ? sh->n_hosts : sh->n_nodes); i++)
		match_add(m, word, sh->nodes[i].name);
}

static void match_endpoints(const struct vl_shell *sh, struct matches *m, const char *word)
{
	for (size_t i = 0; i < sh->n_nodes; i++)
		for (size_t j = 0; j < sh->nodes[i].n_ifs; j++) {
			char ep[160];

			snprintf(ep, sizeof(ep), "%s:%s", sh->nodes[i].name,
			         sh->nodes[i].ifs[j].name);
			match_add(m, word, ep);
		}
}

static void match_files(struct matches *m, const char *word)
{
	const char *slash = strrchr(word, '/');
	char dir[4096];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - word + 1) : 0, word);
	if (!(d = opendir(*dir ? dir : ".")))
		return;
	while ((e = readdir(d))) {
		char cand[4096 + 256];
		struct stat st;

		if (e->d_name[0] == '.' && (!slash ? word[0] != '.' : slash[1] != '.'))
			continue;
		snprintf(cand, sizeof(cand), "%s%s", dir, e->d_name);
		if (stat(cand, &st) == 0 && S_ISDIR(st.st_mode))
			strcat(cand, "/");
		match_add(m, word, cand);
	}
	closedir(d);
}

static const char *const link_verbs[] = {"show", "set", "up", "down"};
static const char *const link_keys[] = {"bw",         "delay", "jitter", "distribution", "loss",
                                        "loss-model", "queue", "clear",  "--in",         "--out"};

/* The candidates for word, the index-th word of the line (words[] the
 * ones before it). */
static void candidates(const struct vl_shell *sh, char **words, size_t index, const char *word,
                       struct matches *m)
{
	const struct vl_sh_cmd *cmd = index ? vl_sh_cmd_find(words[0]) : NULL;

	if (index == 0 || (cmd && cmd->complete == 'c')) {
		if (index > 1)
			return;
		for (const struct vl_sh_cmd *c = vl_sh_cmds; c->name; c++)
			match_add(m, word, c->name);
		match_nodes(sh, m, word, false);
		return;
	}
	if (!cmd) { /* NODE CMD ARGS: other nodes' names */
		if (index > 1)
			match_nodes(sh, m, word, false);
		if (index > 1 && !m->n)
			match_files(m, word);
		return;
	}
	switch (cmd->complete) {
	case 'n':
		match_nodes(sh, m, word, false);
		break;
	case 'h':
		match_nodes(sh, m, word, true);
		break;
	case 'f':
		match_files(m, word);
		break;
	case 'e':
		if (index == 1) {
			match_nodes(sh, m, word, false);
			match_endpoints(sh, m, word);
		} else if (vl_sh_node(sh, words[1])) { /* Mininet's link A B up|down */
			if (index == 2)
				match_nodes(sh, m, word, false);
			else if (index == 3)
				for (size_t i = 2; i < VL_ARRAY_SIZE(link_verbs); i++)
					match_add(m, word, link_verbs[i]);
		} else if (index == 2) {
			for (size_t i = 0; i < VL_ARRAY_SIZE(link_verbs); i++)
				match_add(m, word, link_verbs[i]);
		} else if (!strcmp(words[2], "set")) {
			for (size_t i = 0; i < VL_ARRAY_SIZE(link_keys); i++)
				match_add(m, word, link_keys[i]);
		}
		break;
	}
}

static void print_columns(char **v, size_t n)
{
	size_t w = 0, cols;

	for (size_t i = 0; i < n; i++)
		if (strlen(v[i]) > w)
			w = strlen(v[i]);
	w += 2;
	cols = w < 80 ? 80 / w : 1;
	putchar('\n');
	for (size_t i = 0; i < n; i++)
		printf("%-*s%s", (int)w, v[i], (i + 1) % cols == 0 || i + 1 == n ? "\n" : "");
	fflush(stdout);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned char complete(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);
	struct vl_shell *sh = NULL;
	struct matches m = {0};
	const char *ws = li->cursor;
	char *before, *word, **words = NULL;
	size_t n_words = 0, lcp;
	unsigned char rc = CC_ERROR;

	el_get(el, EL_CLIENTDATA, &sh);
	while (ws > li->buffer && !isspace((unsigned char)ws[-1]))
		ws--;
	word = vl_xasprintf("%.*s", (int)(li->cursor - ws), ws);
	before = vl_xasprintf("%.*s", (int)(ws - li->buffer), li->buffer);
	if (*before && vl_split_words(before, &words, &n_words))
		n_words = 0, words = NULL;
	candidates(sh, words, n_words, word, &m);
	if (m.n) {
		qsort(m.v, m.n, sizeof(*m.v), cmp_str);
		lcp = strlen(m.v[0]);
		for (size_t i = 1; i < m.n; i++) {
			size_t k = 0;

			while (k < lcp && m.v[i][k] == m.v[0][k])
				k++;
			lcp = k;
		}
		if (lcp > strlen(word) || m.n == 1) {
			char *ins =
			    vl_xasprintf("%.*s%s", (int)(lcp - strlen(word)), m.v[0] + strlen(word),
			                 m.n == 1 && m.v[0][lcp - 1] != '/' ? " " : "");

			el_insertstr(el, ins);
			free(ins);
			rc = CC_REFRESH;
		} else {
			print_columns(m.v, m.n);
			rc = CC_REDISPLAY;
		}
	}
	for (size_t i = 0; i < m.n; i++)
		free(m.v[i]);
	free(m.v);
	vl_words_free(words);
	free(before);
	free(word);
	return rc;
}

/* --- the loops --------------------------------------------------------------------- */

static void on_signal(int sig)
{
	if (sig == SIGINT)
		vl_sh_interrupted = 1;
	else
		vl_sh_stop = sig;
}

/* The prompt's text, if not vnetlab's own (vl_sh_set_prompt). */
static const char *prompt_text;

void vl_sh_set_prompt(const char *text)
{
	prompt_text = text;
}

static char *prompt(EditLine *el)
{
	static char buf[96];
	struct vl_shell *sh = NULL;

	el_get(el, EL_CLIENTDATA, &sh);
	if (prompt_text)
		snprintf(buf, sizeof(buf), "%s", prompt_text);
	else
		snprintf(buf, sizeof(buf), "vnetlab:%s> ", sh ? sh->lab : "");
	return buf;
}

/* Where history is kept: $VNETLAB_HISTORY, else ~/.vnetlab_history. */
static int history_path(char *buf, size_t len)
{
	const char *p = getenv("VNETLAB_HISTORY"), *home = getenv("HOME");

	if (p && *p)
		return snprintf(buf, len, "%s", p) < (int)len ? 0 : -1;
	if (!home || !*home)
		return -1;
	return snprintf(buf, len, "%s/.vnetlab_history", home) < (int)len ? 0 : -1;
}

static void interactive(struct vl_shell *sh)
{
	EditLine *el = el_init("vnetlab", stdin, stdout, stderr);
	History *h = history_init();
	HistEvent ev;
	char path[4096];
	bool have_path = history_path(path, sizeof(path)) == 0;

	if (!el || !h) {
		fprintf(stderr, "vnetlab: shell: the line editor could not start\n");
		sh->last = VL_EXIT_FAIL;
		if (el)
			el_end(el);
		if (h)
			history_end(h);
		return;
	}
	history(h, &ev, H_SETSIZE, HISTORY_SIZE);
	history(h, &ev, H_SETUNIQUE, 1);
	if (have_path)
		history(h, &ev, H_LOAD, path);
	el_set(el, EL_CLIENTDATA, sh);
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_SIGNAL, 1);
	el_set(el, EL_PROMPT, prompt);
	el_set(el, EL_HIST, history, h);
	el_source(el, NULL); /* the user's ~/.editrc */
	/* the wide form: libedit's narrow EL_ADDFN keeps wide copies it never frees */
	el_wset(el, EL_ADDFN, L"vl-complete", L"complete a command, node or interface", complete);
	el_set(el, EL_BIND, "^I", "vl-complete", NULL);
	printf("*** Starting CLI: lab %s (help lists the commands; Ctrl-D leaves)\n", sh->lab);
	while (!sh->done && !vl_sh_stop) {
		int count = 0;
		const char *line;

		vl_sh_interrupted = 0;
		line = el_gets(el, &count);
		if (!line) {
			if (count < 0 && errno == EINTR && !vl_sh_stop) {
				/* Ctrl-C at the prompt: a fresh line */
				fputs("\n", stdout);
				el_reset(el);
				continue;
			}
			putchar('\n'); /* Ctrl-D: as Mininet, a new line first */
			break;
		}
		if (vl_sh_interrupted) { /* the line was being typed when Ctrl-C came */
			putchar('\n');
			continue;
		}
		if (strspn(line, " \t\r\n") != strlen(line))
			history(h, &ev, H_ENTER, line);
		vl_sh_line(sh, line);
	}
	if (have_path) {
		mode_t old = umask(077);

		history(h, &ev, H_SAVE, path);
		umask(old);
	}
	history_end(h);
	el_end(el);
}

/* -c 'CMD; CMD': split on ';' outside quotes. */
static void run_commands(struct vl_shell *sh, const char *cmds)
{
	char *copy = vl_xstrdup(cmds), *start = copy;
	char quote = 0;

	for (char *p = copy;; p++) {
		if (*p && quote) {
			if (*p == quote)
				quote = 0;
			else if (*p == '\\' && quote == '"' && p[1])
				p++;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			quote = *p;
			continue;
		}
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == ';' || !*p) {
			bool last = !*p;

			*p = '\0';
			vl_sh_line(sh, start);
			start = p + 1;
			/* Ctrl-C between commands (not in one: that stops only
			 * the command) stops the rest */
			if (last || sh->done || vl_sh_stop || vl_sh_interrupted)
				break;
		}
	}
	free(copy);
}

int vl_sh_main(const char *lab, const char *cmds, const char *test)
{
	struct vl_shell sh;
	struct vl_err err = {0};
	struct sigaction sa = {.sa_handler = on_signal}, ign = {.sa_handler = SIG_IGN}, old[6];
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	int rc;

	if (vl_sh_open(&sh, lab, &err) < 0)
		return vl_cli_fail(&err);
	sh.tty = !cmds && !test && isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	vl_sh_stop = vl_sh_interrupted = 0;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < VL_ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, &old[i]);
	/* handing the terminal to a command and back */
	sigaction(SIGTTOU, &ign, &old[3]);
	sigaction(SIGTTIN, &ign, &old[4]);
	sigaction(SIGTSTP, &ign, &old[5]);
	if (test)
		sh.last = vl_sh_test(&sh, test);
	else if (cmds)
		run_commands(&sh, cmds);
	else if (sh.tty)
		interactive(&sh);
	else
		vl_sh_run_stdin(&sh);
	fflush(stdout);
	/* told to stop (or, in batch, interrupted between commands): the
	 * signal's status, whatever ran last */
	if (vl_sh_stop || (vl_sh_interrupted && !sh.tty))
		sh.last = 128 + (vl_sh_stop ? vl_sh_stop : SIGINT);
	for (size_t i = 0; i < VL_ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
	sigaction(SIGTTOU, &old[3], NULL);
	sigaction(SIGTTIN, &old[4], NULL);
	sigaction(SIGTSTP, &old[5], NULL);
	rc = sh.last;
	vl_sh_close(&sh);
	return rc;
}

/* --- vnetlab shell ------------------------------------------------------------------ */

static const struct option shell_opts[] = {
    {"command", required_argument, NULL, 'c'},
    {"prompt", required_argument, NULL, 'p'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cmd_shell(int argc, char **argv)
{
	const char *cmds = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:h", shell_opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cmds = optarg;
			break;
		case 'p':
			if (strlen(optarg) > 64 || strpbrk(optarg, "\n\r\033"))
				return vl_cli_usage("shell", "--prompt: at most 64 characters, "
				                             "no newline or escape");
			vl_sh_set_prompt(optarg);
			break;
		case 'h':
			return vl_cli_help("shell");
		default:
			return vl_cli_usage("shell", "bad option");
		}
	}
	if (argc - optind != 1)
		return vl_cli_usage("shell", argc == optind ? "name a lab" : "one lab only");
	return vl_sh_main(argv[optind], cmds, NULL);
}

int vl_sh_up_session(const char *lab, const char *test, bool quiet, double started)
{
	struct vl_err err = {0};
	int rc = vl_sh_main(lab, NULL, test);

	fflush(stdout);
	if (!quiet)
		printf("*** Stopping lab %s\n", lab);
	fflush(stdout);
	if (vl_engine_down(lab, false, &err) < 0)
		return vl_cli_fail(&err);
	if (!quiet)
		printf("*** Done\ncompleted in %.3f seconds\n", vl_now() - started);
	return rc;
}
