/* SPDX-License-Identifier: MIT */
/*
 * test_api_auth.c - credentials for the API: hashing and checking, Basic
 * and Bearer headers, login sessions, the failure rate limit and the
 * [api] section's rules (a non-loopback listen needs a credential; a value
 * that is not a hash is refused at load).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/auth.h"
#include "conf/config.h"

#define CLIENT 0x7f000001u
#define OTHER 0x0a000001u

static void test_hash_and_verify(void **state)
{
	char h1[256], h2[256];

	(void)state;
	assert_int_equal(pg_passwd_hash("correct horse", h1, sizeof(h1)), 0);
	assert_int_equal(pg_passwd_hash("correct horse", h2, sizeof(h2)), 0);
	/* yescrypt, salted: the same password hashes differently each time. */
	assert_memory_equal(h1, "$y$", 3);
	assert_string_not_equal(h1, h2);
	assert_true(pg_config_hash_valid(h1));
	assert_true(pg_passwd_verify("correct horse", h1));
	assert_true(pg_passwd_verify("correct horse", h2));
	assert_false(pg_passwd_verify("correct horsE", h1));
	assert_false(pg_passwd_verify("", h1));
	assert_false(pg_passwd_verify("correct horse", ""));
	assert_false(pg_passwd_verify("correct horse", "$y$garbage"));
	assert_int_equal(pg_passwd_hash("", h1, sizeof(h1)), -EINVAL);
	assert_int_not_equal(pg_passwd_hash("pw", h1, 8), 0);
}

static void setup_cfg(struct pg_config_api *c, const char *pw, const char *token)
{
	pg_config_api_defaults(c);
	if (pw)
		assert_int_equal(pg_passwd_hash(pw, c->password_hash, sizeof(c->password_hash)), 0);
	if (token)
		assert_int_equal(pg_passwd_hash(token, c->token_hash, sizeof(c->token_hash)), 0);
}

static void test_headers(void **state)
{
	struct pg_config_api c;
	struct pg_auth a;
	uint64_t t = 1000;

	(void)state;
	setup_cfg(&c, NULL, NULL);
	pg_auth_init(&a, &c);
	assert_false(pg_auth_enabled(&a));
	assert_int_equal(pg_auth_check(&a, "Bearer x", CLIENT, t), PG_AUTH_DISABLED);

	setup_cfg(&c, "pw", "tok3n");
	pg_auth_init(&a, &c);
	assert_int_equal(pg_auth_check(&a, NULL, CLIENT, t), PG_AUTH_MISSING);
	assert_int_equal(pg_auth_check(&a, "", CLIENT, t), PG_AUTH_MISSING);
	/* admin:pw, and the user name is not checked. */
	assert_int_equal(pg_auth_check(&a, "Basic YWRtaW46cHc=", CLIENT, t), PG_AUTH_OK);
	assert_int_equal(pg_auth_check(&a, "Basic eDpwdw==", CLIENT, t), PG_AUTH_OK);
	assert_int_equal(pg_auth_check(&a, "Bearer tok3n", CLIENT, t), PG_AUTH_OK);
	assert_int_equal(pg_auth_check(&a, "bearer tok3n", CLIENT, t), PG_AUTH_OK);
	/* Basic carries the password only, not the token. */
	assert_int_equal(pg_auth_check(&a, "Basic YTp0b2szbg==", OTHER, t), PG_AUTH_BAD);
	assert_int_equal(pg_auth_check(&a, "Basic !!!", OTHER, t), PG_AUTH_BAD);
	assert_int_equal(pg_auth_check(&a, "Basic bm9jb2xvbg==", OTHER, t), PG_AUTH_BAD);
	assert_int_equal(pg_auth_check(&a, "Digest x", OTHER, t), PG_AUTH_BAD);
}

static void test_sessions(void **state)
{
	char sid[PG_AUTH_SESSION_HEX + 1], hdr[PG_AUTH_SESSION_HEX + 8];
	struct pg_config_api c;
	struct pg_auth a;
	uint64_t t = 5000;

	(void)state;
	setup_cfg(&c, "pw", NULL);
	pg_auth_init(&a, &c);
	assert_int_equal(pg_auth_login(&a, "nope", CLIENT, t, sid), PG_AUTH_BAD);
	assert_int_equal(pg_auth_login(&a, "pw", CLIENT, t, sid), PG_AUTH_OK);
	assert_int_equal(strlen(sid), PG_AUTH_SESSION_HEX);
	snprintf(hdr, sizeof(hdr), "Bearer %s", sid);
	assert_int_equal(pg_auth_check(&a, hdr, CLIENT, t + 1000), PG_AUTH_OK);
	/* Used sessions stay; an idle hour ends them. */
	assert_int_equal(pg_auth_check(&a, hdr, CLIENT, t + PG_AUTH_SESSION_IDLE_MS), PG_AUTH_OK);
	assert_int_equal(pg_auth_check(&a, hdr, CLIENT, t + 3 * PG_AUTH_SESSION_IDLE_MS),
			 PG_AUTH_BAD);
	assert_int_equal(pg_auth_login(&a, "pw", CLIENT, t, sid), PG_AUTH_OK);
	snprintf(hdr, sizeof(hdr), "Bearer %s", sid);
	pg_auth_logout(&a, sid);
	assert_int_equal(pg_auth_check(&a, hdr, CLIENT, t), PG_AUTH_BAD);
	/* No password configured (token only): no login. */
	setup_cfg(&c, NULL, "tok");
	pg_auth_init(&a, &c);
	assert_int_equal(pg_auth_login(&a, "tok", CLIENT, t, sid), PG_AUTH_DISABLED);
}

static void test_rate_limit(void **state)
{
	struct pg_config_api c;
	struct pg_auth a;
	uint64_t t = 100000;

	(void)state;
	setup_cfg(&c, "pw", NULL);
	pg_auth_init(&a, &c);
	for (int i = 0; i < PG_AUTH_MAX_FAILURES; i++)
		assert_int_equal(pg_auth_check(&a, "Bearer wrong", CLIENT, t + (uint64_t)i * 1000),
				 PG_AUTH_BAD);
	/* The address is refused, even with the right password, until its window ends. */
	assert_int_equal(pg_auth_check(&a, "Basic YTpwdw==", CLIENT, t + 10000), PG_AUTH_LIMITED);
	assert_true(pg_auth_retry_after(&a, CLIENT, t + 10000) > 0);
	/* Other addresses are not affected. */
	assert_int_equal(pg_auth_check(&a, "Basic YTpwdw==", OTHER, t + 10000), PG_AUTH_OK);
	assert_int_equal(pg_auth_check(&a, "Basic YTpwdw==", CLIENT, t + PG_AUTH_WINDOW_MS + 1),
			 PG_AUTH_OK);

	/* Slow checks are rationed for everyone: a burst, then a steady rate. */
	pg_auth_init(&a, &c);
	for (uint32_t i = 0; i < PG_AUTH_CHECKS_BURST; i++)
		assert_int_equal(pg_auth_check(&a, "Bearer wrong", OTHER + i, t), PG_AUTH_BAD);
	assert_int_equal(pg_auth_check(&a, "Bearer wrong", OTHER + 100, t), PG_AUTH_LIMITED);
	assert_int_equal(pg_auth_check(&a, "Bearer wrong", OTHER + 100, t + 600), PG_AUTH_BAD);

	/*
	 * A script sending its token with every request pays one slow check,
	 * even with a password configured too (a regression: the password was
	 * checked again each time, drained the ration and the token got 429).
	 */
	setup_cfg(&c, "pw", "tok");
	pg_auth_init(&a, &c);
	for (int i = 0; i < 50; i++)
		assert_int_equal(pg_auth_check(&a, "Bearer tok", CLIENT, t), PG_AUTH_OK);
	for (int i = 0; i < 50; i++)
		assert_int_equal(pg_auth_check(&a, "Basic YTpwdw==", CLIENT, t), PG_AUTH_OK);
}

static int parse(const char *api_section, char *err)
{
	char text[1024];
	struct pg_config cfg;
	int r;

	snprintf(text, sizeof(text),
		 "[lan]\ninterface = a\naddress = 192.168.1.1/24\n[wan]\ninterface = b\n"
		 "address = 198.51.100.2/24\ngateway = 198.51.100.1\n[api]\n%s",
		 api_section);
	r = pg_config_parse(&cfg, "t.conf", text, strlen(text), err, PG_CONFIG_ERR_SIZE);
	if (!r)
		pg_config_free(&cfg);
	return r;
}

/*
 * A verified token is remembered (later checks spend no slow hash: the
 * bucket is left as it was) as a keyed hash only: the secret's bytes are
 * nowhere in the state, and a secret differing in one byte is not taken
 * for it.
 */
static void test_remembered_as_hash(void **state)
{
	static const char token[] = "a-long-token-0123456789-abcdefghij";
	struct pg_config_api c;
	struct pg_auth a;
	uint64_t t = 1000, bucket;
	char wrong[sizeof(token)];

	(void)state;
	setup_cfg(&c, "pw", token);
	pg_auth_init(&a, &c);
	assert_int_equal(pg_auth_check(&a, "Bearer a-long-token-0123456789-abcdefghij", CLIENT, t),
			 PG_AUTH_OK);
	bucket = a.bucket_ms;
	for (int i = 0; i < 50; i++)
		assert_int_equal(pg_auth_check(&a, "Bearer a-long-token-0123456789-abcdefghij",
					       CLIENT, t),
				 PG_AUTH_OK);
	assert_int_equal(a.bucket_ms, bucket);
	assert_null(memmem(&a, sizeof(a), token, strlen(token)));
	assert_null(memmem(&a, sizeof(a), token, 8));
	memcpy(wrong, token, sizeof(token));
	wrong[sizeof(token) - 2] ^= 1;
	{
		char hdr[sizeof(token) + 8];

		snprintf(hdr, sizeof(hdr), "Bearer %s", wrong);
		assert_int_equal(pg_auth_check(&a, hdr, OTHER, t), PG_AUTH_BAD);
	}
	/* A new key per start: the same token hashes differently. */
	{
		struct pg_auth b;

		pg_auth_init(&b, &c);
		assert_int_equal(pg_auth_check(&b, "Bearer a-long-token-0123456789-abcdefghij",
					       CLIENT, t),
				 PG_AUTH_OK);
		assert_memory_not_equal(a.known_token, b.known_token, sizeof(a.known_token));
	}
}

static void test_api_section(void **state)
{
	char err[PG_CONFIG_ERR_SIZE], hash[256], line[300];

	(void)state;
	assert_int_equal(parse("listen = 127.0.0.1:8080\n", err), 0);
	assert_int_equal(parse("listen = 127.0.0.5:80\n", err), 0);
	assert_int_equal(parse("listen = off\n", err), 0);
	assert_int_equal(parse("listen = 0.0.0.0:8080\n", err), -EINVAL);
	assert_string_equal(err, "t.conf:9: [api] listen: not a loopback address, and no "
				 "password_hash or token_hash is set");
	assert_int_equal(parse("listen = 127.0.0.1:0\n", err), -EINVAL);
	assert_int_equal(parse("listen = 127.0.0.1\n", err), -EINVAL);
	assert_int_equal(parse("listen = localhost:80\n", err), -EINVAL);
	assert_int_equal(parse("password_hash = hunter2\n", err), -EINVAL);
	assert_non_null(strstr(err, "--hash-password"));
	assert_int_equal(pg_passwd_hash("pw", hash, sizeof(hash)), 0);
	snprintf(line, sizeof(line), "listen = 0.0.0.0:8080\ntoken_hash = %s\n", hash);
	assert_int_equal(parse(line, err), 0);
}

/* The listen address parsed straight into the section's values. */
static void test_listen_values(void **state)
{
	static const uint8_t lan6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1};
	struct pg_config_api a;
	char host[48];

	(void)state;
	pg_config_api_defaults(&a);
	assert_int_equal(pg_config_parse_listen("[2001:db8:1::1]:443", &a), 0);
	assert_true(a.enabled && a.v6);
	assert_memory_equal(a.addr6, lan6, 16);
	assert_int_equal(a.port, 443);
	assert_false(pg_config_api_loopback(&a));
	assert_true(pg_config_api_tls(&a)); /* auto: HTTPS off loopback, as for IPv4 */
	pg_config_api_host(&a, host, sizeof(host));
	assert_string_equal(host, "[2001:db8:1::1]");
	/* Back to IPv4: the IPv6 address is forgotten, not left to confuse a reload. */
	assert_int_equal(pg_config_parse_listen("192.168.1.1:80", &a), 0);
	assert_false(a.v6);
	assert_int_equal(a.addr, htonl(0xc0a80101));
	pg_config_api_host(&a, host, sizeof(host));
	assert_string_equal(host, "192.168.1.1");
	assert_int_equal(pg_config_parse_listen("[::1]:8080", &a), 0);
	assert_true(pg_config_api_loopback(&a));
	assert_false(pg_config_api_tls(&a));
	/* Refused: a value that changes nothing on failure is not checked here. */
	static const char *const bad[] = {
		"[2001:db8::1]",	  "[2001:db8::1]:",	"[2001:db8::1]:0",
		"[2001:db8::1]:65536",	  "[2001:db8::1]80",	"[2001:db8::1:80",
		"2001:db8::1:80",	  "[]:80",		"[ff02::1]:80",
		"[::ffff:192.0.2.1]:80", "[fe80::1%eth0]:80", "[2001:db8::1]:80x",
		"[2001:db8:1:2:3:4:5:6:7:8:9]:80",
		"[0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000]:80",
		"[192.0.2.1]:80",	  "[2001:db8::1]:-1",	"[fe80::1]:80",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pg_config_api_defaults(&a);
		if (pg_config_parse_listen(bad[i], &a) != -EINVAL)
			fail_msg("'%s' was taken as a listen address", bad[i]);
	}
}

/* Over the whole file: FILE:LINE names the line, and the credential rule holds. */
static void test_listen6_section(void **state)
{
	char err[PG_CONFIG_ERR_SIZE], hash[256], line[400];

	(void)state;
	assert_int_equal(parse("listen = [::1]:8080\n", err), 0);
	assert_int_equal(parse("listen = [2001:db8:1::1]:8080\n", err), -EINVAL);
	assert_string_equal(err, "t.conf:9: [api] listen: not a loopback address, and no "
				 "password_hash or token_hash is set");
	assert_int_equal(parse("listen = [2001:db8:1::1:8080\n", err), -EINVAL);
	assert_string_equal(err, "t.conf:9: [api] listen: expected 'off', or an address and port "
				 "such as 127.0.0.1:8080 or [::1]:8080 (IPv6 in brackets)");
	assert_int_equal(parse("\nlisten = [fe80::1]:8080x\n", err), -EINVAL);
	assert_non_null(strstr(err, "t.conf:10: [api] listen: expected"));
	assert_int_equal(pg_passwd_hash("pw", hash, sizeof(hash)), 0);
	snprintf(line, sizeof(line), "listen = [2001:db8:1::1]:8080\ntoken_hash = %s\n", hash);
	assert_int_equal(parse(line, err), 0);
	snprintf(line, sizeof(line), "listen = [::]:80\npassword_hash = %s\n", hash);
	assert_int_equal(parse(line, err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_and_verify), cmocka_unit_test(test_headers),
		cmocka_unit_test(test_sessions),	 cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_api_section),	 cmocka_unit_test(test_listen_values),
		cmocka_unit_test(test_listen6_section),
		cmocka_unit_test(test_remembered_as_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
