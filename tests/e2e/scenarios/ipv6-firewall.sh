# SPDX-License-Identifier: MIT
# ipv6-firewall: the IPv6 firewall in transit, RFC 6092 simple security and
# RFC 4890 section 4.3, and a pinhole (lib/ipv6.sh draws the addresses).
#
#   srv1, srv2 (2001:db8:2::10, ::20) ── inet ── gateway ── lan1 2001:db8:1::10 (TCP 7070, 8443)
#                                                        └─ lan2 2001:db8:1::11 (TCP 8443)
#
# Passes when, with every check on captures taken on lan1 and lan2:
# - unsolicited: srv2's TCP SYN to lan1:7070 (a listener) and UDP datagram
#   to lan1:7071 never reach lan1, and the gateway counted at least both;
# - ICMPv6 (RFC 4890 4.3.1): lan1's echo requests to srv1 are answered and
#   srv1's to lan1 too; srv1's port unreachable about lan1's UDP to a closed
#   port reaches lan1 (an error of a flow: lan1's socket sees ECONNREFUSED);
#   an error srv2 forges about a UDP flow lan1 never had does not reach it
#   and is counted (passgated drop_icmp_error_no_flow, Linux: ct state
#   invalid);
# - IPsec (RFC 6092 REC-22..26): srv2's IKE (UDP 500, 4500) and raw ESP to
#   lan1 arrive by default; with IPsec passthrough switched off (passgated:
#   `passgatectl passthrough ipsec off`, live) all three are refused and
#   counted;
# - the echo switch: with inbound echo requests off (passgated: [wan]
#   ping6_inbound = off and a reload) srv1's pings to lan1 go unanswered and
#   are counted, lan1's own pings to srv1 still work;
# - the pinhole: `passgatectl forward add tcp 8443 2001:db8:1::10` (an IPv6
#   host: a pinhole, no translation; passgated lists it as family 6) lets
#   srv2 reach lan1:8443 (4 KB echoed, lan1 seeing srv2's own address) and
#   nothing else: not lan2:8443, not lan1:7070, not UDP to lan1:8443; once
#   deleted, lan1:8443 is closed again.
# Linux reference: the careful user's fw6 ruleset of lib/ipv6.sh, with the
# same changes made by hand: a counted `ct state invalid` drop, the IPsec
# rules replaced by counted drops, the echo-request accept rule deleted, an
# accept rule for `ip6 daddr LAN1 tcp dport 8443`.

source "$E2E_DIR/lib/ipv6.sh"

scenario() {
	ipv6_scenario
}

# fw_count WHAT - what the gateway counted: unsolicited, icmp-no-flow, ipsec-off, pinhole.
fw_count() {
	if [[ $GATEWAY == passgate ]]; then
		case $1 in
		unsolicited) gateway_counter drop_unsolicited ;;
		icmp-no-flow) gateway_counter drop_icmp_error_no_flow ;;
		ipsec-off) gateway_counter drop_passthrough_off ;;
		pinhole) gateway_counter forwarded_flows ;;
		esac
		return
	fi
	case $1 in
	unsolicited) ipv6_unsolicited ;;
	icmp-no-flow) ipv6_fw6_count invalid6 ;;
	ipsec-off) ipv6_fw6_count ipsec6off ;;
	pinhole) ipv6_fw6_count pinhole6 ;;
	esac
}

# forged_error - srv2 sends lan1 a port unreachable quoting a UDP packet
# lan1 -> srv2 (40999 -> 9999) that was never sent: an error of no flow.
forged_error() {
	tnsx 10 "$NS_SRV2" python3 - "${LAN6_IP[0]}" "$SRV2_IP6" <<-'EOF' >>"$SCN_DIR/icmp-forged.log" 2>&1
		import socket, struct, sys
		lan, srv = (socket.inet_pton(socket.AF_INET6, a) for a in sys.argv[1:3])
		udp = struct.pack("!HHHH", 40999, 9999, 16, 0) + b"forged!!"
		quoted = struct.pack("!IHBB", 0x60000000, len(udp), 17, 63) + lan + srv + udp
		s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
		# type 1 code 4: port unreachable; the kernel fills in the checksum.
		s.sendto(struct.pack("!BBHI", 1, 4, 0, 0) + quoted, (sys.argv[1], 0))
		print("sent")
	EOF
}

# lan_filter - lan1's and lan2's traffic minus neighbour and router discovery.
lan_filter="ip6 and not (icmp6 and ip6[40] >= 133)"

phase_unsolicited_icmp_ipsec() {
	local before after nb na out f
	if [[ $GATEWAY == linux ]]; then
		ipv6_fw6_insert invalid6 ct state invalid counter drop ||
			{ fail "linux: counted invalid rule refused"; return 1; }
	fi
	capture_start lan1 "${NS_LAN[0]}" eth0 "$lan_filter" || return 1
	before=$(fw_count unsolicited)
	out=$(v6_tcp_try "$NS_SRV2" "${LAN6_IP[0]}" 7070)
	[[ $out == timeout ]] || { fail "srv2's unsolicited TCP to lan1:7070: $out, expected no answer"; return 1; }
	v6_udp_send "$NS_SRV2" "${LAN6_IP[0]}" 7071 unsolicited-udp
	sleep 0.3
	after=$(fw_count unsolicited)

	# ICMPv6 in transit: echo both ways, the error of a flow, the forged one.
	out=$(tnsx 10 "${NS_LAN[0]}" ping -6 -n -c 3 -i 0.2 -W 2 "$SRV1_IP6" 2>&1) ||
		{ fail "lan1's ping6 to srv1 failed: $(tail -n 2 <<<"$out")"; return 1; }
	out=$(tnsx 10 "$NS_SRV1" ping -6 -n -c 3 -i 0.2 -W 2 "${LAN6_IP[0]}" 2>&1) ||
		{ fail "srv1's ping6 to lan1 failed (inbound echo requests pass by default): $(tail -n 2 <<<"$out")"; return 1; }
	out=$(tnsx 5 "${NS_LAN[0]}" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((sys.argv[1], 9))
s.send(b"anyone?")
try:
    s.recv(100)
    print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")' "$SRV1_IP6")
	[[ $out == refused ]] ||
		{ fail "lan1's UDP to srv1's closed port 9: $out, expected the port unreachable to come back"; return 1; }
	nb=$(fw_count icmp-no-flow)
	forged_error
	sleep 0.3
	na=$(fw_count icmp-no-flow)
	ipv6_ipsec_probe "${LAN6_IP[0]}"
	sleep 0.5
	capture_stop lan1

	if capture_read lan1 "ip6 src $SRV2_IP6 and (tcp port 7070 or udp port 7071)" | grep -q .; then
		fail "srv2's unsolicited TCP or UDP reached lan1: $(capture_read lan1 "ip6 src $SRV2_IP6" | head -n 2)"
		return 1
	fi
	((after - before >= 2)) ||
		{ fail "the gateway counted $((after - before)) unsolicited packets, expected at least the SYN and the datagram"; return 1; }
	report unsolicited6 "[$SRV2_IP6]" "${LAN6_IP[0]}" PASS "TCP SYN and UDP dropped, counted $((after - before))"

	capture_read lan1 "icmp6 and ip6 src $SRV1_IP6 and ip6[40] == 1" | grep -q . ||
		{ fail "srv1's port unreachable never reached lan1"; return 1; }
	if capture_read lan1 "icmp6 and ip6 src $SRV2_IP6 and ip6[40] == 1" | grep -q .; then
		fail "srv2's forged port unreachable (no flow) reached lan1"
		return 1
	fi
	((na - nb == 1)) ||
		{ fail "the gateway counted $((na - nb)) ICMPv6 errors of no flow, expected 1"; return 1; }
	report icmp6-transit "[$SRV1_IP6]" "${LAN6_IP[0]}" PASS \
		"echo both ways; the error of a flow passed; the error of none dropped, counted 1"

	for f in "udp port 500" "udp port 4500" "ip6[6] == 50"; do
		capture_read lan1 "ip6 src $SRV2_IP6 and $f" | grep -q . ||
			{ fail "srv2's inbound $f did not reach lan1 (IPsec is allowed by default)"; return 1; }
	done
	report ipsec6-default "[$SRV2_IP6]" "${LAN6_IP[0]}" PASS "IKE 500, 4500, ESP reached the host"
}

phase_switches() {
	local before after pb pa out
	# IPsec passthrough off, live.
	if [[ $GATEWAY == passgate ]]; then
		gateway_ctl passthrough ipsec off >"$SCN_DIR/ipsec-off.out" 2>&1 ||
			{ fail "passgatectl passthrough ipsec off: $(tail -n 1 "$SCN_DIR/ipsec-off.out")"; return 1; }
		# ping6_inbound is a [wan] setting of the file: edit it, reload.
		sed -i '/^\[wan\]/a ping6_inbound = off' "$SCN_DIR/passgated-ipv6.conf"
		gateway_ctl reload >"$SCN_DIR/reload.out" 2>&1 ||
			{ fail "passgatectl reload with ping6_inbound = off: $(tail -n 1 "$SCN_DIR/reload.out")"; return 1; }
	else
		ipv6_fw6_insert ipsec6off iifname wan0 meta l4proto '{ esp, ah }' counter drop &&
			ipv6_fw6_insert ipsec6off iifname wan0 udp dport '{ 500, 4500 }' counter drop &&
			ipv6_fw6_delete "icmpv6 type echo-request accept" ||
			{ fail "linux: switching IPsec and inbound echo off in fw6 failed"; return 1; }
	fi
	capture_start lan1 "${NS_LAN[0]}" eth0 "$lan_filter" || return 1
	before=$(fw_count ipsec-off)
	ipv6_ipsec_probe "${LAN6_IP[0]}"
	sleep 0.5
	after=$(fw_count ipsec-off)
	pb=$(fw_count unsolicited)
	out=$(tnsx 10 "$NS_SRV1" ping -6 -n -c 3 -i 0.2 -W 1 "${LAN6_IP[0]}" 2>&1) &&
		{ fail "srv1's ping6 to lan1 was answered with inbound echo requests off"; return 1; }
	pa=$(fw_count unsolicited)
	out=$(tnsx 10 "${NS_LAN[0]}" ping -6 -n -c 2 -i 0.2 -W 2 "$SRV1_IP6" 2>&1) ||
		{ fail "lan1's ping6 to srv1 failed with inbound echo off: $(tail -n 2 <<<"$out")"; return 1; }
	capture_stop lan1
	if capture_read lan1 "ip6 src $SRV2_IP6" | grep -q .; then
		fail "srv2's IPsec reached lan1 with IPsec passthrough off: $(capture_read lan1 "ip6 src $SRV2_IP6" | head -n 2)"
		return 1
	fi
	((after - before >= 3)) ||
		{ fail "the gateway counted $((after - before)) refused IPsec packets, expected 3"; return 1; }
	report ipsec6-switched-off "[$SRV2_IP6]" "${LAN6_IP[0]}" PASS "IKE 500, 4500, ESP refused, counted $((after - before))"
	if capture_read lan1 "icmp6 and ip6 src $SRV1_IP6 and ip6[40] == 128" | grep -q .; then
		fail "srv1's echo requests reached lan1 with inbound echo requests off"
		return 1
	fi
	((pa - pb >= 3)) ||
		{ fail "the gateway counted $((pa - pb)) refused echo requests, expected 3"; return 1; }
	report ping6-switched-off "[$SRV1_IP6]" "${LAN6_IP[0]}" PASS "echo requests refused, counted $((pa - pb)); outbound ping still answered"
	# IPsec back on for what follows (the next scenario restarts the gateway anyway).
	if [[ $GATEWAY == passgate ]]; then
		gateway_ctl passthrough ipsec on >/dev/null 2>&1
	else
		ipv6_fw6_delete 'comment "ipsec6off"'
	fi
	return 0
}

phase_pinhole() {
	local before after out json
	spawn tcpecho-lan1 "${NS_LAN[0]}" python3 "$E2E_DIR/lib/tcpecho.py" server6 7070 8443
	spawn tcpecho-lan2 "${NS_LAN[1]}" python3 "$E2E_DIR/lib/tcpecho.py" server6 8443
	wait_until 5 grep -q listening "$SCN_DIR/tcpecho-lan1.log" || { fail "echo server on lan1 did not start"; return 1; }
	wait_until 5 grep -q listening "$SCN_DIR/tcpecho-lan2.log" || { fail "echo server on lan2 did not start"; return 1; }
	# Closed before the pinhole.
	out=$(v6_tcp_try "$NS_SRV2" "${LAN6_IP[0]}" 8443)
	[[ $out == timeout ]] || { fail "lan1:8443 before the pinhole: $out, expected no answer"; return 1; }
	if [[ $GATEWAY == passgate ]]; then
		gateway_ctl forward add tcp 8443 "${LAN6_IP[0]}" >"$SCN_DIR/forward-add.out" 2>&1 ||
			{ fail "passgatectl forward add tcp 8443 ${LAN6_IP[0]}: $(tail -n 1 "$SCN_DIR/forward-add.out")"; return 1; }
		json=$(gateway_ctl --json forward list 2>&1)
		python3 -c '
import json, sys
r = json.loads(sys.argv[1])["rules"]
assert len(r) == 1 and r[0]["family"] == 6 and r[0]["host"] == sys.argv[2], r
assert r[0]["wan_ports_from"] == 8443 and r[0]["lan_ports_from"] == 8443, r
' "$json" "${LAN6_IP[0]}" 2>"$SCN_DIR/forward-list.err" ||
			{ fail "GET /api/v1/forwards does not list the IPv6 pinhole: $(tail -n 1 "$SCN_DIR/forward-list.err")"; return 1; }
	else
		ipv6_fw6_insert pinhole6 iifname wan0 ip6 daddr "${LAN6_IP[0]}" tcp dport 8443 ct state new counter accept ||
			{ fail "linux: pinhole rule refused"; return 1; }
	fi
	CAP_NOWAIT=1 capture_start lan1 "${NS_LAN[0]}" eth0 "$lan_filter" || return 1
	CAP_NOWAIT=1 capture_start lan2 "${NS_LAN[1]}" eth0 "$lan_filter" || return 1
	capture_ready lan1 && capture_ready lan2 || return 1
	before=$(fw_count pinhole)
	out=$(tnsx 15 "$NS_SRV2" python3 "$E2E_DIR/lib/tcpecho.py" client "${LAN6_IP[0]}" 8443 4096)
	note "srv2 -> lan1:8443 through the pinhole: $out"
	[[ $out == *" ok" ]] || { fail "srv2's TCP to lan1:8443 through the pinhole failed: $out"; return 1; }
	[[ $out == "seen $SRV2_IP6:"* ]] || { fail "lan1 saw the connection from elsewhere than $SRV2_IP6: $out"; return 1; }
	after=$(fw_count pinhole)
	((after - before == 1)) ||
		{ fail "the gateway counted $((after - before)) flows through the pinhole, expected 1"; return 1; }
	out=$(v6_tcp_try "$NS_SRV2" "${LAN6_IP[1]}" 8443)
	[[ $out == timeout ]] || { fail "lan2:8443 (not in the pinhole): $out, expected no answer"; return 1; }
	out=$(v6_tcp_try "$NS_SRV2" "${LAN6_IP[0]}" 7070)
	[[ $out == timeout ]] || { fail "lan1:7070 (not in the pinhole): $out, expected no answer"; return 1; }
	v6_udp_send "$NS_SRV2" "${LAN6_IP[0]}" 8443 udp-not-in-pinhole
	sleep 0.3
	capture_stop lan1
	capture_stop lan2
	capture_read lan1 "ip6 src $SRV2_IP6 and tcp dst port 8443" | grep -q . ||
		{ fail "no TCP to lan1:8443 in lan1's capture"; return 1; }
	if capture_read lan2 "ip6 src $SRV2_IP6" | grep -q .; then
		fail "srv2's TCP to lan2:8443 reached lan2 through lan1's pinhole"
		return 1
	fi
	if capture_read lan1 "ip6 src $SRV2_IP6 and (tcp port 7070 or udp port 8443)" | grep -q .; then
		fail "traffic outside the pinhole reached lan1: $(capture_read lan1 "ip6 src $SRV2_IP6 and (tcp port 7070 or udp port 8443)" | head -n 2)"
		return 1
	fi
	report pinhole6 "[$SRV2_IP6]" "[${LAN6_IP[0]}]:8443" PASS \
		"4 KB echoed, own address seen, counted 1; lan2:8443, lan1:7070, UDP 8443 stayed closed"
	# Deleted, the port is closed again.
	if [[ $GATEWAY == passgate ]]; then
		gateway_ctl forward del 0 >"$SCN_DIR/forward-del.out" 2>&1 ||
			{ fail "passgatectl forward del 0: $(tail -n 1 "$SCN_DIR/forward-del.out")"; return 1; }
	else
		ipv6_fw6_delete 'comment "pinhole6"' || { fail "linux: deleting the pinhole failed"; return 1; }
	fi
	out=$(v6_tcp_try "$NS_SRV2" "${LAN6_IP[0]}" 8443)
	[[ $out == timeout ]] || { fail "lan1:8443 after the pinhole was deleted: $out, expected no answer"; return 1; }
	return 0
}

scenario6() {
	phase_unsolicited_icmp_ipsec || return
	phase_switches || return
	phase_pinhole || return
	return 0
}
