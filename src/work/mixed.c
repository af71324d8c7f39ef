/* mixed and mixed-sink: an encrypted bulk transfer, CPU and network at
 * once, as the study's scp was. The sender encrypts --bytes of data in
 * records with an AEAD through OpenSSL's EVP interface and sends them; the
 * sink decrypts every record and verifies every tag.
 *
 * The key is a fixed constant known to both sides: this is a load, not a
 * secure channel, and the point is the cipher's CPU work per byte. Nonces
 * are still unique per record (the record number), as an AEAD requires.
 *
 * Wire format (all integers big-endian):
 *   hello:  "VLMIX1" (6 bytes), cipher id (1: 1 aes-128-gcm, 2 chacha20-poly1305),
 *           reserved (1: 0)
 *   record: plaintext length L (4), ciphertext (L), tag (16)
 *           nonce = 0 (4) || record number (8); AAD = L (4) || number (8)
 *   end:    a record with L = 0, tagged like the others, so that a
 *           truncated stream is told from a complete one
 *   ack:    the sink sends one byte 'K' after a verified end record. */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "work/work.h"

#define MIXED_DEFAULT_BYTES  (64ull << 20)
#define MIXED_DEFAULT_RECORD (16 * 1024)
#define MIXED_MAX_RECORD     (1u << 20)
#define MIXED_TAG            16
#define MIXED_HELLO          "VLMIX1"

struct mixed_cipher {
	const char *name;
	unsigned char id;
	const EVP_CIPHER *(*evp)(void);
};

static const struct mixed_cipher ciphers[] = {
    {"aes-128-gcm", 1, EVP_aes_128_gcm},
    {"chacha20-poly1305", 2, EVP_chacha20_poly1305},
};

/* Fixed, public, and deliberately so: see the top of the file. */
static const unsigned char mixed_key[32] = "vnetlab mixed workload fixed key";

struct mixed_ctx {
	const struct mixed_cipher *c;
	EVP_CIPHER_CTX *ctx;
	bool enc;
};

static void mixed_ctx_free(struct mixed_ctx *mc)
{
	EVP_CIPHER_CTX_free(mc->ctx);
	mc->ctx = NULL;
}

static int ossl_err(struct vl_err *err, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (!e)
		return vl_err_set(err, 0, "%s failed", what);
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return vl_err_set(err, 0, "%s: %s", what, buf);
}

static int mixed_ctx_init(struct mixed_ctx *mc, const struct mixed_cipher *c, bool enc,
                          struct vl_err *err)
{
	mc->c = c;
	mc->enc = enc;
	mc->ctx = EVP_CIPHER_CTX_new();
	if (!mc->ctx)
		return ossl_err(err, "EVP_CIPHER_CTX_new");
	if (EVP_CipherInit_ex(mc->ctx, c->evp(), NULL, mixed_key, NULL, enc) != 1)
		return ossl_err(err, c->name);
	return 0;
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be64(unsigned char *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* Encrypt or decrypt len bytes of record seq from in to out. Encrypting
 * writes the tag to tag; decrypting checks it: returns 1 if it matches, 0
 * if not, < 0 on an OpenSSL error. */
static int mixed_crypt(struct mixed_ctx *mc, uint64_t seq, const unsigned char *in,
                       unsigned char *out, uint32_t len, unsigned char *tag, struct vl_err *err)
{
	unsigned char nonce[12] = {0}, aad[12];
	int n, fin;

	put_be64(nonce + 4, seq);
	put_be32(aad, len);
	put_be64(aad + 4, seq);
	if (EVP_CipherInit_ex(mc->ctx, NULL, NULL, NULL, nonce, mc->enc) != 1)
		return ossl_err(err, "set nonce");
	if (EVP_CipherUpdate(mc->ctx, NULL, &n, aad, sizeof(aad)) != 1)
		return ossl_err(err, "AAD");
	if (len && EVP_CipherUpdate(mc->ctx, out, &n, in, (int)len) != 1)
		return ossl_err(err, mc->c->name);
	if (!mc->enc && EVP_CIPHER_CTX_ctrl(mc->ctx, EVP_CTRL_AEAD_SET_TAG, MIXED_TAG, tag) != 1)
		return ossl_err(err, "set tag");
	fin = EVP_CipherFinal_ex(mc->ctx, out + len, &n);
	if (!mc->enc) {
		ERR_clear_error();
		return fin == 1 ? 1 : 0;
	}
	if (fin != 1)
		return ossl_err(err, mc->c->name);
	if (EVP_CIPHER_CTX_ctrl(mc->ctx, EVP_CTRL_AEAD_GET_TAG, MIXED_TAG, tag) != 1)
		return ossl_err(err, "get tag");
	return 1;
}

int work_mixed(const struct work_opts *o, struct work_meter *m, json_t *out, struct vl_err *err)
{
	const struct mixed_cipher *c = NULL;
	const char *cname = o->cipher ? o->cipher : ciphers[0].name;
	uint64_t total = o->bytes ? o->bytes : MIXED_DEFAULT_BYTES, rec = MIXED_DEFAULT_RECORD;
	uint64_t sent = 0, records = 0;
	cleanup_close int fd = -1;
	cleanup_free unsigned char *plain = NULL, *wire = NULL;
	struct mixed_ctx mc = {0};
	unsigned char hello[8], ack;
	int r = -1;

	for (size_t i = 0; i < VL_ARRAY_SIZE(ciphers); i++)
		if (!strcmp(cname, ciphers[i].name))
			c = &ciphers[i];
	if (!c) {
		vl_err_set(err, 0, "--cipher '%s': expected aes-128-gcm or chacha20-poly1305",
		           cname);
		return WORK_BAD_OPTION;
	}
	if (o->size && (vl_parse_bytes(o->size, &rec) < 0 || rec < 1 || rec > MIXED_MAX_RECORD)) {
		vl_err_set(err, 0, "--size '%s': expected a record size of 1 byte to 1MiB",
		           o->size);
		return WORK_BAD_OPTION;
	}
	work_set(out, "to", json_string(o->to));
	work_set(out, "port", json_integer(o->port));
	work_set(out, "cipher", json_string(c->name));
	work_set(out, "record_size", json_integer((json_int_t)rec));

	plain = vl_xmalloc(rec);
	for (uint64_t i = 0; i < rec; i++)
		plain[i] = (unsigned char)(i * 2654435761u >> 13);
	wire = vl_xmalloc(4 + rec + MIXED_TAG);
	if (mixed_ctx_init(&mc, c, true, err) < 0)
		goto out;
	fd = work_connect(o->to, o->port, err);
	if (fd < 0)
		goto out;
	if (work_begin(m, err) < 0)
		goto out;
	memcpy(hello, MIXED_HELLO, 6);
	hello[6] = c->id;
	hello[7] = 0;
	if (work_send_all(fd, hello, sizeof(hello), "hello", err) < 0)
		goto out;
	for (;;) {
		uint32_t len = (uint32_t)(total - sent < rec ? total - sent : rec);

		put_be32(wire, len);
		if (mixed_crypt(&mc, records, plain, wire + 4, len, wire + 4 + len, err) < 0)
			goto out;
		if (work_send_all(fd, wire, 4 + len + MIXED_TAG, "record", err) < 0)
			goto out;
		if (!len)
			break; /* the end record */
		sent += len;
		records++;
	}
	if (shutdown(fd, SHUT_WR) < 0) {
		vl_err_sys(err, errno, "shutdown");
		goto out;
	}
	r = work_read_full(fd, &ack, 1, "the sink's acknowledgement", err);
	if (r == 0 || (r > 0 && ack != 'K'))
		vl_err_set(err, 0, "the sink closed without confirming the data (see its error)");
	if (r > 0 && ack == 'K')
		r = 0;
	else
		r = -1;
	work_end(m);
out:
	work_set(out, "bytes", json_integer((json_int_t)sent));
	work_set(out, "records", json_integer((json_int_t)records));
	work_set(out, "acked", json_boolean(r == 0));
	if (m->ended)
		work_set(out, "throughput_bps", json_real(work_bps(sent, m->mono1 - m->mono0)));
	mixed_ctx_free(&mc);
	if (r < 0 && fd >= 0)
		vl_err_wrap(err, "%s port %u", o->to, o->port);
	return r < 0 ? -1 : 0;
}

int work_mixed_sink(const struct work_opts *o, struct work_meter *m, json_t *out,
                    struct vl_err *err)
{
	cleanup_close int fd = -1;
	cleanup_free unsigned char *wire = vl_xmalloc(MIXED_MAX_RECORD + MIXED_TAG);
	cleanup_free unsigned char *plain = vl_xmalloc(MIXED_MAX_RECORD + MIXED_TAG);
	const struct mixed_cipher *c = NULL;
	struct mixed_ctx mc = {0};
	uint64_t bytes = 0, records = 0;
	double first = 0, last = 0;
	bool verified = false;
	unsigned char hello[8];
	int r = -1, got;

	fd = work_sink_accept(o->port, out, err);
	if (fd < 0)
		return -1;
	if (work_begin(m, err) < 0)
		return -1;

	got = work_read_full(fd, hello, sizeof(hello), "hello", err);
	if (got <= 0 || memcmp(hello, MIXED_HELLO, 6)) {
		if (got >= 0)
			vl_err_set(err, 0, "not a mixed stream (no '%s' hello)", MIXED_HELLO);
		goto out;
	}
	first = work_mono();
	for (size_t i = 0; i < VL_ARRAY_SIZE(ciphers); i++)
		if (hello[6] == ciphers[i].id)
			c = &ciphers[i];
	if (!c) {
		vl_err_set(err, 0, "unknown cipher id %u in the hello", hello[6]);
		goto out;
	}
	work_set(out, "cipher", json_string(c->name));
	if (mixed_ctx_init(&mc, c, false, err) < 0)
		goto out;
	for (;;) {
		unsigned char hdr[4];
		uint32_t len;
		int ok;

		got = work_read_full(fd, hdr, 4, "record header", err);
		if (got == 0)
			vl_err_set(err, 0,
			           "stream truncated: EOF after %llu records, before the "
			           "end record",
			           (unsigned long long)records);
		if (got <= 0)
			goto out;
		len = get_be32(hdr);
		if (len > MIXED_MAX_RECORD) {
			vl_err_set(err, 0, "record %llu: length %u over the 1MiB limit",
			           (unsigned long long)records, len);
			goto out;
		}
		if (work_read_full(fd, wire, len + MIXED_TAG, "record", err) <= 0) {
			if (!err->msg[0])
				vl_err_set(err, 0, "record %llu: EOF", (unsigned long long)records);
			goto out;
		}
		ok = mixed_crypt(&mc, records, wire, plain, len, wire + len, err);
		if (ok < 0)
			goto out;
		if (!ok) {
			vl_err_set(
			    err, EBADMSG,
			    "record %llu: authentication tag mismatch (data corrupted or not "
			    "from a vnetlab-work mixed sender)",
			    (unsigned long long)records);
			goto out;
		}
		if (!len)
			break;
		bytes += len;
		records++;
	}
	last = work_mono();
	verified = true;
	work_end(m);
	if (work_send_all(fd, "K", 1, "acknowledgement", err) < 0)
		goto out;
	r = 0;
out:
	if (!last)
		last = work_mono();
	work_set(out, "bytes", json_integer((json_int_t)bytes));
	work_set(out, "records", json_integer((json_int_t)records));
	work_set(out, "verified", json_boolean(verified));
	if (first)
		work_set(out, "active_s", json_real(last - first));
	work_set(out, "throughput_bps", json_real(first ? work_bps(bytes, last - first) : 0.0));
	mixed_ctx_free(&mc);
	if (r < 0)
		vl_err_wrap(err, "from %s", json_string_value(json_object_get(out, "peer")));
	return r;
}
