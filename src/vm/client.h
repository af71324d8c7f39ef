/* The host side of the guest agent's protocol (vm/proto.h): requests to
 * one agent over a connected stream fd (the host end of the guest's
 * virtio-serial port, a socket to a multiplexer, or a socketpair to an
 * agent run as a plain process in tests). Touches only the fds it is
 * given, and, while vl_agent_run() forwards signals, the dispositions of
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGWINCH (restored on return).
 *
 * Sharing one connection. Every frame carries an id; ids are chosen here
 * (vl_agent_new_id(): unique within this process) and the agent echoes
 * them. The calls below are blocking and each waits for the replies to
 * its own ids, skipping frames for any other id (a late READY, a reply to
 * a call that timed out). So:
 *  - within one process, run several commands on one connection at once
 *    with vl_agent_run() and several sessions; the other calls may be
 *    made between runs, never during one;
 *  - for several processes (several `vnetlab exec` into one node), put a
 *    multiplexer in front of the port: it accepts clients on a UNIX
 *    socket, gives each frame from a client a fresh agent id (and remembers
 *    client and client id), routes the agent's frames back by id, and on a
 *    client's disconnect sends SIGNAL SIGKILL to that client's sessions.
 *    The clients use this same library on their socket: to them the
 *    multiplexer is the agent.
 *  - vl_agent_send()/vl_agent_recv() are the frame layer for such a
 *    multiplexer or an event loop of one's own. */
#ifndef VL_VM_CLIENT_H
#define VL_VM_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "vm/proto.h"

/* What READY says. */
struct vl_agent_info {
	uint32_t version;
	bool init;          /* the agent is the guest's PID 1 */
	uint32_t pid;       /* the agent's pid (1 in a guest) */
	uint64_t boot_ms;   /* when the agent became ready, ms since the kernel started */
	uint64_t uptime_ms; /* the guest's uptime when it answered */
	char hostname[65];
	char kernel[65]; /* uname -r */
	char notes[512]; /* problems while setting up the guest, "" if none */
};

/* How a command ended. status is a wait status (WIFEXITED, WEXITSTATUS,
 * WIFSIGNALED, WTERMSIG apply). If the command did not run, status is
 * still one that a shell would give: exit 127 (not found), 126 (found but
 * not runnable: start_errno says why), or 255 when the connection failed
 * (as ssh does). */
struct vl_agent_exit {
	int status;
	int start_errno;   /* 0 if the command started */
	uint32_t pid;      /* in the guest */
	uint64_t utime_us; /* the child's rusage, with its waited-for descendants */
	uint64_t stime_us;
	uint64_t maxrss_kb;
	uint64_t wall_us; /* from fork to reaping, in the guest */
};

/* The exit code a shell would give for a wait status (128+signal if
 * killed), for `vnetlab exec`'s own exit. */
int vl_agent_exit_code(int status);

/* READY: wait for the agent (up to timeout seconds; <= 0: forever). Also
 * accepts the READY the agent sends unasked when it starts, so it is the
 * call that waits for a booting guest. */
int vl_agent_hello(int fd, struct vl_agent_info *info, double timeout, struct vl_err *err);

/* PING/PONG: a round trip; *rtt (may be NULL) in seconds. */
int vl_agent_ping(int fd, double timeout, double *rtt, struct vl_err *err);

/* Run argv in the guest: envp NULL for the agent's environment, cwd NULL
 * for "/"; in_fd is copied to the command's stdin until EOF (-1: empty
 * stdin); its stdout and stderr go to out_fd and err_fd (-1: discarded);
 * tty gives it a pseudo-terminal instead (stdout and stderr merged; the
 * caller puts its own terminal in raw mode). Pumps until the command has
 * exited and all of its output has arrived; SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT that the calling process receives meanwhile go to the command's
 * process group (and SIGWINCH to a pty's size). 0 if it ran, whatever its
 * status; -1 with err (code ENOENT, EACCES, ...) and ex->status as above
 * if it did not start or the connection failed. */
int vl_agent_exec(int fd, char *const argv[], char *const envp[], const char *cwd, int in_fd,
                  int out_fd, int err_fd, bool tty, struct vl_agent_exit *ex, struct vl_err *err);

/* Several commands at once on one connection. */
struct vl_agent_session {
	/* Set by the caller (zero the rest). */
	char *const *argv;
	char *const *envp; /* NULL: the agent's environment */
	const char *cwd;   /* NULL: / */
	bool tty;
	int in_fd, out_fd, err_fd; /* as vl_agent_exec's */
	uint32_t id;               /* 0: chosen by vl_agent_run() */
	/* Results. */
	struct vl_agent_exit ex;
	struct vl_err error; /* if it did not start (ex.start_errno) */
	/* vl_agent_run()'s own. */
	bool started, ended, in_eof, out_dead, err_dead;
	uint32_t in_credit;      /* stdin bytes we may still send */
	uint32_t out_uncredited; /* output consumed, not yet credited */
};

#define VL_AGENT_FWD_SIGNALS 0x1 /* forward this process's signals (see vl_agent_exec) */

/* Start every session and pump them all until each has ended. 0 if the
 * connection held (each session then either ran, ex.start_errno 0, or
 * has error set); -1 with err if it failed (sessions not ended get
 * ex.status 255). */
int vl_agent_run(int fd, struct vl_agent_session *ss, size_t n, unsigned flags, struct vl_err *err);

/* WRITE_FILE: replace path (absolute, in the guest) with data, mode bits
 * mode; flags VL_AG_WF_MKDIR creates missing parents. Up to one frame is
 * replaced atomically; larger data is sent in pieces (the first replaces,
 * the rest append), so readers may see it grow. */
int vl_agent_write_file(int fd, const char *path, unsigned mode, unsigned flags, const void *data,
                        size_t len, double timeout, struct vl_err *err);

/* STATS: the guest's own figures (CPU, memory, interfaces, uptime). */
int vl_agent_stats(int fd, struct vl_ag_stats *st, double timeout, struct vl_err *err);

/* POWEROFF: the agent acknowledges, then powers the guest off (a plain
 * process agent exits). */
int vl_agent_poweroff(int fd, double timeout, struct vl_err *err);

/* --- the frame layer ------------------------------------------------------ */

/* A fresh nonzero id, unique within this process. */
uint32_t vl_agent_new_id(void);

/* End m (vl_ag_msg_end) and write it whole; no SIGPIPE. */
int vl_agent_send(int fd, struct vl_ag_msg *m, struct vl_err *err);

/* Read one whole frame: its header into *h and payload into payload
 * (VL_AG_MAX_PAYLOAD bytes). deadline: vl_now() time to give up at, <= 0
 * for none. -1 with err: ETIMEDOUT, EPIPE (the agent closed the
 * connection), EPROTO (not a frame of ours). */
int vl_agent_recv(int fd, struct vl_ag_hdr *h, uint8_t *payload, double deadline,
                  struct vl_err *err);

/* An ERROR payload as err (the agent's message, which names the object,
 * and its errno). Returns -1. */
int vl_agent_error(const uint8_t *payload, size_t len, struct vl_err *err);

#endif
