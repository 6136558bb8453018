# SPDX-License-Identifier: MIT
# probe-ike: "check --ike" needs no responder of ours: a real strongSwan
# IKEv2 responder (charon, as in the ipsec scenario) runs on pgsrv1 and
# passgate-probe sends it an IKE_SA_INIT with NAT detection payloads from
# lan1. The server's NAT_DETECTION_DESTINATION_IP hash names the address
# and port the request arrived from; through the gateway that is not
# lan1's, so the probe must report NAT detected. The server's own log must
# show the request came from the gateway's public address.
#
#   lan1 --- gateway --- inet --- pgsrv1: charon (UDP 500/4500)

source "$E2E_DIR/lib/probe.sh"

scenario() {
	[[ -x /usr/lib/ipsec/charon ]] || { fail "strongSwan's charon not installed"; return; }
	need swanctl || return
	local d=$SCN_DIR/charon out
	[[ -x $PROBE ]] || { fail "build/passgate-probe missing"; return; }
	mkdir -p "$d/run"
	ike_conf "$d"
	spawn charon "$NS_SRV1" env STRONGSWAN_CONF="$d/strongswan.conf" sh -c \
		'mount --bind "$1" /run && exec /usr/lib/ipsec/charon' sh "$d/run"
	wait_alive "$LAST_PID" 5 test -S "$d/charon.vici" ||
		{ fail "charon did not start: $(tail -n 1 "$SCN_DIR/charon.log")"; return; }
	STRONGSWAN_CONF="$d/strongswan.conf" timeout 10 swanctl --load-all \
		--file "$d/swanctl.conf" --uri "unix://$d/charon.vici" >"$d/load.log" 2>&1 ||
		{ fail "swanctl could not load the config: $(tail -n 1 "$d/load.log")"; return; }
	tnsx 20 "${NS_LAN[0]}" "$PROBE" check --ike -v "$SRV1_IP" >"$SCN_DIR/ike.txt" 2>&1
	out=$(cat "$SCN_DIR/ike.txt")
	grep -q '^IKE (UDP 500) *PASS' <<<"$out" ||
		{ fail "no IKE_SA_INIT answer reported: $(head -n 3 <<<"$out" | tail -n 1)"; return; }
	grep -q '^NAT on the path *PASS *NAT detected' <<<"$out" ||
		{ fail "NAT not detected: $(grep -m1 'NAT on' <<<"$out")"; return; }
	grep -q "received packet: from $WAN_PUB\[" "$d/charon.log" ||
		{ fail "charon's log does not show a request from $WAN_PUB"; return; }
	report probe-ike "${LAN_IP[0]}" "$SRV1_IP:500/udp" PASS \
		"NAT detected; charon saw $(grep -om1 "from $WAN_PUB\[[0-9]*\]" "$d/charon.log" | sed 's/from //')"
}
