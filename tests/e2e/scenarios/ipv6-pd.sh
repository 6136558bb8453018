# SPDX-License-Identifier: MIT
# ipv6-pd: the LAN's IPv6 prefix delegated by the ISP's DHCPv6 server (RFC
# 8415 prefix delegation, [lan] address6 = pd), with ISC Kea (kea-dhcp6) as
# the ISP's server.
#
#   lan1 ── switch ── passgated ─── wan0 ──────────── eth0 inet ── br0 ── srv1
#   SLAAC from        LAN: ::1 in the first /64   2001:db8:ffff::1/64     2001:db8:2::10
#   the gateway's     of the delegated /56        kea-dhcp6: /56s from 2001:db8:100::/40
#   RAs               WAN: 2001:db8:ffff::2/64    route 2001:db8:100::/40 via 2001:db8:ffff::2
#
# Stand-in, said plainly: Kea delegates but installs no route; an ISP's
# router learns it from its relay. Here the inet router has a static route
# for the whole pool to the gateway's WAN address.
#
# Passes when:
# - passgated asks for a prefix (SOLICIT, REQUEST seen on the ISP's link)
#   and its status (passgatectl --json wan: ipv6_pd) shows the /56 Kea
#   delegated and the LAN /64 taken from it;
# - lan1 configures an address in that /64 from the gateway's router
#   advertisement (SLAAC) and a default route by RA;
# - lan1's pings to srv1 are answered (5 of 5) and srv1 saw lan1's own
#   SLAAC address; 64 KB of TCP echoed byte for byte, the server seeing it;
# - the delegation renews at Kea's T1 (10 s): a RENEW answered on the ISP's
#   link, passgated's renewals counter up, the prefix the same, and a ping
#   stream from lan1 across the renewal loses nothing (60 of 60);
# - restarted with its state directory, passgated uses the kept prefix at
#   once and confirms it with REBIND (seen on the ISP's link): same prefix,
#   lan1 reaches srv1 again;
# - the ISP renumbers (Kea started again with another pool, no leases):
#   after passgatectl wan renew the LAN gets a /64 of the new prefix, lan1's
#   old address turns deprecated (the RA's preferred lifetime 0), and lan1
#   pings srv1 (3 of 3) from its new address, as srv1 sees;
# - a pinhole that follows the prefix: [forward] rule = tcp 7443 ::10, and
#   lan1 takes ::10 as its SLAAC interface identifier (ip token, as a user
#   gives a server a stable suffix): srv1 connects to lan1's port 7443 in
#   the first prefix and, after the renumbering, in the new one (srv1's
#   connection seen by lan1's listener), while port 7444 of the same host
#   (a listener there too) stays closed both times;
# - with passgated, the host path's LAN device holds the new prefix's ::1
#   (and not the old one) after the renumbering.
#
# With --gateway linux, the careful user's Linux router (lib/ipv6.sh's
# nftables filter): dhcpcd 9 (Debian's dhcpcd-base) on wan0 asks for the
# prefix (ia_pd 1 lan0/0/64/1: the first /64 on lan0, the router ::1 in
# it) and dnsmasq announces whatever lan0 holds (enable-ra, dhcp-range
# ::,constructor:lan0,ra-only; a prefix that left lan0 is announced as
# "old prefix", deprecated); the pinhole is an nftables rule on the
# interface identifier (ip6 daddr & ::ffff:ffff:ffff:ffff == ::10). The
# renewal check counts RENEWs on the ISP's link; the restart is dhcpcd's
# (its lease file kept), which takes the prefix off lan0 while it is down
# and rebinds it; the renumbering is dhcpcd's SIGUSR1 (renew).

source "$E2E_DIR/lib/ipv6.sh"

PD_POOL=2001:db8:100::
PD_POOL2=2001:db8:200::	# the ISP renumbers: Kea started again with another pool
PD_RUN=
PD_KEA_PID=

scenario() {
	local rc
	need kea-dhcp6 jq || return
	[[ $GATEWAY == passgate ]] || need dhcpcd dnsmasq || return
	pd_up || { pd_down; return 1; }
	pd_scenario
	rc=$?
	pd_down
	return $rc
}

# pd_field JQ - a field of passgated's ipv6_pd status ("" when null).
pd_field() {
	gateway_ctl --json wan 2>/dev/null | jq -r ".ipv6_pd$1 // empty"
}

# pd_lan0 - (linux) the router's preferred address on lan0 (PREFIX::1/64).
pd_lan0() {
	ip -n "$NS_GW" -6 -o addr show dev lan0 scope global | grep -v deprecated |
		awk '{print $4}' | head -n 1
}

# pd_prefix, pd_lan64 - the delegated prefix and the LAN's /64: passgated's
# status; for Linux, what dhcpcd put on lan0 (the /56's first /64, ::1).
pd_prefix() {
	local a
	if [[ $GATEWAY == passgate ]]; then
		pd_field .lease.prefix
		return
	fi
	a=$(pd_lan0)
	[[ -n $a ]] && echo "${a%::1/64}::/56"
}

pd_lan64() {
	local a
	if [[ $GATEWAY == passgate ]]; then
		pd_field .lease.lan_prefix
		return
	fi
	a=$(pd_lan0)
	[[ -n $a ]] && echo "${a%::1/64}::/64"
}

# pd_log_line - the gateway's log lines about the delegated prefix.
pd_log_line() {
	if [[ $GATEWAY == passgate ]]; then
		grep 'IPv6: prefix' "$PG_LOG"
	else
		grep 'delegated prefix' "$SCN_DIR/gw-dhcpcd.log"
	fi
}

pd_bound() {
	[[ -n $(pd_prefix) ]]
}

# pd_renewals - renewals so far: passgated's counter, for Linux the RENEWs on the ISP's link.
pd_renewals() {
	if [[ $GATEWAY == passgate ]]; then
		pd_field .counters.renewals
		return
	fi
	capture_read isp | grep -c "dhcp6 renew"
}

# lan1's global address in the LAN /64 $1 (prefix text "2001:db8:100::/64"),
# once duplicate address detection is over (a tentative address is not used
# as a source: pings would leave from the link-local one).
pd_lan1_addr() {
	local p=${1%%::/64}
	ip -n "${NS_LAN[0]}" -6 -o addr show dev eth0 scope global | grep -v tentative |
		awk '{print $4}' | cut -d/ -f1 | grep -m 1 "^$p:"
}

pd_rebind_seen() {
	capture_read isp | grep -q "dhcp6 rebind"
}

pd_state_bound() {
	if [[ $GATEWAY == passgate ]]; then
		[[ $(pd_field .state) == bound ]]
		return
	fi
	pd_bound
}

# pd_kea [POOL [N]] - Kea delegating /56s of POOL/40 (its Nth start: own config and leases).
pd_kea() {
	local pool=${1:-$PD_POOL} n=${2:-1} conf=$SCN_DIR/kea-dhcp6-$n.conf
	cat >"$conf" <<-KEA
		{ "Dhcp6": {
		    "interfaces-config": { "interfaces": [ "eth0" ] },
		    "server-id": { "type": "EN", "enterprise-id": 2495, "identifier": "706767617465",
		                   "persist": false },
		    "lease-database": { "type": "memfile", "persist": true, "lfc-interval": 0,
		                        "name": "$SCN_DIR/kea6-leases-$n.csv" },
		    "renew-timer": 10, "rebind-timer": 25, "preferred-lifetime": 40, "valid-lifetime": 60,
		    "subnet6": [ { "id": 1, "subnet": "2001:db8:ffff::/64", "interface": "eth0",
		        "pd-pools": [ { "prefix": "$pool", "prefix-len": 40, "delegated-len": 56 } ],
		        "option-data": [ { "name": "dns-servers", "data": "2001:db8:2::53" } ] } ],
		    "loggers": [ { "name": "kea-dhcp6", "severity": "INFO",
		                   "output_options": [ { "output": "stdout" } ] } ]
		} }
	KEA
	spawn "isp-kea6-$n" "$NS_INET" env KEA_LOCKFILE_DIR="$SCN_DIR" KEA_PIDFILE_DIR="$SCN_DIR" \
		kea-dhcp6 -c "$conf"
	PD_KEA_PID=$LAST_PID
	wait_listen "$NS_INET" udp 547 10 ||
		{ fail "Kea did not start: $(tail -n 2 "$SCN_DIR/isp-kea6-$n.log" | head -n 1)"; return 1; }
}

# pd_linux - (linux) dhcpcd for the prefix (its lease in PD_RUN/db, kept
# across its restarts) and, when not running yet, dnsmasq's RAs on lan0.
PD_DHCPCD_PID=
PD_RA_PID=
pd_linux() {
	if [[ -z $PD_RA_PID ]]; then
		v6on "$NS_GW" lan0 wan0
		nsx "$NS_GW" sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.wan0.accept_ra=0 \
			net.ipv6.conf.lan0.accept_ra=0 >/dev/null
		ip -n "$NS_GW" -6 addr add "$WAN6_PUB/64" dev wan0 nodad || { fail "gateway: WAN address"; return 1; }
		ip -n "$NS_GW" -6 route add default via "$WAN6_NEXTHOP" || { fail "gateway: route"; return 1; }
		IPV6_LINUX_PINHOLES='add rule inet pgnat fw6 iifname "wan0" ip6 daddr & ::ffff:ffff:ffff:ffff == ::10 tcp dport 7443 ct state new accept'
		ipv6_linux_fw6 || return 1
		IPV6_LINUX_PINHOLES=
		mkdir -p "$PD_RUN/db" "$PD_RUN/run"
		cat >"$PD_RUN/dhcpcd.conf" <<-EOF
			# The router's DHCPv6-PD client: a prefix for the LAN, nothing else.
			noipv4
			noipv6rs
			ipv6only
			interface wan0
			ia_pd 1 lan0/0/64/1
			interface lan0
			noipv6rs
		EOF
		spawn gw-ra "$NS_GW" dnsmasq -d -k --conf-file=/dev/null --port=0 --interface=lan0 \
			--bind-dynamic --user=root --pid-file="$PD_RUN/dnsmasq.pid" --enable-ra \
			--dhcp-range=::,constructor:lan0,ra-only --ra-param=lan0,10 --log-dhcp
		PD_RA_PID=$LAST_PID
	fi
	# Its lease and control socket in the scenario's directory (ip netns
	# exec gives each process a mount namespace of its own); no hook
	# scripts (they would rewrite the machine's resolv.conf).
	spawn gw-dhcpcd "$NS_GW" sh -c "mount --bind '$PD_RUN/db' /var/lib/dhcpcd && mkdir -p /run/dhcpcd &&
		mount --bind '$PD_RUN/run' /run/dhcpcd && exec dhcpcd -B -d -c /bin/true -f '$PD_RUN/dhcpcd.conf' wan0"
	PD_DHCPCD_PID=$LAST_PID
	wait_until 20 pd_bound ||
		{ fail "dhcpcd put no delegated prefix on lan0 within 20 s: $(grep -v executing "$SCN_DIR/gw-dhcpcd.log" | tail -n 2 | tr '\n' ' ')"; return 1; }
}

# The gateway with [lan] address6 = pd, its delegation kept in PD_RUN.
pd_gateway() {
	local conf=$SCN_DIR/passgated-pd.conf
	[[ $GATEWAY == passgate ]] || { pd_linux; return; }
	{
		sed -e "/^\[lan\]/a address6 = pd" \
			-e "/^\[wan\]/a address6 = $WAN6_PUB/64\ngateway6 = $WAN6_NEXTHOP" \
			"$RUN_DIR/passgated.conf"
		# A pinhole for lan1's interface identifier, whatever the prefix.
		printf '\n[forward]\nrule = tcp 7443 ::10\n'
	} >"$conf"
	GW_SETTINGS_APPLIED=unknown
	PG_RESTART_ARGS=(-r "$PD_RUN" -s "$PD_RUN")
	gateway_restart_with "$conf" 2>/dev/null ||
		{ fail "passgated with address6 = pd did not come up: $(tail -n 1 "$PG_LOG")"; return 1; }
	wait_alive "$PG_PID" 20 pd_bound ||
		{ fail "no delegated prefix within 20 s: $(gateway_ctl wan 2>&1 | head -n 2 | tr '\n' ' ')"; return 1; }
}

pd_up() {
	PD_RUN=$SCN_DIR/gw-run
	mkdir -p "$PD_RUN"
	ip -n "$NS_SW" link set br0 type bridge mcast_snooping 0 || { fail "switch: mcast_snooping"; return 1; }
	v6on "${NS_LAN[0]}" eth0
	nsx "${NS_LAN[0]}" sysctl -qw net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1 \
		net.ipv6.conf.eth0.use_tempaddr=0 >/dev/null
	# SLAAC with a chosen interface identifier (RFC 7136 tokens): lan1 is <prefix>::10.
	ip -n "${NS_LAN[0]}" token set ::10 dev eth0 || { fail "lan1: ip token"; return 1; }
	nsx "$NS_INET" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0 >/dev/null
	v6on "$NS_INET" eth0 br0 s1 s2
	nsx "$NS_INET" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null
	ip -n "$NS_INET" -6 addr add "$WAN6_NEXTHOP/64" dev eth0 nodad || { fail "inet: address"; return 1; }
	ip -n "$NS_INET" -6 addr add 2001:db8:2::1/64 dev br0 nodad || { fail "inet: address"; return 1; }
	ip -n "$NS_INET" -6 route add "$PD_POOL/40" via "$WAN6_PUB" dev eth0 ||
		{ fail "inet: route to the delegation pool"; return 1; }
	ip -n "$NS_INET" -6 route add "$PD_POOL2/40" via "$WAN6_PUB" dev eth0 ||
		{ fail "inet: route to the second delegation pool"; return 1; }
	v6on "$NS_SRV1" eth0
	ip -n "$NS_SRV1" -6 addr add "$SRV1_IP6/64" dev eth0 nodad || { fail "srv1: address"; return 1; }
	ip -n "$NS_SRV1" -6 route add default via 2001:db8:2::1 || { fail "srv1: route"; return 1; }
	# Kea needs the link-local address on eth0 before it binds.
	wait_until 5 sh -c "ip -n $NS_INET -6 -o addr show dev eth0 scope link | grep -qv tentative" ||
		{ fail "inet: no link-local address"; return 1; }
	capture_start isp "$NS_INET" eth0 "udp port 546 or udp port 547" || return 1
	pd_kea || return 1
	pd_gateway || return 1
}

pd_down() {
	local ns
	if [[ $GATEWAY != passgate ]]; then
		[[ -z $PD_DHCPCD_PID ]] || stop_pid "$PD_DHCPCD_PID"
		[[ -z $PD_RA_PID ]] || stop_pid "$PD_RA_PID"
		PD_DHCPCD_PID= PD_RA_PID=
		ipv6_gateway_down
	fi
	ip -n "${NS_LAN[0]}" token set :: dev eth0 2>/dev/null
	for ns in "${NS_LAN[0]}" "$NS_INET" "$NS_SRV1"; do
		v6off "$ns"
	done
	nsx "$NS_INET" sysctl -qw net.ipv6.conf.default.accept_dad=1 >/dev/null 2>&1
	ip -n "$NS_SW" link set br0 type bridge mcast_snooping 1
	return 0
}

pd_scenario() {
	local prefix lan64 addr addr2 new out rx seen ren0 ren1 n
	prefix=$(pd_prefix)
	lan64=$(pd_lan64)
	note "delegated: $prefix, LAN $lan64; $(pd_log_line | head -n 1)"
	[[ $prefix == 2001:db8:1??::/56 ]] || { fail "delegated prefix '$prefix' is not a /56 of Kea's pool"; return; }
	[[ $lan64 == "${prefix%/56}/64" ]] || { fail "LAN prefix '$lan64' is not the first /64 of $prefix"; return; }

	# SLAAC from the gateway's RA.
	wait_until 15 pd_lan1_addr "$lan64" ||
		{ fail "lan1 configured no address in $lan64 from the RA: $(ip -n "${NS_LAN[0]}" -6 -o addr show dev eth0 | awk '{print $4}' | tr '\n' ' ')"; return; }
	addr=$(pd_lan1_addr "$lan64")
	wait_until 5 sh -c "ip -n ${NS_LAN[0]} -6 route show default | grep -q 'proto ra'" ||
		{ fail "lan1 has no default route from the gateway's RA"; return; }
	note "lan1: $addr by SLAAC; $(ip -n "${NS_LAN[0]}" -6 route show default | head -n 1)"

	# One answered ping first: the gateway resolves srv1 (neighbour
	# discovery) on the first packet, and a loaded machine may take longer
	# than a ping's wait for it; then all five must be answered.
	wait_until 10 tnsx 3 "${NS_LAN[0]}" ping -6 -n -c 1 -W 1 "$SRV1_IP6" ||
		{ fail "lan1 ($addr) got no ping6 reply from $SRV1_IP6 in 10 s"; return; }
	capture_start srv1 "$NS_SRV1" eth0 "icmp6 and ip6[40] == 128" || return
	out=$SCN_DIR/ping6.log
	tnsx 15 "${NS_LAN[0]}" ping -6 -n -c 5 -i 0.2 -W 2 "$SRV1_IP6" >"$out" 2>&1
	rx=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$out")
	capture_stop srv1
	[[ $rx == 5 ]] || { fail "lan1 got ${rx:-no} ping6 replies of 5 from $SRV1_IP6"; return; }
	capture_read srv1 | grep -q "IP6 $addr > $SRV1_IP6" ||
		{ fail "srv1 never saw an echo request from lan1's $addr"; return; }
	report icmp6-pd "$addr" "$SRV1_IP6" PASS "$addr (delegated $prefix)"

	spawn tcpecho-srv1 "$NS_SRV1" "$PY" "$E2E_DIR/lib/tcpecho.py" server6 7071
	wait_until 5 grep -q listening "$SCN_DIR/tcpecho-srv1.log" || { fail "echo server on srv1 did not start"; return; }
	out=$(tnsx 15 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/tcpecho.py" client "$SRV1_IP6" 7071 65536)
	note "lan1 -> srv1 tcp: $out"
	[[ $out == *" ok" ]] || { fail "TCP echo over the delegated prefix failed: $out"; return; }
	seen=${out#seen }
	seen=${seen%% *}
	[[ ${seen%:*} == "$addr" ]] || { fail "srv1 saw the TCP connection from ${seen%:*}, expected $addr"; return; }
	report tcp6-pd "$addr" "[$SRV1_IP6]:7071" PASS "$seen"
	[[ $addr == "${prefix%%::/56}::10" ]] || { fail "lan1's SLAAC address $addr does not end in its token ::10"; return; }
	spawn pinhole-lan1 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/tcpecho.py" server6 7443 7444
	wait_until 5 grep -q listening "$SCN_DIR/pinhole-lan1.log" || { fail "lan1's listeners did not start"; return; }
	pd_pinhole "$addr" || return

	# The renewal at T1 (10 s after the REQUEST), under a ping stream.
	ren0=$(pd_renewals)
	out=$SCN_DIR/ping6-renew.log
	tnsx 30 "${NS_LAN[0]}" ping -6 -n -c 60 -i 0.25 -W 2 "$SRV1_IP6" >"$out" 2>&1
	rx=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$out")
	ren1=$(pd_renewals)
	note "renewals $ren0 -> $ren1 during 15 s of pings; $rx/60 answered"
	((ren1 > ren0)) || { fail "no renewal within 15 s (Kea's T1 is 10 s): renewals $ren0 -> $ren1"; return; }
	[[ $rx == 60 ]] || { fail "pings across the renewal: ${rx:-no} of 60 answered"; return; }
	[[ $(pd_prefix) == "$prefix" ]] || { fail "the prefix changed at renewal: $(pd_prefix)"; return; }
	n=$(capture_read isp | grep -c "dhcp6 renew")
	((n >= 1)) || { fail "no DHCPv6 RENEW seen on the ISP's link"; return; }
	report pd-renew "gateway" "kea-dhcp6" PASS "$prefix renewed ($n RENEW), 60/60 pings"

	# Restarted with its state directory: the kept prefix, confirmed by REBIND.
	if [[ $GATEWAY == passgate ]]; then
		note "delegation file: $(tr '\n' ' ' <"$PD_RUN/wan6.lease")"
		pd_gateway || return
		grep -q "IPv6: DHCPv6-PD, using $prefix again" "$PG_LOG" ||
			{ fail "the restarted passgated did not use $prefix from its delegation file"; return; }
	else
		stop_pid "$PD_DHCPCD_PID"
		note "dhcpcd stopped: lan0 holds '$(pd_lan0)'"
		pd_gateway || return
		grep -q "rebinding prior DHCPv6 lease" "$SCN_DIR/gw-dhcpcd.log" ||
			{ fail "the restarted dhcpcd did not rebind its kept lease"; return; }
	fi
	# Confirmed: a REBIND on the ISP's link (the capture still runs) and bound again.
	wait_until 10 pd_rebind_seen || { fail "the restarted passgated sent no REBIND to confirm $prefix"; return; }
	wait_until 10 pd_state_bound || { fail "not bound again after the REBIND"; return; }
	[[ $(pd_prefix) == "$prefix" ]] ||
		{ fail "after the restart the prefix is $(pd_prefix), not $prefix"; return; }
	wait_until 10 tnsx 3 "${NS_LAN[0]}" ping -6 -n -c 1 -W 1 "$SRV1_IP6" ||
		{ fail "lan1 cannot reach srv1 after the restart"; return; }
	report pd-restart "gateway" "kea-dhcp6" PASS "$prefix kept, confirmed by REBIND"

	# The ISP renumbers: Kea again with another pool and no leases; a
	# renewal (passgatectl wan renew) moves the LAN to a new prefix and the
	# old one is announced deprecated: lan1 keeps its old address only as
	# deprecated and reaches srv1 from one in the new /64.
	stop_pid "$PD_KEA_PID"
	pd_kea "$PD_POOL2" 2 || return
	if [[ $GATEWAY == passgate ]]; then
		gateway_ctl wan renew >/dev/null || { fail "passgatectl wan renew refused"; return; }
	else
		kill -USR1 "$PD_DHCPCD_PID" # dhcpcd(8): renew
	fi
	wait_until 20 pd_moved ||
		{ fail "no new prefix from the renumbered ISP within 20 s: $(pd_prefix)"; return; }
	new=$(pd_prefix)
	lan64=$(pd_lan64)
	note "renumbered: $prefix -> $new; $(pd_log_line | tail -n 1)"
	wait_until 15 pd_lan1_addr "$lan64" ||
		{ fail "lan1 configured no address in the new $lan64"; return; }
	addr2=$(pd_lan1_addr "$lan64")
	wait_until 10 pd_deprecated "$addr" ||
		{ fail "lan1's old address $addr is not deprecated: $(ip -n "${NS_LAN[0]}" -6 -o addr show dev eth0 scope global | tr '\n' ' ')"; return; }
	note "lan1: $(ip -n "${NS_LAN[0]}" -6 -o addr show dev eth0 scope global | awk '{print $4, $6, $7, $8, $9, $10}' | tr '\n' ';')"
	out=$SCN_DIR/ping6-new.log
	capture_start srv1b "$NS_SRV1" eth0 "icmp6 and ip6[40] == 128" || return
	tnsx 15 "${NS_LAN[0]}" ping -6 -n -c 3 -i 0.2 -W 2 "$SRV1_IP6" >"$out" 2>&1
	rx=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$out")
	capture_stop srv1b
	[[ $rx == 3 ]] || { fail "after renumbering lan1 got ${rx:-no} ping6 replies of 3"; return; }
	capture_read srv1b | grep -q "IP6 $addr2 > $SRV1_IP6" ||
		{ fail "srv1 saw no echo request from lan1's new $addr2 (the deprecated one still used?)"; return; }
	[[ $addr2 == "${new%%::/56}::10" ]] || { fail "lan1's new address $addr2 does not end in ::10"; return; }
	pd_pinhole "$addr2" || return
	if [[ $GATEWAY == passgate ]]; then
		n=$(pd_field .counters.prefix_changes)
		((n >= 1)) || { fail "passgated counted ${n:-no} prefix changes"; return; }
		# The host path's LAN device follows the prefix (the resolver's address, ipv6-dns).
		out=$(ip -n "$NS_GW" -6 -o addr show dev "${HP_LAN_DEV:-pgh-lan0}" scope global | awk '{print $4}' | tr '\n' ' ')
		[[ $out == "${new%%::/56}::1/64 " ]] ||
			{ fail "the host path's LAN device holds '$out', expected only ${new%%::/56}::1/64"; return; }
		note "host path LAN device: $out"
	fi
	capture_stop isp
	note "ISP link: $(capture_read isp | grep -o 'dhcp6 [a-z-]*' | sort | uniq -c | tr '\n' ' ')"
	report pd-renumber "$addr2" "$SRV1_IP6" PASS "$prefix -> $new, old address deprecated"
	return 0
}

# pd_pinhole ADDR - srv1 reaches ADDR's port 7443 (rule ::10), not its 7444.
pd_pinhole() {
	local a=$1 got
	got=$(tnsx 10 "$NS_SRV1" "$PY" "$E2E_DIR/lib/tcpecho.py" client "$a" 7443 2000)
	[[ $got == "seen [$SRV1_IP6]:"*" ok" || $got == "seen $SRV1_IP6:"*" ok" ]] ||
		{ fail "srv1 -> [$a]:7443 (pinhole ::10): ${got:-no answer}"; return 1; }
	got=$(v6_tcp_try "$NS_SRV1" "$a" 7444)
	[[ $got == timeout ]] || { fail "srv1 -> [$a]:7444 (no pinhole): $got, expected no answer"; return 1; }
	report pinhole6-suffix "[$SRV1_IP6]" "[$a]:7443" PASS "::10 under ${a%::10}::/64; 7444 closed"
}

pd_moved() {
	local p
	p=$(pd_prefix)
	[[ -n $p && $p != "$prefix" ]]
}

# pd_deprecated ADDR - lan1 holds ADDR with a preferred lifetime of 0.
pd_deprecated() {
	ip -n "${NS_LAN[0]}" -6 -o addr show dev eth0 scope global | grep " $1/" | grep -q deprecated
}
