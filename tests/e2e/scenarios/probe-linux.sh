# SPDX-License-Identifier: MIT
# probe-linux: passgate-probe through a gateway whose PPTP helper is absent.
# On the Linux gateway this scenario takes the helper rule away (helpers are
# not automatic, so a Linux router without it is the common case): the TCP
# 1723 call set-up passes, the server's GRE finds no conntrack entry and is
# dropped, and the probe must say GRE is blocked and to enable PPTP
# passthrough, while every other check passes. passgated follows PPTP
# itself (its switch is on by default), so there GRE must pass: that is
# what this scenario expects of each gateway.
#
#   lan2 --- gateway (Linux: no "ct helper set pptp") --- inet --- pgsrv1

source "$E2E_DIR/lib/probe.sh"

EXPECT_PASSGATE=pass
EXPECT_LINUX=blocked

scenario() {
	local rc
	probe_serve || { probe_unserve; return 1; }
	[[ $GATEWAY == linux ]] && nsx "$NS_GW" nft flush chain inet pgnat prerouting
	probe_linux_body
	rc=$?
	[[ $GATEWAY == linux ]] &&
		nsx "$NS_GW" nft add rule inet pgnat prerouting iifname lan0 tcp dport 1723 ct helper set pptp
	probe_unserve
	return $rc
}

probe_linux_body() {
	local bad gre
	probe_check no-helper "${NS_LAN[1]}" --quick "$SRV1_IP"
	probe_table no-helper "${NS_LAN[1]}" --quick "$SRV1_IP"
	bad=$(probe_not_passed no-helper | sed 's/gre=FAIL//; s/^ *//; s/ *$//')
	[[ -z $bad ]] || { fail "checks other than GRE did not pass: $bad"; return; }
	[[ $(probe_status no-helper pptp-tcp) == PASS ]] ||
		{ fail "TCP 1723 call set-up: $(probe_field no-helper pptp-tcp detail)"; return; }
	case $(probe_status no-helper gre) in
	PASS) gre=pass ;;
	FAIL)
		gre=blocked
		[[ $(probe_field no-helper gre fix) == *"Enable PPTP passthrough"* ]] ||
			{ fail "GRE blocked but the fix does not say to enable PPTP passthrough"; return; }
		((PROBE_RC == 1)) || { fail "GRE blocked but exit status $PROBE_RC"; return; }
		;;
	*) gre=unknown ;;
	esac
	judge "$gre" "$(probe_field no-helper gre detail)" || return
	report probe "${LAN_IP[1]}" "$SRV1_IP:1723/tcp+gre" PASS "$(probe_field no-helper gre detail)"
}
