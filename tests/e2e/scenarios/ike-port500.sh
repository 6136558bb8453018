# SPDX-License-Identifier: MIT
# ike-port500: two LAN hosts send IKE from source port 500 to one strongSwan
# responder on pgsrv1 at the same moment (ike-scan --sport=500: an IKEv2
# IKE_SA_INIT each, with their own initiator SPIs). Passes when both get the
# responder's answer to their own request, and the responder's side of the
# gateway carried two requests from the public address (captured on
# pgsrv1; the ports it saw are reported: a gateway may keep 500 for both and
# tell the answers apart by SPI, or give the second another port).

source "$E2E_DIR/lib/ipsec.sh"

scenario() {
	need ike-scan tshark || return
	local i pids=() seen
	IPSEC_PROPOSALS="aes128-sha256-x25519, aes256-sha256-modp2048, aes128-sha1-modp2048"
	ipsec_start 0 || return
	capture_start srv1-ike "$NS_SRV1" eth0 "udp port 500" || return
	for i in 1 2; do
		spawn "ike-scan-lan$i" "${NS_LAN[$((i - 1))]}" timeout 15 \
			ike-scan -2 --dhgroup=14 --sport=500 --retry=3 --timeout=1000 "$SRV1_IP"
		pids+=("$LAST_PID")
	done
	for i in 1 2; do
		wait "${pids[$((i - 1))]}"
	done
	capture_stop srv1-ike
	tshark -r "$SCN_DIR/srv1-ike.pcap" -n -T fields -e ip.src -e udp.srcport -e ip.dst \
		-Y "ip.dst == $SRV1_IP" >"$SCN_DIR/srv1-ike.txt" 2>/dev/null
	for i in 1 2; do
		grep -qE '[1-9][0-9]* returned handshake' "$SCN_DIR/ike-scan-lan$i.log" ||
			{ fail "lan$i got no IKE_SA_INIT answer: $(grep -m1 -E 'returned|Notify' "$SCN_DIR/ike-scan-lan$i.log" | cut -c 1-100)"; return; }
	done
	seen=$(awk '{print $1 ":" $2}' "$SCN_DIR/srv1-ike.txt" | sort -u)
	# shellcheck disable=SC2086
	all_from_public $seen || { fail "the responder saw IKE from '${seen//$'\n'/ }'"; return; }
	for i in 1 2; do
		report ike-port500 "${LAN_IP[$((i - 1))]}:500" "$SRV1_IP:500/udp" PASS "${seen//$'\n'/ }"
	done
	note "the responder saw IKE from: ${seen//$'\n'/ }"
}
