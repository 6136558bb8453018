# SPDX-License-Identifier: MIT
# sqm-upload: a VPN call survives an upload. The gateway shapes its WAN
# egress to 50 Mbit/s ([wan] shape_up); lan2 saturates it with a 4-stream
# iperf3 upload while lan1's WireGuard tunnel (wireguard-go) to pgsrv1
# carries an irtt session (a probe every 10 ms). Passes when, against the
# same session on the idle line, the tunnel's p99 one-way delay (lan1 ->
# pgsrv1: both ends share this machine's clock) rises by at most 5 ms (the
# bufferbloat A+ grade), irtt loses nothing, and the upload gets at least 90%
# of the shaped rate (iperf3's receiver, first 3 s omitted for slow start).
#
#   lan1 --wg tunnel (irtt)--\                         /-- pgsrv1 10.9.0.1
#                             gateway: 50 Mbit/s up ---
#   lan2 --iperf3 -P 4 ------/   (passgated FQ-CoDel,   \-- pgsrv1:5201
#                                 linux HTB + FIFO)
#
# The 5 ms is the issue's (bufferbloat grade A+). On this loaded two-core
# machine the probe's own programs (wireguard-go and irtt at both ends, in
# user space) sometimes wait a scheduler tick under the upload's CPU load:
# measured rises +1.5, +2.9, -3.3 ms (pass) and +6.1 ms at load 17 with
# another developer's clang-tidy running (p95 3.8 ms, p99 10.4 ms).
#
# Expected per gateway: passgate pass; linux "bloat": this kernel has HTB
# and TBF but no fq_codel or cake, so the upload's packets queue in one FIFO
# in front of the tunnel's.

source "$E2E_DIR/lib/wireguard.sh"
source "$E2E_DIR/lib/iperf.sh"

GW_SHAPE_UP=50mbit
EXPECT_LINUX=bloat
SQM_RATE_BPS=50000000
SQM_LOAD_SECS=16
SQM_DELAY_RISE_MS=5

# sqm_tunnel - a WireGuard tunnel lan1 (10.9.0.2) <-> pgsrv1 (10.9.0.1) with
# an irtt server at the far end; true when a ping crosses it.
sqm_tunnel() {
	local i ns ifs=() pubs=()
	for i in 0 1; do
		ifs[i]=pgsq$i-$SFX
		ns=$NS_SRV1
		((i > 0)) && ns=${NS_LAN[0]}
		wg_peer_start "$i" "$ns" "${ifs[$i]}" || return 1
		pubs[i]=$(wg_pub "$i")
	done
	wgx 0 "$NS_SRV1" set "${ifs[0]}" listen-port 51820 private-key "$SCN_DIR/wg0.key" \
		peer "${pubs[1]}" allowed-ips 10.9.0.2/32 || { fail "wg set on the server failed"; return 1; }
	ip -n "$NS_SRV1" addr add 10.9.0.1/24 dev "${ifs[0]}"
	ip -n "$NS_SRV1" link set "${ifs[0]}" up
	wgx 1 "${NS_LAN[0]}" set "${ifs[1]}" listen-port 51820 private-key "$SCN_DIR/wg1.key" \
		peer "${pubs[0]}" endpoint "$SRV1_IP:51820" allowed-ips 10.9.0.0/24 \
		persistent-keepalive 5 || { fail "wg set on lan1 failed"; return 1; }
	ip -n "${NS_LAN[0]}" addr add 10.9.0.2/24 dev "${ifs[1]}"
	ip -n "${NS_LAN[0]}" link set "${ifs[1]}" up
	wait_until 10 nsx "${NS_LAN[0]}" ping -n -c 1 -W 1 10.9.0.1 >/dev/null ||
		{ fail "no ping inside the tunnel within 10 s"; return 1; }
	spawn irtt-server "$NS_SRV1" irtt server -b 10.9.0.1:2112
	wait_listen "$NS_SRV1" udp 2112 || { fail "irtt server did not start"; return 1; }
}

# sqm_irtt NAME SECS - an irtt session through the tunnel; prints "sent
# lost p50 p99 max" of the one-way delay (ms).
sqm_irtt() {
	tnsx $(($2 + 15)) "${NS_LAN[0]}" irtt client -i 10ms -d "$2s" -Q \
		-o "$SCN_DIR/irtt-$1.json" 10.9.0.1:2112 >"$SCN_DIR/irtt-$1.log" 2>&1
	"$PY" "$E2E_DIR/lib/latency.py" irtt "$SCN_DIR/irtt-$1.json" 2>/dev/null
}

scenario() {
	need wireguard-go wg irtt iperf3 || return
	local idle load up rx_bps ok_delay=1 ok_loss=1 ok_rate=1 rise
	sqm_tunnel || return
	read -r -a idle < <(sqm_irtt idle 5)
	((${#idle[@]} == 5)) || { fail "irtt on the idle line gave no result ($(tail -n 1 "$SCN_DIR/irtt-idle.log"))"; return; }
	note "idle: ${idle[0]} probes, ${idle[1]} lost, one-way p50 ${idle[2]} p99 ${idle[3]} max ${idle[4]} ms"
	spawn iperf3-srv "$NS_SRV1" iperf3 -s -1 -p 5201
	wait_listen "$NS_SRV1" tcp 5201 || { fail "iperf3 server did not start"; return; }
	spawn iperf3-up "${NS_LAN[1]}" timeout $((SQM_LOAD_SECS + 20)) \
		iperf3 -c "$SRV1_IP" -p 5201 -P 4 -t "$SQM_LOAD_SECS" -O 3 -J
	up=$LAST_PID
	sleep 4 # past slow start: the queue is standing when the probes start
	read -r -a load < <(sqm_irtt load $((SQM_LOAD_SECS - 6)))
	wait "$up"
	rx_bps=$("$PY" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' \
		"$SCN_DIR/iperf3-up.log" 2>/dev/null)
	[[ -n $rx_bps ]] || { fail "the upload failed: $(iperf_error "$SCN_DIR/iperf3-up.log")"; return; }
	((${#load[@]} == 5)) || { fail "irtt under load gave no result ($(tail -n 1 "$SCN_DIR/irtt-load.log"))"; return; }
	rise=$("$PY" -c 'import sys; print("%+.3f" % (float(sys.argv[2]) - float(sys.argv[1])))' "${idle[3]}" "${load[3]}")
	note "load: ${load[0]} probes, ${load[1]} lost, one-way p50 ${load[2]} p99 ${load[3]} max ${load[4]} ms; p99 rise $rise ms; upload $((rx_bps / 1000)) kbit/s of $((SQM_RATE_BPS / 1000))"
	gateway_note_shaper
	"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' \
		"$rise" "$SQM_DELAY_RISE_MS" || ok_delay=0
	((load[1] == 0)) || ok_loss=0
	((rx_bps * 10 >= SQM_RATE_BPS * 9)) || ok_rate=0
	report sqm-upload "${LAN_IP[0]}" "10.9.0.1 (wg)" "$( ((ok_delay && ok_loss && ok_rate)) && echo PASS || echo FAIL)" \
		"p99 one-way ${idle[3]} -> ${load[3]} ms, lost ${load[1]}/${load[0]}, upload $((rx_bps / 1000000)) Mbit/s"
	if ((ok_delay && ok_loss && ok_rate)); then
		judge pass "p99 one-way delay $rise ms under a saturating upload, no probe lost, upload $((rx_bps / 1000000)) Mbit/s"
	elif ((ok_rate && !ok_delay)); then
		judge bloat "p99 one-way delay $rise ms (limit $SQM_DELAY_RISE_MS), ${load[1]} probes lost, upload $((rx_bps / 1000000)) Mbit/s"
	else
		fail "p99 one-way delay $rise ms (limit $SQM_DELAY_RISE_MS), ${load[1]} of ${load[0]} probes lost, upload $((rx_bps / 1000)) kbit/s (need 90% of $((SQM_RATE_BPS / 1000)))"
	fi
}
