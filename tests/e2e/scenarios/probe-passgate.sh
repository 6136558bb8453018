# SPDX-License-Identifier: MIT
# probe-passgate: passgate-probe from a LAN host against its responder on
# pgsrv1, through the gateway with every passthrough switch on: every check
# passes (path MTU 1500, no double NAT, GRE both ways after a real PPTP call
# set-up, raw ESP, the VPN ports, a 20 s idle UDP mapping still open). Then
# PPTP passthrough is switched off (GW_PASSTHROUGH="pptp=off" applied
# mid-scenario: passgated restarted with "[passthrough] pptp = off", the
# Linux gateway dropping GRE in its forward path): the call's control
# connection still works, GRE is reported blocked with "enable PPTP
# passthrough" as the fix, and the exit status says PPTP cannot pass.
#
#   lan1 --- gateway --- inet --- pgsrv1: passgate-probe serve
#                                 203.0.113.10 (+ .11, its second address)

source "$E2E_DIR/lib/probe.sh"

scenario() {
	local rc
	probe_serve || { probe_unserve; return 1; }
	probe_passgate_body
	rc=$?
	probe_pptp_on
	probe_unserve
	return $rc
}

probe_passgate_body() {
	local bad fix
	probe_check all-on "${NS_LAN[0]}" -v "$SRV1_IP"
	bad=$(probe_not_passed all-on)
	[[ -z $bad && $PROBE_RC == 0 ]] ||
		{ fail "with every switch on, not every check passed: ${bad:-exit status $PROBE_RC}"; return; }
	all_from_public "$(probe_seen all-on)" ||
		{ fail "the responder saw '$(probe_seen all-on)', expected $WAN_PUB"; return; }
	report probe "${LAN_IP[0]}" "$SRV1_IP:4790" PASS "$(probe_seen all-on)"
	# The same report as people read it (the lifetime check left out).
	probe_table all-on "${NS_LAN[0]}" --quick "$SRV1_IP"

	probe_pptp_off || { fail "could not switch PPTP passthrough off"; return; }
	probe_check pptp-off "${NS_LAN[0]}" --quick --vpn pptp "$SRV1_IP"
	probe_table pptp-off "${NS_LAN[0]}" --quick --vpn pptp "$SRV1_IP"
	[[ $(probe_status pptp-off pptp-tcp) == PASS ]] ||
		{ fail "PPTP off: the TCP 1723 call set-up should still pass ($(probe_field pptp-off pptp-tcp detail))"; return; }
	[[ $(probe_status pptp-off gre) == FAIL ]] ||
		{ fail "PPTP off: GRE not reported blocked ($(probe_field pptp-off gre detail))"; return; }
	fix=$(probe_field pptp-off gre fix)
	[[ $fix == *"Enable PPTP passthrough"* ]] ||
		{ fail "PPTP off: the fix does not say to enable PPTP passthrough: '$fix'"; return; }
	((PROBE_RC == 1)) || { fail "PPTP off: exit status $PROBE_RC with --vpn pptp, expected 1"; return; }
	report probe "${LAN_IP[0]}" "$SRV1_IP:1723/tcp+gre" PASS "PPTP off: $(probe_field pptp-off gre detail)"
}

# probe_pptp_off - the gateway's PPTP passthrough switch off, through the
# harness's own settings (lib/scenario-env.sh, GW_PASSTHROUGH): passgated
# is restarted with "[passthrough] pptp = off", the Linux gateway drops GRE
# in its forward path (the consumer-router equivalent).
probe_pptp_off() {
	GW_PASSTHROUGH="pptp=off"
	gw_settings_apply
}

# probe_pptp_on - back to the default gateway for the scenarios after us.
probe_pptp_on() {
	[[ -n ${GW_PASSTHROUGH:-} ]] || return 0
	unset GW_PASSTHROUGH
	gw_settings_apply
}
