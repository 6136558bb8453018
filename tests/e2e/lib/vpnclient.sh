# SPDX-License-Identifier: MIT
# tests/e2e/lib/vpnclient.sh - the router as a VPN client ([tunnel],
# docs/HOSTPATH.md "The tunnel"): a real WireGuard or OpenVPN server on
# srv1 and passgated's own tunnel to it. Sourced by router-vpn-client,
# router-vpn-killswitch and router-vpn-dns.
#
#   lan1 192.168.1.10 (tunnelled) ─┐                 ┌─ srv1 203.0.113.10
#   lan2 192.168.1.11 (not)        ├─ passgated ─ WAN┤   wireguard-go, wg 10.66.0.1
#   lan3 192.168.1.12 (bypass)    ─┘  pgtun (host)   │   inside: tcpecho 10.66.0.1:8098
#                                     10.66.0.2      │   dnsmasq 10.66.0.1:53 (logs queries)
#                                                    │   forwards + masquerades to the WAN
#                                                    └─ srv2 203.0.113.20
#                                                        outside: tcpecho :8099 (SEEN addr)
#
# passgated runs wireguard-go itself (its control socket is
# /var/run/wireguard/DEV.sock on the machine's /run: the device name
# carries the run's suffix). srv1's server gets a private /run as in
# lib/wireguard.sh.
#
# With VC_TYPE=openvpn (vc_server_start openvpn) srv1 runs an OpenVPN 2.6
# TLS server instead (udp 1194, certificates pinned as in lib/openvpn.sh)
# on 10.67.0.0/24: srv1 10.67.0.1, passgated's openvpn gets 10.67.0.2 from
# the server's pool. Both servers can run at once (the services bind to all
# of srv1's addresses).

source "$E2E_DIR/lib/hostpath.sh"
source "$E2E_DIR/lib/wireguard.sh"
source "$E2E_DIR/lib/capture.sh"
source "$E2E_DIR/lib/pki.sh"

VC_TYPE=wireguard
VC_NET=10.66.0.0/24
VC_SRV=10.66.0.1	# srv1's tunnel address: the inside service and the resolver
VC_GW=10.66.0.2		# passgated's tunnel address
VC_PORT=51820
VC_CHILD=wireguard-go	# passgated's child for the tunnel
VC_INSIDE=8098		# tcpecho on srv1, bound to the tunnel address only
VC_OUTSIDE=8099		# tcpecho on srv2: logs who it saw
VC_NAME=inside.vpn.test	# answered by srv1's resolver only

# vc_server_start [wireguard|openvpn] - the server on srv1 with the inside
# services, forwarding and masquerading the tunnel's traffic out of its eth0.
vc_server_start() {
	if [[ ${1:-wireguard} == openvpn ]]; then
		vc_ovpn_server_start
		return
	fi
	VC_TYPE=wireguard VC_NET=10.66.0.0/24 VC_SRV=10.66.0.1 VC_GW=10.66.0.2 VC_PORT=51820
	VC_CHILD=wireguard-go VC_SIF=pgvs-$SFX
	wg_peer_start 1 "$NS_SRV1" "$VC_SIF" || return 1
	VC_SRV_PID=$LAST_PID
	(umask 077 && wg genkey >"$SCN_DIR/wg0.key") || { fail "wg genkey failed"; return 1; }
	vc_server_conf || return 1
	nsx "$NS_SRV1" sysctl -qw "net.ipv4.conf.$VC_SIF.forwarding=1" >/dev/null
	vc_services || return 1
	spawn inside-dns "$NS_SRV1" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --listen-address="$VC_SRV" --bind-dynamic --port=53 --user=root \
		--pid-file --log-facility=- --log-queries --address="/$VC_NAME/$VC_SRV"
	wait_listen "$NS_SRV1" udp 53 10 || { fail "srv1's resolver did not start: $(tail -n 1 "$SCN_DIR/inside-dns.log")"; return 1; }
}

# vc_services - once per scenario: srv1 forwards and masquerades both
# tunnels' nets out of eth0; the inside echo (all of srv1's addresses, so
# reachable only through a tunnel at its tunnel address) and the outside one.
vc_services() {
	[[ ${VC_SERVICES_SCN:-} == "$SCN_DIR" ]] && return 0
	VC_SERVICES_SCN=$SCN_DIR
	nsx "$NS_SRV1" sysctl -qw net.ipv4.conf.eth0.forwarding=1 >/dev/null
	scn_undo ip netns exec "$NS_SRV1" sysctl -qw net.ipv4.conf.eth0.forwarding=0
	nsx "$NS_SRV1" nft -f - <<-EOF2 || { fail "nft on srv1 failed"; return 1; }
		table ip pgvc {
			chain out { type nat hook postrouting priority srcnat; policy accept;
				oifname "eth0" ip saddr { 10.66.0.0/24, 10.67.0.0/24 } masquerade
			}
		}
	EOF2
	scn_undo ip netns exec "$NS_SRV1" nft delete table ip pgvc
	spawn inside-echo "$NS_SRV1" "$PY" "$E2E_DIR/lib/tcpecho.py" server "$VC_INSIDE"
	spawn outside-echo "$NS_SRV2" "$PY" "$E2E_DIR/lib/tcpecho.py" server "$VC_OUTSIDE"
	wait_listen "$NS_SRV2" tcp "$VC_OUTSIDE" 10 || { fail "the outside service did not start"; return 1; }
}

# vc_ovpn_server_start - an OpenVPN TLS server on srv1 (udp 1194, device
# pgvo-SFX, pool 10.67.0.0/24) pinning the certificate of passgated's
# client, and a resolver on 10.67.0.1; from then on the vc_* functions
# speak of this tunnel (VC_TYPE=openvpn).
vc_ovpn_server_start() {
	VC_TYPE=openvpn VC_NET=10.67.0.0/24 VC_SRV=10.67.0.1 VC_GW=10.67.0.2 VC_PORT=1194
	VC_CHILD=openvpn VC_SIF=pgvo-$SFX
	pki_selfsigned pgsrv1 && pki_selfsigned pgtunc || { fail "openssl could not make certificates"; return 1; }
	cat >"$SCN_DIR/ovpn-server.conf" <<-EOF2
		server 10.67.0.0 255.255.255.0
		topology subnet
		proto udp4
		port $VC_PORT
		dev $VC_SIF
		dev-type tun
		cert $RUN_DIR/pki/pgsrv1.crt
		key $RUN_DIR/pki/pgsrv1.key
		dh none
		peer-fingerprint $(pki_fingerprint pgtunc)
		keepalive 2 10
		disable-dco
		verb 3
	EOF2
	vc_services || return 1
	vc_ovpn_server_run openvpn-srv || return 1
	spawn inside-dns-ovpn "$NS_SRV1" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --listen-address="$VC_SRV" --bind-dynamic --port=53 --user=root \
		--pid-file --log-facility=- --log-queries --address="/$VC_NAME/$VC_SRV"
	wait_until 10 vc_resolver_listens ||
		{ fail "srv1's resolver on $VC_SRV did not start: $(tail -n 1 "$SCN_DIR/inside-dns-ovpn.log")"; return 1; }
}

vc_resolver_listens() {
	[[ -n $(nsx "$NS_SRV1" ss -Hlun "src $VC_SRV and sport = :53") ]]
}

# vc_ovpn_server_run NAME - (again) srv1's openvpn; returns once it listens.
vc_ovpn_server_run() {
	spawn "$1" "$NS_SRV1" openvpn --config "$SCN_DIR/ovpn-server.conf"
	VC_SRV_PID=$LAST_PID
	wait_until 10 grep -q "Initialization Sequence Completed" "$SCN_DIR/$1.log" ||
		{ fail "srv1's openvpn did not start: $(tail -n 1 "$SCN_DIR/$1.log")"; return 1; }
	nsx "$NS_SRV1" sysctl -qw "net.ipv4.conf.$VC_SIF.forwarding=1" >/dev/null
}

# vc_server_conf - (again) the server's key, peer and address: after a
# restart of its wireguard-go too.
vc_server_conf() {
	wgx 1 "$NS_SRV1" set "$VC_SIF" listen-port "$VC_PORT" private-key "$SCN_DIR/wg1.key" \
		peer "$(wg pubkey <"$SCN_DIR/wg0.key")" allowed-ips "$VC_GW/32" ||
		{ fail "wg set on srv1 failed"; return 1; }
	ip -n "$NS_SRV1" addr replace "$VC_SRV/24" dev "$VC_SIF"
	ip -n "$NS_SRV1" link set "$VC_SIF" up
}

# vc_gateway ROUTE BYPASS [KILLSWITCH] - passgated with a [tunnel] to srv1
# (of VC_TYPE).
vc_gateway() {
	VC_DEV=pgtun$SFX
	if [[ $VC_TYPE == openvpn ]]; then
		# A provider's client file, as users get them: no dev (passgated names
		# it), its certificate and key beside it by relative names (--cd).
		cp "$RUN_DIR/pki/pgtunc.crt" "$RUN_DIR/pki/pgtunc.key" "$SCN_DIR/"
		cat >"$SCN_DIR/tunnel.ovpn" <<-EOF2
			client
			proto udp4
			remote $SRV1_IP $VC_PORT
			nobind
			cert pgtunc.crt
			key pgtunc.key
			peer-fingerprint $(pki_fingerprint pgsrv1)
			connect-retry 1
			verb 3
		EOF2
		hp_restart "$(printf '[tunnel]\ntype = openvpn\ndevice = %s\nconfig = %s\ndns = %s\nroute = %s\nbypass = %s\nkillswitch = %s\n' \
			"$VC_DEV" "$SCN_DIR/tunnel.ovpn" "$VC_SRV" "$1" "$2" "${3:-on}")${VC_EXTRA:+
$VC_EXTRA}" || return 1
		return 0
	fi
	umask 077
	cat >"$SCN_DIR/tunnel.conf" <<-EOF2
		[Interface]
		PrivateKey = $(cat "$SCN_DIR/wg0.key")

		[Peer]
		PublicKey = $(wg_pub 1)
		Endpoint = $SRV1_IP:$VC_PORT
		AllowedIPs = 0.0.0.0/0
	EOF2
	umask 022
	hp_restart "$(printf '[tunnel]\ntype = wireguard\ndevice = %s\nwg_config = %s\naddress = %s/32\ndns = %s\nroute = %s\nbypass = %s\nkillswitch = %s\n' \
		"$VC_DEV" "$SCN_DIR/tunnel.conf" "$VC_GW" "$VC_SRV" "$1" "$2" "${3:-on}")${VC_EXTRA:+
$VC_EXTRA}" || return 1
}

# vc_page_setup - before vc_gateway: an [api] HTTP listener with a password
# (VC_EXTRA), for the admin page in Chromium (tests/web/tunnel.js).
VC_API=http://127.0.0.1:8080
vc_page_setup() {
	VC_PASSWORD=e2e-password-$RANDOM$RANDOM
	VC_EXTRA=$(printf '[api]\nlisten = 127.0.0.1:8080\n%s\n' "$("$PASSGATED" --hash-password <<<"$VC_PASSWORD")") ||
		{ fail "passgated --hash-password failed"; return 1; }
}

# vc_page STATE [toggle] - the page's tunnel panel shows STATE and agrees
# with GET /api/v1/tunnel (with toggle: the kill switch pressed off and on
# again, the API following); the driver's line goes to $VC_PAGE_SAID.
vc_page() {
	tnsx 100 "$NS_GW" node "$REPO/tests/web/tunnel.js" "$VC_API/" "$VC_PASSWORD" "$1" \
		"$REPO/build/$SCN_NAME-$1.png" ${2:+"$2"} >>"$SCN_DIR/browser.log" 2>&1 ||
		{ fail "the page's tunnel panel ($1): $(grep -v Warning "$SCN_DIR/browser.log" | tail -n 1)"; return 1; }
	VC_PAGE_SAID=$(grep '^tunnel: ' "$SCN_DIR/browser.log" | tail -n 1)
	note "page: $VC_PAGE_SAID"
}

# vc_state [FIELD] - the tunnel's state from the API ("up", "down", "off"),
# or another field of GET /api/v1/tunnel.
vc_state() {
	curl -sf --max-time 5 --unix-socket "$PG_SOCK" http://localhost/api/v1/tunnel 2>/dev/null |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "${1:-state}" 2>/dev/null
}

# vc_put JSON - PUT /api/v1/config/tunnel over the control socket; prints the status.
vc_put() {
	curl -s --max-time 10 --unix-socket "$PG_SOCK" -o "$SCN_DIR/put.out" -w '%{http_code}' \
		-X PUT -H 'Content-Type: application/json' --data-binary "$1" \
		http://localhost/api/v1/config/tunnel
}

# vc_wait_up SECS - true once the API says up.
vc_wait_up() {
	wait_until "$1" vc_is up
}

vc_is() {
	[[ $(vc_state) == "$1" ]]
}

# vc_seen NS HOST PORT - the address:port a tcpecho server saw for one
# connection from NS (empty when it failed).
vc_seen() {
	tnsx 10 "$1" "$PY" "$E2E_DIR/lib/tcpecho.py" client "$2" "$3" 2000 2>/dev/null |
		awk '$1 == "seen" && $NF == "ok" {print $2}'
}

# vc_debug - the gateway's policy rules, routes, nftables, sysctls and srv1's
# WireGuard state into $SCN_DIR/debug.txt (evidence when lan1 is not answered).
vc_debug() {
	{
		nsx "$NS_GW" ip rule; nsx "$NS_GW" ip route show table all | grep -v local
		nsx "$NS_GW" nft list ruleset; nsx "$NS_GW" sysctl -a 2>/dev/null | grep -E "forwarding|rp_filter|ip_forward"
		nsx "$NS_GW" ip -s link; nsx "$NS_GW" nstat -az | grep -vE " 0 +0.0$"
		[[ $VC_TYPE == wireguard ]] && wgx 1 "$NS_SRV1" show
	} >"$SCN_DIR/debug.txt" 2>&1
}

# vc_dns NS SERVER NAME - one A query over UDP from NS (2 s); prints the
# first address of the answer, nothing when there was none.
vc_dns() {
	tnsx 5 "$1" "$PY" -c '
import random, socket, struct, sys
name, server = sys.argv[2], sys.argv[1]
qid = random.randrange(65536)
q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack("!HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(q, (server, 53))
try:
    a = s.recv(512)
except OSError:
    sys.exit(1)
if len(a) < 12 or a[:2] != q[:2] or struct.unpack("!H", a[6:8])[0] == 0:
    sys.exit(1)
print(socket.inet_ntoa(a[-4:]))
' "$2" "$3" 2>/dev/null
}

# vc_server_stop / vc_server_again - srv1's WireGuard (or OpenVPN) server
# goes away and comes back with the same key and peer (what a provider's
# restart looks like).
vc_server_stop() {
	stop_pid "$VC_SRV_PID"
}

vc_server_again() {
	if [[ $VC_TYPE == openvpn ]]; then
		vc_ovpn_server_run openvpn-srv-again
		return
	fi
	spawn wireguard-go-1-again "$NS_SRV1" sh -c \
		'mount --bind "$1" /run && LOG_LEVEL=verbose exec wireguard-go -f "$2"' \
		sh "$SCN_DIR/run1" "$VC_SIF"
	VC_SRV_PID=$LAST_PID
	wait_until 5 test -S "$SCN_DIR/run1/wireguard/$VC_SIF.sock" ||
		{ fail "srv1's wireguard-go did not start again"; return 1; }
	vc_server_conf || return 1
	nsx "$NS_SRV1" sysctl -qw "net.ipv4.conf.$VC_SIF.forwarding=1" >/dev/null
}

# vc_wan_capture NAME - capture on the WAN (the internet router's side of the
# gateway's link) every IPv4 packet from the public address: where a
# tunnelled host's packet in the clear would show.
vc_wan_capture() {
	capture_start "$1" "$NS_INET" eth0 "ip and src host $WAN_PUB"
}

# vc_wan_verdict NAME - after capture_stop: "TUNNEL CLEAR", the packets to
# srv1's WireGuard (or OpenVPN) port (the tunnel, which must be there: the capture saw
# the traffic) and all others (in the clear).
vc_wan_verdict() {
	echo "$(capture_count "$1" "udp and dst host $SRV1_IP and dst port $VC_PORT")" \
		"$(capture_count "$1" "not (udp and dst host $SRV1_IP and dst port $VC_PORT)")"
}

# vc_mtu_check CAPTURE - the tunnel's MTU reaches lan1: the SYN in CAPTURE
# (taken at srv1's tunnel device) carries an MSS of at most the tunnel's
# MTU - 40, and a ping from lan1 with DF and 1500 bytes is answered
# "fragmentation needed" with the tunnel's MTU, which lan1's route to the
# server then holds (docs/HOSTPATH.md "MTU").
vc_mtu_check() {
	local mtu mss out
	mtu=$(nsx "$NS_GW" cat "/sys/class/net/$VC_DEV/mtu" 2>/dev/null)
	[[ $mtu =~ ^[0-9]+$ ]] || { fail "$VC_TYPE: no MTU for $VC_DEV on the gateway"; return 1; }
	mss=$(capture_read "$1" | sed -n 's/.*mss \([0-9]*\).*/\1/p' | head -n 1)
	[[ -n $mss ]] || { fail "$VC_TYPE: srv1 saw no SYN of lan1's with an MSS ($(capture_count "$1") packets)"; return 1; }
	((mss <= mtu - 40)) ||
		{ fail "$VC_TYPE: lan1's SYN reached srv1 with MSS $mss, above the tunnel's $((mtu - 40)) (MTU $mtu)"; return 1; }
	scn_undo ip netns exec "${NS_LAN[0]}" ip route flush cache
	out=$(tnsx 10 "${NS_LAN[0]}" ping -n -M do -s $((1500 - 28)) -c 2 -i 0.3 -W 1 "$VC_SRV" 2>&1)
	grep -qE "mtu ?= ?$mtu\b" <<<"$out" ||
		{ fail "$VC_TYPE: lan1's 1500-byte ping with DF into the tunnel (MTU $mtu) got no 'fragmentation needed' for $mtu: $(tail -n 3 <<<"$out" | tr '\n' ' ')"; return 1; }
	nsx "${NS_LAN[0]}" ip route get "$VC_SRV" | grep -q "mtu $mtu" ||
		{ fail "$VC_TYPE: lan1's route to $VC_SRV did not learn mtu $mtu: $(nsx "${NS_LAN[0]}" ip route get "$VC_SRV" | tr '\n' ' ')"; return 1; }
	note "$VC_TYPE: lan1's SYN at srv1 with MSS $mss (tunnel MTU $mtu); a 1500-byte DF ping answered: $(grep -m1 -oE '[^:]*mtu ?= ?[0-9]+\)?' <<<"$out")"
}
