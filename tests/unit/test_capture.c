/* SPDX-License-Identifier: MIT */
/*
 * test_capture.c - the gateway-side capture (src/dp/capture.c) and its API
 * (src/ctl/api_capture.c): frames offered through the hook, the pcap read
 * back with libpcap. Filters, link selection and the cooked header that
 * tells links and directions apart, limits by packets, time and buffer
 * size, refusals naming the field, credentials even for reads.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/api_internal.h"
#include "ctl/auth.h"
#include "dp/capture.h"
#include "conf/config.h"

#define LAN_IFINDEX 7
#define WAN_IFINDEX 9

/* An Ethernet + IPv4 frame of protocol proto with plen payload bytes. */
static uint32_t frame(uint8_t *f, uint8_t proto, uint32_t plen, uint8_t tag)
{
	static const uint8_t dst[6] = {2, 0, 0, 0, 0, 1}, src[6] = {2, 0, 0, 0, 0, 2};
	uint32_t ip_len = 20 + plen;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + 14, 0, 20);
	f[14] = 0x45;
	f[16] = (uint8_t)(ip_len >> 8);
	f[17] = (uint8_t)ip_len;
	f[22] = 64;
	f[23] = proto;
	memcpy(f + 26, "\xc0\xa8\x01\x0a", 4);
	memcpy(f + 30, "\xc6\x33\x64\x01", 4);
	memset(f + 34, tag, plen);
	return 14 + ip_len;
}

struct readback {
	int dlt;
	unsigned int n;
	uint8_t data[16][256];
	uint32_t len[16];
};

/* Read a pcap file from memory with libpcap. */
static void read_pcap(const uint8_t *buf, size_t len, struct readback *rb)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	FILE *f = fmemopen((void *)buf, len, "r");
	pcap_t *p;

	assert_non_null(f);
	p = pcap_fopen_offline(f, err);
	assert_non_null(p);
	memset(rb, 0, sizeof(*rb));
	rb->dlt = pcap_datalink(p);
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (rb->n < 16) {
			uint32_t n = h->caplen < 256 ? h->caplen : 256;

			memcpy(rb->data[rb->n], d, n);
			rb->len[rb->n] = h->caplen;
		}
		rb->n++;
	}
	pcap_close(p);
}

static void finish_and_read(struct pg_capture *c, struct readback *rb)
{
	uint8_t *file;
	size_t len;

	pg_capture_stop(c, "stopped");
	assert_int_equal(pg_capture_pcap(c, &file, &len), 0);
	read_pcap(file, len, rb);
	free(file);
}

static void arm(struct pg_capture *c, const char *filter, unsigned int links, uint32_t seconds,
		uint32_t packets)
{
	struct pg_capture_opts o = {
		.seconds = seconds, .packets = packets, .links = links, .filter = filter};
	const char *field;
	char err[256];

	assert_int_equal(pg_capture_start(c, &o, 1000, err, sizeof(err), &field), 0);
}

static void test_idle_hook_does_nothing(void **state)
{
	struct pg_capture c;
	uint8_t f[128], *file;
	size_t len;

	(void)state;
	pg_capture_init(&c, LAN_IFINDEX, WAN_IFINDEX);
	pg_capture_hook(&c, 0, PG_CAPTURE_RX, f, frame(f, 47, 8, 1));
	assert_int_equal(c.seen, 0);
	assert_null(c.buf);
	assert_int_equal(pg_capture_pcap(&c, &file, &len), -ENOENT);
	pg_capture_fini(&c);
}

/* Both links: cooked v2 frames with the interface and the direction; only GRE kept. */
static void test_any_link_gre_filter(void **state)
{
	struct pg_capture c;
	struct readback rb;
	uint8_t f[256];
	uint32_t n;

	(void)state;
	pg_capture_init(&c, LAN_IFINDEX, WAN_IFINDEX);
	arm(&c, "gre", PG_CAPTURE_LINK_ANY, 10, 0);
	n = frame(f, 47, 16, 0xaa);
	pg_capture_hook(&c, 0, PG_CAPTURE_RX, f, n);	    /* GRE in on the LAN */
	pg_capture_hook(&c, 0, PG_CAPTURE_RX, f, frame(f, 17, 16, 0xbb)); /* UDP: filtered */
	n = frame(f, 47, 16, 0xcc);
	pg_capture_hook(&c, 1, PG_CAPTURE_TX, f, n);	    /* GRE out on the WAN */
	assert_int_equal(c.seen, 3);
	assert_int_equal(c.matched, 2);
	finish_and_read(&c, &rb);
	assert_int_equal(rb.dlt, DLT_LINUX_SLL2);
	assert_int_equal(rb.n, 2);
	/* 20-byte header: EtherType, ifindex at 4, packet type at 10, then IP. */
	assert_int_equal(rb.len[0], n - 14 + 20);
	assert_int_equal(rb.data[0][0], 0x08);
	assert_int_equal(rb.data[0][7], LAN_IFINDEX);
	assert_int_equal(rb.data[0][10], 0);	 /* PACKET_HOST */
	assert_int_equal(rb.data[0][20], 0x45); /* the IPv4 header follows */
	assert_int_equal(rb.data[0][20 + 9], 47);
	assert_int_equal(rb.data[0][20 + 20], 0xaa);
	assert_int_equal(rb.data[1][7], WAN_IFINDEX);
	assert_int_equal(rb.data[1][10], 4); /* PACKET_OUTGOING */
	assert_int_equal(rb.data[1][20 + 20], 0xcc);
	pg_capture_fini(&c);
}

/* One link: Ethernet frames exactly as given; the other link is not looked at. */
static void test_one_link_ethernet(void **state)
{
	struct pg_capture c;
	struct readback rb;
	uint8_t f[256];
	uint32_t n;

	(void)state;
	pg_capture_init(&c, LAN_IFINDEX, WAN_IFINDEX);
	arm(&c, NULL, PG_CAPTURE_LINK_WAN, 10, 0);
	n = frame(f, 17, 30, 0x11);
	pg_capture_hook(&c, 0, PG_CAPTURE_RX, f, n);
	pg_capture_hook(&c, 1, PG_CAPTURE_RX, f, n);
	pg_capture_hook(&c, 1, PG_CAPTURE_TX, f, n);
	assert_int_equal(c.seen, 2);
	finish_and_read(&c, &rb);
	assert_int_equal(rb.dlt, DLT_EN10MB);
	assert_int_equal(rb.n, 2);
	assert_int_equal(rb.len[0], n);
	assert_memory_equal(rb.data[0], f, n);
	pg_capture_fini(&c);
}

static void test_stops_after_packets(void **state)
{
	struct pg_capture c;
	uint8_t f[256];
	uint32_t n;

	(void)state;
	pg_capture_init(&c, LAN_IFINDEX, WAN_IFINDEX);
	arm(&c, "ip", PG_CAPTURE_LINK_ANY, 0, 3);
	n = frame(f, 6, 20, 0);
	for (int i = 0; i < 10; i++)
		pg_capture_hook(&c, 0, PG_CAPTURE_RX, f, n);
	assert_int_equal(c.packets, 3);
	assert_int_equal(c.seen, 3);
	assert_false(c.armed);
	assert_int_equal(c.state, PG_CAPTURE_DONE);
	assert_string_equal(c.end_reason, "packets");
	pg_capture_fini(&c);
}

static void test_stops_at_deadline(void **state)
{
	struct pg_capture c;

	(void)state;
	pg_capture_init(&c, LAN_IFINDEX, WAN_IFINDEX);
	arm(&c, NULL, PG_CAPTURE_LINK_ANY, 2, 0); /* armed at 1000 ms */
	pg_capture_update(&c, 2999);
	assert_true(c.armed);
	pg_capture_update(&c, 3000);
	assert_false(c.armed);
	assert_string_equal(c.end_reason, "seconds");
	pg_capture_fini(&c);
}

/* A full buffer counts what did not fit and stays within its size. */
static void test_buffer_bounded(void **state)
{
	struct pg_capture c;
	uint8_t f[1600];
	uint32_t n, total = 0;

	(void)state;
	pg_capture_init(&c, LAN_IFINDEX, WAN_IFINDEX);
	arm(&c, NULL, PG_CAPTURE_LINK_LAN, 10, 0);
	n = frame(f, 17, 1400, 0x55);
	while (total < 2 * (PG_CAPTURE_BUF_MAX / n)) {
		pg_capture_hook(&c, 0, PG_CAPTURE_RX, f, n);
		total++;
	}
	assert_true(c.armed); /* a full buffer does not end the capture: it counts */
	assert_true(c.no_room > 0);
	assert_int_equal(c.packets + c.no_room, total);
	assert_true(c.used <= PG_CAPTURE_BUF_MAX);
	pg_capture_fini(&c);
}

static void test_refusals(void **state)
{
	struct pg_capture c;
	struct pg_capture_opts o = {.seconds = 5, .links = PG_CAPTURE_LINK_ANY, .filter = "gre and"};
	const char *field;
	char err[256];

	(void)state;
	pg_capture_init(&c, LAN_IFINDEX, WAN_IFINDEX);
	assert_int_equal(pg_capture_start(&c, &o, 0, err, sizeof(err), &field), -EINVAL);
	assert_string_equal(field, "filter");
	assert_non_null(strstr(err, "filter: "));
	assert_int_equal(c.state, PG_CAPTURE_IDLE);
	o.filter = "gre";
	o.links = 0;
	assert_int_equal(pg_capture_start(&c, &o, 0, err, sizeof(err), &field), -EINVAL);
	assert_string_equal(field, "link");
	o.links = PG_CAPTURE_LINK_ANY;
	o.seconds = PG_CAPTURE_SECONDS_MAX + 1;
	assert_int_equal(pg_capture_start(&c, &o, 0, err, sizeof(err), &field), -EINVAL);
	assert_string_equal(field, "seconds");
	o.seconds = 5;
	assert_int_equal(pg_capture_start(&c, &o, 0, err, sizeof(err), &field), 0);
	assert_int_equal(pg_capture_start(&c, &o, 0, err, sizeof(err), &field), -EBUSY);
	pg_capture_fini(&c);
}

/* A refused request leaves the finished capture fetchable. */
static void test_refusal_keeps_finished(void **state)
{
	struct pg_capture_opts bad = {.seconds = 5, .links = PG_CAPTURE_LINK_ANY, .filter = "tcp port"};
	struct pg_capture c;
	struct readback rb;
	const char *field;
	uint8_t f[128];
	char err[256];

	(void)state;
	pg_capture_init(&c, LAN_IFINDEX, WAN_IFINDEX);
	arm(&c, "udp", PG_CAPTURE_LINK_ANY, 5, 0);
	pg_capture_hook(&c, 0, PG_CAPTURE_RX, f, frame(f, 17, 8, 1));
	pg_capture_stop(&c, "stopped");
	assert_int_equal(pg_capture_start(&c, &bad, 0, err, sizeof(err), &field), -EINVAL);
	assert_int_equal(c.state, PG_CAPTURE_DONE);
	finish_and_read(&c, &rb);
	assert_int_equal(rb.n, 1);
	pg_capture_fini(&c);
}

/* ---- the API ---------------------------------------------------------------- */

#define TOKEN "capture-token"
#define AUTH "Bearer " TOKEN

struct fixture {
	struct pg_config cfg;
	struct pg_engine *engine;
	struct pg_api *api;
	struct pg_capture cap;
};

static int fx_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[PG_CONFIG_ERR_SIZE], hash[256], text[1024];
	struct pg_api_env env;

	assert_non_null(f);
	assert_int_equal(pg_passwd_hash(TOKEN, hash, sizeof(hash)), 0);
	snprintf(text, sizeof(text),
		 "[lan]\ninterface = lan0\naddress = 192.168.1.1/24\n[wan]\ninterface = wan0\n"
		 "address = 198.51.100.2/24\ngateway = 198.51.100.1\n[nat]\nmax_flows = 1024\nmax_flows_per_host = 64\n"
		 "[api]\nlisten = off\ntoken_hash = %s\n",
		 hash);
	if (pg_config_parse(&f->cfg, "test", text, strlen(text), err, sizeof(err)))
		fail_msg("%s", err);
	f->engine = pg_engine_create(&f->cfg.engine);
	assert_non_null(f->engine);
	pg_capture_init(&f->cap, LAN_IFINDEX, WAN_IFINDEX);
	memset(&env, 0, sizeof(env));
	/* One engine, as a daemon with one worker has. */
	static struct pg_engines one;

	one = PG_ENGINES_ONE(f->engine);
	env.engines = &one;
	env.cfg = &f->cfg;
	env.start_ms = 1000;
	env.capture = &f->cap;
	f->api = pg_api_create(&env, err, sizeof(err));
	assert_non_null(f->api);
	f->api->now_ms = 5000;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fixture *f = *state;

	pg_api_destroy(f->api);
	pg_capture_fini(&f->cap);
	pg_engine_destroy(f->engine);
	pg_config_free(&f->cfg);
	free(f);
	return 0;
}

/* One request; the status, *out the JSON body if it is JSON, *ct the content type. */
static unsigned int request(struct fixture *f, const char *method, const char *path,
			    const char *body, const char *auth, struct json_object **out,
			    struct pg_api_resp *keep)
{
	struct pg_api_req req;
	struct pg_api_resp resp;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = path;
	req.body = body ? body : "";
	req.body_len = body ? strlen(body) : 0;
	req.authorization = auth;
	req.client = 0x7f000001;
	pg_api_handle(f->api, &req, &resp);
	if (out)
		*out = strstr(resp.content_type, "json") ? json_tokener_parse(resp.body) : NULL;
	if (keep)
		*keep = resp;
	else if (!resp.body_static)
		free(resp.body);
	return resp.status;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static void test_api_needs_credentials(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(request(f, "GET", "/api/v1/capture", NULL, NULL, NULL, NULL), 401);
	assert_int_equal(request(f, "POST", "/api/v1/capture", "{}", NULL, NULL, NULL), 401);
	assert_int_equal(request(f, "GET", "/api/v1/capture/pcap", NULL, "Bearer nope", NULL, NULL),
			 401);
	assert_int_equal(f->cap.state, PG_CAPTURE_IDLE);
}

static void test_api_refusals_name_the_field(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *body, *field;
	} cases[] = {
		{"{\"filter\": \"gre and\"}", "filter"},
		{"{\"filter\": \"no such primitive\"}", "filter"},
		{"{\"filter\": 47}", "filter"},
		{"{\"seconds\": 0}", "seconds"},
		{"{\"seconds\": \"ten\"}", "seconds"},
		{"{\"packets\": 99999999}", "packets"},
		{"{\"link\": \"dmz\"}", "link"},
		{"{\"linx\": \"lan\"}", "linx"},
	};
	struct json_object *o;

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(request(f, "POST", "/api/v1/capture", cases[i].body, AUTH, &o, NULL),
				 400);
		assert_string_equal(jstr(o, "field"), cases[i].field);
		json_object_put(o);
		assert_int_equal(f->cap.state, PG_CAPTURE_IDLE);
	}
	assert_int_equal(request(f, "GET", "/api/v1/capture/pcap", NULL, AUTH, NULL, NULL), 404);
}

static void test_api_capture_round_trip(void **state)
{
	struct fixture *f = *state;
	struct pg_api_resp resp;
	struct json_object *o;
	struct readback rb;
	uint8_t fr[256];

	assert_int_equal(request(f, "POST", "/api/v1/capture",
				 "{\"filter\": \"gre\", \"seconds\": 5, \"link\": \"any\"}", AUTH, &o,
				 NULL),
			 200);
	assert_string_equal(jstr(o, "state"), "running");
	assert_string_equal(jstr(o, "filter"), "(ip proto 47)"); /* pcap-filter lacks "gre" */
	json_object_put(o);
	assert_int_equal(request(f, "POST", "/api/v1/capture", "{}", AUTH, NULL, NULL), 409);
	assert_int_equal(request(f, "GET", "/api/v1/capture/pcap", NULL, AUTH, NULL, NULL), 409);
	pg_capture_hook(&f->cap, 0, PG_CAPTURE_RX, fr, frame(fr, 47, 12, 1));
	pg_capture_hook(&f->cap, 1, PG_CAPTURE_TX, fr, frame(fr, 47, 12, 2));
	pg_capture_hook(&f->cap, 1, PG_CAPTURE_TX, fr, frame(fr, 1, 12, 3));
	/* Five seconds later the capture is done without anyone stopping it. */
	f->api->now_ms = 10000;
	assert_int_equal(request(f, "GET", "/api/v1/capture", NULL, AUTH, &o, NULL), 200);
	assert_string_equal(jstr(o, "state"), "done");
	assert_string_equal(jstr(o, "ended_by"), "seconds");
	assert_string_equal(jstr(o, "packets"), "2");
	assert_string_equal(jstr(o, "frames_seen"), "3");
	json_object_put(o);
	assert_int_equal(request(f, "GET", "/api/v1/capture/pcap", NULL, AUTH, NULL, &resp), 200);
	assert_string_equal(resp.content_type, "application/vnd.tcpdump.pcap");
	read_pcap((const uint8_t *)resp.body, resp.len, &rb);
	free(resp.body);
	assert_int_equal(rb.dlt, DLT_LINUX_SLL2);
	assert_int_equal(rb.n, 2);
	/* A finished capture can be replaced, and cleared. */
	assert_int_equal(request(f, "POST", "/api/v1/capture", NULL, AUTH, &o, NULL), 200);
	assert_string_equal(jstr(o, "seconds_left"), "10"); /* the default */
	json_object_put(o);
	assert_int_equal(request(f, "POST", "/api/v1/capture/stop", NULL, AUTH, &o, NULL), 200);
	assert_string_equal(jstr(o, "ended_by"), "stopped");
	json_object_put(o);
	assert_int_equal(request(f, "DELETE", "/api/v1/capture", NULL, AUTH, &o, NULL), 200);
	assert_string_equal(jstr(o, "state"), "idle");
	json_object_put(o);
	assert_null(f->cap.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_hook_does_nothing),
		cmocka_unit_test(test_any_link_gre_filter),
		cmocka_unit_test(test_one_link_ethernet),
		cmocka_unit_test(test_stops_after_packets),
		cmocka_unit_test(test_stops_at_deadline),
		cmocka_unit_test(test_buffer_bounded),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_refusal_keeps_finished),
		cmocka_unit_test_setup_teardown(test_api_needs_credentials, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_api_refusals_name_the_field, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_api_capture_round_trip, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
