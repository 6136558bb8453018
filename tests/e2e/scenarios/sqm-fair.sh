# SPDX-License-Identifier: MIT
# sqm-fair: the shaped uplink is shared per LAN host, not per flow. The
# gateway shapes its WAN egress to 50 Mbit/s ([wan] shape_up); lan1 uploads
# to pgsrv1 with 32 TCP streams while lan2 uploads with one, both for 12 s
# (iperf3, first 3 s omitted). Passes when the two hosts' receivers counted
# rates within 10% of each other (of their mean), and the two together got
# at least 70% of the shaped rate (a sanity bound: 91-93% on this two-core
# machine at load 10-13, 79% with another developer's clang-tidy running at
# load 17; the shares stayed within 2.4% either way).
#
#   lan1 --iperf3 -P 32 --\                          /-- pgsrv1:5201
#                          gateway: 50 Mbit/s up ---
#   lan2 --iperf3 -P 1 ---/                          \-- pgsrv1:5202
#
# Expected per gateway: passgate pass (two-level DRR: hosts, then flows);
# linux "unfair": one HTB class with a FIFO shares by flow, so the 32
# streams take most of the line (no fq_codel or cake in this kernel, and
# neither would share per host without cake's host isolation).

source "$E2E_DIR/lib/iperf.sh"

GW_SHAPE_UP=50mbit
EXPECT_LINUX=unfair
FAIR_SECS=15
FAIR_RATE_BPS=50000000

scenario() {
	need iperf3 || return
	local p pids=() a b diff
	for p in 5201 5202; do
		spawn "iperf3-srv$p" "$NS_SRV1" iperf3 -s -1 -p "$p"
		wait_listen "$NS_SRV1" tcp "$p" || { fail "iperf3 server on $p did not start"; return; }
	done
	spawn iperf3-lan1-32 "${NS_LAN[0]}" timeout $((FAIR_SECS + 20)) \
		iperf3 -c "$SRV1_IP" -p 5201 -P 32 -t "$FAIR_SECS" -O 3 -J
	pids+=("$LAST_PID")
	spawn iperf3-lan2-1 "${NS_LAN[1]}" timeout $((FAIR_SECS + 20)) \
		iperf3 -c "$SRV1_IP" -p 5202 -P 1 -t "$FAIR_SECS" -O 3 -J
	pids+=("$LAST_PID")
	wait "${pids[@]}"
	a=$(fair_rx_bps "$SCN_DIR/iperf3-lan1-32.log")
	b=$(fair_rx_bps "$SCN_DIR/iperf3-lan2-1.log")
	[[ -n $a ]] || { fail "lan1's upload failed: $(iperf_error "$SCN_DIR/iperf3-lan1-32.log")"; return; }
	[[ -n $b ]] || { fail "lan2's upload failed: $(iperf_error "$SCN_DIR/iperf3-lan2-1.log")"; return; }
	diff=$(((a > b ? a - b : b - a) * 1000 / ((a + b) / 2)))
	note "lan1 (32 streams) $((a / 1000)) kbit/s, lan2 (1 stream) $((b / 1000)) kbit/s; difference $((diff / 10)).$((diff % 10))% of the mean"
	gateway_note_shaper
	report sqm-fair "${LAN_IP[0]} x32, ${LAN_IP[1]} x1" "$SRV1_IP:5201-5202" \
		"$( ((diff <= 100)) && echo PASS || echo FAIL)" "$((a / 1000000)) / $((b / 1000000)) Mbit/s"
	if (((a + b) * 100 < FAIR_RATE_BPS * 70)); then
		fail "together $(((a + b) / 1000)) kbit/s, under 70% of $((FAIR_RATE_BPS / 1000)) kbit/s"
	elif ((diff <= 100)); then
		judge pass "32 streams $((a / 1000000)) Mbit/s, 1 stream $((b / 1000000)) Mbit/s (within $((diff / 10)).$((diff % 10))%)"
	else
		judge unfair "32 streams $((a / 1000000)) Mbit/s, 1 stream $((b / 1000000)) Mbit/s ($((diff / 10))% apart)"
	fi
}

# fair_rx_bps JSON - the receiver's average rate (bits/s) after the omitted seconds.
fair_rx_bps() {
	"$PY" -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' \
		"$1" 2>/dev/null
}
