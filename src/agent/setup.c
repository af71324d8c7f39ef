/* SETUP: a guest's identity, given once after it booted bare or was cloned
 * from a template's saved state. In order: the wall clock stepped to the
 * host's (a clone wakes with its template's time), the host's random seed
 * credited to the kernel's RNG and the RNG reseeded at once (clones of one
 * snapshot must not share its state: every number they draw after this
 * differs), then the settings, as a kernel command line's would be: the
 * host's root and the lab's directory (root.c), hostname, interfaces
 * renamed and given their own MAC addresses, addresses, routes (net.c).
 * The lab's /etc/hosts arrives before it, by WRITE_FILE.
 *
 * Touches: as PID 1, the guest's clock, RNG, mounts and network. */
#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "agent/agent.h"
#include "base/util.h"

/* RNDADDENTROPY with the seed (credited: it is the host's getrandom()),
 * then RNDRESEEDCRNG so that the next read already uses it. */
static int seed_rng(const uint8_t *seed, size_t n, struct vl_err *err)
{
	struct {
		struct rand_pool_info info;
		uint8_t buf[VL_AG_SEED_MAX];
	} req;
	cleanup_close int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return vl_err_sys(err, errno, "open /dev/urandom");
	memset(&req, 0, sizeof(req));
	req.info.entropy_count = (int)(n * 8);
	req.info.buf_size = (int)n;
	memcpy(req.buf, seed, n);
	if (ioctl(fd, RNDADDENTROPY, &req) < 0)
		return vl_err_sys(err, errno, "add the host's seed to the RNG");
	if (ioctl(fd, RNDRESEEDCRNG) < 0)
		return vl_err_sys(err, errno, "reseed the RNG");
	return 0;
}

void ag_setup(uint32_t id, const uint8_t *p, size_t len)
{
	struct vl_ag_cur c;
	const uint8_t *seed;
	const char *settings;
	struct vl_err err;
	uint64_t ns;
	uint32_t n;

	if (!ag.init) {
		ag_send_error(id, EPERM, VL_AG_SETUP, "SETUP: only a guest's init takes it");
		return;
	}
	if (!ag.bare) {
		ag_send_error(id, EALREADY, VL_AG_SETUP, "SETUP: the guest has its settings");
		return;
	}
	vl_ag_cur_init(&c, p, len);
	ns = vl_ag_get_u64(&c);
	n = vl_ag_get_u32(&c);
	seed = n <= VL_AG_SEED_MAX ? vl_ag_get_bytes(&c, n) : NULL;
	settings = vl_ag_get_str(&c, 0);
	if (!seed || !settings || !vl_ag_cur_done(&c)) {
		ag_send_error(id, EINVAL, VL_AG_SETUP, "SETUP: a malformed payload");
		return;
	}
	ag_clock_step(ns);
	if (n && seed_rng(seed, n, &err) < 0)
		ag_note("%s", err.msg);
	ag.bare = false;
	ag_root_setup(settings);
	if (chdir("/") < 0)
		ag_note("chdir /: %s", strerror(errno));
	ag_configure(settings);
	ag.ready_ms = ag_clock_ms(CLOCK_BOOTTIME);
	ag_send_ready(id);
}
