/* vnetlab py: Python (Debian's python3) where `import mininet` is
 * vnetlab's Mininet-compatible package and `import vnetlab` its own API,
 * for the script and every Python process it starts (PYTHONPATH), while
 * outside it a Mininet installed on the machine stays what `import
 * mininet` finds. The package is found beside the program: this tree's
 * python/ (build/vnetlab, build/san/vnetlab) or an installed
 * lib/vnetlab/python; $VNETLAB_PYTHONPATH overrides. $VNETLAB names this
 * program, so the package drives the same vnetlab. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"

/* The directory holding the mininet and vnetlab packages; 0 or -1. */
static int package_dir(char *out, size_t len)
{
	static const char *const rel[] = {"../python", "../../python", "../lib/vnetlab/python",
	                                  "../share/vnetlab/python"};
	const char *env = getenv("VNETLAB_PYTHONPATH");
	char exe[PATH_MAX], probe[PATH_MAX + 64];

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return 0;
	}
	if (vl_exe_sibling("", exe, sizeof(exe)) < 0)
		return -1;
	for (size_t i = 0; i < VL_ARRAY_SIZE(rel); i++) {
		char real[PATH_MAX];

		snprintf(probe, sizeof(probe), "%s%s/mininet/__init__.py", exe, rel[i]);
		if (access(probe, R_OK) < 0)
			continue;
		snprintf(probe, sizeof(probe), "%s%s", exe, rel[i]);
		if (!realpath(probe, real) || strlen(real) >= len)
			return -1;
		snprintf(out, len, "%s", real);
		return 0;
	}
	return -1;
}

int vl_py_exec(char *const *args, size_t n)
{
	char dir[PATH_MAX], self[PATH_MAX];
	const char *old = getenv("PYTHONPATH");
	const char *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
	cleanup_free char *path = NULL;
	cleanup_free char **argv = vl_xcalloc(n + 2, sizeof(*argv));
	ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (package_dir(dir, sizeof(dir)) < 0) {
		fprintf(stderr, "vnetlab: py: no python/mininet beside %s (set VNETLAB_PYTHONPATH "
		                "to the directory holding the mininet package)\n",
		        k > 0 ? "the program" : "?");
		return 125;
	}
	path = old && *old ? vl_xasprintf("%s:%s", dir, old) : vl_xstrdup(dir);
	if (k > 0) {
		self[k] = '\0';
		setenv("VNETLAB", self, 1);
	}
	setenv("PYTHONPATH", path, 1);
	setenv("PYTHONDONTWRITEBYTECODE", "1", 1); /* no __pycache__ left in the tree */
	argv[0] = (char *)py;
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = args[i];
	fflush(stdout);
	execvp(py, argv);
	fprintf(stderr, "vnetlab: py: %s: %s\n", py, strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

int cmd_py(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return vl_cli_help("py");
	if (argc >= 2 && !strcmp(argv[1], "-m") && argc < 3)
		return vl_cli_usage("py", "-m needs a module");
	/* everything after "py" is python's: SCRIPT ARGS, -m MODULE ARGS, -c CODE */
	return vl_py_exec(argv + 1, (size_t)(argc - 1));
}
