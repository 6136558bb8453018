# SPDX-License-Identifier: MIT
# bench/lib/netns.sh - the forwarding benchmark's world, sourced by bench/run.
#
#   pgbg-S (generator)          pgbr-S (router)                 pgbs-S (sink)
#   eth0 ------------------ lan0        wan0 ------------------ eth0
#   10.0.0.2/24             [Linux NAT: 10.0.0.1/24, 198.51.100.2/24,   198.51.100.1/24
#   trafgen on CPU 0         nft masquerade; or passgated on CPU 1,      nft netdev ingress: UDP
#                            no kernel addresses]                        counted and dropped
#
# IPv6 (the ipv6_1k case, bench_family 6): the generator is also
# 2001:db8:1::10/64 and the sink 2001:db8:ffff::1/64, the addresses of the
# e2e's first LAN host and ISP router (tests/e2e/lib/ipv6.sh, sourced here);
# the router routes without NAT (Linux: ip6 forwarding and the e2e's
# RFC 6092 filter; passgated: [lan] address6, [wan] address6 and gateway6).
#
# Every name ends in the run's suffix S; bench_world_down removes them all.
# Only processes this file started are stopped, by PID, and reaped.

# The e2e's IPv6 addresses, v6on/v6off and the Linux filter ipv6_linux_fw6;
# its functions run commands through nsx and report through fail, which the
# e2e's lib/common.sh defines (not sourced here: it is the harness's).
# shellcheck source=tests/e2e/lib/ipv6.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tests/e2e/lib/ipv6.sh"
declare -F nsx >/dev/null || nsx() { ip netns exec "$@"; }
declare -F fail >/dev/null || fail() { echo "bench: $*" >&2; return 1; }

BW_G= BW_R= BW_S=
BW_GEN_PID= BW_GW_PID=
BW_GEN_CPU=0
BW_RTR_CPU=1
BW_RTR_NICE=-10
# bench: the placement tuned for figures (nice -10 on the daemon and its NAPI
# threads); shared: an ordinary installation's (shared_1k, bench/run).
BW_PLACEMENT=bench
BW_LOG_DIR=
BW_CTL_SOCK= # passgated's control socket; off unless a case needs its counters
# Queues of every veth end (bench_world_up): 1, or 2 for the *_mq case
# (bench/run), where a frame's queue is the sender's flow hash.
BW_QUEUES=1

# bench_family 4|6: the addresses the generators use. The LAN host, the sink
# (the WAN next hop and every flow's destination) and where the answers go:
# the router's public address over IPv4 (NAT), the LAN host itself over
# IPv6 (routed, nothing translated).
BW_FAMILY=4 BW_LAN_HOST=10.0.0.2 BW_SINK=198.51.100.1 BW_ANSWER_TO=198.51.100.2
bench_family() {
	BW_FAMILY=$1
	if [ "$1" = 6 ]; then
		BW_LAN_HOST=${LAN6_IP[0]} BW_SINK=$WAN6_NEXTHOP BW_ANSWER_TO=${LAN6_IP[0]}
	else
		BW_LAN_HOST=10.0.0.2 BW_SINK=198.51.100.1 BW_ANSWER_TO=198.51.100.2
	fi
}

# Answers (bidirectional cases): a second trafgen in the sink sends to the
# router's public address 198.51.100.2 (IPv6: to the LAN host's own
# address) and the flows' ports; the
# generator's own netdev ingress rule counts and drops them.
#
# bench_world_up SUFFIX LOGDIR
bench_world_up() {
	BW_G=pgbg-$1 BW_R=pgbr-$1 BW_S=pgbs-$1 BW_LOG_DIR=$2
	ip netns add "$BW_G" && ip netns add "$BW_R" && ip netns add "$BW_S" || return 1
	# The router's links must never run IPv6 (passgated refuses them).
	ip netns exec "$BW_R" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip netns exec "$BW_R" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	local q="numtxqueues $BW_QUEUES numrxqueues $BW_QUEUES" i
	# shellcheck disable=SC2086 # $q is two option pairs
	ip link add eth0 netns "$BW_G" $q type veth peer name lan0 netns "$BW_R" $q || return 1
	# shellcheck disable=SC2086
	ip link add wan0 netns "$BW_R" $q type veth peer name eth0 netns "$BW_S" $q || return 1
	for ns in "$BW_G" "$BW_R" "$BW_S"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$BW_G" addr add 10.0.0.2/24 dev eth0
	ip -n "$BW_S" addr add 198.51.100.1/24 dev eth0
	# IPv6 on the hosts only, so their kernels answer the router's neighbour
	# solicitations; no router advertisement changes their routes (trafgen
	# writes whole frames).
	v6on "$BW_G" eth0
	v6on "$BW_S" eth0
	ip netns exec "$BW_G" sysctl -qw net.ipv6.conf.eth0.accept_ra=0
	ip -n "$BW_G" -6 addr add "${LAN6_IP[0]}/64" dev eth0 nodad || return 1
	ip -n "$BW_S" -6 addr add "$WAN6_NEXTHOP/64" dev eth0 nodad || return 1
	# GRO off on the router's links: passgated requires it; Linux gets the same links.
	ip netns exec "$BW_R" ethtool -K lan0 gro off >/dev/null 2>&1
	ip netns exec "$BW_R" ethtool -K wan0 gro off >/dev/null 2>&1
	ip -n "$BW_G" link set eth0 up
	ip -n "$BW_R" link set lan0 up
	ip -n "$BW_R" link set wan0 up
	ip -n "$BW_S" link set eth0 up
	# The hosts' links run NAPI (GRO on): a frame an XDP program redirects
	# into a veth is delivered only when the veth's peer has NAPI
	# (docs/CONFIG.md, "veth links"); the xdp-ceiling gateway and the XDP
	# fast path need it, and every gateway gets the same links. UDP is not
	# merged (no UDP GRO socket, rx-udp-gro-forwarding off).
	ip netns exec "$BW_G" ethtool -K eth0 gro on >/dev/null 2>&1
	ip netns exec "$BW_S" ethtool -K eth0 gro on >/dev/null 2>&1
	# veth runs the receiver's work on the sender's CPU: steer the router's
	# receive work (LAN, and WAN for the answers) to the router core so the
	# generator core only generates.
	for ((i = 0; i < BW_QUEUES; i++)); do
		ip netns exec "$BW_R" sh -c "printf %x $((1 << BW_RTR_CPU)) > /sys/class/net/lan0/queues/rx-$i/rps_cpus"
		ip netns exec "$BW_R" sh -c "printf %x $((1 << BW_RTR_CPU)) > /sys/class/net/wan0/queues/rx-$i/rps_cpus"
	done
	# The sink drops UDP (and the ESP of esp_250, the GRE of pptp_250) at ingress, before its IP
	# stack, and counts it there; the generator does the same with the answers.
	# Both families: meta l4proto is the transport of IPv4 and IPv6 alike.
	for ns in "$BW_G" "$BW_S"; do
		ip netns exec "$ns" nft -f - <<-EOF || return 1
		table netdev pgbench {
		  chain in {
		    type filter hook ingress device "eth0" priority 0; policy accept;
		    meta l4proto { udp, esp, gre } counter drop
		  }
		}
		EOF
	done
	ip netns exec "$BW_S" sysctl -qw net.ipv4.icmp_ratelimit=1000
}

bench_world_down() {
	bench_gen_stop
	bench_sink_ports_off
	bench_tcp_finish
	bench_gw_stop
	bench_ceiling_stop
	for ns in "$BW_G" "$BW_R" "$BW_S"; do
		[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	BW_G= BW_R= BW_S=
}

bench_mac() { # NS IF
	ip netns exec "$1" cat "/sys/class/net/$2/address"
}

# Packets the sink's drop action saw (each reached the sink's ingress).
bench_sink_count() {
	ip netns exec "$BW_S" nft list chain netdev pgbench in |
		awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") { print $(i + 1); exit } }'
}

# Frames a host's link sent plus those it dropped because the receiving
# veth's queue was full (each was offered, and lost at the router).
bench_link_sent() { # NS
	ip netns exec "$1" cat /sys/class/net/eth0/statistics/tx_packets \
		/sys/class/net/eth0/statistics/tx_dropped | awk '{ s += $1 } END { print s }'
}

bench_gen_count() { bench_link_sent "$BW_G"; }

# The answers: sent by the sink's generator, received by the generator's
# ingress counter.
bench_rev_sent() { bench_link_sent "$BW_S"; }
bench_rev_count() {
	ip netns exec "$BW_G" nft list chain netdev pgbench in |
		awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") { print $(i + 1); exit } }'
}

# "busy total user nice" jiffies of one CPU from /proc/stat (whole machine:
# other people's programs count too; user and nice let the report leave
# their user time out).
bench_cpu_jiffies() { # CPU
	awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t, $2, $3 }' /proc/stat
}

bench_proc_jiffies() { # PID: "user system" time of one process
	awk '{ sub(/^.*\) /, ""); print $12, $13 }' "/proc/$1/stat" 2>/dev/null || echo 0 0
}

# bench_udp_frame DMAC SMAC SRC DST SPORT DPORT: one trafgen packet, UDP
# with an 18-byte payload: 64-byte frames (FCS counted) over IPv4, 84 over
# IPv6 (its header is 20 bytes longer); the family is SRC's.
#
# BW_L4 (bench_l4) makes the same frames a VPN's, IPv4 only:
#   natt  the payload starts with a non-zero SPI, so it is ESP in UDP (RFC
#         3948) to a NAT-T port, not IKE (zero marker) or a keepalive;
#   esp   raw ESP (IP protocol 50): 26 bytes of SPI, sequence number and
#         data after the IPv4 header, the same 64-byte frame. No ports: the
#         counting one of SPORT and DPORT (a one-byte dinc, at most 255
#         values) is the SPI's low byte, its third byte 0x10 from the LAN
#         host and 0x20 from the WAN side, as each end picks its own SPIs.
#   pptp  a PPTP call's GRE (enhanced GRE, version 1, RFC 2637 4.1, with a
#         sequence number and 14 bytes of payload: the same 64-byte frame). The key is the peer's
#         call id: from the LAN host the server's, 1..N in the order the
#         calls came (the counting port argument, a one-byte dinc); from the
#         WAN side each call's client id as the server saw it, one packet
#         per call from the server's list (BW_PPTP_IDS, bench_pptp_up).
BW_L4=udp
BW_PPTP_IDS=
bench_l4() { BW_L4=$1; }
bench_udp_frame() {
	local l3="ipv4(sa=$3, da=$4, ttl=64, df)" type=0x0800 l4="udp(sp=$5, dp=$6)," data="fill(0x00, 18)"
	local spi side=0x20 keys=() key
	case $3 in *:*) l3="ipv6(sa=$3, da=$4, hl=64, nh=17)" type=0x86dd ;; esac
	case $BW_L4 in
	natt) data="c32(0x00001001), fill(0x00, 14)" ;;
	esp)
		# No ports: the SPI's low byte counts as the varying port argument
		# would (the source port's unless only the destination's varies).
		case "$5 $6" in dinc*) spi=$5 ;; *dinc*) spi=$6 ;; *) spi="c8($5)" ;; esac
		[ "$3" = "$BW_LAN_HOST" ] && side=0x10
		l3="ipv4(sa=$3, da=$4, ttl=64, df, proto=50)" l4=''
		data="c16(0), c8($side), $spi, c32(1), fill(0x00, 18)"
		;;
	pptp)
		l3="ipv4(sa=$3, da=$4, ttl=64, df, proto=47)" l4=''
		if [ "$3" = "$BW_LAN_HOST" ]; then
			case "$5 $6" in dinc*) keys=("c8(0), $5") ;; *dinc*) keys=("c8(0), $6") ;; *) keys=("c16($5)") ;; esac
		else
			while read -r _ key; do keys+=("c16($key)"); done <"$BW_PPTP_IDS"
		fi
		;;
	esac
	# One packet, or with PPTP's list one per call; trafgen sends them in turn.
	[ ${#keys[@]} = 0 ] && keys=('')
	for key in "${keys[@]}"; do
		# K and S set, version 1; PPP (0x880b); payload length; call id; sequence.
		[ -n "$key" ] && data="c16(0x3001), c16(0x880b), c16(14), $key, c32(1), fill(0x00, 14)"
		cat <<-EOF
		{
		  eth(da=$1, sa=$2, type=$type),
		  $l3,
		  $l4
		  $data
		}
		EOF
	done
}

# bench_trafgen NS CFG LOG [PPS]: trafgen sends CFG's packets out of NS's
# eth0 from the generator core, as fast as it can or at PPS, output in the
# log directory's LOG; its PID in BW_TG_PID.
BW_TG_PID=
#
# With several queues trafgen goes through the kernel's queue selection
# (--qdisc-path; the veths have no qdisc, so nothing queues there), which
# picks a flow's transmit queue by its hash; its default path picks the
# queue by the sending CPU, which would put every flow on queue 0.
bench_trafgen() {
	local qpath=''
	[ "$BW_QUEUES" -gt 1 ] && qpath=--qdisc-path
	ip netns exec "$1" env LD_PRELOAD="$BENCH_BUILD/bench/sndbuf.so" \
		taskset -c "$BW_GEN_CPU" trafgen --dev eth0 --conf "$2" --cpus 1 $qpath \
		${4:+--rate "${4}pps"} >"$BW_LOG_DIR/$3" 2>&1 &
	BW_TG_PID=$!
}

# bench_gen_start SPORT_LO SPORT_HI DPORT_LO DPORT_HI [PPS]: UDP frames
# (bench_udp_frame) from the LAN host to the sink, source ports and
# destination ports each counting through their range (two coprime ranges
# give their product of flows); as fast as the generator core allows, or
# at PPS.
bench_gen_start() {
	local cfg=$BW_LOG_DIR/trafgen.cfg sp=$1 dp=$3
	[ "$1" = "$2" ] || sp="dinc($1, $2)"
	[ "$3" = "$4" ] || dp="dinc($3, $4)"
	bench_udp_frame "$(bench_mac "$BW_R" lan0)" "$(bench_mac "$BW_G" eth0)" \
		"$BW_LAN_HOST" "$BW_SINK" "$sp" "$dp" >"$cfg"
	bench_trafgen "$BW_G" "$cfg" trafgen.log "${5:-}"
	BW_GEN_PID=$BW_TG_PID
}

# bench_rev_start SPORT_LO SPORT_HI DPORT_LO DPORT_HI PPS: the WAN side's
# answers to bench_gen_start's flows, at PPS, from the sink on the generator
# core: from the flows' destination to the router's public address (IPv6:
# the LAN host's own) and the flows' source ports, which are the mapped
# ports when the gateway keeps them (Linux masquerade and passgated's
# endpoint-independent mapping do while a port is free: bench_ports_kept
# checks; over IPv6 nothing is translated). The two counters step in the
# same order as the LAN side's, so the answers go round the same 5-tuples.
BW_REV_PID=''
bench_rev_start() {
	local cfg=$BW_LOG_DIR/trafgen-rev.cfg sp=$3 dp=$1
	[ "$1" = "$2" ] || dp="dinc($1, $2)"
	[ "$3" = "$4" ] || sp="dinc($3, $4)"
	bench_udp_frame "$(bench_mac "$BW_R" wan0)" "$(bench_mac "$BW_S" eth0)" \
		"$BW_SINK" "$BW_ANSWER_TO" "$sp" "$dp" >"$cfg"
	bench_trafgen "$BW_S" "$cfg" trafgen-rev.log "$5"
	BW_REV_PID=$BW_TG_PID
}

# bench_ports_kept GATEWAY: "entries kept assured" of the router's UDP NAT
# table: how many entries, how many kept the LAN source port as the public
# port (the answers are sent to the LAN ports, so they must), and for Linux
# how many conntrack marked ASSURED (-1: not known). passgated's table comes
# through its control socket (BW_CTL_SOCK). Over IPv6 the table is the
# firewall's state (nothing is translated: every port is kept).
bench_ports_kept() {
	case $1 in
	linux*)
		local esp=0 p=$BW_L4
		case $BW_L4 in esp | pptp) esp=1 ;; esac
		case $BW_L4 in natt) p=udp ;; pptp) p=gre ;; esac
		ip netns exec "$BW_R" conntrack -L -f "ipv$BW_FAMILY" -p "$p" 2>/dev/null | awk -v esp=$esp '
			{ n++; s = ""; d = ""
			  for (i = 1; i <= NF; i++) {
				if ($i ~ /^sport=/ && s == "") s = substr($i, 7)
				if ($i ~ /^dport=/) d = substr($i, 7)
				if ($i == "[ASSURED]") a++
			  }
			  if (s != "" && s == d) k++ }
			END { print n + 0, esp ? -1 : k + 0, a + 0 }'
		;;
	*)
		local fam=()
		[ "$BW_FAMILY" = 6 ] && fam=(--family 6)
		# ESP and GRE have no ports to keep: their flows are counted, "kept" is -1.
		"$BENCH_BUILD/passgatectl" --socket "$BW_CTL_SOCK" --json flows "${fam[@]}" 2>/dev/null |
			python3 -c 'import json, sys
p = {"esp": "esp", "pptp": "gre"}.get(sys.argv[1], "udp")
f = [x for x in json.load(sys.stdin)["flows"] if x.get("proto") == p]
print(len(f), -1 if p != "udp" else sum(1 for x in f if x.get("public_port") == x.get("lan_port")), -1)' \
				"$BW_L4" 2>/dev/null || echo "-1 -1 -1"
		;;
	esac
}

bench_rev_stop() {
	if [ -n "$BW_REV_PID" ]; then
		trafgen_stop "$BW_REV_PID"
		BW_REV_PID=
	fi
}

# trafgen_stop PID: trafgen's sending process is a child that does not hear
# the parent's signals: stop it by its PID first, then the parent.
trafgen_stop() {
	local kids
	kids=$(cat /proc/"$1"/task/*/children 2>/dev/null)
	[ -n "$kids" ] && kill -INT $kids 2>/dev/null
	kill -INT "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# bench_pptp_up N: N PPTP calls through the router before a pptp case's
# windows, made by bench/pptpcalls.py (its header says why a stand-in): the
# server in the sink, the client on the LAN host, which gets a default
# route via the router's LAN address for this. The server's list of call
# ids (for the answers' GRE) in BW_PPTP_IDS; the PIDs in BW_PPTP_PIDS.
BW_PPTP_PIDS=''
bench_pptp_up() {
	local i log=$BW_LOG_DIR/pptp-client.log py client rc python=/usr/bin/python3
	py=$(dirname "${BASH_SOURCE[0]}")/../pptpcalls.py
	# Debian's interpreter: a version manager's shim first on PATH took 1-4 s
	# to start on this loaded machine (measured), Debian's 0.1-0.5 s.
	[ -x "$python" ] || python=python3
	# Emptied here, not by the background commands' redirections: those run
	# when the child does, and the waits below would read the last run's
	# "listening" and "calls".
	: >"$BW_LOG_DIR/pptp-server.log"
	: >"$log"
	BW_PPTP_IDS=$BW_LOG_DIR/pptp-ids
	: >"$BW_PPTP_IDS"
	bench_hosts_tcp || return 1
	ip netns exec "$BW_S" "$python" "$py" server 198.51.100.1 "$BW_PPTP_IDS" \
		>>"$BW_LOG_DIR/pptp-server.log" 2>&1 &
	BW_PPTP_PIDS=$!
	# Python can take seconds to start when its files left the page cache
	# (measured: up to 10 s): 30 s for the server, and the client
	# until it says what became of its calls (its own time-outs bound it).
	for ((i = 0; i < 300; i++)); do
		grep -qs '^listening' "$BW_LOG_DIR/pptp-server.log" && break
		kill -0 "$BW_PPTP_PIDS" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -qs '^listening' "$BW_LOG_DIR/pptp-server.log"; then
		echo "bench: the PPTP server did not start: $(tail -n 1 "$BW_LOG_DIR/pptp-server.log")" >&2
		bench_pptp_down
		return 1
	fi
	ip netns exec "$BW_G" "$python" "$py" client 198.51.100.1 "$1" >>"$log" 2>&1 &
	client=$!
	BW_PPTP_PIDS="$BW_PPTP_PIDS $client"
	while ! grep -qs '^calls ' "$log" && kill -0 "$client" 2>/dev/null; do
		sleep 0.1
	done
	if ! grep -qs "^calls $1\$" "$log" || [ "$(wc -l <"$BW_PPTP_IDS")" != "$1" ]; then
		rc=running
		kill -0 "$client" 2>/dev/null || { wait "$client"; rc="exit status $?"; }
		echo "bench: $1 PPTP calls not made (the server saw $(wc -l <"$BW_PPTP_IDS"), the client" \
			"$rc): $(tail -n 2 "$log" | tr '\n' ' ')" >&2
		bench_pptp_down
		return 1
	fi
}

bench_pptp_down() {
	local p
	[ -n "$BW_PPTP_PIDS" ] || return 0
	for p in $BW_PPTP_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	BW_PPTP_PIDS=''
	ip -n "$BW_G" route del default 2>/dev/null
	ip netns exec "$BW_G" ethtool -K eth0 tx on tso on gso on >/dev/null 2>&1
	ip netns exec "$BW_S" ethtool -K eth0 tx on tso on gso on >/dev/null 2>&1
	return 0
}

bench_gen_stop() {
	if [ -n "$BW_GEN_PID" ]; then
		trafgen_stop "$BW_GEN_PID"
		BW_GEN_PID=
	fi
	bench_est_stop
	bench_rev_stop
}

# --- one destination, ports exhausted (the one_dst case) ---------------------
# Two generators at once on the generator core. The established flows: 1000
# LAN sockets of 10.0.0.2 (ports 1024-2023) to the sink's port 6000, at a
# fixed rate, started first. The flood: four LAN addresses (10.0.0.10-13)
# x 32768 ports (1024-33791) = 131,072 LAN sockets to the sink's port 5000
# alone, more than the ~64k public ports either router can give towards one
# destination address and port. Ports are drawn at random, so the sockets that
# got a port and those refused stay mixed in time (in order, the first
# 64,512 of a round got one and a window could fall in either half); on
# average each socket comes back every 131,072 flood packets. With a rate
# (ONE_DST_FLOOD_PPS) the flood is offered at that rate instead of as fast
# as the generator core allows. The sink counts each port
# in a table of its own ahead of the drop chain, there only for this case.

BW_EST_PID=
BW_ONE_DST_SOCKETS=131072

# bench_est_start PPS: the established flows at PPS packets per second.
bench_est_start() {
	local cfg=$BW_LOG_DIR/trafgen-est.cfg
	bench_udp_frame "$(bench_mac "$BW_R" lan0)" "$(bench_mac "$BW_G" eth0)" \
		10.0.0.2 198.51.100.1 "dinc(1024, 2023)" 6000 >"$cfg"
	bench_trafgen "$BW_G" "$cfg" trafgen-est.log "$1"
	BW_EST_PID=$BW_TG_PID
}

bench_est_stop() {
	if [ -n "$BW_EST_PID" ]; then
		trafgen_stop "$BW_EST_PID"
		BW_EST_PID=
	fi
}

# bench_flood_start [PPS]: the flood, at PPS or as fast as the generator core
# allows (into BW_GEN_PID, so bench_gen_stop stops it).
bench_flood_start() {
	local rmac gmac cfg=$BW_LOG_DIR/trafgen-flood.cfg a
	rmac=$(bench_mac "$BW_R" lan0)
	gmac=$(bench_mac "$BW_G" eth0)
	# One packet per LAN address, each with its own port counter.
	for a in 10 11 12 13; do
		bench_udp_frame "$rmac" "$gmac" "10.0.0.$a" 198.51.100.1 "drnd(1024, 33791)" 5000
	done >"$cfg"
	bench_trafgen "$BW_G" "$cfg" trafgen-flood.log "${1:-}"
	BW_GEN_PID=$BW_TG_PID
}

bench_sink_ports_on() {
	ip netns exec "$BW_S" nft -f - <<-EOF
	table netdev pgports {
	  counter est { }
	  counter flood { }
	  chain in {
	    type filter hook ingress device "eth0" priority -10; policy accept;
	    ip protocol udp udp dport 6000 counter name "est"
	    ip protocol udp udp dport 5000 counter name "flood"
	  }
	}
	EOF
}

bench_sink_ports_off() {
	[ -n "$BW_S" ] && ip netns exec "$BW_S" nft delete table netdev pgports 2>/dev/null
	return 0
}

# bench_sink_port_count est|flood: packets the sink saw for that port.
bench_sink_port_count() {
	ip netns exec "$BW_S" nft list counter netdev pgports "$1" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "packets") { print $(i + 1); exit } }'
}

# bench_gw_counter NAME: one of passgated's engine counters, read through its
# control socket (BW_CTL_SOCK, set before bench_gw_start), or -1.
bench_gw_counter() {
	"$BENCH_BUILD/passgatectl" --socket "$BW_CTL_SOCK" --json status 2>/dev/null |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["counters"][sys.argv[1]])' \
			"$1" 2>/dev/null || echo -1
}

# bench_gw_offloaded GATEWAY: packets the XDP fast path forwarded and packets
# received from both links since passgated started (its engine counts both),
# tab-separated; "-1<tab>-1" for a gateway without the fast path or when the
# counters cannot be read.
bench_gw_offloaded() {
	case $1 in
	*-fast)
		"$BENCH_BUILD/passgatectl" --socket "$BW_CTL_SOCK" --json status 2>/dev/null |
			python3 -c 'import json, sys; c = json.load(sys.stdin)["counters"]
print(c["offload_packets"], c["rx_lan"] + c["rx_wan"], sep="\t")' 2>/dev/null && return
		;;
	esac
	printf '%s\t%s\n' -1 -1
}

# Linux: connection tracking entries in the router namespace, or -1.
bench_linux_conntrack_count() {
	ip netns exec "$BW_R" conntrack -C 2>/dev/null || echo -1
}

# Linux: packets connection tracking dropped (conntrack -S, all CPUs), or -1.
# With the ports towards one destination gone, NAT keeps a clashing tuple
# after its search and the insertion at confirm fails: insert_failed and drop
# count each such new flow, Linux's drop_ports_exhausted.
bench_linux_conntrack_drops() {
	ip netns exec "$BW_R" conntrack -S 2>/dev/null |
		awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^drop=/) { n++; s += substr($i, 6) } }
		     END { print n ? s : -1 }'
}

# The router as Linux NAT: addresses, forwarding, nftables masquerade; in
# the IPv6 case (bench_family 6) Linux's IPv6 router instead.
bench_linux_start() {
	[ "$BW_FAMILY" = 6 ] && { bench_linux6_start; return; }
	ip -n "$BW_R" addr add 10.0.0.1/24 dev lan0
	ip -n "$BW_R" addr add 198.51.100.2/24 dev wan0
	ip netns exec "$BW_R" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$BW_R" nft -f - <<-EOF
	table ip pgbench {
	  ct helper pptp {
	    type "pptp" protocol tcp
	  }
	  chain pre {
	    type filter hook prerouting priority filter; policy accept;
	    iifname "lan0" tcp dport 1723 ct helper set "pptp"
	  }
	  chain post {
	    type nat hook postrouting priority srcnat; policy accept;
	    oifname "wan0" masquerade
	  }
	}
	EOF
}

# The linux-xdp reference (latency case): Linux's NAT as above, with
# bench/xdp/pass.bpf.c (XDP_PASS) on the router's two links in native mode,
# the veth receive mode of every XDP gateway; nothing else changes.
bench_linux_xdp_on() {
	local dev
	for dev in lan0 wan0; do
		ip -n "$BW_R" link set dev "$dev" xdpdrv obj "$BENCH_BUILD/bench/pass.bpf.o" sec xdp ||
			{ echo "bench: XDP_PASS did not attach to $dev" >&2; bench_linux_xdp_off; return 1; }
	done
}

bench_linux_xdp_off() {
	ip -n "$BW_R" link set dev lan0 xdpdrv off 2>/dev/null
	ip -n "$BW_R" link set dev wan0 xdpdrv off 2>/dev/null
	return 0
}

bench_linux_stop() {
	[ "$BW_FAMILY" = 6 ] && { bench_linux6_stop; return; }
	ip netns exec "$BW_R" nft delete table ip pgbench 2>/dev/null
	ip netns exec "$BW_R" sysctl -qw net.ipv4.ip_forward=0
	ip -n "$BW_R" -4 addr flush dev lan0
	ip -n "$BW_R" -4 addr flush dev wan0
	ip netns exec "$BW_R" conntrack -F >/dev/null 2>&1
	ip -n "$BW_R" neigh flush all 2>/dev/null
}

# The router as Linux's IPv6 router: ip6 forwarding, no NAT, and the
# stateful filter of the e2e's Linux gateway (tests/e2e/lib/ipv6.sh
# ipv6_linux_fw6: RFC 6092 simple security as a careful user writes it, the
# filter the ipv6-* scenarios hold passgated against). That function fills
# chain fw6 of the e2e gateway's table "inet pgnat" and hooks it into the
# table's input, forward and postrouting chains, so the table is made here
# with those chains and nothing else for IPv6 to meet (forward's policy
# drop and the nat hook as in tests/e2e/lib/gateway-linux.sh). IPv6 is on
# in the router only while this gateway runs: passgated wants it off.
bench_linux6_start() {
	NS_GW=$BW_R
	v6on "$BW_R" lan0 wan0
	ip netns exec "$BW_R" sysctl -qw net.ipv6.conf.all.forwarding=1
	ip -n "$BW_R" -6 addr add "$LAN6_GW/64" dev lan0 nodad || return 1
	ip -n "$BW_R" -6 addr add "$WAN6_PUB/64" dev wan0 nodad || return 1
	ip -n "$BW_R" -6 route add default via "$WAN6_NEXTHOP" || return 1
	ip netns exec "$BW_R" nft -f - <<-EOF || return 1
	table inet pgnat {
	  chain input { type filter hook input priority filter; policy accept; }
	  chain forward { type filter hook forward priority filter; policy drop; }
	  chain postrouting { type nat hook postrouting priority srcnat; policy accept; }
	}
	EOF
	ipv6_linux_fw6 || return 1
	# Both neighbours resolved before the traffic starts. Resolving them under
	# the flood failed in the development runs (the sink's advertisement
	# waits in the router core's RPS backlog with the LAN's packets and is
	# dropped when it is full; the entry stayed INCOMPLETE and every packet
	# was lost), which measures the moment of the start, not forwarding.
	ip netns exec "$BW_R" ping -6 -n -c 1 -W 1 "$WAN6_NEXTHOP" >/dev/null 2>&1
	ip netns exec "$BW_R" ping -6 -n -c 1 -W 1 "${LAN6_IP[0]}" >/dev/null 2>&1
	return 0
}

bench_linux6_stop() {
	ip netns exec "$BW_R" nft delete table inet pgnat 2>/dev/null
	ip netns exec "$BW_R" sysctl -qw net.ipv6.conf.all.forwarding=0
	# Its addresses and routes go with it.
	v6off "$BW_R"
	ip netns exec "$BW_R" conntrack -F >/dev/null 2>&1
	ip -n "$BW_R" neigh flush all 2>/dev/null
	return 0
}

# The router as Linux NAT plus an nftables flowtable on both links with
# `flow add` for established TCP and UDP (OpenWrt's "software flow
# offloading"): after the first packets of each direction, conntrack and
# the forward path are skipped. Fails, with the kernel's reason in
# BW_FT_REASON, where the kernel lacks nf_flow_table.
BW_FT_REASON=''
bench_linux_ft_start() {
	local err=$BW_LOG_DIR/flowtable.err
	BW_FT_REASON=
	if [ "$BW_FAMILY" = 6 ]; then
		BW_FT_REASON="the IPv6 case's reference is ip6 forwarding with the e2e's filter; no IPv6 flowtable is set up"
		return 1
	fi
	bench_linux_start
	if ! ip netns exec "$BW_R" nft -f - 2>"$err" <<-EOF; then
	table ip pgbenchft {
	  flowtable ft {
	    hook ingress priority 0; devices = { lan0, wan0 };
	  }
	  chain pgfwd {
	    type filter hook forward priority 0; policy accept;
	    ip protocol { tcp, udp } ct state established flow add @ft
	  }
	}
	EOF
		BW_FT_REASON="nftables cannot create a flowtable on this kernel ($(uname -r)): $(grep -m1 -i 'error' "$err" | sed 's/^.*Error: *//')"
		[ -r /proc/config.gz ] && zgrep -q '^# CONFIG_NF_FLOW_TABLE is not set' /proc/config.gz &&
			BW_FT_REASON="$BW_FT_REASON; CONFIG_NF_FLOW_TABLE is not set"
		bench_linux_stop
		return 1
	fi
}

bench_linux_ft_stop() {
	ip netns exec "$BW_R" nft delete table ip pgbenchft 2>/dev/null
	bench_linux_stop
}

# The xdp-ceiling gateway: bench/xdp/ceiling.bpf.c in native mode on both
# router links (MAC rewrite and redirect, nothing else), their NAPI threads
# pinned to the router core like afxdp's.
BW_CEIL_PID=''
bench_ceiling_start() {
	local log=$BW_LOG_DIR/ceiling.log t
	: >"$log"
	ip netns exec "$BW_R" "$BENCH_BUILD/bench/ceiling_load" "$BENCH_BUILD/bench/ceiling.bpf.o" \
		lan0 "$(bench_mac "$BW_G" eth0)" wan0 "$(bench_mac "$BW_S" eth0)" >"$log" 2>&1 &
	BW_CEIL_PID=$!
	for t in $(seq 30); do
		grep -q '^attached' "$log" && break
		kill -0 "$BW_CEIL_PID" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q '^attached' "$log"; then
		bench_ceiling_stop
		return 1
	fi
	bench_napi_pin lan0 fifo
	bench_napi_pin wan0 fifo
}

bench_ceiling_stop() {
	bench_reap "$BW_CEIL_PID"
	BW_CEIL_PID=
	bench_napi_unpin
}

# bench_reap [PID]: stop a process this file started, and reap it.
bench_reap() {
	[ -n "${1:-}" ] || return 0
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# bench_gw_start BACKEND[-wN][-fast]: passgated on the router core; with -wN
# ([datapath] workers = N), worker threads 1.. on the generator's core (the
# only other one), the daemon's own thread and worker 0 staying on the
# router core; with -fast, the XDP fast path on (afxdp only).
bench_gw_start() {
	local conf=$BW_LOG_DIR/passgate.conf ct backend=${1%%-*} workers=1 offload=off napi t lan6='' wan6=''
	case $1 in *-w[0-9]*) workers=${1##*-w} workers=${workers%%-*} ;; esac
	case $1 in *-fast) offload=on ;; esac
	# The same table size as Linux's connection tracking gets on this machine.
	ct=$(cat /proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null || echo 262144)
	[ "$ct" -lt 1024 ] && ct=1024
	[ "$ct" -gt 16777216 ] && ct=16777216
	# The IPv6 case: static LAN and WAN addresses, as tests/e2e/lib/ipv6.sh
	# gives the e2e's passgated.
	if [ "$BW_FAMILY" = 6 ]; then
		lan6="address6 = $LAN6_GW/64"
		wan6="address6 = $WAN6_PUB/64"$'\n'"gateway6 = $WAN6_NEXTHOP"
	fi
	cat >"$conf" <<-EOF
	[lan]
	interface = lan0
	address = 10.0.0.1/24
	$lan6
	[wan]
	interface = wan0
	address = 198.51.100.2/24
	gateway = 198.51.100.1
	$wan6
	[nat]
	max_flows = $ct
	max_flows_per_host = 0
	[log]
	level = warn
	[api]
	socket = ${BW_CTL_SOCK:-off}
	EOF
	# The rows measure what they name: BACKEND alone with the XDP fast path
	# off, BACKEND-fast with it on (the daemon's default, auto, turns it on
	# on these links: the hosts' GRO makes them take redirected frames).
	printf '[datapath]\nworkers = %s\noffload = %s\n' "$workers" "$offload" >>"$conf"
	if [ "$backend" != afpacket ]; then
		printf 'backend = %s\n' "$backend" >>"$conf"
	fi
	# nice -10: on a shared machine other programs' time slices would
	# otherwise be taken from the daemon, while Linux's forwarding runs in
	# softirq context ahead of every program. A router core runs nothing else.
	if [ "$BW_PLACEMENT" = shared ]; then
		# As a service runs: a session of its own (systemd starts each
		# service so) and no nice from outside, only what passgated sets
		# itself (src/dp/priority.c). setsid execs in place (this
		# background job leads no process group), so $! stays its PID.
		ip netns exec "$BW_R" setsid taskset -c "$BW_RTR_CPU" "$BENCH_BUILD/passgated" -c "$conf" \
			>>"$BW_LOG_DIR/passgated.log" 2>&1 &
	else
		ip netns exec "$BW_R" nice -n "$BW_RTR_NICE" taskset -c "$BW_RTR_CPU" "$BENCH_BUILD/passgated" -c "$conf" \
			>>"$BW_LOG_DIR/passgated.log" 2>&1 &
	fi
	BW_GW_PID=$!
	sleep 0.3
	if ! kill -0 "$BW_GW_PID" 2>/dev/null; then
		wait "$BW_GW_PID" 2>/dev/null
		BW_GW_PID=
		return 1
	fi
	if [ "$backend" = afxdp ]; then
		napi=
		[ "$offload" = on ] && napi=${BW_FAST_NAPI-fifo}
		bench_napi_pin lan0 $napi
		bench_napi_pin wan0 $napi
	fi
	if [ "$workers" -gt 1 ]; then
		# The threads start once the links are up: wait for them (2 s at most).
		for t in $(seq 20); do
			grep -qs '^pg-worker' /proc/"$BW_GW_PID"/task/*/comm && break
			sleep 0.1
		done
		for t in /proc/"$BW_GW_PID"/task/*; do
			case $(cat "$t/comm" 2>/dev/null) in
			pg-worker*) taskset -pc "$BW_GEN_CPU" "${t##*/}" >/dev/null ;;
			esac
		done
	fi
	return 0
}

# With an XDP program on a veth, its receive NAPI (the XDP program and the
# AF_XDP copy) runs on the sender's CPU, the generator's. Threaded NAPI turns
# it into a kernel thread that can be pinned to the router core, as RPS does
# for the kernel path; it gets the daemon's priority. The thread is found as the napi/IF-* thread that
# appeared when threading was turned on (names repeat across namespaces).
#
# With "fifo" (xdp-ceiling) the threads run SCHED_FIFO instead: all of that
# gateway's work is kernel receive work, which Linux NAT gets in softirq
# context ahead of every program; a thread at nice -10 on a shared core
# waits for other programs' time slices and the veth's 256-frame XDP ring
# overflows (measured: 3-7% lost at 100 kpps on the loaded machine, 0 with
# SCHED_FIFO). So do the threads of a -fast gateway (the XDP fast path):
# the established flows' forwarding is that program's, kernel receive work
# again, which a NIC runs in softirq ahead of the daemon; the daemon keeps
# the slow path in what the kernel leaves to programs (at least 5%:
# sched_rt_runtime_us). BW_FAST_NAPI= (empty) gives them nice -10 instead,
# for comparison. Plain afxdp keeps nice -10, the daemon's, as before: a FIFO
# thread at full load would starve the daemon it feeds. In the shared
# placement the threads keep the kernel's default (nice 0).
bench_napi_pin() { # IF [fifo]
	local before after p
	# Off first: once the XDP program that gave the veth its NAPI is gone,
	# turning threading off fails and the flag stays on, so the next
	# program's threads would start at once, already in the list below.
	ip netns exec "$BW_R" sh -c "echo 0 > /sys/class/net/$1/threaded" 2>/dev/null
	before=$(ps -eo pid=,comm= | awk -v p="napi/$1-" 'index($2, p) == 1 { print $1 }')
	ip netns exec "$BW_R" sh -c "echo 1 > /sys/class/net/$1/threaded" || return 0
	sleep 0.1
	after=$(ps -eo pid=,comm= | awk -v p="napi/$1-" 'index($2, p) == 1 { print $1 }')
	for p in $after; do
		case " $before " in *" $p "*) continue ;; esac
		taskset -pc "$BW_RTR_CPU" "$p" >/dev/null
		if [ "${2:-}" = fifo ]; then
			chrt -f -p 50 "$p"
		elif [ "$BW_PLACEMENT" = shared ]; then
			: # the kernel's default priority, as on a router nobody tuned
		else
			renice -n "$BW_RTR_NICE" -p "$p" >/dev/null
		fi
	done
}

bench_gw_stop() {
	bench_reap "$BW_GW_PID"
	BW_GW_PID=
	bench_napi_unpin
}

bench_napi_unpin() {
	[ -n "$BW_R" ] && ip netns exec "$BW_R" sh -c \
		"echo 0 > /sys/class/net/lan0/threaded; echo 0 > /sys/class/net/wan0/threaded" 2>/dev/null
	return 0
}

# --- iperf3 TCP through the router -------------------------------------------
# The generator talks TCP to an iperf3 server in the sink through the router:
# a route via the router's LAN address, checksums filled in by the sender
# (tx offload off: AF_XDP and AF_PACKET forward frames as they are, and a
# partial checksum left for a NIC that is not there would arrive wrong).
# bench_hosts_tcp: the hosts ready for TCP of their own kernels through the
# router (the TCP and latency cases, pptp_250's control connections): the
# LAN host's default route via the router's LAN address, and both writing
# their own checksums: passgated forwards what it receives, and a veth
# would hand it a checksum left to the hardware.
bench_hosts_tcp() {
	ip -n "$BW_G" route replace default via 10.0.0.1 || return 1
	ip netns exec "$BW_G" ethtool -K eth0 tx off tso off gso off >/dev/null 2>&1
	ip netns exec "$BW_S" ethtool -K eth0 tx off tso off gso off >/dev/null 2>&1
}

bench_tcp_prepare() {
	bench_hosts_tcp || return 1
	ip netns exec "$BW_S" iperf3 -s -B 198.51.100.1 >"$BW_LOG_DIR/iperf3-server.log" 2>&1 &
	BW_IPERF_PID=$!
	sleep 0.3
	kill -0 "$BW_IPERF_PID" 2>/dev/null
}

bench_tcp_finish() {
	bench_reap "${BW_IPERF_PID:-}"
	BW_IPERF_PID=
	ip -n "$BW_G" route del default 2>/dev/null
	return 0
}

# bench_tcp_run SECONDS [STREAMS]: one iperf3 client on the generator core,
# with STREAMS (1) parallel streams; prints the receiver's bits per second,
# or nothing when the transfer failed.
bench_tcp_run() {
	ip netns exec "$BW_G" taskset -c "$BW_GEN_CPU" iperf3 -c 198.51.100.1 -t "$1" -P "${2:-1}" -J \
		>"$BW_LOG_DIR/iperf3-client.json" 2>&1 || return 1
	python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' \
		"$BW_LOG_DIR/iperf3-client.json" 2>/dev/null
}
