/* SPDX-License-Identifier: MIT */
/*
 * api_client.h - passgatectl's HTTP client (libcurl): http:// and https://
 * URLs (addresses, IPv6 in brackets, host names), or unix:PATH for the
 * daemon's control socket; one request per call. For https, the API's
 * certificate is checked against --cacert, or its public key against a pin
 * (--pin, or the one pinned on first use), or else the system's CAs.
 */
#ifndef PG_API_CLIENT_H
#define PG_API_CLIENT_H

#include <stddef.h>

#include "util/tlspin.h"

struct pg_http_reply {
	int status;  /* HTTP status, or 0 when no answer came */
	char *body;  /* malloc'd, NUL-terminated */
	size_t len;
	char err[512]; /* why there is no answer */
};

/* How https:// answers are trusted; set once before the first request. */
struct pg_http_tls {
	const char *cacert; /* PEM file of the certificate or its CA; NULL: system CAs */
	const char *pin;    /* "sha256//BASE64"; NULL: none */
};
void pg_http_set_tls(const struct pg_http_tls *tls);

/*
 * Send METHOD url_base + path with an optional JSON body and bearer token,
 * wait at most timeout_ms. Returns 0 with reply filled (any status), or -1
 * with reply->err set (bad URL, connection refused, timeout, a certificate
 * refused).
 */
int pg_http_request(const char *url_base, const char *method, const char *path, const char *token,
		    const char *body, int timeout_ms, struct pg_http_reply *reply);
void pg_http_reply_free(struct pg_http_reply *reply);

/*
 * The pin of the certificate an https URL presents, fetched without
 * trusting it (for pinning on first use). 0, or -1 with err set.
 */
int pg_http_peer_pin(const char *url_base, int timeout_ms, char *pin, size_t pinlen, char *err,
		     size_t errlen);

#endif /* PG_API_CLIENT_H */
