/* SPDX-License-Identifier: MIT */
/*
 * api_json.c - building JSON answers and reading JSON bodies. Every error
 * the API gives is {"error": "...", "field": "..."}: the field is the
 * request's own name for what was wrong ("passthrough.pptp"), so a client
 * (or a person) can point at it.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"

#define JSON_DEPTH_MAX 8 /* request bodies are flat objects; refuse deep nesting */

void pg_api_json(struct pg_api_resp *resp, unsigned int status, struct json_object *obj)
{
	const char *s;

	resp->status = status;
	resp->content_type = "application/json";
	s = obj ? json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE)
		: NULL;
	resp->body = s ? strdup(s) : NULL;
	json_object_put(obj);
	if (!resp->body) {
		/* Out of memory: a fixed answer that needs none. */
		resp->status = 500;
		resp->body = (char *)"{\"error\":\"out of memory\"}";
		resp->body_static = true;
	}
	resp->len = strlen(resp->body);
}

void pg_api_error(struct pg_api_resp *resp, unsigned int status, const char *field,
		  const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "error", json_object_new_string(msg));
	if (field)
		json_object_object_add(o, "field", json_object_new_string(field));
	pg_api_json(resp, status, o);
}

struct json_object *pg_api_addr(uint32_t addr_host)
{
	struct in_addr a = {.s_addr = htonl(addr_host)};
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	return json_object_new_string(buf);
}

struct json_object *pg_api_addr6(const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	return json_object_new_string(inet_ntop(AF_INET6, a, buf, sizeof(buf)) ? buf : "");
}

struct json_object *pg_api_body_object(const struct pg_api_req *req, struct pg_api_resp *resp)
{
	struct json_tokener *tok = json_tokener_new_ex(JSON_DEPTH_MAX);
	struct json_object *o;
	enum json_tokener_error e;

	if (!tok) {
		pg_api_error(resp, 500, NULL, "out of memory");
		return NULL;
	}
	if (!req->body_len) {
		json_tokener_free(tok);
		pg_api_error(resp, 400, NULL, "expected a JSON object in the request body");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
	e = json_tokener_get_error(tok);
	if (e == json_tokener_success && json_tokener_get_parse_end(tok) < req->body_len) {
		/* Only blanks may follow the object. */
		const char *rest = req->body + json_tokener_get_parse_end(tok);

		if (rest[strspn(rest, " \t\r\n")]) {
			json_object_put(o);
			json_tokener_free(tok);
			pg_api_error(resp, 400, NULL, "request body: text after the JSON object");
			return NULL;
		}
	}
	if (e != json_tokener_success || !o) {
		pg_api_error(resp, 400, NULL, "request body is not valid JSON: %s",
			     e == json_tokener_continue ? "unexpected end"
							: json_tokener_error_desc(e));
		json_object_put(o);
		json_tokener_free(tok);
		return NULL;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		pg_api_error(resp, 400, NULL, "request body: expected a JSON object");
		return NULL;
	}
	return o;
}
