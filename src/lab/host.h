/* Host settings that labs change (sysctls such as
 * net.core.netdev_max_backlog), shared by every lab that needs them:
 * <run>/.host/<KEY> holds the host's own value and the one vnetlab set
 * (the directory is there only while a setting is changed).
 * The first lab that needs a setting raised records the host's value; each
 * lab that needs it journals a hold (journal.h); when a lab goes and no
 * other lab's journal holds the setting, the host's value is put back,
 * unless someone else changed it since. A lab that died leaves its journal,
 * so its hold lasts until `down` or `clean` removes it. */
#ifndef VL_LAB_HOST_H
#define VL_LAB_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Is key one of the settings vnetlab changes ("net/core/netdev_max_backlog")? */
bool vl_host_known(const char *key);
/* Serialize changes to the host's settings between vnetlabs: a lock fd
 * (flock of the run dir). */
int vl_host_lock(struct vl_err *err);
/* The value the host had before any lab changed key (its current one if
 * none did). */
int vl_host_base(const char *key, unsigned long *base, struct vl_err *err);
/* Make key at least `need` (hold the lock, and journal the hold first). */
int vl_host_raise(const char *key, unsigned long need, struct vl_err *err);
/* No lab holds key any more: put the host's value back (hold the lock).
 * fallback, if not NULL: {host's value, value set} from a lab's record,
 * for when the shared record is lost. */
int vl_host_restore(const char *key, const unsigned long *fallback, struct vl_err *err);
/* The keys with a shared record (the host's value not yet put back). */
int vl_host_changed(char ***keys, size_t *n, struct vl_err *err);

#endif
