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

source "$E2E_DIR/lib/pptp.sh"

scenario() {
	need pptpd pptp socat || return
	local d=$SCN_DIR/pptpd i seen=() own other
	pptp_server || return
	for i in 1 2; do
		pptp_client "$i"
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
		wait_until 10 pptp_server_heard "lan$i" ||
			{ fail "lan$i's PPP frames did not reach the server through GRE ($(pptp_why "$i"))"; return; }
		wait_until 10 pptp_client_heard "$i" ||
			{ fail "the server's PPP frames did not reach lan$i through GRE ($(pptp_why "$i"))"; return; }
	done
	for i in 1 2; do
		# The server-side stand-in that heard lanN names itself by pid in
		# its own echoes: lanN must hear that one and only that one.
		own=$(pptp_server_end "lan$i")
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
