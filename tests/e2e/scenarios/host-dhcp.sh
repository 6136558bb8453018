# SPDX-License-Identifier: MIT
# host-dhcp: a LAN host with no address gets one from the gateway's DHCP
# server (dnsmasq, run by passgated on its LAN host device), configures it,
# and its traffic crosses the NAT.
#
#   pgdhcp-S (no address)          pgsw-S       pggw-S                  pgsrv1-S
#   eth0 ── udhcpc ───DISCOVER──► br0 ──► lan0 ► passgated ► pgh-lan0 ► dnsmasq
#        ◄──────────────OFFER/ACK (dnsmasq ► pgh-lan0 ► passgated ► lan0)
#   eth0 192.168.1.1xx ── ping, TCP, UDP ──► passgated (NAT) ─ wan0 ─► 203.0.113.10
#
# Passes when udhcpc (with our own event script: nothing on the system is
# touched) was offered an address inside [dhcp] range with the gateway as
# router and DNS server and the configured lease, dnsmasq's lease file in
# passgated's run directory holds that address for the host's MAC, and with
# that address the host pings the WAN server and exchanges TCP and UDP with
# it, the server seeing the gateway's public address.

source "$E2E_DIR/lib/hostsvc.sh"

DHCP_LO=192.168.1.100
DHCP_HI=192.168.1.199

scenario() {
	need busybox dnsmasq || return
	local ns=pgdhcp-$SFX script=$SCN_DIR/udhcpc-event.sh out=$SCN_DIR/udhcpc ip mac line seen
	local HOSTSVC_TOKEN=e2e-dhcp-$RANDOM$RANDOM
	hostsvc_restart "$(printf '%s\n' '[dhcp]' 'enable = on' \
		"range  = $DHCP_LO - $DHCP_HI" 'lease  = 10m' '[dns]' 'forward  = on' \
		"upstream = $SRV1_IP")" || return
	hostsvc_bare_host "$ns" || return
	mac=$(nsx "$ns" cat /sys/class/net/eth0/address)
	[[ -z $(nsx "$ns" ip -4 -o addr show dev eth0) ]] || { fail "$ns eth0 has an address already"; return; }

	hostsvc_udhcpc_script "$script" "$out"
	# -f foreground, -q quit once bound, -n fail if no lease; 6 tries 2 s apart.
	tnsx 40 "$ns" busybox udhcpc -i eth0 -f -q -n -t 6 -T 2 -A 2 -s "$script" \
		>"$SCN_DIR/udhcpc.log" 2>&1 ||
		{ fail "udhcpc got no lease: $(tail -n 1 "$SCN_DIR/udhcpc.log")"; return; }
	[[ -s $out.bound ]] || { fail "udhcpc ended without a 'bound' event"; return; }
	ip=$(hostsvc_lease_get "$out.bound" ip)
	note "lease: $(tr '\n' ' ' <"$out.bound")"
	hostsvc_in_range "$ip" "$DHCP_LO" "$DHCP_HI" ||
		{ fail "offered '$ip', outside $DHCP_LO - $DHCP_HI"; return; }
	[[ $(hostsvc_lease_get "$out.bound" router) == "$LAN_GW" ]] ||
		{ fail "router option '$(hostsvc_lease_get "$out.bound" router)', expected $LAN_GW"; return; }
	[[ $(hostsvc_lease_get "$out.bound" dns) == "$LAN_GW" ]] ||
		{ fail "DNS option '$(hostsvc_lease_get "$out.bound" dns)', expected $LAN_GW"; return; }
	[[ $(hostsvc_lease_get "$out.bound" serverid) == "$LAN_GW" ]] ||
		{ fail "server id '$(hostsvc_lease_get "$out.bound" serverid)', expected $LAN_GW"; return; }
	[[ $(hostsvc_lease_get "$out.bound" subnet) == 255.255.255.0 ]] ||
		{ fail "subnet '$(hostsvc_lease_get "$out.bound" subnet)', expected 255.255.255.0"; return; }
	[[ $(hostsvc_lease_get "$out.bound" lease) == 600 ]] ||
		{ fail "lease time '$(hostsvc_lease_get "$out.bound" lease)', expected 600 (lease = 10m)"; return; }
	# dnsmasq's own record: "EXPIRY MAC IP NAME CLIENTID".
	wait_until 5 grep -q " $mac $ip " "$HOSTSVC_RUN/dnsmasq.leases" ||
		{ fail "dnsmasq's lease file has no '$mac $ip'"; return; }
	line=$(grep " $mac $ip " "$HOSTSVC_RUN/dnsmasq.leases")
	note "dnsmasq lease: $line"

	# The address as udhcpc's usual script would set it (here, by us).
	nsx "$ns" ip addr add "$ip/24" dev eth0 || { fail "cannot configure $ip"; return; }
	nsx "$ns" ip route add default via "$(hostsvc_lease_get "$out.bound" router)" ||
		{ fail "cannot add the default route"; return; }

	# Across the NAT: ping, a TCP echo, a UDP echo, each answered by the WAN server.
	tnsx 10 "$ns" ping -c 3 -i 0.2 -W 2 "$SRV1_IP" >"$SCN_DIR/ping.log" 2>&1 ||
		{ fail "$ip cannot ping $SRV1_IP: $(tail -n 2 "$SCN_DIR/ping.log" | head -n 1)"; return; }
	spawn tcp-echo-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/tcpecho.py" server 7100
	spawn udp-echo-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7101
	wait_listen "$NS_SRV1" tcp 7100 || { fail "TCP echo server did not start"; return; }
	wait_listen "$NS_SRV1" udp 7101 || { fail "UDP echo server did not start"; return; }
	tnsx 15 "$ns" "$PY" "$E2E_DIR/lib/tcpecho.py" client "$SRV1_IP" 7100 100000 \
		>"$SCN_DIR/tcp-client.log" 2>&1 ||
		{ fail "TCP echo from $ip failed: $(tail -n 1 "$SCN_DIR/tcp-client.log")"; return; }
	seen=$(awk '/^seen /{print $2}' "$SCN_DIR/tcp-client.log")
	all_from_public "$seen" || { fail "TCP server saw '$seen', not $WAN_PUB"; return; }
	report host-dhcp "$ip (DHCP)" "$SRV1_IP:7100/tcp" PASS "$seen"
	tnsx 15 "$ns" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-client "$SRV1_IP" 7101 40100 10 \
		>"$SCN_DIR/udp-client.log" 2>&1
	line=$(grep '^seen ' "$SCN_DIR/udp-client.log")
	[[ $line =~ echoed\ 10\  ]] || { fail "UDP echo from $ip: ${line:-no result}"; return; }
	seen=$(awk '{print $2}' <<<"$line")
	all_from_public "$seen" || { fail "UDP server saw '$seen', not $WAN_PUB"; return; }
	grep -q "from $seen " "$SCN_DIR/udp-echo-srv.log" ||
		{ fail "the UDP server's log does not show $seen"; return; }
	report host-dhcp "$ip:40100 (DHCP)" "$SRV1_IP:7101/udp" PASS "$seen"
	dhcp_api_change "$ns" "$ip" || return
	PASS_NOTE="leased $ip, lease 600 s; ping, TCP and UDP seen from $WAN_PUB; lease = 20m through the API: dnsmasq restarted, renewed for 1200 s"
}

# dhcp_api_change NS IP - [dhcp] lease changed through the API: passgated
# stops its dnsmasq and starts one with the new lease time; the host asks
# again for IP and gets it for 1200 s.
dhcp_api_change() {
	local ns=$1 ip=$2 code old new out=$SCN_DIR/udhcpc2
	old=$(grep 'dnsmasq: started pid' "$PG_LOG" | tail -n 1 | sed 's/.*started pid \([0-9]*\).*/\1/')
	code=$(hostsvc_api_put dhcp '{"lease": "20m"}')
	[[ $code == 200 ]] || { fail "PUT /api/v1/config/dhcp: $code $(head -c 200 "$SCN_DIR/api.out")"; return; }
	wait_alive "$PG_PID" 10 grep -q "stopping pid $old" "$PG_LOG" ||
		{ fail "dnsmasq pid $old was not stopped after the change"; return; }
	wait_alive "$PG_PID" 10 bash -c "grep 'dnsmasq: started pid' '$PG_LOG' | tail -n 1 | grep -vq 'pid $old:'" ||
		{ fail "no new dnsmasq after the change"; return; }
	new=$(grep 'dnsmasq: started pid' "$PG_LOG" | tail -n 1 | sed 's/.*started pid \([0-9]*\).*/\1/')
	note "API change: dnsmasq $old stopped, $new started"
	grep -q ',1200s$' "$HOSTSVC_RUN/dnsmasq.conf" || { fail "dnsmasq.conf has no 1200 s lease"; return; }
	grep -q '^lease *= *20m' "$SCN_DIR/passgated-hostsvc.conf" ||
		{ fail "the config file does not say lease = 20m"; return; }
	wait_alive "$PG_PID" 10 listening "$NS_GW" udp 67 || { fail "the new dnsmasq does not listen"; return; }
	# -r: ask for the address we have, as a host coming back would.
	hostsvc_udhcpc_script "$SCN_DIR/udhcpc2-event.sh" "$out"
	tnsx 40 "$ns" busybox udhcpc -i eth0 -f -q -n -t 6 -T 2 -A 2 -r "$ip" \
		-s "$SCN_DIR/udhcpc2-event.sh" >"$SCN_DIR/udhcpc2.log" 2>&1 ||
		{ fail "second udhcpc run got no lease: $(tail -n 1 "$SCN_DIR/udhcpc2.log")"; return; }
	[[ $(hostsvc_lease_get "$out.bound" ip) == "$ip" ]] ||
		{ fail "second lease: '$(hostsvc_lease_get "$out.bound" ip)', expected $ip again"; return; }
	[[ $(hostsvc_lease_get "$out.bound" lease) == 1200 ]] ||
		{ fail "second lease time '$(hostsvc_lease_get "$out.bound" lease)', expected 1200"; return; }
}
