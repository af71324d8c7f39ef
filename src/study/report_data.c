/* What the report's parts read (report.h): the result files of a
 * directory, loaded and looked into (a run's slot, the worst-off share, an
 * MPI file's run in an environment), and gnuplot run on a script. Below
 * report.c, report_findings.c and report_mpi.c, which all use it; it uses
 * none of them. Touches the directory's files (read) and runs gnuplot. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/json.h"
#include "base/util.h"
#include "study/compare.h"
#include "study/report.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bench JSON files of dir, sorted. */
size_t vl_report_list_json(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;

	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l > 5 && !strcmp(de->d_name + l - 5, ".json") && de->d_name[0] != '.') {
			vl_grow(&v, &cap, n, sizeof(*v));
			v[n++] = vl_xstrdup(de->d_name);
		}
	}
	if (d)
		closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return n;
}

/* Run gnuplot on a script file (arguments, no shell). */
int vl_report_gnuplot(const char *script)
{
	char *argv[] = {"gnuplot", (char *)script, NULL};
	struct vl_err err = {0};

	return vl_spawn_wait(argv, false, &err);
}

/* Where a run goes in the report's arrays: ns, proc, solo, vm; a run
 * beside a noisy neighbour ("ns+cpu") in none of them (-1). */
int vl_report_slot(const char *run)
{
	return !strcmp(run, "ns")     ? VL_SLOT_NS
	       : !strcmp(run, "proc") ? VL_SLOT_PROC
	       : !strcmp(run, "vm")   ? VL_SLOT_VM
	       : !strcmp(run, "solo") ? VL_SLOT_SOLO
	                              : -1;
}

json_t *vl_report_mpi_env(json_t *f, const char *env)
{
	json_t *r;
	size_t k;

	json_array_foreach(json_object_get(f, "mpi_runs"), k,
	                   r) if (!strcmp(vl_json_str(r, "env"), env)) return r;
	return NULL;
}

bool vl_report_mpi_macro(json_t *f)
{
	return *vl_json_str(f, "class") != '\0';
}

size_t vl_report_mpi_load(const char *dir, json_t ***out)
{
	char **names, path[PATH_MAX];
	size_t n = vl_report_list_json(dir, &names), k = 0;
	json_t **v = vl_xcalloc(n + 1, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		json_error_t je;
		json_t *f;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = json_load_file(path, 0, &je);
		if (f && json_is_array(json_object_get(f, "mpi_runs")))
			v[k++] = f;
		else
			json_decref(f);
		free(names[i]);
	}
	free(names);
	*out = v;
	return k;
}

json_t *vl_report_mpi_points(json_t *r)
{
	json_t *rep = json_object_get(r, "report");

	if (json_object_get(rep, "pingpong"))
		rep = json_object_get(rep, "pingpong");
	return json_object_get(rep, "points");
}

/* The worst-off instance's share of a fair one; from its shares for
 * runs stored before it was recorded. */
double vl_report_worst_share(json_t *m)
{
	json_t *w = json_object_get(m, "worst_share"), *v;
	json_t *shares = json_object_get(m, "shares");
	double lo = 1e300;
	size_t i, n = json_array_size(shares);

	if (json_is_number(w))
		return json_number_value(w);
	json_array_foreach(shares, i, v)
	{
		if (json_number_value(v) < lo)
			lo = json_number_value(v);
	}
	return n ? lo * (double)n : 1;
}

/* Is a bench file judged by throughput (else by completion rate)? */
bool vl_report_rate_file(json_t *b)
{
	json_t *run = json_array_get(json_object_get(b, "runs"), 0);
	const char *w = vl_json_str(b, "workload");

	if (json_is_boolean(json_object_get(run, "rate")))
		return json_is_true(json_object_get(run, "rate"));
	/* files written before runs said so */
	return !strcmp(w, "stream") || !strcmp(w, "bandwidth");
}
