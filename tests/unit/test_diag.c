/* SPDX-License-Identifier: MIT */
/*
 * test_diag.c - "diagnose a VPN server" without a network: the advice
 * chosen for each finding (answered, refused, silent; passthrough off, a
 * conflicting port forward, a private WAN address, a small WAN MTU, NAT
 * seen upstream), the first messages it sends and the readers of the
 * answers (each length lie refused), and the API's host argument.
 */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/config.h"
#include "ctl/api_internal.h"
#include "probe/diag.h"
#include "probe/vpnmsg.h"

static void all_answered(struct pg_diag_result *r)
{
	memset(r, 0, sizeof(*r));
	for (int p = 0; p < PG_DIAG__COUNT; p++) {
		r->item[p].state = PG_DIAG_ANSWERED;
		r->item[p].gre = p == PG_DIAG_PPTP ? 1 : -1;
	}
}

static void advice_all_ok(void **state)
{
	struct pg_diag_gw gw = {.wan_addr = 0xc6336402, .wan_mtu = 1500};
	struct pg_diag_advice a[PG_DIAG__COUNT];
	struct pg_diag_result r;

	(void)state;
	all_answered(&r);
	pg_diag_advise(&gw, &r, a);
	for (int p = 0; p < PG_DIAG__COUNT; p++) {
		assert_int_equal(a[p].verdict, PG_DIAG_OK);
		assert_string_equal(a[p].text, "");
	}
}

static void advice_silent_and_refused(void **state)
{
	struct pg_diag_gw gw = {.wan_addr = 0xc6336402};
	struct pg_diag_advice a[PG_DIAG__COUNT];
	struct pg_diag_result r;

	(void)state;
	all_answered(&r);
	r.item[PG_DIAG_IKE500].state = PG_DIAG_NO_ANSWER;
	r.item[PG_DIAG_L2TP].state = PG_DIAG_REFUSED;
	r.item[PG_DIAG_OVPN_UDP].state = PG_DIAG_NO_ANSWER;
	pg_diag_advise(&gw, &r, a);
	assert_int_equal(a[PG_DIAG_IKE500].verdict, PG_DIAG_FAIL);
	assert_non_null(strstr(a[PG_DIAG_IKE500].text, "enable passthrough (ALG)"));
	assert_non_null(strstr(a[PG_DIAG_IKE500].text, "check ISP blocks of UDP 500"));
	assert_null(strstr(a[PG_DIAG_IKE500].text, "off on this gateway"));
	assert_int_equal(a[PG_DIAG_L2TP].verdict, PG_DIAG_FAIL);
	assert_non_null(strstr(a[PG_DIAG_L2TP].text, "nothing listens on UDP 1701"));
	/* OpenVPN on TCP answers: the server uses the other transport. */
	assert_non_null(strstr(a[PG_DIAG_OVPN_UDP].text, "other transport"));
	assert_int_equal(a[PG_DIAG_IKE4500].verdict, PG_DIAG_OK);
}

static void advice_switch_off(void **state)
{
	struct pg_diag_gw gw = {.wan_addr = 0xc6336402};
	struct pg_diag_advice a[PG_DIAG__COUNT];
	struct pg_diag_result r;

	(void)state;
	gw.switched_off[PG_DIAG_PPTP] = true;
	gw.switched_off[PG_DIAG_IKE500] = true;
	all_answered(&r);
	r.item[PG_DIAG_PPTP].gre = 0;
	r.item[PG_DIAG_IKE500].state = PG_DIAG_NO_ANSWER;
	pg_diag_advise(&gw, &r, a);
	assert_int_equal(a[PG_DIAG_PPTP].verdict, PG_DIAG_FAIL);
	assert_non_null(strstr(a[PG_DIAG_PPTP].text, "no GRE came back"));
	assert_non_null(strstr(a[PG_DIAG_PPTP].text, "[passthrough] pptp = on"));
	assert_non_null(strstr(a[PG_DIAG_IKE500].text, "[passthrough] ipsec = on"));
	/* GRE missing with the switch on: the routers in front. */
	gw.switched_off[PG_DIAG_PPTP] = false;
	pg_diag_advise(&gw, &r, a);
	assert_non_null(strstr(a[PG_DIAG_PPTP].text, "must forward GRE"));
	assert_null(strstr(a[PG_DIAG_PPTP].text, "[passthrough]"));
}

static void advice_forward_conflict(void **state)
{
	struct pg_diag_gw gw = {.wan_addr = 0xc6336402};
	struct pg_diag_advice a[PG_DIAG__COUNT];
	struct pg_diag_result r;

	(void)state;
	gw.forward_host[PG_DIAG_L2TP] = 0xc0a80114;	/* 192.168.1.20 */
	gw.forward_host[PG_DIAG_IKE500] = 0xc0a80114;
	all_answered(&r);
	r.item[PG_DIAG_L2TP].state = PG_DIAG_NO_ANSWER;
	pg_diag_advise(&gw, &r, a);
	assert_int_equal(a[PG_DIAG_L2TP].verdict, PG_DIAG_FAIL);
	assert_non_null(strstr(a[PG_DIAG_L2TP].text, "Port forward conflict"));
	assert_non_null(strstr(a[PG_DIAG_L2TP].text, "UDP 1701 to 192.168.1.20"));
	/* Answered but forwarded: a warning in the brief's words. */
	assert_int_equal(a[PG_DIAG_IKE500].verdict, PG_DIAG_WARN);
	assert_non_null(strstr(a[PG_DIAG_IKE500].text, "check conflicting port forwarding"));
}

static void advice_double_nat_and_mtu(void **state)
{
	struct pg_diag_gw gw = {.wan_addr = 0x0a000002, .wan_mtu = 1400};	/* 10.0.0.2 */
	struct pg_diag_advice a[PG_DIAG__COUNT];
	struct pg_diag_result r;

	(void)state;
	assert_true(pg_diag_double_nat(&gw));
	all_answered(&r);
	r.item[PG_DIAG_IKE500].nat = true;
	pg_diag_advise(&gw, &r, a);
	assert_int_equal(a[PG_DIAG_IKE500].verdict, PG_DIAG_WARN);
	assert_non_null(strstr(a[PG_DIAG_IKE500].text, "double NAT"));
	assert_non_null(strstr(a[PG_DIAG_IKE500].text, "10.0.0.2"));
	assert_non_null(strstr(a[PG_DIAG_SSTP].text, "lower the client's MTU to 1400"));
	/* SSTP needs no passthrough: a private WAN is no warning for it. */
	assert_int_equal(a[PG_DIAG_SSTP].verdict, PG_DIAG_OK);
	gw.wan_addr = 0x64400001;	/* 100.64.0.1: carrier-grade NAT */
	assert_true(pg_diag_double_nat(&gw));
	gw.wan_addr = 0xc6336402;
	assert_false(pg_diag_double_nat(&gw));
}

static void advice_not_run(void **state)
{
	struct pg_diag_gw gw = {0};
	struct pg_diag_advice a[PG_DIAG__COUNT];
	struct pg_diag_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	pg_diag_advise(&gw, &r, a);
	for (int p = 0; p < PG_DIAG__COUNT; p++)
		assert_int_equal(a[p].verdict, PG_DIAG_WARN);
	assert_string_equal(pg_diag_proto_name(PG_DIAG_OVPN_TCP), "openvpn-tcp");
	assert_string_equal(pg_diag_state_name(PG_DIAG_NO_ANSWER), "no-answer");
	assert_string_equal(pg_diag_verdict_name(PG_DIAG_FAIL), "fail");
}

static void ikev1_messages(void **state)
{
	const uint8_t ck[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t buf[PG_IKEV1_REQ_MAX];
	uint16_t notify;
	size_t n;

	(void)state;
	n = pg_ikev1_main_mode(buf, sizeof(buf), ck);
	assert_true(n > 28);
	assert_int_equal(buf[17], 0x10);
	assert_int_equal(buf[18], 2);
	assert_int_equal((size_t)(buf[26] << 8 | buf[27]), n);
	/* Our own request, read as an answer: Main Mode with an SA. */
	assert_int_equal(pg_ikev1_read(buf, n, ck, &notify), PG_ANS_IKEV1_SA);
	/* An informational NO_PROPOSAL_CHOSEN. */
	memset(buf + 8, 9, 8);
	buf[16] = 11;
	buf[18] = 5;
	buf[27] = 40;
	buf[28] = 0;
	buf[31] = 12;
	buf[38] = 0;
	buf[39] = 14;
	assert_int_equal(pg_ikev1_read(buf, 40, ck, &notify), PG_ANS_IKEV1_NOTIFY);
	assert_int_equal(notify, 14);
	/* Length lies: the header claims more than arrived; a payload past it. */
	assert_int_equal(pg_ikev1_read(buf, 39, ck, &notify), PG_ANS_NONE);
	buf[31] = 13;
	assert_int_equal(pg_ikev1_read(buf, 40, ck, &notify), PG_ANS_NONE);
	buf[31] = 12;
	buf[0] ^= 1;	/* not our cookie */
	assert_int_equal(pg_ikev1_read(buf, 40, ck, &notify), PG_ANS_NONE);
	assert_int_equal(pg_ikev1_main_mode(buf, 100, ck), 0);
}

static void l2tp_messages(void **state)
{
	uint8_t buf[PG_L2TP_REQ_MAX];
	size_t n;

	(void)state;
	n = pg_l2tp_sccrq(buf, sizeof(buf), 0x4242);
	assert_int_equal(n, 60);
	assert_int_equal(buf[0], 0xc8);
	assert_int_equal(buf[1], 0x02);
	/* Header tunnel id 0 in a request: our reader wants its own id. */
	assert_int_equal(pg_l2tp_read(buf, n, 0x4242), PG_ANS_NONE);
	buf[4] = 0x42;
	buf[5] = 0x42;
	assert_int_equal(pg_l2tp_read(buf, n, 0x4242), PG_ANS_L2TP_OTHER);	/* type 1 */
	buf[12 + 7] = 2;
	assert_int_equal(pg_l2tp_read(buf, n, 0x4242), PG_ANS_L2TP_SCCRP);
	buf[12 + 7] = 4;
	assert_int_equal(pg_l2tp_read(buf, n, 0x4242), PG_ANS_L2TP_STOPCCN);
	/* The length field beyond the datagram. */
	assert_int_equal(pg_l2tp_read(buf, n - 1, 0x4242), PG_ANS_NONE);
	/* A ZLB acknowledgement: the header alone. */
	buf[3] = 12;
	assert_int_equal(pg_l2tp_read(buf, 12, 0x4242), PG_ANS_L2TP_OTHER);
	buf[1] = 3;	/* not version 2 */
	assert_int_equal(pg_l2tp_read(buf, 12, 0x4242), PG_ANS_NONE);
}

static void ovpn_and_tls_messages(void **state)
{
	const uint8_t sid[8] = {8, 7, 6, 5, 4, 3, 2, 1};
	uint8_t buf[PG_TLS_REQ_MAX], rnd[32] = {0};
	size_t n;

	(void)state;
	n = pg_ovpn_reset(buf, sizeof(buf), sid, 0);
	assert_int_equal(n, 14);
	assert_int_equal(buf[0], 7 << 3);
	assert_int_equal(pg_ovpn_read(buf, n, 0), PG_ANS_OVPN_OTHER);
	buf[0] = 8 << 3;
	assert_int_equal(pg_ovpn_read(buf, n, 0), PG_ANS_OVPN_RESET);
	assert_int_equal(pg_ovpn_read(buf, 8, 0), PG_ANS_NONE);
	n = pg_ovpn_reset(buf, sizeof(buf), sid, 1);
	assert_int_equal(n, 16);
	assert_int_equal(buf[1], 14);
	buf[2] = 8 << 3;
	assert_int_equal(pg_ovpn_read(buf, n, 1), PG_ANS_OVPN_RESET);
	assert_int_equal(pg_ovpn_read(buf, n - 1, 1), PG_ANS_NONE);	/* length past the stream */

	n = pg_tls_client_hello(buf, sizeof(buf), rnd);
	assert_true(n > 50);
	assert_int_equal((size_t)(buf[3] << 8 | buf[4]) + 5, n);
	assert_int_equal((size_t)(buf[7] << 8 | buf[8]) + 9, n);
	assert_int_equal(pg_tls_read(buf, n), PG_ANS_NONE);	/* a ClientHello */
	buf[5] = 2;
	assert_int_equal(pg_tls_read(buf, n), PG_ANS_TLS_HELLO);
	buf[0] = 0x15;
	assert_int_equal(pg_tls_read(buf, 7), PG_ANS_TLS_ALERT);
	assert_int_equal(pg_tls_read(buf, 5), PG_ANS_NONE);
	assert_int_equal(pg_tls_client_hello(buf, 100, rnd), 0);
}

static void api_host(void **state)
{
	char err[128];
	uint32_t a;

	(void)state;
	assert_int_equal(pg_api_diag_host("203.0.113.10", 12, &a, err, sizeof(err)), 0);
	assert_int_equal(a, 0xcb00710a);
	assert_int_equal(pg_api_diag_host("vpn.example.com", 15, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "resolved by passgatectl"));
	assert_int_equal(pg_api_diag_host("203.0.113.100000", 16, &a, err, sizeof(err)), -1);
	assert_int_equal(pg_api_diag_host("", 0, &a, err, sizeof(err)), -1);
	assert_int_equal(pg_api_diag_host("1.2.3.4\0x", 9, &a, err, sizeof(err)), -1);
	assert_int_equal(pg_api_diag_host("127.0.0.1", 9, &a, err, sizeof(err)), -1);
	assert_int_equal(pg_api_diag_host("224.0.0.1", 9, &a, err, sizeof(err)), -1);
	assert_int_equal(pg_api_diag_host("0.1.2.3", 7, &a, err, sizeof(err)), -1);
	assert_int_equal(pg_api_diag_host("1.2.3", 5, &a, err, sizeof(err)), -1);
	assert_int_equal(pg_api_diag_host("01.2.3.4", 8, &a, err, sizeof(err)), -1);
}

/* POST and GET /api/v1/diagnose through the API's router, without probes. */
static unsigned int diag_request(struct pg_api *api, const char *method, const char *body,
				 char *out, size_t outlen)
{
	struct pg_api_req req = {.method = method, .path = "/api/v1/diagnose", .local = true};
	struct pg_api_resp resp;
	unsigned int status;

	req.body = body ? body : "";
	req.body_len = body ? strlen(body) : 0;
	pg_api_handle(api, &req, &resp);
	snprintf(out, outlen, "%.*s", (int)resp.len, resp.body ? resp.body : "");
	status = resp.status;
	if (!resp.body_static)
		free(resp.body);
	return status;
}

static void api_endpoints(void **state)
{
	static const char text[] = "[lan]\ninterface = lan0\naddress = 192.168.1.1/24\n"
				   "[wan]\ninterface = wan0\naddress = 198.51.100.2/24\n"
				   "gateway = 198.51.100.1\n[nat]\nmax_flows = 1024\nmax_flows_per_host = 64\n"
				   "[api]\nlisten = off\n";
	char err[PG_CONFIG_ERR_SIZE], out[512];
	struct pg_config cfg;
	struct pg_engine *e;
	struct pg_engines one;
	struct pg_api_env env = {0};
	struct pg_api *api;

	(void)state;
	if (pg_config_parse(&cfg, "t", text, strlen(text), err, sizeof(err)))
		fail_msg("%s", err);
	e = pg_engine_create(&cfg.engine);
	assert_non_null(e);
	one = PG_ENGINES_ONE(e);
	env.engines = &one;
	env.cfg = &cfg;
	api = pg_api_create(&env, err, sizeof(err));
	assert_non_null(api);
	assert_int_equal(diag_request(api, "GET", NULL, out, sizeof(out)), 200);
	assert_non_null(strstr(out, "\"idle\""));
	assert_int_equal(diag_request(api, "POST", "{\"host\": \"vpn.example\"}", out, sizeof(out)), 400);
	assert_non_null(strstr(out, "field"));
	assert_non_null(strstr(out, "\"host\""));
	assert_int_equal(diag_request(api, "POST", "{\"host\": 5}", out, sizeof(out)), 400);
	assert_int_equal(diag_request(api, "POST", "{}", out, sizeof(out)), 400);
	assert_int_equal(diag_request(api, "POST", "[1]", out, sizeof(out)), 400);
	/* The gateway's own address is no server. */
	assert_int_equal(diag_request(api, "POST", "{\"host\": \"198.51.100.2\"}", out, sizeof(out)), 400);
	/* A good host, but this API runs no probes (env.diagnose off). */
	assert_int_equal(diag_request(api, "POST", "{\"host\": \"203.0.113.10\"}", out, sizeof(out)), 503);
	assert_int_equal(diag_request(api, "DELETE", NULL, out, sizeof(out)), 405);
	pg_api_destroy(api);
	pg_engine_destroy(e);
	pg_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(advice_all_ok),
		cmocka_unit_test(advice_silent_and_refused),
		cmocka_unit_test(advice_switch_off),
		cmocka_unit_test(advice_forward_conflict),
		cmocka_unit_test(advice_double_nat_and_mtu),
		cmocka_unit_test(advice_not_run),
		cmocka_unit_test(ikev1_messages),
		cmocka_unit_test(l2tp_messages),
		cmocka_unit_test(ovpn_and_tls_messages),
		cmocka_unit_test(api_host),
		cmocka_unit_test(api_endpoints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
