/* The guest's supervisor and agent multiplexer (see vmd.h). One poll loop:
 * the agent's stream, the listening socket, the clients, a signalfd. */
#include "vm/vmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "vm/client.h"
#include "vm/proto.h"
#include "vm/qmp.h"

#define MAX_CLIENTS  256
#define MAX_QUEUED   (16u << 20) /* a client this far behind is dropped */
#define BOOT_NOTE_SZ 512

struct client {
	int fd;
	struct vl_ag_reader *rd;
	struct vl_buf out;
	size_t out_off;
};

/* An agent id in use: a session (EXEC) or a request, and whose it is. */
struct route {
	uint32_t gid, cid;
	int client; /* index in clients, -1: its client left */
	bool exec, started;
};

static struct {
	const char *node;
	pid_t qemu;
	int agent, sfd;
	struct client clients[MAX_CLIENTS];
	size_t n_clients;
	struct route *routes;
	size_t n_routes, cap_routes;
	uint32_t next_gid;
	uint8_t ready[VL_AG_MAX_PAYLOAD]; /* the guest's READY payload */
	size_t ready_len;
	bool is_ready, failed;
	char *settings, *hosts; /* the guest's identity (fd 6) */
	bool setup_sent;
	uint32_t setup_lo, setup_id; /* its WRITE_FILEs' ids and SETUP's */
	struct vl_ag_reader agent_rd;
	struct vl_ag_msg msg;
} V;

/* One line, prefix and text, to fd. */
static void line_to(int fd, const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void line_to(int fd, const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s", prefix), k;

	k = vsnprintf(line + n, sizeof(line) - 1 - (size_t)n, fmt, ap);
	if (k < 0)
		return;
	n += k;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	vl_write_all(fd, line, (size_t)n);
}

/* To the console log (our stderr). */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_to(2, "vnetlab-vmd: ", fmt, ap);
	va_end(ap);
}

/* The one line up waits for: "ready ..." or "failed ...". */
static void ready_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ready_line(const char *fmt, ...)
{
	static bool said;
	va_list ap;

	if (said)
		return;
	said = true;
	va_start(ap, fmt);
	line_to(VL_VMD_FD_READY, "", fmt, ap);
	va_end(ap);
	close(VL_VMD_FD_READY);
}

static struct route *route_by_gid(uint32_t gid)
{
	for (size_t i = 0; i < V.n_routes; i++)
		if (V.routes[i].gid == gid)
			return &V.routes[i];
	return NULL;
}

static struct route *route_by_cid(int client, uint32_t cid)
{
	for (size_t i = 0; i < V.n_routes; i++)
		if (V.routes[i].client == client && V.routes[i].cid == cid)
			return &V.routes[i];
	return NULL;
}

static void route_drop(struct route *r)
{
	*r = V.routes[--V.n_routes];
}

static uint32_t new_gid(void)
{
	do
		V.next_gid++;
	while (!V.next_gid || route_by_gid(V.next_gid));
	return V.next_gid;
}

/* V.msg, built by the caller, to the agent. */
static int send_msg(void)
{
	struct vl_err err = {0};

	if (vl_agent_send(V.agent, &V.msg, &err) < 0) {
		say("%s", err.msg);
		return -1;
	}
	return 0;
}

/* A frame to the agent, with id and payload. */
static int to_agent(unsigned type, uint32_t id, const void *payload, size_t len)
{
	vl_ag_msg_init(&V.msg, type, id);
	vl_ag_put_bytes(&V.msg, payload, len);
	return send_msg();
}

/* One whose payload is a u32 (SIGNAL, CREDIT). */
static int to_agent_u32(unsigned type, uint32_t id, uint32_t v)
{
	vl_ag_msg_init(&V.msg, type, id);
	vl_ag_put_u32(&V.msg, v);
	return send_msg();
}

/* A client's connection closed, its memory returned. */
static void client_free(struct client *cl)
{
	close(cl->fd);
	free(cl->rd);
	vl_buf_free(&cl->out);
	cl->fd = -1;
	cl->rd = NULL;
	cl->out_off = 0;
}

static void client_close(int c)
{
	struct client *cl = &V.clients[c];

	/* Its sessions die with it; their remaining output is dropped. */
	for (size_t i = 0; i < V.n_routes; i++) {
		struct route *r = &V.routes[i];
		if (r->client != c)
			continue;
		r->client = -1;
		if (r->exec && r->started)
			to_agent_u32(VL_AG_SIGNAL, r->gid, SIGKILL);
	}
	client_free(cl);
}

/* Write what is queued for client c without blocking; -1 if it is gone. */
static int client_flush(int c)
{
	struct client *cl = &V.clients[c];

	while (cl->out_off < cl->out.len) {
		ssize_t w = send(cl->fd, cl->out.s + cl->out_off, cl->out.len - cl->out_off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0)
			return -1;
		cl->out_off += (size_t)w;
	}
	if (cl->out_off == cl->out.len) {
		cl->out.len = 0;
		cl->out_off = 0;
	}
	return cl->out.len - cl->out_off > MAX_QUEUED ? -1 : 0;
}

static void to_client(int c, unsigned type, uint32_t id, const void *payload, size_t len)
{
	struct client *cl = &V.clients[c];

	vl_ag_msg_init(&V.msg, type, id);
	vl_ag_put_bytes(&V.msg, payload, len);
	if (vl_ag_msg_end(&V.msg) < 0)
		return;
	vl_buf_add(&cl->out, (const char *)V.msg.buf, V.msg.len);
}

static void became_ready(const uint8_t *p, size_t len);
static void send_setup(void);

/* A frame from the agent: back to its client under the client's id, or
 * one of the guest's start (its READY, the replies to its setup). */
static void from_agent(const struct vl_ag_hdr *h, const uint8_t *p)
{
	struct route *r;

	if (h->type == VL_AG_READY && h->id == 0) {
		struct vl_ag_cur c;
		uint32_t flags;

		vl_ag_cur_init(&c, p, h->len);
		vl_ag_get_u32(&c);
		flags = vl_ag_get_u32(&c);
		if (flags & VL_AG_READY_BARE) {
			if (!V.setup_sent)
				send_setup();
		} else if (!V.is_ready) {
			became_ready(p, h->len); /* configured from its command line */
		}
		return;
	}
	if (V.setup_sent && !V.is_ready && h->id >= V.setup_lo && h->id <= V.setup_id) {
		if (h->type == VL_AG_ERROR) {
			struct vl_err err = {0};

			vl_agent_error(p, h->len, &err);
			say("the guest's setup: %s", err.msg);
			ready_line("failed the guest's setup: %s", err.msg);
			V.failed = true;
		} else if (h->type == VL_AG_READY && h->id == V.setup_id) {
			became_ready(p, h->len);
		}
		return;
	}
	if (h->id == 0) {
		if (h->type == VL_AG_ERROR) {
			struct vl_err err = {0};

			vl_agent_error(p, h->len, &err);
			say("agent: %s", err.msg);
		}
		return;
	}
	if (!(r = route_by_gid(h->id)))
		return;
	if (r->client < 0) {
		/* its client left: let the agent go on, forget the rest */
		if (h->type == VL_AG_STDOUT || h->type == VL_AG_STDERR)
			to_agent_u32(VL_AG_CREDIT, r->gid, h->len);
	} else {
		to_client(r->client, h->type, r->cid, p, h->len);
	}
	switch (h->type) {
	case VL_AG_STARTED:
		r->started = true;
		break;
	case VL_AG_EXIT:
	case VL_AG_OK:
	case VL_AG_STATS_REPLY:
	case VL_AG_PONG:
		route_drop(r);
		break;
	case VL_AG_ERROR:
		if (!r->exec || !r->started)
			route_drop(r);
		break;
	default:
		break;
	}
}

/* A frame from client c: to the agent under an id of ours. */
static void from_client(int c, const struct vl_ag_hdr *h, const uint8_t *p)
{
	struct route *r;

	switch (h->type) {
	case VL_AG_HELLO:
		to_client(c, VL_AG_READY, h->id, V.ready, V.ready_len);
		return;
	case VL_AG_EXEC:
	case VL_AG_WRITE_FILE:
	case VL_AG_STATS:
	case VL_AG_PING:
	case VL_AG_POWEROFF:
		if (route_by_cid(c, h->id)) {
			static const char msg[] = "id already in use";
			struct vl_ag_msg *m = &V.msg;

			vl_ag_msg_init(m, VL_AG_ERROR, h->id);
			vl_ag_put_u32(m, EEXIST);
			vl_ag_put_u32(m, h->type);
			vl_ag_put_str(m, msg);
			if (vl_ag_msg_end(m) == 0)
				vl_buf_add(&V.clients[c].out, (const char *)m->buf, m->len);
			return;
		}
		vl_grow(&V.routes, &V.cap_routes, V.n_routes, sizeof(*V.routes));
		r = &V.routes[V.n_routes++];
		*r = (struct route){
		    .gid = new_gid(), .cid = h->id, .client = c, .exec = h->type == VL_AG_EXEC};
		to_agent(h->type, r->gid, p, h->len);
		return;
	default:
		if ((r = route_by_cid(c, h->id)))
			to_agent(h->type, r->gid, p, h->len);
		return;
	}
}

/* The guest's wall clock to the host's (at boot, then every 10 s: a TCG
 * guest's clock drifts under load). */
static void sync_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	vl_ag_msg_init(&V.msg, VL_AG_HELLO, new_gid());
	vl_ag_put_u32(&V.msg, VL_AG_VERSION);
	vl_ag_put_u64(&V.msg, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	send_msg();
}

/* Read what a nonblocking fd has into rd: 1 read some, 0 nothing now, -1
 * the stream ended (or failed). */
static int read_into(struct vl_ag_reader *rd, int fd)
{
	for (;;) {
		size_t room;
		uint8_t *at = vl_ag_reader_space(rd, &room);
		ssize_t n = read(fd, at, room);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		vl_ag_reader_fill(rd, (size_t)n);
		return 1;
	}
}

/* The guest's READY (its setup's, or a configured one's at boot): kept
 * for clients' HELLO, and said on the ready pipe. */
static void became_ready(const uint8_t *p, size_t len)
{
	struct vl_ag_cur cur;
	uint64_t boot_ms;
	const char *kernel, *notes;

	memcpy(V.ready, p, len);
	V.ready_len = len;
	vl_ag_cur_init(&cur, p, len);
	vl_ag_get_u32(&cur);
	vl_ag_get_u32(&cur);
	vl_ag_get_u32(&cur);
	boot_ms = vl_ag_get_u64(&cur);
	vl_ag_get_u64(&cur);
	vl_ag_get_str(&cur, 64);
	kernel = vl_ag_get_str(&cur, 64);
	notes = vl_ag_get_str(&cur, 0);
	V.is_ready = true;
	sync_clock();
	if (notes && notes[0])
		say("guest setup: %s", notes);
	ready_line("ready %llu %s%s%s", (unsigned long long)boot_ms,
	           kernel && kernel[0] ? kernel : "?", notes && notes[0] ? " " : "",
	           notes ? notes : "");
}

/* The guest's identity: the lab's /etc/hosts in frames of a WRITE_FILE
 * each (the first replaces, the rest append), then SETUP. */
static void send_setup(void)
{
	const char *h = V.hosts ? V.hosts : "";
	size_t left = strlen(h), chunk = VL_AG_MAX_PAYLOAD - 64;
	uint8_t seed[64];
	struct timespec ts;
	bool first = true;

	V.setup_sent = true;
	V.setup_lo = V.next_gid + 1;
	while (left || first) {
		size_t n = left < chunk ? left : chunk;

		vl_ag_msg_init(&V.msg, VL_AG_WRITE_FILE, new_gid());
		vl_ag_put_u32(&V.msg, 0644);
		vl_ag_put_u32(&V.msg, first ? 0 : VL_AG_WF_APPEND);
		vl_ag_put_str(&V.msg, "/etc/hosts");
		vl_ag_put_bytes(&V.msg, h, n);
		send_msg();
		h += n;
		left -= n;
		first = false;
	}
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		say("getrandom: %s (the guest's RNG gets no fresh seed)", strerror(errno));
	clock_gettime(CLOCK_REALTIME, &ts);
	V.setup_id = new_gid();
	vl_ag_msg_init(&V.msg, VL_AG_SETUP, V.setup_id);
	vl_ag_put_u64(&V.msg, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	vl_ag_put_u32(&V.msg, sizeof(seed));
	vl_ag_put_bytes(&V.msg, seed, sizeof(seed));
	vl_ag_put_str(&V.msg, V.settings ? V.settings : "");
	send_msg();
	memset(seed, 0, sizeof(seed));
}

/* Read what the agent sent; false when its stream ended. */
static bool agent_readable(void)
{
	int more;

	while ((more = read_into(&V.agent_rd, V.agent)) > 0) {
		const uint8_t *payload;
		struct vl_ag_hdr h;
		int k;

		while ((k = vl_ag_reader_next(&V.agent_rd, &h, &payload)) != 0) {
			if (k < 0) {
				say("a bad frame from the agent (%s), skipped", strerror(-k));
				continue;
			}
			from_agent(&h, payload);
		}
	}
	return more == 0;
}

/* fd 6: u32 n, n bytes of settings, the hosts file. */
static int read_identity(void)
{
	struct vl_buf b = {0};
	char chunk[65536];
	ssize_t n;
	uint32_t len;

	if (lseek(VL_VMD_FD_SETUP, 0, SEEK_SET) < 0)
		return -1;
	while ((n = read(VL_VMD_FD_SETUP, chunk, sizeof(chunk))) > 0)
		vl_buf_add(&b, chunk, (size_t)n);
	close(VL_VMD_FD_SETUP);
	if (n < 0 || b.len < 4) {
		vl_buf_free(&b);
		return -1;
	}
	memcpy(&len, b.s, 4);
	if (len > b.len - 4) {
		vl_buf_free(&b);
		return -1;
	}
	V.settings = vl_xasprintf("%.*s", (int)len, b.s + 4);
	V.hosts = vl_xasprintf("%.*s", (int)(b.len - 4 - len), b.s + 4 + len);
	vl_buf_free(&b);
	return 0;
}

/* A clone: its template's device state loaded from QEMU's fd state_fd,
 * and the guest let run; its agent is then sent its identity. */
static int restore(int state_fd)
{
	struct vl_qmp *q = vl_xcalloc(1, sizeof(*q));
	struct vl_err err = {0};
	int r = vl_qmp_open(q, VL_VMD_FD_QMP, vl_now() + 60, &err);

	if (r == 0)
		r = vl_qmp_restore(q, state_fd, vl_now() + 60, &err);
	close(VL_VMD_FD_QMP);
	free(q);
	if (r < 0) {
		say("the template's state: %s", err.msg);
		ready_line("failed the clone of its template did not start: %s", err.msg);
		return -1;
	}
	send_setup();
	return 0;
}

static bool client_readable(int c)
{
	struct client *cl = &V.clients[c];
	int more;

	while ((more = read_into(cl->rd, cl->fd)) > 0) {
		const uint8_t *payload;
		struct vl_ag_hdr h;
		int k;

		while ((k = vl_ag_reader_next(cl->rd, &h, &payload)) != 0)
			if (k > 0)
				from_client(c, &h, payload);
	}
	return more == 0;
}

static void accept_client(void)
{
	cleanup_close int fd = accept4(VL_VMD_FD_LISTEN, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	size_t c;

	if (fd < 0)
		return;
	for (c = 0; c < V.n_clients && V.clients[c].fd >= 0; c++)
		;
	if (c == MAX_CLIENTS)
		return;
	if (c == V.n_clients)
		V.n_clients++;
	V.clients[c] = (struct client){.fd = fd, .rd = vl_xcalloc(1, sizeof(*V.clients[c].rd))};
	fd = -1;
	vl_ag_reader_reset(V.clients[c].rd);
}

static pid_t start_qemu(char **argv)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close(VL_VMD_FD_AGENT);
	close(VL_VMD_FD_LISTEN);
	close(VL_VMD_FD_READY);
	close(VL_VMD_FD_SETUP);
	close(VL_VMD_FD_QMP);
	close(VL_VMD_FD_GO);
	/* QEMU's descriptors, 9 and up, were passed without close-on-exec */
	execvp(argv[0], argv);
	fprintf(stderr, "vnetlab-vmd: run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* The guest is going: ask its agent to power off, give it a moment. */
static void stop_guest(int sfd)
{
	double deadline = vl_now() + 2;
	struct pollfd pfd = {.fd = sfd, .events = POLLIN};

	if (V.is_ready && V.agent >= 0)
		to_agent(VL_AG_POWEROFF, new_gid(), NULL, 0);
	while (vl_now() < deadline) {
		struct signalfd_siginfo si;

		if (waitpid(V.qemu, NULL, WNOHANG) == V.qemu)
			return;
		if (poll(&pfd, 1, 100) > 0 && read(sfd, &si, sizeof(si)) < 0)
			break;
	}
	kill(V.qemu, SIGKILL);
	waitpid(V.qemu, NULL, 0);
}

/* Leaving: the clients' connections closed, memory returned. */
static int finish(int code)
{
	for (size_t c = 0; c < V.n_clients; c++)
		if (V.clients[c].fd >= 0)
			client_free(&V.clients[c]);
	free(V.routes);
	free(V.settings);
	free(V.hosts);
	return code;
}

int vl_vmd_main(int argc, char **argv)
{
	struct pollfd pfds[3 + MAX_CLIENTS];
	double last_sync = vl_now();
	sigset_t set;
	int i0 = 0, incoming = -1;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			i0 = i + 1;
			break;
		}
	if (i0 == 5 && !strcmp(argv[2], "--incoming"))
		incoming = atoi(argv[3]);
	if (argc < 4 || (i0 != 3 && incoming < VL_VMD_FD_QEMU) || i0 >= argc) {
		fprintf(stderr, "usage: vnetlab __vmd NODE [--incoming FD] -- QEMU-ARGV...\n");
		return 2;
	}
	V.node = argv[1];
	V.agent = VL_VMD_FD_AGENT;
	prctl(PR_SET_NAME, "vnetlab-vmd");
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	fcntl(V.agent, F_SETFL, fcntl(V.agent, F_GETFL) | O_NONBLOCK);
	vl_ag_reader_reset(&V.agent_rd);
	say("starting the guest of node %s%s", V.node, incoming >= 0 ? " (a clone)" : "");
	if (read_identity() < 0) {
		ready_line("failed the guest's settings (fd %d) are unreadable", VL_VMD_FD_SETUP);
		return 1;
	}
	/* the start barrier: every guest of the lab launched first */
	for (char c; read(VL_VMD_FD_GO, &c, 1) != 0;)
		if (errno != EINTR && errno != EAGAIN)
			break;
	close(VL_VMD_FD_GO);
	V.qemu = start_qemu(&argv[i0]);
	for (int fd = VL_VMD_FD_QEMU; fd < VL_VMD_FD_QEMU + 256; fd++)
		close(fd);
	/* after those are closed: it must not get one of their numbers (a
	 * SIGCHLD meanwhile stays pending for it) */
	V.sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (V.sfd < 0) {
		ready_line("failed signalfd: %s", strerror(errno));
		kill(V.qemu, SIGKILL);
		return finish(1);
	}
	if (V.qemu < 0) {
		ready_line("failed cannot fork: %s", strerror(errno));
		return finish(1);
	}
	if (incoming < 0) {
		close(VL_VMD_FD_QMP);
	} else if (restore(incoming) < 0) {
		kill(V.qemu, SIGKILL);
		waitpid(V.qemu, NULL, 0);
		return finish(1);
	}
	for (;;) {
		size_t np = 0, first_client;

		pfds[np++] = (struct pollfd){.fd = V.sfd, .events = POLLIN};
		pfds[np++] = (struct pollfd){.fd = V.agent, .events = POLLIN};
		pfds[np++] =
		    (struct pollfd){.fd = V.is_ready ? VL_VMD_FD_LISTEN : -1, .events = POLLIN};
		first_client = np;
		for (size_t c = 0; c < V.n_clients; c++)
			pfds[np++] = (struct pollfd){
			    .fd = V.clients[c].fd,
			    .events = (short)(POLLIN | (V.clients[c].out.len ? POLLOUT : 0))};
		int k = poll(pfds, np, V.is_ready ? 10000 : -1);

		if (k < 0 && errno != EINTR)
			break;
		if (V.is_ready && vl_now() - last_sync >= 10) {
			sync_clock();
			last_sync = vl_now();
		}
		if (k <= 0)
			continue;
		if (pfds[0].revents) {
			struct signalfd_siginfo si;
			int status;

			if (read(V.sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGCHLD) {
				say("signal %u: stopping the guest", si.ssi_signo);
				stop_guest(V.sfd);
				return finish(0);
			}
			if (waitpid(V.qemu, &status, WNOHANG) == V.qemu) {
				char how[64];

				snprintf(how, sizeof(how), "%s %d",
				         WIFEXITED(status) ? "exited with status"
				                           : "was killed by signal",
				         WIFEXITED(status) ? WEXITSTATUS(status)
				                           : WTERMSIG(status));
				say("QEMU %s", how);
				if (!V.is_ready)
					ready_line(
					    "failed QEMU %s before the guest's agent answered",
					    how);
				return finish(1);
			}
		}
		if (pfds[1].revents) {
			bool open = agent_readable();

			if (V.failed) {
				stop_guest(V.sfd);
				return finish(1);
			}
			if (!open) {
				/* QEMU closed its end: it is exiting; SIGCHLD follows */
				V.agent = -1;
				say("the agent's port closed");
				stop_guest(V.sfd);
				if (!V.is_ready)
					ready_line("failed the guest's agent port closed before it "
					           "answered");
				return finish(1);
			}
		}
		if (pfds[2].revents)
			accept_client();
		for (size_t c = 0; c < V.n_clients; c++) {
			struct pollfd *pf = &pfds[first_client + c];

			if (c + first_client >= np || pf->fd < 0 || V.clients[c].fd != pf->fd)
				continue;
			if ((pf->revents & (POLLIN | POLLHUP | POLLERR)) &&
			    !client_readable((int)c)) {
				client_close((int)c);
				continue;
			}
		}
		for (size_t c = 0; c < V.n_clients; c++)
			if (V.clients[c].fd >= 0 && client_flush((int)c) < 0)
				client_close((int)c);
	}
	return finish(1);
}
