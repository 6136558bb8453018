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
	local said=()
	wset_page "bad:nat:mss=100:expected a whole number from 536 to 65495" || return
	said+=("MSS 100 refused in the page")
	wset_icmp || return
	said+=("$WSET_NOTE")
	wset_filtering || return
	said+=("$WSET_NOTE")
	wset_mss || return
	said+=("$WSET_NOTE")
	wset_dhcp || return
	said+=("$WSET_NOTE")
	wset_page "shot:$REPO/build/settings-desktop.png:1280" "shot:$REPO/build/settings-phone.png:360" || return
	report web-settings "${LAN_IP[0]}, $WSET_FIXED" "$SRV1_IP, $SRV2_IP" PASS "$(IFS=';'; echo "${said[*]}")"
}

# wset_page STEP... - run tests/web/settings.js with these steps.
wset_page() {
	tnsx 120 "$NS_GW" node "$REPO/tests/web/settings.js" "$API/" "$API_PASSWORD" "$@" \
		>>"$SCN_DIR/browser.log" 2>&1 ||
		{ fail "page ($1): $(grep -v Warning "$SCN_DIR/browser.log" | tail -n 1)"; return; }
	note "$(grep '^settings: ' "$SCN_DIR/browser.log" | tail -n 1)"
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
	spawn wset-udp-echo "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7031
	wait_listen "$NS_SRV1" udp 7031 || { fail "UDP echo server did not start"; return; }
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
