# SPDX-License-Identifier: MIT
# web-restart: settings that need a restart, changed in the admin page,
# wait in the file until passgated restarts the way its service does
# (SIGTERM, then passgated -k: the flows are handed to the new process),
# and are then live, on traffic. In headless Chromium (tests/web/restart.js):
#
#   Chromium ──http──► passgated's page (127.0.0.1:8080 in pggw-S)
#   lan1 ── ping -M do (DF), UDP echo ──► passgated ──► srv1
#
# 1. [wan] mtu = 100 typed: the page shows the file parser's words under the
#    field ("[wan] mtu: expected a whole number ...", FILE:LINE dropped),
#    marks it invalid and focuses it; the file keeps its value. Likewise
#    [nat] max_flows = 4096, which the parser's cross-check refuses
#    ("[nat] max_flows_per_host: larger than max_flows": 16384 by default).
# 2. [wan] mtu = 1400 and [nat] max_flows = 32768 saved: the page says
#    "pending until restart" on each field and lists both, with the diff of
#    the file against the running configuration; the file on disk has both
#    lines, the API's running values are the old ones (status: WAN MTU 1500;
#    config: max_flows), and a 1420-byte DF ping from lan1 still crosses.
# 3. passgated restarted as passgate.service does (-k -s STATE): the new
#    process logged the flows it took over (at least one restored).
# 4. After: the API says WAN MTU 1400 and max_flows 32768; a 1400-byte DF
#    ping crosses, a 1420-byte one gets "Frag needed and DF set (mtu =
#    1400)" from the gateway; the page shows nothing pending and the new
#    values as running. axe-core finds no serious violation in the section
#    at 1280 and 360 px (with the pending list and diff shown), and it does
#    not scroll sideways; screenshots go to build/ (docs/settings-restart-*.png
#    are copies, looked at).
# 5. passgatectl set --at-restart nat max_flows 65536: in the file, not
#    running; the page's "Discard pending changes" puts the running values
#    back into the file (mtu 1400, max_flows 32768). Only --gateway passgate.

# api_restart, api_get, API*: the api scenario's helpers.
source "$E2E_DIR/scenarios/api.sh"

WRST_STATE=

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the admin page is passgated's own: run with --gateway passgate"; return; }
	need node chromium curl jq python3 || return
	# This run's own state directory: the -k handover's flows go there.
	WRST_STATE=$(mktemp -d "$SCN_DIR/state.XXXX") || { fail "mktemp failed"; return; }
	GW_SETTINGS_APPLIED=unknown	# the next scenario gets the harness's own gateway
	PG_RESTART_ARGS=(-k -s "$WRST_STATE")
	api_restart || return
	# lan1 learns a path MTU of 1400 here: forget it at the end.
	scn_undo ip -n "${NS_LAN[0]}" route flush cache
	wrst_run
}

# wrst_page STEP... - tests/web/restart.js with these steps (WEB_SAID: what it said).
wrst_page() {
	web_page 110 restart "$@"
}

# wrst_running - "WAN-MTU MAX-FLOWS" as the running daemon reports them.
wrst_running() {
	local s c
	s=$(api_get /api/v1/status) && c=$(api_get /api/v1/config) || return 1
	[[ ${s%% *} == 200 && ${c%% *} == 200 ]] || return 1
	echo "$(jq -r '.interfaces[] | select(.side == "wan") | .mtu' <<<"${s#* }") $(jq -r '.nat.max_flows' <<<"${c#* }")"
}

# wrst_df SIZE - lan1's DF ping of SIZE bytes (IP) to srv1; its output in WRST_PING.
wrst_df() {
	WRST_PING=$(tnsx 10 "${NS_LAN[0]}" ping -n -c 2 -i 0.3 -W 2 -M do -s $(($1 - 28)) "$SRV1_IP" 2>&1)
}

# wrst_section FILE SECTION KEY - the value FILE gives KEY in [SECTION].
wrst_section() {
	awk -v s="[$2]" -v k="$3" '/^\[/ {in_s = ($1 == s)} in_s && $1 == k && $2 == "=" {print $3}' "$1"
}

wrst_run() {
	local before after said=() restored wan_before flows_before out
	before=$(wrst_running) || { fail "cannot read the running MTU and max_flows"; return; }
	read -r wan_before flows_before <<<"$before"
	[[ $wan_before == 1500 && $flows_before != 32768 ]] ||
		{ fail "the gateway starts with WAN MTU $wan_before, max_flows $flows_before (want 1500, not 32768)"; return; }
	wrst_df 1420 || { fail "a 1420-byte DF ping does not cross before the change: ${WRST_PING//$'\n'/ | }"; return; }

	wrst_page "bad:wan:mtu=100:expected a whole number" \
		"bad:nat:max_flows=4096:larger than max_flows" "set:wan:mtu=1400" "set:nat:max_flows=32768" || return
	said+=("${WEB_SAID#restart: }")
	[[ $(wrst_section "$API_CONF" wan mtu) == 1400 && $(wrst_section "$API_CONF" nat max_flows) == 32768 ]] ||
		{ fail "the file does not have [wan] mtu = 1400 and [nat] max_flows = 32768: $(grep -n 'mtu\|max_flows' "$API_CONF" | tr '\n' ' ')"; return; }
	after=$(wrst_running)
	[[ $after == "$before" ]] || { fail "the running values changed before a restart: '$before' -> '$after'"; return; }
	wrst_df 1420 || { fail "before the restart a 1420-byte DF ping no longer crosses: ${WRST_PING//$'\n'/ | }"; return; }
	said+=("file has mtu 1400, max_flows 32768; running still $before, 1420-byte DF ping crosses")

	# The service's restart: SIGTERM (flows written), passgated -k again.
	tnsx 5 "${NS_LAN[0]}" ping -n -c 1 -W 2 "$SRV1_IP" >/dev/null 2>&1	# a flow to hand over
	PG_RESTART_ARGS=(-k -s "$WRST_STATE")
	gateway_restart_with "$API_CONF" api_get /api/v1/auth ||
		{ fail "passgated did not come back after the restart: $(tail -n 1 "$PG_LOG")"; return; }
	restored=$(sed -n 's/.*flows from the last run.*: \([0-9]*\) restored.*/\1/p' "$PG_LOG" | tail -n 1)
	((${restored:-0} >= 1)) ||
		{ fail "the restarted daemon took over no flows: $(grep -m1 'flows' "$PG_LOG")"; return; }

	after=$(wrst_running)
	[[ $after == "1400 32768" ]] || { fail "after the restart the daemon runs with '$after', want '1400 32768'"; return; }
	wrst_df 1400 || { fail "a 1400-byte DF ping does not cross with WAN MTU 1400: ${WRST_PING//$'\n'/ | }"; return; }
	wrst_df 1420 && { fail "a 1420-byte DF ping crossed a WAN MTU of 1400"; return; }
	grep -q "^From $LAN_GW .*Frag needed and DF set (mtu = 1400)" <<<"$WRST_PING" ||
		{ fail "no frag-needed (mtu 1400) from the gateway for 1420 bytes: ${WRST_PING//$'\n'/ | }"; return; }
	said+=("restarted with -k ($restored flows restored): running $after, 1400-byte DF ping crosses, 1420 gets frag-needed mtu 1400 from $LAN_GW")

	wrst_page "live:wan:mtu=1400" "live:nat:max_flows=32768" || return
	said+=("${WEB_SAID#restart: }")
	# passgatectl saves one for the next restart too; the running value stays.
	out=$(tnsx 8 "$NS_GW" "$REPO/build/passgatectl" --token "$API_TOKEN" set --at-restart nat max_flows 65536 2>&1) ||
		{ fail "passgatectl set --at-restart failed: $out"; return; }
	[[ $out == *"pending until passgated restarts"* && $(wrst_section "$API_CONF" nat max_flows) == 65536 &&
		$(wrst_running) == "1400 32768" ]] ||
		{ fail "passgatectl set --at-restart nat max_flows 65536: '$out', file $(wrst_section "$API_CONF" nat max_flows), running $(wrst_running)"; return; }
	# The look with something pending, then Discard: the file as what runs.
	wrst_page "set:wan:mtu=1450" "axe:1280" "axe:360" \
		"shot:$REPO/build/settings-restart-desktop.png:1280" "shot:$REPO/build/settings-restart-phone.png:360" \
		discard || return
	said+=("passgatectl set --at-restart: max_flows 65536 pending; ${WEB_SAID#restart: }")
	[[ $(wrst_section "$API_CONF" wan mtu) == 1400 && $(wrst_section "$API_CONF" nat max_flows) == 32768 ]] ||
		{ fail "after Discard the file has mtu $(wrst_section "$API_CONF" wan mtu), max_flows $(wrst_section "$API_CONF" nat max_flows)"; return; }
	report web-restart "${LAN_IP[0]}" "$SRV1_IP" PASS "$(IFS=';'; echo "${said[*]}")"
}
