# SPDX-License-Identifier: MIT
# udp: two LAN hosts exchange UDP with a WAN echo server, both from the same
# local port 40000 at the same time (so the gateway must give the second one
# another public port), every datagram checked byte for byte on its way back;
# then a short iperf3 UDP stream each way. Passes when every echo came back,
# the server saw two distinct public ports on the gateway's address, and each
# iperf3 receiver counted bytes.

source "$E2E_DIR/lib/iperf.sh"

UDP_PORT=7007
UDP_SPORT=40000

scenario() {
	need iperf3 || return
	local i pids=() line seen=() sent rcvd
	spawn udp-echo-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server "$UDP_PORT"
	wait_listen "$NS_SRV1" udp "$UDP_PORT" || { fail "UDP echo server did not start"; return; }
	for i in 0 1; do
		spawn "udp-echo-lan$((i + 1))" "${NS_LAN[$i]}" timeout 20 \
			"$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-client "$SRV1_IP" "$UDP_PORT" "$UDP_SPORT" 20
		pids+=("$LAST_PID")
	done
	for i in 0 1; do
		wait "${pids[$i]}"
		line=$(grep '^seen ' "$SCN_DIR/udp-echo-lan$((i + 1)).log")
		[[ $line =~ echoed\ 20\  ]] ||
			{ fail "lan$((i + 1)): not every datagram echoed (${line:-no result})"; return; }
		seen[i]=$(awk '{print $2}' <<<"$line")
	done
	all_from_public "${seen[@]}" ||
		{ fail "server saw '${seen[*]}', expected only $WAN_PUB"; return; }
	[[ ${seen[0]} != "${seen[1]}" ]] ||
		{ fail "both LAN hosts were seen as ${seen[0]}: one public port for two hosts"; return; }
	# The server's own log must agree with what it told the clients.
	for i in 0 1; do
		grep -q "from ${seen[$i]} " "$SCN_DIR/udp-echo-srv.log" ||
			{ fail "server log does not show ${seen[$i]}"; return; }
		report udp "${LAN_IP[$i]}:$UDP_SPORT" "$SRV1_IP:$UDP_PORT" PASS "${seen[$i]}"
	done

	# Bulk UDP each way. iperf3's UDP reverse mode works through NAT because
	# the client sends first on the data socket.
	spawn iperf3-srv "$NS_SRV1" iperf3 -s -p 5203 --forceflush
	wait_listen "$NS_SRV1" tcp 5203 || { fail "iperf3 server did not start"; return; }
	for dir in up down; do
		local opt=() log=$SCN_DIR/iperf3-udp-$dir.log
		[[ $dir == down ]] && opt=(-R)
		tnsx 15 "${NS_LAN[2]}" iperf3 -c "$SRV1_IP" -p 5203 -u -b 20M -t 1 -J "${opt[@]}" \
			>"$log" 2>&1
		read -r sent rcvd < <(iperf_bytes "$log")
		note "iperf3 udp $dir: sent $sent received $rcvd"
		if ! [[ $rcvd =~ ^[0-9]+$ ]] || ((rcvd == 0)); then
			fail "iperf3 UDP $dir: receiver got nothing ($(iperf_error "$log"))"
			return
		fi
	done
}
