/* SPDX-License-Identifier: MIT */
/*
 * auth.h - who may use the HTTP API: the password and token from [api],
 * stored as crypt(3) hashes, login sessions, and a rate limit on failures.
 * Used by the control thread only (ctl_thread.c).
 */
#ifndef PG_AUTH_H
#define PG_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/config.h"
#include "util/passwd.h"

#define PG_AUTH_SESSIONS 16		/* logged-in browsers at once */
#define PG_AUTH_SESSION_HEX 64		/* session ids: 32 random bytes in hex */
#define PG_AUTH_SESSION_IDLE_MS 3600000 /* a session ends after an idle hour */
#define PG_AUTH_SECRET_MAX PG_PASSWD_MAX /* longest password or token accepted */
#define PG_AUTH_CLIENTS 64		/* addresses whose failures are remembered */
#define PG_AUTH_MAX_FAILURES 5		/* per address and window */
#define PG_AUTH_WINDOW_MS 60000
#define PG_AUTH_CHECKS_PER_S 2		/* slow hash checks per second, all clients */
#define PG_AUTH_CHECKS_BURST 6

enum pg_auth_result {
	PG_AUTH_OK = 0,
	PG_AUTH_MISSING,  /* no credentials given */
	PG_AUTH_BAD,	  /* wrong credentials (counted) */
	PG_AUTH_LIMITED,  /* too many failures: try later */
	PG_AUTH_DISABLED, /* no password or token configured */
};

struct pg_auth_session {
	char id[PG_AUTH_SESSION_HEX + 1];
	uint64_t last_ms;
};

struct pg_auth_client {
	uint32_t addr;
	uint32_t failures;
	uint64_t window_ms; /* start of the current failure window */
};

struct pg_auth {
	const struct pg_config_api *cfg;
	struct pg_auth_session sessions[PG_AUTH_SESSIONS];
	struct pg_auth_client clients[PG_AUTH_CLIENTS];
	/*
	 * Secrets that matched their hash once, so that later requests skip the
	 * slow check: remembered as a keyed hash (SipHash-2-4-128 under key,
	 * random per pg_auth_init()), never as the secret itself.
	 */
	uint64_t key[2];
	uint64_t known_password[2];
	uint64_t known_token[2];
	bool have_password, have_token;
	uint64_t bucket_ms; /* token bucket for slow checks, in check-milliseconds */
	uint64_t bucket_at;
};

/* Bind to the [api] settings (kept by pointer). */
void pg_auth_init(struct pg_auth *a, const struct pg_config_api *cfg);

/* Is any credential configured? Without one nothing may change. */
bool pg_auth_enabled(const struct pg_auth *a);

/*
 * Check an Authorization header ("Bearer SESSION-OR-TOKEN" or "Basic
 * base64(user:password)") from client address addr (host order).
 */
enum pg_auth_result pg_auth_check(struct pg_auth *a, const char *header, uint32_t addr,
				  uint64_t now_ms);

/* Log in with the password; on success a new session id is written to sid. */
enum pg_auth_result pg_auth_login(struct pg_auth *a, const char *password, uint32_t addr,
				  uint64_t now_ms, char sid[PG_AUTH_SESSION_HEX + 1]);

/* End a session (logout); unknown ids are ignored. */
void pg_auth_logout(struct pg_auth *a, const char *sid);

/* Milliseconds until addr may try again (0: now). */
uint64_t pg_auth_retry_after(const struct pg_auth *a, uint32_t addr, uint64_t now_ms);

#endif /* PG_AUTH_H */
