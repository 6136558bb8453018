# SPDX-License-Identifier: MIT
# wan-dhcp-restart (passgate only): passgated restarted within its lease
# asks for the same address first (INIT-REBOOT, RFC 2131 3.2) from the lease
# kept in its run directory, and gets it back without a DISCOVER.
#
#   pggw-S: passgated (stopped, started again, same run directory: wan.lease)
#   pginet-S: dnsmasq, the ISP's server (2 min leases)

source "$E2E_DIR/lib/wandhcp.sh"

scenario() {
	need dnsmasq jq || return
	local pub pub2 seen n_disc
	wandhcp_dnsmasq 2m 60 100 || return
	wandhcp_gateway || return
	pub=$(wandhcp_field address)
	note "first start: $pub; lease file: $(tr '\n' ' ' <"$WANDHCP_RUN/wan.lease")"
	n_disc=$(grep -c 'DHCPDISCOVER(eth0)' "$SCN_DIR/isp-dhcp.log")
	# Same run directory: the lease file is read at start.
	wandhcp_gateway "$WANDHCP_RUN" || return
	grep -q "WAN: DHCP, asking for $pub again" "$PG_LOG" ||
		{ fail "the restarted passgated did not ask for $pub from its lease file"; return; }
	pub2=$(wandhcp_field address)
	[[ $pub2 == "$pub" ]] || { fail "restarted with $pub2, not $pub"; return; }
	(($(grep -c 'DHCPDISCOVER(eth0)' "$SCN_DIR/isp-dhcp.log") == n_disc)) ||
		{ fail "the restart sent a DISCOVER (INIT-REBOOT should ask directly)"; return; }
	grep -q "DHCPREQUEST(eth0) $pub" "$SCN_DIR/isp-dhcp.log" || { fail "no REQUEST for $pub logged by dnsmasq"; return; }
	seen=$(wandhcp_tcp_seen "${NS_LAN[0]}" 7400) || { fail "TCP echo after the restart failed"; return; }
	[[ ${seen%:*} == "$pub" ]] || { fail "after the restart srv1 saw '$seen', not $pub"; return; }
	report wan-dhcp-restart "${LAN_IP[0]}" "$SRV1_IP:7400/tcp" PASS "$seen"
	PASS_NOTE="restarted within the lease: asked for $pub (INIT-REBOOT, no DISCOVER), got it, TCP seen from it"
}
