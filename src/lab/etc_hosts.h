/* The host's /etc/hosts: a block of the lab's own, between the lines
 * "###### VNETLAB-LAB-START ######" and "###### VNETLAB-LAB-END ######",
 * with the names containerlab gives its nodes on the host (clab-LAB-NODE).
 * The rest of the file is kept byte for byte. The file is written in
 * place (never renamed over: nodes bind their own hosts files over it, and
 * the kernel detaches mounts on a file renamed over), its new text kept
 * first in <run>/.host/hosts.redo, from which the next vnetlab finishes a
 * write that was killed half-way. A symbolic link (a system that manages
 * the file so) is followed. Callers hold vl_host_lock(). */
#ifndef VL_LAB_ETC_HOSTS_H
#define VL_LAB_ETC_HOSTS_H

#include "base/err.h"

#define VL_ETC_HOSTS "/etc/hosts"

/* Put the lab's block (lines "ADDR\tNAME\n") in, replacing one there.
 * 1 (err says why) when the file cannot be written (read-only, as a file
 * the system manages is): the lab goes on without its names there. */
int vl_etc_hosts_set(const char *lab, const char *lines, struct vl_err *err);
/* Take the lab's block out (none is fine). */
int vl_etc_hosts_remove(const char *lab, struct vl_err *err);
/* Finish a write in place that a vnetlab began and did not end. */
int vl_etc_hosts_recover(struct vl_err *err);

#endif
