/* vnetlab-mpi BENCH [--class S|W|A] [--reps N] [--max-bytes B]: the
 * project's MPI benchmarks, launched by mpiexec (MPICH) or mpirun (LAM).
 *
 * Rank 0 prints exactly one JSON object on one line of stdout (except
 * --help); the other ranks print nothing there. Every object has
 * "benchmark", "ranks", "mpi", "mpi_version", "wall_s" (MPI_Wtime around the
 * timed part, the maximum over the ranks), "verified", "hosts" (each rank's
 * MPI_Get_processor_name), "user_s" and "sys_s" (each rank's getrusage over
 * the timed part), "class" for the macro kernels, then the benchmark's own
 * fields. Usage errors exit 2 before MPI is started; failures print on
 * stderr and abort the job (non-zero); a result that does not verify is
 * still printed, with "verified": false, and every rank exits 1. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpibench.h"

#define MB_EXIT_FAIL  1
#define MB_EXIT_USAGE 2

#if defined(MPICH_VERSION)
#define MB_MPI_NAME    "MPICH"
#define MB_MPI_VERSION MPICH_VERSION
#elif defined(LAM_MPI)
#define MB_MPI_NAME "LAM"
#ifdef LAM_VERSION
#define MB_MPI_VERSION LAM_VERSION
#else
#define MB_MPI_VERSION "unknown"
#endif
#else
#define MB_MPI_NAME    "unknown"
#define MB_MPI_VERSION "unknown"
#endif

/* Options, as bits, so that the table says which a benchmark takes. */
enum {
	OPT_CLASS = 1 << 0,
	OPT_REPS = 1 << 1,
	OPT_MAX_BYTES = 1 << 2,
};

struct bench {
	const char *name;
	mb_fn fn;      /* NULL: micro, all of the micro benchmarks */
	unsigned opts; /* accepted */
	int min_ranks; /* below this, the run is refused */
	bool macro;    /* a NAS-style kernel: has a class */
	const char *help;
};

static const struct bench benches[] = {
    {"pingpong", mb_pingpong, OPT_REPS | OPT_MAX_BYTES, 2, false,
     "ranks 0 and 1 bounce 1 B .. B bytes; median latency and bandwidth per size"},
    {"sendrecv", mb_sendrecv, OPT_REPS | OPT_MAX_BYTES, 2, false,
     "MPI_Sendrecv around a ring of all ranks, 1 B .. B bytes; median time per size"},
    {"allreduce", mb_allreduce, OPT_REPS, 2, false,
     "MPI_Allreduce (sum) of doubles, 8 B .. 1 MiB; median time per size"},
    {"barrier", mb_barrier, OPT_REPS, 2, false, "median time of MPI_Barrier"},
    {"wtime", mb_wtime, 0, 2, false, "MPI_Wtick and the measured resolution of MPI_Wtime"},
    {"micro", NULL, OPT_REPS | OPT_MAX_BYTES, 2, false,
     "all of the above in one run, an object each"},
    {"ep", mb_ep, OPT_CLASS, 1, true,
     "embarrassingly parallel: NAS EP Gaussian pairs, counts per annulus"},
    {"is", mb_is, OPT_CLASS, 1, true,
     "integer sort: bucket exchange by MPI_Alltoall + MPI_Alltoallv, counting sort"},
    {"cg", mb_cg, OPT_CLASS, 1, true,
     "conjugate gradient on a 3-D sparse SPD matrix, halo exchange between slabs"},
    {"mg", mb_mg, OPT_CLASS, 1, true,
     "multigrid V-cycles on a periodic 3-D Poisson problem, halo exchange between slabs"},
};

/* The micro benchmarks that micro runs, in order. */
static const char *const micro_set[] = {"pingpong", "sendrecv", "allreduce", "barrier", "wtime"};

#define NBENCHES (sizeof(benches) / sizeof(benches[0]))
#define NMICRO   (sizeof(micro_set) / sizeof(micro_set[0]))

static const struct option long_opts[] = {
    {"class", required_argument, NULL, 'c'},
    {"reps", required_argument, NULL, 'r'},
    {"max-bytes", required_argument, NULL, 'b'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Before MPI_Init nothing says which rank we are but the launcher's
 * environment; used to print usage errors and --help once, not per rank. */
static bool launcher_rank0(void)
{
	static const char *const vars[] = {"PMI_RANK", "LAMRANK", "OMPI_COMM_WORLD_RANK"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && strcmp(v, "0") != 0)
			return false;
	}
	return true;
}

static void usage(FILE *f, bool full)
{
	fprintf(f, "usage: vnetlab-mpi BENCH [--class S|W|A] [--reps N] [--max-bytes B]\n");
	if (!full) {
		fprintf(f, "benchmarks:");
		for (size_t i = 0; i < NBENCHES; i++)
			fprintf(f, " %s", benches[i].name);
		fprintf(f, "\nTry 'vnetlab-mpi --help'.\n");
		return;
	}
	fprintf(f, "\nRun under mpiexec/mpirun. Rank 0 prints one JSON object on stdout:\n"
	           "benchmark, [class,] ranks, mpi, mpi_version, wall_s, verified, hosts,\n"
	           "user_s, sys_s (per rank, over the timed part) and the benchmark's fields.\n\n"
	           "Micro benchmarks (at least 2 ranks). Without --reps a point gets up to 50\n"
	           "repetitions, fewer when they would take over 0.1 s or 16 MiB; --reps N\n"
	           "gives exactly N. --max-bytes B (default 4M) takes a K, M or G suffix:\n");
	for (size_t i = 0; i < NBENCHES; i++)
		if (!benches[i].macro)
			fprintf(f, "  %-10s %s\n", benches[i].name, benches[i].help);
	fprintf(f, "\nMacro kernels (ep, is: any number of ranks; cg, mg: up to 32; --class\n"
	           "S|W|A, default S; each verifies its result; mops as in NAS, see the\n"
	           "source):\n");
	for (size_t i = 0; i < NBENCHES; i++)
		if (benches[i].macro)
			fprintf(f, "  %-10s %s\n", benches[i].name, benches[i].help);
	fprintf(f, "\nExit: 0 verified, 1 not verified or failed, 2 usage error.\n");
}

_Noreturn static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	if (launcher_rank0()) {
		fprintf(stderr, "vnetlab-mpi: ");
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fprintf(stderr, "\n");
		usage(stderr, false);
	}
	exit(MB_EXIT_USAGE);
}

static const struct bench *find_bench(const char *name)
{
	for (size_t i = 0; i < NBENCHES; i++)
		if (strcmp(benches[i].name, name) == 0)
			return &benches[i];
	return NULL;
}

/* A decimal integer in [min, max] with an optional K, M or G (binary)
 * suffix when allowed; -1 when it is not one. */
static int parse_long(const char *s, long min, long max, bool suffix, long *out)
{
	char *end;
	long v, mult = 1;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (suffix && *end) {
		switch (*end) {
		case 'K':
		case 'k':
			mult = 1L << 10;
			break;
		case 'M':
			mult = 1L << 20;
			break;
		case 'G':
			mult = 1L << 30;
			break;
		default:
			return -1;
		}
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
	}
	if (*end || v > max / mult)
		return -1;
	v *= mult;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static const char *opt_name(unsigned bit)
{
	return bit == OPT_CLASS ? "--class" : bit == OPT_REPS ? "--reps" : "--max-bytes";
}

static const struct bench *parse_args(int argc, char **argv, struct mb_opts *o)
{
	char **av = argv + 1; /* getopt's view: the options after BENCH */
	const struct bench *b;
	long v;
	int c;

	o->cls = MB_CLASS_S;
	o->reps = 50;
	o->max_bytes = 4L << 20;
	if (argc < 2)
		usage_error("missing BENCH");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (launcher_rank0())
			usage(stdout, true);
		exit(0);
	}
	b = find_bench(argv[1]);
	if (!b)
		usage_error("unknown benchmark '%s'", argv[1]);

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc - 1, av, "+:h", long_opts, NULL)) != -1) {
		unsigned bit = c == 'c'   ? OPT_CLASS
		               : c == 'r' ? OPT_REPS
		               : c == 'b' ? OPT_MAX_BYTES
		                          : 0;

		if (c == 'h') {
			if (launcher_rank0())
				usage(stdout, true);
			exit(0);
		}
		if (c == '?')
			usage_error("unknown option '%s'", av[optind - 1]);
		if (c == ':')
			usage_error("option '%s' needs a value", av[optind - 1]);
		if (!(b->opts & bit))
			usage_error(b->macro ? "a macro kernel does not take %s"
			                     : "this benchmark does not take %s",
			            opt_name(bit));
		switch (c) {
		case 'c':
			if (strcmp(optarg, "S") == 0)
				o->cls = MB_CLASS_S;
			else if (strcmp(optarg, "W") == 0)
				o->cls = MB_CLASS_W;
			else if (strcmp(optarg, "A") == 0)
				o->cls = MB_CLASS_A;
			else
				usage_error("--class '%s': expected S, W or A", optarg);
			break;
		case 'r':
			if (parse_long(optarg, 1, 1000000, false, &v) < 0)
				usage_error("--reps '%s': expected an integer 1..1000000", optarg);
			o->reps = (int)v;
			o->reps_given = true;
			break;
		case 'b':
			if (parse_long(optarg, 1, 1L << 30, true, &v) < 0)
				usage_error("--max-bytes '%s': expected 1..1G bytes", optarg);
			o->max_bytes = v;
			break;
		}
	}
	if (optind < argc - 1)
		usage_error("unexpected argument '%s'", av[optind]);
	return b;
}

/* Runs one benchmark with a fresh meter; returns its JSON fields (complete
 * on rank 0) with wall_s and verified first, and adds its meter to total. */
static json_t *run_one(const struct bench *b, const struct mb_opts *o, struct mb_meter *total,
                       bool *verified)
{
	struct mb_meter m = {0};
	json_t *out = json_object(), *res = json_object();
	int ok, all_ok = 0;
	double wall = 0;

	if (!out || !res)
		mb_die("out of memory building JSON");
	ok = b->fn(o, &m, out) ? 1 : 0;
	if (m.running)
		mb_end(&m);
	MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	MPI_Reduce(&m.wall, &wall, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
	total->wall += m.wall;
	total->user += m.user;
	total->sys += m.sys;
	*verified = all_ok != 0;
	mb_set(res, "wall_s", json_real(wall));
	mb_set(res, "verified", json_boolean(*verified));
	if (json_object_update(res, out) < 0)
		mb_die("out of memory building JSON");
	json_decref(out);
	return res;
}

/* hosts, user_s, sys_s: one entry per rank, gathered to rank 0. */
static void add_per_rank(const struct mb_opts *o, const struct mb_meter *m, json_t *root)
{
	char name[MPI_MAX_PROCESSOR_NAME + 1], *names = NULL;
	double mine[2] = {m->user, m->sys}, *all = NULL;
	json_t *hosts, *user, *sys;
	int len = 0;

	memset(name, 0, sizeof(name));
	if (MPI_Get_processor_name(name, &len) != MPI_SUCCESS)
		snprintf(name, sizeof(name), "?");
	name[MPI_MAX_PROCESSOR_NAME] = 0;
	if (o->rank == 0) {
		names = mb_alloc((size_t)o->size, MPI_MAX_PROCESSOR_NAME + 1);
		all = mb_alloc((size_t)o->size, 2 * sizeof(double));
	}
	MPI_Gather(name, MPI_MAX_PROCESSOR_NAME + 1, MPI_CHAR, names, MPI_MAX_PROCESSOR_NAME + 1,
	           MPI_CHAR, 0, MPI_COMM_WORLD);
	MPI_Gather(mine, 2, MPI_DOUBLE, all, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	if (o->rank != 0)
		return;
	hosts = json_array();
	user = json_array();
	sys = json_array();
	if (!hosts || !user || !sys)
		mb_die("out of memory building JSON");
	for (int r = 0; r < o->size; r++) {
		char *n = names + (size_t)r * (MPI_MAX_PROCESSOR_NAME + 1);

		n[MPI_MAX_PROCESSOR_NAME] = 0;
		mb_append(hosts, json_string(n));
		mb_append(user, json_real(all[2 * r]));
		mb_append(sys, json_real(all[2 * r + 1]));
	}
	mb_set(root, "hosts", hosts);
	mb_set(root, "user_s", user);
	mb_set(root, "sys_s", sys);
	free(names);
	free(all);
}

int main(int argc, char **argv)
{
	struct mb_meter total = {0};
	const struct bench *b;
	struct mb_opts o = {0};
	json_t *root, *fields;
	bool verified = true;
	double wall = 0;
	char *s;

	b = parse_args(argc, argv, &o);

	if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
		fprintf(stderr, "vnetlab-mpi: MPI_Init failed\n");
		return MB_EXIT_FAIL;
	}
	MPI_Comm_rank(MPI_COMM_WORLD, &o.rank);
	MPI_Comm_size(MPI_COMM_WORLD, &o.size);
	if (o.size < b->min_ranks)
		mb_die_all("%s needs at least %d ranks, got %d", b->name, b->min_ranks, o.size);

	root = json_object();
	if (!root)
		mb_die("out of memory building JSON");
	mb_set(root, "benchmark", json_string(b->name));
	if (b->macro)
		mb_set(root, "class", json_string(mb_class_name(o.cls)));
	mb_set(root, "ranks", json_integer(o.size));
	mb_set(root, "mpi", json_string(MB_MPI_NAME));
	mb_set(root, "mpi_version", json_string(MB_MPI_VERSION));

	if (b->fn) {
		fields = run_one(b, &o, &total, &verified);
		json_object_del(fields, "wall_s");
		json_object_del(fields, "verified");
	} else {
		fields = json_object();
		if (!fields)
			mb_die("out of memory building JSON");
		for (size_t i = 0; i < NMICRO; i++) {
			bool ok;

			mb_set(fields, micro_set[i],
			       run_one(find_bench(micro_set[i]), &o, &total, &ok));
			verified = verified && ok;
		}
	}
	MPI_Reduce(&total.wall, &wall, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
	mb_set(root, "wall_s", json_real(wall));
	mb_set(root, "verified", json_boolean(verified));
	add_per_rank(&o, &total, root);

	if (o.rank == 0) {
		if (json_object_update(root, fields) < 0)
			mb_die("out of memory building JSON");
		s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
		if (!s)
			mb_die("out of memory building JSON");
		if (printf("%s\n", s) < 0 || fflush(stdout) != 0)
			mb_die("cannot write to stdout");
		free(s);
		if (!verified)
			fprintf(stderr, "vnetlab-mpi: %s: the result did not verify\n", b->name);
	}
	json_decref(fields);
	json_decref(root);
	mb_exit(verified ? 0 : MB_EXIT_FAIL);
}
