/* SPDX-License-Identifier: MIT */
/*
 * ctl_diag.c - `passgatectl diagnose HOST` (ctl_diag.h). HOST may be a
 * name: it is resolved here (the daemon takes addresses only, and never
 * waits on a resolver). Starts the run (POST /api/v1/diagnose), asks how
 * it is going every 250 ms (GET) until it is done, at most a minute, and
 * prints a table: protocol, reachable or not, what answered, the advice.
 * The exit status is 0 when the run finished, whatever it found: the
 * table is the answer (scripts read --json).
 */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cli/api_client.h"
#include "cli/ctl_diag.h"
#include "cli/ctl_reply.h"
#include "util/version.h"

#define CALL_TIMEOUT_MS 10000
#define POLL_MS 250
#define WAIT_S 60

static struct json_object *call(const char *url, const char *token, const char *method,
				const char *path, const char *body)
{
	struct json_object *o;
	struct pg_http_reply r;

	if (pg_http_request(url, method, path, token, body, CALL_TIMEOUT_MS, &r)) {
		fprintf(stderr, "passgatectl: %s (is passgated running with [api] on?)\n", r.err);
		return NULL;
	}
	o = json_tokener_parse(r.body);
	if (r.status / 100 != 2) {
		pg_ctl_print_refusal(r.status, o);
		json_object_put(o);
		o = NULL;
	} else if (!o) {
		fprintf(stderr, "passgatectl: the answer is not JSON\n");
	}
	pg_http_reply_free(&r);
	return o;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

/* HOST as a dotted quad: itself, or its first IPv4 address. */
static int resolve(const char *host, char *out, size_t len)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *ai;
	int r = getaddrinfo(host, NULL, &hints, &ai);

	if (r) {
		fprintf(stderr, "passgatectl: %s: %s\n", host, gai_strerror(r));
		return -1;
	}
	inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, out, (socklen_t)len);
	freeaddrinfo(ai);
	return 0;
}

static void print_table(struct json_object *o)
{
	struct json_object *res, *dn;
	size_t n;

	printf("diagnose %s from %s (WAN %s%s), %s ms\n\n", str(o, "host"), str(o, "local_address"),
	       str(o, "wan_address"),
	       json_object_object_get_ex(o, "double_nat", &dn) && json_object_get_boolean(dn) ?
	       ", private: double NAT" : "", str(o, "elapsed_ms"));
	printf("%-28s %-9s %-5s %s\n", "PROTOCOL", "REACHABLE", "", "WHAT ANSWERED");
	if (!json_object_object_get_ex(o, "results", &res))
		return;
	n = json_object_array_length(res);
	for (size_t i = 0; i < n; i++) {
		struct json_object *it = json_object_array_get_idx(res, i), *v;
		const char *answer = str(it, "answer"), *advice = str(it, "advice"), *verdict;
		bool reach = json_object_object_get_ex(it, "reachable", &v) && json_object_get_boolean(v);

		verdict = str(it, "verdict");
		printf("%-28s %-9s %-5s %s\n", str(it, "title"), reach ? "yes" : "no",
		       !strcmp(verdict, "ok") ? "OK" : !strcmp(verdict, "warn") ? "WARN" : "FAIL",
		       *answer ? answer : str(it, "state"));
		if (*advice)
			printf("%-28s %-9s %-5s advice: %s\n", "", "", "", advice);
	}
}

int pg_ctl_diagnose(int argc, char **argv, const char *url, const char *token, bool json)
{
	char addr[INET_ADDRSTRLEN], body[64];
	struct json_object *o;
	long long id;
	time_t end;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: passgatectl diagnose HOST\n");
		return PG_EXIT_USAGE;
	}
	if (resolve(argv[1], addr, sizeof(addr)))
		return 1;
	snprintf(body, sizeof(body), "{\"host\": \"%s\"}", addr);
	o = call(url, token, "POST", "/api/v1/diagnose", body);
	if (!o)
		return 1;
	{
		struct json_object *v;

		id = json_object_object_get_ex(o, "id", &v) ? json_object_get_int64(v) : 0;
	}
	json_object_put(o);
	if (!json)
		fprintf(stderr, "passgatectl: diagnosing %s from the gateway (up to a minute)...\n",
			addr);
	end = time(NULL) + WAIT_S;
	for (;;) {
		struct timespec ts = {0, POLL_MS * 1000000L};
		struct json_object *v;

		nanosleep(&ts, NULL);
		o = call(url, token, "GET", "/api/v1/diagnose", NULL);
		if (!o)
			return 1;
		if (json_object_object_get_ex(o, "id", &v) && json_object_get_int64(v) != id) {
			fprintf(stderr, "passgatectl: another diagnosis started meanwhile\n");
			json_object_put(o);
			return 1;
		}
		if (!strcmp(str(o, "state"), "done"))
			break;
		json_object_put(o);
		if (time(NULL) > end) {
			fprintf(stderr, "passgatectl: no result within %d s\n", WAIT_S);
			return 1;
		}
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	else
		print_table(o);
	json_object_put(o);
	return 0;
}
