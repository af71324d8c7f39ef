/* Finding a lab's processes: every process in one of its network
 * namespaces (ns and vm nodes, also what `ip netns exec` started there),
 * and every process in its cgroups (proc nodes, and what a node's
 * programs forked). Reads /proc and the cgroup trees only. */
#include <stdlib.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/engine.h"
#include "engine/journal.h"
#include "lab/lab.h"
#include "sys/cgroup.h"
#include "sys/proc.h"

static int cmp_proc(const void *a, const void *b)
{
	pid_t x = ((const struct vl_proc *)a)->pid, y = ((const struct vl_proc *)b)->pid;

	return x < y ? -1 : x > y;
}

int vl_engine_lab_procs(const char *lab, struct vl_proc **procs, size_t *n, struct vl_err *err)
{
	const struct vl_cgroup_manager *cg = vl_lab_cgroups(lab);
	cleanup_free struct vl_ns_id *ids = NULL;
	cleanup_free pid_t *pids = NULL;
	size_t n_ids, cnt, cap, n_pids = 0;
	char path[256];
	struct vl_proc *v;

	if (vl_journal_netns_ids(lab, &ids, &n_ids, err) < 0 ||
	    vl_proc_find_in_netns(ids, n_ids, &v, &cnt, err) < 0)
		return -1;
	vl_plan_lab_cgroup(lab, path, sizeof(path));
	cap = cnt;
	if (cg && cg->procs(path, &pids, &n_pids, NULL) == 0) {
		if (cnt)
			qsort(v, cnt, sizeof(*v), cmp_proc);
		for (size_t i = 0, base = cnt; i < n_pids; i++) {
			struct vl_proc key = {.pid = pids[i]};

			if (pids[i] == getpid() ||
			    (base && bsearch(&key, v, base, sizeof(*v), cmp_proc)))
				continue;
			vl_grow(&v, &cap, cnt, sizeof(*v));
			v[cnt] = key;
			vl_proc_describe(&v[cnt]);
			cnt++;
		}
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_proc);
	*procs = v;
	*n = cnt;
	return 0;
}
