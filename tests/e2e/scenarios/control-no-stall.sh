# SPDX-License-Identifier: MIT
# control-no-stall: nothing the control plane does may stall packets
# (issue 26). A ping every 5 ms crosses the gateway while other LAN hosts
# keep its admin service busy.
#
#   lan1 ── ping every 5 ms ─────────────► gateway ──────────► srv1
#   lan2 ── logins, reads, flow walk ──► http://192.168.1.1/ (admin API)
#   lan3 ── logins, config changes, capture, [dhcp] change (dnsmasq restart)
#   lan3 ── (before) 100,000 UDP flows to srv1 and srv2 (lib/flowgen.py)
#
# 1. The gateway with its admin service on 192.168.1.1:80 (passgated: [api]
#    listen with a token and a password, [dhcp] on so it runs dnsmasq,
#    [nat] max_flows_per_host = 0; its config file on a real filesystem,
#    checked; linux: a stand-in admin service, lib/adminstub.py).
# 2. lan3 makes 100,000 flows (50,000 source ports x 2 servers), paced.
# 3. Baseline: 1000 pings from lan1, 5 ms apart, nothing else going on.
# 4. Load, with the ping still every 5 ms: 10 logins (right and wrong,
#    from lan2 and lan3), 20 authenticated requests of every read endpoint
#    (page, auth, status, flows, sessions, events, config, forwards,
#    metrics, capture), a walk of the whole flow table 1000 a page, 5
#    configuration changes (each checked in the file), a capture started,
#    stopped and fetched, a [dhcp] change that restarts dnsmasq.
# Pass: every request answered as expected, no ping lost, at most 3% of the
# pings slower than the baseline's slowest + 2 ms and none slower than the
# baseline's slowest + 8 ms; with passgated also no control job over 1 ms of
# the data path thread's CPU during the load (passgate_control_job_seconds
# in /metrics), which is the direct measure (when one is, the same requests
# are made again and none may be: cns_jobs_again). The ping bounds are what the
# scheduler allows: on this 2-core machine the test's own clients share the
# gateway's cores, so a pass is now and then preempted for up to ~3 ms of
# wall clock (passgate_pass_duration_seconds, reported), which no design of
# ours can prevent (measured in full runs: 0, 0, 2 and 9 of ~1200 pings over
# +2 ms, at most 3.1 ms above the baseline's slowest). What the scenario
# guards against stays far outside them: a password check on the data
# path's thread held every packet for ~60 ms (10 logins: ~10% of the pings
# late), and each authenticated read for 4-5 ms (200 reads: ~15%).

source "$E2E_DIR/lib/hostpath.sh"

CNS_PORTS=50000		# source ports; x 2 servers = 100,000 flows
CNS_FLOWS=100000
CNS_SLACK_MS=2		# allowed above the baseline's slowest ping ...
CNS_SLOW_PCT=3		# ... for at most this share of the pings under load
CNS_SPIKE_MS=8		# allowed above the baseline's slowest ping, for any ping

scenario() {
	need curl ping python3 || return
	local t
	cns_admin_up || return
	cns_flows || return
	cns_ping baseline 1000 || return
	CNS_BASE_MAX=$CNS_MAX
	CNS_BASE_AVG=$CNS_AVG
	cns_metrics_over before
	CNS_OVER_BEFORE=$CNS_OVER CNS_JOBOVER_BEFORE=$CNS_JOBOVER
	t=$EPOCHREALTIME
	cns_load || return
	CNS_LOAD_S=$(( $(elapsed_ms "$t") / 1000 ))
	cns_judge
}

# cns_admin_up - the gateway's admin service on the LAN address.
cns_admin_up() {
	CNS_BASE=http://$LAN_GW
	CNS_CONF=$SCN_DIR/passgated-$SCN_NAME.conf
	local creds fs
	if [[ $GATEWAY == passgate ]]; then
		creds=$(hp_credentials) || { fail "passgated --hash-password failed"; return; }
		PG_RESTART_ARGS=(-r "$SCN_DIR/gw-run")
		hp_restart "$(printf '[api]\nlisten = %s:80\ntls = off\n%s\n[nat]\nmax_flows_per_host = 0\n[dhcp]\nenable = on\nrange = 192.168.1.100 - 192.168.1.199\nlease = 10m\n' \
			"$LAN_GW" "$creds")" || return
		wait_listen "$NS_GW" tcp 80 5 || { fail "the API does not listen on $LAN_GW:80"; return; }
		wait_alive "$PG_PID" 15 listening "$NS_GW" udp 67 ||
			{ fail "dnsmasq does not listen: $(grep dnsmasq "$PG_LOG" | tail -n 1)"; return; }
	else
		need dnsmasq tcpdump || return
		HP_CONF=$CNS_CONF
		printf '[timeouts]\nudp = 5m\n[dhcp]\nlease = 10m\n' >"$CNS_CONF"
		spawn adminstub "$NS_GW" "$PY" "$E2E_DIR/lib/adminstub.py" "$LAN_GW" 80 \
			"$HP_TOKEN" "$HP_PASSWORD" "$CNS_CONF" "$SCN_DIR/dnsmasq-stub"
		wait_listen "$NS_GW" tcp 80 5 || { fail "the stand-in admin service did not start: $(tail -n 1 "$SCN_DIR/adminstub.log")"; return; }
	fi
	fs=$(stat -f -c %T "$CNS_CONF")
	[[ $fs != tmpfs && $fs != ramfs ]] || { fail "the config file is on $fs, not a real filesystem"; return; }
	note "admin service on $CNS_BASE, config file on $fs"
}

# cns_flows - 100,000 UDP flows from lan3, counted by the gateway.
cns_flows() {
	local n
	tnsx 60 "${NS_LAN[2]}" "$PY" "$E2E_DIR/lib/flowgen.py" "${LAN_IP[2]}" "$SRV1_IP,$SRV2_IP" 9 \
		10000 "$CNS_PORTS" 25000 >"$SCN_DIR/flowgen.log" 2>&1 ||
		{ fail "flowgen: $(tail -n 1 "$SCN_DIR/flowgen.log")"; return; }
	sleep 1
	n=$(cns_flow_count)
	if ((n < CNS_FLOWS)); then
		# Whatever a ring dropped: the same datagrams again fill the gaps.
		tnsx 60 "${NS_LAN[2]}" "$PY" "$E2E_DIR/lib/flowgen.py" "${LAN_IP[2]}" "$SRV1_IP,$SRV2_IP" 9 \
			10000 "$CNS_PORTS" 10000 >>"$SCN_DIR/flowgen.log" 2>&1
		sleep 1
		n=$(cns_flow_count)
	fi
	((n >= CNS_FLOWS)) || { fail "only $n flows in the gateway's table, wanted $CNS_FLOWS"; return; }
	CNS_NFLOWS=$n
	note "lan3 made $n flows ($(tail -n 1 "$SCN_DIR/flowgen.log"))"
}

# cns_flow_count - flows in the gateway's table now.
cns_flow_count() {
	if [[ $GATEWAY == passgate ]]; then
		tnsx 10 "$NS_GW" curl -s --max-time 5 -H "Authorization: Bearer $HP_TOKEN" \
			"$CNS_BASE/api/v1/status" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["flows"])' 2>/dev/null || echo 0
	else
		nsx "$NS_GW" cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0
	fi
}

# cns_metrics_over NAME - from passgated's /metrics (kept as metrics-NAME.txt):
# CNS_OVER passes and CNS_JOBOVER control jobs over 1 ms so far, the longest
# of each (CNS_PASSMAX, CNS_JOBMAX, ms); zeros for the Linux gateway.
cns_metrics_over() {
	local m=$SCN_DIR/metrics-$1.txt
	CNS_OVER=0 CNS_JOBOVER=0 CNS_PASSMAX= CNS_JOBMAX=
	[[ $GATEWAY == passgate ]] || return 0
	tnsx 10 "$NS_GW" curl -s --max-time 5 -H "Authorization: Bearer $HP_TOKEN" "$CNS_BASE/metrics" \
		>"$m" 2>/dev/null
	read -r CNS_OVER CNS_PASSMAX < <(cns_hist "$m" passgate_pass_duration_seconds)
	read -r CNS_JOBOVER CNS_JOBMAX < <(cns_hist "$m" passgate_control_job_seconds)
}

# cns_hist FILE NAME - "OVER-1MS MAX-MS" of one duration histogram.
cns_hist() {
	awk -v n="$2" '$1 == n "_bucket{le=\"0.001024\"}" {w = $2}
		$1 == n "_count" {c = $2}
		$1 == n "_max" {m = $2}
		END {printf "%d %.3f\n", c - w, m * 1000}' "$1"
}

# cns_ping NAME COUNT - COUNT pings lan1 -> srv1 5 ms apart; CNS_MAX, CNS_AVG (ms), CNS_LOST.
cns_ping() {
	tnsx 60 "${NS_LAN[0]}" nice -n -10 ping -n -i 0.005 -c "$2" -W 1 "$SRV1_IP" >"$SCN_DIR/ping-$1.log" 2>&1
	cns_ping_stats "$SCN_DIR/ping-$1.log"
	[[ $CNS_RECV -gt 0 ]] || { fail "$1: no ping answered"; return; }
}

# cns_ping_stats LOG - CNS_MAX, CNS_AVG, CNS_RECV, CNS_LOST from ping's output.
# A ping interrupted with SIGINT may have its last request in flight: only
# sequence numbers below the last sent one count as lost.
cns_ping_stats() {
	read -r CNS_RECV CNS_LOST CNS_MAX CNS_AVG < <(awk '
		/icmp_seq=/ { for (i = 1; i <= NF; i++) { if ($i ~ /^icmp_seq=/) { s = substr($i, 10) + 0 }
			if ($i ~ /^time=/) { t = substr($i, 6) + 0 } }
			got[s] = 1; n++; sum += t; if (t > max) max = t }
		/packets transmitted/ { sent = $1 }
		END { lost = 0; for (i = 1; i < sent; i++) if (!(i in got)) lost++
			printf "%d %d %.3f %.3f\n", n, lost, max, n ? sum / n : 0 }' "$1")
}

# cns_load - the load from lan2 and lan3 while lan1 pings.
cns_load() {
	local pinger l2 l3 rc2 rc3
	CNS_STRICT=1
	[[ $GATEWAY == passgate ]] || CNS_STRICT=0
	spawn ping-load "${NS_LAN[0]}" nice -n -10 ping -n -i 0.005 -W 1 "$SRV1_IP"
	pinger=$LAST_PID
	CNS_DNSMASQ_BEFORE=$(cns_dnsmasq_starts)
	sleep 1
	# The clients stand for other machines: below the gateway's threads
	# when they share its cores (this test world runs on one machine).
	spawn load-lan2 "${NS_LAN[1]}" nice -n 10 "$PY" "$E2E_DIR/lib/apiload.py" lan2 "$CNS_BASE" "$HP_TOKEN" \
		"$HP_PASSWORD" right,wrong,right,wrong,right 20 1 0 "$CNS_CONF" "$CNS_STRICT"
	l2=$LAST_PID
	spawn load-lan3 "${NS_LAN[2]}" nice -n 10 "$PY" "$E2E_DIR/lib/apiload.py" lan3 "$CNS_BASE" "$HP_TOKEN" \
		"$HP_PASSWORD" wrong,right,wrong,right,wrong 0 0 1 "$CNS_CONF" "$CNS_STRICT"
	l3=$LAST_PID
	wait "$l2"; rc2=$?
	wait "$l3"; rc3=$?
	sleep 1
	kill -INT "$pinger" 2>/dev/null
	wait "$pinger"
	cns_ping_stats "$SCN_DIR/ping-load.log"
	CNS_RC2=$rc2
	CNS_RC3=$rc3
	cns_metrics_over after
}

# cns_jobs_again OVER - the same requests once more, judged on the control
# jobs alone. The thread's CPU clock also counts what the machine takes from
# it inside a job: the kernel of these VMs charges interrupts and the
# host's preemption of the virtual CPU to the task that was running (no
# IRQ time or steal accounting), so one job of ~750 now and then reads
# 1-2 ms (CI: 1 of 766 at 1.7 ms). A job that really does slow work on the
# data path's thread (a table walk, a password check, JSON) is slow every
# time its request comes, and the second load makes each request again
# but the logins: they run on the control thread only (no job), and more
# wrong passwords would have the API ration the clients (HTTP 429).
cns_jobs_again() {
	local l2 l3 rc2 rc3 again
	note "during the load: $1 control job(s) over 1 ms of the data path's CPU; the same requests again to tell a slow job from the machine"
	cns_metrics_over again-before
	again=$CNS_JOBOVER
	spawn again-lan2 "${NS_LAN[1]}" nice -n 10 "$PY" "$E2E_DIR/lib/apiload.py" lan2 "$CNS_BASE" "$HP_TOKEN" \
		"$HP_PASSWORD" "" 20 1 0 "$CNS_CONF" 1
	l2=$LAST_PID
	spawn again-lan3 "${NS_LAN[2]}" nice -n 10 "$PY" "$E2E_DIR/lib/apiload.py" lan3 "$CNS_BASE" "$HP_TOKEN" \
		"$HP_PASSWORD" "" 0 0 1 "$CNS_CONF" 1
	l3=$LAST_PID
	wait "$l2"; rc2=$?
	wait "$l3"; rc3=$?
	((rc2 == 0 && rc3 == 0)) ||
		{ fail "the requests made again: $(tail -n 1 "$SCN_DIR/again-lan2.log" | head -c 200) $(tail -n 1 "$SCN_DIR/again-lan3.log" | head -c 200)"; return; }
	cns_metrics_over again-after
	again=$((CNS_JOBOVER - again))
	note "the same requests again: control jobs over 1 ms: $again (longest since start $CNS_JOBMAX ms)"
	((again == 0)) ||
		{ fail "control jobs took over 1 ms of the data path's CPU in both loads ($1, then $again; longest $CNS_JOBMAX ms)"; return; }
}

# cns_dnsmasq_starts - how many dnsmasq the gateway started so far.
cns_dnsmasq_starts() {
	if [[ $GATEWAY == passgate ]]; then
		grep -c 'dnsmasq: started pid' "$PG_LOG"
	else
		grep -c 'dnsmasq started' "$SCN_DIR/adminstub.log"
	fi
}

cns_dnsmasq_restarted() {
	(($(cns_dnsmasq_starts) > CNS_DNSMASQ_BEFORE))
}

cns_judge() {
	local s2 s3 walk over jover wf=0 wd=0 wp=0 ws=0 restarted=yes
	s2=$(tail -n 1 "$SCN_DIR/load-lan2.log")
	s3=$(tail -n 1 "$SCN_DIR/load-lan3.log")
	walk=$("$PY" -c 'import json,sys; w=json.loads(sys.argv[1])["walk"]; print(w["flows"], w["distinct"], w["pages"], w["seconds"])' "$s2" 2>/dev/null)
	[[ -n $walk ]] && read -r wf wd wp ws <<<"$walk"
	# The dnsmasq restart is asynchronous: give it a moment.
	wait_until 10 cns_dnsmasq_restarted || restarted=no
	over=$((CNS_OVER - CNS_OVER_BEFORE))
	jover=$((CNS_JOBOVER - CNS_JOBOVER_BEFORE))
	CNS_SLOW=$(awk -v lim="$(awk -v b="$CNS_BASE_MAX" -v s="$CNS_SLACK_MS" 'BEGIN { print b + s }')" '
		/icmp_seq=/ { for (i = 1; i <= NF; i++) if ($i ~ /^time=/ && substr($i, 6) + 0 > lim) n++ }
		END { print n + 0 }' "$SCN_DIR/ping-load.log")
	# Every figure first, so a failed run still tells what it measured.
	note "baseline: avg $CNS_BASE_AVG ms, max $CNS_BASE_MAX ms; under load (${CNS_LOAD_S} s, $CNS_RECV pings): avg $CNS_AVG ms, max $CNS_MAX ms, $CNS_SLOW over $CNS_SLACK_MS ms above the baseline's max, lost $CNS_LOST"
	note "requests: lan2 $(cns_summary "$s2"), lan3 $(cns_summary "$s3"); walk: $wf flows ($wd distinct) in $wp pages, $ws s; dnsmasq restarted: $restarted"
	[[ $GATEWAY == passgate ]] &&
		note "during the load: control jobs over 1 ms of the data path's CPU: $jover (longest since start $CNS_JOBMAX ms); passes over 1 ms (wall clock, preemption included): $over (longest since start $CNS_PASSMAX ms)"
	((CNS_RC2 == 0)) || { fail "lan2's requests: $(head -c 400 <<<"$s2")"; return; }
	((CNS_RC3 == 0)) || { fail "lan3's requests: $(head -c 400 <<<"$s3")"; return; }
	((wd >= CNS_FLOWS)) || { fail "the flow walk found $wd distinct flows in $wp pages, wanted $CNS_FLOWS"; return; }
	[[ $restarted == yes ]] || { fail "dnsmasq was not restarted by the [dhcp] change"; return; }
	((CNS_LOST == 0)) || { fail "$CNS_LOST of $CNS_RECV pings lost under load"; return; }
	((CNS_SLOW * 100 <= CNS_RECV * CNS_SLOW_PCT)) ||
		{ fail "$CNS_SLOW of $CNS_RECV pings under load over baseline max $CNS_BASE_MAX ms + $CNS_SLACK_MS ms (allowed $CNS_SLOW_PCT%)"; return; }
	awk -v m="$CNS_MAX" -v b="$CNS_BASE_MAX" -v s="$CNS_SPIKE_MS" 'BEGIN { exit !(m <= b + s) }' ||
		{ fail "slowest ping under load $CNS_MAX ms > baseline max $CNS_BASE_MAX ms + $CNS_SPIKE_MS ms"; return; }
	if [[ $GATEWAY == passgate ]] && ((jover > 0)); then
		cns_jobs_again "$jover" || return
	fi
	PASS_NOTE="ping max $CNS_MAX ms under load (baseline $CNS_BASE_MAX), $CNS_SLOW of $CNS_RECV over +$CNS_SLACK_MS ms, 0 lost; $wd flows walked"
	report control-no-stall "${LAN_IP[0]}" "$SRV1_IP/icmp" PASS "max $CNS_MAX ms (baseline $CNS_BASE_MAX ms)"
}

# cns_summary JSON - "N requests, M right, slowest X ms" of one client's summary.
cns_summary() {
	"$PY" -c 'import json,sys; s=json.loads(sys.argv[1]); print("%d requests, %d answered right, slowest %s ms" % (s["requests"], s["ok"], s["slowest_ms"]))' "$1" 2>/dev/null || echo "no summary"
}
