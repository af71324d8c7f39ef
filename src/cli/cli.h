/* The command line: one file per subcommand, one table (main.c) drives
 * dispatch and help. Only this layer prints errors and exits. */
#ifndef VL_CLI_CLI_H
#define VL_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"
#include "topo/topo.h"

/* `vnetlab version` / `vnetlab --version` */
#define VL_VERSION "0.29.0"

enum vl_exit {
	VL_EXIT_OK = 0,
	VL_EXIT_FAIL = 1,  /* the operation failed */
	VL_EXIT_USAGE = 2, /* bad command line */
	/* bench: a program the workload needs is not installed */
	VL_EXIT_SKIPPED = 77,
	/* exec: vnetlab itself failed before running the command */
	VL_EXIT_EXEC_FAIL = 125,
	VL_EXIT_CANNOT_EXEC = 126,
	VL_EXIT_NOT_FOUND = 127,
};

/* A command's help (help.c); main.c has the table that runs them. */
struct vl_cmd_help {
	const char *name;
	const char *args;    /* one-line synopsis of the arguments */
	const char *summary; /* one line */
	const char *help;    /* the long text for `vnetlab help CMD` / --help */
};

extern const struct vl_cmd_help vl_cmd_help[];
/* "usage: vnetlab COMMAND [ARGS]" and every command's summary. */
void vl_cli_list(FILE *f);

int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_mn(int argc, char **argv);
int cmd_py(int argc, char **argv); /* py.c: python3 with the mininet package */
int cmd_capture(int argc, char **argv); /* capture.c: tcpdump on a lab's interfaces */
/* Exec python3 with ARGS (n of them) where `import mininet` is vnetlab's
 * package; returns only on failure (the exit status to use, 125-127). */
int vl_py_exec(char *const *args, size_t n);
int cmd_plan(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_shell(int argc, char **argv); /* shell.c: Mininet's CLI over a lab */
int cmd_bench(int argc, char **argv);
int cmd_bench_mpi(int argc, char **argv); /* bench mpi: argv[0] is "mpi" */
int cmd_capacity(int argc, char **argv);
int cmd_study(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_hosts(int argc, char **argv);
/* Hidden: `vnetlab __hostinfo [--underlay IFACE|CIDR]`, this host's
 * underlay and vnetlab's version as JSON, asked by `vnetlab hosts`. */
int cmd_hostinfo(int argc, char **argv);
/* Hidden: `vnetlab __rsh [ssh options] HOST COMMAND...`, an ssh for MPI
 * launchers: runs COMMAND in node HOST of the lab $VNETLAB_LAB. */
int cmd_rsh(int argc, char **argv);
/* Hidden: `vnetlab __echo LAB NODE TIMEOUT IP...`: ICMP echoes from a
 * namespace node, one "IP RECEIVED RTT_MS" line each (shell_echo.c). */
int cmd_echo(int argc, char **argv);
/* The long options bench and capacity share (vl_cli_bench_opt reads all
 * but --json, which each command handles itself). */
/* clang-format off */
#define VL_CLI_BENCH_LONGOPTS                                                                      \
	{"seconds", required_argument, NULL, 's'}, {"bytes", required_argument, NULL, 'B'},        \
	{"size", required_argument, NULL, 'S'}, {"timeout", required_argument, NULL, 'T'},         \
	{"json", required_argument, NULL, 'j'}, {"bw", required_argument, NULL, 'W'},              \
	{"cipher", required_argument, NULL, 'c'}, {"scene", required_argument, NULL, 'P'},        \
	{"profile", required_argument, NULL, 'F'}, {"cpus", required_argument, NULL, 'U'}
/* clang-format on */
/* Options bench and capacity share (--seconds, --bytes, --size, --timeout,
 * --bw): 1 if opt was one (*rc set on a bad value). */
struct vl_bench_opts;
int vl_cli_bench_opt(struct vl_bench_opts *o, int opt, const char *arg, const char *cmd, int *rc);
/* 0 if w is a built-in workload; else -1 with the usage error in *rc. */
int vl_cli_bench_workload(const char *w, const char *cmd, int *rc);
/* Seconds in (0, max], the whole string: 0, or -1. */
int vl_cli_seconds(const char *s, double max, double *out);
/* 0 if the workload can run here with these options; else -1 with *rc
 * set: VL_EXIT_SKIPPED (a program is missing, said why) or a usage error. */
int vl_cli_bench_ready(const struct vl_bench_opts *o, const char *cmd, int *rc);
/* Path of the workloads program (vnetlab-work); < 0 if not executable. */
int vl_cli_work_path(char *buf, size_t len);
/* A workload that can run here (vl_cli_bench_workload, vl_cli_bench_ready)
 * and the workloads program, into work (PATH_MAX bytes) and o->work: 0,
 * or -1 with *rc set (and said). */
int vl_cli_bench_prepare(struct vl_bench_opts *o, const char *cmd, char *work, int *rc);
/* Options parsed, the rest of `bench` and `bench mpi` (study runs them
 * too): the checks, the comparison (bench/compare.h), its tables, its
 * --json file (json_out, or NULL); the exit status. */
struct vl_compare_opts;
struct vl_mpi_opts;
int vl_cli_bench_compare(struct vl_compare_opts *o, const char *backends, const char *json_out);
int vl_cli_bench_mpi_compare(struct vl_mpi_opts *o, const char *cls, const char *envs,
                             const char *json_out);
/* --hosts SPEC and --underlay IFACE|CIDR of bench, study and bench mpi:
 * the real machines of the rm environment (host/host.h). */
/* clang-format off */
#define VL_CLI_HOSTS_LONGOPTS                                                                      \
	{"hosts", required_argument, NULL, 'H'}, {"underlay", required_argument, NULL, 'u'}
/* clang-format on */
struct vl_cli_hosts {
	const char *spec, *underlay;
};
/* 1 if opt was --hosts or --underlay (kept in h). */
int vl_cli_hosts_opt(struct vl_cli_hosts *h, int opt, const char *arg);
/* The hosts of h->spec parsed, opened and each asked for its underlay
 * (nothing done without a spec): VL_EXIT_OK, or the error's status, said
 * (a bad spec is a usage error; an unreachable host names itself). */
struct vl_hosts;
int vl_cli_hosts_open(const struct vl_cli_hosts *h, const char *cmd, struct vl_hosts *hs);
/* Write root to path (unless NULL) and release it: VL_EXIT_FAIL, said, if
 * it cannot be written. */
struct json_t;
int vl_cli_write_json(struct json_t *root, const char *path);

/* Print "vnetlab: <msg>" to stderr and return VL_EXIT_FAIL. */
int vl_cli_fail(const struct vl_err *err);
/* Print a usage error for `cmd` and return VL_EXIT_USAGE. */
int vl_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the long help of `cmd` to stdout and return 0. */
int vl_cli_help(const char *cmd);

/* Topology input shared by up and plan: -f FILE or --topo SPEC, and the
 * settings that override the file's for every node. */
struct vl_topo_opts {
	const char *file;
	const char *spec;
	const char *name;
	const char *pool;
	int ipv6;                    /* VL_UNSET, 0, 1 */
	int profile;                 /* VL_UNSET or enum vl_profile */
	int backend;                 /* enum vl_backend */
	struct vl_topo_res res;      /* --cpus, --memory, ...: for every node */
	const char *vm_kernel;       /* --vm-kernel */
	const char *vm_machine;      /* --vm-machine */
	double vm_timeout;           /* --vm-timeout */
	int vm_clone;                /* --vm-clone: 0 unset, 1 on, -1 off */
	const char *vm_programs[32]; /* --vm-program, each */
	size_t n_vm_programs;
	const char *vm_exports[32]; /* --vm-export, each */
	size_t n_vm_exports;
	const char *mgmt;  /* --mgmt on|off|SUBNET */
	bool nat;          /* --nat */
	int host_services; /* --host-services on|off: VL_UNSET, 1, 0 */
	const char *link;  /* --link: Mininet's settings for every link (link/linkspec.h) */
	int accounting;    /* --accounting: VL_ACCOUNT_* bits, or -1 */
	bool mac;          /* --mac: Mininet's autoSetMacs, host k's first link 00:..:k */
};
void vl_cli_topo_opts_init(struct vl_topo_opts *o);
void vl_cli_topo_opts_free(struct vl_topo_opts *o);

/* The long options of vl_cli_topo_opt, for getopt_long tables. */
#define VL_TOPO_LONGOPTS                                                                           \
	{"file", required_argument, NULL, 'f'}, {"topo", required_argument, NULL, 't'},            \
	    {"name", required_argument, NULL, 'n'}, {"pool", required_argument, NULL, 'P'},        \
	    {"ipv6", required_argument, NULL, '6'}, {"backend", required_argument, NULL, 'b'},     \
	    {"profile", required_argument, NULL, 'R'}, {"cpus", required_argument, NULL, 0x101},   \
	    {"cpu-weight", required_argument, NULL, 0x102},                                        \
	    {"cpuset", required_argument, NULL, 0x103},                                            \
	    {"memory", required_argument, NULL, 0x104}, {"pids", required_argument, NULL, 0x105},  \
	    {"vm-kernel", required_argument, NULL, 0x106},                                         \
	    {"vm-machine", required_argument, NULL, 0x107},                                        \
	    {"vm-program", required_argument, NULL, 0x109},                                        \
	    {"vm-clone", required_argument, NULL, 0x10a},                                          \
	    {"vm-export", required_argument, NULL, 0x10b},                                         \
	    {"mgmt", required_argument, NULL, 0x120}, {"nat", no_argument, NULL, 0x121},           \
	    {"host-services", required_argument, NULL, 0x122},                                     \
	    {"link", required_argument, NULL, 0x140}, {"mac", no_argument, NULL, 0x241},           \
	    {"accounting", required_argument, NULL, 0x150},                                        \
	{                                                                                          \
		"vm-timeout", required_argument, NULL, 0x108                                       \
	}
/* Returns 1 if the option at hand was a topology option (consumed). */
int vl_cli_topo_opt(struct vl_topo_opts *o, int opt, const char *arg, const char *cmd, int *rc);
/* Load, apply overrides, print warnings, pick the lab name. */
int vl_cli_load_topo(const struct vl_topo_opts *o, struct vl_topo **t, char *lab, size_t lablen,
                     struct vl_err *err);

#endif
