/* `down` and `clean`: a lab's processes stopped, then its journal undone
 * in reverse (journal.c); for leftovers of an `up` that died, the same
 * undo, and namespaces tagged as ours whose lab is gone. Touches only what
 * the lab's journal names and what is tagged with its id. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/internal.h"
#include "lab/lab.h"
#include "sys/ns.h"
#include "sys/proc.h"

int vl_engine_undo(const char *lab, struct vl_err *err)
{
	struct vl_proc *procs = NULL;
	size_t n_procs = 0;

	if (vl_engine_lab_procs(lab, &procs, &n_procs, err) == 0 && n_procs) {
		size_t left = vl_proc_stop(procs, n_procs, 3.0);

		if (left)
			fprintf(stderr, "vnetlab: %s: %zu processes would not die\n", lab, left);
	}
	free(procs);
	vl_err_clear(err);
	return vl_journal_undo(lab, err);
}

int vl_engine_down(const char *lab, bool missing_ok, struct vl_err *err)
{
	const char *why;
	int lock, r;

	if ((why = vl_name_invalid(lab)))
		return vl_err_set(err, EINVAL, "lab name \"%s\" %s", lab, why);
	if (!vl_lab_exists(lab)) {
		if (missing_ok)
			return 0;
		return vl_err_set(err, ENOENT, "no lab named %s", lab);
	}
	lock = vl_lab_lock(lab, 1, err);
	if (lock < 0)
		return -1;
	r = vl_engine_undo(lab, err);
	close(lock);
	if (r < 0)
		vl_err_wrap(err, "lab %s", lab);
	return r;
}

/* "vl" + 4 hex + ('-' node | ".sw") */
static int tagged_id(const char *name, char id[VL_LAB_ID_LEN + 1])
{
	if (strncmp(name, "vl", 2))
		return 0;
	for (int i = 0; i < VL_LAB_ID_LEN; i++) {
		char c = name[2 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
		id[i] = c;
	}
	id[VL_LAB_ID_LEN] = '\0';
	return (name[6] == '-' && !vl_name_invalid(name + 7)) || !strcmp(name + 6, ".sw");
}

int vl_engine_clean(bool dry_run, void (*say)(const char *what, void *data), void *data,
                    struct vl_err *err)
{
	char **labs = NULL, **live_ids;
	size_t n_labs = 0, n_live = 0;
	char msg[PATH_MAX + 64];
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (vl_lab_list(&labs, &n_labs, err) < 0)
		return -1;
	live_ids = vl_xcalloc(n_labs + 1, sizeof(*live_ids));
	for (size_t i = 0; i < n_labs; i++) {
		char id[VL_LAB_ID_LEN + 1];
		int lock = vl_lab_lock(labs[i], 0, NULL);

		if (lock < 0) {
			/* Held: an up or down is running; leave it alone. */
			if (vl_lab_read_id(labs[i], id, NULL) == 0)
				live_ids[n_live++] = vl_xstrdup(id);
			continue;
		}
		if (vl_lab_is_complete(labs[i])) {
			if (vl_lab_read_id(labs[i], id, NULL) == 0)
				live_ids[n_live++] = vl_xstrdup(id);
			close(lock);
			continue;
		}
		snprintf(msg, sizeof(msg), "lab %s (its up did not finish)", labs[i]);
		say(msg, data);
		if (!dry_run && vl_engine_undo(labs[i], err) < 0) {
			vl_err_wrap(err, "lab %s", labs[i]);
			r = -1;
		}
		close(lock);
	}
	/* Namespaces tagged as ours whose lab is gone (its directory lost). */
	d = opendir(VL_NETNS_RUN_DIR);
	while (d && (de = readdir(d))) {
		char id[VL_LAB_ID_LEN + 1], path[PATH_MAX];
		int live = 0;

		if (!tagged_id(de->d_name, id))
			continue;
		for (size_t i = 0; i < n_live && !live; i++)
			live = !strcmp(live_ids[i], id);
		for (size_t i = 0; i < n_labs && !live; i++) {
			char lid[VL_LAB_ID_LEN + 1];

			live = vl_lab_exists(labs[i]) && vl_lab_read_id(labs[i], lid, NULL) == 0 &&
			       !strcmp(lid, id);
		}
		if (live)
			continue;
		snprintf(msg, sizeof(msg), "network namespace %s (no lab)", de->d_name);
		say(msg, data);
		snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, de->d_name);
		if (dry_run)
			continue;
		ino_t ino = vl_ns_inode(path);
		struct vl_proc *procs = NULL;
		size_t n_procs = 0;

		if (ino && vl_proc_find_in_netns(&ino, 1, &procs, &n_procs, NULL) == 0 && n_procs)
			vl_proc_stop(procs, n_procs, 3.0);
		free(procs);
		if (vl_ns_unbind(path, err) < 0)
			r = -1;
	}
	if (d)
		closedir(d);
	vl_strv_free(live_ids, n_live);
	vl_strv_free(labs, n_labs);
	return r;
}
