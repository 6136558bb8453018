# SPDX-License-Identifier: MIT
# probe-double-nat: two NATs in series. A second router (Linux NAT) is
# plugged into the LAN switch as an ordinary LAN host, 192.168.1.50, with a
# network of its own behind it; passgate-probe runs on a host there, so its
# traffic is translated twice: by that router, then by the gateway under
# test. The probe must count two translation layers from the private
# addresses of the routers answering its TTL-limited probes, and advise to
# avoid double NAT by bridging the upstream router.
#
#   pgdnh-S 10.77.0.10 --- pgdnr-S (NAT) 10.77.0.1 | 192.168.1.50
#                                                     |
#                          LAN switch --- gateway --- inet --- pgsrv1
#
# The extra namespaces carry the run's suffix (the harness deletes them if
# the scenario is cut short) and are deleted at the end.

source "$E2E_DIR/lib/probe.sh"

DN_ROUTER_IP=192.168.1.50

scenario() {
	local rc
	NS_DNR=pgdnr-$SFX
	NS_DNH=pgdnh-$SFX
	probe_serve || { probe_unserve; return 1; }
	if dn_up 2>"$SCN_DIR/dn-up.err"; then
		dn_body
		rc=$?
	else
		fail "could not build the second NAT: $(head -n 1 "$SCN_DIR/dn-up.err")"
		rc=1
	fi
	ip netns del "$NS_DNH" 2>/dev/null
	ip netns del "$NS_DNR" 2>/dev/null
	probe_unserve
	return $rc
}

# dn_up - the inner router and its host.
dn_up() {
	local ns
	for ns in "$NS_DNR" "$NS_DNH"; do
		ip netns add "$ns" || return 1
		nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_DNR" link add eth0 type veth peer name h9 netns "$NS_SW" || return 1
	ip -n "$NS_SW" link set h9 master br0
	ip -n "$NS_SW" link set h9 up
	host_offload_off "$NS_SW" h9
	host_offload_off "$NS_DNR" eth0
	ip -n "$NS_DNR" addr add "$DN_ROUTER_IP/24" dev eth0
	ip -n "$NS_DNR" link set eth0 up
	ip -n "$NS_DNR" route add default via "$LAN_GW"
	ip -n "$NS_DNR" link add lan0 type veth peer name eth0 netns "$NS_DNH" || return 1
	host_offload_off "$NS_DNR" lan0
	host_offload_off "$NS_DNH" eth0
	ip -n "$NS_DNR" addr add 10.77.0.1/24 dev lan0
	ip -n "$NS_DNR" link set lan0 up
	ip -n "$NS_DNH" addr add 10.77.0.10/24 dev eth0
	ip -n "$NS_DNH" link set eth0 up
	ip -n "$NS_DNH" route add default via 10.77.0.1
	nsx "$NS_DNR" sysctl -qw net.ipv4.ip_forward=1 || return 1
	nsx "$NS_DNR" nft -f - <<-'EOF2' || return 1
		table ip pgdn {
			ct helper pptp { type "pptp" protocol tcp; l3proto ip; }
			chain pre { type filter hook prerouting priority filter; policy accept;
				iifname "lan0" tcp dport 1723 ct helper set "pptp"
			}
			chain post { type nat hook postrouting priority srcnat; policy accept;
				oifname "eth0" masquerade
			}
		}
	EOF2
	wait_until 10 nsx "$NS_DNH" ping -c 1 -W 1 "$SRV1_IP"
}

dn_body() {
	local d
	probe_check dn "$NS_DNH" --quick --vpn openvpn,wireguard "$SRV1_IP"
	probe_table dn "$NS_DNH" --quick --vpn openvpn,wireguard "$SRV1_IP"
	d=$(probe_field dn nat-layers detail)
	[[ $(probe_status dn nat-layers) == WARN && $d == "double NAT: 2 "* ]] ||
		{ fail "double NAT not reported: $(probe_status dn nat-layers) '$d'"; return; }
	[[ $(probe_field dn nat-layers fix) == *"bridge the upstream router"* ]] ||
		{ fail "no advice to bridge the upstream router: '$(probe_field dn nat-layers fix)'"; return; }
	((PROBE_RC == 0)) || { fail "exit status $PROBE_RC: OpenVPN/WireGuard should pass a double NAT"; return; }
	all_from_public "$(probe_seen dn)" ||
		{ fail "the responder saw '$(probe_seen dn)', expected $WAN_PUB"; return; }
	report probe-double-nat 10.77.0.10 "$SRV1_IP:4790" PASS "$d"
}
