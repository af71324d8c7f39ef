/* The guest agent's protocol (see proto.h): header and payload encoding,
 * bounds-checked decoding, and frame reassembly from a byte stream. Pure
 * data, libc only: it is linked into the static guest agent as well as
 * into the host library. */
#include "vm/proto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const type_names[] = {
    [VL_AG_HELLO] = "HELLO",
    [VL_AG_EXEC] = "EXEC",
    [VL_AG_STDIN] = "STDIN",
    [VL_AG_STDIN_EOF] = "STDIN_EOF",
    [VL_AG_SIGNAL] = "SIGNAL",
    [VL_AG_WINSIZE] = "WINSIZE",
    [VL_AG_CREDIT] = "CREDIT",
    [VL_AG_WRITE_FILE] = "WRITE_FILE",
    [VL_AG_STATS] = "STATS",
    [VL_AG_PING] = "PING",
    [VL_AG_POWEROFF] = "POWEROFF",
    [VL_AG_SETUP] = "SETUP",
    [VL_AG_READY] = "READY",
    [VL_AG_OK] = "OK",
    [VL_AG_ERROR] = "ERROR",
    [VL_AG_STARTED] = "STARTED",
    [VL_AG_STDOUT] = "STDOUT",
    [VL_AG_STDERR] = "STDERR",
    [VL_AG_EXIT] = "EXIT",
    [VL_AG_STATS_REPLY] = "STATS_REPLY",
    [VL_AG_PONG] = "PONG",
};

const char *vl_ag_type_name(unsigned type, char *buf)
{
	if (type < sizeof(type_names) / sizeof(type_names[0]) && type_names[type])
		return type_names[type];
	snprintf(buf, 16, "type 0x%02x", type & 0xffu);
	return buf;
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int vl_ag_hdr_get(const uint8_t *in, struct vl_ag_hdr *h)
{
	if (in[0] != VL_AG_MAGIC0 || in[1] != VL_AG_MAGIC1)
		return -EBADMSG;
	h->version = in[2];
	h->type = in[3];
	h->id = rd32(in + 4);
	h->len = rd32(in + 8);
	if (h->len > VL_AG_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (h->version != VL_AG_VERSION)
		return -EPROTONOSUPPORT;
	return 0;
}

void vl_ag_msg_init(struct vl_ag_msg *m, unsigned type, uint32_t id)
{
	m->buf[0] = VL_AG_MAGIC0;
	m->buf[1] = VL_AG_MAGIC1;
	m->buf[2] = VL_AG_VERSION;
	m->buf[3] = (uint8_t)type;
	le32(m->buf + 4, id);
	le32(m->buf + 8, 0);
	m->len = VL_AG_HDR_LEN;
	m->overflow = false;
}

uint8_t *vl_ag_msg_room(struct vl_ag_msg *m, size_t n)
{
	if (m->overflow || n > sizeof(m->buf) - m->len) {
		m->overflow = true;
		return NULL;
	}
	return m->buf + m->len;
}

void vl_ag_msg_grow(struct vl_ag_msg *m, size_t n)
{
	if (n > sizeof(m->buf) - m->len)
		m->overflow = true;
	else
		m->len += n;
}

void vl_ag_put_u16(struct vl_ag_msg *m, uint16_t v)
{
	uint8_t *p = vl_ag_msg_room(m, 2);

	if (p) {
		le16(p, v);
		m->len += 2;
	}
}

void vl_ag_put_u32(struct vl_ag_msg *m, uint32_t v)
{
	uint8_t *p = vl_ag_msg_room(m, 4);

	if (p) {
		le32(p, v);
		m->len += 4;
	}
}

void vl_ag_put_u64(struct vl_ag_msg *m, uint64_t v)
{
	uint8_t *p = vl_ag_msg_room(m, 8);

	if (p) {
		le64(p, v);
		m->len += 8;
	}
}

void vl_ag_put_bytes(struct vl_ag_msg *m, const void *src, size_t n)
{
	uint8_t *p = vl_ag_msg_room(m, n);

	if (p && n) {
		memcpy(p, src, n);
		m->len += n;
	}
}

void vl_ag_put_str(struct vl_ag_msg *m, const char *s)
{
	vl_ag_put_bytes(m, s ? s : "", strlen(s ? s : "") + 1);
}

int vl_ag_msg_end(struct vl_ag_msg *m)
{
	if (m->overflow)
		return -EMSGSIZE;
	le32(m->buf + 8, (uint32_t)(m->len - VL_AG_HDR_LEN));
	return 0;
}

void vl_ag_cur_init(struct vl_ag_cur *c, const void *payload, size_t len)
{
	c->p = payload;
	c->left = len;
	c->bad = false;
}

const uint8_t *vl_ag_get_bytes(struct vl_ag_cur *c, size_t n)
{
	const uint8_t *p = c->p;

	if (c->bad || n > c->left) {
		c->bad = true;
		return NULL;
	}
	c->p += n;
	c->left -= n;
	return p;
}

uint16_t vl_ag_get_u16(struct vl_ag_cur *c)
{
	const uint8_t *p = vl_ag_get_bytes(c, 2);

	return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

uint32_t vl_ag_get_u32(struct vl_ag_cur *c)
{
	const uint8_t *p = vl_ag_get_bytes(c, 4);

	return p ? rd32(p) : 0;
}

uint64_t vl_ag_get_u64(struct vl_ag_cur *c)
{
	const uint8_t *p = vl_ag_get_bytes(c, 8);

	return p ? (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32 : 0;
}

const char *vl_ag_get_str(struct vl_ag_cur *c, size_t max)
{
	size_t lim;
	const uint8_t *nul;

	if (c->bad)
		return NULL;
	lim = c->left;
	if (max && max + 1 < lim)
		lim = max + 1;
	nul = memchr(c->p, 0, lim);
	if (!nul) {
		c->bad = true;
		return NULL;
	}
	return (const char *)vl_ag_get_bytes(c, (size_t)(nul - c->p) + 1);
}

bool vl_ag_cur_done(const struct vl_ag_cur *c)
{
	return !c->bad && c->left == 0;
}

void vl_ag_reader_reset(struct vl_ag_reader *r)
{
	r->start = r->end = 0;
	r->resync = false;
}

uint8_t *vl_ag_reader_space(struct vl_ag_reader *r, size_t *n)
{
	if (r->start && (r->start == r->end || sizeof(r->buf) - r->end < VL_AG_MAX_FRAME)) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	*n = sizeof(r->buf) - r->end;
	return r->buf + r->end;
}

void vl_ag_reader_fill(struct vl_ag_reader *r, size_t n)
{
	r->end += n;
}

/* Skip to the next possible start of a frame: the magic, or a last byte
 * that may begin it. True if a whole magic is at r->start. (The version
 * is not part of the pattern, so that a frame of another version is
 * reported even right after garbage.) */
static bool skip_to_magic(struct vl_ag_reader *r)
{
	while (r->start < r->end) {
		const uint8_t *p = r->buf + r->start;
		size_t avail = r->end - r->start;

		if (p[0] == VL_AG_MAGIC0 && (avail == 1 || p[1] == VL_AG_MAGIC1))
			return avail >= 2;
		r->start++;
	}
	return false;
}

int vl_ag_reader_next(struct vl_ag_reader *r, struct vl_ag_hdr *h, const uint8_t **payload)
{
	const uint8_t *p;
	size_t avail;
	int e;

	if (r->resync) {
		if (!skip_to_magic(r))
			return 0;
		r->resync = false;
	}
	avail = r->end - r->start;
	if (avail < VL_AG_HDR_LEN)
		return 0;
	p = r->buf + r->start;
	e = vl_ag_hdr_get(p, h);
	if (e < 0) {
		/* Nothing after a bad header can be trusted, its length least
		 * of all: look for the next magic from the byte after it. */
		r->start++;
		r->resync = true;
		return e;
	}
	if (avail < VL_AG_HDR_LEN + (size_t)h->len)
		return 0;
	*payload = p + VL_AG_HDR_LEN;
	r->start += VL_AG_HDR_LEN + h->len;
	return 1;
}

/* The counters in wire order. */
static void if_fields(struct vl_ag_if_stats *s, uint64_t *f[8])
{
	f[0] = &s->rx_bytes;
	f[1] = &s->rx_packets;
	f[2] = &s->rx_errs;
	f[3] = &s->rx_drop;
	f[4] = &s->tx_bytes;
	f[5] = &s->tx_packets;
	f[6] = &s->tx_errs;
	f[7] = &s->tx_drop;
}

void vl_ag_stats_put(struct vl_ag_msg *m, const struct vl_ag_stats *st)
{
	uint32_t n = st->n_ifs > VL_AG_MAX_IFS ? VL_AG_MAX_IFS : st->n_ifs;

	vl_ag_put_u64(m, st->uptime_ms);
	vl_ag_put_u32(m, st->ncpu);
	for (int i = 0; i < VL_AG_CPU_N; i++)
		vl_ag_put_u64(m, st->cpu_ms[i]);
	vl_ag_put_u64(m, st->mem_total_kb);
	vl_ag_put_u64(m, st->mem_avail_kb);
	vl_ag_put_u32(m, n);
	for (uint32_t i = 0; i < n; i++) {
		struct vl_ag_if_stats s = st->ifs[i];
		char name[16] = {0};
		uint64_t *f[8];

		memcpy(name, s.name, strnlen(s.name, sizeof(name) - 1));
		vl_ag_put_bytes(m, name, sizeof(name));
		if_fields(&s, f);
		for (int k = 0; k < 8; k++)
			vl_ag_put_u64(m, *f[k]);
	}
}

int vl_ag_stats_get(const void *payload, size_t len, struct vl_ag_stats *st)
{
	struct vl_ag_cur c;

	memset(st, 0, sizeof(*st));
	vl_ag_cur_init(&c, payload, len);
	st->uptime_ms = vl_ag_get_u64(&c);
	st->ncpu = vl_ag_get_u32(&c);
	for (int i = 0; i < VL_AG_CPU_N; i++)
		st->cpu_ms[i] = vl_ag_get_u64(&c);
	st->mem_total_kb = vl_ag_get_u64(&c);
	st->mem_avail_kb = vl_ag_get_u64(&c);
	st->n_ifs = vl_ag_get_u32(&c);
	if (c.bad || st->n_ifs > VL_AG_MAX_IFS) {
		st->n_ifs = 0;
		return -EBADMSG;
	}
	for (uint32_t i = 0; i < st->n_ifs; i++) {
		const uint8_t *name = vl_ag_get_bytes(&c, 16);
		uint64_t *f[8];

		if (!name || !memchr(name, 0, 16)) {
			st->n_ifs = 0;
			return -EBADMSG;
		}
		memcpy(st->ifs[i].name, name, 16);
		if_fields(&st->ifs[i], f);
		for (int k = 0; k < 8; k++)
			*f[k] = vl_ag_get_u64(&c);
	}
	if (!vl_ag_cur_done(&c)) {
		st->n_ifs = 0;
		return -EBADMSG;
	}
	return 0;
}
