# SPDX-License-Identifier: MIT
# tests/e2e/lib/harness.sh - the life cycle shared by tests/e2e/run and
# tests/e2e/demo: make a run directory and suffix, build the world, start the
# gateway, run scenarios one after the other in this shell (so every process
# stays our child), tear everything down on any exit. Sourced.

E2E_DIR=${E2E_DIR:?}
REPO=$(cd "$E2E_DIR/../.." && pwd)
ALL_SCENARIOS=(ping tcp udp ttl icmp-errors fragments pmtu openvpn-udp openvpn-tcp wireguard
	tls443 ipsec pptp l2tp unsolicited esp-raw port-forward dmz mss-clamp
	pptp-multi pptp-off pptp-slipstream ipsec-multi ikev1 ike-port500 l2tp-multi l2tp-port-change
	ipsec-off fragments-ike fragments-inject
	probe-passgate probe-linux probe-mtu probe-double-nat probe-ike esp-raw-multi)
# One line per piece of work, so lists grow without touching each other.
ALL_SCENARIOS+=(hairpin-tcp hairpin-udp fwd-pptp fwd-esp fwd-openvpn fwd-wireguard fwd-ipsec fwd-conflict)	# inbound: forwards, DMZ, hairpinning
ALL_SCENARIOS+=()	# gateway's own services (host path)
ALL_SCENARIOS+=(ipv6-basic ipv6-pmtu ipv6-wireguard ipv6-openvpn ipv6-ipsec-off)	# IPv6 routed, RFC 6092 firewall (lib/ipv6.sh)
ALL_SCENARIOS+=(ipv6-vpn)	# issue 19: WireGuard, OpenVPN, raw ESP and IKEv2 over IPv6, two hosts at once
ALL_SCENARIOS+=(ipv6-firewall)	# IPv6: RFC 6092 and RFC 4890 4.3 in transit, pinholes ([forward] rule with an IPv6 host)
ALL_SCENARIOS+=(probe-ike6)	# issue 19: passgate-probe check --ike against strongSwan over IPv6, IPsec passthrough on and off
ALL_SCENARIOS+=(ipv6-pd)	# the LAN prefix by DHCPv6-PD from Kea, renewed, renumbered, a pinhole following it (Linux: dhcpcd + dnsmasq RAs)
ALL_SCENARIOS+=(esp-raw-reverse)	# conformance (issue 17): raw ESP answered oldest first
ALL_SCENARIOS+=(mtu-mismatch)	# conformance (issue 17): fragmentation, ICMP, other protocols
ALL_SCENARIOS+=(wan-dhcp wan-dhcp-restart wan-dhcp-lost wan-address-change)	# the WAN address from the ISP's DHCP server (Linux: udhcpc)
ALL_SCENARIOS+=(control-no-stall)	# the control plane never stalls packets (issue 26)
ALL_SCENARIOS+=(sqm-upload sqm-download sqm-fair latency-idle latency-load)	# the WAN shaper and latency (issue 25)
# Only with --gateway passgate: what passgated offers beyond forwarding.
PASSGATE_SCENARIOS=(api offload offload-vpn offload-ipv6)
PASSGATE_SCENARIOS+=(multiqueue)	# issue 21: links with two receive queues, one AF_XDP socket each, one and two workers
PASSGATE_SCENARIOS+=(reload-keeps-flows restart-keeps-flows ha-sync ha-sync-auth ha-failover capture web-toggle)	# control plane: reload, capture, web
PASSGATE_SCENARIOS+=(ha-rejoin ha-links-down)	# HA pair (issue 22): the killed master returns as standby, takes a bulk from the new master, then takes over again; the master's links down instead of a kill
PASSGATE_SCENARIOS+=(host-admin host-input-firewall router-vpn-server host-dhcp host-dns)	# gateway's own services (host path)
PASSGATE_SCENARIOS+=(privileges api-tls safe-change)	# installed like a router daemon: privilege drop, sd_notify, HTTPS, changes rolled back unless confirmed
PASSGATE_SCENARIOS+=(router-vpn-client router-vpn-killswitch router-vpn-dns)	# the router as a VPN client, kill switch (issue 23, lib/vpnclient.sh)
PASSGATE_SCENARIOS+=(web-flows web-graphs web-a11y web-settings web-wan web-restart)	# the admin page as the user's tool (issue 24): flows, graphs, capture, accessibility, settings on traffic, the WAN lease
PASSGATE_SCENARIOS+=(diagnose)	# the gateway probes a VPN server on every protocol (issue 24): passgatectl diagnose against srv1's real servers
PASSGATE_SCENARIOS+=(ipv6-dns)	# the gateway's resolver over IPv6 (host path), announced by RDNSS
PASSGATE_SCENARIOS+=(ipv6-admin)	# issue 19: the admin page, API and passgatectl over IPv6 on the LAN address, refused from the WAN; [::] for both families
PASSGATE_SCENARIOS+=(ipv6-hostpath)	# the gateway's own IPv6 on the WAN side: dnsmasq's IPv6 upstream, the host's ping/TCP out, [input] wan and its WireGuard server over IPv6, no host ND on the wire
PASSGATE_SCENARIOS+=(ipv6-hostpath-slaac)	# the same with the WAN address by SLAAC from radvd, moved when the ISP renumbers
# Run only when named (or with --extra): scenarios for behaviour passgated
# does not have yet. They must pass with the Linux gateway.
EXTRA_SCENARIOS=()

source "$E2E_DIR/lib/common.sh"
source "$E2E_DIR/lib/world.sh"
source "$E2E_DIR/lib/capture.sh"
source "$E2E_DIR/lib/pki.sh"
source "$E2E_DIR/lib/scenario-env.sh"

GATEWAY=
KEEP_LOGS=0
GW_CAPTURE=		# capture on the gateway's links: default on for passgate
NPASS=0
NFAIL=0
WORLD_ERR=
WORLD_IS_UP=0
CLEANED=0

# harness_init GATEWAY - pick a suffix no namespace uses yet, make the run
# directory, load the gateway role and arm the cleanup trap.
harness_init() {
	GATEWAY=$1
	case $GATEWAY in
	linux | passgate) ;;
	*)
		echo "unknown gateway '$GATEWAY' (linux or passgate)" >&2
		return 2
		;;
	esac
	[[ $(id -u) == 0 ]] || { echo "needs root (network namespaces)" >&2; return 2; }
	local _
	for _ in 1 2 3 4 5 6 7 8; do
		SFX=$(printf '%05x' $(((RANDOM << 5 ^ RANDOM ^ $$) & 0xfffff)))
		ip netns list 2>/dev/null | grep -q -- "-$SFX\\b" || break
	done
	RUN_DIR=$(mktemp -d "/tmp/pge2e-$SFX.XXXX") || return 2
	world_owner_write
	HARNESS_SUBSHELL=$BASH_SUBSHELL
	: >"$RUN_DIR/report.tsv"
	echo "run $SFX gateway=$GATEWAY started $(date -u +%FT%TZ)" >"$RUN_DIR/harness.log"
	# A run killed outright (SIGKILL) runs no trap: the next run tidies up.
	world_reap_dead
	source "$E2E_DIR/lib/gateway-$GATEWAY.sh"
	if [[ -z $GW_CAPTURE ]]; then
		GW_CAPTURE=0
		[[ $GATEWAY == passgate ]] && GW_CAPTURE=1
	fi
	world_names
	trap 'harness_interrupted; exit 130' INT
	trap 'harness_interrupted; exit 143' TERM
	trap 'harness_interrupted; exit 129' HUP
	trap 'harness_cleanup' EXIT
}

# harness_world - build the world and start the gateway. On failure
# WORLD_ERR says why; scenarios then fail with that reason, nothing is faked.
harness_world() {
	local err
	if [[ $GATEWAY == passgate ]] && ! err=$(gateway_check); then
		WORLD_ERR=$err
		return 1
	fi
	WORLD_IS_UP=1
	if ! err=$(world_up 2>&1); then
		WORLD_ERR="world setup failed: ${err:-see $RUN_DIR/harness.log}"
		return 1
	fi
	# gateway_up spawns the daemon: it must run in this shell, not in $(...).
	if ! gateway_up 2>"$RUN_DIR/gateway-up.err"; then
		WORLD_ERR="gateway did not come up: $(head -n 1 "$RUN_DIR/gateway-up.err")"
		cat "$RUN_DIR/gateway-up.err" >&2
		return 1
	fi
	return 0
}

# run_scenario NAME - run one scenario and print its PASS/FAIL line.
run_scenario() {
	local name=$1 t0=$EPOCHREALTIME rc ran=0
	SCN_NAME=$name
	SCN_DIR=$RUN_DIR/$name
	FAIL_REASON=
	mkdir -p "$SCN_DIR"
	if [[ ! -f $E2E_DIR/scenarios/$name.sh ]]; then
		FAIL_REASON="no such scenario"
	elif [[ -n $WORLD_ERR ]]; then
		FAIL_REASON=$WORLD_ERR
	elif [[ $GATEWAY == passgate ]] && ! gateway_alive; then
		FAIL_REASON="passgated is not running (it ended earlier: $PG_STATUS)"
	else
		echo "=== $name" >>"$RUN_DIR/harness.log"
		ran=1
		unset -f scenario
		scenario_env_reset
		source "$E2E_DIR/scenarios/$name.sh"
		rc=1
		# The gateway settings the scenario asks for (lib/scenario-env.sh).
		if gw_settings_apply; then
			gw_capture_start
			# Without nounset here: an unset variable in a scenario must fail
			# that scenario, not end the run before its summary line.
			set +u
			scenario
			rc=$?
			set -u
			gw_capture_stop
			stop_scenario_procs
		fi
		((rc != 0)) && [[ -z $FAIL_REASON ]] && FAIL_REASON="failed (status $rc)"
		((rc == 0)) && [[ -n $FAIL_REASON ]] && rc=1
		if [[ $GATEWAY == passgate ]] && ! gateway_alive; then
			FAIL_REASON="passgated ended during the scenario, $PG_STATUS${FAIL_REASON:+ ($FAIL_REASON)}"
		fi
	fi
	echo "--- $name $(elapsed_ms "$t0") ms ${FAIL_REASON:-ok}" >>"$RUN_DIR/harness.log"
	if [[ -z $FAIL_REASON ]]; then
		echo "PASS $name${PASS_NOTE:+ ($PASS_NOTE)}"
		NPASS=$((NPASS + 1))
	else
		echo "FAIL $name: $FAIL_REASON"
		NFAIL=$((NFAIL + 1))
		# Nothing to report from a scenario that failed before its first row.
		grep -q "^$name"$'\t' "$RUN_DIR/report.tsv" ||
			report "$name" "-" "-" "FAIL" "${FAIL_REASON:0:40}"
		if ((ran)); then
			gateway_diag >&2
			echo "  evidence: $SCN_DIR" >&2
		fi
	fi
	SCN_NAME=
}

# gw_capture_start - evidence for the daemon's authors: what entered and left
# the gateway on both links during a scenario. Bulk TCP payload is left out
# (only SYN/FIN/RST segments) and the count is capped so a throughput test
# cannot fill the disk; -p keeps the links out of promiscuous mode, which
# would change what the gateway under test receives.
gw_capture_start() {
	[[ ${GW_CAPTURE:-} == 1 ]] || return 0
	local f="not tcp or tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0"
	CAP_NOWAIT=1 capture_start gw-lan0 "$NS_GW" lan0 "$f" -p -c 20000
	CAP_NOWAIT=1 capture_start gw-wan0 "$NS_GW" wan0 "$f" -p -c 20000
	capture_ready gw-lan0
	capture_ready gw-wan0
	# A capture that did not start is no reason to fail the scenario.
	FAIL_REASON=
}

gw_capture_stop() {
	[[ ${GW_CAPTURE:-} == 1 ]] || return 0
	capture_stop gw-lan0 gw-wan0
}

# harness_interrupted - a signal cut the run short: say so, count what was
# cut as failed, keep the logs, tear down.
harness_interrupted() {
	if ((${KEEPING:-0})); then
		# The demo kept the world up until now: a signal is how it ends.
		echo "tearing down world $SFX" >&2
		harness_cleanup
		((NFAIL == 0)) && exit 0
		exit 1
	fi
	echo "interrupted${SCN_NAME:+ during $SCN_NAME}" >&2
	if [[ -n ${SCN_NAME:-} ]]; then
		echo "FAIL $SCN_NAME: interrupted"
		NFAIL=$((NFAIL + 1))
	fi
	echo "$NPASS passed, $NFAIL failed"
	harness_cleanup
}

# harness_cleanup - stop every process we started (scenario processes, then
# the gateway daemon, then anything left in our namespaces), reap them,
# delete the namespaces. Safe to call more than once.
harness_cleanup() {
	((CLEANED)) && return 0
	CLEANED=1
	trap - INT TERM HUP
	stop_scenario_procs 2>/dev/null
	stop_escaped 2>/dev/null
	if ((WORLD_IS_UP)); then
		gateway_down 2>/dev/null
		kill_ns_strays all 2>/dev/null
		local pid
		for pid in "${WORLD_PIDS[@]}"; do
			stop_pid "$pid"
		done
		world_down
	fi
	# Reap anything else we started (timeouts, captures) before leaving.
	wait 2>/dev/null
	if [[ -n $RUN_DIR && -d $RUN_DIR ]]; then
		if ((NFAIL == 0 && KEEP_LOGS == 0)); then
			rm -rf "$RUN_DIR"
		else
			show_logs
		fi
	fi
}

# show_logs - where this run's logs are kept (once; before the summary line
# when the run ends normally, so the summary stays the last line).
LOGS_SHOWN=0
show_logs() {
	((LOGS_SHOWN)) && return 0
	((NFAIL > 0 || KEEP_LOGS)) || return 0
	LOGS_SHOWN=1
	echo "logs: $RUN_DIR" >&2
}

# print_report - the passthrough table from the rows scenarios recorded.
print_report() {
	local fmt='%-12s %-22s %-27s %-6s %s\n'
	# shellcheck disable=SC2059
	printf "$fmt" PROTOCOL CLIENT SERVER RESULT "SERVER SAW"
	# shellcheck disable=SC2059
	printf "$fmt" ------------ ---------------------- --------------------------- ------ ----------------------
	while IFS=$'\t' read -r _scn proto client server result seen; do
		# shellcheck disable=SC2059
		printf "$fmt" "$proto" "$client" "$server" "$result" "$seen"
	done <"$RUN_DIR/report.tsv"
}
