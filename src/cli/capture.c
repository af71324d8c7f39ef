/* vnetlab capture: packets of a lab's interfaces, by tcpdump run in the
 * interface's namespace (a node's, a guest's host-side TAP in its node's,
 * a switch port in the lab's switches' namespace), found through the lab's
 * state as `vnetlab link` finds a link's ends.
 *
 * One interface: tcpdump's own pcap (-w FILE, or -w - for a pipe into
 * wireshark -k -i -) or its text. Several: each tcpdump writes pcap into a
 * pipe and vnetlab merges them, as they come, into one pcapng file with an
 * interface block per NODE:IF (its name there), or prefixes each text
 * line with its NODE:IF. Ctrl-C (and -c COUNT over all of them) stops every
 * tcpdump with SIGINT, so each flushes and says what it counted. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "engine/state.h"
#include "lab/lab.h"
#include "sys/ns.h"

#define MAX_IFS 16

struct cap_if {
	char name[160];                /* NODE:IF as the user gave it */
	char netns[128], ifname[32];   /* where it is */
	pid_t pid;                     /* its tcpdump */
	int fd, efd;                   /* its output and stderr (several), or -1 */
	char ebuf[1024];               /* its stderr's last partial line */
	size_t elen;
	unsigned char *buf;            /* what was read and not yet used */
	size_t len, cap;
	bool header, nsec, swapped, eof;
	uint32_t linktype, snaplen;
};

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

/* Where NODE:IF is: an end of one of the lab's links (checked to be the
 * lab's own), or an interface of a namespace node (its management one). */
static int find_if(const struct vl_state *st, const char *ep, struct cap_if *c, struct vl_err *err)
{
	const char *netns, *ifname, *colon = strchr(ep, ':'), *why;
	const struct vl_state_node *n;
	struct vl_err e2 = {0};
	int mine, i;

	snprintf(c->name, sizeof(c->name), "%s", ep);
	if (!colon || colon == ep || !colon[1])
		return vl_err_set(err, EINVAL, "%s: expected NODE:IF", ep);
	if ((i = vl_state_find_link(st, ep, &mine, &e2)) >= 0) {
		if (st->links[i].has_ends && !strcmp(st->links[i].ends[mine].netns, "remote"))
			return vl_err_set(err, EINVAL,
			                  "%s: that end is on another host of the lab: capture "
			                  "there (vnetlab capture on that host)",
			                  ep);
		if (vl_state_link_end(st, (size_t)i, mine, &netns, &ifname, err) < 0)
			return -1;
	} else {
		char node[64];

		snprintf(node, sizeof(node), "%.*s", (int)(colon - ep), ep);
		n = vl_state_node(st, node);
		if (!n)
			return vl_err_set(err, ENOENT, "%s: lab %s has no node %s", ep, st->lab, node);
		if (!n->netns)
			return vl_err_set(err, EINVAL,
			                  "%s: a proc node's traffic is the host's (tcpdump -i lo "
			                  "on the host)",
			                  ep);
		if ((why = vl_ifname_invalid(colon + 1)))
			return vl_err_set(err, EINVAL, "%s: interface name %s", ep, why);
		netns = n->netns;
		ifname = colon + 1;
	}
	snprintf(c->netns, sizeof(c->netns), "%s", netns);
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	return 0;
}

/* tcpdump in c's namespace, its stdout out_fd; the child's pid. */
static pid_t start_tcpdump(struct cap_if *c, int out_fd, int err_fd, bool pcap, long count,
                           int snap, char *const *filter, size_t n_filter, struct vl_err *err)
{
	char path[PATH_MAX], cnt[32], sn[32];
	cleanup_close int ns = -1;
	const char *argv[24 + 64];
	size_t a = 0;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, c->netns);
	if ((ns = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return vl_err_sys(err, errno, "%s: namespace %s", c->name, c->netns);
	argv[a++] = "tcpdump";
	argv[a++] = "-i";
	argv[a++] = c->ifname;
	argv[a++] = "-n";
	/* each packet handed on as it comes (else libpcap holds a block of
	 * them until it fills or times out, and a Ctrl-C loses the block),
	 * with a kernel buffer of 32 MiB */
	argv[a++] = "--immediate-mode";
	argv[a++] = "-B";
	argv[a++] = "32768";
	argv[a++] = pcap ? "-U" : "-l";
	if (pcap) {
		argv[a++] = "-w";
		argv[a++] = "-";
	}
	if (count > 0) {
		snprintf(cnt, sizeof(cnt), "%ld", count);
		argv[a++] = "-c";
		argv[a++] = cnt;
	}
	if (snap > 0) {
		snprintf(sn, sizeof(sn), "%d", snap);
		argv[a++] = "-s";
		argv[a++] = sn;
	}
	for (size_t k = 0; k < n_filter && k < 64; k++)
		argv[a++] = filter[k];
	argv[a] = NULL;
	if ((pid = fork()) < 0)
		return vl_err_sys(err, errno, "fork");
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		if (setns(ns, CLONE_NEWNET) < 0 || dup2(out_fd, 1) < 0 ||
		    (err_fd >= 0 && dup2(err_fd, 2) < 0))
			_exit(125);
		execvp("tcpdump", (char *const *)argv);
		fprintf(stderr, "vnetlab: capture: tcpdump: %s\n", strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	return pid;
}

/* --- several interfaces into one pcapng ------------------------------------------ */

static int put(int fd, const void *p, size_t n)
{
	return vl_write_all(fd, p, n) < 0 ? -1 : 0;
}

static int pcapng_shb(int fd)
{
	uint32_t b[7] = {0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0xffffffff, 0xffffffff, 28};

	b[3] = 1; /* major 1, minor 0 (little-endian u16 pair on this host) */
	return put(fd, b, sizeof(b));
}

/* An interface block: linktype, snaplen, if_name, if_tsresol. */
static int pcapng_idb(int fd, const struct cap_if *c)
{
	unsigned char blk[256] = {0};
	size_t nl = strlen(c->name), off = 16, total;
	uint32_t v;
	uint16_t h;

	if (nl > 200)
		nl = 200;
	h = (uint16_t)c->linktype;
	memcpy(blk + 8, &h, 2);
	v = c->snaplen;
	memcpy(blk + 12, &v, 4);
	h = 2; /* if_name */
	memcpy(blk + off, &h, 2);
	h = (uint16_t)nl;
	memcpy(blk + off + 2, &h, 2);
	memcpy(blk + off + 4, c->name, nl);
	off += 4 + ((nl + 3) & ~(size_t)3);
	h = 9; /* if_tsresol: 10^-6 or 10^-9 */
	memcpy(blk + off, &h, 2);
	h = 1;
	memcpy(blk + off + 2, &h, 2);
	blk[off + 4] = c->nsec ? 9 : 6;
	off += 8;
	off += 4; /* opt_endofopt */
	total = off + 4;
	v = 1;
	memcpy(blk, &v, 4);
	v = (uint32_t)total;
	memcpy(blk + 4, &v, 4);
	memcpy(blk + off, &v, 4);
	return put(fd, blk, total);
}

static uint32_t get32(const struct cap_if *c, const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return c->swapped ? __builtin_bswap32(v) : v;
}

/* Records of c's pcap stream read so far, as blocks of interface idx into
 * out; packets counted in *n. -1 on a malformed stream or write error. */
static int drain(struct cap_if *c, int idx, int out, long *n)
{
	size_t off = 0;

	if (!c->header) {
		uint32_t magic;

		if (c->len < 24)
			return 0;
		memcpy(&magic, c->buf, 4);
		c->swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
		magic = c->swapped ? __builtin_bswap32(magic) : magic;
		if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d)
			return -1;
		c->nsec = magic == 0xa1b23c4d;
		c->snaplen = get32(c, c->buf + 16);
		c->linktype = get32(c, c->buf + 20) & 0xffff;
		c->header = true;
		off = 24;
		if (pcapng_idb(out, c) < 0)
			return -1;
	}
	while (c->len - off >= 16) {
		const unsigned char *r = c->buf + off;
		uint32_t caplen = get32(c, r + 8), origlen = get32(c, r + 12), hdr[7];
		uint64_t ts = (uint64_t)get32(c, r) * (c->nsec ? 1000000000u : 1000000u) +
		              get32(c, r + 4);
		size_t pad = (4 - caplen % 4) % 4, total = 32 + caplen + pad;
		static const unsigned char zero[4];

		if (caplen > (1u << 24))
			return -1;
		if (c->len - off < 16 + (size_t)caplen)
			break;
		hdr[0] = 6;
		hdr[1] = (uint32_t)total;
		hdr[2] = (uint32_t)idx;
		hdr[3] = (uint32_t)(ts >> 32);
		hdr[4] = (uint32_t)ts;
		hdr[5] = caplen;
		hdr[6] = origlen;
		if (put(out, hdr, sizeof(hdr)) < 0 || put(out, r + 16, caplen) < 0 ||
		    put(out, zero, pad) < 0 || put(out, &hdr[1], 4) < 0)
			return -1;
		off += 16 + caplen;
		(*n)++;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	return 0;
}

/* Text lines of c read so far, each prefixed with its NODE:IF. */
static int drain_text(struct cap_if *c, int out, long *n)
{
	size_t off = 0;
	unsigned char *nl;

	while ((nl = memchr(c->buf + off, '\n', c->len - off))) {
		size_t ln = (size_t)(nl - (c->buf + off)) + 1;

		if (put(out, c->name, strlen(c->name)) < 0 || put(out, " ", 1) < 0 ||
		    put(out, c->buf + off, ln) < 0)
			return -1;
		off += ln;
		(*n)++;
	}
	if (c->eof && off < c->len) { /* a last line without its newline */
		if (put(out, c->name, strlen(c->name)) < 0 || put(out, " ", 1) < 0 ||
		    put(out, c->buf + off, c->len - off) < 0 || put(out, "\n", 1) < 0)
			return -1;
		off = c->len;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	return 0;
}

/* What c's tcpdump said on stderr: whole lines, each after its NODE:IF. */
static void relay_err(struct cap_if *c)
{
	ssize_t r = read(c->efd, c->ebuf + c->elen, sizeof(c->ebuf) - 1 - c->elen);
	char *nl;

	if (r <= 0) {
		if (c->elen)
			fprintf(stderr, "%s: %.*s\n", c->name, (int)c->elen, c->ebuf);
		close(c->efd);
		c->efd = -1;
		c->elen = 0;
		return;
	}
	c->elen += (size_t)r;
	while ((nl = memchr(c->ebuf, '\n', c->elen)) || c->elen == sizeof(c->ebuf) - 1) {
		size_t ln = nl ? (size_t)(nl - c->ebuf) + 1 : c->elen;

		fprintf(stderr, "%s: %.*s%s", c->name, (int)ln, c->ebuf, nl ? "" : "\n");
		memmove(c->ebuf, c->ebuf + ln, c->elen - ln);
		c->elen -= ln;
	}
}

static void stop_all(struct cap_if *cs, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (cs[k].pid > 0)
			kill(cs[k].pid, SIGINT);
}

/* Read every tcpdump's output until all end; merged into out. */
static int merge(struct cap_if *cs, size_t n, int out, bool pcap, long count)
{
	struct pollfd pf[2 * MAX_IFS];
	long got = 0;
	bool stopped = false;
	size_t open_n = n;

	if (pcap && pcapng_shb(out) < 0)
		return -1;
	while (open_n) {
		if ((stop_sig || (count > 0 && got >= count)) && !stopped) {
			stop_all(cs, n);
			stopped = true;
		}
		for (size_t k = 0; k < n; k++) {
			pf[k] = (struct pollfd){.fd = cs[k].eof ? -1 : cs[k].fd, .events = POLLIN};
			pf[n + k] = (struct pollfd){.fd = cs[k].efd, .events = POLLIN};
		}
		if (poll(pf, 2 * n, 200) < 0 && errno != EINTR)
			return -1;
		for (size_t k = 0; k < n; k++)
			if (cs[k].efd >= 0 && (pf[n + k].revents & (POLLIN | POLLHUP | POLLERR)))
				relay_err(&cs[k]);
		for (size_t k = 0; k < n; k++) {
			struct cap_if *c = &cs[k];
			ssize_t r;

			if (c->eof || !(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (c->cap - c->len < 65536) {
				c->cap = c->cap * 2 + 65536;
				c->buf = vl_xrealloc(c->buf, c->cap);
			}
			r = read(c->fd, c->buf + c->len, c->cap - c->len);
			if (r > 0)
				c->len += (size_t)r;
			else if (r == 0 || errno != EINTR) {
				c->eof = true;
				open_n--;
			}
			if ((pcap ? drain(c, (int)k, out, &got) : drain_text(c, out, &got)) < 0)
				return -1;
		}
	}
	return 0;
}

/* --- vnetlab capture ---------------------------------------------------------------- */

static const struct option cap_opts[] = {
    {"write", required_argument, NULL, 'w'},
    {"count", required_argument, NULL, 'c'},
    {"snaplen", required_argument, NULL, 's'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct cap_args {
	const char *lab, *file;
	long count;
	int snap;
	char **eps, **filter;
	size_t n_eps, n_filter;
};

/* NODE:IF (a node's name, an interface's), not a word of a filter. */
static bool is_endpoint(const char *s)
{
	const char *colon = strchr(s, ':');

	if (!colon || colon == s || !colon[1] || strchr(colon + 1, ':'))
		return false;
	for (const char *p = s; *p; p++)
		if (p != colon && !isalnum((unsigned char)*p) && !strchr("_.-@", *p))
			return false;
	return true;
}

static int parse(int argc, char **argv, struct cap_args *a)
{
	int opt;
	unsigned long v;

	/* options anywhere before the filter (or a --): LAB, NODE:IF..., FILTER */
	while ((opt = getopt_long(argc, argv, "w:c:s:h", cap_opts, NULL)) != -1) {
		switch (opt) {
		case 'w':
			a->file = optarg;
			break;
		case 'c':
			if (vl_parse_uint(optarg, 1, 1000000000, &v) < 0)
				return vl_cli_usage("capture", "-c %s: a count of packets", optarg);
			a->count = (long)v;
			break;
		case 's':
			if (vl_parse_uint(optarg, 1, 262144, &v) < 0)
				return vl_cli_usage("capture", "-s %s: bytes of each packet", optarg);
			a->snap = (int)v;
			break;
		case 'h':
			return vl_cli_help("capture");
		default:
			return vl_cli_usage("capture", "bad option");
		}
	}
	if (optind >= argc)
		return vl_cli_usage("capture", "name a lab");
	a->lab = argv[optind++];
	a->eps = argv + optind;
	while (optind < argc && is_endpoint(argv[optind]))
		a->n_eps++, optind++;
	if (!a->n_eps)
		return vl_cli_usage("capture", "name an interface: NODE:IF");
	if (a->n_eps > MAX_IFS)
		return vl_cli_usage("capture", "at most %d interfaces at once", MAX_IFS);
	a->filter = argv + optind;
	a->n_filter = (size_t)(argc - optind);
	return 0;
}

/* The output: FILE (made or truncated), "-" or none: stdout. */
static int open_out(const char *file, struct vl_err *err)
{
	int fd;

	if (!file || !strcmp(file, "-"))
		return dup(1);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return vl_err_sys(err, errno, "capture: %s", file);
	return fd;
}

/* Wait for every tcpdump; 0 if all ended well (or by our SIGINT). */
static int reap(struct cap_if *cs, size_t n, const char *lab)
{
	int rc = 0;

	for (size_t k = 0; k < n; k++) {
		int st;

		if (cs[k].pid <= 0)
			continue;
		while (waitpid(cs[k].pid, &st, 0) < 0 && errno == EINTR)
			if (stop_sig) /* Ctrl-C or a signal to us alone: tcpdumps flush and end */
				stop_all(cs, n);
		if ((WIFEXITED(st) && WEXITSTATUS(st) == 0) ||
		    (WIFSIGNALED(st) && WTERMSIG(st) == SIGINT))
			continue;
		fprintf(stderr, "vnetlab: capture: %s: tcpdump ended with %s %d%s\n", cs[k].name,
		        WIFEXITED(st) ? "status" : "signal",
		        WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
		        vl_lab_exists(lab) != 1 ? " (the lab is gone)" : "");
		rc = 1;
	}
	return rc;
}

/* Every tcpdump ended though nothing stopped it and no count was given:
 * its interface went away, as when the lab goes down (down ends what runs
 * in its namespaces). Said, with the lab's fate once down has finished. */
static int ended_alone(const char *lab)
{
	for (int i = 0; i < 40 && vl_lab_exists(lab) == 1; i++)
		usleep(50000);
	fprintf(stderr, "vnetlab: capture: tcpdump ended before it was stopped (%s)\n",
	        vl_lab_exists(lab) == 1 ? "an interface went away" : "the lab is gone");
	return 1;
}

int cmd_capture(int argc, char **argv)
{
	struct cap_args a = {0};
	struct vl_state st;
	struct vl_err err = {0};
	struct cap_if cs[MAX_IFS];
	cleanup_close int out = -1;
	bool pcap;
	int r, rc;

	stop_sig = 0; /* the shell runs captures one after another */
	if ((r = parse(argc, argv, &a)) != 0)
		return r;
	pcap = a.file != NULL;
	memset(cs, 0, sizeof(cs));
	for (size_t k = 0; k < MAX_IFS; k++)
		cs[k].fd = cs[k].efd = -1;
	if (vl_state_load(a.lab, &st, &err) < 0)
		return vl_cli_fail(&err);
	for (size_t k = 0; k < a.n_eps; k++)
		if (find_if(&st, a.eps[k], &cs[k], &err) < 0) {
			vl_state_free(&st);
			return vl_cli_fail(&err);
		}
	vl_state_free(&st);
	if ((out = open_out(a.file, &err)) < 0)
		return vl_cli_fail(&err);
	/* without SA_RESTART: waitpid and poll return, and the signal is passed on */
	struct sigaction sa = {.sa_handler = on_stop};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (size_t k = 0; k < a.n_eps; k++) {
		int p[2] = {-1, -1}, e[2] = {-1, -1};

		if (a.n_eps > 1 && (pipe2(p, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0)) {
			vl_err_sys(&err, errno, "capture: pipe");
			stop_all(cs, k);
			reap(cs, k, a.lab);
			return vl_cli_fail(&err);
		}
		cs[k].fd = p[0];
		cs[k].efd = e[0];
		cs[k].pid = start_tcpdump(&cs[k], a.n_eps > 1 ? p[1] : out, e[1], pcap, a.count,
		                          a.snap, a.filter, a.n_filter, &err);
		if (p[1] >= 0)
			close(p[1]);
		if (e[1] >= 0)
			close(e[1]);
		if (cs[k].pid < 0) {
			stop_all(cs, k);
			reap(cs, k, a.lab);
			return vl_cli_fail(&err);
		}
	}
	rc = 0;
	if (a.n_eps > 1 && merge(cs, a.n_eps, out, pcap, a.count) < 0) {
		fprintf(stderr, "vnetlab: capture: merging: %s\n", strerror(errno));
		stop_all(cs, a.n_eps);
		rc = 1;
	}
	rc |= reap(cs, a.n_eps, a.lab);
	if (!rc && !stop_sig && !a.count)
		rc = ended_alone(a.lab);
	for (size_t k = 0; k < a.n_eps; k++) {
		while (cs[k].efd >= 0) /* what it said last */
			relay_err(&cs[k]);
		if (cs[k].fd >= 0)
			close(cs[k].fd);
		free(cs[k].buf);
	}
	return rc;
}
