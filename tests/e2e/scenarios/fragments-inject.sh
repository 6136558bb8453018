# SPDX-License-Identifier: MIT
# fragments-inject: IP fragments made by hand (scapy, lib/fragprobe.py).
#  - out of order: lan1 sends a 4000-byte UDP datagram to an echo server on
#    pgsrv1 as fragments, last one first; the server sends it back the same
#    way. Passes when the echo arrives intact (REQ-14 of RFC 4787: out of
#    order fragments must be translated).
#  - overlapping: lan1 sends a 3000-byte datagram whose second fragment
#    overlaps the first by 8 bytes with other data (teardrop style). Passes
#    when that fragment never reaches pgsrv1 (captured there), the server
#    never received the datagram, and the gateway counted it (passgated:
#    drop_frag_overlap; Linux, which reassembles in conntrack and drops the
#    whole datagram: IpExtReasmOverlaps in the gateway's namespace).

scenario() {
	local line before after n
	spawn frag-echo "$NS_SRV1" "$PY" "$E2E_DIR/lib/fragprobe.py" echo-server 7010
	wait_listen "$NS_SRV1" udp 7010 10 || { fail "the fragment echo server did not start"; return; }
	line=$(tnsx 15 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/fragprobe.py" ooo-client "$SRV1_IP" 7010 40010 4000 2>&1 | tail -n 1)
	echo "$line" >"$SCN_DIR/ooo-client.log"
	[[ $line == *" ok" ]] ||
		{ fail "out-of-order fragments did not make the round trip (${line:-no result})"; return; }
	grep -q "^from $WAN_PUB:[0-9]* len 4000" "$SCN_DIR/frag-echo.log" ||
		{ fail "the echo server did not see the datagram from $WAN_PUB"; return; }

	before=$(frag_overlap_count)
	[[ $before =~ ^[0-9]+$ ]] || { fail "cannot read the gateway's overlap counter"; return; }
	capture_start srv1-frags "$NS_SRV1" eth0 "ip[6:2] & 0x3fff != 0 and src $WAN_PUB" || return
	tnsx 15 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/fragprobe.py" overlap-client "$SRV1_IP" 7010 40011 \
		>"$SCN_DIR/overlap-client.log" 2>&1
	sleep 0.5
	capture_stop srv1-frags
	after=$(frag_overlap_count)
	n=$(tcpdump -r "$SCN_DIR/srv1-frags.pcap" -n 'ip[6:2] & 0x1fff == 184' 2>/dev/null | grep -c .)
	note "overlap: counter $before -> $after; overlapping fragments at pgsrv1: $n; all fragments: $(capture_count srv1-frags)"
	grep -q 'sent 3 fragments' "$SCN_DIR/overlap-client.log" ||
		{ fail "could not send the overlapping fragments: $(tail -n 1 "$SCN_DIR/overlap-client.log")"; return; }
	((n == 0)) || { fail "the overlapping fragment reached pgsrv1 ($n)"; return; }
	grep -q ' len 3000$' "$SCN_DIR/frag-echo.log" &&
		{ fail "the echo server received the overlapping datagram"; return; }
	((after > before)) || { fail "the gateway did not count the overlap ($before -> $after)"; return; }
	report fragments-inject "${LAN_IP[0]}:40010" "$SRV1_IP:7010/udp" PASS \
		"out of order echoed; overlap dropped, counted $((after - before))"
}

# frag_overlap_count - overlapping fragments the gateway dropped.
frag_overlap_count() {
	if [[ $GATEWAY == passgate ]]; then
		gateway_counter drop_frag_overlap
	else
		nsx "$NS_GW" awk '$1 == "IpExt:" { if (!h) { for (i = 2; i <= NF; i++) k[i] = $i; h = 1 }
			else for (i = 2; i <= NF; i++) if (k[i] == "ReasmOverlaps") print $i }' /proc/net/netstat
	fi
}
