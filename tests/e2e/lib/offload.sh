# SPDX-License-Identifier: MIT
# tests/e2e/lib/offload.sh - the XDP fast path's checks that IPv4 and IPv6
# share. Sourced by offload.sh and offload-ipv6.sh (passgated only: it
# reads the daemon's counter dump, lib/gateway-passgate.sh).

# xdp_pings FAMILY COUNT SIZE DEST X0 - lan1 pings DEST over IPv4 or IPv6
# (FAMILY 4 or 6) COUNT times, 10 ms apart, with SIZE bytes of data: every
# reply must come back; XDP must forward all but at most 6 of the COUNT x 2
# echo packets (offload_packets from X0, the caller's dump, to a dump made
# here: the first request and its reply go through the engine, the offer
# follows the reply, and a loaded daemon may apply it a ping or two late);
# and the ping's flow, the busiest ICMP(v6) flow of lan1 to DEST (earlier
# scenarios' pings may linger), must show at least their bytes each way.
# 0, or 1 after fail; PG_DUMP is then this dump.
xdp_pings() {
	local fam=$1 n=$2 size=$3 dst=$4 x0=$5 x1 fl o i min
	local what=ping opt=() flows=(--proto icmp --host "${LAN_IP[0]}") at=" $dst" hdr=28
	local log="$SCN_DIR/xdp-ping$fam.log" list="$SCN_DIR/xdp-ping$fam-flows.txt"
	if [[ $fam == 6 ]]; then
		what="ping -6" opt=(-6) at="[$dst]" hdr=48
		flows=(--family 6 --proto 58 --host "${LAN6_IP[0]}")
	fi
	tnsx 30 "${NS_LAN[0]}" ping "${opt[@]}" -n -c "$n" -i 0.01 -s "$size" -W 1 "$dst" >"$log" 2>&1
	grep -q "^$n packets transmitted, $n received" "$log" ||
		{ fail "$what: not every echo answered: $(grep -m1 'packets transmitted' "$log")"; return 1; }
	sleep 1.5 # the data path gives XDP's counts to the engine once a second
	gateway_dump || { fail "no counter dump"; return 1; }
	x1=$(dump_value offload_packets)
	note "$what: $((x1 - x0)) of $((n * 2)) echo packets through XDP; $(grep -m1 'rtt' "$log")"
	(((x1 - x0) >= n * 2 - 6 && (x1 - x0) <= n * 2)) ||
		{ fail "XDP forwarded $((x1 - x0)) packets during the pings, not within 6 below their $((n * 2))"; return 1; }
	gateway_ctl flows "${flows[@]}" >"$list" 2>&1
	fl=$(grep -F "$at" "$list" | awk '{print $(NF-1), $NF, $0}' | sort -n -r | head -n 1)
	[[ -n $fl ]] || { fail "passgatectl flows ${flows[*]:0:2} does not list the ping's flow: $(cat "$list")"; return 1; }
	read -r o i _ <<<"$fl"
	min=$((n * (size + hdr)))
	note "$what flow: ${fl#* * }"
	[[ $o =~ ^[0-9]+$ && $i =~ ^[0-9]+$ ]] && ((o >= min && i >= min)) ||
		{ fail "the ping's flow shows $o bytes out, $i in; the pings moved at least $min each way"; return 1; }
}
