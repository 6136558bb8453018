# SPDX-License-Identifier: MIT
# ha-sync: a standby passgated follows the gateway's flows over the sync
# channel ([sync], docs/HA.md) while real VPN sessions cross the gateway,
# and refuses datagrams that are not its primary's.
#
#   lan1 (openvpn client, TCP) ──┐                         srv1 (openvpn server tcp 1194,
#   lan2 (wireguard-go) ─────────┴─► pggw-S: passgated ──►       wireguard-go 51820)
#                                    [sync] role = primary
#                                      │ sync0 10.99.0.1:7979
#                                      │ (veth, HMAC-SHA256, shared key)
#                                      │ sync0 10.99.0.2:7979
#                                    pgsb-S: passgated, [sync] role = standby
#                                    (its lan0 and wan0 lead nowhere: it
#                                     only follows, it does not forward)
#
# Passes when the standby says it is synced, lists the flows to srv1 the
# primary lists (proto, LAN end, remote end, public port), the primary
# counted messages sent and acknowledged; then datagrams from the primary's
# address signed with another key, cut short, and a signed message of an
# older primary epoch replayed (lib: made with the same key, epoch 1) are
# refused and counted by reason on the standby, whose flows stay as they
# were. Only for --gateway passgate. Failover itself (keepalived) is not
# built yet: docs/HA.md "Failover".

source "$E2E_DIR/lib/openvpn.sh"

HS_PORT=7979
HS_WG_PORT=51820
NS_SB=

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "state sync is passgated's own: run with --gateway passgate"; return; }
	need openvpn wireguard-go wg curl || return
	NS_SB=pgsb-$SFX
	hs_run
	local rc=$?
	hs_cleanup
	GW_SETTINGS_APPLIED=unknown
	return "$rc"
}

hs_cleanup() {
	[[ -n ${HS_SB_PID:-} ]] && stop_pid "$HS_SB_PID"
	ip -n "$NS_GW" link del sync0 2>/dev/null
	ip netns del "$NS_SB" 2>/dev/null
	return 0
}

hs_run() {
	local before flows_p flows_s
	openssl rand -hex 32 >"$SCN_DIR/sync.key" && chmod 600 "$SCN_DIR/sync.key" ||
		{ fail "openssl rand failed"; return; }
	hs_standby_world || return
	# The primary: the harness's configuration plus [sync].
	# One worker: [sync] streams one engine in this version (docs/HA.md).
	{ sed 's/^workers = .*/workers = 1/' "$RUN_DIR/passgated.conf"
	  hs_sync_conf primary 10.99.0.1 10.99.0.2; } >"$SCN_DIR/primary.conf"
	gateway_restart_with "$SCN_DIR/primary.conf" ||
		{ fail "passgated with [sync] role = primary did not start"; return; }
	hs_standby_start || return

	hs_openvpn || return
	hs_wireguard || return
	# Some traffic inside both tunnels, then the standby must have caught up.
	nsx "${NS_LAN[0]}" ping -n -c 5 -i 0.2 -W 1 10.8.0.1 >/dev/null 2>&1
	nsx "${NS_LAN[1]}" ping -n -c 5 -i 0.2 -W 1 10.9.0.1 >/dev/null 2>&1
	wait_until 10 hs_same_flows ||
		{ fail "the standby's flows to srv1 differ: primary [$(hs_flows "$PG_SOCK" | tr '\n' ';')] standby [$(hs_flows "$HS_SB_SOCK" | tr '\n' ';')]"; return; }
	hs_flows "$PG_SOCK" >"$SCN_DIR/flows-primary.txt"
	hs_flows "$HS_SB_SOCK" >"$SCN_DIR/flows-standby.txt"
	grep -q "^tcp ${LAN_IP[0]}:" "$SCN_DIR/flows-standby.txt" &&
		grep -q "^udp ${LAN_IP[1]}:$HS_WG_PORT " "$SCN_DIR/flows-standby.txt" ||
		{ fail "the standby lacks the tunnels' flows: $(tr '\n' ';' <"$SCN_DIR/flows-standby.txt")"; return; }
	[[ $(hs_status "$HS_SB_SOCK" 'd["sync"]["synced"]') == True ]] ||
		{ fail "the standby does not say it is synced"; return; }
	local sent acked lag
	sent=$(hs_status "$PG_SOCK" 'd["sync"]["sent"]')
	acked=$(hs_status "$PG_SOCK" 'd["sync"]["acked"]')
	lag=$(hs_status "$PG_SOCK" 'd["sync"]["lag_ms"]')
	((sent > 0 && acked > 0)) || { fail "the primary counted sent $sent, acked $acked"; return; }
	report ha-sync "${LAN_IP[0]}" "$SRV1_IP:$OVPN_PORT/tcp" PASS "on the standby"
	report ha-sync "${LAN_IP[1]}:$HS_WG_PORT" "$SRV1_IP:$HS_WG_PORT/udp" PASS "on the standby"

	# Datagrams that are not the primary's, from the primary's own address and port.
	hs_forge || return
	wait_until 5 hs_refused_at_least bad_auth 3 ||
		{ fail "the standby did not count 3 bad_auth: $(hs_status "$HS_SB_SOCK" 'd["sync"]["refused"]')"; return; }
	hs_refused_at_least truncated 2 ||
		{ fail "the standby did not count 2 truncated: $(hs_status "$HS_SB_SOCK" 'd["sync"]["refused"]')"; return; }
	hs_refused_at_least replay 1 ||
		{ fail "the standby did not count the older epoch's message as a replay: $(hs_status "$HS_SB_SOCK" 'd["sync"]["refused"]')"; return; }
	hs_flows "$HS_SB_SOCK" >"$SCN_DIR/flows-standby-after.txt"
	[[ -z $(comm -23 <(sort "$SCN_DIR/flows-standby.txt") <(sort "$SCN_DIR/flows-standby-after.txt")) ]] ||
		{ fail "the forged datagrams changed the standby's flows"; return; }
	note "primary: sent $sent acked $acked lag ${lag} ms; standby refused: $(hs_status "$HS_SB_SOCK" 'd["sync"]["refused"]')"
	PASS_NOTE="standby holds the OpenVPN-TCP and WireGuard flows with the primary's public ports (lag ${lag} ms); wrong key, truncated, older epoch refused and counted"
}

# hs_sync_conf ROLE ME PEER - a [sync] section.
hs_sync_conf() {
	printf '\n[sync]\nrole = %s\nlisten = %s:%d\npeer = %s:%d\nkey_file = %s\n' \
		"$1" "$2" "$HS_PORT" "$3" "$HS_PORT" "$SCN_DIR/sync.key"
}

# hs_standby_world - the standby's namespace: links that lead nowhere (so it
# answers nobody on the LAN or WAN) and the sync link to the gateway.
hs_standby_world() {
	local ifc
	ip netns add "$NS_SB" || { fail "cannot create $NS_SB"; return 1; }
	nsx "$NS_SB" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$NS_SB" link set lo up
	for ifc in lan0 wan0; do
		ip -n "$NS_SB" link add "$ifc" type veth peer name "${ifc}p" &&
			ip -n "$NS_SB" link set "$ifc" up && ip -n "$NS_SB" link set "${ifc}p" up ||
			{ fail "standby link $ifc"; return 1; }
		nsx "$NS_SB" ethtool -K "$ifc" gro off >/dev/null 2>&1
	done
	ip -n "$NS_GW" link add sync0 type veth peer name sync0 netns "$NS_SB" &&
		ip -n "$NS_GW" addr add 10.99.0.1/24 dev sync0 && ip -n "$NS_GW" link set sync0 up &&
		ip -n "$NS_SB" addr add 10.99.0.2/24 dev sync0 && ip -n "$NS_SB" link set sync0 up ||
		{ fail "the sync link"; return 1; }
}

# hs_standby_start - passgated in the standby namespace: the gateway's own
# [lan], [wan] and the rest, its own control socket, [sync] role = standby.
hs_standby_start() {
	HS_SB_SOCK=$SCN_DIR/sb/passgated.sock
	mkdir -p "$SCN_DIR/sb"
	sed -e "s|^socket = .*|socket = $HS_SB_SOCK|" -e 's/^workers = .*/workers = 1/' \
		"$RUN_DIR/passgated.conf" >"$SCN_DIR/standby.conf"
	hs_sync_conf standby 10.99.0.2 10.99.0.1 >>"$SCN_DIR/standby.conf"
	spawn passgated-standby "$NS_SB" "$PASSGATED" -c "$SCN_DIR/standby.conf" -r "$SCN_DIR/sb"
	HS_SB_PID=$LAST_PID
	wait_until 15 test -S "$HS_SB_SOCK" ||
		{ fail "the standby passgated did not start: $(tail -n 2 "$SCN_DIR/passgated-standby.log")"; return 1; }
	wait_until 10 hs_synced ||
		{ fail "the standby never synced: $(hs_status "$HS_SB_SOCK" 'd["sync"]')"; return 1; }
}

hs_synced() {
	[[ $(hs_status "$HS_SB_SOCK" 'd["sync"]["synced"]') == True ]]
}

# hs_status SOCK EXPR - GET /api/v1/status on SOCK, EXPR evaluated on it (as d).
hs_status() {
	curl -sf --max-time 5 --unix-socket "$1" http://localhost/api/v1/status |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"
}

hs_refused_at_least() {
	local n
	n=$(hs_status "$HS_SB_SOCK" "d['sync']['refused']['$1']")
	[[ -n $n ]] && ((n >= $2))
}

# hs_flows SOCK - the flows to srv1's OpenVPN and WireGuard ports.
hs_flows() {
	curl -sf --max-time 10 --unix-socket "$1" 'http://localhost/api/v1/flows?limit=1000' |
		python3 -c '
import json, sys
for f in json.load(sys.stdin)["flows"]:
    if (f["proto"], f["remote"], str(f["remote_port"])) in (
            ("tcp", sys.argv[1], sys.argv[2]), ("udp", sys.argv[1], sys.argv[3])):
        print(f["proto"], "%s:%d" % (f["lan"], f["lan_port"]),
              "%s:%d" % (f["remote"], f["remote_port"]), f["public_port"])
' "$SRV1_IP" "$OVPN_PORT" "$HS_WG_PORT" | sort
}

hs_same_flows() {
	local p s
	p=$(hs_flows "$PG_SOCK")
	s=$(hs_flows "$HS_SB_SOCK")
	[[ -n $p && $p == "$s" && $(wc -l <<<"$p") -ge 2 ]]
}

# hs_forge - from 10.99.0.1:7979 (SO_REUSEADDR beside the primary's socket):
# three messages signed with another key, two cut short, and one correctly
# signed message of epoch 1 (older than any running primary's).
hs_forge() {
	nsx "$NS_GW" python3 - "$SCN_DIR/sync.key" <<-'PY' || { fail "could not send the forged datagrams"; return 1; }
		import hashlib, hmac, os, socket, struct, sys
		key = bytes.fromhex(open(sys.argv[1]).read().split()[0])
		def msg(k, typ, epoch, seq, body=b""):
		    hdr = b"PGSY" + struct.pack(">BBHQIII", 1, typ, 0, epoch, seq, 0, len(body))
		    return hdr + body + hmac.new(k, hdr + body, hashlib.sha256).digest()
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		s.bind(("10.99.0.1", 7979))
		to = ("10.99.0.2", 7979)
		for i in range(3):  # another key: a bulk that would wipe the standby
		    s.sendto(msg(os.urandom(32), 2, 2**62, 1), to)
		good = msg(key, 1, 1, 5, b"")
		s.sendto(good[:20], to)  # cut inside the header
		s.sendto(good[:-1], to)  # one byte of the HMAC missing
		s.sendto(msg(key, 1, 1, 5), to)  # the right key, an older epoch
	PY
}

# hs_openvpn / hs_wireguard - the sessions (as in restart-keeps-flows).
hs_openvpn() {
	pki_selfsigned pgsrv1 && pki_selfsigned lan1 || { fail "openssl could not make certificates"; return 1; }
	ovpn_server_conf "$SCN_DIR/server.conf" tcp4-server pgsrv1 "$(pki_fingerprint lan1)"
	spawn openvpn-srv "$NS_SRV1" openvpn --config "$SCN_DIR/server.conf"
	wait_listen "$NS_SRV1" tcp "$OVPN_PORT" 10 || { fail "openvpn server did not start"; return 1; }
	ovpn_client_conf "$SCN_DIR/client-lan1.conf" tcp4-client lan1 "$SRV1_IP" pgsrv1
	spawn openvpn-lan1 "${NS_LAN[0]}" openvpn --config "$SCN_DIR/client-lan1.conf"
	wait_until 20 nsx "${NS_LAN[0]}" ping -n -c 1 -W 1 10.8.0.1 ||
		{ fail "no ping answered inside the OpenVPN tunnel within 20 s"; return 1; }
}

hs_wireguard() {
	local i ns
	for i in 0 1; do
		(umask 077 && wg genkey >"$SCN_DIR/wg$i.key") || { fail "wg genkey failed"; return 1; }
		HS_IF[i]=pghs$i-$SFX
		HS_PUB[i]=$(wg pubkey <"$SCN_DIR/wg$i.key")
		ns=$NS_SRV1
		((i)) && ns=${NS_LAN[1]}
		mkdir -p "$SCN_DIR/run$i"
		spawn "wireguard-go-$i" "$ns" sh -c \
			'mount --bind "$1" /run && exec wireguard-go -f "$2"' sh "$SCN_DIR/run$i" "${HS_IF[i]}"
		wait_until 5 test -S "$SCN_DIR/run$i/wireguard/${HS_IF[i]}.sock" ||
			{ fail "wireguard-go ${HS_IF[i]} did not start"; return 1; }
	done
	hs_wg 0 "$NS_SRV1" set "${HS_IF[0]}" listen-port "$HS_WG_PORT" private-key "$SCN_DIR/wg0.key" \
		peer "${HS_PUB[1]}" allowed-ips 10.9.0.2/32 || { fail "wg set on srv1 failed"; return 1; }
	hs_wg 1 "${NS_LAN[1]}" set "${HS_IF[1]}" listen-port "$HS_WG_PORT" \
		private-key "$SCN_DIR/wg1.key" peer "${HS_PUB[0]}" endpoint "$SRV1_IP:$HS_WG_PORT" \
		allowed-ips 10.9.0.0/24 persistent-keepalive 5 || { fail "wg set on lan2 failed"; return 1; }
	ip -n "$NS_SRV1" addr add 10.9.0.1/24 dev "${HS_IF[0]}" &&
		ip -n "$NS_SRV1" link set "${HS_IF[0]}" up &&
		ip -n "${NS_LAN[1]}" addr add 10.9.0.2/24 dev "${HS_IF[1]}" &&
		ip -n "${NS_LAN[1]}" link set "${HS_IF[1]}" up || { fail "tunnel addresses"; return 1; }
	wait_until 10 nsx "${NS_LAN[1]}" ping -n -c 1 -W 1 10.9.0.1 ||
		{ fail "no ping answered inside the WireGuard tunnel within 10 s"; return 1; }
}

hs_wg() {
	local n=$1 ns=$2
	shift 2
	timeout 5 ip netns exec "$ns" sh -c 'mount --bind "$1" /run && shift && exec wg "$@"' \
		sh "$SCN_DIR/run$n" "$@"
}
