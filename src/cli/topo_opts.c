/* -f FILE / --topo SPEC and their overrides, shared by up and plan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "link/linkspec.h"
#include "plan/plan.h"

void vl_cli_topo_opts_init(struct vl_topo_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ipv6 = VL_UNSET;
	o->profile = VL_UNSET;
	o->backend = VL_BACKEND_NS;
	o->accounting = -1;
	o->host_services = VL_UNSET;
	vl_topo_res_init(&o->res);
}

void vl_cli_topo_opts_free(struct vl_topo_opts *o)
{
	vl_topo_res_free(&o->res);
}

/* "cpu,memory,tasks" or "all" into VL_ACCOUNT_* bits (CPU time is always
 * measured); -1 if it is neither. */
static int parse_accounting(const char *arg)
{
	static const struct {
		const char *name;
		int bits;
	} words[] = {{"cpu", 0},
	             {"memory", VL_ACCOUNT_MEMORY},
	             {"tasks", VL_ACCOUNT_TASKS},
	             {"all", VL_ACCOUNT_MEMORY | VL_ACCOUNT_TASKS}};
	int bits = 0;

	for (const char *p = arg;; p++) {
		size_t len = strcspn(p, ","), k;

		for (k = 0; k < VL_ARRAY_SIZE(words); k++)
			if (strlen(words[k].name) == len && !strncmp(p, words[k].name, len))
				break;
		if (k == VL_ARRAY_SIZE(words))
			return -1;
		bits |= words[k].bits;
		p += len;
		if (!*p)
			return bits;
	}
}

/* The options of guests (--vm-*): 1 if opt was one. */
static int vm_opt(struct vl_topo_opts *o, int opt, const char *arg, const char *cmd, int *rc)
{
	switch (opt) {
	case 0x106:
		o->vm_kernel = arg;
		return 1;
	case 0x109:
		if (arg[0] != '/' || access(arg, X_OK) < 0)
			*rc = vl_cli_usage(
			    cmd, "--vm-program %s: not an executable at an absolute path", arg);
		else if (o->n_vm_programs == VL_ARRAY_SIZE(o->vm_programs))
			*rc = vl_cli_usage(cmd, "--vm-program: at most %zu",
			                   VL_ARRAY_SIZE(o->vm_programs));
		else
			o->vm_programs[o->n_vm_programs++] = arg;
		return 1;
	case 0x10b:
		if (arg[0] != '/' || access(arg, F_OK) < 0)
			*rc =
			    vl_cli_usage(cmd, "--vm-export %s: not an existing absolute path", arg);
		else if (o->n_vm_exports == VL_ARRAY_SIZE(o->vm_exports))
			*rc = vl_cli_usage(cmd, "--vm-export: at most %zu",
			                   VL_ARRAY_SIZE(o->vm_exports));
		else
			o->vm_exports[o->n_vm_exports++] = arg;
		return 1;
	case 0x10a:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			*rc = vl_cli_usage(cmd, "--vm-clone takes on or off, not \"%s\"", arg);
		o->vm_clone = !strcmp(arg, "on") ? 1 : -1;
		return 1;
	case 0x107:
		if (strcmp(arg, "microvm") && strcmp(arg, "q35"))
			*rc =
			    vl_cli_usage(cmd, "--vm-machine takes microvm or q35, not \"%s\"", arg);
		o->vm_machine = arg;
		return 1;
	case 0x108: {
		unsigned long s;

		if (vl_parse_uint(arg, 1, 86400, &s) < 0)
			*rc = vl_cli_usage(cmd, "--vm-timeout takes seconds (1..86400), not \"%s\"",
			                   arg);
		o->vm_timeout = (double)s;
		return 1;
	}
	}
	return 0;
}

int vl_cli_topo_opt(struct vl_topo_opts *o, int opt, const char *arg, const char *cmd, int *rc)
{
	static const char *const res_keys[] = {"cpus", "cpu-weight", "cpuset", "memory", "pids"};
	const char *why;
	int v;

	if (opt >= 0x101 && opt <= 0x105) {
		const char *key = res_keys[opt - 0x101];

		if ((why = vl_topo_res_set(&o->res, key, arg)))
			*rc = vl_cli_usage(cmd, "--%s \"%s\": %s", key, arg, why);
		return 1;
	}
	if (vm_opt(o, opt, arg, cmd, rc))
		return 1;
	switch (opt) {
	case 0x150:
		if ((o->accounting = parse_accounting(arg)) < 0)
			*rc = vl_cli_usage(cmd,
			                   "--accounting takes a list of cpu, memory and tasks (or "
			                   "all), not \"%s\"",
			                   arg);
		return 1;
	case 0x140: {
		struct vl_link_spec ls;
		struct vl_err err = {0};

		if (vl_link_spec_parse(arg, &ls, &err) < 0)
			*rc = vl_cli_usage(cmd, "%s", err.msg);
		vl_link_spec_free(&ls);
		o->link = arg;
		return 1;
	}
	case 0x241:
		o->mac = true;
		return 1;
	case 0x120:
		o->mgmt = arg;
		return 1;
	case 0x121:
		o->nat = true;
		return 1;
	case 0x122:
		if (strcmp(arg, "on") && strcmp(arg, "off"))
			*rc = vl_cli_usage(cmd, "--host-services takes on or off, not \"%s\"", arg);
		o->host_services = !strcmp(arg, "on");
		return 1;
	case 'b':
		if ((v = vl_backend_parse(arg)) < 0)
			*rc = vl_cli_usage(cmd, "--backend takes ns, proc or vm, not \"%s\"", arg);
		o->backend = v;
		return 1;
	case 'R':
		if ((v = vl_profile_parse(arg)) < 0)
			*rc = vl_cli_usage(cmd, "--profile takes study or none, not \"%s\"", arg);
		o->profile = v;
		return 1;
	case 'f':
		o->file = arg;
		return 1;
	case 't':
		o->spec = arg;
		return 1;
	case 'n':
		o->name = arg;
		return 1;
	case 'P':
		o->pool = arg;
		return 1;
	case '6':
		if (!strcmp(arg, "on"))
			o->ipv6 = 1;
		else if (!strcmp(arg, "off"))
			o->ipv6 = 0;
		else
			*rc = vl_cli_usage(cmd, "--ipv6 takes on or off, not \"%s\"", arg);
		return 1;
	}
	return 0;
}

/* A lab name from a file name: basename, extensions dropped, anything that
 * is not a letter, digit or '-' made a '-'. */
static void name_from_path(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t n = 0;

	base = base ? base + 1 : path;
	for (const char *p = base; *p && *p != '.' && n + 1 < len && n < 63; p++) {
		char c = *p;

		out[n++] =
		    ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		        ? c
		        : '-';
	}
	while (n && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if (!n || out[0] == '-')
		snprintf(out, len, "lab");
}

/* --mgmt on|off|SUBNET, --nat and --host-services over what the file says. */
static int apply_mgmt(const struct vl_topo_opts *o, struct vl_topo *t, struct vl_err *err)
{
	struct vl_topo_mgmt *m = &t->mgmt;

	if (o->mgmt && !strcmp(o->mgmt, "on"))
		m->on = 1;
	else if (o->mgmt && (!strcmp(o->mgmt, "off") || !strcmp(o->mgmt, "none")))
		m->on = 0;
	else if (o->mgmt) {
		const char *why;
		uint32_t a;
		int pfx;

		if (vl_parse_cidr(o->mgmt, &a, &pfx) < 0 || pfx < 8 || pfx > 30 ||
		    (a & ~(0xffffffffu << (32 - pfx))))
			return vl_err_set(err, 0,
			                  "--mgmt %s: expected on, off or an IPv4 network such as "
			                  "172.20.20.0/24 (prefix 8..30, no host bits)",
			                  o->mgmt);
		if ((why = vl_ipv4_unusable(a, pfx)))
			return vl_err_set(err, 0,
			                  "--mgmt %s overlaps %s: nodes cannot use those addresses "
			                  "(choose a private network such as 172.20.20.0/24)",
			                  o->mgmt, why);
		m->on = 1;
		m->net = a;
		m->prefix = pfx;
		if (m->gw && (m->gw & (0xffffffffu << (32 - pfx))) != a)
			m->gw = 0; /* the file's gateway was on its own subnet */
		for (size_t i = 0; i < t->n_nodes; i++)
			if (t->nodes[i].mgmt_ipv4 &&
			    (t->nodes[i].mgmt_ipv4 & (0xffffffffu << (32 - pfx))) != a)
				return vl_err_set(err, 0,
				                  "--mgmt %s: node %s's mgmt-ipv4 is not in it",
				                  o->mgmt, t->nodes[i].name);
	}
	if (o->nat) {
		if (m->on == 0)
			return vl_err_set(err, 0,
			                  "--nat goes through the management network, which is off "
			                  "(--mgmt off, or mgmt: network: none)");
		m->on = 1;
		m->nat = 1;
	}
	if (o->host_services != VL_UNSET) {
		if (m->on != 1)
			return vl_err_set(
			    err, 0,
			    "--host-services concerns the management network, which "
			    "this lab has not (a *.clab.yml file, mgmt:, or --mgmt on)");
		m->host_services = o->host_services;
	}
	return 0;
}

/* --pool over the file's pool. */
static int apply_pool(const struct vl_topo_opts *o, struct vl_topo *t, struct vl_err *err)
{
	uint32_t a;
	int pfx;

	if (!o->pool)
		return 0;
	if (vl_parse_cidr(o->pool, &a, &pfx) < 0 || pfx < 1 || pfx > 30 ||
	    (a & ~(0xffffffffu << (32 - pfx))))
		return vl_err_set(err, 0,
		                  "--pool %s: expected an IPv4 network such as "
		                  "10.0.0.0/8 (prefix 1..30, no host bits)",
		                  o->pool);
	t->pool_addr = a;
	t->pool_prefix = pfx;
	return 0;
}

/* Mininet's --link: every link, both ways, over the file's. */
/* --mac, Mininet's autoSetMacs: host k (the k-th node that is no switch,
 * from 1) gets 00:00:00:00:00:k, big-endian, on its first link's end, unless
 * the file gave that end one. */
static void apply_mac(const struct vl_topo_opts *o, struct vl_topo *t)
{
	uint64_t k = 0;

	for (size_t i = 0; o->mac && i < t->n_nodes; i++) {
		if (t->nodes[i].kind == VL_KIND_BRIDGE)
			continue;
		k++;
		for (size_t l = 0; l < t->n_links; l++) {
			struct vl_topo_endpoint *e =
			    t->links[l].ep[0].node == i ? &t->links[l].ep[0]
			    : t->links[l].ep[1].node == i ? &t->links[l].ep[1] : NULL;

			if (!e)
				continue;
			for (int b = 0; !e->have_mac && b < 6; b++)
				e->mac[b] = (uint8_t)(k >> (8 * (5 - b)));
			e->have_mac = true;
			break;
		}
	}
}

static int apply_link(const struct vl_topo_opts *o, struct vl_topo *t, struct vl_err *err)
{
	struct vl_link_spec ls;

	if (!o->link)
		return 0;
	if (vl_link_spec_parse(o->link, &ls, err) < 0)
		return -1;
	for (size_t i = 0; i < ls.n_ignored; i++)
		fprintf(stderr,
		        "vnetlab: warning: --link: %s: ignored (it picks Mininet's tc "
		        "machinery)\n",
		        ls.ignored[i]);
	for (size_t i = 0; i < t->n_links; i++)
		for (int d = 0; d < 2; d++)
			vl_link_spec_apply(&ls, &t->links[i].dir[d]);
	vl_link_spec_free(&ls);
	return 0;
}

/* The lab's name: --name, the file's name:, the file's, or the spec's. */
static int choose_name(const struct vl_topo_opts *o, const struct vl_topo *t, char *lab,
                       size_t lablen, struct vl_err *err)
{
	if (o->name) {
		const char *why = vl_name_invalid(o->name);

		if (why && strlen(o->name) > 63)
			return vl_err_set(err, 0,
			                  "--name: a lab name of %zu characters: at most 63",
			                  strlen(o->name));
		if (why)
			return vl_err_set(err, 0, "--name: lab name \"%s\" %s", o->name, why);
		snprintf(lab, lablen, "%s", o->name);
	} else if (t->name) {
		snprintf(lab, lablen, "%s", t->name);
	} else if (o->file) {
		name_from_path(o->file, lab, lablen);
	} else {
		snprintf(lab, lablen, "%s", o->spec);
		for (char *p = lab; *p; p++)
			if (*p == ',')
				*p = '-';
	}
	return 0;
}

int vl_cli_load_topo(const struct vl_topo_opts *o, struct vl_topo **tp, char *lab, size_t lablen,
                     struct vl_err *err)
{
	struct vl_topo *t = NULL;
	int r;

	if (!!o->file == !!o->spec)
		return vl_err_set(err, 0, "give a topology: -f FILE or --topo SPEC (one of them)");
	r = o->file ? vl_topo_load_file(o->file, &t, err) : vl_topo_generate(o->spec, &t, err);
	if (r < 0)
		return -1;
	for (size_t i = 0; i < t->n_warnings; i++)
		fprintf(stderr, "vnetlab: warning: %s\n", t->warnings[i]);
	if (apply_pool(o, t, err) < 0 || apply_link(o, t, err) < 0) {
		vl_topo_free(t);
		return -1;
	}
	apply_mac(o, t);
	if (o->profile != VL_UNSET)
		t->profile = (enum vl_profile)o->profile;
	if (o->accounting >= 0)
		t->accounting = (unsigned)o->accounting;
	if (apply_mgmt(o, t, err) < 0) {
		vl_topo_free(t);
		return -1;
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].kind != VL_KIND_BRIDGE)
			vl_topo_res_override(&t->nodes[i].res, &o->res);
	if (o->ipv6 != VL_UNSET) {
		t->ipv6 = o->ipv6;
		for (size_t i = 0; i < t->n_nodes; i++)
			t->nodes[i].ipv6 = VL_UNSET;
	}
	if (choose_name(o, t, lab, lablen, err) < 0) {
		vl_topo_free(t);
		return -1;
	}
	*tp = t;
	return 0;
}
