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
PG_STATUS=		# how the daemon ended, once it has
PG_LOG_NAME=passgated	# its log: passgated.log, then passgated-SCENARIO.log
PG_SOCK=		# its control socket: per run, several daemons run at once

# gateway_check - can this role run at all? Prints the reason when not.
gateway_check() {
	[[ -x $PASSGATED ]] || { echo "${PASSGATED#"$REPO"/} missing"; return 1; }
}

# gateway_up - write the config, start passgated in the foreground as our
# child, and wait until a LAN host gets an answer from 192.168.1.1.
PG_RESTART_ARGS=()

gateway_up() {
	local conf=$RUN_DIR/passgated.conf ifc
	gateway_check >&2 || return 1
	for ifc in lan0 wan0; do
		nsx "$NS_GW" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1" >/dev/null ||
			echo "cannot disable IPv6 on $ifc" >&2
		nsx "$NS_GW" ethtool -K "$ifc" gro off >/dev/null 2>&1 ||
			echo "ethtool -K $ifc gro off failed" >&2
	done
	# The links' peers have GRO on (lib/world.sh gw_peer_gro_on), so the
	# kernel says both links accept redirected frames and offload = auto
	# (passgated's default) runs the XDP fast path; GW_OFFLOAD=off or
	# PG_E2E_OFFLOAD=off runs without it.
	cat >"$conf" <<-EOF
		# passgated config for end-to-end run $SFX (see docs/CONFIG.md)
		[lan]
		interface = lan0
		address   = $LAN_GW/24

		[wan]
		interface = wan0
		address   = $WAN_PUB/24
		gateway   = $WAN_NEXTHOP
		${GW_WAN_MTU:+mtu       = $GW_WAN_MTU}
		${GW_SHAPE_UP:+shape_up  = $GW_SHAPE_UP}
		${GW_SHAPE_DOWN:+shape_down = $GW_SHAPE_DOWN}

		[log]
		level = ${PG_LOG_LEVEL:-info}

		[api]
		socket = $RUN_DIR/ctl/passgated.sock   # not /run/passgate: one per run

		[datapath]
		workers = ${PG_E2E_WORKERS:-1}
		backend = ${PG_E2E_BACKEND:-auto}   # afpacket: the latency-* figures per backend
		offload = ${GW_OFFLOAD:-${PG_E2E_OFFLOAD:-auto}}   # the XDP fast path (docs/CONFIG.md)
	EOF
	PG_SOCK=$RUN_DIR/ctl/passgated.sock
	gateway_forward_conf >>"$conf"
	gateway_passthrough_conf >>"$conf"
	PG_LOG=$RUN_DIR/$PG_LOG_NAME.log
	SPAWN_SCOPE=world
	spawn "$PG_LOG_NAME" "$NS_GW" "$PASSGATED" -c "$conf" -s "$RUN_DIR/state"
	SPAWN_SCOPE=scenario
	PG_PID=$LAST_PID
	# Ready when a LAN host's ping to 192.168.1.1 is answered; give up at
	# once if the daemon exits (a refused config or link), else after 10 s.
	local t0=$EPOCHREALTIME
	while alive "$PG_PID"; do
		nsx "${NS_LAN[0]}" ping -c 1 -W 1 "$LAN_GW" >/dev/null 2>&1 && return 0
		(($(elapsed_ms "$t0") >= 10000)) && break
		sleep 0.1
	done
	if gateway_alive; then
		echo "passgated runs but no LAN host got an answer from $LAN_GW within 10 s" >&2
	else
		echo "passgated exited ($PG_STATUS) before it was ready" >&2
	fi
	tail_log "$PG_LOG" 20 >&2
	return 1
}

# gateway_ctl ARGS... - passgatectl on this run's daemon, over its control
# socket (a file: no need to enter the gateway's namespace; no token).
gateway_ctl() {
	timeout 15 "$REPO/build/passgatectl" --socket "$PG_SOCK" "$@"
}

# gateway_forward_conf - the [forward] section for a scenario's GW_FORWARDS
# and GW_DMZ (lib/scenario-env.sh); nothing without them.
gateway_forward_conf() {
	local r
	[[ -n ${GW_DMZ:-}${GW_FORWARDS[*]+x} ]] || return 0
	printf '\n[forward]\n'
	for r in "${GW_FORWARDS[@]}"; do
		printf 'rule = %s\n' "$r"
	done
	[[ -n ${GW_DMZ:-} ]] && printf 'dmz  = %s\n' "$GW_DMZ"
	return 0
}

# gateway_passthrough_conf - the [passthrough] section for a scenario's
# GW_PASSTHROUGH ("pptp=off ipsec=off"); nothing without it.
gateway_passthrough_conf() {
	local kv
	[[ -n ${GW_PASSTHROUGH:-} ]] || return 0
	printf '\n[passthrough]\n'
	for kv in $GW_PASSTHROUGH; do
		printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"
	done
}

# gateway_passthrough_dropped - packets a passthrough switch turned away
# (drop_passthrough_off).
gateway_passthrough_dropped() {
	gateway_counter drop_passthrough_off
}

# gateway_apply_settings - a scenario asked for other settings (forwards,
# DMZ, WAN MTU): passgated has no reload, so stop it (its counters logged
# first) and start it again with a config holding them. Its log for the
# scenario is passgated-SCENARIO.log; the config is kept as
# passgated-SCENARIO.conf.
gateway_apply_settings() {
	gateway_stop_forget
	ip -n "$NS_GW" link set wan0 mtu "${GW_WAN_MTU:-1500}" || return 1
	PG_LOG_NAME=passgated-$SCN_NAME
	gateway_up || return 1
	cp "$RUN_DIR/passgated.conf" "$RUN_DIR/$PG_LOG_NAME.conf"
}

# gateway_stop_forget - stop passgated and forget its PID (reaped) before
# another one starts.
gateway_stop_forget() {
	local pid=$PG_PID w keep=()
	gateway_down
	for w in "${WORLD_PIDS[@]}"; do
		[[ $w == "$pid" ]] || keep+=("$w")
	done
	WORLD_PIDS=("${keep[@]}")
	PG_STATUS=
}

# gateway_restart_with CONF [READY...] - passgated again with a scenario's
# own CONF, logged as passgated-SCENARIO (scenarios set
# GW_SETTINGS_APPLIED=unknown so the next one gets the harness's config
# back). Ready when lan1's ping to the LAN address is answered and the
# command READY, if given, succeeds; 1 with a line on stderr after 15 s or
# when the daemon ends. PG_RESTART_ARGS: more passgated arguments, used once.
gateway_restart_with() {
	local conf=$1 t0
	shift
	gateway_stop_forget
	PG_LOG_NAME=passgated-$SCN_NAME
	PG_LOG=$RUN_DIR/$PG_LOG_NAME.log
	SPAWN_SCOPE=world
	spawn "$PG_LOG_NAME" "$NS_GW" "$PASSGATED" -c "$conf" -s "$RUN_DIR/state" "${PG_RESTART_ARGS[@]}"
	SPAWN_SCOPE=scenario
	PG_RESTART_ARGS=()
	PG_PID=$LAST_PID
	t0=$EPOCHREALTIME
	while alive "$PG_PID"; do
		if nsx "${NS_LAN[0]}" ping -c 1 -W 1 "$LAN_GW" >/dev/null 2>&1 &&
			{ (($# == 0)) || "$@" >/dev/null 2>&1; }; then
			return 0
		fi
		(($(elapsed_ms "$t0") >= 15000)) && break
		sleep 0.1
	done
	echo "passgated with $conf did not come up: $(tail -n 1 "$PG_LOG")" >&2
	return 1
}

# gateway_down - have passgated log its final counters (kept in the run's
# log), then stop it (SIGTERM, SIGKILL after 3 s) and reap it.
gateway_down() {
	[[ -n $PG_PID ]] || return 0
	gateway_alive && gateway_dump
	stop_pid "$PG_PID"
	PG_PID=
}

# gateway_alive - for the harness: is the daemon still there? When it is not,
# reap it and say how it ended in PG_STATUS ("status 1", "killed by SEGV").
gateway_alive() {
	[[ -n $PG_PID ]] || return 1
	alive "$PG_PID" && return 0
	if [[ -z $PG_STATUS ]]; then
		wait "$PG_PID" 2>/dev/null
		local rc=$?
		PG_STATUS="status $rc"
		((rc > 128)) && PG_STATUS="killed by SIG$(kill -l $((rc - 128)) 2>/dev/null)"
	fi
	return 1
}

# gateway_dump - ask the daemon to log its counters (SIGUSR1) and put the
# dump in PG_DUMP. The dump lists nonzero counters ("counter NAME VALUE")
# and then "flows N"; a counter missing from a complete dump is 0.
gateway_dump() {
	local before i
	PG_DUMP=
	alive "$PG_PID" || return 1
	before=$(wc -l <"$PG_LOG")
	kill -USR1 "$PG_PID" 2>/dev/null || return 1
	for ((i = 0; i < 30; i++)); do
		sleep 0.1
		PG_DUMP=$(tail -n +"$((before + 1))" "$PG_LOG")
		grep -qE '(^|[[:space:]])flows [0-9]+' <<<"$PG_DUMP" && return 0
	done
	PG_DUMP=
	return 1
}

# dump_value NAME - a counter's value in PG_DUMP.
dump_value() {
	grep -oE "counter $1 [0-9]+" <<<"$PG_DUMP" | tail -n 1 | grep -oE '[0-9]+$' || echo 0
}

# l2_daemon_frames LINK - frames the daemon's own sockets received on LINK
# (lan0, wan0) in the last dump: rx_frames less what the XDP fast path
# forwarded (rx_offloaded, also counted in rx_frames).
l2_daemon_frames() {
	local rx off
	rx=$(grep -oE "l2 $1 rx_frames [0-9]+" <<<"$PG_DUMP" | tail -n 1 | grep -oE '[0-9]+$' || echo 0)
	off=$(grep -oE "l2 $1 rx_offloaded [0-9]+" <<<"$PG_DUMP" | tail -n 1 | grep -oE '[0-9]+$' || echo 0)
	echo $((rx - off))
}

# gateway_note_shaper - the shaper's line of a counter dump ("shaper up
# rate ... drop_codel N ecn_marked N"), into the scenario's notes.
gateway_note_shaper() {
	gateway_dump || return 0
	grep -oE 'shaper (up|down) .*' <<<"$PG_DUMP" | while read -r l; do note "gateway: $l"; done
}

# gateway_counter NAME - the current value of one engine counter.
gateway_counter() {
	gateway_dump || return 1
	dump_value "$1"
}

# gateway_unsolicited_count - inbound packets passgated refused: no flow and
# no mapping (drop_unsolicited), a mapping that address-dependent filtering
# closes to this sender (drop_filtered), or not for its address at all
# (drop_wan_not_ours). One sum, comparable with the Linux gateway's counter;
# the parts go to the scenario's notes. Prints "SUM UNSOLICITED": the second
# number is drop_unsolicited alone (no flow, no mapping).
gateway_unsolicited_count() {
	local u f n
	gateway_dump || return 1
	u=$(dump_value drop_unsolicited)
	f=$(dump_value drop_filtered)
	n=$(dump_value drop_wan_not_ours)
	note "passgated: drop_unsolicited $u drop_filtered $f drop_wan_not_ours $n"
	echo "$((u + f + n)) $u"
}

# gateway_diag - what to show when a scenario fails: the daemon's last words.
gateway_diag() {
	local state=running
	gateway_alive || state="not running: $PG_STATUS"
	echo "  gateway (passgated, pid ${PG_PID:-none}, $state) log tail:"
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
