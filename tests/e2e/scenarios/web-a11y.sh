# SPDX-License-Identifier: MIT
# web-a11y: the admin page with a keyboard, at phone width, and under
# axe-core, while traffic runs (so graphs and tables have something in them).
#
#   Chromium ──http──► passgated's page (127.0.0.1:8080 in pggw-S)
#   lan2 ── iperf3 UDP, 2 Mbit/s ──► passgated ──► srv1
#
# tests/web/a11y.js: Tab reaches the login field, and after logging in with
# the keyboard every control of the flow, graph and capture panels; Enter
# in the flow search fills the table with lan2's flows; axe-core finds no
# serious or critical violation at 1280 px and at 360 px; at 360 px the
# page does not scroll sideways. Screenshots (both widths) go to
# build/a11y/ (docs/admin-page-*.png are copies of them, looked at before
# committing). Only for --gateway passgate.

# api_restart, API*: the api scenario's helpers.
source "$E2E_DIR/scenarios/api.sh"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the admin page is passgated's own: run with --gateway passgate"; return; }
	need node chromium iperf3 || return
	local said
	api_restart || return
	spawn a11y-iperf3-srv "$NS_SRV1" iperf3 -s -p 5212
	wait_listen "$NS_SRV1" tcp 5212 || { fail "iperf3 server did not start"; return; }
	spawn a11y-iperf3 "${NS_LAN[1]}" iperf3 -c "$SRV1_IP" -p 5212 -u -b 2M -t 40
	mkdir -p "$REPO/build/a11y"
	tnsx 130 "$NS_GW" node "$REPO/tests/web/a11y.js" "$API/" "$API_PASSWORD" "${LAN_IP[1]}" \
		"$REPO/build/a11y" >>"$SCN_DIR/browser.log" 2>&1 ||
		{ fail "$(grep -v Warning "$SCN_DIR/browser.log" | tail -n 1)"; return; }
	said=$(grep '^a11y: ' "$SCN_DIR/browser.log" | tail -n 1)
	note "$said"
	report web-a11y "${LAN_IP[1]}" "$SRV1_IP:5212" PASS "${said#a11y: }"
}
