/* vnetlab graph: a picture of a lab (running, or a topology not yet up),
 * as DOT or Mermaid text, or drawn by Graphviz's dot as SVG or PNG. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/span.h"
#include "engine/graph.h"
#include "engine/state.h"
#include "lab/lab.h"
#include "plan/plan.h"

static const struct option graph_opts[] = {
    VL_TOPO_LONGOPTS,
    {"format", required_argument, NULL, 'F'},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

enum fmt { F_DOT, F_MERMAID, F_SVG, F_PNG };
static const char *const fmt_names[] = {"dot", "mermaid", "svg", "png"};

static int fmt_parse(const char *s)
{
	for (size_t i = 0; i < VL_ARRAY_SIZE(fmt_names); i++)
		if (!strcmp(s, fmt_names[i]))
			return (int)i;
	return !strcmp(s, "mmd") ? F_MERMAID : !strcmp(s, "gv") ? F_DOT : -1;
}

/* Draw the DOT text with dot -T<fmt>, into out (NULL: stdout). */
static int render(const struct vl_buf *dot, const char *fmt, const char *out, struct vl_err *err)
{
	char tmp[] = "/tmp/vnetlab-graph-XXXXXX", t[16];
	int fd = mkostemp(tmp, O_CLOEXEC), r;

	if (fd < 0)
		return vl_err_sys(err, errno, "mkstemp %s", tmp);
	r = vl_write_all(fd, dot->s, dot->len);
	close(fd);
	if (r < 0) {
		unlink(tmp);
		return vl_err_sys(err, errno, "write %s", tmp);
	}
	snprintf(t, sizeof(t), "-T%s", fmt);
	char *argv[] = {"dot", t, tmp, out ? "-o" : NULL, (char *)out, NULL};

	r = vl_spawn_wait(argv, false, err);
	unlink(tmp);
	if (r < 0 && err->code == ENOENT)
		vl_err_set(err, ENOENT,
		           "Graphviz's dot is not installed (Debian's graphviz; scripts/deps.sh "
		           "installs it): %s needs it, dot and mermaid do not",
		           fmt);
	return r;
}

/* The state to draw: the running lab name's, or that of the topology to's
 * plan (named as up would name its lab). The lab's name into lab. */
static int graph_state(struct vl_topo_opts *to, const char *name, char lab[128],
                       struct vl_state *st, struct vl_err *err)
{
	struct vl_topo *t = NULL;
	struct vl_plan *p = NULL;
	char id[VL_LAB_ID_LEN + 1];
	int r;

	if (name && vl_cli_spanned(name)) { /* a lab over hosts: its parts' */
		struct vl_span sp;
		struct vl_hosts hs;

		snprintf(lab, 128, "%s", name);
		hs.keep = true;
		if (vl_cli_span_state(lab, &sp, &hs, st, err) < 0)
			return -1;
		hs.keep = true;
		vl_hosts_close(&hs);
		vl_span_free(&sp);
		return 0;
	}
	if (name) {
		snprintf(lab, 128, "%s", name);
		return vl_state_load(lab, st, err);
	}
	if (vl_cli_load_topo(to, &t, lab, 128, err) < 0)
		return -1;
	vl_lab_id_from_name(lab, id);
	r = vl_plan_build(t, lab, id, (enum vl_backend)to->backend, &p, err);
	if (r == 0)
		r = vl_state_of_plan(p, st, err);
	vl_plan_free(p);
	vl_topo_free(t);
	return r;
}

/* The picture in format fmt: to the file out, or stdout. */
static int emit(const struct vl_buf *text, int fmt, const char *out, struct vl_err *err)
{
	if (fmt == F_SVG || fmt == F_PNG)
		return render(text, fmt_names[fmt], out, err);
	if (out)
		return vl_write_file(out, text->s, text->len, err);
	fwrite(text->s, 1, text->len, stdout);
	return 0;
}

int cmd_graph(int argc, char **argv)
{
	struct vl_topo_opts to;
	struct vl_err err = {0};
	struct vl_buf text = {0};
	struct vl_state state = {0};
	const char *out = NULL;
	char lab[128];
	int opt, rc = 0, fmt = -1;

	vl_cli_topo_opts_init(&to);
	while (!rc && (opt = getopt_long(argc, argv, "f:t:n:o:h", graph_opts, NULL)) != -1) {
		if (vl_cli_topo_opt(&to, opt, optarg, "graph", &rc))
			continue;
		switch (opt) {
		case 'F':
			if ((fmt = fmt_parse(optarg)) < 0)
				rc = vl_cli_usage(
				    "graph", "--format is dot, svg, png or mermaid, not \"%s\"",
				    optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			rc = vl_cli_help("graph");
			goto done;
		default:
			rc = vl_cli_usage("graph", "bad option");
		}
	}
	if (rc)
		goto done;
	if ((to.file || to.spec) == (optind < argc) || argc - optind > 1) {
		rc = vl_cli_usage("graph", "name a lab, or give -f FILE or --topo SPEC");
		goto done;
	}
	/* the format: --format, else the output file's extension, else DOT */
	if (fmt < 0 && out && strrchr(out, '.'))
		fmt = fmt_parse(strrchr(out, '.') + 1);
	if (fmt < 0)
		fmt = F_DOT;
	if (fmt == F_PNG && !out && isatty(STDOUT_FILENO)) {
		rc = vl_cli_usage("graph", "a PNG goes to a file: -o FILE.png");
		goto done;
	}
	if (optind < argc && vl_name_invalid(argv[optind])) {
		rc = vl_cli_usage("graph", "\"%s\" is not a lab name", argv[optind]);
		goto done;
	}
	if (graph_state(&to, optind < argc ? argv[optind] : NULL, lab, &state, &err) < 0) {
		rc = vl_cli_fail(&err);
		goto done;
	}
	vl_graph_write(&state, lab, fmt == F_MERMAID ? VL_GRAPH_MERMAID : VL_GRAPH_DOT, &text);
	if (emit(&text, fmt, out, &err) < 0)
		rc = vl_cli_fail(&err);
done:
	vl_buf_free(&text);
	vl_state_free(&state);
	vl_cli_topo_opts_free(&to);
	return rc;
}
