/* SPDX-License-Identifier: MIT */
/*
 * proto.c - sync messages: framing, version and HMAC-SHA256 (sync/proto.h).
 *
 * The HMAC is checked before any field after the fixed header is believed,
 * and in constant time (CRYPTO_memcmp), so a sender without the key learns
 * nothing from how fast it is refused. Sequence numbers and epochs are the
 * session's business (session.c); this file only says whether a message is
 * well formed and comes from a holder of the key.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sync/proto.h"

const char *const pg_sync_refusal_names[PG_SYNC_REFUSAL__COUNT] = {
	[PG_SYNC_OK] = "ok",
	[PG_SYNC_TRUNCATED] = "truncated",
	[PG_SYNC_BAD_VERSION] = "bad_version",
	[PG_SYNC_BAD_AUTH] = "bad_auth",
	[PG_SYNC_MALFORMED] = "malformed",
	[PG_SYNC_REPLAY] = "replay",
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void mac(const struct pg_sync_key *key, const uint8_t *data, size_t len, uint8_t *out)
{
	unsigned int n = PG_SYNC_MAC;

	if (!HMAC(EVP_sha256(), key->bytes, (int)key->len, data, len, out, &n))
		memset(out, 0, PG_SYNC_MAC); /* cannot happen with SHA-256; never matches */
}

size_t pg_sync_msg_build(const struct pg_sync_key *key, const struct pg_sync_msg *m,
			 const uint8_t *body, uint8_t *out)
{
	size_t len = PG_SYNC_HDR + m->body_len;

	memcpy(out, "PGSY", 4);
	out[4] = PG_SYNC_VERSION;
	out[5] = m->type;
	out[6] = out[7] = 0;
	put32(out + 8, (uint32_t)(m->epoch >> 32));
	put32(out + 12, (uint32_t)m->epoch);
	put32(out + 16, m->seq);
	put32(out + 20, m->ack);
	put32(out + 24, m->body_len);
	if (m->body_len)
		memcpy(out + PG_SYNC_HDR, body, m->body_len);
	mac(key, out, len, out + len);
	return len + PG_SYNC_MAC;
}

enum pg_sync_refusal pg_sync_msg_parse(const struct pg_sync_key *key, const uint8_t *buf,
				       size_t len, struct pg_sync_msg *m)
{
	uint8_t want[PG_SYNC_MAC];
	uint32_t body;

	if (len < PG_SYNC_HDR + PG_SYNC_MAC || memcmp(buf, "PGSY", 4))
		return PG_SYNC_TRUNCATED; /* not even a header and a MAC */
	if (buf[4] != PG_SYNC_VERSION)
		return PG_SYNC_BAD_VERSION;
	body = get32(buf + 24);
	if (body > PG_SYNC_BODY_MAX || len != PG_SYNC_HDR + (size_t)body + PG_SYNC_MAC)
		return PG_SYNC_TRUNCATED; /* the length field and the datagram disagree */
	mac(key, buf, PG_SYNC_HDR + body, want);
	if (CRYPTO_memcmp(want, buf + PG_SYNC_HDR + body, PG_SYNC_MAC) != 0)
		return PG_SYNC_BAD_AUTH;
	m->type = buf[5];
	m->epoch = (uint64_t)get32(buf + 8) << 32 | get32(buf + 12);
	m->seq = get32(buf + 16);
	m->ack = get32(buf + 20);
	m->body = buf + PG_SYNC_HDR;
	m->body_len = body;
	if (m->type == 0 || m->type >= PG_SYNC_TYPE__COUNT || buf[6] || buf[7])
		return PG_SYNC_MALFORMED;
	/* Only DATA and BULK_BEGIN carry records. */
	if (body && m->type != PG_SYNC_DATA && m->type != PG_SYNC_BULK_BEGIN)
		return PG_SYNC_MALFORMED;
	return PG_SYNC_OK;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int pg_sync_key_load(const char *path, struct pg_sync_key *key, const char **why)
{
	char line[2 * PG_SYNC_KEY_MAX + 8];
	size_t n = 0;
	FILE *f = fopen(path, "re");
	int err;

	if (!f) {
		err = -errno;
		*why = "cannot open the key file";
		return err;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	line[strcspn(line, "\r\n")] = 0;
	for (; line[2 * n] && line[2 * n + 1] && n < PG_SYNC_KEY_MAX; n++) {
		int hi = hexval(line[2 * n]), lo = hexval(line[2 * n + 1]);

		if (hi < 0 || lo < 0) {
			*why = "the key file's first line is not hex digits";
			return -EINVAL;
		}
		key->bytes[n] = (uint8_t)(hi << 4 | lo);
	}
	if (line[2 * n] || n < PG_SYNC_KEY_MIN) {
		*why = "the key must be 32 to 128 hex digits (openssl rand -hex 32)";
		return -EINVAL;
	}
	key->len = n;
	return 0;
}
