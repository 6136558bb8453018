# SPDX-License-Identifier: MIT
# tests/e2e/lib/openvpn.sh - one OpenVPN 2.6 server on pgsrv1, two LAN
# clients at once, over UDP or TCP; the config writers also serve fwd-openvpn
# (the server inside). Sourced by scenarios/openvpn-*.sh, fwd-openvpn.sh,
# ipv6-openvpn.sh, ipv6-vpn.sh.
#
# TLS server mode (static keys allow one peer per server): each side has a
# self-signed EC certificate made at run time and pins the other's SHA-256
# fingerprint, so no CA exists; "dh none" (ECDHE only). Data channel offload
# is off: no kernel module here, and the userspace path is what we test.

OVPN_PORT=1194

# ovpn_star SRVPROTO CLIPROTO SERVER BIND ROW - one server on srv1 and
# clients on lan1 and lan2 dialling SERVER with client option BIND (e.g.
# "lport 1194", or empty). Returns once a ping inside each client's tunnel is
# answered, then three more; on failure writes a report row ROW (the local
# side "lanN", ROW's remote) and the reason. Both clients are checked, each
# with its own pool address: the tunnel is up when a ping inside it is
# answered, not when the log says so.
ovpn_star() {
	local srvproto=$1 cliproto=$2 server=$3 bind=$4 row=$5 i cn fps
	if ! pki_selfsigned pgsrv1 || ! pki_selfsigned lan1 || ! pki_selfsigned lan2; then
		fail "openssl could not make certificates"
		return
	fi
	fps=$(printf '%s\n' "$(pki_fingerprint lan1)" "$(pki_fingerprint lan2)")
	ovpn_server_conf "$SCN_DIR/server.conf" "$srvproto" pgsrv1 "$fps"
	spawn openvpn-srv "$NS_SRV1" openvpn --config "$SCN_DIR/server.conf"
	wait_until 10 grep -q "Initialization Sequence Completed" "$SCN_DIR/openvpn-srv.log" ||
		{ fail "openvpn server did not start: $(tail -n 1 "$SCN_DIR/openvpn-srv.log")"; return; }
	for i in 0 1; do
		cn=lan$((i + 1))
		ovpn_client_conf "$SCN_DIR/client-$cn.conf" "$cliproto" "$cn" "$server" pgsrv1 "$bind"
		spawn "openvpn-$cn" "${NS_LAN[$i]}" openvpn --config "$SCN_DIR/client-$cn.conf"
	done
	for i in 0 1; do
		cn=lan$((i + 1))
		if ! wait_until 20 nsx "${NS_LAN[$i]}" ping -n -c 1 -W 1 10.8.0.1; then
			report "${row%% *}" "$cn" "${row#* }" FAIL -
			fail "$cn: no ping answered inside the tunnel within 20 s ($(ovpn_last_words "$cn"))"
			return
		fi
		tnsx 10 "${NS_LAN[$i]}" ping -n -c 3 -i 0.2 -W 2 10.8.0.1 >"$SCN_DIR/tunnel-ping-$cn.log" 2>&1 ||
			{ fail "$cn: tunnel ping lost replies once up"; return; }
	done
}

# ovpn_seen CN FAMILY - the address:port srv1's server saw client CN at
# (FAMILY: AF_INET or AF_INET6), from its log line
# "[lan1] Peer Connection Initiated with [AF_INET]198.51.100.2:1194".
ovpn_seen() {
	grep -o "\[$1\] Peer Connection Initiated with \[$2\][0-9a-f.:]*" \
		"$SCN_DIR/openvpn-srv.log" | tail -n 1 | sed 's/.*\]//'
}

# openvpn_scenario udp|tcp
openvpn_scenario() {
	local proto=$1 i cn seen srvproto=udp4 cliproto=udp4 bind=
	need openvpn || return
	[[ $proto == tcp ]] && srvproto=tcp4-server cliproto=tcp4-client
	# Over UDP both clients bind local port 1194, as many deployed client
	# configs do: the gateway must give the second one another public port
	# while the first keeps its own.
	[[ $proto == udp ]] && bind="lport $OVPN_PORT"
	ovpn_star "$srvproto" "$cliproto" "$SRV1_IP" "$bind" "openvpn-$proto $SRV1_IP:$OVPN_PORT/$proto" || return
	for i in 0 1; do
		cn=lan$((i + 1))
		seen=$(ovpn_seen "$cn" AF_INET)
		all_from_public "$seen" ||
			{ fail "server saw $cn as '${seen:-nothing}', expected $WAN_PUB"; return; }
		report "openvpn-$proto" "${LAN_IP[$i]}${bind:+:$OVPN_PORT}" "$SRV1_IP:$OVPN_PORT/$proto" PASS "$seen"
	done
}

# ovpn_server_conf FILE PROTO NAME FINGERPRINTS - a TLS server config (pool
# 10.8.0.0/24, the server 10.8.0.1) with NAME's certificate, accepting the
# clients whose fingerprints are given (one a line). PROTO: udp4,
# tcp4-server.
ovpn_server_conf() {
	cat >"$1" <<-CONF
		# "server" expands to mode server + tls-server + an address pool.
		server 10.8.0.0 255.255.255.0
		topology subnet
		proto $2
		port $OVPN_PORT
		dev tun
		cert $RUN_DIR/pki/$3.crt
		key $RUN_DIR/pki/$3.key
		dh none
		<peer-fingerprint>
		$4
		</peer-fingerprint>
		keepalive 2 10
		disable-dco
		verb 3
	CONF
}

# ovpn_client_conf FILE PROTO CN SERVER-ADDR SERVER-NAME [LINE] - a client
# config for CN's certificate, pinning SERVER-NAME's, with an extra LINE
# (e.g. "lport 1194"). PROTO: udp4, tcp4-client.
ovpn_client_conf() {
	cat >"$1" <<-CONF
		client
		proto $2
		remote $4 $OVPN_PORT
		dev tun
		cert $RUN_DIR/pki/$3.crt
		key $RUN_DIR/pki/$3.key
		peer-fingerprint $(pki_fingerprint "$5")
		connect-retry 1
		${6:-}
		disable-dco
		verb 3
	CONF
}

# ovpn_last_words CN - the client's last log line, for a failure reason.
ovpn_last_words() {
	tail -n 1 "$SCN_DIR/openvpn-$1.log" | cut -c 1-120
}

# ovpn_session_kept LOG - the OpenVPN client of LOG set its session up once
# and never restarted it (no restart pause, SIGUSR1 or reset); fails with why.
ovpn_session_kept() {
	(($(grep -c 'Initialization Sequence Completed' "$1") == 1)) &&
		! grep -qE 'Restart pause|SIGUSR1\[|Connection reset' "$1" ||
		{ fail "the OpenVPN client restarted its session: $(grep -m1 -E 'Restart|SIGUSR1|reset' "$1")"; return 1; }
}
