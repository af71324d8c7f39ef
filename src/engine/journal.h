/* The journal of a lab, <run>/<lab>/journal: one line per object that
 * `up` makes and that must be undone, written before the step that makes
 * it. `down`, `clean` and a failed `up` undo it in reverse. Each kind of
 * record has a typed writer here and its undo in the table of journal.c,
 * side by side; a record that does not parse, or names something that is
 * not the lab's own, is passed over (never acted on).
 *
 *   lab NAME ID           the lab's directory (the first record)
 *   mount PATH            a private tmpfs of the lab's (files/, ns/)
 *   cgroup MANAGER PATH   the lab's cgroup, parent of its nodes'
 *   sysctl KEY OLD SET    the lab's hold on a host setting (lab/host.h):
 *                         the host's value and the one the lab needs
 *   release KEY           that hold let go (added by its undo, under the
 *                         host lock, before it asks whether another lab
 *                         still holds KEY)
 *   netns NAME            a network namespace (vl<id>-<node>, vl<id>.sw)
 *   linkd LAB             the lab's linkd
 *   hostlink NAME         a link in the host's namespace (vl<id>mgmt)
 *   hostif NAME           a host link's end in the host's namespace (waited for)
 *   hosts LAB             the lab's block in the host's /etc/hosts
 *   nft TABLE             the lab's nftables table (ip vl<id>nat) */
#ifndef VL_ENGINE_JOURNAL_H
#define VL_ENGINE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "sys/ns.h"

struct vl_journal {
	int fd;
	long step;    /* steps taken so far */
	long fail_at; /* VNETLAB_FAIL_AT: fail when step reaches it (tests) */
};

int vl_journal_open(struct vl_journal *j, const char *lab, struct vl_err *err);
void vl_journal_close(struct vl_journal *j);
/* Count a step that needs no record (configuring inside a namespace that
 * is already journalled); fails if VNETLAB_FAIL_AT says so. */
int vl_journal_step(struct vl_journal *j, const char *what, struct vl_err *err);

/* The typed writers: each records its object, then counts the step. */
int vl_journal_lab(struct vl_journal *j, const char *lab, const char *id, struct vl_err *err);
int vl_journal_mount(struct vl_journal *j, const char *path, struct vl_err *err);
int vl_journal_cgroup(struct vl_journal *j, const char *manager, const char *path,
                      struct vl_err *err);
int vl_journal_sysctl(struct vl_journal *j, const char *key, unsigned long old, unsigned long set,
                      struct vl_err *err);
int vl_journal_netns(struct vl_journal *j, const char *name, struct vl_err *err);
/* Many namespaces in one write (not counted as steps: the nodes' are). */
int vl_journal_netns_many(struct vl_journal *j, char *const *names, size_t n, struct vl_err *err);
int vl_journal_linkd(struct vl_journal *j, const char *lab, struct vl_err *err);
int vl_journal_hostlink(struct vl_journal *j, const char *name, struct vl_err *err);
int vl_journal_etc_hosts(struct vl_journal *j, const char *lab, struct vl_err *err);
int vl_journal_hostif(struct vl_journal *j, const char *name, struct vl_err *err);
int vl_journal_nft(struct vl_journal *j, const char *table, struct vl_err *err);

/* Undo the lab's journal in reverse, every record through its kind's
 * undo; the first failure is returned, the rest still undone. After a
 * failure the lab's directory stays, its journal rewritten to hold only
 * what is left (the lab's record and those whose undo failed), for clean
 * to retry; err names them. A lab without a journal has only its
 * directory removed. */
int vl_journal_undo(const char *lab, struct vl_err *err);

/* The lab's network namespaces: those its journal names that are tagged
 * with its own id (lab.h vl_lab_own_id) and bound to a namespace other
 * than the host's, sorted by vl_ns_id_cmp. */
int vl_journal_netns_ids(const char *lab, struct vl_ns_id **out, size_t *n, struct vl_err *err);
/* Does a lab other than `except` (NULL: any) hold host setting key? */
bool vl_journal_holds(const char *except, const char *key);

#endif
