# SPDX-License-Identifier: MIT
# restart-keeps-flows: passgated is stopped (SIGTERM) and started again while
# an OpenVPN session over TCP and a WireGuard tunnel cross it; neither VPN
# program notices beyond a short outage.
#
#   lan1 (openvpn client, TCP, ping 10.8.0.1 every 0.2 s) ──┐
#                                                           ├─► passgated ──► srv1 (openvpn server tcp 1194,
#   lan2 (wireguard-go, ping 10.9.0.1 every 0.2 s) ─────────┘   -k -s STATE   wireguard-go 10.9.0.1)
#                         SIGTERM: flows written to STATE/flows.state
#                         start:   read back (same config, fresh), then forwarding resumes
#
# passgated runs with -k (docs/HA.md "Restarts") from the start of the
# scenario. Passes when, across the restart: the OpenVPN client never
# re-initialised (one "Initialization Sequence Completed", no restart in its
# log: its TCP connection lived on), the WireGuard server still has the
# client at the same public address:port, the gateway's flows to srv1
# (proto, LAN end, remote end, public port) after the restart are those
# before, the new daemon logged the restored flows, and the pings inside
# both tunnels are answered again (the last RS_TAIL_OK of each). The outage
# is measured per tunnel as the longest gap between answered pings, and
# reported with the daemon's stop and start times.
# Only for --gateway passgate.

source "$E2E_DIR/lib/openvpn.sh"

RS_WG_PORT=51820
RS_SECS=24        # pings run this long in each tunnel
RS_RESTART_AT=8   # seconds into the pings
RS_TAIL_OK=10     # the last pings of each tunnel that must all be answered
RS_MAX_GAP_MS=8000 # an outage longer than this fails (the goal is far less)
RS_STATE=

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "restart state is passgated's own: run with --gateway passgate"; return; }
	need openvpn wireguard-go wg curl || return
	RS_STATE=$SCN_DIR/state
	mkdir -p "$RS_STATE"
	rs_run
	local rc=$?
	# The daemon runs with -k and this scenario's name: the next scenario
	# gets the harness's own start again.
	GW_SETTINGS_APPLIED=unknown
	return "$rc"
}

rs_run() {
	local p0 p1 before after gap0 gap1 tx rx i
	# passgated with -k from here on, so the restart under test can hand over.
	PG_RESTART_ARGS=(-k -s "$RS_STATE")
	gateway_restart_with "$RUN_DIR/passgated.conf" ||
		{ fail "passgated with -k -s $RS_STATE did not start"; return; }
	rs_openvpn || return
	rs_wireguard || return

	spawn tunnel-ping-ovpn "${NS_LAN[0]}" ping -D -n -i 0.2 -c $((RS_SECS * 5)) -W 1 10.8.0.1
	p0=$LAST_PID
	spawn tunnel-ping-wg "${NS_LAN[1]}" ping -D -n -i 0.2 -c $((RS_SECS * 5)) -W 1 10.9.0.1
	p1=$LAST_PID
	sleep "$RS_RESTART_AT"
	rs_flows >"$SCN_DIR/flows-before.txt" || { fail "GET /api/v1/flows failed"; return; }
	grep -q "^tcp ${LAN_IP[0]}:" "$SCN_DIR/flows-before.txt" &&
		grep -q "^udp ${LAN_IP[1]}:$RS_WG_PORT " "$SCN_DIR/flows-before.txt" ||
		{ fail "the tunnels' flows are not listed: $(tr '\n' ';' <"$SCN_DIR/flows-before.txt")"; return; }
	before=$(rs_wg_endpoint)

	rs_restart || return

	wait "$p0"
	wait "$p1"
	rs_flows >"$SCN_DIR/flows-after.txt" || { fail "GET /api/v1/flows failed after the restart"; return; }
	local missing
	missing=$(comm -23 <(sort "$SCN_DIR/flows-before.txt") <(sort "$SCN_DIR/flows-after.txt"))
	[[ -z $missing ]] || { fail "flows gone or remapped by the restart: ${missing//$'\n'/; }"; return; }
	after=$(rs_wg_endpoint)
	[[ -n $before && $before == "$after" ]] ||
		{ fail "the WireGuard server sees the client at '$after', before the restart '$before'"; return; }
	grep -q 'flows from the last run' "$PG_LOG" ||
		{ fail "the new passgated did not restore flows: $(grep -m1 'flows.state' "$PG_LOG")"; return; }
	ovpn_session_kept "$SCN_DIR/openvpn-lan1.log" || return

	for i in ovpn wg; do
		read -r tx rx < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' \
			"$SCN_DIR/tunnel-ping-$i.log")
		[[ -n $tx && -n $rx ]] || { fail "$i: no ping summary"; return; }
		ping_tail_answered "$SCN_DIR/tunnel-ping-$i.log" "$tx" "$RS_TAIL_OK" ||
			{ fail "$i: pings inside the tunnel not answered again after the restart"; return; }
		eval "RS_TX_$i=$tx RS_RX_$i=$rx"
	done
	gap0=$(ping_max_gap "$SCN_DIR/tunnel-ping-ovpn.log")
	gap1=$(ping_max_gap "$SCN_DIR/tunnel-ping-wg.log")
	note "restart: stop ${RS_STOP_MS} ms, start ${RS_START_MS} ms; outage (longest gap between answered pings): openvpn-tcp ${gap0} ms, wireguard ${gap1} ms; pings $RS_RX_ovpn/$RS_TX_ovpn, $RS_RX_wg/$RS_TX_wg"
	((gap0 <= RS_MAX_GAP_MS && gap1 <= RS_MAX_GAP_MS)) ||
		{ fail "outage too long: openvpn-tcp $gap0 ms, wireguard $gap1 ms (at most $RS_MAX_GAP_MS)"; return; }
	report restart "${LAN_IP[0]}" "$SRV1_IP:$OVPN_PORT/tcp" PASS "outage ${gap0} ms, same session"
	report restart "${LAN_IP[1]}:$RS_WG_PORT" "$SRV1_IP:$RS_WG_PORT/udp" PASS \
		"outage ${gap1} ms, endpoint $after kept"
	PASS_NOTE="restart (stop ${RS_STOP_MS} ms + start ${RS_START_MS} ms): openvpn-tcp outage ${gap0} ms, wireguard ${gap1} ms, no VPN restarted"
}

# rs_restart - SIGTERM the daemon, wait for it to end (it writes its flows),
# start it again with -s; RS_STOP_MS and RS_START_MS say how long each took.
rs_restart() {
	local t0 pid=$PG_PID w keep=()
	t0=$EPOCHREALTIME
	kill -TERM "$pid" || { fail "cannot signal passgated"; return 1; }
	wait_until 10 rs_gone "$pid" || { fail "passgated did not stop within 10 s"; return 1; }
	wait "$pid" 2>/dev/null
	for w in "${WORLD_PIDS[@]}"; do
		[[ $w == "$pid" ]] || keep+=("$w")
	done
	WORLD_PIDS=("${keep[@]}")
	PG_PID=
	RS_STOP_MS=$(elapsed_ms "$t0")
	[[ -s $RS_STATE/flows.state ]] ||
		{ fail "no state written to $RS_STATE: $(grep -m1 'flows' "$PG_LOG")"; return 1; }
	grep -q 'flows saved to' "$PG_LOG" || { fail "passgated did not log saving its flows"; return 1; }
	cp "$PG_LOG" "$SCN_DIR/passgated-before-restart.log"
	t0=$EPOCHREALTIME
	PG_LOG_NAME=passgated-$SCN_NAME-2
	PG_LOG=$RUN_DIR/$PG_LOG_NAME.log
	SPAWN_SCOPE=world
	spawn "$PG_LOG_NAME" "$NS_GW" "$PASSGATED" -c "$RUN_DIR/passgated.conf" -k -s "$RS_STATE"
	SPAWN_SCOPE=scenario
	PG_PID=$LAST_PID
	wait_until 15 rs_ready ||
		{ fail "passgated did not come back: $(tail -n 1 "$PG_LOG")"; return 1; }
	RS_START_MS=$(elapsed_ms "$t0")
}

rs_gone() {
	! alive "$1"
}

# Ready: the daemon answers a LAN host (lan3: not one of the tunnels' hosts).
rs_ready() {
	alive "$PG_PID" && nsx "${NS_LAN[2]}" ping -c 1 -W 1 "$LAN_GW" >/dev/null 2>&1
}

# rs_openvpn - an OpenVPN server over TCP on srv1 and lan1's client; waits
# for the first ping inside.
rs_openvpn() {
	pki_selfsigned pgsrv1 && pki_selfsigned lan1 || { fail "openssl could not make certificates"; return 1; }
	ovpn_server_conf "$SCN_DIR/server.conf" tcp4-server pgsrv1 "$(pki_fingerprint lan1)"
	spawn openvpn-srv "$NS_SRV1" openvpn --config "$SCN_DIR/server.conf"
	wait_listen "$NS_SRV1" tcp "$OVPN_PORT" 10 ||
		{ fail "openvpn server did not start: $(tail -n 1 "$SCN_DIR/openvpn-srv.log")"; return 1; }
	ovpn_client_conf "$SCN_DIR/client-lan1.conf" tcp4-client lan1 "$SRV1_IP" pgsrv1
	spawn openvpn-lan1 "${NS_LAN[0]}" openvpn --config "$SCN_DIR/client-lan1.conf"
	wait_until 20 nsx "${NS_LAN[0]}" ping -n -c 1 -W 1 10.8.0.1 ||
		{ fail "no ping answered inside the OpenVPN tunnel within 20 s"; return 1; }
}

# rs_wireguard - wireguard-go on srv1 (10.9.0.1) and lan2 (10.9.0.2), each
# with a private /run; waits for the first ping inside.
rs_wireguard() {
	local i ns
	for i in 0 1; do
		(umask 077 && wg genkey >"$SCN_DIR/wg$i.key") || { fail "wg genkey failed"; return 1; }
		RS_IF[i]=pgrs$i-$SFX
		RS_PUB[i]=$(wg pubkey <"$SCN_DIR/wg$i.key")
		ns=$NS_SRV1
		((i)) && ns=${NS_LAN[1]}
		mkdir -p "$SCN_DIR/run$i"
		spawn "wireguard-go-$i" "$ns" sh -c \
			'mount --bind "$1" /run && exec wireguard-go -f "$2"' sh "$SCN_DIR/run$i" "${RS_IF[i]}"
		wait_until 5 test -S "$SCN_DIR/run$i/wireguard/${RS_IF[i]}.sock" ||
			{ fail "wireguard-go ${RS_IF[i]} did not start"; return 1; }
	done
	rs_wg 0 "$NS_SRV1" set "${RS_IF[0]}" listen-port "$RS_WG_PORT" private-key "$SCN_DIR/wg0.key" \
		peer "${RS_PUB[1]}" allowed-ips 10.9.0.2/32 || { fail "wg set on srv1 failed"; return 1; }
	rs_wg 1 "${NS_LAN[1]}" set "${RS_IF[1]}" listen-port "$RS_WG_PORT" \
		private-key "$SCN_DIR/wg1.key" peer "${RS_PUB[0]}" endpoint "$SRV1_IP:$RS_WG_PORT" \
		allowed-ips 10.9.0.0/24 persistent-keepalive 5 || { fail "wg set on lan2 failed"; return 1; }
	ip -n "$NS_SRV1" addr add 10.9.0.1/24 dev "${RS_IF[0]}" &&
		ip -n "$NS_SRV1" link set "${RS_IF[0]}" up &&
		ip -n "${NS_LAN[1]}" addr add 10.9.0.2/24 dev "${RS_IF[1]}" &&
		ip -n "${NS_LAN[1]}" link set "${RS_IF[1]}" up || { fail "tunnel addresses"; return 1; }
	wait_until 10 nsx "${NS_LAN[1]}" ping -n -c 1 -W 1 10.9.0.1 ||
		{ fail "no ping answered inside the WireGuard tunnel within 10 s"; return 1; }
}

# rs_wg N NS ARGS... - wg in NS with peer N's private /run.
rs_wg() {
	local n=$1 ns=$2
	shift 2
	timeout 5 ip netns exec "$ns" sh -c 'mount --bind "$1" /run && shift && exec wg "$@"' \
		sh "$SCN_DIR/run$n" "$@"
}

# The address:port the WireGuard server last heard its client from.
rs_wg_endpoint() {
	rs_wg 0 "$NS_SRV1" show "${RS_IF[0]}" endpoints | awk '{print $2}'
}

# rs_flows - the flows to srv1's OpenVPN and WireGuard ports, one
# "proto lan:port remote:port public" line each.
rs_flows() {
	curl -sf --max-time 10 --unix-socket "$PG_SOCK" 'http://localhost/api/v1/flows?limit=1000' |
		python3 -c '
import json, sys
for f in json.load(sys.stdin)["flows"]:
    if (f["proto"], f["remote"], str(f["remote_port"])) in (
            ("tcp", sys.argv[1], sys.argv[2]), ("udp", sys.argv[1], sys.argv[3])):
        print(f["proto"], "%s:%d" % (f["lan"], f["lan_port"]),
              "%s:%d" % (f["remote"], f["remote_port"]), f["public_port"])
' "$SRV1_IP" "$OVPN_PORT" "$RS_WG_PORT"
}

