/* nftables through libnftables (nft.h). Touches only the tables the
 * caller names. */
#include "sys/nft.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

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

int vl_nft_tables(const char *family, char ***names, size_t *n, struct vl_err *err)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	char cmd[64], want[32], name[256];
	const char *out;
	char **v = NULL;
	size_t cnt = 0, cap = 0;

	*names = NULL;
	*n = 0;
	if (!nft)
		return vl_err_set(err, ENOMEM, "nftables: no context");
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	snprintf(cmd, sizeof(cmd), "list tables %s", family);
	if (nft_run_cmd_from_buffer(nft, cmd) != 0) {
		nft_ctx_free(nft);
		return vl_err_set(err, EIO, "nftables: cannot list the %s tables", family);
	}
	/* one "table FAMILY NAME" a line */
	snprintf(want, sizeof(want), "table %s ", family);
	out = nft_ctx_get_output_buffer(nft);
	for (const char *l = out ? out : ""; *l; l += strcspn(l, "\n"), l += *l == '\n') {
		size_t len = strcspn(l, "\n");

		if (strncmp(l, want, strlen(want)) || len - strlen(want) >= sizeof(name))
			continue;
		memcpy(name, l + strlen(want), len - strlen(want));
		name[len - strlen(want)] = '\0';
		vl_grow(&v, &cap, cnt, sizeof(*v));
		v[cnt++] = vl_xstrdup(name);
	}
	nft_ctx_free(nft);
	*names = v;
	*n = cnt;
	return 0;
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
