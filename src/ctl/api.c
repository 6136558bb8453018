/* SPDX-License-Identifier: MIT */
/*
 * api.c - the HTTP server: libmicrohttpd in external-poll mode, request
 * bodies collected and bounded, each finished request handed to
 * pg_api_handle() as plain data and its answer queued.
 *
 * Theory of operation: MHD is started without any threading flag and with
 * MHD_USE_EPOLL, so it owns one epoll descriptor and never runs by itself.
 * The control thread (ctl_thread.c) polls that descriptor and calls
 * pg_api_run() (MHD_run) when it is readable or MHD's own timeout is due.
 * Handlers therefore run on the control thread, never on the data path's:
 * a slow one (a password check, a page of JSON, an fsync) delays other
 * requests, not packets. What they need from the engine they get through
 * bounded jobs the data path runs between two batches (api_dp.c).
 *
 * The control socket ([api] socket) is a second MHD server on a unix
 * socket we bind ourselves (ctlsock.c), because MHD's per-address limit
 * refuses connections that have no IP address. Both servers' epoll
 * descriptors sit in one epoll descriptor of ours, so the daemon still
 * polls a single descriptor for the API.
 *
 * Bounds: MHD keeps each connection's headers in PG_API_HEADER_MEM bytes
 * (larger headers are answered with 431 by MHD itself); bodies over
 * PG_API_BODY_MAX get 413; connections are limited in number, per address
 * and in idle time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl/api_internal.h"
#include "ctl/session_hist.h"
#include "ctl/ctlsock.h"
#include "ctl/diag_job.h"
#include "util/log.h"

/* Per-request state, kept by MHD between calls of the access handler. */
struct conn {
	char *body;
	size_t len;
	bool too_big;
	struct pg_api_req req;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct pg_api_req *req = cls;

	(void)kind;
	if (req->nargs == PG_API_MAX_ARGS) {
		req->args_cut = true; /* a DELETE refuses to act on part of its filter */
		return MHD_NO;	      /* stop iterating: the rest are ignored */
	}
	req->args[req->nargs].key = key;
	req->args[req->nargs].value = value ? value : "";
	req->nargs++;
	return MHD_YES;
}

/*
 * The client's key for login limits (auth.c): its IPv4 address, or for
 * IPv6 its /64 folded to 32 bits, since one host holds a whole /64 and
 * could step through its addresses to dodge a per-address limit.
 */
static uint32_t peer_addr(struct MHD_Connection *c, char *text, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;
	uint32_t hi, lo;

	text[0] = '\0';
	if (!ci || !ci->client_addr)
		return 0;
	if (ci->client_addr->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)ci->client_addr;
		inet_ntop(AF_INET6, &sin6->sin6_addr, text, (socklen_t)len);
		memcpy(&hi, sin6->sin6_addr.s6_addr, 4);
		memcpy(&lo, sin6->sin6_addr.s6_addr + 4, 4);
		return ntohl(hi) ^ ntohl(lo);
	}
	if (ci->client_addr->sa_family != AF_INET)
		return 0;
	sin = (const struct sockaddr_in *)(const void *)ci->client_addr;
	inet_ntop(AF_INET, &sin->sin_addr, text, (socklen_t)len);
	return ntohl(sin->sin_addr.s_addr);
}

/*
 * Did c come on the control socket, and from whom? The socket's mode
 * already keeps others out; the peer's uid is checked as well so that a
 * loosened mode (chmod by hand) does not hand out the keys.
 */
static bool on_ctlsock(const struct pg_api *api, struct MHD_Connection *c, bool *trusted)
{
	const union MHD_ConnectionInfo *ci;
	struct ucred cr;
	socklen_t len = sizeof(cr);

	*trusted = false;
	if (!api->mhd_unix)
		return false;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_DAEMON);
	if (!ci || ci->daemon != api->mhd_unix)
		return false;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci && !getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) &&
	    (cr.uid == 0 || cr.uid == geteuid()))
		*trusted = true;
	return true;
}

static enum MHD_Result queue(struct MHD_Connection *c, struct pg_api_resp *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char retry[16];

	if (resp->body_static)
		r = MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_PERSISTENT);
	else
		r = MHD_create_response_from_buffer(resp->len, resp->body,
						    MHD_RESPMEM_MUST_FREE);
	if (!r) {
		if (!resp->body_static)
			free(resp->body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* The page loads nothing from elsewhere and may not be framed. */
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; frame-ancestors 'none'");
	if (resp->status == MHD_HTTP_UNAUTHORIZED && resp->www_authenticate)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					resp->www_authenticate);
	if (resp->retry_after_s) {
		snprintf(retry, sizeof(retry), "%u", resp->retry_after_s);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	}
	ret = MHD_queue_response(c, resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *c, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	struct pg_api *api = cls;
	struct conn *cn = *con_cls;
	struct pg_api_resp resp;
	bool trusted;

	(void)version;
	if (!cn) {
		cn = calloc(1, sizeof(*cn));
		if (!cn)
			return MHD_NO;
		*con_cls = cn;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		if (cn->too_big || cn->len + n > PG_API_BODY_MAX) {
			cn->too_big = true;
		} else {
			char *b = realloc(cn->body, cn->len + n + 1);

			if (!b)
				return MHD_NO;
			cn->body = b;
			memcpy(cn->body + cn->len, upload_data, n);
			cn->len += n;
			cn->body[cn->len] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	memset(&resp, 0, sizeof(resp));
	if (cn->too_big) {
		pg_api_error(&resp, 413, NULL,
			     "request body larger than %d bytes", PG_API_BODY_MAX);
		return queue(c, &resp);
	}
	cn->req.method = method;
	cn->req.path = url;
	cn->req.body = cn->body ? cn->body : "";
	cn->req.body_len = cn->len;
	cn->req.client = peer_addr(c, cn->req.client_text, sizeof(cn->req.client_text));
	cn->req.local = on_ctlsock(api, c, &trusted);
	if (cn->req.local && !trusted) {
		pg_api_error(&resp, 403, NULL, "the control socket is for root only");
		return queue(c, &resp);
	}
	cn->req.authorization =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &cn->req);
	pg_api_handle(api, &cn->req, &resp);
	return queue(c, &resp);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!cn)
		return;
	free(cn->body);
	free(cn);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	pg_debug("api: %s", line);
}

/* Add one server's epoll descriptor to ours (made on first use); 0 or -1. */
static int watch(struct pg_api *api, struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	struct epoll_event ev = {.events = EPOLLIN};

	if (!di) {
		errno = EINVAL;
		return -1;
	}
	if (api->epfd < 0) {
		api->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (api->epfd < 0)
			return -1;
	}
	ev.data.fd = di->epoll_fd;
	return epoll_ctl(api->epfd, EPOLL_CTL_ADD, di->epoll_fd, &ev) ? -1 : 0;
}

struct pg_api *pg_api_create(const struct pg_api_env *env, char *err, size_t errlen)
{
	const struct pg_config_api *ac = &env->cfg->api;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&ss;
	unsigned int family_flags = 0;
	struct pg_api *api;
	char addr[INET6_ADDRSTRLEN + 2];
	/* TLS 1.2 and up, GnuTLS's usual choice of ciphers among those. */
	struct MHD_OptionItem tls_opts[] = {
		{MHD_OPTION_HTTPS_MEM_KEY, 0, env->tls ? env->tls->key_pem : NULL},
		{MHD_OPTION_HTTPS_MEM_CERT, 0, env->tls ? env->tls->cert_pem : NULL},
		{MHD_OPTION_HTTPS_PRIORITIES, 0,
		 (void *)(uintptr_t)"NORMAL:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1"},
		{MHD_OPTION_END, 0, NULL},
	};
	struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};

	api = calloc(1, sizeof(*api));
	if (!api) {
		snprintf(err, errlen, "api: out of memory");
		return NULL;
	}
	api->env = *env;
	api->epfd = -1;
	api->now_ms = env->start_ms;
	pg_auth_init(&api->auth, ac);
	/* Debug lines for GET /api/v1/events (the page's log, passgatectl events). */
	pg_log_tap_enable(true);
	if (!ac->enabled)
		return api;
	memset(&ss, 0, sizeof(ss));
	if (ac->v6) {
		static const uint8_t any6[16];

		sin6->sin6_family = AF_INET6;
		memcpy(sin6->sin6_addr.s6_addr, ac->addr6, 16);
		sin6->sin6_port = htons(ac->port);
		/* "[::]" is every address of both families (docs/CONFIG.md "[api]"). */
		family_flags = memcmp(ac->addr6, any6, 16) ? MHD_USE_IPv6 : MHD_USE_DUAL_STACK;
	} else {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = ac->addr;
		sin->sin_port = htons(ac->port);
	}
	pg_config_api_host(ac, addr, sizeof(addr));
	api->mhd = MHD_start_daemon(
		MHD_USE_EPOLL | MHD_USE_ERROR_LOG | family_flags | (env->tls ? MHD_USE_TLS : 0), 0,
		NULL, NULL, access_handler, api, MHD_OPTION_ARRAY, env->tls ? tls_opts : no_opts,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)PG_API_HEADER_MEM,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)PG_API_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)PG_API_PER_IP,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)PG_API_TIMEOUT_S,
		MHD_OPTION_NOTIFY_COMPLETED, completed, api, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
		api, MHD_OPTION_END);
	if (!api->mhd) {
		snprintf(err, errlen,
			 "api: cannot listen on %s:%u (in use, or not an address of this host); "
			 "change or turn off [api] listen",
			 addr, ac->port);
		free(api);
		return NULL;
	}
	if (watch(api, api->mhd)) {
		snprintf(err, errlen, "api: epoll: %s", strerror(errno));
		pg_api_destroy(api);
		return NULL;
	}
	pg_info("api: listening on %s://%s:%u/ (%s)", env->tls ? "https" : "http", addr, ac->port,
		pg_auth_enabled(&api->auth) ? "changes need the password or token"
					    : "read-only: no password_hash or token_hash set");
	if (env->tls)
		pg_info("api: certificate %s%s, public key pin %s (passgatectl --pin)",
			env->tls->cert_path, env->tls->made ? " (self-signed, made now)" : "",
			env->tls->pin);
	return api;
}

int pg_api_listen_unix(struct pg_api *api, char *err, size_t errlen)
{
	const char *path = api->env.cfg->api.socket_path;
	int fd;

	if (!path[0])
		return 0;
	fd = pg_ctlsock_open(path, err, errlen);
	if (fd < 0)
		return fd;
	/* No per-address limit here: MHD would refuse every unix connection. */
	api->mhd_unix = MHD_start_daemon(
		MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, access_handler, api,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)PG_API_HEADER_MEM,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)PG_API_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)PG_API_TIMEOUT_S,
		MHD_OPTION_NOTIFY_COMPLETED, completed, api, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
		api, MHD_OPTION_END);
	if (!api->mhd_unix) {
		close(fd);
		pg_ctlsock_remove(path);
		snprintf(err, errlen, "control socket %s: the HTTP server did not start", path);
		return -EIO;
	}
	snprintf(api->sock_path, sizeof(api->sock_path), "%s", path);
	if (watch(api, api->mhd_unix)) {
		snprintf(err, errlen, "control socket: epoll: %s", strerror(errno));
		return -EIO;
	}
	pg_info("api: control socket %s (root only; requests there need no password)", path);
	return 0;
}

void pg_api_destroy(struct pg_api *api)
{
	if (!api)
		return;
	pg_log_tap_enable(false);
	if (api->mhd)
		MHD_stop_daemon(api->mhd);
	if (api->mhd_unix) {
		MHD_stop_daemon(api->mhd_unix); /* closes the listening socket */
		pg_ctlsock_remove(api->sock_path);
	}
	if (api->epfd >= 0)
		close(api->epfd);
	pg_confirm_disarm(&api->safe.pending);
	pg_diag_job_destroy(api->diag);
	pg_shist_destroy(api->shist);
	free(api);
}

int pg_api_fd(const struct pg_api *api)
{
	return api ? api->epfd : -1;
}

static void min_timeout(struct MHD_Daemon *d, int *ms)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (!d || MHD_get_timeout(d, &t) != MHD_YES)
		return;
	if (t > 1000)
		t = 1000;
	if (*ms < 0 || (int)t < *ms)
		*ms = (int)t;
}

int pg_api_timeout_ms(const struct pg_api *api)
{
	int ms = -1;

	if (!api)
		return -1;
	min_timeout(api->mhd, &ms);
	min_timeout(api->mhd_unix, &ms);
	return ms;
}

void pg_api_run(struct pg_api *api, uint64_t now_ms)
{
	if (!api)
		return;
	api->now_ms = now_ms;
	if (api->mhd)
		MHD_run(api->mhd);
	if (api->mhd_unix)
		MHD_run(api->mhd_unix);
}
