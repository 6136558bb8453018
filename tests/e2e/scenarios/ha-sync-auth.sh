# SPDX-License-Identifier: MIT
# ha-sync-auth: a standby passgated refuses every sync datagram that is not
# its primary's current stream - another key, a message altered, cut short
# or replayed - counts each by reason, and keeps its state (docs/HA.md "The
# sync protocol").
#
#   lan2 (wireguard-go, ping inside) ──► pggw-S: passgated ──► srv1 (wireguard-go 51820)
#                                        [sync] role = primary
#                                          │ sync0 10.99.0.1:7979   tcpdump: the primary's real
#                                          │                        messages, kept for replay
#                                          │ sync0 10.99.0.2:7979
#                                        pgsb-S: passgated, [sync] role = standby
#
# A forger in the gateway's namespace sends from the primary's own address
# and port (SO_REUSEADDR beside its socket), so the kernel hands the
# datagrams to the standby like the primary's:
#   bad_auth  4: three BULK_BEGINs of a far later epoch signed with another
#                key (accepted, each would wipe the standby), and one of the
#                primary's captured DATA messages with a body byte flipped;
#   truncated 3: cut inside the header, one HMAC byte short, a captured DATA
#                message cut inside its body;
#   replay    3: the primary's captured BULK_BEGIN sent again (accepted, it
#                would wipe the standby and start a resync), a captured DATA
#                message sent again, and a correctly signed DATA message of
#                an older epoch.
# Passes when the standby counted exactly 4 bad_auth and 3 truncated more
# than before (the primary's own traffic makes none), between 3 and 3 plus
# the primary's re-sent messages more replays (a re-sent message the standby
# had applied is refused the same way), nothing more as bad_version or
# malformed; it still says synced with no resync more, lists the same flows
# to srv1 as before, and afterwards still follows the primary (a new flow
# through the gateway appears on the standby with the primary's public
# port). Only for --gateway passgate.

source "$E2E_DIR/lib/hasync.sh"

# After the forgeries a new UDP flow, lan1:HA_PROBE_SPORT to srv1's
# WireGuard port (wireguard-go drops the junk quietly).
HA_PROBE_SPORT=40009

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "state sync is passgated's own: run with --gateway passgate"; return; }
	need wireguard-go wg curl tcpdump python3 || return
	NS_SB=pgsb-$SFX
	ha_run
	local rc=$?
	capture_stop sync
	hs_cleanup
	GW_SETTINGS_APPLIED=unknown
	return "$rc"
}

ha_capture() {
	# Whole datagrams (-s 0 after the library's -s 160), from the bulk on.
	capture_start sync "$NS_GW" sync0 "udp and src host 10.99.0.1 and dst port $HS_PORT" -s 0
}

ha_run() {
	local before after d name
	HS_BEFORE_STANDBY=ha_capture
	hs_pair_start || return
	ss_wireguard || return
	nsx "${NS_LAN[1]}" ping -n -c 5 -i 0.2 -W 1 10.9.0.1 >/dev/null 2>&1
	wait_until 10 ha_standby_has_wg ||
		{ fail "the standby never listed the WireGuard flow: [$(hs_flows "$HS_SB_SOCK" | tr '\n' ';')]"; return; }
	hs_flows "$HS_SB_SOCK" >"$SCN_DIR/flows-before.txt"
	before=$(ha_counters)
	ha_forge || return
	# Counted on the standby's next pass; a little longer for any re-send.
	wait_until 5 ha_counted bad_auth 4 "$before" || true
	sleep 1
	after=$(ha_counters)
	note "standby before: $before"
	note "standby after:  $after"
	d=$(ha_delta "$before" "$after") || { fail "status unreadable: [$after]"; return; }
	note "deltas: $d"
	declare -A D
	for kv in $d; do D[${kv%%=*}]=${kv#*=}; done
	((D[bad_auth] == 4)) || { fail "bad_auth counted ${D[bad_auth]} more, not 4 ($d)"; return; }
	((D[truncated] == 3)) || { fail "truncated counted ${D[truncated]} more, not 3 ($d)"; return; }
	((D[replay] >= 3 && D[replay] <= 3 + D[resent])) ||
		{ fail "replay counted ${D[replay]} more, not 3 (+ up to ${D[resent]} re-sent by the primary) ($d)"; return; }
	((D[bad_version] == 0 && D[malformed] == 0)) ||
		{ fail "other refusals counted: bad_version ${D[bad_version]}, malformed ${D[malformed]}"; return; }
	((D[resyncs] == 0)) || { fail "the standby took ${D[resyncs]} bulk(s): a forged or replayed BULK_BEGIN went in"; return; }
	[[ $(hs_status "$HS_SB_SOCK" 'd["sync"]["synced"]') == True ]] ||
		{ fail "the standby no longer says it is synced"; return; }
	hs_flows "$HS_SB_SOCK" >"$SCN_DIR/flows-after.txt"
	cmp -s "$SCN_DIR/flows-before.txt" "$SCN_DIR/flows-after.txt" ||
		{ fail "the standby's flows changed: before [$(tr '\n' ';' <"$SCN_DIR/flows-before.txt")] after [$(tr '\n' ';' <"$SCN_DIR/flows-after.txt")]"; return; }
	for name in bad_auth truncated replay; do
		report ha-sync-auth "10.99.0.1:$HS_PORT" "10.99.0.2:$HS_PORT" PASS "$name refused: ${D[$name]}"
	done

	# The channel still works: a new flow reaches the standby.
	nsx "${NS_LAN[0]}" python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("",int(sys.argv[3]))); s.sendto(b"probe",(sys.argv[1],int(sys.argv[2])))' \
		"$SRV1_IP" "$SS_WG_PORT" "$HA_PROBE_SPORT" || { fail "could not send the probe datagram"; return; }
	wait_until 5 ha_probe_same ||
		{ fail "the probe flow did not reach the standby alike: primary [$(ha_probe_flow "$PG_SOCK")] standby [$(ha_probe_flow "$HS_SB_SOCK")]"; return; }
	PASS_NOTE="standby refused 4 bad_auth, 3 truncated, ${D[replay]} replay (primary re-sent ${D[resent]}); flows, synced state unchanged; follows on"
}

ha_standby_has_wg() {
	hs_flows "$HS_SB_SOCK" | grep -q "^udp ${LAN_IP[1]}:$SS_WG_PORT "
}

# ha_counters - "name=value ..." of the standby's refusals and resyncs and
# the primary's re-sent messages.
ha_counters() {
	local sb pr
	sb=$(hs_status "$HS_SB_SOCK" '" ".join("%s=%d" % kv for kv in sorted(d["sync"]["refused"].items())) + " resyncs=%d" % d["sync"]["resyncs"]') || return 1
	pr=$(hs_status "$PG_SOCK" '"resent=%d" % d["sync"]["resent"]') || return 1
	echo "$sb $pr"
}

# ha_delta BEFORE AFTER - "name=after-before ...".
ha_delta() {
	python3 -c '
import sys
b = dict(kv.split("=") for kv in sys.argv[1].split())
a = dict(kv.split("=") for kv in sys.argv[2].split())
print(" ".join("%s=%d" % (k, int(a[k]) - int(b[k])) for k in sorted(a)))
' "$1" "$2"
}

ha_counted() {
	local n
	n=$(hs_status "$HS_SB_SOCK" "d['sync']['refused']['$1']") || return 1
	local b
	b=$(sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$3")
	((n - b >= $2))
}

# ha_probe_flow SOCK - the probe's flow: LAN end, remote end, public port.
ha_probe_flow() {
	curl -sf --max-time 10 --unix-socket "$1" 'http://localhost/api/v1/flows?limit=1000' |
		python3 -c '
import json, sys
for f in json.load(sys.stdin)["flows"]:
    if f["proto"] == "udp" and f["remote"] == sys.argv[1] and str(f["remote_port"]) == sys.argv[2] \
            and str(f["lan_port"]) == sys.argv[3]:
        print("%s:%d %s:%d %s" % (f["lan"], f["lan_port"], f["remote"], f["remote_port"], f["public_port"]))
' "$SRV1_IP" "$SS_WG_PORT" "$HA_PROBE_SPORT"
}

ha_probe_same() {
	local p s
	p=$(ha_probe_flow "$PG_SOCK")
	s=$(ha_probe_flow "$HS_SB_SOCK")
	[[ -n $p && $p == "$s" ]]
}

# ha_forge - the datagrams listed at the top, built from the key file and
# the primary's captured messages.
ha_forge() {
	sleep 0.2 # the capture has the latest messages on disk (-U)
	nsx "$NS_GW" python3 - "$SCN_DIR/sync.key" "$SCN_DIR/sync.pcap" "$HS_PORT" \
		>"$SCN_DIR/forge.log" 2>&1 <<-'PY' || { fail "could not send the forged datagrams: $(tail -n 2 "$SCN_DIR/forge.log")"; return 1; }
		import hashlib, hmac, os, socket, struct, sys
		key = bytes.fromhex(open(sys.argv[1]).read().split()[0])
		port = int(sys.argv[3])
		HDR = 28  # "PGSY" ver type flags(2) epoch(8) seq ack len
		def msg(k, typ, epoch, seq, body=b""):
		    hdr = b"PGSY" + struct.pack(">BBHQIII", 1, typ, 0, epoch, seq, 0, len(body))
		    return hdr + body + hmac.new(k, hdr + body, hashlib.sha256).digest()
		# The primary's datagrams as captured: unfragmented IPv4/UDP in Ethernet.
		raw = open(sys.argv[2], "rb").read()
		assert raw[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"), "not a pcap file"
		got, off = [], 24
		while off + 16 <= len(raw):
		    incl, orig = struct.unpack("<II", raw[off + 8:off + 16])
		    frame = raw[off + 16:off + 16 + incl]
		    off += 16 + incl
		    if incl != orig or frame[12:14] != b"\x08\x00":
		        continue
		    ip = frame[14:]
		    ihl = (ip[0] & 15) * 4
		    if ip[9] != 17 or struct.unpack(">H", ip[6:8])[0] & 0x3fff:
		        continue
		    udp = ip[ihl:]
		    got.append(udp[8:struct.unpack(">H", udp[4:6])[0]])
		bulk = [m for m in got if m[:4] == b"PGSY" and m[5] == 2]
		data = [m for m in got if m[:4] == b"PGSY" and m[5] == 1
		        and struct.unpack(">I", m[24:28])[0] > 0]
		assert bulk, "no BULK_BEGIN captured (%d datagrams)" % len(got)
		assert data, "no DATA message with records captured (%d datagrams)" % len(got)
		epoch = struct.unpack(">Q", bulk[-1][8:16])[0]
		d = data[-1]
		print("captured %d datagrams; epoch %d; replaying BULK_BEGIN seq %d, DATA seq %d (%d bytes)" % (
		    len(got), epoch, struct.unpack(">I", bulk[-1][16:20])[0],
		    struct.unpack(">I", d[16:20])[0], len(d)))
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		s.bind(("10.99.0.1", port))
		to = ("10.99.0.2", port)
		# bad_auth (4)
		for i in range(3):
		    s.sendto(msg(os.urandom(32), 2, 2**62 + i, 1), to)
		altered = bytearray(d)
		altered[HDR] ^= 0x01
		s.sendto(bytes(altered), to)
		# truncated (3)
		good = msg(key, 1, epoch, 1)
		s.sendto(good[:20], to)
		s.sendto(good[:-1], to)
		s.sendto(d[:HDR + (len(d) - HDR - 32) // 2], to)
		# replay (3)
		s.sendto(bulk[-1], to)
		s.sendto(d, to)
		s.sendto(msg(key, 1, 1, 5, d[HDR:-32]), to)
		print("sent 10")
	PY
}
