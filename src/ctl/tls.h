/* SPDX-License-Identifier: MIT */
/*
 * tls.h - the API's certificate: the PEM files of [api] tls_cert/tls_key,
 * or a self-signed one passgated makes at its first start and keeps in its
 * state directory, and the public key's pin passgatectl checks (--pin).
 */
#ifndef PG_TLS_H
#define PG_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/config.h"
#include "util/tlspin.h"

#define PG_STATE_DIR "/var/lib/passgate"
#define PG_TLS_CERT_FILE "api-cert.pem"
#define PG_TLS_KEY_FILE "api-key.pem"
#define PG_TLS_PEM_MAX (64u * 1024)

struct pg_tls {
	char *cert_pem;			/* NUL-terminated PEM, malloc'd */
	char *key_pem;
	char pin[PG_TLS_PIN_SIZE];	/* "sha256//BASE64" of the public key (SPKI) */
	char cert_path[PG_CONFIG_VALUE_MAX + 64];
	bool made;			/* self-signed, made by this start */
};

/*
 * Load what api asks for: the configured files, or the self-signed pair in
 * state_dir (made when missing, for the listen address; the key mode 0600).
 * Returns 0, or -errno with err set.
 */
int pg_tls_load(struct pg_tls *t, const struct pg_config_api *api, const char *state_dir,
		char *err, size_t errlen);
void pg_tls_free(struct pg_tls *t);

#endif /* PG_TLS_H */
