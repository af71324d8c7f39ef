#include "base/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void vl_freep(void *p)
{
	free(*(void **)p);
}

void vl_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void vl_killp(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	*pid = 0;
}

void vl_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static void oom(void)
{
	fputs("vnetlab: out of memory\n", stderr);
	abort();
}

void *vl_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *vl_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *vl_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *vl_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

char *vl_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return s;
}

static bool dull_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '-' && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

void vl_buf_tail(struct vl_buf *b, const char *text, size_t max_lines, size_t max_bytes)
{
	const char *starts[16];
	size_t lens[16], n = 0, bytes = 0;
	const char *end = text + strlen(text);

	if (max_lines > 16)
		max_lines = 16;
	while (end > text && n < max_lines && bytes < max_bytes) {
		const char *e = end, *s;

		while (e > text && e[-1] == '\n')
			e--;
		for (s = e; s > text && s[-1] != '\n';)
			s--;
		if (e > s && !dull_line(s, (size_t)(e - s))) {
			starts[n] = s;
			lens[n] = (size_t)(e - s);
			bytes += lens[n++];
		}
		end = s;
	}
	while (n--)
		vl_buf_printf(b, "%.*s%s", (int)lens[n], starts[n], n ? "; " : "");
}

void vl_argv_add(struct vl_argv *a, const char *s)
{
	vl_grow(&a->v, &a->cap, a->n + 1, sizeof(*a->v));
	a->v[a->n++] = vl_xstrdup(s);
	a->v[a->n] = NULL;
}

void vl_argv_addf(struct vl_argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	vl_grow(&a->v, &a->cap, a->n + 1, sizeof(*a->v));
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void vl_argv_addl(struct vl_argv *a, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, a);
	while ((s = va_arg(ap, const char *)))
		vl_argv_add(a, s);
	va_end(ap);
}

void vl_argv_free(struct vl_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

void vl_grow(void *arr, size_t *cap, size_t n, size_t esz)
{
	void **a = arr;
	size_t nc;

	if (n < *cap)
		return;
	nc = *cap ? *cap : 8;
	while (nc <= n)
		nc *= 2;
	*a = vl_xrealloc(*a, nc * esz);
	memset((char *)*a + *cap * esz, 0, (nc - *cap) * esz);
	*cap = nc;
}

void vl_buf_add(struct vl_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 256;

		while (nc < b->len + n + 1)
			nc *= 2;
		b->s = vl_xrealloc(b->s, nc);
		b->cap = nc;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void vl_buf_printf(struct vl_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		vl_buf_add(b, small, (size_t)n);
		return;
	}
	char *big = vl_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	vl_buf_add(b, big, (size_t)n);
	free(big);
}

void vl_buf_free(struct vl_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

const char *vl_name_invalid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return "is empty";
	if (n > 63)
		return "is longer than 63 characters";
	if (name[0] == '-' || name[n - 1] == '-')
		return "starts or ends with '-'";
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return "may contain only letters, digits and '-'";
	}
	return NULL;
}

const char *vl_ifname_invalid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return "is empty";
	if (n > 15)
		return "is longer than the kernel's 15 characters";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "is not a valid interface name";
	if (!strcmp(name, "lo"))
		return "is the loopback interface every node already has";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c >= 127 || c == '/' || c == ':' || c == '%')
			return "may not contain '/', ':', '%', spaces or control characters";
	}
	return NULL;
}

int vl_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int vl_parse_cpulist(const char *s, uint64_t set[VL_MAX_CPUS / 64])
{
	const char *p = s;

	memset(set, 0, VL_MAX_CPUS / 8);
	for (;;) {
		unsigned long a = 0, b;

		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++)
			if ((a = a * 10 + (unsigned long)(*p - '0')) >= VL_MAX_CPUS)
				return -1;
		b = a;
		if (*p == '-') {
			if (*++p < '0' || *p > '9')
				return -1;
			for (b = 0; *p >= '0' && *p <= '9'; p++)
				if ((b = b * 10 + (unsigned long)(*p - '0')) >= VL_MAX_CPUS)
					return -1;
			if (b < a)
				return -1;
		}
		for (unsigned long c = a; c <= b; c++)
			set[c / 64] |= 1ull << (c % 64);
		if (!*p)
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

int vl_parse_decimal(const char *s, const char **end, double *out)
{
	const char *p = s;
	char buf[64], *e;
	size_t digits = 0;
	double v;

	while (*p >= '0' && *p <= '9')
		p++, digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (!digits)
		return -1;
	if ((*p == 'e' || *p == 'E') &&
	    ((p[1] >= '0' && p[1] <= '9') ||
	     ((p[1] == '-' || p[1] == '+') && p[2] >= '0' && p[2] <= '9'))) {
		p += 2;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	/* strtod on a copy of just the number: on s itself it would read
	 * "0x10" as hex */
	size_t n = (size_t)(p - s);
	cleanup_free char *big = n >= sizeof(buf) ? vl_xcalloc(n + 1, 1) : NULL;
	char *num = big ? big : buf;

	memcpy(num, s, n);
	num[n] = '\0';
	errno = 0;
	v = strtod(num, &e);
	if (*e || !isfinite(v) || (errno == ERANGE && v != 0))
		return -1;
	*end = p;
	*out = v;
	return 0;
}

int vl_parse_number(const char *s, double min, double max, double *out)
{
	const char *end;
	double v;

	if (!s || vl_parse_decimal(s, &end, &v) < 0 || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int vl_parse_bytes(const char *s, uint64_t *out)
{
	static const char units[] = "kmgt";
	char *end;
	unsigned long long v;
	uint64_t mult = 1;
	const char *u;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end && (u = strchr(units, tolower((unsigned char)*end)))) {
		mult = 1ull << (10 * (u - units + 1));
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || v > UINT64_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

int vl_parse_cidr(const char *s, uint32_t *addr, int *prefix)
{
	char tmp[32];
	const char *slash = strchr(s, '/');
	struct in_addr a;
	unsigned long p;

	if (!slash || (size_t)(slash - s) >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, (size_t)(slash - s));
	tmp[slash - s] = '\0';
	if (inet_pton(AF_INET, tmp, &a) != 1)
		return -1;
	if (vl_parse_uint(slash + 1, 0, 32, &p) < 0)
		return -1;
	*addr = ntohl(a.s_addr);
	*prefix = (int)p;
	return 0;
}

const char *vl_ipv4_unusable(uint32_t net, int prefix)
{
	static const struct {
		uint32_t net;
		int prefix;
		const char *what;
	} bad[] = {
	    {0x00000000u, 8, "0.0.0.0/8, \"this network\""},
	    {0x7f000000u, 8, "127.0.0.0/8, the host's loopback"},
	    {0xa9fe0000u, 16, "169.254.0.0/16, link-local"},
	    {0xe0000000u, 4, "224.0.0.0/4, multicast"},
	    {0xf0000000u, 4, "240.0.0.0/4, reserved"},
	};

	for (size_t i = 0; i < VL_ARRAY_SIZE(bad); i++) {
		int p = prefix < bad[i].prefix ? prefix : bad[i].prefix;
		uint32_t mask = p ? 0xffffffffu << (32 - p) : 0;

		if ((net & mask) == (bad[i].net & mask))
			return bad[i].what;
	}
	return NULL;
}

void vl_fmt_ip(uint32_t addr, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255,
	         addr & 255);
}

int vl_write_all(int fd, const void *buf, size_t len)
{
	const char *b = buf;

	while (len) {
		ssize_t w = write(fd, b, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		b += w;
		len -= (size_t)w;
	}
	return 0;
}

int vl_write_file(const char *path, const char *data, size_t len, struct vl_err *err)
{
	return vl_write_file_mode(path, data, len, 0644, err);
}

int vl_write_file_mode(const char *path, const char *data, size_t len, mode_t mode,
                       struct vl_err *err)
{
	char tmp[PATH_MAX];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return vl_err_set(err, ENAMETOOLONG, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return vl_err_sys(err, errno, "create %s", tmp);
	if (fchmod(fd, mode) < 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		return vl_err_sys(err, e, "chmod %s", tmp);
	}
	if (vl_write_all(fd, data, len) < 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		return vl_err_sys(err, e, "write %s", tmp);
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return vl_err_sys(err, e, "write %s", path);
	}
	return 0;
}

const char *vl_file_type_name(mode_t m)
{
	return S_ISDIR(m)    ? "a directory"
	       : S_ISREG(m)  ? "a regular file"
	       : S_ISLNK(m)  ? "a symbolic link"
	       : S_ISFIFO(m) ? "a FIFO"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISSOCK(m) ? "a socket"
	                     : "not a file";
}

static void fmt_size(uint64_t n, char buf[32])
{
	if (n >= 10 << 20)
		snprintf(buf, 32, "%llu MiB", (unsigned long long)(n >> 20));
	else if (n >= 10 << 10)
		snprintf(buf, 32, "%llu KiB", (unsigned long long)(n >> 10));
	else
		snprintf(buf, 32, "%llu bytes", (unsigned long long)n);
}

int vl_read_file_max(const char *path, size_t max, char **out, size_t *len, struct vl_err *err)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return vl_err_sys(err, errno, "open %s", path);
	return vl_read_fd_max(fd, path, max, out, len, err);
}

int vl_read_fd_max(int fd, const char *path, size_t max, char **out, size_t *len,
                   struct vl_err *err)
{
	struct vl_buf b = {0};
	char chunk[65536], lim[32], got[32];
	struct stat st;

	if (fstat(fd, &st) < 0)
		return vl_err_sys(err, errno, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return vl_err_set(err, EINVAL, "%s: %s, not a regular file", path,
		                  vl_file_type_name(st.st_mode));
	fmt_size(max, lim);
	if ((uint64_t)st.st_size > max) {
		fmt_size((uint64_t)st.st_size, got);
		return vl_err_set(err, EFBIG, "%s: %s, larger than the %s it may be", path, got,
		                  lim);
	}
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			vl_buf_free(&b);
			return vl_err_sys(err, errno, "read %s", path);
		}
		if (r == 0)
			break;
		if (b.len + (size_t)r > max) { /* it grew, or its size was not told */
			vl_buf_free(&b);
			return vl_err_set(err, EFBIG, "%s: larger than the %s it may be", path,
			                  lim);
		}
		vl_buf_add(&b, chunk, (size_t)r);
	}
	if (!b.s)
		b.s = vl_xstrdup("");
	*out = b.s;
	if (len)
		*len = b.len;
	return 0;
}

int vl_read_file(const char *path, char **out, size_t *len, struct vl_err *err)
{
	return vl_read_file_max(path, VL_READ_FILE_MAX, out, len, err);
}

int vl_exe_sibling(const char *name, char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash || (size_t)(slash + 1 - buf) + strlen(name) + 1 > len)
		return -1;
	memcpy(slash + 1, name, strlen(name) + 1);
	return 0;
}

double vl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int vl_spawn_wait(char *const argv[], bool quiet, struct vl_err *err)
{
	extern char **environ;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, r;

	posix_spawn_file_actions_init(&fa);
	if (quiet) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	}
	fflush(NULL);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return vl_err_sys(err, r, "run %s", argv[0]);
	while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (r != pid)
		return vl_err_sys(err, errno, "wait for %s", argv[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return vl_err_set(err, 0, "%s %s %d", argv[0],
		                  WIFEXITED(status) ? "exited with status" : "was killed by signal",
		                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

int vl_fds_place(int *fds, size_t n, int base)
{
	/* first above every target, so no dup2 lands on one still to move */
	for (size_t k = 0; k < n; k++) {
		int hi = fcntl(fds[k], F_DUPFD_CLOEXEC, 1024);

		if (hi < 0)
			return -1;
		close(fds[k]);
		fds[k] = hi;
	}
	for (size_t k = 0; k < n; k++) {
		if (dup2(fds[k], base + (int)k) < 0)
			return -1;
		close(fds[k]);
	}
	return 0;
}

const char *vl_split_words(const char *s, char ***argv, size_t *n)
{
	struct vl_buf w = {0};
	char **v = vl_xcalloc(1, sizeof(*v));
	size_t k = 0;
	bool in_word = false;
	const char *why = NULL;

	for (;; s++) {
		char c = *s;

		if (c == '\0' || c == ' ' || c == '\t' || c == '\n') {
			if (in_word) {
				v = realloc(v, (k + 2) * sizeof(*v));
				if (!v)
					abort();
				v[k++] = vl_xstrdup(w.s ? w.s : "");
				v[k] = NULL;
				w.len = 0;
				if (w.s)
					w.s[0] = '\0';
				in_word = false;
			}
			if (c == '\0')
				break;
			continue;
		}
		in_word = true;
		if (c == '\'') {
			const char *end = strchr(s + 1, '\'');

			if (!end) {
				why = "a ' is not closed";
				break;
			}
			vl_buf_add(&w, s + 1, (size_t)(end - s - 1));
			s = end;
		} else if (c == '"') {
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && s[1] && strchr("\"\\$`\n", s[1]))
					s++;
				vl_buf_add(&w, s, 1);
			}
			if (!*s) {
				why = "a \" is not closed";
				break;
			}
		} else if (c == '\\') {
			if (!s[1]) {
				why = "it ends in a \\";
				break;
			}
			vl_buf_add(&w, ++s, 1);
		} else {
			vl_buf_add(&w, s, 1);
		}
	}
	vl_buf_free(&w);
	if (!why && !k)
		why = "it has no words";
	if (why) {
		vl_words_free(v);
		*argv = NULL;
		*n = 0;
		return why;
	}
	*argv = v;
	*n = k;
	return NULL;
}

void vl_words_free(char **argv)
{
	for (char **p = argv; p && *p; p++)
		free(*p);
	free(argv);
}
