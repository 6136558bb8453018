# SPDX-License-Identifier: MIT
# fwd-pptp: pptpd runs on lan1 behind a "tcp 1723" forward, and
# three pptp clients on the WAN call it at the public address at the same
# time: wan1 and wan3 on pgsrv1 (two clients behind one address), wan2 on
# pgsrv2. passgated needs no gre forward: it
# follows the forwarded control connection and keys each call's GRE by call
# id both ways (docs/ENGINE.md "Inbound"). The Linux gateway needs a dnat for
# TCP 1723, one for GRE, and the PPTP conntrack helper on control
# connections from the WAN (lib/gateway-linux.sh, gateway_apply_settings).
# As in pptp, lib/pppstub.py stands in for pppd on both ends. Passes when
# each client's PPP frames reach the server intact (FCS checked), each client
# gets its own call's frames back and no other's, and pptpd saw each
# client at its own address (a forward translates the destination only).

GW_FORWARDS=("tcp 1723 ${LAN_IP[0]}")

scenario() {
	need pptpd pptp socat || return
	local d=$SCN_DIR/pptpd i ns seen=() want own other stub=$E2E_DIR/lib/pppstub.py
	local cns=("$NS_SRV1" "$NS_SRV2" "$NS_SRV1") cip=("$SRV1_IP" "$SRV2_IP" "$SRV1_IP") n
	mkdir -p "$d"
	echo "# options for the pppd stand-in (ignored)" >"$d/options"
	cat >"$d/pptpd.conf" <<-CONF
		ppp $stub
		option $d/options
		listen ${LAN_IP[0]}
		localip 10.20.0.1
		remoteip 10.20.0.10-20
	CONF
	spawn pptpd "${NS_LAN[0]}" pptpd -f -c "$d/pptpd.conf" -p "$d/pptpd.pid"
	wait_alive "$LAST_PID" 5 listening "${NS_LAN[0]}" tcp 1723 ||
		{ fail "pptpd did not start: $(tail -n 1 "$SCN_DIR/pptpd.log")"; return; }
	for i in 1 2 3; do
		ns=${cns[$((i - 1))]}
		mkdir -p "$SCN_DIR/run$i/pptp"
		# A private /run each: pptp keeps one call manager per server
		# address there, and all clients call the same address.
		spawn "pptp-wan$i" "$ns" sh -c 'mount --bind "$1" /run && exec socat \
			"EXEC:pptp $2 --nolaunchpppd --nohostroute --loglevel 2" \
			"EXEC:$3 --tag $4 --log $5"' sh \
			"$SCN_DIR/run$i" "$WAN_PUB" "$stub" "wan$i" "$SCN_DIR/stub-wan$i.log"
		if ! wait_alive "$LAST_PID" 5 inside_ctl_count "$i"; then
			fail "wan$i: no PPTP control connection reached pptpd inside ($(inside_why "$i"))"
			return
		fi
	done
	for i in 1 2 3; do
		wait_until 10 inside_stub_got "$d" "wan$i" ||
			{ fail "wan$i's PPP frames did not reach pptpd inside through GRE ($(inside_why "$i"))"; return; }
		wait_until 10 inside_client_got "$i" ||
			{ fail "the server's PPP frames did not reach wan$i through GRE ($(inside_why "$i"))"; return; }
	done
	mapfile -t seen < <(inside_ctl_peers)
	for i in 1 2 3; do
		want=${cip[$((i - 1))]}
		# The server-side stand-in that heard wanN names itself by pid in
		# its own echoes: wanN must hear that one and none of the others.
		own=$(grep -l "fcs=ok .* tag=wan$i " "$d"/stub-*.log | head -n 1 | sed 's/.*stub-\([0-9]*\)\.log/\1/')
		grep -q "fcs=ok .* tag=$own " "$SCN_DIR/stub-wan$i.log" ||
			{ fail "wan$i does not hear its own call's server end"; return; }
		for other in $(grep -L "fcs=ok .* tag=wan$i " "$d"/stub-*.log | sed 's/.*stub-\([0-9]*\)\.log/\1/'); do
			if grep -q "tag=$other " "$SCN_DIR/stub-wan$i.log"; then
				fail "wan$i hears another call's frames: calls were crossed"
				return
			fi
		done
		report fwd-pptp "$want (wan$i)" "$WAN_PUB:1723 -> ${LAN_IP[0]}" PASS "$want + GRE"
	done
	# pptpd saw each client at its own address: two from pgsrv1, one from
	# pgsrv2, none from the gateway.
	n=$(printf '%s\n' "${seen[@]}" | grep -c "^$SRV1_IP:")
	((n == 2)) || { fail "pptpd saw '${seen[*]}': $n connections from $SRV1_IP, expected 2"; return; }
	n=$(printf '%s\n' "${seen[@]}" | grep -c "^$SRV2_IP:")
	((n == 1)) || { fail "pptpd saw '${seen[*]}': $n connections from $SRV2_IP, expected 1"; return; }
	if [[ $GATEWAY == passgate ]] && gateway_dump; then
		note "passgated: forwarded_flows $(dump_value forwarded_flows)" \
			"drop_unsolicited $(dump_value drop_unsolicited)"
	fi
}

# inside_ctl_peers - remote address:port of pptpd's established connections.
inside_ctl_peers() {
	nsx "${NS_LAN[0]}" ss -Htn state established '( sport = :1723 )' | awk '{print $4}'
}

# inside_ctl_count N - true when pptpd has N control connections.
inside_ctl_count() {
	(($(inside_ctl_peers | grep -c .) >= $1))
}

# inside_stub_got DIR TAG - a server-side stand-in logged 2 good echoes from TAG.
inside_stub_got() {
	(($(cat "$1"/stub-*.log 2>/dev/null | grep -c "fcs=ok .* tag=$2 ") >= 2))
}

# inside_client_got N - wanN's stand-in logged 2 good echoes from the server.
inside_client_got() {
	(($(grep -c 'fcs=ok .*code=9 tag=' "$SCN_DIR/stub-wan$1.log" 2>/dev/null) >= 2))
}

# inside_why N - a hint for a failure: the last words of wanN's pptp.
inside_why() {
	tail -n 1 "$SCN_DIR/pptp-wan$1.log" 2>/dev/null | cut -c 1-100
}
