# SPDX-License-Identifier: MIT
# restart-keeps-flows: passgated is stopped (SIGTERM) and started again,
# twice, while four sessions cross it: an OpenVPN session over TCP, a
# WireGuard tunnel, a PPTP call and an iperf3 TCP upload. The first restart
# starts the same binary, the second a new build (build/next/passgated: the
# same source, its version marked "+next", make test-bins), so the state file
# one build wrote is read by another (docs/HA.md "Restarts").
#
#   lan1 openvpn client (TCP), ping 10.8.0.1 ──┐
#   lan2 wireguard-go, ping 10.9.0.1 ───────────┤
#        pptp + pppstub (echo requests 5/s) ───├─► passgated ──► srv1: openvpn server (tcp 1194),
#   lan3 iperf3 -c (TCP upload, 20 Mbit/s) ────┘   -k -s STATE    wireguard-go 10.9.0.1, pptpd,
#                         SIGTERM: flows written to STATE/flows.state     iperf3 -s
#                         start:   read back (same config, fresh), then forwarding resumes
#
# passgated runs with -k from the start of the scenario. Passes when, across
# both restarts: the OpenVPN client never re-initialised (one "Initialization
# Sequence Completed", no restart in its log: its TCP connection lived on);
# the WireGuard server still has the client at the same public address:port;
# the PPTP call lived on (one server-side pppd stand-in ever, the client's
# never restarted, pptpd's control connection from the same public
# address:port, LCP echo requests received again both ways; lib/pppstub.py
# stands in for pppd: no kernel PPP here); iperf3's upload ended without an
# error (a reset would be one) and the receiver counted data after the
# second restart; the gateway's flows to srv1 (proto, LAN end, remote end,
# public port; GRE with its call ids) after are those before; each new
# daemon logged the restored flows, the second reports the new build's
# version; the pings inside the OpenVPN and WireGuard tunnels are answered
# again (the last RS_TAIL_OK of each). The outage per session (the longest
# gap between answered pings; PPTP: between echo requests received, the
# worse direction; iperf3: the longest run of empty 0.2 s intervals at the
# receiver) must be at most RS_MAX_GAP_MS, and is reported with the daemon's
# stop and start times. Only for --gateway passgate.

source "$E2E_DIR/lib/openvpn.sh"
source "$E2E_DIR/lib/pptp.sh"
source "$E2E_DIR/lib/sessions.sh"

RS_SECS=30         # pings run this long in each tunnel
RS_RESTART_AT=(8 19) # seconds into the pings: the same binary, then the new build
RS_TAIL_OK=10      # the last pings of each tunnel that must all be answered
RS_MAX_GAP_MS=3000 # an outage longer than this fails (the issue's goal for a failover)
RS_IPERF_RATE=20   # Mbit/s: a steady stream, not a load test (2 shared cores)
RS_NEXT=$REPO/build/next/passgated
RS_STATE=

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "restart state is passgated's own: run with --gateway passgate"; return; }
	need openvpn wireguard-go wg curl pptpd pptp socat iperf3 || return
	[[ -x $RS_NEXT ]] || { fail "no new build at $RS_NEXT (make test-bins builds it)"; return; }
	# A directory of this run's own: the daemon an earlier run of this
	# scenario left running with -k writes its flows to its own at the next
	# restart, and they must not come back here.
	RS_STATE=$(mktemp -d "$SCN_DIR/state.XXXX") || { fail "mktemp failed"; return; }
	# The pppd stand-ins (started by pptpd, which passes no arguments of
	# ours) stamp what they receive and send an echo request every 0.2 s.
	export PGSTUB_STAMP=1 PGSTUB_INTERVAL=0.2
	rs_run
	local rc=$?
	unset PGSTUB_STAMP PGSTUB_INTERVAL
	# The daemon runs with -k, this scenario's name and the new build: the
	# next scenario gets the harness's own start again.
	GW_SETTINGS_APPLIED=unknown
	return "$rc"
}

rs_run() {
	local p0 p1 before after ctl0 ctl1 tx rx i t_pings t_last missing want
	local -A gap
	# passgated with -k from here on, so the restarts under test can hand over.
	PG_RESTART_ARGS=(-k -s "$RS_STATE")
	gateway_restart_with "$RUN_DIR/passgated.conf" ||
		{ fail "passgated with -k -s $RS_STATE did not start"; return; }
	ss_openvpn || return
	ss_wireguard || return
	ss_pptp || return
	# The upload runs through both restarts and ends with the pings.
	ss_iperf_start $((RS_SECS + 1)) "$RS_IPERF_RATE" || return
	wait_until 10 rs_all_flows ||
		{ fail "the sessions' flows are not all listed: $(ss_flows "$PG_SOCK" | tr '\n' ';')"; return; }
	ss_flows "$PG_SOCK" >"$SCN_DIR/flows-before.txt"

	t_pings=$EPOCHREALTIME
	spawn tunnel-ping-ovpn "${NS_LAN[0]}" ping -D -n -i 0.2 -c $((RS_SECS * 5)) -W 1 10.8.0.1
	p0=$LAST_PID
	spawn tunnel-ping-wg "${NS_LAN[1]}" ping -D -n -i 0.2 -c $((RS_SECS * 5)) -W 1 10.9.0.1
	p1=$LAST_PID
	sleep "${RS_RESTART_AT[0]}"
	before=$(ss_wg_endpoint)
	ctl0=$(pptp_ctl_peers)
	[[ -n $before && -n $ctl0 ]] ||
		{ fail "no WireGuard endpoint ('$before') or PPTP control connection ('$ctl0') at srv1"; return; }

	rs_restart 1 "$PASSGATED" || return
	sleep "$("$PY" -c 'import sys; print(max(0.0, float(sys.argv[1]) - float(sys.argv[2]) / 1000))' \
		"${RS_RESTART_AT[1]}" "$(elapsed_ms "$t_pings")")"
	rs_restart 2 "$RS_NEXT" || return
	t_last=$EPOCHREALTIME
	want=$("$RS_NEXT" --version | awk '{print $2}')
	[[ $(rs_version) == "$want" ]] ||
		{ fail "the restarted daemon reports version '$(rs_version)', the new build is '$want'"; return; }

	wait "$p0"
	wait "$p1"
	ss_iperf_check "$t_last" "$RS_MAX_GAP_MS" || return
	ss_flows "$PG_SOCK" >"$SCN_DIR/flows-after.txt" || { fail "GET /api/v1/flows failed after the restarts"; return; }
	missing=$(comm -23 <(ss_long_lived <"$SCN_DIR/flows-before.txt") <(sort "$SCN_DIR/flows-after.txt"))
	[[ -z $missing ]] || { fail "flows gone or remapped by the restarts: ${missing//$'\n'/; }"; return; }
	after=$(ss_wg_endpoint)
	[[ $before == "$after" ]] ||
		{ fail "the WireGuard server sees the client at '$after', before the restarts '$before'"; return; }
	ctl1=$(pptp_ctl_peers)
	[[ $ctl0 == "$ctl1" ]] || { fail "pptpd's control connection was from '$ctl0', now '$ctl1'"; return; }
	ss_pptp_same_call || return
	ovpn_session_kept "$SCN_DIR/openvpn-lan1.log" || return

	for i in ovpn wg; do
		read -r tx rx < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' \
			"$SCN_DIR/tunnel-ping-$i.log")
		[[ -n $tx && -n $rx ]] || { fail "$i: no ping summary"; return; }
		ping_tail_answered "$SCN_DIR/tunnel-ping-$i.log" "$tx" "$RS_TAIL_OK" ||
			{ fail "$i: pings inside the tunnel not answered again after the restarts ($rx/$tx)"; return; }
		gap[$i]=$(ping_max_gap "$SCN_DIR/tunnel-ping-$i.log")
		note "$i: pings $rx/$tx"
	done
	ss_pptp_gap "$t_pings" || return
	gap[pptp]=$SS_GAP_PPTP
	gap[iperf]=$SS_GAP_IPERF
	local figures="openvpn-tcp ${gap[ovpn]} ms, wireguard ${gap[wg]} ms, pptp ${gap[pptp]} ms, iperf3-tcp ${gap[iperf]} ms"
	note "restarts: stop ${RS_STOP_MS[1]}/${RS_STOP_MS[2]} ms, start ${RS_START_MS[1]}/${RS_START_MS[2]} ms (same binary/new build $want); outage (longest over both): $figures"
	for i in ovpn wg pptp iperf; do
		((gap[$i] <= RS_MAX_GAP_MS)) || { fail "outage too long: $figures (each at most $RS_MAX_GAP_MS)"; return; }
	done
	report restart "${LAN_IP[0]}" "$SRV1_IP:$OVPN_PORT/tcp" PASS "outage ${gap[ovpn]} ms, same session"
	report restart "${LAN_IP[1]}:$SS_WG_PORT" "$SRV1_IP:$SS_WG_PORT/udp" PASS \
		"outage ${gap[wg]} ms, endpoint $after kept"
	report restart "${LAN_IP[1]}" "$SRV1_IP:1723/tcp+gre" PASS \
		"outage ${gap[pptp]} ms, same call, control from $ctl1"
	report restart "${LAN_IP[2]}" "$SRV1_IP:$SS_IPERF_PORT/tcp" PASS \
		"outage ${gap[iperf]} ms, ${SS_IPERF_AFTER_MB} MB after the second restart, no reset"
	PASS_NOTE="two restarts (same binary, then new build $want; stop ${RS_STOP_MS[1]}/${RS_STOP_MS[2]} ms, start ${RS_START_MS[1]}/${RS_START_MS[2]} ms): outage $figures; no VPN restarted, no reset"
}

# rs_all_flows - the gateway lists every session's flow to srv1: OpenVPN,
# WireGuard, PPTP control and call, iperf3 (2).
rs_all_flows() {
	local p
	p=$(ss_flows "$PG_SOCK")
	grep -q "^tcp ${LAN_IP[0]}:[0-9]* $SRV1_IP:$OVPN_PORT " <<<"$p" &&
		grep -q "^udp ${LAN_IP[1]}:$SS_WG_PORT $SRV1_IP:$SS_WG_PORT " <<<"$p" &&
		grep -q "^tcp ${LAN_IP[1]}:[0-9]* $SRV1_IP:1723 " <<<"$p" &&
		grep -q "^gre ${LAN_IP[1]}:[1-9]" <<<"$p" &&
		(($(grep -c "^tcp ${LAN_IP[2]}:[0-9]* $SRV1_IP:$SS_IPERF_PORT " <<<"$p") == 2))
}

# The running daemon's version (GET /api/v1/status).
rs_version() {
	curl -sf --max-time 5 --unix-socket "$PG_SOCK" http://localhost/api/v1/status |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)["version"])'
}

# rs_restart N BINARY - SIGTERM the daemon, wait for it to end (it writes
# its flows), start BINARY with the same -k -s; ready when it answers a LAN
# host and logged the flows it restored. RS_STOP_MS[N] and RS_START_MS[N]
# say how long each took.
rs_restart() {
	local n=$1 bin=$2 t0 pid=$PG_PID w keep=()
	t0=$EPOCHREALTIME
	kill -TERM "$pid" || { fail "cannot signal passgated"; return 1; }
	wait_until 10 rs_gone "$pid" || { fail "passgated did not stop within 10 s"; return 1; }
	wait "$pid" 2>/dev/null
	for w in "${WORLD_PIDS[@]}"; do
		[[ $w == "$pid" ]] || keep+=("$w")
	done
	WORLD_PIDS=("${keep[@]}")
	PG_PID=
	RS_STOP_MS[n]=$(elapsed_ms "$t0")
	[[ -s $RS_STATE/flows.state ]] ||
		{ fail "restart $n: no state written to $RS_STATE: $(grep -m1 'flows' "$PG_LOG")"; return 1; }
	grep -q 'flows saved to' "$PG_LOG" || { fail "restart $n: passgated did not log saving its flows"; return 1; }
	t0=$EPOCHREALTIME
	PG_LOG_NAME=passgated-$SCN_NAME-$((n + 1))
	PG_LOG=$RUN_DIR/$PG_LOG_NAME.log
	SPAWN_SCOPE=world
	spawn "$PG_LOG_NAME" "$NS_GW" "$bin" -c "$RUN_DIR/passgated.conf" -k -s "$RS_STATE"
	SPAWN_SCOPE=scenario
	PG_PID=$LAST_PID
	wait_until 15 rs_ready ||
		{ fail "restart $n: $bin did not come back: $(tail -n 1 "$PG_LOG")"; return 1; }
	RS_START_MS[n]=$(elapsed_ms "$t0")
	grep -q 'flows from the last run' "$PG_LOG" ||
		{ fail "restart $n: $bin did not restore flows: $(grep -m1 'flows.state' "$PG_LOG")"; return 1; }
}

rs_gone() {
	! alive "$1"
}

# Ready: the daemon answers a LAN host (lan3: no tunnel there).
rs_ready() {
	alive "$PG_PID" && nsx "${NS_LAN[2]}" ping -c 1 -W 1 "$LAN_GW" >/dev/null 2>&1
}

