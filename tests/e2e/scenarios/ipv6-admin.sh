# SPDX-License-Identifier: MIT
# ipv6-admin: the admin page, the API and passgatectl over IPv6 (issue 19).
#
#   lan1 2001:db8:1::10 ── curl, passgatectl ──► https://[2001:db8:1::1]/ ─► passgated ─► pgh-lan0
#                                                                            (host path)  (API :443)
#   srv2 2001:db8:2::20 ── TCP to [2001:db8:1::1]:443, [2001:db8:ffff::2]:443 ─► refused, counted
#
# passgated runs with [lan]/[wan] address6 (lib/ipv6.sh) and [api] listen =
# [2001:db8:1::1]:443 (tls auto: HTTPS off loopback) with a token and a
# password, and a state directory of its own, so the self-signed certificate
# is made for the IPv6 address. Passes when:
# - the log says "api: listening on https://[2001:db8:1::1]:443/";
# - lan1's curl, trusting only that certificate (--cacert: so its IPv6
#   subjectAltName matched the URL's host), gets the page (200, the admin
#   page), GET /api/v1/status 401 without the token and 200 with it, and
#   the packets went up the LAN host device (lan0 host_tx grew);
# - passgatectl --url https://[2001:db8:1::1] --cacert ... status answers
#   from lan1 with the gateway's status;
# - srv2's connection tries to port 443 of the LAN address (routed to the
#   gateway through the ISP) and of the WAN address all fail, and
#   drop_gateway_policy grows by at least the number of tries;
# - [api] listen = [::]:443 (every address, both families) answers lan1
#   over IPv6 and over IPv4, and the WAN still gets nothing.
# Only for --gateway passgate: the API is passgated's.

source "$E2E_DIR/lib/ipv6.sh"
source "$E2E_DIR/lib/hostpath.sh"

V6A_STATE=
V6A_CREDS=

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "passgated's API: run with --gateway passgate"; return; }
	need curl python3 || return
	V6A_CREDS=$(hp_credentials) || { fail "passgated --hash-password failed"; return; }
	V6A_STATE=$SCN_DIR/state
	PG_RESTART_ARGS=(-s "$V6A_STATE")
	IPV6_CONF_TAIL=$(printf '[api]\nlisten = [%s]:443\n%s\n' "$LAN6_GW" "$V6A_CREDS")
	ipv6_scenario
	local rc=$?
	unset IPV6_CONF_TAIL
	return $rc
}

scenario6() {
	local lan=${NS_LAN[0]} url="https://[$LAN6_GW]" code up0 up out cert=$V6A_STATE/api-cert.pem
	local C=$REPO/build/passgatectl
	wait_listen "$NS_GW" tcp 443 5 || { fail "the API does not listen on [$LAN6_GW]:443: $(grep 'api:' "$PG_LOG" | tail -n 1)"; return 1; }
	grep -qF "api: listening on $url:443/" "$PG_LOG" ||
		{ fail "no 'listening on $url:443/' in the log: $(grep 'api:' "$PG_LOG" | tail -n 2 | tr '\n' ' ')"; return 1; }
	[[ -s $cert ]] || { fail "no self-signed certificate in $V6A_STATE"; return 1; }

	# 1. The page and the API from lan1, trusting only the gateway's certificate.
	up0=$(hp_counter lan0:host_tx)
	code=$(hp_http "$lan" "$url/" --cacert "$cert")
	[[ $code == 200 ]] || { fail "lan1: GET $url/ gave ${code:-nothing}, expected 200"; return 1; }
	grep -qi 'passgate' "$SCN_DIR/http.out" || { fail "lan1: $url/ is not the admin page"; return 1; }
	code=$(hp_http "$lan" "$url/api/v1/status" --cacert "$cert")
	[[ $code == 401 ]] || { fail "lan1: status without the token gave $code, expected 401"; return 1; }
	code=$(hp_http "$lan" "$url/api/v1/status" --cacert "$cert" -H "Authorization: Bearer $HP_TOKEN")
	[[ $code == 200 ]] || { fail "lan1: status with the token gave $code, expected 200"; return 1; }
	grep -q '"flows"' "$SCN_DIR/http.out" || { fail "the status answer has no flows: $(head -c 200 "$SCN_DIR/http.out")"; return 1; }
	up=$(hp_counter lan0:host_tx)
	((up > up0)) || { fail "lan0 host_tx stayed at $up: the page did not come through the host path"; return 1; }
	note "lan1 over IPv6: page 200, status 401 without token, 200 with (--cacert: the IPv6 SAN matched); lan0 host_tx $up0 -> $up"

	# 2. passgatectl over IPv6.
	out=$(tnsx 15 "$lan" "$C" --url "$url" --cacert "$cert" --token "$HP_TOKEN" status 2>&1) ||
		{ fail "passgatectl --url $url status: ${out//$'\n'/ }"; return 1; }
	grep -qi 'flows' <<<"$out" || { fail "passgatectl status over IPv6 printed no flows: $(head -c 200 <<<"$out")"; return 1; }
	note "passgatectl --url $url status: $(head -n 1 <<<"$out")"

	# 3. From the WAN: neither IPv6 address of the gateway lets srv2 in.
	v6a_wan_refused "$LAN6_GW" "$WAN6_PUB" || return 1
	out="page, status 401/200 and passgatectl over https://[$LAN6_GW] (IPv6 SAN verified); WAN: $V6A_TRIES tries refused, drop_gateway_policy +$V6A_REFUSED"

	# 4. [::]:443: both families on every address, the WAN still closed.
	v6a_dual_stack || return 1
	PASS_NOTE="$out; [::]:443 answers IPv4 and IPv6, WAN $V6A_TRIES tries refused (+$V6A_REFUSED)"
}

# v6a_wan_refused ADDR... - 3 TCP tries from srv2 to port 443 of each
# address: none connects, and drop_gateway_policy grows by at least as many.
v6a_wan_refused() {
	local before after i a out tries=0
	before=$(gateway_counter drop_gateway_policy)
	for a in "$@"; do
		for i in 1 2 3; do
			out=$(v6_tcp_try "$NS_SRV2" "$a" 443)
			[[ $out != connected ]] || { fail "srv2 connected to [$a]:443: the API is open to the WAN"; return 1; }
			tries=$((tries + 1))
		done
	done
	after=$(gateway_counter drop_gateway_policy)
	((after - before >= tries)) ||
		{ fail "srv2 tried port 443 $tries times; drop_gateway_policy grew by $((after - before))"; return 1; }
	V6A_TRIES=$tries
	V6A_REFUSED=$((after - before))
	note "srv2 -> [$*]:443: $tries tries refused, drop_gateway_policy +$V6A_REFUSED"
}

# v6a_dual_stack - passgated again with [api] listen = [::]:443.
v6a_dual_stack() {
	local conf=$SCN_DIR/passgated-dual.conf code4 code6
	sed "s/^listen = \[$LAN6_GW\]:443$/listen = [::]:443/" "$SCN_DIR/passgated-ipv6.conf" >"$conf"
	grep -q '^listen = \[::\]:443$' "$conf" || { fail "could not write the [::]:443 config"; return 1; }
	PG_RESTART_ARGS=(-s "$V6A_STATE")
	gateway_restart_with "$conf" || { fail "passgated with listen = [::]:443 did not come up"; return 1; }
	wait_listen "$NS_GW" tcp 443 5 || { fail "the API does not listen on [::]:443"; return 1; }
	wait_until 10 nsx "${NS_LAN[0]}" ping -6 -n -c 1 -W 1 "$LAN6_GW" ||
		{ fail "lan1 cannot ping $LAN6_GW after the restart"; return 1; }
	# The certificate names the first address; -k here: the point is the socket.
	code6=$(hp_http "${NS_LAN[0]}" "https://[$LAN6_GW]/api/v1/status" -k -H "Authorization: Bearer $HP_TOKEN")
	code4=$(hp_http "${NS_LAN[0]}" "https://$LAN_GW/api/v1/status" -k -H "Authorization: Bearer $HP_TOKEN")
	[[ $code6 == 200 && $code4 == 200 ]] ||
		{ fail "listen = [::]:443: status over IPv6 gave $code6, over IPv4 $code4 (200 both expected)"; return 1; }
	code4=$(hp_http "$NS_SRV2" "https://$WAN_PUB/" -k)
	[[ $code4 == 000 ]] || { fail "listen = [::]:443: srv2 got $code4 from https://$WAN_PUB/"; return 1; }
	v6a_wan_refused "$WAN6_PUB" || return 1
	note "listen = [::]:443: lan1 status 200 over IPv6 and IPv4; srv2 nothing on $WAN_PUB nor [$WAN6_PUB]"
}
