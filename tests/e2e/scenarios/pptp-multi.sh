# SPDX-License-Identifier: MIT
# pptp-multi: THREE LAN clients (pptp-linux on lan1, lan2, lan3) hold calls
# to one pptpd on pgsrv1 at the same time; each call's PPP frames (the pppd
# stand-in's tagged LCP echoes, FCS checked) cross in enhanced GRE both
# ways. Passes when every client's frames reach a server end of their own
# (three distinct server ends), every client hears its own server end and
# no other (calls not crossed), and pptpd saw every control connection from
# the gateway's public address. The clients all pick the same call id
# (pptp_same_call_ids: pptp-linux draws it from /dev/random), as clients
# counting from one start do: captured on the LAN hosts and at the server, the
# Outgoing-Call-Requests carry one id inside and three distinct ids outside,
# so the gateway really translated them (passgated's public call ids, Linux's
# NATed source ports).

source "$E2E_DIR/lib/pptp.sh"

scenario() {
	need pptpd pptp socat tshark || return
	local i j n=3 peers own=() other seen=() known= ids inside outside
	pptp_server || return
	pptp_same_call_ids
	for ((i = 1; i <= n; i++)); do
		CAP_NOWAIT=1 capture_start "ctl-lan$i" "${NS_LAN[$((i - 1))]}" eth0 "tcp port 1723" -s 0
	done
	CAP_NOWAIT=1 capture_start ctl-srv1 "$NS_SRV1" eth0 "tcp port 1723" -s 0
	for ((i = 1; i <= n; i++)); do capture_ready "ctl-lan$i" || return; done
	capture_ready ctl-srv1 || return
	# One control connection at a time, so pptpd's view of each is known;
	# the calls then run side by side.
	for ((i = 1; i <= n; i++)); do
		pptp_client "$i"
		wait_alive "$LAST_PID" 5 pptp_ctl_count "$i" ||
			{ fail "lan$i: no PPTP control connection reached the server ($(pptp_why "$i"))"; return; }
		# The connection that is new is lanN's.
		seen[i]=$(pptp_ctl_peers | grep -vxF -e "${known:-none}" | head -n 1)
		known+=${known:+$'\n'}${seen[i]}
	done
	peers=$(pptp_ctl_peers)
	for ((i = 1; i <= n; i++)); do
		wait_until 10 pptp_server_heard "lan$i" ||
			{ fail "lan$i's PPP frames did not reach the server through GRE ($(pptp_why "$i"))"; return; }
		wait_until 10 pptp_client_heard "$i" ||
			{ fail "the server's PPP frames did not reach lan$i through GRE ($(pptp_why "$i"))"; return; }
		own[i]=$(pptp_server_end "lan$i")
	done
	for ((i = 1; i <= n; i++)); do
		for ((j = 1; j <= n; j++)); do
			((i == j)) && continue
			[[ ${own[i]} != "${own[j]}" ]] ||
				{ fail "lan$i and lan$j reached the same server end: calls were crossed"; return; }
		done
		grep -q "fcs=ok .* tag=${own[i]} " "$SCN_DIR/stub-lan$i.log" ||
			{ fail "lan$i does not hear its own call's server end"; return; }
		for ((j = 1; j <= n; j++)); do
			((i == j)) && continue
			other=${own[j]}
			if grep -q "tag=$other " "$SCN_DIR/stub-lan$i.log"; then
				fail "lan$i hears lan$j's call: calls were crossed"
				return
			fi
		done
	done
	# shellcheck disable=SC2086
	all_from_public $peers || { fail "pptpd saw '${peers//$'\n'/ }', expected $WAN_PUB only"; return; }
	capture_stop ctl-lan1 ctl-lan2 ctl-lan3 ctl-srv1
	for ((i = 1; i <= n; i++)); do
		ids+=$(pptp_ocrq_ids "$SCN_DIR/ctl-lan$i.pcap")$'\n'
	done
	inside=$(awk 'NF == 2 {print $2}' <<<"$ids" | sort -u)
	outside=$(pptp_ocrq_ids "$SCN_DIR/ctl-srv1.pcap" | awk '{print $2}' | sort -u)
	note "call ids sent by the clients: ${inside//$'\n'/ }; seen by pptpd: ${outside//$'\n'/ }"
	(($(grep -c . <<<"$inside") == 1 && $(awk 'NF == 2' <<<"$ids" | grep -c .) == n)) ||
		{ fail "the clients' call ids did not collide (${inside//$'\n'/ }): nothing to translate"; return; }
	(($(grep -c . <<<"$outside") == n)) ||
		{ fail "pptpd saw call ids '${outside//$'\n'/ }' for $n calls: not rewritten apart"; return; }
	((${#own[@]} == n)) || { fail "fewer server ends than calls"; return; }
	for ((i = 1; i <= n; i++)); do
		report pptp-multi "${LAN_IP[$((i - 1))]}" "$SRV1_IP:1723/tcp+gre" PASS "${seen[i]} + GRE"
	done
}
