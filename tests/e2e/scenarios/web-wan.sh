# SPDX-License-Identifier: MIT
# web-wan: the admin page's "WAN address" panel against a real ISP DHCP
# server: the lease shown as the gateway holds it, and the Renew and
# Release buttons acting on the wire (tests/web/wan.js, headless Chromium).
#
#   Chromium ──http──► passgated's page (127.0.0.1:8080 in pggw-S)
#   pglan1-S ── lan0 ─► passgated ─ wan0 ◄── DHCP ── dnsmasq (pginet-S, 198.51.100.1)
#                                     └─────────────────────► srv1
#
# dnsmasq leases for 10 min with T1 at 5 min, so no renewal happens by
# itself during the scenario. Passes when
# 1. the panel shows the lease GET /api/v1/wan has (address, gateway, the
#    server, obtained/renews/expires times);
# 2. Renew (pressed with the keyboard): the server logs a DHCPREQUEST and a
#    second DHCPACK for the same address, and the panel's lease is obtained
#    anew;
# 3. Release: the server logs DHCPRELEASE for the address, the panel shows
#    no address and lan1's ping to srv1 no longer passes (no WAN address);
# 4. Renew again: a new lease from the server (DISCOVER), shown, and lan1's
#    ping passes again.
# Screenshots: build/wan-desktop.png, build/wan-phone.png (360 px; the page
# must not scroll sideways). Only --gateway passgate.

source "$E2E_DIR/lib/wandhcp.sh"
# API, API_PASSWORD, API_TOKEN: the api scenario's.
source "$E2E_DIR/scenarios/api.sh"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the admin page is passgated's own: run with --gateway passgate"; return; }
	need node chromium dnsmasq jq || return
	local th ph pub acks said=() log=$SCN_DIR/isp-dhcp.log
	wandhcp_dnsmasq 10m 300 500 || return
	th=$("$PASSGATED" --hash-password <<<"$API_TOKEN" | sed 's/^password_hash/token_hash/') &&
		ph=$("$PASSGATED" --hash-password <<<"$API_PASSWORD") || { fail "passgated --hash-password failed"; return; }
	WANDHCP_EXTRA=$(printf '[api]\nlisten = 127.0.0.1:8080\n%s\n%s\n' "$th" "$ph")
	wandhcp_gateway || return
	pub=$(wandhcp_field address)
	wandhcp_in_range "$pub" || { fail "leased address '$pub' is not in $WANDHCP_LO-$WANDHCP_HI"; return; }
	wwan_ping pass || return

	wwan_page lease renew || return
	said+=("$WEB_SAID")
	wait_until 5 grep -q "DHCPREQUEST(eth0) $pub" "$log" || { fail "the server logged no DHCPREQUEST for $pub"; return; }
	acks=$(grep -c "DHCPACK(eth0) $pub" "$log")
	((acks == 2)) || { fail "the server logged $acks DHCPACK for $pub, want 2 (the bind and the page's renewal)"; return; }

	wwan_page release || return
	said+=("$WEB_SAID")
	wait_until 5 grep -q "DHCPRELEASE(eth0) $pub" "$log" || { fail "the server logged no DHCPRELEASE for $pub"; return; }
	wwan_ping fail || return

	wwan_page renew lease "shot:$REPO/build/wan-desktop.png:1280" "shot:$REPO/build/wan-phone.png:360" || return
	said+=("$WEB_SAID")
	pub=$(wandhcp_field address)
	wandhcp_in_range "$pub" || { fail "after Renew the lease is '$pub'"; return; }
	grep -q "DHCPDISCOVER(eth0)" "$log" && (($(grep -c "DHCPACK(eth0) $pub" "$log") >= 1)) ||
		{ fail "the server logged no new lease after the second Renew"; return; }
	wwan_ping pass || return
	report web-wan "${LAN_IP[0]}" "$SRV1_IP" PASS "$(IFS=';'; echo "${said[*]}"); server saw REQUEST/ACK, RELEASE; ping stopped and came back"
}

# wwan_page STEP... - run tests/web/wan.js with these steps.
wwan_page() {
	web_page 100 wan "$@"
}

# wwan_ping pass|fail - lan1's ping to srv1 through the gateway.
wwan_ping() {
	if tnsx 10 "${NS_LAN[0]}" ping -c 3 -i 0.2 -W 1 "$SRV1_IP" >"$SCN_DIR/ping.log" 2>&1; then
		[[ $1 == pass ]] || { fail "lan1 still pings srv1 after the page released the lease"; return 1; }
	else
		[[ $1 == fail ]] || { fail "lan1 cannot ping srv1: $(tail -n 2 "$SCN_DIR/ping.log" | head -n 1)"; return 1; }
	fi
	note "ping lan1 -> srv1 (want $1): $(grep -o "[0-9]* received" "$SCN_DIR/ping.log")"
}
