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
#   counted each way, and GET /api/v1/flows?host=<lan1> returns it too.

source "$E2E_DIR/lib/ipv6.sh"

scenario() {
	ipv6_scenario
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
time.sleep(8)
s.close()' "$SRV1_IP6"
	wait_until 5 grep -q "echoed 32768" "$SCN_DIR/tcphold-lan1.log" ||
		{ fail "lan1's held TCP connection to srv1 did not echo 32 KB: $(cat "$SCN_DIR/tcphold-lan1.log")"; return 1; }
	gateway_ctl flows --family 6 --proto tcp --port 47070 >"$SCN_DIR/flows6.txt" 2>&1
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
