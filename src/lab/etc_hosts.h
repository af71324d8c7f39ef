/* The host's /etc/hosts: a block of the lab's own, between the lines
 * "###### VNETLAB-LAB-START ######" and "###### VNETLAB-LAB-END ######",
 * with the names containerlab gives its nodes on the host (clab-LAB-NODE).
 * Rewritten in place (the file may be a bind mount), the rest of the file
 * kept byte for byte. Callers hold vl_host_lock(). */
#ifndef VL_LAB_ETC_HOSTS_H
#define VL_LAB_ETC_HOSTS_H

#include "base/err.h"

#define VL_ETC_HOSTS "/etc/hosts"

/* Put the lab's block (lines "ADDR\tNAME\n") in, replacing one there. */
int vl_etc_hosts_set(const char *lab, const char *lines, struct vl_err *err);
/* Take the lab's block out (none is fine). */
int vl_etc_hosts_remove(const char *lab, struct vl_err *err);

#endif
