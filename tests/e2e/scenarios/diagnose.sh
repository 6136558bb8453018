# SPDX-License-Identifier: MIT
# diagnose: "passgatectl diagnose HOST" (issue 24) against the real servers
# the other scenarios use, all at once on pgsrv1: strongSwan (IKEv2 on 500
# and 4500, IKEv1 asked too), pptpd (+ the pppd stand-in, whose GRE must
# come back), xl2tpd, OpenVPN on UDP and on TCP 1194, and a TLS server on
# TCP 443 (socat over OpenSSL: SSTP's carrier). The probes leave from the
# gateway itself (its host path) through its own engine, and every answer
# is the server's own protocol message. Then pgsrv1 drops UDP 500 (nft, in
# its own table, undone at the end): IKEv2 on 500 and IKEv1 must turn
# unreachable with the "check ISP blocks of UDP 500" advice, and every
# other protocol stay reachable. The same from the admin page, by keyboard
# (tests/web/diagnose.js: 8 rows, IKEv2 failed with the advice, axe-core
# clean on the section, no overflow at 360 px; screenshots
# build/web-diagnose*.png). Last, PPTP passthrough off on the gateway: the
# call is set up but its GRE does not come back, and the advice names
# "[passthrough] pptp = on". Only for --gateway passgate (the command is
# passgated's).
#
#   passgated (pggw-S) --- inet --- pgsrv1 203.0.113.10
#   host path: 198.51.100.2         charon, pptpd, xl2tpd, openvpn x2, socat :443

source "$E2E_DIR/lib/ipsec.sh"
source "$E2E_DIR/lib/pptp.sh"
source "$E2E_DIR/lib/l2tp.sh"
source "$E2E_DIR/lib/openvpn.sh"
# api_restart, API*: the api scenario's helpers (the page needs a password).
source "$E2E_DIR/scenarios/api.sh"

DIAG_PROTOS="ikev2 ikev2-natt ikev1 pptp l2tp openvpn-udp openvpn-tcp sstp"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "diagnose is passgated's own: run with --gateway passgate"; return; }
	need socat openvpn python3 || return
	diag_servers || return
	diag_run all || return
	local p bad=
	for p in $DIAG_PROTOS; do
		[[ $(diag_field all "$p" reachable) == True ]] || bad+=" $p($(diag_field all "$p" state))"
	done
	[[ -z $bad ]] || { fail "not reachable:$bad"; return; }
	[[ $(diag_field all pptp gre) == True ]] ||
		{ fail "PPTP: the server's GRE did not come back: $(diag_field all pptp answer)"; return; }
	[[ $(diag_top all local_address) == "$WAN_PUB" ]] ||
		{ fail "the probes left from $(diag_top all local_address), not the WAN address $WAN_PUB"; return; }
	[[ $(diag_field all ikev2 answer) == *"NAT"* ]] ||
		{ fail "IKEv2: no NAT detection in the answer: $(diag_field all ikev2 answer)"; return; }
	report diagnose "$WAN_PUB" "$SRV1_IP" PASS "all 8 protocols answered"

	# UDP 500 dropped at the server: IKE on 500 unreachable, the rest not.
	nsx "$NS_SRV1" nft -f - <<-NFT || { fail "nft on pgsrv1 failed"; return; }
		table inet pgdiag {
			chain input { type filter hook input priority -10; udp dport 500 drop; }
		}
	NFT
	scn_undo ip netns exec "$NS_SRV1" nft delete table inet pgdiag
	diag_run blocked || return
	for p in ikev2 ikev1; do
		[[ $(diag_field blocked "$p" state) == no-answer ]] ||
			{ fail "UDP 500 dropped: $p is '$(diag_field blocked "$p" state)', expected no-answer"; return; }
		[[ $(diag_field blocked "$p" verdict) == fail ]] ||
			{ fail "UDP 500 dropped: $p's verdict is not fail"; return; }
	done
	[[ $(diag_field blocked ikev2 advice) == *"check ISP blocks of UDP 500"* ]] ||
		{ fail "UDP 500 dropped: the advice does not say to check blocks of UDP 500: $(diag_field blocked ikev2 advice)"; return; }
	bad=
	for p in ikev2-natt pptp l2tp openvpn-udp openvpn-tcp sstp; do
		[[ $(diag_field blocked "$p" reachable) == True ]] || bad+=" $p"
	done
	[[ -z $bad ]] || { fail "UDP 500 dropped, but also unreachable:$bad"; return; }
	report diagnose "$WAN_PUB" "$SRV1_IP:500/udp" PASS "blocked: ikev2, ikev1 fail with advice"

	diag_page || return
	diag_pptp_off
}

# diag_page - the same from the admin page (tests/web/diagnose.js, by
# keyboard), UDP 500 still dropped: the page shows IKEv2 failed with the
# advice, PPTP and the others OK. Screenshots build/web-diagnose.png and
# build/web-diagnose-phone.png (360 px).
diag_page() {
	local log=$SCN_DIR/browser.log
	command -v node >/dev/null && command -v chromium >/dev/null ||
		{ note "page not driven: node or chromium missing"; return 0; }
	api_restart || return
	tnsx 130 "$NS_GW" node "$REPO/tests/web/diagnose.js" "$API/" "$API_PASSWORD" "$SRV1_IP" \
		"$REPO/build/web-diagnose.png" "$REPO/build/web-diagnose-phone.png" >"$log" 2>&1 ||
		{ fail "page: $(grep -v Warning "$log" | tail -n 1)"; return; }
	grep -q '^row ikev2 no fail | .*check ISP blocks of UDP 500' "$log" ||
		{ fail "page: IKEv2 not shown failed with the advice: $(grep '^row ikev2 ' "$log")"; return; }
	grep -q '^row pptp yes ok ' "$log" || { fail "page: PPTP not shown OK: $(grep '^row pptp ' "$log")"; return; }
	grep -q '^row sstp yes ok ' "$log" || { fail "page: SSTP not shown OK: $(grep '^row sstp ' "$log")"; return; }
	(($(grep -c '^row ' "$log") == 8)) || { fail "page: not 8 rows"; return; }
	grep -q 'page width at 360 px: 360$' "$log" ||
		{ fail "page: wider than a 360 px phone: $(grep '^diagnose:' "$log")"; return; }
	note "$(grep '^diagnose:' "$log")"
	report diagnose "$WAN_PUB" "$SRV1_IP" PASS "page: ikev2 failed with advice, 8 rows"
}

# diag_pptp_off - PPTP passthrough off on the gateway (the harness's own
# settings, GW_PASSTHROUGH; passgated restarted): the gateway's own PPTP
# call is set up but its GRE never comes back, and the advice names the
# switch. The default gateway is back afterwards.
diag_pptp_off() {
	GW_PASSTHROUGH="pptp=off"
	gw_settings_apply || return
	diag_run pptp-off
	unset GW_PASSTHROUGH
	gw_settings_apply || return
	[[ $(diag_field pptp-off pptp verdict) == fail ]] ||
		{ fail "PPTP off: verdict $(diag_field pptp-off pptp verdict): $(diag_field pptp-off pptp answer)"; return; }
	[[ $(diag_field pptp-off pptp advice) == *"[passthrough] pptp = on"* ]] ||
		{ fail "PPTP off: the advice does not name the switch: $(diag_field pptp-off pptp advice)"; return; }
	report diagnose "$WAN_PUB" "$SRV1_IP:1723/tcp+gre" PASS "pptp off: $(diag_field pptp-off pptp answer)"
}

# diag_servers - every server on pgsrv1, each waited for.
diag_servers() {
	ipsec_start 0 || return
	pptp_server || return
	l2tp_lns || return
	pki_selfsigned pgsrv1 || { fail "openssl could not make a certificate"; return; }
	local proto
	for proto in udp4 tcp4-server; do
		# No client will connect: any pinned fingerprint will do.
		ovpn_server_conf "$SCN_DIR/server-$proto.conf" "$proto" pgsrv1 \
			"$(pki_fingerprint pgsrv1)"
		sed -i "s|^dev tun|dev tun-diag${proto:0:3}|" "$SCN_DIR/server-$proto.conf"
		sed -i "s|^server 10.8.0.0|server 10.$([[ $proto == udp4 ]] && echo 81 || echo 82).0.0|" \
			"$SCN_DIR/server-$proto.conf"
		spawn "openvpn-$proto" "$NS_SRV1" openvpn --config "$SCN_DIR/server-$proto.conf"
		wait_until 10 grep -q "Initialization Sequence Completed" "$SCN_DIR/openvpn-$proto.log" ||
			{ fail "openvpn ($proto) did not start: $(tail -n 1 "$SCN_DIR/openvpn-$proto.log")"; return; }
	done
	spawn tls-srv "$NS_SRV1" socat \
		"OPENSSL-LISTEN:443,reuseaddr,fork,cert=$RUN_DIR/pki/pgsrv1.crt,key=$RUN_DIR/pki/pgsrv1.key,verify=0" \
		SYSTEM:cat
	wait_listen "$NS_SRV1" tcp 443 || { fail "TLS server did not start"; return; }
}

# diag_run NAME - passgatectl diagnose, the table (NAME.txt) and JSON (NAME.json).
diag_run() {
	local out=$SCN_DIR/diag-$1
	gateway_ctl diagnose "$SRV1_IP" >"$out.txt" 2>"$out.err" ||
		{ fail "passgatectl diagnose ($1) failed: $(tail -n 1 "$out.err")"; return; }
	gateway_ctl --json diagnose "$SRV1_IP" >"$out.json" 2>>"$out.err" ||
		{ fail "passgatectl --json diagnose ($1) failed: $(tail -n 1 "$out.err")"; return; }
	grep -q '^IKEv2 (UDP 500)' "$out.txt" || { fail "diagnose ($1): no table printed"; return; }
}

# diag_field NAME PROTO KEY - one result's KEY (Python's str: True/False/None).
diag_field() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(next((r.get(sys.argv[3]) for r in d["results"] if r["protocol"] == sys.argv[2]), "missing"))' \
		"$SCN_DIR/diag-$1.json" "$2" "$3"
}

# diag_top NAME KEY - a top-level KEY of the answer.
diag_top() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' \
		"$SCN_DIR/diag-$1.json" "$2"
}
