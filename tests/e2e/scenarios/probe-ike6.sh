# SPDX-License-Identifier: MIT
# probe-ike6: passgate-probe check --ike against a real IKEv2 server over
# IPv6 (issue 19), through the gateway's RFC 6092 firewall.
#
#   lan1 2001:db8:1::10 --- gateway --- inet --- pgsrv1 2001:db8:2::10: charon (UDP 500/4500)
#
# strongSwan's charon (the responder of probe-ike) on srv1; lib/ipv6.sh
# gives every namespace its IPv6. Passes when:
# - with the harness's passthrough (IPsec on), the probe reports IKE on UDP
#   500 and on UDP 4500 answered and no NAT on the path (the server's NAT
#   detection hash is lan1's own address and port), exits 0, and charon's
#   log shows IKE_SA_INIT requests from lan1's own address on both ports;
# - with "[passthrough] ipsec = off" (passgated restarted; the Linux
#   gateway drops IKE in fw6 both ways), both lines FAIL with "Enable IPsec
#   passthrough" as the fix, the exit status is 1, charon saw nothing new
#   from lan1, and the gateway counted the refused requests.
# Raw ESP over IPv6 is reported SKIP by the probe (its responder speaks
# IPv4 only): ipv6-vpn and ipv6-firewall check ESP over IPv6.

source "$E2E_DIR/lib/probe.sh"
source "$E2E_DIR/lib/ipv6.sh"

scenario() {
	[[ -x /usr/lib/ipsec/charon ]] || { fail "strongSwan's charon not installed"; return; }
	need swanctl || return
	[[ -x $PROBE ]] || { fail "build/passgate-probe missing"; return; }
	ipv6_scenario
}

scenario6() {
	local d=$SCN_DIR/charon out rc seen before after
	mkdir -p "$d/run"
	ike_conf "$d"
	spawn charon "$NS_SRV1" env STRONGSWAN_CONF="$d/strongswan.conf" sh -c \
		'mount --bind "$1" /run && exec /usr/lib/ipsec/charon' sh "$d/run"
	wait_alive "$LAST_PID" 5 test -S "$d/charon.vici" ||
		{ fail "charon did not start: $(tail -n 1 "$SCN_DIR/charon.log")"; return 1; }
	STRONGSWAN_CONF="$d/strongswan.conf" timeout 10 swanctl --load-all \
		--file "$d/swanctl.conf" --uri "unix://$d/charon.vici" >"$d/load.log" 2>&1 ||
		{ fail "swanctl could not load the config: $(tail -n 1 "$d/load.log")"; return 1; }

	# 1. IPsec passthrough on (the default).
	tnsx 30 "${NS_LAN[0]}" "$PROBE" check --ike -v "$SRV1_IP6" >"$SCN_DIR/ike6-on.txt" 2>&1
	rc=$?
	out=$(cat "$SCN_DIR/ike6-on.txt")
	grep -q '^IKE (UDP 500) *PASS' <<<"$out" ||
		{ fail "IKE on UDP 500 over IPv6 not answered: $(grep -m1 'UDP 500' <<<"$out")"; return 1; }
	grep -q '^IKE on the NAT-T port (UDP 4500) *PASS' <<<"$out" ||
		{ fail "IKE on UDP 4500 over IPv6 not answered: $(grep -m1 'UDP 4500' <<<"$out")"; return 1; }
	grep -q "^NAT on the path *PASS *no NAT: the server saw \[${LAN6_IP[0]}\]:" <<<"$out" ||
		{ fail "NAT detection over IPv6: $(grep -m1 'NAT on' <<<"$out")"; return 1; }
	((rc == 0)) || { fail "passthrough on: exit status $rc, expected 0"; return 1; }
	for p in 500 4500; do
		grep -q "received packet: from ${LAN6_IP[0]}\[[0-9]*\] to $SRV1_IP6\[$p\]" "$d/charon.log" ||
			{ fail "charon's log shows no request on port $p from ${LAN6_IP[0]}"; return 1; }
	done
	seen=$(grep -c "received packet: from ${LAN6_IP[0]}\[" "$d/charon.log")
	note "IPsec on: $(grep -m1 '^passgate-probe' <<<"$out"); charon received $seen packets from ${LAN6_IP[0]}"
	report probe-ike6 "[${LAN6_IP[0]}]" "[$SRV1_IP6]:500+4500/udp" PASS "IKE answered on both ports, no NAT"

	# 2. IPsec passthrough off: the probe says so.
	probe6_ipsec_off || return 1
	before=$(probe6_refused)
	tnsx 40 "${NS_LAN[0]}" "$PROBE" check --ike "$SRV1_IP6" >"$SCN_DIR/ike6-off.txt" 2>&1
	rc=$?
	after=$(probe6_refused)
	out=$(cat "$SCN_DIR/ike6-off.txt")
	grep -q '^IKE (UDP 500) *FAIL' <<<"$out" && grep -q '^IKE on the NAT-T port (UDP 4500) *FAIL' <<<"$out" ||
		{ fail "IPsec off: the probe did not report both IKE ports blocked: $(grep -E '^IKE' <<<"$out" | tr '\n' ' ')"; return 1; }
	grep -q 'fix: Enable IPsec passthrough' <<<"$out" || { fail "IPsec off: no 'Enable IPsec passthrough' fix"; return 1; }
	((rc == 1)) || { fail "IPsec off: exit status $rc, expected 1"; return 1; }
	(($(grep -c "received packet: from ${LAN6_IP[0]}\[" "$d/charon.log") == seen)) ||
		{ fail "IPsec off: charon still received packets from ${LAN6_IP[0]}"; return 1; }
	# 3 tries on each port, each refused and counted.
	((after - before >= 6)) || { fail "IPsec off: the gateway counted $((after - before)) refused IKE packets, expected >= 6"; return 1; }
	note "IPsec off: both ports FAIL, exit 1, refused +$((after - before))"
	report probe-ike6 "[${LAN6_IP[0]}]" "[$SRV1_IP6]:500+4500/udp" PASS "IPsec off: FAIL reported, +$((after - before)) refused"
	PASS_NOTE="IKE 500/4500 answered over IPv6, no NAT; IPsec off: both FAIL, exit 1, refused +$((after - before))"
}

# probe6_ipsec_off - IPsec passthrough off, IPv6 kept: passgated restarted
# with the scenario's IPv6 config and [passthrough] ipsec = off; the Linux
# gateway drops IKE from the LAN too, counted in unsolicited6.
probe6_ipsec_off() {
	if [[ $GATEWAY == passgate ]]; then
		local conf=$SCN_DIR/passgated-ipsec-off.conf
		{
			cat "$SCN_DIR/passgated-ipv6.conf"
			printf '\n[passthrough]\nipsec = off\n'
		} >"$conf"
		gateway_restart_with "$conf" || { fail "passgated with ipsec = off did not come up"; return 1; }
		wait_until 10 nsx "${NS_LAN[0]}" ping -6 -n -c 1 -W 1 "$SRV1_IP6" ||
			{ fail "lan1 cannot ping $SRV1_IP6 after the restart"; return 1; }
		return 0
	fi
	ipv6_fw6_insert probe6-off iifname lan0 udp dport '{ 500, 4500 }' counter drop ||
		{ fail "gateway: the IKE drop rule was refused"; return 1; }
}

# probe6_refused - IKE the gateway refused: passgated's drop_passthrough_off,
# the Linux rule's counter.
probe6_refused() {
	if [[ $GATEWAY == passgate ]]; then
		gateway_counter drop_passthrough_off
	else
		ipv6_fw6_count probe6-off
	fi
}
