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
# other protocol stay reachable. Only for --gateway passgate (the command
# is passgated's).
#
#   passgated (pggw-S) --- inet --- pgsrv1 203.0.113.10
#   host path: 198.51.100.2         charon, pptpd, xl2tpd, openvpn x2, socat :443

source "$E2E_DIR/lib/ipsec.sh"
source "$E2E_DIR/lib/pptp.sh"
source "$E2E_DIR/lib/l2tp.sh"
source "$E2E_DIR/lib/openvpn.sh"

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
