# SPDX-License-Identifier: MIT
# tests/e2e/lib/sessions.sh - VPN sessions and a TCP stream from LAN hosts
# through the gateway to srv1, for the scenarios that break the gateway
# under them (a failover, a restart) and check that each lived on: OpenVPN
# over TCP from lan1, WireGuard and a PPTP call from lan2, an iperf3 upload
# from lan3; the flows to srv1 as the gateway lists them; the outage each
# saw (the PPTP call's from its stamped echo requests, the upload's from the
# receiver's intervals). Sourced after lib/openvpn.sh and lib/pptp.sh.

source "$E2E_DIR/lib/wireguard.sh"

SS_WG_PORT=51820
SS_IPERF_PORT=5201

# ss_openvpn - an OpenVPN server over TCP on srv1 and lan1's client; waits
# for the first ping inside (10.8.0.1).
ss_openvpn() {
	pki_selfsigned pgsrv1 && pki_selfsigned lan1 || { fail "openssl could not make certificates"; return 1; }
	ovpn_server_conf "$SCN_DIR/server.conf" tcp4-server pgsrv1 "$(pki_fingerprint lan1)"
	spawn openvpn-srv "$NS_SRV1" openvpn --config "$SCN_DIR/server.conf"
	wait_listen "$NS_SRV1" tcp "$OVPN_PORT" 10 ||
		{ fail "openvpn server did not start: $(tail -n 1 "$SCN_DIR/openvpn-srv.log")"; return 1; }
	ovpn_client_conf "$SCN_DIR/client-lan1.conf" tcp4-client lan1 "$SRV1_IP" pgsrv1
	spawn openvpn-lan1 "${NS_LAN[0]}" openvpn --config "$SCN_DIR/client-lan1.conf"
	wait_until 20 nsx "${NS_LAN[0]}" ping -n -c 1 -W 1 10.8.0.1 ||
		{ fail "no ping answered inside the OpenVPN tunnel within 20 s"; return 1; }
}

# ss_wireguard - wireguard-go on srv1 (10.9.0.1) and lan2 (10.9.0.2), each
# with a private /run (lib/wireguard.sh); waits for the first ping inside.
ss_wireguard() {
	local i ns
	for i in 0 1; do
		SS_IF[i]=pgss$i-$SFX
		ns=$NS_SRV1
		((i)) && ns=${NS_LAN[1]}
		wg_peer_start "$i" "$ns" "${SS_IF[i]}" || return 1
		SS_PUB[i]=$(wg_pub "$i")
	done
	wgx 0 "$NS_SRV1" set "${SS_IF[0]}" listen-port "$SS_WG_PORT" private-key "$SCN_DIR/wg0.key" \
		peer "${SS_PUB[1]}" allowed-ips 10.9.0.2/32 || { fail "wg set on srv1 failed"; return 1; }
	wgx 1 "${NS_LAN[1]}" set "${SS_IF[1]}" listen-port "$SS_WG_PORT" \
		private-key "$SCN_DIR/wg1.key" peer "${SS_PUB[0]}" endpoint "$SRV1_IP:$SS_WG_PORT" \
		allowed-ips 10.9.0.0/24 persistent-keepalive 5 || { fail "wg set on lan2 failed"; return 1; }
	ip -n "$NS_SRV1" addr add 10.9.0.1/24 dev "${SS_IF[0]}" &&
		ip -n "$NS_SRV1" link set "${SS_IF[0]}" up &&
		ip -n "${NS_LAN[1]}" addr add 10.9.0.2/24 dev "${SS_IF[1]}" &&
		ip -n "${NS_LAN[1]}" link set "${SS_IF[1]}" up || { fail "tunnel addresses"; return 1; }
	wait_until 10 nsx "${NS_LAN[1]}" ping -n -c 1 -W 1 10.9.0.1 ||
		{ fail "no ping answered inside the WireGuard tunnel within 10 s"; return 1; }
}

# ss_wg_endpoint - the address:port the WireGuard server last heard its
# client from.
ss_wg_endpoint() {
	wgx 0 "$NS_SRV1" show "${SS_IF[0]}" endpoints | awk '{print $2}'
}

# ss_flows SOCK - every flow to srv1 but ICMP, one "proto lan:port
# remote:port public" line each (GRE: the call ids), sorted.
ss_flows() {
	curl -sf --max-time 10 --unix-socket "$1" 'http://localhost/api/v1/flows?limit=1000' |
		"$PY" -c '
import json, sys
for f in json.load(sys.stdin)["flows"]:
    if f["remote"] == sys.argv[1] and f["proto"] != "icmp":
        print(f["proto"], "%s:%d" % (f["lan"], f["lan_port"]),
              "%s:%d" % (f["remote"], f["remote_port"]), f["public_port"])
' "$SRV1_IP" | sort
}

# ss_long_lived - the lines of ss_flows that must outlive the event (not
# iperf3's, which end with the test, nor IKE's port 500 one, idle since the
# move to 4500).
ss_long_lived() {
	grep -v -e " $SRV1_IP:$SS_IPERF_PORT " -e " $SRV1_IP:500 " | sort
}

# ss_pptp - pptpd on srv1 and a call from lan2 (lib/pptp.sh); up when echo
# requests crossed both ways. Export PGSTUB_STAMP=1 and PGSTUB_INTERVAL
# first (pptpd starts the server's stand-ins with no arguments of ours): the
# stand-ins then stamp what they receive and send echo requests that often.
ss_pptp() {
	# The stand-ins append to their logs, and a scenario run twice in one run
	# has the same directory: the call is counted from its own logs.
	rm -rf "$SCN_DIR/pptpd" "$SCN_DIR/stub-lan2.log"
	pptp_server || return 1
	pptp_client 2
	SS_PPTP_PID=$LAST_PID
	wait_alive "$SS_PPTP_PID" 5 pptp_ctl_count 1 ||
		{ fail "lan2: no PPTP control connection reached the server"; return 1; }
	wait_until 10 pptp_server_heard lan2 ||
		{ fail "lan2's PPP frames did not reach the server through GRE ($(pptp_why 2))"; return 1; }
	wait_until 10 pptp_client_heard 2 ||
		{ fail "the server's PPP frames did not reach lan2 through GRE ($(pptp_why 2))"; return 1; }
}

# ss_pptp_same_call - the call that was up before is the one still up:
# pptpd starts a pppd (here its stand-in, one log each) per call, and lan2's
# pptp and stand-in never restarted.
ss_pptp_same_call() {
	local n
	n=$(find "$SCN_DIR/pptpd" -name 'stub-*.log' | wc -l)
	((n == 1)) || { fail "pptpd started $n pppd stand-ins: the call was made again"; return 1; }
	alive "$SS_PPTP_PID" || { fail "lan2's pptp ended: $(pptp_why 2)"; return 1; }
	n=$(grep -c '^start ' "$SCN_DIR/stub-lan2.log")
	((n == 1)) || { fail "lan2's pppd stand-in started $n times"; return 1; }
}

# ss_pptp_gap T0 - SS_GAP_PPTP: the longest gap (ms) between LCP echo
# requests received since T0, in the worse direction; fails when either
# direction went quiet (nothing in the last second).
ss_pptp_gap() {
	local srv cli g1 g2 now=$EPOCHREALTIME
	srv=$(grep -l 'tag=lan2 ' "$SCN_DIR"/pptpd/stub-*.log | head -n 1)
	cli=$SCN_DIR/stub-lan2.log
	g1=$(ss_stamp_gap "$srv" 'fcs=ok .*code=9 tag=lan2 ' "$1" "$now") &&
		g2=$(ss_stamp_gap "$cli" 'fcs=ok .*code=9 tag=' "$1" "$now") ||
		{ fail "pptp: echo requests not received again (to srv1: gap ${g1:-quiet}, to lan2: gap ${g2:-quiet})"; return 1; }
	SS_GAP_PPTP=$((g1 > g2 ? g1 : g2))
}

# ss_stamp_gap LOG PATTERN FROM NOW - the longest gap (ms) between stamped
# lines matching PATTERN from FROM on; fails when the last is older than 1 s.
ss_stamp_gap() {
	grep -E "$2" "$1" | sed -n 's/^\[\([0-9.]*\)\] .*/\1/p' |
		awk -v from="$3" -v now="$4" '$1 >= from { if (p) { g = ($1 - p) * 1000; if (g > m) m = g } p = $1 }
			END { if (!p || now - p > 1) exit 1; printf "%d\n", m }'
}

# ss_iperf_start SECS RATE - iperf3 -s on srv1 (one test, JSON, 0.2 s
# intervals) and an upload from lan3 of SECS seconds at RATE Mbit/s (a
# steady stream, not a load test); its pid in SS_IPERF_PID.
ss_iperf_start() {
	SS_IPERF_SECS=$1 SS_IPERF_RATE=$2
	spawn iperf3-srv "$NS_SRV1" iperf3 -s -1 -p "$SS_IPERF_PORT" -i 0.2 -J
	wait_listen "$NS_SRV1" tcp "$SS_IPERF_PORT" 5 || { fail "iperf3 server did not start"; return 1; }
	SS_IPERF_T0=$EPOCHREALTIME
	spawn iperf3-lan3 "${NS_LAN[2]}" timeout 60 iperf3 -c "$SRV1_IP" -p "$SS_IPERF_PORT" \
		-t "$SS_IPERF_SECS" -b "${SS_IPERF_RATE}M" -i 0.2 -J
	SS_IPERF_PID=$LAST_PID
}

# ss_iperf_check T_EVENT MAX_GAP_MS - waits for the upload; it ended well
# (exit 0, no error: a reset would be one) and the receiver got data after
# T_EVENT; SS_GAP_IPERF: the longest run of empty 0.2 s intervals at the
# receiver (ms), SS_IPERF_AFTER_MB: what it got after T_EVENT.
ss_iperf_check() {
	local rc out err res at
	wait "$SS_IPERF_PID"
	rc=$?
	out=$SCN_DIR/iperf3-lan3.log
	err=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("error", ""))' "$out" 2>&1) ||
		err="no JSON: $(tail -n 1 "$out")"
	((rc == 0)) && [[ -z $err ]] ||
		{ fail "iperf3's upload failed (exit $rc): $err"; return 1; }
	# Offsets in the test's own time: the event relative to the client's start.
	at=$(( $(elapsed_ms "$SS_IPERF_T0") - $(elapsed_ms "$1") ))
	res=$("$PY" - "$SCN_DIR/iperf3-srv.log" "$at" <<-'PYEOF'
		import json, sys
		d = json.load(open(sys.argv[1]))
		event = int(sys.argv[2]) / 1000.0
		run = longest = after = 0.0
		for i in d["intervals"]:
		    s = i["sum"]
		    if s["bytes"] == 0:
		        run += s["end"] - s["start"]
		        longest = max(longest, run)
		    else:
		        run = 0.0
		    if s["start"] >= event:
		        after += s["bytes"]
		print(int(longest * 1000), "%.1f" % (after / 1e6))
	PYEOF
	) || { fail "iperf3 server's JSON unreadable: $(tail -n 1 "$SCN_DIR/iperf3-srv.log")"; return 1; }
	read -r SS_GAP_IPERF SS_IPERF_AFTER_MB <<<"$res"
	# At the rate set, what the seconds after the event less the allowed
	# outage should carry, halved for a slow start after the retransmits.
	local want secs
	secs=$((SS_IPERF_SECS - at / 1000 - $2 / 1000))
	want=$((SS_IPERF_RATE * secs / 8 / 2))
	"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$SS_IPERF_AFTER_MB" "$want" ||
		{ fail "iperf3: the receiver got $SS_IPERF_AFTER_MB MB after the event, expected at least $want MB"; return 1; }
}
