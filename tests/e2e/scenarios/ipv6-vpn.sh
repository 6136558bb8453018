# SPDX-License-Identifier: MIT
# ipv6-vpn: every VPN a LAN host dials over IPv6 through the gateway, two
# LAN hosts at once, all tunnels up together (issue 19):
# - WireGuard (wireguard-go) to srv1 [2001:db8:2::10]:51820, both peers on
#   port 51820 (lib/wireguard.sh, as ipv6-wireguard);
# - OpenVPN over UDP to srv1 port 1194, both clients on local port 1194
#   (lib/openvpn.sh, as ipv6-openvpn);
# - raw ESP (IP protocol 50) to srv2: lib/espprobe.py stands in for both
#   ends (nothing here sends raw ESP): an IKE-like exchange on UDP 500, then
#   10 ESP packets from each host at the same moment, each echoed on its
#   client's SPI;
# - IKEv2 (strongSwan, PSK) to srv1 (lib/ipsec.sh with the server's IPv6
#   address): each initiator's tunnel carries pings.
# Passes when a ping inside each of the six tunnels is answered (again at
# the end, with all of them up), every raw ESP packet is echoed to its own
# client, every server saw each host at its own IPv6 address and port (no
# NAT), neither strongSwan initiator found its own address changed on the
# way ("local host is behind NAT" is what charon logs through a NAT),
# passgated lists each host's raw ESP as one outbound IPv6 flow with srv2
# that counted the packets of both ways, and the WAN link (captured on the
# internet router's side) carried, from each LAN host: raw ESP (next header
# 50) to srv2, IKE on UDP 500 and ESP-in-UDP on 4500 to srv1.
#
# strongSwan's ESP is in UDP 4500 here although no NAT is detected:
# kernel-libipsec (userspace ESP, the kernel has no ESP) always encapsulates
# and makes each side fake its own NAT detection hash (/work/shared/PEERS.md),
# so the raw-ESP half of "IKEv2 without NAT-T" is the espprobe stand-in's.

source "$E2E_DIR/lib/ipv6.sh"
source "$E2E_DIR/lib/wireguard.sh"
source "$E2E_DIR/lib/openvpn.sh"
source "$E2E_DIR/lib/ipsec.sh"

WG_PORT=51820
V6VPN_ESP_COUNT=10

scenario() {
	need wireguard-go wg openvpn swanctl || return
	ipv6_scenario
}

scenario6() {
	capture_start wan6 "$NS_INET" eth0 "ip6 and (udp port 500 or udp port 4500 or ip6[6] == 50)" || return
	v6vpn_wireguard || return
	v6vpn_openvpn || return
	v6vpn_esp || return
	v6vpn_ikev2 || return
	v6vpn_all_up || return
	capture_stop wan6
	v6vpn_wan_seen
}

v6vpn_wireguard() {
	local i seen want
	wg_star pgvw "[$SRV1_IP6]:$WG_PORT" wireguard6 "[$SRV1_IP6]:$WG_PORT/udp" || return
	for i in 1 2; do
		seen=$(wg_star_seen "$i")
		want="[${LAN6_IP[$((i - 1))]}]:$WG_PORT"
		[[ $seen == "$want" ]] ||
			{ fail "WireGuard server has lan$i's endpoint as '${seen:-none}', expected $want"; return; }
		report wireguard6 "$want" "[$SRV1_IP6]:$WG_PORT/udp" PASS "$seen"
	done
}

v6vpn_openvpn() {
	local i cn seen
	ovpn_star udp6 udp6 "$SRV1_IP6" "lport $OVPN_PORT" "openvpn6 [$SRV1_IP6]:$OVPN_PORT/udp" || return
	for i in 0 1; do
		cn=lan$((i + 1))
		seen=$(ovpn_seen "$cn" AF_INET6)
		[[ $seen == "${LAN6_IP[$i]}:$OVPN_PORT" ]] ||
			{ fail "OpenVPN server saw $cn as '${seen:-nothing}', expected ${LAN6_IP[$i]}:$OVPN_PORT"; return; }
		report openvpn6 "[${LAN6_IP[$i]}]:$OVPN_PORT" "[$SRV1_IP6]:$OVPN_PORT/udp" PASS "$seen"
	done
}

# Raw ESP first: the espprobe clients bind UDP 500 on lan1 and lan2, where
# the strongSwan initiators come next.
v6vpn_esp() {
	local i start line seen good bad foreign pids=()
	spawn esp6-responder "$NS_SRV2" "$PY" "$E2E_DIR/lib/espprobe.py" responder -6 0
	wait_alive "$LAST_PID" 5 listening "$NS_SRV2" udp 500 ||
		{ fail "ESP responder did not start: $(tail -n 1 "$SCN_DIR/esp6-responder.log")"; return; }
	start=$(awk -v t="$EPOCHREALTIME" 'BEGIN { printf "%.3f", t + 1.5 }')
	for i in 1 2; do
		spawn "esp6-lan$i" "${NS_LAN[$((i - 1))]}" timeout 15 "$PY" "$E2E_DIR/lib/espprobe.py" \
			client "lan$i" "$SRV2_IP6" "$V6VPN_ESP_COUNT" 0.1 "$start"
		pids+=("$LAST_PID")
	done
	for i in 1 2; do
		wait "${pids[$((i - 1))]}"
		line=$(grep '^result ' "$SCN_DIR/esp6-lan$i.log")
		note "lan$i: $line"
		[[ $line == *" seen="* ]] ||
			{ fail "lan$i: the IKE-like exchange on UDP 500 over IPv6 failed (${line:-no result})"; return; }
		seen=$(sed -n 's/.* seen=\([^ ]*\) .*/\1/p' <<<"$line")
		good=$(sed -n 's/.* good=\([0-9]*\) .*/\1/p' <<<"$line")
		bad=$(sed -n 's/.* bad=\([0-9]*\) .*/\1/p' <<<"$line")
		foreign=$(sed -n 's/.* foreign=\([0-9]*\) .*/\1/p' <<<"$line")
		[[ $seen == "${LAN6_IP[$((i - 1))]}:500" ]] ||
			{ fail "the ESP responder saw lan$i's IKE from '$seen', expected ${LAN6_IP[$((i - 1))]}:500"; return; }
		((bad == 0 && foreign == 0)) ||
			{ fail "lan$i got ESP that was not its own: $bad with a wrong payload, $foreign to another SPI"; return; }
		# No NAT, no SPI to learn: every packet comes back.
		((good == V6VPN_ESP_COUNT)) ||
			{ fail "lan$i: $good of $V6VPN_ESP_COUNT raw ESP packets echoed"; return; }
		report esp6 "${LAN6_IP[$((i - 1))]}" "$SRV2_IP6 (proto 50)" PASS "$seen (IKE), $good/$V6VPN_ESP_COUNT ESP echoed"
	done
	[[ $GATEWAY == passgate ]] || return 0
	v6vpn_esp_flows
}

# passgated's firewall holds one outbound ESP flow per LAN host with srv2,
# the packets of both ways counted on it.
v6vpn_esp_flows() {
	local json
	json=$(gateway_ctl --json flows --family 6 --proto esp 2>&1)
	echo "$json" >"$SCN_DIR/flows6-esp.json"
	"$PY" -c '
import json, sys
o = json.loads(sys.argv[1])
n = int(sys.argv[2])
for lan in sys.argv[4:]:
    f = [x for x in o["flows"] if x["lan"] == lan and x["remote"] == sys.argv[3]]
    assert len(f) == 1, (lan, o["flows"])
    f = f[0]
    assert f["family"] == 6 and f["direction"] == "outbound", f
    assert min(f["packets"]) >= n, f
    print(lan, "esp", f["direction"], "packets", f["packets"])
' "$json" "$V6VPN_ESP_COUNT" "$SRV2_IP6" "${LAN6_IP[0]}" "${LAN6_IP[1]}" >"$SCN_DIR/flows6-esp.txt" 2>&1 ||
		{ fail "passgated's IPv6 ESP flows are wrong: $(tail -n 1 "$SCN_DIR/flows6-esp.txt" | cut -c 1-200)"; return 1; }
	note "passgated: $(tr '\n' ';' <"$SCN_DIR/flows6-esp.txt")"
}

v6vpn_ikev2() {
	local i d seen
	IPSEC_SERVER[1]=$SRV1_IP6
	IPSEC_SERVER[2]=$SRV1_IP6
	ipsec_start 2 || return
	ipsec_initiate 2
	for i in 1 2; do
		ipsec_tunnel_up "$i" 15 ||
			{ fail "lan$i: no ping answered inside the IKEv2 tunnel within 15 s ($(ipsec_why "$i"))"; return; }
		tnsx 10 "${NS_LAN[$((i - 1))]}" ping -n -c 3 -i 0.2 -W 2 10.10.0.1 >"$SCN_DIR/tunnel-ping-ipsec-lan$i.log" 2>&1 ||
			{ fail "lan$i: IKEv2 tunnel ping lost replies once up"; return; }
		# The fake NAT hash is the responder's source; a changed address
		# of our own would be a real NAT on the way.
		! grep -q 'local host is behind NAT' "$SCN_DIR/ipsec$i/charon.log" ||
			{ fail "lan$i: charon detected a NAT on the IPv6 path"; return; }
	done
	d=$SCN_DIR/ipsec0
	STRONGSWAN_CONF="$d/strongswan.conf" timeout 5 swanctl --list-sas \
		--uri "unix://$d/charon.vici" >"$d/list-sas.txt" 2>&1
	for i in 1 2; do
		# "remote 'lan1@pg' @ 2001:db8:1::10[4500]"
		seen=$(sed -n "s/.*remote 'lan$i@pg' @ \([0-9a-f:]*\)\[\([0-9]*\)\].*/\1/p" "$d/list-sas.txt" | head -n 1)
		[[ $seen == "${LAN6_IP[$((i - 1))]}" ]] ||
			{ fail "the IKEv2 responder has lan$i at '${seen:-nothing}', expected ${LAN6_IP[$((i - 1))]}"; return; }
		report ikev2-6 "[${LAN6_IP[$((i - 1))]}]:500,4500" "[$SRV1_IP6]:500,4500/udp" PASS "$seen, no NAT detected"
	done
}

# Every tunnel of both hosts still carries pings with all six up.
v6vpn_all_up() {
	local i ns dst
	for i in 1 2; do
		ns=${NS_LAN[$((i - 1))]}
		for dst in 10.9.0.1 10.8.0.1 10.10.0.1; do
			tnsx 10 "$ns" ping -n -c 2 -i 0.2 -W 2 "$dst" >>"$SCN_DIR/all-up-lan$i.log" 2>&1 ||
				{ fail "lan$i: the tunnel to $dst lost its pings with all tunnels up"; return; }
		done
	done
}

# The WAN link carried each host's own IPsec: raw ESP to srv2, IKE and
# ESP-in-UDP to srv1, from the host's address (nothing rewritten).
v6vpn_wan_seen() {
	local i a n esp ike natt
	for i in 1 2; do
		a=${LAN6_IP[$((i - 1))]}
		esp=$(capture_count wan6 "src host $a and dst host $SRV2_IP6 and ip6[6] == 50")
		ike=$(capture_count wan6 "src host $a and src port 500 and dst host $SRV1_IP6 and dst port 500")
		natt=$(capture_read wan6 "src host $a and dst host $SRV1_IP6 and udp port 4500" | grep -c 'UDP-encap: ESP')
		n=$(capture_count wan6 "src host $SRV2_IP6 and dst host $a and ip6[6] == 50")
		note "WAN, lan$i: $esp raw ESP out, $n back; $ike IKE on 500; $natt ESP in UDP 4500"
		((esp >= V6VPN_ESP_COUNT && n >= V6VPN_ESP_COUNT)) ||
			{ fail "WAN capture: lan$i's raw ESP $esp out, $n back, expected $V6VPN_ESP_COUNT each"; return; }
		((ike >= 1 && natt >= 3)) ||
			{ fail "WAN capture: lan$i's IKEv2 shows $ike IKE packets on 500 and $natt ESP in UDP 4500"; return; }
	done
}
