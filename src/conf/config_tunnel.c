/* SPDX-License-Identifier: MIT */
/*
 * config_tunnel.c - the values of [tunnel] (docs/CONFIG.md):
 *
 *   [tunnel]
 *   type       = wireguard            # off (the default), wireguard or openvpn
 *   wg_config  = /etc/passgate/tunnel.conf   # wireguard: `wg setconf` file
 *   address    = 10.66.0.2/32          # wireguard: the provider's address for us
 *   config     = /etc/passgate/vpn.ovpn       # openvpn: `openvpn --config` file
 *   dns        = 10.66.0.1             # resolver inside the tunnel
 *   mtu        = 1420                  # wireguard (openvpn: the file's tun-mtu)
 *   route      = all                   # or hosts/prefixes of the LAN
 *   bypass     = 192.168.1.20          # hosts that run their own VPN
 *   killswitch = on
 *   device     = pgtun0
 *   table      = 51820
 *
 * route, bypass and killswitch go straight into the engine's
 * configuration (tunnel_*), which decides per packet; the rest is for the
 * supervisor (ctl/tunnel.c) and the host's rules (ctl/tunnel_host.c).
 */
#include <stdio.h>
#include <string.h>

#include "conf/config.h"
#include "util/inet.h"

const char *const pg_tunnel_type_names[PG_TUNNEL__COUNT] = {
	[PG_TUNNEL_OFF] = "off",
	[PG_TUNNEL_WIREGUARD] = "wireguard",
	[PG_TUNNEL_OPENVPN] = "openvpn",
};

void pg_config_tunnel_defaults(struct pg_config *cfg)
{
	struct pg_config_tunnel *t = &cfg->tunnel;

	memset(t, 0, sizeof(*t));
	snprintf(t->device, sizeof(t->device), "%s", PG_TUNNEL_DEFAULT_DEVICE);
	t->mtu = PG_TUNNEL_DEFAULT_MTU;
	t->table = PG_TUNNEL_DEFAULT_TABLE;
	cfg->engine.tunnel = false;
	cfg->engine.tunnel_all = true;
	cfg->engine.tunnel_killswitch = true;
	cfg->engine.ntunnel_route = cfg->engine.ntunnel_bypass = 0;
}

/* "none", or hosts and prefixes separated by commas, into l (at most max). */
static int parse_prefixes(const char *value, struct pg_host_route *l, unsigned int *n,
			  const char **why)
{
	char buf[PG_CONFIG_VALUE_MAX + 1];
	char *save = NULL, *item;

	*n = 0;
	if (!strcmp(value, "none"))
		return 0;
	snprintf(buf, sizeof(buf), "%s", value);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *e;
		uint32_t addr;
		uint8_t len = 32;

		while (*item == ' ' || *item == '\t')
			item++;
		e = item + strlen(item);
		while (e > item && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*n == PG_MAX_TUNNEL_PREFIXES) {
			*why = "too many hosts and prefixes (at most 16)";
			return -1;
		}
		if (strchr(item, '/') ? pg_config_parse_prefix(item, &addr, &len) :
					pg_config_parse_addr(item, &addr)) {
			*why = "expected LAN hosts or prefixes such as 192.168.1.20, "
			       "192.168.1.64/26, separated by commas (or none)";
			return -1;
		}
		if (addr & ~pg_prefix_mask(len)) {
			*why = "a prefix has bits set past its length";
			return -1;
		}
		l[*n].addr = addr;
		l[*n].prefix = len;
		(*n)++;
	}
	if (!*n) {
		*why = "empty list (write none)";
		return -1;
	}
	return 0;
}

int pg_config_tunnel_set(struct pg_config *cfg, const char *key, const char *v, const char **why)
{
	struct pg_config_tunnel *t = &cfg->tunnel;
	struct pg_engine_config *ec = &cfg->engine;

	if (!strcmp(key, "type")) {
		for (int i = 0; i < PG_TUNNEL__COUNT; i++) {
			if (!strcmp(v, pg_tunnel_type_names[i])) {
				t->type = (enum pg_tunnel_type)i;
				return 0;
			}
		}
		*why = "expected off, wireguard or openvpn";
		return -1;
	}
	if (!strcmp(key, "device")) {
		if (!*v || strlen(v) >= sizeof(t->device) || strpbrk(v, "/ \t:")) {
			*why = "expected a device name of 1 to 15 characters (no '/', ':' or blanks)";
			return -1;
		}
		snprintf(t->device, sizeof(t->device), "%s", v);
		return 0;
	}
	if (!strcmp(key, "wg_config")) {
		if (v[0] != '/' || strlen(v) > PG_TUNNEL_PATH_MAX) {
			*why = "expected an absolute path";
			return -1;
		}
		snprintf(t->wg_config, sizeof(t->wg_config), "%s", v);
		return 0;
	}
	if (!strcmp(key, "config")) {
		if (v[0] != '/' || strlen(v) > PG_TUNNEL_PATH_MAX) {
			*why = "expected an absolute path";
			return -1;
		}
		snprintf(t->ovpn_config, sizeof(t->ovpn_config), "%s", v);
		return 0;
	}
	if (!strcmp(key, "address")) {
		uint32_t a;
		uint8_t len = 32;

		if ((strchr(v, '/') ? pg_config_parse_prefix(v, &a, &len) :
				      pg_config_parse_addr(v, &a)) ||
		    !a || len < 8) {
			*why = "expected the tunnel's address such as 10.66.0.2/32";
			return -1;
		}
		t->addr = a;
		t->prefix = len;
		return 0;
	}
	if (!strcmp(key, "dns")) {
		if (pg_config_parse_addr(v, &t->dns) || !t->dns) {
			*why = "expected the address of a resolver inside the tunnel";
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "mtu")) {
		if (pg_config_parse_u32(v, &t->mtu) || t->mtu < PG_TUNNEL_MTU_MIN ||
		    t->mtu > PG_CONFIG_MTU_MAX) {
			*why = "expected 576..9000";
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "table")) {
		if (pg_config_parse_u32(v, &t->table) || t->table < PG_TUNNEL_TABLE_MIN ||
		    t->table > PG_TUNNEL_TABLE_MAX) {
			*why = "expected a routing table number of 1000 or more";
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "killswitch"))
		return pg_config_parse_bool(v, &ec->tunnel_killswitch) ?
			       (*why = "expected on or off", -1) : 0;
	if (!strcmp(key, "route")) {
		ec->tunnel_all = !strcmp(v, "all");
		if (ec->tunnel_all) {
			ec->ntunnel_route = 0;
			return 0;
		}
		if (!strcmp(v, "none")) {
			*why = "expected all, or LAN hosts and prefixes (type = off turns the tunnel off)";
			return -1;
		}
		return parse_prefixes(v, ec->tunnel_route, &ec->ntunnel_route, why);
	}
	if (!strcmp(key, "bypass"))
		return parse_prefixes(v, ec->tunnel_bypass, &ec->ntunnel_bypass, why);
	*why = "unknown key";
	return -1;
}

/* What only type = wireguard needs: NULL, or why not. */
static const char *finish_wireguard(const struct pg_config *cfg)
{
	const struct pg_config_tunnel *t = &cfg->tunnel;

	if (t->ovpn_config[0])
		return "config is the OpenVPN file (type = openvpn); WireGuard's is wg_config";
	if (!t->wg_config[0])
		return "type = wireguard needs wg_config (the file `wg setconf` reads)";
	if (!t->addr)
		return "needs address (the tunnel's own address, from the provider)";
	if (t->mtu + 60 > cfg->wan_mtu)
		return "mtu leaves no room for WireGuard's 60 bytes within the WAN MTU";
	return NULL;
}

/*
 * What only type = openvpn needs: NULL, or why not. The server assigns the
 * tunnel's address (pushed, or ifconfig in the file) and openvpn puts it on
 * the device, so an address here could only disagree with it.
 */
static const char *finish_openvpn(const struct pg_config *cfg)
{
	const struct pg_config_tunnel *t = &cfg->tunnel;

	if (t->wg_config[0])
		return "wg_config is WireGuard's; type = openvpn takes config (the .ovpn file)";
	if (!t->ovpn_config[0])
		return "type = openvpn needs config (the file `openvpn --config` reads)";
	if (t->addr)
		return "type = openvpn takes its address from the server (or the file's ifconfig): "
		       "leave address out";
	return NULL;
}

int pg_config_tunnel_finish(struct pg_config *cfg, const char **why)
{
	struct pg_config_tunnel *t = &cfg->tunnel;
	struct pg_engine_config *ec = &cfg->engine;

	*why = NULL;
	ec->tunnel = t->type != PG_TUNNEL_OFF;
	if (!ec->tunnel)
		return 0;
	if (!cfg->host.path)
		*why = "the tunnel runs on the host path: needs [host] path = on";
	else
		*why = t->type == PG_TUNNEL_WIREGUARD ? finish_wireguard(cfg) : finish_openvpn(cfg);
	if (!*why && !t->dns)
		*why = "needs dns (a resolver inside the tunnel: tunnelled hosts' DNS goes there)";
	else if (!*why && (!strcmp(t->device, cfg->host.lan_dev) || !strcmp(t->device, cfg->host.wan_dev) ||
		 !strcmp(t->device, cfg->lan_ifname) || !strcmp(t->device, cfg->wan_ifname)))
		*why = "device has the name of a link or a host device";
	for (unsigned int i = 0; !*why && i < ec->ntunnel_route + ec->ntunnel_bypass; i++) {
		const struct pg_host_route *h = i < ec->ntunnel_route ?
							&ec->tunnel_route[i] :
							&ec->tunnel_bypass[i - ec->ntunnel_route];

		if (h->prefix < ec->lan_prefix ||
		    ((h->addr ^ ec->lan_addr) & pg_prefix_mask(ec->lan_prefix)) != 0)
			*why = "route and bypass take LAN hosts or prefixes inside the LAN";
	}
	if (*why)
		return -1;
	if (t->addr && ((t->addr ^ ec->lan_addr) & pg_prefix_mask(t->prefix < ec->lan_prefix ?
								    t->prefix : ec->lan_prefix)) == 0)
		*why = "address overlaps the LAN";
	return *why ? -1 : 0;
}

static void format_list(const struct pg_host_route *l, unsigned int n, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (!n)
		snprintf(buf, len, "none");
	for (unsigned int i = 0; i < n && off < len; i++) {
		char a[16];
		const uint8_t *b = (const uint8_t *)&l[i].addr;
		int k;

		snprintf(a, sizeof(a), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
		if (l[i].prefix == 32)
			k = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", a);
		else
			k = snprintf(buf + off, len - off, "%s%s/%u", i ? ", " : "", a,
				     l[i].prefix);
		if (k < 0)
			break;
		off += (size_t)k;
	}
}

void pg_config_tunnel_format_list(const struct pg_config *cfg, bool bypass, char *buf,
				  size_t len)
{
	const struct pg_engine_config *ec = &cfg->engine;

	if (bypass)
		format_list(ec->tunnel_bypass, ec->ntunnel_bypass, buf, len);
	else if (ec->tunnel_all)
		snprintf(buf, len, "all");
	else
		format_list(ec->tunnel_route, ec->ntunnel_route, buf, len);
}
