# SPDX-License-Identifier: MIT
# tests/e2e/lib/hostpath.sh - helpers for the host path scenarios (the
# gateway's own services, docs/HOSTPATH.md). Sourced by those scenarios.
#
# They need passgated with settings of their own ([api] on the LAN address,
# [input], [host] routes): hp_restart starts it again with the harness's
# config plus some sections, the way api.sh does, and marks the gateway's
# settings unknown so the harness restarts it with its own config before the
# next scenario.

HP_TOKEN=e2e-token-$RANDOM$RANDOM
HP_PASSWORD=e2e-password-$RANDOM
HP_CONF=		# the config the running daemon was started with
HP_LAN_DEV=pgh-lan0	# the host devices' default names (lan0, wan0 links)
HP_WAN_DEV=pgh-wan0

# hp_credentials - print [api] lines: the token's and the password's hashes.
hp_credentials() {
	local th ph
	th=$("$PASSGATED" --hash-password <<<"$HP_TOKEN" | sed 's/^password_hash/token_hash/') ||
		return 1
	ph=$("$PASSGATED" --hash-password <<<"$HP_PASSWORD") || return 1
	printf '%s\n%s\n' "$th" "$ph"
}

# hp_restart TEXT - passgated again with the harness's config followed by
# TEXT (sections); ready when lan1's ping to the LAN address is answered.
hp_restart() {
	HP_CONF=$SCN_DIR/passgated-$SCN_NAME.conf
	{
		cat "$RUN_DIR/passgated.conf"
		printf '\n%s\n' "$1"
	} >"$HP_CONF"
	GW_SETTINGS_APPLIED=unknown
	gateway_restart_with "$HP_CONF" 2>/dev/null ||
		fail "passgated with the scenario's config did not come up: $(tail -n 1 "$PG_LOG")"
}

# hp_http NS URL [CURL-ARGS...] - one HTTP request from NS; prints
# "STATUS" (000 when there was no answer) and keeps the body in
# $SCN_DIR/http.out.
hp_http() {
	local ns=$1 url=$2
	shift 2
	tnsx 10 "$ns" curl -s -o "$SCN_DIR/http.out" -w '%{http_code}' --max-time 4 \
		--connect-timeout 3 "$@" "$url" 2>/dev/null
	return 0
}

# hp_counter NAME - an engine counter, or a link's layer 2 counter given as
# "IF:NAME" (from the daemon's SIGUSR1 dump).
hp_counter() {
	gateway_dump || return 1
	case $1 in
	*:*) grep -oE "l2 ${1%%:*} ${1#*:} [0-9]+" <<<"$PG_DUMP" | tail -n 1 | grep -oE '[0-9]+$' || echo 0 ;;
	*) dump_value "$1" ;;
	esac
}

# hp_udp_burst NS ADDR PORT N - send N datagrams (no answer expected).
hp_udp_burst() {
	tnsx 10 "$1" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[3])):
    s.sendto(b"probe %d" % i, (sys.argv[1], int(sys.argv[2])))
' "$2" "$3" "$4"
}

# hp_tcp_syns NS ADDR PORT N - N connection attempts, each given 0.5 s (one
# SYN: the first retransmission would come after 1 s); prints how many
# connected.
hp_tcp_syns() {
	tnsx 10 "$1" "$PY" -c '
import socket, sys, time
socks = []
for i in range(int(sys.argv[3])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.connect_ex((sys.argv[1], int(sys.argv[2])))
    socks.append(s)
time.sleep(0.5)
up = 0
for s in socks:
    if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
        try:
            s.getpeername()
            up += 1
        except OSError:
            pass
    s.close()
print(up)
' "$2" "$3" "$4"
}
