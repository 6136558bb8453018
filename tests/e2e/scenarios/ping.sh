# SPDX-License-Identifier: MIT
# ping: two LAN hosts ping a WAN server at the same time. Passes when each
# gets its echo replies back (the server has no route to the LAN, so every
# reply came through the gateway's translation) and the server saw only the
# gateway's public address.

scenario() {
	local i out rx seen=() pids=()
	capture_start srv1 "$NS_SRV1" eth0 "icmp[icmptype] == icmp-echo" || return
	for i in 0 1; do
		# Each sender's own output is its proof: replies received.
		spawn "ping-lan$((i + 1))" "${NS_LAN[$i]}" \
			timeout 10 ping -n -c 5 -i 0.2 -W 2 "$SRV1_IP"
		pids+=("$LAST_PID")
	done
	wait "${pids[@]}"
	capture_stop srv1
	for i in 0 1; do
		out=$SCN_DIR/ping-lan$((i + 1)).log
		rx=$(sed -n 's/.* \([0-9]\+\) received.*/\1/p' "$out")
		# One lost first reply is tolerated (a neighbour still being
		# resolved); three of five are required.
		if [[ -z $rx ]] || ((rx < 3)); then
			fail "lan$((i + 1)) got ${rx:-no} replies of 5 from $SRV1_IP"
			return
		fi
		note "lan$((i + 1)): $rx/5 replies"
	done
	mapfile -t seen < <(capture_sources srv1 icmp)
	all_from_public "${seen[@]}" ||
		{ fail "server saw sources '${seen[*]}', expected only $WAN_PUB"; return; }
	# ICMP has no port; the echo identifier is what the gateway maps.
	local ids
	ids=$(capture_read srv1 | sed -n 's/.*echo request, id \([0-9]*\).*/\1/p' | sort -u | tr '\n' ' ')
	for i in 0 1; do
		report icmp "${LAN_IP[$i]}" "$SRV1_IP" PASS "$WAN_PUB (ids ${ids% })"
	done
}
