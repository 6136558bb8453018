# SPDX-License-Identifier: MIT
# ipv6-basic: IPv6 routed through the gateway without NAT (lib/ipv6.sh draws
# the addresses). Passes when:
# - lan1 and lan2 ping srv1 (2001:db8:2::10) and get replies, and srv1 saw
#   each host's own address (no translation);
# - srv1 pings lan1 (inbound echo requests pass: RFC 4890 4.3.1);
# - lan1's TCP to an echo on srv1 carries 64 KB both ways byte for byte, the
#   server seeing lan1's own address;
# - srv2's unsolicited TCP SYNs to a listener on lan1 (port 7070) get no
#   connection, none reaches lan1, and the gateway counted them;
# - srv2's IKE (UDP 500 and 4500) and raw ESP to lan1 reach lan1 unasked
#   (RFC 6092 REC-22..26);
# - with passgated: lan1 learnt its default route from the gateway's router
#   advertisement (proto ra); and while lan1 holds a TCP connection to srv1
#   open (32 KB echoed, from port 47070), `passgatectl flows --family 6`
#   lists it as [lan1]:47070 to [srv1]:7070 with at least those 32 KB
#   counted each way, and GET /api/v1/flows?host=<lan1> returns it too;
#   then the admin page (tests/web/flows6.js, headless Chromium) with
#   family IPv6 lists that connection, its "End these flows" ends it
#   (flow_cleared counts one), and the traffic shows it ended: a segment
#   srv1 sends on it (scapy, marked) reached lan1 before and is dropped as
#   unsolicited after (drop_unsolicited counts it, lan1's capture has
#   nothing); screenshot build/web-flows6.png.

source "$E2E_DIR/lib/ipv6.sh"

V6_API=http://127.0.0.1:8080
V6_API_PASSWORD=e2e-password-$RANDOM$RANDOM

scenario() {
	local IPV6_CONF_TAIL
	if [[ $GATEWAY == passgate ]]; then
		# The page's listener and password, beside the harness's socket.
		IPV6_CONF_TAIL=$(printf '[api]\nlisten = 127.0.0.1:8080\n%s\n' \
			"$("$PASSGATED" --hash-password <<<"$V6_API_PASSWORD")") ||
			{ fail "passgated --hash-password failed"; return; }
	fi
	ipv6_scenario
}

# v6_mark NAME - srv1 sends one TCP ACK marked NAME on lan1's held
# connection ([srv1]:7070 -> [lan1]:47070), as the echo server's stack
# would send its next segment.
v6_mark() {
	tnsx 10 "$NS_SRV1" "$PY" - "$SRV1_IP6" "${LAN6_IP[0]}" "$1" <<-'EOF' >>"$SCN_DIR/mark.log" 2>&1
		import sys
		from scapy.all import IPv6, TCP, send
		src, dst, mark = sys.argv[1:4]
		send(IPv6(src=src, dst=dst) / TCP(sport=7070, dport=47070, flags="A", seq=1, ack=1)
		     / mark.encode(), verbose=0)
		print("sent", mark)
	EOF
}

# v6_held_counted MIN - passgatectl flows --family 6 (into SCN_DIR/flows6.txt)
# shows lan1's held connection with at least MIN bytes each way.
v6_held_counted() {
	local fl out in
	gateway_ctl flows --family 6 --proto tcp --port 47070 >"$SCN_DIR/flows6.txt" 2>&1
	fl=$(grep -F "[${LAN6_IP[0]}]:47070 [$SRV1_IP6]:7070 " "$SCN_DIR/flows6.txt" | head -n 1)
	read -r out in < <(awk '{print $(NF-1), $NF}' <<<"$fl")
	[[ $out =~ ^[0-9]+$ && $in =~ ^[0-9]+$ ]] && ((out >= $1 && in >= $1))
}

# v6_unsolicited_above N - the gateway counted more than N unsolicited packets.
v6_unsolicited_above() {
	(($(ipv6_unsolicited) > $1))
}

# v6_flow_page - the page ends the held IPv6 connection; the traffic shows it.
v6_flow_page() {
	local said c0 c1 u0 u1 n
	capture_start mark "${NS_LAN[0]}" eth0 "ip6 and tcp src port 7070 and tcp dst port 47070" || return 1
	capture_ready mark || return 1
	v6_mark pgmark-before || { fail "scapy on srv1 could not send: $(tail -n 1 "$SCN_DIR/mark.log")"; return 1; }
	wait_until 3 sh -c "tcpdump -n -A -r '$SCN_DIR/mark.pcap' 2>/dev/null | grep -q pgmark-before" ||
		{ capture_stop mark; fail "srv1's marked segment on the live flow did not reach lan1 (the check could not fail)"; return 1; }
	c0=$(gateway_counter flow_cleared)
	tnsx 100 "$NS_GW" node "$REPO/tests/web/flows6.js" "$V6_API/" "$V6_API_PASSWORD" \
		"${LAN6_IP[0]}" 47070 "$REPO/build/web-flows6.png" >>"$SCN_DIR/browser.log" 2>&1 ||
		{ capture_stop mark; fail "IPv6 flows on the page: $(grep -v Warning "$SCN_DIR/browser.log" | tail -n 1)"; return 1; }
	said=$(grep '^flows6: ' "$SCN_DIR/browser.log" | tail -n 1)
	c1=$(gateway_counter flow_cleared)
	((c1 == c0 + 1)) || { capture_stop mark; fail "the page said '$said' but flow_cleared went $c0 -> $c1"; return 1; }
	n=$(tcpdump -n -r "$SCN_DIR/mark.pcap" 2>/dev/null | grep -c .)
	u0=$(ipv6_unsolicited)
	v6_mark pgmark-after || { capture_stop mark; fail "scapy on srv1 could not send"; return 1; }
	wait_until 3 v6_unsolicited_above "$u0"
	u1=$(ipv6_unsolicited)
	sleep 0.5
	capture_stop mark
	capture_read mark >"$SCN_DIR/mark.txt"
	tcpdump -n -A -r "$SCN_DIR/mark.pcap" 2>/dev/null | grep -q pgmark-after &&
		{ fail "after the page ended the flow, srv1's segment on it still reached lan1"; return 1; }
	((u1 > u0)) || { fail "after the page ended the flow, srv1's segment was not counted as unsolicited ($u0 -> $u1)"; return 1; }
	note "page: $said; flow_cleared $c0 -> $c1; drop_unsolicited $u0 -> $u1; lan1 saw $n marked segment(s) before, none after"
	report tcp6-flow-ended "[${LAN6_IP[0]}]:47070" "[$SRV1_IP6]:7070" PASS "page ended it; next inbound segment dropped, counted"
}

# v6_flow_listed - a live IPv6 TCP flow as passgatectl and the API show it.
v6_flow_listed() {
	local fl out in min=32768 json
	spawn tcphold-lan1 "${NS_LAN[0]}" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind(("", 47070))
s.connect((sys.argv[1], 7070))
s.recv(200)  # the SEEN line
got = 0
for _ in range(32):
    s.sendall(b"x" * 1024)
while got < 32768:
    d = s.recv(65536)
    if not d:
        break
    got += len(d)
print("echoed", got, flush=True)
time.sleep(60)  # held open (idle) through the page check; its end is not checked
s.close()' "$SRV1_IP6"
	wait_until 5 grep -q "echoed 32768" "$SCN_DIR/tcphold-lan1.log" ||
		{ fail "lan1's held TCP connection to srv1 did not echo 32 KB: $(cat "$SCN_DIR/tcphold-lan1.log")"; return 1; }
	# With [datapath] offload on, what XDP carried reaches the flow once a
	# second (docs/CONFIG.md "The XDP fast path"): up to 3 s for the counts.
	wait_until 3 v6_held_counted "$min"
	fl=$(grep -F "[${LAN6_IP[0]}]:47070 [$SRV1_IP6]:7070 " "$SCN_DIR/flows6.txt" | head -n 1)
	[[ -n $fl ]] ||
		{ fail "passgatectl flows --family 6 does not list [${LAN6_IP[0]}]:47070 -> [$SRV1_IP6]:7070: $(cat "$SCN_DIR/flows6.txt")"; return 1; }
	note "flow: $fl"
	read -r out in < <(awk '{print $(NF-1), $NF}' <<<"$fl")
	[[ $out =~ ^[0-9]+$ && $in =~ ^[0-9]+$ ]] && ((out >= min && in >= min)) ||
		{ fail "the IPv6 flow shows $out bytes out, $in in; the echo moved at least $min each way"; return 1; }
	[[ $fl == tcp*ESTABLISHED* ]] || { fail "the IPv6 flow is not shown established: $fl"; return 1; }
	# The API, with host= an IPv6 address (family 6 implied).
	json=$(gateway_ctl --json flows --host "${LAN6_IP[0]}" --port 47070 2>&1)
	python3 -c '
import json, sys
o = json.loads(sys.argv[1])
f = [x for x in o["flows"] if x["lan_port"] == 47070]
assert len(f) == 1 and o["total"] >= 1, o
f = f[0]
assert f["family"] == 6 and f["lan"] == sys.argv[2] and f["remote"] == sys.argv[3], f
assert f["remote_port"] == 7070 and f["proto"] == "tcp" and min(f["bytes"]) >= 32768, f
' "$json" "${LAN6_IP[0]}" "$SRV1_IP6" 2>"$SCN_DIR/flows6-api.err" ||
		{ fail "GET /api/v1/flows?host=${LAN6_IP[0]} is wrong: $(tail -n 1 "$SCN_DIR/flows6-api.err")"; return 1; }
	report tcp6-flow-listed "[${LAN6_IP[0]}]:47070" "[$SRV1_IP6]:7070" PASS "bytes out $out in $in"
	v6_flow_page
}

scenario6() {
	local i out rx seen before after
	capture_start srv1 "$NS_SRV1" eth0 "icmp6 and ip6[40] == 128" || return
	for i in 0 1; do
		out=$SCN_DIR/ping6-lan$((i + 1)).log
		tnsx 10 "${NS_LAN[$i]}" ping -6 -n -c 5 -i 0.2 -W 2 "$SRV1_IP6" >"$out" 2>&1
		rx=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$out")
		if [[ -z $rx ]] || ((rx < 4)); then
			fail "lan$((i + 1)) got ${rx:-no} ping6 replies of 5 from $SRV1_IP6"
			return
		fi
		note "lan$((i + 1)): $rx/5 ping6 replies"
	done
	capture_stop srv1
	for i in 0 1; do
		capture_read srv1 | grep -q "IP6 ${LAN6_IP[$i]} > $SRV1_IP6" ||
			{ fail "srv1 never saw an echo request from ${LAN6_IP[$i]} (translated?)"; return; }
	done
	report icmp6 "${LAN6_IP[0]}" "$SRV1_IP6" PASS "${LAN6_IP[0]} (own address)"

	# Inbound echo requests reach a LAN host.
	tnsx 10 "$NS_SRV1" ping -6 -n -c 3 -i 0.2 -W 2 "${LAN6_IP[0]}" >"$SCN_DIR/ping6-in.log" 2>&1 ||
		{ fail "srv1's ping6 to lan1 was not answered"; return; }

	# TCP out, 64 KB echoed.
	spawn tcpecho-srv1 "$NS_SRV1" python3 "$E2E_DIR/lib/tcpecho.py" server6 7070
	wait_until 5 grep -q listening "$SCN_DIR/tcpecho-srv1.log" || { fail "echo server on srv1 did not start"; return; }
	out=$(tnsx 15 "${NS_LAN[0]}" python3 "$E2E_DIR/lib/tcpecho.py" client "$SRV1_IP6" 7070 65536)
	note "lan1 -> srv1 tcp: $out"
	[[ $out == *" ok" ]] || { fail "TCP echo over IPv6 failed: $out"; return; }
	seen=${out#seen }
	seen=${seen%% *}
	[[ ${seen%:*} == "${LAN6_IP[0]}" ]] ||
		{ fail "srv1 saw the TCP connection from ${seen%:*}, expected ${LAN6_IP[0]}"; return; }
	report tcp6 "${LAN6_IP[0]}" "[$SRV1_IP6]:7070" PASS "$seen"

	# Unsolicited TCP from srv2 to a listener on lan1: refused and counted.
	spawn tcpecho-lan1 "${NS_LAN[0]}" python3 "$E2E_DIR/lib/tcpecho.py" server6 7070
	wait_until 5 grep -q listening "$SCN_DIR/tcpecho-lan1.log" || { fail "echo server on lan1 did not start"; return; }
	before=$(ipv6_unsolicited)
	capture_start lan1 "${NS_LAN[0]}" eth0 "ip6 and (tcp port 7070 or udp port 500 or udp port 4500 or ip6[6] == 50)" ||
		return
	out=$(tnsx 10 "$NS_SRV2" python3 "$E2E_DIR/lib/tcpecho.py" client "${LAN6_IP[0]}" 7070 100)
	note "srv2 -> lan1 tcp (must fail): $out"
	[[ $out == *" ok" ]] && { fail "srv2 connected to lan1 unsolicited: $out"; return; }

	# IKE and raw ESP from srv2 to lan1: not blocked (RFC 6092 REC-22..26).
	ipv6_ipsec_probe "${LAN6_IP[0]}"
	sleep 0.5
	capture_stop lan1
	after=$(ipv6_unsolicited)
	if capture_read lan1 "tcp and ip6 src $SRV2_IP6" | grep -q .; then
		fail "srv2's unsolicited TCP reached lan1"
		return
	fi
	((after - before >= 2)) ||
		{ fail "the gateway counted $((after - before)) unsolicited packets, expected the SYN and its retransmission"; return; }
	note "unsolicited counted: $((after - before))"
	report tcp6-unsolicited "[$SRV2_IP6]" "${LAN6_IP[0]}:7070" PASS "dropped, counted $((after - before))"
	for f in "udp port 500" "udp port 4500" "ip6[6] == 50"; do
		capture_read lan1 "ip6 src $SRV2_IP6 and $f" | grep -q . ||
			{ fail "srv2's inbound $f did not reach lan1"; return; }
	done
	report ipsec6-inbound "[$SRV2_IP6]" "${LAN6_IP[0]}" PASS "IKE 500, 4500, ESP reached the host"

	if [[ $GATEWAY == passgate ]]; then
		ip -n "${NS_LAN[0]}" -6 route show default | grep -q "proto ra" ||
			{ fail "lan1 has no default route from the gateway's router advertisement"; return; }
		note "lan1: $(ip -n "${NS_LAN[0]}" -6 route show default | grep 'proto ra')"
		v6_flow_listed || return
	fi
	return 0
}
