/* The `slurm` hosts backend: the nodes of the allocation vnetlab runs in
 * (salloc or sbatch), each command one step on one node through
 * `srun --overlap -N1 -n1 -w HOST`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"

static int slurm_parse(struct vl_hosts *hs, const char *arg, struct vl_err *err)
{
	if (arg[0])
		return vl_err_set(err, EINVAL,
		                  "slurm takes nothing after it (the allocation's nodes)");
	return 0;
}

/* The allocation's nodes: SLURM_JOB_NODELIST expanded by scontrol. */
static int slurm_open(struct vl_hosts *hs, struct vl_err *err)
{
	const char *job = getenv("SLURM_JOB_ID"), *list = getenv("SLURM_JOB_NODELIST");
	char *argv[] = {"scontrol", "show", "hostnames", (char *)list, NULL};
	struct vl_host_result r;
	char *save = NULL;
	int rc = 0;

	if (!job || !*job || !list || !*list)
		return vl_err_set(
		    err, EINVAL,
		    "--hosts slurm needs an allocation: run it under salloc or sbatch "
		    "(SLURM_JOB_ID and SLURM_JOB_NODELIST are not set)");
	/* scontrol runs here: through the local backend's one host */
	{
		struct vl_hosts here = {.be = &vl_host_local, .o = hs->o};
		struct vl_host h = {.name = "localhost"};

		here.h = &h, here.n = 1;
		if (vl_hosts_run(&here, 0, argv, &r, err) < 0)
			return vl_err_wrap(err, "expand the allocation's nodes %s", list);
	}
	if (r.status)
		rc = vl_err_set(err, 0, "scontrol show hostnames %s: %s (exit status %d)", list,
		                r.out.s, r.status);
	for (char *l = strtok_r(r.out.s, "\n", &save); !rc && l; l = strtok_r(NULL, "\n", &save)) {
		const char *why = vl_host_name_invalid(l);

		if (why)
			rc = vl_err_set(err, EINVAL, "the allocation's node \"%s\": %s", l, why);
		else
			vl_hosts_add(hs, l);
	}
	vl_buf_free(&r.out);
	return rc;
}

static void slurm_wrap(const struct vl_hosts *hs, size_t i, char *const argv[], struct vl_argv *out)
{
	vl_argv_addl(out, "srun", "--overlap", "-N1", "-n1", "--quiet", "-w", hs->h[i].name, NULL);
	if (hs->tty)
		vl_argv_add(out, "--pty");
	for (size_t k = 0; argv[k]; k++)
		vl_argv_add(out, argv[k]);
}

const struct vl_host_backend vl_host_slurm = {
    .name = "slurm",
    .parse = slurm_parse,
    .open = slurm_open,
    .wrap = slurm_wrap,
    .carry = vl_host_carry_cat,
};
