# SPDX-License-Identifier: MIT
# tests/e2e/lib/world.sh - builds and destroys the namespaces of one test
# world (the topology is drawn at the top of tests/e2e/run). Sourced.
#
# The world is the same for every gateway: only what runs in pggw-S differs
# (lib/gateway-*.sh). Links inside the run's namespaces have short fixed names
# (eth0, lan0, ...): they are invisible outside those namespaces, whose names
# carry the run's suffix.

LAN_NET=192.168.1.0/24
LAN_GW=192.168.1.1
LAN_IP=(192.168.1.10 192.168.1.11 192.168.1.12)
WAN_PUB=198.51.100.2
WAN_NEXTHOP=198.51.100.1
SRV1_IP=203.0.113.10		# the servers every scenario talks to
SRV2_IP=203.0.113.20		# a stranger: sends unsolicited traffic

# world_names - set the namespace names from $SFX.
world_names() {
	NS_LAN=("pglan1-$SFX" "pglan2-$SFX" "pglan3-$SFX")
	NS_SW=pgsw-$SFX
	NS_GW=pggw-$SFX
	NS_INET=pginet-$SFX
	NS_SRV1=pgsrv1-$SFX
	NS_SRV2=pgsrv2-$SFX
	NS_ALL=("${NS_LAN[@]}" "$NS_SW" "$NS_GW" "$NS_INET" "$NS_SRV1" "$NS_SRV2")
}

# host_offload_off NS IF - a test host's veth must hand over finished
# frames: with TSO/GSO/tx-checksum on, veth passes 64 KB super-frames with
# partial checksums, which a userspace gateway reading AF_PACKET would see
# as they are. Done in both gateway modes so the world is the same.
host_offload_off() {
	nsx "$1" ethtool -K "$2" tso off gso off tx off >/dev/null 2>&1 ||
		echo "ethtool -K $2 in $1 failed" >>"$RUN_DIR/harness.log"
}

# gw_peer_gro_on NS IF - GRO on the far end of a gateway link. A veth
# delivers a frame an XDP program redirected into it only while its peer
# runs NAPI (GRO on or an XDP program), and the kernel says so in the
# link's xdp_features, which passgated's [datapath] offload = auto reads at
# start (docs/CONFIG.md "The XDP fast path"). Both gateways get the same
# world: for the Linux gateway it means the switch and the internet router
# merge TCP segments they receive from it (GRO), as a real host's NIC would.
gw_peer_gro_on() {
	nsx "$1" ethtool -K "$2" gro on >/dev/null 2>&1 ||
		echo "ethtool -K $2 gro on in $1 failed" >>"$RUN_DIR/harness.log"
}

# world_up - create every namespace, link, address and route. Returns 1 with
# a message on stderr when the kernel refuses something.
world_up() {
	local ns i
	world_names
	for ns in "${NS_ALL[@]}"; do
		ip netns add "$ns" || { echo "cannot create namespace $ns" >&2; return 1; }
		# IPv6 off before any link exists: no router solicitations or DAD
		# noise in captures, and no IPv6 through an IPv4 gateway.
		nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null
		ip -n "$ns" link set lo up
	done

	# The LAN switch: a kernel bridge in its own namespace, so LAN hosts
	# reach each other and the gateway exactly as on a real segment.
	ip -n "$NS_SW" link add br0 type bridge || return 1
	for i in 0 1 2; do
		ns=${NS_LAN[$i]}
		ip -n "$ns" link add eth0 type veth peer name "h$((i + 1))" netns "$NS_SW" || return 1
		ip -n "$NS_SW" link set "h$((i + 1))" master br0
		ip -n "$ns" addr add "${LAN_IP[$i]}/24" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" route add default via "$LAN_GW"
		host_offload_off "$ns" eth0
		host_offload_off "$NS_SW" "h$((i + 1))"
	done
	ip -n "$NS_SW" link add gw type veth peer name lan0 netns "$NS_GW" || return 1
	ip -n "$NS_SW" link set gw master br0
	host_offload_off "$NS_SW" gw
	gw_peer_gro_on "$NS_SW" gw
	for i in 1 2 3; do ip -n "$NS_SW" link set "h$i" up; done
	ip -n "$NS_SW" link set gw up
	ip -n "$NS_SW" link set br0 up

	# The gateway's WAN link goes to the internet router.
	ip -n "$NS_GW" link add wan0 type veth peer name eth0 netns "$NS_INET" || return 1
	ip -n "$NS_INET" addr add "$WAN_NEXTHOP/24" dev eth0
	ip -n "$NS_INET" link set eth0 up
	host_offload_off "$NS_INET" eth0
	gw_peer_gro_on "$NS_INET" eth0

	# The internet router: forwards between the gateway's link and the
	# servers' segment, and has NO route to 192.168.1.0/24: a reply reaches
	# a LAN host only if the gateway translated the request.
	ip -n "$NS_INET" link add br0 type bridge || return 1
	ip -n "$NS_INET" addr add 203.0.113.1/24 dev br0
	for i in 1 2; do
		ns=$NS_SRV1
		((i == 2)) && ns=$NS_SRV2
		ip -n "$NS_INET" link add "s$i" type veth peer name eth0 netns "$ns" || return 1
		ip -n "$NS_INET" link set "s$i" master br0
		ip -n "$NS_INET" link set "s$i" up
		host_offload_off "$NS_INET" "s$i"
		ip -n "$ns" addr add "203.0.113.$((i * 10))/24" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" route add default via 203.0.113.1
		host_offload_off "$ns" eth0
	done
	ip -n "$NS_INET" link set br0 up
	nsx "$NS_INET" sysctl -qw net.ipv4.ip_forward=1 >/dev/null

	# The gateway's links come up bare; the gateway role configures them.
	ip -n "$NS_GW" link set lan0 up
	ip -n "$NS_GW" link set wan0 up
	return 0
}

# world_down - delete this run's namespaces (their links go with them).
world_down() {
	local ns
	for ns in $(our_ns); do
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# proc_start PID - the kernel's start time of PID (clock ticks since boot),
# so that a recorded owner is not mistaken for a later process with its PID.
proc_start() {
	awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null
}

# world_owner_write - record this run's shell as the owner of its world
# (RUN_DIR/owner: "PID START"), for world_reap_dead in later runs.
world_owner_write() {
	echo "$$ $(proc_start $$)" >"$RUN_DIR/owner"
}

# world_run_dead DIR - true when the run of run directory DIR is gone: its
# owner process no longer exists (or is another process now); a directory
# without an owner file (a harness before it had one) counts as dead when
# nothing in it changed for 30 minutes.
world_run_dead() {
	local pid start
	if [[ -f $1/owner ]]; then
		read -r pid start <"$1/owner"
		[[ -n $pid && $(proc_start "$pid") == "$start" ]] && return 1
		return 0
	fi
	[[ -z $(find "$1" -newermt '-30 minutes' -print -quit 2>/dev/null) ]]
}

# world_reap_dead - delete the namespaces of runs that died without their
# cleanup (SIGKILL, a machine's session ended: no trap runs then). A world
# is ours to delete when its run directory /tmp/pge2e-SFX.* exists and its
# run is dead. The processes that run started (its spawned.pids, by PID and
# start time) outlived it in those namespaces: they are stopped first. A
# namespace that still holds a process after that is left alone (nothing
# says a run of ours started it) and said so.
world_reap_dead() {
	local sfx dir ns busy
	for sfx in $(ip netns list 2>/dev/null | sed -n 's/^pg[a-z0-9]*-\([0-9a-f]\{5\}\)\b.*/\1/p' | sort -u); do
		[[ $sfx == "${SFX:-}" ]] && continue
		dir=$(compgen -G "/tmp/pge2e-$sfx.*" | head -n 1)
		[[ -n $dir ]] && world_run_dead "$dir" || continue
		stop_recorded "$dir/spawned.pids"
		busy=
		for ns in $(SFX=$sfx our_ns); do
			[[ -n $(ip netns pids "$ns" 2>/dev/null) ]] && busy+=" $ns"
		done
		if [[ -n $busy ]]; then
			echo "note: namespaces of dead run $sfx still hold processes ($busy ); left alone" >&2
			continue
		fi
		for ns in $(SFX=$sfx our_ns); do
			ip netns del "$ns" 2>/dev/null
		done
		echo "reaped the namespaces of dead run $sfx ($dir)" >>"$RUN_DIR/harness.log"
	done
}
