# SPDX-License-Identifier: MIT
# hairpin-p2p: two LAN hosts reach each other through their public mappings,
# as peer-to-peer programs do behind one NAT (RFC 4787 REQ-9, hairpinning of
# mappings): each learns its public address:port from a UDP echo on pgsrv1,
# then both send to the other's public address:port for 3 s, 5 packets a
# second (lib/udppunch.py). No forwards; the default address-dependent
# filtering.
#
# What each gateway is expected to do (lib/scenario-env.sh, judge):
#  - passgate: docs/ENGINE.md "Inbound": a LAN host sending to a port
#    another LAN host's mapping holds reaches that host, subject to
#    filtering as from outside; each host has sent to the public address, so
#    each filter lets the other's packets in: both get punches ("both");
#  - linux: nftables masquerade does not hairpin mappings (a packet to the
#    public address from the LAN is for the router itself): "none".

EXPECT_PASSGATE=both
EXPECT_LINUX=none

scenario() {
	local i pids=() line got=() pub=()
	spawn udp-echo-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7007
	wait_listen "$NS_SRV1" udp 7007 || { fail "UDP echo server did not start"; return; }
	for i in 1 2; do
		spawn "punch-lan$i" "${NS_LAN[$((i - 1))]}" timeout 15 "$PY" "$E2E_DIR/lib/udppunch.py" \
			peer "lan$i" "$SRV1_IP" "4400$i" "$SCN_DIR/public-lan$i" "$SCN_DIR/public-lan$((3 - i))" 3
		pids+=("$LAST_PID")
	done
	for i in 1 2; do
		wait "${pids[$((i - 1))]}"
		line=$(grep '^result ' "$SCN_DIR/punch-lan$i.log")
		note "lan$i: $line"
		pub[i]=$(sed -n 's/.* public=\([^ ]*\) .*/\1/p' <<<"$line")
		got[i]=$(sed -n 's/.* received=\([0-9]*\).*/\1/p' <<<"$line")
		all_from_public "${pub[$i]}" ||
			{ fail "lan$i could not learn its public mapping (${line:-no result})"; return; }
	done
	if [[ $GATEWAY == passgate ]] && gateway_dump; then
		note "passgated: hairpin_flows $(dump_value hairpin_flows) to_gateway $(dump_value to_gateway) drop_filtered $(dump_value drop_filtered)"
	fi
	if ((got[1] > 0 && got[2] > 0)); then
		judge both "each host got the other's packets through ${pub[1]} and ${pub[2]} (${got[1]}, ${got[2]})"
	elif ((got[1] == 0 && got[2] == 0)); then
		judge none "neither host got the other's packets at ${pub[1]}, ${pub[2]}"
	else
		judge one-way "only one host got the other's packets (lan1 ${got[1]}, lan2 ${got[2]})"
	fi
}
