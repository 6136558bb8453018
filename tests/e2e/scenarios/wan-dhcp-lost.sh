# SPDX-License-Identifier: MIT
# wan-dhcp-lost: the ISP's DHCP server (ISC Kea, 30 s leases) disappears.
# The gateway renews at T1, rebinds at T2, and at the lease's end takes the
# WAN down; when Kea comes back with its leases, the gateway gets an address
# again and LAN hosts reach the servers. passgated shows the loss: its log
# says so, status says "waiting for DHCP", the API has no lease, LAN traffic
# to the outside is refused and counted (drop_wan_down). Linux: busybox
# udhcpc takes the address off wan0 (deconfig) and LAN traffic finds no route.
#
#   pglan1-S ─ lan0 ─► gateway ─ wan0 ◄── DHCP ── Kea on pginet-S eth0 (stopped, restarted)

source "$E2E_DIR/lib/wandhcp.sh"

scenario() {
	wandhcp_run wan_dhcp_lost
}

# wan_down_seen ADDR - the gateway says the lease on ADDR is gone.
wan_down_seen() {
	if [[ $GATEWAY == linux ]]; then
		! wandhcp_bound && grep -q ' deconfig ' <(tail -n 1 "$SCN_DIR/wan-udhcpc-events.log")
	else
		grep -q "WAN down: lease on $1 expired" "$PG_LOG"
	fi
}

# wan_down_passgate - passgated's view of the WAN while down: status, API,
# and three refused pings counted. Sets DOWN_NOTE.
wan_down_passgate() {
	local st before after
	st=$(gateway_ctl status | grep '^WAN:')
	note "status: $st"
	[[ $st == "WAN: waiting for DHCP"* ]] || { fail "status says '$st', not waiting for DHCP"; return; }
	gateway_ctl --json wan | jq -e '.lease == null' >/dev/null || { fail "the API still shows a lease"; return; }
	before=$(gateway_counter drop_wan_down)
	tnsx 10 "${NS_LAN[0]}" ping -c 3 -i 0.3 -W 1 "$SRV1_IP" >/dev/null 2>&1 &&
		{ fail "a ping crossed a WAN without an address"; return; }
	after=$(gateway_counter drop_wan_down)
	((after >= before + 3)) || { fail "drop_wan_down went $before -> $after for 3 pings"; return; }
	DOWN_NOTE="status waiting, drop_wan_down +$((after - before))"
}

wan_dhcp_lost() {
	need kea-dhcp4 jq || return
	local pub pub2 seen t0 down_s
	DOWN_NOTE=
	wandhcp_kea 30 15 26 || return
	wandhcp_gateway || return
	pub=$(wandhcp_field address)
	wandhcp_tcp_seen "${NS_LAN[0]}" 7300 || { fail "TCP echo before the loss failed"; return; }
	seen=$WD_SEEN
	[[ ${seen%:*} == "$pub" ]] || { fail "srv1 saw '$seen', not the leased $pub"; return; }
	report wan-dhcp-lost "${LAN_IP[0]}" "$SRV1_IP:7300/tcp" PASS "$seen"

	# The server goes away; the lease runs out at most 30 s later.
	stop_pid "$WANDHCP_SERVER_PID"
	t0=$EPOCHREALTIME
	wandhcp_wait 40 wan_down_seen "$pub" ||
		{ fail "the WAN did not go down within 40 s of the server leaving"; return; }
	down_s=$(($(elapsed_ms "$t0") / 1000))
	note "WAN down ${down_s} s after the server left"
	if [[ $GATEWAY == passgate ]]; then
		wan_down_passgate || return
	else
		tnsx 10 "${NS_LAN[0]}" ping -c 3 -i 0.3 -W 1 "$SRV1_IP" >/dev/null 2>&1 &&
			{ fail "a ping crossed a WAN without an address"; return; }
		DOWN_NOTE="no address on wan0, pings refused"
	fi

	# The server returns: an address again within the client's back-off.
	wandhcp_kea 30 15 26 || return
	t0=$EPOCHREALTIME
	wandhcp_wait 75 wandhcp_bound || { fail "no lease within 75 s of the server's return"; return; }
	pub2=$(wandhcp_field address)
	note "back after $(($(elapsed_ms "$t0") / 1000)) s with $pub2"
	wandhcp_tcp_seen "${NS_LAN[0]}" 7300 || { fail "TCP echo after the return failed"; return; }
	seen=$WD_SEEN
	[[ ${seen%:*} == "$pub2" ]] || { fail "after the return srv1 saw '$seen', not $pub2"; return; }
	PASS_NOTE="Kea left: WAN down ${down_s} s later ($DOWN_NOTE), back with $pub2 ($([[ $pub2 == "$pub" ]] && echo same || echo new) address) $(($(elapsed_ms "$t0") / 1000)) s after Kea returned"
	return 0
}
