/* A lab over several hosts, from the command line (span.c, span_cmds.c):
 * `up --hosts` plans it and starts every host's part; exec, status and
 * down reach the parts through the hosts recorded (lab/span.h). A command
 * run on a host for a part carries VNETLAB_PART=1: it acts on that host's
 * own part, never on a record there. */
#ifndef VL_CLI_SPAN_H
#define VL_CLI_SPAN_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "engine/engine.h"
#include "engine/state.h"
#include "host/host.h"
#include "lab/span.h"
#include "topo/topo.h"

/* up's options for a lab over hosts: what the user gives (--hosts,
 * --underlay, --vxlan-port) and what the planning host gives each part
 * (hidden: --part K/N, --id, --peers, --span-mtu, --place-sum). */
struct vl_up_hosts {
	const char *spec, *underlay;
	unsigned long port;
	const char *part, *id, *peers;
	unsigned long span_mtu;
	const char *place_sum;
};
#define VL_UP_HOSTS_LONGOPTS                                                                     \
	{"hosts", required_argument, NULL, 0x160}, {"underlay", required_argument, NULL, 0x161}, \
	    {"vxlan-port", required_argument, NULL, 0x162},                                        \
	    {"part", required_argument, NULL, 0x163}, {"id", required_argument, NULL, 0x164},      \
	    {"peers", required_argument, NULL, 0x165},                                             \
	    {"span-mtu", required_argument, NULL, 0x166},                                          \
	{                                                                                          \
		"place-sum", required_argument, NULL, 0x167                                        \
	}
/* 1 if opt was one of those (consumed; *rc set on a bad value). */
int vl_cli_up_hosts_opt(struct vl_up_hosts *o, int opt, const char *arg, int *rc);

/* This host's part: the span the engine takes (sp->underlay allocated). */
int vl_cli_up_part(const struct vl_up_hosts *o, struct vl_up_span *sp, struct vl_err *err);
/* up --hosts: plan, start every host's part with up's own arguments
 * (argv), probe across hosts, record. Prints the result. */
int vl_cli_up_over_hosts(int argc, char **argv, const struct vl_topo *t, const char *lab,
                         int backend, const struct vl_up_hosts *o, bool json, bool quiet);

/* Is this command one for the lab over hosts recorded here (and not
 * itself run on a host for a part)? */
bool vl_cli_spanned(const char *lab);
/* Open the hosts of a recorded lab. */
int vl_cli_span_open(const struct vl_span *s, struct vl_hosts *hs, struct vl_err *err);
/* A vnetlab command for a part: "env VNETLAB_PART=1 VNETLAB ARGS...". */
void vl_cli_part_argv(const struct vl_hosts *hs, struct vl_argv *a);

/* The lab's state over hosts (span_state.c): every part's merged, each
 * node and switch with its "host"; s and hs opened (closed on failure). */
int vl_cli_span_state(const char *lab, struct vl_span *s, struct vl_hosts *hs,
                      struct vl_state *st, struct vl_err *err);
json_t *vl_cli_span_doc(const struct vl_span *s, const struct vl_hosts *hs,
                        struct vl_host_result *r, struct vl_err *err);

/* A lab over hosts held open: its record and hosts (their connections
 * kept), for a command that reaches its nodes many times (the shell). */
struct vl_cli_spanned_lab {
	struct vl_span s;
	struct vl_hosts hs;
};
/* Open it with its merged state in st. */
int vl_cli_spanned_open(const char *lab, struct vl_cli_spanned_lab **out, struct vl_state *st,
                        struct vl_err *err);
void vl_cli_spanned_close(struct vl_cli_spanned_lab *sl);
/* Start argv in node on its host (vnetlab exec there), in a process
 * group of its own: stdin ours on a terminal (tty), else /dev/null;
 * stdout and stderr to out (-1: ours). Its pid. With stop, a pipe's write
 * end in *stop: closed, the program there gets SIGINT (a signal to the
 * ssh or srun here would not reach it). */
int vl_cli_spanned_spawn(struct vl_cli_spanned_lab *sl, const char *node, char *const *argv,
                         bool tty, int out, int *stop, pid_t *pid, struct vl_err *err);

/* The commands over hosts (span_cmds.c). */
int vl_cli_span_down(const char *lab);
/* down --hosts SPEC LAB: the parts of lab on those hosts, recorded here or
 * not (the host where up ran is gone, or its up was killed). */
int vl_cli_hosts_down(const char *spec, const char *lab);
int vl_cli_span_status(const char *lab, bool json);
/* link (its whole argv) on the host of the endpoint's node, and for set
 * on the host of the other end too: each shapes what leaves its own end. */
int vl_cli_span_link(const char *lab, const char *endpoint, const char *verb, int argc,
                     char **argv);
int vl_cli_span_stats(const char *lab, bool json);
int vl_cli_span_exec(const char *lab, const char *node, int argc, char **argv, bool tty);

#endif
