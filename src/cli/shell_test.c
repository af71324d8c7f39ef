/* vnetlab shell's tests, with Mininet's output (mininet/net.py: ping,
 * pingFull, iperf): pingall, pingallfull, pingpair, pingpairfull, iperf,
 * iperfudp; also `up --test`. The real ping and iperf run in the nodes,
 * their output read and parsed as Mininet parses it. Unlike Mininet, the
 * pings of one host to all the others run at once.
 *
 * Touches: nothing but the programs it runs in the lab's nodes. */
#include "cli/shell.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/span.h"
#include "node/node.h"

#define PING_TIMEOUT_S 2.0 /* each ping's -W unless told (ping alone waits 10 s) */
#define IPERF_PORT     5001
#define IPERF_SECONDS  5
#define LISTEN_WAIT_S  5.0

/* A program of a test, its output (stdout and stderr) captured. */
struct proc {
	struct vl_child c;
	int out;
	int stop; /* a node over hosts: closed, its program gets SIGINT (-1: none) */
	bool started;
	struct vl_buf text;
	int status;
};

/* Signal a program of a test: its process group here, or, in a node
 * over hosts, the program there (SIGINT by closing its stop pipe; SIGKILL
 * ends our end of it too). */
static void proc_signal(struct proc *p, int sig)
{
	if (p->stop >= 0) {
		close(p->stop);
		p->stop = -1;
		if (sig != SIGKILL)
			return;
	}
	kill(-p->c.pid, sig);
}

/* Start argv in node: through its host for a lab over hosts, else in its
 * namespaces; its output (stdout and stderr) to a pipe. */
static int spawn_in(struct vl_shell *sh, const struct vl_sh_node *node, char *const *argv,
                    int out, struct proc *p, struct vl_err *err)
{
	struct vl_node_ref ref;
	struct vl_spawn s = {.argv = argv,
	                     .exe_fd = -1,
	                     .in = -1,
	                     .out = out,
	                     .err = out,
	                     .own_group = true,
	                     .how = VL_SPAWN_CHILD};

	if (sh->span) {
		p->c = (struct vl_child){.ru_fd = -1};
		return vl_cli_spanned_spawn(sh->span, node->name, argv, false, out, &p->stop,
		                            &p->c.pid, err);
	}
	if (vl_node_find(sh->lab, node->name, &ref, err) < 0)
		return -1;
	return vl_node_spawn(&ref, &s, &p->c, err);
}

static int start(struct vl_shell *sh, const struct vl_sh_node *node, char *const *argv,
                 struct proc *p)
{
	struct vl_err err = {0};
	int pfd[2];

	memset(p, 0, sizeof(*p));
	p->out = p->stop = -1;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		fprintf(stderr, "vnetlab: pipe: %s\n", strerror(errno));
		return -1;
	}
	if (spawn_in(sh, node, argv, pfd[1], p, &err) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		vl_cli_fail(&err);
		return -1;
	}
	close(pfd[1]);
	p->out = pfd[0];
	p->started = true;
	return 0;
}

/* Read every started program's output until each ends, or the deadline
 * (monotonic seconds), or Ctrl-C; then reap them. false if interrupted. */
static bool collect(struct proc *ps, size_t n, double deadline)
{
	bool killed = false, interrupted = false;

	for (;;) {
		struct pollfd *pf = vl_xcalloc(n + 1, sizeof(*pf));
		size_t *map = vl_xcalloc(n + 1, sizeof(*map)), k = 0;
		double left = deadline - vl_now();
		char buf[4096];

		for (size_t i = 0; i < n; i++)
			if (ps[i].started && ps[i].out >= 0) {
				pf[k] = (struct pollfd){.fd = ps[i].out, .events = POLLIN};
				map[k++] = i;
			}
		if (k && (left <= 0 || vl_sh_interrupted || vl_sh_stop) && !killed) {
			interrupted = vl_sh_interrupted || vl_sh_stop;
			for (size_t i = 0; i < n; i++)
				if (ps[i].started)
					proc_signal(&ps[i], left <= 0 ? SIGKILL : SIGINT);
			killed = true;
			left = vl_sh_stop ? VL_SH_STOP_GRACE_S : 2;
			deadline = vl_now() + left;
		} else if (k && left <= 0) {
			for (size_t i = 0; i < n; i++)
				if (ps[i].started)
					proc_signal(&ps[i], SIGKILL);
		}
		if (k && poll(pf, k, (int)(left * 1000) + 1) > 0)
			for (size_t j = 0; j < k; j++) {
				struct proc *p = &ps[map[j]];
				ssize_t r;

				if (!(pf[j].revents & (POLLIN | POLLHUP | POLLERR)))
					continue;
				r = read(p->out, buf, sizeof(buf));
				if (r > 0)
					vl_buf_add(&p->text, buf, (size_t)r);
				else if (r == 0 || errno != EINTR) {
					close(p->out);
					p->out = -1;
				}
			}
		free(pf);
		free(map);
		if (!k)
			break;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ps[i].started)
			continue;
		vl_child_reap(&ps[i].c, 0, &ps[i].status, NULL);
		ps[i].started = false;
	}
	vl_sh_interrupted = 0;
	return !interrupted;
}

static const char *text_of(const struct proc *p)
{
	return p->text.len ? p->text.s : "";
}

static void proc_free(struct proc *p)
{
	if (p->c.pid > 0 && p->stop >= 0) /* a proc never started is all zero */
		close(p->stop);
	p->stop = -1;
	vl_buf_free(&p->text);
}

/* --- ping ---------------------------------------------------------------------------- */

#define ping_result vl_sh_ping

/* Mininet's _parsePing and _parsePingFull. */
static void parse_ping(const char *out, bool full, struct ping_result *r)
{
	const char *m;

	memset(r, 0, sizeof(*r));
	r->sent = 1;
	if (strstr(out, "connect: Network is unreachable") || (full && strstr(out, "nreachable")))
		return;
	for (m = out; (m = strstr(m, " packets transmitted, ")); m++) {
		const char *s = m;

		while (s > out && s[-1] >= '0' && s[-1] <= '9')
			s--;
		if (s < m &&
		    sscanf(s, "%d packets transmitted, %d received", &r->sent, &r->received) == 2)
			break;
	}
	if (!m) {
		fprintf(stderr, "*** Error: could not parse ping output: %s\n", out);
		r->sent = 1;
		r->received = 0;
		return;
	}
	if (full && (m = strstr(out, "rtt min/avg/max/mdev = ")) &&
	    sscanf(m, "rtt min/avg/max/mdev = %lf/%lf/%lf/%lf ms", &r->rtt[0], &r->rtt[1],
	           &r->rtt[2], &r->rtt[3]) != 4 &&
	    r->received) {
		fprintf(stderr, "*** Error: could not parse ping output: %s\n", out);
		r->received = 0;
	}
	if (full && !r->received)
		r->sent = 1;
}

/* Mininet's pingFull results: every pair's count and times. */
static void print_full(const struct vl_shell *sh, size_t n, const struct ping_result *res)
{
	size_t k = 0;

	printf("*** Results: \n");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			const struct ping_result *r = &res[k];

			if (i == j)
				continue;
			k++;
			printf(" %s->%s: %d/%d, rtt min/avg/max/mdev %0.3f/%0.3f/%0.3f/%0.3f ms\n",
			       sh->nodes[i].name, sh->nodes[j].name, r->sent, r->received,
			       r->rtt[0], r->rtt[1], r->rtt[2], r->rtt[3]);
		}
}

/* Host i's row from its namespace by vnetlab's own echoes, into res (n - 1
 * results, in order, i skipped): 0, or -1 where the ping program does it
 * (a guest, a proc node, a lab over hosts, no socket). */
static int echo_row(struct vl_shell *sh, size_t i, size_t n, const char *w,
                    struct vl_sh_ping *res)
{
	const struct vl_sh_node *src = &sh->nodes[i];
	cleanup_free char **ips = NULL;
	cleanup_free struct vl_sh_ping *all = NULL;
	size_t k = 0;

	if (sh->span || !src->netns || strcmp(src->backend, "ns"))
		return -1;
	ips = vl_xcalloc(n + 1, sizeof(*ips));
	all = vl_xcalloc(n + 1, sizeof(*all));
	for (size_t j = 0; j < n; j++)
		ips[j] = j != i ? (char *)sh->nodes[j].ip : NULL;
	if (vl_sh_echo_row(src->netns, ips, n, atof(w), all) < 0)
		return -1;
	for (size_t j = 0; j < n; j++)
		if (j != i)
			res[k++] = all[j];
	return 0;
}

/* One host's line: a ping to every other host at once, into res (n - 1
 * results from *n_res on); false if told to stop. */
static bool ping_from(struct vl_shell *sh, size_t i, size_t n, const char *w, bool full,
                      struct proc *ps, struct ping_result *res, size_t *n_res)
{
	const struct vl_sh_node *src = &sh->nodes[i];
	bool stopped;

	printf("%s -> ", src->name);
	fflush(stdout);
	if (echo_row(sh, i, n, w, res + *n_res) == 0) { /* sent by vnetlab itself */
		for (size_t j = 0; j < n; j++) {
			if (j == i)
				continue;
			printf("%s ", res[*n_res].received ? sh->nodes[j].name : "X");
			(*n_res)++;
		}
		printf("\n");
		return !(vl_sh_interrupted || vl_sh_stop);
	}
	for (size_t j = 0; j < n; j++) {
		char *argv[] = {"ping", "-c1", "-W", (char *)w, (char *)sh->nodes[j].ip, NULL};

		if (j != i && sh->nodes[j].ip)
			start(sh, src, argv, &ps[j]);
	}
	stopped = !collect(ps, n, vl_now() + atof(w) + 10);
	for (size_t j = 0; j < n && !stopped; j++) {
		struct ping_result *r = &res[*n_res];

		if (j == i)
			continue;
		if (sh->nodes[j].ip)
			parse_ping(text_of(&ps[j]), full, r);
		else
			memset(r, 0, sizeof(*r)); /* Mininet: no interfaces, no packets */
		(*n_res)++;
		printf("%s ", r->received ? sh->nodes[j].name : "X");
	}
	for (size_t j = 0; j < n; j++) {
		proc_free(&ps[j]);
		memset(&ps[j], 0, sizeof(ps[j]));
	}
	printf("\n");
	return !stopped;
}

int vl_sh_pingall(struct vl_shell *sh, bool full, bool pair, double timeout)
{
	size_t n = pair ? 2 : sh->n_hosts, n_res = 0;
	cleanup_free struct ping_result *res = NULL;
	cleanup_free struct proc *ps = NULL;
	long packets = 0, lost = 0;
	char w[32];
	bool stopped = false;

	if (n > sh->n_hosts || n < 1) {
		fprintf(stderr, "*** %s needs two hosts; lab %s has %zu\n",
		        full ? "pingpairfull" : "pingpair", sh->lab, sh->n_hosts);
		return VL_EXIT_FAIL;
	}
	res = vl_xcalloc(n * n + 1, sizeof(*res));
	ps = vl_xcalloc(n + 1, sizeof(*ps));
	snprintf(w, sizeof(w), "%g", timeout > 0 ? timeout : PING_TIMEOUT_S);
	if (!pair)
		printf("*** Ping: testing ping reachability\n");
	for (size_t i = 0; i < n && !stopped; i++)
		stopped = !ping_from(sh, i, n, w, full, ps, res, &n_res);
	if (stopped) {
		printf("*** Interrupted\n");
		return 128 + SIGINT;
	}
	for (size_t k = 0; k < n_res; k++) {
		packets += res[k].sent;
		lost += res[k].sent - res[k].received;
	}
	if (full)
		print_full(sh, n, res);
	else if (packets > 0)
		printf("*** Results: %i%% dropped (%ld/%ld received)\n",
		       (int)(100.0 * (double)lost / (double)packets), packets - lost, packets);
	else
		printf("*** Warning: No packets sent\n");
	fflush(stdout);
	return packets > 0 && lost == 0 ? VL_EXIT_OK : VL_EXIT_FAIL;
}

/* --- iperf ------------------------------------------------------------------------------ */

/* Mininet's _parseIperf: the last "NUMBER UNIT/sec" of the output. */
static void parse_iperf(const char *out, char *rate, size_t len)
{
	const char *p = out;

	rate[0] = '\0';
	while ((p = strstr(p, "/sec"))) {
		const char *u = p, *d;

		while (u > out &&
		       ((u[-1] >= 'a' && u[-1] <= 'z') || (u[-1] >= 'A' && u[-1] <= 'Z')))
			u--;
		d = u > out && u[-1] == ' ' ? u - 1 : NULL;
		if (d && u < p) {
			while (d > out && ((d[-1] >= '0' && d[-1] <= '9') || d[-1] == '.'))
				d--;
			if (d < u - 1)
				snprintf(rate, len, "%.*s", (int)(p + 4 - d), d);
		}
		p += 4;
	}
}

/* Is something bound to port (listening, for TCP) in the network
 * namespace of pid? */
static bool bound(pid_t pid, int port, bool udp)
{
	static const char *const tcp[] = {"tcp", "tcp6"}, *const udps[] = {"udp", "udp6"};

	for (int f = 0; f < 2; f++) {
		char path[64], line[256];
		FILE *fp;
		bool yes = false;

		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, udp ? udps[f] : tcp[f]);
		if (!(fp = fopen(path, "re")))
			continue;
		while (!yes && fgets(line, sizeof(line), fp)) {
			unsigned lport, state;

			if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", &lport,
			           &state) == 2)
				yes = (int)lport == port && (udp || state == 0x0A);
		}
		fclose(fp);
		if (yes)
			return true;
	}
	return false;
}

/* Wait until the server is bound, or has ended, or LISTEN_WAIT_S. */
static bool wait_server(struct proc *srv, bool udp)
{
	double end = vl_now() + LISTEN_WAIT_S;

	if (!srv->c.net_pid) { /* a guest's sockets are its own */
		nanosleep(&(struct timespec){1, 0}, NULL);
		return true;
	}
	while (vl_now() < end && !vl_sh_interrupted && !vl_sh_stop) {
		siginfo_t si = {0};

		if (bound(srv->c.net_pid, IPERF_PORT, udp))
			return true;
		if (waitid(P_PID, (id_t)srv->c.pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == srv->c.pid)
			return false;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	return false;
}

int vl_sh_iperf(struct vl_shell *sh, const struct vl_sh_node *a, const struct vl_sh_node *b,
                const char *udp_bw)
{
	const struct vl_sh_node *client = a, *server = b;
	struct proc srv, cli;
	char port[16], secs[16], srate[64] = "", crate[64] = "";
	bool udp = udp_bw != NULL, ok;

	if (!client || !server) {
		if (sh->n_hosts < 2) {
			fprintf(stderr, "*** iperf needs two hosts; lab %s has %zu\n", sh->lab,
			        sh->n_hosts);
			return VL_EXIT_FAIL;
		}
		client = &sh->nodes[0];
		server = &sh->nodes[sh->n_hosts - 1];
	}
	if (!server->ip) {
		fprintf(stderr, "*** iperf: %s has no address\n", server->name);
		return VL_EXIT_FAIL;
	}
	snprintf(port, sizeof(port), "%d", IPERF_PORT);
	snprintf(secs, sizeof(secs), "%d", IPERF_SECONDS);
	printf("*** Iperf: testing %s bandwidth between %s and %s \n", udp ? "UDP" : "TCP",
	       client->name, server->name);
	fflush(stdout);
	char *sargv[] = {"iperf", "-p", port, "-s", udp ? "-u" : NULL, NULL};
	char *cargv[] = {
	    "iperf",           "-p", port,           "-t", secs, "-c", (char *)server->ip,
	    udp ? "-u" : NULL, "-b", (char *)udp_bw, NULL};

	if (start(sh, server, sargv, &srv) < 0)
		return VL_EXIT_FAIL;
	if (!wait_server(&srv, udp)) {
		proc_signal(&srv, SIGKILL);
		collect(&srv, 1, vl_now() + 2);
		fprintf(stderr, "*** iperf: the server in %s did not start: %s\n", server->name,
		        text_of(&srv));
		proc_free(&srv);
		return VL_EXIT_FAIL;
	}
	ok = start(sh, client, cargv, &cli) == 0 && collect(&cli, 1, vl_now() + IPERF_SECONDS + 20);
	/* Mininet's sendInt(): the server reports as it goes */
	proc_signal(&srv, SIGINT);
	collect(&srv, 1, vl_now() + 3);
	if (!ok) {
		printf("*** Interrupted\n");
		proc_free(&srv);
		proc_free(&cli);
		return 128 + SIGINT;
	}
	parse_iperf(text_of(&srv), srate, sizeof(srate));
	parse_iperf(text_of(&cli), crate, sizeof(crate));
	if (!srate[0] || !crate[0])
		fprintf(stderr, "could not parse iperf output: %s%s",
		        text_of(srate[0] ? &cli : &srv),
		        text_of(srate[0] ? &cli : &srv)[0] ? "" : "(nothing)\n");
	if (udp)
		printf("*** Results: ['%s', '%s', '%s']\n", udp_bw, srate, crate);
	else
		printf("*** Results: ['%s', '%s']\n", srate, crate);
	fflush(stdout);
	proc_free(&srv);
	proc_free(&cli);
	return srate[0] && crate[0] ? VL_EXIT_OK : VL_EXIT_FAIL;
}

/* --- up --test ---------------------------------------------------------------------------- */

static const char *const tests[] = {"pingall",  "pingallfull", "pingpair", "pingpairfull", "iperf",
                                    "iperfudp", "all",         "none",     "build"};

bool vl_sh_test_known(const char *name)
{
	for (size_t i = 0; i < VL_ARRAY_SIZE(tests); i++)
		if (!strcmp(tests[i], name))
			return true;
	return false;
}

int vl_sh_test(struct vl_shell *sh, const char *name)
{
	if (!strcmp(name, "pingall"))
		return vl_sh_pingall(sh, false, false, 0);
	if (!strcmp(name, "pingallfull"))
		return vl_sh_pingall(sh, true, false, 0);
	if (!strcmp(name, "pingpair"))
		return vl_sh_pingall(sh, false, true, 0);
	if (!strcmp(name, "pingpairfull"))
		return vl_sh_pingall(sh, true, true, 0);
	if (!strcmp(name, "iperf"))
		return vl_sh_iperf(sh, NULL, NULL, NULL);
	if (!strcmp(name, "iperfudp"))
		return vl_sh_iperf(sh, NULL, NULL, "10M");
	if (!strcmp(name, "all")) {
		int a = vl_sh_pingall(sh, false, false, 0), b = vl_sh_iperf(sh, NULL, NULL, NULL);

		return a ? a : b;
	}
	return VL_EXIT_OK; /* none, build: the lab was built */
}
