/* SPDX-License-Identifier: MIT */
/*
 * api_web.c - the admin page (src/ctl/web/), built into the binary.
 *
 * The files are pulled in by the assembler's .incbin at compile time, so
 * the daemon needs no install path and no build step beyond the compiler;
 * the Makefile makes this object depend on the files. Each is followed by
 * a zero byte and its size is taken from two labels.
 */
#include <stddef.h>
#include <string.h>

#include "ctl/api_internal.h"

#define PG_WEB_ASSET(sym, file)                                                                    \
	__asm__(".section .rodata\n"                                                               \
		".balign 16\n"                                                                     \
		".globl " #sym "_start\n" #sym "_start:\n"                                         \
		".incbin \"" file "\"\n"                                                           \
		".globl " #sym "_end\n" #sym "_end:\n"                                             \
		".byte 0\n"                                                                        \
		".previous\n");                                                                    \
	extern const char sym##_start[], sym##_end[]

PG_WEB_ASSET(pg_web_index, "src/ctl/web/index.html");
PG_WEB_ASSET(pg_web_app, "src/ctl/web/app.js");
PG_WEB_ASSET(pg_web_style, "src/ctl/web/style.css");
PG_WEB_ASSET(pg_web_safe, "src/ctl/web/safe.js");
PG_WEB_ASSET(pg_web_panels, "src/ctl/web/panels.css");
PG_WEB_ASSET(pg_web_flows, "src/ctl/web/flows.js");
PG_WEB_ASSET(pg_web_graphs, "src/ctl/web/graphs.js");
PG_WEB_ASSET(pg_web_capture, "src/ctl/web/capture.js");
PG_WEB_ASSET(pg_web_tunnel, "src/ctl/web/tunnel.js");
PG_WEB_ASSET(pg_web_wan, "src/ctl/web/wan.js");
PG_WEB_ASSET(pg_web_diag, "src/ctl/web/diag.js");
PG_WEB_ASSET(pg_web_settings, "src/ctl/web/settings.js");
PG_WEB_ASSET(pg_web_restart, "src/ctl/web/restart.js");

struct asset {
	const char *path;
	const char *type;
	const char *start, *end;
};

bool pg_api_web(const char *path, struct pg_api_resp *resp)
{
	const struct asset assets[] = {
		{"/", "text/html; charset=utf-8", pg_web_index_start, pg_web_index_end},
		{"/index.html", "text/html; charset=utf-8", pg_web_index_start, pg_web_index_end},
		{"/app.js", "text/javascript; charset=utf-8", pg_web_app_start, pg_web_app_end},
		{"/style.css", "text/css; charset=utf-8", pg_web_style_start, pg_web_style_end},
		{"/safe.js", "text/javascript; charset=utf-8", pg_web_safe_start, pg_web_safe_end},
		{"/panels.css", "text/css; charset=utf-8", pg_web_panels_start, pg_web_panels_end},
		{"/flows.js", "text/javascript; charset=utf-8", pg_web_flows_start, pg_web_flows_end},
		{"/graphs.js", "text/javascript; charset=utf-8", pg_web_graphs_start, pg_web_graphs_end},
		{"/capture.js", "text/javascript; charset=utf-8", pg_web_capture_start,
		 pg_web_capture_end},
		{"/tunnel.js", "text/javascript; charset=utf-8", pg_web_tunnel_start, pg_web_tunnel_end},
		{"/wan.js", "text/javascript; charset=utf-8", pg_web_wan_start, pg_web_wan_end},
		{"/diag.js", "text/javascript; charset=utf-8", pg_web_diag_start, pg_web_diag_end},
		{"/settings.js", "text/javascript; charset=utf-8", pg_web_settings_start,
		 pg_web_settings_end},
		{"/restart.js", "text/javascript; charset=utf-8", pg_web_restart_start,
		 pg_web_restart_end},
	};

	for (unsigned int i = 0; i < sizeof(assets) / sizeof(assets[0]); i++) {
		if (strcmp(path, assets[i].path))
			continue;
		resp->status = 200;
		resp->content_type = assets[i].type;
		resp->body = (char *)assets[i].start;
		resp->len = (size_t)(assets[i].end - assets[i].start);
		resp->body_static = true;
		return true;
	}
	return false;
}
