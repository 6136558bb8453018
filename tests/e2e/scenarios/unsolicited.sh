# SPDX-License-Identifier: MIT
# unsolicited: a stranger on the WAN (pgsrv2) tries to reach the LAN:
#  - TCP and UDP to the gateway's public address on ports nobody opened;
#  - UDP to the public port of a live mapping lan1 holds with ANOTHER server
#    (address-dependent filtering must refuse it);
#  - TCP, UDP and ping straight to 192.168.1.10, through a route the
#    internet router is given for the duration (an ISP-side attacker).
# Passes when every attempt goes unanswered (the gateway drops silently),
# no packet from outside arrives at any LAN host (captures on their links),
# and the gateway counted at least one drop per attempt (each sends at least
# one packet; TCP retries a SYN within the 2 s).

scenario() {
	local i line pub port before after specs=() bad=() n probes=0 before_u after_u
	# lan1 opens a UDP mapping to pgsrv1 and learns its public port.
	spawn udp-echo-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7007
	wait_listen "$NS_SRV1" udp 7007 || { fail "UDP echo server did not start"; return; }
	line=$(tnsx 10 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-client "$SRV1_IP" 7007 40001 1)
	pub=$(awk '$1 == "seen" {print $2}' <<<"$line")
	[[ ${pub%%:*} == "$WAN_PUB" ]] || { fail "lan1 could not open a UDP mapping ($line)"; return; }

	for i in 0 1 2; do
		# -Q in: only what arrived at the host. LAN hosts' own multicast
		# (IGMP reports flooded by the switch) is not from outside.
		CAP_NOWAIT=1 capture_start "lan$((i + 1))" "${NS_LAN[$i]}" eth0 \
			"ip and not ip multicast and not ip broadcast" -Q in
	done
	for i in 1 2 3; do capture_ready "lan$i" || return; done
	read -r before before_u < <(gateway_unsolicited_count)
	[[ $before =~ ^[0-9]+$ ]] || { fail "cannot read the gateway's unsolicited counter"; return; }

	for port in 22 80 443 1723 5201; do specs+=("tcp:$WAN_PUB:$port"); done
	for port in 53 500 1194 4500 51820; do specs+=("udp:$WAN_PUB:$port"); done
	specs+=("udp:$pub" "tcp:${LAN_IP[0]}:22" "udp:${LAN_IP[0]}:7007")
	ip -n "$NS_INET" route add "$LAN_NET" via "$WAN_PUB"
	spawn ping-private "$NS_SRV2" timeout 5 ping -n -c 2 -i 0.5 -W 1 "${LAN_IP[0]}"
	local ping_pid=$LAST_PID
	probes=$((${#specs[@]} + 2))
	tnsx 10 "$NS_SRV2" "$PY" "$E2E_DIR/lib/netprobe.py" probe 2 "${specs[@]}" \
		>"$SCN_DIR/probe.log" 2>&1
	wait "$ping_pid"
	ip -n "$NS_INET" route del "$LAN_NET" via "$WAN_PUB"
	capture_stop lan1 lan2 lan3
	read -r after after_u < <(gateway_unsolicited_count)
	note "unsolicited counter: before $before after $after"

	(($(grep -c . "$SCN_DIR/probe.log") == ${#specs[@]})) ||
		{ fail "probe did not run: $(head -n 1 "$SCN_DIR/probe.log")"; return; }
	mapfile -t bad < <(grep -v ' silent$' "$SCN_DIR/probe.log")
	((${#bad[@]} == 0)) ||
		{ fail "answered (the gateway must stay silent): ${bad[*]}"; return; }
	grep -q ' 0 received' "$SCN_DIR/ping-private.log" ||
		{ fail "ping from the WAN to ${LAN_IP[0]} was answered"; return; }
	for i in 1 2 3; do
		capture_complete "lan$i" || { fail "the capture on lan$i lost packets"; return; }
		n=$(capture_count "lan$i")
		((n == 0)) || {
			fail "lan$i received $n packets from outside: $(capture_read "lan$i" | head -n 1)"
			return
		}
	done
	[[ $after =~ ^[0-9]+$ ]] || { fail "cannot read the gateway's unsolicited counter afterwards"; return; }
	((after - before >= probes)) ||
		{ fail "inbound drop counters grew by $((after - before)), expected at least $probes"; return; }
	# The attempts at ports nobody opened must be counted as such.
	((after_u > before_u)) ||
		{ fail "the unsolicited counter itself did not grow ($before_u -> $after_u)"; return; }
	report unsolicited "$SRV2_IP (stranger)" "$WAN_PUB, ${LAN_IP[0]}" PASS \
		"${#specs[@]} attempts + ping dropped, counted $((after - before))"
}
