/* exec, status and down of a lab over several hosts (span.h): each
 * through the hosts recorded where up ran, acting on the hosts' parts. */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/cli.h"
#include "cli/span.h"

int vl_cli_span_open(const struct vl_span *s, struct vl_hosts *hs, struct vl_err *err)
{
	/* what up ran with: the user's ssh config, the allocation */
	if (s->ssh_config && !getenv("VNETLAB_SSH_CONFIG"))
		setenv("VNETLAB_SSH_CONFIG", s->ssh_config, 1);
	if (s->slurm_conf && !getenv("SLURM_CONF"))
		setenv("SLURM_CONF", s->slurm_conf, 1);
	if (s->slurm_job && !getenv("SLURM_JOB_ID")) {
		setenv("SLURM_JOB_ID", s->slurm_job, 1);
		if (s->slurm_nodelist)
			setenv("SLURM_JOB_NODELIST", s->slurm_nodelist, 1);
	}
	if (vl_hosts_parse(hs, s->hosts, &(struct vl_hosts_opts){.underlay = s->underlay}, err) <
	        0 ||
	    vl_hosts_open(hs, err) < 0)
		return -1;
	/* the hosts as recorded (an allocation's list may have grown) */
	if (hs->n < s->n_hosts)
		return vl_err_set(err, ENXIO, "lab %s was up over %zu hosts, %s has %zu", s->lab,
		                  s->n_hosts, s->hosts, hs->n);
	for (size_t h = 0; h < s->n_hosts; h++)
		if (strcmp(hs->h[h].name, s->host[h]))
			return vl_err_set(err, ENXIO, "lab %s: host %zu is %s, %s now says %s", s->lab,
			                  h, s->host[h], s->hosts, hs->h[h].name);
	vl_hosts_truncate(hs, s->n_hosts); /* the lab went on fewer */
	return 0;
}

/* Open the record of lab and its hosts: VL_EXIT_OK or said. */
static int open_span(const char *lab, struct vl_span *s, struct vl_hosts *hs)
{
	struct vl_err err = {0};

	if (vl_span_read(lab, s, &err) < 0)
		return vl_cli_fail(&err);
	if (vl_cli_span_open(s, hs, &err) < 0) {
		vl_hosts_close(hs);
		vl_span_free(s);
		return vl_cli_fail(&err);
	}
	return VL_EXIT_OK;
}

/* Did the parts' Slurm job end (srun says so on every host)? */
static bool job_ended(const struct vl_span *s, const struct vl_hosts *hs,
                      const struct vl_host_result *r)
{
	if (hs->be != &vl_host_slurm || !s->slurm_job)
		return false;
	for (size_t h = 0; h < hs->n; h++)
		if (r[h].status == 0 || !r[h].out.s ||
		    (!strstr(r[h].out.s, "has expired") && !strstr(r[h].out.s, "Invalid job id")))
			return false;
	return true;
}

/* Every host's part of lab down at once (hs open); 0 if every host's
 * went, said otherwise. */
static int parts_down(const char *lab, const struct vl_span *s, struct vl_hosts *hs)
{
	struct vl_err err = {0};
	cleanup_free struct vl_host_result *r = vl_xcalloc(hs->n, sizeof(*r));
	cleanup_argv struct vl_argv a = {0};
	int rc = VL_EXIT_OK;

	hs->o.timeout = 600;
	vl_cli_part_argv(hs, &a);
	vl_argv_addl(&a, "down", lab, NULL);
	if (vl_hosts_run_all(hs, a.v, r, &err) < 0)
		rc = vl_cli_fail(&err);
	if (rc == VL_EXIT_OK && s && job_ended(s, hs, r)) {
		fprintf(stderr,
		        "vnetlab: lab %s: its Slurm job %s has ended: each node's epilog takes its "
		        "part down (vnetlab down --slurm-job %s there); its record here is removed\n",
		        lab, s->slurm_job, s->slurm_job);
		for (size_t h = 0; h < hs->n; h++)
			r[h].status = 0;
	}
	for (size_t h = 0; rc == VL_EXIT_OK && h < hs->n; h++) {
		if (r[h].status == 0)
			continue;
		fprintf(stderr, "vnetlab: lab %s: host %s: %s\n", lab, hs->h[h].name,
		        r[h].status < 0 ? "no answer in time" : r[h].out.s);
		rc = VL_EXIT_FAIL;
	}
	vl_host_results_free(r, hs->n);
	return rc;
}

/* Every host's part of lab down at once; the record goes once none is
 * left (a host that cannot be reached keeps it: down again, or down on
 * that host). */
int vl_cli_span_down(const char *lab)
{
	struct vl_span s;
	struct vl_hosts hs = {0};
	struct vl_err err = {0};
	int rc = open_span(lab, &s, &hs);

	if (rc)
		return rc;
	rc = parts_down(lab, &s, &hs);
	if (rc == VL_EXIT_OK && vl_span_remove(lab, &err) < 0)
		rc = vl_cli_fail(&err);
	else if (rc != VL_EXIT_OK)
		fprintf(stderr, "vnetlab: lab %s: kept its record here; vnetlab down %s again once "
		        "the hosts answer (or vnetlab down %s on them)\n", lab, lab, lab);
	vl_hosts_close(&hs);
	vl_span_free(&s);
	return rc;
}

int vl_cli_hosts_down(const char *spec, const char *lab)
{
	struct vl_hosts hs;
	struct vl_err err = {0};
	int rc;

	if (vl_hosts_parse(&hs, spec, &(struct vl_hosts_opts){0}, &err) < 0)
		return vl_cli_usage("down", "%s", err.msg);
	if (vl_hosts_open(&hs, &err) < 0) {
		vl_hosts_close(&hs);
		return vl_cli_fail(&err);
	}
	rc = parts_down(lab, NULL, &hs);
	if (rc == VL_EXIT_OK && vl_span_remove(lab, &err) < 0)
		rc = vl_cli_fail(&err);
	vl_hosts_close(&hs);
	return rc;
}

/* Each host's part's state as JSON, or NULL with why. */
static json_t *part_status(struct vl_host_result *r, char **why)
{
	json_t *j = r->status == 0 ? json_loads(r->out.s, 0, NULL) : NULL;

	if (!j)
		*why = r->status < 0 ? "no answer in time" : r->out.s;
	return j;
}

static void status_text(const struct vl_span *s, const struct vl_hosts *hs,
                        struct vl_host_result *r)
{
	printf("lab %s (id %s) over %zu hosts (%s), %zu links across hosts as VXLAN (MTU %d, "
	       "port %d)\n",
	       s->lab, s->id, s->n_hosts, s->hosts, s->n_cut, s->mtu, s->port);
	for (size_t h = 0; h < hs->n; h++) {
		char *why = NULL;
		json_t *j = part_status(&r[h], &why);
		size_t n = 0;

		for (size_t i = 0; i < s->n_nodes; i++)
			n += s->node_host[i] == (int)h;
		printf("host %s (%s): %zu nodes and switches, %s\n", hs->h[h].name, s->addr[h], n,
		       j ? "up" : why);
		for (size_t i = 0; j && i < s->n_nodes; i++)
			if (s->node_host[i] == (int)h)
				printf("  %s\n", s->node[i]);
		json_decref(j);
	}
}

static void status_json(const struct vl_span *s, const struct vl_hosts *hs,
                        struct vl_host_result *r)
{
	json_t *hosts = json_array(), *nodes = json_object(), *root;

	for (size_t h = 0; h < hs->n; h++) {
		char *why = NULL;
		json_t *j = part_status(&r[h], &why);

		json_array_append_new(hosts, json_pack("{s:s, s:s, s:o, s:o}", "name", hs->h[h].name,
		                                       "addr", s->addr[h], "part",
		                                       j ? j : json_null(), "error",
		                                       j ? json_null() : json_string(why)));
	}
	for (size_t i = 0; i < s->n_nodes; i++)
		json_object_set_new(nodes, s->node[i], json_integer(s->node_host[i]));
	root = json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:i, s:I}", "lab", s->lab, "id", s->id,
	                 "hosts_spec", s->hosts, "hosts", hosts, "nodes", nodes, "mtu", s->mtu,
	                 "vxlan_port", s->port, "cut", (json_int_t)s->n_cut);
	json_dumpf(root, stdout, JSON_INDENT(1));
	putchar('\n');
	json_decref(root);
}

/* Each host's part (its status --json), with which node is on which host. */
int vl_cli_span_status(const char *lab, bool json)
{
	struct vl_span s;
	struct vl_hosts hs = {0};
	struct vl_err err = {0};
	cleanup_free struct vl_host_result *r = NULL;
	cleanup_argv struct vl_argv a = {0};
	int rc = open_span(lab, &s, &hs);

	if (rc)
		return rc;
	r = vl_xcalloc(hs.n, sizeof(*r));
	vl_cli_part_argv(&hs, &a);
	vl_argv_addl(&a, "status", "--json", lab, NULL);
	hs.keep = true;
	if (vl_hosts_run_all(&hs, a.v, r, &err) < 0)
		rc = vl_cli_fail(&err);
	else if (json)
		status_json(&s, &hs, r);
	else
		status_text(&s, &hs, r);
	for (size_t h = 0; rc == VL_EXIT_OK && h < hs.n; h++)
		rc = r[h].status ? VL_EXIT_FAIL : rc;
	vl_host_results_free(r, hs.n);
	vl_hosts_close(&hs);
	vl_span_free(&s);
	return rc;
}

/* Run argv with our stdin, stdout and stderr; its exit status. */
static int run_here(char *const argv[])
{
	extern char **environ;
	pid_t pid;
	int st, r;

	fflush(NULL);
	if ((r = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ))) {
		fprintf(stderr, "vnetlab: run %s: %s\n", argv[0], strerror(r));
		return VL_EXIT_CANNOT_EXEC;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return VL_EXIT_FAIL;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* exec on the host the node is on, with the command's own exit status. */
int vl_cli_span_exec(const char *lab, const char *node, int argc, char **argv, bool tty)
{
	struct vl_span s;
	struct vl_hosts hs = {0};
	cleanup_argv struct vl_argv a = {0}, w = {0};
	int h, rc = open_span(lab, &s, &hs);

	if (rc)
		return VL_EXIT_EXEC_FAIL;
	if ((h = vl_span_host_of(&s, node)) < 0) {
		fprintf(stderr, "vnetlab: lab %s has no node %s\n", lab, node);
		rc = VL_EXIT_EXEC_FAIL;
	} else {
		vl_cli_part_argv(&hs, &a);
		for (int k = 0; k < argc; k++)
			vl_argv_add(&a, argv[k]);
		hs.tty = tty;
		hs.keep = true; /* the lab's connections, until its down */
		vl_hosts_wrap(&hs, (size_t)h, a.v, &w);
		rc = run_here(w.v);
	}
	vl_hosts_close(&hs);
	vl_span_free(&s);
	return rc;
}

/* The host of endpoint NODE:IF's node, or -1 (said). */
static int endpoint_host(const struct vl_span *s, const char *endpoint)
{
	char node[128];
	int h;

	snprintf(node, sizeof(node), "%.*s", (int)strcspn(endpoint, ":"), endpoint);
	if ((h = vl_span_host_of(s, node)) < 0)
		fprintf(stderr, "vnetlab: lab %s has no node %s\n", s->lab, node);
	return h;
}

/* The host of the other end of endpoint's link (`link --json ... show` on
 * host h), or -1 (said). */
static int peer_host(struct vl_span *s, struct vl_hosts *hs, int h, const char *endpoint)
{
	cleanup_argv struct vl_argv a = {0};
	struct vl_host_result r = {0};
	struct vl_err err = {0};
	const char *peer;
	json_t *j = NULL;
	int ph = -1;

	vl_cli_part_argv(hs, &a);
	vl_argv_addl(&a, "link", "--json", s->lab, endpoint, "show", NULL);
	if (vl_hosts_run(hs, (size_t)h, a.v, &r, &err) < 0)
		vl_cli_fail(&err);
	else if (r.status)
		fprintf(stderr, "vnetlab: lab %s: host %s: %s", s->lab, hs->h[h].name, r.out.s);
	else if ((j = json_loads(r.out.s, 0, NULL)) &&
	         (peer = json_string_value(json_object_get(j, "peer"))))
		ph = endpoint_host(s, peer);
	json_decref(j);
	vl_buf_free(&r.out);
	return ph;
}

int vl_cli_span_link(const char *lab, const char *endpoint, const char *verb, int argc,
                     char **argv)
{
	struct vl_span s;
	struct vl_hosts hs = {0};
	cleanup_argv struct vl_argv a = {0}, w = {0};
	int h, ph = -1, rc = open_span(lab, &s, &hs);

	if (rc)
		return rc;
	hs.keep = true;
	vl_cli_part_argv(&hs, &a);
	for (int k = 0; k < argc; k++)
		vl_argv_add(&a, argv[k]);
	if ((h = endpoint_host(&s, endpoint)) < 0 ||
	    (!strcmp(verb, "set") && (ph = peer_host(&s, &hs, h, endpoint)) < 0)) {
		rc = VL_EXIT_FAIL;
	} else if (ph >= 0 && ph != h) {
		/* the other end's host first, quietly: then the endpoint's, shown */
		struct vl_host_result r = {0};
		struct vl_err err = {0};

		if (vl_hosts_run(&hs, (size_t)ph, a.v, &r, &err) < 0)
			rc = vl_cli_fail(&err);
		else if (r.status) {
			fprintf(stderr, "vnetlab: lab %s: host %s: %s", lab, hs.h[ph].name, r.out.s);
			rc = VL_EXIT_FAIL;
		}
		vl_buf_free(&r.out);
	}
	if (rc == VL_EXIT_OK) {
		vl_hosts_wrap(&hs, (size_t)h, a.v, &w);
		rc = run_here(w.v);
	}
	vl_hosts_close(&hs);
	vl_span_free(&s);
	return rc;
}

/* Each host's part's stats: as JSON, every node with its host; as a
 * table, a host at a time. */
int vl_cli_span_stats(const char *lab, bool json)
{
	struct vl_span s;
	struct vl_hosts hs = {0};
	struct vl_err err = {0};
	cleanup_free struct vl_host_result *r = NULL;
	cleanup_argv struct vl_argv a = {0};
	json_t *all = NULL, *nodes = json_array();
	int rc = open_span(lab, &s, &hs);

	if (rc) {
		json_decref(nodes);
		return rc;
	}
	hs.keep = true;
	r = vl_xcalloc(hs.n, sizeof(*r));
	vl_cli_part_argv(&hs, &a);
	vl_argv_addl(&a, "stats", lab, json ? "--json" : NULL, NULL);
	if (vl_hosts_run_all(&hs, a.v, r, &err) < 0)
		rc = vl_cli_fail(&err);
	for (size_t h = 0; rc == VL_EXIT_OK && h < hs.n; h++) {
		json_t *j = json && !r[h].status ? json_loads(r[h].out.s, 0, NULL) : NULL;
		size_t i;
		json_t *n;

		if (r[h].status || (json && !j)) {
			fprintf(stderr, "vnetlab: lab %s: host %s: %s", lab, hs.h[h].name, r[h].out.s);
			rc = VL_EXIT_FAIL;
		} else if (!json) {
			printf("%shost %s (%s):\n%s", h ? "\n" : "", hs.h[h].name, s.addr[h], r[h].out.s);
		}
		json_array_foreach(json_object_get(j, "nodes"), i, n)
		{
			json_object_set_new(n, "host", json_string(hs.h[h].name));
			json_array_append(nodes, n);
		}
		if (!all && j)
			all = json_incref(j);
		json_decref(j);
	}
	if (rc == VL_EXIT_OK && json) {
		json_object_set(all, "nodes", nodes);
		json_object_set_new(all, "hosts_spec", json_string(s.hosts));
		json_dumpf(all, stdout, JSON_INDENT(1));
		putchar('\n');
	}
	json_decref(all);
	json_decref(nodes);
	vl_host_results_free(r, hs.n);
	vl_hosts_close(&hs);
	vl_span_free(&s);
	return rc;
}
