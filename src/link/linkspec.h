/* Mininet's `--link` option: one set of link settings for every link of a
 * topology, as `mn --link tc,bw=10,delay=5ms` takes them, or in vnetlab's
 * own spelling (`bw=10Mbit,delay=5ms,jitter=1ms,loss=1%,queue=100`). Pure
 * data: parsed into the "key value" settings vl_impair_set takes. */
#ifndef VL_LINK_LINKSPEC_H
#define VL_LINK_LINKSPEC_H

#include <stddef.h>

#include "base/err.h"
#include "topo/impair.h"

#define VL_LINK_SPEC_MAX 16

struct vl_link_spec {
	char *keys[VL_LINK_SPEC_MAX], *values[VL_LINK_SPEC_MAX];
	size_t n;
	/* Mininet's settings that choose how tc shapes (use_htb, ...):
	 * accepted, and nothing here for them to change */
	char *ignored[VL_LINK_SPEC_MAX];
	size_t n_ignored;
};

/* "[tc|tcu|default,]KEY=VALUE,...": bw (a bare number is Mbit/s, as
 * Mininet's; or 10Mbit), delay, jitter, loss (a bare number is percent,
 * as Mininet's; or 1%), queue or max_queue_size (packets, or a size),
 * distribution, loss-model. Each checked; err names the one that is not
 * valid. */
int vl_link_spec_parse(const char *spec, struct vl_link_spec *ls, struct vl_err *err);
/* Set the spec's settings in im, over what it has. */
void vl_link_spec_apply(const struct vl_link_spec *ls, struct vl_impair *im);
void vl_link_spec_free(struct vl_link_spec *ls);

#endif
