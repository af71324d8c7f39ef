/* `down` and `clean`: a lab's processes stopped, then its journal undone
 * in reverse (journal.c); for leftovers of an `up` or `down` that died,
 * the same undo, host settings no lab holds, and namespaces tagged as ours
 * whose lab is gone. Touches only what the lab's journal names and what is
 * tagged with its id. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "engine/internal.h"
#include "engine/journal.h"
#include "lab/etc_hosts.h"
#include "lab/host.h"
#include "lab/lab.h"
#include "engine/hostlinks.h"
#include "sys/nft.h"
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
	/* From here the lab is going: if this down dies, status says so and
	 * clean finishes it. */
	r = vl_lab_mark_down(lab, err);
	if (r == 0)
		r = vl_engine_undo(lab, err);
	close(lock);
	if (r < 0)
		vl_err_wrap(err, "lab %s", lab);
	return r;
}

/* Host settings raised by labs that are gone without a down (their
 * directories removed by hand): put back. */
static int clean_host(const struct vl_clean_opts *o, struct vl_err *err)
{
	char **keys, msg[256];
	size_t n;
	int lock, r = 0;

	if ((lock = vl_host_lock(err)) < 0)
		return -1;
	/* a write of /etc/hosts that a killed vnetlab left half done */
	if (!o->dry_run && vl_etc_hosts_recover(err) < 0) {
		close(lock);
		return -1;
	}
	if (vl_host_changed(&keys, &n, err) < 0) {
		close(lock);
		return -1;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		if (vl_journal_holds(NULL, keys[i]))
			continue;
		snprintf(msg, sizeof(msg),
		         "host setting %s (no lab needs it now: the host's value back)", keys[i]);
		o->say(true, msg, o->data);
		if (!o->dry_run)
			r = vl_host_restore(keys[i], NULL, err);
	}
	vl_strv_free(keys, n);
	close(lock);
	return r;
}

/* A namespace tagged as ours whose lab is gone (its directory lost). */
static int clean_orphan(const struct vl_clean_opts *o, const char *name, struct vl_err *err)
{
	char path[PATH_MAX], msg[PATH_MAX + 160];
	struct vl_ns_id id;
	struct vl_proc *procs = NULL;
	size_t n_procs = 0;
	int r = 0;

	snprintf(path, sizeof(path), "%s/%s", VL_NETNS_RUN_DIR, name);
	id = vl_ns_id_of(path);
	if (id.ino && vl_netns_is_host(id)) {
		snprintf(msg, sizeof(msg), "%s: the host's own network namespace, left alone",
		         path);
		o->say(false, msg, o->data);
		return 0;
	}
	if (id.ino && vl_proc_find_in_netns(&id, 1, &procs, &n_procs, err) < 0)
		return -1;
	if (n_procs && !o->orphans) {
		snprintf(msg, sizeof(msg),
		         "network namespace %s: named like a lab's, but no lab has its id, and %zu "
		         "process%s run%s in it: left alone (vnetlab clean --orphans stops %s and "
		         "removes it)",
		         name, n_procs, n_procs == 1 ? "" : "es", n_procs == 1 ? "s" : "",
		         n_procs == 1 ? "it" : "them");
		o->say(false, msg, o->data);
		free(procs);
		return 0;
	}
	snprintf(msg, sizeof(msg), "network namespace %s (no lab%s)", name,
	         n_procs ? "; its processes stopped" : "");
	o->say(true, msg, o->data);
	if (!o->dry_run) {
		if (n_procs)
			vl_proc_stop(procs, n_procs, 3.0);
		r = vl_ns_unbind(path, err);
	}
	free(procs);
	return r;
}

struct live_ids {
	char **ids, **labs;
	size_t n_ids, n_labs;
};

static bool any_lab_has(char **labs, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++) {
		char lid[VL_LAB_ID_LEN + 1];

		if (vl_lab_exists(labs[i]) && vl_lab_read_id(labs[i], lid, NULL) == 0 &&
		    !strcmp(lid, id))
			return true;
	}
	return false;
}

/* Is id a lab's: one held or up, or any lab's directory says so, among
 * them labs begun since clean looked (an up writes its id before it makes
 * anything tagged with it)? */
static bool id_live(const char *id, void *data)
{
	const struct live_ids *l = data;
	char **now;
	size_t n;
	bool live;

	for (size_t i = 0; i < l->n_ids; i++)
		if (!strcmp(l->ids[i], id))
			return true;
	if (any_lab_has(l->labs, l->n_labs, id))
		return true;
	if (vl_lab_list(&now, &n, NULL) < 0)
		return true; /* cannot tell: leave it */
	live = any_lab_has(now, n, id);
	vl_strv_free(now, n);
	return live;
}

/* Management bridges and their ports in the host's namespace whose lab is
 * gone (a vnetlab killed before its lab had a journal to undo them). */
struct orphan_links {
	const struct vl_clean_opts *o;
	struct live_ids *live;
};

static bool orphan_link(const char *name, void *data)
{
	struct orphan_links *ol = data;
	char id[VL_LAB_ID_LEN + 1], msg[160];

	if (!vl_mgmt_link_name(name, id) || id_live(id, ol->live))
		return false;
	snprintf(msg, sizeof(msg), "link %s in the host's namespace (no lab)", name);
	ol->o->say(true, msg, ol->o->data);
	return !ol->o->dry_run;
}

/* The nftables tables of labs that are gone (ip vl<id>nat). */
static int clean_tables(const struct vl_clean_opts *o, struct live_ids *live, struct vl_err *err)
{
	char **names, id[VL_LAB_ID_LEN + 1], msg[160];
	size_t n;
	int r = 0;

	if (vl_nft_tables("ip", &names, &n, NULL) < 0)
		return 0; /* no nftables here: none of ours either */
	for (size_t i = 0; i < n; i++) {
		const char *s = names[i];

		if (r == 0 && strlen(s) == 2 + VL_LAB_ID_LEN + 3 && !strncmp(s, "vl", 2) &&
		    strspn(s + 2, "0123456789abcdef") == VL_LAB_ID_LEN &&
		    !strcmp(s + 2 + VL_LAB_ID_LEN, "nat")) {
			memcpy(id, s + 2, VL_LAB_ID_LEN);
			id[VL_LAB_ID_LEN] = '\0';
			if (!id_live(id, live)) {
				snprintf(msg, sizeof(msg), "nftables table ip %s (no lab)", s);
				o->say(true, msg, o->data);
				if (!o->dry_run)
					r = vl_nft_delete_table("ip", s, err);
			}
		}
	}
	vl_strv_free(names, n);
	return r;
}

int vl_engine_clean(const struct vl_clean_opts *o, struct vl_err *err)
{
	char **labs = NULL, **live_ids;
	size_t n_labs = 0, n_live = 0;
	struct live_ids live;
	char msg[PATH_MAX + 64];
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (geteuid() != 0)
		return vl_err_set(err, EPERM, "vnetlab clean needs root: run it with sudo");
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
		snprintf(msg, sizeof(msg), "lab %s (its %s did not finish)", labs[i],
		         vl_lab_going_down(labs[i]) ? "down" : "up");
		o->say(true, msg, o->data);
		if (!o->dry_run && vl_engine_undo(labs[i], err) < 0) {
			vl_err_wrap(err, "lab %s", labs[i]);
			r = -1;
		}
		close(lock);
	}
	live = (struct live_ids){live_ids, labs, n_live, n_labs};
	d = opendir(VL_NETNS_RUN_DIR);
	while (d && (de = readdir(d))) {
		char id[VL_LAB_ID_LEN + 1];

		if (vl_lab_tag(de->d_name, id) && !id_live(id, &live) &&
		    clean_orphan(o, de->d_name, r ? NULL : err) < 0)
			r = -1;
	}
	if (d)
		closedir(d);
	if (vl_host_links_delete(orphan_link, &(struct orphan_links){o, &live}, r ? NULL : err) <
	        0 ||
	    clean_tables(o, &live, r ? NULL : err) < 0)
		r = -1;
	if (clean_host(o, r ? NULL : err) < 0)
		r = -1;
	if (vl_node_clean(o->dry_run, o->caches, o->say, o->data, r ? NULL : err) < 0)
		r = -1;
	vl_strv_free(live_ids, n_live);
	vl_strv_free(labs, n_labs);
	return r;
}
