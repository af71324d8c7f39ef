/* Small shared helpers: cleanup attributes, checked allocation, growable
 * arrays and string buffers, and name validation. Pure user space. */
#ifndef VL_BASE_UTIL_H
#define VL_BASE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/err.h"

#define VL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void vl_freep(void *p);
void vl_closep(int *fd);
void vl_fclosep(FILE **f);
/* A child process the scope owns: killed (SIGKILL) and reaped unless
 * handed on (set to 0). */
void vl_killp(pid_t *pid);
#define cleanup_free   __attribute__((cleanup(vl_freep)))
#define cleanup_close  __attribute__((cleanup(vl_closep)))
#define cleanup_fclose __attribute__((cleanup(vl_fclosep)))
#define cleanup_pid    __attribute__((cleanup(vl_killp)))

/* Allocation that aborts on exhaustion: the tool cannot do anything
 * sensible without memory, and every caller would only print and exit. */
void *vl_xmalloc(size_t n);
void *vl_xcalloc(size_t n, size_t size);
void *vl_xrealloc(void *p, size_t n);
char *vl_xstrdup(const char *s);
char *vl_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *arr (of elements of size esz) so that index n is valid; *cap is its
 * capacity in elements. New elements are zeroed. */
void vl_grow(void *arr, size_t *cap, size_t n, size_t esz);

/* A growable, always NUL-terminated string. */
struct vl_buf {
	char *s;
	size_t len, cap;
};
void vl_buf_add(struct vl_buf *b, const char *s, size_t n);
void vl_buf_printf(struct vl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vl_buf_free(struct vl_buf *b);
#define cleanup_buf __attribute__((cleanup(vl_buf_free)))
/* Append the last lines (at most max_lines, about max_bytes) of text that
 * are not blank or rules of dashes, joined with "; ": a failed program's
 * last words, for an error message. */
void vl_buf_tail(struct vl_buf *b, const char *text, size_t max_lines, size_t max_bytes);

/* A growable argument vector, always NULL-terminated (v is never NULL
 * after the first add). */
struct vl_argv {
	char **v;
	size_t n, cap;
};
void vl_argv_add(struct vl_argv *a, const char *s);
void vl_argv_addf(struct vl_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add every string up to a NULL. */
void vl_argv_addl(struct vl_argv *a, ...) __attribute__((sentinel));
void vl_argv_free(struct vl_argv *a);
#define cleanup_argv __attribute__((cleanup(vl_argv_free)))

/* A node or lab name: 1..63 characters of [A-Za-z0-9-], starting with a
 * letter or digit, not ending in '-' (a valid DNS label and hostname, and
 * safe in paths and namespace names). Returns NULL if valid, else a short
 * reason. */
const char *vl_name_invalid(const char *name);
/* An interface name inside a node: 1..15 characters, no '/', ':', spaces
 * or '%', not "." or "..". Returns NULL if valid, else a reason. */
const char *vl_ifname_invalid(const char *name);

/* Parse a decimal unsigned integer in [min,max]; whole string. */
int vl_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* A CPU list as the kernel writes it ("0", "0-3", "0,2-3"): each CPU, up
 * to VL_MAX_CPUS - 1, set in set (which is cleared first). < 0 if it is
 * not one, or names a CPU beyond. */
#define VL_MAX_CPUS 4096
int vl_parse_cpulist(const char *s, uint64_t set[VL_MAX_CPUS / 64]);
/* A plain decimal number at the start of s: digits with an optional
 * fraction and exponent ("2", "0.5", ".5", "1e3"); never a sign, blank,
 * hex, inf or nan. *end is set after it; < 0 if s does not start with one
 * or it overflows. */
int vl_parse_decimal(const char *s, const char **end, double *out);
/* The same, the whole of s, from min to max. */
int vl_parse_number(const char *s, double min, double max, double *out);

/* A size in bytes: "1048576", "512k", "64MiB", "1G", "2gb" (docker's
 * spelling). Units k, m, g, t in any case, with optional "i" and "b", are
 * powers of 1024, as memory sizes are. */
int vl_parse_bytes(const char *s, uint64_t *out);

/* IPv4 helpers, host byte order. */
int vl_parse_cidr(const char *s, uint32_t *addr, int *prefix);
void vl_fmt_ip(uint32_t addr, char buf[16]);
/* The range net/prefix overlaps that no node's interface can use ("this
 * network" 0/8, loopback 127/8, link-local 169.254/16, multicast 224/4,
 * reserved 240/4), as "127.0.0.0/8, the host's loopback"; NULL if none. */
const char *vl_ipv4_unusable(uint32_t net, int prefix);

/* write() all of buf, retrying on EINTR and short writes. */
int vl_write_all(int fd, const void *buf, size_t len);

/* Write a whole file atomically (tmp + rename), mode 0644. */
int vl_write_file(const char *path, const char *data, size_t len, struct vl_err *err);
/* The same with its mode (0600: the lab's state, root's only). */
int vl_write_file_mode(const char *path, const char *data, size_t len, mode_t mode,
                       struct vl_err *err);
/* Read a whole regular file of at most max bytes into a NUL-terminated
 * buffer: a FIFO, device or directory is an error (and is never waited
 * on), so is a larger file. */
int vl_read_file_max(const char *path, size_t max, char **out, size_t *len, struct vl_err *err);
/* The same of an open file (path: its name in messages). */
int vl_read_fd_max(int fd, const char *path, size_t max, char **out, size_t *len,
                   struct vl_err *err);
/* "a directory", "a symbolic link", "a FIFO", ... for a message. */
const char *vl_file_type_name(mode_t m);
/* The same with the bound every file vnetlab reads of its own stays under. */
#define VL_READ_FILE_MAX ((size_t)64 << 20)
int vl_read_file(const char *path, char **out, size_t *len, struct vl_err *err);

/* Run argv (found on PATH) without a shell and wait for it; its stdout
 * and stderr go to /dev/null when quiet. < 0 with err set unless it
 * exited 0. */
int vl_spawn_wait(char *const argv[], bool quiet, struct vl_err *err);

/* Split a command line into words as a POSIX shell would, without running
 * one and without expansions: blanks separate words; '...' is literal;
 * "..." keeps blanks, with \ escaping " \ $ ` and a newline; \ outside
 * quotes escapes the next character. *argv (NULL-terminated, *n words)
 * is the caller's to free (vl_words_free). NULL, or why the line cannot
 * be split (an unterminated quote, no words). */
const char *vl_split_words(const char *s, char ***argv, size_t *n);
void vl_words_free(char **argv);

/* The path of program name in this program's own directory (its
 * companions: vnetlab-work, vnetlab-agent). -1 if that cannot be read. */
int vl_exe_sibling(const char *name, char *buf, size_t len);

/* In a child about to exec: move fds[k] to number base + k, in order,
 * whatever numbers they had, not close-on-exec (the originals closed). */
int vl_fds_place(int *fds, size_t n, int base);

/* Monotonic seconds. */
double vl_now(void);

#endif
