/* SPDX-License-Identifier: MIT */
/*
 * auth.c - passwords, tokens and sessions for the HTTP API.
 *
 * Credentials are stored as crypt(3) hashes (libxcrypt, yescrypt by
 * default), which are slow on purpose. The API runs on the data path's
 * thread, so every slow check stalls packets for its duration: checks are
 * therefore rationed (a token bucket shared by all clients) and a secret
 * that matched once is remembered in memory, so a script sending its token
 * with every request pays the price once. A browser logs in with the
 * password once and then carries a random session id.
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
#include "util/passwd.h"

void pg_auth_init(struct pg_auth *a, const struct pg_config_api *cfg)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->bucket_ms = PG_AUTH_CHECKS_BURST * 1000ull;
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
 * Does secret match hash, either remembered from an earlier match or by a
 * slow check? Returns PG_AUTH_OK, _BAD or _LIMITED (no check was possible).
 */
/*
 * Does secret match hash by a slow check? Returns PG_AUTH_OK (and remembers
 * the secret in known), _BAD, or _LIMITED when no check may be spent now.
 */
static enum pg_auth_result match(struct pg_auth *a, const char *secret, const char *hash,
				 char *known, uint64_t now_ms)
{
	if (!*hash)
		return PG_AUTH_BAD;
	if (!take_check(a, now_ms))
		return PG_AUTH_LIMITED;
	if (!pg_passwd_verify(secret, hash))
		return PG_AUTH_BAD;
	snprintf(known, PG_AUTH_SECRET_MAX + 1, "%s", secret);
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

	if (pg_auth_retry_after(a, addr, now_ms))
		return PG_AUTH_LIMITED;
	if (!*secret || strlen(secret) > PG_AUTH_SECRET_MAX) {
		failed(a, addr, now_ms);
		return PG_AUTH_BAD;
	}
	if (!password_only && session_find(a, secret, now_ms))
		return PG_AUTH_OK;
	/* Secrets that matched before, before any slow check is spent. */
	if (a->known_password[0] && pg_passwd_equal(secret, a->known_password))
		return PG_AUTH_OK;
	if (!password_only && a->known_token[0] && pg_passwd_equal(secret, a->known_token))
		return PG_AUTH_OK;
	if (a->cfg->password_hash[0]) {
		r = match(a, secret, a->cfg->password_hash, a->known_password, now_ms);
		if (r == PG_AUTH_OK || r == PG_AUTH_LIMITED)
			return r;
	}
	if (!password_only && a->cfg->token_hash[0]) {
		t = match(a, secret, a->cfg->token_hash, a->known_token, now_ms);
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
