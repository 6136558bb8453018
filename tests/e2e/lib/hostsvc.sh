# SPDX-License-Identifier: MIT
# tests/e2e/lib/hostsvc.sh - helpers of the host-dhcp and host-dns scenarios:
# passgated restarted with [dhcp]/[dns] sections (it then runs dnsmasq on
# its LAN host device), a LAN host namespace with no address, a DNS server
# on the WAN. Sourced by those scenarios.
#
# Everything made here lives in this run's namespaces (names pg...-$SFX),
# which the harness deletes; every process is spawned as the harness's child.

# hostsvc_restart TEXT - passgated again, with the harness's config plus TEXT
# (the sections under test) and a run directory in the scenario's; ready
# when a LAN host's ping is answered and dnsmasq listens (udp 67 for DHCP,
# else udp 53). The next scenario gets the harness's own gateway back.
hostsvc_restart() {
	local text=$1 conf=$SCN_DIR/passgated-hostsvc.conf port=53
	[[ $text == *"[dhcp]"* ]] && port=67
	{
		cat "$RUN_DIR/passgated.conf"
		printf '\n%s\n' "$text"
		# A token for the API's changes (docs/API.md), when the scenario makes any.
		if [[ -n ${HOSTSVC_TOKEN:-} ]]; then
			printf '\n[api]\n'
			"$PASSGATED" --hash-password <<<"$HOSTSVC_TOKEN" | sed 's/^password_hash/token_hash/'
		fi
	} >"$conf"
	HOSTSVC_RUN=$SCN_DIR/gw-run
	# Whatever happens next, the following scenario must not inherit this daemon.
	GW_SETTINGS_APPLIED=unknown
	PG_RESTART_ARGS=(-r "$HOSTSVC_RUN" -s "$HOSTSVC_RUN")
	gateway_restart_with "$conf" 2>/dev/null ||
		{ fail "passgated with [dhcp]/[dns] did not come back: $(tail -n 1 "$PG_LOG")"; return; }
	wait_alive "$PG_PID" 15 listening "$NS_GW" udp "$port" ||
		{ fail "dnsmasq does not listen on udp $port in the gateway: $(grep dnsmasq "$PG_LOG" | tail -n 1)"; return; }
	grep -q 'dnsmasq: started pid' "$PG_LOG" ||
		{ fail "passgated did not log the dnsmasq it started"; return; }
	note "gateway: $(grep -m 1 'dnsmasq: started pid' "$PG_LOG")"
}

# hostsvc_bare_host NS - a LAN host with no address: namespace NS on the LAN
# switch (veth eth0, its peer on the bridge named after NS: dh-pgdhcp for
# pgdhcp-SFX), offloads off like the others; NS is deleted at the
# scenario's end (a later scenario's host must not meet its peer on the
# switch: web-settings could not link its host after host-dhcp's).
hostsvc_bare_host() {
	local ns=$1 peer="dh-${1%%-*}"
	ip netns add "$ns" || { fail "cannot create namespace $ns"; return; }
	scn_undo ip netns del "$ns"
	nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		>/dev/null
	ip -n "$ns" link set lo up
	ip -n "$ns" link add eth0 type veth peer name "${peer:0:15}" netns "$NS_SW" ||
		{ fail "cannot link $ns to the LAN switch"; return; }
	peer=${peer:0:15}
	ip -n "$NS_SW" link set "$peer" master br0
	host_offload_off "$ns" eth0
	host_offload_off "$NS_SW" "$peer"
	ip -n "$NS_SW" link set "$peer" up
	ip -n "$ns" link set eth0 up
}

# hostsvc_udhcpc_script FILE OUT - udhcpc's event script: it records what the
# server offered in OUT.EVENT (KEY=VALUE lines) and changes nothing (not
# the link, not /etc/resolv.conf; busybox's default script would do both).
hostsvc_udhcpc_script() {
	cat >"$1" <<-EOF
		#!/bin/sh
		# Written by tests/e2e/lib/hostsvc.sh: record, configure nothing.
		{
			echo "event=\$1"
			echo "ip=\$ip"
			echo "subnet=\$subnet"
			echo "router=\$router"
			echo "dns=\$dns"
			echo "lease=\$lease"
			echo "serverid=\$serverid"
		} >"$2.\$1.tmp" && mv "$2.\$1.tmp" "$2.\$1"
		exit 0
	EOF
	chmod 755 "$1"
}

# hostsvc_lease_get FILE KEY - one value from a recorded udhcpc event.
hostsvc_lease_get() {
	sed -n "s/^$2=//p" "$1" | head -n 1
}

# hostsvc_in_range ADDR LO HI - ADDR between LO and HI (same /24, last octet).
hostsvc_in_range() {
	local a=$1 lo=$2 hi=$3
	[[ ${a%.*} == "${lo%.*}" && ${a%.*} == "${hi%.*}" ]] || return 1
	((${a##*.} >= ${lo##*.} && ${a##*.} <= ${hi##*.}))
}

# hostsvc_wan_dns NAME ADDR - a DNS server on the WAN (dnsmasq in pgsrv1)
# answering NAME with ADDR and logging every query with its source.
hostsvc_wan_dns() {
	spawn wan-dns "$NS_SRV1" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --listen-address="$SRV1_IP" --bind-interfaces --port=53 --user=root \
		--pid-file --log-facility=- --log-queries --address="/$1/$2"
	wait_listen "$NS_SRV1" udp 53 10 || { fail "the WAN DNS server did not start: $(tail -n 1 "$SCN_DIR/wan-dns.log")"; return; }
}

# hostsvc_api_put SECTION JSON - PUT /api/v1/config/SECTION with the token,
# from inside the gateway (the API listens on its loopback). Prints the status.
hostsvc_api_put() {
	tnsx 8 "$NS_GW" curl -s -o "$SCN_DIR/api.out" -w '%{http_code}' -X PUT --max-time 5 \
		-H 'Content-Type: application/json' -H "Authorization: Bearer $HOSTSVC_TOKEN" \
		--data-binary "$2" "http://127.0.0.1:8080/api/v1/config/$1"
	echo "PUT $1 $2 -> $(head -c 300 "$SCN_DIR/api.out")" >>"$SCN_DIR/api.log"
}
