# SPDX-License-Identifier: MIT
# host-admin: the admin panel on the gateway's LAN address, as the brief's
# user finds it ("log into your router admin panel, usually at 192.168.1.1").
#
#   lan1 ── curl, Chromium ──► http://192.168.1.1/ ─► passgated ─► pgh-lan0
#                                                    (host path)   (API :80)
#   srv2 ── curl ──► http://198.51.100.2/ ─► passgated: refused, counted
#
# 1. passgated restarted with [api] listen = 192.168.1.1:80 (a token and a
#    password): the API binds to the LAN device's address.
# 2. lan1: the page answers 200; the status API says 401 without the token,
#    200 with it; the LAN device carried the packets (host_tx on lan0), and
#    the kernel dropped its own copies on the link (the rp_filter fence; on
#    AF_XDP the kernel never sees them).
# 3. lan1 in headless Chromium: log in, switch PPTP off, Save; the config
#    file says so; screenshot build/host-admin.png. PPTP back on (API).
# 4. srv2 from the WAN: the same page on the public address gets no answer,
#    and the refused connection attempts are counted one for one.
# Only for --gateway passgate: the host path is passgated's.

source "$E2E_DIR/lib/hostpath.sh"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the host path is passgated's: run with --gateway passgate"; return; }
	need curl python3 || return
	local creds code lan=${NS_LAN[0]} url=http://$LAN_GW before after up n=5 sent
	creds=$(hp_credentials) || { fail "passgated --hash-password failed"; return; }
	hp_restart "$(printf '[api]\nlisten = %s:80\ntls = off\n%s\n' "$LAN_GW" "$creds")" || return
	wait_listen "$NS_GW" tcp 80 5 || { fail "the API does not listen on $LAN_GW:80"; return; }

	# 2. curl from a LAN host.
	code=$(hp_http "$lan" "$url/")
	[[ $code == 200 ]] || { fail "lan1: GET $url/ gave ${code:-nothing}, expected 200"; return; }
	grep -qi 'passgate' "$SCN_DIR/http.out" || { fail "lan1: $url/ is not the admin page"; return; }
	code=$(hp_http "$lan" "$url/api/v1/status")
	[[ $code == 401 ]] || { fail "lan1: status without the token gave $code, expected 401"; return; }
	code=$(hp_http "$lan" "$url/api/v1/status" -H "Authorization: Bearer $HP_TOKEN")
	[[ $code == 200 ]] || { fail "lan1: status with the token gave $code, expected 200"; return; }
	cp "$SCN_DIR/http.out" "$SCN_DIR/status.json"
	grep -q '"flows"' "$SCN_DIR/status.json" || { fail "the status answer has no flows: $(head -c 200 "$SCN_DIR/status.json")"; return; }
	up=$(hp_counter lan0:host_tx)
	((up > 0)) || { fail "lan0 host_tx is 0: the page did not come through the host path"; return; }
	note "lan1: page 200, status 401 without token, 200 with; lan0 host_tx $up"
	# The fence (docs/HOSTPATH.md): on AF_PACKET the kernel sees lan1's
	# packets on lan0 too (AF_PACKET does not steal them) and must drop them
	# there; on AF_XDP our XDP program takes every frame before the kernel
	# builds a packet, so the kernel must not have seen any.
	up=$(nsx "$NS_GW" nstat -az TcpExtIPReversePathFilter 2>/dev/null | awk '$1 == "TcpExtIPReversePathFilter" {print $2}')
	if grep -q "lan0: AF_XDP" "$PG_LOG"; then
		((${up:-0} == 0)) || { fail "AF_XDP on lan0, yet the gateway's kernel saw $up packets there"; return; }
		note "gateway kernel: AF_XDP on lan0, no packet reached the kernel on the links"
	else
		((${up:-0} > 0)) || { fail "the gateway's kernel dropped nothing on its links (rp_filter fence)"; return; }
		note "gateway kernel: $up packets on the links dropped by rp_filter"
	fi

	# 3. The page in a real browser, from the LAN host.
	hp_browser || return

	# 4. From the WAN: nothing answers on the public address.
	code=$(hp_http "$NS_SRV2" "http://$WAN_PUB/")
	[[ $code == 000 ]] || { fail "srv2: http://$WAN_PUB/ answered $code: the admin page is open to the WAN"; return; }
	read -r before _ < <(gateway_unsolicited_count)
	up=$(hp_tcp_syns "$NS_SRV2" "$WAN_PUB" 80 "$n")
	read -r after _ < <(gateway_unsolicited_count)
	[[ $up == 0 ]] || { fail "srv2: $up of $n connections to $WAN_PUB:80 succeeded"; return; }
	sent=$((after - before))
	((sent == n)) || { fail "srv2 sent $n SYNs to $WAN_PUB:80; refused-packet counters grew by $sent"; return; }
	note "srv2: $n SYNs to $WAN_PUB:80 refused, counters +$sent"
	report host-admin "${LAN_IP[0]}" "$LAN_GW:80/tcp" PASS "page 200; WAN: $n SYNs refused, counted $sent"
}

# hp_browser - log in and save a change in headless Chromium on lan1.
hp_browser() {
	need node chromium || return
	tnsx 70 "${NS_LAN[0]}" node "$REPO/tests/web/drive.js" \
		"http://$LAN_GW/" "$HP_PASSWORD" "$REPO/build/host-admin.png" pptp=off \
		>"$SCN_DIR/browser.log" 2>&1 ||
		{ fail "admin page in Chromium: $(grep -v Warning "$SCN_DIR/browser.log" | tail -n 1)"; return; }
	grep -q '^pptp = off' "$HP_CONF" ||
		{ fail "Save in the page did not reach the config file"; return; }
	code=$(hp_http "${NS_LAN[0]}" "http://$LAN_GW/api/v1/config/passthrough" -X PUT \
		-H "Authorization: Bearer $HP_TOKEN" -H 'Content-Type: application/json' \
		--data-binary '{"pptp": true}')
	[[ $code == 200 ]] || { fail "PPTP back on through the API gave $code"; return; }
	note "Chromium on lan1: logged in, PPTP off saved, screenshot build/host-admin.png"
}
