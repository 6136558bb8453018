# SPDX-License-Identifier: MIT
# ha-failover: two passgated gateways on the same LAN and WAN segments,
# keepalived (Debian's, unmodified) in each deciding who is master; the
# master's passgated is killed (SIGKILL) while an OpenVPN session over TCP
# and a WireGuard tunnel cross it, and the backup takes over with the state
# it was synced (docs/HA.md "Failover").
#
#   lan1 (openvpn, TCP) ──┐ LAN switch ┌─ lan0 pggw-S: passgated A, [sync] primary ─ wan0 ┐ WAN bridge
#   lan2 (wireguard-go) ──┤   br0      │   keepalived A (priority 150)                     ├─ brw ─ router ─ srv1
#                         └────────────┴─ lan0 pgsb-S: passgated B, [sync] standby ─ wan0 ┘  198.51.100.1
#                                            keepalived B (priority 100)
#   sync0 10.99.0.1 <-> 10.99.0.2: the sync channel. VRRP (version 3, advert_int
#   0.2 s) on the LAN: multicast through each box's passgated (host path, from
#   192.168.1.2 and .3). Each keepalived runs passgatectl ha master|backup|fault
#   as its notify scripts, tracks its box's lan0 and wan0, and checks its
#   passgated with "passgatectl ha" every second (weight 0: a failed check
#   is FAULT, which hands over at once).
#
# Both gateways have the same addresses (192.168.1.1, 198.51.100.2); only
# the master answers ARP for them and forwards; a new master sends
# gratuitous ARP so the hosts, the router and the switches follow.
# Passes when: A is master and B backup before (passgatectl ha on each), B
# holds the tunnels' flows with A's public ports and has sent no frame on
# its links; after kill -9 of A's
# passgated, B becomes master (logged by keepalived, gratuitous ARP sent on
# both links),
# pings inside both tunnels are answered again (all but one of the last 10
# at 5/s), the OpenVPN client never re-initialised (its TCP session lived
# on through B), the WireGuard server still sees the client at the same
# public address:port; the outage per tunnel (longest gap between answered
# pings) is reported and must be at most HF_MAX_GAP_MS. Only for --gateway
# passgate. The links-down variant of the issue is not run yet (the
# keepalived configuration tracks lan0 and wan0 for it).

source "$E2E_DIR/lib/openvpn.sh"
source "$E2E_DIR/lib/hasync.sh"

HF_SECS=20         # pings run this long in each tunnel
HF_KILL_AT=7       # seconds into the pings
HF_MAX_GAP_MS=3000 # the issue's goal: at most 3 s per session

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "failover is passgated's own: run with --gateway passgate"; return; }
	need keepalived openvpn wireguard-go wg curl || return
	NS_SB=pgsb-$SFX
	HS_WIRED=1
	HS_SB_EXTRA="ha_start = backup"
	hf_run
	local rc=$?
	hf_cleanup
	GW_SETTINGS_APPLIED=unknown
	return "$rc"
}

hf_run() {
	local p0 p1 before after gap0 gap1 tx rx i t_kill
	hf_pair_up || return

	hs_openvpn || return
	hs_wireguard || return
	nsx "${NS_LAN[1]}" ping -n -c 3 -i 0.2 -W 1 10.9.0.1 >/dev/null 2>&1
	wait_until 10 hs_same_flows ||
		{ fail "B's flows to srv1 differ: A [$(hs_flows "$PG_SOCK" | tr '\n' ';')] B [$(hs_flows "$HS_SB_SOCK" | tr '\n' ';')]"; return; }
	hs_flows "$PG_SOCK" >"$SCN_DIR/flows-A.txt"
	before=$(hf_wg_endpoint)

	# B, backup, has sent nothing on its links (no ARP answer, no frame).
	local btx
	btx=$(hs_status "$HS_SB_SOCK" 'sum(i["counters"]["tx_frames"] + i["counters"]["arp_replied"] for i in d["interfaces"])')
	[[ $btx == 0 ]] || { fail "B sent $btx frames on its links while backup"; return; }
	spawn tunnel-ping-ovpn "${NS_LAN[0]}" ping -D -n -i 0.2 -c $((HF_SECS * 5)) -W 1 10.8.0.1
	p0=$LAST_PID
	spawn tunnel-ping-wg "${NS_LAN[1]}" ping -D -n -i 0.2 -c $((HF_SECS * 5)) -W 1 10.9.0.1
	p1=$LAST_PID
	sleep "$HF_KILL_AT"
	hf_kill_a || return
	t_kill=$EPOCHREALTIME
	wait_until 10 hf_role "$HS_SB_SOCK" master ||
		{ fail "B did not become master after A's passgated died: $(hf_role_of "$HS_SB_SOCK"); $(tail -n 3 "$SCN_DIR/keepalived-B.log" | tr '\n' ' ')"; return; }
	note "B master $(elapsed_ms "$t_kill") ms after the kill"
	wait "$p0"
	wait "$p1"

	hs_flows "$HS_SB_SOCK" >"$SCN_DIR/flows-B-after.txt"
	local missing
	missing=$(comm -23 <(sort "$SCN_DIR/flows-A.txt") <(sort "$SCN_DIR/flows-B-after.txt"))
	[[ -z $missing ]] || { fail "flows gone or remapped on B: ${missing//$'\n'/; }"; return; }
	after=$(hf_wg_endpoint)
	[[ -n $before && $before == "$after" ]] ||
		{ fail "the WireGuard server sees the client at '$after', before '$before'"; return; }
	ovpn_session_kept "$SCN_DIR/openvpn-lan1.log" || return
	[[ $(hs_status "$HS_SB_SOCK" 'min(i["counters"]["arp_announced"] for i in d["interfaces"])') -ge 1 ]] ||
		{ fail "B sent no gratuitous ARP on one of its links"; return; }
	grep -q 'Entering MASTER STATE' "$SCN_DIR/keepalived-B.log" ||
		{ fail "keepalived B never logged MASTER"; return; }
	for i in ovpn wg; do
		read -r tx rx < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' \
			"$SCN_DIR/tunnel-ping-$i.log")
		[[ -n $tx && -n $rx ]] || { fail "$i: no ping summary"; return; }
		ping_tail_answered "$SCN_DIR/tunnel-ping-$i.log" "$tx" "$HF_TAIL_OK" ||
			{ fail "$i: pings inside the tunnel not answered again after the failover ($rx/$tx)"; return; }
		eval "HF_TX_$i=$tx HF_RX_$i=$rx"
	done
	gap0=$(ping_max_gap "$SCN_DIR/tunnel-ping-ovpn.log")
	gap1=$(ping_max_gap "$SCN_DIR/tunnel-ping-wg.log")
	note "outage (longest gap between answered pings): openvpn-tcp ${gap0} ms, wireguard ${gap1} ms; pings $HF_RX_ovpn/$HF_TX_ovpn, $HF_RX_wg/$HF_TX_wg"
	((gap0 <= HF_MAX_GAP_MS && gap1 <= HF_MAX_GAP_MS)) ||
		{ fail "outage too long: openvpn-tcp $gap0 ms, wireguard $gap1 ms (at most $HF_MAX_GAP_MS)"; return; }
	report ha-failover "${LAN_IP[0]}" "$SRV1_IP:$OVPN_PORT/tcp" PASS "outage ${gap0} ms, same session on B"
	report ha-failover "${LAN_IP[1]}:$HS_WG_PORT" "$SRV1_IP:$HS_WG_PORT/udp" PASS \
		"outage ${gap1} ms, endpoint $after kept"
	PASS_NOTE="kill -9 of the master: keepalived moved to B; openvpn-tcp outage ${gap0} ms, wireguard ${gap1} ms, no VPN restarted"
}

# hf_keepalived, hf_role, hf_kill_a, ping_max_gap and the rest: lib/hasync.sh
# (shared with ha-rejoin).
