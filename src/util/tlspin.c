/* SPDX-License-Identifier: MIT */
/*
 * tlspin.c - certificate public key pins with GnuTLS: its key id with
 * SHA-256 is the hash of the DER SubjectPublicKeyInfo, which is what curl
 * compares a "sha256//" pin with, so the daemon's log line, passgatectl's
 * first-use message and --pin all speak of the same value.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "util/tlspin.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 with padding; out holds 4 * ceil(len / 3) + 1 bytes. */
static void base64(const unsigned char *in, size_t len, char *out)
{
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*out++ = b64[in[i] >> 2];
		*out++ = b64[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*out++ = b64[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		*out++ = b64[in[i + 2] & 63];
	}
	if (i < len) {
		*out++ = b64[in[i] >> 2];
		if (i + 1 < len) {
			*out++ = b64[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
			*out++ = b64[(in[i + 1] & 15) << 2];
		} else {
			*out++ = b64[(in[i] & 3) << 4];
			*out++ = '=';
		}
		*out++ = '=';
	}
	*out = '\0';
}

int pg_tls_pin(const char *cert, size_t len, char *pin, size_t pinlen)
{
	gnutls_datum_t d = {.data = (unsigned char *)(uintptr_t)cert, .size = (unsigned int)len};
	unsigned char id[32];
	size_t idlen = sizeof(id);
	gnutls_x509_crt_t crt;
	int r;

	if (pinlen < PG_TLS_PIN_SIZE || len > (1u << 20) || gnutls_x509_crt_init(&crt) < 0)
		return -EINVAL;
	r = gnutls_x509_crt_import(crt, &d,
				   len > 10 && !memcmp(cert, "-----BEGIN", 10) ? GNUTLS_X509_FMT_PEM
									: GNUTLS_X509_FMT_DER);
	if (r >= 0)
		r = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, id, &idlen);
	gnutls_x509_crt_deinit(crt);
	if (r < 0 || idlen != sizeof(id))
		return -EINVAL;
	memcpy(pin, "sha256//", 8);
	base64(id, idlen, pin + 8);
	return 0;
}
