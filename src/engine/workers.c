/* The engine's worker pool: one child process per CPU, each doing a share
 * of the nodes, and their first error brought back. Touches nothing
 * itself. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/internal.h"

int vl_engine_run_workers(struct engine *e, vl_worker_fn fn, size_t n_items, struct vl_err *err)
{
	size_t nw = (size_t)e->workers;
	pid_t pids[64];
	int pipes[64];
	int r = 0;

	if (nw > n_items)
		nw = n_items ? n_items : 1;
	if (nw > VL_ARRAY_SIZE(pids))
		nw = VL_ARRAY_SIZE(pids);
	fflush(NULL);
	for (size_t w = 0; w < nw; w++) {
		int pfd[2];

		if (pipe2(pfd, O_CLOEXEC) < 0) {
			r = vl_err_sys(err, errno, "pipe");
			nw = w;
			break;
		}
		pids[w] = fork();
		if (pids[w] < 0) {
			r = vl_err_sys(err, errno, "fork worker");
			close(pfd[0]);
			close(pfd[1]);
			nw = w;
			break;
		}
		if (pids[w] == 0) {
			struct vl_err werr = {0};
			int rc;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			close(pfd[0]);
			rc = fn(e, w, nw, &werr);
			if (rc < 0) {
				ssize_t wr = write(pfd[1], werr.msg, strlen(werr.msg));
				(void)wr;
			}
			_exit(rc < 0 ? 1 : 0);
		}
		close(pfd[1]);
		pipes[w] = pfd[0];
	}
	for (size_t w = 0; w < nw; w++) {
		char msg[sizeof(err->msg)];
		ssize_t len = 0, k;
		int status;

		while ((k = read(pipes[w], msg + len, sizeof(msg) - 1 - (size_t)len)) > 0)
			len += k;
		msg[len > 0 ? len : 0] = '\0';
		close(pipes[w]);
		while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR)
			;
		if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
			if (msg[0])
				r = vl_err_set(err, 0, "%s", msg);
			else if (WIFSIGNALED(status))
				r = vl_err_set(err, 0, "worker killed by signal %d",
				               WTERMSIG(status));
			else
				r = vl_err_set(err, 0, "worker failed");
		}
	}
	return r;
}
