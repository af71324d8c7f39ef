/* vnetlab-agent's private header: the agent's one state (struct ag_state,
 * defined in main.c), its sessions, and what each of its files offers the
 * others. Nothing outside src/agent/ includes it.
 *
 *   main.c     argument handling, modes, request dispatch, the poll loop
 *   init.c     PID 1: mounts, modules, stdio, signals, power off
 *   net.c      the kernel command line's vl.* settings: hostname,
 *              interfaces (renamed by MAC), addresses, routes, forwarding
 *   session.c  commands: fork/exec, ptys, stdin/stdout flow control, reaping
 *   setup.c    SETUP: a booted or cloned guest's identity, clock and seed
 *   files.c    WRITE_FILE
 *   stats.c    STATS
 *   conn.c     the host's connection: the virtio-serial port (found by
 *              name), a UNIX socket or an fd; framing in, the queue out
 *
 * The agent is single-threaded: one poll loop, no locks. */
#ifndef VL_AGENT_AGENT_H
#define VL_AGENT_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

#include "base/err.h"
#include "vm/proto.h"

#define AG_OUTQ_SLACK    (1024 * 1024) /* replies queued beyond the sessions' windows */
#define AG_PORT_RETRY_MS 100           /* host not connected: look again after */
#define AG_READ_CHUNK    VL_AG_MAX_PAYLOAD

enum ag_mode {
	AG_MODE_PORT,   /* virtio-serial: EOF means "host not connected yet" */
	AG_MODE_STREAM, /* --serve-fd: EOF ends the agent */
	AG_MODE_SOCKET, /* --socket: EOF ends the connection and its sessions */
};

/* One command the host started (EXEC), until its EXIT is sent. */
struct ag_sess {
	uint32_t id;
	pid_t pid;
	bool tty;
	int in, out, err; /* our ends; for a pty in and out are the master */
	int master;       /* pty master, or -1 */
	uint8_t *inbuf;   /* stdin not yet taken by the child */
	size_t inlen, incap;
	uint32_t in_window;
	uint32_t in_uncredited; /* stdin passed on (or dropped), not yet credited */
	bool in_eof;            /* the host sent STDIN_EOF */
	bool veof_pending;      /* pty: write VEOF once inbuf is empty */
	uint64_t credit;        /* output bytes we may still send */
	uint32_t out_window;
	bool exited;
	int status;
	struct rusage ru;
	struct timespec t0;
	uint64_t wall_us;
};

struct ag_state {
	enum ag_mode mode;
	bool init;      /* PID 1 */
	bool host_root; /* running on the host's root (root.c) */
	bool bare;      /* PID 1 with no vl.* settings yet: SETUP gives them */
	int conn;       /* the port or connection, -1 if none */
	int listen;     /* --socket */
	int sigfd;
	bool conn_eof; /* port mode: the host is not connected */
	struct timespec retry_at;
	uint64_t ready_ms; /* CLOCK_BOOTTIME when first ready */
	char notes[512];   /* setup problems, for READY */
	uint8_t *outq;
	size_t outq_head, outq_len, outq_cap;
	struct ag_sess *sess[VL_AG_MAX_SESSIONS];
	size_t nsess;
	bool poweroff; /* power off once the reply is out */
	struct vl_ag_reader rd;
	struct vl_ag_msg tx; /* the reply being built */
};

extern struct ag_state ag;

/* main.c: the console log, setup problems, time, and the requests. */
void ag_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A setup problem: logged, and kept for READY's notes. */
void ag_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t ag_clock_ms(clockid_t clk);
int64_t ag_ts_diff_us(const struct timespec *a, const struct timespec *b);
/* Step the wall clock to ns (the host's CLOCK_REALTIME) if it is off by
 * more than a millisecond. */
void ag_clock_step(uint64_t ns);
int ag_set_nonblock(int fd);
/* Close *fd if open, and mark it closed. */
void ag_close(int *fd);
/* One frame from the host. */
void ag_dispatch(const struct vl_ag_hdr *h, const uint8_t *p);

/* conn.c: the host's connection. Replies are queued (dropped when no host
 * is connected) and written as the connection takes them. */
void ag_send(struct vl_ag_msg *m);
void ag_send_empty(unsigned type, uint32_t id);
void ag_send_u32(unsigned type, uint32_t id, uint32_t v);
void ag_send_error(uint32_t id, int code, unsigned req, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ag_send_ready(uint32_t id);
size_t ag_outq_pending(void);
/* How much may be queued before the agent stops reading requests. */
size_t ag_outq_limit(void);
void ag_conn_flush(void);
/* Read what the host sent and dispatch every whole frame. */
void ag_conn_read(void);
/* The virtio-serial port named VL_AG_PORT_NAME, opened read-write; waits
 * for the driver as long as it takes. */
int ag_port_open(void);
/* --socket: a listening UNIX socket at path (replacing a stale one). */
int ag_listen_on(const char *path, struct vl_err *err);
/* --socket: take the next host, if one is waiting. */
void ag_conn_accept(void);

/* init.c: PID 1 and signals. */
/* 0, 1 and 2 open (the console or /dev/null) before anything else is. */
void ag_stdio_open(void);
/* Mounts, modules, environment, then the kernel command line's settings;
 * with none, the guest is bare (ag.bare) until SETUP. */
void ag_init_setup(void);
/* Block the signals the agent reads from its signalfd (ag.sigfd). */
int ag_signals_open(struct vl_err *err);
/* Read the signalfd: power off (init) or end the agent (otherwise) as
 * the signals ask. Reaping is ag_reap()'s. */
void ag_signals_read(void);
/* Flush the last reply; then, as init, end every process and power off;
 * otherwise end the sessions and exit. */
void ag_power_off(void) __attribute__((noreturn));

/* root.c: with vl.root=9p, the host's root (read-only, over virtio-9p)
 * under a private tmpfs layer becomes the guest's, the lab's directory
 * mounted at its host path; the initramfs's programs stay at
 * AG_GUEST_BIN. Problems are notes; the guest then keeps its initramfs. */
#define AG_GUEST_BIN     "/run/vl/bin"
#define AG_GUEST_BUSYBOX "/run/vl/busybox" /* its /bin: busybox and applets */
void ag_root_setup(const char *cmdline);

/* net.c: apply the vl.* settings of a kernel command line (each problem
 * is a note). */
void ag_configure(const char *cmdline);

/* session.c: commands. */
void ag_exec(uint32_t id, const uint8_t *payload, size_t len);
/* STDIN, STDIN_EOF, SIGNAL, WINSIZE and CREDIT. */
void ag_session_frame(const struct vl_ag_hdr *h, const uint8_t *p);
bool ag_sess_alive(const struct ag_sess *s);
void ag_stdin_flush(struct ag_sess *s);
/* Read output from *fd (the session's out or err) within the credit. */
void ag_sess_read(struct ag_sess *s, int *fd, unsigned type);
/* Once reaped and drained: EXIT, and the session is freed. */
void ag_sess_maybe_end(struct ag_sess *s);
/* Reap every child that exited: sessions keep status and rusage. */
void ag_reap(void);
/* Kill every session and forget them (the host that owned them is gone). */
void ag_sessions_drop(void);
/* Send sig to every session's process group. */
void ag_sessions_kill(int sig);

/* setup.c: SETUP (vm/proto.h). */
void ag_setup(uint32_t id, const uint8_t *payload, size_t len);

/* files.c and stats.c */
void ag_write_file(uint32_t id, const uint8_t *payload, size_t len);
void ag_stats(uint32_t id);

#endif
