# SPDX-License-Identifier: MIT
# router-vpn-killswitch: the tunnel's server goes away in the middle of a
# transfer; nothing of the tunnelled host leaves in the clear, DNS
# included; the kill switch's drops are counted; the server comes back and
# traffic resumes without anyone touching the gateway. Topology:
# lib/vpnclient.sh; [tunnel] route = lan1, killswitch on (the default).
#
# 1. The tunnel is up; lan1 pings srv2 (through the tunnel) every 0.2 s and
#    asks the gateway for a name every 0.5 s, for the whole scenario. A
#    capture on the WAN takes every packet from the public address other
#    than the tunnel's own UDP to srv1.
# 2. srv1's wireguard-go is stopped: the gateway says down within 10 s,
#    drop_tunnel_down grows while lan1 keeps sending, lan1's pings go
#    unanswered.
# 3. srv1's server starts again (same key): the gateway says up by itself
#    within 40 s and lan1's traffic is answered through the tunnel again
#    (srv2's service sees srv1's address).
# Page (tests/web/tunnel.js, headless Chromium): the "VPN tunnel" panel says
#    up while lan1's traffic crosses the tunnel, down after the server
#    stopped, each time with the state, restarts, route, bypass and kill
#    switch GET /api/v1/tunnel gives; at the end its kill switch is pressed
#    (keyboard) off and on again and the API follows each press.
# 4. The WAN capture holds no packet at all: nothing of lan1's (ICMP, DNS,
#    TCP) left in the clear at any time.
# Then steps 1-4 again with an OpenVPN tunnel (srv1's OpenVPN server is
# stopped and started again; OpenVPN's own ping-restart finds it), without
# the page.
# Only for --gateway passgate.

source "$E2E_DIR/lib/vpnclient.sh"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the tunnel is passgated's: run with --gateway passgate"; return; }
	need wireguard-go wg openvpn openssl nft dnsmasq python3 tcpdump node chromium || return
	local VC_EXTRA VC_PASSWORD wg_said
	vc_server_start wireguard || return
	vc_page_setup || return
	vk_round page || return
	wg_said=$VK_SAID
	# The next round's passgated writes the same log: keep this round's.
	cp "$PG_LOG" "$SCN_DIR/passgated-wireguard-round.log"
	VC_EXTRA=
	vc_server_start openvpn || return
	vk_round || return
	report router-vpn-killswitch "${LAN_IP[0]}" "$SRV2_IP" PASS "wireguard: $wg_said; openvpn: $VK_SAID"
}

# vk_round [page] - steps 1-4 for the tunnel of VC_TYPE (with page: the
# admin page's panel too); VK_SAID: the round's figures.
vk_round() {
	local d0 d1 d2 seen t0 down_ms up_ms before after t=$VC_TYPE page=${1:-} ping_pid dns_pid
	vc_gateway "${LAN_IP[0]}" none || return
	vc_wait_up 20 || { fail "$t: the tunnel did not come up within 20 s (state $(vc_state))"; return; }
	vc_wan_capture "wan-$t" || return

	# 1. A transfer that never stops: pings and DNS queries from lan1.
	VK_PING=$SCN_DIR/lan1-ping-$t.log
	spawn "lan1-ping-$t" "${NS_LAN[0]}" ping -n -D -i 0.2 -W 1 "$SRV2_IP"
	ping_pid=$LAST_PID
	spawn "lan1-dns-$t" "${NS_LAN[0]}" sh -c 'while :; do echo "$(date +%s.%N) $(python3 -c "$1" "$2" "$3")"; sleep 0.5; done' sh \
		'import socket,struct,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(0.4)
q=struct.pack("!HHHHHH",4660,256,1,0,0,0)+b"".join(bytes([len(p)])+p.encode() for p in sys.argv[2].split("."))+b"\0\0\1\0\1"
s.sendto(q,(sys.argv[1],53))
try: print("answer", len(s.recv(512)))
except OSError: print("none")' "$LAN_GW" "$VC_NAME"
	dns_pid=$LAST_PID
	wait_until 5 grep -q "bytes from $SRV2_IP" "$VK_PING" ||
		{ fail "$t: lan1's pings to srv2 are not answered through the tunnel"; return; }
	wait_until 5 grep -q "answer" "$SCN_DIR/lan1-dns-$t.log" ||
		{ fail "$t: lan1's DNS queries to the gateway are not answered through the tunnel"; return; }
	[[ -n $page ]] && { vc_page up || return; }
	d0=$(gateway_counter drop_tunnel_down)

	# 2. The server goes away.
	t0=$EPOCHREALTIME
	vc_server_stop
	wait_until 10 vc_is down || { fail "$t: the gateway still says $(vc_state) 10 s after the server stopped"; return; }
	down_ms=$(elapsed_ms "$t0")
	d1=$(gateway_counter drop_tunnel_down)
	before=$(grep -c "bytes from" "$VK_PING")
	sleep 4
	d2=$(gateway_counter drop_tunnel_down)
	after=$(grep -c "bytes from" "$VK_PING")
	# 4 s of pings (5/s) and queries (2/s), 28 packets: at least 20 dropped, counted.
	((d2 - d1 >= 20)) || { fail "$t: drop_tunnel_down grew by $((d2 - d1)) in 4 s of lan1 sending while down (expected >= 20 of 28)"; return; }
	((after == before)) || { fail "$t: lan1 got $((after - before)) ping answers while the tunnel was down"; return; }
	[[ -n $page ]] && { vc_page down || return; }

	# 3. It comes back; nobody touches the gateway.
	t0=$EPOCHREALTIME
	vc_server_again || return
	wait_until 40 vc_is up || { fail "$t: the tunnel did not come back within 40 s of the server (state $(vc_state))"; return; }
	up_ms=$(elapsed_ms "$t0")
	before=$(grep -c "bytes from" "$VK_PING")
	wait_until 5 vk_answers_above "$before" ||
		{ fail "$t: lan1's pings are not answered again after the tunnel came back"; return; }
	seen=$(vc_seen "${NS_LAN[0]}" "$SRV2_IP" "$VC_OUTSIDE")
	[[ $seen == "$SRV1_IP:"* ]] || { fail "$t: after the return, srv2's service saw '${seen:-no answer}', expected $SRV1_IP"; return; }

	# 4. Nothing in the clear, at any time.
	capture_stop "wan-$t"
	local tun leaked
	read -r tun leaked < <(vc_wan_verdict "wan-$t")
	((tun > 0)) || { fail "$t: the WAN capture saw none of the tunnel's packets: it proves nothing"; return; }
	((leaked == 0)) || { fail "$t: $leaked packets left the public address outside the tunnel: $(capture_read "wan-$t" "not udp port $VC_PORT" | head -n 3 | tr '\n' ' ')"; return; }
	[[ -n $page ]] && { vc_page up toggle || return; }
	stop_pid "$ping_pid"
	stop_pid "$dns_pid"
	note "$t: down seen after ${down_ms} ms, drop_tunnel_down $d0 -> $d1 -> $d2 (4 s), back up ${up_ms} ms after the server; WAN: $tun tunnel packets, 0 others"
	VK_SAID="drops $((d2 - d0)), down in ${down_ms} ms, up again in ${up_ms} ms, 0 leaked"
}

# vk_answers_above N - lan1's ping has more than N answers by now.
vk_answers_above() {
	(($(grep -c "bytes from" "$VK_PING") > $1))
}
