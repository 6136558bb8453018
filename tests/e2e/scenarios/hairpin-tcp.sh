# SPDX-License-Identifier: MIT
# hairpin-tcp: LAN hosts reach the forwarded TCP servers inside at the public
# address, as outside clients do (RFC 5382 REQ-8), with the forwards of
# port-forward (lib/forward.sh):
#  - lan3 -> TCP 198.51.100.2:8080 (lan1:7070): 64 KB echoed;
#  - lan1 -> TCP 198.51.100.2:9001 (lan2:9001), another server's host;
#  - lan1 -> TCP 198.51.100.2:8080, its own server (lan1:7070);
# and every server inside must have seen the gateway's public address as the
# source: it answered 198.51.100.2, so its answers went back through the
# gateway (had it seen the LAN host's own address it would have answered
# directly, and the client, expecting 198.51.100.2, would have reset them).
# Linux: the dnat of the forwards applies from the LAN too, and LAN-to-LAN
# traffic it redirected is source-NATed to the public address.
# The UDP half is hairpin-udp.

source "$E2E_DIR/lib/forward.sh"
GW_FORWARDS=("${FWD_RULES[@]}")

scenario() {
	local hp=
	fwd_servers || return
	fwd_tcp hairpin-tcp-8080 "${NS_LAN[2]}" "$WAN_PUB" 8080 65536 ||
		{ fail "lan3 -> TCP $WAN_PUB:8080 (lan1:7070): $FWD_LINE"; return; }
	[[ ${FWD_SEEN%%:*} == "$WAN_PUB" ]] ||
		{ fail "lan1's TCP server saw lan3 as '$FWD_SEEN', expected $WAN_PUB"; return; }
	grep -q "^from $FWD_SEEN to 7070 bytes 65536" "$SCN_DIR/tcp-echo-lan1.log" ||
		{ fail "lan1's TCP server did not log $FWD_SEEN"; return; }
	report hairpin-tcp "${LAN_IP[2]} -> $WAN_PUB:8080" "${LAN_IP[0]}:7070/tcp" PASS "$FWD_SEEN, 64 KB echoed"

	fwd_tcp hairpin-tcp-9001 "${NS_LAN[0]}" "$WAN_PUB" 9001 8192 ||
		{ fail "lan1 -> TCP $WAN_PUB:9001 (lan2:9001): $FWD_LINE"; return; }
	[[ ${FWD_SEEN%%:*} == "$WAN_PUB" ]] ||
		{ fail "lan2's TCP server saw lan1 as '$FWD_SEEN', expected $WAN_PUB"; return; }
	report hairpin-tcp "${LAN_IP[0]} -> $WAN_PUB:9001" "${LAN_IP[1]}:9001/tcp" PASS "$FWD_SEEN, 8 KB echoed"

	fwd_tcp hairpin-self-8080 "${NS_LAN[0]}" "$WAN_PUB" 8080 8192 ||
		{ fail "lan1 -> TCP $WAN_PUB:8080 (its own lan1:7070): $FWD_LINE"; return; }
	[[ ${FWD_SEEN%%:*} == "$WAN_PUB" ]] ||
		{ fail "lan1's TCP server saw lan1 itself as '$FWD_SEEN', expected $WAN_PUB"; return; }
	report hairpin-tcp "${LAN_IP[0]} -> $WAN_PUB:8080" "${LAN_IP[0]}:7070/tcp (itself)" PASS "$FWD_SEEN, 8 KB echoed"

	if [[ $GATEWAY == passgate ]] && gateway_dump; then
		hp=$(dump_value hairpin_flows)
		note "passgated hairpin_flows $hp"
		((hp >= 3)) || { fail "passgated counted $hp hairpin flows, expected at least 3"; return; }
	fi
}
