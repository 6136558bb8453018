# SPDX-License-Identifier: MIT
# tests/e2e/lib/forward.sh - helpers for the scenarios about servers inside
# the LAN (port-forward, hairpin, dmz): echo through a forward and read what
# the server saw. Sourced by those scenarios.

# The forwards port-forward and hairpin both ask for (one gateway start when
# they run one after the other): TCP 8080 -> lan1:7070, UDP 5353 ->
# lan1:7007, TCP 9000-9002 -> lan2, same ports.
FWD_RULES=("tcp 8080 ${LAN_IP[0]} 7070" "udp 5353 ${LAN_IP[0]} 7007" "tcp 9000-9002 ${LAN_IP[1]}")

# fwd_tcp NAME NS ADDR PORT SIZE - a TCP echo of SIZE random bytes from NS to
# ADDR:PORT (10 s at most), logged to NAME.log. True when every byte came
# back; FWD_SEEN is the address:port the server saw.
fwd_tcp() {
	local name=$1 ns=$2 addr=$3 port=$4 size=$5 line
	tnsx 10 "$ns" "$PY" "$E2E_DIR/lib/tcpecho.py" client "$addr" "$port" "$size" \
		>"$SCN_DIR/$name.log" 2>&1
	line=$(grep -m1 -E '^(seen|error) ' "$SCN_DIR/$name.log")
	FWD_SEEN=$(awk '$1 == "seen" {print $2}' <<<"$line")
	FWD_LINE=${line:-no answer}
	[[ $line == *" echoed $size ok" ]]
}

# fwd_udp NAME NS ADDR PORT SPORT COUNT - COUNT UDP echoes from NS (local port
# SPORT) to ADDR:PORT, logged to NAME.log. True when every datagram came back;
# FWD_SEEN is the address:port the server saw.
fwd_udp() {
	local name=$1 ns=$2 addr=$3 port=$4 sport=$5 count=$6 line
	tnsx 15 "$ns" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-client "$addr" "$port" "$sport" "$count" \
		>"$SCN_DIR/$name.log" 2>&1
	line=$(grep -m1 '^seen ' "$SCN_DIR/$name.log")
	FWD_SEEN=$(awk '{print $2}' <<<"$line")
	FWD_LINE=${line:-no answer}
	[[ $line =~ echoed\ $count\  ]]
}

# fwd_servers - the inside servers of FWD_RULES: a TCP echo on lan1:7070, a
# UDP echo on lan1:7007, TCP echoes on lan2:9000-9002.
fwd_servers() {
	spawn tcp-echo-lan1 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/tcpecho.py" server 7070
	spawn udp-echo-lan1 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7007
	spawn tcp-echo-lan2 "${NS_LAN[1]}" "$PY" "$E2E_DIR/lib/tcpecho.py" server 9000 9001 9002
	wait_listen "${NS_LAN[0]}" tcp 7070 && wait_listen "${NS_LAN[0]}" udp 7007 &&
		wait_listen "${NS_LAN[1]}" tcp 9002 || { fail "the servers inside did not start"; return; }
}
