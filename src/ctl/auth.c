/* SPDX-License-Identifier: MIT */
/*
 * auth.c - passwords, tokens and sessions for the HTTP API.
 *
 * Credentials are stored as crypt(3) hashes (libxcrypt, yescrypt by
 * default), which are slow on purpose (tens of milliseconds). They run on
 * the control thread (ctl_thread.c), never on the data path's, so a login
 * costs other requests time, not packets. Checks are still rationed (a
 * token bucket shared by all clients) so that a flood of guesses cannot
 * keep the control thread busy, and a secret that matched once is
 * remembered, so a script sending its token with every request pays the
 * price once. It is remembered as a keyed hash (SipHash-2-4 with a 128-bit
 * output under a random key): a memory dump does not hand out the token.
 * A browser logs in with the password once and then carries a random
 * session id.
 *
 * Failures are counted per client address: past PG_AUTH_MAX_FAILURES in a
 * window the address is refused (429) until the window ends, before any
 * hash is computed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "ctl/auth.h"
#include "engine/siphash.h"
#include "util/passwd.h"

void pg_auth_init(struct pg_auth *a, const struct pg_config_api *cfg)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->bucket_ms = PG_AUTH_CHECKS_BURST * 1000ull;
	/* Without randomness nothing is remembered: every request pays the check. */
	if (getrandom(a->key, sizeof(a->key), 0) != (ssize_t)sizeof(a->key))
		a->key[0] = a->key[1] = 0;
}

/* SipHash-2-4 with a 128-bit output (the reference's variant) of s under key. */
static void keyed_hash(const uint64_t key[2], const char *s, uint64_t out[2])
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ key[0], v1 = 0x646f72616e646f6dULL ^ key[1] ^ 0xee;
	uint64_t v2 = 0x6c7967656e657261ULL ^ key[0], v3 = 0x7465646279746573ULL ^ key[1];
	size_t len = strlen(s), i;
	uint64_t m;

	for (i = 0; i + 8 <= len; i += 8) {
		m = 0;
		for (int k = 7; k >= 0; k--)
			m = m << 8 | (uint8_t)s[i + (size_t)k];
		v3 ^= m;
		PG_SIPROUND;
		PG_SIPROUND;
		v0 ^= m;
	}
	m = (uint64_t)len << 56;
	for (size_t k = 0; i + k < len; k++)
		m |= (uint64_t)(uint8_t)s[i + k] << (8 * k);
	v3 ^= m;
	PG_SIPROUND;
	PG_SIPROUND;
	v0 ^= m;
	v2 ^= 0xee;
	for (int r = 0; r < 4; r++)
		PG_SIPROUND;
	out[0] = v0 ^ v1 ^ v2 ^ v3;
	v1 ^= 0xdd;
	for (int r = 0; r < 4; r++)
		PG_SIPROUND;
	out[1] = v0 ^ v1 ^ v2 ^ v3;
}

/* Was secret remembered in known? Constant time in the hashes compared. */
static bool known_match(const struct pg_auth *a, bool have, const uint64_t known[2],
			const uint64_t h[2])
{
	uint64_t d = (known[0] ^ h[0]) | (known[1] ^ h[1]);

	return have && (a->key[0] | a->key[1]) && d == 0;
}

bool pg_auth_enabled(const struct pg_auth *a)
{
	return pg_config_api_has_credential(a->cfg);
}

static struct pg_auth_client *client_find(struct pg_auth *a, uint32_t addr, uint64_t now_ms)
{
	struct pg_auth_client *victim = NULL;

	for (unsigned int i = 0; i < PG_AUTH_CLIENTS; i++) {
		struct pg_auth_client *c = &a->clients[i];

		if (c->failures && c->addr == addr)
			return c;
		/* Prefer a free slot, else the address whose window started first. */
		if (!c->failures) {
			if (!victim || victim->failures)
				victim = c;
		} else if (!victim || (victim->failures && c->window_ms < victim->window_ms)) {
			victim = c;
		}
	}
	memset(victim, 0, sizeof(*victim));
	victim->addr = addr;
	victim->window_ms = now_ms;
	return victim;
}

uint64_t pg_auth_retry_after(const struct pg_auth *a, uint32_t addr, uint64_t now_ms)
{
	for (unsigned int i = 0; i < PG_AUTH_CLIENTS; i++) {
		const struct pg_auth_client *c = &a->clients[i];

		if (!c->failures || c->addr != addr)
			continue;
		if (now_ms - c->window_ms >= PG_AUTH_WINDOW_MS || c->failures < PG_AUTH_MAX_FAILURES)
			return 0;
		return c->window_ms + PG_AUTH_WINDOW_MS - now_ms;
	}
	return 0;
}

static void failed(struct pg_auth *a, uint32_t addr, uint64_t now_ms)
{
	struct pg_auth_client *c = client_find(a, addr, now_ms);

	if (now_ms - c->window_ms >= PG_AUTH_WINDOW_MS) {
		c->window_ms = now_ms;
		c->failures = 0;
	}
	c->failures++;
}

/* May we spend a slow hash check now? Refills PG_AUTH_CHECKS_PER_S per second. */
static bool take_check(struct pg_auth *a, uint64_t now_ms)
{
	uint64_t cap = PG_AUTH_CHECKS_BURST * 1000ull;

	if (now_ms > a->bucket_at) {
		a->bucket_ms += (now_ms - a->bucket_at) * PG_AUTH_CHECKS_PER_S;
		if (a->bucket_ms > cap)
			a->bucket_ms = cap;
	}
	a->bucket_at = now_ms;
	if (a->bucket_ms < 1000)
		return false;
	a->bucket_ms -= 1000;
	return true;
}

/*
 * Does secret match hash by a slow check? Returns PG_AUTH_OK (and remembers
 * the secret's keyed hash h in known), _BAD, or _LIMITED when no check may
 * be spent now.
 */
static enum pg_auth_result match(struct pg_auth *a, const char *secret, const char *hash,
				 const uint64_t h[2], uint64_t known[2], bool *have,
				 uint64_t now_ms)
{
	if (!*hash)
		return PG_AUTH_BAD;
	if (!take_check(a, now_ms))
		return PG_AUTH_LIMITED;
	if (!pg_passwd_verify(secret, hash))
		return PG_AUTH_BAD;
	known[0] = h[0];
	known[1] = h[1];
	*have = true;
	return PG_AUTH_OK;
}

static struct pg_auth_session *session_find(struct pg_auth *a, const char *sid, uint64_t now_ms)
{
	for (unsigned int i = 0; i < PG_AUTH_SESSIONS; i++) {
		struct pg_auth_session *s = &a->sessions[i];

		if (!s->id[0])
			continue;
		if (now_ms - s->last_ms >= PG_AUTH_SESSION_IDLE_MS) {
			memset(s, 0, sizeof(*s));
			continue;
		}
		if (pg_passwd_equal(s->id, sid))
			return s;
	}
	return NULL;
}

/* Standard base64 into out (NUL-terminated); -1 on bad input or no room. */
static int b64_decode(const char *in, char *out, size_t outlen)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	unsigned int bits = 0;
	size_t n = 0;

	for (; *in && *in != '='; in++) {
		const char *p = strchr(alpha, *in);

		if (!p)
			return -1;
		acc = (acc << 6) | (uint32_t)(p - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= outlen)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	/* A NUL inside would cut the password short. */
	return memchr(out, '\0', n) ? -1 : 0;
}

static enum pg_auth_result check_secret(struct pg_auth *a, const char *secret, bool password_only,
					uint32_t addr, uint64_t now_ms)
{
	enum pg_auth_result r = PG_AUTH_BAD, t;
	uint64_t h[2];

	if (pg_auth_retry_after(a, addr, now_ms))
		return PG_AUTH_LIMITED;
	if (!*secret || strlen(secret) > PG_AUTH_SECRET_MAX) {
		failed(a, addr, now_ms);
		return PG_AUTH_BAD;
	}
	if (!password_only && session_find(a, secret, now_ms))
		return PG_AUTH_OK;
	/* Secrets that matched before, before any slow check is spent. */
	keyed_hash(a->key, secret, h);
	if (known_match(a, a->have_password, a->known_password, h))
		return PG_AUTH_OK;
	if (!password_only && known_match(a, a->have_token, a->known_token, h))
		return PG_AUTH_OK;
	if (a->cfg->password_hash[0]) {
		r = match(a, secret, a->cfg->password_hash, h, a->known_password,
			  &a->have_password, now_ms);
		if (r == PG_AUTH_OK || r == PG_AUTH_LIMITED)
			return r;
	}
	if (!password_only && a->cfg->token_hash[0]) {
		t = match(a, secret, a->cfg->token_hash, h, a->known_token, &a->have_token, now_ms);
		if (t == PG_AUTH_OK || t == PG_AUTH_LIMITED)
			return t;
		r = t;
	}
	failed(a, addr, now_ms);
	return r;
}

enum pg_auth_result pg_auth_check(struct pg_auth *a, const char *header, uint32_t addr,
				  uint64_t now_ms)
{
	char decoded[2 * PG_AUTH_SECRET_MAX + 2];
	struct pg_auth_session *s;
	const char *colon;

	if (!pg_auth_enabled(a))
		return PG_AUTH_DISABLED;
	if (!header || !*header)
		return PG_AUTH_MISSING;
	if (!strncasecmp(header, "Bearer ", 7)) {
		const char *v = header + 7;
		enum pg_auth_result r;

		while (*v == ' ')
			v++;
		s = session_find(a, v, now_ms);
		if (s) {
			s->last_ms = now_ms;
			return PG_AUTH_OK;
		}
		r = check_secret(a, v, false, addr, now_ms);
		return r;
	}
	if (!strncasecmp(header, "Basic ", 6)) {
		if (b64_decode(header + 6, decoded, sizeof(decoded)) ||
		    !(colon = strchr(decoded, ':'))) {
			failed(a, addr, now_ms);
			return PG_AUTH_BAD;
		}
		/* The user name is not checked: there is one administrator. */
		return check_secret(a, colon + 1, true, addr, now_ms);
	}
	failed(a, addr, now_ms);
	return PG_AUTH_BAD;
}

enum pg_auth_result pg_auth_login(struct pg_auth *a, const char *password, uint32_t addr,
				  uint64_t now_ms, char sid[PG_AUTH_SESSION_HEX + 1])
{
	struct pg_auth_session *slot = &a->sessions[0];
	uint8_t rnd[PG_AUTH_SESSION_HEX / 2];
	enum pg_auth_result r;

	if (!a->cfg->password_hash[0])
		return PG_AUTH_DISABLED;
	r = check_secret(a, password, true, addr, now_ms);
	if (r != PG_AUTH_OK)
		return r;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return PG_AUTH_LIMITED;
	/* A free slot, an expired one, or else the one idle longest. */
	for (unsigned int i = 0; i < PG_AUTH_SESSIONS; i++) {
		struct pg_auth_session *s = &a->sessions[i];

		if (!s->id[0] || now_ms - s->last_ms >= PG_AUTH_SESSION_IDLE_MS) {
			slot = s;
			break;
		}
		if (s->last_ms < slot->last_ms)
			slot = s;
	}
	for (unsigned int i = 0; i < sizeof(rnd); i++)
		snprintf(slot->id + 2 * i, 3, "%02x", rnd[i]);
	slot->last_ms = now_ms;
	memcpy(sid, slot->id, sizeof(slot->id));
	explicit_bzero(rnd, sizeof(rnd));
	return PG_AUTH_OK;
}

void pg_auth_logout(struct pg_auth *a, const char *sid)
{
	for (unsigned int i = 0; i < PG_AUTH_SESSIONS; i++)
		if (a->sessions[i].id[0] && pg_passwd_equal(a->sessions[i].id, sid))
			memset(&a->sessions[i], 0, sizeof(a->sessions[i]));
}
