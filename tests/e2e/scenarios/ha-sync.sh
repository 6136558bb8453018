# SPDX-License-Identifier: MIT
# ha-sync: a standby passgated follows the gateway's flows over the sync
# channel ([sync], docs/HA.md) while real VPN sessions cross the gateway.
#
#   lan1 (openvpn client, TCP) ──┐                         srv1 (openvpn server tcp 1194,
#   lan2 (wireguard-go) ─────────┴─► pggw-S: passgated ──►       wireguard-go 51820)
#                                    [sync] role = primary
#                                      │ sync0 10.99.0.1:7979
#                                      │ (veth, HMAC-SHA256, shared key)
#                                      │ sync0 10.99.0.2:7979
#                                    pgsb-S: passgated, [sync] role = standby
#                                    (its lan0 and wan0 lead nowhere: it
#                                     only follows, it does not forward)
#
# Passes when the standby says it is synced, lists the flows to srv1 the
# primary lists (proto, LAN end, remote end, public port), and the primary
# counted messages sent and acknowledged, with the acknowledgement lag
# reported. Datagrams that are not the primary's: ha-sync-auth. Only for
# --gateway passgate. Failover itself (keepalived) is not built yet:
# docs/HA.md "Failover".

source "$E2E_DIR/lib/openvpn.sh"
source "$E2E_DIR/lib/hasync.sh"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "state sync is passgated's own: run with --gateway passgate"; return; }
	need openvpn wireguard-go wg curl || return
	NS_SB=pgsb-$SFX
	hs_run
	local rc=$?
	hs_cleanup
	GW_SETTINGS_APPLIED=unknown
	return "$rc"
}

hs_run() {
	hs_pair_start || return

	ss_openvpn || return
	ss_wireguard || return
	# Some traffic inside both tunnels, then the standby must have caught up.
	nsx "${NS_LAN[0]}" ping -n -c 5 -i 0.2 -W 1 10.8.0.1 >/dev/null 2>&1
	nsx "${NS_LAN[1]}" ping -n -c 5 -i 0.2 -W 1 10.9.0.1 >/dev/null 2>&1
	wait_until 10 hs_same_flows ||
		{ fail "the standby's flows to srv1 differ: primary [$(hs_flows "$PG_SOCK" | tr '\n' ';')] standby [$(hs_flows "$HS_SB_SOCK" | tr '\n' ';')]"; return; }
	hs_flows "$PG_SOCK" >"$SCN_DIR/flows-primary.txt"
	hs_flows "$HS_SB_SOCK" >"$SCN_DIR/flows-standby.txt"
	grep -q "^tcp ${LAN_IP[0]}:" "$SCN_DIR/flows-standby.txt" &&
		grep -q "^udp ${LAN_IP[1]}:$SS_WG_PORT " "$SCN_DIR/flows-standby.txt" ||
		{ fail "the standby lacks the tunnels' flows: $(tr '\n' ';' <"$SCN_DIR/flows-standby.txt")"; return; }
	[[ $(hs_status "$HS_SB_SOCK" 'd["sync"]["synced"]') == True ]] ||
		{ fail "the standby does not say it is synced"; return; }
	local sent acked lag
	sent=$(hs_status "$PG_SOCK" 'd["sync"]["sent"]')
	acked=$(hs_status "$PG_SOCK" 'd["sync"]["acked"]')
	lag=$(hs_status "$PG_SOCK" 'd["sync"]["lag_ms"]')
	((sent > 0 && acked > 0)) || { fail "the primary counted sent $sent, acked $acked"; return; }
	# The same counters on /metrics (copied from the data path like status's).
	curl -sf --max-time 5 --unix-socket "$PG_SOCK" http://localhost/metrics >"$SCN_DIR/metrics.txt" &&
		awk '$1 == "passgate_sync_sent_total" && $2 > 0 { ok = 1 } END { exit !ok }' "$SCN_DIR/metrics.txt" ||
		{ fail "/metrics has no passgate_sync_sent_total above 0"; return; }
	report ha-sync "${LAN_IP[0]}" "$SRV1_IP:$OVPN_PORT/tcp" PASS "on the standby"
	report ha-sync "${LAN_IP[1]}:$SS_WG_PORT" "$SRV1_IP:$SS_WG_PORT/udp" PASS "on the standby"

	note "primary: sent $sent acked $acked lag ${lag} ms"
	PASS_NOTE="standby holds the OpenVPN-TCP and WireGuard flows with the primary's public ports (lag ${lag} ms)"
}

