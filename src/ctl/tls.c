/* SPDX-License-Identifier: MIT */
/*
 * tls.c - the API's certificate (GnuTLS, the library libmicrohttpd serves
 * TLS with).
 *
 * A router's admin page is reached by address, usually before anyone has a
 * certificate for it, so without [api] tls_cert/tls_key passgated makes its
 * own once: an ECDSA P-256 key and a self-signed certificate for the listen
 * address (CN and an IP subjectAltName), valid ten years, kept in the state
 * directory so that its pin stays the same across restarts and upgrades.
 * The log names the pin; passgatectl pins it on first use or is given it
 * (--pin), or trusts the file itself (--cacert).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ctl/tls.h"
#include "util/tlspin.h"

#define CERT_YEARS 10

static char *read_file(const char *path, char *err, size_t errlen)
{
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "api: %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(PG_TLS_PEM_MAX + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "api: out of memory");
		return NULL;
	}
	while (len < PG_TLS_PEM_MAX && (n = read(fd, buf + len, PG_TLS_PEM_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	if (len == 0 || len == PG_TLS_PEM_MAX) {
		snprintf(err, errlen, "api: %s: %s", path, len ? "larger than 64 KiB" : "empty");
		free(buf);
		return NULL;
	}
	return buf;
}

/* Write data to path (mode) through a temporary file, so a crash leaves none half-written. */
static int write_file(const char *path, const gnutls_datum_t *d, mode_t mode, char *err,
		      size_t errlen)
{
	char tmp[PG_CONFIG_VALUE_MAX + 80];
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0 || write(fd, d->data, d->size) != (ssize_t)d->size || fsync(fd))
		r = -errno;
	if (fd >= 0)
		close(fd);
	if (!r && rename(tmp, path))
		r = -errno;
	if (r) {
		unlink(tmp);
		snprintf(err, errlen, "api: cannot write %s: %s", path, strerror(-r));
	}
	return r;
}

/* A new key and self-signed certificate for the listen address. */
static int make_self_signed(const struct pg_config_api *api, const char *cert_path,
			    const char *key_path, char *err, size_t errlen)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t cert_pem = {0}, key_pem = {0};
	unsigned char serial[16];
	char cn[80], addr[INET6_ADDRSTRLEN + 2];
	time_t now = time(NULL);
	int r;

	pg_config_api_host(api, addr, sizeof(addr));
	snprintf(cn, sizeof(cn), "passgate %s", addr);
	r = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
	serial[0] &= 0x7f; /* a positive INTEGER */
	if (r >= 0)
		r = gnutls_x509_privkey_init(&key);
	if (r >= 0)
		r = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
						 GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
	if (r >= 0)
		r = gnutls_x509_crt_init(&crt);
	if (r >= 0)
		r = gnutls_x509_crt_set_version(crt, 3);
	if (r >= 0)
		r = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	if (r >= 0)
		r = gnutls_x509_crt_set_activation_time(crt, now - 3600);
	if (r >= 0)
		r = gnutls_x509_crt_set_expiration_time(crt, now + CERT_YEARS * 365 * 86400L);
	if (r >= 0)
		r = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
						  (unsigned int)strlen(cn));
	if (r >= 0)
		r = api->v6 ? gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS,
								   api->addr6, 16, GNUTLS_FSAN_SET)
			    : gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS,
								   &api->addr, 4, GNUTLS_FSAN_SET);
	if (r >= 0)
		r = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
	if (r >= 0)
		r = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
	if (r >= 0)
		r = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
	if (r >= 0)
		r = gnutls_x509_crt_set_key(crt, key);
	if (r >= 0)
		r = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
	if (r >= 0)
		r = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cert_pem);
	if (r >= 0)
		r = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &key_pem);
	if (r < 0) {
		snprintf(err, errlen, "api: cannot make a self-signed certificate: %s",
			 gnutls_strerror(r));
		r = -EINVAL;
	} else {
		/* The key first: a certificate never exists without its key. */
		r = write_file(key_path, &key_pem, 0600, err, errlen);
		if (!r)
			r = write_file(cert_path, &cert_pem, 0644, err, errlen);
	}
	gnutls_free(cert_pem.data);
	if (key_pem.data) {
		memset(key_pem.data, 0, key_pem.size);
		gnutls_free(key_pem.data);
	}
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (key)
		gnutls_x509_privkey_deinit(key);
	return r;
}

int pg_tls_load(struct pg_tls *t, const struct pg_config_api *api, const char *state_dir,
		char *err, size_t errlen)
{
	char key_path[PG_CONFIG_VALUE_MAX + 64];

	memset(t, 0, sizeof(*t));
	if (api->tls_cert[0]) {
		snprintf(t->cert_path, sizeof(t->cert_path), "%s", api->tls_cert);
		snprintf(key_path, sizeof(key_path), "%s", api->tls_key);
	} else {
		if (!state_dir)
			state_dir = PG_STATE_DIR;
		if (mkdir(state_dir, 0750) && errno != EEXIST) {
			snprintf(err, errlen, "api: cannot make the state directory %s: %s",
				 state_dir, strerror(errno));
			return -errno;
		}
		snprintf(t->cert_path, sizeof(t->cert_path), "%s/" PG_TLS_CERT_FILE, state_dir);
		snprintf(key_path, sizeof(key_path), "%s/" PG_TLS_KEY_FILE, state_dir);
		if (access(t->cert_path, F_OK) || access(key_path, F_OK)) {
			int r = make_self_signed(api, t->cert_path, key_path, err, errlen);

			if (r)
				return r;
			t->made = true;
		}
	}
	t->cert_pem = read_file(t->cert_path, err, errlen);
	if (!t->cert_pem)
		return -EINVAL;
	t->key_pem = read_file(key_path, err, errlen);
	if (!t->key_pem) {
		pg_tls_free(t);
		return -EINVAL;
	}
	if (pg_tls_pin(t->cert_pem, strlen(t->cert_pem), t->pin, sizeof(t->pin))) {
		snprintf(err, errlen, "api: %s: not a PEM certificate", t->cert_path);
		pg_tls_free(t);
		return -EINVAL;
	}
	return 0;
}

void pg_tls_free(struct pg_tls *t)
{
	free(t->cert_pem);
	if (t->key_pem) {
		memset(t->key_pem, 0, strlen(t->key_pem));
		free(t->key_pem);
	}
	t->cert_pem = NULL;
	t->key_pem = NULL;
}
