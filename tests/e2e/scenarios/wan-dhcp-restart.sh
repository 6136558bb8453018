# SPDX-License-Identifier: MIT
# wan-dhcp-restart: the gateway's DHCP client restarted within its lease
# asks for the same address first. passgated reads the lease it kept in its
# state directory (wan.lease) and asks with INIT-REBOOT (RFC 2131 3.2): a
# REQUEST, no DISCOVER. Linux: busybox udhcpc keeps no lease; started again
# with -r ADDR (what a boot script that remembers the address would do) it
# sends a DISCOVER asking for it. Expected per gateway: passgate
# init-reboot, linux discover; both must get the same address back.
#
#   pggw-S: the gateway's DHCP client (stopped, started again)
#   pginet-S: dnsmasq, the ISP's server (2 min leases)

source "$E2E_DIR/lib/wandhcp.sh"

EXPECT_PASSGATE=init-reboot
EXPECT_LINUX=discover

scenario() {
	wandhcp_run wan_dhcp_restart
}

wan_dhcp_restart() {
	need dnsmasq jq || return
	local pub pub2 seen n_disc how
	wandhcp_dnsmasq 2m 60 100 || return
	wandhcp_gateway || return
	pub=$(wandhcp_field address)
	n_disc=$(grep -c 'DHCPDISCOVER(eth0)' "$SCN_DIR/isp-dhcp.log")
	if [[ $GATEWAY == linux ]]; then
		stop_pid "$WANDHCP_CLIENT_PID"
		WANDHCP_CLIENT_PID=
		WANDHCP_CLIENT_LOG=wan-udhcpc-2 wandhcp_linux_client -r "$pub" || return
	else
		note "first start: $pub; lease file: $(tr '\n' ' ' <"$WANDHCP_RUN/wan.lease")"
		# Same run directory: the lease file is read at start.
		wandhcp_gateway "$WANDHCP_RUN" || return
		grep -q "WAN: DHCP, asking for $pub again" "$PG_LOG" ||
			{ fail "the restarted passgated did not ask for $pub from its lease file"; return; }
	fi
	pub2=$(wandhcp_field address)
	[[ $pub2 == "$pub" ]] || { fail "restarted with $pub2, not $pub"; return; }
	grep -q "DHCPREQUEST(eth0) $pub" "$SCN_DIR/isp-dhcp.log" || { fail "no REQUEST for $pub logged by dnsmasq"; return; }
	wandhcp_tcp_seen "${NS_LAN[0]}" 7400 || { fail "TCP echo after the restart failed"; return; }
	seen=$WD_SEEN
	[[ ${seen%:*} == "$pub" ]] || { fail "after the restart srv1 saw '$seen', not $pub"; return; }
	report wan-dhcp-restart "${LAN_IP[0]}" "$SRV1_IP:7400/tcp" PASS "$seen"
	how=init-reboot
	(($(grep -c 'DHCPDISCOVER(eth0)' "$SCN_DIR/isp-dhcp.log") == n_disc)) || how=discover
	judge "$how" "restarted within the lease, got $pub back by $how"
}
