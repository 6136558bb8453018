/* SPDX-License-Identifier: MIT */
/*
 * test_tls.c - the API's TLS settings and certificate: [api] tls, tls_cert
 * and tls_key as the file gives them (pairs, refusals with FILE:LINE),
 * which listeners speak TLS, and the self-signed certificate made in a
 * state directory (key mode 0600, kept and reused, its pin the same as the
 * one computed from the certificate alone).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/config.h"
#include "ctl/tls.h"
#include "util/tlspin.h"

static int parse(const char *api_section, struct pg_config *cfg, char *err)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "[lan]\ninterface = a\naddress = 192.168.1.1/24\n[wan]\ninterface = b\n"
		 "address = 198.51.100.2/24\ngateway = 198.51.100.1\n[api]\n%s",
		 api_section);
	return pg_config_parse(cfg, "t.conf", text, strlen(text), err, PG_CONFIG_ERR_SIZE);
}

static void test_tls_settings(void **state)
{
	char err[PG_CONFIG_ERR_SIZE];
	struct pg_config cfg;

	(void)state;
	/* Loopback: plain HTTP unless asked. */
	assert_int_equal(parse("listen = 127.0.0.1:8080\n", &cfg, err), 0);
	assert_false(pg_config_api_tls(&cfg.api));
	pg_config_free(&cfg);
	assert_int_equal(parse("listen = 127.0.0.1:8443\ntls = on\n", &cfg, err), 0);
	assert_true(pg_config_api_tls(&cfg.api));
	pg_config_free(&cfg);
	/* Given files: TLS, wherever it listens. */
	assert_int_equal(parse("tls_cert = /etc/c.pem\ntls_key = /etc/k.pem\n", &cfg, err), 0);
	assert_true(pg_config_api_tls(&cfg.api));
	assert_string_equal(cfg.api.tls_key, "/etc/k.pem");
	pg_config_free(&cfg);
	/* Refusals name the line. */
	assert_int_equal(parse("tls = maybe\n", &cfg, err), -EINVAL);
	assert_string_equal(err, "t.conf:9: [api] tls: expected 'auto', 'on' or 'off'");
	assert_int_equal(parse("tls_cert = /etc/c.pem\n", &cfg, err), -EINVAL);
	assert_string_equal(err, "t.conf:9: [api] tls_cert: tls_cert and tls_key are given together");
	assert_int_equal(parse("tls_key = k.pem\n", &cfg, err), -EINVAL);
	assert_non_null(strstr(err, "absolute path"));
	assert_int_equal(parse("tls = off\ntls_cert = /c\ntls_key = /k\n", &cfg, err), -EINVAL);
	assert_string_equal(err, "t.conf:9: [api] tls: off, but tls_cert and tls_key are given");
}

static void test_self_signed(void **state)
{
	char dir[] = "/tmp/pg-test-tls.XXXXXX", err[256], path[128], pin[PG_TLS_PIN_SIZE];
	struct pg_config_api api;
	struct pg_tls t, again;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	pg_config_api_defaults(&api);
	api.addr = htonl(0xc0a80101); /* 192.168.1.1 */
	assert_int_equal(pg_tls_load(&t, &api, dir, err, sizeof(err)), 0);
	assert_true(t.made);
	assert_non_null(strstr(t.cert_pem, "-----BEGIN CERTIFICATE-----"));
	assert_int_equal(strncmp(t.pin, "sha256//", 8), 0);
	assert_int_equal(strlen(t.pin), 8 + 44);
	snprintf(path, sizeof(path), "%s/" PG_TLS_KEY_FILE, dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(pg_tls_pin(t.cert_pem, strlen(t.cert_pem), pin, sizeof(pin)), 0);
	assert_string_equal(pin, t.pin);
	/* The next start reuses it: same certificate, same pin. */
	assert_int_equal(pg_tls_load(&again, &api, dir, err, sizeof(err)), 0);
	assert_false(again.made);
	assert_string_equal(again.pin, t.pin);
	assert_string_equal(again.cert_pem, t.cert_pem);
	pg_tls_free(&again);
	pg_tls_free(&t);
	/* Configured files that are missing: refused with the path. */
	snprintf(api.tls_cert, sizeof(api.tls_cert), "%s/none.pem", dir);
	snprintf(api.tls_key, sizeof(api.tls_key), "%s/none.key", dir);
	assert_int_not_equal(pg_tls_load(&t, &api, dir, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "none.pem"));
	assert_int_not_equal(pg_tls_pin("junk", 4, pin, sizeof(pin)), 0);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_settings),
		cmocka_unit_test(test_self_signed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
