# SPDX-License-Identifier: MIT
# l2tp-multi: THREE LAN hosts (xl2tpd as LAC, all on UDP source port 1701)
# hold L2TP tunnels and calls to one xl2tpd LNS on pgsrv1 at the same time;
# PPP frames (the pppd stand-in's tagged LCP echoes, FCS checked) cross in
# UDP both ways. Passes when every client's frames reach a server end of
# their own (three distinct ones), every client hears its own server end
# and no other, and the LNS saw three tunnels from the gateway's public
# address on three different ports.

source "$E2E_DIR/lib/l2tp.sh"

scenario() {
	need xl2tpd || return
	local i j n=3 c me own=() peers
	l2tp_lns || return
	for ((i = 1; i <= n; i++)); do
		l2tp_lac "$i"
		# One tunnel at a time, so the LNS's record of each is known.
		wait_alive "$LAST_PID" 10 l2tp_lns_tunnels "$i" ||
			{ fail "lan$i: no L2TP tunnel to the LNS ($(tail -n 1 "$SCN_DIR/lac$i.log" | cut -c 1-100))"; return; }
	done
	for ((i = 1; i <= n; i++)); do
		c=$SCN_DIR/lac$i
		wait_until 10 l2tp_stub_pid "$c" || { fail "lan$i: xl2tpd never started its PPP side"; return; }
		me=$(l2tp_stub_pid "$c")
		wait_until 10 l2tp_lns_heard "$me" ||
			{ fail "lan$i's PPP frames did not reach the LNS"; return; }
		own[i]=$(l2tp_server_end "$me")
		wait_until 10 grep -q "fcs=ok .* tag=${own[i]} " "$c/stub-$me.log" ||
			{ fail "lan$i does not hear its own call's server end"; return; }
	done
	for ((i = 1; i <= n; i++)); do
		c=$SCN_DIR/lac$i
		me=$(l2tp_stub_pid "$c")
		for ((j = 1; j <= n; j++)); do
			((i == j)) && continue
			[[ ${own[i]} != "${own[j]}" ]] ||
				{ fail "lan$i and lan$j reached the same server end: calls were crossed"; return; }
			if grep -q "tag=${own[j]} " "$c/stub-$me.log"; then
				fail "lan$i hears lan$j's call: calls were crossed"
				return
			fi
		done
	done
	peers=$(l2tp_lns_peers)
	# shellcheck disable=SC2086
	all_from_public $peers || { fail "the LNS saw '${peers//$'\n'/ }', expected $WAN_PUB only"; return; }
	(($(sort -u <<<"$peers" | grep -c .) == n)) ||
		{ fail "the LNS saw $n tunnels on fewer public ports: ${peers//$'\n'/ }"; return; }
	for ((i = 1; i <= n; i++)); do
		report l2tp-multi "${LAN_IP[$((i - 1))]}:1701" "$SRV1_IP:1701/udp" PASS "$(sed -n "${i}p" <<<"$peers")"
	done
}
