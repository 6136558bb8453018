/* SPDX-License-Identifier: MIT */
/*
 * api_client.h - the smallest HTTP client passgatectl needs to talk to the
 * API: plain http:// on a management address, or unix:PATH for the
 * daemon's control socket; one request per connection.
 */
#ifndef PG_API_CLIENT_H
#define PG_API_CLIENT_H

#include <stddef.h>

struct pg_http_reply {
	int status;  /* HTTP status, or 0 when no answer came */
	char *body;  /* malloc'd, NUL-terminated */
	size_t len;
	char err[160]; /* why there is no answer */
};

/*
 * Send METHOD url_base + path with an optional JSON body and bearer token,
 * wait at most timeout_ms. Returns 0 with reply filled (any status), or -1
 * with reply->err set (bad URL, connection refused, timeout).
 */
int pg_http_request(const char *url_base, const char *method, const char *path, const char *token,
		    const char *body, int timeout_ms, struct pg_http_reply *reply);
void pg_http_reply_free(struct pg_http_reply *reply);

#endif /* PG_API_CLIENT_H */
