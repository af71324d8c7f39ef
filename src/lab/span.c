/* The record of a lab over several hosts (span.h). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/span.h"
#include "host/host.h"

static int span_path(const char *lab, char *buf, size_t len, struct vl_err *err)
{
	const char *why = vl_name_invalid(lab);

	if (why)
		return vl_err_set(err, EINVAL, "lab name \"%s\" %s", lab, why);
	snprintf(buf, len, "%s/%s.json", VL_SPAN_DIR, lab);
	return 0;
}

bool vl_span_exists(const char *lab)
{
	char path[PATH_MAX];
	struct vl_err err;

	return span_path(lab, path, sizeof(path), &err) == 0 && access(path, F_OK) == 0;
}

static json_t *opt_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

int vl_span_write(const struct vl_span *s, struct vl_err *err)
{
	json_t *hosts = json_array(), *nodes = json_object(), *j;
	char path[PATH_MAX], *text;
	int r;

	if (span_path(s->lab, path, sizeof(path), err) < 0)
		return -1;
	if ((mkdir(VL_RUN_DIR, 0711) < 0 && errno != EEXIST) ||
	    (mkdir(VL_SPAN_DIR, 0700) < 0 && errno != EEXIST))
		return vl_err_sys(err, errno, "make %s", VL_SPAN_DIR);
	for (size_t i = 0; i < s->n_hosts; i++)
		json_array_append_new(hosts,
		                      json_pack("{s:s, s:s}", "name", s->host[i], "addr", s->addr[i]));
	for (size_t i = 0; i < s->n_nodes; i++)
		json_object_set_new(nodes, s->node[i], json_integer(s->node_host[i]));
	j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:i, s:I, s:I}",
	              "lab", s->lab,
	              "id", s->id, "hosts_spec", s->hosts, "underlay", opt_str(s->underlay),
	              "ssh_config", opt_str(s->ssh_config), "slurm_job", opt_str(s->slurm_job),
	              "slurm_nodelist", opt_str(s->slurm_nodelist), "slurm_conf",
	              opt_str(s->slurm_conf), "hosts", hosts, "nodes",
	              nodes, "mtu", s->mtu, "vxlan_port", s->port, "cut", (json_int_t)s->n_cut,
	              "switches", (json_int_t)s->n_switches);
	text = json_dumps(j, JSON_INDENT(1));
	json_decref(j);
	if (!text)
		return vl_err_set(err, ENOMEM, "encode %s", path);
	r = vl_write_file_mode(path, text, strlen(text), 0600, err);
	free(text);
	return r;
}

static char *dup_opt(json_t *v)
{
	return json_is_string(v) ? vl_xstrdup(json_string_value(v)) : NULL;
}

static int bad(struct vl_err *err, const char *path, const char *what)
{
	return vl_err_set(err, EPROTO, "%s: %s", path, what);
}

static int read_hosts(json_t *hosts, struct vl_span *s, const char *path, struct vl_err *err)
{
	size_t i;
	json_t *h;

	if (!json_is_array(hosts) || !json_array_size(hosts))
		return bad(err, path, "no hosts");
	s->n_hosts = json_array_size(hosts);
	s->host = vl_xcalloc(s->n_hosts, sizeof(*s->host));
	s->addr = vl_xcalloc(s->n_hosts, sizeof(*s->addr));
	json_array_foreach(hosts, i, h)
	{
		const char *name = json_string_value(json_object_get(h, "name"));
		const char *addr = json_string_value(json_object_get(h, "addr"));

		struct in_addr in;

		if (!name || vl_host_name_invalid(name) || !addr || strlen(addr) >= 16 ||
		    inet_pton(AF_INET, addr, &in) != 1)
			return bad(err, path, "a host that is not a valid name and address");
		s->host[i] = vl_xstrdup(name);
		snprintf(s->addr[i], sizeof(s->addr[i]), "%s", addr);
	}
	return 0;
}

static int read_nodes(json_t *nodes, struct vl_span *s, const char *path, struct vl_err *err)
{
	const char *name;
	json_t *v;
	size_t i = 0;

	if (!json_is_object(nodes))
		return bad(err, path, "no nodes");
	s->n_nodes = json_object_size(nodes);
	s->node = vl_xcalloc(s->n_nodes + 1, sizeof(*s->node));
	s->node_host = vl_xcalloc(s->n_nodes + 1, sizeof(*s->node_host));
	json_object_foreach(nodes, name, v)
	{
		json_int_t h = json_integer_value(v);

		if (!json_is_integer(v) || h < 0 || (size_t)h >= s->n_hosts ||
		    vl_name_invalid(name))
			return bad(err, path, "a node that is not a valid name on one of its hosts");
		s->node[i] = vl_xstrdup(name);
		s->node_host[i++] = (int)h;
	}
	return 0;
}

int vl_span_read(const char *lab, struct vl_span *s, struct vl_err *err)
{
	char path[PATH_MAX];
	json_error_t je;
	json_t *j;
	const char *id, *spec;
	int r = -1;

	memset(s, 0, sizeof(*s));
	if (span_path(lab, path, sizeof(path), err) < 0)
		return -1;
	if (access(path, F_OK) < 0)
		return vl_err_sys(err, errno, "%s", path);
	if (!(j = json_load_file(path, 0, &je)))
		return vl_err_set(err, EPROTO, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	id = json_string_value(json_object_get(j, "id"));
	spec = json_string_value(json_object_get(j, "hosts_spec"));
	if (!id || strlen(id) != 4 || !spec)
		bad(err, path, "no lab id or hosts");
	else if (read_hosts(json_object_get(j, "hosts"), s, path, err) == 0 &&
	         read_nodes(json_object_get(j, "nodes"), s, path, err) == 0) {
		snprintf(s->lab, sizeof(s->lab), "%s", lab);
		snprintf(s->id, sizeof(s->id), "%s", id);
		s->hosts = vl_xstrdup(spec);
		s->underlay = dup_opt(json_object_get(j, "underlay"));
		s->ssh_config = dup_opt(json_object_get(j, "ssh_config"));
		s->slurm_job = dup_opt(json_object_get(j, "slurm_job"));
		s->slurm_nodelist = dup_opt(json_object_get(j, "slurm_nodelist"));
		s->slurm_conf = dup_opt(json_object_get(j, "slurm_conf"));
		s->mtu = (int)json_integer_value(json_object_get(j, "mtu"));
		s->port = (int)json_integer_value(json_object_get(j, "vxlan_port"));
		s->n_cut = (size_t)json_integer_value(json_object_get(j, "cut"));
		s->n_switches = (size_t)json_integer_value(json_object_get(j, "switches"));
		if (s->n_switches > s->n_nodes)
			s->n_switches = 0;
		r = 0;
	}
	json_decref(j);
	if (r < 0)
		vl_span_free(s);
	return r;
}

int vl_span_remove(const char *lab, struct vl_err *err)
{
	char path[PATH_MAX];

	if (span_path(lab, path, sizeof(path), err) < 0)
		return -1;
	if (unlink(path) < 0 && errno != ENOENT)
		return vl_err_sys(err, errno, "remove %s", path);
	rmdir(VL_SPAN_DIR); /* unless another lab's is there */
	return 0;
}

void vl_span_free(struct vl_span *s)
{
	for (size_t i = 0; s->host && i < s->n_hosts; i++)
		free(s->host[i]);
	for (size_t i = 0; s->node && i < s->n_nodes; i++)
		free(s->node[i]);
	free(s->host);
	free(s->addr);
	free(s->node);
	free(s->node_host);
	free(s->hosts);
	free(s->underlay);
	free(s->ssh_config);
	free(s->slurm_job);
	free(s->slurm_nodelist);
	free(s->slurm_conf);
	memset(s, 0, sizeof(*s));
}

int vl_span_host_of(const struct vl_span *s, const char *node)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (!strcmp(s->node[i], node))
			return s->node_host[i];
	return -1;
}

int vl_span_list(char ***labs, size_t *n, struct vl_err *err)
{
	DIR *d = opendir(VL_SPAN_DIR);
	struct dirent *de;
	size_t cap = 0;

	*labs = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : vl_err_sys(err, errno, "open %s", VL_SPAN_DIR);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char name[NAME_MAX + 1];

		if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
		if (vl_name_invalid(name))
			continue;
		vl_grow(labs, &cap, *n, sizeof(**labs));
		(*labs)[(*n)++] = vl_xstrdup(name);
	}
	closedir(d);
	return 0;
}
