/* The hosts table's pure parts (host/host.h): every word quoted for ssh's
 * one shell line comes back verbatim from a real sh; host names ssh and
 * Slurm take; --hosts specs read or refused. */
#include <sys/wait.h>

#include "check.h"
#include "host/host.h"

/* What `sh -c "printf %s QUOTED"` prints. */
static char *through_sh(const char *word)
{
	struct vl_buf line = {0};
	char *argv[] = {"sh", "-c", NULL, NULL}, *out = vl_xcalloc(1, 4096);
	int p[2];
	pid_t pid;
	ssize_t got, len = 0;

	vl_buf_add(&line, "printf %s ", 10);
	vl_shell_quote(&line, word);
	argv[2] = line.s;
	if (pipe(p) < 0 || (pid = fork()) < 0)
		abort();
	if (pid == 0) {
		dup2(p[1], 1);
		execvp("sh", argv);
		_exit(127);
	}
	close(p[1]);
	while ((got = read(p[0], out + len, 4095 - (size_t)len)) > 0)
		len += got;
	close(p[0]);
	waitpid(pid, NULL, 0);
	vl_buf_free(&line);
	return out;
}

static void quote_cases(void)
{
	static const char *const w[] = {
	    "",      "plain", "a b",  "it's",           "''",
	    "$HOME", "\"q\"", "`id`", "$(id)",          ";ls",
	    "*",     "\\n",   "a\nb", "'; rm -rf /; '", "-oProxyCommand=x",
	    "~",     "!x",
	};

	for (size_t i = 0; i < VL_ARRAY_SIZE(w); i++) {
		cleanup_free char *got = through_sh(w[i]);
		char name[64];

		snprintf(name, sizeof(name), "quoted word %zu", i);
		result(name, !strcmp(got, w[i]), "got [%s], want [%s]", got, w[i]);
	}
}

static void spec_cases(void)
{
	static const struct {
		const char *spec;
		size_t n; /* hosts read, or 0: refused */
	} c[] = {
	    {"ssh:a", 1},   {"ssh:a,b.example,c-1", 3},
	    {"ssh:", 0},    {"ssh:a,,b", 0},
	    {"ssh:a,", 0},  {"ssh:-oX=y", 0},
	    {"ssh:a;b", 0}, {"ssh:a b", 0},
	    {"ssh:a,a", 0}, {"slurm:x", 0},
	    {"local:x", 0}, {"nfs:a", 0},
	    {"sshx:a", 0},  {"@/nonexistent", 0},
	    {"local", 1},
	};

	for (size_t i = 0; i < VL_ARRAY_SIZE(c); i++) {
		struct vl_hosts_opts o = {0};
		struct vl_hosts hs;
		struct vl_err err = {0};
		int rc = vl_hosts_parse(&hs, c[i].spec, &o, &err);
		char name[64];

		snprintf(name, sizeof(name), "spec %s", c[i].spec);
		result(name, c[i].n ? rc == 0 && hs.n == c[i].n : rc < 0 && err.msg[0],
		       "rc %d, %zu hosts (%s)", rc, hs.n, err.msg);
		vl_hosts_close(&hs);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	quote_cases();
	spec_cases();
	printf("%d passed, %d failed, %d skipped\n", npass, nfail, nskip);
	return nfail > 0;
}
