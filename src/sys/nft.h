/* nftables through libnftables: a table of the caller's own, made from a
 * ruleset text that the caller builds from validated values only (never
 * from a user's words), and deleted again. */
#ifndef VL_SYS_NFT_H
#define VL_SYS_NFT_H

#include <stddef.h>

#include "base/err.h"

/* Run nft commands (nft -f syntax); nft's own message on failure. */
int vl_nft_run(const char *cmds, struct vl_err *err);
/* The names of the tables of family `family` ("ip"), each for the caller
 * to free, and their count. */
int vl_nft_tables(const char *family, char ***names, size_t *n, struct vl_err *err);
/* Delete table `name` of family `family` ("ip"); none is fine. */
int vl_nft_delete_table(const char *family, const char *name, struct vl_err *err);

#endif
