# SPDX-License-Identifier: MIT
# sqm-download: the download direction of the WAN shaper ([wan] shape_down,
# shaping the LAN link's egress as SQM's ingress shaping does). The gateway
# shapes it to 50 Mbit/s; lan2 downloads from pgsrv1 with iperf3 -R, 4
# streams, while lan1 pings pgsrv1 every 10 ms. Passes when, against the
# same pings on the idle line, the p99 round trip rises by at most
# DL_RISE_MS, no ping is lost, and the download gets at least 85% of the
# shaped rate (first 3 s omitted; the senders are on the far side of the
# shaper and learn of it only from its drops, so the margin is wider than
# upload's). DL_RISE_MS is 10, not sqm-upload's 5: a ping's round trip
# crosses the data path twice, and on this loaded two-core machine about 5%
# of them wait a scheduler tick (4 ms) for the daemon under load (measured:
# p50 0.26, p95 3.7, p99 6.5 ms, against 0.2 ms idle).
#
#   lan1 <--ping replies---\                            /-- pgsrv1
#                            gateway: 50 Mbit/s down ---
#   lan2 <--iperf3 -R -P 4--/   (LAN egress shaped)     \-- pgsrv1:5201
#
# Expected per gateway: passgate pass; linux "bloat" (an HTB class on lan0
# with its FIFO: the download's queue sits in front of the pings).

source "$E2E_DIR/lib/iperf.sh"

GW_SHAPE_DOWN=50mbit
EXPECT_LINUX=bloat
DL_RATE_BPS=50000000
DL_SECS=12
DL_RISE_MS=${DL_RISE_MS:-10}

# dl_ping NAME COUNT - lan1's pings to pgsrv1 every 10 ms: "sent lost avg p99 max".
dl_ping() {
	tnsx 60 "${NS_LAN[0]}" ping -n -c "$2" -i 0.01 -W 1 "$SRV1_IP" >"$SCN_DIR/ping-$1.log" 2>&1
	"$PY" "$E2E_DIR/lib/latency.py" ping "$SCN_DIR/ping-$1.log"
}

scenario() {
	need iperf3 || return
	local idle load down rx_bps rise ok_delay=1 ok_loss=1 ok_rate=1
	tnsx 10 "${NS_LAN[0]}" ping -n -c 3 -i 0.2 -W 1 "$SRV1_IP" >/dev/null 2>&1
	read -r -a idle < <(dl_ping idle 300)
	((${#idle[@]} == 5)) || { fail "no ping result on the idle line"; return; }
	spawn iperf3-srv "$NS_SRV1" iperf3 -s -1 -p 5201
	wait_listen "$NS_SRV1" tcp 5201 || { fail "iperf3 server did not start"; return; }
	spawn iperf3-down "${NS_LAN[1]}" timeout $((DL_SECS + 20)) \
		iperf3 -c "$SRV1_IP" -p 5201 -R -P 4 -t "$DL_SECS" -O 3 -J
	down=$LAST_PID
	sleep 4
	read -r -a load < <(dl_ping load $(((DL_SECS - 6) * 100)))
	wait "$down"
	rx_bps=$("$PY" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' \
		"$SCN_DIR/iperf3-down.log" 2>/dev/null)
	[[ -n $rx_bps ]] || { fail "the download failed: $(iperf_error "$SCN_DIR/iperf3-down.log")"; return; }
	((${#load[@]} == 5)) || { fail "no ping result under load"; return; }
	rise=$("$PY" -c 'import sys; print("%.3f" % (float(sys.argv[2]) - float(sys.argv[1])))' "${idle[3]}" "${load[3]}")
	note "idle: avg ${idle[2]} p99 ${idle[3]} ms; download: ${load[1]}/${load[0]} lost, avg ${load[2]} p99 ${load[3]} max ${load[4]} ms; p99 rise $rise ms; download $((rx_bps / 1000)) kbit/s of $((DL_RATE_BPS / 1000))"
	gateway_note_shaper
	"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' "$rise" "$DL_RISE_MS" || ok_delay=0
	((load[1] == 0)) || ok_loss=0
	((rx_bps * 100 >= DL_RATE_BPS * 85)) || ok_rate=0
	report sqm-download "${LAN_IP[0]}" "$SRV1_IP" "$( ((ok_delay && ok_loss && ok_rate)) && echo PASS || echo FAIL)" \
		"p99 RTT ${idle[3]} -> ${load[3]} ms, lost ${load[1]}/${load[0]}, download $((rx_bps / 1000000)) Mbit/s"
	if ((ok_delay && ok_loss && ok_rate)); then
		judge pass "p99 RTT +$rise ms under a saturating download, no ping lost, download $((rx_bps / 1000000)) Mbit/s"
	elif ((ok_rate && !ok_delay)); then
		judge bloat "p99 RTT +$rise ms (limit $DL_RISE_MS), ${load[1]} pings lost, download $((rx_bps / 1000000)) Mbit/s"
	else
		fail "p99 RTT +$rise ms (limit $DL_RISE_MS), ${load[1]} of ${load[0]} pings lost, download $((rx_bps / 1000)) kbit/s (need 85% of $((DL_RATE_BPS / 1000)))"
	fi
}
