# SPDX-License-Identifier: MIT
# tests/e2e/lib/l2tp.sh - an xl2tpd LNS on pgsrv1 and xl2tpd LACs on LAN
# hosts (all on UDP source port 1701), with lib/pppstub.py standing in for
# pppd on both ends, for l2tp-multi. Sourced.
#
# xl2tpd runs /usr/sbin/pppd by a fixed path: the stand-in is bind-mounted
# over it in each xl2tpd's own mount namespace, with a private /run too.

L2TP_STUB=$E2E_DIR/lib/pppstub.py

# l2tp_lns - start the LNS (files in $SCN_DIR/lns) and wait for UDP 1701.
l2tp_lns() {
	local d=$SCN_DIR/lns
	mkdir -p "$d/run"
	echo "# options for the pppd stand-in (ignored)" >"$d/options"
	cat >"$d/xl2tpd.conf" <<-CONF
		[global]
		listen-addr = $SRV1_IP
		port = 1701
		access control = no
		[lns default]
		ip range = 10.30.0.10-10.30.0.20
		local ip = 10.30.0.1
		require authentication = no
		length bit = yes
		pppoptfile = $d/options
	CONF
	spawn lns "$NS_SRV1" sh -c 'mount --bind "$1" /usr/sbin/pppd && mount --bind "$2/run" /run &&
		exec xl2tpd -D -c "$2/xl2tpd.conf" -p "$2/xl2tpd.pid" -C "$2/l2tp-control"' sh "$L2TP_STUB" "$d"
	wait_alive "$LAST_PID" 5 listening "$NS_SRV1" udp 1701 ||
		{ fail "xl2tpd (LNS) did not start: $(tail -n 1 "$SCN_DIR/lns.log")"; return; }
}

# l2tp_lac N - start an xl2tpd LAC on lanN (files in $SCN_DIR/lacN) that
# dials the LNS at once. Sets LAST_PID.
l2tp_lac() {
	local i=$1 c=$SCN_DIR/lac$1
	mkdir -p "$c/run"
	echo "# options for the pppd stand-in (ignored)" >"$c/options"
	cat >"$c/xl2tpd.conf" <<-CONF
		[global]
		port = 1701
		access control = no
		[lac pg]
		lns = $SRV1_IP
		autodial = yes
		redial = yes
		redial timeout = 1
		max redials = 20
		require authentication = no
		length bit = yes
		pppoptfile = $c/options
	CONF
	spawn "lac$i" "${NS_LAN[$((i - 1))]}" sh -c 'mount --bind "$1" /usr/sbin/pppd && mount --bind "$2/run" /run &&
		exec xl2tpd -D -c "$2/xl2tpd.conf" -p "$2/xl2tpd.pid" -C "$2/l2tp-control"' sh "$L2TP_STUB" "$c"
}

# l2tp_lns_tunnels N - true when the LNS logged N established tunnels.
l2tp_lns_tunnels() {
	(($(grep -c 'Connection established to' "$SCN_DIR/lns.log") >= $1))
}

# l2tp_lns_peers - the address:port of every tunnel the LNS established.
l2tp_lns_peers() {
	# "Connection established to 198.51.100.2, 1701.  Local: ..."
	sed -n 's/.*Connection established to \([0-9.]*\), \([0-9]*\)\..*/\1:\2/p' "$SCN_DIR/lns.log"
}

# l2tp_stub_pid DIR - the pid of the PPP stand-in a LAC started (its log name).
l2tp_stub_pid() {
	local logs=("$1"/stub-*.log) f
	[[ -e ${logs[0]} ]] || return 1
	f=${logs[0]##*/stub-}
	echo "${f%.log}"
}

# l2tp_lns_heard PID - a server-side stand-in logged 2 good echoes from PID.
l2tp_lns_heard() {
	(($(cat "$SCN_DIR"/lns/stub-*.log 2>/dev/null | grep -c "fcs=ok .* tag=$1 ") >= 2))
}

# l2tp_server_end PID - the server-side stand-in that heard the LAC stand-in PID.
l2tp_server_end() {
	grep -l "fcs=ok .* tag=$1 " "$SCN_DIR"/lns/stub-*.log 2>/dev/null | head -n 1 |
		sed 's/.*stub-\([0-9]*\)\.log/\1/'
}
