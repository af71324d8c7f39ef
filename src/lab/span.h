/* The record of a lab over several hosts, kept where `up --hosts` ran:
 * /run/vnetlab/.span/LAB.json (root's only). Each host keeps its own part
 * as a lab of its own (lab.h); this says which hosts hold the parts and
 * which node is where, so that exec, status, down and the rest reach them.
 * Hidden beside the labs: a directory there is otherwise a lab. */
#ifndef VL_LAB_SPAN_H
#define VL_LAB_SPAN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define VL_SPAN_DIR VL_RUN_DIR "/.span"

struct vl_span {
	char lab[64], id[8];
	char *hosts;          /* the --hosts spec */
	char *underlay;       /* --underlay, or NULL */
	char *ssh_config;     /* VNETLAB_SSH_CONFIG when up ran, or NULL */
	char *slurm_job;      /* SLURM_JOB_ID and its node list when up ran, or NULL */
	char *slurm_nodelist;
	char *slurm_conf;     /* SLURM_CONF when up ran, or NULL */
	size_t n_hosts;
	char **host;          /* by host: its name */
	char (*addr)[16];     /* and its underlay address */
	size_t n_nodes;
	char **node;          /* the lab's nodes (switches too) */
	int *node_host;       /* and each one's host */
	int mtu, port;        /* links across hosts: inner MTU, VXLAN port */
	size_t n_switches;    /* of the nodes, how many are switches */
	size_t n_cut;
};

int vl_span_write(const struct vl_span *s, struct vl_err *err);
/* The record of lab, checked (names valid, hosts in range): -1 with
 * ENOENT if there is none. */
int vl_span_read(const char *lab, struct vl_span *s, struct vl_err *err);
bool vl_span_exists(const char *lab);
int vl_span_remove(const char *lab, struct vl_err *err);
void vl_span_free(struct vl_span *s);
/* The host of node (a name of the lab), or -1. */
int vl_span_host_of(const struct vl_span *s, const char *node);
/* The labs over hosts recorded here. */
int vl_span_list(char ***labs, size_t *n, struct vl_err *err);

#endif
