# SPDX-License-Identifier: MIT
# fwd-ipsec: a strongSwan responder inside the LAN behind forwards of UDP 500
# and 4500, and, at the same time, IPsec passthrough for a LAN client whose
# server is on the WAN (the forwards-vs-passthrough rule, docs/ENGINE.md
# "Inbound": forwards own unsolicited inbound, passthrough keeps working for
# sessions LAN hosts start):
#
#   pgsrv1: initiator ──► 198.51.100.2:500,4500 ──► lan1: responder
#           10.10.1.2        "udp 500 lan1"          10.10.0.1
#                            "udp 4500 lan1"
#   lan2:   initiator ──► (passthrough) ──────────► pgsrv2: responder
#           10.10.1.3                                10.10.0.1
#
# IKEv2 PSK, charon with kernel-libipsec (no kernel ESP here: ESP goes in
# UDP over a TUN device, lib/ipsec.sh). Both initiate at once. Passes when:
#  - a ping from pgsrv1 inside its tunnel reaches lan1's responder;
#  - NAT-T was detected because of the gateway and used: the responder
#    inside logged "local host is behind NAT" (its own address is not the
#    one the initiator dialled), the initiator "remote host is behind NAT",
#    and its SA runs to 198.51.100.2 port 4500 (the second forward);
#  - the responder inside saw the initiator at its own address (a forward
#    translates the destination only);
#  - lan2's tunnel to pgsrv2 carries pings too, lan2 detected the NAT, and
#    pgsrv2 saw it at the public address: with UDP 500 and 4500 forwarded
#    inside, lan2's own IKE and NAT-T still found their way back.

source "$E2E_DIR/lib/ipsec.sh"
GW_FORWARDS=("udp 500 ${LAN_IP[0]}" "udp 4500 ${LAN_IP[0]}")

scenario() {
	local seen i
	IPSEC_NS=("${NS_LAN[0]}" "$NS_SRV1" "${NS_LAN[1]}" "$NS_SRV2")
	IPSEC_SERVER=("" "$WAN_PUB" "$SRV2_IP")
	IPSEC_RESPONDERS="0 3"
	ipsec_start 3 || return
	for i in 1 2; do
		spawn "initiate$i" "$(ipsec_ns "$i")" env STRONGSWAN_CONF="$SCN_DIR/ipsec$i/strongswan.conf" \
			timeout 15 swanctl --initiate --child net --uri "unix://$SCN_DIR/ipsec$i/charon.vici"
	done
	for i in 1 2; do
		if ! wait_until 15 nsx "$(ipsec_ns "$i")" ping -n -c 1 -W 1 10.10.0.1; then
			fail "peer $i ($(fipsec_where "$i")): no ping answered inside the tunnel within 15 s ($(ipsec_why "$i"))"
			return
		fi
		tnsx 10 "$(ipsec_ns "$i")" ping -n -c 5 -i 0.2 -W 2 10.10.0.1 >"$SCN_DIR/tunnel-ping-$i.log" 2>&1 ||
			{ fail "peer $i ($(fipsec_where "$i")): tunnel ping lost replies once up"; return; }
	done

	# The server inside: NAT-T detected and used, the client's own address.
	grep -q 'local host is behind NAT' "$SCN_DIR/ipsec0/charon.log" ||
		{ fail "the responder inside did not detect that it is behind NAT"; return; }
	grep -q 'remote host is behind NAT' "$SCN_DIR/ipsec1/charon.log" ||
		{ fail "pgsrv1's initiator did not detect the NAT in front of the server"; return; }
	seen=$(fipsec_remote 1 srv@pg)
	[[ $seen == "$WAN_PUB:4500" ]] ||
		{ fail "pgsrv1's IKE SA runs to '${seen:-nothing}', expected $WAN_PUB:4500 (NAT-T)"; return; }
	grep -q 'TUNNEL-in-UDP' "$SCN_DIR/ipsec1/list-sas.txt" ||
		{ fail "pgsrv1's CHILD SA is not ESP in UDP"; return; }
	seen=$(fipsec_remote 0 lan1@pg)
	[[ $seen == "$SRV1_IP:4500" ]] ||
		{ fail "the responder inside saw pgsrv1 as '${seen:-nothing}', expected $SRV1_IP:4500"; return; }
	report fwd-ipsec "$SRV1_IP:500,4500" "$WAN_PUB:500,4500 -> ${LAN_IP[0]}" PASS "$seen, NAT-T, ping inside"

	# Passthrough next to the forwards.
	grep -q 'local host is behind NAT' "$SCN_DIR/ipsec2/charon.log" ||
		{ fail "lan2 did not detect the NAT"; return; }
	seen=$(fipsec_remote 3 lan2@pg)
	all_from_public "$seen" ||
		{ fail "pgsrv2's responder saw lan2 as '${seen:-nothing}', expected $WAN_PUB"; return; }
	report fwd-ipsec "${LAN_IP[1]}:500,4500 (passthrough)" "$SRV2_IP:500,4500" PASS "$seen, ping inside"
	if [[ $GATEWAY == passgate ]] && gateway_dump; then
		note "passgated: forwarded_flows $(dump_value forwarded_flows) ike_v2_messages $(dump_value ike_v2_messages)" \
			"natt_flows $(dump_value natt_flows)"
	fi
}

# fipsec_remote N ID - "ADDR:PORT" of the peer with ID in peer N's IKE SAs
# (swanctl --list-sas, kept as ipsecN/list-sas.txt).
fipsec_remote() {
	local d=$SCN_DIR/ipsec$1
	STRONGSWAN_CONF="$d/strongswan.conf" timeout 5 swanctl --list-sas \
		--uri "unix://$d/charon.vici" >"$d/list-sas.txt" 2>&1
	# "remote 'lan1@pg' @ 203.0.113.10[4500]"
	sed -n "s/.*remote '$2' @ \([0-9.]*\)\[\([0-9]*\)\].*/\1:\2/p" "$d/list-sas.txt" | head -n 1
}

# fipsec_where N - which initiator peer N is, for messages.
fipsec_where() {
	case $1 in
	1) echo "pgsrv1 to the server inside" ;;
	2) echo "lan2 to pgsrv2, passthrough" ;;
	esac
}
