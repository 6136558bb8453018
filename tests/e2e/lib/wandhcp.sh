# SPDX-License-Identifier: MIT
# tests/e2e/lib/wandhcp.sh - the ISP's DHCP server in the internet router's
# namespace, and passgated with [wan] address = dhcp, for the wan-* scenarios.
#
#   pggw-S                              pginet-S
#   passgated ── wan0 ── DHCP (no address until a lease) ── eth0 198.51.100.1
#                                                            dnsmasq or Kea:
#                                                            198.51.100.50-59

WANDHCP_LO=198.51.100.50
WANDHCP_HI=198.51.100.59
WANDHCP_RUN=		# passgated's run and state directory (its wan.lease) for the scenario
WANDHCP_SERVER_PID=	# the ISP's DHCP server
WANDHCP_EXTRA=		# more passgated configuration for the scenario
# The ISP's dnsmasq is its DNS server too, and alone knows this name.
WANDHCP_DNS_NAME=isp.example.test
WANDHCP_DNS_ADDR=198.51.100.99

# wandhcp_dnsmasq [LEASE [T1 [T2]]] - dnsmasq as the ISP's server on the
# internet router's eth0 (dnsmasq's shortest lease is 2 minutes; T1/T2 are
# sent as options 58/59 to renew sooner). Its log: SCN_DIR/isp-dhcp.log.
wandhcp_dnsmasq() {
	local lease=${1:-2m} t1=${2:-20} t2=${3:-35}
	spawn isp-dhcp "$NS_INET" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --interface=eth0 --bind-interfaces --user=root --pid-file \
		--log-queries --address="/$WANDHCP_DNS_NAME/$WANDHCP_DNS_ADDR" \
		--log-facility=- --log-dhcp --dhcp-authoritative \
		--dhcp-leasefile="$SCN_DIR/isp-dhcp.leases" \
		--dhcp-range="$WANDHCP_LO,$WANDHCP_HI,255.255.255.0,$lease" \
		--dhcp-option=option:router,"$WAN_NEXTHOP" \
		--dhcp-option=option:dns-server,"$WAN_NEXTHOP" \
		--dhcp-option=option:T1,"$t1" --dhcp-option=option:T2,"$t2"
	WANDHCP_SERVER_PID=$LAST_PID
	wait_listen "$NS_INET" udp 67 10 ||
		{ fail "the ISP's dnsmasq did not start: $(tail -n 1 "$SCN_DIR/isp-dhcp.log")"; return; }
}

# wandhcp_conf FILE - the harness's passgated config with [wan] address = dhcp.
wandhcp_conf() {
	sed -e "s|^address   = $WAN_PUB/24|address   = dhcp|" -e '/^gateway   = /d' \
		"$RUN_DIR/passgated.conf" >"$1"
	[[ -n $WANDHCP_EXTRA ]] && printf '\n%s\n' "$WANDHCP_EXTRA" >>"$1"
	grep -q '^address   = dhcp' "$1" || { fail "cannot write a DHCP WAN config"; return; }
}

# wandhcp_bound - true when the gateway holds a lease (passgated's API; the
# Linux gateway: an address on wan0).
wandhcp_bound() {
	if [[ $GATEWAY == linux ]]; then
		ip -n "$NS_GW" -4 -o addr show dev wan0 | grep -q inet
		return
	fi
	gateway_ctl --json wan 2>/dev/null | jq -e '.lease != null' >/dev/null
}

# wandhcp_field address|gateway - of the lease in use.
wandhcp_field() {
	if [[ $GATEWAY == linux ]]; then
		case $1 in
		address) ip -n "$NS_GW" -4 -o addr show dev wan0 | awk '{print $4}' | cut -d/ -f1 | head -n 1 ;;
		gateway) ip -n "$NS_GW" route show default | awk '{print $3}' | head -n 1 ;;
		esac
		return
	fi
	gateway_ctl --json wan 2>/dev/null | jq -r ".lease.$1 // empty"
}

# wandhcp_wait SECS CMD... - wait_until, giving up early if passgated ends.
wandhcp_wait() {
	if [[ $GATEWAY == passgate ]]; then
		wait_alive "$PG_PID" "$@"
	else
		wait_until "$@"
	fi
}

# wandhcp_renew - ask the server now: passgatectl wan renew. The Linux
# gateway's udhcpc is started again: busybox 1.35's udhcpc, told to renew
# (SIGUSR1) and NAKed, or told to release and renew (SIGUSR2, SIGUSR1),
# sends one DISCOVER, ignores the OFFER and waits without retrying (seen
# here, 40 s and more); that would measure the bug, not Linux NAT.
wandhcp_renew() {
	if [[ $GATEWAY == linux ]]; then
		stop_pid "$WANDHCP_CLIENT_PID"
		WANDHCP_CLIENT_PID=
		WANDHCP_CLIENT_LOG=wan-udhcpc-2 wandhcp_linux_client
		return
	fi
	gateway_ctl wan renew >/dev/null
}

# wandhcp_gateway [RUN] - passgated again with address = dhcp (run directory
# RUN, default SCN_DIR/gw-run, where wan.lease is kept); ready when a LAN
# host's ping is answered and a lease is bound (30 s).
wandhcp_gateway() {
	local conf=$SCN_DIR/passgated-wandhcp.conf
	if [[ $GATEWAY == linux ]]; then
		wandhcp_linux_client
		return
	fi
	WANDHCP_RUN=${1:-$SCN_DIR/gw-run}
	wandhcp_conf "$conf" || return
	GW_SETTINGS_APPLIED=unknown
	PG_RESTART_ARGS=(-r "$WANDHCP_RUN" -s "$WANDHCP_RUN")
	gateway_restart_with "$conf" 2>/dev/null ||
		{ fail "passgated with address = dhcp did not come up: $(tail -n 1 "$PG_LOG")"; return; }
	wait_alive "$PG_PID" 30 wandhcp_bound ||
		{ fail "no lease within 30 s: $(gateway_ctl wan 2>&1 | head -n 1)"; return; }
	note "gateway: $(grep -m 1 'WAN: address' "$PG_LOG")"
}

# wandhcp_in_range ADDR - is ADDR one the ISP's server hands out?
wandhcp_in_range() {
	local last=${1##*.}
	[[ ${1%.*} == "${WANDHCP_LO%.*}" ]] && ((last >= ${WANDHCP_LO##*.} && last <= ${WANDHCP_HI##*.}))
}

# wandhcp_tcp_seen NS PORT - a TCP echo from NS to srv1:PORT; WD_SEEN: the
# address:port the server saw. Not for $(...): it may start srv1's echo
# server, which must be spawned by the run's own shell.
wandhcp_tcp_seen() {
	local ns=$1 port=$2 log=$SCN_DIR/tcp-$2.log
	WD_SEEN=
	listening "$NS_SRV1" tcp "$port" || spawn "tcp-echo-$port" "$NS_SRV1" "$PY" "$E2E_DIR/lib/tcpecho.py" server "$port"
	wait_listen "$NS_SRV1" tcp "$port" || return 1
	tnsx 15 "$ns" "$PY" "$E2E_DIR/lib/tcpecho.py" client "$SRV1_IP" "$port" 20000 >"$log" 2>&1 || return 1
	WD_SEEN=$(awk '/^seen /{print $2}' "$log")
}

# wandhcp_kea [LEASE [T1 [T2]]] - ISC Kea as the ISP's server instead (any
# lease time: 30 s by default, T1 15 s, T2 26 s); its leases persist in
# SCN_DIR/kea-leases.csv, so a Kea started again knows them.
wandhcp_kea() {
	local lease=${1:-30} t1=${2:-15} t2=${3:-26} conf=$SCN_DIR/kea-dhcp4.conf
	cat >"$conf" <<-KEA
		{ "Dhcp4": {
		    "interfaces-config": { "interfaces": [ "eth0" ], "dhcp-socket-type": "raw" },
		    "lease-database": { "type": "memfile", "persist": true, "lfc-interval": 0,
		                        "name": "$SCN_DIR/kea-leases.csv" },
		    "valid-lifetime": $lease, "renew-timer": $t1, "rebind-timer": $t2,
		    "authoritative": true,
		    "subnet4": [ { "id": 1, "subnet": "198.51.100.0/24",
		        "pools": [ { "pool": "$WANDHCP_LO - $WANDHCP_HI" } ],
		        "option-data": [ { "name": "routers", "data": "$WAN_NEXTHOP" },
		                         { "name": "domain-name-servers", "data": "$WAN_NEXTHOP" } ] } ],
		    "loggers": [ { "name": "kea-dhcp4", "severity": "INFO",
		                   "output_options": [ { "output": "stdout" } ] } ]
		} }
	KEA
	# Its lock and PID files go with the scenario's, not to /run/kea.
	spawn isp-kea "$NS_INET" env KEA_LOCKFILE_DIR="$SCN_DIR" KEA_PIDFILE_DIR="$SCN_DIR" \
		kea-dhcp4 -c "$conf"
	WANDHCP_SERVER_PID=$LAST_PID
	wait_listen "$NS_INET" udp 67 10 ||
		{ fail "Kea did not start: $(tail -n 2 "$SCN_DIR/isp-kea.log" | head -n 1)"; return; }
}

# ---- the Linux gateway: busybox udhcpc on wan0 ------------------------------
#
# The reference for the comparison rows: Linux forwarding and masquerade
# (lib/gateway-linux.sh) with a real DHCP client. udhcpc's event script puts
# the lease on wan0 (address, default route); masquerade's conntrack entries
# on an address that goes away are flushed by the kernel. After the
# scenario, wandhcp_linux_restore puts the harness's static WAN back.

WANDHCP_CLIENT_PID=

wandhcp_linux_client() {
	local script=$SCN_DIR/wan-udhcpc.sh ev=$SCN_DIR/wan-udhcpc-events.log
	cat >"$script" <<-EOF
		#!/bin/sh
		# Written by tests/e2e/lib/wandhcp.sh: the lease onto wan0.
		echo "\$(date +%s.%N) \$1 ip=\$ip mask=\$mask router=\$router lease=\$lease" >>"$ev"
		case "\$1" in
		deconfig) ip addr flush dev wan0 ;;
		bound|renew)
			cur=\$(ip -4 -o addr show dev wan0 | awk '{print \$4}')
			if [ "\$cur" != "\$ip/\$mask" ]; then
				ip addr flush dev wan0
				ip addr add "\$ip/\$mask" dev wan0
			fi
			ip route replace default via "\${router%% *}" dev wan0 ;;
		esac
		exit 0
	EOF
	chmod 755 "$script"
	# udhcpc renews over a UDP socket, which the input chain sees: the
	# server's answers (a NAK is broadcast) must pass it, as on any router
	# with a DHCP WAN. Removed again by wandhcp_linux_restore.
	nsx "$NS_GW" nft -a list chain inet pgnat input | grep -q '"wandhcp"' ||
		nsx "$NS_GW" nft insert rule inet pgnat input iifname "wan0" udp sport 67 udp dport 68 \
			accept comment '"wandhcp"' || { fail "cannot let DHCP answers in"; return; }
	ip -n "$NS_GW" addr flush dev wan0
	spawn "${WANDHCP_CLIENT_LOG:-wan-udhcpc}" "$NS_GW" busybox udhcpc -f -i wan0 -s "$script" -T 2 -A 2 -x hostname:pggw "$@"
	WANDHCP_CLIENT_PID=$LAST_PID
	wait_until 30 wandhcp_bound || { fail "udhcpc got no lease within 30 s"; return; }
}

wandhcp_linux_restore() {
	local h
	[[ -n $WANDHCP_CLIENT_PID ]] && stop_pid "$WANDHCP_CLIENT_PID"
	WANDHCP_CLIENT_PID=
	for h in $(nsx "$NS_GW" nft -a list chain inet pgnat input | awk '/"wandhcp"/ {print $NF}'); do
		nsx "$NS_GW" nft delete rule inet pgnat input handle "$h"
	done
	ip -n "$NS_GW" addr flush dev wan0
	ip -n "$NS_GW" addr add "$WAN_PUB/24" dev wan0
	ip -n "$NS_GW" route replace default via "$WAN_NEXTHOP"
	nsx "$NS_GW" conntrack -F >/dev/null 2>&1
	return 0
}

# wandhcp_run FN - run a scenario body for either gateway; the Linux
# gateway gets its static WAN back afterwards.
wandhcp_run() {
	local rc
	"$@"
	rc=$?
	[[ $GATEWAY == linux ]] && wandhcp_linux_restore
	return "$rc"
}
