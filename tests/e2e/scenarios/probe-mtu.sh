# SPDX-License-Identifier: MIT
# probe-mtu: a 1400-byte link beyond the gateway (the servers' segment), as
# a PPPoE or tunnelled uplink makes it. The gateway's own links stay at
# 1500, so nothing clamps the MSS. passgate-probe must find path MTU 1400
# with its DF probes, report that "fragmentation needed" arrives, see the
# unclamped MSS 1460 at the responder, and suggest lowering the MTU to 1400
# and MSS clamping ("VPN connects but is slow").
#
#   lan1 --- gateway --- inet ==1400== pgsrv1 (its own link stays 1500)

source "$E2E_DIR/lib/probe.sh"

scenario() {
	local rc
	probe_serve || { probe_unserve; return 1; }
	ip -n "$NS_INET" link set s1 mtu 1400
	ip -n "$NS_INET" link set br0 mtu 1400
	probe_check mtu1400 "${NS_LAN[0]}" --quick --vpn openvpn "$SRV1_IP"
	probe_table mtu1400 "${NS_LAN[0]}" --quick --vpn openvpn "$SRV1_IP"
	ip -n "$NS_INET" link set s1 mtu 1500
	ip -n "$NS_INET" link set br0 mtu 1500
	# Forget the learnt path MTU so later scenarios see a clean path.
	ip -n "${NS_LAN[0]}" route flush cache
	ip -n "$NS_SRV1" route flush cache
	probe_unserve
	probe_mtu_judge
}

probe_mtu_judge() {
	local d
	d=$(probe_field mtu1400 mtu detail)
	[[ $(probe_status mtu1400 mtu) == WARN && $d == "path MTU 1400"* ]] ||
		{ fail "path MTU not reported as 1400: $(probe_status mtu1400 mtu) '$d'"; return; }
	[[ $d == *"fragmentation needed"* ]] ||
		{ fail "\"fragmentation needed\" not reported: '$d'"; return; }
	[[ $(probe_field mtu1400 mtu fix) == *"Lower MTU to 1400"* ]] ||
		{ fail "no advice to lower the MTU: '$(probe_field mtu1400 mtu fix)'"; return; }
	[[ $(probe_status mtu1400 mss) == WARN && $(probe_field mtu1400 mss fix) == *"MSS clamping"* ]] ||
		{ fail "MSS clamping not suggested: $(probe_status mtu1400 mss) '$(probe_field mtu1400 mss detail)'"; return; }
	report probe-mtu "${LAN_IP[0]}" "$SRV1_IP:4790" PASS "$d; $(probe_field mtu1400 mss detail)"
}
