# SPDX-License-Identifier: MIT
# tests/e2e/lib/gateway-passgate.sh - passgated as the gateway in pggw-S.
# Sourced; implements the gateway_* interface used by the harness.
#
# The daemon's interface contract (docs/CONFIG.md, PEERS.md "Offloads"):
# its links carry no kernel IPv4 address (the kernel must not answer ARP or
# reset TCP behind its back), IPv6 is off on them, GRO is off (the daemon
# reads frames with AF_PACKET and must see wire-sized packets), and the test
# hosts' veths have TSO/GSO/tx-checksum off (lib/world.sh does that).

PASSGATED=${PASSGATED:-$REPO/build/passgated}
PG_LOG=
PG_PID=

# gateway_check - can this role run at all? Prints the reason when not.
gateway_check() {
	[[ -x $PASSGATED ]] || { echo "build/passgated missing"; return 1; }
}

# gateway_up - write the config, start passgated in the foreground as our
# child, and wait until a LAN host gets an answer from 192.168.1.1.
gateway_up() {
	local conf=$RUN_DIR/passgated.conf ifc
	gateway_check >&2 || return 1
	for ifc in lan0 wan0; do
		nsx "$NS_GW" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1" >/dev/null
		nsx "$NS_GW" ethtool -K "$ifc" gro off >/dev/null 2>&1
	done
	cat >"$conf" <<-EOF
		# passgated config for end-to-end run $SFX (see docs/CONFIG.md)
		[lan]
		interface = lan0
		address   = $LAN_GW/24

		[wan]
		interface = wan0
		address   = $WAN_PUB/24
		gateway   = $WAN_NEXTHOP

		[log]
		level = ${PG_LOG_LEVEL:-info}
	EOF
	PG_LOG=$RUN_DIR/passgated.log
	SPAWN_SCOPE=world
	spawn passgated "$NS_GW" "$PASSGATED" -c "$conf"
	SPAWN_SCOPE=scenario
	PG_PID=$LAST_PID
	if ! wait_until 10 gateway_ready; then
		if alive "$PG_PID"; then
			echo "passgated runs but no LAN host got an answer from $LAN_GW within 10 s" >&2
		else
			wait "$PG_PID"
			echo "passgated exited (status $?) before it was ready" >&2
		fi
		tail_log "$PG_LOG" 20 >&2
		return 1
	fi
}

# gateway_ready - the daemon is up and the LAN side answers.
gateway_ready() {
	alive "$PG_PID" || return 2
	nsx "${NS_LAN[0]}" ping -c 1 -W 1 "$LAN_GW"
}

# gateway_down - stop passgated (SIGTERM, then SIGKILL after 3 s) and reap it.
gateway_down() {
	[[ -n $PG_PID ]] || return 0
	stop_pid "$PG_PID"
	PG_PID=
}

# gateway_alive - for the harness: is the daemon still there?
gateway_alive() {
	[[ -n $PG_PID ]] && alive "$PG_PID"
}

# gateway_counter NAME - the latest value of a counter: ask the daemon to log
# its counters (SIGUSR1), then read the last number logged next to NAME.
# The log format is not fixed yet: accept "name 12", "name=12", "name: 12".
gateway_counter() {
	local name=$1 before after i
	alive "$PG_PID" || return 1
	before=$(wc -l <"$PG_LOG")
	kill -USR1 "$PG_PID" 2>/dev/null || return 1
	for ((i = 0; i < 20; i++)); do
		sleep 0.1
		after=$(wc -l <"$PG_LOG")
		((after > before)) && tail -n +"$((before + 1))" "$PG_LOG" | grep -q "$name" && break
	done
	sleep 0.1
	tail -n +"$((before + 1))" "$PG_LOG" |
		grep -oE "${name}[\"]?[[:space:]]*[:=]?[[:space:]]*[0-9]+" | tail -n 1 | grep -oE '[0-9]+$'
}

# gateway_unsolicited_count - packets passgated dropped as unsolicited.
gateway_unsolicited_count() {
	gateway_counter drop_unsolicited
}

# gateway_diag - what to show when a scenario fails: the daemon's last words.
gateway_diag() {
	echo "  gateway (passgated, pid ${PG_PID:-none}$(gateway_alive || echo ', not running')) log tail:"
	if gateway_alive; then
		kill -USR1 "$PG_PID" 2>/dev/null
		sleep 0.3
	fi
	tail_log "$PG_LOG" 25
}

# gateway_flows - no flow dump interface yet; the counters stand in.
gateway_flows() {
	gateway_alive && kill -USR1 "$PG_PID" 2>/dev/null
	return 0
}
