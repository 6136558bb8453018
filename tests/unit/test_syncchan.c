/* SPDX-License-Identifier: MIT */
/*
 * test_syncchan.c - two daemons' sync channels over UDP on the loopback
 * (dp/syncchan.c, [sync] from conf/config_sync.c): the standby's engine ends
 * up translating every flow as the primary's; a datagram from any other
 * address never reaches the session; a bad key file or a [sync] section
 * missing keys is refused with the reason.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "dp/syncchan.h"
#include "sync_mix.h"

static char keyfile[] = "/tmp/pg-sync-key.XXXXXX";

static void write_key(void)
{
	int fd = mkstemp(keyfile);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("8f1e2d3c4b5a69788796a5b4c3d2e1f000112233445566778899aabbccddeeff\n", f);
	fclose(f);
}

static struct pg_config_sync sync_cfg(enum pg_sync_role role, uint16_t me, uint16_t peer)
{
	struct pg_config_sync s = { .role = role, .listen_port = me, .peer_port = peer };

	s.listen_addr = s.peer_addr = htonl(INADDR_LOOPBACK);
	snprintf(s.key_file, sizeof(s.key_file), "%s", keyfile);
	return s;
}

static void test_two_daemons_over_udp(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	struct pg_engines sa = PG_ENGINES_ONE(a), sb = PG_ENGINES_ONE(b);
	static struct pg_syncchan pc, sc;
	struct pg_config_sync pcfg, scfg;
	uint16_t pport = (uint16_t)(20000 + getpid() % 20000), sport = pport + 1;
	const struct pg_sync_counters *p, *s;
	char err[256];
	int stranger;
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(sport),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	(void)state;
	write_key();
	pcfg = sync_cfg(PG_SYNC_PRIMARY, pport, sport);
	scfg = sync_cfg(PG_SYNC_STANDBY, sport, pport);
	if (pg_syncchan_open(&pc, &pcfg, &sa, 1000, err, sizeof(err)))
		fail_msg("primary: %s", err);
	if (pg_syncchan_open(&sc, &scfg, &sb, 0, err, sizeof(err)))
		fail_msg("standby: %s", err);
	traffic(a);
	/* A stranger on the loopback writes to the standby's port: never read. */
	stranger = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(stranger >= 0);
	assert_true(sendto(stranger, "PGSY", 4, 0, (struct sockaddr *)&to, sizeof(to)) == 4);
	close(stranger);
	for (unsigned int i = 0; i < 200; i++) {
		pg_syncchan_run(&pc, &sa, now_ms);
		pg_syncchan_run(&sc, &sb, now_ms);
		s = pg_syncchan_counters(&sc);
		p = pg_syncchan_counters(&pc);
		if (s->synced && p->unacked == 0 && pg_sync_pending(a) == 0 && i > 3)
			break;
		usleep(2000);
		now_ms += 10;
	}
	s = pg_syncchan_counters(&sc);
	p = pg_syncchan_counters(&pc);
	assert_true(s->synced);
	assert_true(p->sent > 0 && p->acked > 0);
	for (unsigned int r = 0; r < PG_SYNC_REFUSAL__COUNT; r++)
		assert_int_equal(s->refused[r], 0); /* the stranger's datagram never arrived */
	replay_alike(a, b);
	pg_syncchan_close(&pc);
	pg_syncchan_close(&sc);
	unlink(keyfile);
	memcpy(keyfile + strlen(keyfile) - 6, "XXXXXX", 6);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

static void test_refused_setups(void **state)
{
	struct pg_engine *a = pgt_engine_default();
	struct pg_engines sa = PG_ENGINES_ONE(a);
	static struct pg_syncchan c;
	struct pg_config_sync s = sync_cfg(PG_SYNC_PRIMARY, 30001, 30002);
	struct pg_config cfg;
	const char *why = NULL;
	char err[256];

	(void)state;
	snprintf(s.key_file, sizeof(s.key_file), "/nonexistent/sync.key");
	assert_int_equal(pg_syncchan_open(&c, &s, &sa, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/sync.key"));
	/* Off: nothing opened, no counters. */
	s.role = PG_SYNC_OFF;
	assert_int_equal(pg_syncchan_open(&c, &s, &sa, 1, err, sizeof(err)), 0);
	assert_null(pg_syncchan_counters(&c));

	memset(&cfg, 0, sizeof(cfg));
	cfg.workers = 1;
	assert_int_equal(pg_config_sync_set(&cfg, "role", "standby", &why), 0);
	assert_int_equal(pg_config_sync_check(&cfg, &why), -1);
	assert_non_null(strstr(why, "listen, peer and key_file"));
	assert_int_equal(pg_config_sync_set(&cfg, "listen", "10.0.0.1:99999", &why), -1);
	assert_int_equal(pg_config_sync_set(&cfg, "listen", "10.0.0.1:7979", &why), 0);
	assert_int_equal(pg_config_sync_set(&cfg, "peer", "10.0.0.2:7979", &why), 0);
	assert_int_equal(pg_config_sync_set(&cfg, "key_file", "relative.key", &why), -1);
	assert_int_equal(pg_config_sync_set(&cfg, "key_file", "/etc/passgate/sync.key", &why), 0);
	assert_int_equal(pg_config_sync_check(&cfg, &why), 0);
	cfg.workers = 2;
	assert_int_equal(pg_config_sync_check(&cfg, &why), -1);
	/* A DHCP WAN: the pair would not share its public address. */
	cfg.workers = 1;
	cfg.wan_dhcp = true;
	assert_int_equal(pg_config_sync_check(&cfg, &why), -1);
	assert_non_null(strstr(why, "static [wan] address"));
	pg_engine_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_two_daemons_over_udp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_setups, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
