/* vnetlab shell's input: the lines it reads from stdin (not a terminal)
 * and from sourced files, each bounded so that no input makes it grow: a
 * line of at most VL_SH_LINE_MAX bytes; a sourced file a regular file of
 * at most VL_SH_FILE_MAX bytes and VL_SH_LINES_MAX lines; sources nested
 * at most VL_SH_DEPTH_MAX deep. Reading stops at once when the shell is
 * told to stop (SIGTERM, SIGHUP) or, not on a terminal, interrupted
 * (SIGINT): the signals are blocked but while it waits for input.
 *
 * Touches: the files it is told to source (read only). */
#include "cli/shell.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"

struct vl_sh_input {
	int fd;
	const char *name; /* "stdin", or the path as given */
	bool file;        /* a sourced file: the size and line limits */
	unsigned long line;
	unsigned long long total; /* bytes read */
	size_t have, pos;         /* bytes in buf; where the next line starts */
	/* a line, one byte more (to tell one too long) and its NUL */
	char buf[VL_SH_LINE_MAX + 2];
};

static const char *file_type(mode_t m)
{
	return S_ISDIR(m)    ? "a directory"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISFIFO(m) ? "a FIFO"
	       : S_ISSOCK(m) ? "a socket"
	                     : "not a regular file";
}

/* Should reading stop: told to stop, interrupted while no command ran
 * (a command's Ctrl-C is its own: vl_sh_run clears it), or exit? */
static bool told_to_stop(const struct vl_shell *sh)
{
	return vl_sh_stop || vl_sh_interrupted || sh->done;
}

/* More bytes into in->buf: > 0 read, 0 end of input, -1 failed (said),
 * -2 told to stop. The shell's signals are blocked here but while ppoll
 * waits, so one that comes is never lost before a read that blocks. */
static int fill(struct vl_shell *sh, struct vl_sh_input *in)
{
	sigset_t old;
	ssize_t r = -1;
	int e = 0;

	vl_sh_block_signals(&old);
	for (;;) {
		struct pollfd p = {.fd = in->fd, .events = POLLIN};

		if (told_to_stop(sh))
			break;
		if (ppoll(&p, 1, NULL, &old) < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			break;
		}
		r = read(in->fd, in->buf + in->have, VL_SH_LINE_MAX + 1 - in->have);
		if (r >= 0 || (errno != EINTR && errno != EAGAIN)) {
			e = r < 0 ? errno : 0;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (told_to_stop(sh))
		return -2;
	if (r < 0) {
		fprintf(stderr, "vnetlab: %s:%lu: %s\n", in->name, in->line + 1, strerror(e));
		return -1;
	}
	in->have += (size_t)r;
	in->total += (unsigned long long)r;
	if (in->file && in->total > VL_SH_FILE_MAX) {
		fprintf(stderr,
		        "vnetlab: %s:%lu: more than %d MiB, the most a sourced file may have "
		        "(the rest not run)\n",
		        in->name, in->line + 1, VL_SH_FILE_MAX >> 20);
		return -1;
	}
	return r > 0;
}

/* The next line (its newline gone) in *line: 1, 0 at the end of the
 * input, -1 if the input broke a limit or failed (said), -2 told to stop. */
static int next_line(struct vl_shell *sh, struct vl_sh_input *in, char **line)
{
	for (;;) {
		char *start = in->buf + in->pos, *nl = memchr(start, '\n', in->have - in->pos);
		size_t len = nl ? (size_t)(nl - start) : in->have - in->pos;
		int r;

		if (nl || (len && len <= VL_SH_LINE_MAX && in->fd < 0)) {
			if (++in->line > VL_SH_LINES_MAX && in->file) {
				fprintf(stderr,
				        "vnetlab: %s:%lu: more than %d lines, the most a sourced "
				        "file may have (the rest not run)\n",
				        in->name, in->line, VL_SH_LINES_MAX);
				return -1;
			}
			if (memchr(start, '\0', len)) {
				fprintf(stderr,
				        "vnetlab: %s:%lu: a NUL byte: not text (the line and the "
				        "rest of %s not run)\n",
				        in->name, in->line, in->name);
				return -1;
			}
			start[len] = '\0';
			in->pos += len + (nl != NULL);
			*line = start;
			return 1;
		}
		if (in->fd < 0)
			return 0;
		/* the partial line to the front, then more of it */
		memmove(in->buf, start, len);
		in->have = len;
		in->pos = 0;
		if (len > VL_SH_LINE_MAX) {
			fprintf(stderr,
			        "vnetlab: %s:%lu: a line longer than %d bytes, the most the shell "
			        "takes (the line and the rest of %s not run)\n",
			        in->name, in->line + 1, VL_SH_LINE_MAX, in->name);
			return -1;
		}
		if ((r = fill(sh, in)) < 0)
			return r;
		if (r == 0)
			in->fd = -1; /* the end: what is left is the last line */
	}
}

/* Run each line of in; VL_EXIT_FAIL if the input failed or broke a
 * limit, 128 + the signal if told to stop, else the last command's. */
static int run_input(struct vl_shell *sh, struct vl_sh_input *in)
{
	const struct vl_sh_input *up = sh->input;
	char *line;
	int r;

	sh->input = in;
	while ((r = next_line(sh, in, &line)) > 0 && !told_to_stop(sh))
		vl_sh_line(sh, line);
	sh->input = up;
	if (r == -1)
		return sh->last = VL_EXIT_FAIL;
	if (vl_sh_stop || vl_sh_interrupted)
		return sh->last = 128 + (vl_sh_stop ? vl_sh_stop : SIGINT);
	return sh->last;
}

int vl_sh_run_stdin(struct vl_shell *sh)
{
	struct vl_sh_input *in = vl_xcalloc(1, sizeof(*in));
	int rc;

	in->fd = STDIN_FILENO;
	in->name = "stdin";
	rc = run_input(sh, in);
	free(in);
	return rc;
}

int vl_sh_source(struct vl_shell *sh, const char *path)
{
	const struct vl_sh_input *up = sh->input;
	struct vl_sh_input *in;
	struct stat st;
	int fd, rc;

	if (sh->depth >= VL_SH_DEPTH_MAX) {
		fprintf(stderr,
		        "vnetlab: %s:%lu: source %s: sources nested %d deep already, the most "
		        "they may (does a file source itself?)\n",
		        up ? up->name : "-c", up ? up->line : 0, path, VL_SH_DEPTH_MAX);
		return sh->last = VL_EXIT_FAIL;
	}
	/* not blocking on a FIFO with no writer: it is refused below */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		fprintf(stderr, "error reading file %s: %s\n", path, strerror(errno));
		return sh->last = VL_EXIT_FAIL;
	}
	if (fstat(fd, &st) < 0) {
		fprintf(stderr, "error reading file %s: %s\n", path, strerror(errno));
		close(fd);
		return sh->last = VL_EXIT_FAIL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > VL_SH_FILE_MAX) {
		if (!S_ISREG(st.st_mode))
			fprintf(stderr,
			        "vnetlab: source %s: %s, not a regular file (source reads "
			        "regular files only)\n",
			        path, file_type(st.st_mode));
		else
			fprintf(stderr,
			        "vnetlab: source %s: %lld bytes, more than the %d MiB a sourced "
			        "file may have\n",
			        path, (long long)st.st_size, VL_SH_FILE_MAX >> 20);
		close(fd);
		return sh->last = VL_EXIT_FAIL;
	}
	in = vl_xcalloc(1, sizeof(*in));
	in->fd = fd;
	in->name = path;
	in->file = true;
	sh->depth++;
	rc = run_input(sh, in);
	sh->depth--;
	close(fd);
	free(in);
	return rc;
}
