/* SPDX-License-Identifier: MIT */
/*
 * fuzz_api.c - libFuzzer target for the HTTP API's request handling: any
 * method, path, query, Authorization header and body must get an answer
 * with a status and a body, never a crash, and a refused change must leave
 * the running configuration as it was.
 *
 * Input: a flag byte, then newline-separated fields METHOD, PATH, QUERY
 * ("k=v&k=v"), AUTHORIZATION, BODY (the rest). Flag bit 0 replaces the
 * Authorization header with the configured token, so changes get past the
 * gate and into the settings code. Nothing is saved (no config path).
 * After each input the control thread's timer runs (pg_api_tick()), so
 * changes made with ?confirm=SECS are rolled back when they come due.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "dp/capture.h"
#include "dp/history.h"
#include "conf/config.h"

#define TOKEN "fuzz-token"

static struct pg_config cfg;
static struct pg_engine *engine;
static struct pg_api *api;
static uint64_t now = 1000;
static struct pg_capture capture; /* POST /api/v1/capture compiles filters */
static struct pg_history history; /* GET /api/v1/history: a few rows to turn into rates */

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_api: invariant broken: %s\n", what);
	abort();
}

static void setup(void)
{
	char err[PG_CONFIG_ERR_SIZE], hash[256], text[1024];
	struct pg_api_env env;

	if (pg_passwd_hash(TOKEN, hash, sizeof(hash)))
		fail("cannot hash the token");
	snprintf(text, sizeof(text),
		 "[lan]\ninterface = lan0\naddress = 192.168.1.1/24\n[wan]\ninterface = wan0\n"
		 "address = 198.51.100.2/24\ngateway = 198.51.100.1\n[nat]\nmax_flows = 1024\n"
		 "max_flows_per_host = 64\n[api]\nlisten = off\ntoken_hash = %s\n",
		 hash);
	if (pg_config_parse(&cfg, "fuzz", text, strlen(text), err, sizeof(err)))
		fail(err);
	engine = pg_engine_create(&cfg.engine);
	memset(&env, 0, sizeof(env));
	/* One engine, as a daemon with one worker has. */
	static struct pg_engines one;

	one = PG_ENGINES_ONE(engine);
	env.engines = &one;
	env.cfg = &cfg;
	pg_capture_init(&capture, 1, 2);
	env.capture = &capture;
	if (pg_history_init(&history))
		fail("cannot allocate the history");
	{
		uint64_t row[PG_HC_DROPS + PG_CNT__COUNT] = {0};

		for (uint64_t i = 0; i < 70; i++) {
			row[PG_HC_WAN_RX_BYTES] = i * i * 1000;
			row[PG_HC_FLOWS] = i % 7;
			pg_history_add(&history, 1000 + i * 1000 + (i % 3), row);
		}
	}
	env.history = &history;
	api = engine ? pg_api_create(&env, err, sizeof(err)) : NULL;
	if (!api)
		fail("cannot create the API");
}

/* Next '\n'-terminated field of [*p, end) as a new string. */
static char *field(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += n + (nl ? 1 : 0);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1, *end = data + size;
	char *method, *path, *query, *auth, *body, *save = NULL;
	struct pg_api_req req;
	struct pg_api_resp resp;
	size_t text_len;
	char *text_before;

	if (!api)
		setup();
	if (size < 1 || size > PG_API_BODY_MAX + 1024)
		return 0;
	method = field(&p, end);
	path = field(&p, end);
	query = field(&p, end);
	auth = field(&p, end);
	body = malloc((size_t)(end - p) + 1);
	if (!body)
		abort();
	memcpy(body, p, (size_t)(end - p));
	body[end - p] = '\0';

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = path;
	for (char *kv = strtok_r(query, "&", &save); kv && req.nargs < PG_API_MAX_ARGS;
	     kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (eq)
			*eq++ = '\0';
		req.args[req.nargs].key = kv;
		req.args[req.nargs++].value = eq ? eq : "";
	}
	req.authorization = (data[0] & 1) ? "Bearer " TOKEN : auth;
	req.body = body;
	req.body_len = (size_t)(end - p);
	req.client = 0x7f000001;
	now += 700;
	api->now_ms = now;

	text_len = cfg.doc.text_len;
	text_before = strdup(cfg.doc.text);
	pg_api_handle(api, &req, &resp);
	if (!resp.status || !resp.body || !resp.content_type)
		fail("an answer without status, body or type");
	/* Text and pcap (binary) bodies may hold NULs; JSON may not. */
	if (resp.len != strlen(resp.body) && strstr(resp.content_type, "json"))
		fail("a JSON body whose length is wrong");
	/* A refusal (4xx/5xx) changes nothing. */
	if (resp.status >= 400 && (cfg.doc.text_len != text_len || strcmp(cfg.doc.text, text_before)))
		fail("a refused request changed the configuration");
	if (!resp.body_static)
		free(resp.body);
	/*
	 * The control thread's timer: a change made with ?confirm=SECS and not
	 * confirmed is undone once enough inputs (700 ms each) have passed, and
	 * the running text is then exactly the one before the change.
	 */
	{
		const struct pg_confirm *pc = &api->safe.pending;
		char *prev = pc->armed && pg_confirm_due(pc, now + 700) ? strdup(pc->prev_text)
									: NULL;

		pg_api_tick(api, now + 700);
		if (prev && !pc->armed && strcmp(prev, cfg.doc.text))
			fail("a rollback did not restore the text before the change");
		free(prev);
	}
	free(text_before);
	free(method);
	free(path);
	free(query);
	free(auth);
	free(body);
	return 0;
}
