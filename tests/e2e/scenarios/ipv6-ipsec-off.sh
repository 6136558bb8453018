# SPDX-License-Identifier: MIT
# ipv6-ipsec-off: `GW_PASSTHROUGH="ipsec=off"` closes IPsec over IPv6 too.
# srv2's IKE (UDP 500, 4500) and raw ESP to lan1, which ipv6-basic shows
# arriving by default, now never reach lan1, and the gateway counted them
# (passgated drop_passthrough_off; the Linux ruleset's fw6 drops them into
# unsolicited6); other UDP from lan1 still passes both ways.

source "$E2E_DIR/lib/ipv6.sh"

GW_PASSTHROUGH="ipsec=off"
IPV6_LINUX_IPSEC='counter name "unsolicited6" drop'

scenario() {
	ipv6_scenario
}

# ipsec6_refused - what the gateway counted for the refused IPsec.
ipsec6_refused() {
	if [[ $GATEWAY == passgate ]]; then
		gateway_counter drop_passthrough_off
	else
		ipv6_unsolicited
	fi
}

scenario6() {
	local before after out
	before=$(ipsec6_refused)
	capture_start lan1 "${NS_LAN[0]}" eth0 "ip6 and (udp port 500 or udp port 4500 or ip6[6] == 50)" || return
	ipv6_ipsec_probe "${LAN6_IP[0]}"
	sleep 0.5
	capture_stop lan1
	after=$(ipsec6_refused)
	if capture_read lan1 "ip6 src $SRV2_IP6" | grep -q .; then
		fail "srv2's IPsec reached lan1 with ipsec passthrough off: $(capture_read lan1 | head -n 2)"
		return
	fi
	((after - before >= 3)) ||
		{ fail "the gateway counted $((after - before)) refused IPsec packets, expected 3"; return; }
	report ipsec6-off "[$SRV2_IP6]" "${LAN6_IP[0]}" PASS "IKE 500, 4500, ESP refused, counted $((after - before))"
	# Other traffic is untouched.
	out=$(tnsx 10 "${NS_LAN[0]}" ping -6 -n -c 2 -i 0.2 -W 2 "$SRV1_IP6" 2>&1) ||
		{ fail "ping6 to srv1 failed with ipsec off: $(tail -n 2 <<<"$out")"; return; }
}
