/* SPDX-License-Identifier: MIT */
/*
 * tlspin.h - the pin of a certificate's public key, in the form curl's
 * CURLOPT_PINNEDPUBLICKEY takes: "sha256//" and the base64 of the SHA-256
 * of the DER SubjectPublicKeyInfo. passgated logs it for its API's
 * certificate; passgatectl checks it (--pin, or pinned on first use).
 */
#ifndef PG_TLSPIN_H
#define PG_TLSPIN_H

#include <stddef.h>

#define PG_TLS_PIN_SIZE 64 /* "sha256//" + 44 base64 digits + NUL */

/* The pin of a PEM (or DER) certificate of len bytes; 0, or -EINVAL. */
int pg_tls_pin(const char *cert, size_t len, char *pin, size_t pinlen);

#endif /* PG_TLSPIN_H */
