# SPDX-License-Identifier: MIT
# reload-keeps-flows: passgated re-reads its configuration and takes API
# changes while a bulk TCP transfer and a WireGuard tunnel cross it.
#
#   lan1 (wireguard-go, ping 10.9.0.1 every 0.2 s) ──┐
#                                                     ├─► passgated ──► srv1 (wireguard-go 10.9.0.1,
#   lan2 (iperf3 -c srv1:5210, ~28 s) ───────────────┘        ▲          iperf3 -s)
#                       SIGHUP, passgatectl (control socket), curl --unix-socket
#
# While both run: SIGHUP (file edited: [timeouts] tcp_established), an API
# change ([timeouts] udp), `passgatectl reload` (file edited: a new
# [forward] rule), an API change ([nat] mss_clamp), SIGHUP again (file
# edited: [icmp] error_rate), then a broken file ([timeouts] icmp = whenever), reloaded both ways: both
# refused naming the file and the broken line, the running settings kept.
# Passes when iperf3 finishes without error (one TCP connection, never
# lost), the tunnel lost at most RK_MAX_LOST of its pings, every reload
# reported what it changed, the API changes survived the reloads (they are
# saved to the file), and the flows to srv1 listed before the first reload
# are all listed after the last one with the same public ports.
# Only for --gateway passgate: reload is passgated's own.

source "$E2E_DIR/lib/iperf.sh"

RK_PORT=5210		# iperf3
RK_WG_PORT=51820
RK_SECS=28		# iperf3 and the tunnel pings run this long
RK_MAX_LOST=5		# tunnel pings lost at most (of RK_SECS * 5)
RK_CONF=		# the daemon's configuration file (GET /api/v1/status)

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "reload is passgated's own: run with --gateway passgate"; return; }
	need iperf3 wireguard-go wg curl || return
	[[ -S $PG_SOCK ]] || { fail "no control socket at $PG_SOCK"; return; }
	RK_CONF=$(rk_api /api/v1/status | rk_json 'd["config_file"]') && [[ -f $RK_CONF ]] ||
		{ fail "cannot tell the daemon's config file from GET /api/v1/status"; return; }
	cp "$RK_CONF" "$SCN_DIR/config-before.conf"
	rk_run
	local rc=$?
	# The next scenarios get the settings the harness wrote, not ours.
	rk_restore || ((rc)) || rc=1
	return "$rc"
}

rk_run() {
	local ping_pid iperf_pid sent rcvd tx rx lost
	rk_tunnel || return
	spawn iperf3-srv "$NS_SRV1" iperf3 -s -1 -p "$RK_PORT" --forceflush
	wait_listen "$NS_SRV1" tcp "$RK_PORT" || { fail "iperf3 server did not start"; return; }
	spawn tunnel-ping "${NS_LAN[0]}" ping -n -i 0.2 -c $((RK_SECS * 5)) -W 2 10.9.0.1
	ping_pid=$LAST_PID
	spawn iperf3-lan2 "${NS_LAN[1]}" timeout $((RK_SECS + 20)) \
		iperf3 -c "$SRV1_IP" -p "$RK_PORT" -t "$RK_SECS" -b 40M -J
	iperf_pid=$LAST_PID
	# Both flows are up once the gateway lists the iperf3 data connection.
	wait_until 10 rk_flows_have tcp "$RK_PORT" 2 ||
		{ fail "the iperf3 connections never showed in the flow list"; return; }
	rk_flows >"$SCN_DIR/flows-before.txt" || { fail "GET /api/v1/flows failed"; return; }
	note "flows to srv1 before: $(wc -l <"$SCN_DIR/flows-before.txt")"
	grep -q "^udp ${LAN_IP[0]}:$RK_WG_PORT " "$SCN_DIR/flows-before.txt" ||
		{ fail "the tunnel's flow (udp ${LAN_IP[0]}:$RK_WG_PORT) is not listed"; return; }

	rk_edit tcp_established 'timeouts' 'tcp_established = 3h' || return
	rk_sighup '1 setting changed: \[timeouts\] tcp_established' || return
	sleep 2
	gateway_ctl set timeouts udp 10m >>"$SCN_DIR/ctl.log" 2>&1 ||
		{ fail "API change 1 (passgatectl set timeouts udp 10m) failed"; return; }
	rk_config_is 'd["timeouts"]["udp"]' 600 || return
	sleep 2
	rk_edit rule 'forward' "rule = udp 5999 ${LAN_IP[2]}" || return
	gateway_ctl reload >"$SCN_DIR/ctl-reload.out" 2>&1 ||
		{ fail "passgatectl reload failed: $(head -c 300 "$SCN_DIR/ctl-reload.out")"; return; }
	grep -q '1 setting changed: \[forward\] rule' "$SCN_DIR/ctl-reload.out" ||
		{ fail "passgatectl reload said: $(head -c 300 "$SCN_DIR/ctl-reload.out")"; return; }
	rk_config_is 'd["forward"]["rules"]' 1 || return
	sleep 2
	# The second API change over HTTP-on-the-socket with curl: any client works.
	rk_api /api/v1/config/nat -X PUT -d '{"mss_clamp": true}' >"$SCN_DIR/api-put.json" ||
		{ fail "API change 2 (PUT /api/v1/config/nat) failed: $(head -c 300 "$SCN_DIR/api-put.json")"; return; }
	rk_config_is 'd["nat"]["mss_clamp"]' True || return
	sleep 2
	rk_edit error_rate 'icmp' 'error_rate = 50' || return
	rk_sighup '1 setting changed: \[icmp\] error_rate' || return
	# The API's changes were saved to the file, so the reloads kept them.
	rk_config_is 'd["timeouts"]["udp"]' 600 || return
	rk_config_is 'd["nat"]["mss_clamp"]' True || return
	rk_config_is 'd["timeouts"]["tcp_established"]' 10800 || return
	sleep 2
	rk_broken || return

	# Still within iperf3's run: the same flows, the same public ports.
	alive "$iperf_pid" || { fail "iperf3 ended before the last reload: $(iperf_error "$SCN_DIR/iperf3-lan2.log")"; return; }
	rk_flows >"$SCN_DIR/flows-after.txt" || { fail "GET /api/v1/flows failed"; return; }
	note "flows to srv1 after: $(wc -l <"$SCN_DIR/flows-after.txt")"
	local missing
	missing=$(comm -23 <(sort "$SCN_DIR/flows-before.txt") <(sort "$SCN_DIR/flows-after.txt"))
	[[ -z $missing ]] || { fail "flows gone or remapped after the reloads: ${missing//$'\n'/; }"; return; }

	wait "$iperf_pid"
	local irc=$?
	read -r sent rcvd < <(iperf_bytes "$SCN_DIR/iperf3-lan2.log")
	((irc == 0)) && [[ -n $rcvd ]] && ((rcvd > 0)) ||
		{ fail "iperf3 failed (status $irc): $(iperf_error "$SCN_DIR/iperf3-lan2.log")"; return; }
	grep -q '"error"' "$SCN_DIR/iperf3-lan2.log" &&
		{ fail "iperf3 reported: $(iperf_error "$SCN_DIR/iperf3-lan2.log")"; return; }
	wait "$ping_pid"
	read -r tx rx < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' \
		"$SCN_DIR/tunnel-ping.log")
	[[ -n $tx && -n $rx ]] || { fail "no ping summary: $(tail -n 2 "$SCN_DIR/tunnel-ping.log")"; return; }
	lost=$((tx - rx))
	note "iperf3: sent $sent received $rcvd; tunnel pings: $tx sent, $rx answered"
	((lost <= RK_MAX_LOST && rx > 0)) ||
		{ fail "the tunnel lost $lost of $tx pings across the reloads (at most $RK_MAX_LOST allowed)"; return; }
	report reload "${LAN_IP[1]}" "$SRV1_IP:$RK_PORT/tcp" PASS \
		"5 changes, 2 refused: $rcvd bytes, 1 connection"
	report reload "${LAN_IP[0]}:$RK_WG_PORT" "$SRV1_IP:$RK_WG_PORT/udp" PASS \
		"tunnel pings $rx/$tx"
	PASS_NOTE="iperf3 $((rcvd / 1000000)) MB in one connection, tunnel pings $rx/$tx, flows kept"
}

# rk_tunnel - wireguard-go on srv1 (10.9.0.1) and lan1 (10.9.0.2); waits
# for the first ping inside. Each peer has a private /run (see wireguard.sh).
rk_tunnel() {
	local i ns
	for i in 0 1; do
		(umask 077 && wg genkey >"$SCN_DIR/wg$i.key") || { fail "wg genkey failed"; return; }
		RK_IF[i]=pgrk$i-$SFX
		RK_PUB[i]=$(wg pubkey <"$SCN_DIR/wg$i.key")
		ns=$NS_SRV1
		((i)) && ns=${NS_LAN[0]}
		mkdir -p "$SCN_DIR/run$i"
		spawn "wireguard-go-$i" "$ns" sh -c \
			'mount --bind "$1" /run && exec wireguard-go -f "$2"' sh "$SCN_DIR/run$i" "${RK_IF[i]}"
		wait_until 5 test -S "$SCN_DIR/run$i/wireguard/${RK_IF[i]}.sock" ||
			{ fail "wireguard-go ${RK_IF[i]} did not start"; return; }
	done
	rk_wg 0 "$NS_SRV1" set "${RK_IF[0]}" listen-port "$RK_WG_PORT" private-key "$SCN_DIR/wg0.key" \
		peer "${RK_PUB[1]}" allowed-ips 10.9.0.2/32 || { fail "wg set on srv1 failed"; return; }
	rk_wg 1 "${NS_LAN[0]}" set "${RK_IF[1]}" listen-port "$RK_WG_PORT" \
		private-key "$SCN_DIR/wg1.key" peer "${RK_PUB[0]}" endpoint "$SRV1_IP:$RK_WG_PORT" \
		allowed-ips 10.9.0.0/24 persistent-keepalive 5 || { fail "wg set on lan1 failed"; return; }
	ip -n "$NS_SRV1" addr add 10.9.0.1/24 dev "${RK_IF[0]}" &&
		ip -n "$NS_SRV1" link set "${RK_IF[0]}" up &&
		ip -n "${NS_LAN[0]}" addr add 10.9.0.2/24 dev "${RK_IF[1]}" &&
		ip -n "${NS_LAN[0]}" link set "${RK_IF[1]}" up || { fail "tunnel addresses"; return; }
	wait_until 10 nsx "${NS_LAN[0]}" ping -n -c 1 -W 1 10.9.0.1 ||
		{ fail "no ping answered inside the tunnel within 10 s"; return; }
}

# rk_wg N NS ARGS... - wg in NS with peer N's private /run.
rk_wg() {
	local n=$1 ns=$2
	shift 2
	timeout 5 ip netns exec "$ns" sh -c 'mount --bind "$1" /run && shift && exec wg "$@"' \
		sh "$SCN_DIR/run$n" "$@"
}

# rk_api PATH [CURL-ARGS...] - the API over the control socket; prints the body,
# fails on an HTTP error.
rk_api() {
	local path=$1
	shift
	curl -sf --max-time 10 --unix-socket "$PG_SOCK" "$@" "http://localhost$path"
}

# rk_json EXPR - evaluate EXPR on the JSON document on stdin (as d).
rk_json() {
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# rk_config_is EXPR WANT - GET /api/v1/config and compare one value.
rk_config_is() {
	local got
	got=$(rk_api /api/v1/config | rk_json "$1")
	[[ $got == "$2" ]] || { fail "config $1 is '$got', expected '$2'"; return 1; }
}

# rk_flows - the flows of this scenario (to srv1's iperf3 and WireGuard
# ports; others may expire meanwhile), one "proto lan:port remote:port
# public" line each.
rk_flows() {
	rk_api '/api/v1/flows?limit=1000' | python3 -c '
import json, sys
for f in json.load(sys.stdin)["flows"]:
    if (f["proto"], f["remote"], str(f["remote_port"])) in (
            ("tcp", sys.argv[1], sys.argv[2]), ("udp", sys.argv[1], sys.argv[3])):
        print(f["proto"], "%s:%d" % (f["lan"], f["lan_port"]),
              "%s:%d" % (f["remote"], f["remote_port"]), f["public_port"])
' "$SRV1_IP" "$RK_PORT" "$RK_WG_PORT"
}

# rk_flows_have PROTO PORT N - at least N flows to srv1 port PORT.
rk_flows_have() {
	(($(rk_flows | grep -c "^$1 .* $SRV1_IP:$2 ") >= $3))
}

# rk_edit KEY SECTION LINE - append "[SECTION]\nLINE" to the config file,
# the way an administrator's editor would (a new file, renamed over).
rk_edit() {
	local tmp=$RK_CONF.rk-tmp
	{ cat "$RK_CONF"; printf '\n[%s]   # reload-keeps-flows\n%s\n' "$2" "$3"; } >"$tmp" &&
		mv "$tmp" "$RK_CONF" || { fail "cannot edit $RK_CONF for $1"; return 1; }
}

# rk_log_from N PATTERN - a log line after line N of passgated's log matches.
rk_log_from() {
	tail -n +"$(($1 + 1))" "$PG_LOG" | grep -q -- "$2"
}

# rk_sighup PATTERN - SIGHUP the daemon; its log must say "reloaded ...
# PATTERN" within 10 s.
rk_sighup() {
	local n
	n=$(wc -l <"$PG_LOG")
	kill -HUP "$PG_PID" || { fail "cannot signal passgated"; return 1; }
	wait_until 10 rk_log_from "$n" "config: reloaded $RK_CONF: $1" ||
		{ fail "SIGHUP: no 'reloaded ... $1' in the log: $(tail -n +"$((n + 1))" "$PG_LOG" | head -n 3)"; return 1; }
}

# rk_broken - a line the parser refuses; passgatectl reload and SIGHUP are
# both refused naming FILE:LINE, and the running settings stay.
rk_broken() {
	local n line out
	cp "$RK_CONF" "$SCN_DIR/config-good.conf"
	rk_edit broken 'timeouts' 'icmp = whenever' || return
	line=$(grep -n '^icmp = whenever$' "$RK_CONF" | cut -d: -f1)
	if out=$(gateway_ctl reload 2>&1); then
		fail "passgatectl reload accepted a broken file: $out"
		return 1
	fi
	echo "$out" >"$SCN_DIR/ctl-reload-broken.out"
	[[ $out == *"$RK_CONF:$line: [timeouts] icmp"* ]] ||
		{ fail "the refusal does not name $RK_CONF:$line: $out"; return 1; }
	n=$(wc -l <"$PG_LOG")
	kill -HUP "$PG_PID" || { fail "cannot signal passgated"; return 1; }
	wait_until 10 rk_log_from "$n" "reload refused, running configuration kept: $RK_CONF:$line:" ||
		{ fail "SIGHUP on a broken file: no refusal naming $RK_CONF:$line in the log"; return 1; }
	rk_config_is 'd["timeouts"]["udp"]' 600 || return
	rk_config_is 'd["timeouts"]["icmp"]' 60 || return
	mv "$SCN_DIR/config-good.conf" "$RK_CONF"
}

# rk_restore - the file as it was before the scenario, reloaded.
rk_restore() {
	local n
	[[ -f $SCN_DIR/config-before.conf && -n $RK_CONF ]] || return 0
	cp "$SCN_DIR/config-before.conf" "$RK_CONF"
	gateway_alive || return 0
	n=$(wc -l <"$PG_LOG")
	kill -HUP "$PG_PID" 2>/dev/null
	wait_until 10 rk_log_from "$n" "config: reloaded $RK_CONF" ||
		{ fail "the original configuration did not reload"; return 1; }
}
