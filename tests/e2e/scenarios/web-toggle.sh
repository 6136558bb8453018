# SPDX-License-Identifier: MIT
# web-toggle: the brief's user story with real VPNs behind it. In headless
# Chromium (tests/web/drive.js) an administrator logs into the admin page,
# switches PPTP passthrough off and presses Save; the pptp scenario's own
# check must then fail (for want of GRE) while the ipsec-natt scenario's
# passes; PPTP on again, Save, and the pptp check passes.
#
#   Chromium ──http──► passgated's page (127.0.0.1:8080 in pggw-S)
#   lan1, lan2 ── pptp / IKEv2+NAT-T ──► passgated ──► srv1 (pptpd, charon)
#
# The two checks are the pptp and ipsec-natt scenarios' own functions,
# sourced and run here unchanged, each in its own directory; their report
# rows are replaced by this scenario's. Screenshots: build/web-toggle-off.png
# (after switching off) and build/web-toggle.png (on again).
# Only for --gateway passgate: the page is passgated's own.

# The scenarios' functions under their own names.
source "$E2E_DIR/scenarios/pptp.sh"
eval "toggle_pptp_check() $(declare -f scenario | tail -n +2)"
source "$E2E_DIR/scenarios/ipsec-natt.sh"
eval "toggle_ipsec_check() $(declare -f scenario | tail -n +2)"
# api_restart, api_drive, API_CONF: the api scenario's helpers.
source "$E2E_DIR/scenarios/api.sh"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the admin page is passgated's own: run with --gateway passgate"; return; }
	need node chromium curl python3 || return
	api_restart || return

	api_drive "$REPO/build/web-toggle-off.png" pptp=off || return
	grep -q '^pptp = off' "$API_CONF" || { fail "Save (off) did not reach the config file"; return; }
	toggle_run pptp-off toggle_pptp_check &&
		{ fail "the pptp check passed with PPTP passthrough switched off in the page"; return; }
	# For the switch's reason (no GRE; passgated lets the TCP control
	# connection through), not because something did not start.
	[[ $SUB_REASON == *GRE* || $SUB_REASON == *"control connection"* ]] ||
		{ fail "with PPTP off the pptp check failed, but not for want of GRE: $SUB_REASON"; return; }
	note "pptp off: the pptp check failed: $SUB_REASON"
	toggle_run ipsec-natt toggle_ipsec_check ||
		{ fail "ipsec-natt failed with only PPTP switched off: $SUB_REASON"; return; }
	note "pptp off: ipsec-natt passed"

	api_drive "$REPO/build/web-toggle.png" pptp=on || return
	grep -q '^pptp = on' "$API_CONF" || { fail "Save (on) did not reach the config file"; return; }
	toggle_run pptp-on toggle_pptp_check ||
		{ fail "the pptp check failed after PPTP was switched on again: $SUB_REASON"; return; }
	note "pptp on: the pptp check passed"
	report web-toggle "${LAN_IP[0]},${LAN_IP[1]}" "$SRV1_IP" PASS \
		"pptp off: fails, ipsec ok; on: pptp ok"
}

# toggle_run NAME FN - run a scenario's check FN in $SCN_DIR/NAME as the
# harness would (fresh reason, its processes stopped afterwards). True when
# it passed; SUB_REASON says why it did not. Its report rows are dropped:
# this scenario reports once for all.
toggle_run() {
	local name=$1 fn=$2 base=$SCN_DIR rows rc
	rows=$(wc -l <"$RUN_DIR/report.tsv")
	SCN_DIR=$base/$name
	mkdir -p "$SCN_DIR"
	FAIL_REASON=
	"$fn"
	rc=$?
	((rc == 0)) && [[ -n $FAIL_REASON ]] && rc=1
	SUB_REASON=${FAIL_REASON:-status $rc}
	FAIL_REASON=
	stop_scenario_procs
	SCN_DIR=$base
	head -n "$rows" "$RUN_DIR/report.tsv" >"$RUN_DIR/report.tsv.tmp" &&
		mv "$RUN_DIR/report.tsv.tmp" "$RUN_DIR/report.tsv"
	echo "web-toggle: $name: status $rc, $SUB_REASON" >>"$RUN_DIR/harness.log"
	return "$rc"
}
