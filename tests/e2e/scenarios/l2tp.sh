# SPDX-License-Identifier: MIT
# l2tp: two LAN clients (xl2tpd as LAC, both on UDP source port 1701) hold
# L2TP tunnels and calls to one xl2tpd LNS on pgsrv1 at the same time. The
# data is PPP in UDP 1701; lib/pppstub.py stands in for pppd on both ends
# (xl2tpd runs /usr/sbin/pppd by a fixed path: the stand-in is bind-mounted
# over it in each xl2tpd's own mount namespace, with a private /run too).
# Passes when each client's PPP frames reach the server intact, each client
# hears its own call's server end, and the LNS saw each tunnel come from the
# gateway's public address, on two different ports.

scenario() {
	need xl2tpd socat || return
	local d=$SCN_DIR/lns i c ns seen=() own other stub=$E2E_DIR/lib/pppstub.py
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
		exec xl2tpd -D -c "$2/xl2tpd.conf" -p "$2/xl2tpd.pid" -C "$2/l2tp-control"' sh "$stub" "$d"
	wait_alive "$LAST_PID" 5 listening "$NS_SRV1" udp 1701 ||
		{ fail "xl2tpd (LNS) did not start: $(tail -n 1 "$SCN_DIR/lns.log")"; return; }
	for i in 1 2; do
		c=$SCN_DIR/lac$i
		ns=${NS_LAN[$((i - 1))]}
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
		spawn "lac$i" "$ns" sh -c 'mount --bind "$1" /usr/sbin/pppd && mount --bind "$2/run" /run &&
			exec xl2tpd -D -c "$2/xl2tpd.conf" -p "$2/xl2tpd.pid" -C "$2/l2tp-control"' sh "$stub" "$c"
		# One tunnel at a time, so the LNS's record of each is known.
		wait_alive "$LAST_PID" 10 lns_tunnels "$i" ||
			{ fail "lan$i: no L2TP tunnel to the LNS ($(tail -n 1 "$SCN_DIR/lac$i.log" | cut -c 1-100))"; return; }
		# "Connection established to 198.51.100.2, 1701.  Local: ..."
		seen[i]=$(sed -n 's/.*Connection established to \([0-9.]*\), \([0-9]*\)\..*/\1:\2/p' \
			"$SCN_DIR/lns.log" | sed -n "${i}p")
	done
	for i in 1 2; do
		c=$SCN_DIR/lac$i
		wait_until 10 lac_stub_pid "$c" || { fail "lan$i: xl2tpd never started its PPP side"; return; }
		local me
		me=$(lac_stub_pid "$c")
		wait_until 10 lns_heard "$d" "$me" ||
			{ fail "lan$i's PPP frames did not reach the LNS"; return; }
		own=$(grep -l "fcs=ok .* tag=$me " "$d"/stub-*.log | head -n 1 | sed 's/.*stub-\([0-9]*\)\.log/\1/')
		wait_until 10 grep -q "fcs=ok .* tag=$own " "$c/stub-$me.log" ||
			{ fail "lan$i does not hear its own call's server end"; return; }
		other=$(grep -L "fcs=ok .* tag=$me " "$d"/stub-*.log | head -n 1 | sed 's/.*stub-\([0-9]*\)\.log/\1/')
		if [[ -n $other ]] && grep -q "tag=$other " "$c/stub-$me.log"; then
			fail "lan$i hears the other call's frames: calls were crossed"
			return
		fi
		all_from_public "${seen[$i]}" ||
			{ fail "the LNS saw lan$i as '${seen[$i]:-nothing}', expected $WAN_PUB"; return; }
	done
	[[ ${seen[1]} != "${seen[2]}" ]] ||
		{ fail "both tunnels seen as ${seen[1]}: one public port for two hosts"; return; }
	for i in 1 2; do
		report l2tp "${LAN_IP[$((i - 1))]}:1701" "$SRV1_IP:1701/udp" PASS "${seen[$i]}"
	done
}

# lns_tunnels N - true when the LNS logged N established tunnels.
lns_tunnels() {
	(($(grep -c 'Connection established to' "$SCN_DIR/lns.log") >= $1))
}

# lac_stub_pid DIR - the pid of the PPP stand-in a LAC started (its log name).
lac_stub_pid() {
	local logs=("$1"/stub-*.log) f
	[[ -e ${logs[0]} ]] || return 1
	f=${logs[0]##*/stub-}
	echo "${f%.log}"
}

# lns_heard DIR PID - a server-side stand-in logged 2 good echoes from PID.
lns_heard() {
	(($(cat "$1"/stub-*.log 2>/dev/null | grep -c "fcs=ok .* tag=$2 ") >= 2))
}
