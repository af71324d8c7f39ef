/* bandwidth-sink: the study's iperf method. Each instance's bandwidth is
 * measured where it is received: bytes per interval (default 1 s, counted
 * from the first byte) and in total, first byte to EOF. Intervals in which
 * nothing arrived are reported as zero, so a starved stream shows. The
 * sender is `stream`. */
#include "work/work.h"

int work_bandwidth_sink(const struct work_opts *o, struct work_meter *m, json_t *out,
                        struct vl_err *err)
{
	return work_sink(o, m, out, o->interval > 0 ? o->interval : 1.0, err);
}
