# SPDX-License-Identifier: MIT
# router-vpn-client: the router as a VPN client (issue 23). passgated runs
# a WireGuard tunnel to srv1 on its host side; lan1's traffic goes through
# it, lan2's goes out directly, and lan3, which runs its own WireGuard,
# passes through at the same time. Then the same with an OpenVPN tunnel to
# an OpenVPN server on srv1 (steps 1-3, 5 and 6 again; step 4 is about
# bypass and passthrough, which do not depend on the tunnel's type).
# Topology: lib/vpnclient.sh.
#
# [tunnel] route = lan1, lan3; bypass = lan3 (bypass wins).
# 1. The tunnel comes up (API state up; checked by traffic below).
# 2. lan1 reaches srv1's inside service (10.66.0.1, reachable only through
#    the tunnel) and srv2's outside service, which sees srv1's address
#    (203.0.113.10), never the gateway's public one. A capture on the WAN
#    meanwhile holds no packet to srv2's service from the public address:
#    nothing of lan1's left in the clear.
# 2b. (WireGuard) the tunnel's MTU: lan1's SYN reached srv1 with its MSS
#    clamped to the tunnel's MTU - 40, and a 1500-byte ping with DF is
#    answered "fragmentation needed" with the tunnel's MTU, which lan1's
#    route then holds.
# 3. lan2 reaches srv2's outside service, which sees the public address.
# 4. lan3's own WireGuard session to srv2 (passthrough, NATed by
#    passgated) answers pings while lan1 talks through the router's tunnel,
#    and srv2 sees lan3's session at the public address.
# 5. Supervision: wireguard-go (passgated's child; openvpn in the second
#    round) is killed; passgated starts it again and lan1 is answered
#    through the tunnel again.
# 6. The API adds lan2 to route (PUT /api/v1/config/tunnel): the tunnel is
#    rebuilt and srv2's service now sees lan2 at the tunnel server's address.
# Only for --gateway passgate: the tunnel is passgated's.

source "$E2E_DIR/lib/vpnclient.sh"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the tunnel is passgated's: run with --gateway passgate"; return; }
	need wireguard-go wg openvpn openssl nft dnsmasq python3 tcpdump || return
	local wg_said
	vc_server_start wireguard || return
	vc_round || return
	wg_said=$VC_SAID
	# The next round's passgated writes the same log: keep this round's.
	cp "$PG_LOG" "$SCN_DIR/passgated-wireguard-round.log"
	vc_server_start openvpn || return
	vc_round || return
	report router-vpn-client "${LAN_IP[0]}" "$SRV2_IP:$VC_OUTSIDE/tcp" PASS "wireguard: $wg_said; openvpn: $VC_SAID"
}

# vc_round - steps 1-6 for the tunnel of VC_TYPE (step 4 for WireGuard
# only); VC_SAID: the round's summary.
vc_round() {
	local seen got t=$VC_TYPE
	vc_gateway "${LAN_IP[0]}, ${LAN_IP[2]}" "${LAN_IP[2]}" || return
	vc_wait_up 20 || { vc_debug; fail "$t: the tunnel did not come up within 20 s (state $(vc_state))"; return; }
	[[ $(vc_state type) == "$t" ]] || { fail "$t: the API says type '$(vc_state type)'"; return; }

	# 2. lan1 through the tunnel, watched on the WAN (and its SYN at srv1's
	#    end of the tunnel, for step 2b).
	vc_wan_capture "wan-$t" || return
	capture_start "syn-$t" "$NS_SRV1" "$VC_SIF" "tcp[tcpflags] & tcp-syn != 0 and dst port $VC_INSIDE" || return
	seen=$(vc_seen "${NS_LAN[0]}" "$VC_SRV" "$VC_INSIDE")
	capture_stop "syn-$t"
	vc_debug
	[[ $seen == "$VC_GW:"* ]] || { fail "$t: lan1 -> inside service $VC_SRV:$VC_INSIDE: seen '${seen:-no answer}', expected the tunnel address $VC_GW"; return; }
	seen=$(vc_seen "${NS_LAN[0]}" "$SRV2_IP" "$VC_OUTSIDE")
	[[ $seen == "$SRV1_IP:"* ]] || { fail "$t: lan1 -> outside service: it saw '${seen:-no answer}', expected the tunnel server $SRV1_IP"; return; }
	capture_stop "wan-$t"
	local tun
	read -r tun got < <(vc_wan_verdict "wan-$t")
	((tun > 0)) || { fail "$t: the WAN capture saw none of the tunnel's packets: it proves nothing"; return; }
	((got == 0)) || { fail "$t: $got packets left the public address outside the tunnel while lan1 talked (in the clear)"; return; }
	local rx tx
	rx=$(vc_state rx_bytes) tx=$(vc_state tx_bytes)
	[[ $rx =~ ^[0-9]+$ && $tx =~ ^[0-9]+$ ]] && ((rx > 0 && tx > 0)) ||
		{ fail "$t: the API's tunnel bytes are rx '$rx' tx '$tx' after traffic through it"; return; }
	note "$t: lan1: inside service saw $VC_GW, outside service saw $seen; WAN capture: $tun tunnel packets, 0 others; API bytes rx $rx tx $tx"

	# 2b. The tunnel's MTU reaches lan1 (WireGuard's device is 1420; the
	#     OpenVPN one is 1500 with OpenVPN's own mssfix inside).
	[[ $t == wireguard ]] && { vc_mtu_check "syn-$t" || return; }

	# 3. lan2 is not tunnelled.
	seen=$(vc_seen "${NS_LAN[1]}" "$SRV2_IP" "$VC_OUTSIDE")
	[[ $seen == "$WAN_PUB:"* ]] || { fail "$t: lan2 -> outside service: it saw '${seen:-no answer}', expected the public address $WAN_PUB"; return; }
	seen=$(vc_seen "${NS_LAN[1]}" "$VC_SRV" "$VC_INSIDE")
	[[ -z $seen ]] || { fail "$t: lan2 reached the inside service ($seen) without being tunnelled"; return; }

	# 4. lan3's own WireGuard to srv2 (peers 2 and 3), while lan1 pings through the tunnel.
	VC_SAID="via tunnel as $SRV1_IP, lan2 direct"
	[[ $t == wireguard ]] && { vc_passthrough || return; }

	# 5. The tunnel's program dies: passgated's child, so its PID comes from the API
	#    and must be a child of the passgated we started.
	local pid pid2 st
	pid=$(vc_state pid)
	[[ $pid =~ ^[0-9]+$ && $(awk '/^PPid:/ {print $2}' "/proc/$pid/status" 2>/dev/null) == "$PG_PID" ]] ||
		{ fail "$t: the API's $VC_CHILD pid '$pid' is not a child of passgated ($PG_PID)"; return; }
	kill -KILL "$pid"
	wait_until 10 vc_is down || { fail "$t: the tunnel is still $(vc_state) 10 s after its $VC_CHILD died"; return; }
	wait_until 20 vc_is up || { fail "$t: passgated did not bring the tunnel back within 20 s of $VC_CHILD's death"; return; }
	pid2=$(vc_state pid)
	seen=$(vc_seen "${NS_LAN[0]}" "$SRV2_IP" "$VC_OUTSIDE")
	[[ $seen == "$SRV1_IP:"* ]] || { fail "$t: after $VC_CHILD's restart lan1 was seen as '${seen:-no answer}', expected $SRV1_IP"; return; }

	# 6. The API changes route: lan2 is tunnelled from now on.
	local c0
	c0=$(vc_state changes)
	st=$(vc_put "{\"route\": \"${LAN_IP[0]}, ${LAN_IP[1]}\"}")
	[[ $st == 200 ]] || { fail "$t: PUT /api/v1/config/tunnel answered $st: $(head -c 200 "$SCN_DIR/put.out")"; return; }
	# Rebuilt: down, then up again (two more changes).
	wait_until 20 vc_rebuilt "$c0" || { fail "$t: the tunnel was not rebuilt and up within 20 s of the API change (changes $c0 -> $(vc_state changes), state $(vc_state))"; return; }
	seen=$(vc_seen "${NS_LAN[1]}" "$SRV2_IP" "$VC_OUTSIDE")
	[[ $seen == "$SRV1_IP:"* ]] || { fail "$t: after the API put lan2 in route it was seen as '${seen:-no answer}', expected $SRV1_IP"; return; }
	note "$t: $VC_CHILD $pid killed: back as $pid2; API route += lan2: lan2 seen as $seen"
}

# vc_passthrough - step 4: lan3 (bypass) runs its own WireGuard to srv2
# while lan1 pings through the router's tunnel.
vc_passthrough() {
	local n=5 out got ep lif=pgvl3-$SFX sif=pgvb2-$SFX t=$VC_TYPE
	wg_peer_start 2 "${NS_LAN[2]}" "$lif" || return
	wg_peer_start 3 "$NS_SRV2" "$sif" || return
	wgx 3 "$NS_SRV2" set "$sif" listen-port 51821 private-key "$SCN_DIR/wg3.key" \
		peer "$(wg_pub 2)" allowed-ips 10.77.0.2/32 || { fail "$t: wg set on srv2 failed"; return; }
	ip -n "$NS_SRV2" addr add 10.77.0.1/24 dev "$sif"
	ip -n "$NS_SRV2" link set "$sif" up
	wgx 2 "${NS_LAN[2]}" set "$lif" private-key "$SCN_DIR/wg2.key" \
		peer "$(wg_pub 3)" endpoint "$SRV2_IP:51821" allowed-ips 10.77.0.0/24 \
		persistent-keepalive 5 || { fail "$t: wg set on lan3 failed"; return; }
	ip -n "${NS_LAN[2]}" addr add 10.77.0.2/24 dev "$lif"
	ip -n "${NS_LAN[2]}" link set "$lif" up
	tnsx 20 "${NS_LAN[0]}" ping -n -c 10 -i 0.3 -W 2 "$VC_SRV" >"$SCN_DIR/lan1-ping.log" 2>&1 &
	local ping_pid=$!
	out=$(tnsx 20 "${NS_LAN[2]}" ping -n -c "$n" -i 0.3 -W 2 10.77.0.1 2>&1)
	echo "$out" >"$SCN_DIR/lan3-ping.log"
	wait "$ping_pid"
	got=$(grep -oE '[0-9]+ received' <<<"$out" | grep -oE '^[0-9]+')
	[[ ${got:-0} == "$n" ]] || { fail "$t: lan3's own WireGuard (bypass): ${got:-0} of $n pings answered"; return; }
	got=$(grep -oE '[0-9]+ received' "$SCN_DIR/lan1-ping.log" | grep -oE '^[0-9]+')
	((${got:-0} >= 9)) || { fail "$t: lan1's pings through the router's tunnel meanwhile: ${got:-0} of 10"; return; }
	ep=$(wgx 3 "$NS_SRV2" show "$sif" endpoints | awk '{print $2}')
	[[ $ep == "$WAN_PUB:"* ]] || { fail "$t: srv2 sees lan3's WireGuard at '${ep:-nothing}', expected $WAN_PUB"; return; }
	note "$t: lan2 seen as $WAN_PUB (not tunnelled); lan3's own WireGuard: $n/$n at $ep, lan1 through the tunnel meanwhile $got/10"
	VC_SAID+="; lan3 passthrough $n/$n"
}

# vc_rebuilt N - the tunnel went down and up again since it had N changes.
vc_rebuilt() {
	local c
	c=$(vc_state changes)
	[[ $c =~ ^[0-9]+$ ]] && ((c >= $1 + 2)) && vc_is up
}
