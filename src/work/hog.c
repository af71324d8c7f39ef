/* hog-cpu, hog-memory, hog-fork: the noisy neighbour of `bench
 * --neighbour`, run in a node of its own beside the instances. Each runs
 * until SIGTERM (or --seconds) and then reports what it did, so that a
 * report can say how hard the neighbour pushed:
 *   hog-cpu     spins on arithmetic ("loops");
 *   hog-memory  writes a buffer of --size MiB over and over, handing its
 *               pages back after every pass so that each pass faults them
 *               in again: memory bandwidth, page allocation and zeroing
 *               ("passes", "bytes", "size_bytes"); without --size, a
 *               quarter of what the node has available, at most 256 MiB;
 *   hog-fork    a fork bomb: every process forks as fast as it can and
 *               gives up (exits) when a fork fails, so it churns at
 *               whatever holds it: the node's pids limit, else its own cap
 *               of --size tasks (default 512) so that it never takes a
 *               host down ("forks", "failures", "peak_tasks").
 * The network neighbour needs no program of its own: a stream into a
 * stream-sink on a second node. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "work/work.h"

#define MIB              (1024ull * 1024ull)
#define MEMORY_MAX_BYTES (256 * MIB)
#define FORK_CAP         512

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* SIGTERM (and SIGINT) end the run; no SA_RESTART, so a sleep ends too. */
static void catch_term(void)
{
	struct sigaction sa = {.sa_handler = on_term};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static bool over(const struct work_opts *o, double t0)
{
	return stop || (o->seconds > 0 && work_mono() - t0 >= o->seconds);
}

int work_hog_cpu(const struct work_opts *o, struct work_meter *m, json_t *out, struct vl_err *err)
{
	volatile uint64_t x = 88172645463325252ull;
	uint64_t loops = 0;
	double t0;

	catch_term();
	if (work_begin(m, err) < 0)
		return -1;
	t0 = work_mono();
	while (!over(o, t0)) {
		for (int i = 0; i < 100000; i++) { /* xorshift: no memory traffic */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		loops++;
	}
	work_end(m);
	work_set(out, "loops", json_integer((json_int_t)loops));
	return 0;
}

/* The room the node leaves: MemAvailable, and its cgroup's limit less what
 * it uses (v2, then v1's memory controller); 0 where unknown. */
static uint64_t meminfo_available(void)
{
	cleanup_fclose FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	unsigned long long kb;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			return kb * 1024ull;
	return 0;
}

static uint64_t read_u64(const char *dir, const char *file)
{
	char path[4096];
	unsigned long long v;
	cleanup_fclose FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (!(f = fopen(path, "re")) || fscanf(f, "%llu", &v) != 1)
		return 0; /* also "max": no limit */
	return v;
}

static uint64_t cgroup_room(void)
{
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096], dir[4200];
	uint64_t limit = 0, usage = 0;

	while (f && fgets(line, sizeof(line), f)) {
		char *p = strrchr(line, ':');

		if (!p)
			continue;
		p[strcspn(p, "\n")] = '\0';
		if (!strncmp(line, "0::", 3)) {
			snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", p + 1);
			if ((limit = read_u64(dir, "memory.max")))
				usage = read_u64(dir, "memory.current");
		} else if (strstr(line, ":memory:")) {
			snprintf(dir, sizeof(dir), "/sys/fs/cgroup/memory%s", p + 1);
			if ((limit = read_u64(dir, "memory.limit_in_bytes")))
				usage = read_u64(dir, "memory.usage_in_bytes");
		}
		if (limit && limit < (1ull << 60))
			return limit > usage ? limit - usage : 0;
	}
	return 0;
}

int work_hog_memory(const struct work_opts *o, struct work_meter *m, json_t *out,
                    struct vl_err *err)
{
	uint64_t size = MEMORY_MAX_BYTES, passes = 0, room;
	long page = sysconf(_SC_PAGESIZE);
	unsigned long mib;
	unsigned char *buf;
	double t0;

	if (o->size) {
		if (vl_parse_uint(o->size, 1, 65536, &mib) < 0) {
			vl_err_set(err, 0, "--size '%s': expected MiB, 1 to 65536", o->size);
			return WORK_BAD_OPTION;
		}
		size = mib * MIB;
	} else {
		if ((room = meminfo_available()) && room / 4 < size)
			size = room / 4;
		if ((room = cgroup_room()) && room / 4 < size)
			size = room / 4;
		size -= size % (uint64_t)page;
		if (size < (uint64_t)page)
			size = (uint64_t)page;
	}
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return vl_err_sys(err, errno, "mmap %llu bytes", (unsigned long long)size);
	catch_term();
	if (work_begin(m, err) < 0) {
		munmap(buf, size);
		return -1;
	}
	t0 = work_mono();
	while (!over(o, t0)) {
		memset(buf, (int)(passes & 0xff) | 1, size);
		passes++;
		madvise(buf, size, MADV_DONTNEED); /* the next pass faults every page again */
	}
	work_end(m);
	munmap(buf, size);
	work_set(out, "size_bytes", json_integer((json_int_t)size));
	work_set(out, "passes", json_integer((json_int_t)passes));
	work_set(out, "bytes", json_integer((json_int_t)(passes * size)));
	return 0;
}

/* What the bomb's processes share. */
struct bomb {
	atomic_long live, peak, forks, failures;
	atomic_int stop;
};

/* A process of the bomb other than the first: fork until a fork fails,
 * reaping its own dead children; then give its slot back. It ends, too,
 * when the first one is gone (its end of alive reads EOF). */
static _Noreturn void bomber(struct bomb *b, int alive, long cap)
{
	char c;

	for (;;) {
		pid_t pid;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (atomic_load(&b->stop) || read(alive, &c, 1) == 0)
			break;
		if (atomic_load(&b->live) >= cap) {
			atomic_fetch_add(&b->failures, 1);
			break;
		}
		pid = fork();
		if (pid == 0) {
			long now = atomic_fetch_add(&b->live, 1) + 1, peak = atomic_load(&b->peak);

			while (now > peak && !atomic_compare_exchange_weak(&b->peak, &peak, now))
				;
			continue;
		}
		if (pid < 0) {
			atomic_fetch_add(&b->failures, 1);
			break;
		}
		atomic_fetch_add(&b->forks, 1);
	}
	atomic_fetch_sub(&b->live, 1);
	_exit(0);
}

int work_hog_fork(const struct work_opts *o, struct work_meter *m, json_t *out, struct vl_err *err)
{
	struct bomb *b;
	unsigned long cap = FORK_CAP;
	int alive[2];
	double t0;

	if (o->size && vl_parse_uint(o->size, 1, 100000, &cap) < 0) {
		vl_err_set(err, 0, "--size '%s': expected the most tasks, 1 to 100000", o->size);
		return WORK_BAD_OPTION;
	}
	b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return vl_err_sys(err, errno, "mmap");
	if (pipe2(alive, O_CLOEXEC | O_NONBLOCK) < 0) {
		munmap(b, sizeof(*b));
		return vl_err_sys(err, errno, "pipe");
	}
	atomic_store(&b->live, 1);
	atomic_store(&b->peak, 1);
	/* its own process group, to be ended whole; orphans come back to it */
	setpgid(0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	catch_term();
	if (work_begin(m, err) < 0)
		goto out;
	t0 = work_mono();
	while (!over(o, t0)) {
		pid_t pid;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (atomic_load(&b->live) >= (long)cap) {
			atomic_fetch_add(&b->failures, 1);
			sched_yield();
			continue;
		}
		pid = fork();
		if (pid == 0) {
			close(alive[1]);
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			atomic_fetch_add(&b->live, 1);
			bomber(b, alive[0], (long)cap);
		}
		if (pid < 0) {
			atomic_fetch_add(&b->failures, 1);
			sched_yield();
		} else {
			atomic_fetch_add(&b->forks, 1);
		}
	}
	work_end(m);
	atomic_store(&b->stop, 1);
	close(alive[1]);
	alive[1] = -1;
	if (getpgrp() == getpid()) {
		signal(SIGTERM, SIG_IGN);
		kill(0, SIGTERM); /* the rest of the group: SIG_DFL */
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	{
		long peak = atomic_load(&b->peak);

		work_set(out, "forks", json_integer(atomic_load(&b->forks)));
		work_set(out, "failures", json_integer(atomic_load(&b->failures)));
		work_set(out, "peak_tasks", json_integer(peak));
		work_set(out, "cap", json_integer((json_int_t)cap));
	}
out:
	if (alive[1] >= 0)
		close(alive[1]);
	close(alive[0]);
	munmap(b, sizeof(*b));
	return err->msg[0] ? -1 : 0;
}
