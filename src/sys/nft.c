/* nftables through libnftables (nft.h). Touches only the tables the
 * caller names. */
#include "sys/nft.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

int vl_nft_run(const char *cmds, struct vl_err *err)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	int r;

	if (!nft)
		return vl_err_set(err, ENOMEM, "nftables: no context");
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	r = nft_run_cmd_from_buffer(nft, cmds);
	if (r != 0) {
		char msg[400];
		const char *e = nft_ctx_get_error_buffer(nft);

		snprintf(msg, sizeof(msg), "%s", e && *e ? e : "failed");
		trim(msg);
		/* the first line names the problem; the rest quotes our text */
		msg[strcspn(msg, "\n")] = '\0';
		r = vl_err_set(err, EINVAL, "nftables: %s", msg);
	}
	nft_ctx_free(nft);
	return r;
}

int vl_nft_delete_table(const char *family, const char *name, struct vl_err *err)
{
	char cmd[160];
	struct vl_err e = {0};

	snprintf(cmd, sizeof(cmd), "list table %s %s", family, name);
	if (vl_nft_run(cmd, &e) < 0)
		return 0; /* not there */
	snprintf(cmd, sizeof(cmd), "delete table %s %s", family, name);
	return vl_nft_run(cmd, err);
}
