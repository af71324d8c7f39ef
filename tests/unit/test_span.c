/* The record of a lab over hosts (lab/span.h): written and read back
 * whole; a record that is not what vnetlab writes (not JSON, a host name
 * ssh would take as an option, a node past the hosts, a name that would be
 * a path) is refused with where and why, never followed. As root (the
 * records live in /run/vnetlab/.span), labs vt-unit-span-*, removed. */
#include <sys/stat.h>

#include "check.h"
#include "lab/lab.h"
#include "lab/span.h"

static void roundtrip(void)
{
	char *host[] = {"sim1", "sim2"}, *node[] = {"a", "b", "sw"};
	char addr[2][16] = {"198.18.0.1", "198.18.0.2"};
	int node_host[] = {0, 1, 1};
	struct vl_span w = {.hosts = "ssh:sim1,sim2", .ssh_config = "/run/x/ssh/config",
	                    .n_hosts = 2, .host = host, .addr = addr, .n_nodes = 3,
	                    .node = node, .node_host = node_host, .mtu = 1450, .port = 14789,
	                    .n_cut = 2};
	struct vl_span r;
	struct vl_err err = {0};
	int ok;

	snprintf(w.lab, sizeof(w.lab), "vt-unit-span-rt");
	snprintf(w.id, sizeof(w.id), "00ab");
	ok = vl_span_write(&w, &err) == 0 && vl_span_exists("vt-unit-span-rt") &&
	     vl_span_read("vt-unit-span-rt", &r, &err) == 0;
	result("record written and read", ok, "%s", err.msg);
	if (!ok)
		return;
	result("record: hosts, nodes, link settings",
	       r.n_hosts == 2 && !strcmp(r.host[1], "sim2") && !strcmp(r.addr[0], "198.18.0.1") &&
	           r.n_nodes == 3 && vl_span_host_of(&r, "sw") == 1 &&
	           vl_span_host_of(&r, "zz") == -1 && r.mtu == 1450 && r.port == 14789 &&
	           r.n_cut == 2 && !strcmp(r.hosts, "ssh:sim1,sim2") && !strcmp(r.id, "00ab") &&
	           r.ssh_config && !r.slurm_job,
	       "read back as written");
	vl_span_free(&r);
	result("record removed", vl_span_remove("vt-unit-span-rt", &err) == 0 &&
	                             !vl_span_exists("vt-unit-span-rt"),
	       "%s", err.msg);
}

static void malformed(void)
{
	static const struct {
		const char *name, *text, *want;
	} c[] = {
	    {"not json", "{\"lab\": ", ":1:"},
	    {"no id", "{\"hosts_spec\": \"ssh:a\", \"hosts\": [{\"name\": \"a\", \"addr\": \"1.2.3.4\"}], "
	              "\"nodes\": {}}",
	     "no lab id"},
	    {"host an option", "{\"id\": \"00ab\", \"hosts_spec\": \"ssh:a\", \"hosts\": [{\"name\": "
	                       "\"-oProxyCommand=x\", \"addr\": \"1.2.3.4\"}], \"nodes\": {}}",
	     "not a valid name"},
	    {"no hosts", "{\"id\": \"00ab\", \"hosts_spec\": \"ssh:a\", \"hosts\": [], \"nodes\": {}}",
	     "no hosts"},
	    {"node past the hosts",
	     "{\"id\": \"00ab\", \"hosts_spec\": \"ssh:a\", \"hosts\": [{\"name\": \"a\", \"addr\": "
	     "\"1.2.3.4\"}], \"nodes\": {\"h1\": 1}}",
	     "a node that is not"},
	    {"node a path",
	     "{\"id\": \"00ab\", \"hosts_spec\": \"ssh:a\", \"hosts\": [{\"name\": \"a\", \"addr\": "
	     "\"1.2.3.4\"}], \"nodes\": {\"../x\": 0}}",
	     "a node that is not"},
	    {"address not IPv4",
	     "{\"id\": \"00ab\", \"hosts_spec\": \"ssh:a\", \"hosts\": [{\"name\": \"a\", \"addr\": "
	     "\"1.2.3\"}], \"nodes\": {}}",
	     "not a valid name"},
	    {"address too long",
	     "{\"id\": \"00ab\", \"hosts_spec\": \"ssh:a\", \"hosts\": [{\"name\": \"a\", \"addr\": "
	     "\"1.2.3.4.5.6.7.8.9.10\"}], \"nodes\": {}}",
	     "not a valid name"},
	};
	char path[256];

	mkdir(VL_RUN_DIR, 0711);
	mkdir(VL_SPAN_DIR, 0700);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct vl_span s;
		struct vl_err err = {0};
		FILE *f;
		int r;

		snprintf(path, sizeof(path), "%s/vt-unit-span-bad.json", VL_SPAN_DIR);
		if (!(f = fopen(path, "w"))) {
			result(c[i].name, 0, "write %s: %s", path, strerror(errno));
			continue;
		}
		fputs(c[i].text, f);
		fclose(f);
		r = vl_span_read("vt-unit-span-bad", &s, &err);
		result(c[i].name, r < 0 && strstr(err.msg, c[i].want) && strstr(err.msg, path),
		       "got %d: %s", r, err.msg);
		if (r == 0)
			vl_span_free(&s);
	}
	{
		struct vl_span s;
		struct vl_err err = {0};

		result("a lab name that is a path", vl_span_read("../../etc/x", &s, &err) < 0 &&
		                                        strstr(err.msg, "lab name"),
		       "%s", err.msg);
	}
	vl_span_remove("vt-unit-span-bad", &(struct vl_err){0});
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		printf("skip: the records live in %s (root's)\n", VL_SPAN_DIR);
		printf("0 passed, 0 failed, 1 skipped\n");
		return 0;
	}
	roundtrip();
	malformed();
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail > 0;
}
