/* A lab's state directory, /run/vnetlab/<lab>/:
 *   lock        flock()ed by whoever changes the lab (up, down, clean)
 *   id          the lab's 4-hex-digit id, tag of all its kernel objects
 *   journal     one line per step of `up`, written before the step
 *   state.json  the realized plan, written when `up` completed
 *   files/      tmpfs: hosts and hostname/<node>, bound into the nodes
 *   ns/         private tmpfs holding the nodes' uts and mnt namespaces
 *   logs/       output of `exec -d` daemons */
#ifndef VL_ENGINE_LAB_H
#define VL_ENGINE_LAB_H

#include <limits.h>
#include <stddef.h>

#include "base/err.h"
#include "plan/plan.h"

#define VL_RUN_DIR   "/run/vnetlab"
#define VL_LAB_FILES "files"

/* "<run>/<lab>/<rel>" into buf; rel may be NULL. */
void vl_lab_path(const char *lab, const char *rel, char *buf, size_t len);
int vl_lab_exists(const char *lab);
/* Lock the lab. wait=0: fail at once if held. Returns the fd. */
int vl_lab_lock(const char *lab, int wait, struct vl_err *err);
int vl_lab_read_id(const char *lab, char id[VL_LAB_ID_LEN + 1], struct vl_err *err);
/* 1 if state.json says the lab is up. */
int vl_lab_is_complete(const char *lab);
/* Names of the labs in the run dir, sorted. */
int vl_lab_list(char ***names, size_t *n, struct vl_err *err);
void vl_strv_free(char **v, size_t n);

/* Remove a directory tree (no symlinks followed, stays on one device). */
int vl_rmtree(const char *path, struct vl_err *err);

/* The journal. Records are "<verb> <arg>\n". */
struct vl_journal {
	int fd;
	long step;    /* steps taken so far */
	long fail_at; /* VNETLAB_FAIL_AT: fail when step reaches it (tests) */
};
int vl_journal_open(struct vl_journal *j, const char *lab, struct vl_err *err);
void vl_journal_close(struct vl_journal *j);
/* Record a step before taking it; counts it, and fails if told to. */
int vl_journal_add(struct vl_journal *j, const char *verb, const char *arg, struct vl_err *err);
/* Count a step that needs no record (e.g. configuring inside a namespace
 * that is already journalled). */
int vl_journal_step(struct vl_journal *j, const char *what, struct vl_err *err);
/* Several records with one write. */
int vl_journal_add_many(struct vl_journal *j, const char *verb, char *const *args, size_t n,
                        struct vl_err *err);

struct vl_journal_rec {
	char verb[16];
	char *arg;
};
int vl_journal_read(const char *lab, struct vl_journal_rec **recs, size_t *n, struct vl_err *err);
void vl_journal_recs_free(struct vl_journal_rec *recs, size_t n);

#endif
