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

int cmd_graph(int argc, char **argv)
{
	struct vl_topo_opts to;
	struct vl_topo *t = NULL;
	struct vl_plan *p = NULL;
	struct vl_err err = {0};
	struct vl_buf text = {0};
	json_t *state = NULL;
	const char *out = NULL;
	char lab[128], id[VL_LAB_ID_LEN + 1];
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
	if (optind < argc) {
		snprintf(lab, sizeof(lab), "%s", argv[optind]);
		if (vl_name_invalid(lab)) {
			rc = vl_cli_usage("graph", "\"%s\" is not a lab name", lab);
			goto done;
		}
		if (!(state = vl_state_load(lab, &err))) {
			rc = vl_cli_fail(&err);
			goto done;
		}
	} else {
		if (vl_cli_load_topo(&to, &t, lab, sizeof(lab), &err) < 0) {
			rc = vl_cli_fail(&err);
			goto done;
		}
		vl_lab_id_from_name(lab, id);
		if (vl_plan_build(t, lab, id, (enum vl_backend)to.backend, &p, &err) < 0) {
			rc = vl_cli_fail(&err);
			goto done;
		}
		state = vl_state_from_plan(p, 0);
	}
	vl_graph_write(state, lab, fmt == F_MERMAID ? VL_GRAPH_MERMAID : VL_GRAPH_DOT, &text);
	if (fmt == F_SVG || fmt == F_PNG) {
		if (render(&text, fmt_names[fmt], out, &err) < 0)
			rc = vl_cli_fail(&err);
	} else if (out) {
		if (vl_write_file(out, text.s, text.len, &err) < 0)
			rc = vl_cli_fail(&err);
	} else {
		fwrite(text.s, 1, text.len, stdout);
	}
done:
	vl_buf_free(&text);
	json_decref(state);
	vl_plan_free(p);
	vl_topo_free(t);
	vl_cli_topo_opts_free(&to);
	return rc;
}
