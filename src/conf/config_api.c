/* SPDX-License-Identifier: MIT */
/*
 * config_api.c - the values of the [api] section: the listen address and
 * the control socket's path (IPv4, or IPv6 in brackets), whether the listener speaks TLS, and the
 * stored credential hashes. The hashes themselves are made and checked
 * in auth.c; here we only make sure a value can be one, so that a pasted
 * password (instead of its hash) is refused at load rather than never
 * matching at login.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf/config.h"
#include "conf/config_history.h"

void pg_config_api_defaults(struct pg_config_api *api)
{
	memset(api, 0, sizeof(*api));
	api->enabled = true;
	api->addr = htonl(INADDR_LOOPBACK);
	api->port = PG_CONFIG_API_PORT;
	snprintf(api->socket_path, sizeof(api->socket_path), "%s", PG_CONFIG_API_SOCKET);
	api->config_history = PG_CFGHIST_DEFAULT;
}

int pg_config_parse_socket(const char *s, struct pg_config_api *api)
{
	if (!strcmp(s, "off")) {
		api->socket_path[0] = '\0';
		return 0;
	}
	/* Relative paths would depend on the daemon's working directory. */
	if (s[0] != '/' || strlen(s) >= sizeof(api->socket_path) || s[strlen(s) - 1] == '/')
		return -EINVAL;
	snprintf(api->socket_path, sizeof(api->socket_path), "%s", s);
	return 0;
}

/*
 * "[ADDR6]:PORT": the brackets keep the address's colons apart from the
 * port's, as in URLs (RFC 3986). Multicast cannot be listened on, a
 * link-local address needs a zone (the interface) we do not take, and an
 * IPv4-mapped address is the IPv4 form written differently: refused, so
 * that one address has one spelling (and one TLS and loopback rule).
 */
static int parse_listen6(const char *s, struct pg_config_api *api)
{
	char buf[INET6_ADDRSTRLEN];
	const char *close = strchr(s, ']');
	uint8_t a[16];
	uint32_t port;
	size_t alen;

	if (!close || close[1] != ':')
		return -EINVAL;
	alen = (size_t)(close - (s + 1));
	if (!alen || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s + 1, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET6, buf, a) != 1 || a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	    !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) ||
	    pg_config_parse_u32(close + 2, &port) || port == 0 || port > 65535)
		return -EINVAL;
	api->enabled = true;
	api->v6 = true;
	memcpy(api->addr6, a, 16);
	api->addr = 0;
	api->port = (uint16_t)port;
	return 0;
}

int pg_config_parse_listen(const char *s, struct pg_config_api *api)
{
	char buf[32];
	const char *colon = strrchr(s, ':');
	uint32_t addr, port;
	size_t alen;

	if (!strcmp(s, "off")) {
		api->enabled = false;
		return 0;
	}
	if (s[0] == '[')
		return parse_listen6(s, api);
	if (!colon)
		return -EINVAL;
	alen = (size_t)(colon - s);
	if (alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (pg_config_parse_addr(buf, &addr) || pg_config_parse_u32(colon + 1, &port) ||
	    port == 0 || port > 65535)
		return -EINVAL;
	api->enabled = true;
	api->v6 = false;
	memset(api->addr6, 0, sizeof(api->addr6));
	api->addr = addr;
	api->port = (uint16_t)port;
	return 0;
}

bool pg_config_api_loopback(const struct pg_config_api *api)
{
	static const uint8_t lo6[16] = {[15] = 1};

	if (api->v6)
		return !memcmp(api->addr6, lo6, 16);
	return (ntohl(api->addr) >> 24) == 127;
}

void pg_config_api_host(const struct pg_config_api *api, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!api->v6) {
		inet_ntop(AF_INET, &api->addr, a, sizeof(a));
		snprintf(out, len, "%s", a);
		return;
	}
	inet_ntop(AF_INET6, api->addr6, a, sizeof(a));
	snprintf(out, len, "[%s]", a);
}

bool pg_config_hash_valid(const char *s)
{
	size_t n = strlen(s);

	/* "$id$..." with at least a salt and a hash after the method id. */
	if (n < 8 || s[0] != '$' || !strchr(s + 1, '$'))
		return false;
	/* The crypt(3) alphabet plus the separators its methods use. */
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./$=,-") == n;
}

bool pg_config_api_has_credential(const struct pg_config_api *api)
{
	return api->password_hash[0] || api->token_hash[0];
}

bool pg_config_api_tls(const struct pg_config_api *api)
{
	if (api->tls == PG_API_TLS_AUTO)
		return api->tls_cert[0] || !pg_config_api_loopback(api);
	return api->tls == PG_API_TLS_ON;
}
