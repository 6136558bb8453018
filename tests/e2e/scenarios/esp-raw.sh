# SPDX-License-Identifier: MIT
# esp-raw: two (esp-raw-multi: three) LAN clients hold raw ESP (IP protocol 50, no UDP) SAs with one
# WAN responder at the same time, as IPsec without NAT-T does. lib/espprobe.py
# stands in for both ends (no kernel ESP here): each client runs an IKE-like
# exchange on UDP 500 (both from source port 500) that tells each side the
# SPI the other sends to; then both send 20 ESP packets, one every 200 ms,
# starting at the same moment. The responder answers each on the client's
# own SPI with the same sequence number and the payload echoed, the first
# answers of each SA held 0.5 s (a server slow to install its SA), so the
# two clients' SPIs are in doubt at the same time.
#
# What each gateway is expected to do (lib/scenario-env.sh, judge):
#  - passgate keys raw ESP by SPI and learns each server SPI from the first
#    answer (docs/ENGINE.md "IPsec"); while one client's SPI is being learnt
#    another client's first ESP may be dropped, so the clients keep sending
#    like real IPsec does: all get their own replies ("all");
#  - Linux NAT keeps one proto-50 conntrack entry per (address, server)
#    pair: one client gets its replies, the others nothing ("one").
# Anything else (no client served, a reply on the wrong SPI or with the
# wrong payload, a client getting the other's replies) fails on both.

EXPECT_PASSGATE=all
EXPECT_LINUX=one

ESP_CLIENTS=${ESP_CLIENTS:-2} # esp-raw-multi sets 3
ESP_COUNT=${ESP_COUNT:-20}
ESP_INTERVAL=0.2
ESP_DELAY=${ESP_DELAY:-0.5}
ESP_MIN_GOOD=${ESP_MIN_GOOD:-$((ESP_COUNT / 2))} # answers that make a client served
ESP_RESPONDER=(${ESP_RESPONDER[@]+"${ESP_RESPONDER[@]}"}) # extra responder arguments

scenario() {
	local i pids=() line ok=() none=() seen good bad foreign start why=
	spawn esp-responder "$NS_SRV1" "$PY" "$E2E_DIR/lib/espprobe.py" responder "$ESP_DELAY" \
		${ESP_RESPONDER[@]+"${ESP_RESPONDER[@]}"}
	wait_alive "$LAST_PID" 5 listening "$NS_SRV1" udp 500 ||
		{ fail "ESP responder did not start: $(tail -n 1 "$SCN_DIR/esp-responder.log")"; return; }
	# ESP from both at the same moment, once both IKE exchanges are done.
	start=$(awk -v t="$EPOCHREALTIME" 'BEGIN { printf "%.3f", t + 1.5 }')
	for ((i = 1; i <= ESP_CLIENTS; i++)); do
		spawn "esp-lan$i" "${NS_LAN[$((i - 1))]}" timeout $((ESP_COUNT / 5 + 12)) "$PY" "$E2E_DIR/lib/espprobe.py" \
			client "lan$i" "$SRV1_IP" "$ESP_COUNT" "$ESP_INTERVAL" "$start"
		pids+=("$LAST_PID")
	done
	for ((i = 1; i <= ESP_CLIENTS; i++)); do
		wait "${pids[$((i - 1))]}"
		line=$(grep '^result ' "$SCN_DIR/esp-lan$i.log")
		[[ $line == *" seen="* ]] ||
			{ fail "lan$i: the IKE-like exchange on UDP 500 failed (${line:-no result})"; return; }
		note "lan$i: $line"
		seen=$(sed -n 's/.* seen=\([^ ]*\) .*/\1/p' <<<"$line")
		good=$(sed -n 's/.* good=\([0-9]*\) .*/\1/p' <<<"$line")
		bad=$(sed -n 's/.* bad=\([0-9]*\) .*/\1/p' <<<"$line")
		foreign=$(sed -n 's/.* foreign=\([0-9]*\) .*/\1/p' <<<"$line")
		all_from_public "$seen" ||
			{ fail "the responder saw lan$i's IKE from '$seen', expected $WAN_PUB"; return; }
		((bad == 0 && foreign == 0)) ||
			{ fail "lan$i got ESP that was not its own: $bad with a wrong payload, $foreign to another SPI"; return; }
		# Served: at least half the packets answered (the first ones may
		# wait while the other client's SPI is learnt).
		if ((good >= ESP_MIN_GOOD)); then
			ok+=("lan$i")
			report esp "${LAN_IP[$((i - 1))]}" "$SRV1_IP (proto 50)" PASS "$seen (IKE), $good/$ESP_COUNT ESP echoed"
		elif ((good == 0)); then
			none+=("lan$i")
			report esp "${LAN_IP[$((i - 1))]}" "$SRV1_IP (proto 50)" NONE "$seen (IKE), no ESP back"
		else
			fail "lan$i: only $good of $ESP_COUNT ESP packets answered"
			return
		fi
	done
	if [[ $GATEWAY == passgate ]] && gateway_dump; then
		why=" (SPIs learnt $(dump_value esp_spi_learned), ESP held back while one was learnt $(dump_value drop_esp_learn_wait))"
	fi
	if ((${#ok[@]} == ESP_CLIENTS)); then
		judge all "all $ESP_CLIENTS clients got their own ESP replies$why"
	elif ((${#ok[@]} == 1)); then
		judge one "${ok[0]} got its ESP replies, ${none[*]} got nothing"
	else
		judge none "neither client got ESP replies"
	fi
}
