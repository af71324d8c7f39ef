/* The lab's block of the host's /etc/hosts (etc_hosts.h). Touches
 * /etc/hosts only, and of it only the lines between the lab's markers. */
#include "lab/etc_hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

/* The text without the lab's block, into out. */
static void without_block(const char *lab, const char *text, size_t len, struct vl_buf *out)
{
	char start[128], end[128];
	bool in = false;

	snprintf(start, sizeof(start), "###### VNETLAB-%s-START ######", lab);
	snprintf(end, sizeof(end), "###### VNETLAB-%s-END ######", lab);
	for (const char *s = text, *e; s < text + len; s = e) {
		size_t n;

		e = memchr(s, '\n', (size_t)(text + len - s));
		e = e ? e + 1 : text + len;
		n = (size_t)(e - s) - (e[-1] == '\n');
		if (!in && n == strlen(start) && !memcmp(s, start, n))
			in = true;
		else if (in && n == strlen(end) && !memcmp(s, end, n))
			in = false;
		else if (!in)
			vl_buf_add(out, s, (size_t)(e - s));
	}
}

static int rewrite(const char *lab, const char *lines, struct vl_err *err)
{
	cleanup_free char *text = NULL;
	cleanup_buf struct vl_buf b = {0};
	cleanup_close int fd = -1;
	size_t len = 0;

	fd = open(VL_ETC_HOSTS, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT && !lines ? 0
		                                 : vl_err_sys(err, errno, "open %s", VL_ETC_HOSTS);
	if (vl_read_file(VL_ETC_HOSTS, &text, &len, err) < 0)
		return -1;
	without_block(lab, text, len, &b);
	if (lines) {
		cleanup_buf struct vl_buf o = {0};
		size_t at = b.len;

		/* before a last line without its newline, so that taking the
		 * block out again gives back the file byte for byte */
		while (at && b.s[at - 1] != '\n')
			at--;
		vl_buf_add(&o, b.s ? b.s : "", at);
		vl_buf_printf(&o,
		              "###### VNETLAB-%s-START ######\n%s###### VNETLAB-%s-END ######\n",
		              lab, lines, lab);
		vl_buf_add(&o, b.s ? b.s + at : "", b.len - at);
		vl_buf_free(&b);
		b = o;
		o = (struct vl_buf){0};
	}
	if (b.len == len && (!len || !memcmp(b.s, text, len)))
		return 0;
	if (lseek(fd, 0, SEEK_SET) < 0 || vl_write_all(fd, b.s ? b.s : "", b.len) < 0 ||
	    ftruncate(fd, (off_t)b.len) < 0)
		return vl_err_sys(err, errno, "write %s", VL_ETC_HOSTS);
	return 0;
}

int vl_etc_hosts_set(const char *lab, const char *lines, struct vl_err *err)
{
	return rewrite(lab, lines, err);
}

int vl_etc_hosts_remove(const char *lab, struct vl_err *err)
{
	return rewrite(lab, NULL, err);
}
