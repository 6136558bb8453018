# SPDX-License-Identifier: MIT
# web-graphs: the admin page's live graphs show a running transfer, and
# a capture of it is started and downloaded from the page.
#
#   Chromium ──http──► passgated's page (127.0.0.1:8080 in pggw-S)
#   lan3 ── iperf3 UDP, 8 Mbit/s ──► passgated ──► srv1 (iperf3 -s)
#
# While lan3 sends, tests/web/graphs.js waits for the WAN graph's upload
# line and checks it against the daemon: its current rate within
# [0.6, 1.5] of 8 Mbit/s, its last sample's byte count at most a few
# seconds' traffic behind the WAN link's tx_bytes (GET /api/v1/status);
# and lan1's NAT-T stream (2 Mbit/s) has its own line in the VPN sessions
# graph: rate within [0.6, 1.5] of it, last sample within a few seconds of
# the bytes GET /api/v1/sessions counts for it.
# Then, the transfer still running, tests/web/capture.js arms a 3 s
# capture from the page (filter "udp port 5211", WAN link), waits for it
# to finish and downloads the pcap: tshark must find the transfer's
# datagrams in it, from the gateway's public address to srv1. iperf3's own
# result must show the bytes arrived. Screenshots: build/web-graphs.png,
# build/web-capture.png. Only for --gateway passgate.

source "$E2E_DIR/lib/iperf.sh"
# api_restart, API*: the api scenario's helpers.
source "$E2E_DIR/scenarios/api.sh"

GRAPHS_RATE=8000000
# lan1's NAT-T stream: an IKE header on UDP 4500 (non-ESP marker), then
# ESP-in-UDP datagrams of 1000 bytes (1028 with UDP and IP headers) at a
# fixed pace; the gateway's IPsec helper follows it as a "nat-t" session.
GRAPHS_NATT_PPS=250
GRAPHS_NATT_RATE=$((GRAPHS_NATT_PPS * 1028 * 8))
GRAPHS_NATT='
import os, socket, struct, sys, time
dst, pps, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4500))
ike = os.urandom(8) + bytes(8) + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0, 28)
s.sendto(bytes(4) + ike, (dst, 4500))
spi, t0, n = 0x1234abcd, time.monotonic(), 0
while time.monotonic() - t0 < secs:
    n += 1
    s.sendto(struct.pack("!II", spi, n) + bytes(992), (dst, 4500))
    time.sleep(max(0.0, t0 + n / pps - time.monotonic()))
'

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the admin page is passgated's own: run with --gateway passgate"; return; }
	need node chromium iperf3 python3 || return
	local log=$SCN_DIR/iperf3.json sent rcvd said
	api_restart || return
	spawn graphs-iperf3-srv "$NS_SRV1" iperf3 -s -p 5211
	wait_listen "$NS_SRV1" tcp 5211 || { fail "iperf3 server did not start"; return; }
	spawn graphs-iperf3 "${NS_LAN[2]}" sh -c \
		"exec iperf3 -c $SRV1_IP -p 5211 -u -b $GRAPHS_RATE -t 35 -J >'$log' 2>&1"
	local client=$LAST_PID
	# A VPN session of its own for the per-session graph: NAT-T from lan1.
	spawn graphs-natt "${NS_LAN[0]}" "$PY" -c "$GRAPHS_NATT" "$SRV1_IP" "$GRAPHS_NATT_PPS" 40
	tnsx 100 "$NS_GW" node "$REPO/tests/web/graphs.js" "$API/" "$API_PASSWORD" \
		"$((GRAPHS_RATE + GRAPHS_NATT_RATE))" "$REPO/build/web-graphs.png" "nat-t ${LAN_IP[0]}" "$GRAPHS_NATT_RATE" >>"$SCN_DIR/browser.log" 2>&1 ||
		{ fail "graphs: $(grep -v Warning "$SCN_DIR/browser.log" | tail -n 1)"; return; }
	said=$(grep '^graphs: ' "$SCN_DIR/browser.log" | tail -n 1)
	graphs_capture || return
	wait "$client"
	read -r sent rcvd < <(iperf_bytes "$log")
	[[ $rcvd =~ ^[0-9]+$ ]] && ((rcvd > 0)) || { fail "iperf3: srv1 received nothing ($(iperf_error "$log"))"; return; }
	note "$said; iperf3 sent $sent received $rcvd; $GRAPHS_CAP"
	report web-graphs "${LAN_IP[2]}" "$SRV1_IP:5211" PASS "${said#graphs: }"
}

# graphs_capture - the page arms, finishes and hands over a capture of the
# transfer; the file holds its datagrams as they left the WAN link.
graphs_capture() {
	local pcap=$SCN_DIR/page.pcap n
	need tshark || return
	tnsx 60 "$NS_GW" node "$REPO/tests/web/capture.js" "$API/" "$API_PASSWORD" "udp port 5211" wan 3 \
		"$pcap" "$REPO/build/web-capture.png" >>"$SCN_DIR/browser.log" 2>&1 ||
		{ fail "capture: $(grep -v Warning "$SCN_DIR/browser.log" | tail -n 1)"; return; }
	n=$(tshark -r "$pcap" -n -Y "ip.src == $WAN_PUB && ip.dst == $SRV1_IP && udp.dstport == 5211" 2>/dev/null | wc -l)
	# 8 Mbit/s of ~1.4 kB datagrams is ~700 a second: 3 s hold well over 1000.
	((n >= 1000)) || { fail "the page's pcap holds $n of the transfer's datagrams (want >= 1000)"; return; }
	GRAPHS_CAP="page capture: $n datagrams to srv1:5211 in the downloaded pcap"
}
