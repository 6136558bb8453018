# SPDX-License-Identifier: MIT
# latency-idle: what the gateway adds to a round trip when nothing else
# runs. lan1 pings pgsrv1 every 10 ms, 500 times (ping -i 0.01, 56-byte
# payload); the figures (avg, p99, max, loss) go to the notes and the
# report. Passes when nothing is lost and the average and p99 stay under
# LAT_IDLE_AVG_MS and LAT_IDLE_P99_MS: bounds a loaded test machine (other
# builds and tests on two cores) can hold for passgated and Linux NAT alike;
# the figures themselves are the result (docs/ARCHITECTURE.md "Latency").
# Measured at load 10-17: averages 0.16-0.33 ms on both backends (1.8 ms
# once at load 20, during a fuzz build); p99 0.23-0.33 ms or one scheduler
# tick (4.1 ms), once 8.1 ms on AF_PACKET; Linux NAT 0.09 / 0.13 ms.
# PG_E2E_BACKEND=afpacket runs passgated on AF_PACKET instead of AF_XDP.

LAT_IDLE_COUNT=500
LAT_IDLE_AVG_MS=${LAT_IDLE_AVG_MS:-1.0}
LAT_IDLE_P99_MS=${LAT_IDLE_P99_MS:-10.0}

scenario() {
	local r
	# Warm up: ARP and the flow exist before the measured pings.
	tnsx 10 "${NS_LAN[0]}" ping -n -c 3 -i 0.2 -W 1 "$SRV1_IP" >/dev/null 2>&1
	tnsx 60 "${NS_LAN[0]}" ping -n -c "$LAT_IDLE_COUNT" -i 0.01 -W 1 "$SRV1_IP" \
		>"$SCN_DIR/ping-idle.log" 2>&1
	read -r -a r < <("$PY" "$E2E_DIR/lib/latency.py" ping "$SCN_DIR/ping-idle.log")
	((${#r[@]} == 5)) || { fail "no ping result ($(tail -n 1 "$SCN_DIR/ping-idle.log"))"; return; }
	note "idle RTT through $GATEWAY${PG_E2E_BACKEND:+ ($PG_E2E_BACKEND)}: ${r[0]} sent, ${r[1]} lost, avg ${r[2]} p99 ${r[3]} max ${r[4]} ms; load average $(cut -d' ' -f1-3 /proc/loadavg)"
	report latency-idle "${LAN_IP[0]}" "$SRV1_IP" PASS "avg ${r[2]} p99 ${r[3]} max ${r[4]} ms"
	((r[1] == 0)) || { fail "${r[1]} of ${r[0]} pings lost on an idle line"; return; }
	lat_within "${r[2]}" "$LAT_IDLE_AVG_MS" || { fail "average RTT ${r[2]} ms above $LAT_IDLE_AVG_MS ms (p99 ${r[3]})"; return; }
	lat_within "${r[3]}" "$LAT_IDLE_P99_MS" || { fail "p99 RTT ${r[3]} ms above $LAT_IDLE_P99_MS ms (avg ${r[2]})"; return; }
	PASS_NOTE="avg ${r[2]} ms, p99 ${r[3]} ms, max ${r[4]} ms"
}

# lat_within VALUE LIMIT - VALUE <= LIMIT (decimals).
lat_within() {
	"$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' "$1" "$2"
}
