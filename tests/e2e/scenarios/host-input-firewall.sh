# SPDX-License-Identifier: MIT
# host-input-firewall: the gateway's input policy on its own services.
#
#   lan1 ──► 192.168.1.1:22, :80 (allowed)   :2222 (not in [input] lan)
#                    │
#               passgated ─► pgh-lan0/pgh-wan0 ─► listeners in pggw-S
#                    │                            (tcpecho.py on 22, 2222;
#   srv2 ──► 198.51.100.2:22, :80, udp 53         the API on 192.168.1.1:80)
#            then :2222 once [input] wan = tcp 2222
#
# 1. Real listeners on the gateway host: a TCP echo server on 22 (standing in
#    for sshd) and 2222, the admin page on 192.168.1.1:80.
# 2. lan1 reaches 22 (echo checked byte for byte) and the admin page; 2222
#    is not in the default LAN policy: every SYN refused, drop_gateway_policy
#    grows by exactly what was sent.
# 3. srv2 (WAN) reaches none of 22, 80 and udp 53: the refused-packet
#    counters grow by exactly what was sent.
# 4. [input] wan = tcp 2222, set live through the API from lan1: srv2's echo
#    through 198.51.100.2:2222 works, and the listener saw srv2's own
#    address; 22 stays closed to the WAN.
# 5. The gateway host's own UDP to srv1 is echoed 5/5 through the NAT (the
#    server saw 198.51.100.2) and the engine created a flow for it.
# Only for --gateway passgate: the input policy is passgated's.

source "$E2E_DIR/lib/hostpath.sh"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the input policy is passgated's: run with --gateway passgate"; return; }
	need curl python3 || return
	local creds code out lan=${NS_LAN[0]} before after up n=5 p
	creds=$(hp_credentials) || { fail "passgated --hash-password failed"; return; }
	hp_restart "$(printf '[api]\nlisten = %s:80\ntls = off\n%s\n' "$LAN_GW" "$creds")" || return
	spawn gw-listeners "$NS_GW" "$PY" "$E2E_DIR/lib/tcpecho.py" server 22 2222
	for p in 22 2222 80; do
		wait_listen "$NS_GW" tcp "$p" 5 || { fail "nothing listens on the gateway's port $p"; return; }
	done

	# 2. From the LAN: the allowed services answer, the rest is refused and counted.
	out=$(tnsx 10 "$lan" "$PY" "$E2E_DIR/lib/tcpecho.py" client "$LAN_GW" 22 3000)
	[[ $out == *" ok" ]] || { fail "lan1 -> $LAN_GW:22: ${out:-no answer}"; return; }
	note "lan1 -> $LAN_GW:22: $out"
	code=$(hp_http "$lan" "http://$LAN_GW/")
	[[ $code == 200 ]] || { fail "lan1: the admin page gave ${code:-nothing}"; return; }
	before=$(hp_counter drop_gateway_policy)
	up=$(hp_tcp_syns "$lan" "$LAN_GW" 2222 "$n")
	after=$(hp_counter drop_gateway_policy)
	[[ $up == 0 ]] || { fail "lan1 connected to $LAN_GW:2222 ($up of $n): not in the LAN policy"; return; }
	((after - before == n)) ||
		{ fail "lan1 sent $n SYNs to $LAN_GW:2222; drop_gateway_policy grew by $((after - before))"; return; }
	note "lan1 -> $LAN_GW:2222: $n SYNs, drop_gateway_policy +$((after - before))"

	# 3. From the WAN: nothing of the gateway's answers.
	read -r before _ < <(gateway_unsolicited_count)
	up=$(hp_tcp_syns "$NS_SRV2" "$WAN_PUB" 22 "$n")
	[[ $up == 0 ]] || { fail "srv2 connected to $WAN_PUB:22"; return; }
	up=$(hp_tcp_syns "$NS_SRV2" "$WAN_PUB" 80 "$n")
	[[ $up == 0 ]] || { fail "srv2 connected to $WAN_PUB:80"; return; }
	hp_udp_burst "$NS_SRV2" "$WAN_PUB" 53 "$n" || { fail "srv2 could not send UDP"; return; }
	wait_until 3 test "$(gateway_unsolicited_count | cut -d' ' -f1)" -ge "$((before + 3 * n))"
	read -r after _ < <(gateway_unsolicited_count)
	((after - before == 3 * n)) ||
		{ fail "srv2 sent $((3 * n)) packets to tcp 22, tcp 80, udp 53; counters grew by $((after - before))"; return; }
	note "srv2 -> $WAN_PUB tcp 22, tcp 80, udp 53: $((3 * n)) packets refused, counted $((after - before))"

	# 4. Open one port to the WAN, live, through the API on the LAN address.
	code=$(hp_http "$lan" "http://$LAN_GW/api/v1/config/input" -X PUT \
		-H "Authorization: Bearer $HP_TOKEN" -H 'Content-Type: application/json' \
		--data-binary '{"wan": "tcp 2222"}')
	[[ $code == 200 ]] || { fail "PUT [input] wan = tcp 2222 gave $code: $(head -c 200 "$SCN_DIR/http.out")"; return; }
	grep -q '^wan = tcp 2222' "$HP_CONF" || { fail "[input] wan is not in the config file"; return; }
	out=$(tnsx 10 "$NS_SRV2" "$PY" "$E2E_DIR/lib/tcpecho.py" client "$WAN_PUB" 2222 3000)
	[[ $out == *" ok" ]] || { fail "srv2 -> $WAN_PUB:2222 after the WAN rule: ${out:-no answer}"; return; }
	[[ $out == "seen $SRV2_IP:"* ]] || { fail "the gateway's listener saw '$out', expected $SRV2_IP"; return; }
	up=$(hp_tcp_syns "$NS_SRV2" "$WAN_PUB" 22 3)
	[[ $up == 0 ]] || { fail "srv2 connected to $WAN_PUB:22 after opening only 2222"; return; }
	note "srv2 -> $WAN_PUB:2222 after [input] wan = tcp 2222: $out"

	# 5. The gateway host's own outbound traffic goes through the NAT as a flow.
	spawn udp-echo-srv1 "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7007
	wait_listen "$NS_SRV1" udp 7007 5 || { fail "srv1's UDP echo did not start"; return; }
	before=$(hp_counter flow_created)
	out=$(tnsx 10 "$NS_GW" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-client "$SRV1_IP" 7007 40123 5)
	after=$(hp_counter flow_created)
	[[ $out == "seen $WAN_PUB:"* ]] || { fail "the gateway host's UDP to srv1: ${out:-no echo}"; return; }
	((after > before)) || { fail "the gateway host's UDP created no flow"; return; }
	note "gateway host -> srv1 udp 7007: $out (flows created +$((after - before)))"
	report host-input-firewall "$SRV2_IP" "$WAN_PUB:2222/tcp" PASS "LAN 22 ok, 2222 refused; WAN refused until opened: ${out%% sent*}"
}
