# SPDX-License-Identifier: MIT
# l2tp: two LAN clients (xl2tpd as LAC, both on UDP source port 1701) hold
# L2TP tunnels and calls to one xl2tpd LNS on pgsrv1 at the same time. The
# data is PPP in UDP 1701; lib/pppstub.py stands in for pppd on both ends
# (xl2tpd runs /usr/sbin/pppd by a fixed path: the stand-in is bind-mounted
# over it in each xl2tpd's own mount namespace, with a private /run too).
# Passes when each client's PPP frames reach the server intact, each client
# hears its own call's server end, and the LNS saw each tunnel come from the
# gateway's public address, on two different ports.

source "$E2E_DIR/lib/l2tp.sh"

scenario() {
	need xl2tpd socat || return
	local d=$SCN_DIR/lns i c seen=() own other me
	l2tp_lns || return
	for i in 1 2; do
		l2tp_lac "$i"
		# One tunnel at a time, so the LNS's record of each is known.
		wait_alive "$LAST_PID" 10 l2tp_lns_tunnels "$i" ||
			{ fail "lan$i: no L2TP tunnel to the LNS ($(tail -n 1 "$SCN_DIR/lac$i.log" | cut -c 1-100))"; return; }
		seen[i]=$(l2tp_lns_peers | sed -n "${i}p")
	done
	for i in 1 2; do
		c=$SCN_DIR/lac$i
		wait_until 10 l2tp_stub_pid "$c" || { fail "lan$i: xl2tpd never started its PPP side"; return; }
		me=$(l2tp_stub_pid "$c")
		wait_until 10 l2tp_lns_heard "$me" ||
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
