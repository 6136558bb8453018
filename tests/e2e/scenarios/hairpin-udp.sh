# SPDX-License-Identifier: MIT
# hairpin-udp: UDP through the public address from inside the LAN
# (RFC 4787 REQ-9), in two parts.
#
# 1. A forward: lan3 -> UDP 198.51.100.2:5353 (lan1:7007, the forwards of
#    port-forward, lib/forward.sh): 10 datagrams echoed, and lan1's server
#    saw the public address as the source, so its answers went back through
#    the gateway. Both gateways must do this.
# 2. Mappings (what hairpin-p2p was): two LAN hosts learn their public UDP
#    mappings from a UDP echo on pgsrv1, then both send to the other's
#    public address:port for 3 s, 5 packets a second (lib/udppunch.py), as
#    peer-to-peer programs behind one NAT do. What each gateway is expected
#    to do (lib/scenario-env.sh, judge):
#     - passgate: docs/ENGINE.md "Inbound": a LAN host sending to a port
#       another LAN host's mapping holds reaches that host, subject to
#       filtering as from outside; each host has sent to the public address,
#       so each filter lets the other's packets in: "both";
#     - linux: nftables masquerade does not hairpin mappings (a packet to
#       the public address from the LAN is for the router itself): "none".
# 3. To oneself (RFC 4787 REQ-9, the STUN hairpinning test of RFC 5780 4.6):
#    lan3 learns its public UDP mapping from the echo on pgsrv1 and sends to
#    that address:port for 2 s (lib/udppunch.py self). Expected: passgate
#    "back" (its packets come back to it from its own public address:port),
#    linux "none".
# The TCP half is hairpin-tcp.

source "$E2E_DIR/lib/forward.sh"
GW_FORWARDS=("${FWD_RULES[@]}")
EXPECT_PASSGATE=both
EXPECT_LINUX=none

scenario() {
	fwd_servers || return
	fwd_udp hairpin-udp-5353 "${NS_LAN[2]}" "$WAN_PUB" 5353 42000 10 ||
		{ fail "lan3 -> UDP $WAN_PUB:5353 (lan1:7007): $FWD_LINE"; return; }
	[[ ${FWD_SEEN%%:*} == "$WAN_PUB" ]] ||
		{ fail "lan1's UDP server saw lan3 as '$FWD_SEEN', expected $WAN_PUB"; return; }
	grep -q "^from $FWD_SEEN " "$SCN_DIR/udp-echo-lan1.log" ||
		{ fail "lan1's UDP server did not log $FWD_SEEN"; return; }
	report hairpin-udp "${LAN_IP[2]}:42000 -> $WAN_PUB:5353" "${LAN_IP[0]}:7007/udp" PASS "$FWD_SEEN, 10 echoed"
	hairpin_mappings || return
	hairpin_self
}

# hairpin_self - part 3: lan3 sends to its own public mapping (the UDP echo
# on pgsrv1 from part 2 tells it which that is).
hairpin_self() {
	local line pub sent got from word text
	# Its own expectations: what each gateway does to a host's packet to itself.
	local EXPECT_PASSGATE=back EXPECT_LINUX=none
	spawn punch-self-lan3 "${NS_LAN[2]}" timeout 15 "$PY" "$E2E_DIR/lib/udppunch.py" \
		self lan3 "$SRV1_IP" 44003 2
	wait "$LAST_PID"
	line=$(grep '^result ' "$SCN_DIR/punch-self-lan3.log")
	note "lan3 to itself: $line"
	pub=$(sed -n 's/.* public=\([^ ]*\) .*/\1/p' <<<"$line")
	sent=$(sed -n 's/.* sent=\([0-9]*\).*/\1/p' <<<"$line")
	got=$(sed -n 's/.* received=\([0-9]*\).*/\1/p' <<<"$line")
	from=$(sed -n 's/.* from_public=\([0-9]*\).*/\1/p' <<<"$line")
	all_from_public "$pub" || { fail "lan3 could not learn its public mapping (${line:-no result})"; return; }
	if ((got > 0 && got == from)); then
		word=back text="lan3's packets to $pub came back to it from $pub ($got of $sent)"
	elif ((got == 0)); then
		word=none text="none of lan3's $sent packets to its own $pub came back"
	else
		word=wrong-source text="$got of lan3's packets came back, only $from from $pub"
	fi
	judge "$word" "$text" || return
	report hairpin-udp "${LAN_IP[2]}:44003 -> itself" "$pub" PASS "$got of $sent back from $pub"
}

# hairpin_mappings - part 2: lan1 and lan2 through each other's mappings.
hairpin_mappings() {
	local i pids=() line got=() pub=() word text
	spawn udp-echo-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7007
	wait_listen "$NS_SRV1" udp 7007 || { fail "UDP echo server did not start"; return; }
	for i in 1 2; do
		spawn "punch-lan$i" "${NS_LAN[$((i - 1))]}" timeout 15 "$PY" "$E2E_DIR/lib/udppunch.py" \
			peer "lan$i" "$SRV1_IP" "4400$i" "$SCN_DIR/public-lan$i" "$SCN_DIR/public-lan$((3 - i))" 3
		pids+=("$LAST_PID")
	done
	for i in 1 2; do
		wait "${pids[$((i - 1))]}"
		line=$(grep '^result ' "$SCN_DIR/punch-lan$i.log")
		note "lan$i: $line"
		pub[i]=$(sed -n 's/.* public=\([^ ]*\) .*/\1/p' <<<"$line")
		got[i]=$(sed -n 's/.* received=\([0-9]*\).*/\1/p' <<<"$line")
		all_from_public "${pub[$i]}" ||
			{ fail "lan$i could not learn its public mapping (${line:-no result})"; return; }
	done
	if [[ $GATEWAY == passgate ]] && gateway_dump; then
		note "passgated: hairpin_flows $(dump_value hairpin_flows) to_gateway $(dump_value to_gateway) drop_filtered $(dump_value drop_filtered)"
	fi
	if ((got[1] > 0 && got[2] > 0)); then
		word=both text="each host got the other's packets through ${pub[1]} and ${pub[2]} (${got[1]}, ${got[2]})"
	elif ((got[1] == 0 && got[2] == 0)); then
		word=none text="neither host got the other's packets at ${pub[1]}, ${pub[2]}"
	else
		word=one-way text="only one host got the other's packets (lan1 ${got[1]}, lan2 ${got[2]})"
	fi
	judge "$word" "$text" || return
	report hairpin-udp "${LAN_IP[0]}:44001 <-> ${LAN_IP[1]}:44002" "${pub[1]}, ${pub[2]}" PASS \
		"got ${got[1]}, ${got[2]}"
}
