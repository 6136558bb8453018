/* SPDX-License-Identifier: MIT */
/*
 * api_client.c - passgatectl's requests through libcurl.
 *
 * libcurl brings what a hand-written HTTP/1.0 client lacked: TLS with
 * certificate and public key pinning checks, IPv6 and host names, chunked
 * and keep-alive answers, unix sockets (CURLOPT_UNIX_SOCKET_PATH: the URL
 * is then http://localhost and only its path matters). Only http and https
 * are allowed, redirects are not followed (an API never sends one; a
 * redirect to elsewhere would carry the token there), and answers larger
 * than REPLY_MAX are refused.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/api_client.h"
#include "conf/config.h"

#define REPLY_MAX (64u << 20) /* a reply larger than this is refused */

static struct pg_http_tls tls_opts;

void pg_http_set_tls(const struct pg_http_tls *tls)
{
	tls_opts = *tls;
}

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct pg_http_reply *r = arg;
	size_t len = size * n;
	char *nb;

	if (r->len + len > REPLY_MAX)
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	nb = realloc(r->body, r->len + len + 1);
	if (!nb)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

/* A handle for url_base + path (or the control socket), common options set. */
static CURL *handle_for(const char *url_base, const char *path, int timeout_ms, char *err,
			size_t errlen)
{
	char url[PG_CONFIG_SOCKET_PATH_SIZE + 512];
	CURL *c = curl_easy_init();

	if (!c) {
		snprintf(err, errlen, "cannot start libcurl");
		return NULL;
	}
	if (!strncmp(url_base, "unix:", 5)) {
		if (!url_base[5]) {
			snprintf(err, errlen, "%s: no socket path", url_base);
			curl_easy_cleanup(c);
			return NULL;
		}
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, url_base + 5);
		snprintf(url, sizeof(url), "http://localhost%s", path);
	} else if (strncmp(url_base, "http://", 7) && strncmp(url_base, "https://", 8)) {
		snprintf(err, errlen, "%s: not an http://, https:// or unix: URL", url_base);
		curl_easy_cleanup(c);
		return NULL;
	} else {
		size_t n = strlen(url_base);

		/* "http://host/" and "http://host" both take "/api/...". */
		if (n && url_base[n - 1] == '/')
			n--;
		snprintf(url, sizeof(url), "%.*s%s", (int)n, url_base, path);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "passgatectl");
	return c;
}

int pg_http_request(const char *url_base, const char *method, const char *path, const char *token,
		    const char *body, int timeout_ms, struct pg_http_reply *reply)
{
	char errbuf[CURL_ERROR_SIZE] = "", auth[PG_CONFIG_VALUE_MAX + 64];
	struct curl_slist *hdrs = NULL;
	long status = 0;
	CURLcode rc;
	CURL *c;

	memset(reply, 0, sizeof(*reply));
	c = handle_for(url_base, path, timeout_ms, reply->err, sizeof(reply->err));
	if (!c)
		return -1;
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	}
	if (token && *token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		hdrs = curl_slist_append(hdrs, auth);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
	if (tls_opts.cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, tls_opts.cacert);
	if (tls_opts.pin) {
		/* The pin is the trust: a self-signed certificate has no CA and its
		 * name is an address. curl still refuses any other public key. */
		curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, tls_opts.pin);
		if (!tls_opts.cacert) {
			curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		}
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		snprintf(reply->err, sizeof(reply->err), "%.160s: %.300s", url_base,
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
		free(reply->body);
		reply->body = NULL;
		reply->len = 0;
		return -1;
	}
	reply->status = (int)status;
	if (!reply->body) {
		reply->body = calloc(1, 1);
		if (!reply->body) {
			snprintf(reply->err, sizeof(reply->err), "out of memory");
			return -1;
		}
	}
	return 0;
}

void pg_http_reply_free(struct pg_http_reply *reply)
{
	free(reply->body);
	reply->body = NULL;
}

/* Keep nothing of the probe's answer. */
static size_t discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

int pg_http_peer_pin(const char *url_base, int timeout_ms, char *pin, size_t pinlen, char *err,
		     size_t errlen)
{
	struct curl_certinfo *ci = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	CURL *c;
	int r = -1;

	c = handle_for(url_base, "/api/v1/auth", timeout_ms, err, errlen);
	if (!c)
		return -1;
	/* Nothing is sent that matters (no token), and nothing read is used
	 * but the certificate, which the caller shows before trusting. */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		rc = curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%.160s: %.300s", url_base, errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else if (!ci || ci->num_of_certs < 1) {
		snprintf(err, errlen, "%s: no certificate presented", url_base);
	} else {
		/* The first certificate is the server's; its "Cert:" field is PEM. */
		for (struct curl_slist *s = ci->certinfo[0]; s; s = s->next) {
			if (strncmp(s->data, "Cert:", 5))
				continue;
			r = pg_tls_pin(s->data + 5, strlen(s->data + 5), pin, pinlen);
			break;
		}
		if (r)
			snprintf(err, errlen, "%s: the certificate could not be read", url_base);
	}
	curl_easy_cleanup(c);
	return r;
}
