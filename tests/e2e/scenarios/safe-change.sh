# SPDX-License-Identifier: MIT
# safe-change: a change that locks the admin out is undone by passgated's
# own timer when nobody confirms it; a confirmed change stays.
#
#   lan1 ── curl ──► 192.168.1.1:80 (the API, [api] listen on the LAN
#     │              address, through the host path)
#     └── ping -i 0.2 ──► passgated ──► srv1   (a flow across everything)
#
# 1. passgated with the API on the LAN address, a token, the default
#    [input] lan (tcp 80 among it); lan1 pings srv1 five times a second.
# 2. From lan1 over the real API: PUT [input] lan = tcp 22 with
#    ?confirm=8. Answered 200 with [input] lan named as a lock-out risk;
#    the file on disk now says "lan = tcp 22".
# 3. lan1 cannot reach the API any more (no answer, not an error page),
#    while passgatectl on the control socket shows the change waiting.
# 4. Without a confirmation the API answers lan1 again, no sooner than
#    7 s and no later than 12 s after the change; the file is byte for
#    byte the one before; status shows the rollback and why; the daemon
#    logged it.
# 5. A second change that keeps the page reachable ([input] lan = tcp 22,
#    tcp 80, ?confirm=8) is confirmed from lan1 at once and still in
#    force (running and file) 10 s later; `passgatectl config diff 1`
#    shows exactly that line changed.
# 6. The pings crossed the gateway all along: at most SC_MAX_LOST lost.
# 7. The admin page in headless Chromium on lan1 (tests/web/drive-safe.js):
#    setting the DMZ host puts it on probation, a banner counts down (two
#    readings 2 s apart), "Keep this change" keeps it.
# Only for --gateway passgate: the rollback is passgated's.

source "$E2E_DIR/lib/hostpath.sh"

SC_WINDOW=8	# seconds a change waits for its confirmation
SC_MAX_LOST=2	# pings lost at most across the rollback (of ~140)

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the rollback is passgated's: run with --gateway passgate"; return; }
	need curl python3 || return
	local creds code lan=${NS_LAN[0]} api="http://$LAN_GW" t0 ms ping_pid tx rx before
	local -a auth=(-H "Authorization: Bearer $HP_TOKEN" -H 'Content-Type: application/json')
	creds=$(hp_credentials) || { fail "passgated --hash-password failed"; return; }
	hp_restart "$(printf '[api]\nlisten = %s:80\ntls = off\n%s\n' "$LAN_GW" "$creds")" || return
	wait_listen "$NS_GW" tcp 80 5 || { fail "the API does not listen on $LAN_GW:80"; return; }
	code=$(hp_http "$lan" "$api/api/v1/status" "${auth[@]}")
	[[ $code == 200 ]] || { fail "lan1 -> GET /api/v1/status gave ${code:-nothing} before any change"; return; }
	cp "$HP_CONF" "$SCN_DIR/config-before.conf"

	spawn lan1-ping "$lan" ping -n -i 0.2 -c 150 -W 1 "$SRV1_IP"
	ping_pid=$LAST_PID
	sleep 1

	# 2. Lock ourselves out, on probation.
	code=$(hp_http "$lan" "$api/api/v1/config/input?confirm=$SC_WINDOW" -X PUT "${auth[@]}" \
		--data-binary '{"lan": "tcp 22"}')
	t0=$EPOCHREALTIME
	[[ $code == 200 ]] || { fail "PUT [input] lan = tcp 22 ?confirm=$SC_WINDOW gave $code: $(head -c 300 "$SCN_DIR/http.out")"; return; }
	sc_json "$SCN_DIR/http.out" '"[input] lan" in d["lockout_risk"] and d["pending"]["seconds_left"] > 0' ||
		{ fail "the answer does not name the risk or the pending change: $(head -c 300 "$SCN_DIR/http.out")"; return; }
	grep -q '^lan = tcp 22$' "$HP_CONF" || { fail "the file does not hold the change: $(grep '^lan' "$HP_CONF")"; return; }

	# 3. Locked out: the page's port is closed to the LAN now.
	code=$(hp_http "$lan" "$api/api/v1/status" "${auth[@]}" --connect-timeout 2 --max-time 2)
	[[ $code == 000 ]] || { fail "lan1 still reached the API ($code) after closing tcp 80 to the LAN"; return; }
	gateway_ctl config pending >"$SCN_DIR/pending.out" 2>&1
	grep -q 'waiting for a confirmation' "$SCN_DIR/pending.out" ||
		{ fail "passgatectl config pending: $(head -c 200 "$SCN_DIR/pending.out")"; return; }
	note "locked out: lan1 gets no answer; $(head -n 1 "$SCN_DIR/pending.out")"

	# 4. Back without anyone asking, at the deadline.
	wait_until 15 sc_reachable "$lan" "$api" || { fail "lan1 never reached the API again after the window"; return; }
	ms=$(elapsed_ms "$t0")
	((ms >= (SC_WINDOW - 1) * 1000 && ms <= (SC_WINDOW + 4) * 1000)) ||
		{ fail "the API came back ${ms} ms after the change (window $SC_WINDOW s)"; return; }
	cmp -s "$SCN_DIR/config-before.conf" "$HP_CONF" ||
		{ fail "the file on disk is not the one before the change: $(diff "$SCN_DIR/config-before.conf" "$HP_CONF" | head -n 4 | tr '\n' ' ')"; return; }
	code=$(hp_http "$lan" "$api/api/v1/status" "${auth[@]}")
	sc_json "$SCN_DIR/http.out" 'd["pending"] is None and "not confirmed within '"$SC_WINDOW"' s" in d["last_rollback"]["what"]' ||
		{ fail "status after the rollback: $(head -c 300 "$SCN_DIR/http.out")"; return; }
	grep -q 'previous configuration restored' "$PG_LOG" || { fail "the daemon did not log the rollback"; return; }
	note "rolled back: lan1 reached the API again ${ms} ms after the change; the file is the one before"

	# 5. A change that keeps the page, confirmed in time, stays.
	code=$(hp_http "$lan" "$api/api/v1/config/input?confirm=$SC_WINDOW" -X PUT "${auth[@]}" \
		--data-binary '{"lan": "tcp 22, tcp 80"}')
	[[ $code == 200 ]] || { fail "the second change gave $code: $(head -c 300 "$SCN_DIR/http.out")"; return; }
	code=$(hp_http "$lan" "$api/api/v1/config/confirm" -X POST "${auth[@]}")
	[[ $code == 200 ]] || { fail "POST /api/v1/config/confirm gave $code: $(head -c 300 "$SCN_DIR/http.out")"; return; }
	sleep $((SC_WINDOW + 2))
	code=$(hp_http "$lan" "$api/api/v1/config" "${auth[@]}")
	[[ $code == 200 ]] || { fail "lan1 lost the API after a confirmed change ($code)"; return; }
	sc_json "$SCN_DIR/http.out" 'd["input"]["lan"] == "tcp 22, tcp 80" and d["pending"] is None' ||
		{ fail "the confirmed change did not stay: $(head -c 300 "$SCN_DIR/http.out")"; return; }
	grep -q '^lan = tcp 22, tcp 80$' "$HP_CONF" || { fail "the confirmed change is not in the file"; return; }
	gateway_ctl config diff 1 >"$SCN_DIR/diff.out" 2>&1
	[[ $(grep -c '^[-+][^-+]' "$SCN_DIR/diff.out") == 2 ]] && grep -q '^+lan = tcp 22, tcp 80$' "$SCN_DIR/diff.out" ||
		{ fail "passgatectl config diff 1: $(head -c 300 "$SCN_DIR/diff.out")"; return; }
	note "confirmed change kept after $((SC_WINDOW + 2)) s; config diff 1: $(grep '^[-+][^-+]' "$SCN_DIR/diff.out" | tr '\n' ' ')"

	# 6. The flow through the gateway across all of it.
	wait "$ping_pid"
	read -r tx rx < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' \
		"$SCN_DIR/lan1-ping.log")
	[[ -n $tx && -n $rx ]] || { fail "no ping summary: $(tail -n 2 "$SCN_DIR/lan1-ping.log")"; return; }
	((tx - rx <= SC_MAX_LOST && rx > 0)) ||
		{ fail "lan1 -> srv1 lost $((tx - rx)) of $tx pings across the changes (at most $SC_MAX_LOST)"; return; }
	note "lan1 -> srv1 pings across lock-out, rollback and confirmed change: $rx of $tx answered"

	# 7. The page: a risky change on probation, counted down, kept.
	need node chromium || return
	tnsx 70 "$lan" node "$REPO/tests/web/drive-safe.js" "$api/" "$HP_PASSWORD" \
		"$REPO/build/admin-page-safe.png" "${LAN_IP[1]}" >"$SCN_DIR/browser.log" 2>&1 ||
		{ fail "admin page: $(grep -v Warning "$SCN_DIR/browser.log" | tail -n 1)"; return; }
	note "$(tail -n 1 "$SCN_DIR/browser.log")"
	report safe-change "${LAN_IP[0]}" "$LAN_GW:80/tcp" PASS \
		"locked out, back after ${ms} ms with the file restored; confirmed change kept; page countdown; pings $rx/$tx"
}

# sc_reachable NS URL - the API answers NS (any HTTP status).
sc_reachable() {
	local code
	code=$(hp_http "$1" "$2/api/v1/auth" --connect-timeout 1 --max-time 1)
	[[ $code != 000 ]]
}

# sc_json FILE EXPR - true when the Python expression EXPR holds for d, the JSON in FILE.
sc_json() {
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" 2>/dev/null
}
