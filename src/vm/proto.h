/* The guest agent's protocol: framed binary messages over one byte stream
 * (a virtio-serial port in a guest, a socket in tests), shared by the host
 * library (client.c) and the agent (src/agent/, a static guest binary). Pure
 * data: encoding, decoding and validation; no system calls, libc only.
 *
 * Every frame is a 12-byte header and a payload of at most 64 KiB:
 *
 *   offset  size  field
 *   0       2     magic "vl" (0x76 0x6c)
 *   2       1     version (VL_AG_VERSION)
 *   3       1     type (enum vl_ag_type)
 *   4       4     id: a session (EXEC and its traffic) or a request tag
 *   8       4     payload length, <= VL_AG_MAX_PAYLOAD
 *
 * All integers little-endian; strings NUL-terminated inside the payload.
 * Ids are chosen by the host, nonzero, from one space for sessions and
 * requests; the agent echoes them in its replies and uses id 0 only for
 * what nobody asked for (its READY at start, errors about a broken
 * stream). Several sessions run at once on one connection, told apart by
 * id; frames for an id that has ended are dropped without a reply (they
 * race with EXIT by nature).
 *
 * Payloads (host -> agent):
 *   HELLO      [u32 host version [u64 host CLOCK_REALTIME, ns]] -> READY
 *              (an agent that is PID 1 sets the guest's clock to the
 *              host's time: the study's barriers are in wall time)
 *   EXEC       u32 flags (VL_AG_EXEC_*), u16 rows, u16 cols, u32 out_window,
 *              u32 argc (>= 1), u32 envc, str cwd ("" = /), argc x str,
 *              envc x str                           -> STARTED or ERROR
 *   STDIN      bytes (within the session's stdin window)
 *   STDIN_EOF  -                                    (a pty gets its VEOF char)
 *   SIGNAL     u32 signo                            (to the session's process group)
 *   WINSIZE    u16 rows, u16 cols                   (pty sessions)
 *   CREDIT     u32 bytes                            (the host consumed that much output)
 *   WRITE_FILE u32 mode, u32 flags (VL_AG_WF_*), str absolute path, bytes
 *                                                   -> OK or ERROR
 *   STATS      -                                    -> STATS_REPLY
 *   PING       bytes                                -> PONG (the same bytes)
 *   POWEROFF   -                                    -> OK, then the guest powers off
 *   SETUP      u64 host CLOCK_REALTIME (ns), u32 n, n bytes of random seed,
 *              str settings (the vl.* settings of a kernel command line,
 *              vl.root and vl.share among them)        -> READY or ERROR
 *              (once, to an agent that is PID 1 and said READY_BARE: the
 *              guest's identity, given after it booted or was cloned;
 *              the clock is stepped and the seed credited to the kernel's
 *              RNG, which is then reseeded, before anything else)
 * Payloads (agent -> host):
 *   READY      u32 version, u32 flags (VL_AG_READY_*), u32 agent pid,
 *              u64 boot_ms (guest ready, ms since the kernel started),
 *              u64 uptime_ms (now), str hostname, str kernel release,
 *              str notes (setup problems, "" if none)
 *   OK         -
 *   ERROR      u32 errno (Linux), u32 type of the request, str message
 *   STARTED    u32 pid, u32 in_window
 *   STDOUT     bytes       STDERR  bytes
 *   CREDIT     u32 bytes   (the agent passed that much stdin to the child)
 *   EXIT       u32 wait status, u64 utime_us, u64 stime_us, u64 maxrss_kb,
 *              u64 wall_us (the child's rusage from wait4: it includes
 *              the descendants it waited for)
 *   STATS_REPLY see struct vl_ag_stats and vl_ag_stats_put()
 *   PONG       bytes
 *
 * Flow control, both ways, per session: the agent reads a child's output
 * only while it has credit (out_window from EXEC, topped up by the host's
 * CREDIT frames), so a host that stops reading stops the child, not the
 * agent's memory; the host sends at most in_window (from STARTED) bytes of
 * STDIN not yet returned by the agent's CREDIT, and excess is refused with
 * ERROR ENOBUFS. EXIT comes after all of the child's output: the agent
 * sends it once the child has been reaped and its output pipes are empty
 * (output that background processes write later is cut off). */
#ifndef VL_VM_PROTO_H
#define VL_VM_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VL_AG_MAGIC0      0x76 /* 'v' */
#define VL_AG_MAGIC1      0x6c /* 'l' */
#define VL_AG_VERSION     1
#define VL_AG_HDR_LEN     12
#define VL_AG_MAX_PAYLOAD 65536
#define VL_AG_MAX_FRAME   (VL_AG_HDR_LEN + VL_AG_MAX_PAYLOAD)

#define VL_AG_WINDOW       (256 * 1024) /* default flow-control window */
#define VL_AG_MAX_WINDOW   (4 * 1024 * 1024)
#define VL_AG_MAX_SESSIONS 64
#define VL_AG_MAX_ARGS     4096 /* argc + envc */
#define VL_AG_MAX_IFS      64   /* interfaces in a STATS_REPLY */
#define VL_AG_PORT_NAME    "vnetlab.agent"

enum vl_ag_type {
	/* host -> agent */
	VL_AG_HELLO = 0x01,
	VL_AG_EXEC = 0x02,
	VL_AG_STDIN = 0x03,
	VL_AG_STDIN_EOF = 0x04,
	VL_AG_SIGNAL = 0x05,
	VL_AG_WINSIZE = 0x06,
	VL_AG_CREDIT = 0x07, /* both ways */
	VL_AG_WRITE_FILE = 0x08,
	VL_AG_STATS = 0x09,
	VL_AG_PING = 0x0a,
	VL_AG_POWEROFF = 0x0b,
	VL_AG_SETUP = 0x0c,
	/* agent -> host */
	VL_AG_READY = 0x81,
	VL_AG_OK = 0x82,
	VL_AG_ERROR = 0x83,
	VL_AG_STARTED = 0x84,
	VL_AG_STDOUT = 0x85,
	VL_AG_STDERR = 0x86,
	VL_AG_EXIT = 0x87,
	VL_AG_STATS_REPLY = 0x88,
	VL_AG_PONG = 0x89,
};

#define VL_AG_EXEC_TTY 0x1 /* run on a new pseudo-terminal (stdout and stderr merged) */
#define VL_AG_EXEC_ENV 0x2 /* the envc strings are the whole environment */

#define VL_AG_WF_APPEND 0x1 /* append (else replace atomically) */
#define VL_AG_WF_MKDIR  0x2 /* create missing parent directories */

#define VL_AG_READY_INIT 0x1 /* the agent is the guest's PID 1 */
#define VL_AG_READY_BARE 0x2 /* no identity yet: it waits for SETUP */
#define VL_AG_SEED_MAX   256 /* bytes of seed SETUP may carry */

/* Type name for messages ("EXEC"), or "type 0x42". buf: at least 16. */
const char *vl_ag_type_name(unsigned type, char *buf);

struct vl_ag_hdr {
	uint8_t version, type;
	uint32_t id, len;
};

/* Decode a header. 0, or -EBADMSG (bad magic), -EMSGSIZE (length over
 * the maximum), -EPROTONOSUPPORT (another version); h is filled but for
 * bad magic. */
int vl_ag_hdr_get(const uint8_t *in, struct vl_ag_hdr *h);

/* A frame being built, in one fixed buffer. Puts past the maximum set
 * overflow instead of writing. */
struct vl_ag_msg {
	size_t len; /* bytes used, header included */
	bool overflow;
	uint8_t buf[VL_AG_MAX_FRAME];
};
void vl_ag_msg_init(struct vl_ag_msg *m, unsigned type, uint32_t id);
void vl_ag_put_u16(struct vl_ag_msg *m, uint16_t v);
void vl_ag_put_u32(struct vl_ag_msg *m, uint32_t v);
void vl_ag_put_u64(struct vl_ag_msg *m, uint64_t v);
void vl_ag_put_str(struct vl_ag_msg *m, const char *s); /* with its NUL */
void vl_ag_put_bytes(struct vl_ag_msg *m, const void *p, size_t n);
/* Room for n raw payload bytes to be filled in place (e.g. by read()):
 * returns where, or NULL if it does not fit; vl_ag_msg_grow() then
 * accounts for the bytes really written. */
uint8_t *vl_ag_msg_room(struct vl_ag_msg *m, size_t n);
void vl_ag_msg_grow(struct vl_ag_msg *m, size_t n);
/* Fill in the length. 0, or -EMSGSIZE if something did not fit. */
int vl_ag_msg_end(struct vl_ag_msg *m);

/* Reading a payload: every get checks bounds; a short or malformed field
 * sets bad and yields 0 / NULL. */
struct vl_ag_cur {
	const uint8_t *p;
	size_t left;
	bool bad;
};
void vl_ag_cur_init(struct vl_ag_cur *c, const void *payload, size_t len);
uint16_t vl_ag_get_u16(struct vl_ag_cur *c);
uint32_t vl_ag_get_u32(struct vl_ag_cur *c);
uint64_t vl_ag_get_u64(struct vl_ag_cur *c);
/* A NUL-terminated string within the payload, at most max bytes before
 * the NUL (0: up to the payload's end). */
const char *vl_ag_get_str(struct vl_ag_cur *c, size_t max);
const uint8_t *vl_ag_get_bytes(struct vl_ag_cur *c, size_t n);
/* True if everything was read, nothing was bad and nothing is left. */
bool vl_ag_cur_done(const struct vl_ag_cur *c);

/* Reassembling frames from a byte stream. After a bad header (garbage, a
 * length over the maximum, another version) the reader trusts nothing of
 * it and resynchronizes on the next magic "vl": frames that garbage
 * ran into may be lost (there is no checksum), the stream is not. */
struct vl_ag_reader {
	size_t start, end;
	bool resync; /* skipping to the next magic */
	uint8_t buf[2 * VL_AG_MAX_FRAME];
};
void vl_ag_reader_reset(struct vl_ag_reader *r);
/* Where to read into, and how much fits (never 0). */
uint8_t *vl_ag_reader_space(struct vl_ag_reader *r, size_t *n);
void vl_ag_reader_fill(struct vl_ag_reader *r, size_t n);
/* 1: a frame, *h and *payload (valid until the next call into r);
 * 0: more bytes needed; < 0: a bad header (vl_ag_hdr_get's codes; *h as
 * it says), already skipped: report it and call again. */
int vl_ag_reader_next(struct vl_ag_reader *r, struct vl_ag_hdr *h, const uint8_t **payload);

/* STATS_REPLY. cpu_ms: /proc/stat's cpu totals (user, nice, system,
 * idle, iowait, irq, softirq, steal) in ms; memory in kB (/proc/meminfo);
 * per interface the counters of /proc/net/dev. */
enum {
	VL_AG_CPU_USER,
	VL_AG_CPU_NICE,
	VL_AG_CPU_SYSTEM,
	VL_AG_CPU_IDLE,
	VL_AG_CPU_IOWAIT,
	VL_AG_CPU_IRQ,
	VL_AG_CPU_SOFTIRQ,
	VL_AG_CPU_STEAL,
	VL_AG_CPU_N
};
struct vl_ag_if_stats {
	char name[16];
	uint64_t rx_bytes, rx_packets, rx_errs, rx_drop;
	uint64_t tx_bytes, tx_packets, tx_errs, tx_drop;
};
struct vl_ag_stats {
	uint64_t uptime_ms;
	uint32_t ncpu;
	uint64_t cpu_ms[VL_AG_CPU_N];
	uint64_t mem_total_kb, mem_avail_kb;
	uint32_t n_ifs;
	struct vl_ag_if_stats ifs[VL_AG_MAX_IFS];
};
/* Layout: u64 uptime_ms, u32 ncpu, 8 x u64 cpu_ms, u64 mem_total_kb,
 * u64 mem_avail_kb, u32 n_ifs, n_ifs x (16-byte NUL-padded name, 8 x u64). */
void vl_ag_stats_put(struct vl_ag_msg *m, const struct vl_ag_stats *st);
/* 0, or -EBADMSG. */
int vl_ag_stats_get(const void *payload, size_t len, struct vl_ag_stats *st);

#endif
