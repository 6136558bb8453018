# SPDX-License-Identifier: MIT
# wan-address-change: the ISP hands the gateway another
# address. A WireGuard tunnel and an IPsec NAT-T tunnel (strongSwan, DPD
# every 5 s) from lan1 and an OpenVPN UDP session from lan2, each with a
# ping every 0.5 s inside, must recover on their own (no VPN program
# restarted) within 30 s of the new lease. The outage per protocol is
# measured from the pings' own timestamps.
#
#   pglan1-S: wireguard-go 10.9.0.2, charon 10.10.1.2 ─┐
#   pglan2-S: openvpn 10.8.0.x ─────────────────────────┤ lan0 ► passgated ► wan0 ◄─ DHCP ─ dnsmasq (pginet-S)
#                                                        └─────► pgsrv1-S: wg 10.9.0.1, charon 10.10.0.1, openvpn 10.8.0.1
#
# The change: the ISP's dnsmasq starts again with another range
# (198.51.100.60-69) and no memory of the lease; 'passgatectl wan renew'
# makes passgated ask at once instead of at T1: the server refuses the old
# address (DHCPNAK), passgated takes the WAN down (every flow on the old
# address ended), asks again (DISCOVER) and binds the new address. The Linux
# gateway's udhcpc is started again instead (lib/wandhcp.sh says why);
# masquerade's conntrack entries go with the old address.
#
# PPTP (pptp-linux on lan3 to pptpd on srv1, pppd stand-ins) cannot survive
# it: its control connection is TCP, whose ends cannot move to another
# address, and its GRE follows the call that connection set up. The
# scenario shows the call stop carrying frames, then redials (a new pptp, as
# pppd's "persist" would) and sees the new call come up from the new address.

source "$E2E_DIR/lib/wandhcp.sh"
source "$E2E_DIR/lib/wireguard.sh"
source "$E2E_DIR/lib/openvpn.sh"
source "$E2E_DIR/lib/ipsec.sh"
source "$E2E_DIR/lib/pptp.sh"

WG_PORT=51820

# outage LOG T0 - the longest time (seconds, one decimal) without an answered
# ping in a `ping -D` log from the last answer before T0 (the change; epoch
# seconds), or T0 itself when there was none, onwards.
outage() {
	awk -v t0="$2" 'BEGIN { last = t0 + 0 }
		/bytes from/ { t = substr($1, 2, length($1) - 2) + 0
			if (t < t0) { last = t; next }
			if (t - last > gap) gap = t - last
			last = t }
		END { printf "%.1f\n", gap }' "$1"
}

# answered_after LOG T - a ping in LOG was answered after epoch second T.
answered_after() {
	awk -v t="$2" '/bytes from/ { if (substr($1, 2, length($1) - 2) + 0 > t) ok = 1 } END { exit !ok }' "$1"
}

# tping NAME NS ADDR - a ping every 0.5 s inside a tunnel, one ping per
# command: a tunnel device that goes away and comes back (OpenVPN's restart)
# must not end the series. Log: SCN_DIR/tping-NAME.log.
tping() {
	spawn "tping-$1" "$2" sh -c 'while :; do ping -D -n -c 1 -W 1 "$1"; sleep 0.5; done' sh "$3"
}

scenario() {
	wandhcp_run wan_address_change
}

wan_address_change() {
	need dnsmasq jq wireguard-go wg openvpn pptp pptpd socat || return
	local pub pub2 t0 tb i seen wg0=pgwg0-$SFX wg1=pgwg1-$SFX out=() p
	wandhcp_dnsmasq 2m 60 100 || return
	wandhcp_gateway || return
	pub=$(wandhcp_field address)

	# WireGuard: lan1 to srv1, keepalive 5 s.
	wg_peer_start 0 "$NS_SRV1" "$wg0" || return
	wg_peer_start 1 "${NS_LAN[0]}" "$wg1" || return
	wgx 0 "$NS_SRV1" set "$wg0" listen-port "$WG_PORT" private-key "$SCN_DIR/wg0.key" \
		peer "$(wg_pub 1)" allowed-ips 10.9.0.2/32 || { fail "wg set on srv1 failed"; return; }
	ip -n "$NS_SRV1" addr add 10.9.0.1/24 dev "$wg0" && ip -n "$NS_SRV1" link set "$wg0" up
	wgx 1 "${NS_LAN[0]}" set "$wg1" private-key "$SCN_DIR/wg1.key" peer "$(wg_pub 0)" \
		endpoint "$SRV1_IP:$WG_PORT" allowed-ips 10.9.0.0/24 persistent-keepalive 5 ||
		{ fail "wg set on lan1 failed"; return; }
	ip -n "${NS_LAN[0]}" addr add 10.9.0.2/24 dev "$wg1" && ip -n "${NS_LAN[0]}" link set "$wg1" up
	wait_until 10 nsx "${NS_LAN[0]}" ping -n -c 1 -W 1 10.9.0.1 || { fail "WireGuard did not come up"; return; }

	# OpenVPN over UDP: lan2 to srv1.
	pki_selfsigned pgsrv1 && pki_selfsigned lan2 || { fail "openssl could not make certificates"; return; }
	ovpn_server_conf "$SCN_DIR/server.conf" udp4 pgsrv1 "$(pki_fingerprint lan2)"
	spawn openvpn-srv "$NS_SRV1" openvpn --config "$SCN_DIR/server.conf"
	ovpn_client_conf "$SCN_DIR/client-lan2.conf" udp4 lan2 "$SRV1_IP" pgsrv1
	spawn openvpn-lan2 "${NS_LAN[1]}" openvpn --config "$SCN_DIR/client-lan2.conf"
	wait_until 20 nsx "${NS_LAN[1]}" ping -n -c 1 -W 1 10.8.0.1 ||
		{ fail "OpenVPN did not come up ($(ovpn_last_words lan2))"; return; }

	# IPsec NAT-T: lan1 to srv1, DPD every 5 s.
	IPSEC_DPD=5s
	ipsec_start 1 || return
	ipsec_initiate 1
	ipsec_tunnel_up 1 15 || { fail "IPsec did not come up ($(ipsec_why 1))"; return; }

	# PPTP: lan3 to srv1.
	pptp_server || return
	pptp_client 3
	wait_until 10 pptp_ctl_count 1 || { fail "PPTP control connection not up ($(pptp_why 3))"; return; }
	wait_until 15 pptp_server_heard lan3 2 || { fail "PPTP call carries no frames ($(pptp_why 3))"; return; }

	tping wireguard "${NS_LAN[0]}" 10.9.0.1
	tping ipsec "${NS_LAN[0]}" 10.10.0.1
	tping openvpn "${NS_LAN[1]}" 10.8.0.1
	sleep 3

	# The ISP renumbers: a new range, the old lease forgotten.
	stop_pid "$WANDHCP_SERVER_PID"
	rm -f "$SCN_DIR/isp-dhcp.leases"
	WANDHCP_LO=198.51.100.60 WANDHCP_HI=198.51.100.69
	wandhcp_dnsmasq 2m 60 100 || return
	t0=$(date +%s.%N)
	wandhcp_renew || { fail "asking the gateway to renew failed"; return; }
	wandhcp_wait 40 wandhcp_new_addr "$pub" || { fail "no new address within 40 s"; return; }
	pub2=$(wandhcp_field address)
	tb=$(date +%s.%N)
	wandhcp_in_range "$pub2" || { fail "new address '$pub2' not from the new range"; return; }
	if [[ $GATEWAY == passgate ]]; then
		note "address change: $(grep 'WAN: address' "$PG_LOG" | tail -n 1)"
		note "$(grep 'flows on the old address ended' "$PG_LOG" | tail -n 1)"
	fi

	# Each tunnel answers again within 30 s of the new lease, nothing restarted.
	for p in wireguard ipsec openvpn; do
		wait_until 30 answered_after "$SCN_DIR/tping-$p.log" "$tb" ||
			{ fail "$p: no ping answered inside the tunnel within 30 s of the new address"; return; }
	done
	pptp_after_change "$pub2" || return
	for p in wireguard ipsec openvpn; do
		out+=("$p $(outage "$SCN_DIR/tping-$p.log" "$t0") s")
	done
	note "outage per protocol (address $pub -> $pub2, bound $(awk -v a="$t0" -v b="$tb" 'BEGIN{printf "%.1f", b - a}') s after renew): ${out[*]}"
	seen=$(wgx 0 "$NS_SRV1" show "$wg0" endpoints | awk '{print $2}')
	[[ ${seen%:*} == "$pub2" ]] || { fail "srv1's WireGuard has the peer at '$seen', not $pub2"; return; }
	report wan-address-change "${LAN_IP[0]} wireguard" "$SRV1_IP:$WG_PORT/udp" PASS "$seen"
	local how="NAK, DISCOVER"
	[[ $GATEWAY == linux ]] && how="udhcpc started again, DISCOVER"
	PASS_NOTE="$pub -> $pub2 ($how, bound $(awk -v a="$t0" -v b="$tb" 'BEGIN{printf "%.1f", b - a}') s later); outage: ${out[*]}; no VPN program restarted; $PPTP_NOTE"
	return 0
}

# pptp_from ADDR - pptpd has a control connection from ADDR.
pptp_from() {
	pptp_ctl_peers | grep -q "^$1:"
}

# pptp_after_change NEW - the old call is dead (no frame from lan3 reaches
# the server for 6 s after the new address); a new pptp from lan3 (its own
# /run: the old call manager still holds the dead connection) comes up from
# NEW. Sets PPTP_NOTE.
pptp_after_change() {
	local new=$1 n0 n1 t1 d=$SCN_DIR/run3b
	sleep 1
	n0=$(cat "$SCN_DIR"/pptpd/stub-*.log 2>/dev/null | grep -c "fcs=ok .* tag=lan3 ")
	sleep 6
	n1=$(cat "$SCN_DIR"/pptpd/stub-*.log 2>/dev/null | grep -c "fcs=ok .* tag=lan3 ")
	note "PPTP after the change: the server heard $n0, then 6 s later $n1 frames from lan3; pptpd's control peers: $(pptp_ctl_peers | tr '\n' ' ')"
	((n1 == n0)) || { fail "PPTP frames still crossed after the address change ($n0 -> $n1)"; return; }
	t1=$(date +%s.%N)
	mkdir -p "$d/pptp"
	spawn pptp-lan3-redial "${NS_LAN[2]}" sh -c 'mount --bind "$1" /run && exec socat \
		"EXEC:pptp $2 --nolaunchpppd --nohostroute --loglevel 2" \
		"EXEC:$3 --tag $4 --log $5"' sh "$d" "$SRV1_IP" "$PPTP_STUB" lan3 "$SCN_DIR/stub-lan3b.log"
	wait_until 20 pptp_from "$new" || { fail "no redialled PPTP control connection from $new"; return; }
	wait_until 20 pptp_server_heard lan3 $((n1 + 2)) || { fail "the redialled PPTP call carries no frames"; return; }
	PPTP_NOTE="PPTP: call dead after the change (its TCP control connection cannot move), redial up from $new in $(awk -v a="$t1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}') s"
	note "$PPTP_NOTE"
}

# wandhcp_new_addr OLD - a lease is bound on another address than OLD.
wandhcp_new_addr() {
	local a
	a=$(wandhcp_field address)
	[[ -n $a && $a != "$1" ]]
}
