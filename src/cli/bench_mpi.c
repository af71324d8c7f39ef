/* vnetlab bench mpi: one MPI job in each environment asked for (ns nodes,
 * proc processes, the bare host, one rank alone), and how their run times
 * compare. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "study/compare.h"
#include "cli/cli.h"
#include "host/host.h"

static const struct option mpi_opts[] = {
    {"mpi", required_argument, NULL, 'm'},
    {"benchmark", required_argument, NULL, 'k'},
    {"class", required_argument, NULL, 'c'},
    {"ranks", required_argument, NULL, 'n'},
    {"backend", required_argument, NULL, 'b'},
    {"timeout", required_argument, NULL, 'T'},
    {"bw", required_argument, NULL, 'W'},
    {"json", required_argument, NULL, 'j'},
    {"profile", required_argument, NULL, 'F'},
    VL_CLI_HOSTS_LONGOPTS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void starting(const struct vl_mpi_opts *o, const char *env)
{
	fprintf(stderr, "vnetlab: bench mpi: %s %s%s%s on %s ...\n", o->impl, o->bench,
	        o->cls ? " class " : "", o->cls ? o->cls : "", env);
}

/* The table; VL_EXIT_FAIL if a job that ran did not finish or verify. */
static int print_table(const struct vl_mpi_opts *o, const struct vl_mpi_compare *c)
{
	int rc = VL_EXIT_OK;

	printf("mpi (%s): %s%s%s, %zu ranks\n", o->impl, o->bench, o->cls ? " class " : "",
	       o->cls ? o->cls : "", o->ranks);
	printf("%-5s %5s %5s %8s %10s %8s %6s %10s  %s\n", "ENV", "RANKS", "DONE", "VERIFIED",
	       "TIMED s", "JOB s", "HOSTS", "SENT MB", "NOTE");
	for (size_t i = 0; i < c->n; i++) {
		const struct vl_mpi_result *r = &c->res[i];

		if (r->skipped) {
			printf("%-5s %5zu %5s %8s %10s %8s %6s %10s  skipped: %s\n", r->env,
			       r->ranks, "-", "-", "-", "-", "-", "-", r->error);
			continue;
		}
		printf("%-5s %5zu %5s %8s %10.3f %8.2f %6zu %10.2f  %s\n", r->env, r->ranks,
		       r->finished ? "yes" : "no", r->verified ? "yes" : "no", r->wall_s, r->job_s,
		       r->hosts, r->link_bytes / 1e6,
		       r->finalize_hang ? "hung in MPI_Finalize after its result (killed)"
		                        : r->error);
		if (!r->finished || !r->verified)
			rc = VL_EXIT_FAIL;
	}
	for (size_t i = 0; i < c->n; i++)
		if ((!strcmp(c->res[i].env, "ns") || !strcmp(c->res[i].env, "vm") ||
		     !strcmp(c->res[i].env, "rm")) &&
		    c->res[i].finished && c->res[i].hosts < o->ranks)
			printf("  note: the ranks ran on %zu hosts, not %zu\n", c->res[i].hosts,
			       o->ranks);
	return rc;
}

int vl_cli_bench_mpi_compare(struct vl_mpi_opts *o, const char *cls, const char *envs,
                             const char *json_out)
{
	char bindir[PATH_MAX], why[512];
	struct vl_mpi_compare c;
	struct vl_err err = {0};
	int rc = VL_EXIT_OK, r;

	if (vl_compare_mpi_check(o, cls, &err) < 0 || vl_compare_mpi_envs_check(o, envs, &err) < 0)
		return vl_cli_usage("bench", "mpi: %s", err.msg);
	if (vl_cli_work_path(bindir, sizeof(bindir)) < 0) {
		fprintf(stderr, "vnetlab: the workloads program %s is missing (make builds it)\n",
		        bindir);
		return VL_EXIT_FAIL;
	}
	*strrchr(bindir, '/') = '\0';
	o->bindir = bindir;
	if (vl_mpi_missing(o, why, sizeof(why))) {
		fprintf(stderr, "vnetlab: bench mpi (%s): skipped: %s\n", o->impl, why);
		return VL_EXIT_SKIPPED;
	}
	if (vl_compare_mpi(o, envs, isatty(STDERR_FILENO) ? starting : NULL, &c, &err) < 0)
		rc = vl_cli_fail(&err);
	if ((r = print_table(o, &c)) != VL_EXIT_OK && rc == VL_EXIT_OK)
		rc = r;
	if (vl_cli_write_json(vl_compare_mpi_json(o, &c), json_out) != VL_EXIT_OK)
		rc = VL_EXIT_FAIL;
	vl_compare_mpi_free(&c);
	return rc;
}

/* With --hosts, the hosts opened for the comparison, and closed. */
static int mpi_on_hosts(struct vl_mpi_opts *o, const struct vl_cli_hosts *h, const char *cls,
                        const char *envs, const char *json_out)
{
	struct vl_hosts hs = {0};
	int rc = vl_cli_hosts_open(h, "bench", &hs);

	if (rc != VL_EXIT_OK || !h->spec)
		return rc != VL_EXIT_OK ? rc : vl_cli_bench_mpi_compare(o, cls, envs, json_out);
	o->hosts = &hs;
	rc = vl_cli_bench_mpi_compare(o, cls, envs, json_out);
	vl_hosts_close(&hs);
	return rc;
}

int cmd_bench_mpi(int argc, char **argv)
{
	struct vl_mpi_opts o = {.impl = "mpich", .bench = "ep", .ranks = 4, .timeout = 300};
	const char *envs = "ns,proc,solo,one", *json_out = NULL, *cls = NULL;
	struct vl_cli_hosts hosts = {0};
	unsigned long u;
	int opt, p;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "n:b:h", mpi_opts, NULL)) != -1) {
		if (vl_cli_hosts_opt(&hosts, opt, optarg))
			continue;
		switch (opt) {
		case 'm':
			o.impl = optarg;
			break;
		case 'k':
			o.bench = optarg;
			break;
		case 'c':
			cls = optarg;
			break;
		case 'n':
			if (vl_parse_uint(optarg, 1, 64, &u) < 0)
				return vl_cli_usage("bench", "mpi: --ranks takes 1 to 64");
			o.ranks = u;
			break;
		case 'b':
			envs = optarg;
			break;
		case 'T':
			if (vl_cli_seconds(optarg, 86400, &o.timeout) < 0)
				return vl_cli_usage("bench",
				                    "mpi: --timeout takes seconds, up to a day");
			break;
		case 'F':
			if ((p = vl_profile_parse(optarg)) < 0)
				return vl_cli_usage(
				    "bench", "mpi: --profile takes study or none, not \"%s\"",
				    optarg);
			o.profile = (enum vl_profile)p;
			break;
		case 'W':
			o.bw = optarg;
			break;
		case 'j':
			json_out = optarg;
			break;
		case 'h':
			return vl_cli_help("bench");
		default:
			return vl_cli_usage("bench", "mpi: bad option");
		}
	}
	if (optind != argc)
		return vl_cli_usage("bench", "mpi: unexpected argument \"%s\"", argv[optind]);
	return mpi_on_hosts(&o, &hosts, cls, envs, json_out);
}
