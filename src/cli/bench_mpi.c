/* vnetlab bench mpi: one MPI job in each environment asked for (ns nodes,
 * proc processes, the bare host, one rank alone), and how their run times
 * compare. */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "bench/mpi.h"
#include "cli/cli.h"

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
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const micro[] = {"pingpong", "sendrecv", "allreduce",
                                    "barrier",  "wtime",    "micro"};
static const char *const macro[] = {"ep", "is", "cg", "mg"};

static bool listed(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, v[i]))
			return true;
	return false;
}

int cmd_bench_mpi(int argc, char **argv)
{
	struct vl_mpi_opts o = {.impl = "mpich", .bench = "ep", .ranks = 4, .timeout = 300};
	char bindir[PATH_MAX], why[512], *sv;
	const char *envs_arg = "ns,proc,solo,one";
	cleanup_free char *envs = NULL;
	const char *json_out = NULL, *cls = NULL;
	struct vl_mpi_result res[8];
	struct vl_err err = {0};
	size_t n_res = 0;
	unsigned long u;
	int opt, rc = VL_EXIT_OK;
	json_t *root, *runs;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "n:b:h", mpi_opts, NULL)) != -1) {
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
			envs_arg = optarg;
			break;
		case 'T':
			if (vl_cli_seconds(optarg, 86400, &o.timeout) < 0)
				return vl_cli_usage("bench",
				                    "mpi: --timeout takes seconds, up to a day");
			break;
		case 'F': {
			int p = vl_profile_parse(optarg);

			if (p < 0)
				return vl_cli_usage(
				    "bench", "mpi: --profile takes study or none, not \"%s\"",
				    optarg);
			o.profile = (enum vl_profile)p;
			break;
		}
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
	if (strcmp(o.impl, "mpich") && strcmp(o.impl, "lam"))
		return vl_cli_usage("bench", "mpi: --mpi is mpich or lam, not \"%s\"", o.impl);
	if (listed(o.bench, macro, VL_ARRAY_SIZE(macro))) {
		o.cls = cls ? cls : "S";
		if (strcmp(o.cls, "S") && strcmp(o.cls, "W") && strcmp(o.cls, "A"))
			return vl_cli_usage("bench", "mpi: --class is S, W or A, not \"%s\"",
			                    o.cls);
	} else if (listed(o.bench, micro, VL_ARRAY_SIZE(micro))) {
		if (cls)
			return vl_cli_usage("bench", "mpi: %s takes no --class", o.bench);
		if (o.ranks < 2)
			return vl_cli_usage("bench", "mpi: %s needs 2 ranks or more", o.bench);
	} else {
		return vl_cli_usage("bench",
		                    "mpi: unknown benchmark \"%s\" (pingpong, sendrecv, allreduce, "
		                    "barrier, wtime, micro; ep, is, cg, mg)",
		                    o.bench);
	}
	if (vl_cli_work_path(bindir, sizeof(bindir)) < 0) {
		fprintf(stderr, "vnetlab: the workloads program %s is missing (make builds it)\n",
		        bindir);
		return VL_EXIT_FAIL;
	}
	*strrchr(bindir, '/') = '\0';
	o.bindir = bindir;
	if (vl_mpi_missing(&o, why, sizeof(why))) {
		fprintf(stderr, "vnetlab: bench mpi (%s): skipped: %s\n", o.impl, why);
		return VL_EXIT_SKIPPED;
	}
	envs = vl_xstrdup(envs_arg);
	for (char *e = strtok_r(envs, ",", &sv); e && n_res < VL_ARRAY_SIZE(res);
	     e = strtok_r(NULL, ",", &sv)) {
		if (!strcmp(e, "one") && !o.cls)
			continue; /* one rank: the macro kernels' real x N only */
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "vnetlab: bench mpi: %s %s%s%s on %s ...\n", o.impl,
			        o.bench, o.cls ? " class " : "", o.cls ? o.cls : "", e);
		if (vl_mpi_run(&o, e, &res[n_res], &err) < 0) {
			rc = vl_cli_fail(&err);
			break;
		}
		n_res++;
	}
	printf("mpi (%s): %s%s%s, %zu ranks\n", o.impl, o.bench, o.cls ? " class " : "",
	       o.cls ? o.cls : "", o.ranks);
	printf("%-5s %5s %5s %8s %10s %8s %6s %10s  %s\n", "ENV", "RANKS", "DONE", "VERIFIED",
	       "TIMED s", "JOB s", "HOSTS", "SENT MB", "NOTE");
	runs = json_array();
	for (size_t i = 0; i < n_res; i++) {
		const struct vl_mpi_result *r = &res[i];

		if (r->skipped) {
			printf("%-5s %5zu %5s %8s %10s %8s %6s %10s  skipped: %s\n", r->env,
			       r->ranks, "-", "-", "-", "-", "-", "-", r->error);
			json_array_append_new(runs, vl_mpi_result_json(r));
			continue;
		}
		printf("%-5s %5zu %5s %8s %10.3f %8.2f %6zu %10.2f  %s\n", r->env, r->ranks,
		       r->finished ? "yes" : "no", r->verified ? "yes" : "no", r->wall_s, r->job_s,
		       r->hosts, r->link_bytes / 1e6,
		       r->finalize_hang ? "hung in MPI_Finalize after its result (killed)"
		                        : r->error);
		json_array_append_new(runs, vl_mpi_result_json(r));
		if ((!r->finished || !r->verified) && !r->skipped)
			rc = rc ? rc : VL_EXIT_FAIL;
	}
	for (size_t i = 0; i < n_res; i++)
		if ((!strcmp(res[i].env, "ns") || !strcmp(res[i].env, "vm")) && res[i].finished &&
		    res[i].hosts < o.ranks)
			printf("  note: the ranks ran on %zu hosts, not %zu\n", res[i].hosts,
			       o.ranks);
	root = json_pack("{s:s, s:s, s:s, s:s*, s:I, s:I, s:s, s:o}", "workload", "mpi", "mpi",
	                 o.impl, "benchmark", o.bench, "class", o.cls, "ranks", (json_int_t)o.ranks,
	                 "host_cpus", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "profile",
	                 vl_profile_name(o.profile), "mpi_runs", runs);
	if (json_out && json_dump_file(root, json_out, JSON_INDENT(1)) < 0) {
		fprintf(stderr, "vnetlab: cannot write %s\n", json_out);
		rc = VL_EXIT_FAIL;
	}
	json_decref(root);
	for (size_t i = 0; i < n_res; i++)
		vl_mpi_result_free(&res[i]);
	return rc;
}
