/* vnetlab-work WORKLOAD [options]: the study's built-in workloads.
 *
 * Every run prints exactly one JSON object on one line of stdout (except
 * --help): "workload", "role", "wall_s", "user_s", "sys_s", "exit" ("ok" or
 * "error", with "error" the message) and the workload's own fields. Errors
 * also go to stderr, and the exit status is non-zero (enum work_exit).
 * wall/user/sys bracket the measured work only: from the --start-at barrier
 * to the end of the work, getrusage(RUSAGE_SELF) at both ends. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "work/work.h"

enum work_exit {
	WORK_EXIT_OK = 0,
	WORK_EXIT_FAIL = 1,  /* the workload failed */
	WORK_EXIT_USAGE = 2, /* bad command line */
};

/* Options, as bits, so that the table says which a workload takes. */
enum {
	OPT_START_AT = 1 << 0,
	OPT_TO = 1 << 1,
	OPT_PORT = 1 << 2,
	OPT_SECONDS = 1 << 3,
	OPT_SIZE = 1 << 4,
	OPT_BYTES = 1 << 5,
	OPT_CIPHER = 1 << 6,
	OPT_ONCE = 1 << 7,
	OPT_INTERVAL = 1 << 8,
	OPT_CHDIR = 1 << 9,
	OPT_COMMAND = 1 << 10, /* takes -- PROG ARG... */
	OPT_RESULT = 1 << 11,
	OPT_GRACE = 1 << 12,
};

struct workload {
	const char *name;
	const char *role;
	work_fn fn;
	unsigned opts;     /* accepted */
	unsigned required; /* must be given */
	const char *usage; /* options, for help */
	const char *help;  /* one line */
};

static const struct workload workloads[] = {
    {"cpu", "compute", work_cpu, OPT_START_AT | OPT_SIZE, 0, "[--size N]",
     "ray-trace an NxN image in memory, report its checksum"},
    {"stream", "sender", work_stream, OPT_START_AT | OPT_TO | OPT_PORT | OPT_SECONDS | OPT_SIZE,
     OPT_TO | OPT_PORT | OPT_SECONDS, "--to HOST --port P --seconds S [--size B]",
     "send TCP for S seconds in writes of B bytes (default 64KiB), netperf-style"},
    {"stream-sink", "sink", work_stream_sink, OPT_START_AT | OPT_PORT | OPT_ONCE, OPT_PORT,
     "--port P [--once]", "receive one TCP stream until EOF"},
    {"bandwidth-sink", "sink", work_bandwidth_sink,
     OPT_START_AT | OPT_PORT | OPT_ONCE | OPT_INTERVAL, OPT_PORT,
     "--port P [--interval S] [--once]",
     "receive one TCP stream, report bytes per interval (default 1 s), iperf-style"},
    {"mixed", "sender", work_mixed,
     OPT_START_AT | OPT_TO | OPT_PORT | OPT_BYTES | OPT_CIPHER | OPT_SIZE, OPT_TO | OPT_PORT,
     "--to HOST --port P [--bytes N] [--cipher aes-128-gcm|chacha20-poly1305] [--size B]",
     "encrypt N bytes (default 64MiB) in AEAD records of B bytes (default 16KiB) and send "
     "them, scp-style"},
    {"mixed-sink", "sink", work_mixed_sink, OPT_START_AT | OPT_PORT | OPT_ONCE, OPT_PORT,
     "--port P [--once]", "receive a mixed stream, decrypt it and verify every tag"},
    {"hog-cpu", "neighbour", work_hog_cpu, OPT_START_AT | OPT_SECONDS, 0, "[--seconds S]",
     "spin on arithmetic until SIGTERM (or S seconds): bench --neighbour cpu"},
    {"hog-memory", "neighbour", work_hog_memory, OPT_START_AT | OPT_SECONDS | OPT_SIZE, 0,
     "[--size MIB] [--seconds S]",
     "write MIB (default a quarter of what is available, at most 256) over and over, "
     "faulting its pages in again on every pass: bench --neighbour memory"},
    {"hog-fork", "neighbour", work_hog_fork, OPT_START_AT | OPT_SECONDS | OPT_SIZE, 0,
     "[--size TASKS] [--seconds S]",
     "a fork bomb held by the node's pids limit, else by its own cap of TASKS (default "
     "512): bench --neighbour fork"},
    {"run", "program", work_run, OPT_START_AT | OPT_CHDIR | OPT_COMMAND | OPT_RESULT | OPT_GRACE,
     OPT_COMMAND, "[--chdir DIR] [--result PREFIX --grace S] -- PROG [ARG...]",
     "run a real program, report its output, exit and CPU time; SIGTERM stops it; once it "
     "printed a line starting with PREFIX it has S seconds to end (an MPI job that hangs in "
     "MPI_Finalize)"},
};

static const struct option long_opts[] = {
    {"start-at", required_argument, NULL, 'A'}, {"to", required_argument, NULL, 't'},
    {"port", required_argument, NULL, 'p'},     {"seconds", required_argument, NULL, 's'},
    {"size", required_argument, NULL, 'z'},     {"bytes", required_argument, NULL, 'b'},
    {"cipher", required_argument, NULL, 'c'},   {"once", no_argument, NULL, 'o'},
    {"interval", required_argument, NULL, 'i'}, {"chdir", required_argument, NULL, 'C'},
    {"result", required_argument, NULL, 'R'},   {"grace", required_argument, NULL, 'g'},
    {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
};

static unsigned opt_bit(int c)
{
	switch (c) {
	case 'A':
		return OPT_START_AT;
	case 't':
		return OPT_TO;
	case 'p':
		return OPT_PORT;
	case 's':
		return OPT_SECONDS;
	case 'z':
		return OPT_SIZE;
	case 'b':
		return OPT_BYTES;
	case 'c':
		return OPT_CIPHER;
	case 'o':
		return OPT_ONCE;
	case 'i':
		return OPT_INTERVAL;
	case 'C':
		return OPT_CHDIR;
	case 'R':
		return OPT_RESULT;
	case 'g':
		return OPT_GRACE;
	}
	return 0;
}

static const char *opt_name(unsigned bit)
{
	for (const struct option *lo = long_opts; lo->name; lo++)
		if (opt_bit(lo->val) == bit)
			return lo->name;
	return "?";
}

static void usage(FILE *f, bool full)
{
	fprintf(f, "usage: vnetlab-work WORKLOAD [--start-at EPOCH_NS] [options]\n");
	if (!full) {
		fprintf(f, "workloads:");
		for (size_t i = 0; i < VL_ARRAY_SIZE(workloads); i++)
			fprintf(f, " %s", workloads[i].name);
		fprintf(f, "\nTry 'vnetlab-work --help'.\n");
		return;
	}
	fprintf(f, "\nThe study's workloads, run in N nodes at once. Each run prints one JSON\n"
	           "object on stdout: workload, role, wall_s, user_s, sys_s, exit, and its own\n"
	           "fields. --start-at EPOCH_NS (CLOCK_REALTIME nanoseconds) waits until then\n"
	           "before the measured work starts: the runner's barrier.\n\n");
	for (size_t i = 0; i < VL_ARRAY_SIZE(workloads); i++)
		fprintf(f, "  %s %s\n      %s\n", workloads[i].name, workloads[i].usage,
		        workloads[i].help);
	fprintf(f,
	        "\nOn a host of bench --backend rm (one instance per real machine):\n"
	        "  clock\n      this host's clock, boot id, CPUs and name, as JSON\n"
	        "  host [--listen PORT] [--dev DEV] [--timeout S] -- CLIENT... [::: SERVER...]\n"
	        "      run SERVER until it listens on PORT, then CLIENT; report both with their\n"
	        "      wait4 CPU time, this host's CPU busy and DEV's bytes over the run\n");
	fprintf(f,
	        "\ncpu's default N is %d (about 2 s on one core of an AMD EPYC).\n"
	        "Sinks accept exactly one connection (--once, the only mode) and exit.\n",
	        VL_WORK_CPU_DEFAULT_SIZE);
}

static int parse_seconds(const char *s, double max, double *out)
{
	double v;

	if (vl_parse_number(s, 0, max, &v) < 0 || v == 0)
		return -1;
	*out = v;
	return 0;
}

/* Parse argv after the workload name into o; returns < 0 with err set. */
static int parse_opts(const struct workload *w, int argc, char **argv, struct work_opts *o,
                      struct vl_err *err)
{
	unsigned given = 0;
	unsigned long ul;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", long_opts, NULL)) != -1) {
		unsigned bit = opt_bit(c);

		if (c == '?')
			return vl_err_set(err, 0, "%s: unknown option '%s'", w->name,
			                  argv[optind - 1]);
		if (c == ':')
			return vl_err_set(err, 0, "%s: option '%s' needs a value", w->name,
			                  argv[optind - 1]);
		if (!(w->opts & bit))
			return vl_err_set(err, 0, "%s does not take --%s (usage: %s %s)", w->name,
			                  opt_name(bit), w->name, w->usage);
		given |= bit;
		switch (c) {
		case 'A':
			if (vl_parse_uint(optarg, 1, ULONG_MAX, &ul) < 0)
				return vl_err_set(err, 0,
				                  "--start-at '%s': expected CLOCK_REALTIME "
				                  "nanoseconds since the epoch (date +%%s%%N)",
				                  optarg);
			o->start_at_ns = ul;
			break;
		case 't':
			if (!*optarg)
				return vl_err_set(err, 0, "--to: empty host name");
			o->to = optarg;
			break;
		case 'p':
			if (vl_parse_uint(optarg, 1, 65535, &ul) < 0)
				return vl_err_set(err, 0, "--port '%s': expected 1..65535", optarg);
			o->port = (unsigned)ul;
			break;
		case 's':
			if (parse_seconds(optarg, 1e6, &o->seconds) < 0)
				return vl_err_set(err, 0, "--seconds '%s': expected a number > 0",
				                  optarg);
			break;
		case 'z':
			o->size = optarg;
			break;
		case 'b':
			if (vl_parse_bytes(optarg, &o->bytes) < 0)
				return vl_err_set(err, 0,
				                  "--bytes '%s': expected a size such as 8MiB or "
				                  "1048576",
				                  optarg);
			break;
		case 'c':
			o->cipher = optarg;
			break;
		case 'i':
			if (parse_seconds(optarg, 3600, &o->interval) < 0)
				return vl_err_set(err, 0, "--interval '%s': expected seconds > 0",
				                  optarg);
			break;
		case 'C':
			o->chdir = optarg;
			break;
		case 'R':
			if (!*optarg)
				return vl_err_set(err, 0, "--result: empty prefix");
			o->result = optarg;
			break;
		case 'g':
			if (parse_seconds(optarg, 3600, &o->grace) < 0)
				return vl_err_set(err, 0, "--grace '%s': expected seconds > 0",
				                  optarg);
			break;
		case 'o':
			break;
		}
	}
	if ((w->opts & OPT_COMMAND) && optind < argc) {
		if (strcmp(argv[optind - 1], "--") != 0)
			return vl_err_set(err, 0, "%s: put -- before the program ('%s')", w->name,
			                  argv[optind]);
		o->argv = argv + optind;
		given |= OPT_COMMAND;
		optind = argc;
	}
	if (optind < argc)
		return vl_err_set(err, 0, "%s: unexpected argument '%s'", w->name, argv[optind]);
	if ((w->required & OPT_COMMAND) && !(given & OPT_COMMAND))
		return vl_err_set(err, 0, "%s needs a program (usage: %s %s)", w->name, w->name,
		                  w->usage);
	if (!(given & OPT_RESULT) != !(given & OPT_GRACE))
		return vl_err_set(err, 0, "%s: --result and --grace go together", w->name);
	for (unsigned bit = 1; bit <= OPT_CHDIR; bit <<= 1)
		if ((w->required & bit) && !(given & bit))
			return vl_err_set(err, 0, "%s needs --%s (usage: %s %s)", w->name,
			                  opt_name(bit), w->name, w->usage);
	return 0;
}

/* --- the meter --------------------------------------------------------------- */

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double work_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double work_bps(uint64_t bytes, double secs)
{
	return secs > 0 ? (double)bytes * 8.0 / secs : 0.0;
}

int work_begin(struct work_meter *m, struct vl_err *err)
{
	if (m->start_at_ns) {
		struct timespec ts = {.tv_sec = (time_t)(m->start_at_ns / 1000000000ull),
		                      .tv_nsec = (long)(m->start_at_ns % 1000000000ull)};
		int r;

		while ((r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL)) == EINTR)
			;
		if (r)
			return vl_err_sys(err, r, "waiting for --start-at %llu",
			                  (unsigned long long)m->start_at_ns);
	}
	m->real0_ns = realtime_ns();
	m->mono0 = work_mono();
	getrusage(m->who, &m->ru0);
	m->begun = true;
	return 0;
}

void work_end(struct work_meter *m)
{
	if (!m->begun || m->ended)
		return;
	getrusage(m->who, &m->ru1);
	m->mono1 = work_mono();
	m->real1_ns = realtime_ns();
	m->ended = true;
}

void work_set(json_t *obj, const char *key, json_t *val)
{
	if (!val || json_object_set_new(obj, key, val) < 0) {
		fputs("vnetlab-work: out of memory\n", stderr);
		abort();
	}
}

static double tv_s(struct timeval a, struct timeval b)
{
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_usec - a.tv_usec) / 1e6;
}

static void add_meter(json_t *out, const struct work_meter *m)
{
	bool ok = m->begun && m->ended;

	work_set(out, "wall_s", json_real(ok ? m->mono1 - m->mono0 : 0.0));
	work_set(out, "user_s", json_real(ok ? tv_s(m->ru0.ru_utime, m->ru1.ru_utime) : 0.0));
	work_set(out, "sys_s", json_real(ok ? tv_s(m->ru0.ru_stime, m->ru1.ru_stime) : 0.0));
	if (!ok)
		return;
	/* Context switches: involuntary ones show CPU contention. */
	work_set(out, "nvcsw", json_integer(m->ru1.ru_nvcsw - m->ru0.ru_nvcsw));
	work_set(out, "nivcsw", json_integer(m->ru1.ru_nivcsw - m->ru0.ru_nivcsw));
	work_set(out, "start_ns", json_integer((json_int_t)m->real0_ns));
	work_set(out, "end_ns", json_integer((json_int_t)m->real1_ns));
	if (m->start_at_ns)
		work_set(out, "start_lag_s",
		         json_real(((double)m->real0_ns - (double)m->start_at_ns) / 1e9));
}

static int emit(json_t *out, const struct work_meter *m, const struct vl_err *err)
{
	char *s;

	add_meter(out, m);
	work_set(out, "exit", json_string(err ? "error" : "ok"));
	if (err)
		work_set(out, "error", json_string(err->msg));
	s = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(9));
	if (!s) {
		fputs("vnetlab-work: out of memory\n", stderr);
		abort();
	}
	puts(s);
	free(s);
	if (fflush(stdout) == EOF) {
		perror("vnetlab-work: stdout");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct workload *w = NULL;
	struct work_opts o = {0};
	struct work_meter m = {0};
	struct vl_err err = {0};
	json_t *out;
	int rc;

	if (argc < 2) {
		usage(stderr, false);
		return WORK_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout, true);
		return WORK_EXIT_OK;
	}
	/* not workloads: a real machine's part of `bench --backend rm` (host.c) */
	if (!strcmp(argv[1], "host") || !strcmp(argv[1], "clock"))
		return work_host_main(argc, argv);
	/* A peer that goes away is an error we report, not a signal. */
	signal(SIGPIPE, SIG_IGN);

	out = json_object();
	if (!out)
		abort();
	work_set(out, "workload", json_string(argv[1]));
	for (size_t i = 0; i < VL_ARRAY_SIZE(workloads); i++)
		if (!strcmp(argv[1], workloads[i].name))
			w = &workloads[i];
	if (!w) {
		vl_err_set(&err, 0, "unknown workload '%s'", argv[1]);
		rc = WORK_EXIT_USAGE;
		goto fail;
	}
	work_set(out, "role", json_string(w->role));
	if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
		json_decref(out);
		printf("usage: vnetlab-work %s %s [--start-at EPOCH_NS]\n  %s\n", w->name, w->usage,
		       w->help);
		return WORK_EXIT_OK;
	}
	if (parse_opts(w, argc - 1, argv + 1, &o, &err) < 0) {
		rc = WORK_EXIT_USAGE;
		goto fail;
	}
	m.start_at_ns = o.start_at_ns;
	rc = w->fn(&o, &m, out, &err);
	if (rc < 0) {
		rc = rc == WORK_BAD_OPTION ? WORK_EXIT_USAGE : WORK_EXIT_FAIL;
		goto fail;
	}
	work_end(&m);
	rc = emit(out, &m, NULL) < 0 ? WORK_EXIT_FAIL : WORK_EXIT_OK;
	json_decref(out);
	return rc;

fail:
	work_end(&m);
	fprintf(stderr, "vnetlab-work: %s\n", err.msg);
	if (rc == WORK_EXIT_USAGE)
		usage(stderr, false);
	emit(out, &m, &err);
	json_decref(out);
	return rc;
}
