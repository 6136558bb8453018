# SPDX-License-Identifier: MIT
# multiqueue: passgated's afxdp backend on links with two receive queues
# (one AF_XDP socket per queue), with one worker and with two.
#
#   pgmqc-S                pgmqg-S (passgated)              pgmqs-S
#   eth0 192.168.77.10 --- lan0 [rx0 rx1] | wan0 [rx0 rx1] --- eth0 198.51.100.1
#        (2 tx queues)     192.168.77.1     198.51.100.2          (2 tx queues)
#
# The shared world's gateway links have one queue each and a veth's queue
# count is fixed when it is made, so this scenario builds its own three
# namespaces (deleted at its end) and runs its own daemon in them, with the
# backend forced to afxdp. Each veth end has two
# queues; a sender spreads flows over its two transmit queues by hash, and
# each lands on the gateway link's receive queue of the same number.
#
# Three rounds, each with a daemon of its own: workers = 1 and workers = 2
# with the fast path off (every frame through the queues' sockets), then
# workers = 2 with offload = on (the XDP fast path's program, whose socket
# map must hand what it does not forward to the socket of the frame's
# queue; the peers have GRO on, so redirect works). Each round: 8 UDP echo flows (200 datagrams
# of 300 bytes each, every one echoed byte for byte), 4 TCP connections (each
# 256 KiB echoed byte for byte), a raw ESP exchange (the IKE-like request on
# UDP 500, 40 ESP packets answered with the right payload) all cross the
# gateway; the server sees the gateway's public address. Passes when all of
# that holds and the kernel's per-queue XDP counters (ethtool -S on lan0 and
# wan0: rx_queue_N_xdp_packets) show each receive queue of each link got at
# least 5% of that link's frames (the flows really used both queues, so both
# sockets were read), and the daemon logged "2 receive queues" for both links
# (and with offload, that it turned the fast path on).

MQ_C=pgmqc-$SFX
MQ_G=pgmqg-$SFX
MQ_S=pgmqs-$SFX
MQ_LAN_GW=192.168.77.1
MQ_CLIENT=192.168.77.10
MQ_PUB=198.51.100.2
MQ_SRV=198.51.100.1
MQ_UDP_N=200
MQ_UDP_SIZE=300
MQ_TCP_SIZE=262144
MQ_ESP_N=40

# mq_world - the three namespaces and two-queue links; 1 when the kernel refuses.
mq_world() {
	local ns
	for ns in "$MQ_C" "$MQ_G" "$MQ_S"; do
		ip netns add "$ns" || return 1
		scn_undo ip netns del "$ns"
		nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null
		ip -n "$ns" link set lo up
	done
	ip -n "$MQ_C" link add eth0 numtxqueues 2 numrxqueues 2 type veth \
		peer name lan0 netns "$MQ_G" numtxqueues 2 numrxqueues 2 || return 1
	ip -n "$MQ_S" link add eth0 numtxqueues 2 numrxqueues 2 type veth \
		peer name wan0 netns "$MQ_G" numtxqueues 2 numrxqueues 2 || return 1
	ip -n "$MQ_C" addr add "$MQ_CLIENT/24" dev eth0
	ip -n "$MQ_C" link set eth0 up
	ip -n "$MQ_C" route add default via "$MQ_LAN_GW"
	# The server has no route to the LAN: replies only come back translated.
	ip -n "$MQ_S" addr add "$MQ_SRV/24" dev eth0
	ip -n "$MQ_S" link set eth0 up
	for ns in "$MQ_C" "$MQ_S"; do
		host_offload_off "$ns" eth0
		gw_peer_gro_on "$ns" eth0
	done
	for ns in lan0 wan0; do
		nsx "$MQ_G" sysctl -qw "net.ipv6.conf.$ns.disable_ipv6=1" >/dev/null
		nsx "$MQ_G" ethtool -K "$ns" gro off >/dev/null 2>&1
		ip -n "$MQ_G" link set "$ns" up
	done
}

# mq_conf WORKERS OFFLOAD - the daemon's configuration.
mq_conf() {
	cat <<-EOF
		[lan]
		interface = lan0
		address   = $MQ_LAN_GW/24

		[wan]
		interface = wan0
		address   = $MQ_PUB/24
		gateway   = $MQ_SRV

		[api]
		socket = $SCN_DIR/mq-$1-$2.sock

		[datapath]
		workers = $1
		backend = afxdp
		offload = $2
	EOF
}

# mq_queue_frames IF - "q0 q1": XDP frames the kernel counted per receive queue of IF.
mq_queue_frames() {
	nsx "$MQ_G" ethtool -S "$1" 2>/dev/null |
		awk '/rx_queue_0_xdp_packets:/ {a = $2} /rx_queue_1_xdp_packets:/ {b = $2}
		     END {print a + 0, b + 0}'
}

# mq_round WORKERS OFFLOAD - one daemon, all the traffic, the checks. 0 or 1 after fail.
mq_round() {
	local w="$1 offload=$2" pid t0 i line pids=() a0 a1 b0 b1 d0 d1 tot ok
	local tag=$1-$2
	mq_conf "$1" "$2" >"$SCN_DIR/mq-$tag.conf"
	read -r a0 a1 < <(mq_queue_frames lan0)
	read -r b0 b1 < <(mq_queue_frames wan0)
	spawn "passgated-$tag" "$MQ_G" "$PASSGATED" -c "$SCN_DIR/mq-$tag.conf" -s "$SCN_DIR/state-$tag"
	pid=$LAST_PID
	t0=$EPOCHREALTIME
	until nsx "$MQ_C" ping -c 1 -W 1 "$MQ_LAN_GW" >/dev/null 2>&1; do
		alive "$pid" && (($(elapsed_ms "$t0") < 10000)) ||
			{ fail "workers=$w: passgated not ready: $(tail -n 2 "$SCN_DIR/passgated-$tag.log")"; return 1; }
		sleep 0.1
	done
	for i in lan0 wan0; do
		grep -q "$i: AF_XDP copy mode, 2 receive queues" "$SCN_DIR/passgated-$tag.log" ||
			{ fail "workers=$w: $i not served with 2 queues: $(grep -m1 "$i:" "$SCN_DIR/passgated-$tag.log")"; return 1; }
	done
	if [[ $2 == on ]]; then
		grep -q 'offload: on' "$SCN_DIR/passgated-$tag.log" ||
			{ fail "workers=$w: the fast path is not on: $(grep -m1 'offload:' "$SCN_DIR/passgated-$tag.log")"; return 1; }
	fi

	# UDP: 8 flows at once, each datagram echoed byte for byte.
	for ((i = 0; i < 8; i++)); do
		spawn "udp-$tag-$i" "$MQ_C" timeout 40 "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-client \
			"$MQ_SRV" 7007 $((41000 + i)) "$MQ_UDP_N" "$MQ_UDP_SIZE"
		pids+=("$LAST_PID")
	done
	# TCP: 4 connections at once, each echoed byte for byte.
	for ((i = 0; i < 4; i++)); do
		spawn "tcp-$tag-$i" "$MQ_C" timeout 40 "$PY" "$E2E_DIR/lib/tcpecho.py" client \
			"$MQ_SRV" 7008 "$MQ_TCP_SIZE"
		pids+=("$LAST_PID")
	done
	spawn "esp-$tag" "$MQ_C" timeout 30 "$PY" "$E2E_DIR/lib/espprobe.py" client "mq$1" "$MQ_SRV" \
		"$MQ_ESP_N" 0.02
	pids+=("$LAST_PID")
	for i in "${pids[@]}"; do wait "$i"; done

	for ((i = 0; i < 8; i++)); do
		line=$(grep '^seen ' "$SCN_DIR/udp-$tag-$i.log")
		[[ $line =~ echoed\ $MQ_UDP_N\  && $line == *"$MQ_PUB:"* ]] ||
			{ fail "workers=$w: UDP flow $i: ${line:-no result}"; return 1; }
	done
	for ((i = 0; i < 4; i++)); do
		line=$(grep '^seen ' "$SCN_DIR/tcp-$tag-$i.log")
		[[ $line == "seen $MQ_PUB:"*" sent $MQ_TCP_SIZE echoed $MQ_TCP_SIZE ok" ]] ||
			{ fail "workers=$w: TCP connection $i: ${line:-no result}"; return 1; }
	done
	line=$(grep '^result ' "$SCN_DIR/esp-$tag.log")
	ok=$(sed -n 's/.* good=\([0-9]*\) .*/\1/p' <<<"$line")
	[[ $line == *" seen=$MQ_PUB:"* && $line == *" bad=0 foreign=0"* ]] && ((ok >= MQ_ESP_N * 9 / 10)) ||
		{ fail "workers=$w: ESP: ${line:-no result}"; return 1; }
	note "workers=$w: 8 UDP flows x $MQ_UDP_N echoed, 4 TCP x $MQ_TCP_SIZE B echoed, ESP $line"

	# Both receive queues of both links carried a fair share.
	for i in lan0 wan0; do
		if [[ $i == lan0 ]]; then read -r d0 d1 < <(mq_queue_frames lan0); d0=$((d0 - a0)); d1=$((d1 - a1))
		else read -r d0 d1 < <(mq_queue_frames wan0); d0=$((d0 - b0)); d1=$((d1 - b1)); fi
		tot=$((d0 + d1))
		note "workers=$w: $i XDP frames per receive queue: $d0 $d1"
		((tot > 0 && d0 * 20 >= tot && d1 * 20 >= tot)) ||
			{ fail "workers=$w: $i receive queues got $d0 and $d1 frames (each must have >= 5%)"; return 1; }
	done
	stop_pid "$pid"
	grep -q 'ERROR\|AddressSanitizer' "$SCN_DIR/passgated-$tag.log" &&
		{ fail "workers=$w: $(grep -m1 'ERROR\|AddressSanitizer' "$SCN_DIR/passgated-$tag.log")"; return 1; }
	return 0
}

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the AF_XDP queues are passgated's own"; return; }
	mq_world || { fail "cannot build the two-queue links (veth numrxqueues 2)"; return; }
	spawn mq-udp-srv "$MQ_S" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7007
	spawn mq-tcp-srv "$MQ_S" "$PY" "$E2E_DIR/lib/tcpecho.py" server 7008
	spawn mq-esp-srv "$MQ_S" "$PY" "$E2E_DIR/lib/espprobe.py" responder
	wait_listen "$MQ_S" udp 7007 && wait_listen "$MQ_S" tcp 7008 && wait_listen "$MQ_S" udp 500 ||
		{ fail "the servers did not start"; return; }
	mq_round 1 off || return
	mq_round 2 off || return
	mq_round 2 on || return
}
