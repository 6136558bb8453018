# SPDX-License-Identifier: MIT
# router-vpn-server: a WireGuard server on the router itself ("VPN server on
# the router: configure port forwarding and firewall rules", the brief), and
# a road-warrior client on the WAN reaching a LAN host through it.
#
#   srv1 (WAN client)                 pggw-S (the router's host stack)
#   wg 10.9.0.2 ── udp ──► 198.51.100.2:51820 ─► passgated ─► pgh-wan0
#                                                              wg 10.9.0.1
#                                                                 │ forwards
#   lan1 192.168.1.10 ◄── passgated ◄── pgh-lan0 ◄───────────────┘
#        answers to 10.9.0.2 go up again ([host] routes = 10.9.0.0/24)
#
# 1. passgated with [input] wan = udp 51820 and [host] routes = 10.9.0.0/24.
# 2. wireguard-go in the gateway's namespace listens on 51820; the host
#    forwards between its wg device and the LAN device only (forwarding is
#    per device; the links stay fenced).
# 3. srv1's wireguard-go connects to the public address: pings inside the
#    tunnel to the router (10.9.0.1) and to lan1 (192.168.1.10) are all
#    answered; lan1 pings the client back through the router. lan1 saw the
#    client's tunnel address: no NAT between VPN clients and the LAN.
# Only for --gateway passgate: the host path is passgated's.

source "$E2E_DIR/lib/hostpath.sh"

RVS_PORT=51820
RVS_NET=10.9.0.0/24

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the host path is passgated's: run with --gateway passgate"; return; }
	need wireguard-go wg python3 || return
	local i ifs=() pubs=() ns out n=5 got seen
	hp_restart "$(printf '[input]\nwan = udp %s\n\n[host]\nroutes = %s\n' "$RVS_PORT" "$RVS_NET")" || return
	# Index 0: the server on the router; 1: the client on srv1.
	for i in 0 1; do
		ifs[i]=pgwgr$i-$SFX
		(umask 077 && wg genkey >"$SCN_DIR/wg$i.key") || { fail "wg genkey failed"; return; }
		pubs[i]=$(wg pubkey <"$SCN_DIR/wg$i.key")
		ns=$NS_GW
		((i == 1)) && ns=$NS_SRV1
		mkdir -p "$SCN_DIR/run$i"
		spawn "wireguard-go-$i" "$ns" sh -c \
			'mount --bind "$1" /run && LOG_LEVEL=verbose exec wireguard-go -f "$2"' \
			sh "$SCN_DIR/run$i" "${ifs[$i]}"
		wait_until 5 test -S "$SCN_DIR/run$i/wireguard/${ifs[$i]}.sock" ||
			{ fail "wireguard-go ${ifs[$i]} did not start: $(tail -n 1 "$SCN_DIR/wireguard-go-$i.log")"; return; }
	done
	rvs_wg 0 "$NS_GW" set "${ifs[0]}" listen-port "$RVS_PORT" private-key "$SCN_DIR/wg0.key" \
		peer "${pubs[1]}" allowed-ips 10.9.0.2/32 || { fail "wg set on the router failed"; return; }
	ip -n "$NS_GW" addr add 10.9.0.1/24 dev "${ifs[0]}"
	ip -n "$NS_GW" link set "${ifs[0]}" up
	# Forwarding only where the VPN's packets enter the host: its wg device
	# and the LAN device. The links keep forwarding off (and are fenced).
	nsx "$NS_GW" sysctl -qw "net.ipv4.conf.${ifs[0]}.forwarding=1" \
		"net.ipv4.conf.$HP_LAN_DEV.forwarding=1" >/dev/null ||
		{ fail "cannot turn forwarding on for ${ifs[0]} and $HP_LAN_DEV"; return; }
	rvs_wg 1 "$NS_SRV1" set "${ifs[1]}" private-key "$SCN_DIR/wg1.key" \
		peer "${pubs[0]}" endpoint "$WAN_PUB:$RVS_PORT" allowed-ips "$RVS_NET,$LAN_NET" \
		persistent-keepalive 5 || { fail "wg set on srv1 failed"; return; }
	ip -n "$NS_SRV1" addr add 10.9.0.2/24 dev "${ifs[1]}"
	ip -n "$NS_SRV1" link set "${ifs[1]}" up
	ip -n "$NS_SRV1" route add "$LAN_NET" dev "${ifs[1]}"

	# 3. Inside the tunnel: the router first, then a LAN host, then back.
	wait_until 10 nsx "$NS_SRV1" ping -n -c 1 -W 1 10.9.0.1 ||
		{ fail "srv1: no answer from the router inside the tunnel within 10 s"; return; }
	spawn lan1-capture "${NS_LAN[0]}" tcpdump -l -n -i eth0 icmp and host 10.9.0.2
	wait_until 5 grep -q 'listening on' "$SCN_DIR/lan1-capture.log" ||
		{ fail "tcpdump on lan1 did not start"; return; }
	for t in 10.9.0.1 "${LAN_IP[0]}"; do
		out=$(tnsx 15 "$NS_SRV1" ping -n -c "$n" -i 0.2 -W 2 "$t" 2>&1)
		echo "$out" >>"$SCN_DIR/tunnel-ping.log"
		got=$(grep -oE '[0-9]+ received' <<<"$out" | grep -oE '^[0-9]+')
		[[ ${got:-0} == "$n" ]] || { fail "srv1 -> $t inside the tunnel: ${got:-0} of $n answered"; return; }
	done
	out=$(tnsx 15 "${NS_LAN[0]}" ping -n -c "$n" -i 0.2 -W 2 10.9.0.2 2>&1)
	echo "$out" >>"$SCN_DIR/tunnel-ping.log"
	got=$(grep -oE '[0-9]+ received' <<<"$out" | grep -oE '^[0-9]+')
	[[ ${got:-0} == "$n" ]] || { fail "lan1 -> 10.9.0.2 (the VPN client): ${got:-0} of $n answered"; return; }
	seen=$(rvs_wg 0 "$NS_GW" show "${ifs[0]}" endpoints | awk '{print $2}')
	[[ $seen == "$SRV1_IP:"* ]] || { fail "the router's server has the client at '${seen:-nothing}', expected $SRV1_IP"; return; }
	wait_until 3 grep -q "10.9.0.2 > ${LAN_IP[0]}: ICMP echo request" "$SCN_DIR/lan1-capture.log" ||
		{ fail "lan1 did not see the client's own address 10.9.0.2"; return; }
	note "srv1 -> 10.9.0.1 and ${LAN_IP[0]} in the tunnel: $n/$n each; lan1 -> 10.9.0.2: $n/$n; server sees $seen"
	report router-vpn-server "$SRV1_IP" "$WAN_PUB:$RVS_PORT/udp" PASS "$seen; tunnel pings $n/$n to router and lan1"
}

# rvs_wg N NS ARGS... - wg in NS with peer N's private /run.
rvs_wg() {
	local n=$1 ns=$2
	shift 2
	timeout 5 ip netns exec "$ns" sh -c 'mount --bind "$1" /run && shift && exec wg "$@"' \
		sh "$SCN_DIR/run$n" "$@"
}
