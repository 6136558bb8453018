# SPDX-License-Identifier: MIT
# tests/e2e/lib/hasync.sh - a primary and a standby passgated joined by a
# sync link (docs/HA.md), for the ha-sync, ha-sync-auth and ha-failover
# scenarios: the standby's namespace, the [sync] sections, status and flows
# as each side lists them (the VPN sessions through the primary:
# lib/sessions.sh, sourced here); for
# ha-failover and ha-rejoin, keepalived in each box and the measures of
# the outage (hf_*). Sourced.
#
# The standby runs in pgsb-SFX with links that lead nowhere (it follows, it
# does not forward), or with HS_WIRED=1 on the same LAN and WAN segments as
# the gateway, joined to it by the veth pair sync0 10.99.0.1 (gateway) <->
# 10.99.0.2 (standby), UDP port HS_PORT: the sync channel's own link.
# keepalived's VRRP runs on the LAN (docs/HA.md "VRRP on the LAN"): each
# box's keepalived advertises to 224.0.0.18 on its host path's LAN device
# (HF_VRRP_DEV), from an own LAN address of its box (HF_VRRP_A, HF_VRRP_B;
# the gateway's 192.168.1.1 is both boxes'), through its passgated.

source "$E2E_DIR/lib/sessions.sh"

HS_PORT=7979
NS_SB=
HS_SB_PID=
# Per scenario (this file is sourced again with each one): the standby on
# the real LAN and WAN segments, extra lines for its configuration, a
# command between the primary's start and the standby's.
HS_WIRED=0
HS_SB_EXTRA=
HS_BEFORE_STANDBY=
HF_KA_PIDS=()
declare -A HF_KA_PID=()
HF_KA_EXTRA=
HF_VRRP_DEV=pgh-lan0 # the host path's LAN device (default name for lan0)
HF_VRRP_A=192.168.1.2
HF_VRRP_B=192.168.1.3
HF_TAIL_OK=10 # the last pings of each tunnel that must be answered (all but one)

# hs_cleanup - the standby, its namespace and the gateway's end of the link.
hs_cleanup() {
	[[ -n ${HS_SB_PID:-} ]] && stop_pid "$HS_SB_PID"
	ip -n "$NS_GW" link del sync0 2>/dev/null
	ip netns del "$NS_SB" 2>/dev/null
	hs_standby_unwire
	return 0
}

# hs_pair_start - a fresh key, the standby's world, the gateway restarted
# as primary (the harness's configuration plus [sync]; one worker: [sync]
# streams one engine in this version), then the standby, synced. Set
# HS_BEFORE_STANDBY to a command to run between the two (a capture).
hs_pair_start() {
	openssl rand -hex 32 >"$SCN_DIR/sync.key" && chmod 600 "$SCN_DIR/sync.key" ||
		{ fail "openssl rand failed"; return 1; }
	hs_standby_world || return 1
	{ sed 's/^workers = .*/workers = 1/' "$RUN_DIR/passgated.conf"
	  hs_sync_conf primary 10.99.0.1 10.99.0.2; } >"$SCN_DIR/primary.conf"
	gateway_restart_with "$SCN_DIR/primary.conf" ||
		{ fail "passgated with [sync] role = primary did not start"; return 1; }
	if [[ -n ${HS_BEFORE_STANDBY:-} ]]; then
		$HS_BEFORE_STANDBY || return 1
	fi
	hs_standby_start
}

# hs_sync_conf ROLE ME PEER - a [sync] section.
hs_sync_conf() {
	printf '\n[sync]\nrole = %s\nlisten = %s:%d\npeer = %s:%d\nkey_file = %s\n' \
		"$1" "$2" "$HS_PORT" "$3" "$HS_PORT" "$SCN_DIR/sync.key"
}

# hs_standby_world - the standby's namespace: links that lead nowhere (so it
# answers nobody on the LAN or WAN), or HS_WIRED=1 the real segments, and
# the sync link to the gateway.
hs_standby_world() {
	local ifc
	ip netns add "$NS_SB" || { fail "cannot create $NS_SB"; return 1; }
	nsx "$NS_SB" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$NS_SB" link set lo up
	if [[ ${HS_WIRED:-0} == 1 ]]; then
		hs_standby_wire || return 1
	else
		for ifc in lan0 wan0; do
			ip -n "$NS_SB" link add "$ifc" type veth peer name "${ifc}p" &&
				ip -n "$NS_SB" link set "$ifc" up && ip -n "$NS_SB" link set "${ifc}p" up ||
				{ fail "standby link $ifc"; return 1; }
		done
	fi
	for ifc in lan0 wan0; do
		nsx "$NS_SB" ethtool -K "$ifc" gro off >/dev/null 2>&1
	done
	ip -n "$NS_GW" link add sync0 type veth peer name sync0 netns "$NS_SB" &&
		ip -n "$NS_GW" addr add 10.99.0.1/24 dev sync0 && ip -n "$NS_GW" link set sync0 up &&
		ip -n "$NS_SB" addr add 10.99.0.2/24 dev sync0 && ip -n "$NS_SB" link set sync0 up ||
		{ fail "the sync link"; return 1; }
}

# hs_standby_start - passgated in the standby namespace: the gateway's own
# [lan], [wan] and the rest, its own control socket, [sync] role = standby.
hs_standby_start() {
	HS_SB_SOCK=$SCN_DIR/sb/passgated.sock
	mkdir -p "$SCN_DIR/sb"
	sed -e "s|^socket = .*|socket = $HS_SB_SOCK|" -e 's/^workers = .*/workers = 1/' \
		"$RUN_DIR/passgated.conf" >"$SCN_DIR/standby.conf"
	hs_sync_conf standby 10.99.0.2 10.99.0.1 >>"$SCN_DIR/standby.conf"
	[[ -n ${HS_SB_EXTRA:-} ]] && printf '%s\n' "$HS_SB_EXTRA" >>"$SCN_DIR/standby.conf"
	spawn passgated-standby "$NS_SB" "$PASSGATED" -c "$SCN_DIR/standby.conf" -r "$SCN_DIR/sb" -s "$SCN_DIR/sb"
	HS_SB_PID=$LAST_PID
	wait_until 15 test -S "$HS_SB_SOCK" ||
		{ fail "the standby passgated did not start: $(tail -n 2 "$SCN_DIR/passgated-standby.log")"; return 1; }
	wait_until 10 hs_synced ||
		{ fail "the standby never synced: $(hs_status "$HS_SB_SOCK" 'd["sync"]')"; return 1; }
}

# hs_standby_wire - HS_WIRED=1: the standby's lan0 on the LAN switch (port
# gwb of br0) and its wan0 on the WAN segment, which becomes a bridge (brw in
# the internet router's namespace, taking the router's 198.51.100.1 from its
# eth0, which joins it with the gateway's wan0). Undone by hs_standby_unwire.
hs_standby_wire() {
	ip -n "$NS_SW" link add gwb type veth peer name lan0 netns "$NS_SB" &&
		ip -n "$NS_SW" link set gwb master br0 && ip -n "$NS_SW" link set gwb up &&
		ip -n "$NS_SB" link set lan0 up || { fail "standby LAN link"; return 1; }
	host_offload_off "$NS_SW" gwb
	gw_peer_gro_on "$NS_SW" gwb
	ip -n "$NS_INET" link add brw type bridge &&
		ip -n "$NS_INET" addr del "$WAN_NEXTHOP/24" dev eth0 &&
		ip -n "$NS_INET" link set eth0 master brw &&
		ip -n "$NS_INET" addr add "$WAN_NEXTHOP/24" dev brw &&
		ip -n "$NS_INET" link set brw up || { fail "WAN bridge"; return 1; }
	ip -n "$NS_INET" link add wb type veth peer name wan0 netns "$NS_SB" &&
		ip -n "$NS_INET" link set wb master brw && ip -n "$NS_INET" link set wb up &&
		ip -n "$NS_SB" link set wan0 up || { fail "standby WAN link"; return 1; }
	host_offload_off "$NS_INET" wb
	gw_peer_gro_on "$NS_INET" wb
}

hs_standby_unwire() {
	ip -n "$NS_SW" link del gwb 2>/dev/null
	ip -n "$NS_INET" link del wb 2>/dev/null
	if ip -n "$NS_INET" link show brw >/dev/null 2>&1; then
		ip -n "$NS_INET" link del brw
		ip -n "$NS_INET" addr add "$WAN_NEXTHOP/24" dev eth0 2>/dev/null
		ip -n "$NS_INET" link set eth0 up
	fi
	return 0
}

hs_synced() {
	[[ $(hs_status "$HS_SB_SOCK" 'd["sync"]["synced"]') == True ]]
}

# hs_status SOCK EXPR - GET /api/v1/status on SOCK, EXPR evaluated on it (as d).
hs_status() {
	curl -sf --max-time 5 --unix-socket "$1" http://localhost/api/v1/status |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"
}

hs_refused_at_least() {
	local n
	n=$(hs_status "$HS_SB_SOCK" "d['sync']['refused']['$1']")
	[[ -n $n ]] && ((n >= $2))
}

# hs_flows SOCK - the flows to srv1's OpenVPN and WireGuard ports.
hs_flows() {
	curl -sf --max-time 10 --unix-socket "$1" 'http://localhost/api/v1/flows?limit=1000' |
		python3 -c '
import json, sys
for f in json.load(sys.stdin)["flows"]:
    if (f["proto"], f["remote"], str(f["remote_port"])) in (
            ("tcp", sys.argv[1], sys.argv[2]), ("udp", sys.argv[1], sys.argv[3])):
        print(f["proto"], "%s:%d" % (f["lan"], f["lan_port"]),
              "%s:%d" % (f["remote"], f["remote_port"]), f["public_port"])
' "$SRV1_IP" "$OVPN_PORT" "$SS_WG_PORT" | sort
}

hs_same_flows() {
	local p s
	p=$(hs_flows "$PG_SOCK")
	s=$(hs_flows "$HS_SB_SOCK")
	[[ -n $p && $p == "$s" && $(wc -l <<<"$p") -ge 2 ]]
}

# ---- keepalived and the outage (ha-failover, ha-rejoin) ----

# hf_cleanup - keepalived, the standby, the hosts' ARP caches; the harness's
# gateway back if it was killed.
hf_cleanup() {
	local p
	for p in "${HF_KA_PIDS[@]}"; do stop_pid "$p"; done
	HF_KA_PIDS=()
	HF_KA_PID=()
	hs_cleanup
	# The hosts and the router learnt B's MAC for the gateway's addresses.
	for p in "${NS_LAN[@]}" "$NS_INET"; do ip -n "$p" neigh flush all 2>/dev/null; done
	# A was killed: the harness's gateway again (the next scenario expects one).
	gateway_alive || gateway_restart_with "$RUN_DIR/passgated.conf" ||
		echo "$SCN_NAME: passgated did not come back" >>"$RUN_DIR/harness.log"
}

# hf_pair_up - the pair (hs_pair_start), then keepalived in A (priority 150)
# and B (100): A master, B backup.
hf_pair_up() {
	hs_pair_start || return
	hf_keepalived A "$NS_GW" "$HF_VRRP_A" 150 "$PG_SOCK" || return
	wait_until 10 hf_role "$PG_SOCK" master ||
		{ fail "A did not become master: $(hf_role_of "$PG_SOCK"); $(tail -n 3 "$SCN_DIR/keepalived-A.log" | tr '\n' ' ')"; return; }
	hf_keepalived B "$NS_SB" "$HF_VRRP_B" 100 "$HS_SB_SOCK" || return
	wait_until 10 hf_role "$HS_SB_SOCK" backup ||
		{ fail "B did not settle as backup: $(hf_role_of "$HS_SB_SOCK")"; return; }
	# B's arrival must not take the role from A: A's keepalived never went
	# back to BACKUP. A health check that timed out on a loaded machine
	# (FAULT, MASTER again at the next check a second later) is another
	# matter, noted; A must be master again within the next check.
	local after
	after=$(sed -n '/Entering MASTER STATE/,$p' "$SCN_DIR/keepalived-A.log" | grep 'Entering\|Script' | tail -n +2)
	! grep -q 'Entering BACKUP STATE' <<<"$after" ||
		{ fail "A left the master role once B ran: $(tr '\n' ' ' <<<"$after")"; return; }
	[[ -z $after ]] || note "A's keepalived while B started: $(tr '\n' ' ' <<<"$after")"
	wait_until 3 hf_role "$PG_SOCK" master ||
		{ fail "A is no longer master once B runs: $(hf_role_of "$PG_SOCK"); $(tr '\n' ' ' <<<"$after")"; return; }
}

# hf_keepalived NAME NS ADDR PRIORITY SOCK - keepalived in NS, VRRP on the
# LAN: multicast adverts on the host path's LAN device, from ADDR, this box's
# own LAN address (keepalived puts it on the device: static_ipaddress), so
# they go in and out through the passgated behind SOCK, which it drives;
# HF_KA_EXTRA: more lines for the vrrp_instance (ha-rejoin's
# preempt_delay). Its pid in HF_KA_PIDS and HF_KA_PID[NAME]. The device
# lives as long as its passgated: keepalived goes with it (hf_ka_stop).
hf_keepalived() {
	local name=$1 ns=$2 me=$3 prio=$4 sock=$5 conf=$SCN_DIR/keepalived-$1.conf
	local ctl="$REPO/build/passgatectl --socket $sock"
	# keepalived refuses to start without its interface (passgated makes it
	# after its control socket: a restarted box's).
	wait_until 10 ip -n "$ns" link show "$HF_VRRP_DEV" >/dev/null 2>&1 ||
		{ fail "box $name has no $HF_VRRP_DEV (the host path's LAN device)"; return 1; }
	cat >"$conf" <<-EOF
		global_defs {
		    router_id pg-$name
		    vrrp_version 3
		    script_user root
		}
		static_ipaddress {
		    $me/24 dev $HF_VRRP_DEV
		}
		vrrp_script chk_passgated {
		    script "$ctl ha"
		    interval 1
		    timeout 1
		    fall 1
		    rise 1
		    weight 0
		}
		vrrp_instance gw {
		    state BACKUP
		    interface $HF_VRRP_DEV
		    mcast_src_ip $me
		    virtual_router_id 42
		    priority $prio
		    advert_int 0.2
		    # keepalived wants one: an address of the sync link that moves
		    # with the master (the gateway's addresses are passgated's).
		    virtual_ipaddress {
		        10.99.0.254/32 dev sync0
		    }
		    track_interface {
		        lan0
		        wan0
		    }
		    track_script {
		        chk_passgated
		    }
		    notify_master "$ctl ha master"
		    notify_backup "$ctl ha backup"
		    notify_fault "$ctl ha fault"
		    ${HF_KA_EXTRA:-}
		}
	EOF
	spawn "keepalived-$name" "$ns" keepalived -n -l -D -P -f "$conf" \
		-p "$SCN_DIR/keepalived-$name.pid" -r "$SCN_DIR/keepalived-$name-vrrp.pid"
	HF_KA_PIDS+=("$LAST_PID")
	HF_KA_PID[$name]=$LAST_PID
	sleep 0.3
	alive "$LAST_PID" || { fail "keepalived $name did not start: $(tail -n 3 "$SCN_DIR/keepalived-$name.log" | tr '\n' ' ')"; return 1; }
}

# hf_ka_stop NAME - stop that box's keepalived (as a unit bound to
# passgated's goes with it: its LAN device is gone).
hf_ka_stop() {
	local p=${HF_KA_PID[$1]:-} w keep=()
	[[ -n $p ]] || return 0
	stop_pid "$p"
	for w in "${HF_KA_PIDS[@]}"; do
		[[ $w == "$p" ]] || keep+=("$w")
	done
	HF_KA_PIDS=("${keep[@]}")
	unset "HF_KA_PID[$1]"
}

hf_role_of() {
	curl -sf --max-time 3 --unix-socket "$1" http://localhost/api/v1/ha |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["role"])' 2>/dev/null
}

hf_role() {
	[[ $(hf_role_of "$1") == "$2" ]]
}

# hf_kill_a - SIGKILL A's passgated (no state written, nothing said) and
# forget it, as the harness's restart scenarios do.
hf_kill_a() {
	local pid=$PG_PID w keep=()
	kill -KILL "$pid" || { fail "cannot kill passgated A"; return 1; }
	wait "$pid" 2>/dev/null
	for w in "${WORLD_PIDS[@]}"; do
		[[ $w == "$pid" ]] || keep+=("$w")
	done
	WORLD_PIDS=("${keep[@]}")
	PG_PID=
	PG_STATUS=
}

# hs_both_phases CONTEXT WHAT1 WHAT2 T_SPLIT MAX_MS BEFORE - the checks after
# a handover and the return to A (ha-rejoin, ha-links-down): A holds every
# flow it held before (flows-A.txt), the WireGuard server sees the client
# where it did (BEFORE), OpenVPN never re-initialised, and in each tunnel
# the last pings are answered and the longest gap before and after T_SPLIT
# (ms) is at most MAX_MS. CONTEXT ends the messages ("after the failback");
# WHAT1 and WHAT2 name the two events. Sets HS_GAP1[ovpn|wg],
# HS_GAP2[ovpn|wg] and HS_WG_AFTER.
declare -gA HS_GAP1 HS_GAP2
HS_WG_AFTER=
hs_both_phases() {
	local context=$1 what1=$2 what2=$3 split=$4 max=$5 before=$6 missing i tx rx log
	missing=$(comm -23 "$SCN_DIR/flows-A.txt" <(hs_flows "$PG_SOCK"))
	[[ -z $missing ]] || { fail "flows gone or remapped on A $context: ${missing//$'\n'/; }"; return 1; }
	HS_WG_AFTER=$(ss_wg_endpoint)
	[[ -n $before && $before == "$HS_WG_AFTER" ]] ||
		{ fail "the WireGuard server sees the client at '$HS_WG_AFTER', before '$before'"; return 1; }
	ovpn_session_kept "$SCN_DIR/openvpn-lan1.log" || return 1
	for i in ovpn wg; do
		log=$SCN_DIR/tunnel-ping-$i.log
		read -r tx rx < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$log")
		[[ -n $tx && -n $rx ]] || { fail "$i: no ping summary"; return 1; }
		ping_tail_answered "$log" "$tx" "$HF_TAIL_OK" ||
			{ fail "$i: pings inside the tunnel not answered again $context ($rx/$tx)"; return 1; }
		HS_GAP1[$i]=$(ping_max_gap "$log" 0 "$split")
		HS_GAP2[$i]=$(ping_max_gap "$log" "$split" 9999999999)
		note "$i: outage at $what1 ${HS_GAP1[$i]} ms, at $what2 ${HS_GAP2[$i]} ms; pings $rx/$tx"
		((HS_GAP1[$i] <= max && HS_GAP2[$i] <= max)) ||
			{ fail "$i: outage too long: $what1 ${HS_GAP1[$i]} ms, $what2 ${HS_GAP2[$i]} ms (at most $max)"; return 1; }
	done
}
