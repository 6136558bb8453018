# SPDX-License-Identifier: MIT
# tcp: bulk TCP with iperf3 through the gateway, both directions at once:
# lan1 uploads to one server instance while lan2 downloads (-R) from another.
# Passes when each receiver counted bytes (iperf3 reports both ends' counts)
# and each server logged a connection from the gateway's public address.

source "$E2E_DIR/lib/iperf.sh"

TCP_SECS=2

scenario() {
	need iperf3 || return
	local i port pids=() json sent rcvd seen
	for i in 0 1; do
		port=$((5201 + i))
		# One-off servers in the foreground; the log names the peer.
		spawn "iperf3-srv$port" "$NS_SRV1" iperf3 -s -1 -p "$port" --forceflush
		wait_listen "$NS_SRV1" tcp "$port" || { fail "iperf3 server on $port did not start"; return; }
	done
	spawn iperf3-lan1-up "${NS_LAN[0]}" \
		timeout 20 iperf3 -c "$SRV1_IP" -p 5201 -t "$TCP_SECS" -J
	pids+=("$LAST_PID")
	spawn iperf3-lan2-down "${NS_LAN[1]}" \
		timeout 20 iperf3 -c "$SRV1_IP" -p 5202 -t "$TCP_SECS" -R -J
	pids+=("$LAST_PID")
	wait "${pids[@]}"
	for i in 0 1; do
		local dir=up name=iperf3-lan1-up port=$((5201 + i))
		((i == 1)) && dir=down name=iperf3-lan2-down
		json=$SCN_DIR/$name.log
		read -r sent rcvd < <(iperf_bytes "$json")
		note "lan$((i + 1)) $dir: sent $sent received $rcvd"
		if [[ -z $rcvd ]] || ((rcvd <= 0 || sent <= 0)); then
			fail "lan$((i + 1)) $dir: no bytes transferred ($(iperf_error "$json"))"
			return
		fi
		# "Accepted connection from A, port P" is the control connection;
		# "connected to A port P" is the data stream.
		seen=$(sed -n 's/.* connected to \([0-9.]*\) port \([0-9]*\).*/\1:\2/p' \
			"$SCN_DIR/iperf3-srv$port.log" | head -n 1)
		all_from_public "$seen" ||
			{ fail "server on $port saw '${seen:-nothing}', expected $WAN_PUB"; return; }
		report "tcp-$dir" "${LAN_IP[$i]}" "$SRV1_IP:$port" PASS \
			"$seen ($(mbps "$rcvd"))"
	done
}

# mbps BYTES - average rate over the test, for the report.
mbps() {
	echo "$(($1 * 8 / TCP_SECS / 1000000)) Mbit/s"
}
