# SPDX-License-Identifier: MIT
# tests/e2e/lib/pptp.sh - pptpd on pgsrv1 and pptp-linux clients on LAN
# hosts, with lib/pppstub.py standing in for pppd on both ends, for the
# pptp-multi and pptp-off scenarios. Sourced by those scenarios.
#
# pptp keeps one call manager per server address in /var/run/pptp: each
# client gets a private /run, or a second client would borrow the first's
# control connection.

PPTP_STUB=$E2E_DIR/lib/pppstub.py

# pptp_server - start pptpd on pgsrv1 (its files in $SCN_DIR/pptpd) and wait
# until it listens on TCP 1723.
pptp_server() {
	local d=$SCN_DIR/pptpd
	mkdir -p "$d"
	echo "# options for the pppd stand-in (ignored)" >"$d/options"
	cat >"$d/pptpd.conf" <<-CONF
		ppp $PPTP_STUB
		option $d/options
		listen $SRV1_IP
		localip 10.20.0.1
		remoteip 10.20.0.10-20
	CONF
	spawn pptpd "$NS_SRV1" pptpd -f -c "$d/pptpd.conf" -p "$d/pptpd.pid"
	wait_alive "$LAST_PID" 5 listening "$NS_SRV1" tcp 1723 ||
		{ fail "pptpd did not start: $(tail -n 1 "$SCN_DIR/pptpd.log")"; return; }
}

# pptp_client N - start a pptp call from lanN; its stand-in tags its echo
# requests "lanN" and logs to $SCN_DIR/stub-lanN.log. Sets LAST_PID. With
# PPTP_RANDOM set (pptp_same_call_ids), pptp reads that file as /dev/random.
pptp_client() {
	local i=$1
	mkdir -p "$SCN_DIR/run$i/pptp"
	spawn "pptp-lan$i" "${NS_LAN[$((i - 1))]}" sh -c 'mount --bind "$1" /run &&
		{ [ -z "$6" ] || mount --bind "$6" /dev/random; } && exec socat \
		"EXEC:pptp $2 --nolaunchpppd --nohostroute --loglevel 2" \
		"EXEC:$3 --tag $4 --log $5"' sh \
		"$SCN_DIR/run$i" "$SRV1_IP" "$PPTP_STUB" "lan$i" "$SCN_DIR/stub-lan$i.log" \
		"${PPTP_RANDOM:-}"
}

# pptp_same_call_ids - make every pptp client started afterwards pick the
# same call id, as clients counting their ids from one start do: pptp-linux
# draws its call id from two bytes of /dev/random, which each client's
# private mount namespace then finds in a file of constant bytes.
pptp_same_call_ids() {
	PPTP_RANDOM=$SCN_DIR/same-call-id.bin
	printf 'BB%.0s' {1..64} >"$PPTP_RANDOM"
}

# pptp_ocrq_ids PCAP - "SRC:PORT CALLID" for each Outgoing-Call-Request in PCAP.
pptp_ocrq_ids() {
	tshark -r "$1" -n -Y 'pptp.control_message_type == 7' -T fields -E separator=' ' -e ip.src -e tcp.srcport \
		-e pptp.call_id 2>/dev/null | awk '{print $1 ":" $2, $3}' | sort -u
}

# pptp_ctl_peers - remote address:port of pptpd's established connections.
pptp_ctl_peers() {
	nsx "$NS_SRV1" ss -Htn state established '( sport = :1723 )' | awk '{print $4}'
}

# pptp_ctl_count N - true when pptpd has N control connections.
pptp_ctl_count() {
	(($(pptp_ctl_peers | grep -c .) >= $1))
}

# pptp_server_heard TAG [N] - server-side stand-ins logged N (2) good
# echoes from TAG.
pptp_server_heard() {
	(($(cat "$SCN_DIR"/pptpd/stub-*.log 2>/dev/null | grep -c "fcs=ok .* tag=$1 ") >= ${2:-2}))
}

# pptp_client_heard N [COUNT] - lanN's stand-in logged COUNT (2) good echo
# requests from a server end.
pptp_client_heard() {
	(($(grep -c 'fcs=ok .*code=9 tag=' "$SCN_DIR/stub-lan$1.log" 2>/dev/null) >= ${2:-2}))
}

# pptp_server_end TAG - the pid (log name) of the server-side stand-in that
# heard TAG: the server end of that client's call.
pptp_server_end() {
	grep -l "fcs=ok .* tag=$1 " "$SCN_DIR"/pptpd/stub-*.log 2>/dev/null | head -n 1 |
		sed 's/.*stub-\([0-9]*\)\.log/\1/'
}

# pptp_why N - a hint for a failure: the last words of lanN's pptp.
pptp_why() {
	tail -n 1 "$SCN_DIR/pptp-lan$1.log" 2>/dev/null | cut -c 1-100
}
