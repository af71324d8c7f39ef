/* up --hosts: one lab over several hosts (span.h). The planning host
 * (where up runs) reads the file, asks every host for its underlay, places
 * the nodes (METIS, plan/place.h) and checks the MTU links across hosts
 * need, all before anything is made; then every host builds its own part
 * of the same plan at once (`vnetlab up ... --part K/N`), links across
 * hosts as VXLAN; a probe crosses every pair of hosts with a link between
 * them at the largest size, unfragmented; the lab is recorded here. Any
 * failure takes every part down again and names the host. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/span.h"
#include "plan/part.h"
#include "plan/place.h"

#define UP_TIMEOUT 1800.0 /* s, a host's part */

int vl_cli_up_hosts_opt(struct vl_up_hosts *o, int opt, const char *arg, int *rc)
{
	switch (opt) {
	case 0x160:
		o->spec = arg;
		return 1;
	case 0x161:
		o->underlay = arg;
		return 1;
	case 0x162:
		if (vl_parse_uint(arg, 1, 65535, &o->port) < 0)
			*rc = vl_cli_usage("up", "--vxlan-port takes 1 to 65535, not \"%s\"", arg);
		return 1;
	case 0x163:
		o->part = arg;
		return 1;
	case 0x164:
		o->id = arg;
		return 1;
	case 0x165:
		o->peers = arg;
		return 1;
	case 0x166:
		if (vl_parse_uint(arg, 68 + VL_PLAN_VXLAN_OVERHEAD, 65535, &o->span_mtu) < 0)
			*rc = vl_cli_usage("up", "--span-mtu takes 118 to 65535, not \"%s\"", arg);
		return 1;
	case 0x167:
		o->place_sum = arg;
		return 1;
	}
	return 0;
}

bool vl_cli_spanned(const char *lab)
{
	const char *part = getenv("VNETLAB_PART");

	return !(part && !strcmp(part, "1")) && vl_span_exists(lab);
}

void vl_cli_part_argv(const struct vl_hosts *hs, struct vl_argv *a)
{
	vl_argv_addl(a, "env", "VNETLAB_PART=1", hs->vnetlab, NULL);
}

/* --- a part ------------------------------------------------------------ */

int vl_cli_up_part(const struct vl_up_hosts *o, struct vl_up_span *sp, struct vl_err *err)
{
	char addr[16], me[16], dev[16];
	cleanup_free char *peers = NULL;
	char *save = NULL, *end;
	uint32_t *ul;
	int k, n, mtu;
	size_t i = 0;

	if (sscanf(o->part, "%d/%d", &k, &n) != 2 || n < 2 || n > VL_TOPO_MAX_HOSTS || k < 0 ||
	    k >= n)
		return vl_err_set(err, EINVAL, "--part %s: not K/N with 0 <= K < N", o->part);
	if (!o->id || !o->peers || !o->span_mtu || !o->place_sum)
		return vl_err_set(err, EINVAL, "--part needs --id, --peers, --span-mtu, --place-sum");
	sp->place_sum = (uint32_t)strtoul(o->place_sum, &end, 16);
	if (*end || !*o->place_sum)
		return vl_err_set(err, EINVAL, "--place-sum %s: not hexadecimal", o->place_sum);
	ul = vl_xcalloc((size_t)n, sizeof(*ul));
	sp->underlay = ul;
	peers = vl_xstrdup(o->peers);
	for (char *a = strtok_r(peers, ",", &save); a; a = strtok_r(NULL, ",", &save), i++) {
		struct in_addr in;

		if (i >= (size_t)n || inet_pton(AF_INET, a, &in) != 1)
			return vl_err_set(err, EINVAL, "--peers: \"%s\" is not host %zu's IPv4", a, i);
		ul[i] = ntohl(in.s_addr);
	}
	if (i != (size_t)n)
		return vl_err_set(err, EINVAL, "--peers: %zu addresses for %d hosts", i, n);
	if (vl_underlay_here(o->underlay, me, dev, &mtu, err) < 0)
		return -1;
	vl_fmt_ip(ul[k], addr);
	if (strcmp(addr, me))
		return vl_err_set(err, EINVAL,
		                  "this host's underlay (%s on %s) is not %s, where the lab was "
		                  "planned to reach it",
		                  me, dev, addr);
	if ((unsigned long)mtu < o->span_mtu)
		return vl_err_set(err, EMSGSIZE, "the underlay %s's MTU %d is under the lab's %lu",
		                  dev, mtu, o->span_mtu);
	sp->n_hosts = n;
	sp->part = k;
	sp->id = o->id;
	sp->underlay_mtu = (int)o->span_mtu;
	sp->port = (uint16_t)(o->port ? o->port : VL_VXLAN_PORT);
	snprintf(sp->dev_buf, sizeof(sp->dev_buf), "%s", dev);
	sp->dev = sp->dev_buf;
	sp->slurm_job = getenv("SLURM_JOB_ID"); /* srun's, for an epilog's down */
	return 0;
}

/* --- the planning host ------------------------------------------------- */

/* up's arguments for each part: all but what only the planning host
 * acts on (--hosts, --json, --quiet, --test, --shell), the file's path
 * absolute (it is carried to the same path). */
static void part_args(int argc, char **argv, const char *file, struct vl_argv *out)
{
	static const char *const drop_arg[] = {"--hosts", "--test", NULL};
	static const char *const drop[] = {"--json", "-q", "--quiet", "--shell", NULL};

	vl_argv_add(out, "up");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool skip = false;

		if (!strcmp(a, "--")) 
			break;
		for (size_t k = 0; drop_arg[k] && !skip; k++) {
			size_t n = strlen(drop_arg[k]);

			if (!strncmp(a, drop_arg[k], n) && (!a[n] || a[n] == '=')) {
				skip = true;
				i += !a[n];
			}
		}
		for (size_t k = 0; drop[k] && !skip; k++)
			skip = !strcmp(a, drop[k]);
		if (!skip && file && (!strcmp(a, "-f") || !strcmp(a, "--file"))) {
			vl_argv_addl(out, "--file", file, NULL);
			i++;
			skip = true;
		} else if (!skip && file && (!strncmp(a, "--file=", 7) || !strncmp(a, "-f", 2))) {
			vl_argv_addl(out, "--file", file, NULL);
			skip = true;
		}
		if (!skip)
			vl_argv_add(out, a);
	}
	vl_argv_add(out, "-q");
}

/* Is "NAME ID" line-wise in a host's labs, by name (id NULL) or by id? */
static bool has_lab(const char *labs, const char *name, const char *id)
{
	for (const char *l = labs ? labs : ""; *l; l = strchr(l, '\n') + 1) {
		size_t n = strcspn(l, " ");

		if (name && strlen(name) == n && !strncmp(l, name, n))
			return true;
		if (id && !strncmp(l + n + 1, id, VL_LAB_ID_LEN))
			return true;
	}
	return false;
}

/* The lab's id: its name's, or the next free on every host; a lab of the
 * name on a host is refused, naming it, before anything is made. */
static int pick_id(const struct vl_hosts *hs, const char *lab, char id[VL_LAB_ID_LEN + 1],
                   struct vl_err *err)
{
	bool used = true;

	for (size_t h = 0; h < hs->n; h++)
		if (has_lab(hs->h[h].labs, lab, NULL))
			return vl_err_set(err, EEXIST, "host %s: lab %s is already up there",
			                  hs->h[h].name, lab);
	vl_lab_id_from_name(lab, id);
	for (int k = 0; used && k <= 0xffff; k++) {
		used = false;
		for (size_t h = 0; h < hs->n && !used; h++)
			used = has_lab(hs->h[h].labs, NULL, id);
		if (used)
			vl_lab_id_next(id);
	}
	return used ? vl_err_set(err, EBUSY, "no lab id free on every host") : 0;
}

/* The hosts, asked for their underlays, and the lab placed over them with
 * the MTU its links across hosts take: nothing made yet. */
static int plan_over(const struct vl_topo *t, const char *lab, int backend, struct vl_hosts *hs,
                     struct vl_plan **p, int *mtu, struct vl_err *err)
{
	char id[VL_LAB_ID_LEN + 1];

	if (vl_hosts_open(hs, err) < 0 || vl_hosts_probe(hs, err) < 0)
		return -1;
	if (hs->n < 2)
		return vl_err_set(err, EINVAL, "--hosts %s: one host (a lab on one host needs no "
		                  "--hosts)", hs->be->name);
	if (pick_id(hs, lab, id, err) < 0)
		return -1;
	if (vl_plan_build(t, lab, id, (enum vl_backend)backend, p, err) < 0 ||
	    vl_plan_place(*p, (int)hs->n, err) < 0)
		return -1;
	if ((size_t)(*p)->n_hosts < hs->n)
		fprintf(stderr, "vnetlab: warning: %zu hosts for %d nodes: the lab goes on the "
		        "first %d\n", hs->n, (*p)->n_hosts, (*p)->n_hosts);
	*mtu = 0;
	for (int h = 0; h < (*p)->n_hosts; h++)
		if (!*mtu || hs->h[h].mtu < *mtu)
			*mtu = hs->h[h].mtu;
	for (int h = 0; h < (*p)->n_hosts; h++)
		if (vl_plan_span_mtu(*p, hs->h[h].mtu, err) < 0)
			return vl_err_wrap(err, "host %s (underlay %s)", hs->h[h].name, hs->h[h].dev);
	return 0;
}

/* The last line a host's command wrote, without vnetlab's prefix. */
static const char *why(struct vl_buf *out)
{
	char *s = out->s ? out->s : "", *nl;
	size_t len = strlen(s);

	while (len && s[len - 1] == '\n')
		s[--len] = 0;
	nl = strrchr(s, '\n');
	s = nl ? nl + 1 : s;
	return strncmp(s, "vnetlab: ", 9) ? s : s + 9;
}

/* Run argv (a vnetlab command for a part) on hosts [0, n) at once; the
 * first failure in err, naming its host; ok[h] whether host h's did. */
static int run_parts(struct vl_hosts *hs, int n, char **const argvs[], bool *ok,
                     struct vl_err *err)
{
	cleanup_free struct vl_host_result *r = vl_xcalloc(hs->n, sizeof(*r));
	size_t keep = hs->n;
	int rc;

	hs->n = (size_t)n;
	bool ran = (rc = vl_hosts_run_each(hs, argvs, r, err)) == 0;

	for (int h = 0; h < n; h++) {
		ok[h] = ran && r[h].status == 0;
		if (rc == 0 && !ok[h])
			rc = vl_err_set(err, 0, "host %s: %s", hs->h[h].name,
			                r[h].status < 0 && !*why(&r[h].out) ? "no answer in time"
			                                                     : why(&r[h].out));
	}
	vl_host_results_free(r, (size_t)n);
	hs->n = keep;
	return rc;
}

/* Every host's part down (those in which, or all). */
static int down_parts(struct vl_hosts *hs, int n, const char *lab, const bool *which,
                      struct vl_err *err)
{
	cleanup_free char ***argvs = vl_xcalloc((size_t)n, sizeof(*argvs));
	cleanup_free bool *ok = vl_xcalloc((size_t)n, sizeof(*ok));
	cleanup_argv struct vl_argv a = {0};

	vl_cli_part_argv(hs, &a);
	vl_argv_addl(&a, "down", lab, NULL);
	for (int h = 0; h < n; h++)
		argvs[h] = !which || which[h] ? a.v : NULL;
	return run_parts(hs, n, (char **const *)argvs, ok, err);
}

/* Every host's part up at once: up's arguments and the part's. */
static int start_parts(struct vl_hosts *hs, const struct vl_plan *p, int mtu,
                       const struct vl_argv *args, bool *ok, struct vl_err *err)
{
	cleanup_free char ***argvs = vl_xcalloc((size_t)p->n_hosts, sizeof(*argvs));
	cleanup_free struct vl_argv *a = vl_xcalloc((size_t)p->n_hosts, sizeof(*a));
	struct vl_buf peers = {0};
	char part[32], sum[16], smtu[16];
	int rc;

	for (int h = 0; h < p->n_hosts; h++)
		vl_buf_printf(&peers, "%s%s", h ? "," : "", hs->h[h].addr);
	snprintf(sum, sizeof(sum), "%08x", vl_plan_place_sum(p));
	snprintf(smtu, sizeof(smtu), "%d", mtu);
	for (int h = 0; h < p->n_hosts; h++) {
		vl_cli_part_argv(hs, &a[h]);
		for (size_t k = 0; k < args->n; k++)
			vl_argv_add(&a[h], args->v[k]);
		snprintf(part, sizeof(part), "%d/%d", h, p->n_hosts);
		vl_argv_addl(&a[h], "--part", part, "--id", p->id, "--peers", peers.s, "--span-mtu",
		             smtu, "--place-sum", sum, NULL);
		argvs[h] = a[h].v;
	}
	rc = run_parts(hs, p->n_hosts, (char **const *)argvs, ok, err);
	for (int h = 0; h < p->n_hosts; h++)
		vl_argv_free(&a[h]);
	vl_buf_free(&peers);
	return rc;
}

/* A node on host h with an address on segment seg, or -1. */
static long member(const struct vl_plan *p, int seg, int h, uint32_t *addr)
{
	for (size_t i = 0; seg >= 0 && i < p->n_nodes; i++) {
		const struct vl_plan_node *n = &p->nodes[i];

		if (p->host[n->topo_node] != h)
			continue;
		for (size_t j = 0; j < n->n_ifs; j++)
			if (n->ifs[j].seg == seg && n->ifs[j].addr) {
				*addr = n->ifs[j].addr;
				return (long)i;
			}
	}
	return -1;
}

/* The segment of end e of veth v. */
static int end_seg(const struct vl_plan *p, const struct vl_plan_end *e)
{
	if (e->ns >= 0)
		return p->nodes[e->ns].ifs[e->node_if].seg;
	return e->ns == VL_PLAN_INFRA ? p->bridges[e->bridge].seg : -1;
}

/* One probe as a shell word list: vnetlab exec LAB SRC -- ping, DF set. */
static void probe_cmd(const struct vl_hosts *hs, const struct vl_plan *p, long src, uint32_t to,
                      int mtu, struct vl_buf *sh)
{
	cleanup_argv struct vl_argv a = {0};
	char ip[16], size[16];

	vl_fmt_ip(to, ip);
	snprintf(size, sizeof(size), "%d", mtu - 28);
	vl_cli_part_argv(hs, &a);
	vl_argv_addl(&a, "exec", p->lab, p->nodes[src].name, "--", "ping", "-n", "-q", "-c", "1",
	             "-w", "5", "-M", "do", "-s", size, ip, NULL);
	for (size_t k = 0; k < a.n; k++) {
		vl_shell_quote(sh, a.v[k]);
		vl_buf_add(sh, " ", 1);
	}
}

/* Across every pair of hosts with a link between them, once: from a node
 * on one to a node on the other on the link's segment, the largest
 * packet the link takes, unfragmented (DF); every host's probes at once. */
static int probe(struct vl_hosts *hs, const struct vl_plan *p, struct vl_err *err)
{
	size_t nh = (size_t)p->n_hosts;
	cleanup_free bool *done = vl_xcalloc(nh * nh, sizeof(*done));
	cleanup_free bool *ok = vl_xcalloc(nh, sizeof(*ok));
	cleanup_free char ***argvs = vl_xcalloc(nh, sizeof(*argvs));
	cleanup_free struct vl_buf *sh = vl_xcalloc(nh, sizeof(*sh));
	cleanup_free size_t *n = vl_xcalloc(nh, sizeof(*n));
	int rc;

	for (size_t c = 0; c < p->n_cut; c++) {
		const struct vl_plan_veth *ve;
		int x = p->cut[c].host[0], y = p->cut[c].host[1];
		uint32_t from, to;
		long src, dst;

		if (p->cut[c].veth < 0 || done[x * nh + y] || done[y * nh + x])
			continue;
		ve = &p->veths[p->cut[c].veth];
		src = member(p, end_seg(p, &ve->end[0]), x, &from);
		dst = member(p, end_seg(p, &ve->end[0]), y, &to);
		if (src < 0 || dst < 0)
			continue;
		done[x * nh + y] = true;
		/* a probe a subshell, its status kept: the host fails if any does */
		vl_buf_printf(&sh[x], "%s( ", n[x]++ ? "" : "f=0; ");
		probe_cmd(hs, p, src, to, ve->mtu, &sh[x]);
		vl_buf_printf(&sh[x], ") & p%zu=$!; ", n[x]);
	}
	for (size_t h = 0; h < nh; h++) {
		if (!n[h])
			continue;
		for (size_t k = 1; k <= n[h]; k++)
			vl_buf_printf(&sh[h], "wait $p%zu || f=1; ", k);
		vl_buf_printf(&sh[h], "exit $f");
		argvs[h] = vl_xcalloc(4, sizeof(char *));
		argvs[h][0] = "sh";
		argvs[h][1] = "-c";
		argvs[h][2] = sh[h].s;
	}
	rc = run_parts(hs, p->n_hosts, (char **const *)argvs, ok, err);
	for (size_t h = 0; h < nh; h++) {
		free(argvs[h]);
		vl_buf_free(&sh[h]);
	}
	return rc < 0 ? vl_err_wrap(err, "probe across hosts") : 0;
}

/* The lab's record here: its hosts, where each node is. */
static int record(const struct vl_hosts *hs, const struct vl_plan *p, const char *spec,
                  const char *underlay, int mtu, unsigned port, struct vl_err *err)
{
	const struct vl_topo *t = p->topo;
	struct vl_span s = {.hosts = (char *)spec,
	                    .underlay = (char *)underlay,
	                    .ssh_config = getenv("VNETLAB_SSH_CONFIG"),
	                    .slurm_job = getenv("SLURM_JOB_ID"),
	                    .slurm_nodelist = getenv("SLURM_JOB_NODELIST"),
	                    .slurm_conf = getenv("SLURM_CONF"),
	                    .n_hosts = (size_t)p->n_hosts,
	                    .n_nodes = t->n_nodes,
	                    .mtu = mtu - VL_PLAN_VXLAN_OVERHEAD,
	                    .port = (int)port,
	                    .n_cut = p->n_cut};
	cleanup_free char **host = vl_xcalloc(s.n_hosts, sizeof(*host));
	cleanup_free char(*addr)[16] = vl_xcalloc(s.n_hosts, sizeof(*addr));
	cleanup_free char **node = vl_xcalloc(t->n_nodes + 1, sizeof(*node));

	snprintf(s.lab, sizeof(s.lab), "%s", p->lab);
	snprintf(s.id, sizeof(s.id), "%s", p->id);
	for (size_t h = 0; h < s.n_hosts; h++) {
		host[h] = hs->h[h].name;
		memcpy(addr[h], hs->h[h].addr, sizeof(addr[h]));
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		node[i] = t->nodes[i].name;
		s.n_switches += t->nodes[i].kind == VL_KIND_BRIDGE;
	}
	s.host = host;
	s.addr = addr;
	s.node = node;
	s.node_host = p->host;
	return vl_span_write(&s, err);
}

static void print_up(const struct vl_hosts *hs, const struct vl_plan *p, int mtu, double secs,
                     bool json)
{
	const struct vl_topo *t = p->topo;
	cleanup_free size_t *count = vl_xcalloc((size_t)p->n_hosts, sizeof(*count));
	size_t n_sw = 0;
	json_t *j, *hosts;

	for (size_t i = 0; i < t->n_nodes; i++) {
		n_sw += t->nodes[i].kind == VL_KIND_BRIDGE;
		count[p->host[i]] += t->nodes[i].kind != VL_KIND_BRIDGE;
	}
	if (!json) {
		printf("lab %s is up over %d hosts: %zu nodes, %zu switches, %zu links (%zu across "
		       "hosts as VXLAN, MTU %d) in %.2f s (id %s)\n",
		       p->lab, p->n_hosts, t->n_nodes - n_sw, n_sw, t->n_links, p->n_cut,
		       mtu - VL_PLAN_VXLAN_OVERHEAD, secs, p->id);
		for (int h = 0; h < p->n_hosts; h++)
			printf("  host %s (%s): %zu nodes\n", hs->h[h].name, hs->h[h].addr, count[h]);
		return;
	}
	hosts = json_array();
	for (int h = 0; h < p->n_hosts; h++)
		json_array_append_new(hosts, json_pack("{s:s, s:s, s:I}", "name", hs->h[h].name,
		                                       "addr", hs->h[h].addr, "nodes",
		                                       (json_int_t)count[h]));
	j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:i, s:f, s:o}", "lab", p->lab, "id",
	              p->id, "backend", vl_backend_name(p->backend), "nodes",
	              (json_int_t)(t->n_nodes - n_sw), "switches", (json_int_t)n_sw, "links",
	              (json_int_t)t->n_links, "cut", (json_int_t)p->n_cut, "mtu",
	              mtu - VL_PLAN_VXLAN_OVERHEAD, "seconds", secs, "hosts", hosts);
	json_dumpf(j, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(j);
}

/* One file to the same path on host h; a directory is not carried (said:
 * it must be there already). */
static int carry_one(struct vl_hosts *hs, int h, const char *path, const char *what,
                     struct vl_err *err)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "vnetlab: warning: %s %s is a directory: not carried to host %s "
		        "(it must be there)\n", what, path, hs->h[h].name);
		return 0;
	}
	if (vl_hosts_carry(hs, (size_t)h, path, path, err) < 0)
		return vl_err_wrap(err, "%s", what);
	return 0;
}

/* The topology file and the files it names (binds, FRR's startup
 * configs) to every host, each to the same path (a file system the hosts
 * share keeps it whole): every host reads the whole file, checking them. */
static int carry_files(struct vl_hosts *hs, const struct vl_plan *p, const char *file,
                       struct vl_err *err)
{
	const struct vl_topo *t = p->topo;
	char what[160];

	for (int h = 0; hs->be != &vl_host_local && h < p->n_hosts; h++) {
		if (file && carry_one(hs, h, file, "the topology", err) < 0)
			return -1;
		for (size_t i = 0; i < t->n_nodes; i++) {
			const struct vl_topo_settings *set = &t->nodes[i].set;

			snprintf(what, sizeof(what), "node %s's startup-config", t->nodes[i].name);
			if (set->startup_config &&
			    carry_one(hs, h, set->startup_config, what, err) < 0)
				return -1;
			for (size_t b = 0; b < set->n_binds; b++) {
				const char *eq = strchr(set->binds[b], '=');
				cleanup_free char *src = eq ? vl_xstrdup(eq + 1) : NULL;
				char *colon = src ? strrchr(src, ':') : NULL;

				if (colon && (!strcmp(colon, ":ro") || !strcmp(colon, ":rw")))
					*colon = 0;
				snprintf(what, sizeof(what), "node %s's bind", t->nodes[i].name);
				if (src && carry_one(hs, h, src, what, err) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

/* Told to stop while the parts were made: every one goes again. */
static int check_interrupt(struct vl_err *err)
{
	return interrupted ? vl_err_set(err, EINTR, "interrupted (%s)", strsignal(interrupted))
	                   : 0;
}

int vl_cli_up_over_hosts(int argc, char **argv, const struct vl_topo *t, const char *lab,
                         int backend, const struct vl_up_hosts *o, bool json, bool quiet)
{
	struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
	struct vl_hosts hs;
	struct vl_plan *p = NULL;
	struct vl_err err = {0}, derr = {0};
	cleanup_argv struct vl_argv args = {0};
	cleanup_free char *file = NULL;
	cleanup_free bool *ok = NULL;
	double t0 = vl_now();
	int mtu = 0, rc = VL_EXIT_OK;

	if (vl_span_exists(lab))
		return vl_cli_fail(&(struct vl_err){
		    .msg = "this lab is already up over hosts here (vnetlab down it first)"});
	if (vl_hosts_parse(&hs, o->spec, &(struct vl_hosts_opts){.underlay = o->underlay},
	                   &err) < 0)
		return vl_cli_usage("up", "%s", err.msg);
	if (t->source && strcmp(t->source, "-") && !(file = realpath(t->source, NULL)))
		file = NULL;
	part_args(argc, argv, file, &args);
	/* Ctrl-C or a TERM: what the hosts run finishes (in process groups of
	 * their own), then every part made goes */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (plan_over(t, lab, backend, &hs, &p, &mtu, &err) < 0 || check_interrupt(&err) < 0 ||
	    carry_files(&hs, p, file, &err) < 0 || check_interrupt(&err) < 0) {
		rc = vl_cli_fail(&err);
		goto out;
	}
	ok = vl_xcalloc((size_t)p->n_hosts, sizeof(*ok));
	hs.o.timeout = UP_TIMEOUT;
	if (start_parts(&hs, p, mtu, &args, ok, &err) < 0 || check_interrupt(&err) < 0 ||
	    probe(&hs, p, &err) < 0 || check_interrupt(&err) < 0 ||
	    record(&hs, p, o->spec, o->underlay, mtu, o->port ? (unsigned)o->port : VL_VXLAN_PORT,
	           &err) < 0) {
		/* only the parts this up made: a lab of the name on a host
		 * that refused is another's */
		if (down_parts(&hs, p->n_hosts, lab, ok, &derr) < 0)
			fprintf(stderr, "vnetlab: taking the parts down again: %s\n", derr.msg);
		rc = vl_cli_fail(&err);
		goto out;
	}
	if (!quiet || json)
		print_up(&hs, p, mtu, vl_now() - t0, json);
	/* the lab's connections, until its down; none to hosts it is not on */
	vl_hosts_truncate(&hs, (size_t)p->n_hosts);
	hs.keep = true;
out:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	vl_plan_free(p);
	vl_hosts_close(&hs);
	return rc;
}
