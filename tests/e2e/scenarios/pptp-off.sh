# SPDX-License-Identifier: MIT
# pptp-off: the gateway's PPTP passthrough switch is off (passgated:
# [passthrough] pptp = off; Linux: GRE dropped in the forward path, the
# consumer-router equivalent). lan1's pptp-linux call to pptpd on pgsrv1
# must fail: the control connection on TCP 1723 is ordinary TCP and may
# come up, but no PPP frame crosses in GRE either way within 6 s, and the
# gateway counted the GRE it turned away (passgated: drop_passthrough_off;
# Linux: the passthrough_off nft counter).

GW_PASSTHROUGH="pptp=off"

source "$E2E_DIR/lib/pptp.sh"

scenario() {
	need pptpd pptp socat || return
	local before after ctl=no
	pptp_server || return
	before=$(gateway_passthrough_dropped)
	[[ $before =~ ^[0-9]+$ ]] || { fail "cannot read the gateway's passthrough counter"; return; }
	pptp_client 1
	wait_alive "$LAST_PID" 5 pptp_ctl_count 1 && ctl=yes
	# Calls take about 1.1 s to set up; give the stand-ins several echoes.
	sleep 6
	after=$(gateway_passthrough_dropped)
	note "control connection up: $ctl; passthrough drops $before -> $after"
	if pptp_server_heard lan1 1; then
		fail "lan1's PPP frames reached the server with PPTP passthrough off"
		return
	fi
	if pptp_client_heard 1 1; then
		fail "the server's PPP frames reached lan1 with PPTP passthrough off"
		return
	fi
	[[ $after =~ ^[0-9]+$ ]] || { fail "cannot read the gateway's passthrough counter afterwards"; return; }
	((after > before)) ||
		{ fail "no GRE was counted as turned away by the switch ($before -> $after; control connection: $ctl)"; return; }
	report pptp-off "${LAN_IP[0]}" "$SRV1_IP:1723/tcp+gre" PASS \
		"call failed (control up: $ctl), $((after - before)) GRE dropped"
}
