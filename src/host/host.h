/* The hosts a lab runs on, as a table of backends like the node backends:
 * `local` (this machine, the default), `ssh:H1,H2,...` or `@FILE` (root
 * over OpenSSH with shared connections) and `slurm` (the nodes of the
 * allocation a command runs in, through srun). Each backend only says how
 * a command reaches host i; running it, waiting with a deadline, carrying
 * files and asking a host for its underlay are the same for all. */
#ifndef VL_HOST_HOST_H
#define VL_HOST_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/util.h"

struct vl_host {
	char *name;
	/* filled by vl_hosts_probe: */
	char addr[16]; /* its underlay IPv4 address */
	char dev[16];  /* the underlay's device */
	int mtu;       /* the underlay's MTU */
	char *version; /* `vnetlab version` there */
	char *labs;    /* the labs there, "NAME ID\n" each (validated) */
};

struct vl_hosts_opts {
	const char *underlay; /* --underlay IFACE|CIDR, or NULL: the default route's device */
	double timeout;       /* seconds a command on a host may take (0: 30) */
};

struct vl_host_backend;
struct vl_hosts {
	const struct vl_host_backend *be;
	struct vl_host *h;
	size_t n, cap;
	struct vl_hosts_opts o;
	char *dir;     /* ssh: the directory of the shared connections' sockets */
	char *config;  /* ssh: the config file given by VNETLAB_SSH_CONFIG, or NULL */
	char *vnetlab; /* the vnetlab program on the hosts (this one's path) */
	bool tty;      /* wrap: the command gets a terminal (ssh -t) */
	bool oneshot;  /* one command: no shared connection (ssh) */
	bool keep;     /* close leaves the shared connections (a lab over hosts holds them
	                * until its down; ssh ends them after a minute unused) */
	int dir_fd;    /* ssh: the directory, held (shared lock) while open; -1 */
};

/* A command's end on a host: its exit status (128 + signal if killed, -1
 * if it could not start) and what it wrote on stdout and stderr. */
struct vl_host_result {
	int status;
	struct vl_buf out;
};

struct vl_host_backend {
	const char *name;
	/* Read what follows the backend's name in the spec (ssh: the list,
	 * @FILE: the file) into hs->h; a malformed spec is -1 with err. */
	int (*parse)(struct vl_hosts *hs, const char *arg, struct vl_err *err);
	/* Ready to run commands (slurm: the allocation's nodes). */
	int (*open)(struct vl_hosts *hs, struct vl_err *err);
	/* The command line that runs argv on host i, waited for. */
	void (*wrap)(const struct vl_hosts *hs, size_t i, char *const argv[], struct vl_argv *out);
	/* Copy local file `from` to `to` on host i. */
	int (*carry)(struct vl_hosts *hs, size_t i, const char *from, const char *to,
	             struct vl_err *err);
	void (*close)(struct vl_hosts *hs);
};

extern const struct vl_host_backend vl_host_local, vl_host_ssh, vl_host_slurm;

/* Parse a --hosts spec (NULL: local) into hs: -1 with err if malformed
 * (a usage error). */
int vl_hosts_parse(struct vl_hosts *hs, const char *spec, const struct vl_hosts_opts *o,
                   struct vl_err *err);
/* Ready the hosts (vl_hosts_parse first). */
int vl_hosts_open(struct vl_hosts *hs, struct vl_err *err);
void vl_hosts_close(struct vl_hosts *hs);

/* Keep the first n hosts: the rest forgotten, their connections closed. */
void vl_hosts_truncate(struct vl_hosts *hs, size_t n);
/* Run argv on host i and wait (at most the timeout): 0 with r filled
 * whatever the command's status, -1 only if it could not be run. */
int vl_hosts_run(struct vl_hosts *hs, size_t i, char *const argv[], struct vl_host_result *r,
                 struct vl_err *err);
/* The same on every host at once: r[hs->n]. */
int vl_hosts_run_all(struct vl_hosts *hs, char *const argv[], struct vl_host_result *r,
                     struct vl_err *err);
/* A command per host at once: argvs[i] on host i (NULL: nothing there,
 * status 0). */
int vl_hosts_run_each(struct vl_hosts *hs, char **const argvs[], struct vl_host_result *r,
                      struct vl_err *err);
/* The command line that runs argv on host i with this process's stdin,
 * stdout and stderr (a terminal if it has one: ssh -t), to exec. */
void vl_hosts_wrap(const struct vl_hosts *hs, size_t i, char *const argv[], struct vl_argv *out);
void vl_host_results_free(struct vl_host_result *r, size_t n);
/* Copy a local file to a path on host i. */
int vl_hosts_carry(struct vl_hosts *hs, size_t i, const char *from, const char *to,
                   struct vl_err *err);
/* Ask every host for its underlay and vnetlab's version (`vnetlab
 * __hostinfo` there); an unreachable host or one without vnetlab is -1
 * with err naming it and the cause. */
int vl_hosts_probe(struct vl_hosts *hs, struct vl_err *err);

/* The backends' shared parts. */
void vl_hosts_add(struct vl_hosts *hs, const char *name);
/* A host name as ssh and Slurm take it: [A-Za-z0-9._-], not starting with
 * '-', at most 253 characters; NULL or why not. */
const char *vl_host_name_invalid(const char *name);
/* Copy by running `cat` on host i with the file as its stdin, into a
 * file beside TO renamed over it (TO may be FROM on a shared file system). */
int vl_host_carry_cat(struct vl_hosts *hs, size_t i, const char *from, const char *to,
                      struct vl_err *err);
/* Append s to b quoted for a POSIX shell ('...' with ' as '\''). */
void vl_shell_quote(struct vl_buf *b, const char *s);

/* This machine's underlay as `vnetlab __hostinfo [--underlay X]` prints
 * it: the device of the default route (or IFACE, or the one with an
 * address in CIDR), its first IPv4 address and MTU. */
int vl_underlay_here(const char *underlay, char addr[16], char dev[16], int *mtu,
                     struct vl_err *err);

#endif
