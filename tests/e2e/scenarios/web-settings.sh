# SPDX-License-Identifier: MIT
# web-settings: settings changed in the admin page's Settings panel take
# effect on traffic, not only in the API's answer. In headless Chromium
# (tests/web/settings.js) an administrator:
#
#   Chromium ──http──► passgated's page (127.0.0.1:8080 in pggw-S)
#   lan1 ── UDP, TCP ──► passgated ──► srv1;  srv2 (a stranger) ──► WAN address
#   pgwset-S (no address) ── udhcpc ──► passgated ──► dnsmasq
#
# 1. types an MSS of 100: the page shows the configuration file's own
#    words under the field ("expected a whole number from 536 to 65495"),
#    marks it invalid and moves the focus there; nothing changes.
# 2. [icmp] refused = port-unreachable: before, srv2's UDP to an unused
#    port of the WAN address gets no answer; after, ECONNREFUSED (ICMP port
#    unreachable from the gateway).
# 3. [nat] filtering = endpoint-independent: before (address-dependent,
#    the default) srv2's UDP to lan1's public port never reaches lan1;
#    after, it does (captured on lan1).
# 4. [nat] mss = 1200: lan1's TCP SYN (MSS 1460) reaches srv1 with 1200.
# 5. [dhcp] range and enable, and a fixed address for a new host's MAC
#    (outside the range): a real DHCP client (busybox udhcpc) on that host
#    gets exactly that address, which then pings srv1 through the NAT.
# 6. [timeouts] udp = 2m (RFC 4787's shortest), set at the start: lan1's
#    UDP flow A (port 40051, idle from then on) is still in the flow table
#    while younger than 2 min and gone by 2 min 30 s, while flow B (40052,
#    a datagram every 20 s) stays; srv1's late answers to A's public port
#    are dropped (drop_unsolicited counts them, none reaches lan1) while
#    the same answers to B's reach lan1.
# 7. [dns] name added in the page: lan1's dig @gateway gets no address for
#    it before, the page's address after (the gateway's dnsmasq answers).
# 8. [log] level = debug: a new LAN neighbour (an address added on lan1
#    that pings srv1) leaves no line in the page's log at level info; at
#    debug the next one shows as "neighbour ADDR is at MAC" in the page's
#    Log section (GET /api/v1/events).
# Screenshots of the panel: docs/settings-desktop.png, settings-phone.png
# (360 px; the page must not scroll sideways). Only --gateway passgate.

source "$E2E_DIR/lib/forward.sh"
source "$E2E_DIR/lib/hostsvc.sh"
# api_restart, API*: the api scenario's helpers.
source "$E2E_DIR/scenarios/api.sh"

WSET_FIXED=192.168.1.77	# the fixed address: outside the range below
WSET_LO=192.168.1.150
WSET_HI=192.168.1.159

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the admin page is passgated's own: run with --gateway passgate"; return; }
	need node chromium python3 busybox dnsmasq tcpdump || return
	HOSTSVC_RUN=$SCN_DIR/gw-run
	mkdir -p "$HOSTSVC_RUN"
	# dnsmasq's files in this scenario's directory, not /run/passgate.
	PG_RESTART_ARGS=(-r "$HOSTSVC_RUN" -s "$HOSTSVC_RUN")
	GW_SETTINGS_APPLIED=unknown	# the next scenario gets the harness's own gateway
	api_restart || return
	local said=() step
	wset_page "bad:nat:mss=100:expected a whole number from 536 to 65495" || return
	said+=("MSS 100 refused in the page")
	# The UDP timeout first: its idle flow ages through the other steps.
	wset_timeout_start || return
	# Each step says what it saw in WSET_NOTE.
	for step in wset_icmp wset_filtering wset_mss wset_dhcp wset_dns wset_log wset_timeout_check; do
		"$step" || return
		said+=("$WSET_NOTE")
	done
	wset_page "shot:$REPO/build/settings-desktop.png:1280" "shot:$REPO/build/settings-phone.png:360" || return
	report web-settings "${LAN_IP[0]}, $WSET_FIXED" "$SRV1_IP, $SRV2_IP" PASS "$(IFS=';'; echo "${said[*]}")"
}

# wset_page STEP... - run tests/web/settings.js with these steps.
wset_page() {
	web_page 120 settings "$@"
}

# wset_icmp - srv2's UDP to an unused port of the WAN address: silent, then refused.
wset_icmp() {
	local before after
	before=$(tnsx 8 "$NS_SRV2" "$PY" "$E2E_DIR/lib/netprobe.py" probe 2 "udp:$WAN_PUB:47001")
	[[ $before == *" silent" ]] || { fail "with [icmp] refused = silent the stranger's UDP got: $before"; return; }
	wset_page "set:icmp:refused=port-unreachable" || return
	grep -q '^refused = port-unreachable' "$API_CONF" || { fail "the file does not say refused = port-unreachable"; return; }
	after=$(tnsx 8 "$NS_SRV2" "$PY" "$E2E_DIR/lib/netprobe.py" probe 2 "udp:$WAN_PUB:47001")
	[[ $after == *" refused" ]] ||
		{ fail "after the page set refused = port-unreachable the stranger's UDP got: $after"; return; }
	WSET_NOTE="ICMP answer: silent -> refused"
}

# wset_reach SPORT - lan1 opens a UDP mapping to srv1 from SPORT, srv2 sends
# 3 datagrams to its public port; WSET_N is how many reached lan1.
wset_reach() {
	local line pub cap=wset-lan1-$1
	line=$(tnsx 10 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-client "$SRV1_IP" 7031 "$1" 1)
	pub=$(awk '$1 == "seen" {print $2}' <<<"$line")
	[[ ${pub%%:*} == "$WAN_PUB" ]] || { fail "lan1 could not open a UDP mapping ($line)"; return 1; }
	CAP_NOWAIT=1 capture_start "$cap" "${NS_LAN[0]}" eth0 "ip src $SRV2_IP and udp" -Q in
	capture_ready "$cap" || return 1
	for _ in 1 2 3; do
		tnsx 5 "$NS_SRV2" "$PY" "$E2E_DIR/lib/netprobe.py" probe 0.3 "udp:$pub" >/dev/null 2>&1
	done
	sleep 0.5
	capture_stop "$cap"
	capture_complete "$cap" || { fail "the capture on lan1 lost packets"; return 1; }
	WSET_N=$(capture_count "$cap")
	note "stranger -> $pub (lan1 port $1): $WSET_N of 3 reached lan1"
}

wset_filtering() {
	local before
	wset_reach 40031 || return
	before=$WSET_N
	((before == 0)) || { fail "address-dependent filtering let $before of the stranger's datagrams reach lan1"; return; }
	wset_page "set:nat:filtering=endpoint-independent" || return
	wset_reach 40032 || return
	local after=$WSET_N
	((after == 3)) ||
		{ fail "endpoint-independent filtering set in the page: $after of 3 stranger's datagrams reached lan1"; return; }
	WSET_NOTE="filtering: stranger reached lan1 0/3 -> 3/3"
}

wset_mss() {
	local syns mss
	spawn wset-tcp-echo "$NS_SRV1" "$PY" "$E2E_DIR/lib/tcpecho.py" server 5231
	wait_listen "$NS_SRV1" tcp 5231 || { fail "TCP echo server did not start"; return; }
	wset_page "set:nat:mss_clamp=on,mss=1200" || return
	capture_start wset-syn "$NS_SRV1" eth0 \
		"tcp dst port 5231 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn" -Q in || return
	fwd_tcp wset-tcp "${NS_LAN[0]}" "$SRV1_IP" 5231 65536
	local ok=$?
	capture_stop wset-syn
	((ok == 0)) || { fail "TCP echo with MSS 1200 failed: $FWD_LINE"; return; }
	capture_complete wset-syn || { fail "the capture on srv1 lost packets"; return; }
	syns=$(capture_count wset-syn)
	mss=$(capture_read wset-syn | sed -n 's/.*options \[mss \([0-9]*\).*/\1/p' | sort -u | tr '\n' ' ')
	((syns >= 1)) && [[ $mss == "1200 " ]] ||
		{ fail "srv1 saw $syns SYNs with MSS '${mss% }', want 1200"; return; }
	WSET_NOTE="MSS 1200 in the SYN at srv1"
}

wset_dhcp() {
	local ns=pgwset-$SFX out=$SCN_DIR/udhcpc script=$SCN_DIR/udhcpc-event.sh mac ip
	hostsvc_bare_host "$ns" || return
	mac=$(nsx "$ns" cat /sys/class/net/eth0/address)
	wset_page "set:dhcp:range=$WSET_LO - $WSET_HI,lease=10m,enable=on" \
		"bad:dhcp:range=10.0.0.1 - 10.0.0.9:[dhcp] range" "add:dhcp.host:$mac $WSET_FIXED" || return
	# The fixed address restarts dnsmasq with it (the range started one already).
	wait_alive "$PG_PID" 15 grep -q "^dhcp-host=$mac,$WSET_FIXED" "$HOSTSVC_RUN/dnsmasq.conf" ||
		{ fail "dnsmasq.conf has no dhcp-host line for $mac"; return; }
	wait_alive "$PG_PID" 15 listening "$NS_GW" udp 67 ||
		{ fail "no dnsmasq after DHCP was switched on in the page: $(grep dnsmasq "$PG_LOG" | tail -n 1)"; return; }
	hostsvc_udhcpc_script "$script" "$out"
	tnsx 40 "$ns" busybox udhcpc -i eth0 -f -q -n -t 6 -T 2 -A 2 -s "$script" \
		>"$SCN_DIR/udhcpc.log" 2>&1 ||
		{ fail "udhcpc got no lease: $(tail -n 1 "$SCN_DIR/udhcpc.log")"; return; }
	ip=$(hostsvc_lease_get "$out.bound" ip)
	[[ $ip == "$WSET_FIXED" ]] || { fail "the host with the fixed address got '$ip', want $WSET_FIXED"; return; }
	[[ $(hostsvc_lease_get "$out.bound" lease) == 600 ]] ||
		{ fail "lease time '$(hostsvc_lease_get "$out.bound" lease)', want 600 (10m set in the page)"; return; }
	nsx "$ns" ip addr add "$ip/24" dev eth0 && nsx "$ns" ip route add default via "$LAN_GW" ||
		{ fail "cannot configure $ip"; return; }
	tnsx 10 "$ns" ping -c 3 -i 0.2 -W 2 "$SRV1_IP" >"$SCN_DIR/ping.log" 2>&1 ||
		{ fail "$ip cannot ping $SRV1_IP: $(tail -n 2 "$SCN_DIR/ping.log" | head -n 1)"; return; }
	WSET_NOTE="DHCP fixed address $ip (lease 600 s) to a real client, pings srv1"
}

WSET_TMO=120		# [timeouts] udp set in the page: RFC 4787's shortest
WSET_LATE_SIZE=77	# the late answers' size: nothing else sent to lan1 has it

# wset_flows PORT - how many flows the gateway lists for lan1's UDP PORT.
wset_flows() {
	local r
	r=$(api_get "/api/v1/flows?lan=${LAN_IP[0]}&proto=udp&port=$1")
	[[ ${r%% *} == 200 ]] || { echo "?"; return; }
	jq -r ".flows | length" <<<"${r#* }"
}

# wset_a_gone - flow A no longer listed (polled every 0.5 s).
wset_a_gone() {
	[[ $(wset_flows 40051) == 0 ]] || { sleep 0.4; return 1; }
}

# wset_timeout_start - the page lowers the UDP timeout; lan1 opens flow A
# (then idle) and flow B (kept busy) to srv1's echo server.
wset_timeout_start() {
	local line
	spawn wset-udp-echo "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7031
	wait_listen "$NS_SRV1" udp 7031 || { fail "UDP echo server did not start"; return; }
	wset_page "set:timeouts:udp=2m" || return
	grep -q '^udp *= *2m' "$API_CONF" || { fail "the file does not say udp = 2m"; return; }
	line=$(tnsx 10 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-client "$SRV1_IP" 7031 40051 1 200)
	WSET_A=$(awk '$1 == "seen" {print $2}' <<<"$line")
	WSET_A_T0=$(date +%s)
	[[ ${WSET_A%%:*} == "$WAN_PUB" ]] || { fail "lan1 could not open UDP flow A ($line)"; return; }
	# B: one datagram now and every 20 s (well inside the 2 min).
	spawn wset-udp-b "${NS_LAN[0]}" bash -c "while :; do '$PY' '$E2E_DIR/lib/netprobe.py' \
		udp-echo-client '$SRV1_IP' 7031 40052 1 200; sleep 20; done"
	wait_until 10 grep -q '^seen ' "$SCN_DIR/wset-udp-b.log" || { fail "lan1 could not open UDP flow B"; return; }
	WSET_B=$(awk '$1 == "seen" {print $2; exit}' "$SCN_DIR/wset-udp-b.log")
	note "UDP timeout 2m set in the page; flow A $WSET_A idle from now, flow B $WSET_B kept busy"
}

# wset_timeout_check - A present while younger than the timeout, gone soon
# after it; B still there; late answers to A dropped and counted, to B delivered.
wset_timeout_check() {
	local idle n gone_at before after cap=wset-late
	idle=$(($(date +%s) - WSET_A_T0))
	((idle < WSET_TMO - 5)) || { fail "the steps took too long: flow A already idle $idle s"; return; }
	n=$(wset_flows 40051)
	[[ $n == 1 ]] || { fail "flow A is not in the flow table after $idle s idle ($n flows)"; return; }
	note "flow A listed after $idle s idle"
	# The timeout, then up to 30 s for the flow sweep.
	sleep $((WSET_A_T0 + WSET_TMO - 2 - $(date +%s)))
	n=$(wset_flows 40051)
	[[ $n == 1 ]] || { fail "flow A is gone before its 2 min ($n flows after $(($(date +%s) - WSET_A_T0)) s)"; return; }
	wait_alive "$PG_PID" 32 wset_a_gone ||
		{ fail "flow A still listed $(($(date +%s) - WSET_A_T0)) s idle, with [timeouts] udp = 2m"; return; }
	gone_at=$(($(date +%s) - WSET_A_T0))
	n=$(wset_flows 40052)
	[[ $n == 1 ]] || { fail "the busy flow B is gone too ($n flows)"; return; }
	# The server's late answers: 3 to A's public port, 3 to B's.
	before=$(gateway_counter drop_unsolicited)
	CAP_NOWAIT=1 capture_start "$cap" "${NS_LAN[0]}" eth0 "ip src $SRV1_IP and udp src port 7031" -Q in
	capture_ready "$cap" || return
	tnsx 10 "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-send 7031 "$WAN_PUB" "${WSET_A#*:}" 3 "$WSET_LATE_SIZE" >/dev/null &&
		tnsx 10 "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-send 7031 "$WAN_PUB" "${WSET_B#*:}" 3 "$WSET_LATE_SIZE" >/dev/null ||
		{ fail "srv1 could not send the late answers"; return; }
	sleep 0.5
	capture_stop "$cap"
	capture_complete "$cap" || { fail "the capture on lan1 lost packets"; return; }
	after=$(gateway_counter drop_unsolicited)
	local to_a to_b len=$((WSET_LATE_SIZE + 8))
	to_a=$(capture_count "$cap" "udp dst port 40051 and udp[4:2] = $len")
	to_b=$(capture_count "$cap" "udp dst port 40052 and udp[4:2] = $len")
	((to_a == 0 && to_b == 3)) ||
		{ fail "late answers reaching lan1: $to_a of 3 to expired flow A (want 0), $to_b of 3 to busy flow B (want 3)"; return; }
	((after - before >= 3)) ||
		{ fail "drop_unsolicited rose by $((after - before)) for 3 late answers to the expired flow"; return; }
	WSET_NOTE="UDP 2m: flow A listed at ${idle} s and $((WSET_TMO - 2)) s idle, gone at $gone_at s, late answers 0/3 to A (drop_unsolicited +$((after - before))), 3/3 to busy B"
}

# wset_dns - a local name added in the page is answered by the gateway.
WSET_NAME=printer.lan
WSET_NAME_ADDR=192.168.1.42
wset_dns() {
	local ans
	ans=$(tnsx 10 "${NS_LAN[0]}" dig +time=2 +tries=1 +short @"$LAN_GW" "$WSET_NAME" A 2>&1)
	[[ $ans != "$WSET_NAME_ADDR" ]] || { fail "$WSET_NAME resolved before the page added it"; return; }
	wset_page "add:dns.name:$WSET_NAME $WSET_NAME_ADDR" || return
	wait_alive "$PG_PID" 15 grep -q "^host-record=$WSET_NAME,$WSET_NAME_ADDR" "$HOSTSVC_RUN/dnsmasq.conf" ||
		{ fail "dnsmasq.conf has no host-record for $WSET_NAME"; return; }
	# dnsmasq is restarted with it: a few tries while it comes up.
	wait_alive "$PG_PID" 15 bash -c "[[ \$(ip netns exec '${NS_LAN[0]}' dig +time=1 +tries=1 +short @'$LAN_GW' '$WSET_NAME' A) == '$WSET_NAME_ADDR' ]]" ||
		{ fail "dig $WSET_NAME @$LAN_GW answered '$(tnsx 5 "${NS_LAN[0]}" dig +time=1 +tries=1 +short @"$LAN_GW" "$WSET_NAME" A 2>&1 | tr '\n' ' ')' after the page added it"; return; }
	[[ $ans == *"connection refused"* ]] && ans="refused (no DNS on the gateway yet)"
	[[ $ans =~ ^[0-9.]+$ ]] || { ans=${ans//;/}; ans=${ans:-no address}; }
	WSET_NOTE="DNS name from the page: dig $WSET_NAME before: ${ans//$'\n'/ }, after: $WSET_NAME_ADDR"
}

# wset_neigh ADDR - lan1 takes ADDR as well and pings srv1 from it: the
# gateway meets a new LAN neighbour.
wset_neigh() {
	nsx "${NS_LAN[0]}" ip addr add "$1/24" dev eth0 || { fail "cannot add $1 on lan1"; return 1; }
	scn_undo ip -n "${NS_LAN[0]}" addr del "$1/24" dev eth0
	tnsx 10 "${NS_LAN[0]}" ping -c 2 -i 0.2 -W 2 -I "$1" "$SRV1_IP" >"$SCN_DIR/ping-$1.log" 2>&1 ||
		{ fail "lan1 cannot ping $SRV1_IP from $1"; return 1; }
}

# wset_log - a debug line in the page's log only at [log] level = debug.
wset_log() {
	wset_neigh 192.168.1.231 || return
	wset_page "nolog:neighbour 192.168.1.231 is at" "set:log:level=debug" || return
	grep -q '^level *= *debug' "$API_CONF" || { fail "the file does not say level = debug"; return; }
	wset_neigh 192.168.1.232 || return
	wset_page "log:neighbour 192.168.1.232 is at" "set:log:level=info" || return
	grep -q 'debug: lan0: neighbour 192.168.1.232 is at' "$PG_LOG" ||
		{ fail "the daemon's own log has no debug line for 192.168.1.232"; return; }
	WSET_NOTE="log level in the page: info, no line for a new neighbour, debug: '$(grep -o 'neighbour 192.168.1.232 is at [0-9a-f:]*' "$PG_LOG" | head -n 1)' in the page's log"
}
