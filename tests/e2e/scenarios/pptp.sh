# SPDX-License-Identifier: MIT
# pptp: two LAN clients (pptp-linux) hold calls to one pptpd on pgsrv1 at
# the same time: control on TCP 1723, data in enhanced GRE keyed by call ids,
# which the gateway has to tell apart (the Linux gateway's PPTP helper, or
# passgated's). pppd cannot run here (no kernel PPP): lib/pppstub.py stands
# in on both ends, sending tagged LCP echo requests in async-HDLC frames and
# logging what it receives. Passes when each client's frames reach the
# server intact (FCS checked) and each client gets the frames of its own
# call's server end, not the other call's (call ids kept apart).
#
# pptp keeps one call manager per server address in /var/run/pptp: each
# client gets a private /run, or the second would borrow the first's control
# connection.

scenario() {
	need pptpd pptp socat || return
	local d=$SCN_DIR/pptpd i ns seen=() stub=$E2E_DIR/lib/pppstub.py
	mkdir -p "$d"
	echo "# options for the pppd stand-in (ignored)" >"$d/options"
	cat >"$d/pptpd.conf" <<-CONF
		ppp $stub
		option $d/options
		listen $SRV1_IP
		localip 10.20.0.1
		remoteip 10.20.0.10-20
	CONF
	spawn pptpd "$NS_SRV1" pptpd -f -c "$d/pptpd.conf" -p "$d/pptpd.pid"
	wait_alive "$LAST_PID" 5 listening "$NS_SRV1" tcp 1723 ||
		{ fail "pptpd did not start: $(tail -n 1 "$SCN_DIR/pptpd.log")"; return; }
	for i in 1 2; do
		ns=${NS_LAN[$((i - 1))]}
		mkdir -p "$SCN_DIR/run$i/pptp"
		spawn "pptp-lan$i" "$ns" sh -c 'mount --bind "$1" /run && exec socat \
			"EXEC:pptp $2 --nolaunchpppd --nohostroute --loglevel 2" \
			"EXEC:$3 --tag $4 --log $5"' sh \
			"$SCN_DIR/run$i" "$SRV1_IP" "$stub" "lan$i" "$SCN_DIR/stub-lan$i.log"
		# One control connection at a time, so the server's view of each
		# is known; the calls then run side by side.
		if ! wait_alive "$LAST_PID" 5 pptp_ctl_count "$i"; then
			fail "lan$i: no PPTP control connection reached the server"
			return
		fi
		seen[i]=$(pptp_ctl_peers | grep -vxF "${seen[1]:-none}" | head -n 1)
	done
	# Let both calls exchange a few echo requests.
	for i in 1 2; do
		wait_until 10 stub_got "$d" "lan$i" ||
			{ fail "lan$i's PPP frames did not reach the server through GRE ($(pptp_why "$i"))"; return; }
		wait_until 10 client_got "$i" ||
			{ fail "the server's PPP frames did not reach lan$i through GRE ($(pptp_why "$i"))"; return; }
	done
	local own other
	for i in 1 2; do
		# The server-side stand-in that heard lanN names itself by pid in
		# its own echoes: lanN must hear that one and only that one.
		own=$(grep -l "fcs=ok .* tag=lan$i " "$d"/stub-*.log | head -n 1 | sed 's/.*stub-\([0-9]*\)\.log/\1/')
		other=$(grep -L "fcs=ok .* tag=lan$i " "$d"/stub-*.log | head -n 1 | sed 's/.*stub-\([0-9]*\)\.log/\1/')
		grep -q "fcs=ok .* tag=$own " "$SCN_DIR/stub-lan$i.log" ||
			{ fail "lan$i does not hear its own call's server end"; return; }
		if [[ -n $other ]] && grep -q "tag=$other " "$SCN_DIR/stub-lan$i.log"; then
			fail "lan$i hears the other call's frames: calls were crossed"
			return
		fi
		all_from_public "${seen[$i]}" ||
			{ fail "pptpd saw lan$i as '${seen[$i]:-nothing}', expected $WAN_PUB"; return; }
		report pptp "${LAN_IP[$((i - 1))]}" "$SRV1_IP:1723/tcp+gre" PASS "${seen[$i]} + GRE"
	done
}

# pptp_ctl_peers - remote address:port of pptpd's established connections.
pptp_ctl_peers() {
	nsx "$NS_SRV1" ss -Htn state established '( sport = :1723 )' | awk '{print $4}'
}

# pptp_ctl_count N - true when pptpd has N control connections.
pptp_ctl_count() {
	(($(pptp_ctl_peers | grep -c .) >= $1))
}

# stub_got DIR TAG - a server-side stand-in logged 2 good echoes from TAG.
stub_got() {
	(($(cat "$1"/stub-*.log 2>/dev/null | grep -c "fcs=ok .* tag=$2 ") >= 2))
}

# client_got N - lanN's stand-in logged 2 good echoes from the server.
client_got() {
	(($(grep -c 'fcs=ok .*code=9 tag=' "$SCN_DIR/stub-lan$1.log" 2>/dev/null) >= 2))
}

# pptp_why N - a hint for a failure: the last words of lanN's pptp.
pptp_why() {
	tail -n 1 "$SCN_DIR/pptp-lan$1.log" 2>/dev/null | cut -c 1-100
}
