# SPDX-License-Identifier: MIT
# login-stall: the measurement of issue 26, as filed. lan1 pings srv1 every
# 5 ms (600 pings) while lan2 makes five failed logins 0.3 s apart on the
# admin API at http://192.168.1.1/. Before the control thread each login's
# password check (yescrypt, ~60 ms) ran on the data path's thread and froze
# forwarding; now it must not show in the pings.
#
#   lan1 ── ping every 5 ms ──► passgated ──► srv1
#   lan2 ── POST /api/v1/login (wrong password) x 5 ──► 192.168.1.1:80
#
# Reports the pings over 5 ms and the slowest, idle and during the logins.
# Pass: during the logins no ping is lost and none is slower than the idle
# run's slowest + 2 ms. Only for --gateway passgate.

source "$E2E_DIR/lib/hostpath.sh"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the API is passgated's: run with --gateway passgate"; return; }
	need curl ping || return
	local creds pinger idle load curls=()
	creds=$(hp_credentials) || { fail "passgated --hash-password failed"; return; }
	hp_restart "$(printf '[api]\nlisten = %s:80\ntls = off\n%s\n' "$LAN_GW" "$creds")" || return
	wait_listen "$NS_GW" tcp 80 5 || { fail "the API does not listen on $LAN_GW:80"; return; }
	tnsx 30 "${NS_LAN[0]}" ping -n -i 0.005 -c 600 -W 1 "$SRV1_IP" >"$SCN_DIR/ping-idle.log" 2>&1
	idle=$(ls_stats "$SCN_DIR/ping-idle.log")
	spawn ping-logins "${NS_LAN[0]}" ping -n -i 0.005 -c 600 -W 1 "$SRV1_IP"
	pinger=$LAST_PID
	sleep 0.5
	for _ in 1 2 3 4 5; do
		tnsx 10 "${NS_LAN[1]}" curl -s -o /dev/null --max-time 5 -X POST \
			--data-binary '{"password": "not-the-password"}' "http://$LAN_GW/api/v1/login" &
		curls+=($!)
		sleep 0.3
	done
	wait "$pinger" "${curls[@]}"
	load=$(ls_stats "$SCN_DIR/ping-logins.log")
	note "idle: $idle; during 5 failed logins: $load"
	read -r _ _ imax _ <<<"$idle"
	read -r lost _ lmax _ <<<"$load"
	((lost == 0)) || { fail "$lost pings lost during the logins ($load)"; return; }
	awk -v m="$lmax" -v b="$imax" 'BEGIN { exit !(m <= b + 2) }' ||
		{ fail "slowest ping during the logins $lmax ms > idle $imax ms + 2 ms ($load)"; return; }
	PASS_NOTE="idle: $idle; logins: $load"
}

# ls_stats LOG - "LOST lost, MAX max ms, N over 5 ms" of a ping run.
ls_stats() {
	awk '/icmp_seq=/ { for (i = 1; i <= NF; i++) if ($i ~ /^time=/) { t = substr($i, 6) + 0 }
			if (t > max) max = t; if (t > 5) slow++ }
		/packets transmitted/ { lost = $1 - $4 }
		END { printf "%d lost, %.2f max ms, %d over 5 ms\n", lost, max, slow }' "$1"
}
