# SPDX-License-Identifier: MIT
# fwd-esp: an IPsec server inside (lib/espprobe.py's responder on lan1,
# behind "udp 500" and "esp" forwards) next to IPsec passthrough from another
# LAN host, at the same time:
#  - pgsrv2 runs a raw ESP client against the public address: its IKE-like
#    exchange (UDP 500) and its ESP reach lan1 and are answered;
#  - lan2 runs a raw ESP client against a responder on pgsrv1, as in
#    esp-raw: its IKE leaves from another public port than 500 (forwarded
#    ports are reserved), and the responder's ESP answers must come back to
#    lan2, not go to the ESP forward's host.
# docs/ENGINE.md "Inbound": "The same holds for GRE and ESP forwards next to
# PPTP and IPsec passthrough: calls and SAs LAN clients opened are found by
# their flows first." Passes when both clients get their own replies, and
# lan1's responder saw no ESP it does not know.

GW_FORWARDS=("udp 500 ${LAN_IP[0]}" "esp ${LAN_IP[0]}")

ESPF_COUNT=20
ESPF_INTERVAL=0.2

scenario() {
	local i line seen good bad foreign pids=() who=(srv2 lan2) ns=("$NS_SRV2" "${NS_LAN[1]}")
	local dst=("$WAN_PUB" "$SRV1_IP") stray
	spawn esp-responder-lan1 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/espprobe.py" responder
	local r1=$LAST_PID
	spawn esp-responder-srv1 "$NS_SRV1" "$PY" "$E2E_DIR/lib/espprobe.py" responder
	wait_alive "$r1" 5 listening "${NS_LAN[0]}" udp 500 && wait_alive "$LAST_PID" 5 listening "$NS_SRV1" udp 500 ||
		{ fail "the ESP responders did not start"; return; }
	for i in 0 1; do
		spawn "esp-${who[$i]}" "${ns[$i]}" timeout 15 "$PY" "$E2E_DIR/lib/espprobe.py" \
			client "${who[$i]}" "${dst[$i]}" "$ESPF_COUNT" "$ESPF_INTERVAL"
		pids+=("$LAST_PID")
	done
	for i in 0 1; do
		wait "${pids[$i]}"
	done
	stray=$(grep -c 'unknown spi' "$SCN_DIR/esp-responder-lan1.log")
	note "lan1's responder: $stray ESP packets with an unknown SPI: $(grep -m1 'unknown spi' "$SCN_DIR/esp-responder-lan1.log")"
	if [[ $GATEWAY == passgate ]] && gateway_dump; then
		note "passgated: forwarded_flows $(dump_value forwarded_flows) esp_sa_out $(dump_value esp_sa_out)" \
			"esp_spi_learned $(dump_value esp_spi_learned) drop_unsolicited $(dump_value drop_unsolicited)"
	fi
	for i in 0 1; do
		line=$(grep '^result ' "$SCN_DIR/esp-${who[$i]}.log")
		note "${who[$i]}: $line"
		[[ $line == *" seen="* ]] ||
			{ fail "${who[$i]}: the IKE-like exchange with ${dst[$i]} failed (${line:-no result})"; return; }
		seen=$(sed -n 's/.* seen=\([^ ]*\) .*/\1/p' <<<"$line")
		good=$(sed -n 's/.* good=\([0-9]*\) .*/\1/p' <<<"$line")
		bad=$(sed -n 's/.* bad=\([0-9]*\) .*/\1/p' <<<"$line")
		foreign=$(sed -n 's/.* foreign=\([0-9]*\) .*/\1/p' <<<"$line")
		((bad == 0 && foreign == 0)) ||
			{ fail "${who[$i]} got ESP that was not its own: $bad with a wrong payload, $foreign to another SPI"; return; }
		((good >= ESPF_COUNT / 2)) || {
			fail "${who[$i]}: $good of $ESPF_COUNT ESP packets to ${dst[$i]} answered (lan1's responder got $stray it did not know)"
			return
		}
		report esp "${who[$i]}" "${dst[$i]} (proto 50)" PASS "$seen (IKE), $good/$ESPF_COUNT ESP echoed"
	done
	[[ $(sed -n 's/.* seen=\([^ ]*\) .*/\1/p' <<<"$(grep '^result ' "$SCN_DIR/esp-srv2.log")") == "$SRV2_IP:500" ]] ||
		{ fail "lan1's responder did not see pgsrv2 at $SRV2_IP:500"; return; }
	((stray == 0)) || { fail "lan1's responder got $stray ESP packets that were not for it"; return; }
}
