/* state.json's writer: the plan as the file `up` leaves, and the changes
 * `link` makes to it. See state.h. Touches only the lab's state.json. */
#include "engine/state.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "lab/lab.h"
#include "link/link.h"
#include "node/node.h"

static json_t *addr_json(uint32_t addr, int prefix)
{
	char ip[16], s[24];

	if (!addr)
		return json_null();
	vl_fmt_ip(addr, ip);
	snprintf(s, sizeof(s), "%s/%d", ip, prefix);
	return json_string(s);
}

json_t *vl_state_from_plan(const struct vl_plan *p, double up_seconds)
{
	json_t *root = json_object(), *nodes = json_array(), *sws = json_array(),
	       *links = json_array();
	const struct vl_node_backend *seen[8];
	size_t n_seen = 0;
	bool netns = false;
	char ip[16];

	json_object_set_new(root, "lab", json_string(p->lab));
	json_object_set_new(root, "id", json_string(p->id));
	json_object_set_new(root, "source", json_string(p->topo->source ? p->topo->source : ""));
	json_object_set_new(root, "backend", json_string(vl_backend_name(p->backend)));
	json_object_set_new(root, "created", json_integer((json_int_t)time(NULL)));
	if (p->part >= 0) /* one host's part of a lab over several */
		json_object_set_new(root, "part",
		                    json_pack("{s:i, s:i, s:i, s:o}", "host", p->part, "hosts",
		                              p->n_hosts, "mtu", p->span_mtu, "slurm_job",
		                              p->job ? json_string(p->job) : json_null()));
	json_object_set_new(root, "up_seconds", json_real(up_seconds));
	for (size_t i = 0; i < p->n_nodes; i++) {
		const struct vl_node_backend *be = vl_node_backend_of(p, i);
		size_t k = 0;

		while (k < n_seen && seen[k] != be)
			k++;
		if (k == n_seen && n_seen < VL_ARRAY_SIZE(seen))
			seen[n_seen++] = be;
		netns |= be->own_netns;
	}
	if (netns) {
		json_t *all = json_array();

		for (size_t k = 0; k < p->n_infras; k++)
			json_array_append_new(all, json_string(p->infras[k]));
		json_object_set_new(root, "infra_netns", json_string(p->infras[0]));
		json_object_set_new(root, "infra_netns_all", all);
	}
	json_object_set_new(root, "ipv6", json_boolean(p->topo->ipv6));

	for (size_t i = 0; i < p->n_nodes; i++) {
		const struct vl_plan_node *n = &p->nodes[i];
		const struct vl_node_backend *be = vl_node_backend_of(p, i);
		json_t *jn = json_object(), *ifs = json_array(), *routes = json_array();

		json_object_set_new(jn, "name", json_string(n->name));
		json_object_set_new(jn, "kind", json_string(vl_kind_name(n->kind)));
		json_object_set_new(jn, "backend", json_string(be->name));
		if (be->own_netns)
			json_object_set_new(jn, "netns", json_string(n->netns));
		json_object_set_new(jn, "forward", json_boolean(n->forward));
		if (p->topo->nodes[n->topo_node].set.frr)
			json_object_set_new(jn, "frr", json_true());
		json_object_set_new(jn, "cgroup", json_string(n->cgroup));
		if (!be->own_netns)
			json_object_set_new(jn, "address", addr_json(n->proc_addr, 32));
		json_object_set_new(
		    jn, "limits",
		    json_pack("{s:f, s:i, s:s, s:I, s:I, s:s?, s:b}", "cpus", n->res.cpus,
		              "cpu_weight", (int)n->res.cpu_weight, "cpuset", n->res.cpuset,
		              "memory", (json_int_t)n->res.memory, "pids", (json_int_t)n->res.pids,
		              "rootfs", n->res.rootfs, "pid_namespace", (int)n->res.pid_ns));
		json_object_set_new(jn, "ipv6", json_boolean(n->ipv6));
		if (n->mgmt_if >= 0) {
			char host[96];

			vl_fmt_ip(n->ifs[n->mgmt_if].addr, ip);
			vl_plan_mgmt_name(p, i, host, sizeof(host));
			json_object_set_new(jn, "mgmt_ipv4", json_string(ip));
			json_object_set_new(jn, "mgmt_name", json_string(host));
		}
		/* containerlab's labels and env: shown by status, env for exec */
		const struct vl_topo_settings *set = &p->topo->nodes[n->topo_node].set;

		if (set->n_labels || set->n_env) {
			json_t *lb = json_object(), *ev = json_object();

			for (size_t k = 0; k < set->n_labels; k++) {
				size_t len = strcspn(set->labels[k], "=");
				char *key = vl_xasprintf("%.*s", (int)len, set->labels[k]);

				json_object_set_new(lb, key, json_string(set->labels[k] + len + 1));
				free(key);
			}
			for (size_t k = 0; k < set->n_env; k++) {
				size_t len = strcspn(set->env[k], "=");
				char *key = vl_xasprintf("%.*s", (int)len, set->env[k]);

				json_object_set_new(ev, key, json_string(set->env[k] + len + 1));
				free(key);
			}
			json_object_set_new(jn, "labels", lb);
			json_object_set_new(jn, "env", ev);
		}
		for (size_t j = 0; j < n->n_ifs; j++) {
			const struct vl_plan_if *f = &n->ifs[j];
			const struct vl_plan_end *peer = &p->veths[f->veth].end[!f->end];
			json_t *ji = json_object();

			json_object_set_new(ji, "name", json_string(f->name));
			json_object_set_new(ji, "address", addr_json(f->addr, f->prefix));
			if (peer->ns == VL_PLAN_HOST) {
				const struct vl_plan_veth *hv = &p->veths[f->veth];

				json_object_set_new(ji,
				                    hv->host_link >= 0 ? "host_link" : "management",
				                    json_string(hv->host_link < 0 ? p->mgmt.bridge
				                                : hv->on_mgmt     ? "mgmt-net"
				                                                  : "host"));
				json_object_set_new(ji, "host_ifname", json_string(peer->ifname));
			} else if (peer->ns == VL_PLAN_NONE) {
				json_object_set_new(ji, "host_link", json_string("dummy"));
			} else if (peer->ns == VL_PLAN_REMOTE) {
				const struct vl_plan_veth *rv = &p->veths[f->veth];
				const struct vl_topo_link *lk = &p->topo->links[rv->topo_link];
				int o = !f->end; /* end k is the file's endpoint k */

				json_object_set_new(
				    ji, "remote",
				    json_pack("{s:s, s:s, s:i, s:I}", "node",
				              p->topo->nodes[lk->ep[o].node].name, "ifname",
				              lk->ep[o].ifname, "host", rv->remote_host, "vni",
				              (json_int_t)rv->vni));
			} else if (peer->ns == VL_PLAN_INFRA) {
				const struct vl_plan_bridge *b = &p->bridges[peer->bridge];

				json_object_set_new(ji, "switch",
				                    json_string(p->topo->nodes[b->topo_node].name));
				json_object_set_new(ji, "host_ifname", json_string(peer->ifname));
			} else {
				json_object_set_new(ji, "peer_node",
				                    json_string(p->nodes[peer->ns].name));
				json_object_set_new(ji, "peer_ifname", json_string(peer->ifname));
			}
			json_array_append_new(ifs, ji);
		}
		for (size_t r = 0; r < n->n_routes; r++) {
			const struct vl_plan_route *rt = &n->routes[r];
			json_t *jr = json_object();

			json_object_set_new(jr, "dst",
			                    rt->prefix ? addr_json(rt->dst, rt->prefix)
			                               : json_string("default"));
			vl_fmt_ip(rt->via, ip);
			json_object_set_new(jr, "via", json_string(ip));
			json_object_set_new(jr, "dev", json_string(n->ifs[rt->oif].name));
			json_array_append_new(routes, jr);
		}
		json_object_set_new(jn, "interfaces", ifs);
		json_object_set_new(jn, "routes", routes);
		json_array_append_new(nodes, jn);
	}
	for (size_t k = 0; k < p->n_bridges;) {
		int tn = p->bridges[k].topo_node;
		json_t *js = json_object(), *brs = json_array();

		json_object_set_new(js, "name", json_string(p->topo->nodes[tn].name));
		for (; k < p->n_bridges && p->bridges[k].topo_node == tn; k++)
			json_array_append_new(brs, json_string(p->bridges[k].name));
		json_object_set_new(js, "bridges", brs);
		if (p->bridges[k - 1].seg >= 0 && p->segs[p->bridges[k - 1].seg].n_members)
			json_object_set_new(js, "subnet",
			                    addr_json(p->segs[p->bridges[k - 1].seg].net,
			                              p->segs[p->bridges[k - 1].seg].prefix));
		json_array_append_new(sws, js);
	}
	for (size_t v = 0; v < p->n_veths; v++) {
		const struct vl_plan_veth *ve = &p->veths[v];
		const struct vl_topo_link *lk;
		json_t *jl, *eps;
		char im[256];

		if (ve->topo_link < 0)
			continue; /* a cascade uplink: not the user's */
		jl = json_object();
		eps = json_array();
		lk = &p->topo->links[ve->topo_link];
		for (int e = 0; e < 2; e++) {
			char *s = vl_xasprintf("%s:%s", p->topo->nodes[lk->ep[e].node].name,
			                       lk->ep[e].ifname);
			json_array_append_new(eps, json_string(s));
			free(s);
		}
		json_object_set_new(jl, "endpoints", eps);
		json_object_set_new(jl, "mtu", json_integer(ve->mtu));
		for (int e = 0; e < 2; e++) {
			vl_impair_format(&ve->egress[e], im, sizeof(im));
			json_object_set_new(jl, e ? "reverse" : "forward", json_string(im));
		}
		/* where each end is, for `vnetlab link` */
		json_t *ends = json_array();
		for (int e = 0; e < 2; e++) {
			const struct vl_plan_end *end = &ve->end[e];

			json_array_append_new(ends, json_pack("{s:s, s:s}", "netns",
			                                      vl_plan_end_ns_name(p, end), "ifname",
			                                      end->ifname));
		}
		json_object_set_new(jl, "ends", ends);
		json_object_set_new(jl, "engine",
		                    json_string(vl_link_backend_for(ve->user)->engine(ve->egress)));
		json_array_append_new(links, jl);
	}
	if (p->mgmt.on) {
		vl_fmt_ip(p->mgmt.gw, ip);
		json_object_set_new(
		    root, "mgmt",
		    json_pack("{s:s, s:o, s:s, s:b, s:b, s:b}", "bridge", p->mgmt.bridge,
		              "ipv4_subnet", addr_json(p->mgmt.net, p->mgmt.prefix), "ipv4_gw", ip,
		              "nat", (int)p->mgmt.nat, "lab_isolation", (int)p->mgmt.isolated,
		              "host_services", (int)p->mgmt.host_services));
	}
	json_object_set_new(root, "nodes", nodes);
	json_object_set_new(root, "switches", sws);
	json_object_set_new(root, "links", links);
	/* what each backend of the lab's nodes says of them */
	for (size_t k = 0; k < n_seen; k++)
		if (seen[k]->describe_lab)
			seen[k]->describe_lab(p, root);
	return root;
}

static int write_doc(const char *lab, json_t *doc, struct vl_err *err)
{
	char path[PATH_MAX];
	char *s = json_dumps(doc, JSON_INDENT(1));
	int r;

	if (!s)
		return vl_err_set(err, ENOMEM, "encode state.json");
	vl_lab_path(lab, "state.json", path, sizeof(path));
	r = vl_write_file_mode(path, s, strlen(s), 0600, err);
	free(s);
	return r;
}

int vl_state_write(const struct vl_plan *p, double up_seconds, struct vl_err *err)
{
	json_t *root = vl_state_from_plan(p, up_seconds);
	int r = write_doc(p->lab, root, err);

	json_decref(root);
	return r;
}

int vl_state_of_plan(const struct vl_plan *p, struct vl_state *st, struct vl_err *err)
{
	return vl_state_parse(vl_state_from_plan(p, 0), "the plan's state", st, err);
}

/* Link i of the file as read. */
static json_t *doc_link(const struct vl_state *st, size_t i)
{
	return json_array_get(json_object_get(st->doc, "links"), i);
}

void vl_state_set_impair(struct vl_state *st, size_t i, int k, const struct vl_impair *im)
{
	char text[256];
	json_t *l = doc_link(st, i);

	vl_impair_format(im, text, sizeof(text));
	json_object_set_new(l, k ? "reverse" : "forward", json_string(text));
	st->links[i].text[k] = json_string_value(json_object_get(l, k ? "reverse" : "forward"));
	st->links[i].dir[k] = *im;
}

void vl_state_set_engine(struct vl_state *st, size_t i, const char *engine)
{
	json_t *l = doc_link(st, i);

	json_object_set_new(l, "engine", json_string(engine));
	st->links[i].engine = json_string_value(json_object_get(l, "engine"));
}

void vl_state_set_up(struct vl_state *st, size_t i, int k, bool up)
{
	json_object_set_new(doc_link(st, i), k ? "reverse_up" : "forward_up", json_boolean(up));
	st->links[i].up[k] = up;
}

int vl_state_save(const char *lab, const struct vl_state *st, struct vl_err *err)
{
	return write_doc(lab, st->doc, err);
}
