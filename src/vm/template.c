/* Guest templates: the cache, the key of a shape, making one (see
 * template.h). */
#include "vm/template.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "sys/tap.h"
#include "vm/proto.h"
#include "vm/qmp.h"

/* Bumped when what a template holds changes in a way its key does not
 * see (the agent's state at READY, the protocol of SETUP). */
#define FORMAT 1

/* The descriptors of a template's QEMU. */
enum { FD_AGENT = 3, FD_QMP, FD_TAP0 };

const char *vl_vm_templates_dir(void)
{
	const char *d = getenv("VNETLAB_VM_TEMPLATES");

	return d && d[0] ? d : VL_VM_TEMPLATES;
}

void vl_vm_template_mac(size_t j, uint8_t mac[6])
{
	static const uint8_t base[6] = {0x0a, 0x76, 0x6c, 0, 0, 0};

	memcpy(mac, base, 6);
	mac[4] = (uint8_t)(j >> 8);
	mac[5] = (uint8_t)j;
}

/* The shape's fixed spec: what every template and clone of it shares,
 * with placeholders for what each has of its own. */
static void shape_spec(const struct vl_vm_spec *s, struct vl_vm_spec *t, const char *initrd,
                       const char *ram, const char *console, const char *view, int *tap_fds,
                       uint8_t (*macs)[6])
{
	*t = (struct vl_vm_spec){.name = "vnetlab-template",
	                         .kernel = s->kernel,
	                         .initrd = initrd,
	                         .cmdline = s->cmdline,
	                         .console_log = console,
	                         .machine = s->machine,
	                         .kvm = s->kvm,
	                         .vcpus = s->vcpus,
	                         .ram = s->ram,
	                         .agent_fd = FD_AGENT,
	                         .host_root = s->host_root,
	                         .root_dir = view,
	                         .share_dir = s->host_root ? view : NULL,
	                         .n_taps = s->n_taps,
	                         .tap_fds = tap_fds,
	                         .macs = (const uint8_t(*)[6])macs,
	                         .mem_path = ram,
	                         .mem_share = true,
	                         .qmp = true,
	                         .qmp_fd = FD_QMP};
	for (size_t j = 0; j < s->n_taps; j++) {
		tap_fds[j] = FD_TAP0 + (int)j;
		vl_vm_template_mac(j, macs[j]);
	}
}

static int sha256_hex(EVP_MD_CTX *md, char out[65], struct vl_err *err)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (EVP_DigestFinal_ex(md, d, &n) != 1 || n != 32)
		return vl_err_set(err, EIO, "SHA-256 failed");
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return 0;
}

/* A file's identity for the key: size, modification time, inode. */
static void file_id(struct vl_buf *b, const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof(st));
	vl_buf_printf(b, "%s %s %lld %lld.%09ld %llu\n", what, path, (long long)st.st_size,
	              (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
	              (unsigned long long)st.st_ino);
}

/* The shape, as text (into info), and its SHA-256 with the initrd's
 * bytes (key). */
static int shape_key(const struct vl_vm_spec *s, struct vl_buf *info, char key[65],
                     struct vl_err *err)
{
	int tap_fds[256];
	uint8_t macs[256][6];
	struct vl_vm_spec t;
	cleanup_argv struct vl_argv a = {0};
	cleanup_close int fd = -1;
	EVP_MD_CTX *md;
	char buf[65536], sum[65];
	ssize_t n;
	int r = 0;

	if (s->n_taps > 256)
		return vl_err_set(err, E2BIG, "a guest template has at most 256 interfaces");
	/* the initrd by its bytes, not its path (a lab's) */
	shape_spec(s, &t, "INITRD", "RAM", "CONSOLE", "VIEW", tap_fds, macs);
	vl_vm_qemu_argv(&t, &a);
	vl_buf_printf(info, "format %d\n", FORMAT);
	file_id(info, "kernel", s->kernel->path);
	file_id(info, "qemu",
	        access("/usr/local/bin/" VL_VM_QEMU, X_OK) == 0 ? "/usr/local/bin/" VL_VM_QEMU
	                                                          : "/usr/bin/" VL_VM_QEMU);
	if (!(md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return vl_err_set(err, EIO, "SHA-256 unavailable");
	}
	if ((fd = open(s->initrd, O_RDONLY | O_CLOEXEC)) < 0) {
		r = vl_err_sys(err, errno, "open %s", s->initrd);
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(md, buf, (size_t)n);
	if (n < 0) {
		r = vl_err_sys(err, errno, "read %s", s->initrd);
		goto out;
	}
	if ((r = sha256_hex(md, sum, err)) < 0)
		goto out;
	vl_buf_printf(info, "initrd %s\nqemu-argv", sum);
	for (char **p = a.v; *p; p++)
		vl_buf_printf(info, " %s", *p);
	vl_buf_printf(info, "\n");
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, info->s, info->len);
	r = sha256_hex(md, key, err);
out:
	EVP_MD_CTX_free(md);
	return r;
}

static void paths(struct vl_vm_template *t, const char *dir)
{
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	snprintf(t->ram, sizeof(t->ram), "%s/ram", dir);
	snprintf(t->state, sizeof(t->state), "%s/state", dir);
}

/* The cache must be ours alone: a guest run from someone else's RAM file
 * would read the host's whole root as root. A real directory (not a
 * link), owned by us, writable by nobody else. */
static int own_dir(const char *dir, struct vl_err *err)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return vl_err_sys(err, errno, "%s", dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return vl_err_set(err, EPERM,
		                  "%s: not a directory of ours alone (owner %u, mode %03o): guest "
		                  "templates are not kept there",
		                  dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
	return 0;
}

/* Every file in dir, then dir (a template's: plain files, and the empty
 * directory its exports were while it was made). */
static int remove_dir(const char *dir, uint64_t *bytes)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int dfd;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	dfd = dirfd(d);
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (bytes)
			*bytes += (uint64_t)st.st_blocks * 512;
		unlinkat(dfd, e->d_name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
	}
	closedir(d);
	return rmdir(dir);
}

/* In the child: a network namespace of its own with the template's TAPs,
 * the descriptors in place, QEMU. Never returns. */
static void run_qemu(const struct vl_vm_spec *s, char **argv, int con, int agent, int qmp)
    __attribute__((noreturn));
static void run_qemu(const struct vl_vm_spec *s, char **argv, int con, int agent, int qmp)
{
	int fds[FD_TAP0 + 256], nfd = 0;
	struct vl_err err = {0};

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWNET) < 0) {
		dprintf(con, "vnetlab: template: unshare the network: %s\n", strerror(errno));
		_exit(126);
	}
	fds[nfd++] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[nfd++] = con;
	fds[nfd++] = dup(con);
	fds[nfd++] = agent;
	fds[nfd++] = qmp;
	for (size_t j = 0; j < s->n_taps; j++) {
		char tap[24];

		snprintf(tap, sizeof(tap), "vt%zu", j);
		if (vl_tap_create(tap, 0, &err) < 0 || (fds[nfd++] = vl_tap_attach(tap, &err)) < 0) {
			dprintf(con, "vnetlab: template: %s\n", err.msg);
			_exit(126);
		}
	}
	if (vl_fds_place(fds, (size_t)nfd, 0) < 0)
		_exit(126);
	for (int fd = nfd; fd < 1024 + nfd; fd++)
		close(fd);
	execvp(argv[0], argv);
	dprintf(2, "vnetlab: template: run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Read the agent's stream until its READY, bare. */
static int wait_ready(int fd, double deadline, struct vl_err *err)
{
	cleanup_free struct vl_ag_reader *rd = vl_xcalloc(1, sizeof(*rd));

	vl_ag_reader_reset(rd);
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		const uint8_t *p;
		struct vl_ag_hdr h;
		size_t room;
		uint8_t *at;
		double left = deadline - vl_now();
		ssize_t n;
		int k;

		while ((k = vl_ag_reader_next(rd, &h, &p)) != 0) {
			struct vl_ag_cur c;
			uint32_t flags;

			if (k < 0 || h.type != VL_AG_READY || h.id != 0)
				continue;
			vl_ag_cur_init(&c, p, h.len);
			vl_ag_get_u32(&c);
			flags = vl_ag_get_u32(&c);
			if (!(flags & VL_AG_READY_BARE))
				return vl_err_set(err, EPROTO, "its agent is not bare");
			return 0;
		}
		if (left <= 0)
			return vl_err_set(err, ETIMEDOUT, "its agent did not answer in %s",
			                  "the time given");
		k = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (k <= 0)
			continue;
		at = vl_ag_reader_space(rd, &room);
		n = read(fd, at, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return vl_err_set(err, EPIPE, "QEMU ended before its agent answered");
		vl_ag_reader_fill(rd, (size_t)n);
	}
}

/* Boot the template into dir (made, empty) and save it there. */
static int make(const struct vl_vm_spec *s, const char *dir, double timeout,
                struct vl_vm_template *t, struct vl_err *err)
{
	cleanup_free char *ram = vl_xasprintf("%s/ram", dir),
	                  *console = vl_xasprintf("%s/console", dir),
	                  *state = vl_xasprintf("%s/state", dir),
	                  *view = vl_xasprintf("%s/view", dir);
	int tap_fds[256], ag[2] = {-1, -1}, qm[2] = {-1, -1}, con = -1, st = -1, status, r = -1;
	uint8_t macs[256][6];
	cleanup_argv struct vl_argv a = {0};
	struct vl_vm_spec ts;
	struct vl_qmp *q = vl_xcalloc(1, sizeof(*q));
	double t0 = vl_now(), deadline = t0 + timeout;
	pid_t pid = -1;

	/* the template's guest mounts no export (it is saved bare): they are
	 * an empty directory, which clones replace with theirs */
	shape_spec(s, &ts, s->initrd, ram, console, view, tap_fds, macs);
	vl_vm_qemu_argv(&ts, &a);
	if (mkdir(view, 0700) < 0) {
		vl_err_sys(err, errno, "mkdir %s", view);
		goto out;
	}
	con = open(console, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	st = open(state, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (con < 0 || st < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ag) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qm) < 0) {
		vl_err_sys(err, errno, "%s", dir);
		goto out;
	}
	if ((pid = fork()) < 0) {
		vl_err_sys(err, errno, "fork");
		goto out;
	}
	if (pid == 0)
		run_qemu(s, a.v, con, ag[1], qm[1]);
	vl_closep(&ag[1]);
	vl_closep(&qm[1]);
	if (wait_ready(ag[0], deadline, err) < 0)
		goto out;
	t->boot_s = vl_now() - t0;
	if (vl_qmp_open(q, qm[0], deadline, err) < 0 || vl_qmp_save(q, st, deadline, err) < 0)
		goto out;
	t->save_s = vl_now() - t0 - t->boot_s;
	vl_qmp_call(q, "quit", NULL, NULL, vl_now() + 5, NULL);
	for (double end = vl_now() + 10; vl_now() < end;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = -1;
			break;
		}
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	if (pid > 0) {
		vl_err_set(err, ETIMEDOUT, "QEMU did not quit after the save");
		goto out;
	}
	r = 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (r < 0) {
		cleanup_free char *log = NULL;
		struct vl_buf b = {0};

		vl_buf_printf(&b, "%s", err->msg);
		if (vl_read_file(console, &log, NULL, NULL) == 0 && log[0]) {
			vl_buf_printf(&b, "; the last lines of its console: ");
			vl_buf_tail(&b, log, 6, 600);
		}
		vl_err_set(err, err->code ? err->code : EIO, "%s", b.s);
		vl_buf_free(&b);
	}
	free(q);
	vl_closep(&ag[0]);
	vl_closep(&ag[1]);
	vl_closep(&qm[0]);
	vl_closep(&qm[1]);
	vl_closep(&con);
	vl_closep(&st);
	rmdir(view);
	return r;
}

int vl_vm_template_get(const struct vl_vm_spec *s, double timeout, struct vl_vm_template *t,
                       struct vl_err *err)
{
	const char *base = vl_vm_templates_dir();
	cleanup_buf struct vl_buf info = {0};
	cleanup_free char *lock = NULL, *dir = NULL, *tmp = NULL, *state = NULL;
	cleanup_close int lfd = -1;
	struct stat stt;

	memset(t, 0, sizeof(*t));
	if (base[0] != '/' || strchr(base, ','))
		return vl_err_set(err, EINVAL,
		                  "VNETLAB_VM_TEMPLATES=%s: want an absolute path without commas",
		                  base);
	if (shape_key(s, &info, t->key, err) < 0)
		return -1;
	if (mkdir(base, 0700) < 0 && errno != EEXIST)
		return vl_err_sys(err, errno, "mkdir %s", base);
	if (own_dir(base, err) < 0)
		return -1;
	lock = vl_xasprintf("%s/.lock", base);
	dir = vl_xasprintf("%s/%s", base, t->key);
	state = vl_xasprintf("%s/state", dir);
	if ((lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return vl_err_sys(err, errno, "open %s", lock);
	while (flock(lfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return vl_err_sys(err, errno, "lock %s", lock);
	paths(t, dir);
	/* whole: a RAM file of the guest's size (QEMU would make a missing
	 * one, and the clone would wake with zeroed memory) and a state */
	if (stat(state, &stt) == 0 && S_ISREG(stt.st_mode) && stt.st_size > 0) {
		if (stat(t->ram, &stt) == 0 && S_ISREG(stt.st_mode) &&
		    (uint64_t)stt.st_size == (s->ram & ~((1ull << 20) - 1)))
			return 0;
	}
	remove_dir(dir, NULL); /* an incomplete one (renamed, then cut short) */
	tmp = vl_xasprintf("%s/%s.new.%d", base, t->key, (int)getpid());
	remove_dir(tmp, NULL);
	if (mkdir(tmp, 0700) < 0)
		return vl_err_sys(err, errno, "mkdir %s", tmp);
	{
		cleanup_free char *ipath = vl_xasprintf("%s/info", tmp);

		if (vl_write_file_mode(ipath, info.s, info.len, 0600, err) < 0 ||
		    make(s, tmp, timeout, t, err) < 0) {
			remove_dir(tmp, NULL);
			return vl_err_wrap(err, "guest template %.12s", t->key);
		}
	}
	if (rename(tmp, dir) < 0) {
		int e = errno;

		remove_dir(tmp, NULL);
		return vl_err_sys(err, e, "rename %s", tmp);
	}
	t->made = true;
	return 0;
}

void vl_vm_clone_spec(struct vl_vm_spec *s, const struct vl_vm_template *t, int qmp_fd,
                      uint8_t (*macs)[6])
{
	for (size_t j = 0; j < s->n_taps; j++)
		vl_vm_template_mac(j, macs[j]);
	s->macs = (const uint8_t(*)[6])macs;
	s->mem_path = t->ram;
	s->mem_share = false;
	s->qmp = true;
	s->qmp_fd = qmp_fd;
	s->incoming = true;
}

static bool is_key(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == 64 && !s[n];
}

/* Each entry of the cache: fn(key or NULL for an unfinished one, its
 * path, arg). */
static int each(void (*fn)(const char *, const char *, void *), void *arg, struct vl_err *err)
{
	const char *base = vl_vm_templates_dir();
	DIR *d = opendir(base);
	struct dirent *e;

	if (!d)
		return errno == ENOENT ? 0 : vl_err_sys(err, errno, "open %s", base);
	if (own_dir(base, err) < 0) {
		closedir(d);
		return -1;
	}
	while ((e = readdir(d))) {
		cleanup_free char *path = vl_xasprintf("%s/%s", base, e->d_name);
		char *dot = strstr(e->d_name, ".new.");

		if (is_key(e->d_name)) {
			fn(e->d_name, path, arg);
		} else if (dot && dot - e->d_name == 64) {
			unsigned long pid = strtoul(dot + 5, NULL, 10);

			if (pid && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
				fn(NULL, path, arg);
		}
	}
	closedir(d);
	return 0;
}

static uint64_t dir_bytes(const char *path)
{
	uint64_t bytes = 0;
	DIR *d = opendir(path);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		struct stat st;

		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			bytes += (uint64_t)st.st_blocks * 512;
	}
	if (d)
		closedir(d);
	return bytes;
}

static void list_one(const char *key, const char *path, void *arg)
{
	vl_buf_printf(arg, "%s %llu %s\n", key ? key : "unfinished",
	              (unsigned long long)dir_bytes(path), path);
}

int vl_vm_templates_list(char **list, struct vl_err *err)
{
	struct vl_buf b = {0};
	int n = 0;

	vl_buf_add(&b, "", 0);
	if (each(list_one, &b, err) < 0) {
		vl_buf_free(&b);
		return -1;
	}
	for (size_t i = 0; i < b.len; i++)
		n += b.s[i] == '\n';
	*list = b.s;
	return n;
}

struct removal {
	bool all;
	size_t n;
	uint64_t bytes;
};

static void remove_one(const char *key, const char *path, void *arg)
{
	struct removal *r = arg;

	if ((key && !r->all) || remove_dir(path, &r->bytes) < 0)
		return;
	r->n++;
}

int vl_vm_templates_remove(bool all, size_t *n, uint64_t *bytes, struct vl_err *err)
{
	struct removal r = {.all = all};
	int k = each(remove_one, &r, err);

	*n = r.n;
	*bytes = r.bytes;
	return k;
}
